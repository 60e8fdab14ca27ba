//! What a change did to the threat model: two models of one repository (the base, read at
//! a git revision, and the head, the work tree or the index) compared by ids, never by
//! lines, so moving code or renaming a file changes nothing here.
//!
//! [`changes`] classifies the differences a reviewer cares about (a removed defence, a
//! raised severity, a new exposure or crossing, entities added and removed);
//! [`new_findings`] and [`new_diagnostics`] are what the pull-request gate fails on.

mod classify;
pub mod markdown;
pub mod text;

use std::collections::HashSet;

use serde::Serialize;

use crate::analysis::Finding;
use crate::annotation::Severity;
use crate::diagnostics::Diagnostic;
use crate::model::{Model, Site};

pub use classify::changes;

/// The kinds of model change, in the order reports list them (most alarming first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// A `@mitigates` (or a flow's control) is gone while the exposure (or crossing) it
    /// answered remains.
    RemovedDefence,
    /// An untrusted zone now reaches sensitive data with no control on the way (an
    /// `attack-path` finding the base did not have).
    NewAttackPath,
    /// An `@accepts` is gone and nothing else answers the threat now.
    AcceptanceRemoved,
    SeverityRaised,
    NewExposure,
    NewUnprotectedCrossing,
    /// A risk decision a reviewer should sign off.
    AcceptanceAdded,
    /// A lowered severity can take a finding under the gate's threshold.
    SeverityLowered,
    /// Deleting an `@exposes` is one way to silence a finding.
    ExposureRemoved,
    /// An attack path of the base is gone: an improvement.
    AttackPathRemoved,
    ComponentAdded,
    ComponentRemoved,
    FlowAdded,
    FlowRemoved,
    BoundaryAdded,
    BoundaryRemoved,
    /// A new `@assumes`: the model now rests on something a reviewer should know.
    AssumptionAdded,
    /// An `@assumes` gone (or reworded).
    AssumptionRemoved,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 18] = [
        ChangeKind::RemovedDefence,
        ChangeKind::NewAttackPath,
        ChangeKind::AcceptanceRemoved,
        ChangeKind::SeverityRaised,
        ChangeKind::NewExposure,
        ChangeKind::NewUnprotectedCrossing,
        ChangeKind::AcceptanceAdded,
        ChangeKind::SeverityLowered,
        ChangeKind::ExposureRemoved,
        ChangeKind::AttackPathRemoved,
        ChangeKind::ComponentAdded,
        ChangeKind::ComponentRemoved,
        ChangeKind::FlowAdded,
        ChangeKind::FlowRemoved,
        ChangeKind::BoundaryAdded,
        ChangeKind::BoundaryRemoved,
        ChangeKind::AssumptionAdded,
        ChangeKind::AssumptionRemoved,
    ];

    /// The name used in JSON and in `threatline.yaml`'s `changes:`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::RemovedDefence => "removed-defence",
            ChangeKind::NewAttackPath => "new-attack-path",
            ChangeKind::AcceptanceRemoved => "acceptance-removed",
            ChangeKind::SeverityRaised => "severity-raised",
            ChangeKind::NewExposure => "new-exposure",
            ChangeKind::NewUnprotectedCrossing => "new-unprotected-crossing",
            ChangeKind::AcceptanceAdded => "acceptance-added",
            ChangeKind::SeverityLowered => "severity-lowered",
            ChangeKind::ExposureRemoved => "exposure-removed",
            ChangeKind::AttackPathRemoved => "attack-path-removed",
            ChangeKind::ComponentAdded => "component-added",
            ChangeKind::ComponentRemoved => "component-removed",
            ChangeKind::FlowAdded => "flow-added",
            ChangeKind::FlowRemoved => "flow-removed",
            ChangeKind::BoundaryAdded => "boundary-added",
            ChangeKind::BoundaryRemoved => "boundary-removed",
            ChangeKind::AssumptionAdded => "assumption-added",
            ChangeKind::AssumptionRemoved => "assumption-removed",
        }
    }

    pub fn parse(name: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// For people: `removed defence`.
    pub fn title(self) -> String {
        self.as_str().replace('-', " ")
    }

    /// A removed defence and a new attack path fail by default: new exposures and
    /// crossings already fail through their findings when they reach `--fail-on`, and the
    /// rest is for review. A new attack path fails whatever `--fail-on` says: nothing
    /// stands between the outside and the data any more.
    pub fn default_action(self) -> ChangeAction {
        match self {
            ChangeKind::RemovedDefence | ChangeKind::NewAttackPath => ChangeAction::Fail,
            _ => ChangeAction::Report,
        }
    }

    /// A change that makes the model safer, shown as such (an attack path gone).
    pub fn is_improvement(self) -> bool {
        self == ChangeKind::AttackPathRemoved
    }
}

