//! Plain annotation files (`*.threatline`, GuardLink's `*.gal`): every line is an
//! annotation or prose; a line whose first non-blank character is `#` is a comment.

use super::{CommentBlock, CommentLine};
use crate::source::Source;

pub fn plain_file_blocks(source: &Source) -> Vec<CommentBlock> {
    let mut lines = Vec::new();
    let bytes = &source.bytes;
    let mut start = source.line_start(1);
    while start <= bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let mut text_end = end;
        if text_end > start && bytes[text_end - 1] == b'\r' {
            text_end -= 1;
        }
        let raw = &bytes[start..text_end];
        let is_comment = raw
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| *b == b'#');
        if !is_comment {
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
    vec![lines]
}
