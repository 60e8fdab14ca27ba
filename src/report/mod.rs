//! The report's view of a checked model, shared by every renderer (Markdown, HTML,
//! Mermaid, DOT): the gate summary, the model by CCCS layer, the STRIDE × CCCS coverage
//! matrix and the data-flow diagram. Plain data: renderers only format and escape it.

pub mod detail;
pub mod dfd;
pub mod markup;
pub mod names;
mod paths;
pub mod sections;

use crate::analysis::Finding;
use crate::analysis::RuleCode;
use crate::analysis::coverage::considered;
use crate::analysis::graph::ModelGraph;
use crate::annotation::{Layer, Severity, Stride};
use crate::catalogue::expected_stride;
use crate::diagnostics::Level;
use crate::model::{
    Acceptance, Component, Exposure, Mitigation, Model, TargetKind, Threat, Transfer,
};

pub use dfd::{Dfd, DfdEdge, DfdNode, DfdZone, PathHop, attack_paths};

pub const LAYERS: [Layer; 4] = Layer::ALL;

pub const STRIDE: [Stride; 6] = Stride::ALL;

pub const SEVERITIES: [Severity; 5] = Severity::ALL;

/// Counts and the gate's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Findings per severity, in [`SEVERITIES`] order.
    pub findings: [usize; 5],
    pub errors: usize,
    pub warnings: usize,
    pub fail_on: Severity,
    pub passed: bool,
}

/// One threat as it concerns one component.
#[derive(Debug)]
pub struct ThreatEntry<'m> {
    pub threat_id: &'m str,
    /// `None` for a dangling reference.
    pub threat: Option<&'m Threat>,
    pub exposures: Vec<&'m Exposure>,
    pub mitigations: Vec<&'m Mitigation>,
    pub acceptances: Vec<&'m Acceptance>,
    pub transfers: Vec<&'m Transfer>,
}

#[derive(Debug)]
pub struct ComponentSection<'m> {
    pub component: &'m Component,
    pub threats: Vec<ThreatEntry<'m>>,
    /// STRIDE categories with at least one threat considered (on the component or one
    /// containing it), in [`STRIDE`] order.
    pub coverage: [bool; 6],
    /// STRIDE categories its CCCS layer is expected to consider.
    pub expected: [bool; 6],
}

#[derive(Debug)]
pub struct LayerSection<'m> {
    pub layer: Layer,
    pub components: Vec<ComponentSection<'m>>,
    /// Per STRIDE category, how many of the layer's components have it considered.
    pub coverage: [usize; 6],
}

/// Everything a report shows.
#[derive(Debug)]
pub struct Report<'m> {
    pub model: &'m Model,
    pub summary: Summary,
    pub layers: Vec<LayerSection<'m>>,
    pub dfd: Dfd,
    /// Unprotected crossings, for the list under the diagram.
    pub unprotected: Vec<&'m Finding>,
    /// `attack-path` findings, numbered from 1 in this order as the diagram numbers them.
    pub attack_paths: Vec<&'m Finding>,
}

