//! The per-file cache: a warm run gives the same output, reads only what changed, and a
//! damaged or foreign cache is ignored.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{tree, write};

fn check(dir: &Path, cache: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["check", "--format", "json", "--cache-dir"])
        .arg(cache)
        .args(extra)
        .arg(dir)
        .output()
        .unwrap()
}

fn json(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn a_warm_run_gives_the_same_output_and_sees_changes() {
    // Annotations after kilobytes of code: these files need a real parse, so they are what
    // the cache keeps (a comment header is read again as fast as its entry would be).
    let a = format!(
        "{}# @exposes Shop:API to SQL injection [high]\n",
        "x = 1\n".repeat(1000)
    );
    let b = format!(
        "package b\n{}// @mitigates Shop:API against SQL injection with #pq\n",
        "var x = 1\n".repeat(600)
    );
    let c = format!(
        "{}// @control Prepared statements (#pq)\n// @flows A -> B\n",
        "fn c() {}\n".repeat(600)
    );
    let dir = tree(&[
        ("a.py", &a),
        ("b.go", &b),
        ("c.rs", &c),
        ("d.js", "const x = 1; // nothing here\n"),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let cold = check(dir.path(), cache.path(), &[]);
    let files: Vec<_> = std::fs::read_dir(cache.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "one cache file per root");
    let warm = check(dir.path(), cache.path(), &[]);
    assert_eq!(json(&cold), json(&warm));
    assert_eq!(
        json(&cold),
        json(&check(dir.path(), cache.path(), &["--no-cache"]))
    );

    // A change is seen, whatever the file's time says (same size, same second).
    write(
        dir.path(),
        "b.go",
        b.replace("injection", "injectiom").as_bytes(),
    );
    let changed = check(dir.path(), cache.path(), &[]);
    assert_eq!(
        json(&changed),
        json(&check(dir.path(), cache.path(), &["--no-cache"]))
    );
    assert_ne!(json(&changed), json(&cold));
    // A file removed is gone; a file added is read.
    std::fs::remove_file(dir.path().join("c.rs")).unwrap();
    write(
        dir.path(),
        "e.py",
        b"# @exposes Shop:DB to Data theft [critical]\n",
    );
    let again = check(dir.path(), cache.path(), &[]);
    assert_eq!(
        json(&again),
        json(&check(dir.path(), cache.path(), &["--no-cache"]))
    );
    assert!(json(&again).contains("Data theft"));
    assert!(!json(&again).contains("Prepared statements"));
}

#[test]
fn diagnostics_keep_their_source_lines_from_the_cache() {
    // A threat declared elsewhere: a tree with a threat model shows its malformed lines.
    let dir = tree(&[
        ("a.py", "x = 1\n# @mitigates Shop:API against (#broken\n"),
        ("model.threatline", "@threat Broken access control (#bac)\n"),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let stderr = |out: Output| String::from_utf8(out.stderr).unwrap();
    let cold = stderr(check(dir.path(), cache.path(), &[]));
    let warm = stderr(check(dir.path(), cache.path(), &[]));
    assert!(
        cold.contains("# @mitigates Shop:API against (#broken"),
        "{cold}"
    );
    assert_eq!(cold, warm);
}

#[test]
fn a_damaged_cache_is_ignored_and_replaced() {
    let dir = tree(&[("a.py", "# @exposes Shop:API to XSS\n")]);
    let cache = tempfile::tempdir().unwrap();
    let cold = check(dir.path(), cache.path(), &[]);
    for entry in std::fs::read_dir(cache.path()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"{\"format\": 1, \"garbage").unwrap();
    }
    let damaged = check(dir.path(), cache.path(), &[]);
    assert_eq!(damaged.status.code(), cold.status.code());
    assert_eq!(json(&damaged), json(&cold));
    let repaired = check(dir.path(), cache.path(), &[]);
    assert_eq!(json(&repaired), json(&cold));
}
