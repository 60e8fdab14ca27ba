//! Walking the tree: the `ignore` crate's parallel walker (`.gitignore` and `.ignore`
//! honoured, hidden files included), excludes, the size cap, binary sniffing and
//! symlinks kept inside the root. Each file goes to the thread's [`Scanner`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};

use crate::admit;
use crate::cache::Cache;
use crate::ignore_files;
use crate::scan::{FileResult, ReadCounts, Scanner};

mod held;
mod visit;

use held::{Results, holds_something};
use visit::{Walker, read_and_scan};

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

/// What the walk found: per file results, sorted by path. Only files that held something
/// (an annotation or a diagnostic) are here: a file with nothing in it leaves nothing
/// behind, not even its path.
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

/// Walks the tree: every file's result, in path order.
pub fn walk(options: &WalkOptions) -> Result<WalkResult, WalkError> {
    let walked = walk_held(options)?;
    let mut reread = Reread::new(options, walked.cache_file);
    Ok(WalkResult {
        files: walked.results.into_results(|path| reread.file(path)),
        files_seen: walked.files_seen,
        counts: walked.counts,
    })
}

/// What [`walk_run`] gives: every file's results as one run.
#[derive(Debug, Default)]
pub struct WalkRun {
    /// The annotations and diagnostics of every file, files in path order, as one result
    /// (with an empty path), in vectors of exact length.
    pub run: FileResult,
    pub files_seen: usize,
    /// Files that hold at least one annotation.
    pub files_with_annotations: usize,
    pub counts: ReadCounts,
}

/// Walks the tree into one run of results, for the model builder, which gathers them all
/// before its passes: decoded straight into vectors of exact length, there is no per-file
/// vector to copy from (on 200,000 files, 30,000 annotations of about 900 bytes each).
pub fn walk_run(options: &WalkOptions) -> Result<WalkRun, WalkError> {
    let walked = walk_held(options)?;
    let mut reread = Reread::new(options, walked.cache_file);
    let (run, files_with_annotations) = walked.results.into_run(|path| reread.file(path));
    Ok(WalkRun {
        run,
        files_seen: walked.files_seen,
        files_with_annotations,
        counts: walked.counts,
    })
}

/// Reads a file again once the walk is over, because its record did not decode (never
/// seen: a record this build wrote and checked), so that it is read rather than lost.
struct Reread<'a> {
    options: &'a WalkOptions,
    cache_file: Option<PathBuf>,
    scanner: Option<Scanner>,
}

impl<'a> Reread<'a> {
    fn new(options: &'a WalkOptions, cache_file: Option<PathBuf>) -> Self {
        Reread {
            options,
            cache_file,
            scanner: None,
        }
    }

    fn file(&mut self, rel: &str) -> Option<FileResult> {
        if let Some(file) = self.cache_file.take() {
            crate::cache::note_bad_record(&file);
        }
        let path = self.options.root.join(rel);
        let kind = admit::by_name(&path)?;
        let deadline = self.options.parse_deadline;
        let scanner = self.scanner.get_or_insert_with(|| Scanner::new(deadline));
        read_and_scan(&path, rel, kind, self.options.max_file_size, scanner).filter(holds_something)
    }
}

/// A walk's results, still encoded, with the cache already saved.
struct Walked {
    results: Results,
    files_seen: usize,
    counts: ReadCounts,
    cache_file: Option<PathBuf>,
}

/// The root, checked to be a readable directory: its canonical path.
fn checked_root(root: &PathBuf) -> Result<PathBuf, WalkError> {
    let meta = std::fs::metadata(root).map_err(|e| WalkError::Root(root.clone(), e))?;
    if !meta.is_dir() {
        return Err(WalkError::NotADirectory(root.clone()));
    }
    std::fs::read_dir(root).map_err(|e| WalkError::Root(root.clone(), e))?;
    root.canonicalize()
        .map_err(|e| WalkError::Root(root.clone(), e))
}

/// Directories not entered because an ignore file in them is hostile, and its name.
type Refused = Arc<Mutex<Vec<(PathBuf, &'static str)>>>;

/// The shared walker with its threads, `.git` left out, and directories whose ignore files
/// are hostile refused (filters run before the walker enters a directory and reads them).
fn filtered_builder(options: &WalkOptions) -> Result<(WalkBuilder, Refused), WalkError> {
    let threads = if options.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        options.threads
    };
    let mut builder = builder(options)?;
    let refused: Refused = Arc::default();
    let refused_in_filter = Arc::clone(&refused);
    builder.threads(threads).filter_entry(move |e| {
        if e.file_name() == ".git" {
            return false;
        }
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
    Ok((builder, refused))
}

fn walk_held(options: &WalkOptions) -> Result<Walked, WalkError> {
    let root = &options.root;
    let canonical_root = checked_root(root)?;
    let skip: Vec<PathBuf> = options
        .skip
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    let (builder, refused) = filtered_builder(options)?;
    let files = Mutex::new(Results::default());
    let seen = std::sync::atomic::AtomicUsize::new(0);
    let cache = options
        .cache_file
        .as_deref()
        .map(|file| Cache::open(file, &canonical_root, options.max_file_size));
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
            if let Some(held) = result {
                files.lock().expect("no panics hold this lock").push(held);
            }
            WalkState::Continue
        })
    });
    let mut held = files.into_inner().expect("no panics hold this lock");
    for (dir, name) in refused.lock().expect("no panics hold this lock").drain(..) {
        held.extend(walker.skipped(
            &dir,
            format!(
                "not scanned: its `{name}` is not a regular file of at most {} bytes (a link to a device?)",
                ignore_files::MAX_BYTES
            ),
            "replace the link with a regular ignore file",
        ));
    }
    if let Some(cache) = cache {
        // Rewritten only when something changed: an entry added, updated or gone. Saved
        // before the results are decoded: its bytes are gone by then.
        cache.save();
    }
    Ok(Walked {
        results: held,
        files_seen: seen.into_inner(),
        counts: counts.into_inner().expect("no panics hold this lock"),
        cache_file: options.cache_file.clone(),
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
