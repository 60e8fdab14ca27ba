//! The per-file cache for warm runs (pre-commit, editors, CI runners with a cache).
//!
//! One file per scanned root, `<dir>/<hash of the root>.tlc`, where `dir` is `--cache-dir`,
//! else `$XDG_CACHE_HOME/threatline`, else `~/.cache/threatline` (`threatline cache` shows
//! it; `threatline cache --clean` empties it). It holds an entry for every file the walk
//! read, so that a warm run reads only what changed:
//!
//! - a file whose stamp (size, modification and change times, inode) matches its entry is
//!   not read at all: its result comes from its record, or it held nothing;
//! - a file whose stamp changed but whose content hashes as its record says is not scanned
//!   again (a checkout, a `touch`);
//! - anything else is read and scanned, and its entry replaced.
//!
//! # Layout
//!
//! ```text
//! header   64 bytes: magic "TLCACHE\0", format, root length, identity (the build and the
//!          options that change per-file results), time written, entry count, records
//!          length, checksum of all that follows the header
//! root     the canonical root, for `threatline cache`
//! index    24 bytes per entry, sorted by key: key (xxh3 of the relative path), stamp
//!          (0: verify by content), record (offset << 24 | length, 0: none)
//! records  one per file that held something or was worth a parse: its path, the hash of
//!          its content and its result, in the encoding of [`codec`]
//! ```
//!
//! The file is read in one piece and checked (length, checksum, sorted index, records in
//! bounds); then each lookup is a binary search of the index in place and decodes one
//! record, so a warm run holds the file's bytes and the records it used, never a map of
//! the whole. A missing cache is silent; one that is damaged, truncated, of another format
//! or written by another build is a note on stderr and a run without it, never a failure
//! or a wrong result. It is rewritten only when something changed, in a temporary file
//! renamed over it, so a concurrent run reads the old cache or the new one, whole; entries
//! of files no longer seen (deleted, now ignored) are dropped then. The caches of all
//! roots together are kept under [`MAX_TOTAL`] bytes, least recently written dropped first.
//!
//! Like git's index, a file changed within the instant its entry is written could keep
//! its stamp: entries that recent are written to be verified by content.

//!
//! The parts: [`codec`] encodes one file's record; `read` opens and checks a cache and
//! looks entries up; `write` merges what a run kept and added into the next cache and
//! writes it atomically; `dir` lists, prunes and cleans a cache directory.

pub mod codec;
mod dir;
mod read;
mod write;

pub use dir::{Listed, ListedKind, clean, list, prune};
pub use read::NotThisFile;

