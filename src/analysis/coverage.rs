//! STRIDE coverage: per component, which STRIDE categories have a threat considered
//! (exposed, mitigated, accepted or transferred, on it or on a component containing it)
//! against those its CCCS layer is expected to consider (`catalogue/coverage.yaml`),
//! with ready-to-paste suggestions from the catalogue for each gap. The `coverage`
//! command prints it; the `stride-gap` rule reports it.

use std::collections::{HashMap, HashSet};

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
    let parents: HashSet<&str> = model
        .components
        .iter()
        .filter_map(|c| c.parent.as_deref())
        .collect();
    let index = StrideIndex::new(model);
    model
        .components
        .iter()
        .filter(|c| c.declared || !parents.contains(c.id.as_str()))
        .map(|c| of_component(&index, graph, catalogue, c))
        .collect()
}

/// The STRIDE categories considered on each component, gathered in one pass over the
/// relations: asking every relation about every component was quadratic (a file that
/// declares 20,000 components took seconds).
pub struct StrideIndex<'m> {
    on_component: HashMap<&'m str, Vec<Stride>>,
}

impl<'m> StrideIndex<'m> {
    pub fn new(model: &'m Model) -> StrideIndex<'m> {
        let strides: HashMap<&str, &[Stride]> = model
            .threats
            .iter()
            .map(|t| (t.id.as_str(), t.stride.as_slice()))
            .collect();
        let component =
            |kind: TargetKind, target: &'m str| (kind == TargetKind::Component).then_some(target);
        let pairs =
            model
                .exposures
                .iter()
                .filter_map(|x| Some((component(x.target_kind, &x.target)?, x.threat.as_str())))
                .chain(model.mitigations.iter().filter_map(|x| {
                    Some((component(x.target_kind, &x.target)?, x.threat.as_str()))
                }))
                .chain(model.acceptances.iter().filter_map(|x| {
                    Some((component(x.target_kind, &x.target)?, x.threat.as_str()))
                }))
                .chain(
                    model
                        .transfers
                        .iter()
                        .map(|x| (x.from.as_str(), x.threat.as_str())),
                );
        let mut on_component: HashMap<&str, Vec<Stride>> = HashMap::new();
        for (target, threat) in pairs {
            if let Some(found) = strides.get(threat) {
                let entry = on_component.entry(target).or_default();
                for s in found.iter() {
                    if !entry.contains(s) {
                        entry.push(*s);
                    }
                }
            }
        }
        StrideIndex { on_component }
    }

    /// The categories considered on `c` or a component containing it, in STRIDE order.
    pub fn considered(&self, graph: &ModelGraph<'m>, c: &'m Component) -> Vec<Stride> {
        let scope = graph.self_and_ancestors(&c.id);
        STRIDE
            .iter()
            .copied()
            .filter(|s| {
                scope.iter().any(|id| {
                    self.on_component
                        .get(id)
                        .is_some_and(|found| found.contains(s))
                })
            })
            .collect()
    }
}

fn of_component<'m>(
    index: &StrideIndex<'m>,
    graph: &ModelGraph<'m>,
    catalogue: &Catalogue,
    c: &'m Component,
) -> ComponentCoverage<'m> {
    let considered = index.considered(graph, c);
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
    StrideIndex::new(model).considered(graph, c)
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
