//! Comment extraction (SPEC §2): from a file's syntax tree to comment blocks whose lines
//! carry their real line and column.

mod comments;
mod fallback;
mod header;
mod keys;
mod markers;
mod plain;
mod prefix;
mod symbols;

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
    /// How many bytes the parse read: less than the file when a prefix was enough, none
    /// when the comment header held every possible annotation.
    pub parsed_bytes: usize,
    /// A prefix parse was not enough, so the whole file was parsed after it.
    pub reparsed: bool,
    /// The symbol (function, method, type) of each block, where the language has a
    /// symbols query: as many as `blocks`, or none.
    pub symbols: Vec<Option<String>>,
}

/// Parses `source` with `parser` (already set to `language`'s grammar) and reads its
/// comments, docstrings and `x-threatspec` keys. Past `deadline` the parse is abandoned
/// and comments are read line by line instead.
///
/// A file whose possible annotations all sit in its opening line comments is not parsed at
/// all (`header`). Otherwise, when the last possible annotation (`must_cover`, from the
/// prefilter) sits well before the end, only a prefix up to a top-level boundary after it
/// is parsed, and its tree is used when it provably reads the file's comments (`prefix`);
/// on any doubt the whole file is parsed.
pub fn extract(
    source: &Source,
    language: &Language,
    parser: &mut Parser,
    deadline: Duration,
    must_cover: usize,
) -> Extracted {
    let bytes = &source.bytes;
    let guard = line_end(bytes, must_cover);
    let symbol_query = table().symbol_query(language);
    let symbols = symbol_query.is_some();
    if let Some(header) = header::header_blocks(source, language, guard) {
        let Some(code) = header
            .abutting_code
            .filter(|&code| needs_probe(bytes, code, language, symbols))
        else {
            return Extracted {
                blocks: header.blocks,
                parsed_bytes: 0,
                ..Extracted::default()
            };
        };
        let probe = Probe {
            source,
            language,
            query: symbol_query,
            code,
        };
        if let Some(extracted) = probe.run(parser, header.blocks, deadline) {
            return extracted;
        }
    }
    if let Some(cut) = prefix::cut(bytes, guard, language, symbols) {
        let sitting = symbols.then_some(must_cover);
        match parse(parser, &bytes[..cut], deadline) {
            Some(tree) if prefix::is_enough(source, language, tree.root_node(), cut, sitting) => {
                return Extracted {
                    parsed_bytes: cut,
                    ..read_tree(source, language, &tree)
                };
            }
            Some(_) => {
                return Extracted {
                    reparsed: true,
                    ..extract_whole(source, language, parser, deadline)
                };
            }
            None => return timed_out(source, language, parser),
        }
    }
    extract_whole(source, language, parser, deadline)
}

/// Whether the line at `code`, right below the header's last block of annotations, needs a
/// parse to be known: it may be a comment continuing the block (it opens with a comment
/// marker the header does not vouch for, such as `#!`), or a declaration the block belongs
/// to. A line that opens with no comment marker is no comment (at top level a comment
/// starts with its opener), and a preamble line (`import os`, `package p`) is no
/// declaration.
fn needs_probe(bytes: &[u8], code: usize, language: &Language, symbols: bool) -> bool {
    let line = bytes[code..].trim_ascii_start();
    let preamble = || {
        language
            .preamble
            .iter()
            .any(|w| prefix::word(line, w.as_bytes()))
    };
    prefix::opens_comment(language, line) || (symbols && !preamble())
}

/// A header whose last block of annotations sits right on a line that is not provably a
/// comment (code, or a comment the header's markers do not vouch for, such as `#!` below
/// the first line). The prefix up to the end of that line (and of the attribute or
/// decorator lines after it) is parsed, to tell which it is and, where the language has a
/// symbols query, which declaration starts there.
struct Probe<'a> {
    source: &'a Source,
    language: &'a Language,
    query: Option<&'a tree_sitter::Query>,
    /// Where that line starts.
    code: usize,
}

