use super::{Rule, documented};
use crate::analysis::{Context, Finding};
use crate::annotation::Severity;
use crate::model::{Exposure, TargetKind};

documented! {
    /// ## What it finds
    ///
    /// An `@exposes C to T` where nothing answers the threat: no `@mitigates` of `C` (or of
    /// a component that contains `C`) against `T`, no `@accepts` of `T` on `C` or an
    /// ancestor, and no `@transfers` of `T` from `C` or an ancestor. For an exposure of a
    /// flow (`@exposes #flow to T`), a mitigation or acceptance on that flow answers it.
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
    /// The severity is the exposure's own qualifier, else the threat's, else `medium`.
    pub struct UnmitigatedExposure;
}

pub const RULE: Rule = Rule {
    code: "unmitigated-exposure",
    summary: "An exposure that nothing mitigates, accepts or transfers.",
    default_severity: Severity::Medium,
    coverage_hint: false,
    doc: UnmitigatedExposure::DOC,
    check,
};

fn check(ctx: &Context) -> Vec<Finding> {
    let m = ctx.model;
    m.exposures
        .iter()
        .filter(|e| !answered(ctx, e))
        .map(|e| finding(ctx, e))
        .collect()
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
        .any(|x| x.threat == e.threat && covers(&x.target))
        || m.acceptances
            .iter()
            .any(|x| x.threat == e.threat && covers(&x.target))
        || m.transfers
            .iter()
            .any(|x| x.threat == e.threat && covers(&x.from))
}

fn finding(ctx: &Context, e: &Exposure) -> Finding {
    let m = ctx.model;
    let threat = m.threats.iter().find(|t| t.id == e.threat);
    let severity = e
        .severity
        .or(threat.and_then(|t| t.severity))
        .unwrap_or(RULE.default_severity);
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
    f.fix = Some(format!(
        "add `@mitigates #{t} against #{th} with <control>`, or `@accepts #{th} on #{t} with <reason>`",
        t = e.target,
        th = e.threat
    ));
    f
}
