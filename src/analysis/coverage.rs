//! STRIDE coverage: per component, which STRIDE categories have a threat considered
//! (exposed, mitigated, accepted or transferred, on it or on a component containing it)
//! against those its CCCS layer is expected to consider (`catalogue/coverage.yaml`),
//! with ready-to-paste suggestions from the catalogue for each gap. The `coverage`
//! command prints it; the `stride-gap` rule reports it.

use serde::Serialize;

use super::graph::ModelGraph;
use crate::annotation::{Layer, Stride};
use crate::catalogue::{Catalogue, expected_stride};
use crate::model::{Component, Model, TargetKind};
use crate::report::STRIDE;

/// How many catalogue suggestions a gap offers.
const SUGGESTIONS_PER_GAP: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// The catalogue threat.
    pub threat: String,
    pub name: String,
    /// The annotation to paste.
    pub annotation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    pub stride: Stride,
    /// Why the layer is expected to consider it.
    pub reason: String,
    pub suggestions: Vec<Suggestion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentCoverage<'m> {
    #[serde(rename = "component", serialize_with = "component_id")]
    pub component: &'m Component,
    pub layer: Layer,
    pub considered: Vec<Stride>,
    pub expected: Vec<Stride>,
    pub gaps: Vec<Gap>,
}

fn component_id<S: serde::Serializer>(c: &&Component, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&c.id)
}

/// Coverage of every component a threat model is about: the ones declared with
/// `@component` and the leaves of the tree (a container only implied by paths, such as
/// `Shop` in `Shop:Orders`, is not on its own).
pub fn coverage<'m>(
    model: &'m Model,
    graph: &ModelGraph<'m>,
    catalogue: &Catalogue,
) -> Vec<ComponentCoverage<'m>> {
    let has_children = |id: &str| {
        model
            .components
            .iter()
            .any(|c| c.parent.as_deref() == Some(id))
    };
    model
        .components
        .iter()
        .filter(|c| c.declared || !has_children(&c.id))
        .map(|c| of_component(model, graph, catalogue, c))
        .collect()
}

fn of_component<'m>(
    model: &'m Model,
    graph: &ModelGraph<'m>,
    catalogue: &Catalogue,
    c: &'m Component,
) -> ComponentCoverage<'m> {
    let considered = considered(model, graph, c);
    let expectations = expected_stride(c.layer);
    let expected: Vec<Stride> = expectations.iter().map(|e| e.stride).collect();
    let target = reference(c);
    let hint = c.path.join(" ");
    let gaps = expectations
        .iter()
        .filter(|e| !considered.contains(&e.stride))
        .map(|e| Gap {
            stride: e.stride,
            reason: e.reason.clone(),
            suggestions: catalogue
                .suggestions(c.layer, e.stride, &hint)
                .into_iter()
                .take(SUGGESTIONS_PER_GAP)
                .map(|entry| Suggestion {
                    threat: entry.id.clone(),
                    name: entry.name.clone(),
                    annotation: entry.exposes(&target),
                })
                .collect(),
        })
        .collect();
    ComponentCoverage {
        component: c,
        layer: c.layer,
        considered,
        expected,
        gaps,
    }
}

/// The STRIDE categories with a threat considered on `c` or a component containing it:
/// exposed, mitigated, accepted, or transferred away.
pub fn considered<'m>(model: &'m Model, graph: &ModelGraph<'m>, c: &'m Component) -> Vec<Stride> {
    let scope = graph.self_and_ancestors(&c.id);
    let on =
        |kind: TargetKind, target: &str| kind == TargetKind::Component && scope.contains(&target);
    let threats: Vec<&str> = model
        .exposures
        .iter()
        .filter(|x| on(x.target_kind, &x.target))
        .map(|x| x.threat.as_str())
        .chain(
            model
                .mitigations
                .iter()
                .filter(|x| on(x.target_kind, &x.target))
                .map(|x| x.threat.as_str()),
        )
        .chain(
            model
                .acceptances
                .iter()
                .filter(|x| on(x.target_kind, &x.target))
                .map(|x| x.threat.as_str()),
        )
        .chain(
            model
                .transfers
                .iter()
                .filter(|x| scope.contains(&x.from.as_str()))
                .map(|x| x.threat.as_str()),
        )
        .collect();
    STRIDE
        .iter()
        .copied()
        .filter(|s| {
            threats.iter().any(|id| {
                model
                    .threats
                    .iter()
                    .any(|t| t.id == *id && t.stride.contains(s))
            })
        })
        .collect()
}

/// How an annotation names the component: `#id`, or its path where the id is not one
/// a reference can use.
pub fn reference(c: &Component) -> String {
    if c.id.starts_with("path:") {
        c.path.join(":")
    } else {
        format!("#{}", c.id)
    }
}
