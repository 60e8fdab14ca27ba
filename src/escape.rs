//! Escaping of untrusted annotation text for a terminal. (Each output format escapes for
//! itself in its own module; this is the one shared by the text renderers.)

use std::borrow::Cow;

/// Makes control characters, ANSI escapes and bidirectional overrides visible as `\u{..}`
/// so a repository cannot rewrite a CI log or hide text.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_but_not_text() {
        assert_eq!(for_terminal("plain é"), "plain é");
        assert_eq!(for_terminal("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(for_terminal("x\u{202e}y\n"), "x\\u{202e}y\\u{a}");
    }
}
