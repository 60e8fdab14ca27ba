use super::{Rule, documented};
use crate::analysis::RuleCode;
use crate::analysis::{Context, Finding};
use crate::annotation::Severity;

documented! {
    /// ## What it finds
    ///
    /// A threat that no `@exposes` names and that nothing mitigates, accepts or transfers:
    /// declared (`@threat`) or mentioned, then left alone.
    ///
    /// ## Why it matters
    ///
    /// A threat in the model that touches no component was considered and then dropped.
    /// Either it applies somewhere and the model is missing that, or it does not and it
    /// should say so.
    ///
    /// ## Example
    ///
    /// ```python
    /// # @threat Replay of signed webhooks (#webhook-replay) [high]
    /// ```
    ///
    /// ## Fix
    ///
    /// Say where it applies and how it is answered: `@exposes Shop:Webhooks to
    /// #webhook-replay`, then `@mitigates Shop:Webhooks against #webhook-replay with
    /// Timestamped signatures`; or `@accepts #webhook-replay on Shop:Webhooks with
    /// idempotent handlers`; or remove the declaration.
    ///
    /// The severity is the threat's, else `medium`. The finding points at the `@threat`
    /// declaration, or at the first mention where there is none.
    pub struct UnmitigatedThreat;
}

pub const RULE: Rule = Rule {
    code: RuleCode::UnmitigatedThreat,
    summary: "A threat nothing exposes, mitigates, accepts or transfers.",
    default_severity: Severity::Medium,
    coverage_hint: false,
    doc: UnmitigatedThreat::DOC,
    check,
};

fn check(ctx: &Context) -> Vec<Finding> {
    let m = ctx.model;
    m.threats
        .iter()
        .filter(|t| {
            let id = t.id.as_str();
            !m.exposures.iter().any(|x| x.threat == id)
                && !m.mitigations.iter().any(|x| x.threat == id)
                && !m.acceptances.iter().any(|x| x.threat == id)
                && !m.transfers.iter().any(|x| x.threat == id)
        })
        .map(|t| {
            let mut f = Finding::new(
                RULE.code,
                t.severity.unwrap_or(RULE.default_severity),
                format!(
                    "threat `{}` is not exposed, mitigated, accepted or transferred anywhere",
                    t.name
                ),
                &[&t.id],
                &t.site,
            );
            f.threat = Some(t.id.clone());
            f.fix = Some(format!(
                "add `@exposes <component> to #{id}` where it applies and answer it, or `@accepts #{id} on <component> with <reason>`",
                id = t.id
            ));
            f
        })
        .collect()
}
