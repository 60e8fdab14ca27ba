//! Helpers shared by the integration tests: a tree of files in a temporary directory.

#![allow(dead_code)]

use std::path::Path;

use threatline::model::{BuildOptions, Model};
use threatline::walk::WalkOptions;

/// Writes `files` (relative path, content) under a new temporary directory.
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, content) in files {
        write(dir.path(), path, content.as_bytes());
    }
    dir
}

pub fn write(root: &Path, path: &str, content: &[u8]) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, content).unwrap();
}

/// Scans `root` with default options.
pub fn scan(root: &Path) -> Model {
    threatline::scan_tree(&WalkOptions::new(root), &BuildOptions::default()).expect("scan")
}

/// Scans `root` as `check` does: its `threatline.yaml` and a GuardLink project file
/// applied.
pub fn scan_configured(root: &Path) -> Model {
    threatline::pipeline::ScanOptions::for_tree(root)
        .expect("config")
        .scan()
        .expect("scan")
}

/// Scans a tree made of `files`.
pub fn model(files: &[(&str, &str)]) -> Model {
    let dir = tree(files);
    scan(dir.path())
}

/// `code file:line:col` of every diagnostic.
pub fn diagnostics(model: &Model) -> Vec<String> {
    model
        .diagnostics
        .iter()
        .map(|d| format!("{} {}", d.code.as_str(), d.location))
        .collect()
}
