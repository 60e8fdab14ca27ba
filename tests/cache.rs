//! The per-file cache: a warm run gives the same output, reads only what changed, and a
//! damaged, truncated, foreign or concurrently written cache is a note on stderr and a run
//! without it, never a failure or a wrong result.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use common::{tree, write};

fn threatline(args: &[&str], cache: &Path, dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(args)
        .arg("--cache-dir")
        .arg(cache)
        .arg(dir)
        .output()
        .unwrap()
}

fn check(dir: &Path, cache: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    threatline(&args, cache, dir)
}

fn json(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// Files read by a `scan --stats` run (its first stats line: `N files seen, M read, ...`).
fn files_read(dir: &Path, cache: &Path) -> usize {
    let out = threatline(&["scan", "--stats", "-o", "/dev/null"], cache, dir);
    let err = stderr(&out);
    let line = err.lines().find(|l| l.contains("files seen")).expect(&err);
    let read = line.split(", ").nth(1).expect(line);
    read.trim_end_matches(" read").parse().expect(line)
}

/// Dates every file of the tree an hour back: past the cache's racy window, as files are
/// when a run follows an edit by more than an instant.
fn age(dir: &Path) {
    let past = SystemTime::now() - Duration::from_secs(3600);
    for entry in walk_files(dir) {
        std::fs::File::options()
            .write(true)
            .open(&entry)
            .unwrap()
            .set_modified(past)
            .unwrap();
    }
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk_files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The one cache file in a cache directory.
fn cache_file(cache: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tlc"))
        .collect();
    assert_eq!(files.len(), 1, "one cache file per root: {files:?}");
    files[0].clone()
}

/// Files whose annotations need a real parse (after kilobytes of code), a comment header,
/// a file with nothing, and a diagnostic.
fn sample_tree() -> tempfile::TempDir {
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
        (
            "e.py",
            "# @exposes Shop:DB to Data theft [critical]\nx = 1\n",
        ),
        ("f.py", "x = 1\n# @mitigates Shop:API against (#broken\n"),
    ]);
    age(dir.path());
    dir
}

#[test]
fn a_warm_run_gives_the_same_output_and_sees_changes() {
    let dir = sample_tree();
    let cache = tempfile::tempdir().unwrap();
    let cold = check(dir.path(), cache.path(), &[]);
    cache_file(cache.path());
    let warm = check(dir.path(), cache.path(), &[]);
    assert_eq!(json(&cold), json(&warm));
    assert_eq!(
        json(&cold),
        json(&check(dir.path(), cache.path(), &["--no-cache"]))
    );
    assert_eq!(stderr(&cold), stderr(&warm));

    // A change is seen, whatever the file's time says (same size, same second).
    let b = std::fs::read_to_string(dir.path().join("b.go")).unwrap();
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
        "g.py",
        b"# @exposes Shop:Queue to Replay [low]\n",
    );
    let again = check(dir.path(), cache.path(), &[]);
    assert_eq!(
        json(&again),
        json(&check(dir.path(), cache.path(), &["--no-cache"]))
    );
    assert!(json(&again).contains("Replay"));
    assert!(!json(&again).contains("Prepared statements"));
}

