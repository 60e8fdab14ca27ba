use super::{Rule, documented};
use crate::analysis::RuleCode;
use crate::analysis::coverage::coverage;
use crate::analysis::{Context, Finding};
use crate::annotation::Severity;
use crate::catalogue::stride_word;

documented! {
    /// ## What it finds
    ///
    /// A component whose CCCS layer is expected to consider a STRIDE category that no
    /// threat on it (or on a component containing it) covers. The expectations are a
    /// table per layer (`catalogue/coverage.yaml`): Storage is expected to consider
    /// tampering, repudiation and information disclosure; Control spoofing, tampering,
    /// repudiation and elevation of privilege; Communication tampering, information
    /// disclosure and denial of service; Compute tampering, denial of service and
    /// elevation of privilege. A threat counts when it is exposed, mitigated, accepted or
    /// transferred there, and its STRIDE categories are the ones its declaration (or its
    /// catalogue entry) gives.
    ///
    /// ## Why it matters
    ///
    /// A threat model is only as good as the questions it asked. A database whose model
    /// never considers tampering has not been threat-modelled for tampering, whatever else
    /// it says. This is the coverage check CCCS decomposition makes possible.
    ///
    /// A coverage hint (info): reported only in a tree that holds a threat model, never in
    /// a repository with no threat annotations.
    ///
    /// ## Example
    ///
    /// ```sql
    /// -- @component Shop:Storage:Orders Database (#orders-db)
    /// -- @exposes #orders-db to SQL injection [high, tampering]
    /// ```
    ///
    /// Storage also expects repudiation and information disclosure: two gaps.
    ///
    /// ## Fix
    ///
    /// Consider the category and record the answer: the finding's fix names catalogue
    /// threats for each gap, ready to paste (`@exposes #orders-db to #db-backup-exposure`),
    /// to be mitigated, accepted or transferred like any other. `threatline coverage` shows
    /// the whole matrix with up to three suggestions per gap. Informational by default;
    /// raise it in `threatline.yaml` (`severity: {stride-gap: medium}`) to gate on it.
    pub struct StrideGap;
}

pub const RULE: Rule = Rule {
    code: RuleCode::StrideGap,
    summary: "A STRIDE category a component's layer expects, with no threat considered.",
    default_severity: Severity::Info,
    coverage_hint: true,
    doc: StrideGap::DOC,
    check,
};

fn check(ctx: &Context) -> Vec<Finding> {
    coverage(ctx.model, &ctx.graph, ctx.catalogue)
        .into_iter()
        .filter(|c| !c.gaps.is_empty())
        .map(|c| {
            let missing: Vec<&str> = c.gaps.iter().map(|g| stride_word(g.stride)).collect();
            let mut f = Finding::new(
                RULE.code,
                RULE.default_severity,
                format!(
                    "`{}` ({}) has no threat considered for {}",
                    c.component.path.join(":"),
                    c.layer.as_str(),
                    missing.join(", ")
                ),
                &[&c.component.id],
                &c.component.site,
            );
            f.layer = Some(c.layer);
            f.component = Some(c.component.id.clone());
            let fixes: Vec<String> = c
                .gaps
                .iter()
                .filter_map(|g| {
                    g.suggestions
                        .first()
                        .map(|s| format!("`{}` ({})", s.annotation, stride_word(g.stride)))
                })
                .collect();
            f.fix = Some(if fixes.is_empty() {
                "consider these categories and record the threats with `@exposes`".into()
            } else {
                format!("consider, e.g., {}", fixes.join("; "))
            });
            f
        })
        .collect()
}
