//! The CI surfaces (issue 14), through the library: GitHub workflow commands read back by a
//! parser that mirrors the runner's, the GitLab Code Quality report checked against GitLab's
//! documented fields, JUnit XML read back by `quick-junit`, and the job summary. Golden
//! copies of the example's outputs are insta snapshots. Annotation text is the attacker's in
//! a pull request from a fork: `tree_with_hostile_text` writes text that tries to start
//! workflow commands and to break a Markdown table, and it must stay data.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::sync::LazyLock;

use quick_junit::{Report, TestCaseStatus};
use serde_json::Value;
use threatline::analysis::rules;
use threatline::annotation::Severity;
use threatline::diagnostics::Level;
use threatline::model::Model;
use threatline::output::{github, gitlab, junit, summary};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/example");

static MODEL: LazyLock<Model> = LazyLock::new(|| common::scan_configured(Path::new(EXAMPLE)));

/// What `check` fails on: findings at or above `fail_on`, and error diagnostics.
fn gate_count(model: &Model, fail_on: Severity) -> usize {
    model
        .findings
        .iter()
        .filter(|f| f.severity <= fail_on)
        .count()
        + model
            .diagnostics
            .iter()
            .filter(|d| d.severity == Level::Error)
            .count()
}

/// A tree whose annotation text tries to start workflow commands (a comment line holds no
/// newline, but `%0A`, which the runner decodes to one, and `::` it can), to break a
/// Markdown table with `|`, and whose file name holds the property separators `:` and `,`.
fn tree_with_hostile_text() -> (tempfile::TempDir, Model) {
    let dir = common::tree(&[
        (
            "app.py",
            "# @component Shop:Orders (#orders)\n\
             # @threat Forged %0A::error file=x::owned ::add-mask::secret (#forged) [high]\n\
             # @exposes #orders to #forged [critical] with %0D%0A::warning::y\n\
             # @mitigates #orders against #nope with z\n\
             # @review #orders -- \"pipes | break tables, `ticks` too, ::stop-commands::t\"\n\
             def f():\n    pass\n",
        ),
        ("x:y,z.py", "# @mitigates #orders against #missing with z\n"),
    ]);
    let model = common::scan_configured(dir.path());
    (dir, model)
}

// ---------------------------------------------------------------------------------------
// GitHub workflow commands

/// One workflow command as the runner reads it (`ActionCommand.TryParseV2`).
#[derive(Debug)]
struct WorkflowCommand {
    name: String,
    properties: BTreeMap<String, String>,
    data: String,
}

/// The runner's unescaping: `%25` last, so that an escaped `%` never decodes twice.
fn unescape_data(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%")
}

fn unescape_property(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// `::name key=value,key=value::data`, read as the runner reads a line of output: the first
/// `::` after the opening one ends the name and properties; properties split on `,`, each
/// on its first `=`.
fn parse_command(line: &str) -> Option<WorkflowCommand> {
    let line = line.trim_start();
    let rest = line.strip_prefix("::")?;
    let end = rest.find("::")?;
    let info = &rest[..end];
    let (name, properties) = match info.split_once(' ') {
        Some((name, properties)) => (name, properties.trim()),
        None => (info, ""),
    };
    let properties = properties
        .split(',')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_string(), unescape_property(v)))
        .collect();
    Some(WorkflowCommand {
        name: name.to_string(),
        properties,
        data: unescape_data(&rest[end + 2..]),
    })
}

/// Every line of `out` as a command, which it must be, of an annotation's kind. The runner
/// splits output on `\r` as well as `\n`, so neither may occur inside a line.
fn commands(out: &str) -> Vec<WorkflowCommand> {
    assert!(
        !out.contains('\r'),
        "a carriage return splits a line: {out}"
    );
    out.lines()
        .map(|line| {
            let c = parse_command(line).unwrap_or_else(|| panic!("not a command: {line}"));
            assert!(
                ["error", "warning", "notice"].contains(&c.name.as_str()),
                "{line}"
            );
            for key in c.properties.keys() {
                assert!(
                    ["file", "line", "col", "endLine", "endColumn", "title"]
                        .contains(&key.as_str()),
                    "unexpected property `{key}` in {line}"
                );
            }
            c
        })
        .collect()
}

