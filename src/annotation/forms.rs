//! The per-verb forms of SPEC §3.2, over the tokens left once the description and the
//! closing brackets and refs are taken off.

use super::lexer::{Tok, Token};
use super::parse::{LineParser, ParseError, err, find_keyword};
use super::syntax::{BoundarySides, Form, Mention, Verb};

/// The keywords that open a flow's mechanism.
const MECHANISM: &[&str] = &["via", "with", "using"];

/// GAL's closed set of data classes (`@handles`).
const DATA_CLASSES: &[&str] = &["pii", "phi", "financial", "secrets", "internal", "public"];

impl LineParser<'_> {
    /// Parses the body tokens of `verb`; `head_end` is where the arguments before the
    /// description end.
    pub(super) fn form(
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
                // `@threat #sqli:` (Threatspec) describes an entity declared elsewhere.
                let mut m = self.mention(t, role, 0)?;
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
                // Threatspec splits at ` to `, GAL at ` on `. A Threatspec threat name may
                // hold `on` ("Injection on login"), so `to` wins where both are written,
                // unless a `with` stands between them: then the `to` is in the details.
                let to = find_keyword(t, 0, &["to"]);
                let on = find_keyword(t, 0, &["on"]);
                let i = match (to, on) {
                    (Some(to), Some(on))
                        if on < to && find_keyword(&t[..to], on + 1, &["with"]).is_some() =>
                    {
                        Some(on)
                    }
                    (Some(to), _) => Some(to),
                    (None, on) => on,
                }
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
                let classes = self.data_classes(&t[..i])?;
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
            Verb::Assumes => {
                // The component is one token (a path, `#id` or "quoted"), as in GuardLink;
                // the words after it say what is assumed.
                let target = self.mention(t.get(..1).unwrap_or_default(), "component", head_end)?;
                Form::Assumes {
                    target,
                    details: self.text_of(t.get(1..).unwrap_or_default(), head_end),
                }
            }
            Verb::Owns => {
                let i = find_keyword(t, 0, &["for"])
                    .ok_or_else(|| self.missing_keyword(verb, "for", head_end))?;
                let owner = match &t[..i] {
                    [one] => self.raw(one).trim_start_matches('@').to_string(),
                    [] => {
                        return Err(err(
                            "missing owner",
                            "name the team: `@owns payments for #orders`",
                            0,
                        ));
                    }
                    [_, second, ..] => {
                        return Err(err(
                            "an owner is one word",
                            "write the team as one word: `@owns payments-team for #orders`",
                            second.start,
                        ));
                    }
                };
                let target = self.mention(&t[i + 1..], "component", after(i))?;
                Form::Owns { owner, target }
            }
            Verb::Feature => {
                let name = self
                    .text_of(t, head_end)
                    .map(|n| n.trim_matches('"').to_string());
                match name.filter(|n| !n.is_empty()) {
                    Some(name) => Form::Feature { name },
                    None => {
                        return Err(err(
                            "missing feature name",
                            "write `@feature \"<name>\"`",
                            head_end,
                        ));
                    }
                }
            }
            Verb::Comment => Form::Comment {
                text: self.text_of(t, head_end),
            },
        })
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
        let (endpoints, two_way, mech) = match t
            .iter()
            .position(|tok| matches!(tok.tok, Tok::Arrow | Tok::BiArrow))
        {
            Some(first_arrow) => {
                // Arrows after the mechanism keyword are the mechanism's text.
                let mech = find_keyword(t, first_arrow + 1, MECHANISM);
                let ends = &t[..mech.unwrap_or(t.len())];
                let arrows: Vec<usize> = (0..ends.len())
                    .filter(|&i| matches!(ends[i].tok, Tok::Arrow | Tok::BiArrow))
                    .collect();
                let two_way = matches!(t[first_arrow].tok, Tok::BiArrow);
                if let Some(&mixed) = arrows
                    .iter()
                    .find(|&&i| matches!(ends[i].tok, Tok::BiArrow) != two_way)
                {
                    return Err(err(
                        "a flow chain mixes `->` and `<->`",
                        "write one direction per `@flows` line",
                        ends[mixed].start,
                    ));
                }
                let mut endpoints = Vec::new();
                let mut from = 0;
                for a in arrows.into_iter().chain(std::iter::once(ends.len())) {
                    let at = t.get(a).map_or(head_end, |tok| tok.start);
                    endpoints.push(self.endpoint(&ends[from..a], at)?);
                    from = a + 1;
                }
                (endpoints, two_way, mech)
            }
            None => {
                let i = find_keyword(t, 0, &["to", "with"]).ok_or_else(|| {
                    self.missing_keyword(Verb::Connects, "to`, `with` or `->", head_end)
                })?;
                let two_way = t[i].is_keyword("with");
                let mech = find_keyword(t, i + 1, MECHANISM);
                let source = self.endpoint(&t[..i], t[i].start)?;
                let at = t.get(i + 1).map_or(head_end, |tok| tok.start);
                let destination = self.endpoint(&t[i + 1..mech.unwrap_or(t.len())], at)?;
                (vec![source, destination], two_way, mech)
            }
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

    /// One end of a flow. A comma there is a list of flows on one line, which GAL
    /// rejects (`@flows A -> B, C -> D`): one line is one chain.
    fn endpoint(&mut self, tokens: &[Token], at: usize) -> Result<Mention, ParseError> {
        if let Some(comma) = tokens.iter().find(|tok| matches!(tok.tok, Tok::Comma)) {
            return Err(err(
                "a flow endpoint cannot be a list",
                "write one `@flows <a> -> <b>` line per flow, or a chain `<a> -> <b> -> <c>`",
                comma.start,
            ));
        }
        self.mention(tokens, "flow endpoint", at)
    }

    /// `pii, secrets` / `pii and secrets`: a closed set, so a typo is not silently a new
    /// class that no finding ever looks at.
    fn data_classes(&self, tokens: &[Token]) -> Result<Vec<String>, ParseError> {
        let hint = || {
            format!(
                "write `@handles <class> on <component>`, with classes from: {}",
                DATA_CLASSES.join(", ")
            )
        };
        let mut classes: Vec<String> = Vec::new();
        for token in tokens {
            match &token.tok {
                Tok::Word(w) if w.eq_ignore_ascii_case("and") => {}
                Tok::Comma => {}
                Tok::Word(w) => {
                    let class = w.to_ascii_lowercase();
                    if !DATA_CLASSES.contains(&class.as_str()) {
                        return Err(err(
                            format!("`{w}` is not a data class"),
                            hint(),
                            token.start,
                        ));
                    }
                    if !classes.contains(&class) {
                        classes.push(class);
                    }
                }
                _ => {
                    return Err(err(
                        format!("unexpected `{}` in the data classes", self.raw(token)),
                        hint(),
                        token.start,
                    ));
                }
            }
        }
        if classes.is_empty() {
            return Err(err("missing data class", hint(), 0));
        }
        Ok(classes)
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
        let (Some(whole), Some(first)) = (whole, t.first()) else {
            return parts;
        };
        let mut push_name = |offset: usize, name: &str| {
            let trimmed = name.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                let lead = name.len() - name.trim_start().len();
                parts.push(Mention {
                    name: Some(trimmed.to_string()),
                    column: self.column(first.start + offset + lead),
                    ..Mention::default()
                });
            }
        };
        push_name(0, whole);
        let pieces = split_list(whole);
        if pieces.len() > 1 {
            for (offset, piece) in pieces {
                push_name(offset, piece);
            }
        }
        parts
    }

    fn boundary(&mut self, t: &[Token], head_end: usize) -> Result<Form, ParseError> {
        let mut name_tokens: &[Token] = &[];
        let mut rest = t;
        // A trailing `(#id)` is the boundary's (SPEC: the id may stand at the end), not the
        // last side's.
        let mut id = None;
        if let Some((last, init)) = rest.split_last()
            && let Tok::IdDef(i) = last.tok
            && !init.is_empty()
        {
            id = Some(i.to_string());
            rest = init;
        }
        // A name may hold `from` ("Traffic from partners"); `between` and `around` are the
        // SPEC's forms and win over GAL's directed `from ... to`.
        let opener = find_keyword(rest, 0, &["between"])
            .or_else(|| find_keyword(rest, 0, &["around"]))
            .or_else(|| find_keyword(rest, 0, &["from"]));
        let sides = if let Some(k) = opener {
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
        let only_brackets = name_tokens
            .iter()
            .all(|tok| matches!(tok.tok, Tok::Bracket(_)));
        if only_brackets {
            for tok in name_tokens {
                if let Tok::Bracket(text) = tok.tok {
                    self.qualifiers
                        .merge(&super::qualifiers::parse_bracket(text));
                }
            }
        } else {
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
        if let Tok::IdRef(_) | Tok::Quoted(_) = first.tok {
            let target = self.mention(&t[..1], "component", 0)?;
            return Ok(Form::Review {
                target: Some(target),
                words: Vec::new(),
                details: self.text_of(&t[1..], head_end),
            });
        }
        // `@review Web Server (#web) is the timeout right?`: the id ends the component.
        if let Some(k) = t.iter().position(|tok| matches!(tok.tok, Tok::IdDef(_))) {
            let target = self.mention(&t[..=k], "component", 0)?;
            return Ok(Form::Review {
                target: Some(target),
                words: Vec::new(),
                details: self.text_of(&t[k + 1..], head_end),
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

/// Splits a mechanism at `,`, `+`, `/` and ` and `, with each piece's byte offset.
fn split_list(text: &str) -> Vec<(usize, &str)> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let sep = if rest.starts_with([',', '+', '/']) {
            1
        // Bytes, not `&rest[..5]`: that slice may end inside a character (found by fuzzing).
        } else if rest.len() >= 5 && rest.as_bytes()[..5].eq_ignore_ascii_case(b" and ") {
            5
        } else {
            0
        };
        if sep > 0 {
            pieces.push((start, &text[start..i]));
            i += sep;
            start = i;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    pieces.push((start, &text[start..]));
    pieces
}
