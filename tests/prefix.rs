//! The prefix parse (only up to the last possible annotation plus a margin) must read
//! exactly the comments the whole-file parse reads, on every fixture of the repository.

use std::path::Path;
use std::time::Duration;

use threatline::extract::extract;
use threatline::languages::{grammar, table};
use threatline::prefilter::last_candidate;
use threatline::source::Source;

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn prefix_and_whole_file_parses_read_the_same_comments() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in [
        "tests/languages",
        "tests/rules",
        "tests/coverage",
        "fixtures/example",
    ] {
        files(&root.join(dir), &mut paths);
    }
    paths.sort();
    let mut compared = 0;
    let mut prefixed = 0;
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        let Some(language) = table()
            .by_path(&path)
            .or_else(|| table().by_shebang(&bytes))
        else {
            continue;
        };
        // As written, and padded with its own text (every `@` defused) so the annotations
        // sit far from the end, where only a prefix is parsed.
        let tail: Vec<u8> = bytes
            .iter()
            .map(|&b| if b == b'@' { b'_' } else { b })
            .collect();
        let mut padded = bytes.clone();
        for _ in 0..3 {
            padded.push(b'\n');
            padded.extend_from_slice(&tail);
        }
        for bytes in [bytes, padded] {
            let source = Source::new(bytes);
            let Some(last) = last_candidate(&source.bytes, language.threatspec_keys) else {
                continue;
            };
            let mut parser = tree_sitter::Parser::new();
            parser
                .set_language(&grammar(&language.grammar).unwrap())
                .unwrap();
            let deadline = Duration::from_secs(10);
            let whole = extract(&source, language, &mut parser, deadline, source.bytes.len());
            let prefix = extract(&source, language, &mut parser, deadline, last);
            // Blocks wholly after the last possible annotation cannot hold one: compare
            // the rest, and what the annotation finder reads from each.
            let last_line = source.line_of(last);
            let before = |blocks: &[Vec<threatline::extract::CommentLine>]| {
                blocks
                    .iter()
                    .filter(|b| b.first().is_some_and(|l| l.line <= last_line))
                    .cloned()
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                before(&prefix.blocks),
                before(&whole.blocks),
                "{}",
                path.display()
            );
            let annotations = |blocks: &[Vec<threatline::extract::CommentLine>]| {
                let no_source = |_: u32| None;
                let mut finder = threatline::annotation::Finder::new("f", &no_source);
                for b in blocks {
                    finder.block(b);
                }
                let mut found = finder.found.annotations;
                found.sort_by(|a, b| a.location.cmp(&b.location));
                found
            };
            assert_eq!(
                annotations(&prefix.blocks),
                annotations(&whole.blocks),
                "{}",
                path.display()
            );
            assert_eq!(
                prefix.key_annotations,
                whole.key_annotations,
                "{}",
                path.display()
            );
            compared += 1;
            if prefix.parsed_bytes < source.bytes.len() {
                prefixed += 1;
            }
        }
    }
    assert!(compared > 60, "compared {compared} files");
    // The check is not vacuous: many of them were read from a prefix.
    assert!(
        prefixed > 30,
        "only {prefixed} of {compared} were read from a prefix"
    );
}
