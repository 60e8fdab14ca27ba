use super::{Rule, documented};
use crate::analysis::RuleCode;
use std::collections::BTreeMap;

use crate::analysis::{Context, Finding, Related};
use crate::annotation::Severity;
use crate::model::{Exposure, Site, TargetKind};

documented! {
    /// ## What it finds
    ///
    /// An `@exposes C to T` where nothing answers the threat: no `@mitigates` of `C` (or of
    /// a component that contains `C`) against `T`, no `@accepts` of `T` on `C` or an
    /// ancestor, and no `@transfers` of `T` from `C` or an ancestor. For an exposure of a
    /// flow (`@exposes #flow to T`), a mitigation or acceptance on that flow answers it.
    /// GuardLink's rule holds too: a mitigation or acceptance in the same file as the
    /// exposure, when both belong to a symbol (the function, method or type their comment
    /// sits on or in, or a sidecar's `@source ... symbol:`) and the symbols differ, answers
    /// its own symbol only.
    ///
    /// ## Why it matters
    ///
    /// An exposure is a known weakness written down next to the code. Left unanswered, it is
    /// an open risk that nobody decided to fix, accept or hand over.
    ///
    /// ## Example
    ///
    /// ```go
    /// // @exposes Shop:Orders to SQL injection [high]
    /// func find(q string) { db.Query("SELECT ... " + q) }
    /// ```
    ///
    /// ## Fix
    ///
    /// Fix the code and say how: `@mitigates Shop:Orders against SQL injection with
    /// Parameterized queries`; or accept the risk with a reason: `@accepts SQL injection on
    /// Shop:Orders with read-only replica, no user data`; or transfer it: `@transfers SQL
    /// injection from Shop:Orders to Vendor:DBaaS with managed query firewall`.
    ///
    /// One finding per component (or flow) and threat, at its most severe unanswered
    /// exposure; the other exposures of the pair are related locations. The severity is
    /// that exposure's own qualifier, else the threat's, else `medium`, whatever the order
    /// the files were read in.
    pub struct UnmitigatedExposure;
}

pub const RULE: Rule = Rule {
    code: RuleCode::UnmitigatedExposure,
    summary: "An exposure that nothing mitigates, accepts or transfers.",
    default_severity: Severity::Medium,
    coverage_hint: false,
    doc: UnmitigatedExposure::DOC,
    check,
};

fn check(ctx: &Context) -> Vec<Finding> {
    // One finding per (target, threat): at its most severe unanswered exposure (the first
    // in path order among equals), the others as related locations. Which file a walker
    // thread reads first never decides the severity.
    let mut groups: BTreeMap<(TargetKind, &str, &str), Vec<&Exposure>> = BTreeMap::new();
    for e in ctx.model.exposures.iter().filter(|e| !answered(ctx, e)) {
        groups
            .entry((e.target_kind, e.target.as_str(), e.threat.as_str()))
            .or_default()
            .push(e);
    }
    groups
        .into_values()
        .map(|mut exposures| {
            exposures.sort_by_cached_key(|e| (severity_of(ctx, e), e.site.location.clone()));
            finding(ctx, &exposures)
        })
        .collect()
}

/// An exposure's severity: its own qualifier, else its threat's, else `medium`.
fn severity_of(ctx: &Context, e: &Exposure) -> Severity {
    e.severity
        .or_else(|| {
            ctx.model
                .threats
                .iter()
                .find(|t| t.id == e.threat)
                .and_then(|t| t.severity)
        })
        .unwrap_or(RULE.default_severity)
}

/// Whether a mitigation, acceptance or transfer covers the exposure.
fn answered(ctx: &Context, e: &Exposure) -> bool {
    let m = ctx.model;
    let covering: Vec<&str> = match e.target_kind {
        TargetKind::Component => ctx.graph.self_and_ancestors(&e.target),
        TargetKind::Flow => vec![e.target.as_str()],
    };
    let covers = |target: &str| covering.contains(&target);
    m.mitigations
        .iter()
        .any(|x| x.threat == e.threat && covers(&x.target) && !elsewhere(&x.site, &e.site))
        || m.acceptances
            .iter()
            .any(|x| x.threat == e.threat && covers(&x.target) && !elsewhere(&x.site, &e.site))
        || m.transfers
            .iter()
            .any(|x| x.threat == e.threat && covers(&x.from))
}

/// GuardLink's coverage rule: a mitigation or acceptance in the same file as the exposure,
/// both anchored to a symbol, answers only its own symbol. `insert_expense` validating its
/// input says nothing about the query `find_expenses` builds.
fn elsewhere(answer: &Site, exposure: &Site) -> bool {
    answer.location.file == exposure.location.file
        && match (&answer.symbol, &exposure.symbol) {
            (Some(a), Some(b)) => !same_symbol(a, b),
            _ => false,
        }
}

/// One symbol, written in full (`Expenses.find`) or by its own name (`find`), as a
/// sidecar's `@source symbol:` may be.
fn same_symbol(a: &str, b: &str) -> bool {
    let within = |long: &str, short: &str| {
        long.strip_suffix(short)
            .is_some_and(|head| head.ends_with('.'))
    };
    a == b || within(a, b) || within(b, a)
}

/// The finding for one (target, threat): `exposures` most severe first.
fn finding(ctx: &Context, exposures: &[&Exposure]) -> Finding {
    let m = ctx.model;
    let e = exposures[0];
    let threat = m.threats.iter().find(|t| t.id == e.threat);
    let severity = severity_of(ctx, e);
    let threat_name = threat.map_or(e.threat.as_str(), |t| t.name.as_str());
    let (target_name, layer) = match e.target_kind {
        TargetKind::Component => match ctx.graph.component(&e.target) {
            Some(c) => (c.path.join(":"), Some(c.layer)),
            None => (e.target.clone(), None),
        },
        TargetKind::Flow => (
            format!("flow #{}", e.target),
            Some(crate::annotation::Layer::Communication),
        ),
    };
    let mut f = Finding::new(
        RULE.code,
        severity,
        format!(
            "`{target_name}` is exposed to `{threat_name}` and nothing mitigates, accepts or transfers it"
        ),
        &[&e.target, &e.threat],
        &e.site,
    );
    f.layer = layer;
    f.component = (e.target_kind == TargetKind::Component).then(|| e.target.clone());
    f.flow = (e.target_kind == TargetKind::Flow).then(|| e.target.clone());
    f.threat = Some(e.threat.clone());
    f.related = exposures[1..]
        .iter()
        .map(|other| Related {
            message: format!("also exposed here ({})", severity_of(ctx, other).as_str()),
            site: other.site.clone(),
        })
        .collect();
    f.fix = Some(format!(
        "add `@mitigates #{t} against #{th} with <control>`, or `@accepts #{th} on #{t} with <reason>`",
        t = e.target,
        th = e.threat
    ));
    f
}
