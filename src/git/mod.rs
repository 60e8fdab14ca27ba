//! Reading a tree out of git without touching the work tree or the index: the files of a
//! commit (`check --since REF`) or of the index (`check --staged`), through the `git`
//! binary (present wherever a repository is, and no build cost), each blob fed to the same
//! [`Scanner`](crate::scan::Scanner) the walker uses.
//!
//! `list.rs` lists entries (`ls-tree`, `ls-files -s`), `select.rs` decides which to read as
//! the walker would (paths, excludes, `.gitignore`, the size cap, file kinds), `blobs.rs`
//! streams them through one `cat-file --batch` and scans them in parallel.

mod blobs;
mod list;
mod select;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::scan::FileResult;
use crate::walk::WalkOptions;

/// Why git could not give us a tree. Every one is a tool failure (exit 2).
#[derive(Debug)]
pub enum GitError {
    /// The `git` binary could not be run.
    Spawn(std::io::Error),
    NotARepository(PathBuf, String),
    UnknownRevision(String),
    /// A git command failed: the command and git's own message.
    Command(String, String),
    Parse(String),
    Exclude(String, String),
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::Spawn(e) => {
                write!(f, "cannot run `git`: {e} (is git installed and on PATH?)")
            }
            GitError::NotARepository(path, why) => write!(
                f,
                "{} is not inside a git repository (`--since` and `--staged` read git objects): {why}",
                path.display()
            ),
            GitError::UnknownRevision(rev) => write!(
                f,
                "`{rev}` is not a commit in this repository (in CI, fetch it first: `git fetch origin {rev}`, or check out with `fetch-depth: 0`)"
            ),
            GitError::Command(cmd, why) => write!(f, "`git {cmd}` failed: {why}"),
            GitError::Parse(what) => write!(f, "unexpected output from git: {what}"),
            GitError::Exclude(glob, e) => write!(f, "bad --exclude glob `{glob}`: {e}"),
        }
    }
}

impl std::error::Error for GitError {}

/// The tree to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tree {
    /// A commit, by its full object name (see [`Repo::resolve`]).
    Commit(String),
    /// The index: what `git commit` would record now.
    Index,
}

/// A repository seen from a scanned directory inside it.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The work tree's top directory.
    pub top: PathBuf,
    /// The scanned directory relative to `top`, `/`-separated with a trailing `/`, or empty.
    pub prefix: String,
}

/// Runs `git -C dir args...` and returns its output, or why it could not run.
fn git(dir: &Path, args: &[&str]) -> Result<Output, GitError> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(GitError::Spawn)
}

fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_string()
}

impl Repo {
    /// The repository holding `path` (the scanned root).
    pub fn discover(path: &Path) -> Result<Repo, GitError> {
        if !path.is_dir() {
            return Err(GitError::NotARepository(
                path.to_path_buf(),
                "not a directory".into(),
            ));
        }
        let out = git(path, &["rev-parse", "--show-toplevel", "--show-prefix"])?;
        if !out.status.success() {
            return Err(GitError::NotARepository(
                path.to_path_buf(),
                stderr_of(&out),
            ));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        let top = lines
            .next()
            .filter(|l| !l.is_empty())
            .ok_or_else(|| GitError::NotARepository(path.to_path_buf(), "no work tree".into()))?;
        Ok(Repo {
            top: PathBuf::from(top),
            prefix: lines.next().unwrap_or_default().to_string(),
        })
    }

    /// The commit a revision names (`main`, `origin/main`, a SHA, `HEAD~1`), as a full
    /// object name.
    pub fn resolve(&self, rev: &str) -> Result<String, GitError> {
        // A revision from CI input must not be read as an option.
        if rev.is_empty() || rev.starts_with('-') {
            return Err(GitError::UnknownRevision(rev.to_string()));
        }
        let spec = format!("{rev}^{{commit}}");
        let out = git(
            &self.top,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &spec,
            ],
        )?;
        let sha = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !out.status.success() || sha.is_empty() {
            return Err(GitError::UnknownRevision(rev.to_string()));
        }
        Ok(sha)
    }

    /// `HEAD`'s commit, or `None` before the first commit.
    pub fn head(&self) -> Result<Option<String>, GitError> {
        match self.resolve("HEAD") {
            Ok(sha) => Ok(Some(sha)),
            Err(GitError::UnknownRevision(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Scans `tree` as the walker would scan the scanned root (`options.root`): the same
    /// sub-paths, excludes, size cap and file kinds, paths relative to the root, results
    /// sorted by path.
    pub fn scan(&self, tree: &Tree, options: &WalkOptions) -> Result<Vec<FileResult>, GitError> {
        let entries = match tree {
            Tree::Commit(sha) => list::commit(&self.top, sha)?,
            Tree::Index => list::index(&self.top)?,
        };
        let selection = select::select(self, entries, options)?;
        let mut files = selection.skipped;
        files.extend(blobs::scan(&self.top, selection.wanted, options)?);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }
}
