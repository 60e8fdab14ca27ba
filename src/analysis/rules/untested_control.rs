use super::{Rule, documented};
use crate::analysis::RuleCode;
use crate::analysis::{Context, Finding};
use crate::annotation::Severity;

documented! {
    /// ## What it finds
    ///
    /// A control (declared with `@control` or named in a `@mitigates ... with`) that no
    /// `@tests` annotation covers.
    ///
    /// ## Why it matters
    ///
    /// A mitigation is a claim. A test that exercises the control is the evidence that the
    /// claim still holds after the next refactoring. A coverage hint (info): reported only
    /// in a tree that holds a threat model, never in a repository with no threat annotations.
    ///
    /// ## Example
    ///
    /// ```java
    /// // @control CSRF tokens (#csrf)
    /// ```
    ///
    /// ## Fix
    ///
    /// Next to the test that proves it: `@tests #csrf for Shop:Web`.
    pub struct UntestedControl;
}

pub const RULE: Rule = Rule {
    code: RuleCode::UntestedControl,
    summary: "A control that no @tests covers.",
    default_severity: Severity::Info,
    coverage_hint: true,
    doc: UntestedControl::DOC,
    check,
};

fn check(ctx: &Context) -> Vec<Finding> {
    let m = ctx.model;
    m.controls
        .iter()
        .filter(|c| !m.tests.iter().any(|t| t.control == c.id))
        .map(|c| {
            let mut f = Finding::new(
                RULE.code,
                RULE.default_severity,
                format!("control `{}` has no `@tests`", c.name),
                &[&c.id],
                &c.site,
            );
            f.control = Some(c.id.clone());
            f.fix = Some(format!(
                "add `@tests #{} for <component>` next to its test",
                c.id
            ));
            f
        })
        .collect()
}
