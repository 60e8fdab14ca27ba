//! The cache's record encoding: one file's result (its annotations and diagnostics) as
//! compact bytes, and back.
//!
//! Hand-written rather than through serde: the annotation types carry JSON-only serde
//! attributes (`skip_serializing_if`, `flatten`, `skip`, `serde_json::Value` fields) that
//! non-self-describing formats such as postcard or bincode cannot read back, and a
//! self-describing one repeats every field name in every record. Here integers are LEB128
//! varints, strings are a length and their bytes, and the two strings every annotation
//! repeats are shortened: a location in the record's own file is one byte, and a source
//! line that ends with the annotation's text stores only what precedes it.
//!
//! Structs are destructured whole, so a field added to one of them fails to compile here
//! until it is encoded. Enums are written as their position in a table; a variant missing
//! from a table makes the file uncacheable (it is read every run), never a wrong result.
//! Decoding checks every length and tag; anything unexpected is an error, and the file is
//! read again.

use std::collections::BTreeMap;

use crate::annotation::{
    Annotation, BlockFields, BoundarySides, Form, Layer, Mention, Qualifiers, Severity, Stride,
    Verb,
};
use crate::diagnostics::{Code, Diagnostic, Level};
use crate::location::Location;
use crate::scan::FileResult;

/// A value the encoding has no place for (an enum variant newer than its table).
#[derive(Debug)]
pub struct Unencodable;

/// Bytes that are not a record of this encoding.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed;

const VERBS: &[Verb] = &[
    Verb::Component,
    Verb::Threat,
    Verb::Control,
    Verb::Mitigates,
    Verb::Exposes,
    Verb::Accepts,
    Verb::Transfers,
    Verb::Connects,
    Verb::Boundary,
    Verb::Handles,
    Verb::Review,
    Verb::Tests,
    Verb::Assumes,
    Verb::Owns,
    Verb::Feature,
    Verb::Comment,
];
const LAYERS: &[Layer] = &[
    Layer::Control,
    Layer::Compute,
    Layer::Communication,
    Layer::Storage,
];
const STRIDE: &[Stride] = &[
    Stride::Spoofing,
    Stride::Tampering,
    Stride::Repudiation,
    Stride::InformationDisclosure,
    Stride::DenialOfService,
    Stride::ElevationOfPrivilege,
];
const CODES: &[Code] = &[
    Code::MalformedAnnotation,
    Code::DanglingReference,
    Code::DuplicateId,
    Code::InvalidYaml,
    Code::ProseLike,
    Code::SkippedFile,
    Code::ParseTimeout,
    Code::Conflict,
    Code::BaselineOrphan,
    Code::ForeignConfig,
];
const LEVELS: &[Level] = &[Level::Error, Level::Warning];

/// One file's record: its path (checked on the way back: the index is keyed by a hash of
/// it), the hash of the content it was read from (`None` when it was not kept, as for a
/// file over the size cap), and what the scan found.
pub fn encode(
    path: &str,
    content_hash: Option<u64>,
    result: Option<&FileResult>,
) -> Result<Vec<u8>, Unencodable> {
    let mut w = Writer {
        out: Vec::with_capacity(256),
        path,
    };
    w.str(path);
    w.opt(content_hash.as_ref(), |w, h| {
        w.out.extend_from_slice(&h.to_le_bytes())
    });
    match result {
        None => w.u8(0),
        Some(FileResult {
            path: _,
            annotations,
            diagnostics,
        }) => {
            w.u8(1);
            // Both counts first: a reader reserves for many records before decoding any.
            w.uint(annotations.len() as u64);
            w.uint(diagnostics.len() as u64);
            for a in annotations {
                w.annotation(a)?;
            }
            for d in diagnostics {
                w.diagnostic(d)?;
            }
        }
    }
    Ok(w.out)
}

/// What a record says before its result.
#[derive(Debug, PartialEq, Eq)]
pub struct Head<'a> {
    pub path: &'a str,
    pub content_hash: Option<u64>,
    /// Whether the file held something (an annotation or a diagnostic).
    pub holds: bool,
    /// How many annotations and diagnostics it holds.
    pub annotations: usize,
    pub diagnostics: usize,
}

/// The head of a record, without decoding its result.
pub fn head(bytes: &[u8]) -> Result<Head<'_>, Malformed> {
    head_and_rest(bytes).map(|(head, _)| head)
}

