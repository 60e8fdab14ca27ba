//! What the command line's paths name: one directory is a tree of its own; files (or
//! several paths) are read within their project, so that ids resolve across it (the
//! pre-commit case, which passes the changed files), and only what lies in them is reported.

use std::path::{Component, Path, PathBuf};

use anyhow::Context as _;

use crate::model::Model;

/// A resolved target: the tree to scan and, when the paths were files, what to report.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub root: PathBuf,
    /// Root-relative `/`-separated files and folders to report on; empty for all.
    pub focus: Vec<String>,
}

/// The markers of a project root: a `threatline.yaml`, a GuardLink project, a git work tree.
const PROJECT_MARKERS: [&str; 4] = ["threatline.yaml", ".threatline.yaml", ".guardlink", ".git"];

pub fn resolve(paths: &[PathBuf]) -> anyhow::Result<Target> {
    match paths {
        [] => Ok(Target {
            root: PathBuf::from("."),
            focus: Vec::new(),
        }),
        // One directory (or a path that does not exist, which the walk reports).
        [one] if !one.is_file() => Ok(Target {
            root: one.clone(),
            focus: Vec::new(),
        }),
        _ => within_project(paths),
    }
}

fn within_project(paths: &[PathBuf]) -> anyhow::Result<Target> {
    let canonical: Vec<PathBuf> = paths
        .iter()
        .map(|p| {
            p.canonicalize()
                .with_context(|| format!("cannot read {}", p.display()))
        })
        .collect::<anyhow::Result<_>>()?;
    let common = common_dir(&canonical);
    let root = common
        .ancestors()
        .find(|dir| PROJECT_MARKERS.iter().any(|m| dir.join(m).exists()))
        .unwrap_or(&common)
        .to_path_buf();
    let mut focus: Vec<String> = canonical
        .iter()
        .map(|p| slash_path(p.strip_prefix(&root).unwrap_or(p)))
        .collect();
    focus.sort();
    focus.dedup();
    Ok(Target {
        root: shown_relative(&root),
        focus,
    })
}

/// The deepest directory holding every path (a file's own folder for one file).
fn common_dir(paths: &[PathBuf]) -> PathBuf {
    let dir_of = |p: &PathBuf| {
        if p.is_dir() {
            p.clone()
        } else {
            p.parent().map(Path::to_path_buf).unwrap_or_default()
        }
    };
    let mut common = dir_of(&paths[0]);
    for p in &paths[1..] {
        let dir = dir_of(p);
        while !dir.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    common
}

/// `root` relative to the working directory where it lies under it or above it, so that
/// messages and reports name `.` or `..` rather than a machine's absolute layout.
fn shown_relative(root: &Path) -> PathBuf {
    let Ok(cwd) = std::env::current_dir().and_then(|d| d.canonicalize()) else {
        return root.to_path_buf();
    };
    if let Ok(below) = root.strip_prefix(&cwd) {
        return if below.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            below.to_path_buf()
        };
    }
    if let Ok(above) = cwd.strip_prefix(root) {
        let ups = above.components().count();
        return std::iter::repeat_n(Component::ParentDir, ups).collect();
    }
    root.to_path_buf()
}

fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether a root-relative file lies in the focus.
fn in_focus(file: &str, focus: &[String]) -> bool {
    focus.iter().any(|f| {
        f.is_empty()
            || file == f
            || file
                .strip_prefix(f.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// Keeps the findings and diagnostics written in the focus (a finding counts where its
/// annotation is written: a `.gal` line's origin as well as the code it anchors).
pub fn keep_focus(model: &mut Model, focus: &[String]) {
    if focus.is_empty() {
        return;
    }
    model.findings.retain(|f| {
        in_focus(&f.site.location.file, focus)
            || f.site
                .origin
                .as_ref()
                .is_some_and(|o| in_focus(&o.file, focus))
    });
    model
        .diagnostics
        .retain(|d| in_focus(&d.location.file, focus));
}

/// The scanned root relative to the repository's root ("" or ending in `/`): SARIF and
/// the CI formats name files from the repository root, which is what code scanning and
/// pull request annotations resolve against.
pub fn repository_prefix(root: &Path) -> String {
    let Ok(root) = root.canonicalize() else {
        return String::new();
    };
    let Some(top) = root.ancestors().find(|dir| dir.join(".git").exists()) else {
        return String::new();
    };
    let rest = slash_path(root.strip_prefix(top).unwrap_or(Path::new("")));
    if rest.is_empty() { rest } else { rest + "/" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_focus_matches_files_and_folders_at_segment_boundaries() {
        let focus = vec!["orders/api.py".to_string(), "auth".to_string()];
        assert!(in_focus("orders/api.py", &focus));
        assert!(in_focus("auth/src/server.ts", &focus));
        assert!(!in_focus("authz/x.py", &focus));
        assert!(!in_focus("orders/api.pyc", &focus));
    }
}
