//! Plain annotation files (`*.threatline`, GuardLink's `*.gal`): every line is an
//! annotation or prose; a line whose first non-blank character is `#` is a comment.
//!
//! The file has no comment boundaries to end a YAML block (SPEC 3.4), so its layout
//! does: a line that starts at the margin (other than a `--` continuation) begins a new
//! block, and a blank line ends one. A block's YAML lines are the indented lines below
//! its annotation, and prose after them is not read as YAML.

use super::{CommentBlock, CommentLine};
use crate::source::Source;

pub fn plain_file_blocks(source: &Source) -> Vec<CommentBlock> {
    let mut blocks = Vec::new();
    let mut lines: Vec<CommentLine> = Vec::new();
    let bytes = &source.bytes;
    let mut start = source.line_start(1);
    while start <= bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let mut text_end = end;
        if text_end > start && bytes[text_end - 1] == b'\r' {
            text_end -= 1;
        }
        let raw = &bytes[start..text_end];
        let first = raw.iter().position(|b| !b.is_ascii_whitespace());
        let is_comment = first.is_some_and(|i| raw[i] == b'#');
        let at_margin = first == Some(0) && !is_comment && !raw.starts_with(b"--");
        if (first.is_none() || at_margin) && !lines.is_empty() {
            blocks.push(std::mem::take(&mut lines));
        }
        if first.is_some() && !is_comment {
            lines.push(CommentLine {
                text: String::from_utf8_lossy(raw).trim_end().to_string(),
                line: source.line_of(start),
                column: 1,
            });
        }
        if end >= bytes.len() {
            break;
        }
        start = end + 1;
    }
    if !lines.is_empty() {
        blocks.push(lines);
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(content: &str) -> Vec<Vec<String>> {
        let source = Source::new(content.as_bytes().to_vec());
        plain_file_blocks(&source)
            .into_iter()
            .map(|b| b.into_iter().map(|l| l.text).collect())
            .collect()
    }

    #[test]
    fn prose_at_the_margin_ends_a_yaml_block() {
        let got = texts(
            "@threat A (#a):\n  severity: low\n# a comment\n  likelihood: high\nProse.\n\
             @exposes B to #a\n-- \"more\"\n\n  indented after a blank\n",
        );
        assert_eq!(
            got,
            [
                vec!["@threat A (#a):", "  severity: low", "  likelihood: high"],
                vec!["Prose."],
                vec!["@exposes B to #a", "-- \"more\""],
                vec!["  indented after a blank"],
            ]
        );
    }
}
