//! One workspace folder: its scan options (its own `threatline.yaml`), the per-file results
//! of the last walk, the open buffers' results over them, and the model and findings
//! rebuilt from both.
//!
//! The walk runs once on `initialize` (the per-file cache makes it cheap when the tree
//! was scanned before) and again only when files appear, the config changes or an ignore
//! file does. A keystroke re-extracts the one buffer it changed and rebuilds the model and
//! its findings from the per-file results, which are kept: no file is read again.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::documents::Documents;
use super::index::Index;
use crate::admit::{self, Content};
use crate::config::{Config, ConfigError};
use crate::model::Model;
use crate::pipeline::ScanOptions;
use crate::scan::{FileResult, Scanner};
use crate::walk::{self, WalkOptions};

/// What a walk of a folder gives, made on a worker thread.
pub struct Loaded {
    pub options: ScanOptions,
    pub files: Vec<FileResult>,
    /// Every file the walk would read (the ones that held nothing too), relative.
    pub walked: HashSet<String>,
    pub config_problem: Option<ConfigProblem>,
    pub elapsed: Duration,
}

/// A config file that could not be used: the folder is scanned with the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigProblem {
    /// The file, when the error names one.
    pub path: Option<PathBuf>,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

pub struct Folder {
    pub root: PathBuf,
    pub name: String,
    /// `None` until the first walk is done.
    pub options: Option<ScanOptions>,
    pub config_problem: Option<ConfigProblem>,
    /// The last walk's results, kept up to date by saves and watched-file events.
    base: BTreeMap<String, FileResult>,
    walked: HashSet<String>,
    /// Open buffers of this folder's scanned files: the version scanned and its result.
    overlay: HashMap<String, (i32, Option<FileResult>)>,
    pub model: Arc<Model>,
    index: Option<Arc<Index>>,
    /// The model is older than the per-file results.
    pub dirty: bool,
    /// Bumped for each walk started: a walk's result is applied only if it is the latest.
    pub generation: u64,
    /// A walk is running.
    pub walking: bool,
    /// Another walk was asked for while one ran.
    pub walk_again: bool,
    /// Files rescanned one by one while a walk ran: rescanned again after it lands.
    touched: HashSet<String>,
    /// How long the last rebuild took.
    pub last_rebuild: Duration,
}

impl Folder {
    pub fn new(root: PathBuf, name: String) -> Folder {
        Folder {
            root,
            name,
            options: None,
            config_problem: None,
            base: BTreeMap::new(),
            walked: HashSet::new(),
            overlay: HashMap::new(),
            model: Arc::new(Model::default()),
            index: None,
            dirty: false,
            generation: 0,
            walking: false,
            walk_again: false,
            touched: HashSet::new(),
            last_rebuild: Duration::ZERO,
        }
    }

    pub fn is_loaded(&self) -> bool {
        self.options.is_some()
    }

    /// The path of `path` relative to the root, `/`-separated, when it is under it.
    pub fn relative(&self, path: &Path) -> Option<String> {
        relative(&self.root, path)
    }

    /// Takes a walk's result.
    pub fn apply(&mut self, loaded: Loaded, docs: &Documents, scanner: &mut Scanner) {
        self.options = Some(loaded.options);
        self.config_problem = loaded.config_problem;
        self.walked = loaded.walked;
        self.base = loaded
            .files
            .into_iter()
            .map(|f| (f.path.clone(), f))
            .collect();
        self.overlay.clear();
        for rel in std::mem::take(&mut self.touched) {
            self.rescan_file(&rel, scanner);
        }
        self.sync(docs, scanner);
        self.dirty = true;
    }

    /// Brings the open buffers' results up to date with their text; marks the model
    /// dirty when one changed. Returns the files rescanned.
    pub fn sync(&mut self, docs: &Documents, scanner: &mut Scanner) -> Vec<String> {
        let Some(options) = &self.options else {
            return Vec::new();
        };
        let cap = options.walk.max_file_size;
        let mut open = HashSet::new();
        let mut rescanned = Vec::new();
        for doc in docs.iter() {
            let Some(rel) = doc.path.as_deref().and_then(|p| self.relative(p)) else {
                continue;
            };
            if !self.walked.contains(&rel) {
                continue;
            }
            open.insert(rel.clone());
            if self
                .overlay
                .get(&rel)
                .is_some_and(|(v, _)| *v == doc.version)
            {
                continue;
            }
            let result = scan_text(scanner, &rel, &doc.text, cap);
            self.overlay.insert(rel.clone(), (doc.version, result));
            rescanned.push(rel);
        }
        let before = self.overlay.len();
        self.overlay.retain(|rel, _| open.contains(rel));
        if !rescanned.is_empty() || self.overlay.len() != before {
            self.dirty = true;
        }
        rescanned
    }

