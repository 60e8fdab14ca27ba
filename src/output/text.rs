//! The report for people: findings grouped by CCCS layer, then severity, each with its
//! place, its source line and its fix in annotation form; then a summary and the verdict.
//! Every piece of annotation text is escaped for the terminal.

use std::fmt::Write as _;

use crate::analysis::Finding;
use crate::annotation::{Layer, Severity};
use crate::diagnostics::{Level, render};
use crate::escape::for_terminal;
use crate::model::Model;

/// What the text report needs besides the model.
pub struct TextOptions<'a> {
    pub color: bool,
    pub fail_on: Severity,
    pub root: &'a str,
    /// Findings hidden by a baseline.
    pub baselined: usize,
}

const LAYERS: [Option<Layer>; 5] = [
    Some(Layer::Control),
    Some(Layer::Compute),
    Some(Layer::Communication),
    Some(Layer::Storage),
    None,
];

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let label = format!("{:<8}", s.as_str().to_uppercase());
        let code = match s {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.wrap(code, &label)
    }
}

fn layer_title(layer: Option<Layer>) -> &'static str {
    match layer {
        Some(Layer::Control) => "Control layer",
        Some(Layer::Compute) => "Compute layer",
        Some(Layer::Communication) => "Communication layer",
        Some(Layer::Storage) => "Storage layer",
        None => "Threats and controls",
    }
}

/// Whether the gate fails: a finding at or above the threshold, or an error diagnostic.
pub fn gate_fails(model: &Model, fail_on: Severity) -> bool {
    model.findings.iter().any(|f| f.severity <= fail_on)
        || model.diagnostics.iter().any(|d| d.severity == Level::Error)
}

pub fn render_report(model: &Model, options: &TextOptions) -> String {
    let paint = Paint(options.color);
    let mut out = render_findings(model, options.color);
    let errors = model
        .diagnostics
        .iter()
        .filter(|d| d.severity == Level::Error)
        .count();
    let warnings = model.diagnostics.len() - errors;
    summary(&mut out, model, options, &paint, errors, warnings);
    out
}

/// The diagnostics, then the findings by CCCS layer: the report without its summary, for
/// reports that end with a verdict of their own (`check --since`).
pub fn render_findings(model: &Model, color: bool) -> String {
    let paint = Paint(color);
    let mut out = String::new();
    if !model.diagnostics.is_empty() {
        let _ = writeln!(out, "{}\n", paint.wrap("1", "Annotation problems"));
        out.push_str(&render(&model.diagnostics, color));
    }
    for layer in LAYERS {
        let mut findings: Vec<&Finding> =
            model.findings.iter().filter(|f| f.layer == layer).collect();
        if findings.is_empty() {
            continue;
        }
        findings
            .sort_by(|a, b| (a.severity, &a.site.location).cmp(&(b.severity, &b.site.location)));
        let _ = writeln!(out, "{}", paint.wrap("1", layer_title(layer)));
        for f in findings {
            finding(&mut out, f, &paint);
        }
        out.push('\n');
    }
    out
}

fn finding(out: &mut String, f: &Finding, paint: &Paint) {
    let pad = " ".repeat(11);
    if f.severity == Severity::Info {
        // Informational findings stay one line each, so they never bury the rest.
        let _ = writeln!(
            out,
            "  {} {}  {}  {}",
            paint.severity(f.severity),
            f.code,
            for_terminal(&f.site.location.to_string()),
            for_terminal(&f.message)
        );
        return;
    }
    let place = match &f.site.symbol {
        Some(symbol) => format!("{} in {symbol}", f.site.location),
        None => f.site.location.to_string(),
    };
    let _ = writeln!(
        out,
        "  {} {}  {}",
        paint.severity(f.severity),
        f.code,
        for_terminal(&place)
    );
    let _ = writeln!(out, "{pad}{}", for_terminal(&f.message));
    let line = f.site.source_line.as_deref().unwrap_or(&f.site.text);
    let _ = writeln!(
        out,
        "{pad}{} {}",
        paint.wrap("2", &format!("{:>4} |", f.site.location.line)),
        for_terminal(line.trim())
    );
    for r in &f.related {
        let _ = writeln!(
            out,
            "{pad}{} {}",
            paint.wrap("2", "note:"),
            for_terminal(&format!("{} at {}", r.message, r.site.location))
        );
    }
    if !f.owners.is_empty() {
        let _ = writeln!(
            out,
            "{pad}{} {}",
            paint.wrap("2", "owner:"),
            for_terminal(&f.owners.join(", "))
        );
    }
    if let Some(fix) = &f.fix {
        let _ = writeln!(
            out,
            "{pad}{} {}",
            paint.wrap("32", "fix:"),
            for_terminal(fix)
        );
    }
}

/// What a run over a tree without a threat model says, so that a mistyped path or an
/// over-wide exclude is visible rather than a silent PASS (SPEC §3.3).
pub fn no_threat_model(model: &Model, root: &str) -> String {
    let stats = &model.stats;
    let prose = match stats.prose_lines {
        0 => String::new(),
        1 => ", 1 `@verb` line read as prose (a doc tag or a sentence)".to_string(),
        n => format!(", {n} `@verb` lines read as prose (doc tags or sentences)"),
    };
    let files = match stats.files_seen {
        1 => "1 file seen".to_string(),
        n => format!("{n} files seen"),
    };
    format!(
        "threatline found no threat annotations in {}: {files}{prose}.\n\
         Annotations start a comment line with a lowercase verb, `// @threat SQL injection (#sqli)`\n\
         (docs/annotations.md); if you expected some, check the path and the `exclude` settings.\n",
        for_terminal(root),
    )
}

fn summary(
    out: &mut String,
    model: &Model,
    options: &TextOptions,
    paint: &Paint,
    errors: usize,
    warnings: usize,
) {
    let count = |s: Severity| model.findings.iter().filter(|f| f.severity == s).count();
    let per_severity: Vec<String> = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ]
    .iter()
    .map(|&s| format!("{} {}", count(s), s.as_str()))
    .collect();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if !model.holds_threat_model() {
        let _ = writeln!(out, "{}", no_threat_model(model, options.root));
    }
    let mut line = format!(
        "{} in {}: {}; {}, {}",
        plural(model.findings.len(), "finding"),
        for_terminal(options.root),
        per_severity.join(", "),
        plural(errors, "error"),
        plural(warnings, "warning"),
    );
    if options.baselined > 0 {
        line.push_str(&format!("; {} hidden by the baseline", options.baselined));
    }
    let _ = writeln!(out, "{line}");
    let at_or_above = model
        .findings
        .iter()
        .filter(|f| f.severity <= options.fail_on)
        .count();
    if gate_fails(model, options.fail_on) {
        let mut why = Vec::new();
        if at_or_above > 0 {
            why.push(format!(
                "{} at or above {}",
                plural(at_or_above, "finding"),
                options.fail_on.as_str()
            ));
        }
        if errors > 0 {
            why.push(plural(errors, "error diagnostic"));
        }
        let _ = writeln!(out, "{} {}", paint.wrap("1;31", "FAIL:"), why.join(" and "));
    } else {
        let _ = writeln!(
            out,
            "{} nothing at or above {} (--fail-on {})",
            paint.wrap("1;32", "PASS:"),
            options.fail_on.as_str(),
            options.fail_on.as_str()
        );
    }
}
