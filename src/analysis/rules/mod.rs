//! The rules: one file per finding code. Each rule's doc comment, in sections (what it
//! finds, why it matters, example, fix), is its user documentation: `threatline explain`
//! prints it and `docs/rules.md` is generated from it.

mod attack_path;
mod diagnostics;
mod open_review;
mod stride_gap;
mod unmitigated_exposure;
mod unmitigated_threat;
mod unprotected_crossing;
mod untested_control;

use std::collections::HashSet;

use super::{Context, Finding, RuleCode};
use crate::annotation::Severity;
use crate::diagnostics::{Code, Level};
use crate::model::{Flow, Model, TargetKind};

/// Declares a rule's marker type and keeps its doc comment as a string.
macro_rules! documented {
    ($(#[doc = $doc:literal])* $vis:vis struct $name:ident;) => {
        $(#[doc = $doc])*
        $vis struct $name;
        impl $name {
            pub const DOC: &'static str = concat!($($doc, "\n"),*);
        }
    };
}
pub(crate) use documented;

/// A finding rule.
pub struct Rule {
    pub code: RuleCode,
    pub summary: &'static str,
    /// The severity when the rule itself does not derive one.
    pub default_severity: Severity,
    /// A suggestion about coverage (`stride-gap`, `untested-control`) rather than a risk:
    /// it runs only in a tree that holds a threat model (SPEC §3.3), so a repository with
    /// no threat annotations gets no advice about the ones it might write.
    pub coverage_hint: bool,
    pub doc: &'static str,
    pub check: fn(&Context) -> Vec<Finding>,
}

/// Documentation of a diagnostic code (problems with the annotations themselves).
pub struct DiagnosticDoc {
    pub code: Code,
    pub summary: &'static str,
    pub doc: &'static str,
}

/// Every finding rule, in the order of SPEC §5.
pub const ALL: &[Rule] = &[
    unmitigated_exposure::RULE,
    unmitigated_threat::RULE,
    unprotected_crossing::RULE,
    attack_path::RULE,
    untested_control::RULE,
    open_review::RULE,
    stride_gap::RULE,
];

pub use diagnostics::ALL as DIAGNOSTICS;

/// The data classes that make a component sensitive (SPEC §5).
pub(crate) const SENSITIVE: &[&str] = &["pii", "phi", "financial", "secrets"];

/// What answers a flow, for `unprotected-crossing` and `attack-path` alike: a protecting
/// control (declared and named in its mechanism, or inferred from a secure transport), a
/// `@mitigates` of the flow or an `@accepts` on it.
pub(crate) struct Answers<'m> {
    /// Flow ids a `@mitigates` or an `@accepts` names.
    named: HashSet<&'m str>,
}

impl<'m> Answers<'m> {
    pub(crate) fn new(model: &'m Model) -> Self {
        let mitigated = model.mitigations.iter().map(|x| (x.target_kind, &x.target));
        let accepted = model.acceptances.iter().map(|x| (x.target_kind, &x.target));
        Answers {
            named: mitigated
                .chain(accepted)
                .filter(|(kind, _)| *kind == TargetKind::Flow)
                .map(|(_, id)| id.as_str())
                .collect(),
        }
    }

    pub(crate) fn answered(&self, flow: &Flow) -> bool {
        !flow.controls.is_empty()
            || !flow.inferred.is_empty()
            || self.named.contains(flow.id.as_str())
    }
}

/// The documentation of any code, finding or diagnostic, with doc comment markers gone.
/// Codes are matched whatever their case (`UNPROTECTED-CROSSING` is read off a screen).
pub fn explain(code: &str) -> Option<String> {
    let code = code.trim().to_ascii_lowercase();
    let (name, summary, doc) = ALL
        .iter()
        .find(|r| r.code.as_str() == code)
        .map(|r| (r.code.as_str(), r.summary, r.doc))
        .or_else(|| {
            DIAGNOSTICS
                .iter()
                .find(|d| d.code.as_str() == code)
                .map(|d| (d.code.as_str(), d.summary, d.doc))
        })?;
    Some(format!("# {name}\n\n{summary}\n\n{}", unindent(doc)))
}

/// The known code nearest to a mistyped one, for "did you mean".
pub fn nearest_code(code: &str) -> Option<&'static str> {
    let code = code.trim().to_ascii_lowercase();
    all_codes()
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&code, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A diagnostic's level as the docs write it.
fn level_word(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
    }
}

/// Doc comment lines come with the space after `///`; drop it.
pub fn unindent(doc: &str) -> String {
    let mut out = String::new();
    for line in doc.lines() {
        out.push_str(line.strip_prefix(' ').unwrap_or(line));
        out.push('\n');
    }
    out.trim_end().to_string() + "\n"
}

/// Every documented code, findings first.
pub fn all_codes() -> Vec<&'static str> {
    ALL.iter()
        .map(|r| r.code.as_str())
        .chain(DIAGNOSTICS.iter().map(|d| d.code.as_str()))
        .collect()
}

/// `docs/rules.md`: every code's documentation, findings then diagnostics.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Rules\n\n<!-- Generated from the rules' doc comments (src/analysis/rules/); do not edit.\n     Regenerate with: THREATLINE_UPDATE_DOCS=1 cargo test --test docs -->\n\n",
    );
    out.push_str("Every finding and diagnostic has a stable code; `threatline explain CODE` prints the same text.\n\n");
    out.push_str("| code | kind | default severity | summary |\n|---|---|---|---|\n");
    for r in ALL {
        out.push_str(&format!(
            "| [`{0}`](#{0}) | finding | {1} | {2} |\n",
            r.code,
            r.default_severity.as_str(),
            r.summary
        ));
    }
    for d in DIAGNOSTICS {
        out.push_str(&format!(
            "| [`{0}`](#{0}) | diagnostic | {1} | {2} |\n",
            d.code.as_str(),
            level_word(d.code.severity()),
            d.summary
        ));
    }
    out.push('\n');
    for code in all_codes() {
        let text = explain(code).expect("every listed code is documented");
        // Headings one level deeper than the page title; a `#` comment in an example
        // (inside a fence) is not a heading.
        let mut in_fence = false;
        for line in text.lines() {
            if line.starts_with("```") {
                in_fence = !in_fence;
            }
            let heading = line.starts_with('#') && line.trim_start_matches('#').starts_with(' ');
            if heading && !in_fence {
                out.push('#');
            }
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
    }
    out.trim_end().to_string() + "\n"
}
