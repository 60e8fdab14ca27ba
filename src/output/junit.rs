//! JUnit XML (as cargo-nextest writes it, through `quick-junit`), for CI dashboards that
//! show test reports (GitLab's `artifacts:reports:junit`, Jenkins, Azure DevOps).
//!
//! One `<testsuite>` per code, in the order of SPEC §5, then the annotation checks; one
//! `<testcase>` per finding or diagnostic, named by its location and classed
//! `threatline.CODE` (Jenkins reads the part before the last dot as a package). What the
//! gate fails on is a `<failure>`: findings at or above `fail_on` and error diagnostics, so
//! the report's failure count is the gate's. Everything else passes, its text in
//! `<system-out>`: it was checked and is below the bar, which is not what `<skipped>`
//! (not run) would say. A rule with nothing to report gets one passing case, `no
//! findings`, so a dashboard shows that it ran; so do the four annotation checks whose
//! errors fail the gate.
//!
//! No timestamps, times or host names: the same tree gives byte-identical reports.

use std::collections::HashMap;
use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::analysis::Finding;
use crate::analysis::rules;
use crate::annotation::Severity;
use crate::diagnostics::{Code, Diagnostic, Level};
use crate::model::Model;
use crate::output::github::repo_path;

/// The annotation checks that always get a suite: those whose errors fail the gate.
const ANNOTATION_CHECKS: [Code; 4] = [
    Code::MalformedAnnotation,
    Code::DanglingReference,
    Code::DuplicateId,
    Code::InvalidYaml,
];

/// The name of the passing case of a code with nothing to report.
pub const NO_FINDINGS: &str = "no findings";

/// Attribute values are one line: a newline in one would be read back as a space anyway.
fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

/// The name of a case: its place relative to the repository root.
fn place(path_prefix: &str, location: &crate::location::Location) -> String {
    format!(
        "{}:{}:{}",
        repo_path(path_prefix, &location.file),
        location.line,
        location.column
    )
}

/// A finding as a person reads it: place, message, related places, owners, fix.
fn finding_text(f: &Finding, path_prefix: &str) -> String {
    let mut out = format!(
        "{} {} at {}",
        f.severity.as_str(),
        f.code,
        place(path_prefix, &f.site.location)
    );
    if let Some(symbol) = &f.site.symbol {
        let _ = write!(out, " in {symbol}");
    }
    let _ = write!(out, "\n{}\n", f.message);
    for r in &f.related {
        let _ = writeln!(
            out,
            "note: {} at {}",
            r.message,
            place(path_prefix, &r.site.location)
        );
    }
    if !f.owners.is_empty() {
        let _ = writeln!(out, "owner: {}", f.owners.join(", "));
    }
    if let Some(fix) = &f.fix {
        let _ = writeln!(out, "fix: {fix}");
    }
    let _ = writeln!(out, "fingerprint: {}", f.fingerprint);
    out
}

fn diagnostic_text(d: &Diagnostic, path_prefix: &str) -> String {
    let word = match d.severity {
        Level::Error => "error",
        Level::Warning => "warning",
    };
    let mut out = format!(
        "{word} {} at {}\n{}\n",
        d.code.as_str(),
        place(path_prefix, &d.location),
        d.message
    );
    if !d.text.is_empty() {
        let _ = writeln!(out, "text: {}", d.text.trim());
    }
    if let Some(hint) = &d.hint {
        let _ = writeln!(out, "help: {hint}");
    }
    out
}

/// A case that fails with `message` (one line, of `kind`) and `text`, or passes with `text`
/// as its output.
fn case(
    code: &str,
    name: String,
    fails: bool,
    kind: &str,
    message: &str,
    text: String,
) -> TestCase {
    let status = if fails {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status
            .set_message(one_line(message))
            .set_type(kind)
            .set_description(text.clone());
        status
    } else {
        TestCaseStatus::success()
    };
    let mut case = TestCase::new(name, status);
    case.set_classname(format!("threatline.{code}"));
    if !fails {
        case.set_system_out(text);
    }
    case
}

/// A suite of `cases`, or of the one passing case when there are none. Two cases at one
/// place get `#2`, `#3`, ... after the name, so that class and name still identify a case.
fn suite(code: &str, mut cases: Vec<TestCase>) -> TestSuite {
    let mut suite = TestSuite::new(code);
    if cases.is_empty() {
        let mut case = TestCase::new(NO_FINDINGS, TestCaseStatus::success());
        case.set_classname(format!("threatline.{code}"));
        suite.add_test_case(case);
        return suite;
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for case in &mut cases {
        let name = case.name.to_string();
        let n = seen.entry(name.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            case.name = format!("{name} #{n}").into();
        }
    }
    suite.add_test_cases(cases);
    suite
}

/// The JUnit report of a checked model. `path_prefix` is the scanned root relative to the
/// repository root (`""` when they are the same); `fail_on` is the gate's threshold.
pub fn render(model: &Model, path_prefix: &str, fail_on: Severity) -> String {
    let mut report = Report::new("threatline");
    let mut suites = Vec::new();
    for rule in rules::ALL {
        let code = rule.code.to_string();
        let cases = model
            .findings
            .iter()
            .filter(|f| f.code == rule.code)
            .map(|f| {
                case(
                    &code,
                    place(path_prefix, &f.site.location),
                    f.severity <= fail_on,
                    f.severity.as_str(),
                    &f.message,
                    finding_text(f, path_prefix),
                )
            })
            .collect();
        suites.push(suite(&code, cases));
    }
    let mut codes: Vec<Code> = ANNOTATION_CHECKS.to_vec();
    codes.extend(model.diagnostics.iter().map(|d| d.code));
    codes.sort();
    codes.dedup();
    for code in codes {
        let cases = model
            .diagnostics
            .iter()
            .filter(|d| d.code == code)
            .map(|d| {
                let (fails, word) = match d.severity {
                    Level::Error => (true, "error"),
                    Level::Warning => (false, "warning"),
                };
                case(
                    code.as_str(),
                    place(path_prefix, &d.location),
                    fails,
                    word,
                    &d.message,
                    diagnostic_text(d, path_prefix),
                )
            })
            .collect();
        suites.push(suite(code.as_str(), cases));
    }
    report.add_test_suites(suites);
    report.to_string().expect("the report serialises")
}
