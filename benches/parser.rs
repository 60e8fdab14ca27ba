//! The annotation-line parser, in lines per second: the Finder over comment blocks of
//! typical annotations in both dialects, as a scan feeds it.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use threatline::annotation::Finder;
use threatline::extract::CommentLine;

const LINES: &[&str] = &[
    " @mitigates App3:Service7 against SQL injection with control 4",
    " @exposes App3:Service7 to Cross-site scripting with missing check 2",
    " @connects External:User1 to App3:Service7 with HTTPS",
    " @threat SQL_Injection (#sqli) [P0] cwe:CWE-89 owasp:A03:2021 -- \"Unsanitized input reaches the query builder\"",
    " @flows App.Frontend -> App.API -> App.DB via HTTPS/443 -- \"All API calls over TLS 1.3\"",
    " @boundary Internet edge (#edge) [critical] between Internet and DMZ",
    " plain prose that mentions nothing, as most comment lines do",
    " @param x the value; not an annotation",
];

fn block(n: usize) -> Vec<CommentLine> {
    (0..n)
        .map(|i| CommentLine {
            text: LINES[i % LINES.len()].to_string(),
            line: i as u32 + 1,
            column: 3,
        })
        .collect()
}

fn annotation_lines(c: &mut Criterion) {
    let lines = block(800);
    let mut group = c.benchmark_group("annotation");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("finder_lines", |b| {
        let no_source = |_: u32| None;
        b.iter(|| {
            let mut finder = Finder::new("bench.rs", &no_source);
            for chunk in lines.chunks(8) {
                finder.block(chunk);
            }
            finder.found.annotations.len()
        })
    });
    group.finish();
}

criterion_group!(benches, annotation_lines);
criterion_main!(benches);
