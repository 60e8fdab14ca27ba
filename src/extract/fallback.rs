//! When a parse runs past its deadline, comments are read line by line: line comments
//! and block comments by the language's markers, docstrings by the table's
//! `fallback_markers` where they open a line. A line comment that starts mid-line counts
//! when an `@` follows its marker, so trailing annotations are not lost.
//!
//! Less precise than the tree, and the scan says so with a `parse-timeout` diagnostic:
//! a string that looks like a comment is read as one, and a nested block comment ends
//! at its first closer.

use super::markers::{Delimiters, comment_lines};
use super::{CommentBlock, CommentLine};
use crate::languages::Language;
use crate::source::Source;

/// A block comment's or a docstring's delimiters.
#[derive(Clone, Copy)]
struct Pair<'a> {
    open: &'a str,
    close: &'a str,
    /// A docstring delimiter: read only where it opens a line (elsewhere it is some
    /// other string, followed only to find where it ends).
    docstring: bool,
}

/// An open block: where it started, its delimiters, and whether it is read.
#[derive(Clone, Copy)]
struct Open<'a> {
    start: usize,
    pair: Pair<'a>,
    read: bool,
}

struct Reader<'a> {
    source: &'a Source,
    language: &'a Language,
    pairs: Vec<Pair<'a>>,
    blocks: Vec<CommentBlock>,
    /// The run of whole-line line comments read so far.
    current: Vec<CommentLine>,
    open: Option<Open<'a>>,
}

pub fn line_comment_blocks<'a>(source: &'a Source, language: &'a Language) -> Vec<CommentBlock> {
    let pair = |(open, close): &'a (String, String), docstring| Pair {
        open: open.as_str(),
        close: close.as_str(),
        docstring,
    };
    let mut pairs: Vec<Pair> = language
        .block_markers
        .iter()
        .map(|p| pair(p, false))
        .collect();
    if let Some(rule) = &language.docstrings {
        pairs.extend(rule.fallback_markers.iter().map(|p| pair(p, true)));
    }
    // Longest opener first, so `/**` wins over `/*` and `r"""` over `"""`; of one
    // opener's closers the shortest, which ends the block where any of them would
    // (`]]` where `--]]` also could).
    pairs.sort_by_key(|p| (std::cmp::Reverse(p.open.len()), p.open, p.close.len()));
    pairs.dedup_by_key(|p| p.open);
    let mut reader = Reader {
        source,
        language,
        pairs,
        blocks: Vec::new(),
        current: Vec::new(),
        open: None,
    };
    let bytes = &source.bytes;
    let mut start = source.line_start(1);
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        reader.line(start, end);
        start = end + 1;
    }
    if let Some(open) = reader.open.take() {
        reader.emit(open, bytes.len());
    }
    reader.flush();
    reader.blocks
}

impl<'a> Reader<'a> {
    fn line(&mut self, start: usize, end: usize) {
        let bytes = &self.source.bytes;
        let mut from = start;
        if let Some(open) = self.open {
            let close = open.pair.close.as_bytes();
            let Some(i) = memchr::memmem::find(&bytes[start..end], close) else {
                return;
            };
            from = start + i + close.len();
            self.emit(open, from);
            self.open = None;
        } else {
            let indent = bytes[start..end]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            let text = &bytes[start + indent..end];
            let pair = self.pair_at(text);
            if pair.is_none() && self.line_marker_at(text).is_some() {
                comment_lines(
                    self.source,
                    start + indent,
                    end,
                    Delimiters::Comment(self.language),
                    &mut self.current,
                );
                return;
            }
            self.flush();
            if let Some(pair) = pair {
                from = self.block(start + indent, end, pair, true);
            }
        }
        // Docker reads a `#` after an instruction as an argument, never as a comment.
        if !self.language.comments_start_lines {
            self.rest_of_line(from, end);
        }
    }

    /// Comments and strings that start mid-line, from `from` on.
    fn rest_of_line(&mut self, mut from: usize, end: usize) {
        // An opener whose closer is not on the rest of the line has none after a later
        // opener either: searching again for each made a line of many `/*` quadratic.
        let mut unclosed: Vec<&str> = Vec::new();
        while from < end && self.open.is_none() {
            let text = &self.source.bytes[from..end];
            if let Some(pair) = self.pair_at(text) {
                let closes = (!unclosed.contains(&pair.open))
                    .then(|| memchr::memmem::find(&text[pair.open.len()..], pair.close.as_bytes()))
                    .flatten();
                if closes.is_none() && !unclosed.contains(&pair.open) {
                    unclosed.push(pair.open);
                }
                // A string is followed to its end, so its quotes are not taken for
                // others. A block comment that runs on past this line is followed only
                // when an annotation opens it: `"src/**/*.ts"` is no comment.
                if pair.docstring || closes.is_some() || opens_annotation(text, pair.open.len()) {
                    from = self.block(from, end, pair, !pair.docstring);
                } else {
                    from += pair.open.len();
                }
            } else if let Some(len) = self.line_marker_at(text) {
                // The rest of the line is a comment; read it if an annotation opens it.
                if opens_annotation(text, len) {
                    let mut lines = Vec::new();
                    let delimiters = Delimiters::Comment(self.language);
                    comment_lines(self.source, from, end, delimiters, &mut lines);
                    self.blocks.push(lines);
                }
                return;
            } else {
                from += 1;
            }
        }
    }

    fn pair_at(&self, text: &[u8]) -> Option<Pair<'a>> {
        self.pairs
            .iter()
            .copied()
            .find(|p| text.starts_with(p.open.as_bytes()))
    }

    /// The length of the line comment marker that `text` starts with.
    fn line_marker_at(&self, text: &[u8]) -> Option<usize> {
        self.language
            .line_markers
            .iter()
            .find(|m| text.starts_with(m.as_bytes()))
            .map(String::len)
    }

    /// A block opened at `at`: handled at once if it closes on this line, else kept
    /// open. Returns where the line goes on after it.
    fn block(&mut self, at: usize, end: usize, pair: Pair<'a>, read: bool) -> usize {
        let open = Open {
            start: at,
            pair,
            read,
        };
        let body = at + pair.open.len();
        let close = pair.close.as_bytes();
        match memchr::memmem::find(&self.source.bytes[body..end], close) {
            Some(i) => {
                let stop = body + i + close.len();
                self.emit(open, stop);
                stop
            }
            None => {
                self.open = Some(open);
                end
            }
        }
    }

    fn emit(&mut self, open: Open, stop: usize) {
        if !open.read {
            return;
        }
        let mut lines = Vec::new();
        let delimiters = if open.pair.docstring {
            Delimiters::Pair(open.pair.open, open.pair.close)
        } else {
            // The language's own markers know every closer of an opener.
            Delimiters::Comment(self.language)
        };
        comment_lines(self.source, open.start, stop, delimiters, &mut lines);
        self.blocks.push(lines);
    }

    fn flush(&mut self) {
        if !self.current.is_empty() {
            self.blocks.push(std::mem::take(&mut self.current));
        }
    }
}

/// Whether `@` is the first non-blank character after a marker of `len` bytes.
fn opens_annotation(text: &[u8], len: usize) -> bool {
    text[len..].iter().find(|b| **b != b' ' && **b != b'\t') == Some(&b'@')
}
