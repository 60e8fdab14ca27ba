//! Writing a new annotation line under an existing one, in the same comment style: `// `,
//! `# `, ` * ` inside a block, `-- `, a docstring's indentation, a trailing comment's
//! marker on a line of its own; after the lines that belong to the annotation (its YAML
//! block, its `-- "..."` continuation lines).

use lsp_types::{Position, Range, TextEdit};

use super::convert::{LineIndex, byte_of_column};

/// Block comment openers and their closers.
const BLOCKS: &[(&str, &str)] = &[
    ("/**", "*/"),
    ("/*!", "*/"),
    ("/*", "*/"),
    ("<!--", "-->"),
    ("{-", "-}"),
    ("\"\"\"", "\"\"\""),
    ("'''", "'''"),
];

/// How a new line in the style of an annotation's line is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    /// What goes before the `@`.
    pub prefix: String,
    /// What goes after the annotation (a one-line block comment's closer).
    pub suffix: String,
    /// The comment marker lines of the same comment start with (`//`, `#`, `*`), empty
    /// inside a docstring or a plain annotation file.
    pub marker: String,
}

/// The style of the line `line` whose annotation's `@` is at byte `at`.
pub fn style(line: &str, at: usize) -> Style {
    let prefix = &line[..at.min(line.len())];
    let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
    let closing = line.trim_end();
    // A block opened on this line: closed on it too (one-line block), or going on below.
    for (open, close) in BLOCKS {
        if prefix.trim_end().ends_with(open) {
            let start = prefix.trim_end().len() - open.len();
            let gap = &prefix[prefix.trim_end().len()..];
            if closing.ends_with(close) && closing.len() > at {
                let own_line = if prefix[..start].trim().is_empty() {
                    prefix.to_string()
                } else {
                    format!("{indent}{open}{gap}")
                };
                return Style {
                    prefix: own_line,
                    suffix: format!(" {close}"),
                    marker: open.to_string(),
                };
            }
            return match *open {
                "/*" | "/**" | "/*!" => Style {
                    prefix: format!("{indent} * "),
                    suffix: String::new(),
                    marker: "*".into(),
                },
                _ => Style {
                    prefix: indent,
                    suffix: String::new(),
                    marker: String::new(),
                },
            };
        }
    }
    if !prefix.chars().any(char::is_alphanumeric) {
        // Only indentation and markers (`    // `, ` * `, `# `): the same again.
        return Style {
            prefix: prefix.to_string(),
            suffix: String::new(),
            marker: prefix.trim().to_string(),
        };
    }
    // A trailing comment after code: its marker on a line of its own.
    let trimmed = prefix.trim_end();
    let marker_start = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| matches!(c, '/' | '#' | '-' | '*' | '%' | '!'))
        .last()
        .map_or(trimmed.len(), |(i, _)| i);
    let marker = &trimmed[marker_start..];
    let gap = &prefix[trimmed.len()..];
    Style {
        prefix: format!("{indent}{marker}{gap}"),
        suffix: String::new(),
        marker: marker.to_string(),
    }
}

/// The 0-based line after annotation line `line0` and the lines that belong to it: its
/// YAML block when the annotation ends in `:`, and `-- "..."` continuation lines.
pub fn end_of_annotation(index: &LineIndex, line0: usize, marker: &str, yaml: bool) -> usize {
    let mut next = line0 + 1;
    while next < index.line_count() {
        let text = index.line(next).trim_start();
        let Some(content) = text.strip_prefix(marker) else {
            break;
        };
        let content = content.trim();
        let belongs = if yaml {
            !content.is_empty() && !content.starts_with('@')
        } else {
            content
                .strip_prefix("--")
                .is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('"'))
        };
        if !belongs {
            break;
        }
        next += 1;
    }
    next
}

/// The edit that inserts `annotation` (from `@`) as a new line under the annotation that
/// starts at 1-based `line`, scalar `column`, in that line's style.
pub fn insert_below(
    index: &LineIndex,
    line: u32,
    column: u32,
    annotation: &str,
    yaml: bool,
) -> TextEdit {
    let line0 = line.saturating_sub(1) as usize;
    let text = index.line(line0);
    let style = style(text, byte_of_column(text, column));
    let after = end_of_annotation(index, line0, &style.marker, yaml);
    let new_line = format!("{}{annotation}{}", style.prefix, style.suffix);
    let eol = match index.eol(line0) {
        "" => "\n",
        eol => eol,
    };
    if after < index.line_count() && !index.eol(after - 1).is_empty() {
        let at = Position::new(after as u32, 0);
        TextEdit::new(Range::new(at, at), format!("{new_line}{eol}"))
    } else {
        // The annotation's block ends the file with no line end.
        let last = after - 1;
        let end = index.position(last as u32 + 1, index.line(last).chars().count() as u32 + 1);
        TextEdit::new(Range::new(end, end), format!("{eol}{new_line}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefix_suffix(line: &str) -> (String, String) {
        let s = style(line, line.find('@').unwrap());
        (s.prefix, s.suffix)
    }

    #[test]
    fn the_same_comment_style() {
        let p = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(prefix_suffix("    // @exposes x to y"), p("    // ", ""));
        assert_eq!(prefix_suffix("# @exposes x to y"), p("# ", ""));
        assert_eq!(prefix_suffix("   * @exposes x to y"), p("   * ", ""));
        assert_eq!(prefix_suffix("-- @exposes x to y"), p("-- ", ""));
        assert_eq!(prefix_suffix("/* @exposes x to y */"), p("/* ", " */"));
        assert_eq!(prefix_suffix("  /** @exposes x to y"), p("   * ", ""));
        assert_eq!(prefix_suffix("    @exposes x to y"), p("    ", ""));
        assert_eq!(
            prefix_suffix("  listen(\":8080\") // @exposes x to y"),
            p("  // ", "")
        );
        assert_eq!(prefix_suffix("x = 1  # @exposes x to y"), p("# ", ""));
        assert_eq!(
            prefix_suffix("<!-- @exposes x to y -->"),
            p("<!-- ", " -->")
        );
    }

    #[test]
    fn inserted_after_the_continuation_and_yaml_lines() {
        let text = "# @exposes a to b\n# -- \"more\"\n# @x\nend";
        let index = LineIndex::new(text);
        let edit = insert_below(&index, 1, 3, "@accepts b on a", false);
        assert_eq!(edit.range.start, Position::new(2, 0));
        assert_eq!(edit.new_text, "# @accepts b on a\n");
        let yaml = "// @threat T (#t):\n//   severity: high\n//\nx";
        let index = LineIndex::new(yaml);
        let edit = insert_below(&index, 1, 4, "@exposes a to #t", true);
        assert_eq!(edit.range.start, Position::new(2, 0));
        let last = "# @exposes a to b";
        let index = LineIndex::new(last);
        let edit = insert_below(&index, 1, 3, "@accepts b on a", false);
        assert_eq!(edit.range.start, Position::new(0, 17));
        assert_eq!(edit.new_text, "\n# @accepts b on a");
    }
}
