//! Writing the next cache: what the run kept of the old one and what it added, merged by
//! key and written to a temporary file renamed over the old one, so that a reader sees
//! the old cache or the new one, whole, and never a file being written.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::time::SystemTime;

use super::{
    Added, Cache, ENTRY, FORMAT, HEADER, MAGIC, MAX_RECORDS, MAX_TOTAL, NEW_RECORD, RACY,
    dir::prune, mtime_nanos, pack, u64_at, unpack,
};

/// An entry of the next index: key, stamp (0: verify by content), packed record.
type Entry = (u64, u64, u64);

impl Cache {
    /// Writes the next cache when anything changed (an entry added, replaced or gone),
    /// atomically, then prunes the directory. Failure to write is not an error of the run:
    /// the next run reads every file again.
    pub fn save(self) {
        let added = self.added.into_inner().expect("no panics hold this lock");
        let kept: Vec<u64> = self.kept.into_iter().map(AtomicU64::into_inner).collect();
        let kept_count: usize = kept.iter().map(|w| w.count_ones() as usize).sum();
        // Unchanged: every entry kept, none added, and the file was usable (or absent and
        // there is nothing to write).
        if added.is_empty() && kept_count == self.entries && !self.stale {
            return;
        }
        let written = mtime_nanos(SystemTime::now());
        let old = Old {
            bytes: &self.bytes,
            index_start: self.index_start,
            entries: self.entries,
            kept: &kept,
        };
        let merged = merge(&old, added, written - RACY.as_nanos() as i128);
        let new_records = self
            .new_records
            .into_inner()
            .expect("no panics hold this lock");
        let records = Records {
            old: &self.bytes[self.records_start.min(self.bytes.len())..],
            new: &new_records,
        };
        let Some(dir) = self.file.parent() else {
            return;
        };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let tmp = temporary_name(&self.file, written);
        let header = Header {
            root: self.root.as_bytes(),
            identity: self.identity,
            written,
        };
        let result = write_file(&tmp, |out| write_body(out, &header, &merged, &records));
        if result.is_err() || std::fs::rename(&tmp, &self.file).is_err() {
            let _ = std::fs::remove_file(&tmp);
            return;
        }
        prune(dir, &self.file, MAX_TOTAL);
    }
}

/// The index of the cache read at the start of the run, and which of its entries the run
/// kept (one bit each).
struct Old<'a> {
    bytes: &'a [u8],
    index_start: usize,
    entries: usize,
    kept: &'a [u64],
}

impl Old<'_> {
    fn entry(&self, i: usize) -> Entry {
        let at = self.index_start + i * ENTRY;
        (
            u64_at(self.bytes, at),
            u64_at(self.bytes, at + 8),
            u64_at(self.bytes, at + 16),
        )
    }

    fn kept(&self) -> impl Iterator<Item = Entry> + '_ {
        (0..self.entries)
            .filter(|i| self.kept[i / 64] & (1 << (i % 64)) != 0)
            .map(|i| self.entry(i))
    }
}

/// The next index: old entries kept and new ones, by key. A key written twice (two paths
/// with one hash) is dropped, so neither file is ever taken for the other. New entries
/// modified at or after `racy_from` are written to be verified by content.
fn merge(old: &Old, mut added: Vec<Added>, racy_from: i128) -> Vec<Entry> {
    added.sort_unstable_by_key(|a| a.key);
    let new = added.into_iter().map(|a| {
        let stamp = if a.stamp.mtime >= racy_from {
            0
        } else {
            a.stamp.digest
        };
        (a.key, stamp, a.record)
    });
    let mut old = old.kept().peekable();
    let mut new = new.peekable();
    let mut merged: Vec<Entry> = Vec::with_capacity(old.size_hint().0 + new.size_hint().0);
    let mut dropped = None;
    loop {
        let entry = match (old.peek(), new.peek()) {
            (None, None) => break,
            (Some(o), Some(n)) if o.0 < n.0 => old.next(),
            (Some(_), None) => old.next(),
            _ => new.next(),
        }
        .expect("peeked");
        if dropped == Some(entry.0) {
            continue;
        }
        if merged.last().is_some_and(|last| last.0 == entry.0) {
            merged.pop();
            dropped = Some(entry.0);
            continue;
        }
        merged.push(entry);
    }
    merged
}

