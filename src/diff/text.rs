//! `check --since` for a terminal or a CI log: the model changes first (what the change
//! did), then the new findings and annotation problems, then one verdict.

use std::fmt::Write as _;

use super::{Delta, Side};
use crate::annotation::Severity;
use crate::escape::for_terminal;
use crate::model::Model;
use crate::output::text::render_findings;

/// What the text needs besides the delta.
pub struct SinceText<'a> {
    pub color: bool,
    pub fail_on: Severity,
    /// What was compared against, for people: `main (1a2b3c4d)`.
    pub base: &'a str,
    /// What was checked: `the work tree` or `the index`.
    pub head: &'a str,
    /// Findings hidden by a baseline.
    pub baselined: usize,
}

fn wrap(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

pub fn render(delta: &Delta, options: &SinceText) -> String {
    let color = options.color;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        wrap(
            color,
            "1",
            &format!(
                "Model changes in {} since {}",
                options.head,
                for_terminal(options.base)
            )
        )
    );
    if delta.changes.is_empty() {
        out.push_str("  none\n");
    }
    for c in &delta.changes {
        let mark = if c.fails {
            wrap(color, "1;31", "FAIL")
        } else {
            wrap(color, "2", "note")
        };
        let place = match c.side {
            Side::Head => c.site.location.to_string(),
            Side::Base => format!("{} (in {})", c.site.location, options.base),
        };
        let _ = writeln!(
            out,
            "  {mark}  {}  {}",
            c.kind.as_str(),
            for_terminal(&place)
        );
        let _ = writeln!(out, "        {}", for_terminal(&c.message));
    }
    out.push('\n');
    let shown = Model {
        findings: delta.findings.clone(),
        diagnostics: delta.diagnostics.clone(),
        ..Model::default()
    };
    if !delta.findings.is_empty() || !delta.diagnostics.is_empty() {
        let _ = writeln!(
            out,
            "{}\n",
            wrap(
                color,
                "1",
                &format!("New since {}", for_terminal(options.base))
            )
        );
        out.push_str(&render_findings(&shown, color));
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "{} ({} failing), {}, {}",
        plural(delta.changes.len(), "model change"),
        delta.failing_changes(),
        plural(delta.findings.len(), "new finding"),
        plural(delta.new_errors(), "new error"),
    );
    if options.baselined > 0 {
        let _ = write!(line, "; {} hidden by the baseline", options.baselined);
    }
    let _ = writeln!(out, "{line}");
    match delta.verdict(options.fail_on) {
        Some(why) => {
            let _ = writeln!(out, "{} {why}", wrap(color, "1;31", "FAIL:"));
        }
        None => {
            let _ = writeln!(
                out,
                "{} nothing new at or above {} (--fail-on {}), no failing change",
                wrap(color, "1;32", "PASS:"),
                options.fail_on.as_str(),
                options.fail_on.as_str()
            );
        }
    }
    out
}
