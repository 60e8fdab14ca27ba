//! Walking the tree: the `ignore` crate's parallel walker (`.gitignore` and `.ignore`
//! honoured, hidden files included), excludes, the size cap, binary sniffing and
//! symlinks kept inside the root. Each file goes to the thread's [`Scanner`].

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ignore::overrides::OverrideBuilder;
use ignore::{DirEntry, WalkBuilder, WalkState};

use crate::admit::{self, Content};
use crate::cache::{Cache, CachedResult, Entry as CacheEntry, Lookup, content_hash, mtime_nanos};
use crate::diagnostics::Code;
use crate::ignore_files;
use crate::scan::{FileKind, FileResult, ReadCounts, Scanner};

/// How to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub root: PathBuf,
    /// Sub-paths of the root to scan, relative to it (all of it when empty).
    pub paths: Vec<PathBuf>,
    /// Gitignore-style globs of paths not to scan.
    pub excludes: Vec<String>,
    /// Globs (relative to the root) of the only files to scan; empty: all of them (a
    /// GuardLink project's `include`).
    pub include: Vec<String>,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    pub max_file_size: u64,
    pub parse_deadline: Duration,
    /// Files never read (the tool's own outputs).
    pub skip: Vec<PathBuf>,
    /// The per-file cache to read and rewrite (`None`: no cache).
    pub cache_file: Option<PathBuf>,
}

impl WalkOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        WalkOptions {
            root: root.into(),
            paths: Vec::new(),
            excludes: Vec::new(),
            include: Vec::new(),
            threads: 0,
            max_file_size: 2 * 1024 * 1024,
            parse_deadline: Duration::from_secs(5),
            skip: Vec::new(),
            cache_file: None,
        }
    }
}

/// What the walk found: per file results (only files that held something), sorted by path.
#[derive(Debug, Default)]
pub struct WalkResult {
    pub files: Vec<FileResult>,
    pub files_seen: usize,
    pub counts: ReadCounts,
}

/// Errors that stop the walk before it starts.
#[derive(Debug)]
pub enum WalkError {
    Root(PathBuf, std::io::Error),
    NotADirectory(PathBuf),
    Exclude(String, String),
    Include(String),
    /// A path to scan (relative to the root) that resolves outside it.
    OutsideRoot(PathBuf),
    /// An ignore file of the root or above it that would never be read to its end.
    IgnoreFile(String),
}

impl std::fmt::Display for WalkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WalkError::Root(path, e) => write!(f, "cannot read {}: {e}", path.display()),
            WalkError::NotADirectory(path) => write!(f, "{} is not a directory", path.display()),
            WalkError::Exclude(glob, e) => write!(f, "bad --exclude glob `{glob}`: {e}"),
            WalkError::Include(e) => f.write_str(e),
            WalkError::IgnoreFile(shown) => write!(
                f,
                "{shown} is not a regular file of at most {} bytes (a link to a device?); refusing to read it",
                ignore_files::MAX_BYTES
            ),
            WalkError::OutsideRoot(path) => write!(
                f,
                "`{}` resolves outside the scanned root (a symlink); not scanned",
                path.display()
            ),
        }
    }
}

impl std::error::Error for WalkError {}

