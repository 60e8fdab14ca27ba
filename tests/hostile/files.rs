//! What the walk meets: binary and huge files, garbage, deep nesting, links, permissions,
//! empty and vanishing files.

use std::time::{Duration, Instant};

use super::*;
use crate::common::diagnostics;

#[test]
fn binary_files_are_skipped_silently() {
    // A NUL in the first 8 KiB: images, archives, UTF-16 text. Too common to report.
    let mut blob = b"# @exposes Binary:Blob to T\n".to_vec();
    blob.extend_from_slice(&[0, 159, 146, 150, 0xff, 0]);
    let dir = hostile_tree(&[("blob.py", &blob), ("image.png", &blob)]);
    let m = scan_with(dir.path(), |_| {});
    assert_exposures(&m, &[]);
    assert!(m.diagnostics.is_empty(), "{:?}", diagnostics(&m));
}

#[test]
fn invalid_utf8_in_code_and_in_an_annotation_keeps_positions() {
    let dir = hostile_tree(&[(
        "bad.py",
        b"s = b'\xff\xfe\xc3'  # @exposes Bad\xffName:X to T\n# \x80\x80 prose\n\xe2\x82x = 1  # @exposes After:Y to T\n",
    )]);
    let m = scan_with(dir.path(), |_| {});
    // Columns count an invalid sequence as one character, as lossy decoding shows it.
    assert_exposures(&m, &["bad.py:1:15", "bad.py:3:11"]);
    let bad = m.components.iter().find(|c| c.path[0] == "Bad\u{fffd}Name");
    assert!(bad.is_some(), "{:?}", m.components);
    assert!(m.diagnostics.is_empty(), "{:?}", diagnostics(&m));
}

#[test]
fn a_50_mb_minified_line_is_skipped_by_the_size_cap() {
    let mut big = b"/* @exposes Big:File to T */ ".to_vec();
    big.resize(50 * 1024 * 1024, b'x');
    let dir = hostile_tree(&[("app.min.js", &big)]);
    let started = Instant::now();
    let m = scan_with(dir.path(), |_| {});
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the file was read"
    );
    assert_eq!(diagnostics(&m), ["skipped-file app.min.js:1:1"]);
    assert_eq!(
        m.diagnostics[0].message,
        "not scanned: 52428800 bytes is over the 2097152 byte limit, and it may hold annotations"
    );
    assert_exposures(&m, &[]);
}

#[test]
fn an_oversized_file_is_reported_only_when_it_may_hold_an_annotation() {
    // A generated header with no `@verb` costs a read and says nothing; one with a verb
    // anywhere, even past the cap, is reported.
    let mut plain = b"/* generated; @Component @param x */\n".to_vec();
    plain.resize(3 * 1024 * 1024, b'x');
    let mut late = plain.clone();
    late.extend_from_slice(b"\n// @threat Tampering\n");
    let dir = hostile_tree(&[("gen.h", &plain), ("late.h", &late)]);
    let m = scan_with(dir.path(), |_| {});
    assert_eq!(diagnostics(&m), ["skipped-file late.h:1:1"]);
    let m = scan_with(dir.path(), |o| o.max_file_size = 8 * 1024 * 1024);
    assert_eq!(diagnostics(&m), Vec::<String>::new());
    assert!(
        m.threats.iter().any(|t| t.name == "Tampering"),
        "{:#?}",
        m.threats
    );
}

#[test]
fn a_minified_line_under_a_raised_cap_is_scanned_within_bounds() {
    // 3 MB on one line, a comment every few bytes: parsing runs into its deadline, and
    // the line-by-line fallback and the column count stay linear.
    let mut line = b"/* @exposes Min:File to T */".to_vec();
    while line.len() < 3_000_000 {
        line.extend_from_slice(b"a=[b/*@x*/,\"/* \"];");
    }
    let dir = hostile_tree(&[("app.min.js", &line)]);
    let started = Instant::now();
    let m = scan_with(dir.path(), |o| {
        o.max_file_size = 4_000_000;
        o.parse_deadline = Duration::from_millis(200);
    });
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(diagnostics(&m), ["parse-timeout app.min.js:1:1"]);
    assert_exposures(&m, &["app.min.js:1:4"]);
}

#[test]
fn random_bytes_with_a_source_extension_are_bounded_by_the_parse_deadline() {
    // Garbage without comment or string delimiters, then one real annotation.
    let mut bytes: Vec<u8> = garbage(1_000_000, 7)
        .into_iter()
        .map(|b| {
            if b"/*\"'\r\n#`-<>!".contains(&b) {
                b'.'
            } else {
                b
            }
        })
        .collect();
    bytes.extend_from_slice(b"\n// @exposes Random:Bytes to T\n");
    let dir = hostile_tree(&[("noise.c", &bytes)]);
    let started = Instant::now();
    let m = scan_with(dir.path(), |o| o.parse_deadline = Duration::from_millis(1));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(diagnostics(&m), ["parse-timeout noise.c:1:1"]);
    assert_exposures(&m, &["noise.c:2:4"]);
}