/// What the gate does with a kind of change (`changes:` in `threatline.yaml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeAction {
    /// Reported, and the gate fails.
    Fail,
    /// Reported only.
    Report,
    /// Not reported.
    Off,
}

impl ChangeAction {
    pub fn parse(word: &str) -> Option<ChangeAction> {
        Some(match word.to_ascii_lowercase().as_str() {
            "fail" => ChangeAction::Fail,
            "report" => ChangeAction::Report,
            "off" => ChangeAction::Off,
            _ => return None,
        })
    }
}

/// Which tree a change's location is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The revision compared against: the place of something that is gone.
    Base,
    /// What is checked (the work tree or the index).
    Head,
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub message: String,
    /// The ids involved: the component or flow first, then the threat or control.
    pub ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Whether this change fails the gate (by `changes:` config or the default).
    pub fails: bool,
    pub side: Side,
    #[serde(flatten)]
    pub site: Site,
}

/// Drops the kinds turned `off` and marks the ones that fail.
pub fn apply_policy(changes: &mut Vec<Change>, action: impl Fn(ChangeKind) -> ChangeAction) {
    changes.retain_mut(|c| match action(c.kind) {
        ChangeAction::Off => false,
        a => {
            c.fails = a == ChangeAction::Fail;
            true
        }
    });
}

/// Findings of `head` whose fingerprint `base` does not have: fingerprints are built from
/// codes and ids, so a finding that only moved (or whose file was renamed) is not new.
pub fn new_findings(base: &Model, head: &Model) -> Vec<Finding> {
    let old: HashSet<&str> = base
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    head.findings
        .iter()
        .filter(|f| !old.contains(f.fingerprint.as_str()))
        .cloned()
        .collect()
}

/// Diagnostics of `head` that `base` does not have. A diagnostic's fingerprint holds its
/// file, so one that only moved to a renamed file is matched by its code and text too.
pub fn new_diagnostics(base: &Model, head: &Model) -> Vec<Diagnostic> {
    let by_fingerprint: HashSet<String> =
        base.diagnostics.iter().map(|d| d.fingerprint()).collect();
    let by_text: HashSet<(&str, &str)> = base
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.text.trim()))
        .collect();
    head.diagnostics
        .iter()
        .filter(|d| {
            !by_fingerprint.contains(&d.fingerprint())
                && !by_text.contains(&(d.code.as_str(), d.text.trim()))
        })
        .cloned()
        .collect()
}

/// A pull request's view: the classified changes and what is new since the base.
#[derive(Debug, Clone, Default)]
pub struct Delta {
    pub changes: Vec<Change>,
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Delta {
    pub fn new(base: &Model, head: &Model, action: impl Fn(ChangeKind) -> ChangeAction) -> Delta {
        let mut changes = changes(base, head);
        apply_policy(&mut changes, action);
        Delta {
            changes,
            findings: new_findings(base, head),
            diagnostics: new_diagnostics(base, head),
        }
    }

    /// The gate: a change that fails, a new finding at or above `fail_on`, or a new error
    /// diagnostic.
    pub fn fails(&self, fail_on: Severity) -> bool {
        self.failing_changes() > 0
            || self.findings_at_or_above(fail_on) > 0
            || self.new_errors() > 0
    }

    pub fn failing_changes(&self) -> usize {
        self.changes.iter().filter(|c| c.fails).count()
    }

    pub fn findings_at_or_above(&self, fail_on: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity <= fail_on)
            .count()
    }

    pub fn new_errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == crate::diagnostics::Level::Error)
            .count()
    }

    /// Why the gate fails, in words (`1 removed defence and 2 new findings at or above
    /// high`), or `None` when it passes.
    pub fn verdict(&self, fail_on: Severity) -> Option<String> {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut why = Vec::new();
        let mut failing: Vec<ChangeKind> = self
            .changes
            .iter()
            .filter(|c| c.fails)
            .map(|c| c.kind)
            .collect();
        failing.dedup();
        for kind in failing {
            let n = self
                .changes
                .iter()
                .filter(|c| c.fails && c.kind == kind)
                .count();
            why.push(plural(n, &kind.title()));
        }
        let above = self.findings_at_or_above(fail_on);
        if above > 0 {
            why.push(format!(
                "{} at or above {}",
                plural(above, "new finding"),
                fail_on.as_str()
            ));
        }
        let errors = self.new_errors();
        if errors > 0 {
            why.push(plural(errors, "new error diagnostic"));
        }
        (!why.is_empty()).then(|| why.join(" and "))
    }
}

#[cfg(test)]
mod tests;
