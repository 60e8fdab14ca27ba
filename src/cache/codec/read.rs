//! Reading a record back: every length and tag checked, anything unexpected `Malformed`.

// The tables, the record types and the errors of the encoding.
use super::*;

pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
}

pub(super) type Read<T> = Result<T, Malformed>;

impl<'a> Reader<'a> {
    pub(super) fn u8(&mut self) -> Read<u8> {
        let b = *self.bytes.get(self.pos).ok_or(Malformed)?;
        self.pos += 1;
        Ok(b)
    }

    pub(super) fn uint(&mut self) -> Read<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(Malformed)
    }

    pub(super) fn u32(&mut self) -> Read<u32> {
        u32::try_from(self.uint()?).map_err(|_| Malformed)
    }

    /// A count of items that each take at least one byte: never more than what is left.
    pub(super) fn len(&mut self) -> Read<usize> {
        let n = usize::try_from(self.uint()?).map_err(|_| Malformed)?;
        if n > self.bytes.len() - self.pos {
            return Err(Malformed);
        }
        Ok(n)
    }

    pub(super) fn u64_fixed(&mut self) -> Read<u64> {
        let end = self.pos.checked_add(8).ok_or(Malformed)?;
        let b = self.bytes.get(self.pos..end).ok_or(Malformed)?;
        self.pos = end;
        Ok(u64::from_le_bytes(b.try_into().map_err(|_| Malformed)?))
    }

    pub(super) fn bool(&mut self) -> Read<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Malformed),
        }
    }

    pub(super) fn str_ref(&mut self) -> Read<&'a str> {
        let n = self.len()?;
        let b = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        std::str::from_utf8(b).map_err(|_| Malformed)
    }

    pub(super) fn string(&mut self) -> Read<String> {
        self.str_ref().map(str::to_string)
    }

    pub(super) fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> Read<T>) -> Read<Option<T>> {
        match self.u8()? {
            0 => Ok(None),
            1 => f(self).map(Some),
            _ => Err(Malformed),
        }
    }

    pub(super) fn opt_string(&mut self) -> Read<Option<String>> {
        self.opt(|r| r.string())
    }

    pub(super) fn strings(&mut self) -> Read<Vec<String>> {
        let n = self.len()?;
        (0..n).map(|_| self.string()).collect()
    }

    pub(super) fn pick<T: Copy>(&mut self, table: &[T]) -> Read<T> {
        table.get(usize::from(self.u8()?)).copied().ok_or(Malformed)
    }

    pub(super) fn opt_pick<T: Copy>(&mut self, table: &[T]) -> Read<Option<T>> {
        match self.u8()? {
            0 => Ok(None),
            i => table
                .get(usize::from(i) - 1)
                .copied()
                .map(Some)
                .ok_or(Malformed),
        }
    }

    pub(super) fn stride(&mut self) -> Read<Vec<Stride>> {
        let n = self.len()?;
        (0..n).map(|_| self.pick(&Stride::ALL)).collect()
    }

    pub(super) fn location(&mut self, path: &str) -> Read<Location> {
        let file = match self.u8()? {
            0 => path.to_string(),
            1 => self.string()?,
            _ => return Err(Malformed),
        };
        Ok(Location {
            file,
            line: self.u32()?,
            column: self.u32()?,
        })
    }

    pub(super) fn source_line(&mut self, text: &str) -> Read<Option<String>> {
        Ok(match self.u8()? {
            0 => None,
            1 => {
                let prefix = self.str_ref()?;
                let mut line = String::with_capacity(prefix.len() + text.len());
                line.push_str(prefix);
                line.push_str(text);
                Some(line)
            }
            2 => Some(self.string()?),
            _ => return Err(Malformed),
        })
    }

    pub(super) fn qualifiers(&mut self) -> Read<Qualifiers> {
        match self.u8()? {
            0 => Ok(Qualifiers::default()),
            1 => {
                let severity = self.opt_pick(&Severity::ALL)?;
                let layer = self.opt_pick(&Layer::ALL)?;
                let stride = self.stride()?;
                let n = self.len()?;
                let mut values = BTreeMap::new();
                for _ in 0..n {
                    values.insert(self.string()?, self.string()?);
                }
                Ok(Qualifiers {
                    severity,
                    layer,
                    stride,
                    values,
                    tags: self.strings()?,
                })
            }
            _ => Err(Malformed),
        }
    }

    pub(super) fn mention(&mut self) -> Read<Mention> {
        Ok(Mention {
            name: self.opt_string()?,
            id: self.opt_string()?,
            is_reference: self.bool()?,
            qualifiers: self.qualifiers()?.into(),
            column: self.u32()?,
        })
    }

    pub(super) fn mentions(&mut self) -> Read<Vec<Mention>> {
        let n = self.len()?;
        (0..n).map(|_| self.mention()).collect()
    }

    pub(super) fn opt_mention(&mut self) -> Read<Option<Mention>> {
        self.opt(|r| r.mention())
    }

    pub(super) fn form(&mut self) -> Read<Form> {
        Ok(match self.u8()? {
            0 => Form::Component {
                component: self.mention()?,
            },
            1 => Form::Threat {
                threat: self.mention()?,
            },
            2 => Form::Control {
                control: self.mention()?,
            },
            3 => Form::Mitigates {
                target: self.mention()?,
                threat: self.mention()?,
                control: self.opt_mention()?,
            },
            4 => Form::Exposes {
                target: self.mention()?,
                threat: self.mention()?,
                details: self.opt_string()?,
            },
            5 => Form::Accepts {
                threat: self.mention()?,
                target: self.mention()?,
                details: self.opt_string()?,
            },
            6 => Form::Transfers {
                threat: self.mention()?,
                from: self.mention()?,
                to: self.mention()?,
                details: self.opt_string()?,
            },
            7 => Form::Connects {
                endpoints: self.mentions()?,
                two_way: self.bool()?,
                mechanism: self.opt_string()?,
                mechanism_parts: self.mentions()?,
                id: self.opt_string()?,
            },
            8 => {
                let name = self.opt_string()?;
                let id = self.opt_string()?;
                let sides = match self.u8()? {
                    0 => BoundarySides::Between(Box::new((self.mention()?, self.mention()?))),
                    1 => BoundarySides::Around(self.mentions()?),
                    _ => return Err(Malformed),
                };
                Form::Boundary { name, id, sides }
            }
            9 => Form::Handles {
                classes: self.strings()?,
                target: self.mention()?,
            },
            10 => {
                let target = self.opt_mention()?;
                let n = self.len()?;
                let mut words = Vec::with_capacity(n);
                for _ in 0..n {
                    words.push((self.string()?, self.u32()?));
                }
                Form::Review {
                    target,
                    words,
                    details: self.opt_string()?,
                }
            }
            11 => Form::Tests {
                control: self.mention()?,
                target: self.mention()?,
            },
            12 => Form::Assumes {
                target: self.mention()?,
                details: self.opt_string()?,
            },
            13 => Form::Owns {
                owner: self.string()?,
                target: self.mention()?,
            },
            14 => Form::Feature {
                name: self.string()?,
            },
            15 => Form::Comment {
                text: self.opt_string()?,
            },
            _ => return Err(Malformed),
        })
    }

    pub(super) fn fields(&mut self) -> Read<BlockFields> {
        let description = self.opt_string()?;
        let severity = self.opt_pick(&Severity::ALL)?;
        let likelihood = self.opt_string()?;
        let stride = self.stride()?;
        let layer = self.opt_pick(&Layer::ALL)?;
        let cwe = self.strings()?;
        let countermeasures = self.opt_string()?;
        let evidence = self.opt_string()?;
        let justification = self.opt_string()?;
        let example = self.opt_string()?;
        let n = self.len()?;
        let mut custom = BTreeMap::new();
        for _ in 0..n {
            let key = self.string()?;
            let value = serde_json::from_str(self.str_ref()?).map_err(|_| Malformed)?;
            custom.insert(key, value);
        }
        Ok(BlockFields {
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
        })
    }

    pub(super) fn annotation(&mut self, path: &str) -> Read<Annotation> {
        let verb = self.pick(&Verb::ALL)?;
        let form = self.form()?;
        let qualifiers = self.qualifiers()?;
        let refs = self.strings()?;
        let description = self.opt_string()?;
        let fields = self.opt(|r| r.fields().map(Box::new))?;
        let location = self.location(path)?;
        let symbol = self.opt_string()?;
        let origin = self.opt(|r| r.location(path))?;
        let text = self.string()?;
        let source_line = self.source_line(&text)?;
        Ok(Annotation {
            verb,
            form,
            qualifiers: qualifiers.into(),
            refs,
            description,
            fields,
            location,
            symbol,
            origin,
            text,
            source_line,
        })
    }

    pub(super) fn diagnostic(&mut self, path: &str) -> Read<Diagnostic> {
        let code = self.pick(&Code::ALL)?;
        let severity = self.pick(LEVELS)?;
        let message = self.string()?;
        let hint = self.opt_string()?;
        let location = self.location(path)?;
        let text = self.string()?;
        let source_line = self.source_line(&text)?;
        let span = self.opt(|r| Ok((r.u32()?, r.u32()?)))?;
        Ok(Diagnostic {
            code,
            severity,
            message,
            hint,
            location,
            text,
            source_line,
            span,
        })
    }
}
