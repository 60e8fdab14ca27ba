//! The comment header: the run of line comments and blank lines a file opens with.
//!
//! Whether a byte is inside a comment depends only on what precedes it. At the start of a
//! file nothing precedes it, and after a whole line comment nothing is open either (a
//! line comment ends at its line end; a trailing `\` could continue it in C, so such a
//! line ends the header). So while every line so far is blank or starts with one of the
//! language's header markers, each such line is exactly one line comment, and the blocks
//! they form are the ones the parse would give. When every possible annotation of a file
//! sits in its header, which is where Threatspec and GuardLink users write them, the file
//! is read without a parse. Anything else (a code line before the last candidate, a
//! marker the language table does not vouch for) and the parse decides, as before.

use super::CommentBlock;
use super::markers::{Delimiters, comment_lines};
use crate::languages::Language;
use crate::source::Source;

/// The header's blocks, and where the code starts when the last of them holds an `@` and
/// sits right on it (no blank line between): a declaration there may be what that block's
/// annotations belong to, which only a parse can tell.
pub struct Header {
    pub blocks: Vec<CommentBlock>,
    pub abutting_code: Option<usize>,
}

/// The comment blocks of the header, when it covers everything up to `guard` (the end of
/// the last possible annotation's line); `None` when the file needs its parse.
pub fn header_blocks(source: &Source, language: &Language, guard: usize) -> Option<Header> {
    if language.header_markers.is_empty() {
        return None;
    }
    let bytes = &source.bytes;
    let mut blocks = Vec::new();
    let mut block: CommentBlock = Vec::new();
    // Only blocks with an `@` can hold an annotation (as for parsed comments).
    let mut block_has_at = false;
    let mut flush = |block: &mut CommentBlock, has_at: &mut bool| {
        if *has_at {
            blocks.push(std::mem::take(block));
        }
        block.clear();
        *has_at = false;
    };
    let mut abutting_code = None;
    let mut line_start = 0;
    while line_start < bytes.len() {
        let line_end =
            memchr::memchr(b'\n', &bytes[line_start..]).map_or(bytes.len(), |i| line_start + i);
        let line = &bytes[line_start..line_end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let indent = line
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let content = &line[indent..];
        if content.is_empty() {
            flush(&mut block, &mut block_has_at);
        } else if opens_comment(language, content) {
            let start = line_start + indent;
            comment_lines(
                source,
                start,
                line_start + line.len(),
                Delimiters::Comment(language),
                &mut block,
            );
            block_has_at |= memchr::memchr(b'@', content).is_some();
        } else if line_start > guard {
            // The header ends after every candidate: its blocks are the file's.
            abutting_code = (block_has_at && !block.is_empty()).then_some(line_start);
            break;
        } else {
            return None;
        }
        line_start = line_end + 1;
    }
    flush(&mut block, &mut block_has_at);
    Some(Header {
        blocks,
        abutting_code,
    })
}

/// Whether a line (indentation gone) is one whole line comment by a header marker.
fn opens_comment(language: &Language, content: &[u8]) -> bool {
    // A line comment ending in `\` continues onto the next line in C and C++.
    if content.ends_with(b"\\") {
        return false;
    }
    language.header_markers.iter().any(|marker| {
        let Some(rest) = content.strip_prefix(marker.as_bytes()) else {
            return false;
        };
        let last = *marker.as_bytes().last().expect("markers are not empty");
        let rest = &rest[rest.iter().take_while(|&&b| b == last).count()..];
        rest.first().is_none_or(|b| b.is_ascii_whitespace())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::languages::table;
    use crate::prefilter::last_candidate;

    fn texts(blocks: &[CommentBlock]) -> Vec<Vec<&str>> {
        blocks
            .iter()
            .map(|b| b.iter().map(|l| l.text.as_str()).collect())
            .collect()
    }

    fn header(language: &str, text: &str) -> Option<Vec<Vec<String>>> {
        let language = table().all.iter().find(|l| l.name == language).unwrap();
        let source = Source::new(text.as_bytes().to_vec());
        let last = last_candidate(&source.bytes, false).unwrap();
        let guard =
            memchr::memchr(b'\n', &source.bytes[last..]).map_or(source.bytes.len(), |i| last + i);
        header_blocks(&source, language, guard).map(|header| {
            texts(&header.blocks)
                .into_iter()
                .map(|b| b.into_iter().map(String::from).collect())
                .collect()
        })
    }

    #[test]
    fn a_header_of_line_comments_is_read_without_a_parse() {
        let blocks = header(
            "Go",
            "// Package p.\n//\n// @threat T (#t)\n//   more\n\n// @exposes A to #t\npackage p\n// see @Test\n",
        )
        .unwrap();
        assert_eq!(
            blocks,
            vec![
                vec![" Package p.", "", " @threat T (#t)", "   more"],
                vec![" @exposes A to #t"]
            ]
        );
    }

    #[test]
    fn anything_the_marker_does_not_vouch_for_needs_the_parse() {
        // Code before the candidate; a block comment; a marker run into a word; a
        // continued C comment; Lua's long comment.
        assert!(header("Go", "package p\n// @threat T\n").is_none());
        assert!(header("Go", "/* x */\n// @threat T\n").is_none());
        assert!(header("Go", "//go:build linux\n// @threat T\n").is_none());
        assert!(header("C", "// a \\\n// @threat T\n").is_none());
        assert!(header("Lua", "--[[ x\n-- @threat T\n]]\n").is_none());
        assert!(header("PHP", "// @threat T\n<?php\n").is_none());
        // Banners and doc markers are line comments; the header may end the file.
        assert!(header("Python", "#####\n# @threat T").is_some());
        assert!(header("Rust", "//! Crate.\n/// @threat T\n").is_some());
    }
}
