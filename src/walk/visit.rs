//! One entry of the walk: whether it is read (admission), then read and scanned, through
//! the cache when there is one.

use std::path::{Path, PathBuf};

use ignore::DirEntry;

use super::held::{Held, holds_something};
use crate::admit::{self, Content};
use crate::cache::{Cache, Found, Record, Stamp, codec, content_hash};
use crate::diagnostics::Code;
use crate::scan::{FileKind, FileResult, Scanner};

pub(super) struct Walker<'a> {
    pub(super) root: &'a Path,
    pub(super) canonical_root: &'a Path,
    pub(super) skip: &'a [PathBuf],
    pub(super) includes: &'a admit::Includes,
    pub(super) max_file_size: u64,
    pub(super) cache: Option<&'a Cache>,
}

/// Parsed bytes from which a file that held nothing still gets a record (with its content
/// hash): touched but not changed, it is then not parsed again.
const WORTH_CACHING: u64 = 4096;

impl Walker<'_> {
    fn relative(&self, path: &Path) -> String {
        // The walker joins names to the root: most paths are the root, a `/` and clean
        // UTF-8 names, taken as they are (`strip_prefix` and `components` cost a twentieth
        // of a warm run).
        #[cfg(unix)]
        if let Some(rest) = path
            .as_os_str()
            .as_encoded_bytes()
            .strip_prefix(self.root.as_os_str().as_encoded_bytes())
            .and_then(|rest| rest.strip_prefix(b"/"))
            .and_then(|rest| std::str::from_utf8(rest).ok())
            && !rest
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..")
        {
            return rest.to_string();
        }
        let rel = path.strip_prefix(self.root).unwrap_or(path);
        let mut out = String::new();
        for (i, part) in rel.components().enumerate() {
            if i > 0 {
                out.push('/');
            }
            out.push_str(&part.as_os_str().to_string_lossy());
        }
        out
    }

    pub(super) fn skipped(&self, path: &Path, message: String, hint: &str) -> Option<Held> {
        Some(Held::Plain(admit::skipped(
            &self.relative(path),
            message,
            hint,
        )))
    }

    pub(super) fn walk_error(&self, error: ignore::Error) -> Option<Held> {
        let path = error_path(&error)?;
        self.skipped(
            &path,
            format!("not scanned: {}", io_message(&error)),
            "check the path's permissions, or exclude it with `--exclude`",
        )
    }

    pub(super) fn visit(&self, entry: &DirEntry, scanner: &mut Scanner) -> Option<Held> {
        // Test builds only: lets the exit-code tests make a worker thread panic.
        #[cfg(debug_assertions)]
        if std::env::var_os("THREATLINE_TEST_PANIC_ON").is_some_and(|n| entry.file_name() == n) {
            panic!("test panic in a walker thread");
        }
        let kind = match self.admit(entry) {
            Ok(kind) => kind,
            Err(said) => return said,
        };
        let path = entry.path();
        let rel = self.relative(path);
        if !self.includes.admits(&rel) {
            return None;
        }
        let Some(cache) = self.cache else {
            return read_and_scan(path, &rel, kind, self.max_file_size, scanner)
                .and_then(Held::new);
        };
        // Only a file the cache knows is worth a `stat` before it is read.
        let found = cache.find(&rel);
        if let Some(found) = &found
            && let Some(stamp) = std::fs::metadata(path).ok().as_ref().and_then(Stamp::of)
            && cache.unchanged(found, &stamp)
            && let Ok(record) = cache.record(found, &rel)
        {
            // Unchanged since the last run: not even read.
            cache.keep(found);
            return record.map(|bytes| Held::Encoded(bytes.to_vec()));
        }
        self.read_and_keep(cache, path, rel, kind, found, scanner)
    }

    /// Reads and scans a file with a cache: a touched file whose content is unchanged keeps
    /// its last result; every other file gets a new entry (timed-out parses excepted).
    fn read_and_keep(
        &self,
        cache: &Cache,
        path: &Path,
        rel: String,
        kind: Option<FileKind>,
        found: Option<Found>,
        scanner: &mut Scanner,
    ) -> Option<Held> {
        let (content, meta) = match read(path, self.max_file_size, kind) {
            Ok(read) => read,
            Err(e) => return Held::new(admit::unreadable(&rel, &e)),
        };
        let stamp = Stamp::of(&meta);
        let bytes = match content {
            Content::Whole(bytes) => bytes,
            Content::TooLarge { size, may_hold } => {
                let result = admit::oversized(&rel, size, self.max_file_size, may_hold);
                if let Some(stamp) = stamp {
                    keep_oversized(cache, &rel, stamp, result.as_ref());
                }
                return result.and_then(Held::new);
            }
        };
        let hash = content_hash(&bytes);
        if let Some(found) = found
            && found.has_record()
            && cache.content_hash_of(&found) == Some(hash)
            && let Ok(record) = cache.record(&found, &rel)
        {
            // Touched, not changed: the last result stands, with the new stamp.
            if let Some(stamp) = stamp {
                cache.add(&rel, stamp, Record::Old(found));
            }
            return record.map(|bytes| Held::Encoded(bytes.to_vec()));
        }
        let parsed_before = scanner.counts.parsed_bytes;
        let result = if admit::is_binary(&bytes) {
            None
        } else {
            scanner.scan(&rel, bytes, kind)
        }
        .filter(holds_something);
        let Some(stamp) = stamp else {
            return result.and_then(Held::new);
        };
        // A parse cut short by its deadline depends on the machine: never kept.
        if result
            .as_ref()
            .is_some_and(|r| r.diagnostics.iter().any(|d| d.code == Code::ParseTimeout))
        {
            return result.and_then(Held::new);
        }
        // A record for a file that held something (next time it is not even read), or
        // that needed a real parse (touched, it is not parsed again); an entry alone for
        // the others, so that they are not read either.
        let parsed = scanner.counts.parsed_bytes - parsed_before >= WORTH_CACHING;
        if result.is_none() && !parsed {
            cache.add(&rel, stamp, Record::None);
            return None;
        }
        match codec::encode(&rel, Some(hash), result.as_ref()) {
            Ok(bytes) => {
                let held = result.map(|_| Held::Encoded(bytes.clone()));
                cache.add(&rel, stamp, Record::New(bytes));
                held
            }
            // A value the encoding does not know: read every time.
            Err(_) => result.map(Held::Plain),
        }
    }

    /// How an entry is read, or what to say instead (`Err(None)`: nothing).
    fn admit(&self, entry: &DirEntry) -> Result<Option<FileKind>, Option<Held>> {
        let file_type = entry.file_type().ok_or(None)?;
        // A directory is walked, not read; a FIFO or a device would block the read or
        // never end it.
        if file_type.is_dir() || !(file_type.is_file() || file_type.is_symlink()) {
            return Err(None);
        }
        let path = entry.path();
        let kind = admit::by_name(path).ok_or(None)?;
        if file_type.is_symlink() {
            let target = path.canonicalize().map_err(|_| None)?;
            if !target.starts_with(self.canonical_root) {
                return Err(self.skipped(
                    path,
                    "symlink points outside the scanned root; not followed".into(),
                    "scan the target's own tree if it belongs to the model",
                ));
            }
            if !target.is_file() {
                return Err(None);
            }
        }
        // Compare names first: canonicalising every file costs a syscall per path part.
        if self.skip.iter().any(|s| s.file_name() == path.file_name())
            && path
                .canonicalize()
                .is_ok_and(|canonical| self.skip.contains(&canonical))
        {
            return Err(None);
        }
        Ok(kind)
    }
}