impl<'m> Report<'m> {
    pub fn new(model: &'m Model, fail_on: Severity) -> Report<'m> {
        let mut findings = [0; 5];
        for f in &model.findings {
            findings[SEVERITIES
                .iter()
                .position(|s| *s == f.severity)
                .unwrap_or(4)] += 1;
        }
        let errors = model
            .diagnostics
            .iter()
            .filter(|d| d.severity == Level::Error)
            .count();
        let passed = errors == 0 && model.findings.iter().all(|f| f.severity > fail_on);
        let summary = Summary {
            findings,
            errors,
            warnings: model.diagnostics.len() - errors,
            fail_on,
            passed,
        };
        let graph = ModelGraph::new(model);
        let layers = LAYERS
            .iter()
            .map(|&layer| layer_section(model, &graph, layer))
            .collect();
        Report {
            model,
            summary,
            layers,
            dfd: Dfd::new(model),
            unprotected: model
                .findings
                .iter()
                .filter(|f| f.code == RuleCode::UnprotectedCrossing)
                .collect(),
            attack_paths: attack_paths(model).collect(),
        }
    }
}

fn layer_section<'m>(model: &'m Model, graph: &ModelGraph<'m>, layer: Layer) -> LayerSection<'m> {
    let components: Vec<ComponentSection> = model
        .components
        .iter()
        .filter(|c| c.layer == layer)
        .map(|c| component_section(model, graph, c))
        .collect();
    let mut coverage = [0; 6];
    for c in &components {
        for (i, covered) in c.coverage.iter().enumerate() {
            coverage[i] += usize::from(*covered);
        }
    }
    LayerSection {
        layer,
        components,
        coverage,
    }
}

fn component_section<'m>(
    model: &'m Model,
    graph: &ModelGraph<'m>,
    c: &'m Component,
) -> ComponentSection<'m> {
    let on = |kind: TargetKind, target: &str| kind == TargetKind::Component && target == c.id;
    let mut ids: Vec<&str> = Vec::new();
    let mut note = |id: &'m str| {
        if !ids.contains(&id) {
            ids.push(id);
        }
    };
    for e in &model.exposures {
        if on(e.target_kind, &e.target) {
            note(&e.threat);
        }
    }
    for m in &model.mitigations {
        if on(m.target_kind, &m.target) {
            note(&m.threat);
        }
    }
    for a in &model.acceptances {
        if on(a.target_kind, &a.target) {
            note(&a.threat);
        }
    }
    for t in &model.transfers {
        if t.from == c.id {
            note(&t.threat);
        }
    }
    ids.sort_unstable();
    let threats: Vec<ThreatEntry> = ids
        .into_iter()
        .map(|id| ThreatEntry {
            threat_id: id,
            threat: model.threats.iter().find(|t| t.id == id),
            exposures: model
                .exposures
                .iter()
                .filter(|e| e.threat == id && on(e.target_kind, &e.target))
                .collect(),
            mitigations: model
                .mitigations
                .iter()
                .filter(|m| m.threat == id && on(m.target_kind, &m.target))
                .collect(),
            acceptances: model
                .acceptances
                .iter()
                .filter(|a| a.threat == id && on(a.target_kind, &a.target))
                .collect(),
            transfers: model
                .transfers
                .iter()
                .filter(|t| t.threat == id && t.from == c.id)
                .collect(),
        })
        .collect();
    let considered = considered(model, graph, c);
    let expected_list = expected_stride(c.layer);
    let coverage = STRIDE.map(|s| considered.contains(&s));
    // As `coverage` does: a container only implied by paths expects nothing of its own.
    let in_scope = c.declared
        || !model
            .components
            .iter()
            .any(|x| x.parent.as_deref() == Some(&c.id));
    let expected = STRIDE.map(|s| in_scope && expected_list.iter().any(|e| e.stride == s));
    ComponentSection {
        component: c,
        threats,
        coverage,
        expected,
    }
}

/// The STRIDE letter of a category.
pub fn stride_letter(s: Stride) -> char {
    match s {
        Stride::Spoofing => 'S',
        Stride::Tampering => 'T',
        Stride::Repudiation => 'R',
        Stride::InformationDisclosure => 'I',
        Stride::DenialOfService => 'D',
        Stride::ElevationOfPrivilege => 'E',
    }
}

/// The human name of a STRIDE category.
pub fn stride_name(s: Stride) -> &'static str {
    match s {
        Stride::Spoofing => "Spoofing",
        Stride::Tampering => "Tampering",
        Stride::Repudiation => "Repudiation",
        Stride::InformationDisclosure => "Information disclosure",
        Stride::DenialOfService => "Denial of service",
        Stride::ElevationOfPrivilege => "Elevation of privilege",
    }
}

/// The human name of a layer.
pub fn layer_name(layer: Layer) -> &'static str {
    match layer {
        Layer::Control => "Control",
        Layer::Compute => "Compute",
        Layer::Communication => "Communication",
        Layer::Storage => "Storage",
    }
}