/// The walker every reader of a tree shares: ignore files honoured, hidden files
/// included, symlinks not followed, excludes and sub-paths applied. Callers add their
/// own entry filter and threads.
pub fn builder(options: &WalkOptions) -> Result<WalkBuilder, WalkError> {
    let root = &options.root;
    let canonical_root = root
        .canonicalize()
        .map_err(|e| WalkError::Root(root.clone(), e))?;
    let mut overrides = OverrideBuilder::new(root);
    for glob in &options.excludes {
        overrides
            .add(&format!("!{glob}"))
            .map_err(|e| WalkError::Exclude(glob.clone(), e.to_string()))?;
    }
    let overrides = overrides
        .build()
        .map_err(|e| WalkError::Exclude(options.excludes.join(" "), e.to_string()))?;
    let mut starts = options.paths.iter().map(|p| root.join(p));
    let mut builder = match starts.next() {
        Some(first) => {
            let mut b = WalkBuilder::new(first);
            for p in starts {
                b.add(p);
            }
            b
        }
        None => WalkBuilder::new(root),
    };
    for p in &options.paths {
        let full = root.join(p);
        std::fs::metadata(&full).map_err(|e| WalkError::Root(full.clone(), e))?;
        // The walker follows a start path that is a link: keep it inside the root too.
        if !full
            .canonicalize()
            .is_ok_and(|c| c.starts_with(&canonical_root))
        {
            return Err(WalkError::OutsideRoot(p.clone()));
        }
    }
    // The walker reads the ignore files of each start path and of its parents before
    // any filter runs.
    if let Some(shown) = ignore_files::hostile_at_starts(&canonical_root, &options.paths) {
        return Err(WalkError::IgnoreFile(shown));
    }
    builder
        .hidden(false)
        .parents(true)
        .ignore(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .follow_links(false)
        .overrides(overrides);
    Ok(builder)
}

pub fn walk(options: &WalkOptions) -> Result<WalkResult, WalkError> {
    let root = &options.root;
    let meta = std::fs::metadata(root).map_err(|e| WalkError::Root(root.clone(), e))?;
    if !meta.is_dir() {
        return Err(WalkError::NotADirectory(root.clone()));
    }
    std::fs::read_dir(root).map_err(|e| WalkError::Root(root.clone(), e))?;
    let canonical_root = root
        .canonicalize()
        .map_err(|e| WalkError::Root(root.clone(), e))?;
    let skip: Vec<PathBuf> = options
        .skip
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .collect();

    let threads = if options.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        options.threads
    };
    let mut builder = builder(options)?;
    let refused: Arc<Mutex<Vec<(PathBuf, &str)>>> = Arc::default();
    let refused_in_filter = Arc::clone(&refused);
    builder.threads(threads).filter_entry(move |e| {
        if e.file_name() == ".git" {
            return false;
        }
        // Filters run before the walker enters a directory and reads its ignore files.
        if e.file_type().is_some_and(|t| t.is_dir())
            && let Some(name) = ignore_files::hostile(e.path())
        {
            refused_in_filter
                .lock()
                .expect("no panics hold this lock")
                .push((e.path().to_path_buf(), name));
            return false;
        }
        true
    });

    let files = Mutex::new(Vec::new());
    let seen = std::sync::atomic::AtomicUsize::new(0);
    let cache = options.cache_file.as_deref().map(|file| CacheUse {
        loaded: Cache::load(file),
        kept: Mutex::new(Vec::new()),
        changed: AtomicBool::new(false),
    });
    let includes = admit::Includes::new(&options.include).map_err(WalkError::Include)?;
    let walker = Walker {
        root,
        canonical_root: &canonical_root,
        skip: &skip,
        includes: &includes,
        max_file_size: options.max_file_size,
        cache: cache.as_ref(),
    };
    let counts = Mutex::new(ReadCounts::default());
    builder.build_parallel().run(|| {
        let mut scanner = ThreadScanner {
            scanner: Scanner::new(options.parse_deadline),
            total: &counts,
        };
        let walker = &walker;
        let files = &files;
        let seen = &seen;
        Box::new(move |entry| {
            let result = match entry {
                Ok(entry) => {
                    if entry.file_type().is_some_and(|t| !t.is_dir()) {
                        seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    walker.visit(&entry, &mut scanner.scanner)
                }
                Err(e) => walker.walk_error(e),
            };
            if let Some(result) = result {
                files.lock().expect("no panics hold this lock").push(result);
            }
            WalkState::Continue
        })
    });
    let mut files = files.into_inner().expect("no panics hold this lock");
    for (dir, name) in refused.lock().expect("no panics hold this lock").drain(..) {
        files.extend(walker.skipped(
            &dir,
            format!(
                "not scanned: its `{name}` is not a regular file of at most {} bytes (a link to a device?)",
                ignore_files::MAX_BYTES
            ),
            "replace the link with a regular ignore file",
        ));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    if let (Some(file), Some(cache)) = (&options.cache_file, cache) {
        let kept = cache.kept.into_inner().expect("no panics hold this lock");
        // Rewritten only when something changed: an entry added, updated or gone.
        if cache.changed.into_inner() || kept.len() != cache.loaded.len() {
            Cache::save(file, kept);
        }
    }
    Ok(WalkResult {
        files,
        files_seen: seen.into_inner(),
        counts: counts.into_inner().expect("no panics hold this lock"),
    })
}

/// A walker thread's scanner, whose counts join the walk's when the thread ends.
struct ThreadScanner<'a> {
    scanner: Scanner,
    total: &'a Mutex<ReadCounts>,
}

impl Drop for ThreadScanner<'_> {
    fn drop(&mut self) {
        // A thread that panicked has poisoned nothing here: the lock is only held to add.
        if let Ok(mut total) = self.total.lock() {
            total.add(&self.scanner.counts);
        }
    }
}

struct Walker<'a> {
    root: &'a Path,
    canonical_root: &'a Path,
    skip: &'a [PathBuf],
    includes: &'a admit::Includes,
    max_file_size: u64,
    cache: Option<&'a CacheUse>,
}

/// Parsed bytes below which a file's result is not kept in the cache: parsing that little
/// costs about what decoding the entry would.
const WORTH_CACHING: u64 = 4096;

/// The per-file cache during a walk. Only files that needed a parse are kept in it: reading
/// a file and running the prefilter costs what a `stat` costs, and reading a comment header
/// what decoding its entry would, so those files are simply read again, and the cache stays
/// as small as the part of the model that was expensive to get.
struct CacheUse {
    loaded: Cache,
    /// The entries of the new cache.
    kept: Mutex<Vec<CacheEntry>>,
    /// An entry was added or updated.
    changed: AtomicBool,
}

