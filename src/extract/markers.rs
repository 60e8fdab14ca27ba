//! Turning the raw text of one comment (or docstring) into comment lines: markers,
//! Javadoc stars and block closers removed, positions kept.

use super::CommentLine;
use crate::languages::Language;
use crate::source::Source;

/// How the text of a node is delimited.
pub enum Delimiters<'a> {
    /// Strip the language's markers, whichever the comment starts with.
    Comment(&'a Language),
    /// The node's content runs between these byte offsets (a docstring's quotes removed).
    Content,
}

/// Splits bytes `start..end` of `source` into comment lines, removing comment markers.
pub fn comment_lines(
    source: &Source,
    start: usize,
    end: usize,
    delimiters: Delimiters,
    out: &mut Vec<CommentLine>,
) {
    let bytes = &source.bytes;
    let mut text_start = start;
    let mut text_end = trim_line_end(bytes, start, end);
    let mut block = false;
    if let Delimiters::Comment(language) = delimiters {
        let text = &bytes[start..text_end];
        if let Some((open, close)) = language
            .block_markers
            .iter()
            .find(|(open, _)| text.starts_with(open.as_bytes()))
        {
            block = true;
            text_start += open.len();
            if bytes[text_start..text_end].ends_with(close.as_bytes()) {
                text_end -= close.len();
            }
        } else if let Some(marker) = language
            .line_markers
            .iter()
            .find(|m| text.starts_with(m.as_bytes()))
        {
            text_start += marker.len();
        }
    } else {
        block = true;
    }
    let mut line_start = text_start;
    loop {
        let line_end = memchr::memchr(b'\n', &bytes[line_start..text_end])
            .map_or(text_end, |i| line_start + i);
        let content_start = if block {
            skip_stars(bytes, line_start, line_end)
        } else {
            line_start
        };
        let content_end = trim_line_end(bytes, content_start, line_end);
        let text = String::from_utf8_lossy(&bytes[content_start..content_end]).into_owned();
        out.push(CommentLine {
            text,
            line: source.line_of(content_start),
            column: source.column_of(content_start),
        });
        if line_end >= text_end {
            break;
        }
        line_start = line_end + 1;
    }
}

/// Skips leading whitespace and then any `*` (but not a `*/`) of a block comment line,
/// keeping the whitespace after the stars (it is the YAML indentation).
fn skip_stars(bytes: &[u8], mut i: usize, end: usize) -> usize {
    let start = i;
    while i < end && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    if i < end && bytes[i] == b'*' {
        while i < end && bytes[i] == b'*' && bytes.get(i + 1) != Some(&b'/') {
            i += 1;
        }
        return i;
    }
    start
}

/// The end of `start..end` with trailing `\r` and whitespace removed.
fn trim_line_end(bytes: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && matches!(bytes[end - 1], b'\r' | b'\n' | b' ' | b'\t') {
        end -= 1;
    }
    end
}