#[test]
fn github_commands_of_the_example() {
    let out = github::render(&MODEL, "");
    let commands = commands(&out);
    assert_eq!(
        commands.len(),
        MODEL.findings.len() + MODEL.diagnostics.len()
    );
    let crossing = commands
        .iter()
        .find(|c| c.properties["title"] == "threatline unprotected-crossing (critical)")
        .expect("the critical crossing");
    assert_eq!(crossing.name, "error");
    assert_eq!(crossing.properties["file"], ".github/workflows/ci.yml");
    assert_eq!(crossing.properties["line"], "63");
    assert_eq!(crossing.properties["col"], "9");
    assert!(
        crossing
            .data
            .starts_with(".github/workflows/ci.yml:63:9: flow `GitHub:CI` -> "),
        "{}",
        crossing.data
    );
    assert!(crossing.data.contains("\nfix: declare the control it uses"));
    // Levels by severity; most severe first, since the runner keeps the first few of each.
    let level = |word: &str| match word {
        "critical" | "high" => "error",
        "medium" => "warning",
        _ => "notice",
    };
    let mut last = 0;
    for c in &commands {
        let title = &c.properties["title"];
        let word = title
            .rsplit_once('(')
            .and_then(|(_, w)| w.strip_suffix(')'))
            .unwrap();
        assert_eq!(c.name, level(word), "{title}");
        let rank = ["error", "warning", "notice"]
            .iter()
            .position(|n| *n == c.name)
            .unwrap();
        assert!(rank >= last, "errors, then warnings, then notices");
        last = rank;
    }
    assert_eq!(
        commands.iter().filter(|c| c.name == "error").count(),
        gate_count(&MODEL, Severity::High)
    );
    insta::assert_snapshot!("github_example", out);
}

#[test]
fn github_paths_are_relative_to_the_repository() {
    for prefix in ["services/shop/", "services/shop", "./services/shop/"] {
        let out = github::render(&MODEL, prefix);
        for c in commands(&out) {
            let file = &c.properties["file"];
            assert!(file.starts_with("services/shop/"), "{prefix}: {file}");
            assert!(!file.starts_with("services/shop//"), "{prefix}: {file}");
            assert!(c.data.starts_with(file.as_str()), "{}", c.data);
        }
    }
}

#[test]
fn hostile_text_stays_data_in_workflow_commands() {
    let (_dir, model) = tree_with_hostile_text();
    assert!(
        model.diagnostics.len() >= 2,
        "two dangling references: {:?}",
        model.diagnostics
    );
    let out = github::render(&model, "");
    let commands = commands(&out);
    assert_eq!(
        commands.len(),
        model.findings.len() + model.diagnostics.len(),
        "{out}"
    );
    // The text comes out as it was written, inside the data of the command it belongs to.
    let exposure = commands
        .iter()
        .find(|c| c.properties["title"] == "threatline unmitigated-exposure (critical)")
        .expect("the exposure");
    assert!(
        exposure
            .data
            .contains("`Forged %0A::error file=x::owned ::add-mask::secret`"),
        "{}",
        exposure.data
    );
    // The `%` of `%0A` is itself encoded, so the runner cannot decode a newline from it.
    assert!(out.contains("Forged %250A::error file=x::owned ::add-mask::secret"));
    let review = commands
        .iter()
        .find(|c| c.properties["title"] == "threatline open-review (info)")
        .expect("the review");
    assert!(
        review.data.contains("::stop-commands::t"),
        "{}",
        review.data
    );
    // A file name with `:` and `,` is one property.
    let odd = commands
        .iter()
        .find(|c| c.properties["file"] == "x:y,z.py")
        .expect("the odd file name");
    assert_eq!(odd.name, "error");
    assert!(out.contains("file=x%3Ay%2Cz.py,line=1,"), "{out}");
}

// ---------------------------------------------------------------------------------------
// GitLab Code Quality

const GITLAB_SEVERITIES: [&str; 5] = ["info", "minor", "major", "critical", "blocker"];

/// The fields GitLab documents for a Code Quality issue, with their types; returns the
/// issues.
fn gitlab_issues(out: &str) -> Vec<Value> {
    let report: Value = serde_json::from_str(out).expect("the report is JSON");
    let issues = report.as_array().expect("the report is an array").clone();
    let mut fingerprints = HashSet::new();
    for issue in &issues {
        let text = |key: &str| {
            issue[key]
                .as_str()
                .unwrap_or_else(|| panic!("`{key}` is a string: {issue}"))
        };
        assert!(!text("description").is_empty(), "{issue}");
        assert!(!text("check_name").is_empty(), "{issue}");
        assert!(
            GITLAB_SEVERITIES.contains(&text("severity")),
            "severity: {issue}"
        );
        assert!(
            fingerprints.insert(text("fingerprint").to_string()),
            "duplicate fingerprint: {issue}"
        );
        let path = issue["location"]["path"].as_str().expect("location.path");
        assert!(
            !path.is_empty() && !path.starts_with('/') && !path.starts_with("./"),
            "a relative path: {path}"
        );
        let line = issue["location"]["lines"]["begin"]
            .as_u64()
            .expect("location.lines.begin is an integer");
        assert!(line >= 1);
        assert_eq!(issue["type"], "issue");
    }
    issues
}

