//! The catalogue's files, for "go to definition" of a catalogue id. An organisation
//! catalogue is a file of the project; the built-in one is compiled in, so it is written
//! out once per version, read-only, under the cache directory.

use std::path::PathBuf;

use crate::catalogue::Entry;

/// The built-in catalogue files, as the catalogue names them in `Entry::origin`.
const BUILTIN: &[(&str, &str)] = &[
    (
        "catalogue/kubernetes.yaml",
        include_str!("../../catalogue/kubernetes.yaml"),
    ),
    (
        "catalogue/generic.yaml",
        include_str!("../../catalogue/generic.yaml"),
    ),
];

/// The file and 1-based line an entry is written at.
pub fn location(entry: &Entry) -> Option<(PathBuf, u32)> {
    let (name, line) = entry.origin.rsplit_once(':')?;
    let line: u32 = line.parse().ok()?;
    let Some((_, text)) = BUILTIN.iter().find(|(n, _)| *n == name) else {
        return Some((PathBuf::from(name), line));
    };
    let path = dir()?.join(name);
    if std::fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
        std::fs::create_dir_all(path.parent()?).ok()?;
        let _ = std::fs::remove_file(&path);
        std::fs::write(&path, text).ok()?;
        if let Ok(meta) = std::fs::metadata(&path) {
            let mut permissions = meta.permissions();
            permissions.set_readonly(true);
            let _ = std::fs::set_permissions(&path, permissions);
        }
    }
    Some((path, line))
}

/// `$XDG_CACHE_HOME/threatline/builtin-<version>`, else under `~/.cache`, else the
/// temporary directory.
fn dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    Some(
        base.join("threatline")
            .join(format!("builtin-{}", env!("CARGO_PKG_VERSION"))),
    )
}
