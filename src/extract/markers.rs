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
    /// A docstring that opens and (if it got that far) closes with these delimiters.
    Pair(&'a str, &'a str),
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
    let mut line_markers: &[String] = &[];
    let block = match delimiters {
        Delimiters::Comment(language) => {
            let text = &bytes[start..text_end];
            // One opener may have several closers (Lua's `--[[` ... `--]]` idiom): the
            // longest closer the comment ends with wins.
            let opens = |(open, _): &&(String, String)| text.starts_with(open.as_bytes());
            let ends = |(_, close): &&(String, String)| text.ends_with(close.as_bytes());
            let mut pairs = language.block_markers.iter().filter(opens);
            if let Some((open, close)) = pairs.clone().find(ends).or_else(|| pairs.next()) {
                text_start += open.len();
                if bytes[text_start..text_end].ends_with(close.as_bytes()) {
                    text_end -= close.len();
                    text_end = trim_closing_stars(bytes, text_start, text_end);
                }
                true
            } else {
                // Some grammars (Haskell) make one node of consecutive line comments, so
                // every line of a line comment may start with a marker of its own.
                line_markers = &language.line_markers;
                false
            }
        }
        Delimiters::Content => true,
        Delimiters::Pair(open, close) => {
            if bytes[start..text_end].starts_with(open.as_bytes()) {
                text_start += open.len();
            }
            if bytes[text_start..text_end].ends_with(close.as_bytes()) {
                text_end -= close.len();
            }
            true
        }
    };
    let mut line_start = text_start;
    let mut first = true;
    loop {
        let line_end = memchr::memchr(b'\n', &bytes[line_start..text_end])
            .map_or(text_end, |i| line_start + i);
        let content_start = if block {
            skip_stars(bytes, line_start, line_end)
        } else {
            skip_line_marker(bytes, line_start, line_end, line_markers, first)
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
        first = false;
    }
}

/// The start of a line comment's text: after its marker, which opens the first line and
/// may open the following ones after indentation. A continuation line without a marker
/// (a C comment spliced with `\`) is kept whole.
fn skip_line_marker(
    bytes: &[u8],
    line_start: usize,
    line_end: usize,
    markers: &[String],
    first: bool,
) -> usize {
    let at = if first {
        line_start
    } else {
        line_start
            + bytes[line_start..line_end]
                .iter()
                .take_while(|b| **b == b' ' || **b == b'\t')
                .count()
    };
    match markers
        .iter()
        .find(|m| bytes[at..line_end].starts_with(m.as_bytes()))
    {
        Some(marker) => at + marker.len(),
        None => line_start,
    }
}

/// Drops the extra stars of a `**/` closer, so `/* @threat X **/` reads `@threat X`.
/// Stars right after a word stay (`via *.example.com*/`).
fn trim_closing_stars(bytes: &[u8], start: usize, end: usize) -> usize {
    let mut i = end;
    while i > start && bytes[i - 1] == b'*' {
        i -= 1;
    }
    if i == end || (i > start && !matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r')) {
        end
    } else {
        i
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::languages::table;

    fn lines(file: &str, comment: &str) -> Vec<(String, u32)> {
        let language = table().by_path(std::path::Path::new(file)).unwrap();
        let source = Source::new(comment.as_bytes().to_vec());
        let mut out = Vec::new();
        let end = source.bytes.len();
        comment_lines(&source, 0, end, Delimiters::Comment(language), &mut out);
        out.into_iter().map(|l| (l.text, l.column)).collect()
    }

    #[test]
    fn every_line_of_a_merged_line_comment_loses_its_marker() {
        // tree-sitter-haskell makes one node of these three lines.
        let got = lines(
            "a.hs",
            "-- | Docs.\n  -- @threat X (#x):\n--   severity: high",
        );
        assert_eq!(
            got,
            [
                (" Docs.".into(), 5),
                (" @threat X (#x):".into(), 5),
                ("   severity: high".into(), 3)
            ]
        );
        // A C comment spliced with `\` has no marker on its second line.
        let got = lines("a.c", "// a \\\n   @review B c");
        assert_eq!(got[1], ("   @review B c".into(), 1));
    }

    #[test]
    fn closers_take_their_stars_and_dashes_with_them() {
        assert_eq!(lines("a.c", "/* @threat X **/"), [(" @threat X".into(), 3)]);
        assert_eq!(
            lines("a.c", "/* @flows A -> B via *.example.com*/"),
            [(" @flows A -> B via *.example.com".into(), 3)]
        );
        let got = lines("a.lua", "--[[\n@review A b\n--]]");
        assert_eq!(got.last().unwrap().0, "");
        let got = lines("a.lua", "--[[ @review A b ]]");
        assert_eq!(got, [(" @review A b".into(), 5)]);
    }
}
