//! Findings (SPEC §5): one rule per file under `rules/`, each documented in its own doc
//! comment, which `threatline explain CODE` prints and `docs/rules.md` is built from.

pub mod code;
pub mod coverage;
pub mod fingerprint;
pub mod graph;
pub mod rules;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::annotation::{Layer, Severity};
use crate::catalogue::Catalogue;
use crate::model::{Flow, Model, Site};
use graph::ModelGraph;

/// A related place: the ends of a flow, another exposure of a pair, a hop of an attack
/// path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    pub message: String,
    #[serde(flatten)]
    pub site: Site,
}

/// One hop of an attack path: a flow, taken from `from` to `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    /// The flow's id (`Model::flows`).
    pub flow: String,
    /// Component ids, in the direction the hop takes.
    pub from: String,
    pub to: String,
    /// A two-way flow taken against the direction it is written in (`to` is the flow's
    /// `from`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub backwards: bool,
    /// The flow's annotation.
    #[serde(flatten)]
    pub site: Site,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: RuleCode,
    pub severity: Severity,
    pub message: String,
    /// Stable across edits that move code: built from the code and the ids involved.
    pub fingerprint: String,
    /// The CCCS layer the finding belongs to, where it concerns a component or a flow.
    pub layer: Option<Layer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threat: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
    /// Trust boundaries crossed (unprotected-crossing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundaries_crossed: Option<usize>,
    /// The fix, written as the annotation to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// `attack-path`: the path from the entry (the first hop's `from`, in an untrusted
    /// zone) to the target (the last hop's `to`, the finding's `component`), one hop per
    /// flow in order. `related` holds the same hops, in the same order, as places.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<Hop>,
    /// The teams that answer for the finding's component (or a flow's two ends): `@owns`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
    #[serde(flatten)]
    pub site: Site,
}

pub use code::RuleCode;

impl Finding {
    /// A finding at `site` with the rest left empty.
    pub fn new(
        code: RuleCode,
        severity: Severity,
        message: String,
        ids: &[&str],
        site: &Site,
    ) -> Finding {
        Finding {
            code,
            severity,
            message,
            fingerprint: fingerprint::fingerprint(code.as_str(), ids),
            layer: None,
            component: None,
            threat: None,
            control: None,
            flow: None,
            boundaries_crossed: None,
            fix: None,
            related: Vec::new(),
            path: Vec::new(),
            owners: Vec::new(),
            site: site.clone(),
        }
    }
}

/// Severity overrides per finding code (`off` drops the code), and the catalogue
/// coverage suggestions come from.
#[derive(Debug, Clone)]
pub struct AnalysisOptions {
    pub severity: BTreeMap<RuleCode, Option<Severity>>,
    pub catalogue: Arc<Catalogue>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            severity: BTreeMap::new(),
            catalogue: Catalogue::shared_builtin(),
        }
    }
}

/// Everything the rules look at.
pub struct Context<'m> {
    pub model: &'m Model,
    pub graph: ModelGraph<'m>,
    pub catalogue: &'m Catalogue,
}

/// Who answers for a finding: its component's owners, or those of a flow's two ends.
fn owners(ctx: &Context, flows: &HashMap<&str, &Flow>, f: &Finding) -> Vec<String> {
    let ends: Vec<&str> = match (&f.component, &f.flow) {
        (Some(c), _) => vec![c.as_str()],
        (None, Some(flow)) => flows
            .get(flow.as_str())
            .map_or_else(Vec::new, |x| vec![x.from.as_str(), x.to.as_str()]),
        (None, None) => Vec::new(),
    };
    let mut owners: Vec<String> = Vec::new();
    for end in ends {
        for owner in ctx.graph.component(end).map_or(&[][..], |c| &c.owners) {
            if !owners.contains(owner) {
                owners.push(owner.clone());
            }
        }
    }
    owners
}

/// Runs every rule over the model; findings come out sorted by location, then code.
pub fn analyse(model: &Model, options: &AnalysisOptions) -> Vec<Finding> {
    let ctx = Context {
        model,
        graph: ModelGraph::new(model),
        catalogue: &options.catalogue,
    };
    let mut findings = Vec::new();
    let holds_threat_model = model.holds_threat_model();
    for rule in rules::ALL {
        if rule.coverage_hint && !holds_threat_model {
            continue;
        }
        let override_ = options.severity.get(&rule.code);
        if override_ == Some(&None) {
            continue;
        }
        let mut found = (rule.check)(&ctx);
        if let Some(Some(severity)) = override_ {
            for f in &mut found {
                f.severity = *severity;
            }
        }
        findings.extend(found);
    }
    let flows: HashMap<&str, &Flow> = model.flows.iter().map(|f| (f.id.as_str(), f)).collect();
    for f in &mut findings {
        f.owners = owners(&ctx, &flows, f);
    }
    findings.sort_by(|a, b| {
        (&a.site.location, a.code, &a.fingerprint).cmp(&(&b.site.location, b.code, &b.fingerprint))
    });
    // One finding per fingerprint (the first by location), wherever the repeats are.
    let mut seen = std::collections::HashSet::new();
    findings.retain(|f| seen.insert(f.fingerprint.clone()));
    findings
}
