//! The per-verb grammar of SPEC §3.2 over the tokens of one annotation line.
//!
//! Keywords split the arguments the way Threatspec's lazy regexes do: each part ends at
//! the first occurrence of the next keyword of the form.

use super::lexer::{LexError, Tok, Token, lex, read_quoted};
use super::qualifiers::{is_known_ref, is_ref_shaped, parse_bracket};
use super::syntax::{Form, Mention, Qualifiers, Verb};

/// What one line's arguments parse into, before locations are attached.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub form: Form,
    pub qualifiers: Qualifiers,
    pub refs: Vec<String>,
    pub description: Option<String>,
}

/// Why a line does not parse, with the byte offset in the arguments where it goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub hint: String,
    pub offset: usize,
    /// The line reads as prose rather than as a broken annotation: a name in it is a
    /// sentence (SPEC §3.3).
    pub reads_as_prose: bool,
}

impl From<LexError> for ParseError {
    fn from(e: LexError) -> Self {
        ParseError {
            message: e.message,
            hint: e.hint,
            offset: e.offset,
            reads_as_prose: false,
        }
    }
}

/// Parses the arguments of `verb` (the text after the verb word). `column_of` maps a byte
/// offset in `args` to its column in the file.
pub fn parse_arguments(
    verb: Verb,
    args: &str,
    column_of: &dyn Fn(usize) -> u32,
) -> Result<Parsed, ParseError> {
    let (head_end, description, trailing) = split_description(args)?;
    let tokens = lex(&args[..head_end])?;
    let mut p = LineParser {
        args,
        column_of,
        qualifiers: Qualifiers::default(),
        refs: Vec::new(),
        segments: 0,
    };
    let body_len = p.pop_tail(&tokens);
    if let Some((offset, text)) = trailing {
        p.after_description(offset, text)?;
    }
    let body = &tokens[..body_len];
    let form = p.form(verb, body, head_end, description.is_some())?;
    p.refs.sort();
    Ok(Parsed {
        form,
        qualifiers: p.qualifiers,
        refs: p.refs.into_iter().map(|(_, r)| r).collect(),
        description,
    })
}

type Trailing<'a> = Option<(usize, &'a str)>;

/// Finds ` -- "..."` and returns the end of the head, the description, and any text after
/// the closing quote.
fn split_description(args: &str) -> Result<(usize, Option<String>, Trailing<'_>), ParseError> {
    let Some(at) = find_description_delimiter(args) else {
        return Ok((args.len(), None, None));
    };
    let after = &args[at + 2..];
    let value_start = at + 2 + (after.len() - after.trim_start().len());
    let value = &args[value_start..];
    if value.starts_with('"') {
        let (text, len) = read_quoted(value).ok_or_else(|| ParseError {
            message: "unterminated description".into(),
            hint: "close the description with `\"` (write `\\\"` for a quote inside it)".into(),
            offset: value_start,
            reads_as_prose: false,
        })?;
        let rest_start = value_start + len;
        let rest = &args[rest_start..];
        let trailing = (!rest.trim().is_empty()).then_some((rest_start, rest));
        Ok((at, Some(text), trailing))
    } else {
        let text = value.trim();
        Ok((at, (!text.is_empty()).then(|| text.to_string()), None))
    }
}

