//! The report for people: findings grouped by CCCS layer, then severity, each with its
//! place, its source line and its fix in annotation form; an attack path is drawn hop by
//! hop (`Internet:Visitor → Shop:Web → ...`, each hop with its file and line).
//! Informational findings are folded into one line per rule unless asked for. The verdict
//! is not part of it: it is `output::verdict`, written to stderr by the command. Every
//! piece of annotation text is escaped for the terminal.

use std::fmt::Write as _;

use crate::analysis::{Finding, RuleCode, rules};
use crate::annotation::{Layer, Severity};
use crate::diagnostics::render;
use crate::escape::for_terminal;
use crate::model::Model;

/// What the text report needs besides the model.
pub struct TextOptions<'a> {
    pub color: bool,
    pub root: &'a str,
    /// List informational findings one by one instead of one line per rule.
    pub show_info: bool,
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

pub use super::verdict::gate_fails;

/// The report, and the note of a tree that holds no threat model.
pub fn render_report(model: &Model, options: &TextOptions) -> String {
    let mut out = render_findings(model, options.color, options.show_info);
    if !model.holds_threat_model() {
        let _ = writeln!(out, "{}", no_threat_model(model, options.root));
    }
    out
}

/// The diagnostics, then the findings by CCCS layer, then the folded informational ones.
pub fn render_findings(model: &Model, color: bool, show_info: bool) -> String {
    let paint = Paint(color);
    let mut out = String::new();
    if !model.diagnostics.is_empty() {
        let _ = writeln!(out, "{}\n", paint.wrap("1", "Annotation problems"));
        out.push_str(&render(&model.diagnostics, color));
    }
    for layer in LAYERS {
        let mut findings: Vec<&Finding> = model
            .findings
            .iter()
            .filter(|f| f.layer == layer && (show_info || f.severity != Severity::Info))
            .collect();
        if findings.is_empty() {
            continue;
        }
        findings
            .sort_by(|a, b| (a.severity, &a.site.location).cmp(&(b.severity, &b.site.location)));
        let _ = writeln!(out, "{}", paint.wrap("1", layer_title(layer)));
        for f in findings {
            finding(&mut out, model, f, &paint);
        }
        out.push('\n');
    }
    if !show_info {
        folded_info(&mut out, model, &paint);
    }
    out
}

/// One line per rule for the informational findings: 51 of the example's 58 would
/// otherwise bury the 7 that matter.
fn folded_info(out: &mut String, model: &Model, paint: &Paint) {
    let mut per_rule: Vec<(RuleCode, usize)> = Vec::new();
    for f in model
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Info)
    {
        match per_rule.iter_mut().find(|(code, _)| *code == f.code) {
            Some((_, n)) => *n += 1,
            None => per_rule.push((f.code, 1)),
        }
    }
    if per_rule.is_empty() {
        return;
    }
    per_rule.sort();
    let _ = writeln!(
        out,
        "{}",
        paint.wrap(
            "1",
            "Informational (one line per rule; --show-info lists them)"
        )
    );
    let width = per_rule
        .iter()
        .map(|(c, _)| c.as_str().len())
        .max()
        .unwrap_or(0);
    for (code, n) in per_rule {
        let summary = rules::ALL
            .iter()
            .find(|r| r.code == code)
            .map_or("", |r| r.summary);
        let _ = writeln!(
            out,
            "  {} {:<width$}  {n} × {summary}",
            paint.severity(Severity::Info),
            code.as_str(),
        );
    }
    out.push('\n');
}

/// An attack path drawn: the route on one line, then each hop with its file and line.
fn path(out: &mut String, model: &Model, f: &Finding, paint: &Paint, pad: &str) {
    let name = |id: &str| model.component_name(id);
    let _ = writeln!(
        out,
        "{pad}{} {}",
        paint.wrap("2", "path:"),
        for_terminal(&model.route(&f.path))
    );
    let hops: Vec<String> = f
        .path
        .iter()
        .map(|h| format!("{} → {}", name(&h.from), name(&h.to)))
        .collect();
    let width = hops.iter().map(|h| h.chars().count()).max().unwrap_or(0);
    for (i, (h, text)) in f.path.iter().zip(&hops).enumerate() {
        let pad_to = width - text.chars().count();
        let backwards = if h.backwards {
            "  (a two-way flow, taken against the way it is written)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{pad}  {}. {}{}  {}:{}{backwards}",
            i + 1,
            for_terminal(text),
            " ".repeat(pad_to),
            for_terminal(&h.site.location.file),
            h.site.location.line,
        );
    }
}

fn finding(out: &mut String, model: &Model, f: &Finding, paint: &Paint) {
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
    if !f.path.is_empty() {
        // The hops are the related places: drawn as the path instead of as notes.
        path(out, model, f, paint, &pad);
    }
    for r in f.related.iter().filter(|_| f.path.is_empty()) {
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
