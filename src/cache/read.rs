//! Opening a cache: the file read and checked whole once, then entries looked up in
//! place, one record at a time.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::{
    Added, Cache, ENTRY, FORMAT, Found, HEADER, MAGIC, MAX_RECORD, MAX_RECORDS, NEW_RECORD, Record,
    Stamp, bucket, codec, content_hash, identity, key, note, note_bad_record, pack, u64_at, unpack,
};

/// Why an entry's record is not used for a file (which is then read and scanned).
#[derive(Debug, PartialEq, Eq)]
pub enum NotThisFile {
    /// The record is of another path whose key is the same hash.
    OtherPath,
    /// The record does not decode.
    Malformed,
}

/// Why a cache file is not used.
enum Unusable {
    Damaged(&'static str),
    Format(u32),
    Identity,
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unusable::Damaged(what) => write!(f, "is damaged ({what})"),
            Unusable::Format(n) => write!(f, "has another format ({n}, not {FORMAT})"),
            Unusable::Identity => f.write_str(
                "was written by another build of threatline or with another --max-file-size",
            ),
        }
    }
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
        let (fanout, bits) = fanout(bytes, self.index_start, self.entries, records_len)?;
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
    /// not read (noted once). Either way the file is then read again.
    pub fn record(&self, found: &Found, rel: &str) -> Result<Option<&[u8]>, NotThisFile> {
        let Some(bytes) = self.record_bytes(found) else {
            return Ok(None);
        };
        match codec::head(bytes) {
            Ok(head) if head.path == rel => Ok(head.holds.then_some(bytes)),
            Ok(_) => Err(NotThisFile::OtherPath),
            Err(_) => {
                self.bad_record();
                Err(NotThisFile::Malformed)
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
}

/// Checks the index (keys strictly increasing, records within the records' `len` bytes)
/// and builds its fan-out table: where the keys of each `bits`-bit prefix start, about
/// four entries a bucket, at most 2^20 buckets (4 MiB).
fn fanout(
    bytes: &[u8],
    index_start: usize,
    entries: usize,
    records_len: u64,
) -> Result<(Vec<u32>, u32), Unusable> {
    let bits = (entries / 4)
        .max(1)
        .next_power_of_two()
        .trailing_zeros()
        .min(20);
    let mut fanout = Vec::with_capacity((1 << bits) + 1);
    let mut previous = None;
    for i in 0..entries {
        let at = index_start + i * ENTRY;
        let key = u64_at(bytes, at);
        if previous.is_some_and(|p| p >= key) {
            return Err(Unusable::Damaged("index out of order"));
        }
        previous = Some(key);
        if let Some((offset, len)) = unpack(u64_at(bytes, at + 16))
            && (offset + len) as u64 > records_len
        {
            return Err(Unusable::Damaged("record out of bounds"));
        }
        let bucket = bucket(key, bits);
        while fanout.len() <= bucket {
            fanout.push(i as u32);
        }
    }
    while fanout.len() <= 1 << bits {
        fanout.push(entries as u32);
    }
    Ok((fanout, bits))
}
