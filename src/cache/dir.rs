//! A cache directory: what threatline wrote there, pruned to its bound and cleaned.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{FORMAT, HEADER, MAGIC, u64_at};

/// A file in a cache directory that threatline wrote.
#[derive(Debug)]
pub struct Listed {
    pub path: PathBuf,
    pub size: u64,
    pub modified: Option<SystemTime>,
    pub kind: ListedKind,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ListedKind {
    /// A cache of this format: the root it is for and its number of entries.
    Cache { root: String, entries: u64 },
    /// A cache this build cannot read: another format, or damaged.
    Unreadable,
    /// A cache of the JSON format before this one.
    Legacy,
    /// A temporary file left by a run that did not finish.
    Temporary,
}

/// Whether a file name is one threatline writes in a cache directory: `<16 hex>.tlc`,
/// `<16 hex>.json` (the previous format), or a temporary `.<16 hex>.tlc.<pid>.<time>.tmp`.
fn kind_by_name(name: &str) -> Option<ListedKind> {
    let hex16 = |s: &str| s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(stem) = name.strip_suffix(".tlc") {
        return hex16(stem).then_some(ListedKind::Unreadable);
    }
    if let Some(stem) = name.strip_suffix(".json") {
        return hex16(stem).then_some(ListedKind::Legacy);
    }
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    (hex16(rest.get(..16)?) && rest[16..].starts_with(".tlc.")).then_some(ListedKind::Temporary)
}

/// The files threatline wrote in `dir`, oldest first.
pub fn list(dir: &Path) -> Vec<Listed> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<Listed> = read
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name();
            let mut kind = kind_by_name(name.to_str()?)?;
            let meta = e.metadata().ok().filter(Metadata::is_file)?;
            let path = e.path();
            if kind == ListedKind::Unreadable
                && let Some(found) = read_header(&path)
            {
                kind = found;
            }
            Some(Listed {
                path,
                size: meta.len(),
                modified: meta.modified().ok(),
                kind,
            })
        })
        .collect();
    out.sort_by(|a, b| (a.modified, &a.path).cmp(&(b.modified, &b.path)));
    out
}

/// The root and entry count of a cache file of this format, from its header.
fn read_header(path: &Path) -> Option<ListedKind> {
    let mut head = [0u8; HEADER];
    let mut file = File::open(path).ok()?;
    file.read_exact(&mut head).ok()?;
    if &head[..8] != MAGIC || u32::from_le_bytes(head[8..12].try_into().ok()?) != FORMAT {
        return None;
    }
    let root_len = u32::from_le_bytes(head[12..16].try_into().ok()?) as usize;
    let mut root = vec![0u8; root_len.min(64 * 1024)];
    file.read_exact(&mut root).ok()?;
    Some(ListedKind::Cache {
        root: String::from_utf8_lossy(&root).into_owned(),
        entries: u64_at(&head, 32),
    })
}

/// Removes every file threatline wrote in `dir`: how many, and their bytes.
pub fn clean(dir: &Path) -> std::io::Result<(usize, u64)> {
    let mut removed = (0, 0);
    for listed in list(dir) {
        match std::fs::remove_file(&listed.path) {
            Ok(()) => {
                removed.0 += 1;
                removed.1 += listed.size;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(removed)
}

/// Keeps a cache directory small: removes caches of the previous format, temporary files
/// over an hour old, and the least recently written caches until all left take at most
/// `limit` bytes (`keep`, the one just written, always stays).
pub fn prune(dir: &Path, keep: &Path, limit: u64) {
    let listed = list(dir);
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let mut total: u64 = listed
        .iter()
        .filter(|l| !matches!(l.kind, ListedKind::Legacy | ListedKind::Temporary))
        .map(|l| l.size)
        .sum();
    // Oldest first.
    for l in &listed {
        let remove = match l.kind {
            ListedKind::Legacy => true,
            ListedKind::Temporary => l.modified.is_none_or(|m| m < hour_ago),
            ListedKind::Cache { .. } | ListedKind::Unreadable => total > limit && l.path != keep,
        };
        let counted = !matches!(l.kind, ListedKind::Legacy | ListedKind::Temporary);
        if remove && std::fs::remove_file(&l.path).is_ok() && counted {
            total = total.saturating_sub(l.size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_threatline_writes_and_only_those() {
        assert_eq!(
            kind_by_name("0123456789abcdef.tlc"),
            Some(ListedKind::Unreadable)
        );
        assert_eq!(
            kind_by_name("0123456789abcdef.json"),
            Some(ListedKind::Legacy)
        );
        assert_eq!(
            kind_by_name(".0123456789abcdef.tlc.123.456.tmp"),
            Some(ListedKind::Temporary)
        );
        for other in [
            "notes.json",
            "0123456789abcdeg.tlc",
            "x.tlc",
            ".tmp",
            "abc.tmp",
        ] {
            assert_eq!(kind_by_name(other), None, "{other}");
        }
    }
}
