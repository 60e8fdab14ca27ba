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
}

/// Parses `source` with `parser` (already set to `language`'s grammar) and reads its
/// comments, docstrings and `x-threatspec` keys. Past `deadline` the parse is abandoned
/// and comments are read line by line instead.
pub fn extract(
    source: &Source,
    language: &Language,
    parser: &mut Parser,
    deadline: Duration,
) -> Extracted {
    let started = Instant::now();
    let mut past_deadline = |_: &tree_sitter::ParseState| {
        if started.elapsed() > deadline {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let bytes = &source.bytes;
    let tree = parser.parse_with_options(
        &mut |offset, _| &bytes[offset.min(bytes.len())..],
        None,
        Some(ParseOptions::new().progress_callback(&mut past_deadline)),
    );
    let Some(tree) = tree else {
        // Cancelled: the parser keeps partial state until reset.
        parser.reset();
        return Extracted {
            blocks: fallback::line_comment_blocks(source, language),
            timed_out: true,
            key_annotations: Vec::new(),
        };
    };
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
    }
}
