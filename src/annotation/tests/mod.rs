//! Tests of the annotation language, driven through the [`Finder`] as the scanner drives
//! it, and through [`parse_arguments`] where only the grammar matters.

use super::*;
use crate::diagnostics::{Code, Diagnostic};
use crate::extract::CommentLine;

mod arguments;
mod blocks;
mod columns;
mod diagnostics;
mod guardlink;
mod qualifiers;
mod threatspec;

/// The column where comment text starts in these tests: after `// ` at column 1.
const TEXT_COLUMN: u32 = 3;

/// Comment lines as the extractor hands them over for a `//` line comment block starting
/// at line 1: the text after the marker, which starts at column 3.
fn comment(lines: &[&str]) -> Vec<CommentLine> {
    lines
        .iter()
        .enumerate()
        .map(|(i, text)| CommentLine {
            text: text.to_string(),
            line: i as u32 + 1,
            column: TEXT_COLUMN,
        })
        .collect()
}

/// Runs the finder over blocks of comment lines.
fn find_blocks(blocks: &[Vec<CommentLine>]) -> FileAnnotations {
    let source = |line: u32| Some(format!("source line {line}"));
    let mut finder = Finder::new("src/app.rs", &source);
    for block in blocks {
        finder.block(block);
    }
    finder.found
}

fn find(lines: &[&str]) -> FileAnnotations {
    find_blocks(&[comment(lines)])
}

/// The one annotation `line` parses into, with no diagnostic.
fn one(line: &str) -> Annotation {
    let found = find(&[line]);
    assert!(
        found.diagnostics.is_empty(),
        "{line:?}: unexpected diagnostics {:#?}",
        found.diagnostics
    );
    assert_eq!(
        found.annotations.len(),
        1,
        "{line:?}: {:#?}",
        found.annotations
    );
    found.annotations.into_iter().next().unwrap()
}

/// The one diagnostic `line` raises, with no annotation.
fn diagnostic(line: &str) -> Diagnostic {
    let found = find(&[line]);
    assert!(
        found.annotations.is_empty(),
        "{line:?}: unexpected annotations {:#?}",
        found.annotations
    );
    assert_eq!(
        found.diagnostics.len(),
        1,
        "{line:?}: {:#?}",
        found.diagnostics
    );
    found.diagnostics.into_iter().next().unwrap()
}

/// Nothing at all: not an annotation, no diagnostic.
fn nothing(line: &str) {
    let found = find(&[line]);
    assert!(
        found.annotations.is_empty() && found.diagnostics.is_empty(),
        "{line:?}: expected nothing, got {:#?} {:#?}",
        found.annotations,
        found.diagnostics
    );
}

/// A mention as it would be written: `Name`, `Name (#id)` or `#id`.
fn show(m: &Mention) -> String {
    match (&m.name, &m.id, m.is_reference) {
        (Some(name), Some(id), false) => format!("{name} (#{id})"),
        (Some(name), None, _) => name.clone(),
        (None, Some(id), true) => format!("#{id}"),
        other => panic!("a mention with no name and no reference: {other:?}"),
    }
}

/// Parses `args` of `verb` on their own, columns counted from 1 at the first byte.
fn parse(verb: Verb, args: &str) -> Result<Parsed, ParseError> {
    let column_of = |offset: usize| 1 + args[..offset].chars().count() as u32;
    parse_arguments(verb, args, &column_of)
}
