//! The cache's record encoding reads back every result the fixtures give, exactly; the
//! cache directory is listed, pruned to its bound and cleaned, touching only what
//! threatline wrote.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, SystemTime};

use threatline::cache::{self, ListedKind, codec};
use threatline::walk::{WalkOptions, walk};

/// Every fixture tree that holds annotations of some kind: the example, each language,
/// foreign conventions, symbols, GuardLink and Threatspec trees, rules, hostile input.
const TREES: &[&str] = &[
    "fixtures/example",
    "tests/languages",
    "tests/foreign",
    "tests/symbols",
    "tests/interop",
    "tests/rules",
    "tests/coverage",
    "tests/hostile",
    "tests/injection",
    "tests/fuzz",
];

#[test]
fn every_fixture_result_reads_back_exactly() {
    let mut verbs = BTreeSet::new();
    let (mut files, mut annotations, mut diagnostics, mut bytes) = (0, 0, 0, 0);
    let (mut with_fields, mut with_origin, mut with_span) = (0, 0, 0);
    // GuardLink's note-like verbs, which no fixture tree holds.
    let notes = tempfile::tempdir().unwrap();
    std::fs::write(
        notes.path().join("notes.go"),
        "// @component Payments (#payments)\n\
         // @owns payments-team for #payments -- \"on call: #pay-oncall\"\n\
         // @assumes #payments the card vault is PCI-scoped -- \"per the 2026 audit\"\n\
         // @feature \"Refunds\"\n\
         // @comment -- \"refund flows are reviewed quarterly\"\n\
         package p\n",
    )
    .unwrap();
    // A YAML block (fields, one of them no form defines), a malformed line (a diagnostic
    // with a span) and a GuardLink sidecar (annotations with an origin).
    let extra = [
        (
            "model.py",
            "# @threat Unauthorized API access (#api-unauth) cwe:CWE-284:\n\
             #   priority: high\n#   likelihood: medium\n\
             #   stride: [spoofing, elevation-of-privilege]\n\
             #   description: Attackers gain access.\n#   owner: {team: platform, on_call: 2}\n",
        ),
        ("bad.py", "x = 1\n# @mitigates Shop:API against (#broken\n"),
        ("app/db.py", "def find_expenses(q):\n    pass\n"),
        (
            ".guardlink/annotations/app/db.py.gal",
            "@source file:app/db.py line:1 symbol:find_expenses\n@exposes #db to #sqli [critical]\n",
        ),
    ];
    for (path, text) in extra {
        let full = notes.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    let trees = TREES
        .iter()
        .map(|t| Path::new(env!("CARGO_MANIFEST_DIR")).join(t))
        .chain([notes.path().to_path_buf()]);
    for root in trees {
        let tree = root.display().to_string();
        if !root.is_dir() {
            continue;
        }
        let mut options = WalkOptions::new(&root);
        options.threads = 1;
        for result in walk(&options).expect("walks").files {
            let record = codec::encode(&result.path, Some(7), Some(&result)).expect("encodes");
            let head = codec::head(&record).unwrap();
            assert_eq!(
                (head.path, head.content_hash, head.holds),
                (&*result.path, Some(7), true)
            );
            let back = codec::decode(&record, &result.path)
                .expect("decodes")
                .expect("holds");
            assert_eq!(back.path, result.path);
            assert_eq!(
                back.annotations, result.annotations,
                "{tree}/{}",
                result.path
            );
            // `PartialEq` of a diagnostic compares its source line and span too.
            assert_eq!(
                back.diagnostics, result.diagnostics,
                "{tree}/{}",
                result.path
            );
            files += 1;
            bytes += record.len();
            annotations += result.annotations.len();
            diagnostics += result.diagnostics.len();
            for a in &result.annotations {
                verbs.insert(a.verb);
                with_fields += usize::from(a.fields.is_some());
                with_origin += usize::from(a.origin.is_some());
            }
            with_span += result
                .diagnostics
                .iter()
                .filter(|d| d.span.is_some())
                .count();
        }
    }
    // The fixtures exercise the whole encoding: every verb (so every form), YAML fields,
    // `.gal` origins, diagnostics with spans.
    assert_eq!(verbs.len(), 16, "{verbs:?}");
    assert!(
        with_fields > 0 && with_origin > 0 && with_span > 0,
        "{with_fields} {with_origin} {with_span}"
    );
    assert!(files > 100 && diagnostics > 0, "{files} files");
    eprintln!(
        "{files} files, {annotations} annotations, {diagnostics} diagnostics: {bytes} bytes of records"
    );
}

fn touch(path: &Path, bytes: usize, age: Duration) {
    std::fs::write(path, vec![b'x'; bytes]).unwrap();
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - age)
        .unwrap();
}