/// Keeps what an oversized file gave (nothing, or its `skipped-file` diagnostic) under its
/// stamp: unchanged, it is not streamed through the prefilter again. Without a content
/// hash, a touched one is.
fn keep_oversized(cache: &Cache, rel: &str, stamp: Stamp, result: Option<&FileResult>) {
    let record = match result {
        None => Some(Record::None),
        Some(r) => codec::encode(rel, None, Some(r)).ok().map(Record::New),
    };
    if let Some(record) = record {
        cache.add(rel, stamp, record);
    }
}

/// Reads and scans a file, without a cache.
pub(super) fn read_and_scan(
    path: &Path,
    rel: &str,
    kind: Option<FileKind>,
    cap: u64,
    scanner: &mut Scanner,
) -> Option<FileResult> {
    match read(path, cap, kind) {
        Err(e) => Some(admit::unreadable(rel, &e)),
        Ok((Content::Whole(bytes), _)) if admit::is_binary(&bytes) => None,
        Ok((Content::Whole(bytes), _)) => scanner.scan(rel, bytes, kind),
        Ok((Content::TooLarge { size, may_hold }, _)) => admit::oversized(rel, size, cap, may_hold),
    }
}

/// Reads a file under the cap, with its metadata from the open file (no second path
/// lookup).
fn read(
    path: &Path,
    cap: u64,
    kind: Option<FileKind>,
) -> std::io::Result<(Content, std::fs::Metadata)> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    Ok((admit::read_capped(file, meta.len(), cap, kind)?, meta))
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn io_message(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => io_message(err),
        other => other.to_string(),
    }
}
