//! The prefix parse: a file whose last possible annotation sits well before its end is
//! parsed only up to a top-level boundary after it.
//!
//! Whether a byte is inside a comment depends only on what precedes it, so a prefix holds
//! the file's comments, provided the parse of the prefix meets no error. A prefix cut in
//! the middle of a function does meet one: the input ends with constructs open, and
//! tree-sitter's recovery then wraps the whole file in an error node (TypeScript does so
//! from byte 0), so half of such prefixes had to be parsed again whole. The cut is put
//! where a formatted file is between two top-level items instead: before a line that
//! starts at column 0 with code, or after a column-0 closing bracket or `end`. Where that
//! guess is wrong (a column-0 line inside a string or comment) the prefix's tree has an
//! error or a block comment running to its end, and the whole file is parsed.

use tree_sitter::Node;

use crate::languages::Language;
use crate::source::Source;

/// Lines searched past the last possible annotation for a top-level boundary.
const SEARCH_LINES: usize = 400;

/// A prefix that is most of the file saves little, and a failed one costs its parse on
/// top of the whole file's: above this share of the file, the whole file is parsed.
const WORTH_IT: f64 = 0.75;

/// Words that continue a top-level statement at column 0 rather than start one.
const CONTINUATIONS: &[&[u8]] = &[b"else", b"elif", b"except", b"finally", b"catch"];

/// Where to end the prefix that covers everything up to `guard` (the end of the last
/// possible annotation's line), or `None` when the whole file should be parsed. With
/// `symbols`, a declaration right after the comment (which the comment sits on) is kept
/// whole in the prefix, so the annotation's symbol is known.
pub fn cut(bytes: &[u8], guard: usize, language: &Language, symbols: bool) -> Option<usize> {
    let mut start = if symbols {
        past_declaration(bytes, guard, language)
    } else {
        guard + 1
    };
    for _ in 0..SEARCH_LINES {
        if start >= bytes.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
        let line = &bytes[start..end];
        let boundary = match line[0] {
            b'}' | b')' | b']' => Some(end),
            _ if word(line, b"end") => Some(end),
            // Blank, indented, a string's text, a Javadoc star.
            b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'"' | b'\'' | b'`' | b'*' => None,
            _ if opens_comment(language, line) => None,
            _ if CONTINUATIONS.iter().any(|w| word(line, w)) => None,
            _ => Some(start),
        };
        if let Some(cut) = boundary {
            return (cut < bytes.len() && (cut as f64) < bytes.len() as f64 * WORTH_IT)
                .then_some(cut);
        }
        start = end;
    }
    None
}

/// The start of the line after the first code line that follows the comment holding
/// `guard`: the comment's own lines, attribute and decorator lines are stepped over; a
/// blank line means the comment sits on nothing.
fn past_declaration(bytes: &[u8], guard: usize, language: &Language) -> usize {
    let mut start = guard + 1;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
        let content = bytes[start..end].trim_ascii_start();
        if content.is_empty() {
            return start;
        }
        let comment_or_attribute = opens_comment(language, content)
            || content.starts_with(b"*")
            || super::symbols::is_attribute_text(content);
        if !comment_or_attribute {
            return end;
        }
        start = end;
    }
    start
}

/// Whether `line` starts with the word `w` (not a longer identifier).
pub(super) fn word(line: &[u8], w: &[u8]) -> bool {
    line.starts_with(w)
        && line
            .get(w.len())
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
}

/// Whether a line (indentation gone) opens with one of the language's comment markers.
pub(super) fn opens_comment(language: &Language, line: &[u8]) -> bool {
    language
        .line_markers
        .iter()
        .chain(language.block_markers.iter().map(|(open, _)| open))
        .any(|m| line.starts_with(m.as_bytes()))
}

/// Whether the tree of the prefix `..cut` reads the file's comments: it holds no error,
/// and no unclosed block comment runs to its end (where the cut may have split it; a line
/// comment cannot be split by a cut at a line start).
pub fn is_enough(
    source: &Source,
    language: &Language,
    root: Node,
    cut: usize,
    sitting: Option<usize>,
) -> bool {
    if root.has_error() {
        return false;
    }
    if let Some(at) = sitting
        && declaration_cut_off(source, language, root, at, cut)
    {
        return false;
    }
    // Only the nodes along the prefix's right edge reach its end.
    let mut node = root;
    loop {
        if node.end_byte() + 1 < cut {
            return true;
        }
        if language.is_comment(node.kind_id()) {
            let text = source.bytes[node.start_byte()..node.end_byte()].trim_ascii_end();
            let mut pairs = language
                .block_markers
                .iter()
                .filter(|(open, _)| text.starts_with(open.as_bytes()))
                .peekable();
            // A line comment, or a block comment closed before the end.
            return pairs.peek().is_none()
                || pairs.any(|(open, close)| {
                    text.len() >= open.len() + close.len() && text.ends_with(close.as_bytes())
                });
        }
        // The last child that reaches the end (a trailing zero-width node may follow it).
        let mut cursor = node.walk();
        let Some(last) = node
            .children(&mut cursor)
            .filter(|c| c.end_byte() + 1 >= cut)
            .find(|c| c.end_byte() > c.start_byte())
        else {
            return true;
        };
        node = last;
    }
}

/// Whether the line after the comment holding byte `at` (what the comment may sit on) is
/// code outside the prefix `..cut`.
fn declaration_cut_off(
    source: &Source,
    language: &Language,
    root: Node,
    at: usize,
    cut: usize,
) -> bool {
    let mut node = root.descendant_for_byte_range(at, at + 1);
    while let Some(n) = node {
        if language.is_comment(n.kind_id()) {
            break;
        }
        node = n.parent();
    }
    // Not in a comment (a docstring): it belongs to what holds it, which the prefix has.
    let Some(comment) = node else {
        return false;
    };
    let next = source.line_of(comment.end_byte().saturating_sub(1)) + 1;
    let start = source.line_start(next);
    start >= cut
        && start < source.bytes.len()
        && source
            .line_text(next)
            .is_some_and(|text| !text.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::languages::table;

    fn cut_of(language: &str, text: &str, after: &str) -> Option<String> {
        let language = table().all.iter().find(|l| l.name == language).unwrap();
        let guard = text.find(after).unwrap() + after.len();
        cut(text.as_bytes(), guard, language, false).map(|c| text[..c].to_string())
    }

    #[test]
    fn the_prefix_ends_between_two_top_level_items() {
        let body = "\n".repeat(40);
        let go =
            format!("func a() {{\n\t// @threat T\n\tx := 1\n}}\n\n// doc\nfunc b() {{\n}}\n{body}");
        assert_eq!(
            cut_of("Go", &go, "@threat T").as_deref(),
            Some("func a() {\n\t// @threat T\n\tx := 1\n}\n")
        );
        let py = format!(
            "def a():\n    \"\"\"@threat T\n\"\"\"\n    return 1\n\n# c\nelse_x = 1\n{body}"
        );
        // The column-0 `"""` is a string's text, the comment is skipped.
        assert!(
            cut_of("Python", &py, "@threat T")
                .unwrap()
                .ends_with("return 1\n\n# c\n")
        );
        let lua = format!("function a()\n  -- @threat T\nend\nb = 1\n{body}");
        assert!(cut_of("Lua", &lua, "@threat T").unwrap().ends_with("end\n"));
        // Near the end of the file, the whole file is parsed.
        assert_eq!(
            cut_of("Go", "func a() {\n// @threat T\n}\nb()\n", "@threat T"),
            None
        );
    }
}
