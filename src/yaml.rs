//! YAML that comes from the scanned tree: annotation blocks, `threatline.yaml` and the
//! organisation catalogues it names. In CI a pull request writes every byte of it, so it
//! is read with limits far below serde-saphyr's defaults (which are meant for trusted
//! configuration). The input text is already capped in bytes by each caller; what is
//! left to bound is what YAML can make out of few bytes: aliases replay their anchor's
//! events, so ten aliases of a 100 KB scalar are 1 MB of strings, and aliases of
//! aliases multiply ("billion laughs"). Deep nesting costs stack.

use std::fmt;
use std::io::Read;
use std::marker::PhantomData;
use std::path::Path;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_saphyr::{Budget, MessageFormatter, Options, Spanned, UserMessageFormatter};

/// Replayed alias events in one document. Each may be a scalar as big as the input, so
/// this bounds the memory of a document at this many times its size. Hand-written YAML
/// uses an alias or two, if any.
pub const MAX_REPLAYED_EVENTS: usize = 64;

/// Nesting of sequences and mappings. Annotation blocks and configs are two or three
/// levels deep; catalogues a little more.
pub const MAX_DEPTH: usize = 24;

/// The options every read of untrusted YAML uses.
pub fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.flow_nesting_limit = MAX_DEPTH;
    budget.max_aliases = MAX_REPLAYED_EVENTS;
    budget.max_anchors = 1_000;
    budget.max_merge_keys = MAX_REPLAYED_EVENTS;
    budget.max_documents = 1;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = MAX_REPLAYED_EVENTS;
    options.alias_limits.max_replay_stack_depth = 8;
    options
}

/// `serde_saphyr::from_str` with [`options`].
pub fn from_str<'de, T: Deserialize<'de>>(text: &'de str) -> Result<T, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(text, options())
}

/// Reads a YAML file named by the tree (a config, a catalogue): a regular file of at
/// most `limit` bytes, which, when `within` is given, resolves (links followed) inside
/// that directory. A link to `/dev/zero` would otherwise be read forever, and one to
/// `/proc/self/environ` would put the CI job's secrets into a parse error.
pub fn read_file(path: &Path, within: Option<&Path>, limit: u64) -> Result<String, ReadError> {
    if let Some(dir) = within {
        let target = path.canonicalize()?;
        let dir = dir.canonicalize()?;
        if !target.starts_with(&dir) {
            return Err(ReadError::OutsideDirectory);
        }
    }
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > limit {
        return Err(ReadError::TooBig {
            size: Some(meta.len()),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // One byte past the limit: the file may have grown since `metadata`.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooBig { size: None, limit });
    }
    String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)
}

/// Why [`read_file`] read nothing. The message is the reason alone; callers name the file.
#[derive(Debug)]
pub enum ReadError {
    /// Opening, resolving or reading failed (no such file, permission denied).
    Io(std::io::Error),
    /// A link that resolves outside the directory the file must stay in.
    OutsideDirectory,
    /// A directory, a device, a pipe.
    NotAFile,
    /// Over `limit` bytes: `size` as the file system gave it, or `None` when the file
    /// grew past the limit while it was read.
    TooBig {
        size: Option<u64>,
        limit: u64,
    },
    NotUtf8,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // "No such file or directory", without " (os error 2)": one "error" per
            // message is the command line's.
            ReadError::Io(e) => {
                let text = e.to_string();
                let bare = text.find(" (os error ").map_or(&text[..], |i| &text[..i]);
                f.write_str(bare)
            }
            ReadError::OutsideDirectory => {
                f.write_str("it is a link to a file outside its directory; not followed")
            }
            ReadError::NotAFile => f.write_str("not a regular file"),
            ReadError::TooBig {
                size: Some(size),
                limit,
            } => write!(f, "{size} bytes; the limit is {limit}"),
            ReadError::TooBig { size: None, limit } => {
                write!(f, "over the limit of {limit} bytes")
            }
            ReadError::NotUtf8 => f.write_str("not valid UTF-8"),
        }
    }
}

/// The I/O error is in the message, and so not also a `source()` (a `{:#}` chain would
/// say it twice); match `ReadError::Io` for it.
impl std::error::Error for ReadError {}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// The parser's error as words for the person who wrote the file: no `line N column M`
/// (the caller shows the place), no advice about the library's options, no snippet.
pub fn message(e: &serde_saphyr::Error) -> String {
    UserMessageFormatter
        .format_message(original(e))
        .trim()
        .to_string()
}

/// Where the parser stopped: 1-based line and column, when it knows.
pub fn position(e: &serde_saphyr::Error) -> Option<(u32, u32)> {
    let at = e.location()?;
    let line = u32::try_from(at.line()).ok().filter(|&l| l > 0)?;
    let column = u32::try_from(at.column()).unwrap_or(1).max(1);
    Some((line, column))
}

/// Whether the text is not YAML at all (as opposed to YAML of the wrong shape).
pub fn is_syntax_error(e: &serde_saphyr::Error) -> bool {
    matches!(
        original(e),
        serde_saphyr::Error::ExternalMessage { source, .. }
            if matches!(**source, serde_saphyr::ExternalMessageSource::Parser(_))
    )
}

/// The error under the snippet and alias wrappers.
pub fn original(mut e: &serde_saphyr::Error) -> &serde_saphyr::Error {
    while let serde_saphyr::Error::WithSnippet { error, .. }
    | serde_saphyr::Error::AliasError { error, .. } = e
    {
        e = error;
    }
    e
}

/// A mapping read in the file's order with the place of each key, for messages that
/// point at a key. (Duplicate keys are refused by the parser.)
#[derive(Debug)]
pub struct Entries<V>(pub Vec<(Spanned<String>, V)>);

impl<V> Default for Entries<V> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for Visit<V> {
            type Value = Entries<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }

        deserializer.deserialize_map(Visit(PhantomData))
    }
}
