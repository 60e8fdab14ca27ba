//! Classifying the differences between two models. Everything is keyed by ids (a
//! component or flow id with a threat id), so a relation that moved lines or files is the
//! same relation, and a relation whose ids changed is one removed and one added.

use crate::analysis::RuleCode;
use std::collections::HashSet;

use super::{Change, ChangeKind, Side};
use crate::analysis::graph::ModelGraph;
use crate::annotation::Severity;
use crate::model::{Model, Site, TargetKind};
use crate::report::detail::{component_label, control_label, threat_label};

/// Every classified change from `base` to `head`, sorted by kind, then place.
pub fn changes<'m>(base: &'m Model, head: &'m Model) -> Vec<Change> {
    let graph = ModelGraph::new(head);
    let cx = Cx { base, head, graph };
    let mut out = Vec::new();
    cx.removed_defences(&mut out);
    cx.acceptances(&mut out);
    cx.severities(&mut out);
    cx.exposures(&mut out);
    cx.crossings(&mut out);
    cx.attack_paths(&mut out);
    cx.entities(&mut out);
    cx.assumptions(&mut out);
    out.sort_by(|a, b| {
        (a.kind, a.side, &a.site.location, &a.ids).cmp(&(b.kind, b.side, &b.site.location, &b.ids))
    });
    let mut seen = HashSet::new();
    out.retain(|c| seen.insert((c.kind, c.ids.clone())));
    out
}

struct Cx<'m> {
    base: &'m Model,
    head: &'m Model,
    graph: ModelGraph<'m>,
}

fn change(kind: ChangeKind, side: Side, site: &Site, ids: &[&str], message: String) -> Change {
    Change {
        kind,
        message,
        ids: ids.iter().map(|s| s.to_string()).collect(),
        severity: None,
        fails: false,
        side,
        site: site.clone(),
    }
}

/// A target's name for people: a component's path, or `flow #id`.
fn target_label(m: &Model, kind: TargetKind, id: &str) -> String {
    match kind {
        TargetKind::Component => component_label(m, id),
        TargetKind::Flow => format!("flow #{id}"),
    }
}

/// The severity the rules would give: the threat's, else `medium` (SPEC §5).
fn threat_severity(m: &Model, threat: &str) -> Option<Severity> {
    m.threats
        .iter()
        .find(|t| t.id == threat)
        .and_then(|t| t.severity)
}

impl<'m> Cx<'m> {
    /// Whether a component or flow id exists in the head model.
    fn target_exists(&self, id: &str) -> bool {
        self.head.components.iter().any(|c| c.id == id)
            || self.head.flows.iter().any(|f| f.id == id)
    }

    /// Whether `threat` on `target` is mitigated or transferred in the head, on the target
    /// or an ancestor of it (as the rules count it).
    fn defended(&self, target: &'m str, threat: &str) -> bool {
        let h = self.head;
        h.mitigations
            .iter()
            .any(|x| x.threat == threat && self.graph.is_under(target, &x.target))
            || h.transfers
                .iter()
                .any(|x| x.threat == threat && self.graph.is_under(target, &x.from))
    }

    fn accepted(&self, target: &'m str, threat: &str) -> bool {
        self.head
            .acceptances
            .iter()
            .any(|x| x.threat == threat && self.graph.is_under(target, &x.target))
    }

    /// Whether a head exposure to `threat` lies on `target` or under it.
    fn still_exposed(&self, target: &str, threat: &str) -> bool {
        self.head
            .exposures
            .iter()
            .any(|e| e.threat == threat && self.graph.is_under(&e.target, target))
    }

    fn unprotected_in_head(&self, flow: &str) -> bool {
        self.head
            .findings
            .iter()
            .any(|f| f.code == RuleCode::UnprotectedCrossing && f.flow.as_deref() == Some(flow))
    }

