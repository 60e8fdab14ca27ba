//! The walk (SPEC §2, files): ignore files, hidden files, excludes, binary files, the size
//! cap, symlinks, determinism across thread counts, and the CLI's own outputs.

mod common;

use std::process::Command;

use common::{diagnostics, scan, tree, write};
use threatline::model::BuildOptions;
use threatline::output::data::to_json;
use threatline::walk::WalkOptions;

fn files_with_annotations(m: &threatline::model::Model) -> Vec<String> {
    let mut files: Vec<String> = m
        .exposures
        .iter()
        .map(|e| e.site.location.file.clone())
        .collect();
    files.sort();
    files.dedup();
    files
}

#[test]
fn gitignore_and_ignore_files_are_honoured_and_hidden_files_scanned() {
    let dir = tree(&[
        (".gitignore", "build/\n*.gen.go\n"),
        (".ignore", "vendor/\n"),
        ("src/a.go", "// @exposes A to T\n"),
        ("build/b.go", "// @exposes B to T\n"),
        ("src/c.gen.go", "// @exposes C to T\n"),
        ("vendor/d.go", "// @exposes D to T\n"),
        (".github/workflows/ci.yml", "# @exposes CI to T\n"),
        (".git/hooks/e.sh", "# @exposes E to T\n"),
    ]);
    let m = scan(dir.path());
    assert_eq!(
        files_with_annotations(&m),
        vec![".github/workflows/ci.yml", "src/a.go"]
    );
}

#[test]
fn excludes_take_gitignore_globs() {
    let dir = tree(&[
        ("src/a.go", "// @exposes A to T\n"),
        ("src/gen/b.go", "// @exposes B to T\n"),
        ("web/c.min.js", "// @exposes C to T\n"),
    ]);
    let mut options = WalkOptions::new(dir.path());
    options.excludes = vec!["src/gen/".into(), "*.min.js".into()];
    let m = threatline::scan_tree(&options, &BuildOptions::default()).unwrap();
    assert_eq!(files_with_annotations(&m), vec!["src/a.go"]);
}

#[test]
fn binary_files_are_skipped_and_big_files_reported() {
    let dir = tree(&[("ok.py", "# @exposes A to T\n")]);
    let mut binary = b"// @exposes Bin to T\n".to_vec();
    binary.extend_from_slice(&[0, 1, 2, 3]);
    write(dir.path(), "blob.c", &binary);
    let big = format!("# @exposes Big to T\n{}", "x = 1\n".repeat(1000));
    write(dir.path(), "big.py", big.as_bytes());
    let mut options = WalkOptions::new(dir.path());
    options.max_file_size = 1000;
    let m = threatline::scan_tree(&options, &BuildOptions::default()).unwrap();
    assert_eq!(files_with_annotations(&m), vec!["ok.py"]);
    assert_eq!(diagnostics(&m), vec!["skipped-file big.py:1:1"]);
    assert!(m.diagnostics[0].message.contains("6020 bytes"));
}

#[test]
fn invalid_utf8_is_tolerated() {
    let dir = tree(&[]);
    write(
        dir.path(),
        "x.py",
        b"s = b'\xff\xfe'\n# \xff @note\n# @exposes A to T \xe9\n",
    );
    let m = scan(dir.path());
    assert_eq!(m.exposures.len(), 1);
    assert_eq!(m.exposures[0].site.location.line, 3);
    assert_eq!(m.exposures[0].site.location.column, 3);
}

#[cfg(unix)]
#[test]
fn symlinks_never_lead_out_of_the_root() {
    let outside = tree(&[("secret.py", "# @exposes Outside to T\n")]);
    let dir = tree(&[("src/a.py", "# @exposes A to T\n")]);
    let root = dir.path();
    std::os::unix::fs::symlink(outside.path().join("secret.py"), root.join("link.py")).unwrap();
    std::os::unix::fs::symlink(outside.path(), root.join("linkdir")).unwrap();
    std::os::unix::fs::symlink(root.join("src/a.py"), root.join("inside.py")).unwrap();
    std::os::unix::fs::symlink(root, root.join("src/loop")).unwrap();
    let m = scan(root);
    assert_eq!(files_with_annotations(&m), vec!["inside.py", "src/a.py"]);
    assert_eq!(
        diagnostics(&m),
        vec!["skipped-file link.py:1:1", "skipped-file linkdir:1:1"]
    );
}

#[test]
fn output_is_byte_identical_whatever_the_thread_count() {
    let mut files = Vec::new();
    for i in 0..240 {
        let ext = ["py", "go", "js", "rs", "java", "yaml"][i % 6];
        let mark = if matches!(ext, "py" | "yaml") {
            "#"
        } else {
            "//"
        };
        files.push((
            format!("d{}/m{}/f{i}.{ext}", i % 7, i % 5),
            format!(
                "{mark} @mitigates App{}:Svc{} against Threat {} with Control {}\n{mark} @exposes App{}:Svc{} to Threat {}\n{mark} @connects Ext:User{} to App{}:Svc{} with HTTPS\n{mark} @exposes App:X to #missing{i}\n",
                i % 3, i % 11, i % 4, i % 5, i % 3, i % 11, i % 6, i % 2, i % 3, i % 11
            ),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    let dir = tree(&refs);
    let json = |threads: usize| {
        let mut options = WalkOptions::new(dir.path());
        options.threads = threads;
        to_json(&threatline::scan_tree(&options, &BuildOptions::default()).unwrap())
    };
    let one = json(1);
    assert!(one.contains("missing239"));
    assert_eq!(one, json(2));
    assert_eq!(one, json(4));
}

#[test]
fn the_cli_never_reads_its_own_output_back() {
    let dir = tree(&[("a.py", "# @exposes A to T\n")]);
    let out = dir.path().join("model.yaml");
    let run = || {
        let status = Command::new(env!("CARGO_BIN_EXE_threatline"))
            .args(["scan", "--format", "yaml", "-o"])
            .arg(&out)
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read_to_string(&out).unwrap()
    };
    let first = run();
    assert!(first.contains("@exposes A to T"));
    assert_eq!(first, run());
}

#[test]
fn an_unreadable_root_is_a_failure_exit() {
    let output = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["scan", "/nonexistent/threatline-root"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/threatline-root"), "{stderr}");
}
