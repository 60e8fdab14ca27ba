use super::{Answers, Rule, SENSITIVE, documented};
use crate::analysis::graph::{Search, Step};
use crate::analysis::{Context, Finding, Hop, RuleCode};
use crate::annotation::Severity;
use crate::model::{Component, Flow};

documented! {
    /// ## What it finds
    ///
    /// A route from outside to sensitive data with no layer of defence on it: a chain of
    /// two or more data flows from a component in an **untrusted zone** to a component that
    /// `@handles` pii, phi, financial data or secrets, crossing at least one trust boundary,
    /// on which **no hop is answered**. A hop is answered by a protecting control on its
    /// flow (a declared control its `with` / `via` / `using` names, or a secure transport
    /// such as `via HTTPS`, inferred), by a `@mitigates` of the flow or by an `@accepts` on
    /// it, exactly as for `unprotected-crossing`. A two-way flow (`@connects A with B`,
    /// `<->`) can be taken both ways.
    ///
    /// A zone is untrusted when the `@boundary ... around` that declares it says so
    /// (`@boundary Suppliers (#suppliers) [untrusted] around Supplier`), when
    /// `threatline.yaml` lists it under `untrusted:`, or, shown as inferred, when its name
    /// ends in a word of `catalogue/trust.yaml` (internet, external, public, anonymous,
    /// visitor, user, customer, partner, third-party, supplier, attacker). `[trusted]` on
    /// the `@boundary`, or `trusted:` in `threatline.yaml`, overrides an inferred zone.
    ///
    /// One finding per target component, for the shortest such path (of two equally short
    /// ones, the one whose entry comes first in component-path order), at the flow into the
    /// target; every hop is a related location in order, the JSON carries the hops as
    /// `path`, and SARIF carries them as a `codeFlows` thread flow, which code scanning shows
    /// as a path. A path starts where it leaves the untrusted zones: it never runs through
    /// another untrusted component, and a target in an untrusted zone is not one. A target
    /// one flow away from an untrusted zone is not an attack path: that flow is an
    /// `unprotected-crossing`, one step up for the data it reaches.
    ///
    /// The fingerprint is built from the code, the entry and the target, so a baseline
    /// entry survives a change to the hops in between.
    ///
    /// ## Why it matters
    ///
    /// Every other finding is about one place. The question a threat model exists to answer
    /// is about routes: can someone outside reach the card data, and what stands in the
    /// way? A path on which no hop has a control means nothing at all stands between the
    /// outside and the data: the first unprotected crossing is reported on its own, but the
    /// real news is what it leads to.
    ///
    /// ## Example
    ///
    /// ```python
    /// # @component Internet:Visitor
    /// # @connects Internet:Visitor to Shop:Web with HTTP (#visitor-web)
    /// # @connects Shop:Web to Shop:Checkout with JSON on localhost (#web-checkout)
    /// # @connects Shop:Checkout to Shop:Card Vault with SQL (#checkout-vault)
    /// # @handles financial on Shop:Card Vault
    /// ```
    ///
    /// `Internet` is untrusted (inferred from its name), and nothing answers any of the
    /// three hops: a critical finding at `#checkout-vault`, with the path
    /// `Internet:Visitor → Shop:Web → Shop:Checkout → Shop:Card Vault`.
    ///
    /// ## Fix
    ///
    /// Answer any one hop, ideally where it matters most: name a control on its flow
    /// (`@control TLS 1.3 (#tls)`, then `with #tls`; or a secure transport, `via HTTPS`), or
    /// write `@mitigates #web-checkout against <threat> with <control>`, or `@accepts
    /// <threat> on #web-checkout with <reason>`. A flow needs an id (`(#name)` at the end of
    /// its `@connects` line) to be named. If the zone is not in fact outside, say so:
    /// `[trusted]` on its `@boundary ... around`, or `trusted: [Zone]` in `threatline.yaml`.
    ///
    /// The severity is `critical` when the target handles secrets, financial data or phi,
    /// `high` when it handles pii.
    pub struct AttackPath;
}

pub const RULE: Rule = Rule {
    code: RuleCode::AttackPath,
    summary: "A route from an untrusted zone to sensitive data on which no hop has a control.",
    default_severity: Severity::Critical,
    coverage_hint: false,
    doc: AttackPath::DOC,
    check,
};

fn in_untrusted_zone(c: &Component) -> bool {
    c.trust.as_ref().is_some_and(|t| t.is_untrusted())
}

