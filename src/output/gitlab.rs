//! GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array with one
//! issue per finding and per diagnostic, in the subset of the Code Climate issue format that
//! GitLab reads (`description`, `check_name`, `fingerprint`, `severity`, `location.path`,
//! `location.lines.begin`), plus Code Climate's `type`, `categories` and `content`, which
//! GitLab ignores and other Code Climate readers want.
//!
//! Severities: info → `info`, low → `minor`, medium → `major`, high → `critical`, critical →
//! `blocker`, one step for each of ours. An error diagnostic (a malformed annotation, a
//! dangling reference) is `major` and a warning `minor`: a defect in the threat model's text
//! rather than a risk in the system, ranked with medium findings, below the risks that the
//! default gate fails on.
//!
//! GitLab tells issues apart, and matches them between the source and target branches of
//! a merge request, by fingerprint alone: a finding's is the one baselines use (code and
//! ids, never lines), a diagnostic's its code, file and text. Two diagnostics with the
//! same code and text in one file get a fingerprint each (the repeat's hashed with its
//! ordinal), since GitLab would show only the first of two that share one.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::analysis::Finding;
use crate::analysis::fingerprint::fingerprint;
use crate::annotation::Severity;
use crate::diagnostics::{Diagnostic, Level};
use crate::model::Model;
use crate::output::github::repo_path;

fn severity_of(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "blocker",
        Severity::High => "critical",
        Severity::Medium => "major",
        Severity::Low => "minor",
        Severity::Info => "info",
    }
}

fn level_of(level: Level) -> &'static str {
    match level {
        Level::Error => "major",
        Level::Warning => "minor",
    }
}

/// One issue, its fingerprint still to be set.
fn issue(
    check_name: &str,
    description: &str,
    severity: &str,
    category: &str,
    path: String,
    line: u32,
) -> Value {
    json!({
        "type": "issue",
        "check_name": check_name,
        "description": description,
        "categories": [category],
        "severity": severity,
        "location": {
            "path": path,
            "lines": { "begin": line.max(1) },
        },
    })
}

/// Code Climate's `content.body` (Markdown), which GitLab does not show: the fix or hint.
fn with_body(mut issue: Value, body: Option<String>) -> Value {
    if let Some(body) = body {
        issue["content"] = json!({ "body": body });
    }
    issue
}

fn finding(f: &Finding, path_prefix: &str) -> Value {
    let issue = issue(
        &f.code.to_string(),
        &f.message,
        severity_of(f.severity),
        "Security",
        repo_path(path_prefix, &f.site.location.file),
        f.site.location.line,
    );
    with_body(issue, f.fix.as_ref().map(|fix| format!("Fix: {fix}")))
}

fn diagnostic(d: &Diagnostic, path_prefix: &str) -> Value {
    let issue = issue(
        d.code.as_str(),
        &d.message,
        level_of(d.severity),
        "Bug Risk",
        repo_path(path_prefix, &d.location.file),
        d.location.line,
    );
    with_body(issue, d.hint.clone())
}

/// `fp`, or when an earlier issue already has it, `fp` hashed with the repeat's ordinal
/// (stable while the repeats keep their order).
fn unique(seen: &mut HashSet<String>, fp: String) -> String {
    let mut candidate = fp.clone();
    let mut n = 1u32;
    while !seen.insert(candidate.clone()) {
        n += 1;
        candidate = fingerprint(&fp, &[&n.to_string()]);
    }
    candidate
}

/// The Code Quality report of a checked model, findings then diagnostics, each in the
/// model's order. `path_prefix` is the scanned root relative to the repository root (`""`
/// when they are the same): GitLab reads `location.path` relative to the repository root.
pub fn render(model: &Model, path_prefix: &str) -> String {
    let mut seen = HashSet::new();
    let mut issues: Vec<Value> = Vec::new();
    for f in &model.findings {
        let mut issue = finding(f, path_prefix);
        issue["fingerprint"] = json!(unique(&mut seen, f.fingerprint.clone()));
        issues.push(issue);
    }
    for d in &model.diagnostics {
        let mut issue = diagnostic(d, path_prefix);
        issue["fingerprint"] = json!(unique(&mut seen, d.fingerprint()));
        issues.push(issue);
    }
    let mut out = serde_json::to_string_pretty(&issues).expect("the report serialises");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;
    use crate::location::Location;

    #[test]
    fn repeated_diagnostics_get_their_own_fingerprints() {
        let d = Diagnostic::new(Code::DanglingReference, Location::new("a.py", 1, 3), "x")
            .text("#nope");
        let mut again = d.clone();
        again.location.line = 9;
        let model = Model {
            diagnostics: vec![d.clone(), again],
            ..Model::default()
        };
        let out: Value = serde_json::from_str(&render(&model, "svc/")).unwrap();
        let issues = out.as_array().unwrap();
        assert_eq!(issues[0]["fingerprint"], json!(d.fingerprint()));
        assert_ne!(issues[1]["fingerprint"], issues[0]["fingerprint"]);
        assert_eq!(issues[1]["location"]["path"], "svc/a.py");
        assert_eq!(issues[1]["location"]["lines"]["begin"], 9);
        assert_eq!(issues[1]["severity"], "major");
    }
}
