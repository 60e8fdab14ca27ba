//! Hostile repositories (issue 7): in CI a fork's pull request writes every byte of the
//! scanned tree. Each case asserts the exact diagnostic (code, file, line, column) and that
//! every other annotation of the tree is still in the model. Big inputs are generated here,
//! never committed; static ones live in `tests/hostile/inputs/`.

mod common;

#[path = "hostile/files.rs"]
mod files;
#[path = "hostile/lines.rs"]
mod lines;
#[path = "hostile/output.rs"]
mod output;
#[path = "hostile/process.rs"]
mod process;
#[path = "hostile/trust.rs"]
mod trust;
#[path = "hostile/yaml.rs"]
mod yaml;

use std::path::Path;
use std::time::Duration;

use threatline::model::{BuildOptions, Model};
use threatline::walk::WalkOptions;

/// Files that hold one exposure each, written next to every hostile input: all of them
/// must reach the model whatever the hostile file does.
pub const SENTINELS: &[(&str, &str)] = &[
    ("ok/a.py", "# @exposes Sentinel:Python to Sentinel threat\n"),
    (
        "ok/b.rs",
        "fn main() {} // @exposes Sentinel:Rust to Sentinel threat\n",
    ),
    (
        "ok/c.threatline",
        "@exposes Sentinel:Plain to Sentinel threat\n",
    ),
];

/// A tree of the sentinels and `files`.
pub fn hostile_tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = common::tree(SENTINELS);
    for (path, content) in files {
        common::write(dir.path(), path, content);
    }
    dir
}

/// Scans with a short parse deadline, as a test can afford.
pub fn scan_with(root: &Path, configure: impl FnOnce(&mut WalkOptions)) -> Model {
    let mut options = WalkOptions::new(root);
    options.parse_deadline = Duration::from_millis(500);
    configure(&mut options);
    threatline::scan_tree(&options, &BuildOptions::default()).expect("scan")
}

/// `file:line:col` of every exposure.
pub fn exposures(model: &Model) -> Vec<String> {
    model
        .exposures
        .iter()
        .map(|e| e.site.location.to_string())
        .collect()
}

/// The sentinels' exposures are all in the model, plus `more` (sorted by path).
pub fn assert_exposures(model: &Model, more: &[&str]) {
    let mut expected: Vec<String> = ["ok/a.py:1:3", "ok/b.rs:1:17", "ok/c.threatline:1:1"]
        .iter()
        .chain(more)
        .map(|s| s.to_string())
        .collect();
    expected.sort();
    let mut got = exposures(model);
    got.sort();
    assert_eq!(
        got,
        expected,
        "diagnostics: {:?}",
        common::diagnostics(model)
    );
}

/// Runs `f` on a thread with the default (2 MiB) stack, as walker threads have, so a
/// recursion that only the main thread's 8 MiB survives still fails the test.
pub fn on_normal_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow, no panic")
}

/// Deterministic bytes (xorshift), with no NUL so the binary sniff lets them through.
pub fn garbage(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % 255) as u8 + 1
        })
        .collect()
}
