//! Splits an annotation's arguments into words, ids, brackets and operators.
//!
//! Keywords are not decided here: a keyword is a [`Tok::Word`] that the verb's grammar
//! looks for, so a name may still hold a word like `to` where the grammar allows it.

/// One token of an annotation's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok<'a> {
    /// A run of non-space text.
    Word(&'a str),
    /// A `"quoted name"` (GAL), unescaped.
    Quoted(String),
    /// `(#id)`: declares an id for the preceding name.
    IdDef(&'a str),
    /// `#id`: references an id.
    IdRef(&'a str),
    /// `[...]`: the raw text between the brackets.
    Bracket(&'a str),
    Arrow,
    BiArrow,
    Pipe,
    Comma,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    pub tok: Tok<'a>,
    /// Byte offset of the token's first character in the lexed text.
    pub start: usize,
}

impl Token<'_> {
    /// True for a word equal to `keyword`, case-insensitively.
    pub fn is_keyword(&self, keyword: &str) -> bool {
        match &self.tok {
            Tok::Word(w) => w.eq_ignore_ascii_case(keyword),
            Tok::Arrow => keyword == "->",
            Tok::BiArrow => keyword == "<->",
            Tok::Pipe => keyword == "|",
            _ => false,
        }
    }
}

/// A lexing failure: what, and the byte offset where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub message: String,
    pub hint: String,
    pub offset: usize,
}

fn is_id_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-' || c == '.'
}

/// Length in bytes of the id at the start of `s` (no trailing `.` or `-`).
pub(crate) fn id_len(s: &str) -> usize {
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if !is_id_char(c) {
            break;
        }
        end = i + c.len_utf8();
    }
    s[..end].trim_end_matches(['.', '-']).len()
}

pub fn lex(text: &str) -> Result<Vec<Token<'_>>, LexError> {
    let mut tokens = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let rest = &text[i..];
        // Unicode whitespace too: a no-break space pasted from a document separates words.
        if let Some(ws) = rest.chars().next().filter(|ch| ch.is_whitespace()) {
            i += ws.len_utf8();
            continue;
        }
        let start = i;
        if rest.starts_with("(#") {
            let Some(close) = rest.find(')') else {
                return Err(LexError {
                    message: "unclosed `(#id`".into(),
                    hint: "close the id with `)`, as in `Name (#id)`".into(),
                    offset: start,
                });
            };
            let id = rest[2..close].trim();
            if id.is_empty() || id_len(id) != id.len() {
                return Err(LexError {
                    message: format!("`{}` is not a valid id", &rest[..=close]),
                    hint: "ids use letters, digits, `_`, `-` and `.`, as in `(#sql-injection)`"
                        .into(),
                    offset: start,
                });
            }
            tokens.push(Token {
                tok: Tok::IdDef(id),
                start,
            });
            i += close + 1;
            continue;
        }
        if c == b'#' {
            let n = id_len(&rest[1..]);
            if n > 0 {
                tokens.push(Token {
                    tok: Tok::IdRef(&rest[1..1 + n]),
                    start,
                });
                i += 1 + n;
                continue;
            }
        }
        if c == b'[' {
            let Some(close) = rest.find(']') else {
                return Err(LexError {
                    message: "unclosed `[`".into(),
                    hint: "close the qualifiers with `]`, as in `[high, tampering]`".into(),
                    offset: start,
                });
            };
            tokens.push(Token {
                tok: Tok::Bracket(&rest[1..close]),
                start,
            });
            i += close + 1;
            continue;
        }
        if c == b'"' {
            let (value, len) = read_quoted(rest).ok_or_else(|| LexError {
                message: "unterminated quoted name".into(),
                hint: "close the name with `\"`".into(),
                offset: start,
            })?;
            tokens.push(Token {
                tok: Tok::Quoted(value),
                start,
            });
            i += len;
            continue;
        }
        if rest.starts_with("<->") {
            tokens.push(Token {
                tok: Tok::BiArrow,
                start,
            });
            i += 3;
            continue;
        }
        if rest.starts_with("->") {
            tokens.push(Token {
                tok: Tok::Arrow,
                start,
            });
            i += 2;
            continue;
        }
        if c == b'|' {
            tokens.push(Token {
                tok: Tok::Pipe,
                start,
            });
            i += 1;
            continue;
        }
        if c == b',' {
            tokens.push(Token {
                tok: Tok::Comma,
                start,
            });
            i += 1;
            continue;
        }
        // A word runs to whitespace or to the start of a structural token.
        let mut end = rest.len();
        for (j, ch) in rest.char_indices().skip(1) {
            let tail = &rest[j..];
            if ch.is_whitespace()
                || ch == '['
                || ch == ','
                || ch == '|'
                || tail.starts_with("(#")
                || tail.starts_with("->")
                || tail.starts_with("<->")
            {
                end = j;
                break;
            }
        }
        tokens.push(Token {
            tok: Tok::Word(&rest[..end]),
            start,
        });
        i += end;
    }
    Ok(tokens)
}

/// Reads a `"..."` string with `\"` and `\\` escapes at the start of `s`. Returns the value
/// and the byte length consumed, or `None` when it is not closed.
pub fn read_quoted(s: &str) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '\\'))) => value.push(e),
                Some((_, other)) => {
                    value.push('\\');
                    value.push(other);
                }
                None => return None,
            },
            '"' => return Some((value, i + 1)),
            _ => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok<'_>> {
        lex(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn splits_names_ids_brackets_and_arrows() {
        assert_eq!(
            toks("SQL Injection (#sqli) [P0, tampering] cwe:CWE-89"),
            vec![
                Tok::Word("SQL"),
                Tok::Word("Injection"),
                Tok::IdDef("sqli"),
                Tok::Bracket("P0, tampering"),
                Tok::Word("cwe:CWE-89"),
            ]
        );
        assert_eq!(
            toks("App.A->#b <-> C|D, E"),
            vec![
                Tok::Word("App.A"),
                Tok::Arrow,
                Tok::IdRef("b"),
                Tok::BiArrow,
                Tok::Word("C"),
                Tok::Pipe,
                Tok::Word("D"),
                Tok::Comma,
                Tok::Word("E"),
            ]
        );
    }

    #[test]
    fn keeps_parentheses_without_hash_in_names() {
        assert_eq!(
            toks("Cross-site Scripting (XSS)"),
            vec![
                Tok::Word("Cross-site"),
                Tok::Word("Scripting"),
                Tok::Word("(XSS)")
            ]
        );
        assert_eq!(
            toks("C# service"),
            vec![Tok::Word("C#"), Tok::Word("service")]
        );
        assert_eq!(
            toks("\u{a0}App\u{a0}to\tB"),
            vec![Tok::Word("App"), Tok::Word("to"), Tok::Word("B")]
        );
    }

    #[test]
    fn reports_unclosed_structures() {
        assert_eq!(lex("Foo (#foo").unwrap_err().offset, 4);
        assert_eq!(lex("Foo [high").unwrap_err().offset, 4);
        assert!(lex("Foo (#bad id)").is_err());
    }

    #[test]
    fn reads_quoted_names_with_escapes() {
        assert_eq!(
            toks(r#""/rest/user \"login\"" -> #api"#),
            vec![
                Tok::Quoted("/rest/user \"login\"".into()),
                Tok::Arrow,
                Tok::IdRef("api")
            ]
        );
    }
}
