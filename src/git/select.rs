//! Which entries of a git tree to read: the walker's rules, applied to paths instead of a
//! directory walk, so that a model read from git and one walked from disk see the same
//! files. Under the scanned root and its configured `paths`; not excluded by `--exclude`,
//! config `exclude`, or the tree's own `.gitignore` and `.ignore` files; regular files only
//! (a symlink, mode 120000, is not followed; a submodule is not entered); an extension no
//! language claims is never read; the tool's own outputs are skipped. Which files are read
//! and what is said of the others is `crate::admit`'s rule, as on disk (a blob over the
//! size cap is judged when it is read, in `blobs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::overrides::{Override, OverrideBuilder};

use super::list::Entry;
use super::{GitError, Repo, blobs};
use crate::admit;
use crate::scan::{FileKind, FileResult};
use crate::walk::WalkOptions;

/// A blob to read and scan.
pub struct Wanted {
    /// Relative to the scanned root, as the walker names files.
    pub path: String,
    pub oid: String,
    pub kind: Option<FileKind>,
}

pub struct Selection {
    pub wanted: Vec<Wanted>,
    /// Files not scanned, with the reason as a diagnostic (as the walker reports them).
    pub skipped: Vec<FileResult>,
}

pub fn select(
    repo: &Repo,
    entries: Vec<Entry>,
    options: &WalkOptions,
) -> Result<Selection, GitError> {
    let excludes = excludes(options)?;
    let includes = admit::Includes::new(&options.include).map_err(GitError::Parse)?;
    let ignores = Ignores::read(repo, &entries)?;
    let skip = own_outputs(options);
    let paths: Vec<String> = options
        .paths
        .iter()
        .map(|p| {
            p.to_string_lossy()
                .replace('\\', "/")
                .trim_end_matches('/')
                .to_string()
        })
        .filter(|p| !p.is_empty() && p != ".")
        .collect();
    let mut selection = Selection {
        wanted: Vec::new(),
        skipped: Vec::new(),
    };
    let mut conflicted: Vec<String> = Vec::new();
    for entry in entries {
        let Some(rel) = entry.path.strip_prefix(repo.prefix.as_str()) else {
            continue;
        };
        if !paths.is_empty()
            && !paths
                .iter()
                .any(|p| rel == p || rel.starts_with(&format!("{p}/")))
        {
            continue;
        }
        if !entry.is_file() || excluded(&excludes, rel) || ignores.ignored(&entry.path) {
            continue;
        }
        if skip.iter().any(|s| s == rel) {
            continue;
        }
        let Some(kind) = admit::by_name(Path::new(rel)) else {
            continue;
        };
        if !includes.admits(rel) {
            continue;
        }
        if entry.stage != 0 {
            if !conflicted.iter().any(|c| c == rel) {
                conflicted.push(rel.to_string());
                selection.skipped.push(admit::skipped(
                    rel,
                    "not scanned: the index holds an unresolved merge conflict for this file"
                        .into(),
                    "resolve the conflict and `git add` the file",
                ));
            }
            continue;
        }
        selection.wanted.push(Wanted {
            path: rel.to_string(),
            oid: entry.oid,
            kind,
        });
    }
    Ok(selection)
}

fn excludes(options: &WalkOptions) -> Result<Override, GitError> {
    let mut builder = OverrideBuilder::new(&options.root);
    for glob in &options.excludes {
        builder
            .add(&format!("!{glob}"))
            .map_err(|e| GitError::Exclude(glob.clone(), e.to_string()))?;
    }
    builder
        .build()
        .map_err(|e| GitError::Exclude(options.excludes.join(" "), e.to_string()))
}

/// Whether an exclude glob matches the file or one of its directories (the walker never
/// enters an excluded directory).
fn excluded(excludes: &Override, rel: &str) -> bool {
    if excludes.is_empty() {
        return false;
    }
    let path = Path::new(rel);
    if excludes.matched(path, false).is_ignore() {
        return true;
    }
    path.ancestors()
        .skip(1)
        .filter(|a| !a.as_os_str().is_empty())
        .any(|dir| excludes.matched(dir, true).is_ignore())
}

/// The tool's own outputs (`-o`, the baseline) relative to the scanned root.
fn own_outputs(options: &WalkOptions) -> Vec<String> {
    let Ok(root) = options.root.canonicalize() else {
        return Vec::new();
    };
    options
        .skip
        .iter()
        .filter_map(|p| {
            // `-o` may not exist yet: canonicalise its directory instead.
            let full = p.canonicalize().ok().or_else(|| {
                let dir = p
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                Some(dir.canonicalize().ok()?.join(p.file_name()?))
            })?;
            let rel = full.strip_prefix(&root).ok()?;
            Some(rel.to_string_lossy().replace('\\', "/"))
        })
        .collect()
}

