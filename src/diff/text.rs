//! `check --since` for a terminal or a CI log: the model changes first (what the change
//! did), then the new findings and annotation problems; the verdict (`verdict`) goes to stderr.

use std::fmt::Write as _;

use super::{Delta, Side};
use crate::annotation::Severity;
use crate::escape::for_terminal;
use crate::model::Model;
use crate::output::text::render_findings;
use crate::output::verdict::Verdict;

/// What the text needs besides the delta.
pub struct SinceText<'a> {
    pub color: bool,
    pub fail_on: Severity,
    /// What was compared against, for people: `main (1a2b3c4d)`.
    pub base: &'a str,
    /// What was checked: `the work tree` or `the index`.
    pub head: &'a str,
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
        } else if c.kind.is_improvement() {
            wrap(color, "32", "good")
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
        out.push_str(&render_findings(&shown, color, true));
    }
    out
}

/// The verdict of `check --since`: what the change did and whether it passes.
pub fn verdict(delta: &Delta, fail_on: Severity, baselined: usize) -> Verdict {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut counts = format!(
        "{} ({} failing), {}, {}",
        plural(delta.changes.len(), "model change"),
        delta.failing_changes(),
        plural(delta.findings.len(), "new finding"),
        plural(delta.new_errors(), "new error"),
    );
    if baselined > 0 {
        let _ = write!(counts, "; {baselined} hidden by the baseline");
    }
    match delta.verdict(fail_on) {
        Some(why) => Verdict {
            passed: false,
            reason: why,
            counts,
        },
        None => Verdict {
            passed: true,
            reason: format!(
                "nothing new at or above {}, no failing change",
                fail_on.as_str()
            ),
            counts,
        },
    }
}
