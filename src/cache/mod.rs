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

pub mod codec;

use std::fs::{File, Metadata};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
    (record != 0).then(|| {
        (
            ((record & !NEW_RECORD) >> 24) as usize,
            (record & 0xff_ffff) as usize,
        )
    })
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

/// Why a cache file is not used.
enum Unusable {
    Damaged(&'static str),
    Format(u32),
    Identity,
}

impl Cache {
    /// The cache at `file` for the root `root`, or an empty one when it is missing (silently),
    /// unreadable, damaged, of another format or from another build (with a note).
    pub fn open(file: &Path, root: &Path, max_file_size: u64) -> Cache {
        let mut cache = Cache {
            file: file.to_path_buf(),
            identity: identity(max_file_size),
            root: root.to_string_lossy().into_owned(),
            bytes: Vec::new(),
            entries: 0,
            index_start: 0,
            records_start: 0,
            fanout: Vec::new(),
            fanout_bits: 0,
            kept: Vec::new(),
            added: Mutex::new(Vec::new()),
            new_records: Mutex::new(Vec::new()),
            bad_record: AtomicBool::new(false),
            stale: false,
        };
        let bytes = match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return cache,
            Err(e) => {
                note(&format!(
                    "cannot read the cache {} ({e}); scanning without it",
                    file.display()
                ));
                return cache;
            }
        };
        match cache.check(&bytes) {
            Ok(()) => {
                cache.bytes = bytes;
                cache.kept = (0..cache.entries.div_ceil(64))
                    .map(|_| AtomicU64::new(0))
                    .collect();
            }
            Err(why) => {
                let why = match why {
                    Unusable::Damaged(what) => format!("is damaged ({what})"),
                    Unusable::Format(f) => format!("has another format ({f}, not {FORMAT})"),
                    Unusable::Identity => {
                        "was written by another build of threatline or with another --max-file-size"
                            .to_string()
                    }
                };
                note(&format!(
                    "the cache {} {why}; every file is read, and the cache rewritten",
                    file.display()
                ));
                cache.entries = 0;
                cache.stale = true;
            }
        }
        cache
    }

