//! The GitHub job summary (`$GITHUB_STEP_SUMMARY`, GitHub-flavoured Markdown): the verdict,
//! the counts by severity and a table of what the gate fails on, capped. A summary, not the
//! report: the rest is in the annotations, the SARIF upload or `threatline report`.
//! Annotation text is escaped by the Markdown report's escaping ([`markdown::text`]).

use std::fmt::Write as _;

use crate::annotation::Severity;
use crate::diagnostics::Level;
use crate::location::Location;
use crate::model::Model;
use crate::output::markdown::text;
use crate::output::text::gate_fails;

/// Rows of the table of what fails the gate, at most.
pub const MAX_ROWS: usize = 50;

const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// One row of what fails the gate.
struct Row<'m> {
    /// Findings by severity; error diagnostics after the high findings (as in the GitHub
    /// annotations: they fail the gate, whatever its threshold).
    rank: (Severity, bool),
    code: String,
    word: &'static str,
    location: &'m Location,
    message: &'m str,
}

fn capitalise(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The job summary of a checked model: PASS or FAIL by the gate at `fail_on`, with
/// `verdict_line` (the text report's last line, say) under the heading.
pub fn render(model: &Model, fail_on: Severity, verdict_line: &str) -> String {
    let fails = gate_fails(model, fail_on);
    // Names a message quotes become code spans, as in the Markdown report.
    let words = crate::report::detail::Words::new(model);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## {} threatline: {}\n",
        if fails { "❌" } else { "✅" },
        if fails { "FAIL" } else { "PASS" }
    );
    if !verdict_line.trim().is_empty() {
        let _ = writeln!(out, "{}\n", text(verdict_line.trim()));
    }
    if !model.holds_threat_model() {
        out.push_str("No threat annotations found: check the path and the `exclude` settings.\n\n");
    }

    let errors = model
        .diagnostics
        .iter()
        .filter(|d| d.severity == Level::Error)
        .count();
    let warnings = model.diagnostics.len() - errors;
    let mut head = String::from("|");
    let mut rule = String::from("|");
    let mut counts = String::from("|");
    for s in SEVERITIES {
        let n = model.findings.iter().filter(|f| f.severity == s).count();
        let _ = write!(head, " {} |", capitalise(s.as_str()));
        rule.push_str("---:|");
        let _ = write!(counts, " {n} |");
    }
    let _ = write!(
        out,
        "{head} Annotation errors | Annotation warnings |\n{rule}---:|---:|\n{counts} {errors} | {warnings} |\n"
    );

    let mut rows: Vec<Row> = model
        .findings
        .iter()
        .filter(|f| f.severity <= fail_on)
        .map(|f| Row {
            rank: (f.severity, false),
            code: f.code.to_string(),
            word: f.severity.as_str(),
            location: &f.site.location,
            message: &f.message,
        })
        .chain(
            model
                .diagnostics
                .iter()
                .filter(|d| d.severity == Level::Error)
                .map(|d| Row {
                    rank: (Severity::High, true),
                    code: d.code.as_str().to_string(),
                    word: "error",
                    location: &d.location,
                    message: &d.message,
                }),
        )
        .collect();
    if rows.is_empty() {
        return out;
    }
    rows.sort_by(|a, b| (a.rank, a.location, &a.code).cmp(&(b.rank, b.location, &b.code)));
    let _ = write!(
        out,
        "\n### At or above {} (`--fail-on {}`)\n\n| Severity | Code | Where | Finding |\n|---|---|---|---|\n",
        fail_on.as_str(),
        fail_on.as_str()
    );
    for row in rows.iter().take(MAX_ROWS) {
        let _ = writeln!(
            out,
            "| {} | `{}` | {}:{} | {} |",
            row.word,
            row.code,
            text(&row.location.file),
            row.location.line,
            crate::output::markdown::inline(&words.message(row.message), true)
        );
    }
    if rows.len() > MAX_ROWS {
        let _ = writeln!(out, "\n…and {} more.", rows.len() - MAX_ROWS);
    }
    out
}
