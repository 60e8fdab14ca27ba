//! The shortcuts of extraction must read exactly the comments (and the symbols they belong
//! to) that the whole-file parse reads:
//! the comment header read without a parse (`extract/header.rs`) and the prefix parse (only
//! up to the last possible annotation plus a margin), on every fixture and golden of the
//! repository, and on header variants in every language.

use std::path::Path;
use std::time::Duration;

use threatline::extract::{CommentLine, Extracted, extract, extract_whole};
use threatline::languages::{Language, grammar, table};
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

/// How a file was read.
#[derive(Debug, Default)]
struct Counts {
    compared: usize,
    header: usize,
    prefix: usize,
}

/// Extracts `bytes` with every shortcut and with none, and asserts both read the same
/// annotation blocks; `None` when the file cannot hold an annotation.
fn compare(language: &Language, bytes: Vec<u8>, what: &str, counts: &mut Counts) {
    let source = Source::new(bytes);
    let Some(last) = last_candidate(&source.bytes, language.threatspec_keys) else {
        return;
    };
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&grammar(&language.grammar).unwrap())
        .unwrap();
    let deadline = Duration::from_secs(10);
    let whole = extract_whole(&source, language, &mut parser, deadline);
    let fast = extract(&source, language, &mut parser, deadline, last);
    // Blocks wholly after the last possible annotation cannot hold one: compare the rest,
    // and what the annotation finder reads from each.
    let last_line = source.line_of(last);
    // Each block with the symbol it belongs to (none where the language has no query).
    let before = |e: &Extracted| -> Vec<(Vec<CommentLine>, Option<String>)> {
        e.blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| b.first().is_some_and(|l| l.line <= last_line))
            .map(|(i, b)| (b.clone(), e.symbols.get(i).cloned().flatten()))
            .collect()
    };
    assert_eq!(before(&fast), before(&whole), "{what}");
    let annotations = |e: &Extracted| {
        let no_source = |_: u32| None;
        let mut finder = threatline::annotation::Finder::new("f", &no_source);
        for b in &e.blocks {
            finder.block(b);
        }
        let mut found = finder.found.annotations;
        found.sort_by(|a, b| a.location.cmp(&b.location));
        (found, finder.found.diagnostics)
    };
    assert_eq!(annotations(&fast), annotations(&whole), "{what}");
    assert_eq!(fast.key_annotations, whole.key_annotations, "{what}");
    counts.compared += 1;
    if fast.parsed_bytes == 0 {
        counts.header += 1;
    } else if fast.parsed_bytes < source.bytes.len() {
        counts.prefix += 1;
    }
}

#[test]
fn shortcuts_and_whole_file_parses_read_the_same_comments() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in [
        "tests/languages",
        "tests/rules",
        "tests/coverage",
        "tests/foreign",
        "tests/symbols",
        "fixtures/example",
    ] {
        files(&root.join(dir), &mut paths);
    }
    paths.sort();
    let mut counts = Counts::default();
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
        let what = path.display().to_string();
        compare(language, bytes, &what, &mut counts);
        compare(language, padded, &what, &mut counts);
    }
    assert!(counts.compared > 60, "{counts:?}");
    // The check is not vacuous: many files were read from a prefix, some from a header.
    assert!(counts.prefix > 30, "{counts:?}");
    assert!(counts.header > 5, "{counts:?}");
}

/// Opening lines that are, or only look like, line comments: each is put before an
/// annotation, in every language with each of its markers.
const HEADER_LINES: &[&str] = &[
    "{m} plain",
    "{m}",
    "   {m} indented",
    "\t{m}\ttabbed",
    "{m}{m}{m} banner",
    "{m}no-space",
    "{m}[[ long",
    "{m}[==[ long",
    "{m}> arrow",
    "{m}! bang",
    "{m}/ slash",
    "{m} continued \\",
    "{m} crlf\r",
    "#!/usr/bin/env python3",
    "#!/bin/sh",
    "/* block */",
    "/*",
    "\"\"\"",
    "'''",
    "`",
    "r#\"",
    "<?php",
    "<!--",
    "-->",
    "{-",
    "=begin",
    "--[[",
    "# {m} hash",
    "x = 1 {m} trailing",
    "",
];

#[test]
fn header_variants_read_as_the_parse_reads_them() {
    let mut counts = Counts::default();
    for language in &table().all {
        for marker in &language.line_markers {
            for first in HEADER_LINES {
                for second in HEADER_LINES {
                    let line = |l: &str| l.replace("{m}", marker);
                    // Right below the annotations: code, a blank line, or a comment the
                    // header's markers do not vouch for (which may go on with the block).
                    for gap in [
                        "".to_string(),
                        "\n".to_string(),
                        format!("{marker}! bang\n"),
                        format!("{marker}tight\n"),
                    ] {
                        let text = format!(
                            "{}\n{}\n{marker} @threat Tampering (#t)\n{marker}   likelihood: low\n\n{marker} @exposes App to #t\n{gap}x\n",
                            line(first),
                            line(second),
                        );
                        let what = format!("{}: {text:?}", language.name);
                        compare(language, text.into_bytes(), &what, &mut counts);
                    }
                }
            }
        }
    }
    assert!(counts.header > 1000, "{counts:?}");
}

/// An annotation header right on top of each symbols golden's code (its first line is
/// often a declaration, sometimes an attribute or a package line), and on top of the code
/// below its own header: the probe that names the declaration a header sits on must agree
/// with the whole-file parse.
#[test]
fn a_header_sitting_on_code_is_named_as_the_parse_names_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/symbols");
    let mut paths = Vec::new();
    files(&root, &mut paths);
    paths.sort();
    let mut counts = Counts::default();
    for path in paths {
        let Some(language) = table().by_path(&path) else {
            continue;
        };
        let Some(marker) = language.header_markers.first() else {
            continue;
        };
        let text = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
        // Past the file's own opening comments and blank lines, to its first code line.
        let code_at = text
            .lines()
            .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with(marker.as_str()))
            .map(|l| l.len() + 1)
            .sum::<usize>()
            .min(text.len());
        let defused = |s: &str| s.replace('@', "_");
        for body in [text[code_at..].to_string(), defused(&text)] {
            let variant = format!("{marker} @exposes App:X to Tampering\n{body}");
            let what = format!("{}: {variant:?}", path.display());
            compare(language, variant.into_bytes(), &what, &mut counts);
        }
    }
    assert!(counts.compared > 40, "{counts:?}");
}
