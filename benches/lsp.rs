//! Latency of `threatline lsp`: from a `didChange` sent to the `publishDiagnostics` of the
//! edited buffer's new version, as an editor sees it (the real binary over stdio), on
//! `fixtures/example` and on a generated 20,000-file tree. Also the time from start to
//! the first diagnostics, with an empty per-file cache and with a warm one.
//!
//!   cargo bench --bench lsp
//!
//! Environment: `THREATLINE_BENCH_TREE=DIR` uses that tree instead of generating one
//! (`../shared/bench/gen_corpus.py`, or `GEN_CORPUS`, into `target/lsp-bench/`);
//! `THREATLINE_BENCH_EDITS=N` edits per tree (default 60); `THREATLINE_BENCH_SKIP_LARGE=1`
//! measures the example only. Each edit adds or removes one character of a threat's name
//! or id, so the model really changes (a new threat, a dangling reference). Figures are
//! printed; nothing is asserted (these machines are shared and noisy).

#[path = "../tests/lsp/client.rs"]
mod client;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use client::Client;

fn main() {
    // `cargo bench` passes `--bench`; a filter, if any, is ignored.
    let edits: usize = std::env::var("THREATLINE_BENCH_EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = manifest.join("fixtures/example");
    measure(
        "fixtures/example",
        &example,
        "gateway/main.go",
        4,
        ("#ddos", "#ddoss"),
        edits,
    );
    if std::env::var_os("THREATLINE_BENCH_SKIP_LARGE").is_some() {
        return;
    }
    let Some(tree) = large_tree(manifest) else {
        println!("lsp/20k: skipped (no tree: set THREATLINE_BENCH_TREE, or install python3)");
        return;
    };
    let Some((rel, line, word)) = exposure_in(&tree) else {
        println!(
            "lsp/20k: skipped (no `@exposes ... to <name>` line in {})",
            tree.display()
        );
        return;
    };
    let longer = format!("{word}X");
    let name = format!("{} files", count_files(&tree));
    measure(&name, &tree, &rel, line, (&word, &longer), edits);
}

fn measure(name: &str, root: &Path, rel: &str, line: usize, (a, b): (&str, &str), edits: usize) {
    let cache = tempfile::tempdir().unwrap();
    let mut loads = Vec::new();
    let mut client = None;
    for pass in ["cold cache", "warm cache"] {
        let started = Instant::now();
        let mut c = Client::start_at(root, cache.path(), &[]);
        let uri = c.open(rel);
        c.current_diagnostics(&uri);
        loads.push((pass, started.elapsed()));
        if let Some(old) = client.replace((c, uri)) {
            let (old, _): (Client, String) = old;
            old.shutdown();
        }
    }
    let (mut c, uri) = client.unwrap();
    let mut times = Vec::with_capacity(edits);
    for i in 0..edits {
        let (from, to) = if i % 2 == 0 { (a, b) } else { (b, a) };
        let started = Instant::now();
        c.replace(&uri, line, from, to);
        c.current_diagnostics(&uri);
        times.push(started.elapsed());
    }
    c.shutdown();
    times.sort();
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!("lsp/{name}: edit {rel}:{}, {edits} edits", line + 1);
    for (pass, t) in loads {
        println!("  start to first diagnostics ({pass}): {}", ms(t));
    }
    println!(
        "  didChange to publishDiagnostics: min {}  median {}  p95 {}  max {}",
        ms(times[0]),
        ms(pick(0.5)),
        ms(pick(0.95)),
        ms(*times.last().unwrap())
    );
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The 20,000-file tree: given, or generated once under `target/lsp-bench`.
fn large_tree(manifest: &Path) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("THREATLINE_BENCH_TREE") {
        return Some(PathBuf::from(dir));
    }
    let tree = manifest.join("target/lsp-bench/tree-20000");
    if tree.join("CORPUS.json").is_file() {
        return Some(tree);
    }
    let generator = std::env::var_os("GEN_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../shared/bench/gen_corpus.py"));
    let status = Command::new("python3")
        .arg(&generator)
        .args(["--files", "20000"])
        .arg(&tree)
        .stdout(std::process::Stdio::null())
        .status()
        .ok()?;
    status.success().then_some(tree)
}

/// The first file (in path order) with an `@exposes ... to <name>` line: its path, the
/// 0-based line and the name's first word.
fn exposure_in(root: &Path) -> Option<(String, usize, String)> {
    let mut files = Vec::new();
    collect(root, &mut files);
    files.sort();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            if let Some(rest) = line.split("@exposes ").nth(1)
                && let Some(after) = rest.split(" to ").nth(1)
                && let Some(word) = after.split_whitespace().next()
            {
                let rel = file.strip_prefix(root).ok()?.to_string_lossy().into_owned();
                return Some((rel, i, word.to_string()));
            }
        }
    }
    None
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn count_files(root: &Path) -> usize {
    let mut files = Vec::new();
    collect(root, &mut files);
    files.len()
}