fn check(ctx: &Context) -> Vec<Finding> {
    let m = ctx.model;
    let untrusted: Vec<bool> = m.components.iter().map(in_untrusted_zone).collect();
    // Entries in component-path order, which decides ties between equally short paths.
    let mut entries: Vec<&Component> = m
        .components
        .iter()
        .zip(&untrusted)
        .filter_map(|(c, &u)| u.then_some(c))
        .collect();
    if entries.is_empty() {
        return Vec::new();
    }
    entries.sort_by_cached_key(|c| {
        let path: Vec<String> = c.path.iter().map(|s| s.to_lowercase()).collect();
        (path, c.id.clone())
    });
    let entry_ids: Vec<&str> = entries.iter().map(|c| c.id.as_str()).collect();
    let answers = Answers::new(m);
    let usable: Vec<bool> = m.flows.iter().map(|f| !answers.answered(f)).collect();
    let passable: Vec<bool> = untrusted.iter().map(|u| !u).collect();
    let paths = ctx.graph.shortest_paths(&Search {
        entries: &entry_ids,
        passable: &passable,
        usable: &usable,
    });
    // Which components hold sensitive data of their own; a part of one holds it too.
    let parent: Vec<Option<usize>> = m
        .components
        .iter()
        .map(|c| c.parent.as_deref().and_then(|p| ctx.graph.node(p)))
        .map(|n| n.map(|n| ctx.graph.graph[n]))
        .collect();
    let own: Vec<bool> = m
        .components
        .iter()
        .map(|c| c.data.iter().any(|d| SENSITIVE.contains(&d.as_str())))
        .collect();
    let sensitive = |mut i: usize| loop {
        if own[i] {
            return true;
        }
        match parent[i] {
            Some(p) => i = p,
            None => return false,
        }
    };
    let mut out = Vec::new();
    for (i, target) in m.components.iter().enumerate() {
        // Reached (cheap), then whether it matters, then the path itself.
        let Some(node) = ctx.graph.node(&target.id) else {
            continue;
        };
        if untrusted[i] || !paths.reaches(node) || !sensitive(i) {
            continue;
        }
        let classes: Vec<&str> = ctx
            .graph
            .handles(&target.id)
            .into_iter()
            .filter(|c| SENSITIVE.contains(c))
            .collect();
        let Some(steps) = paths.to(node).filter(|s| s.len() >= 2) else {
            continue;
        };
        out.push(finding(ctx, target, &steps, &classes));
    }
    out
}

/// The hop a step takes, in its direction.
fn hop(flow: &Flow, step: Step) -> Hop {
    let (from, to) = if step.backwards {
        (&flow.to, &flow.from)
    } else {
        (&flow.from, &flow.to)
    };
    Hop {
        flow: flow.id.clone(),
        from: from.clone(),
        to: to.clone(),
        backwards: step.backwards,
        site: flow.site.clone(),
    }
}

fn finding(ctx: &Context, target: &Component, steps: &[Step], classes: &[&str]) -> Finding {
    let m = ctx.model;
    let name = |id: &str| {
        ctx.graph
            .component(id)
            .map_or(id.to_string(), |c| c.path.join(":"))
    };
    let hops: Vec<Hop> = steps.iter().map(|&s| hop(&m.flows[s.flow], s)).collect();
    let entry = ctx
        .graph
        .component(&hops[0].from)
        .expect("an entry is a component");
    let severity = if classes.iter().any(|c| *c != "pii") {
        Severity::Critical
    } else {
        Severity::High
    };
    let route: Vec<String> = std::iter::once(name(&hops[0].from))
        .chain(hops.iter().map(|h| name(&h.to)))
        .collect();
    let trust = entry
        .trust
        .as_ref()
        .map_or("untrusted".to_string(), |t| t.describe());
    let message = format!(
        "`{}` ({} data) is reached from `{}` in zone `{}`, {trust}, through {} flows with no control, `@mitigates` or `@accepts` on any of them: {}",
        name(&target.id),
        classes.join(", "),
        name(&entry.id),
        crate::model::trust::zone_name(m, &entry.zone),
        hops.len(),
        route.join(" → "),
    );
    let into = &m.flows[steps[steps.len() - 1].flow];
    let mut f = Finding::new(
        RULE.code,
        severity,
        message,
        &[&entry.id, &target.id],
        &into.site,
    );
    f.layer = Some(target.layer);
    f.component = Some(target.id.clone());
    f.flow = Some(into.id.clone());
    let n = hops.len();
    for (i, (h, &step)) in hops.iter().zip(steps).enumerate() {
        let flow = &m.flows[step.flow];
        let mut message = format!(
            "hop {} of {n}: `{}` → `{}`",
            i + 1,
            name(&h.from),
            name(&h.to)
        );
        if h.backwards {
            message.push_str(", a two-way flow taken against the way it is written");
        }
        match &flow.insecure {
            Some(transport) => message.push_str(&format!(", over {transport}, no control")),
            None => message.push_str(", no control"),
        }
        f.related.push(crate::analysis::Related {
            message,
            site: h.site.clone(),
        });
    }
    f.fix = Some(fix(&hops));
    f.path = hops;
    f
}

/// Answer any hop; the flows named by id where they have one.
fn fix(hops: &[Hop]) -> String {
    let named: Vec<String> = hops
        .iter()
        .filter(|h| !h.flow.contains("->"))
        .map(|h| format!("#{}", h.flow))
        .collect();
    let flows = if named.is_empty() {
        "give a flow an id (`(#name)` at the end of its `@connects` line) to name it".to_string()
    } else if named.len() == hops.len() {
        format!("the flows are {}", named.join(", "))
    } else {
        format!(
            "the flows with ids are {}; give another one an id (`(#name)` at the end of its line) to name it",
            named.join(", ")
        )
    };
    format!(
        "answer any one of the {} hops: name a control on its flow (`with #ctl` after `@control <name> (#ctl)`, or a secure transport such as `via HTTPS`), or `@mitigates #<flow> against <threat> with <control>`, or `@accepts <threat> on #<flow> with <reason>` ({flows}); if the entry's zone is not outside, mark it `[trusted]` on its `@boundary ... around` or list it under `trusted:` in threatline.yaml",
        hops.len()
    )
}
