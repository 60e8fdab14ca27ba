//! Comment extraction (SPEC §2): from a file's syntax tree to comment blocks whose lines
//! carry their real line and column.

mod comments;
mod fallback;
mod keys;
mod markers;
mod plain;

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use tree_sitter::{ParseOptions, Parser};

use crate::languages::{Language, table};
use crate::source::Source;

pub use plain::plain_file_blocks;

/// One line of comment text: what follows the comment marker (and a Javadoc `*`), with
/// the real position of its first character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentLine {
    pub text: String,
    pub line: u32,
    pub column: u32,
}

/// Consecutive lines read together: one block comment, a docstring, or a run of line
/// comments on consecutive lines.
pub type CommentBlock = Vec<CommentLine>;

/// The comment blocks of one file.
#[derive(Debug, Default)]
pub struct Extracted {
    pub blocks: Vec<CommentBlock>,
    /// The parse hit its deadline; the blocks come from the line-by-line fallback.
    pub timed_out: bool,
    /// Line and column of each annotation written as an `x-threatspec` mapping key. Its
    /// line got a `:` so that the value reads as its YAML block; the file has none, so
    /// the `:` is not part of the annotation's text.
    pub key_annotations: Vec<(u32, u32)>,
    /// How many bytes the parse read: less than the file when a prefix was enough.
    pub parsed_bytes: usize,
}

/// Lines parsed past the last possible annotation, so its comment block, YAML block and
/// the syntax around it are complete in the prefix.
const MARGIN_LINES: usize = 8;

/// Parses `source` with `parser` (already set to `language`'s grammar) and reads its
/// comments, docstrings and `x-threatspec` keys. Past `deadline` the parse is abandoned
/// and comments are read line by line instead.
///
/// Only the prefix of the file up to `must_cover` (the last possible annotation, from the
/// prefilter) plus a margin is parsed when that is provably enough: no syntax error before
/// the margin, no comment running into it. Whether a byte is inside a comment depends only
/// on what precedes it, so the prefix's comments are the file's; otherwise (and to be
/// sure, on any doubt) the whole file is parsed.
pub fn extract(
    source: &Source,
    language: &Language,
    parser: &mut Parser,
    deadline: Duration,
    must_cover: usize,
) -> Extracted {
    let bytes = &source.bytes;
    let guard = line_end(bytes, must_cover);
    let cut = lines_after(bytes, guard, MARGIN_LINES);
    if cut < bytes.len() {
        match parse(parser, &bytes[..cut], deadline) {
            Some(tree)
                if comments::prefix_is_enough(source, language, tree.root_node(), guard, cut) =>
            {
                return Extracted {
                    parsed_bytes: cut,
                    ..read_tree(source, language, &tree)
                };
            }
            Some(_) => {}
            None => return timed_out(source, language, parser),
        }
    }
    match parse(parser, bytes, deadline) {
        Some(tree) => Extracted {
            parsed_bytes: bytes.len(),
            ..read_tree(source, language, &tree)
        },
        None => timed_out(source, language, parser),
    }
}

/// The end of the line holding `offset` (the offset of its `\n`, or the end).
fn line_end(bytes: &[u8], offset: usize) -> usize {
    let from = offset.min(bytes.len());
    memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |i| from + i)
}

/// The offset just past `lines` more line ends after `from`.
fn lines_after(bytes: &[u8], from: usize, lines: usize) -> usize {
    memchr::memchr_iter(b'\n', &bytes[from.min(bytes.len())..])
        .nth(lines)
        .map_or(bytes.len(), |i| from + i + 1)
}

fn parse(parser: &mut Parser, bytes: &[u8], deadline: Duration) -> Option<tree_sitter::Tree> {
    let started = Instant::now();
    let mut past_deadline = |_: &tree_sitter::ParseState| {
        if started.elapsed() > deadline {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    parser.parse_with_options(
        &mut |offset, _| &bytes[offset.min(bytes.len())..],
        None,
        Some(ParseOptions::new().progress_callback(&mut past_deadline)),
    )
}

fn timed_out(source: &Source, language: &Language, parser: &mut Parser) -> Extracted {
    // Cancelled: the parser keeps partial state until reset.
    parser.reset();
    Extracted {
        blocks: fallback::line_comment_blocks(source, language),
        timed_out: true,
        key_annotations: Vec::new(),
        parsed_bytes: 0,
    }
}

fn read_tree(source: &Source, language: &Language, tree: &tree_sitter::Tree) -> Extracted {
    let bytes = &source.bytes;
    let root = tree.root_node();
    let mut blocks = comments::comment_blocks(source, language, root);
    if let Some(query) = table().docstring_query(language) {
        blocks.extend(comments::docstring_blocks(source, language, query, root));
    }
    let mut key_annotations = Vec::new();
    if language.threatspec_keys && memchr::memmem::find(bytes, b"x-threatspec").is_some() {
        let (key_blocks, keyed) = keys::threatspec_key_blocks(source, root);
        blocks.extend(key_blocks);
        key_annotations = keyed;
    }
    Extracted {
        blocks,
        timed_out: false,
        key_annotations,
        parsed_bytes: bytes.len(),
    }
}