/// The records an entry of the next index may point to: the old cache's, or this run's
/// (bit 63 of the packed record).
struct Records<'a> {
    old: &'a [u8],
    new: &'a [u8],
}

impl Records<'_> {
    fn of(&self, packed: u64) -> &[u8] {
        match unpack(packed) {
            None => &[],
            Some((offset, len)) if packed & NEW_RECORD != 0 => &self.new[offset..offset + len],
            Some((offset, len)) => &self.old[offset..offset + len],
        }
    }
}

/// What the header says besides the counts and the checksum.
struct Header<'a> {
    root: &'a [u8],
    identity: u64,
    written: i128,
}

/// The root, the index (records renumbered in the order written) and the records; the
/// header to put in front of them.
fn write_body(
    out: &mut Body,
    header: &Header,
    merged: &[Entry],
    records: &Records,
) -> std::io::Result<[u8; HEADER]> {
    out.write(header.root)?;
    let mut offset = 0u64;
    for &(key, stamp, record) in merged {
        let len = records.of(record).len();
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
    for &(_, _, record) in merged {
        out.write(records.of(record))?;
    }
    let mut bytes = [0u8; HEADER];
    bytes[..8].copy_from_slice(MAGIC);
    bytes[8..12].copy_from_slice(&FORMAT.to_le_bytes());
    bytes[12..16].copy_from_slice(&(header.root.len() as u32).to_le_bytes());
    bytes[16..24].copy_from_slice(&header.identity.to_le_bytes());
    bytes[24..32].copy_from_slice(&(header.written as i64).to_le_bytes());
    bytes[32..40].copy_from_slice(&(merged.len() as u64).to_le_bytes());
    bytes[40..48].copy_from_slice(&offset.to_le_bytes());
    Ok(bytes)
}

/// `.<cache file name>.<pid>.<time>.tmp` beside the cache: unique to this process and
/// run, and a name `dir::list` knows (pruned when over an hour old).
fn temporary_name(file: &Path, written: i128) -> PathBuf {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    file.with_file_name(format!(".{name}.{}.{written}.tmp", std::process::id()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kept_all(bytes: &[u8], entries: usize) -> Old<'_> {
        static ALL: [u64; 1] = [u64::MAX];
        Old {
            bytes,
            index_start: 0,
            entries,
            kept: &ALL,
        }
    }

    fn index(entries: &[Entry]) -> Vec<u8> {
        let mut out = Vec::new();
        for &(k, s, r) in entries {
            out.extend_from_slice(&k.to_le_bytes());
            out.extend_from_slice(&s.to_le_bytes());
            out.extend_from_slice(&r.to_le_bytes());
        }
        out
    }

    fn added(key: u64, digest: u64, mtime: i128) -> Added {
        Added {
            key,
            stamp: super::super::Stamp { digest, mtime },
            record: 0,
        }
    }

    #[test]
    fn a_merge_keeps_order_and_drops_keys_written_twice() {
        let bytes = index(&[(1, 11, 0), (3, 33, 0), (5, 55, 0)]);
        let old = kept_all(&bytes, 3);
        // 4 is new; 5 comes again (a hash shared by two paths): both go; 2 is racy.
        let merged = merge(
            &old,
            vec![added(4, 44, 0), added(5, 99, 0), added(2, 22, 100)],
            100,
        );
        assert_eq!(merged, vec![(1, 11, 0), (2, 0, 0), (3, 33, 0), (4, 44, 0)]);
    }
}
