//! YAML that comes from the scanned tree: annotation blocks, `threatline.yaml` and the
//! organisation catalogues it names. In CI a pull request writes every byte of it, so it
//! is read with limits far below serde-saphyr's defaults (which are meant for trusted
//! configuration). The input text is already capped in bytes by each caller; what is
//! left to bound is what YAML can make out of few bytes: aliases replay their anchor's
//! events, so ten aliases of a 100 KB scalar are 1 MB of strings, and aliases of
//! aliases multiply ("billion laughs"). Deep nesting costs stack.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::{Budget, Options};

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
pub fn read_file(path: &Path, within: Option<&Path>, limit: u64) -> Result<String, String> {
    if let Some(dir) = within {
        let target = path.canonicalize().map_err(|e| e.to_string())?;
        let dir = dir.canonicalize().map_err(|e| e.to_string())?;
        if !target.starts_with(&dir) {
            return Err("it is a link to a file outside its directory; not followed".into());
        }
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > limit {
        return Err(format!("{} bytes; the limit is {limit}", meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // One byte past the limit: the file may have grown since `metadata`.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("over the limit of {limit} bytes"));
    }
    String::from_utf8(bytes).map_err(|_| "not valid UTF-8".into())
}
