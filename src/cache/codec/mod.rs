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

mod read;
#[cfg(test)]
mod tests;
mod write;

use read::Reader;
use write::Writer;

/// A value the encoding has no place for (an enum variant newer than its table).
#[derive(Debug)]
pub struct Unencodable;

/// Bytes that are not a record of this encoding.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed;

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