use std::fs::Metadata;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Bumped whenever the layout or the meaning of a record changes (the build is part of the
/// identity too, so a rebuilt binary never reads what another wrote).
pub const FORMAT: u32 = 4;

/// The extension of cache files.
pub const EXTENSION: &str = "tlc";

/// The caches of all roots in one directory are pruned to this many bytes.
pub const MAX_TOTAL: u64 = 256 * 1024 * 1024;

const MAGIC: &[u8; 8] = b"TLCACHE\0";
const HEADER: usize = 64;
const ENTRY: usize = 24;
/// Records are at most this long (24 bits of length); a longer one is not kept.
const MAX_RECORD: usize = (1 << 24) - 1;
/// Offsets in the records (40 bits).
const MAX_RECORDS: u64 = 1 << 39;

/// Entries modified this close to the cache's writing are verified by content.
const RACY: Duration = Duration::from_secs(2);

pub fn mtime_nanos(time: SystemTime) -> i128 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

pub fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The key of a relative path in the index.
fn key(rel: &str) -> u64 {
    content_hash(rel.as_bytes())
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

/// What a cache must have been written by and with to be read: the build, and the options
/// that change what a file's scan gives (the size cap decides which files are read).
fn identity(max_file_size: u64) -> u64 {
    content_hash(format!("{FORMAT}|{}|{max_file_size}", build()).as_bytes())
}

/// The cache directory: `dir` when given, else `$XDG_CACHE_HOME/threatline`, else
/// `~/.cache/threatline`. `None` when there is nowhere to put it.
pub fn dir_for(dir: Option<&Path>) -> Option<PathBuf> {
    match dir {
        Some(d) => Some(d.to_path_buf()),
        None => Some(
            std::env::var_os("XDG_CACHE_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?
                .join("threatline"),
        ),
    }
}

/// The cache file for a scanned root: `<dir>/<hash of the root's canonical path>.tlc` (see
/// [`dir_for`]). `None` when there is nowhere to put it.
pub fn file_for(root: &Path, dir: Option<&Path>) -> Option<PathBuf> {
    let dir = dir_for(dir)?;
    let root = root.canonicalize().ok()?;
    let key = content_hash(root.to_string_lossy().as_bytes());
    Some(dir.join(format!("{key:016x}.{EXTENSION}")))
}

/// Says something about the cache on stderr (never stdout: that is the output).
fn note(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "threatline: note: {text}");
}

/// Says that a record of the cache `file` does not read back (its file is read again).
pub fn note_bad_record(file: &Path) {
    note(&format!(
        "a record of the cache {} does not read back; its files are read again",
        file.display()
    ));
}

/// What identifies a file's content without reading it: size, modification and change
/// times, inode. Files changed within [`RACY`] of the cache's writing are not trusted by it.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    digest: u64,
    mtime: i128,
}

impl Stamp {
    pub fn of(meta: &Metadata) -> Option<Stamp> {
        let mtime = mtime_nanos(meta.modified().ok()?);
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(&meta.len().to_le_bytes());
        h.update(&mtime.to_le_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            h.update(&meta.ctime().to_le_bytes());
            h.update(&meta.ctime_nsec().to_le_bytes());
            h.update(&meta.ino().to_le_bytes());
            h.update(&meta.dev().to_le_bytes());
        }
        // 0 means "verify by content".
        let digest = h.digest().max(1);
        Some(Stamp { digest, mtime })
    }
}

/// A file's entry, as found in the index.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    index: usize,
    stamp: u64,
    /// Offset and length in the records.
    record: Option<(usize, usize)>,
}

impl Found {
    pub fn has_record(&self) -> bool {
        self.record.is_some()
    }
}

/// Where a new entry's record is: none, the old cache's (a file touched, not changed), or
/// bytes encoded in this run.
pub enum Record {
    None,
    Old(Found),
    New(Vec<u8>),
}

/// An entry of this run: the key, the stamp, and the record (packed as in [`Found`], with
/// bit 63 set for one in this run's buffer).
struct Added {
    key: u64,
    stamp: Stamp,
    record: u64,
}

const NEW_RECORD: u64 = 1 << 63;

fn pack(offset: u64, len: usize) -> u64 {
    (offset << 24) | len as u64
}

fn unpack(record: u64) -> Option<(usize, usize)> {
    (record != 0).then_some((
        ((record & !NEW_RECORD) >> 24) as usize,
        (record & 0xff_ffff) as usize,
    ))
}

/// The bucket of a key among `1 << bits`: its first bits.
fn bucket(key: u64, bits: u32) -> usize {
    key.checked_shr(64 - bits).unwrap_or(0) as usize
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

/// A cache being used by one walk: the file as read (read-only), what this run kept of it
/// and what it adds. Shared by the walker's threads.
pub struct Cache {
    file: PathBuf,
    identity: u64,
    root: String,
    /// The whole file when it was valid; empty otherwise.
    bytes: Vec<u8>,
    entries: usize,
    index_start: usize,
    records_start: usize,
    /// Where the keys starting with each `fanout_bits`-bit prefix start in the index (one
    /// more for the end): a lookup searches a few entries, not the whole index (on 200,000
    /// files a binary search of the whole was an eighth of a warm run, one cache miss per
    /// step).
    fanout: Vec<u32>,
    fanout_bits: u32,
    /// One bit per old entry: found unchanged, kept as it is.
    kept: Vec<AtomicU64>,
    added: Mutex<Vec<Added>>,
    new_records: Mutex<Vec<u8>>,
    /// A record did not decode (noted once).
    bad_record: AtomicBool,
    /// The file exists but could not be used: rewritten even when nothing is added.
    stale: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_pack_and_unpack() {
        assert_eq!(unpack(0), None);
        assert_eq!(unpack(pack(5, 7)), Some((5, 7)));
        assert_eq!(
            unpack(NEW_RECORD | pack(MAX_RECORDS - 1, MAX_RECORD)),
            Some(((MAX_RECORDS - 1) as usize, MAX_RECORD))
        );
    }
}
