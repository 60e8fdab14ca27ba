//! Walking the tree: the `ignore` crate's parallel walker (`.gitignore` and `.ignore`
//! honoured, hidden files included), excludes, the size cap, binary sniffing and
//! symlinks kept inside the root. Each file goes to the thread's [`Scanner`].

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ignore::overrides::OverrideBuilder;
use ignore::{DirEntry, WalkBuilder, WalkState};

use crate::admit::{self, Content};
use crate::cache::{Cache, Found, Record, Stamp, codec, content_hash};
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

fn walk_held(options: &WalkOptions) -> Result<Walked, WalkError> {
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

struct Walker<'a> {
    root: &'a Path,
    canonical_root: &'a Path,
    skip: &'a [PathBuf],
    includes: &'a admit::Includes,
    max_file_size: u64,
    cache: Option<&'a Cache>,
}

/// Parsed bytes from which a file that held nothing still gets a record (with its content
/// hash): touched but not changed, it is then not parsed again.
const WORTH_CACHING: u64 = 4096;

/// Whether a file's result holds anything for the model.
fn holds_something(result: &FileResult) -> bool {
    !result.annotations.is_empty() || !result.diagnostics.is_empty()
}

/// A file's result while the walk runs: in the cache's record encoding (about 140 bytes an
/// annotation, a tenth of what the decoded annotation takes), or as it is when the encoding
/// has no place for something in it.
enum Held {
    Encoded(Vec<u8>),
    Plain(FileResult),
}

impl Held {
    /// Holds a result with something in it; nothing otherwise.
    fn new(result: FileResult) -> Option<Held> {
        if !holds_something(&result) {
            return None;
        }
        Some(match codec::encode(&result.path, None, Some(&result)) {
            Ok(bytes) => Held::Encoded(bytes),
            Err(_) => Held::Plain(result),
        })
    }
}

/// What the walk holds of the files that held something, until it ends: their records end
/// to end in one buffer, so that the walker threads keep no small allocation alive between
/// files (what they free, they reuse for the next file; the buffer grows by doubling,
/// outside their heaps). Decoded once the walk is over, in path order, on the thread that
/// builds the model: on 200,000 files, the walk holds 4 MB where the decoded results
/// take 40.
#[derive(Default)]
struct Results {
    bytes: Vec<u8>,
    /// Offset and length of each record in `bytes`.
    records: Vec<(usize, usize)>,
    plain: Vec<FileResult>,
}

impl Results {
    fn push(&mut self, held: Held) {
        match held {
            Held::Encoded(record) => {
                self.records.push((self.bytes.len(), record.len()));
                self.bytes.extend_from_slice(&record);
            }
            Held::Plain(result) => self.plain.push(result),
        }
    }

    fn extend(&mut self, held: Option<Held>) {
        if let Some(held) = held {
            self.push(held);
        }
    }

    /// The results in path order: records (with their paths) and plain results.
    fn sorted(bytes: &[u8], records: Vec<(usize, usize)>, plain: Vec<FileResult>) -> Vec<Item<'_>> {
        let mut items: Vec<Item> = records
            .into_iter()
            .map(|(offset, len)| {
                let record = &bytes[offset..offset + len];
                Item::Record(codec::head(record).map_or("", |h| h.path), record)
            })
            .chain(plain.into_iter().map(Item::Plain))
            .collect();
        items.sort_by(|a, b| a.path().cmp(b.path()));
        items
    }

    /// Every result, sorted by path; `reread` gives the result of a file whose record does
    /// not decode.
    fn into_results(self, mut reread: impl FnMut(&str) -> Option<FileResult>) -> Vec<FileResult> {
        let Results {
            bytes,
            records,
            plain,
        } = self;
        Results::sorted(&bytes, records, plain)
            .into_iter()
            .filter_map(|item| match item {
                Item::Plain(result) => Some(result),
                Item::Record(path, record) => match codec::decode(record, path) {
                    Ok(Some(result)) => Some(result),
                    _ => reread(path),
                },
            })
            .collect()
    }

    /// Every result as one run in path order, and the number of files with annotations.
    fn into_run(self, mut reread: impl FnMut(&str) -> Option<FileResult>) -> (FileResult, usize) {
        let Results {
            bytes,
            records,
            plain,
        } = self;
        let items = Results::sorted(&bytes, records, plain);
        let (mut annotations, mut diagnostics) = (0, 0);
        for item in &items {
            match item {
                Item::Record(_, record) => {
                    if let Ok(head) = codec::head(record) {
                        annotations += head.annotations;
                        diagnostics += head.diagnostics;
                    }
                }
                Item::Plain(result) => {
                    annotations += result.annotations.len();
                    diagnostics += result.diagnostics.len();
                }
            }
        }
        let mut run = FileResult {
            path: String::new(),
            annotations: Vec::with_capacity(annotations),
            diagnostics: Vec::with_capacity(diagnostics),
        };
        let mut files_with_annotations = 0;
        for item in items {
            let before = (run.annotations.len(), run.diagnostics.len());
            let plain = match item {
                Item::Plain(result) => Some(result),
                Item::Record(path, record) => {
                    match codec::decode_into(
                        record,
                        path,
                        &mut run.annotations,
                        &mut run.diagnostics,
                    ) {
                        Ok(_) => None,
                        Err(_) => {
                            run.annotations.truncate(before.0);
                            run.diagnostics.truncate(before.1);
                            reread(path)
                        }
                    }
                }
            };
            if let Some(result) = plain {
                run.annotations.extend(result.annotations);
                run.diagnostics.extend(result.diagnostics);
            }
            files_with_annotations += usize::from(run.annotations.len() > before.0);
        }
        (run, files_with_annotations)
    }
}

/// A result in [`Results::sorted`].
enum Item<'a> {
    Record(&'a str, &'a [u8]),
    Plain(FileResult),
}

impl Item<'_> {
    fn path(&self) -> &str {
        match self {
            Item::Record(path, _) => path,
            Item::Plain(result) => &result.path,
        }
    }
}

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

    fn skipped(&self, path: &Path, message: String, hint: &str) -> Option<Held> {
        Some(Held::Plain(admit::skipped(
            &self.relative(path),
            message,
            hint,
        )))
    }

    fn walk_error(&self, error: ignore::Error) -> Option<Held> {
        let path = error_path(&error)?;
        self.skipped(
            &path,
            format!("not scanned: {}", io_message(&error)),
            "check the path's permissions, or exclude it with `--exclude`",
        )
    }

    fn visit(&self, entry: &DirEntry, scanner: &mut Scanner) -> Option<Held> {
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
                    let record = match &result {
                        None => Some(Record::None),
                        Some(r) => codec::encode(&rel, None, Some(r)).ok().map(Record::New),
                    };
                    if let Some(record) = record {
                        cache.add(&rel, stamp, record);
                    }
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

/// Reads and scans a file, without a cache.
fn read_and_scan(
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