/// The tree's `.gitignore` and `.ignore` files, by directory (relative to the top).
struct Ignores {
    by_dir: BTreeMap<String, Vec<Gitignore>>,
}

impl Ignores {
    fn read(repo: &Repo, entries: &[Entry]) -> Result<Ignores, GitError> {
        // `.ignore` first: it takes precedence over `.gitignore` in the same directory, as
        // for the walker.
        let mut files: Vec<(&str, &Entry)> = Vec::new();
        for name in [".ignore", ".gitignore"] {
            for e in entries.iter().filter(|e| e.is_file() && e.stage == 0) {
                let (dir, file) = e.path.rsplit_once('/').unwrap_or(("", &e.path));
                if file == name {
                    files.push((dir, e));
                }
            }
        }
        let oids: Vec<&str> = files.iter().map(|(_, e)| e.oid.as_str()).collect();
        let contents = blobs::read_small(&repo.top, &oids)?;
        let mut by_dir: BTreeMap<String, Vec<Gitignore>> = BTreeMap::new();
        for ((dir, _), content) in files.into_iter().zip(contents) {
            let root = if dir.is_empty() {
                PathBuf::from(".")
            } else {
                PathBuf::from(dir)
            };
            let mut builder = GitignoreBuilder::new(root);
            for line in String::from_utf8_lossy(&content).lines() {
                // A bad pattern is skipped, as git and the walker skip it.
                let _ = builder.add_line(None, line);
            }
            if let Ok(matcher) = builder.build() {
                by_dir.entry(dir.to_string()).or_default().push(matcher);
            }
        }
        Ok(Ignores { by_dir })
    }

    /// Whether `path` (relative to the top) is ignored: the deepest directory whose files
    /// say anything about it decides.
    fn ignored(&self, path: &str) -> bool {
        if self.by_dir.is_empty() {
            return false;
        }
        let mut dirs: Vec<&str> = vec![""];
        for (i, b) in path.char_indices() {
            if b == '/' {
                dirs.push(&path[..i]);
            }
        }
        for dir in dirs.iter().rev() {
            let Some(matchers) = self.by_dir.get(*dir) else {
                continue;
            };
            let rel = if dir.is_empty() {
                path
            } else {
                &path[dir.len() + 1..]
            };
            for m in matchers {
                match m.matched_path_or_any_parents(rel, false) {
                    Match::Ignore(_) => return true,
                    Match::Whitelist(_) => return false,
                    Match::None => {}
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignores(files: &[(&str, &str)]) -> Ignores {
        let mut by_dir: BTreeMap<String, Vec<Gitignore>> = BTreeMap::new();
        for (dir, text) in files {
            let root = if dir.is_empty() {
                PathBuf::from(".")
            } else {
                PathBuf::from(dir)
            };
            let mut b = GitignoreBuilder::new(root);
            for line in text.lines() {
                b.add_line(None, line).unwrap();
            }
            by_dir
                .entry(dir.to_string())
                .or_default()
                .push(b.build().unwrap());
        }
        Ignores { by_dir }
    }

    #[test]
    fn deepest_ignore_file_decides() {
        let i = ignores(&[
            ("", "gen/\n*.log.py\n"),
            ("src", "!keep.log.py\nlocal.py\n"),
        ]);
        assert!(i.ignored("gen/a.py"));
        assert!(
            i.ignored("src/gen/a.py"),
            "a directory pattern matches at any depth"
        );
        assert!(i.ignored("x.log.py"));
        assert!(!i.ignored("src/keep.log.py"), "re-included below");
        assert!(i.ignored("src/local.py"));
        assert!(!i.ignored("local.py"), "src's rules stay in src");
        assert!(!i.ignored("app.py"));
    }

    #[test]
    fn excludes_match_files_and_directories() {
        let mut options = WalkOptions::new("/r");
        options.excludes = vec!["vendor".into(), "**/*.gen.py".into()];
        let o = excludes(&options).unwrap();
        assert!(excluded(&o, "vendor/lib/a.py"));
        assert!(excluded(&o, "src/x.gen.py"));
        assert!(!excluded(&o, "src/vendors.py"));
    }
}