#[test]
fn gitlab_report_of_the_example() {
    let out = gitlab::render(&MODEL, "");
    let issues = gitlab_issues(&out);
    assert_eq!(issues.len(), MODEL.findings.len() + MODEL.diagnostics.len());
    // A finding keeps the fingerprint baselines use.
    for (issue, f) in issues.iter().zip(&MODEL.findings) {
        assert_eq!(issue["fingerprint"], f.fingerprint.as_str());
        assert_eq!(issue["check_name"], f.code.to_string());
    }
    let crossing = issues
        .iter()
        .find(|i| {
            i["check_name"] == "unprotected-crossing"
                && i["location"]["path"] == ".github/workflows/ci.yml"
        })
        .expect("the critical crossing");
    assert_eq!(crossing["severity"], "blocker");
    assert_eq!(crossing["location"]["lines"]["begin"], 63);
    let severities: BTreeSet<&str> = issues
        .iter()
        .map(|i| i["severity"].as_str().unwrap())
        .collect();
    assert_eq!(
        severities,
        BTreeSet::from(["blocker", "critical", "major", "minor", "info"])
    );
    insta::assert_snapshot!("gitlab_example", out);
}

#[test]
fn gitlab_report_of_diagnostics_and_a_subfolder() {
    let (_dir, model) = tree_with_hostile_text();
    let issues = gitlab_issues(&gitlab::render(&model, "services/shop/"));
    assert_eq!(issues.len(), model.findings.len() + model.diagnostics.len());
    for issue in &issues {
        let path = issue["location"]["path"].as_str().unwrap();
        assert!(path.starts_with("services/shop/"), "{path}");
    }
    let dangling: Vec<&Value> = issues
        .iter()
        .filter(|i| i["check_name"] == "dangling-reference")
        .collect();
    assert_eq!(dangling.len(), 2);
    assert!(dangling.iter().all(|i| i["severity"] == "major"));
    assert!(
        issues
            .iter()
            .any(|i| i["location"]["path"] == "services/shop/x:y,z.py")
    );
}

// ---------------------------------------------------------------------------------------
// JUnit XML

fn junit_report(xml: &str) -> Report {
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    Report::deserialize_from_str(xml).unwrap_or_else(|e| panic!("well-formed JUnit: {e}\n{xml}"))
}

fn failed(status: &TestCaseStatus) -> bool {
    matches!(status, TestCaseStatus::NonSuccess { .. })
}

/// The suites: every rule in the order of SPEC §5, then the annotation checks.
fn check_suites(report: &Report, model: &Model, fail_on: Severity) {
    let names: Vec<&str> = report.test_suites.iter().map(|s| s.name.as_str()).collect();
    let rules: Vec<String> = rules::ALL.iter().map(|r| r.code.to_string()).collect();
    let rules: Vec<&str> = rules.iter().map(String::as_str).collect();
    assert_eq!(names[..rules.len()], rules[..], "{names:?}");
    assert_eq!(
        names[rules.len()..rules.len() + 4],
        [
            "malformed-annotation",
            "dangling-reference",
            "duplicate-id",
            "invalid-yaml"
        ]
    );
    let mut cases = 0;
    for suite in &report.test_suites {
        let findings = model
            .findings
            .iter()
            .filter(|f| f.code.as_str() == suite.name.as_str())
            .count()
            + model
                .diagnostics
                .iter()
                .filter(|d| d.code.as_str() == suite.name.as_str())
                .count();
        if findings == 0 {
            assert_eq!(suite.test_cases.len(), 1, "{}", suite.name.as_str());
            let case = &suite.test_cases[0];
            assert_eq!(case.name.as_str(), junit::NO_FINDINGS);
            assert!(!failed(&case.status));
        } else {
            assert_eq!(suite.test_cases.len(), findings, "{}", suite.name.as_str());
        }
        let class = format!("threatline.{}", suite.name.as_str());
        let mut names = HashSet::new();
        for case in &suite.test_cases {
            assert_eq!(case.classname.as_deref(), Some(class.as_str()));
            assert!(names.insert(case.name.as_str()), "one name per case");
        }
        cases += suite.test_cases.len();
    }
    assert_eq!(report.tests, cases);
    assert_eq!(report.failures, gate_count(model, fail_on));
    assert_eq!(report.errors, 0);
    assert_eq!(report.skipped, 0);
}

