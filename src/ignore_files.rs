//! Ignore files from the tree that the `ignore` crate must not read. It reads a
//! directory's `.ignore` and `.gitignore` whole, line by line, when it enters the
//! directory, and those of every parent of a start path: one that is a link to
//! `/dev/zero` filled memory until the process died. The walk checks them first
//! (`walk.rs`): at a start path or above it the scan stops, below it the directory is
//! skipped with a diagnostic.

use std::path::{Path, PathBuf};

/// The files the crate reads in each directory.
const NAMES: [&str; 2] = [".ignore", ".gitignore"];

/// Glob lists are small; a regular file larger than this is refused too.
pub const MAX_BYTES: u64 = 1024 * 1024;

/// The name of an ignore file in `dir` that must not be read: not a regular file (links
/// followed), or too big. An absent or dangling one is fine: the crate skips it.
pub fn hostile(dir: &Path) -> Option<&'static str> {
    NAMES.into_iter().find(|name| {
        std::fs::metadata(dir.join(name)).is_ok_and(|m| !(m.is_file() && m.len() <= MAX_BYTES))
    })
}

/// The first hostile ignore file at or above the start paths (`paths` relative to the
/// root, or the root itself when empty), shown relative to the root, never absolute.
pub fn hostile_at_starts(canonical_root: &Path, paths: &[PathBuf]) -> Option<String> {
    let starts: Vec<PathBuf> = if paths.is_empty() {
        vec![canonical_root.to_path_buf()]
    } else {
        paths
            .iter()
            .filter_map(|p| canonical_root.join(p).canonicalize().ok())
            .collect()
    };
    for start in &starts {
        for dir in start.ancestors() {
            if let Some(name) = hostile(dir) {
                return Some(match dir.strip_prefix(canonical_root) {
                    Ok(rel) => rel.join(name).display().to_string(),
                    Err(_) => {
                        let up = canonical_root
                            .ancestors()
                            .position(|a| a == dir)
                            .unwrap_or(0);
                        format!("{}{name}", "../".repeat(up))
                    }
                });
            }
        }
    }
    None
}