    fn removed_defences(&self, out: &mut Vec<Change>) {
        let (b, h) = (self.base, self.head);
        for m in &b.mitigations {
            let target = m.target.as_str();
            if self.defended(target, &m.threat) || self.accepted(target, &m.threat) {
                // Still answered, or now an explicit risk decision (`acceptance-added`).
                continue;
            }
            let crossing_flow =
                m.target_kind == TargetKind::Flow && self.unprotected_in_head(target);
            if !self.still_exposed(target, &m.threat) && !crossing_flow {
                continue;
            }
            let with = m
                .control
                .as_deref()
                .map(|c| format!(" with `{}`", control_label(b, c)))
                .unwrap_or_default();
            let what = target_label(h, m.target_kind, target);
            let message = format!(
                "`@mitigates` of `{what}` against `{}`{with} is gone, and `{what}` is still {}",
                threat_label(b, &m.threat),
                if crossing_flow && !self.still_exposed(target, &m.threat) {
                    "an unprotected crossing".to_string()
                } else {
                    "exposed to it".to_string()
                }
            );
            let mut c = change(
                ChangeKind::RemovedDefence,
                Side::Base,
                &m.site,
                &[target, &m.threat],
                message,
            );
            c.severity = self.exposure_severity(target, &m.threat);
            out.push(c);
        }
        // A flow that named a control and names none now, while it crosses a boundary.
        for old in &b.flows {
            let Some(new) = h.flows.iter().find(|f| f.id == old.id) else {
                continue;
            };
            if old.controls.is_empty()
                || !new.controls.is_empty()
                || !self.unprotected_in_head(&new.id)
            {
                continue;
            }
            let names: Vec<String> = old.controls.iter().map(|c| control_label(b, c)).collect();
            let message = format!(
                "flow `{}` -> `{}` no longer uses `{}` and crosses a trust boundary unprotected",
                component_label(h, &new.from),
                component_label(h, &new.to),
                names.join("`, `")
            );
            out.push(change(
                ChangeKind::RemovedDefence,
                Side::Head,
                &new.site,
                &[&new.id],
                message,
            ));
        }
    }

    /// The severity of the head's exposure of `target` (or under it) to `threat`.
    fn exposure_severity(&self, target: &str, threat: &str) -> Option<Severity> {
        let m = self.head;
        m.exposures
            .iter()
            .filter(|e| e.threat == threat && self.graph.is_under(&e.target, target))
            .map(|e| {
                e.severity
                    .or(threat_severity(m, threat))
                    .unwrap_or(Severity::Medium)
            })
            .min()
    }

