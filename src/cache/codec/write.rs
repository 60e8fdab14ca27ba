//! Writing a record: varints, strings, and each annotation type field by field.

// The tables, the record types and the errors of the encoding.
use super::*;

pub(super) struct Writer<'a> {
    pub(super) out: Vec<u8>,
    /// The record's file: locations in it are written as one byte.
    pub(super) path: &'a str,
}

impl Writer<'_> {
    pub(super) fn u8(&mut self, v: u8) {
        self.out.push(v);
    }

    pub(super) fn uint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    pub(super) fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }

    pub(super) fn str(&mut self, s: &str) {
        self.uint(s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
    }

    pub(super) fn opt<T>(&mut self, v: Option<&T>, f: impl FnOnce(&mut Self, &T)) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                f(self, v);
            }
        }
    }

    pub(super) fn opt_str(&mut self, v: &Option<String>) {
        self.opt(v.as_ref(), |w, s| w.str(s));
    }

    pub(super) fn strs(&mut self, v: &[String]) {
        self.uint(v.len() as u64);
        for s in v {
            self.str(s);
        }
    }

    pub(super) fn location(&mut self, l: &Location) {
        let Location { file, line, column } = l;
        if file == self.path {
            self.u8(0);
        } else {
            self.u8(1);
            self.str(file);
        }
        self.uint(u64::from(*line));
        self.uint(u64::from(*column));
    }

    /// A source line, most often the text it is quoted for preceded by a comment marker.
    pub(super) fn source_line(&mut self, line: &Option<String>, text: &str) {
        match line {
            None => self.u8(0),
            Some(line) => match line.strip_suffix(text).filter(|_| !text.is_empty()) {
                Some(prefix) => {
                    self.u8(1);
                    self.str(prefix);
                }
                None => {
                    self.u8(2);
                    self.str(line);
                }
            },
        }
    }

    pub(super) fn severity(&mut self, s: &Option<Severity>) -> Result<(), Unencodable> {
        match s {
            None => self.u8(0),
            Some(s) => self.u8(1 + position(&Severity::ALL, s)?),
        }
        Ok(())
    }

    pub(super) fn layer(&mut self, l: &Option<Layer>) -> Result<(), Unencodable> {
        match l {
            None => self.u8(0),
            Some(l) => self.u8(1 + position(&Layer::ALL, l)?),
        }
        Ok(())
    }

    pub(super) fn stride(&mut self, v: &[Stride]) -> Result<(), Unencodable> {
        self.uint(v.len() as u64);
        for s in v {
            self.u8(position(&Stride::ALL, s)?);
        }
        Ok(())
    }

    pub(super) fn qualifiers(&mut self, q: &Qualifiers) -> Result<(), Unencodable> {
        let Qualifiers {
            severity,
            layer,
            stride,
            values,
            tags,
        } = q;
        // Most annotations have none: one byte.
        if q.is_empty() {
            self.u8(0);
            return Ok(());
        }
        self.u8(1);
        self.severity(severity)?;
        self.layer(layer)?;
        self.stride(stride)?;
        self.uint(values.len() as u64);
        for (k, v) in values {
            self.str(k);
            self.str(v);
        }
        self.strs(tags);
        Ok(())
    }

    pub(super) fn mention(&mut self, m: &Mention) -> Result<(), Unencodable> {
        let Mention {
            name,
            id,
            is_reference,
            qualifiers,
            column,
        } = m;
        self.opt_str(name);
        self.opt_str(id);
        self.bool(*is_reference);
        self.qualifiers(qualifiers)?;
        self.uint(u64::from(*column));
        Ok(())
    }

    pub(super) fn mentions(&mut self, v: &[Mention]) -> Result<(), Unencodable> {
        self.uint(v.len() as u64);
        for m in v {
            self.mention(m)?;
        }
        Ok(())
    }

    pub(super) fn opt_mention(&mut self, m: &Option<Mention>) -> Result<(), Unencodable> {
        match m {
            None => self.u8(0),
            Some(m) => {
                self.u8(1);
                self.mention(m)?;
            }
        }
        Ok(())
    }

    pub(super) fn form(&mut self, f: &Form) -> Result<(), Unencodable> {
        match f {
            Form::Component { component } => {
                self.u8(0);
                self.mention(component)?;
            }
            Form::Threat { threat } => {
                self.u8(1);
                self.mention(threat)?;
            }
            Form::Control { control } => {
                self.u8(2);
                self.mention(control)?;
            }
            Form::Mitigates {
                target,
                threat,
                control,
            } => {
                self.u8(3);
                self.mention(target)?;
                self.mention(threat)?;
                self.opt_mention(control)?;
            }
            Form::Exposes {
                target,
                threat,
                details,
            } => {
                self.u8(4);
                self.mention(target)?;
                self.mention(threat)?;
                self.opt_str(details);
            }
            Form::Accepts {
                threat,
                target,
                details,
            } => {
                self.u8(5);
                self.mention(threat)?;
                self.mention(target)?;
                self.opt_str(details);
            }
            Form::Transfers {
                threat,
                from,
                to,
                details,
            } => {
                self.u8(6);
                self.mention(threat)?;
                self.mention(from)?;
                self.mention(to)?;
                self.opt_str(details);
            }
            Form::Connects {
                endpoints,
                two_way,
                mechanism,
                mechanism_parts,
                id,
            } => {
                self.u8(7);
                self.mentions(endpoints)?;
                self.bool(*two_way);
                self.opt_str(mechanism);
                self.mentions(mechanism_parts)?;
                self.opt_str(id);
            }
            Form::Boundary { name, id, sides } => {
                self.u8(8);
                self.opt_str(name);
                self.opt_str(id);
                match sides {
                    BoundarySides::Between(pair) => {
                        self.u8(0);
                        self.mention(&pair.0)?;
                        self.mention(&pair.1)?;
                    }
                    BoundarySides::Around(members) => {
                        self.u8(1);
                        self.mentions(members)?;
                    }
                }
            }
            Form::Handles { classes, target } => {
                self.u8(9);
                self.strs(classes);
                self.mention(target)?;
            }
            Form::Review {
                target,
                words,
                details,
            } => {
                self.u8(10);
                self.opt_mention(target)?;
                self.uint(words.len() as u64);
                for (word, column) in words {
                    self.str(word);
                    self.uint(u64::from(*column));
                }
                self.opt_str(details);
            }
            Form::Tests { control, target } => {
                self.u8(11);
                self.mention(control)?;
                self.mention(target)?;
            }
            Form::Assumes { target, details } => {
                self.u8(12);
                self.mention(target)?;
                self.opt_str(details);
            }
            Form::Owns { owner, target } => {
                self.u8(13);
                self.str(owner);
                self.mention(target)?;
            }
            Form::Feature { name } => {
                self.u8(14);
                self.str(name);
            }
            Form::Comment { text } => {
                self.u8(15);
                self.opt_str(text);
            }
        }
        Ok(())
    }

    pub(super) fn fields(&mut self, f: &BlockFields) -> Result<(), Unencodable> {
        let BlockFields {
            description,
            severity,
            likelihood,
            stride,
            layer,
            cwe,
            countermeasures,
            evidence,
            justification,
            example,
            custom,
        } = f;
        self.opt_str(description);
        self.severity(severity)?;
        self.opt_str(likelihood);
        self.stride(stride)?;
        self.layer(layer)?;
        self.strs(cwe);
        self.opt_str(countermeasures);
        self.opt_str(evidence);
        self.opt_str(justification);
        self.opt_str(example);
        self.uint(custom.len() as u64);
        for (k, v) in custom {
            self.str(k);
            // Any JSON value, as its JSON text (rare: fields no form defines).
            self.str(&serde_json::to_string(v).map_err(|_| Unencodable)?);
        }
        Ok(())
    }

    pub(super) fn annotation(&mut self, a: &Annotation) -> Result<(), Unencodable> {
        let Annotation {
            verb,
            form,
            qualifiers,
            refs,
            description,
            fields,
            location,
            symbol,
            origin,
            text,
            source_line,
        } = a;
        self.u8(position(&Verb::ALL, verb)?);
        self.form(form)?;
        self.qualifiers(qualifiers)?;
        self.strs(refs);
        self.opt_str(description);
        match fields {
            None => self.u8(0),
            Some(f) => {
                self.u8(1);
                self.fields(f)?;
            }
        }
        self.location(location);
        self.opt_str(symbol);
        match origin {
            None => self.u8(0),
            Some(o) => {
                self.u8(1);
                self.location(o);
            }
        }
        self.str(text);
        self.source_line(source_line, text);
        Ok(())
    }

    pub(super) fn diagnostic(&mut self, d: &Diagnostic) -> Result<(), Unencodable> {
        let Diagnostic {
            code,
            severity,
            message,
            hint,
            location,
            text,
            source_line,
            span,
        } = d;
        self.u8(position(&Code::ALL, code)?);
        self.u8(position(LEVELS, severity)?);
        self.str(message);
        self.opt_str(hint);
        self.location(location);
        self.str(text);
        self.source_line(source_line, text);
        self.opt(span.as_ref(), |w, (a, b)| {
            w.uint(u64::from(*a));
            w.uint(u64::from(*b));
        });
        Ok(())
    }
}