#[test]
fn deep_nesting_neither_overflows_the_stack_nor_goes_quadratic() {
    let depth = 100_000;
    let mut js = b"// @exposes Deep:Js to T\nx = ".to_vec();
    js.extend(b"[/*@x*/".repeat(depth));
    js.extend(b"]".repeat(depth));
    let mut json = b"{\"x-threatspec\": ".to_vec();
    json.extend(b"[".repeat(depth));
    json.extend_from_slice(b"\"@exposes Deep:Json to T\"");
    json.extend(b"]".repeat(depth));
    json.extend_from_slice(b"}\n");
    let mut py = b"# @exposes Deep:Python to T\nx = ".to_vec();
    py.extend(b"(".repeat(depth));
    py.extend(b")".repeat(depth));
    let dir = hostile_tree(&[("deep.js", &js), ("deep.json", &json), ("deep.py", &py)]);
    let root = dir.path().to_path_buf();
    let started = Instant::now();
    let m = on_normal_stack(move || {
        scan_with(&root, |o| {
            o.threads = 1;
            o.parse_deadline = Duration::from_secs(60);
        })
    });
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert!(m.diagnostics.is_empty(), "{:?}", diagnostics(&m));
    assert_exposures(&m, &["deep.js:1:4", "deep.json:1:100019", "deep.py:1:3"]);
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_links_out_of_the_root_are_not_followed() {
    use std::os::unix::fs::symlink;
    let outside = common::tree(&[("secret.py", "# @exposes Outside:Secret to T\n")]);
    let dir = hostile_tree(&[]);
    let root = dir.path();
    symlink(root, root.join("loop")).unwrap();
    symlink("../ok", root.join("ok/again")).unwrap();
    symlink(outside.path(), root.join("elsewhere")).unwrap();
    symlink(outside.path().join("secret.py"), root.join("secret.py")).unwrap();
    let m = scan_with(root, |_| {});
    assert_exposures(&m, &[]);
    assert_eq!(
        diagnostics(&m),
        ["skipped-file elsewhere:1:1", "skipped-file secret.py:1:1"]
    );
    for d in &m.diagnostics {
        assert_eq!(
            d.message,
            "symlink points outside the scanned root; not followed"
        );
    }
    let json = threatline::output::data::to_json(&m);
    assert!(!json.contains(outside.path().to_str().unwrap()), "{json}");
}

/// Whether this process reads files whatever their mode (root, CAP_DAC_OVERRIDE).
#[cfg(unix)]
fn reads_anything(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join("probe");
    std::fs::write(&probe, "x").unwrap();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable = std::fs::read(&probe).is_ok();
    std::fs::remove_file(&probe).unwrap();
    readable
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_directories_are_reported_not_fatal() {
    use std::os::unix::fs::PermissionsExt;
    let dir = hostile_tree(&[
        ("locked.py", b"# @exposes Locked:File to T\n"),
        ("closed/inner.py", b"# @exposes Locked:Dir to T\n"),
    ]);
    let root = dir.path();
    let none = std::fs::Permissions::from_mode(0o000);
    std::fs::set_permissions(root.join("locked.py"), none.clone()).unwrap();
    std::fs::set_permissions(root.join("closed"), none).unwrap();
    let m = scan_with(root, |_| {});
    let as_root = reads_anything(root);
    // Let the temporary directory be removed.
    std::fs::set_permissions(root.join("closed"), std::fs::Permissions::from_mode(0o755)).unwrap();
    if as_root {
        // Modes do not stop this process: both are read, as they would be in CI as root.
        assert_exposures(&m, &["closed/inner.py:1:3", "locked.py:1:3"]);
        assert!(m.diagnostics.is_empty(), "{:?}", diagnostics(&m));
    } else {
        assert_exposures(&m, &[]);
        assert_eq!(
            diagnostics(&m),
            ["skipped-file closed:1:1", "skipped-file locked.py:1:1"]
        );
        for d in &m.diagnostics {
            assert!(
                d.message.starts_with("not scanned: Permission denied"),
                "{}",
                d.message
            );
        }
    }
}

#[test]
fn an_empty_file_is_nothing() {
    let dir = hostile_tree(&[
        ("empty.py", b""),
        ("empty.threatline", b""),
        ("Dockerfile", b""),
    ]);
    let m = scan_with(dir.path(), |_| {});
    assert_exposures(&m, &[]);
    assert!(m.diagnostics.is_empty(), "{:?}", diagnostics(&m));
}

#[cfg(unix)]
#[test]
fn files_that_vanish_during_the_walk_are_reported_sanely() {
    // A dangling link is a file listed that cannot be read: skipped without noise, as
    // a link to a build output that is not there is common.
    let dir = hostile_tree(&[]);
    std::os::unix::fs::symlink("missing.py", dir.path().join("dangling.py")).unwrap();
    let m = scan_with(dir.path(), |_| {});
    assert_exposures(&m, &[]);
    assert!(m.diagnostics.is_empty(), "{:?}", diagnostics(&m));

    // Files deleted by another thread while the walk runs: whichever go between listing
    // and reading are `skipped-file` with the OS's reason; the rest are read.
    let files: Vec<(String, String)> = (0..400)
        .map(|i| {
            (
                format!("v/{i:03}.py"),
                format!("# @exposes Vanish:F{i} to T\n"),
            )
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_bytes()))
        .collect();
    let dir = hostile_tree(&refs);
    let victims: Vec<std::path::PathBuf> = (0..400)
        .step_by(2)
        .map(|i| dir.path().join(format!("v/{i:03}.py")))
        .collect();
    let deleter = std::thread::spawn(move || {
        for v in victims {
            let _ = std::fs::remove_file(v);
        }
    });
    let m = scan_with(dir.path(), |o| o.threads = 2);
    deleter.join().unwrap();
    for d in &m.diagnostics {
        assert_eq!(d.code.as_str(), "skipped-file");
        assert!(d.location.file.starts_with("v/") && d.location.line == 1);
        assert!(
            d.message.starts_with("not scanned: No such file"),
            "{}",
            d.message
        );
    }
    // Every odd file survived and is in the model, with the sentinels.
    let got = exposures(&m);
    for i in (1..400).step_by(2) {
        assert!(
            got.contains(&format!("v/{i:03}.py:1:3")),
            "v/{i:03}.py lost"
        );
    }
    assert_eq!(got.iter().filter(|e| e.starts_with("ok/")).count(), 3);
}

#[test]
fn ten_thousand_annotations_in_one_comment_are_all_read() {
    let mut block = String::from("/*\n");
    for i in 0..10_000 {
        block.push_str(&format!(" * @exposes Many:C{i} to T\n"));
    }
    block.push_str(" */\nint x;\n");
    let dir = hostile_tree(&[("many.c", block.as_bytes())]);
    // Time is a benchmark's business (a file of 20,000 components once took seconds in
    // the stride-gap rule); this test holds the result.
    let m = scan_with(dir.path(), |_| {});
    assert!(m.diagnostics.is_empty(), "{:?}", &diagnostics(&m)[..3]);
    let many: Vec<String> = (0..10_000).map(|i| format!("many.c:{}:4", i + 2)).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_exposures(&m, &refs);
}

#[test]
fn one_line_cannot_make_the_model_grow_without_bound() {
    // Each path segment is a component holding the annotation's site, and a long
    // minified line held a copy per comment: 4,000 segments took minutes, 20,000
    // comments on one line 12 GB (5,000 here: 0.7 GB before). Now a diagnostic, and
    // the line is not copied.
    let path: Vec<String> = (0..4000).map(|i| format!("a{i}")).collect();
    let members: Vec<String> = (0..10_000).map(|i| format!("Z{i}")).collect();
    let plain = format!(
        "@component {}\n@boundary Wide around {}\n",
        path.join(":"),
        members.join(", ")
    );
    let mut minified = b"x".to_vec();
    minified.extend(b"/* @review Min:C look */".repeat(5_000));
    let dir = hostile_tree(&[("deep.threatline", plain.as_bytes()), ("min.js", &minified)]);
    let started = Instant::now();
    // A deadline that the minified file's parse always meets, so it is read from the tree.
    let m = scan_with(dir.path(), |o| o.parse_deadline = Duration::from_secs(60));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    // Without a keyword of its form the too-deep `@component` reads as prose (SPEC 3.3).
    assert_eq!(
        diagnostics(&m),
        [
            "prose-like deep.threatline:1:1",
            "malformed-annotation deep.threatline:2:1"
        ]
    );
    assert!(m.diagnostics[0].message.contains("too many path segments"));
    assert_eq!(m.reviews.len(), 5_000);
    assert!(m.reviews.iter().all(|r| r.site.source_line.is_none()));
    assert_exposures(&m, &[]);
}

#[cfg(unix)]
#[test]
fn ignore_files_that_are_links_to_devices_are_never_read() {
    // The `ignore` crate reads a directory's `.ignore` and `.gitignore` whole: a link to
    // `/dev/zero` filled memory until the process aborted.
    use std::os::unix::fs::symlink;
    let dir = hostile_tree(&[("sub/a.py", b"# @exposes Sub:A to T\n")]);
    symlink("/dev/zero", dir.path().join("sub/.ignore")).unwrap();
    let m = scan_with(dir.path(), |_| {});
    assert_exposures(&m, &[]);
    assert_eq!(diagnostics(&m), ["skipped-file sub:1:1"]);
    assert_eq!(
        m.diagnostics[0].message,
        "not scanned: its `.ignore` is not a regular file of at most 1048576 bytes (a link to a device?)"
    );
    // At the root the walk cannot start without reading it: an error (exit 2).
    let dir = hostile_tree(&[]);
    symlink("/dev/urandom", dir.path().join(".gitignore")).unwrap();
    let e = threatline::scan_tree(&WalkOptions::new(dir.path()), &BuildOptions::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        ".gitignore is not a regular file of at most 1048576 bytes (a link to a device?); refusing to read it"
    );
}
