//! Comment extraction per language, in bytes per second: one whole file of the language
//! fixtures (`tests/languages/`) scanned end to end, parse included. The whole-file parse
//! is measured (the last annotation forced to the end), which is the worst case; the
//! prefix parse only ever does less.

use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use threatline::extract::extract;
use threatline::languages::{grammar, table};
use threatline::source::Source;

fn per_language(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/languages");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut group = c.benchmark_group("extract");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(2));
    for dir in dirs {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let Some((path, language)) = files
            .iter()
            .find_map(|p| table().by_path(p).map(|l| (p.clone(), l)))
        else {
            continue;
        };
        // The file repeated to about 64 KiB, so the parse dominates the measurement.
        let one = std::fs::read(&path).unwrap();
        let mut bytes = Vec::new();
        while bytes.len() < 64 * 1024 {
            bytes.extend_from_slice(&one);
            bytes.push(b'\n');
        }
        let source = Source::new(bytes);
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&grammar(&language.grammar).unwrap())
            .unwrap();
        group.throughput(Throughput::Bytes(source.bytes.len() as u64));
        group.bench_function(&language.name, |b| {
            b.iter(|| {
                extract(
                    &source,
                    language,
                    &mut parser,
                    Duration::from_secs(30),
                    source.bytes.len(),
                )
                .blocks
                .len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, per_language);
criterion_main!(benches);