#[test]
fn the_directory_is_pruned_to_its_bound_oldest_first_and_only_of_what_threatline_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hour = Duration::from_secs(3600);
    touch(&d.join("000000000000000a.tlc"), 1000, hour * 5);
    touch(&d.join("000000000000000b.tlc"), 1000, hour * 4);
    touch(&d.join("000000000000000c.tlc"), 1000, hour * 3);
    // The one just written, though the oldest, always stays.
    touch(&d.join("000000000000000d.tlc"), 1000, hour * 9);
    // The previous format's caches go; temporary files once an hour old.
    touch(&d.join("00000000000000ff.json"), 10, Duration::ZERO);
    touch(&d.join(".000000000000000a.tlc.1.2.tmp"), 10, hour * 2);
    touch(&d.join(".000000000000000b.tlc.3.4.tmp"), 10, Duration::ZERO);
    // Not threatline's.
    touch(&d.join("notes.json"), 10, hour * 9);
    touch(&d.join("ffff.tlc"), 5000, hour * 9);
    assert_eq!(cache::list(d).len(), 7);

    cache::prune(d, &d.join("000000000000000d.tlc"), 2500);
    let mut left: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            ".000000000000000b.tlc.3.4.tmp",
            "000000000000000c.tlc",
            "000000000000000d.tlc",
            "ffff.tlc",
            "notes.json"
        ]
    );
    // Files that are not caches of this format are listed as such.
    let kinds: Vec<ListedKind> = cache::list(d).into_iter().map(|l| l.kind).collect();
    assert!(kinds.contains(&ListedKind::Temporary));
    assert!(kinds.contains(&ListedKind::Unreadable));

    let (removed, bytes) = cache::clean(d).unwrap();
    assert_eq!((removed, bytes), (3, 2010));
    let mut left: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["ffff.tlc", "notes.json"]);
}

#[test]
fn a_cache_lists_its_root_and_entries() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(tree.path().join("a.py"), "# @exposes A to B\n").unwrap();
    std::fs::write(tree.path().join("b.py"), "x = 1\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut options = WalkOptions::new(tree.path());
    options.cache_file = cache::file_for(tree.path(), Some(dir.path()));
    let first = walk(&options).unwrap();
    assert_eq!(
        first.files.len(),
        1,
        "a file with nothing leaves nothing behind"
    );
    let listed = cache::list(dir.path());
    assert_eq!(listed.len(), 1);
    assert_eq!(Some(&listed[0].path), options.cache_file.as_ref());
    let root = tree.path().canonicalize().unwrap();
    assert_eq!(
        listed[0].kind,
        ListedKind::Cache {
            root: root.to_string_lossy().into_owned(),
            entries: 2
        }
    );
    let again = walk(&options).unwrap();
    assert_eq!(again.files.len(), 1);
    assert_eq!(again.files[0].annotations, first.files[0].annotations);
}

fn cache_command(args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_threatline"))
        .arg("cache")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_cache_command_points_out_the_tree_and_cleans_only_what_threatline_wrote() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(tree.path().join("a.py"), "# @exposes A to B\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let t = tree.path().to_str().unwrap();
    let (code, said) = cache_command(&["--cache-dir", d, t]);
    assert_eq!(code, 0);
    assert!(said.contains("this tree has no cache yet"), "{said}");

    let mut options = WalkOptions::new(tree.path());
    options.cache_file = cache::file_for(tree.path(), Some(dir.path()));
    walk(&options).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let (code, said) = cache_command(&["--cache-dir", d, t]);
    assert_eq!(code, 0);
    assert!(said.contains("(1 files)  <- this tree"), "{said}");

    let (code, said) = cache_command(&["--cache-dir", d, "--clean"]);
    assert_eq!(code, 0);
    assert!(said.starts_with("removed 1 file(s)"), "{said}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["notes.txt"]);
}
