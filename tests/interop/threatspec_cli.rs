//! Threatspec 0.5 itself reading what threatline writes: `threatline report --format
//! threatspec --layout directory -o threatmodel` in a project directory, a minimal
//! `threatspec.yaml` beside it, then `threatspec report` there as a Threatspec user runs it
//! (`-o json`, and the default Markdown report with its Graphviz diagram).
//!
//! Threatspec is found as `$THREATLINE_THREATSPEC` (its `threatspec` executable, or the
//! virtualenv holding `bin/threatspec`), else `threatspec` on the PATH. Without it these
//! tests skip with a message; with `CI=true` and `THREATLINE_THREATSPEC` set, a missing or
//! broken Threatspec (or a missing Graphviz `dot`, which its default report needs) fails.
//!
//! ```sh
//! python3 -m venv /tmp/ts-venv
//! /tmp/ts-venv/bin/pip install threatspec==0.5.0 'setuptools<81'
//! THREATLINE_THREATSPEC=/tmp/ts-venv cargo test --test interop threatspec_itself
//! ```

use std::path::PathBuf;

use super::threatspec_schemas::{awkward_tree, threatline_report};
use super::*;

const VARIABLE: &str = "THREATLINE_THREATSPEC";

/// What `threatspec report` prints (on stderr, through `logging`) when all is well; any
/// other line (a warning, an error, a traceback) fails the test.
const QUIET: [&str; 2] = ["Generating report...", "The following threat model "];

fn must_find() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
        && std::env::var_os(VARIABLE).is_some_and(|v| !v.is_empty())
}

/// Skips (with the reason and what would run it on stderr) or, when [`must_find`], fails.
fn unavailable<T>(reason: &str, remedy: &str) -> Option<T> {
    assert!(
        !must_find(),
        "{reason}, and CI=true with {VARIABLE} set: {remedy}"
    );
    eprintln!(
        "skipping the Threatspec test: {reason} ({remedy}; with CI=true and {VARIABLE} set, \
         this is a failure)"
    );
    None
}

/// Skips or fails for want of Threatspec itself.
fn no_threatspec<T>(reason: &str) -> Option<T> {
    unavailable(
        reason,
        &format!("set {VARIABLE} to a Threatspec 0.5 virtualenv or its bin/threatspec"),
    )
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The `threatspec` executable, checked to run and to be 0.5.
fn threatspec_bin() -> Option<PathBuf> {
    let bin = match std::env::var_os(VARIABLE).filter(|v| !v.is_empty()) {
        Some(named) => {
            let named = PathBuf::from(named);
            if named.is_dir() {
                named.join("bin").join("threatspec")
            } else {
                named
            }
        }
        None => match on_path("threatspec") {
            Some(bin) => bin,
            None => return no_threatspec("`threatspec` is not on the PATH"),
        },
    };
    let version = match Command::new(&bin).arg("--version").output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        Ok(out) => {
            return no_threatspec(&format!(
                "`{} --version` failed: {}",
                bin.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Err(e) => return no_threatspec(&format!("cannot run {}: {e}", bin.display())),
    };
    // "threatspec, version 0.5.0"
    if !version.contains("version 0.5.") {
        return no_threatspec(&format!(
            "{} is not Threatspec 0.5: {}",
            bin.display(),
            version.trim()
        ));
    }
    Some(bin)
}

/// Runs `threatspec report ARGS` in `project`; asserts it succeeds and prints nothing but
/// its usual progress lines.
fn threatspec_report(bin: &Path, project: &Path, args: &[&str]) {
    let out = Command::new(bin)
        .current_dir(project)
        .arg("report")
        .args(args)
        // Python's own warnings (setuptools' `pkg_resources is deprecated`, about
        // Threatspec's imports) are not about these files; Threatspec's are `logging`.
        .env("PYTHONWARNINGS", "ignore")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "`threatspec report {}` failed in {}:\n{stderr}",
        args.join(" "),
        project.display()
    );
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            QUIET.iter().any(|q| line.starts_with(q)),
            "`threatspec report {}` said: {line}\n{stderr}",
            args.join(" ")
        );
    }
}