/// The byte offset of a `--` that starts a description: after whitespace (or at the start)
/// and before whitespace, a quote or the end; never inside brackets or quotes.
pub fn find_description_delimiter(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut bracket = false;
    while i < b.len() {
        match b[i] {
            b'[' => bracket = true,
            b']' => bracket = false,
            b'"' if !bracket => {
                if let Some((_, len)) = read_quoted(&s[i..]) {
                    i += len;
                    continue;
                }
            }
            b'-' if !bracket
                && b.get(i + 1) == Some(&b'-')
                && (i == 0 || b[i - 1].is_ascii_whitespace())
                && b.get(i + 2)
                    .is_none_or(|c| c.is_ascii_whitespace() || *c == b'"') =>
            {
                return Some(i);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

pub(super) struct LineParser<'a> {
    pub(super) args: &'a str,
    column_of: &'a dyn Fn(usize) -> u32,
    /// The brackets that end the annotation.
    pub(super) qualifiers: Qualifiers,
    /// External references with the offset they were written at.
    pub(super) refs: Vec<(usize, String)>,
    /// Path segments named so far (see [`MAX_ANNOTATION_SEGMENTS`]).
    segments: usize,
}

/// The deepest component path a mention may name. Every ancestor of a path becomes a
/// node that copies its path and the annotation's site, so one line of a 4,000-segment
/// path took minutes and gigabytes; real paths have a handful of segments.
pub const MAX_PATH_SEGMENTS: usize = 16;

/// Path segments in one annotation, all its mentions together (an `around` list can be
/// long): bounds what one line can add to the model.
pub const MAX_ANNOTATION_SEGMENTS: usize = 64;

/// Segments of `name` read as a component path, split as the model splits it
/// (`model::components::split_path`): `:` if present, else `.` when there is no space.
fn path_segments(name: &str) -> usize {
    let count = |sep: char| name.split(sep).filter(|p| !p.trim().is_empty()).count();
    if name.contains(':') {
        count(':')
    } else if name.contains('.') && !name.contains(char::is_whitespace) {
        count('.')
    } else {
        1
    }
}

pub(super) fn err(
    message: impl Into<String>,
    hint: impl Into<String>,
    offset: usize,
) -> ParseError {
    ParseError {
        message: message.into(),
        hint: hint.into(),
        offset,
        reads_as_prose: false,
    }
}

/// The most words a name may have before it reads as a sentence (SPEC §3.3).
const MAX_NAME_WORDS: usize = 8;

/// SPEC §3.3: a name that ends with a period, holds a comma followed by more words, or
/// runs past [`MAX_NAME_WORDS`] words is a sentence. kernel-doc's `@control is set,
/// further wait until ...` names no control.
fn reads_as_sentence(name: &str) -> bool {
    name.ends_with('.')
        || name
            .split_once(',')
            .is_some_and(|(_, after)| !after.trim().is_empty())
        || name.split_whitespace().nth(MAX_NAME_WORDS).is_some()
}

/// The first token at or after `from` that is one of `keywords`.
pub(super) fn find_keyword(tokens: &[Token], from: usize, keywords: &[&str]) -> Option<usize> {
    (from..tokens.len()).find(|&i| keywords.iter().any(|k| tokens[i].is_keyword(k)))
}

impl<'a> LineParser<'a> {
    /// Takes trailing brackets and external references off the end of the line; returns
    /// how many tokens remain.
    fn pop_tail(&mut self, tokens: &[Token]) -> usize {
        let mut end = tokens.len();
        // The run of brackets and ref-shaped words at the end.
        let mut run_start = end;
        while run_start > 0 {
            match &tokens[run_start - 1].tok {
                Tok::Bracket(_) => run_start -= 1,
                Tok::Word(w) if is_ref_shaped(w) => run_start -= 1,
                _ => break,
            }
        }
        let after_id_or_bracket = run_start > 0
            && matches!(
                tokens[run_start - 1].tok,
                Tok::IdDef(_) | Tok::IdRef(_) | Tok::Bracket(_)
            );
        // Opaque refs count after an id or a bracket; otherwise only well-known prefixes do,
        // and a path-shaped word ends the run.
        let mut refs = Vec::new();
        let mut brackets = Vec::new();
        while end > run_start {
            let has_bracket_before = tokens[run_start..end - 1]
                .iter()
                .any(|t| matches!(t.tok, Tok::Bracket(_)));
            match &tokens[end - 1].tok {
                Tok::Bracket(text) => brackets.push(*text),
                Tok::Word(w) if is_known_ref(w) || after_id_or_bracket || has_bracket_before => {
                    refs.push((tokens[end - 1].start, w.to_string()))
                }
                _ => break,
            }
            end -= 1;
        }
        refs.reverse();
        brackets.reverse();
        self.refs = refs;
        for text in brackets {
            let q = parse_bracket(text);
            self.qualifiers.merge(&q);
        }
        end
    }

    /// Brackets and references written after the description (GAL puts them before it,
    /// but the order is an easy slip). Anything else there is an error rather than a
    /// silent addition to the last name.
    fn after_description(&mut self, offset: usize, text: &str) -> Result<(), ParseError> {
        let tokens = lex(text).map_err(|mut e| {
            e.offset += offset;
            ParseError::from(e)
        })?;
        for token in tokens {
            match token.tok {
                Tok::Bracket(inner) => self.qualifiers.merge(&parse_bracket(inner)),
                Tok::Word(w) if is_ref_shaped(w) => {
                    self.refs.push((offset + token.start, w.to_string()));
                }
                _ => {
                    let start = offset + token.start;
                    let end = offset + text.len();
                    return Err(err(
                        format!(
                            "unexpected `{}` after the description",
                            self.args[start..end].trim()
                        ),
                        "the description ends the annotation: write names, ids, `[qualifiers]` and refs before `-- \"...\"`",
                        start,
                    ));
                }
            }
        }
        Ok(())
    }

    pub(super) fn column(&self, offset: usize) -> u32 {
        (self.column_of)(offset)
    }

    /// The raw text of `tokens`, from the first token to `end` (the end of the head).
    pub(super) fn text_of(&self, tokens: &[Token], end: usize) -> Option<String> {
        let first = tokens.first()?;
        let last = tokens.last()?;
        let stop = self.token_end(last).min(end).max(first.start);
        let text = self.args[first.start..stop].trim();
        (!text.is_empty()).then(|| text.to_string())
    }

    pub(super) fn token_end(&self, token: &Token) -> usize {
        match &token.tok {
            Tok::Word(w) => token.start + w.len(),
            Tok::Arrow => token.start + 2,
            Tok::BiArrow => token.start + 3,
            Tok::Pipe | Tok::Comma => token.start + 1,
            Tok::IdRef(id) => token.start + 1 + id.len(),
            Tok::IdDef(_) | Tok::Bracket(_) | Tok::Quoted(_) => {
                let rest = &self.args[token.start..];
                let close = match token.tok {
                    Tok::Quoted(_) => read_quoted(rest).map(|(_, n)| n),
                    Tok::Bracket(_) => rest.find(']').map(|n| n + 1),
                    _ => rest.find(')').map(|n| n + 1),
                };
                token.start + close.unwrap_or(rest.len())
            }
        }
    }

    /// One entity mention: `Name`, `Name (#id)`, `#id`, `"quoted"`, with brackets.
    /// One entity mention: `Name`, `Name (#id)`, `#id` or `"quoted"`, then its brackets.
    /// A ref-shaped word after the id or a bracket is an external reference of the
    /// annotation (`#t [P1] cwe:CWE-639 with ...`); any other word there is an error, since a
    /// bracket never belongs to a name.
    pub(super) fn mention(
        &mut self,
        tokens: &[Token],
        role: &str,
        at: usize,
    ) -> Result<Mention, ParseError> {
        let Some(first) = tokens.first() else {
            return Err(err(
                format!("missing {role}"),
                format!("name the {role}, or reference it with `#id`"),
                at,
            ));
        };
        let mut mention = Mention {
            column: self.column(first.start),
            ..Mention::default()
        };
        let mut name = String::new();
        let mut quoted = false;
        // After an id or a bracket the name is over.
        let mut closed = false;
        for token in tokens {
            match &token.tok {
                Tok::Word(w) if closed && is_ref_shaped(w) => {
                    self.refs.push((token.start, w.to_string()));
                }
                Tok::Word(_) | Tok::Quoted(_) | Tok::Comma if closed => {
                    let what = if mention.id.is_some() {
                        "id"
                    } else {
                        "qualifiers"
                    };
                    return Err(err(
                        format!(
                            "unexpected `{}` after the {what} of the {role}",
                            self.raw(token)
                        ),
                        "write the name first, then `(#id)`, then `[qualifiers]`: `Name (#id) [high]`",
                        token.start,
                    ));
                }
                Tok::Word(w) => {
                    if !name.is_empty() {
                        name.push(' ');
                    }
                    name.push_str(w);
                }
                Tok::Quoted(q) => {
                    if !name.is_empty() {
                        name.push(' ');
                    }
                    name.push_str(q);
                    quoted = true;
                }
                Tok::Comma => name.push(','),
                Tok::IdDef(id) => {
                    if mention.id.is_some() || name.is_empty() {
                        return Err(err(
                            format!("`(#{id})` does not follow a name"),
                            format!("write `Name (#{id})` to declare, or `#{id}` to reference"),
                            token.start,
                        ));
                    }
                    mention.id = Some(id.to_string());
                    closed = true;
                }
                Tok::IdRef(id) => {
                    if !name.is_empty() || mention.id.is_some() {
                        return Err(err(
                            format!("unexpected `#{id}` in the {role}"),
                            format!(
                                "reference an entity by `#id` alone, or declare one as `Name (#{id})`"
                            ),
                            token.start,
                        ));
                    }
                    mention.id = Some(id.to_string());
                    mention.is_reference = true;
                    closed = true;
                }
                Tok::Bracket(text) => {
                    mention.qualifiers.merge(&parse_bracket(text));
                    closed = true;
                }
                Tok::Arrow | Tok::BiArrow | Tok::Pipe => {
                    return Err(err(
                        format!("unexpected `{}` in the {role}", self.raw(token)),
                        "`->` and `|` belong to `@flows` and `@boundary`",
                        token.start,
                    ));
                }
            }
        }
        let name = name.trim_end_matches(',').trim();
        // A name in quotes or with its own `(#id)` is one on purpose, whatever its shape:
        // `Command, template or NoSQL injection (#injection)`.
        if !quoted && mention.id.is_none() && reads_as_sentence(name) {
            return Err(ParseError {
                reads_as_prose: true,
                ..err(
                    format!("the {role} `{name}` reads as a sentence, not a name"),
                    format!(
                        "a name has at most {MAX_NAME_WORDS} words, no clause after a comma and no final period; give it an id (`Name (#id)`) or quote it if it must"
                    ),
                    first.start,
                )
            });
        }
        if !name.is_empty() {
            let depth = path_segments(name);
            self.segments += depth;
            if depth > MAX_PATH_SEGMENTS || self.segments > MAX_ANNOTATION_SEGMENTS {
                return Err(err(
                    format!("too many path segments in the {role}"),
                    format!(
                        "a path has at most {MAX_PATH_SEGMENTS} segments, and one annotation names at most {MAX_ANNOTATION_SEGMENTS}; split it into several annotations"
                    ),
                    first.start,
                ));
            }
            mention.name = Some(name.to_string());
        }
        if mention.name.is_none() && mention.id.is_none() {
            return Err(err(
                format!("missing {role}"),
                format!("name the {role}, or reference it with `#id`"),
                first.start,
            ));
        }
        Ok(mention)
    }

    pub(super) fn raw(&self, token: &Token) -> &str {
        &self.args[token.start..self.token_end(token)]
    }

    pub(super) fn missing_keyword(&self, verb: Verb, keyword: &str, at: usize) -> ParseError {
        err(
            format!("missing `{keyword}`"),
            format!("write it as `{}`", verb.usage()),
            at,
        )
    }

    /// The free text after the keyword (`with`, `via`, `using`) at `with_at`.
    pub(super) fn details(
        &self,
        t: &[Token],
        with_at: Option<usize>,
        head_end: usize,
    ) -> Result<Option<String>, ParseError> {
        let Some(j) = with_at else { return Ok(None) };
        match self.text_of(&t[j + 1..], head_end) {
            Some(text) => Ok(Some(text)),
            None => {
                let keyword = self.raw(&t[j]);
                Err(err(
                    format!("nothing after `{keyword}`"),
                    format!("say what comes after `{keyword}`, or drop `{keyword}`"),
                    t[j].start,
                ))
            }
        }
    }
}
