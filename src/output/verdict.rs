//! The gate's one-line verdict: PASS or FAIL, why, and the counts. It goes to stderr
//! whatever the format and `-o` (a CI log always says why a job failed), and is all that
//! `--quiet` prints.

use crate::annotation::Severity;
use crate::diagnostics::Level;
use crate::escape::for_terminal;
use crate::model::Model;

/// A decided gate.
pub struct Verdict {
    pub passed: bool,
    /// Why: "4 findings at or above high", "nothing at or above high".
    pub reason: String,
    /// The counts: "58 findings in fixtures/example: 1 critical, ...; 0 errors, 0 warnings".
    pub counts: String,
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Whether the gate fails: a finding at or above the threshold, or an error diagnostic.
pub fn gate_fails(model: &Model, fail_on: Severity) -> bool {
    model.findings.iter().any(|f| f.severity <= fail_on)
        || model.diagnostics.iter().any(|d| d.severity == Level::Error)
}

impl Verdict {
    /// The verdict of `check` on a model (after baseline and owner filters).
    pub fn of_check(model: &Model, fail_on: Severity, root: &str, baselined: usize) -> Verdict {
        let errors = model
            .diagnostics
            .iter()
            .filter(|d| d.severity == Level::Error)
            .count();
        let warnings = model.diagnostics.len() - errors;
        let count = |s: Severity| model.findings.iter().filter(|f| f.severity == s).count();
        let per_severity: Vec<String> = Severity::ALL
            .iter()
            .map(|&s| format!("{} {}", count(s), s.as_str()))
            .collect();
        let mut counts = format!(
            "{} in {}: {}; {}, {}",
            plural(model.findings.len(), "finding"),
            for_terminal(root),
            per_severity.join(", "),
            plural(errors, "error"),
            plural(warnings, "warning"),
        );
        if baselined > 0 {
            counts.push_str(&format!("; {baselined} hidden by the baseline"));
        }
        let at_or_above = model
            .findings
            .iter()
            .filter(|f| f.severity <= fail_on)
            .count();
        let passed = !gate_fails(model, fail_on);
        let reason = if passed {
            format!("nothing at or above {}", fail_on.as_str())
        } else {
            let mut why = Vec::new();
            if at_or_above > 0 {
                why.push(format!(
                    "{} at or above {}",
                    plural(at_or_above, "finding"),
                    fail_on.as_str()
                ));
            }
            if errors > 0 {
                why.push(plural(errors, "error diagnostic"));
            }
            why.join(" and ")
        };
        Verdict {
            passed,
            reason,
            counts,
        }
    }

    /// `FAIL: <reason> · <counts>`, coloured when asked, with its newline.
    pub fn line(&self, color: bool) -> String {
        let (word, code) = if self.passed {
            ("PASS:", "1;32")
        } else {
            ("FAIL:", "1;31")
        };
        let word = if color {
            format!("\x1b[{code}m{word}\x1b[0m")
        } else {
            word.to_string()
        };
        format!("{word} {} · {}\n", self.reason, self.counts)
    }
}