/// Writes `scanned`'s `threatmodel/` directory into `project` with the command line, and a
/// minimal `threatspec.yaml` when `project` has none (Threatspec stops without one).
fn write_project(scanned: &Path, project: &Path) {
    let out = threatline_report(
        project,
        &[
            scanned.to_str().unwrap(),
            "--format",
            "threatspec",
            "--layout",
            "directory",
            "-o",
            "threatmodel",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = project.join("threatspec.yaml");
    if !config.exists() {
        std::fs::write(
            config,
            "project:\n  name: \"example\"\n  description: \"written by threatline\"\npaths: []\n",
        )
        .unwrap();
    }
}

/// What `threatline report --format threatspec` writes for `scanned`: the same layout as
/// `threatspec report -o json`.
fn threatline_json(scanned: &Path, cwd: &Path) -> Value {
    let out = threatline_report(cwd, &[scanned.to_str().unwrap(), "--format", "threatspec"]);
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A `ThreatModel.json` without what differs by design: every `run_id` (Threatspec makes a
/// random one per run), and the empty path `[]` Threatspec adds to a component each time a
/// relation names it by bare id.
fn comparable(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| *k != "run_id")
                .map(|(k, v)| (k.clone(), comparable(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter(|x| x.as_array().is_none_or(|a| !a.is_empty()))
                .map(comparable)
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Threatspec's report of the directory says what threatline's own `ThreatModel.json`
/// says: the same relations, entry for entry, and the same library entries (Threatspec's
/// report holds only those a relation names; threatline's holds the whole model).
fn assert_threatspec_reads_what_threatline_means(theirs: &Value, ours: &Value) {
    let (theirs, ours) = (comparable(theirs), comparable(ours));
    for kind in [
        "mitigations",
        "exposures",
        "transfers",
        "acceptances",
        "connections",
        "reviews",
        "tests",
    ] {
        let (a, b) = (&theirs["threatmodel"][kind], &ours["threatmodel"][kind]);
        assert_eq!(
            a.as_array().map(Vec::len),
            b.as_array().map(Vec::len),
            "{kind}: as many as written"
        );
        for (i, (x, y)) in a
            .as_array()
            .unwrap()
            .iter()
            .zip(b.as_array().unwrap())
            .enumerate()
        {
            assert_eq!(x, y, "{kind}[{i}] as Threatspec reads it");
        }
    }
    for library in ["threats", "controls", "components"] {
        for (id, entry) in theirs[library].as_object().unwrap() {
            assert_eq!(Some(entry), ours[library].get(id), "{library} {id}");
        }
    }
}

#[test]
fn threatspec_itself_reports_the_example_from_threatlines_directory() {
    let Some(bin) = threatspec_bin() else { return };
    let project = tempfile::tempdir().unwrap();
    write_project(Path::new(EXAMPLE), project.path());
    threatspec_report(&bin, project.path(), &["-o", "json"]);
    let text = std::fs::read_to_string(project.path().join("ThreatModel.json")).unwrap();
    let theirs: Value = serde_json::from_str(&text).unwrap();
    assert_threatspec_reads_what_threatline_means(
        &theirs,
        &threatline_json(Path::new(EXAMPLE), project.path()),
    );
    let m = &*EXAMPLE_MODEL;
    assert_eq!(
        theirs["threatmodel"]["mitigations"]
            .as_array()
            .map(Vec::len),
        Some(m.mitigations.len())
    );
    assert_eq!(
        theirs["threatmodel"]["connections"]
            .as_array()
            .map(Vec::len),
        Some(m.flows.len())
    );
    assert_eq!(theirs["project"]["name"], "example");
    assert_eq!(
        theirs["threats"]["#api_unauth"]["name"],
        "Unauthorised Cluster API Access"
    );
    assert_eq!(
        theirs["components"]["#api_gateway"]["name"],
        "Shop:Edge:API Gateway"
    );

    // The default report, as a Threatspec user runs it: Markdown and a Graphviz PNG.
    if on_path("dot").is_none() {
        unavailable::<()>(
            "Graphviz `dot` is not on the PATH, and Threatspec's default Markdown report needs it",
            "install Debian's graphviz",
        );
        return;
    }
    threatspec_report(&bin, project.path(), &[]);
    let markdown = std::fs::read_to_string(project.path().join("ThreatModel.md")).unwrap();
    assert!(project.path().join("ThreatModel.md.png").is_file());
    // Threatspec's template capitalises threat names (`Sql injection`): compare lowercased.
    let lower = markdown.to_lowercase();
    for t in &m.threats {
        let named = m.mitigations.iter().any(|x| x.threat == t.id)
            || m.exposures.iter().any(|x| x.threat == t.id)
            || m.acceptances.iter().any(|x| x.threat == t.id);
        if named {
            assert!(
                lower.contains(&format!("## {}", t.name.to_lowercase())),
                "the Markdown report names the threat {}",
                t.name
            );
        }
    }
    for f in &m.flows {
        for end in [&f.from, &f.to] {
            let c = m.components.iter().find(|c| &c.id == end).unwrap();
            assert!(
                markdown.contains(&c.path.join(":")),
                "the Markdown report names the component {}",
                c.path.join(":")
            );
        }
    }
    for e in &m.exposures {
        if let Some(d) = &e.description {
            assert!(
                lower.contains(&d.to_lowercase()),
                "the Markdown report has the exposure details {d}"
            );
        }
    }
}

#[test]
fn threatspec_itself_reports_a_threatspec_tree_from_threatlines_directory() {
    let Some(bin) = threatspec_bin() else { return };
    // The tree's own threatspec.yaml is the one Threatspec reads.
    let project = tempfile::tempdir().unwrap();
    for entry in [
        "threatspec.yaml",
        "src/accounts.py",
        "src/login.go",
        "src/session.js",
        "api/openapi.yaml",
    ] {
        let text = std::fs::read(Path::new(TREE).join(entry)).unwrap();
        common::write(project.path(), entry, &text);
    }
    write_project(project.path(), project.path());
    // Before Threatspec writes its reports into the tree.
    let mut ours = threatline_json(project.path(), project.path());
    threatspec_report(&bin, project.path(), &["-o", "json"]);
    let theirs: Value = serde_json::from_str(
        &std::fs::read_to_string(project.path().join("ThreatModel.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(theirs["project"]["name"], "Login service");
    ours["project"] = theirs["project"].clone();
    assert_threatspec_reads_what_threatline_means(&theirs, &ours);
    assert_eq!(
        theirs["threats"]["#sqli"]["name"], "SQL Injection",
        "{:#}",
        theirs["threats"]
    );
    assert!(
        theirs["threatmodel"]["connections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["direction"] == "with" && c["details"] == "SQL over TLS"),
        "a two-way connection"
    );
}

#[test]
fn threatspec_itself_reads_what_it_has_no_words_for() {
    let Some(bin) = threatspec_bin() else { return };
    let tree = awkward_tree();
    let project = tempfile::tempdir().unwrap();
    write_project(tree.path(), project.path());
    threatspec_report(&bin, project.path(), &["-o", "json"]);
    let theirs: Value = serde_json::from_str(
        &std::fs::read_to_string(project.path().join("ThreatModel.json")).unwrap(),
    )
    .unwrap();
    let tm = &theirs["threatmodel"];
    // A mitigation without a control: the control made for it.
    let unnamed = tm["mitigations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["control"]["id"] == "#no_control_2")
        .count();
    assert_eq!(unnamed, 2, "{tm:#}");
    assert_eq!(
        theirs["controls"]["#no_control_2"]["name"],
        "No control named"
    );
    // Characters PyYAML refuses, escaped on the way, arrive as written.
    assert_eq!(
        tm["exposures"][0]["details"],
        "del\u{7f} nel\u{85} ls\u{2028} c1\u{9b} \"quoted\" back\\slash"
    );
    // A reference nothing declares is a nameless entry, as in Threatspec's own runs.
    assert_eq!(theirs["components"]["#ghost"]["name"], "");
    if on_path("dot").is_some() {
        threatspec_report(&bin, project.path(), &[]);
    }
}
