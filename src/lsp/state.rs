//! What the server knows: the workspace folders, the open buffers, a scanner (its parsers
//! kept between keystrokes), and what was last published. Requests read it through a
//! [`FileContext`]; notifications change it and [`State::publish`] reports the result.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lsp_types::{PublishDiagnosticsParams, Uri};

use super::convert::uri_to_path;
use super::diagnostics::{self, Items, Publisher};
use super::documents::Documents;
use super::index::Index;
use super::workspace::{self, Folder};
use crate::annotation::Annotation;
use crate::catalogue::Catalogue;
use crate::diagnostics::Code;
use crate::model::{BuildOptions, Model};
use crate::scan::Scanner;

/// The size cap of a buffer outside every folder (the walker's default).
const LOOSE_CAP: u64 = 2 * 1024 * 1024;

pub struct State {
    pub folders: Vec<Folder>,
    pub docs: Documents,
    pub scanner: Scanner,
    pub publisher: Publisher,
    /// Buffers edited since the last publish: each gets diagnostics for its new version.
    pub forced: HashSet<PathBuf>,
    /// Buffers outside every folder: syntax only, by version.
    loose: HashMap<PathBuf, (i32, Items)>,
    /// A model changed (or a folder went) since diagnostics were last published.
    pub unpublished: bool,
}

/// One file of a folder, as a request sees it.
pub struct FileContext {
    pub uri: Uri,
    pub root: PathBuf,
    pub rel: String,
    /// The buffer's text, else the file's.
    pub text: String,
    pub model: Arc<Model>,
    pub index: Arc<Index>,
    pub catalogue: Arc<Catalogue>,
    /// The annotations of this file.
    pub annotations: Vec<Annotation>,
}

impl State {
    pub fn new() -> State {
        State {
            folders: Vec::new(),
            docs: Documents::default(),
            scanner: Scanner::new(Duration::from_secs(5)),
            publisher: Publisher::default(),
            forced: HashSet::new(),
            loose: HashMap::new(),
            unpublished: false,
        }
    }

    /// The folder a path is in: the innermost root that holds it.
    pub fn folder_of(&self, path: &Path) -> Option<usize> {
        self.folders
            .iter()
            .enumerate()
            .filter(|(_, f)| path.starts_with(&f.root))
            .max_by_key(|(_, f)| f.root.components().count())
            .map(|(i, _)| i)
    }

    /// Whether a folder is still on its first walk: requests wait for it.
    pub fn loading(&self) -> bool {
        self.folders.iter().any(|f| !f.is_loaded())
    }

    /// Brings every model up to date with the buffers (no publishing).
    pub fn refresh(&mut self) {
        for folder in &mut self.folders {
            folder.sync(&self.docs, &mut self.scanner);
            if folder.dirty && folder.is_loaded() {
                folder.rebuild();
                self.unpublished = true;
            }
        }
    }

    /// Refreshes, then the diagnostics that changed (nothing when no model changed and
    /// no buffer was edited).
    pub fn publish(&mut self) -> Vec<PublishDiagnosticsParams> {
        self.refresh();
        if !std::mem::take(&mut self.unpublished) && self.forced.is_empty() {
            return Vec::new();
        }
        let mut now: BTreeMap<PathBuf, Items> = BTreeMap::new();
        for folder in &self.folders {
            if folder.is_loaded() {
                diagnostics::group(folder, &mut now);
            }
        }
        self.loose_items(&mut now);
        let forced = std::mem::take(&mut self.forced);
        // A forced file in a folder still loading is answered once the walk lands.
        let (ready, waiting): (HashSet<PathBuf>, HashSet<PathBuf>) =
            forced.into_iter().partition(|p| {
                self.folder_of(p)
                    .is_none_or(|i| self.folders[i].is_loaded())
            });
        self.forced = waiting;
        self.publisher.round(now, &ready, &self.docs)
    }

    /// Syntax diagnostics of the open buffers that no folder scans: a file outside the
    /// workspace. Ids may be declared anywhere, so a dangling reference is not reported.
    fn loose_items(&mut self, now: &mut BTreeMap<PathBuf, Items>) {
        let mut keep = HashSet::new();
        for doc in self.docs.iter() {
            let Some(path) = &doc.path else { continue };
            if self.folder_of(path).is_some() {
                continue;
            }
            keep.insert(path.clone());
            if self.loose.get(path).is_none_or(|(v, _)| *v != doc.version) {
                let name = path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                let result = workspace::scan_text(&mut self.scanner, &name, &doc.text, LOOSE_CAP);
                let mut model =
                    crate::model::build(result.into_iter().collect(), &BuildOptions::default());
                model
                    .diagnostics
                    .retain(|d| d.code != Code::DanglingReference);
                let items = Items {
                    root: path.parent().map(Path::to_path_buf).unwrap_or_default(),
                    diagnostics: model.diagnostics,
                    ..Items::default()
                };
                self.loose.insert(path.clone(), (doc.version, items));
            }
            if let Some((_, items)) = self.loose.get(path)
                && !(items.diagnostics.is_empty() && items.findings.is_empty())
            {
                now.insert(path.clone(), items.clone());
            }
        }
        self.loose.retain(|p, _| keep.contains(p));
    }

    /// The context of a file of a loaded folder that its walk scans.
    pub fn context(&mut self, uri: &Uri) -> Option<FileContext> {
        let path = uri_to_path(uri)?;
        let i = self.folder_of(&path)?;
        let folder = &mut self.folders[i];
        let rel = folder.relative(&path)?;
        let options = folder.options.as_ref()?;
        let catalogue = options.build.catalogue.clone();
        let annotations = folder
            .file(&rel)
            .map(|f| f.annotations.clone())
            .unwrap_or_default();
        let text = match self.docs.get(uri) {
            Some(doc) => doc.text.clone(),
            None => read_text(&path),
        };
        Some(FileContext {
            uri: uri.clone(),
            root: folder.root.clone(),
            rel,
            text,
            model: folder.model.clone(),
            index: folder.index(),
            catalogue,
            annotations,
        })
    }

    /// Every loaded folder's model and index, for workspace-wide requests.
    pub fn all(&mut self) -> Vec<(PathBuf, Arc<Model>, Arc<Index>)> {
        self.folders
            .iter_mut()
            .filter(|f| f.is_loaded())
            .map(|f| (f.root.clone(), f.model.clone(), f.index()))
            .collect()
    }
}

/// A file's text as the scanner reads it: lossily, without a BOM.
pub fn read_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    text.strip_prefix('\u{feff}').unwrap_or(&text).to_string()
}