    /// Checks a cache file whole and sets where its parts are.
    fn check(&mut self, bytes: &[u8]) -> Result<(), Unusable> {
        use Unusable::Damaged;
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(Damaged("not a threatline cache"));
        }
        let format = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if format != FORMAT {
            return Err(Unusable::Format(format));
        }
        if u64_at(bytes, 16) != self.identity {
            return Err(Unusable::Identity);
        }
        let root_len = u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes")) as u64;
        let entries = u64_at(bytes, 32);
        let records_len = u64_at(bytes, 40);
        let expected = entries
            .checked_mul(ENTRY as u64)
            .and_then(|n| n.checked_add(HEADER as u64 + root_len))
            .and_then(|n| n.checked_add(records_len));
        if expected != Some(bytes.len() as u64) {
            return Err(Damaged("truncated, or its header is"));
        }
        if content_hash(&bytes[HEADER..]) != u64_at(bytes, 48) {
            return Err(Damaged("checksum"));
        }
        self.entries = entries as usize;
        self.index_start = HEADER + root_len as usize;
        self.records_start = self.index_start + self.entries * ENTRY;
        // About four entries a bucket, at most 2^20 buckets (4 MiB).
        let bits = (self.entries / 4)
            .max(1)
            .next_power_of_two()
            .trailing_zeros()
            .min(20);
        let mut fanout = Vec::with_capacity((1 << bits) + 1);
        let mut previous = None;
        for i in 0..self.entries {
            let at = self.index_start + i * ENTRY;
            let key = u64_at(bytes, at);
            if previous.is_some_and(|p| p >= key) {
                return Err(Damaged("index out of order"));
            }
            previous = Some(key);
            if let Some((offset, len)) = unpack(u64_at(bytes, at + 16))
                && (offset + len) as u64 > records_len
            {
                return Err(Damaged("record out of bounds"));
            }
            let bucket = bucket(key, bits);
            while fanout.len() <= bucket {
                fanout.push(i as u32);
            }
        }
        while fanout.len() <= 1 << bits {
            fanout.push(self.entries as u32);
        }
        self.fanout = fanout;
        self.fanout_bits = bits;
        Ok(())
    }

    /// Number of entries read from the file.
    pub fn len(&self) -> usize {
        self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// The entry of the file at `rel`, by binary search of the index.
    pub fn find(&self, rel: &str) -> Option<Found> {
        if self.entries == 0 {
            return None;
        }
        let wanted = key(rel);
        let b = bucket(wanted, self.fanout_bits);
        let (mut lo, mut hi) = (self.fanout[b] as usize, self.fanout[b + 1] as usize);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let at = self.index_start + mid * ENTRY;
            match u64_at(&self.bytes, at).cmp(&wanted) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    return Some(Found {
                        index: mid,
                        stamp: u64_at(&self.bytes, at + 8),
                        record: unpack(u64_at(&self.bytes, at + 16)),
                    });
                }
            }
        }
        None
    }

    /// Whether a file with this stamp is the one its entry was written for.
    pub fn unchanged(&self, found: &Found, stamp: &Stamp) -> bool {
        found.stamp != 0 && found.stamp == stamp.digest
    }

    /// Keeps an entry as it is in the next cache.
    pub fn keep(&self, found: &Found) {
        self.kept[found.index / 64].fetch_or(1 << (found.index % 64), Ordering::Relaxed);
    }

    fn record_bytes(&self, found: &Found) -> Option<&[u8]> {
        let (offset, len) = found.record?;
        let start = self.records_start + offset;
        Some(&self.bytes[start..start + len])
    }

    /// The content hash the entry's record was written for.
    pub fn content_hash_of(&self, found: &Found) -> Option<u64> {
        codec::head(self.record_bytes(found)?).ok()?.content_hash
    }

    /// The record of the file at `rel` when it holds something (`Ok(None)`: the file held
    /// nothing); `Err` when the record is another file's (two paths of one hash) or does
    /// not read (noted once; the file is then read again).
    pub fn record(&self, found: &Found, rel: &str) -> Result<Option<&[u8]>, ()> {
        let Some(bytes) = self.record_bytes(found) else {
            return Ok(None);
        };
        match codec::head(bytes) {
            Ok(head) if head.path == rel => Ok(head.holds.then_some(bytes)),
            Ok(_) => Err(()),
            Err(_) => {
                self.bad_record();
                Err(())
            }
        }
    }

    /// Notes, once, that a record of this cache does not read back.
    fn bad_record(&self) {
        if !self.bad_record.swap(true, Ordering::Relaxed) {
            note_bad_record(&self.file);
        }
    }

    /// Adds or replaces the entry of the file at `rel` for the next cache.
    pub fn add(&self, rel: &str, stamp: Stamp, record: Record) {
        let record = match record {
            Record::None => 0,
            Record::Old(found) => match found.record {
                Some((offset, len)) => pack(offset as u64, len),
                None => 0,
            },
            Record::New(bytes) => {
                if bytes.len() > MAX_RECORD {
                    return;
                }
                let mut buffer = self.new_records.lock().expect("no panics hold this lock");
                let offset = buffer.len() as u64;
                if offset + bytes.len() as u64 >= MAX_RECORDS {
                    return;
                }
                buffer.extend_from_slice(&bytes);
                NEW_RECORD | pack(offset, bytes.len())
            }
        };
        self.added
            .lock()
            .expect("no panics hold this lock")
            .push(Added {
                key: key(rel),
                stamp,
                record,
            });
    }

    /// Writes the next cache when anything changed (an entry added, replaced or gone),
    /// atomically, then prunes the directory. Failure to write is not an error of the run.
    pub fn save(self) {
        let mut added = self.added.into_inner().expect("no panics hold this lock");
        let kept: Vec<u64> = self.kept.into_iter().map(AtomicU64::into_inner).collect();
        let kept_count: usize = kept.iter().map(|w| w.count_ones() as usize).sum();
        // Unchanged: every entry kept, none added, and the file was usable (or absent and
        // there is nothing to write).
        if added.is_empty() && kept_count == self.entries && !self.stale {
            return;
        }
        let new_records = self
            .new_records
            .into_inner()
            .expect("no panics hold this lock");
        added.sort_unstable_by_key(|a| a.key);
        let written = mtime_nanos(SystemTime::now());
        let racy_from = written - RACY.as_nanos() as i128;

        // The next index: old entries kept and new ones, by key; a key written twice (two
        // paths with one hash) is dropped, so neither file is ever taken for the other.
        let mut merged: Vec<(u64, u64, u64)> = Vec::with_capacity(kept_count + added.len());
        let mut new = added.into_iter().peekable();
        let old_entry = |i: usize| {
            let at = self.index_start + i * ENTRY;
            (
                u64_at(&self.bytes, at),
                u64_at(&self.bytes, at + 8),
                u64_at(&self.bytes, at + 16),
            )
        };
        let mut old = (0..self.entries)
            .filter(|i| kept[i / 64] & (1 << (i % 64)) != 0)
            .map(old_entry)
            .peekable();
        loop {
            let take_old = match (old.peek(), new.peek()) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(o), Some(n)) => o.0 < n.key,
            };
            let entry = if take_old {
                old.next().expect("peeked")
            } else {
                let a = new.next().expect("peeked");
                let stamp = if a.stamp.mtime >= racy_from {
                    0
                } else {
                    a.stamp.digest
                };
                (a.key, stamp, a.record)
            };
            match merged.last() {
                Some(last) if last.0 == entry.0 => {
                    merged.pop();
                    // Any further entry with this key goes too.
                    while old.peek().is_some_and(|o| o.0 == entry.0) {
                        old.next();
                    }
                    while new.peek().is_some_and(|n| n.key == entry.0) {
                        new.next();
                    }
                }
                _ => merged.push(entry),
            }
        }
        let Some(dir) = self.file.parent() else {
            return;
        };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let tmp = dir.join(format!(
            ".{}.{}.{}.tmp",
            self.file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id(),
            written
        ));
        let old_records = &self.bytes[self.records_start.min(self.bytes.len())..];
        let record_of = |packed: u64| -> &[u8] {
            match unpack(packed) {
                None => &[],
                Some((offset, len)) if packed & NEW_RECORD != 0 => {
                    &new_records[offset..offset + len]
                }
                Some((offset, len)) => &old_records[offset..offset + len],
            }
        };
        let result = write_file(&tmp, |out| {
            let root = self.root.as_bytes();
            out.write(root)?;
            let mut offset = 0u64;
            for &(key, stamp, record) in &merged {
                let len = record_of(record).len();
                let packed = if len == 0 { 0 } else { pack(offset, len) };
                offset += len as u64;
                let mut entry = [0u8; ENTRY];
                entry[..8].copy_from_slice(&key.to_le_bytes());
                entry[8..16].copy_from_slice(&stamp.to_le_bytes());
                entry[16..].copy_from_slice(&packed.to_le_bytes());
                out.write(&entry)?;
            }
            if offset >= MAX_RECORDS {
                return Err(std::io::Error::other("records too large"));
            }
            for &(_, _, record) in &merged {
                out.write(record_of(record))?;
            }
            let mut header = [0u8; HEADER];
            header[..8].copy_from_slice(MAGIC);
            header[8..12].copy_from_slice(&FORMAT.to_le_bytes());
            header[12..16].copy_from_slice(&(root.len() as u32).to_le_bytes());
            header[16..24].copy_from_slice(&self.identity.to_le_bytes());
            header[24..32].copy_from_slice(&(written as i64).to_le_bytes());
            header[32..40].copy_from_slice(&(merged.len() as u64).to_le_bytes());
            header[40..48].copy_from_slice(&offset.to_le_bytes());
            Ok(header)
        });
        if result.is_err() || std::fs::rename(&tmp, &self.file).is_err() {
            let _ = std::fs::remove_file(&tmp);
            return;
        }
        prune(dir, &self.file, MAX_TOTAL);
    }
}

