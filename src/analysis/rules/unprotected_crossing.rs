use super::{Answers, Rule, SENSITIVE, documented};
use crate::analysis::RuleCode;
use crate::analysis::{Context, Finding, Related};
use crate::annotation::{Layer, Severity};
use crate::model::Flow;

documented! {
    /// ## What it finds
    ///
    /// A data flow (`@connects` / `@flows`) that crosses a trust boundary with nothing
    /// protecting it. A flow crosses a boundary when its two ends lie in different zones
    /// (by default a component's zone is its top-level path segment; `@boundary ... around`
    /// declares zones) or on two sides of a declared `@boundary ... between`. A declared
    /// boundary between two zones stands in for the implicit one between them. A bare
    /// one-segment name that nothing declares (`@flows EnvVars -> #launcher`) is a data
    /// source or sink in no zone: a flow to or from it crosses only declared boundaries
    /// that name it.
    ///
    /// A flow is protected when:
    ///
    /// - its `with` / `via` / `using` names a declared control (`with #tls`, or a name that
    ///   is a declared `@control`);
    /// - or it names a well-known secure transport (`catalogue/transports.yaml`), as a
    ///   whole word and not after `no`, `not`, `without`, `non` or `plain`: `via HTTPS/443`,
    ///   `via TLS 1.3`, `with https://api.example.com`, `with HTTPS and mutual TLS`,
    ///   `via sslmode=verify-full`, `via SSH`, `via WireGuard`. It is protected by the
    ///   catalogue's control for it (TLS, mutual TLS, SSH, VPN tunnel), shown as inferred
    ///   ("protected by TLS (inferred from `HTTPS/443`)"). `threatline.yaml` turns this
    ///   off (`transports: {infer: false}`) or adds local transports (`transports:
    ///   {secure: [{name: Corp VPN, spellings: [corpnet]}]}`);
    /// - or a `@mitigates` or `@accepts` names the flow by its id.
    ///
    /// `via HTTP`, `with HTTP:8080`, `via plain HTTP`, `with TCP 5432`, `via HTTPSish` are not
    /// protected; the finding names the insecure transport it sees.
    ///
    /// ## Why it matters
    ///
    /// Trust boundaries are where attackers get in: data that leaves one zone for another
    /// with no control on it (authentication, encryption, validation) is the classic
    /// unprotected crossing of a data-flow diagram.
    ///
    /// ## Example
    ///
    /// ```typescript
    /// // @flows Internet.Browser -> Shop.API via HTTP
    /// ```
    ///
    /// ## Fix
    ///
    /// Declare the control and name it in the flow: `@control TLS 1.3 (#tls)`, then
    /// `@flows Internet.Browser -> Shop.API via #tls`; or give the flow an id (`(#checkout)`
    /// at the end) and write `@mitigates #checkout against Eavesdropping with #tls`, or
    /// `@accepts Eavesdropping on #checkout with <reason>`.
    ///
    /// The severity is the highest among the declared boundaries crossed, else `high`; one
    /// step higher (at most `critical`) when either end `@handles` pii, phi, financial or
    /// secrets.
    pub struct UnprotectedCrossing;
}

pub const RULE: Rule = Rule {
    code: RuleCode::UnprotectedCrossing,
    summary: "A data flow that crosses a trust boundary with no control.",
    default_severity: Severity::High,
    coverage_hint: false,
    doc: UnprotectedCrossing::DOC,
    check,
};

fn check(ctx: &Context) -> Vec<Finding> {
    let answers = Answers::new(ctx.model);
    ctx.model
        .flows
        .iter()
        .filter_map(|flow| {
            let crossing = ctx.graph.crossing(flow);
            let count = crossing.count();
            if count == 0 || answers.answered(flow) {
                return None;
            }
            let mut severity = ctx
                .graph
                .boundary_severity(&crossing)
                .unwrap_or(RULE.default_severity);
            let mut sensitive: Vec<&str> = ctx
                .graph
                .handles(&flow.from)
                .into_iter()
                .chain(ctx.graph.handles(&flow.to))
                .filter(|c| SENSITIVE.contains(c))
                .collect();
            sensitive.sort_unstable();
            sensitive.dedup();
            if !sensitive.is_empty() {
                severity = step_up(severity);
            }
            Some(finding(ctx, flow, &crossing, count, severity, &sensitive))
        })
        .collect()
}

fn step_up(severity: Severity) -> Severity {
    match severity {
        Severity::Critical | Severity::High => Severity::Critical,
        Severity::Medium => Severity::High,
        Severity::Low => Severity::Medium,
        Severity::Info => Severity::Low,
    }
}

fn finding(
    ctx: &Context,
    flow: &Flow,
    crossing: &crate::analysis::graph::Crossing,
    count: usize,
    severity: Severity,
    sensitive: &[&str],
) -> Finding {
    let m = ctx.model;
    let name = |id: &str| {
        ctx.graph
            .component(id)
            .map_or(id.to_string(), |c| c.path.join(":"))
    };
    let boundaries: Vec<String> = crossing
        .declared
        .iter()
        .map(|&i| {
            let b = &m.boundaries[i];
            b.name.clone().unwrap_or_else(|| format!("#{}", b.id))
        })
        .collect();
    let across = if boundaries.is_empty() {
        format!("zone `{}` to zone `{}`", flow.from_zone, flow.to_zone)
    } else {
        boundaries
            .iter()
            .map(|b| format!("`{b}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut message = format!(
        "flow `{}` -> `{}` crosses {count} trust {} ({across}) with no control",
        name(&flow.from),
        name(&flow.to),
        if count == 1 { "boundary" } else { "boundaries" },
    );
    if let Some(transport) = &flow.insecure {
        message.push_str(&format!(
            "; it goes over {transport}, which protects nothing"
        ));
    }
    if !sensitive.is_empty() {
        message.push_str(&format!("; it carries {} data", sensitive.join(", ")));
    }
    let mut f = Finding::new(RULE.code, severity, message, &[&flow.id], &flow.site);
    f.layer = Some(Layer::Communication);
    f.flow = Some(flow.id.clone());
    f.boundaries_crossed = Some(count);
    // A flow written with `(#id)` can be named by `@mitigates` and `@accepts`; a derived
    // id (`a->b`) cannot.
    let named = !flow.id.contains("->");
    f.fix = Some(if named {
        format!(
            "declare the control it uses (`@control <name> (#ctl)`) and write `with #ctl` on the flow, or `@mitigates #{id} against <threat> with <control>`, or `@accepts <threat> on #{id} with <reason>`",
            id = flow.id
        )
    } else {
        "declare the control it uses (`@control <name> (#ctl)`) and write `with #ctl` on the flow; or give the flow an id, `(#name)` at the end of the line, and `@mitigates` or `@accepts` a threat on `#name`".to_string()
    });
    for other in &flow.also_at {
        f.related.push(Related {
            message: "the same flow, also written here".to_string(),
            site: other.site.clone(),
        });
    }
    for (end, label) in [(&flow.from, "source"), (&flow.to, "destination")] {
        if let Some(c) = ctx.graph.component(end) {
            f.related.push(Related {
                message: if c.zone.is_empty() {
                    format!(
                        "{label}: `{}` (a data source or sink, in no zone)",
                        c.path.join(":")
                    )
                } else {
                    format!("{label}: `{}` (zone `{}`)", c.path.join(":"), c.zone)
                },
                site: c.site.clone(),
            });
        }
    }
    f
}