impl Probe<'_> {
    /// The header's blocks with their symbols, or `None` when the probe cannot tell (the
    /// line is a comment that continues the block, or no declaration was found in a prefix
    /// that does not parse cleanly, where a recovery may have hidden one): then the file
    /// needs its usual parse. The header is at top level, so nothing encloses it, and the
    /// lexer reads the line's first token as the whole file's parse does, whatever error
    /// the cut end brings.
    fn run(
        &self,
        parser: &mut Parser,
        blocks: Vec<CommentBlock>,
        deadline: Duration,
    ) -> Option<Extracted> {
        let bytes = &self.source.bytes;
        let end = self.end();
        let tree = parse(parser, &bytes[..end], deadline)?;
        let root = tree.root_node();
        let first = self.code
            + (bytes[self.code..end].len() - bytes[self.code..end].trim_ascii_start().len());
        let mut node = root.descendant_for_byte_range(first, first + 1);
        while let Some(n) = node {
            if self.language.is_comment(n.kind_id()) {
                return None;
            }
            node = n.parent();
        }
        let symbols = match self.query {
            Some(query) => {
                let symbols =
                    symbols::block_symbols(self.source, query, root, &blocks, blocks.len());
                if !symbols.last().is_some_and(Option::is_some) && root.has_error() {
                    return None;
                }
                symbols
            }
            None => Vec::new(),
        };
        Some(Extracted {
            blocks,
            parsed_bytes: end,
            symbols,
            ..Extracted::default()
        })
    }

    /// The end of the code line, and of the attribute or decorator lines after it.
    fn end(&self) -> usize {
        let bytes = &self.source.bytes;
        let mut start = self.code;
        let mut end = self.code;
        for _ in 0..=symbols::MAX_ATTRIBUTE_LINES {
            end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
            if end >= bytes.len()
                || !symbols::is_attribute_text(bytes[start..end].trim_ascii_start())
            {
                break;
            }
            start = end;
        }
        end
    }
}

/// The blocks of a whole-file parse, with no shortcut: the reference every shortcut of
/// [`extract`] is tested against.
pub fn extract_whole(
    source: &Source,
    language: &Language,
    parser: &mut Parser,
    deadline: Duration,
) -> Extracted {
    match parse(parser, &source.bytes, deadline) {
        Some(tree) => read_tree(source, language, &tree),
        None => timed_out(source, language, parser),
    }
}

/// The end of the line holding `offset` (the offset of its `\n`, or the end).
fn line_end(bytes: &[u8], offset: usize) -> usize {
    let from = offset.min(bytes.len());
    memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |i| from + i)
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
        reparsed: false,
        symbols: Vec::new(),
    }
}

fn read_tree(source: &Source, language: &Language, tree: &tree_sitter::Tree) -> Extracted {
    let bytes = &source.bytes;
    let root = tree.root_node();
    let mut blocks = comments::comment_blocks(source, language, root);
    let comment_blocks = blocks.len();
    if let Some(query) = table().docstring_query(language) {
        blocks.extend(comments::docstring_blocks(source, language, query, root));
    }
    let mut key_annotations = Vec::new();
    if language.threatspec_keys && memchr::memmem::find(bytes, b"x-threatspec").is_some() {
        let (key_blocks, keyed) = keys::threatspec_key_blocks(source, root);
        blocks.extend(key_blocks);
        key_annotations = keyed;
    }
    let symbols = match table().symbol_query(language) {
        Some(query) if !blocks.is_empty() => {
            symbols::block_symbols(source, query, root, &blocks, comment_blocks)
        }
        _ => Vec::new(),
    };
    Extracted {
        blocks,
        timed_out: false,
        key_annotations,
        parsed_bytes: bytes.len(),
        reparsed: false,
        symbols,
    }
}