#[test]
fn a_warm_run_reads_only_what_changed_and_drops_deleted_files() {
    let dir = sample_tree();
    let cache = tempfile::tempdir().unwrap();
    assert_eq!(files_read(dir.path(), cache.path()), 6, "cold: every file");
    assert_eq!(files_read(dir.path(), cache.path()), 0, "warm: none");
    let entries = |cache: &Path| match &threatline::cache::list(cache)[..] {
        [listed] => match listed.kind {
            threatline::cache::ListedKind::Cache { entries, .. } => entries,
            ref other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert_eq!(entries(cache.path()), 6);

    // Touched, not changed (a checkout): read again, but not parsed again.
    std::fs::File::options()
        .write(true)
        .open(dir.path().join("a.py"))
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(60))
        .unwrap();
    let out = threatline(
        &["scan", "--stats", "-o", "/dev/null"],
        cache.path(),
        dir.path(),
    );
    assert!(
        stderr(&out).contains("0 prefix, 0 whole"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(dir.path().join("d.js")).unwrap();
    std::fs::remove_file(dir.path().join("e.py")).unwrap();
    files_read(dir.path(), cache.path());
    assert_eq!(
        entries(cache.path()),
        4,
        "entries of deleted files are dropped"
    );
}

#[test]
fn diagnostics_keep_their_source_lines_from_the_cache() {
    // A threat declared elsewhere: a tree with a threat model shows its malformed lines.
    let dir = tree(&[
        ("a.py", "x = 1\n# @mitigates Shop:API against (#broken\n"),
        ("model.threatline", "@threat Broken access control (#bac)\n"),
    ]);
    age(dir.path());
    let cache = tempfile::tempdir().unwrap();
    let cold = stderr(&check(dir.path(), cache.path(), &[]));
    let warm = stderr(&check(dir.path(), cache.path(), &[]));
    assert!(
        cold.contains("# @mitigates Shop:API against (#broken"),
        "{cold}"
    );
    assert_eq!(cold, warm);
}

/// Damages the cache with `damage`, then checks that the next run says so on stderr with
/// `note`, gives the output of a run without cache, and that the run after it (the cache
/// rewritten) is quiet and the same.
fn damaged_is_a_miss(damage: impl Fn(&Path), note: &str) {
    let dir = sample_tree();
    let cache = tempfile::tempdir().unwrap();
    let cold = check(dir.path(), cache.path(), &["--no-cache"]);
    check(dir.path(), cache.path(), &[]);
    damage(&cache_file(cache.path()));
    let damaged = check(dir.path(), cache.path(), &[]);
    assert_eq!(damaged.status.code(), cold.status.code());
    assert_eq!(json(&damaged), json(&cold));
    let said = stderr(&damaged);
    assert!(
        said.contains("threatline: note: the cache") && said.contains(note),
        "{said}"
    );
    assert_eq!(said.matches("threatline: note:").count(), 1, "{said}");
    let repaired = check(dir.path(), cache.path(), &[]);
    assert_eq!(json(&repaired), json(&cold));
    assert!(
        !stderr(&repaired).contains("note:"),
        "{}",
        stderr(&repaired)
    );
    assert_eq!(files_read(dir.path(), cache.path()), 0);
}

fn edit(file: &Path, f: impl Fn(&mut Vec<u8>)) {
    let mut bytes = std::fs::read(file).unwrap();
    f(&mut bytes);
    std::fs::write(file, bytes).unwrap();
}

#[test]
fn a_cache_of_another_kind_is_a_miss_with_a_note() {
    damaged_is_a_miss(
        |f| std::fs::write(f, b"{\"format\": 1, \"garbage").unwrap(),
        "is damaged (not a threatline cache)",
    );
}

#[test]
fn a_corrupt_cache_is_a_miss_with_a_note() {
    // One byte of a record changed: only the checksum can tell.
    damaged_is_a_miss(
        |f| {
            edit(f, |b| {
                let last = b.len() - 3;
                b[last] ^= 0x20;
            })
        },
        "is damaged (checksum)",
    );
}

#[test]
fn a_truncated_cache_is_a_miss_with_a_note() {
    damaged_is_a_miss(
        |f| edit(f, |b| b.truncate(b.len() / 2)),
        "is damaged (truncated, or its header is)",
    );
    // Cut inside the header too.
    damaged_is_a_miss(|f| edit(f, |b| b.truncate(20)), "is damaged");
}

#[test]
fn a_cache_of_another_format_or_build_is_a_miss_with_a_note() {
    // The header: magic (8 bytes), format (u32 LE), root length (u32), identity (u64).
    damaged_is_a_miss(
        |f| edit(f, |b| b[8..12].copy_from_slice(&3u32.to_le_bytes())),
        "has another format (3, not 4)",
    );
    damaged_is_a_miss(
        |f| edit(f, |b| b[16] ^= 1),
        "was written by another build of threatline",
    );
}

#[test]
fn a_cache_written_in_place_while_read_is_a_miss_with_a_note() {
    // A writer that does not rename (another tool, a copy) caught halfway: the first half
    // of the new file over the old one, the rest not yet written.
    damaged_is_a_miss(
        |f| {
            edit(f, |b| {
                let half = b.len() / 2;
                b[half..].fill(0);
            })
        },
        "is damaged (checksum)",
    );
}

#[test]
fn a_record_that_does_not_read_back_is_a_miss_for_its_file_with_a_note() {
    // A cache whose checksum holds but whose first record is not a record (a bug in an
    // older build, say): that file is read again, the others still come from the cache.
    let dir = sample_tree();
    let cache = tempfile::tempdir().unwrap();
    let cold = check(dir.path(), cache.path(), &["--no-cache"]);
    check(dir.path(), cache.path(), &[]);
    edit(&cache_file(cache.path()), |b| {
        let u64_at = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap());
        let root_len = u32::from_le_bytes(b[12..16].try_into().unwrap()) as usize;
        let records = 64 + root_len + u64_at(32) as usize * 24;
        assert!(u64_at(40) > 0, "the sample tree has records");
        // A path length that never ends.
        b[records..records + 11].fill(0xff);
        let checksum = threatline::cache::content_hash(&b[64..]);
        b[48..56].copy_from_slice(&checksum.to_le_bytes());
    });
    let damaged = check(dir.path(), cache.path(), &[]);
    assert_eq!(damaged.status.code(), cold.status.code());
    assert_eq!(json(&damaged), json(&cold));
    let said = stderr(&damaged);
    assert!(said.contains("does not read back"), "{said}");
    assert_eq!(said.matches("threatline: note:").count(), 1, "{said}");
    let repaired = check(dir.path(), cache.path(), &[]);
    assert_eq!(json(&repaired), json(&cold));
    assert!(
        !stderr(&repaired).contains("note:"),
        "{}",
        stderr(&repaired)
    );
    assert_eq!(files_read(dir.path(), cache.path()), 0);
}

#[test]
fn runs_at_once_on_one_cache_each_give_the_right_output() {
    let dir = sample_tree();
    let cache = tempfile::tempdir().unwrap();
    let expected = json(&check(dir.path(), cache.path(), &["--no-cache"]));
    // Several runs race to write the cache (each its own temporary file, renamed over),
    // some reading it while another replaces it.
    for round in 0..3 {
        let runs: Vec<_> = (0..6)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_threatline"))
                    .args(["check", "--format", "json", "--cache-dir"])
                    .arg(cache.path())
                    .arg(dir.path())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for run in runs {
            let out = run.wait_with_output().unwrap();
            assert_eq!(json(&out), expected, "round {round}");
            assert!(!stderr(&out).contains("note:"), "{}", stderr(&out));
        }
    }
    // No temporary file is left, and the cache is whole.
    let names: Vec<_> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert_eq!(files_read(dir.path(), cache.path()), 0);
}

/// A copy of a directory, dated an hour back.
fn copy_tree(from: &Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().unwrap();
    for file in walk_files(from) {
        let rel = file.strip_prefix(from).unwrap();
        let dest = to.path().join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&file, &dest).unwrap();
    }
    age(to.path());
    to
}

/// The outputs of `check` (JSON and SARIF) and `scan` without a cache, then with a cache
/// being written, then read.
fn same_with_and_without_cache(dir: &Path) {
    let cache = tempfile::tempdir().unwrap();
    let commands: [&[&str]; 3] = [
        &["check", "--format", "json"],
        &["check", "--format", "sarif"],
        &["scan", "--format", "json"],
    ];
    for args in commands {
        let mut no_cache = args.to_vec();
        no_cache.push("--no-cache");
        let cold = threatline(&no_cache, cache.path(), dir);
        assert!(!cold.stdout.is_empty());
        for run in ["priming", "warm"] {
            let cached = threatline(args, cache.path(), dir);
            assert_eq!(cached.status.code(), cold.status.code(), "{args:?} {run}");
            assert!(
                cached.stdout == cold.stdout,
                "{args:?} {run}: outputs differ"
            );
            assert_eq!(stderr(&cached), stderr(&cold), "{args:?} {run}");
        }
    }
    assert_eq!(
        files_read(dir, cache.path()),
        0,
        "the warm run read nothing"
    );
}

#[test]
fn the_example_gives_the_same_bytes_with_and_without_cache() {
    let example = copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example"));
    same_with_and_without_cache(example.path());
}

#[test]
fn a_generated_tree_gives_the_same_bytes_with_and_without_cache() {
    let generator = std::env::var_os("GEN_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen_corpus.py")
        });
    let out = tempfile::tempdir().unwrap();
    let tree = out.path().join("tree");
    let generated = Command::new("python3")
        .arg(&generator)
        .arg(&tree)
        .args([
            "--files",
            "600",
            "--annotated-share",
            "0.2",
            "--decoy-share",
            "0.3",
        ])
        .output();
    match generated {
        Ok(o) if o.status.success() => {}
        other => {
            // The generator lives beside the repository (shared/), with python3.
            assert!(
                std::env::var_os("CI").is_none(),
                "cannot run {}: {other:?}",
                generator.display()
            );
            eprintln!("skipped: cannot run {}: {other:?}", generator.display());
            return;
        }
    }
    age(&tree);
    same_with_and_without_cache(&tree);
}
