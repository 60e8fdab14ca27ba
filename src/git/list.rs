//! Listing a tree's entries: `git ls-tree -r -z -l` for a commit, `git ls-files -s -z` for
//! the index. NUL-separated, so any file name survives.

use std::path::Path;

use super::{GitError, git, stderr_of};

/// One file of a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Relative to the repository's top, `/`-separated.
    pub path: String,
    /// The git mode: `0o100644`, `0o100755` (files), `0o120000` (symlink), `0o160000`
    /// (submodule).
    pub mode: u32,
    pub oid: String,
    /// Known for a commit's blobs; the index does not say.
    pub size: Option<u64>,
    /// The merge stage: 0, or 1 to 3 for an unresolved conflict (index only).
    pub stage: u8,
}

impl Entry {
    pub fn is_file(&self) -> bool {
        self.mode & 0o170000 == 0o100000
    }
}

/// The entries of commit `sha`.
pub fn commit(top: &Path, sha: &str) -> Result<Vec<Entry>, GitError> {
    let out = git(top, &["ls-tree", "-r", "-z", "-l", "--full-tree", sha])?;
    if !out.status.success() {
        return Err(GitError::Command("ls-tree".into(), stderr_of(&out)));
    }
    records(&out.stdout)
        .map(|(meta, path)| {
            // `<mode> <type> <oid> <size>` (size padded, `-` for a submodule).
            let parts: Vec<&str> = meta.split_whitespace().collect();
            let [mode, _, oid, size] = parts[..] else {
                return Err(GitError::Parse(format!("ls-tree record `{meta}`")));
            };
            Ok(Entry {
                path,
                mode: mode_of(mode)?,
                oid: oid.to_string(),
                size: size.parse().ok(),
                stage: 0,
            })
        })
        .collect()
}

/// The entries of the index (honouring `GIT_INDEX_FILE`, as `git commit` does in a hook).
pub fn index(top: &Path) -> Result<Vec<Entry>, GitError> {
    let out = git(top, &["ls-files", "-s", "-z", "--full-name"])?;
    if !out.status.success() {
        return Err(GitError::Command("ls-files".into(), stderr_of(&out)));
    }
    records(&out.stdout)
        .map(|(meta, path)| {
            // `<mode> <oid> <stage>`.
            let parts: Vec<&str> = meta.split_whitespace().collect();
            let [mode, oid, stage] = parts[..] else {
                return Err(GitError::Parse(format!("ls-files record `{meta}`")));
            };
            Ok(Entry {
                path,
                mode: mode_of(mode)?,
                oid: oid.to_string(),
                size: None,
                stage: stage
                    .parse()
                    .map_err(|_| GitError::Parse(format!("ls-files stage `{stage}`")))?,
            })
        })
        .collect()
}

fn mode_of(text: &str) -> Result<u32, GitError> {
    u32::from_str_radix(text, 8).map_err(|_| GitError::Parse(format!("file mode `{text}`")))
}

/// `<meta>\t<path>\0` records. Paths are bytes in git; like the walker, read them lossily.
fn records(stdout: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    stdout
        .split(|&b| b == 0)
        .filter(|r| !r.is_empty())
        .filter_map(|r| {
            let tab = r.iter().position(|&b| b == b'\t')?;
            Some((
                String::from_utf8_lossy(&r[..tab]).into_owned(),
                String::from_utf8_lossy(&r[tab + 1..]).into_owned(),
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nul_separated_records() {
        let out = b"100644 blob abc 12\ta b.py\x00120000 blob def 3\tlink\x00";
        let r: Vec<_> = records(out).collect();
        assert_eq!(r[0], ("100644 blob abc 12".into(), "a b.py".into()));
        assert_eq!(r[1].1, "link");
        let file = Entry {
            path: "x".into(),
            mode: mode_of("100755").unwrap(),
            oid: "o".into(),
            size: None,
            stage: 0,
        };
        assert!(file.is_file());
        assert!(
            !Entry {
                mode: mode_of("120000").unwrap(),
                ..file.clone()
            }
            .is_file()
        );
        assert!(
            !Entry {
                mode: mode_of("160000").unwrap(),
                ..file
            }
            .is_file()
        );
    }
}
