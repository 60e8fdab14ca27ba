//! Line ends, byte order marks and names that would rewrite a terminal.

use threatline::output::text::{TextOptions, render_report};

use super::*;
use crate::common::diagnostics;

#[test]
fn crlf_and_lone_cr_line_ends_keep_lines_and_columns() {
    let dir = hostile_tree(&[
        (
            "crlf.py",
            b"x = 1\r\n  # @exposes Crlf:A to T\r\n# @exposes Crlf:B to T -- \"d\"\r\n",
        ),
        (
            "cr.js",
            b"let x;\r  // @exposes Cr:A to T\r/* @exposes Cr:B to T */\r",
        ),
        (
            "mixed.threatline",
            b"@exposes Mixed:A to T\r\n\r@exposes Mixed:B to T\r",
        ),
        ("bad.rb", b"# ok\r\n# @mitigates Crlf:A against\r\n"),
    ]);
    let m = scan_with(dir.path(), |_| {});
    assert_exposures(
        &m,
        &[
            "cr.js:2:6",
            "cr.js:3:4",
            "crlf.py:2:5",
            "crlf.py:3:3",
            "mixed.threatline:1:1",
            "mixed.threatline:3:1",
        ],
    );
    // No `\r` left in any text: it would return a terminal's cursor to the line start.
    let texts: Vec<&str> = m.exposures.iter().map(|e| e.site.text.as_str()).collect();
    assert!(texts.iter().all(|t| !t.contains('\r')), "{texts:?}");
    assert_eq!(
        m.exposures
            .iter()
            .find(|e| e.site.location.file == "crlf.py" && e.site.location.line == 3)
            .unwrap()
            .description
            .as_deref(),
        Some("d")
    );
    assert_eq!(diagnostics(&m), ["malformed-annotation bad.rb:2:3"]);
}

#[test]
fn a_byte_order_mark_is_no_column() {
    let dir = hostile_tree(&[
        ("bom.py", b"\xEF\xBB\xBF# @exposes Bom:Py to T\n"),
        ("bom.threatline", b"\xEF\xBB\xBF@exposes Bom:Plain to T\n"),
        (
            "bom.yaml",
            b"\xEF\xBB\xBF# @exposes Bom:Yaml to T\nkey: 1\n",
        ),
    ]);
    let m = scan_with(dir.path(), |_| {});
    assert_exposures(&m, &["bom.py:1:3", "bom.threatline:1:1", "bom.yaml:1:3"]);
    assert!(m.diagnostics.is_empty(), "{:?}", diagnostics(&m));
}

#[test]
fn control_characters_and_bidi_overrides_are_shown_escaped() {
    let dir = hostile_tree(&[(
        "evil.py",
        "# @exposes Evil:\u{202e}nimda\u{202c} to Esc\u{1b}[2J\u{1b}[31mRED\u{7} [high]\n\
         # @review Evil:\u{2066}x\u{2069} look \u{8}\u{8}\u{8}\u{9b}31m\n"
            .as_bytes(),
    )]);
    let m = scan_with(dir.path(), |_| {});
    assert_exposures(&m, &["evil.py:1:3"]);
    let text = render_report(
        &m,
        &TextOptions {
            color: false,
            root: ".",
            show_info: true,
        },
    );
    for c in text.chars() {
        assert!(
            !c.is_control() || c == '\n',
            "raw {c:?} in the text report:\n{text}"
        );
        assert!(!matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'));
    }
    assert!(text.contains("\\u{202e}nimda\\u{202c}"), "{text}");
    assert!(text.contains("\\u{1b}[2J\\u{1b}[31mRED\\u{7}"), "{text}");
}