    fn acceptances(&self, out: &mut Vec<Change>) {
        let (b, h) = (self.base, self.head);
        let pairs = |m: &'m Model| -> HashSet<(&'m str, &'m str)> {
            m.acceptances
                .iter()
                .map(|a| (a.target.as_str(), a.threat.as_str()))
                .collect()
        };
        let (old, new) = (pairs(b), pairs(h));
        for a in &b.acceptances {
            let target = a.target.as_str();
            if new.contains(&(target, a.threat.as_str()))
                || !self.target_exists(target)
                || self.defended(target, &a.threat)
                || self.accepted(target, &a.threat)
            {
                // Replaced by a defence (an improvement), or the target itself is gone.
                continue;
            }
            let message = format!(
                "the acceptance of `{}` on `{}` is gone, and nothing else answers it",
                threat_label(b, &a.threat),
                target_label(h, a.target_kind, target)
            );
            out.push(change(
                ChangeKind::AcceptanceRemoved,
                Side::Base,
                &a.site,
                &[target, &a.threat],
                message,
            ));
        }
        for a in &h.acceptances {
            if old.contains(&(a.target.as_str(), a.threat.as_str())) {
                continue;
            }
            let why = a
                .description
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            let message = format!(
                "`{}` on `{}` is accepted as a risk{why}",
                threat_label(h, &a.threat),
                target_label(h, a.target_kind, &a.target)
            );
            out.push(change(
                ChangeKind::AcceptanceAdded,
                Side::Head,
                &a.site,
                &[&a.target, &a.threat],
                message,
            ));
        }
    }

    fn severities(&self, out: &mut Vec<Change>) {
        let (b, h) = (self.base, self.head);
        let word = |s: Option<Severity>| s.map_or("unset (medium)", Severity::as_str);
        let rank = |s: Option<Severity>| s.unwrap_or(Severity::Medium);
        let kind = |old: Severity, new: Severity| {
            if new < old {
                ChangeKind::SeverityRaised
            } else {
                ChangeKind::SeverityLowered
            }
        };
        for new in &h.threats {
            let Some(old) = b.threats.iter().find(|t| t.id == new.id) else {
                continue;
            };
            let (o, n) = (rank(old.severity), rank(new.severity));
            if o == n {
                continue;
            }
            let message = format!(
                "threat `{}`: {} -> {}",
                new.name,
                word(old.severity),
                word(new.severity)
            );
            let mut c = change(kind(o, n), Side::Head, &new.site, &[&new.id], message);
            c.severity = Some(n);
            out.push(c);
        }
        for new in &h.exposures {
            let Some(old) = b
                .exposures
                .iter()
                .find(|e| e.target == new.target && e.threat == new.threat)
            else {
                continue;
            };
            // Without a severity of its own an exposure follows its threat, reported above.
            if old.severity.is_none() && new.severity.is_none() {
                continue;
            }
            let o = rank(old.severity.or(threat_severity(b, &old.threat)));
            let n = rank(new.severity.or(threat_severity(h, &new.threat)));
            if o == n {
                continue;
            }
            let message = format!(
                "exposure of `{}` to `{}`: {} -> {}",
                target_label(h, new.target_kind, &new.target),
                threat_label(h, &new.threat),
                o.as_str(),
                n.as_str()
            );
            let mut c = change(
                kind(o, n),
                Side::Head,
                &new.site,
                &[&new.target, &new.threat],
                message,
            );
            c.severity = Some(n);
            out.push(c);
        }
    }

    fn exposures(&self, out: &mut Vec<Change>) {
        let (b, h) = (self.base, self.head);
        let has = |m: &Model, target: &str, threat: &str| {
            m.exposures
                .iter()
                .any(|e| e.target == target && e.threat == threat)
        };
        for e in &h.exposures {
            if has(b, &e.target, &e.threat) {
                continue;
            }
            let severity = e
                .severity
                .or(threat_severity(h, &e.threat))
                .unwrap_or(Severity::Medium);
            let message = format!(
                "`{}` is exposed to `{}` ({})",
                target_label(h, e.target_kind, &e.target),
                threat_label(h, &e.threat),
                severity.as_str()
            );
            let mut c = change(
                ChangeKind::NewExposure,
                Side::Head,
                &e.site,
                &[&e.target, &e.threat],
                message,
            );
            c.severity = Some(severity);
            out.push(c);
        }
        for e in &b.exposures {
            if has(h, &e.target, &e.threat) || !self.target_exists(&e.target) {
                continue;
            }
            let message = format!(
                "`{}` is no longer recorded as exposed to `{}`",
                target_label(b, e.target_kind, &e.target),
                threat_label(b, &e.threat)
            );
            out.push(change(
                ChangeKind::ExposureRemoved,
                Side::Base,
                &e.site,
                &[&e.target, &e.threat],
                message,
            ));
        }
    }

    fn crossings(&self, out: &mut Vec<Change>) {
        let old: HashSet<&str> = self
            .base
            .findings
            .iter()
            .map(|f| f.fingerprint.as_str())
            .collect();
        for f in &self.head.findings {
            if f.code != RuleCode::UnprotectedCrossing || old.contains(f.fingerprint.as_str()) {
                continue;
            }
            let flow = f.flow.as_deref().unwrap_or_default();
            let mut c = change(
                ChangeKind::NewUnprotectedCrossing,
                Side::Head,
                &f.site,
                &[flow],
                f.message.clone(),
            );
            c.severity = Some(f.severity);
            out.push(c);
        }
    }

    /// Attack paths new in the head (a change that fails by default) and gone from the
    /// base (an improvement), matched by fingerprint: the code, the entry and the target.
    fn attack_paths(&self, out: &mut Vec<Change>) {
        let (b, h) = (self.base, self.head);
        let paths = |m: &'m Model| -> Vec<&'m crate::analysis::Finding> {
            m.findings
                .iter()
                .filter(|f| f.code == RuleCode::AttackPath)
                .collect()
        };
        let (old, new) = (paths(b), paths(h));
        let has = |list: &[&crate::analysis::Finding], fingerprint: &str| {
            list.iter().any(|f| f.fingerprint == fingerprint)
        };
        let ends = |f: &crate::analysis::Finding| -> (String, String) {
            let entry = f.path.first().map(|x| x.from.clone()).unwrap_or_default();
            let target = f.component.clone().unwrap_or_default();
            (entry, target)
        };
        for f in &new {
            if has(&old, &f.fingerprint) {
                continue;
            }
            let (entry, target) = ends(f);
            let message = format!(
                "`{}` now reaches `{}` with no control on the way: {}",
                h.component_name(&entry),
                h.component_name(&target),
                h.route(&f.path)
            );
            let mut c = change(
                ChangeKind::NewAttackPath,
                Side::Head,
                &f.site,
                &[&entry, &target],
                message,
            );
            c.severity = Some(f.severity);
            out.push(c);
        }
        for f in &old {
            if has(&new, &f.fingerprint) {
                continue;
            }
            let (entry, target) = ends(f);
            let why = if h.components.iter().any(|c| c.id == target) {
                "a hop is answered now, or the route is gone"
            } else {
                "the target is gone"
            };
            let message = format!(
                "`{}` no longer reaches `{}` undefended ({why}); it went {}",
                b.component_name(&entry),
                b.component_name(&target),
                b.route(&f.path)
            );
            let mut c = change(
                ChangeKind::AttackPathRemoved,
                Side::Base,
                &f.site,
                &[&entry, &target],
                message,
            );
            c.severity = Some(f.severity);
            out.push(c);
        }
    }

    /// `@assumes` added or removed, keyed by component and what is assumed.
    fn assumptions(&self, out: &mut Vec<Change>) {
        let (b, h) = (self.base, self.head);
        for (from, to, side, kind) in [
            (h, b, Side::Head, ChangeKind::AssumptionAdded),
            (b, h, Side::Base, ChangeKind::AssumptionRemoved),
        ] {
            for a in &from.assumptions {
                if to
                    .assumptions
                    .iter()
                    .any(|o| o.target == a.target && o.statement == a.statement)
                {
                    continue;
                }
                let message = format!(
                    "`{}` assumes {}",
                    component_label(from, &a.target),
                    a.statement.as_deref().unwrap_or("(nothing said)")
                );
                let text = a.statement.as_deref().unwrap_or("");
                out.push(change(kind, side, &a.site, &[&a.target, text], message));
            }
        }
    }

    fn entities(&self, out: &mut Vec<Change>) {
        let (b, h) = (self.base, self.head);
        for (from, to, side, kind) in [
            (h, b, Side::Head, ChangeKind::ComponentAdded),
            (b, h, Side::Base, ChangeKind::ComponentRemoved),
        ] {
            let other: HashSet<&str> = to.components.iter().map(|c| c.id.as_str()).collect();
            let changed: HashSet<&str> = from
                .components
                .iter()
                .map(|c| c.id.as_str())
                .filter(|id| !other.contains(id))
                .collect();
            for c in &from.components {
                // A parent that only exists because of its new child says nothing more.
                let implicit_parent = !c.declared
                    && from.components.iter().any(|k| {
                        k.parent.as_deref() == Some(&c.id) && changed.contains(k.id.as_str())
                    });
                if !changed.contains(c.id.as_str()) || implicit_parent {
                    continue;
                }
                let message = format!(
                    "component `{}` ({}, zone `{}`)",
                    c.path.join(":"),
                    c.layer.as_str(),
                    c.zone
                );
                out.push(change(kind, side, &c.site, &[&c.id], message));
            }
        }
        for (from, to, side, kind) in [
            (h, b, Side::Head, ChangeKind::FlowAdded),
            (b, h, Side::Base, ChangeKind::FlowRemoved),
        ] {
            for f in &from.flows {
                if to.flows.iter().any(|o| o.id == f.id) {
                    continue;
                }
                let via = f
                    .mechanism
                    .as_deref()
                    .map(|m| format!(" via {m}"))
                    .unwrap_or_default();
                let message = format!(
                    "flow `{}` {} `{}`{via}",
                    component_label(from, &f.from),
                    if f.two_way { "<->" } else { "->" },
                    component_label(from, &f.to)
                );
                out.push(change(kind, side, &f.site, &[&f.id], message));
            }
        }
        for (from, to, side, kind) in [
            (h, b, Side::Head, ChangeKind::BoundaryAdded),
            (b, h, Side::Base, ChangeKind::BoundaryRemoved),
        ] {
            for x in &from.boundaries {
                if to.boundaries.iter().any(|o| o.id == x.id) {
                    continue;
                }
                let sides: Vec<String> = x
                    .components
                    .iter()
                    .map(|c| component_label(from, c))
                    .collect();
                let message = format!(
                    "trust boundary `{}` {} `{}`",
                    x.name.clone().unwrap_or_else(|| format!("#{}", x.id)),
                    match x.kind {
                        crate::model::BoundaryKind::Between => "between",
                        crate::model::BoundaryKind::Around => "around",
                    },
                    sides.join("`, `")
                );
                out.push(change(kind, side, &x.site, &[&x.id], message));
            }
        }
    }
}
