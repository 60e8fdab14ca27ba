use super::{Rule, documented};
use crate::analysis::RuleCode;
use crate::analysis::{Context, Finding};
use crate::annotation::Severity;
use crate::model::normalize::normalize;

documented! {
    /// ## What it finds
    ///
    /// Every `@review` (GuardLink: `@audit`): a note that a piece of the system needs a
    /// security engineer's look.
    ///
    /// ## Why it matters
    ///
    /// Reviews are questions left in the code. Listing them keeps them from being
    /// forgotten; they never fail the gate by default.
    ///
    /// ## Example
    ///
    /// ```rust
    /// // @review Shop:Sessions Is the 30-day refresh token lifetime still right?
    /// ```
    ///
    /// ## Fix
    ///
    /// Answer the question, then remove the annotation (or replace it with the
    /// `@mitigates` / `@accepts` it led to).
    pub struct OpenReview;
}

pub const RULE: Rule = Rule {
    code: RuleCode::OpenReview,
    summary: "A @review waiting for an answer.",
    default_severity: Severity::Info,
    coverage_hint: false,
    doc: OpenReview::DOC,
    check,
};

fn check(ctx: &Context) -> Vec<Finding> {
    ctx.model
        .reviews
        .iter()
        .map(|r| {
            let details = r.details.as_deref().unwrap_or("");
            let key = normalize(details);
            let mut f = Finding::new(
                RULE.code,
                RULE.default_severity,
                match &r.details {
                    Some(d) => format!("review of `{}`: {d}", r.target),
                    None => format!("review of `{}`", r.target),
                },
                &[&r.target, &key],
                &r.site,
            );
            f.layer = ctx.graph.component(&r.target).map(|c| c.layer);
            f.component = Some(r.target.clone());
            f
        })
        .collect()
}