fn head_and_rest(bytes: &[u8]) -> Result<(Head<'_>, Reader<'_>), Malformed> {
    let mut r = Reader { bytes, pos: 0 };
    let path = r.str_ref()?;
    let content_hash = r.opt(|r| r.u64_fixed())?;
    let holds = r.bool()?;
    let (annotations, diagnostics) = if holds { (r.len()?, r.len()?) } else { (0, 0) };
    let head = Head {
        path,
        content_hash,
        holds,
        annotations,
        diagnostics,
    };
    Ok((head, r))
}

/// Decodes a record written by [`encode`] for the file at `path`: `Ok(None)` when the file
/// held nothing.
pub fn decode(bytes: &[u8], path: &str) -> Result<Option<FileResult>, Malformed> {
    let head = head(bytes)?;
    if !head.holds {
        return decode_into(bytes, path, &mut Vec::new(), &mut Vec::new()).map(|_| None);
    }
    let mut result = FileResult {
        path: path.to_string(),
        annotations: Vec::with_capacity(head.annotations),
        diagnostics: Vec::with_capacity(head.diagnostics),
    };
    decode_into(
        bytes,
        path,
        &mut result.annotations,
        &mut result.diagnostics,
    )?;
    Ok(Some(result))
}

/// Decodes the record of the file at `path` onto the ends of `annotations` and
/// `diagnostics` (many records into one run); whether the file held something. On an
/// error, what was pushed stays: the caller drops the run or truncates it.
pub fn decode_into(
    bytes: &[u8],
    path: &str,
    annotations: &mut Vec<Annotation>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<bool, Malformed> {
    let (head, mut r) = head_and_rest(bytes)?;
    if head.path != path {
        return Err(Malformed);
    }
    for _ in 0..head.annotations {
        annotations.push(r.annotation(path)?);
    }
    for _ in 0..head.diagnostics {
        diagnostics.push(r.diagnostic(path)?);
    }
    if r.pos != bytes.len() {
        return Err(Malformed);
    }
    Ok(head.holds)
}

fn position<T: PartialEq>(table: &[T], value: &T) -> Result<u8, Unencodable> {
    table
        .iter()
        .position(|v| v == value)
        .map(|i| i as u8)
        .ok_or(Unencodable)
}

struct Writer<'a> {
    out: Vec<u8>,
    /// The record's file: locations in it are written as one byte.
    path: &'a str,
}