/// The body of a cache file being written, hashed as it goes.
struct Body {
    out: BufWriter<File>,
    hash: xxhash_rust::xxh3::Xxh3,
}

impl Body {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hash.update(bytes);
        self.out.write_all(bytes)
    }
}

/// Writes a cache file: a header (returned by `body` once it has written the rest, the
/// checksum filled in here) and its body.
fn write_file(
    path: &Path,
    body: impl FnOnce(&mut Body) -> std::io::Result<[u8; HEADER]>,
) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    let mut out = BufWriter::with_capacity(256 * 1024, File::create(path)?);
    out.write_all(&[0u8; HEADER])?;
    let mut b = Body {
        out,
        hash: xxhash_rust::xxh3::Xxh3::new(),
    };
    let mut header = body(&mut b)?;
    header[48..56].copy_from_slice(&b.hash.digest().to_le_bytes());
    let mut file = b.out.into_inner().map_err(|e| e.into_error())?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&header)?;
    Ok(())
}

/// A file in a cache directory that threatline wrote.
#[derive(Debug)]
pub struct Listed {
    pub path: PathBuf,
    pub size: u64,
    pub modified: Option<SystemTime>,
    pub kind: ListedKind,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ListedKind {
    /// A cache of this format: the root it is for and its number of entries.
    Cache { root: String, entries: u64 },
    /// A cache this build cannot read: another format, or damaged.
    Unreadable,
    /// A cache of the JSON format before this one.
    Legacy,
    /// A temporary file left by a run that did not finish.
    Temporary,
}

/// Whether a file name is one threatline writes in a cache directory: `<16 hex>.tlc`,
/// `<16 hex>.json` (the previous format), or a temporary `.<16 hex>.tlc.<pid>.<time>.tmp`.
fn kind_by_name(name: &str) -> Option<ListedKind> {
    let hex16 = |s: &str| s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(stem) = name.strip_suffix(".tlc") {
        return hex16(stem).then_some(ListedKind::Unreadable);
    }
    if let Some(stem) = name.strip_suffix(".json") {
        return hex16(stem).then_some(ListedKind::Legacy);
    }
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    (hex16(rest.get(..16)?) && rest[16..].starts_with(".tlc.")).then_some(ListedKind::Temporary)
}

/// The files threatline wrote in `dir`, oldest first.
pub fn list(dir: &Path) -> Vec<Listed> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<Listed> = read
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name();
            let mut kind = kind_by_name(name.to_str()?)?;
            let meta = e.metadata().ok().filter(Metadata::is_file)?;
            let path = e.path();
            if kind == ListedKind::Unreadable
                && let Some(found) = read_header(&path)
            {
                kind = found;
            }
            Some(Listed {
                path,
                size: meta.len(),
                modified: meta.modified().ok(),
                kind,
            })
        })
        .collect();
    out.sort_by(|a, b| (a.modified, &a.path).cmp(&(b.modified, &b.path)));
    out
}

