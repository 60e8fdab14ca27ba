//! Foreign `@` conventions (`tests/foreign/`): doc tags, decorators, attributes, pragmas,
//! SQL variables, team mentions. None of them is a threatline annotation (SPEC §3.1: verbs
//! are lowercase and exact; §3.3: a `@verb` line that does not parse is prose).
//!
//! The corpus is discovered by walking the directory, so a reported case is one new file.
//! Every file is scanned twice: alone, where it must yield nothing at all (the common case
//! of a repository that has never heard of threatline), and beside a small real model,
//! where it must add nothing to the model and raise no error. A tree that holds a model may
//! warn about prose-like `@verb` lines; those warnings are snapshotted per file, so a
//! change in what the corpus produces is always a reviewed change.

mod common;

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use threatline::diagnostics::Level;

const MODEL: &str = "\
@component Shop:Web (#web)
@threat SQL Injection (#sqli) [high]
@control Parameterised queries (#pq)
@exposes #web to #sqli
@mitigates #web against #sqli with #pq
";

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/foreign")
}

/// Every corpus file, relative to `tests/foreign/`, `/`-separated and sorted. Hidden
/// directories are included: `.github/workflows/` is where CI YAML lives.
fn corpus() -> Vec<String> {
    fn visit(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("corpus directory reads") {
            let path = entry.expect("corpus entry").path();
            if path.is_dir() {
                visit(&path, root, out);
            } else if path.file_name() != Some("README.md".as_ref()) {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy();
                out.push(rel.replace('\\', "/"));
            }
        }
    }
    let mut files = Vec::new();
    visit(&corpus_root(), &corpus_root(), &mut files);
    files.sort();
    assert!(files.len() >= 25, "corpus is missing: {files:?}");
    files
}

/// A temporary tree holding the corpus file at its relative path, plus `extra` files.
fn tree_with(rel: &str, extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = common::tree(extra);
    let bytes = std::fs::read(corpus_root().join(rel)).expect("corpus file reads");
    common::write(dir.path(), rel, &bytes);
    dir
}

/// One line per item of a model list: where it is and what it says. The model is read as
/// JSON so that every list (and any list added later) is covered without naming it here.
fn describe(list: &str, item: &Value) -> String {
    let field = |key: &str| match item.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    };
    let (file, line, column) = (field("file"), field("line"), field("column"));
    let code = item.get("code").map(|_| format!(" {}", field("code")));
    let text = field("text");
    format!(
        "{list}{} at {file}:{line}:{column}: {text:?}",
        code.unwrap_or_default()
    )
}

/// Whether `value` holds, at any depth, a location in `file` (related locations included).
fn points_into(value: &Value, file: &str) -> bool {
    match value {
        Value::Object(map) => {
            map.get("file").and_then(Value::as_str) == Some(file)
                || map.values().any(|v| points_into(v, file))
        }
        Value::Array(items) => items.iter().any(|v| points_into(v, file)),
        _ => false,
    }
}

/// (a) Alone: the library sees no entity, finding or diagnostic, and `check` passes and
/// says it found no threat annotations.
fn alone(rel: &str) -> Vec<String> {
    let dir = tree_with(rel, &[]);
    let model = serde_json::to_value(common::scan(dir.path())).expect("model serialises");
    let mut problems = Vec::new();
    for (list, items) in model.as_object().unwrap() {
        for item in items.as_array().into_iter().flatten() {
            problems.push(describe(list, item));
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .arg("check")
        .arg(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.code() != Some(0) || !stdout.contains("no threat annotations") {
        let code = out.status.code();
        let stdout = stdout.trim_end().replace('\n', "\n        ");
        problems.push(format!(
            "`check` exited {code:?}, printing\n        {stdout}"
        ));
    }
    problems
}

/// (b) Beside a model: nothing in the model points into the foreign file and no error does;
/// the diagnostics that do point into it are returned for the snapshot.
fn beside_model(rel: &str) -> (Vec<String>, String) {
    let dir = tree_with(rel, &[("model.threatline", MODEL)]);
    let model = common::scan(dir.path());
    let json = serde_json::to_value(&model).expect("model serialises");
    let mut problems = Vec::new();
    for (list, items) in json.as_object().unwrap() {
        for item in items.as_array().into_iter().flatten() {
            if list != "diagnostics" && points_into(item, rel) {
                problems.push(describe(list, item));
            }
        }
    }
    let mut snapshot = String::new();
    for d in model.diagnostics.iter().filter(|d| d.location.file == rel) {
        let (code, line, column) = (d.code.as_str(), d.location.line, d.location.column);
        writeln!(snapshot, "{code} {line}:{column} {}", d.message).unwrap();
        if matches!(d.severity, Level::Error) {
            problems.push(format!("error {code} {line}:{column} {}", d.message));
        }
    }
    (problems, snapshot)
}

#[test]
fn foreign_conventions_are_not_annotations() {
    let mut failures = String::new();
    for rel in corpus() {
        for problem in alone(&rel) {
            writeln!(failures, "{rel} (alone): {problem}").unwrap();
        }
        let (problems, snapshot) = beside_model(&rel);
        for problem in problems {
            writeln!(failures, "{rel} (beside a model): {problem}").unwrap();
        }
        // Compared one file at a time, but never stopping the loop: every file is reported.
        let name = rel.replace(|c: char| !c.is_ascii_alphanumeric(), "_");
        if catch_unwind(AssertUnwindSafe(|| insta::assert_snapshot!(name, snapshot))).is_err() {
            let shown = if snapshot.is_empty() {
                "(no diagnostics)\n"
            } else {
                &snapshot
            };
            writeln!(
                failures,
                "{rel} (beside a model): new or changed snapshot:\n{shown}"
            )
            .unwrap();
        }
    }
    assert!(
        failures.is_empty(),
        "foreign `@` forms were read:\n{failures}"
    );
}
