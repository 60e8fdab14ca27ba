//! The per-file cache for warm runs (pre-commit, editors, CI runners with a cache).
//!
//! One file per scanned root, under the platform cache directory or `--cache-dir`. Each
//! entry records a file that needed a tree-sitter parse: its size, modification time,
//! content hash and what the scan found in it. A file whose size and time match is not
//! read at all; one whose time changed but whose content hash matches is not parsed again.
//! Other files are not kept: reading one again and running the prefilter costs what the
//! `stat` would, and reading a comment header what decoding its entry would.
//! The cache is invalidated by the tool's build: its version and the size and time of
//! the running executable, so a rebuilt binary (a development build, a reinstall of the
//! same version with other code) never reads results an older build wrote. Per-file results depend only on the
//! file's bytes and the compiled-in language table, so config changes need no
//! invalidation (the model is always rebuilt from the per-file results).
//!
//! Like git's index, a file changed within the same instant the cache was written could
//! keep its size and time: entries that recent are verified by content before use.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::annotation::Annotation;
use crate::diagnostics::Diagnostic;
use crate::scan::FileResult;

/// Bumped whenever the cache layout or the meaning of a per-file result changes.
const FORMAT: u32 = 3;

/// Entries modified this close to the cache's writing are verified by content.
const RACY: Duration = Duration::from_secs(2);

/// A diagnostic with the fields its JSON leaves out: the source line and the span.
type CachedDiagnostic = (Diagnostic, Option<String>, Option<(u32, u32)>);

/// What the scan found in one file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedResult {
    annotations: Vec<Annotation>,
    diagnostics: Vec<CachedDiagnostic>,
}

impl CachedResult {
    pub fn new(result: &FileResult) -> CachedResult {
        CachedResult {
            annotations: result.annotations.clone(),
            diagnostics: result
                .diagnostics
                .iter()
                .map(|d| (d.clone(), d.source_line.clone(), d.span))
                .collect(),
        }
    }

    pub fn into_result(self, path: &str) -> FileResult {
        FileResult {
            path: path.to_string(),
            annotations: self.annotations,
            diagnostics: self
                .diagnostics
                .into_iter()
                .map(|(mut d, line, span)| {
                    d.source_line = line;
                    d.span = span;
                    d
                })
                .collect(),
        }
    }
}

/// One file as last seen.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime: i128,
    /// xxh3 of the content.
    pub hash: Option<u64>,
    /// What the scan found.
    pub result: Option<CachedResult>,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    /// The build that wrote the cache (see [`build`]).
    version: String,
    /// When the cache was written, nanoseconds since the Unix epoch.
    written: i128,
    entries: Vec<Entry>,
}

/// A loaded cache: read-only while the walk runs.
#[derive(Debug, Default)]
pub struct Cache {
    entries: HashMap<String, Entry>,
    written: i128,
}

/// What a lookup says about a file.
pub enum Lookup<'a> {
    /// Unchanged by size and time: no need to read it.
    Unchanged(&'a Entry),
    /// Read it; if its content hashes to this, reuse the entry's result.
    Verify(&'a Entry),
    Unknown,
}

/// The running build: the package version, plus the executable's size and modification
/// time when they can be read (a version alone survives rebuilds that change results).
fn build() -> &'static str {
    static BUILD: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BUILD.get_or_init(|| {
        let version = env!("CARGO_PKG_VERSION");
        let exe = std::env::current_exe().and_then(std::fs::metadata);
        match exe {
            Ok(meta) => {
                let mtime = meta.modified().map(mtime_nanos).unwrap_or_default();
                format!("{version}+{}.{mtime}", meta.len())
            }
            Err(_) => version.to_string(),
        }
    })
}

pub fn mtime_nanos(time: SystemTime) -> i128 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

pub fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

impl Cache {
    /// The cache at `file`, or an empty one when it is missing, unreadable, from another
    /// version, or damaged: a cache never fails a run.
    pub fn load(file: &Path) -> Cache {
        let Ok(bytes) = std::fs::read(file) else {
            return Cache::default();
        };
        match serde_json::from_slice::<Stored>(&bytes) {
            Ok(stored) if stored.format == FORMAT && stored.version == build() => Cache {
                written: stored.written,
                entries: stored
                    .entries
                    .into_iter()
                    .map(|e| (e.path.clone(), e))
                    .collect(),
            },
            _ => Cache::default(),
        }
    }

    /// Whether the cache has an entry for `path`.
    pub fn knows(&self, path: &str) -> bool {
        self.entries.contains_key(path)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn lookup(&self, path: &str, size: u64, mtime: i128) -> Lookup<'_> {
        let Some(entry) = self.entries.get(path) else {
            return Lookup::Unknown;
        };
        let racy = mtime >= self.written - RACY.as_nanos() as i128;
        if entry.size == size && entry.mtime == mtime && !racy {
            Lookup::Unchanged(entry)
        } else if entry.size == size && entry.hash.is_some() {
            Lookup::Verify(entry)
        } else {
            Lookup::Unknown
        }
    }

    /// Writes `entries` as the new cache, atomically (a temporary file renamed over).
    /// Failure to write is not an error of the run.
    pub fn save(file: &Path, mut entries: Vec<Entry>) {
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let stored = Stored {
            format: FORMAT,
            version: build().to_string(),
            written: mtime_nanos(SystemTime::now()),
            entries,
        };
        let Some(dir) = file.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let tmp = file.with_extension(format!("tmp{}", std::process::id()));
        let written = std::fs::File::create(&tmp).and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            serde_json::to_writer(&mut w, &stored)?;
            w.flush()
        });
        if written.is_err() || std::fs::rename(&tmp, file).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// The cache file for a scanned root: `<dir>/<hash of the root's canonical path>.json`,
/// where `dir` is `--cache-dir`, else `$XDG_CACHE_HOME/threatline`, else
/// `~/.cache/threatline`. `None` when there is nowhere to put it.
pub fn file_for(root: &Path, dir: Option<&Path>) -> Option<PathBuf> {
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?
            .join("threatline"),
    };
    let root = root.canonicalize().ok()?;
    let key = content_hash(root.to_string_lossy().as_bytes());
    Some(dir.join(format!("{key:016x}.json")))
}