/// The root and entry count of a cache file of this format, from its header.
fn read_header(path: &Path) -> Option<ListedKind> {
    let mut head = [0u8; HEADER];
    let mut file = File::open(path).ok()?;
    file.read_exact(&mut head).ok()?;
    if &head[..8] != MAGIC || u32::from_le_bytes(head[8..12].try_into().ok()?) != FORMAT {
        return None;
    }
    let root_len = u32::from_le_bytes(head[12..16].try_into().ok()?) as usize;
    let mut root = vec![0u8; root_len.min(64 * 1024)];
    file.read_exact(&mut root).ok()?;
    Some(ListedKind::Cache {
        root: String::from_utf8_lossy(&root).into_owned(),
        entries: u64_at(&head, 32),
    })
}

/// Removes every file threatline wrote in `dir`: how many, and their bytes.
pub fn clean(dir: &Path) -> std::io::Result<(usize, u64)> {
    let mut removed = (0, 0);
    for listed in list(dir) {
        match std::fs::remove_file(&listed.path) {
            Ok(()) => {
                removed.0 += 1;
                removed.1 += listed.size;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}

/// Keeps a cache directory small: removes caches of the previous format, temporary files
/// over an hour old, and the least recently written caches until all left take at most
/// `limit` bytes (`keep`, the one just written, always stays).
pub fn prune(dir: &Path, keep: &Path, limit: u64) {
    let listed = list(dir);
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let mut total: u64 = listed
        .iter()
        .filter(|l| !matches!(l.kind, ListedKind::Legacy | ListedKind::Temporary))
        .map(|l| l.size)
        .sum();
    // Oldest first.
    for l in &listed {
        let remove = match l.kind {
            ListedKind::Legacy => true,
            ListedKind::Temporary => l.modified.is_none_or(|m| m < hour_ago),
            ListedKind::Cache { .. } | ListedKind::Unreadable => total > limit && l.path != keep,
        };
        let counted = !matches!(l.kind, ListedKind::Legacy | ListedKind::Temporary);
        if remove && std::fs::remove_file(&l.path).is_ok() && counted {
            total = total.saturating_sub(l.size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_threatline_writes_and_only_those() {
        assert_eq!(
            kind_by_name("0123456789abcdef.tlc"),
            Some(ListedKind::Unreadable)
        );
        assert_eq!(
            kind_by_name("0123456789abcdef.json"),
            Some(ListedKind::Legacy)
        );
        assert_eq!(
            kind_by_name(".0123456789abcdef.tlc.123.456.tmp"),
            Some(ListedKind::Temporary)
        );
        for other in [
            "notes.json",
            "0123456789abcdeg.tlc",
            "x.tlc",
            ".tmp",
            "abc.tmp",
        ] {
            assert_eq!(kind_by_name(other), None, "{other}");
        }
    }

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
