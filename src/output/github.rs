//! GitHub Actions workflow commands, one line per finding and per diagnostic, as
//! `ruff --output-format github` prints them:
//!
//! ```text
//! ::error file=PATH,line=L,col=C,endLine=L,title=threatline CODE (severity)::PATH:L:C: MESSAGE
//! ```
//!
//! The runner turns each line into an annotation on the pull request's diff and in the run's
//! summary. Critical and high findings are `error`, medium `warning`, low and info `notice`;
//! error and warning diagnostics are `error` and `warning` (the levels of SARIF, SPEC §7).
//! Lines come most severe first, because the runner keeps only the first few annotations of
//! each level per step.
//!
//! Annotation text comes from the repository, which in a pull request from a fork is the
//! attacker's: it is escaped as the Actions toolkit (`@actions/core`) escapes, so it can
//! never end the line and start a command of its own, and other control and bidirectional
//! characters are made visible.

use crate::analysis::Finding;
use crate::annotation::Severity;
use crate::diagnostics::{Diagnostic, Level};
use crate::escape::for_terminal;
use crate::model::Model;

/// A path relative to the scanned root, made relative to the repository root by
/// `path_prefix`: the scanned root relative to the repository root (`""`, `"."`, `"./"`,
/// `"services/shop"` or `"services/shop/"`).
pub fn repo_path(path_prefix: &str, file: &str) -> String {
    let prefix = path_prefix.trim_start_matches("./");
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() || prefix == "." {
        file.to_string()
    } else {
        format!("{prefix}/{file}")
    }
}

/// The toolkit's `escapeData`: what follows the `::` that ends the command's properties.
fn escape_data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    // Beyond the toolkit: other controls (an ANSI escape, a NUL) and bidirectional
    // overrides become a visible `\u{..}` in the log and the annotation.
    for_terminal(&s).into_owned()
}

/// The toolkit's `escapeProperty`: a property value, where `:` would end the properties
/// and `,` would start another one.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The runner's levels, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Command {
    Error,
    Warning,
    Notice,
}

impl Command {
    fn of_severity(severity: Severity) -> Command {
        match severity {
            Severity::Critical | Severity::High => Command::Error,
            Severity::Medium => Command::Warning,
            Severity::Low | Severity::Info => Command::Notice,
        }
    }

    fn of_level(level: Level) -> Command {
        match level {
            Level::Error => Command::Error,
            Level::Warning => Command::Warning,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Command::Error => "error",
            Command::Warning => "warning",
            Command::Notice => "notice",
        }
    }
}

/// One annotation before it is written out.
struct Annotation {
    command: Command,
    /// Within a level: findings by severity, an error diagnostic with the high findings, a
    /// warning diagnostic with the medium ones.
    rank: Severity,
    file: String,
    line: u32,
    column: u32,
    end_column: Option<u32>,
    code: String,
    /// The severity word, or `error` / `warning` for a diagnostic.
    word: &'static str,
    message: String,
    /// A tie-breaker that keeps the order total.
    fingerprint: String,
}

impl Annotation {
    fn key(&self) -> (Command, Severity, &str, u32, u32, &str, &str) {
        (
            self.command,
            self.rank,
            &self.file,
            self.line,
            self.column,
            &self.code,
            &self.fingerprint,
        )
    }

    fn write(&self, out: &mut String) {
        let line = self.line.max(1);
        let column = self.column.max(1);
        let mut properties = vec![
            ("file", self.file.clone()),
            ("line", line.to_string()),
            ("col", column.to_string()),
            ("endLine", line.to_string()),
        ];
        if let Some(end) = self.end_column.filter(|&end| end >= column) {
            properties.push(("endColumn", end.to_string()));
        }
        properties.push(("title", format!("threatline {} ({})", self.code, self.word)));
        let properties: Vec<String> = properties
            .iter()
            .map(|(key, value)| format!("{key}={}", escape_property(value)))
            .collect();
        // The place again at the start of the data, as ruff writes it: the run's log shows
        // only the data.
        let data = format!("{}:{line}:{column}: {}", self.file, self.message);
        out.push_str("::");
        out.push_str(self.command.name());
        out.push(' ');
        out.push_str(&properties.join(","));
        out.push_str("::");
        out.push_str(&escape_data(&data));
        out.push('\n');
    }
}

