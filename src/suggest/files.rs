//! The files detectors read: the walk of `threatline check` (`.gitignore` and `.ignore`
//! honoured, hidden files included, excludes and sub-paths applied, symlinks not
//! followed), without vendored and downloaded code and without tests, whose servers and
//! resources are not the project's own components.

use std::io::Read;

use crate::walk::{WalkError, WalkOptions};

/// Directories never looked into: other people's code that a repository carries, and
/// tests, whose servers, images and manifests exist to test the components, not to be
/// them.
const NOT_COMPONENTS: &[&str] = &[
    ".git",
    "node_modules",
    "vendor",
    "third_party",
    ".terraform",
    ".venv",
    "venv",
    "site-packages",
    "test",
    "tests",
    "testdata",
    "__tests__",
    "e2e",
    "spec",
    "specs",
];

/// A file's text, read lossily, with its path relative to the root.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the root, `/`-separated.
    pub path: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            path: path.into(),
            text: text.into(),
        }
    }

    /// Line `line` (1-based), trimmed, at most [`EVIDENCE_CHARS`] characters.
    pub fn line_text(&self, line: u32) -> String {
        let text = self
            .text
            .lines()
            .nth(line.saturating_sub(1) as usize)
            .unwrap_or("")
            .trim();
        if text.chars().count() <= EVIDENCE_CHARS {
            return text.to_string();
        }
        let cut: String = text.chars().take(EVIDENCE_CHARS - 3).collect();
        format!("{cut}...")
    }

    /// The file name, the last part of its path.
    pub fn name(&self) -> &str {
        file_name(&self.path)
    }
}

/// Evidence lines are for recognising the place, not reading the file.
const EVIDENCE_CHARS: usize = 100;

pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The extension of a path, lowercased, if it has one.
pub fn extension(path: &str) -> Option<String> {
    let name = file_name(path);
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty()).then(|| ext.to_ascii_lowercase())
}

/// Reads every file under the walk's root that `wanted` accepts by path, sorted by path.
/// Files over the size limit, binary files and unreadable files are left out: a
/// suggestion is a hint, and `check` reports such files itself.
pub fn read(
    options: &WalkOptions,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Vec<SourceFile>, WalkError> {
    let root = &options.root;
    let meta = std::fs::metadata(root).map_err(|e| WalkError::Root(root.clone(), e))?;
    if !meta.is_dir() {
        return Err(WalkError::NotADirectory(root.clone()));
    }
    let mut builder = crate::walk::builder(options)?;
    builder.filter_entry(|e| {
        // Depth 0 is a root the user named: looked at, whatever its name.
        e.depth() == 0
            || !(e.file_type().is_some_and(|t| t.is_dir())
                && NOT_COMPONENTS.contains(
                    &e.file_name()
                        .to_string_lossy()
                        .to_ascii_lowercase()
                        .as_str(),
                ))
    });
    let mut files = Vec::new();
    for entry in builder.build().flatten() {
        // Symlinks are not followed: their targets in the tree are read as themselves.
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let relative = relative(entry.path(), root);
        if !wanted(&relative) {
            continue;
        }
        if let Some(text) = read_text(entry.path(), options.max_file_size) {
            files.push(SourceFile::new(relative, text));
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    Ok(files)
}

fn relative(path: &std::path::Path, root: &std::path::Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn read_text(path: &std::path::Path, max: u64) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    // One byte past the cap tells an over-size file from one exactly at it.
    file.take(max + 1).read_to_end(&mut bytes).ok()?;
    if bytes.len() as u64 > max || memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return None;
    }
    let text = String::from_utf8_lossy(&bytes);
    Some(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_lines_are_trimmed_and_bounded() {
        let long = format!("x = \"{}\"", "a".repeat(200));
        let f = SourceFile::new("a.py", format!("  first  \n{long}\n"));
        assert_eq!(f.line_text(1), "first");
        assert_eq!(f.line_text(2).chars().count(), EVIDENCE_CHARS);
        assert!(f.line_text(2).ends_with("..."));
        assert_eq!(f.line_text(9), "");
    }

    #[test]
    fn extensions_are_lowercased_and_need_a_stem() {
        assert_eq!(extension("deploy/App.YAML").as_deref(), Some("yaml"));
        assert_eq!(extension("x/.tf"), None);
        assert_eq!(extension("Dockerfile"), None);
    }
}
