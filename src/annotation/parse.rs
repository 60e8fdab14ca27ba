//! The per-verb grammar of SPEC §3.2 over the tokens of one annotation line.
//!
//! Keywords split the arguments the way Threatspec's lazy regexes do: each part ends at
//! the first occurrence of the next keyword of the form.

use super::lexer::{LexError, Tok, Token, lex, read_quoted};
use super::qualifiers::{is_known_ref, is_ref_shaped, parse_bracket};
use super::syntax::{BoundarySides, Form, Mention, Qualifiers, Verb};

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
}

impl From<LexError> for ParseError {
    fn from(e: LexError) -> Self {
        ParseError {
            message: e.message,
            hint: e.hint,
            offset: e.offset,
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
    let head = &args[..head_end];
    let mut tokens = lex(head)?;
    if let Some((offset, text)) = trailing {
        // Qualifiers or refs written after the description still count.
        for mut t in lex(text)? {
            t.start += offset;
            tokens.push(t);
        }
    }
    let mut p = LineParser {
        args,
        column_of,
        qualifiers: Qualifiers::default(),
        refs: Vec::new(),
    };
    let body_len = p.pop_tail(&tokens);
    let body = &tokens[..body_len];
    let form = p.form(verb, body, head_end, description.is_some())?;
    Ok(Parsed {
        form,
        qualifiers: p.qualifiers,
        refs: p.refs,
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

struct LineParser<'a> {
    args: &'a str,
    column_of: &'a dyn Fn(usize) -> u32,
    qualifiers: Qualifiers,
    refs: Vec<String>,
}

fn err(message: impl Into<String>, hint: impl Into<String>, offset: usize) -> ParseError {
    ParseError {
        message: message.into(),
        hint: hint.into(),
        offset,
    }
}

/// The first token at or after `from` that is one of `keywords`.
fn find_keyword(tokens: &[Token], from: usize, keywords: &[&str]) -> Option<usize> {
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
                    refs.push(w.to_string())
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

    fn column(&self, offset: usize) -> u32 {
        (self.column_of)(offset)
    }

    /// The raw text of `tokens`, from the first token to `end` (the end of the head).
    fn text_of(&self, tokens: &[Token], end: usize) -> Option<String> {
        let first = tokens.first()?;
        let last = tokens.last()?;
        let stop = self.token_end(last).min(end).max(first.start);
        let text = self.args[first.start..stop].trim();
        (!text.is_empty()).then(|| text.to_string())
    }

    fn token_end(&self, token: &Token) -> usize {
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
    fn mention(&self, tokens: &[Token], role: &str, at: usize) -> Result<Mention, ParseError> {
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
        for token in tokens {
            match &token.tok {
                Tok::Word(w) => {
                    if mention.id.is_some() {
                        return Err(err(
                            format!("unexpected `{w}` after the id of the {role}"),
                            "write the id last: `Name (#id)`",
                            token.start,
                        ));
                    }
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
                }
                Tok::Bracket(text) => {
                    let q = parse_bracket(text);
                    mention.qualifiers.merge(&q);
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
        if !name.is_empty() {
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

    fn raw(&self, token: &Token) -> &str {
        &self.args[token.start..self.token_end(token)]
    }

    fn missing_keyword(&self, verb: Verb, keyword: &str, at: usize) -> ParseError {
        err(
            format!("`@{}` needs `{keyword}`", verb.as_str()),
            format!("write it as `{}`", verb.usage()),
            at,
        )
    }

    fn form(
        &mut self,
        verb: Verb,
        t: &[Token],
        head_end: usize,
        has_description: bool,
    ) -> Result<Form, ParseError> {
        let end = |i: usize| t.get(i).map_or(head_end, |tok| tok.start);
        let after = |i: usize| t.get(i + 1).map_or(head_end, |tok| tok.start);
        Ok(match verb {
            Verb::Component | Verb::Threat | Verb::Control => {
                let role = verb.as_str();
                let mut m = self.mention(t, role, 0)?;
                if m.is_reference {
                    return Err(err(
                        format!("`@{role}` declares a {role}: it needs a name"),
                        format!(
                            "write `@{role} Name (#{})`",
                            m.id.as_deref().unwrap_or("id")
                        ),
                        t[0].start,
                    ));
                }
                // The bracket that ends a declaration is the declared entity's.
                m.qualifiers.merge(&self.qualifiers);
                match verb {
                    Verb::Component => Form::Component { component: m },
                    Verb::Threat => Form::Threat { threat: m },
                    _ => Form::Control { control: m },
                }
            }
            Verb::Mitigates => {
                let i = find_keyword(t, 0, &["against"])
                    .ok_or_else(|| self.missing_keyword(verb, "against", head_end))?;
                let j = find_keyword(t, i + 1, &["with", "using"]);
                let target = self.mention(&t[..i], "component", end(i))?;
                let threat = self.mention(&t[i + 1..j.unwrap_or(t.len())], "threat", after(i))?;
                let control = match j {
                    Some(j) => Some(self.mention(&t[j + 1..], "control", after(j))?),
                    None => None,
                };
                Form::Mitigates {
                    target,
                    threat,
                    control,
                }
            }
            Verb::Exposes => {
                let i = find_keyword(t, 0, &["to"])
                    .ok_or_else(|| self.missing_keyword(verb, "to", head_end))?;
                let j = find_keyword(t, i + 1, &["with"]);
                let target = self.mention(&t[..i], "component", end(i))?;
                let threat = self.mention(&t[i + 1..j.unwrap_or(t.len())], "threat", after(i))?;
                let details = self.details(t, j, head_end)?;
                Form::Exposes {
                    target,
                    threat,
                    details,
                }
            }
            Verb::Accepts => {
                let i = find_keyword(t, 0, &["to", "on"])
                    .ok_or_else(|| self.missing_keyword(verb, "to` or `on", head_end))?;
                let j = find_keyword(t, i + 1, &["with"]);
                let threat = self.mention(&t[..i], "threat", end(i))?;
                let target =
                    self.mention(&t[i + 1..j.unwrap_or(t.len())], "component", after(i))?;
                let details = self.details(t, j, head_end)?;
                Form::Accepts {
                    threat,
                    target,
                    details,
                }
            }
            Verb::Transfers => {
                let i = find_keyword(t, 0, &["from"])
                    .ok_or_else(|| self.missing_keyword(verb, "from", head_end))?;
                let j = find_keyword(t, i + 1, &["to"])
                    .ok_or_else(|| self.missing_keyword(verb, "to", head_end))?;
                let k = find_keyword(t, j + 1, &["with"]);
                let threat = self.mention(&t[..i], "threat", end(i))?;
                let from = self.mention(&t[i + 1..j], "source component", end(j))?;
                let to = self.mention(
                    &t[j + 1..k.unwrap_or(t.len())],
                    "destination component",
                    after(j),
                )?;
                let details = self.details(t, k, head_end)?;
                Form::Transfers {
                    threat,
                    from,
                    to,
                    details,
                }
            }
            Verb::Connects => self.connects(t, head_end)?,
            Verb::Boundary => self.boundary(t, head_end)?,
            Verb::Handles => {
                let i = find_keyword(t, 0, &["on"])
                    .ok_or_else(|| self.missing_keyword(verb, "on", head_end))?;
                let mut classes = Vec::new();
                for token in &t[..i] {
                    match &token.tok {
                        Tok::Word(w) if w.eq_ignore_ascii_case("and") => {}
                        Tok::Word(w) => classes.push(w.to_ascii_lowercase()),
                        Tok::Comma => {}
                        _ => {
                            return Err(err(
                                format!("unexpected `{}` in the data classes", self.raw(token)),
                                "list classes as `pii, secrets`",
                                token.start,
                            ));
                        }
                    }
                }
                if classes.is_empty() {
                    return Err(err(
                        "missing data class",
                        "write `@handles pii on <component>` (pii, phi, financial, secrets, internal, public)",
                        0,
                    ));
                }
                let target = self.mention(&t[i + 1..], "component", after(i))?;
                Form::Handles { classes, target }
            }
            Verb::Review => self.review(t, head_end, has_description)?,
            Verb::Tests => {
                let i = find_keyword(t, 0, &["for"])
                    .ok_or_else(|| self.missing_keyword(verb, "for", head_end))?;
                let control = self.mention(&t[..i], "control", end(i))?;
                let target = self.mention(&t[i + 1..], "component", after(i))?;
                Form::Tests { control, target }
            }
        })
    }

    /// The free text after a `with` keyword at `with_at`.
    fn details(
        &self,
        t: &[Token],
        with_at: Option<usize>,
        head_end: usize,
    ) -> Result<Option<String>, ParseError> {
        let Some(j) = with_at else { return Ok(None) };
        match self.text_of(&t[j + 1..], head_end) {
            Some(text) => Ok(Some(text)),
            None => Err(err(
                "nothing after `with`",
                "say what the details are after `with`, or drop `with`",
                t[j].start,
            )),
        }
    }

    fn connects(&mut self, t: &[Token], head_end: usize) -> Result<Form, ParseError> {
        // A flow's own id is a `(#id)` at the very end.
        let (t, id) = match t.split_last() {
            Some((last, rest)) if matches!(last.tok, Tok::IdDef(_)) && !rest.is_empty() => {
                let Tok::IdDef(id) = last.tok else {
                    unreachable!()
                };
                (rest, Some(id.to_string()))
            }
            _ => (t, None),
        };
        let mechanism_at = |from: usize| find_keyword(t, from, &["via", "with", "using"]);
        let arrows: Vec<usize> = (0..t.len())
            .filter(|&i| matches!(t[i].tok, Tok::Arrow | Tok::BiArrow))
            .collect();
        let (endpoints, two_way, mech) = if let Some(&first_arrow) = arrows.first() {
            let two_way = matches!(t[first_arrow].tok, Tok::BiArrow);
            if arrows
                .iter()
                .any(|&i| matches!(t[i].tok, Tok::BiArrow) != two_way)
            {
                return Err(err(
                    "a flow chain mixes `->` and `<->`",
                    "write one direction per `@flows` line",
                    t[arrows[1]].start,
                ));
            }
            let last_arrow = *arrows.last().unwrap();
            let mech = mechanism_at(last_arrow + 1);
            let mut endpoints = Vec::new();
            let mut from = 0;
            for &a in arrows
                .iter()
                .chain(std::iter::once(&mech.unwrap_or(t.len())))
            {
                let at = t.get(a).map_or(head_end, |tok| tok.start);
                endpoints.push(self.mention(&t[from..a], "flow endpoint", at)?);
                from = a + 1;
            }
            (endpoints, two_way, mech)
        } else {
            let i = find_keyword(t, 0, &["to", "with"])
                .ok_or_else(|| self.missing_keyword(Verb::Connects, "to", head_end))?;
            let two_way = t[i].is_keyword("with");
            let mech = mechanism_at(i + 1);
            let source = self.mention(&t[..i], "source component", t[i].start)?;
            let at = t.get(i + 1).map_or(head_end, |tok| tok.start);
            let destination = self.mention(
                &t[i + 1..mech.unwrap_or(t.len())],
                "destination component",
                at,
            )?;
            (vec![source, destination], two_way, mech)
        };
        let mechanism = self.details(t, mech, head_end)?;
        let mechanism_parts = match mech {
            Some(j) => self.mechanism_parts(&t[j + 1..], mechanism.as_deref()),
            None => Vec::new(),
        };
        Ok(Form::Connects {
            endpoints,
            two_way,
            mechanism,
            mechanism_parts,
            id,
        })
    }

    /// The parts of a mechanism that may name controls: every `#id`, the whole text, and
    /// its comma-, `+`- or `and`-separated pieces.
    fn mechanism_parts(&self, t: &[Token], whole: Option<&str>) -> Vec<Mention> {
        let mut parts = Vec::new();
        for token in t {
            if let Tok::IdRef(id) = token.tok {
                parts.push(Mention {
                    id: Some(id.to_string()),
                    is_reference: true,
                    column: self.column(token.start),
                    ..Mention::default()
                });
            }
        }
        let Some(whole) = whole else { return parts };
        let column = t.first().map_or(0, |tok| self.column(tok.start));
        let mut push_name = |name: &str| {
            let name = name.trim();
            if !name.is_empty() && !name.starts_with('#') {
                parts.push(Mention {
                    name: Some(name.to_string()),
                    column,
                    ..Mention::default()
                });
            }
        };
        push_name(whole);
        let pieces: Vec<&str> = whole
            .split([',', '+', '/'])
            .flat_map(|p| p.split(" and "))
            .collect();
        if pieces.len() > 1 {
            for piece in pieces {
                push_name(piece);
            }
        }
        parts
    }

    fn boundary(&mut self, t: &[Token], head_end: usize) -> Result<Form, ParseError> {
        let mut name_tokens: &[Token] = &[];
        let mut rest = t;
        // A trailing `(#id)` is the boundary's, not the last side's.
        let mut id = None;
        if let Some((last, init)) = rest.split_last()
            && let Tok::IdDef(i) = last.tok
            && find_keyword(init, 0, &["and", "|", ","]).is_some()
        {
            id = Some(i.to_string());
            rest = init;
        }
        let sides = if let Some(k) = find_keyword(rest, 0, &["between", "around", "from"]) {
            name_tokens = &rest[..k];
            let keyword = &rest[k];
            let body = &rest[k + 1..];
            let body_at = body.first().map_or(head_end, |tok| tok.start);
            if keyword.is_keyword("around") {
                let mut members = Vec::new();
                for part in body.split(|tok| matches!(tok.tok, Tok::Comma) || tok.is_keyword("and"))
                {
                    let at = part.first().map_or(body_at, |tok| tok.start);
                    members.push(self.mention(part, "zone member", at)?);
                }
                BoundarySides::Around(members)
            } else {
                let sep = if keyword.is_keyword("from") {
                    "to"
                } else {
                    "and"
                };
                let i = find_keyword(body, 0, &[sep, "|"])
                    .ok_or_else(|| self.missing_keyword(Verb::Boundary, sep, head_end))?;
                let a = self.mention(&body[..i], "boundary side", body[i].start)?;
                let at = body.get(i + 1).map_or(head_end, |tok| tok.start);
                let b = self.mention(&body[i + 1..], "boundary side", at)?;
                BoundarySides::Between(Box::new((a, b)))
            }
        } else if let Some(i) = find_keyword(rest, 0, &["and", "|"]) {
            let a = self.mention(&rest[..i], "boundary side", rest[i].start)?;
            let at = rest.get(i + 1).map_or(head_end, |tok| tok.start);
            let b = self.mention(&rest[i + 1..], "boundary side", at)?;
            BoundarySides::Between(Box::new((a, b)))
        } else {
            return Err(self.missing_keyword(Verb::Boundary, "between", head_end));
        };
        // Name, id and qualifiers may stand before `between`/`around`.
        let mut name = None;
        if !name_tokens.is_empty() {
            let m = self.mention(name_tokens, "boundary name", 0)?;
            if m.is_reference {
                return Err(err(
                    "a boundary is named, not referenced, before `between`",
                    "write `@boundary Name (#id) between <a> and <b>`",
                    name_tokens[0].start,
                ));
            }
            if id.is_some() && m.id.is_some() {
                return Err(err(
                    "the boundary has two ids",
                    "give the boundary one `(#id)`",
                    name_tokens[0].start,
                ));
            }
            id = id.or(m.id);
            name = m.name;
            self.qualifiers.merge(&m.qualifiers);
        }
        Ok(Form::Boundary { name, id, sides })
    }

    fn review(
        &mut self,
        t: &[Token],
        head_end: usize,
        has_description: bool,
    ) -> Result<Form, ParseError> {
        let Some(first) = t.first() else {
            return Err(err(
                "missing component",
                "write `@review <component> <what to review>`",
                0,
            ));
        };
        if let Tok::IdRef(_) = first.tok {
            let target = self.mention(&t[..1], "component", 0)?;
            return Ok(Form::Review {
                target: Some(target),
                words: Vec::new(),
                details: self.text_of(&t[1..], head_end),
            });
        }
        if has_description {
            // `@audit App.Crypto -- "..."`: everything before the description is the target.
            let target = self.mention(t, "component", 0)?;
            return Ok(Form::Review {
                target: Some(target),
                words: Vec::new(),
                details: None,
            });
        }
        let words = t
            .iter()
            .map(|tok| (self.raw(tok).to_string(), self.column(tok.start)))
            .collect();
        Ok(Form::Review {
            target: None,
            words,
            details: None,
        })
    }
}