#[test]
fn junit_report_of_the_example() {
    for fail_on in [Severity::High, Severity::Medium, Severity::Info] {
        let xml = junit::render(&MODEL, "", fail_on);
        let report = junit_report(&xml);
        check_suites(&report, &MODEL, fail_on);
        assert_eq!(xml.matches("<failure ").count(), report.failures);
    }
    let xml = junit::render(&MODEL, "", Severity::High);
    assert_eq!(xml, junit::render(&MODEL, "", Severity::High));
    for word in ["timestamp", "hostname", "time="] {
        assert!(!xml.contains(word), "deterministic: no {word}");
    }
    let report = junit_report(&xml);
    let crossing = report
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "unprotected-crossing")
        .unwrap()
        .test_cases
        .iter()
        .find(|c| c.name.as_str() == ".github/workflows/ci.yml:63:9")
        .expect("the critical crossing, named by its place");
    match &crossing.status {
        TestCaseStatus::NonSuccess {
            message,
            ty,
            description,
            ..
        } => {
            assert!(
                message
                    .as_deref()
                    .unwrap()
                    .starts_with("flow `GitHub:CI` -> ")
            );
            assert_eq!(ty.as_deref(), Some("critical"));
            let description = description.as_deref().unwrap();
            assert!(
                description.contains("\nfix: declare the control"),
                "{description}"
            );
            assert!(description.contains("fingerprint: "), "{description}");
        }
        other => panic!("the crossing fails: {other:?}"),
    }
    insta::assert_snapshot!("junit_example", xml);
}

#[test]
fn junit_report_of_diagnostics() {
    let (_dir, model) = tree_with_hostile_text();
    let xml = junit::render(&model, "svc/", Severity::High);
    let report = junit_report(&xml);
    check_suites(&report, &model, Severity::High);
    let dangling = report
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "dangling-reference")
        .unwrap();
    assert_eq!(dangling.failures, 2);
    assert!(
        dangling
            .test_cases
            .iter()
            .any(|c| c.name.as_str() == "svc/x:y,z.py:1:30")
    );
    // Annotation text is escaped, not markup.
    assert!(xml.contains("`ticks` too"));
}

// ---------------------------------------------------------------------------------------
// Job summary

#[test]
fn summary_of_the_example() {
    let md = summary::render(&MODEL, Severity::High, "FAIL: 4 findings at or above high");
    assert!(md.starts_with("## ❌ threatline: FAIL\n"), "{md}");
    assert!(md.contains("| 1 | 3 | 2 | 1 | 51 | 0 | 0 |"), "{md}");
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| critical |") || l.starts_with("| high |"))
        .count();
    assert_eq!(rows, gate_count(&MODEL, Severity::High));
    assert!(md.contains("| critical | `unprotected-crossing` | .github/workflows/ci.yml:63 |"));
    assert!(md.len() < 4000, "a summary, not the report");
    insta::assert_snapshot!("summary_example", md);
}

#[test]
fn summary_passes_and_caps() {
    let md = summary::render(&MODEL, Severity::Critical, "");
    assert!(
        md.contains("FAIL"),
        "the critical crossing fails even a critical gate"
    );
    let mut quiet = MODEL.clone();
    quiet.findings.retain(|f| f.severity > Severity::High);
    let md = summary::render(&quiet, Severity::High, "PASS: nothing at or above high");
    assert!(md.starts_with("## ✅ threatline: PASS\n"), "{md}");
    assert!(!md.contains("### At or above"), "{md}");
    // Info findings at an info gate: more rows than the cap.
    let md = summary::render(&MODEL, Severity::Info, "");
    let rows = md.lines().filter(|l| l.starts_with("| info |")).count();
    assert!(rows < summary::MAX_ROWS);
    let shown = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Severity"))
        .count()
        - 2;
    assert_eq!(shown, summary::MAX_ROWS, "{md}");
    assert!(
        md.contains(&format!(
            "…and {} more.",
            MODEL.findings.len() - summary::MAX_ROWS
        )),
        "{md}"
    );
}

#[test]
fn summary_escapes_annotation_text() {
    let (_dir, model) = tree_with_hostile_text();
    let md = summary::render(&model, Severity::Info, "FAIL | <b>x</b>");
    assert!(
        // The backticks a message quotes are a code span, as in the Markdown report.
        md.contains("pipes \\| break tables, `ticks` too"),
        "{md}"
    );
    assert!(!md.contains("pipes | break"), "{md}");
    assert!(md.contains("FAIL \\| &lt;b&gt;x&lt;/b&gt;"), "{md}");
    // Every table row still has its four cells.
    for line in md
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains('`'))
    {
        let cells = line.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 5, "{line}");
    }
}