impl Writer<'_> {
    fn u8(&mut self, v: u8) {
        self.out.push(v);
    }

    fn uint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }

    fn str(&mut self, s: &str) {
        self.uint(s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
    }

    fn opt<T>(&mut self, v: Option<&T>, f: impl FnOnce(&mut Self, &T)) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                f(self, v);
            }
        }
    }

    fn opt_str(&mut self, v: &Option<String>) {
        self.opt(v.as_ref(), |w, s| w.str(s));
    }

    fn strs(&mut self, v: &[String]) {
        self.uint(v.len() as u64);
        for s in v {
            self.str(s);
        }
    }

    fn location(&mut self, l: &Location) {
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
    fn source_line(&mut self, line: &Option<String>, text: &str) {
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

    fn severity(&mut self, s: &Option<Severity>) -> Result<(), Unencodable> {
        match s {
            None => self.u8(0),
            Some(s) => self.u8(1 + position(&Severity::ALL, s)?),
        }
        Ok(())
    }

    fn layer(&mut self, l: &Option<Layer>) -> Result<(), Unencodable> {
        match l {
            None => self.u8(0),
            Some(l) => self.u8(1 + position(LAYERS, l)?),
        }
        Ok(())
    }

    fn stride(&mut self, v: &[Stride]) -> Result<(), Unencodable> {
        self.uint(v.len() as u64);
        for s in v {
            self.u8(position(STRIDE, s)?);
        }
        Ok(())
    }

    fn qualifiers(&mut self, q: &Qualifiers) -> Result<(), Unencodable> {
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

    fn mention(&mut self, m: &Mention) -> Result<(), Unencodable> {
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

    fn mentions(&mut self, v: &[Mention]) -> Result<(), Unencodable> {
        self.uint(v.len() as u64);
        for m in v {
            self.mention(m)?;
        }
        Ok(())
    }

    fn opt_mention(&mut self, m: &Option<Mention>) -> Result<(), Unencodable> {
        match m {
            None => self.u8(0),
            Some(m) => {
                self.u8(1);
                self.mention(m)?;
            }
        }
        Ok(())
    }

    fn form(&mut self, f: &Form) -> Result<(), Unencodable> {
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

    fn fields(&mut self, f: &BlockFields) -> Result<(), Unencodable> {
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

    fn annotation(&mut self, a: &Annotation) -> Result<(), Unencodable> {
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
        self.u8(position(VERBS, verb)?);
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

    fn diagnostic(&mut self, d: &Diagnostic) -> Result<(), Unencodable> {
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
        self.u8(position(CODES, code)?);
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

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

type Read<T> = Result<T, Malformed>;

impl<'a> Reader<'a> {
    fn u8(&mut self) -> Read<u8> {
        let b = *self.bytes.get(self.pos).ok_or(Malformed)?;
        self.pos += 1;
        Ok(b)
    }

    fn uint(&mut self) -> Read<u64> {
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

    fn u32(&mut self) -> Read<u32> {
        u32::try_from(self.uint()?).map_err(|_| Malformed)
    }

    /// A count of items that each take at least one byte: never more than what is left.
    fn len(&mut self) -> Read<usize> {
        let n = usize::try_from(self.uint()?).map_err(|_| Malformed)?;
        if n > self.bytes.len() - self.pos {
            return Err(Malformed);
        }
        Ok(n)
    }

    fn u64_fixed(&mut self) -> Read<u64> {
        let end = self.pos.checked_add(8).ok_or(Malformed)?;
        let b = self.bytes.get(self.pos..end).ok_or(Malformed)?;
        self.pos = end;
        Ok(u64::from_le_bytes(b.try_into().map_err(|_| Malformed)?))
    }

    fn bool(&mut self) -> Read<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Malformed),
        }
    }

    fn str_ref(&mut self) -> Read<&'a str> {
        let n = self.len()?;
        let b = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        std::str::from_utf8(b).map_err(|_| Malformed)
    }

    fn string(&mut self) -> Read<String> {
        self.str_ref().map(str::to_string)
    }

    fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> Read<T>) -> Read<Option<T>> {
        match self.u8()? {
            0 => Ok(None),
            1 => f(self).map(Some),
            _ => Err(Malformed),
        }
    }

    fn opt_string(&mut self) -> Read<Option<String>> {
        self.opt(|r| r.string())
    }

    fn strings(&mut self) -> Read<Vec<String>> {
        let n = self.len()?;
        (0..n).map(|_| self.string()).collect()
    }

    fn pick<T: Copy>(&mut self, table: &[T]) -> Read<T> {
        table.get(usize::from(self.u8()?)).copied().ok_or(Malformed)
    }

    fn opt_pick<T: Copy>(&mut self, table: &[T]) -> Read<Option<T>> {
        match self.u8()? {
            0 => Ok(None),
            i => table
                .get(usize::from(i) - 1)
                .copied()
                .map(Some)
                .ok_or(Malformed),
        }
    }

    fn stride(&mut self) -> Read<Vec<Stride>> {
        let n = self.len()?;
        (0..n).map(|_| self.pick(STRIDE)).collect()
    }

    fn location(&mut self, path: &str) -> Read<Location> {
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

    fn source_line(&mut self, text: &str) -> Read<Option<String>> {
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

    fn qualifiers(&mut self) -> Read<Qualifiers> {
        match self.u8()? {
            0 => Ok(Qualifiers::default()),
            1 => {
                let severity = self.opt_pick(&Severity::ALL)?;
                let layer = self.opt_pick(LAYERS)?;
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

    fn mention(&mut self) -> Read<Mention> {
        Ok(Mention {
            name: self.opt_string()?,
            id: self.opt_string()?,
            is_reference: self.bool()?,
            qualifiers: self.qualifiers()?,
            column: self.u32()?,
        })
    }

    fn mentions(&mut self) -> Read<Vec<Mention>> {
        let n = self.len()?;
        (0..n).map(|_| self.mention()).collect()
    }

    fn opt_mention(&mut self) -> Read<Option<Mention>> {
        self.opt(|r| r.mention())
    }

    fn form(&mut self) -> Read<Form> {
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

    fn fields(&mut self) -> Read<BlockFields> {
        let description = self.opt_string()?;
        let severity = self.opt_pick(&Severity::ALL)?;
        let likelihood = self.opt_string()?;
        let stride = self.stride()?;
        let layer = self.opt_pick(LAYERS)?;
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

    fn annotation(&mut self, path: &str) -> Read<Annotation> {
        let verb = self.pick(VERBS)?;
        let form = self.form()?;
        let qualifiers = self.qualifiers()?;
        let refs = self.strings()?;
        let description = self.opt_string()?;
        let fields = self.opt(|r| r.fields())?;
        let location = self.location(path)?;
        let symbol = self.opt_string()?;
        let origin = self.opt(|r| r.location(path))?;
        let text = self.string()?;
        let source_line = self.source_line(&text)?;
        Ok(Annotation {
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
        })
    }

    fn diagnostic(&mut self, path: &str) -> Read<Diagnostic> {
        let code = self.pick(CODES)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn mention(name: &str, column: u32) -> Mention {
        Mention {
            name: Some(name.into()),
            column,
            ..Mention::default()
        }
    }

    fn sample() -> FileResult {
        let mut fields = BlockFields {
            description: Some("d".into()),
            severity: Some(Severity::High),
            stride: vec![Stride::Tampering, Stride::ElevationOfPrivilege],
            layer: Some(Layer::Storage),
            cwe: vec!["CWE-89".into()],
            ..BlockFields::default()
        };
        fields
            .custom
            .insert("x".into(), serde_json::json!({"a": [1, 2.5, null, "s"]}));
        let mut q = Qualifiers {
            severity: Some(Severity::Low),
            stride: vec![Stride::Spoofing],
            tags: vec!["t".into()],
            ..Qualifiers::default()
        };
        q.values.insert("owner".into(), "payments".into());
        let a = Annotation {
            verb: Verb::Connects,
            form: Form::Connects {
                endpoints: vec![mention("A", 12), mention("B", 17)],
                two_way: true,
                mechanism: Some("HTTPS".into()),
                mechanism_parts: vec![Mention {
                    id: Some("tls".into()),
                    is_reference: true,
                    qualifiers: q.clone(),
                    ..Mention::default()
                }],
                id: Some("f".into()),
            },
            qualifiers: q,
            refs: vec!["cwe:CWE-1".into()],
            description: Some("desc é".into()),
            fields: Some(fields),
            location: Location::new("src/a.go", 3, 4),
            symbol: Some("main".into()),
            origin: Some(Location::new("src/a.go.gal", 1, 1)),
            text: "@flows A <-> B via HTTPS".into(),
            source_line: Some("// @flows A <-> B via HTTPS".into()),
        };
        let b = Annotation {
            verb: Verb::Boundary,
            form: Form::Boundary {
                name: None,
                id: Some("b".into()),
                sides: BoundarySides::Between(Box::new((mention("X", 1), mention("Y", 2)))),
            },
            qualifiers: Qualifiers::default(),
            refs: vec![],
            description: None,
            fields: None,
            location: Location::new("elsewhere.py", 9, 1),
            symbol: None,
            origin: None,
            text: "@boundary between X and Y".into(),
            source_line: Some("something else".into()),
        };
        let d = Diagnostic::new(
            Code::MalformedAnnotation,
            Location::new("src/a.go", 5, 2),
            "m",
        )
        .hint("h")
        .text("@mitigates (");
        let mut d2 = d.clone();
        d2.source_line = Some("# @mitigates (".into());
        d2.span = Some((3, 9));
        FileResult {
            path: "src/a.go".into(),
            annotations: vec![a, b],
            diagnostics: vec![d, d2],
        }
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let r = sample();
        let bytes = encode(&r.path, Some(42), Some(&r)).unwrap();
        assert_eq!(
            head(&bytes).unwrap(),
            Head {
                path: "src/a.go",
                content_hash: Some(42),
                holds: true,
                annotations: 2,
                diagnostics: 2,
            }
        );
        let back = decode(&bytes, "src/a.go").unwrap().unwrap();
        assert_eq!(back.path, r.path);
        assert_eq!(back.annotations, r.annotations);
        assert_eq!(back.diagnostics, r.diagnostics);
        // Spans and source lines are not part of `PartialEq`'s blind spots: check them.
        assert_eq!(back.diagnostics[1].span, Some((3, 9)));
        let empty = encode("x", None, None).unwrap();
        assert!(decode(&empty, "x").unwrap().is_none());
    }

    #[test]
    fn any_damage_is_an_error_never_a_panic() {
        let r = sample();
        let bytes = encode(&r.path, Some(1), Some(&r)).unwrap();
        assert_eq!(decode(&bytes, "other/path").unwrap_err(), Malformed);
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut], "src/a.go").is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer, "src/a.go").is_err());
        // Every single-byte change either fails or decodes to something: no panic.
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0xff;
            let _ = decode(&b, "src/a.go");
        }
    }
}