impl Walker<'_> {
    fn relative(&self, path: &Path) -> String {
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

    fn skipped(&self, path: &Path, message: String, hint: &str) -> Option<FileResult> {
        Some(admit::skipped(&self.relative(path), message, hint))
    }

    fn walk_error(&self, error: ignore::Error) -> Option<FileResult> {
        let path = error_path(&error)?;
        self.skipped(
            &path,
            format!("not scanned: {}", io_message(&error)),
            "check the path's permissions, or exclude it with `--exclude`",
        )
    }

    fn visit(&self, entry: &DirEntry, scanner: &mut Scanner) -> Option<FileResult> {
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
        // Only a file the cache knows is worth a `stat` before it is read.
        let cached = match self.cache {
            Some(cache) if cache.loaded.knows(&rel) => match stamp(path) {
                Some((size, mtime)) => cache.loaded.lookup(&rel, size, mtime),
                None => Lookup::Unknown,
            },
            _ => Lookup::Unknown,
        };
        if let Lookup::Unchanged(entry) = cached {
            // Unchanged since the last run: not even read.
            self.keep(entry.clone(), false);
            return entry.result.clone().map(|r| r.into_result(&rel));
        }
        let (content, mtime) = match read(path, self.max_file_size, kind) {
            Ok(read) => read,
            Err(e) => return Some(admit::unreadable(&rel, &e)),
        };
        let bytes = match content {
            Content::Whole(bytes) => bytes,
            Content::TooLarge { size, may_hold } => {
                return admit::oversized(&rel, size, self.max_file_size, may_hold);
            }
        };
        match (self.cache, mtime) {
            (Some(_), Some(mtime)) => self.scan_and_keep(rel, bytes, kind, mtime, cached, scanner),
            _ if admit::is_binary(&bytes) => None,
            _ => scanner.scan(&rel, bytes, kind),
        }
    }

    /// How an entry is read, or what to say instead (`Err(None)`: nothing).
    fn admit(&self, entry: &DirEntry) -> Result<Option<FileKind>, Option<FileResult>> {
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

    /// Scans a file read with a cache: a touched file whose content is unchanged keeps its
    /// last result; a file that may hold annotations is kept for the next run.
    fn scan_and_keep(
        &self,
        rel: String,
        bytes: Vec<u8>,
        kind: Option<FileKind>,
        mtime: i128,
        cached: Lookup,
        scanner: &mut Scanner,
    ) -> Option<FileResult> {
        let size = bytes.len() as u64;
        let hash = content_hash(&bytes);
        if let Lookup::Verify(entry) = cached
            && entry.hash == Some(hash)
        {
            // Touched, not changed: the last result stands, with the new time.
            self.keep(
                CacheEntry {
                    mtime,
                    ..entry.clone()
                },
                true,
            );
            return entry.result.clone().map(|r| r.into_result(&rel));
        }
        let parsed_before = scanner.counts.parsed_bytes;
        let result = if admit::is_binary(&bytes) {
            None
        } else {
            scanner.scan(&rel, bytes, kind)
        };
        // Kept only when tree-sitter had real work: a comment header, a plain annotation
        // file or a few lines parsed to name a symbol are read again as fast as their entry
        // would be decoded. A parse cut short by its deadline depends on the machine: never
        // kept.
        let parsed = scanner.counts.parsed_bytes - parsed_before >= WORTH_CACHING;
        let timed_out = result
            .as_ref()
            .is_some_and(|r| r.diagnostics.iter().any(|d| d.code == Code::ParseTimeout));
        if let Some(found) = result.as_ref().filter(|_| parsed && !timed_out) {
            self.keep(
                CacheEntry {
                    path: rel,
                    size,
                    mtime,
                    hash: Some(hash),
                    result: Some(CachedResult::new(found)),
                },
                true,
            );
        }
        result
    }

    fn keep(&self, entry: CacheEntry, changed: bool) {
        if let Some(cache) = self.cache {
            if changed {
                cache.changed.store(true, Ordering::Relaxed);
            }
            cache
                .kept
                .lock()
                .expect("no panics hold this lock")
                .push(entry);
        }
    }
}

/// A file's size and modification time, for the cache.
fn stamp(path: &Path) -> Option<(u64, i128)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), mtime_nanos(meta.modified().ok()?)))
}

/// Reads a file under the cap; also its modification time, from the open file (no second
/// path lookup).
fn read(path: &Path, cap: u64, kind: Option<FileKind>) -> std::io::Result<(Content, Option<i128>)> {
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let mtime = meta.modified().ok().map(mtime_nanos);
    Ok((admit::read_capped(file, meta.len(), cap, kind)?, mtime))
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