    /// Every file's current result, in path order: the open buffer's where there is one.
    pub fn files(&self) -> Vec<&FileResult> {
        let mut files: Vec<&FileResult> = self
            .base
            .iter()
            .filter(|(rel, _)| !self.overlay.contains_key(*rel))
            .map(|(_, f)| f)
            .chain(self.overlay.values().filter_map(|(_, f)| f.as_ref()))
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    /// The current result of one file.
    pub fn file(&self, rel: &str) -> Option<&FileResult> {
        match self.overlay.get(rel) {
            Some((_, f)) => f.as_ref(),
            None => self.base.get(rel),
        }
    }

    /// Rebuilds the model and its findings from the per-file results.
    pub fn rebuild(&mut self) {
        let Some(options) = &self.options else { return };
        let started = Instant::now();
        let files: Vec<FileResult> = self.files().into_iter().map(copy).collect();
        let mut model = crate::model::build(files, &options.build);
        model.findings = crate::analysis::analyse(&model, &options.analysis);
        self.model = Arc::new(model);
        self.index = None;
        self.dirty = false;
        self.last_rebuild = started.elapsed();
    }

    /// The index of the current model, built on first use after a rebuild.
    pub fn index(&mut self) -> Arc<Index> {
        if let Some(index) = &self.index {
            return index.clone();
        }
        let index = Arc::new(Index::build(&self.model, &self.files()));
        self.index = Some(index.clone());
        index
    }

    /// A file on disk changed (a save, a watched-file event). Returns whether a new walk is
    /// needed: the config or an ignore file changed, or a file appeared that the walk has
    /// not judged.
    pub fn file_changed(&mut self, path: &Path, deleted: bool, scanner: &mut Scanner) -> bool {
        let Some(rel) = self.relative(path) else {
            return false;
        };
        if self.affects_options(path) {
            return true;
        }
        if deleted {
            let prefix = format!("{rel}/");
            let before = self.walked.len();
            self.walked.retain(|f| f != &rel && !f.starts_with(&prefix));
            self.base
                .retain(|f, _| f != &rel && !f.starts_with(&prefix));
            if self.walked.len() != before {
                self.dirty = true;
            }
            return false;
        }
        if self.walked.contains(&rel) {
            if self.walking {
                self.touched.insert(rel.clone());
            }
            self.rescan_file(&rel, scanner);
            self.dirty = true;
            return false;
        }
        // A new file, or one the walk passes over: only a walk can tell which.
        path.is_dir() || admit::by_name(path).is_some()
    }

    /// Whether a change to `path` changes what is scanned or how: the config, a GuardLink
    /// project file, an organisation catalogue, an ignore file.
    fn affects_options(&self, path: &Path) -> bool {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if crate::config::FILE_NAMES.contains(&name)
            || matches!(name, ".gitignore" | ".ignore")
            || path.ends_with(".guardlink/config.json")
            || path.ends_with(".git/info/exclude")
        {
            return true;
        }
        self.options
            .as_ref()
            .is_some_and(|o| o.config.catalogues.iter().any(|c| same_file(c, path)))
    }

    /// Reads one file from disk again, as the walk would.
    fn rescan_file(&mut self, rel: &str, scanner: &mut Scanner) {
        let Some(options) = &self.options else { return };
        let path = self.root.join(rel);
        let cap = options.walk.max_file_size;
        let result = match read_file(&path, cap) {
            Ok(Some(content)) => match content {
                Content::Whole(bytes) if admit::is_binary(&bytes) => None,
                Content::Whole(bytes) => {
                    let kind = admit::by_name(&path).flatten();
                    scanner.scan(rel, bytes, kind)
                }
                Content::TooLarge { size, may_hold } => admit::oversized(rel, size, cap, may_hold),
            },
            Ok(None) => None,
            Err(e) => Some(admit::unreadable(rel, &e)),
        };
        match result {
            Some(r) => {
                self.base.insert(rel.to_string(), r);
            }
            None => {
                self.base.remove(rel);
            }
        }
    }
}

fn read_file(path: &Path, cap: u64) -> std::io::Result<Option<Content>> {
    let Some(kind) = admit::by_name(path) else {
        return Ok(None);
    };
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    admit::read_capped(file, size, cap, kind).map(Some)
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// `path` relative to `root`, `/`-separated, as the walker names files.
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut out = String::new();
    for (i, part) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    (!out.is_empty()).then_some(out)
}

/// Scans a buffer's text as the walker would scan the file: over the size cap it is
/// reported (when it may hold annotations) and not read; binary content is passed over.
pub fn scan_text(scanner: &mut Scanner, rel: &str, text: &str, cap: u64) -> Option<FileResult> {
    let path = Path::new(rel);
    let kind = admit::by_name(path)?;
    let bytes = text.as_bytes();
    if bytes.len() as u64 > cap {
        return match admit::too_large(std::io::Cursor::new(bytes), kind) {
            Ok(Content::TooLarge { size, may_hold }) => admit::oversized(rel, size, cap, may_hold),
            _ => None,
        };
    }
    if admit::is_binary(bytes) {
        return None;
    }
    scanner.scan(rel, bytes.to_vec(), kind)
}

/// A copy of a per-file result (the type is not `Clone`: the walker never copies one).
pub fn copy(f: &FileResult) -> FileResult {
    FileResult {
        path: f.path.clone(),
        annotations: f.annotations.clone(),
        diagnostics: f.diagnostics.clone(),
    }
}

/// Walks a folder with its config, as `check` would, keeping the per-file cache warm.
/// Runs on a worker thread.
pub fn load(root: &Path) -> Result<Loaded, String> {
    let started = Instant::now();
    let (mut options, config_problem) = match ScanOptions::for_tree(root) {
        Ok(options) => (options, None),
        Err(e) => {
            let problem = config_problem(root, &e);
            let options = ScanOptions::new(WalkOptions::new(root), Config::defaults())
                .map_err(|e| e.message())?;
            (options, Some(problem))
        }
    };
    options.walk.cache_file = crate::cache::file_for(root, None);
    let walked = enumerate(&options.walk).map_err(|e| e.to_string())?;
    let result = walk::walk(&options.walk).map_err(|e| e.to_string())?;
    Ok(Loaded {
        options,
        files: result.files,
        walked,
        config_problem,
        elapsed: started.elapsed(),
    })
}

fn config_problem(root: &Path, e: &ConfigError) -> ConfigProblem {
    let path = e.path().map(|p| {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            root.join(p)
        }
    });
    let (line, column) = e.place().map_or((1, 1), |p| (p.line, p.column));
    let mut message = e.message();
    if let Some(hint) = e.hint() {
        message.push_str(&format!("\nhelp: {hint}"));
    }
    ConfigProblem {
        path,
        line,
        column,
        message: format!("{message}\n(the folder is checked with the default settings)"),
    }
}

/// Every file the walk would read, relative to the root: the same walker, filters and
/// includes, without reading anything.
fn enumerate(options: &WalkOptions) -> Result<HashSet<String>, walk::WalkError> {
    let includes = admit::Includes::new(&options.include).map_err(walk::WalkError::Include)?;
    let mut builder = walk::builder(options)?;
    builder.filter_entry(|e| e.file_name() != ".git");
    let found = Mutex::new(HashSet::new());
    let root = &options.root;
    builder.build_parallel().run(|| {
        let found = &found;
        let includes = &includes;
        Box::new(move |entry| {
            if let Ok(entry) = entry
                && entry.file_type().is_some_and(|t| !t.is_dir())
                && admit::by_name(entry.path()).is_some()
                && let Some(rel) = relative(root, entry.path())
                && includes.admits(&rel)
            {
                found.lock().expect("no panics hold this lock").insert(rel);
            }
            ignore::WalkState::Continue
        })
    });
    Ok(found.into_inner().expect("no panics hold this lock"))
}