fn finding(f: &Finding, path_prefix: &str) -> Annotation {
    let mut message = f.message.clone();
    if let Some(fix) = &f.fix {
        message.push_str("\nfix: ");
        message.push_str(fix);
    }
    Annotation {
        command: Command::of_severity(f.severity),
        rank: f.severity,
        file: repo_path(path_prefix, &f.site.location.file),
        line: f.site.location.line,
        column: f.site.location.column,
        end_column: None,
        code: f.code.to_string(),
        word: f.severity.as_str(),
        message,
        fingerprint: f.fingerprint.clone(),
    }
}

fn diagnostic(d: &Diagnostic, path_prefix: &str) -> Annotation {
    let mut message = d.message.clone();
    if let Some(hint) = &d.hint {
        message.push_str("\nhelp: ");
        message.push_str(hint);
    }
    let (rank, word) = match d.severity {
        Level::Error => (Severity::High, "error"),
        Level::Warning => (Severity::Medium, "warning"),
    };
    Annotation {
        command: Command::of_level(d.severity),
        rank,
        file: repo_path(path_prefix, &d.location.file),
        line: d.location.line,
        column: d.location.column,
        // The span is on the diagnostic's own line, end exclusive, as `endColumn` is not.
        end_column: d.span.map(|(_, end)| end.saturating_sub(1)),
        code: d.code.as_str().to_string(),
        word,
        message,
        fingerprint: d.fingerprint(),
    }
}

/// The workflow commands for a checked model: one line per finding and per diagnostic,
/// errors first. `path_prefix` is the scanned root relative to the repository root (`""`
/// when they are the same), since the runner resolves `file=` against the repository root.
pub fn render(model: &Model, path_prefix: &str) -> String {
    let mut annotations: Vec<Annotation> = model
        .findings
        .iter()
        .map(|f| finding(f, path_prefix))
        .chain(model.diagnostics.iter().map(|d| diagnostic(d, path_prefix)))
        .collect();
    annotations.sort_by(|a, b| a.key().cmp(&b.key()));
    let mut out = String::new();
    for a in &annotations {
        a.write(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::Location;
    use crate::model::Site;

    #[test]
    fn escapes_as_the_toolkit_does() {
        assert_eq!(escape_data("50% a\r\nb::c,d"), "50%25 a%0D%0Ab::c,d");
        assert_eq!(
            escape_property("50% a\r\nb::c,d"),
            "50%25 a%0D%0Ab%3A%3Ac%2Cd"
        );
        // An encoded newline in the text stays text: its `%` is encoded again.
        assert_eq!(escape_data("%0A::error::x"), "%250A::error::x");
        assert_eq!(escape_data("a\u{1b}[31mb"), "a\\u{1b}[31mb");
    }

    #[test]
    fn prefixes_paths() {
        assert_eq!(repo_path("", "a/b.py"), "a/b.py");
        assert_eq!(repo_path(".", "a/b.py"), "a/b.py");
        assert_eq!(repo_path("./svc/", "a/b.py"), "svc/a/b.py");
        assert_eq!(repo_path("svc", "a/b.py"), "svc/a/b.py");
    }

    #[test]
    fn hostile_text_cannot_start_a_command() {
        let site = Site {
            location: Location::new("a,line=1::b.py", 3, 5),
            ..Site::default()
        };
        let mut f = Finding::new(
            crate::analysis::rules::ALL[0].code,
            Severity::High,
            "x\n::add-mask::secret\r\n::error file=evil::owned %0A::stop-commands::t".into(),
            &["a"],
            &site,
        );
        f.fix = Some("y\n::warning::z".into());
        let model = Model {
            findings: vec![f],
            ..Model::default()
        };
        let out = render(&model, "");
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(out.starts_with("::error file=a%2Cline=1%3A%3Ab.py,line=3,col=5,"));
        assert!(!out.contains('\r'));
        assert!(out.contains("%0A::add-mask::secret%0D%0A::error file=evil::owned %250A::"));
    }
}
