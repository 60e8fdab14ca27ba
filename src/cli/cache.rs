//! `threatline cache`: where the per-file cache is and what it holds; `--clean` empties it.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{exit, write_output};
use crate::cache::{self, ListedKind};
use crate::escape::for_terminal;

#[derive(Args, Debug)]
pub struct CacheArgs {
    /// The tree whose cache file to point out (a file: its project's, as `check` reads it).
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    /// The cache directory (default: $XDG_CACHE_HOME/threatline, or ~/.cache/threatline).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Delete every file threatline wrote in the cache directory.
    #[arg(long)]
    pub clean: bool,
}

pub fn run(args: &CacheArgs) -> anyhow::Result<u8> {
    let Some(dir) = cache::dir_for(args.cache_dir.as_deref()) else {
        anyhow::bail!("no cache directory: HOME is not set; pass --cache-dir");
    };
    let dir_text = dir.display().to_string();
    let shown = for_terminal(&dir_text);
    if args.clean {
        let (files, bytes) =
            cache::clean(&dir).map_err(|e| anyhow::anyhow!("cannot clean {shown}: {e}"))?;
        write_output(
            None,
            &format!("removed {files} file(s), {}, from {shown}\n", size(bytes)),
        )?;
        return Ok(exit::CLEAN);
    }
    // The root `check PATH` would scan: a file names its project's.
    let root = super::roots::resolve(std::slice::from_ref(&args.path))?.root;
    let this = cache::file_for(&root, Some(&dir));
    write_output(None, &listing(&shown, &dir, this.as_deref()))?;
    Ok(exit::CLEAN)
}

/// The directory, what it holds (the cache of `this`, PATH's, marked), and the bound.
fn listing(shown: &str, dir: &Path, this: Option<&Path>) -> String {
    let listed = cache::list(dir);
    let total: u64 = listed.iter().map(|l| l.size).sum();
    let mut text = format!(
        "cache directory: {shown}\n{} file(s), {}; kept under {} (the least recently written go first)\n",
        listed.len(),
        size(total),
        size(cache::MAX_TOTAL)
    );
    for l in &listed {
        let name = l
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let what = match &l.kind {
            ListedKind::Cache { root, entries } => {
                format!("{} ({entries} files)", for_terminal(root))
            }
            ListedKind::Unreadable => "another format, or damaged".to_string(),
            ListedKind::Legacy => "the previous format".to_string(),
            ListedKind::Temporary => "temporary".to_string(),
        };
        let mark = if this == Some(l.path.as_path()) {
            "  <- this tree"
        } else {
            ""
        };
        text.push_str(&format!("  {:>9}  {name}  {what}{mark}\n", size(l.size)));
    }
    if let Some(this) = this
        && !listed.iter().any(|l| l.path == this)
    {
        text.push_str(&format!(
            "this tree has no cache yet (it would be {})\n",
            for_terminal(&this.display().to_string())
        ));
    }
    text
}

fn size(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KIB * KIB {
        format!("{:.1} MiB", b / (KIB * KIB))
    } else if b >= KIB {
        format!("{:.1} KiB", b / KIB)
    } else {
        format!("{bytes} B")
    }
}
