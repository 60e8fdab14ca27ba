//! Every input the fuzz targets (`fuzz/`, see docs/security.md) found a problem with, fed
//! to the same functions the targets call, with the targets' checks, and the YAML and
//! config amplifiers found by the hostile-input review. The inputs live in
//! `tests/fuzz/<target>/`, one file each, named after what they found.

use std::path::Path;
use std::time::Duration;

use threatline::annotation::yaml_block::parse_block;
use threatline::annotation::{Finder, Verb, parse_arguments};
use threatline::config::Config;
use threatline::extract::CommentLine;
use threatline::languages::table;
use threatline::scan::{FileKind, Scanner};

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz")
        .join(target);
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    found.sort();
    found
}

const VERBS: [Verb; 12] = [
    Verb::Component,
    Verb::Threat,
    Verb::Control,
    Verb::Mitigates,
    Verb::Exposes,
    Verb::Accepts,
    Verb::Transfers,
    Verb::Connects,
    Verb::Boundary,
    Verb::Handles,
    Verb::Review,
    Verb::Tests,
];

/// `fuzz/fuzz_targets/annotation_line.rs`.
fn annotation_line(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let verb = VERBS[first as usize % VERBS.len()];
    let column_of = |offset: usize| 1 + offset as u32;
    if let Err(e) = parse_arguments(verb, &text, &column_of) {
        assert!(e.offset <= text.len());
    }
    let lines: Vec<CommentLine> = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| CommentLine {
            text: l.to_string(),
            line: i as u32 + 1,
            column: 1 + u32::from(first % 8),
        })
        .collect();
    let source_line = |line: u32| lines.get(line as usize - 1).map(|l| l.text.clone());
    let mut finder = Finder::new("fuzz.c", &source_line);
    finder.block(&lines);
    for a in &finder.found.annotations {
        assert!(a.location.line as usize <= lines.len() && a.location.column >= 1);
    }
    let _ = threatline::diagnostics::render(&finder.found.diagnostics, false);
}

/// `fuzz/fuzz_targets/extract.rs`.
fn extract(data: &[u8]) -> Option<threatline::scan::FileResult> {
    let (&first, content) = data.split_first()?;
    let languages = &table().all;
    let pick = (first & 0x7f) as usize % (languages.len() + 1);
    let kind = match languages.get(pick) {
        Some(language) => FileKind::Code(language),
        None => FileKind::Plain,
    };
    let deadline = if first & 0x80 != 0 {
        Duration::ZERO
    } else {
        Duration::from_secs(2)
    };
    let result = Scanner::new(deadline).scan("fuzz", content.to_vec(), Some(kind))?;
    let _ = threatline::diagnostics::render(&result.diagnostics, false);
    Some(result)
}

#[test]
fn annotation_line_inputs() {
    for (name, data) in inputs("annotation_line") {
        eprintln!("{name}");
        annotation_line(&data);
    }
}

#[test]
fn extract_inputs() {
    for (name, data) in inputs("extract") {
        eprintln!("{name}");
        extract(&data);
    }
}

#[test]
fn yaml_block_inputs() {
    for (name, data) in inputs("yaml_block") {
        eprintln!("{name}");
        let text = String::from_utf8_lossy(&data);
        let lines: Vec<&str> = text.split('\n').collect();
        if let Err(e) = parse_block(&lines) {
            assert!(e.line < lines.len(), "{e:?}");
        }
    }
}

#[test]
fn config_inputs() {
    for (name, data) in inputs("config") {
        eprintln!("{name}");
        let text = std::str::from_utf8(&data).expect("config inputs are UTF-8");
        // Each of these is a config error, never a config.
        assert!(Config::parse(text).is_err(), "{name}");
    }
}

/// The first crash: `split_list` sliced `&rest[..5]` inside a character of a mechanism.
#[test]
fn a_mechanism_with_multibyte_characters_is_split_not_panicked_on() {
    let data = b"\x07#js to #arrow with \"{{x}} --> `t\xff\xff\xff\xff\xff\xff\xff\xffick`\"";
    annotation_line(data);
    let line = "// @flows Web:App -> Db:Main via TLS ✓ and mTLS\n";
    let mut content = vec![3u8]; // JavaScript
    content.extend_from_slice(line.as_bytes());
    let result = extract(&content).expect("an annotation");
    assert_eq!(result.annotations.len(), 1, "{:?}", result.diagnostics);
    assert!(result.diagnostics.is_empty(), "{:?}", result.diagnostics);
}

/// The second finding: YAML ends a line at a lone `\r` that the block's lines do not, so
/// an error could name a line past the block.
#[test]
fn a_yaml_error_after_a_carriage_return_stays_in_the_block() {
    let e = parse_block(&["a: 1\rb: [", "c: 2"]).unwrap_err();
    assert!(e.line < 2, "{e:?}");
    let e = parse_block(&["k: v\r\r\r: ["]).unwrap_err();
    assert_eq!(e.line, 0, "{e:?}");
}
