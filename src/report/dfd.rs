//! The data-flow diagram as data: zones holding the components that flows connect, and
//! one edge per flow, marked when it crosses a boundary unprotected and numbered with the
//! hops of every attack path it carries. Mermaid, DOT and the HTML report's SVG all draw
//! this same structure.

use crate::analysis::{Finding, RuleCode};
use std::collections::BTreeMap;

use crate::annotation::{Layer, Severity};
use crate::model::Model;
use crate::report::names::Names;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DfdNode {
    /// The component id.
    pub id: String,
    /// The component path, `:`-joined, as people wrote it.
    pub label: String,
    /// The name with its parent (`Catalogue:Service`), what a node shows.
    pub short: String,
    pub layer: Layer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DfdZone {
    pub id: String,
    /// A declared zone's name, else the zone id.
    pub label: String,
    pub nodes: Vec<DfdNode>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DfdEdge {
    /// The flow id.
    pub flow: String,
    pub from: String,
    pub to: String,
    /// The mechanism (`via` / `with` text) with its references named (`#tls` reads
    /// `TLS Everywhere`).
    pub label: Option<String>,
    pub two_way: bool,
    /// An `unprotected-crossing` finding names this flow.
    pub unprotected: bool,
    /// Its severity, when unprotected.
    pub severity: Option<Severity>,
    /// Trust boundaries crossed, when unprotected.
    pub crossings: usize,
    /// The attack-path hops this flow is, in path order (a flow may carry hops of several
    /// paths).
    pub hops: Vec<PathHop>,
}

/// A flow's place on an attack path: path `path` (numbered from 1 in the order of
/// [`attack_paths`], as the report's "Attack paths" section lists them), hop `hop` (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathHop {
    pub path: usize,
    pub hop: usize,
}

impl DfdEdge {
    /// `path 1 hop 2`, `path 1 hop 2, path 3 hop 1`: what an edge on attack paths is
    /// labelled with, in every diagram format.
    pub fn hop_text(&self) -> Option<String> {
        (!self.hops.is_empty()).then(|| {
            let hops: Vec<String> = self
                .hops
                .iter()
                .map(|h| format!("path {} hop {}", h.path, h.hop))
                .collect();
            hops.join(", ")
        })
    }
}

/// The attack-path findings, in the model's finding order: the numbering every report and
/// diagram shares.
pub fn attack_paths(model: &Model) -> impl Iterator<Item = &Finding> {
    model
        .findings
        .iter()
        .filter(|f| f.code == RuleCode::AttackPath)
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dfd {
    /// Zones in id order; nodes in id order.
    pub zones: Vec<DfdZone>,
    /// Edges in flow order.
    pub edges: Vec<DfdEdge>,
}

impl Dfd {
    /// The diagram of every flow of the model.
    pub fn new(model: &Model) -> Dfd {
        Dfd::of_flows(model, |_| true)
    }

    /// The diagram of the flows `keep` selects (a pull request's changed flows, say).
    pub fn of_flows(model: &Model, keep: impl Fn(&str) -> bool) -> Dfd {
        let names = Names::new(model);
        let mut hops: BTreeMap<&str, Vec<PathHop>> = BTreeMap::new();
        for (p, finding) in attack_paths(model).enumerate() {
            for (h, hop) in finding.path.iter().enumerate() {
                hops.entry(hop.flow.as_str()).or_default().push(PathHop {
                    path: p + 1,
                    hop: h + 1,
                });
            }
        }
        let mut zones: BTreeMap<&str, Vec<DfdNode>> = BTreeMap::new();
        let mut edges = Vec::new();
        for flow in model.flows.iter().filter(|f| keep(&f.id)) {
            for end in [&flow.from, &flow.to] {
                let Some(c) = model.components.iter().find(|c| &c.id == end) else {
                    continue;
                };
                let nodes = zones.entry(c.zone.as_str()).or_default();
                if !nodes.iter().any(|n| n.id == c.id) {
                    nodes.push(DfdNode {
                        id: c.id.clone(),
                        label: c.path.join(":"),
                        short: names.component_short(&c.id),
                        layer: c.layer,
                    });
                }
            }
            let finding = model.findings.iter().find(|f| {
                f.code == RuleCode::UnprotectedCrossing && f.flow.as_deref() == Some(&flow.id)
            });
            edges.push(DfdEdge {
                flow: flow.id.clone(),
                from: flow.from.clone(),
                to: flow.to.clone(),
                label: names.mechanism(flow),
                two_way: flow.two_way,
                unprotected: finding.is_some(),
                severity: finding.map(|f| f.severity),
                crossings: finding.and_then(|f| f.boundaries_crossed).unwrap_or(0),
                hops: hops.remove(flow.id.as_str()).unwrap_or_default(),
            });
        }
        let zones = zones
            .into_iter()
            .map(|(id, mut nodes)| {
                nodes.sort_by(|a, b| a.id.cmp(&b.id));
                // A declared zone's name; an implicit zone is its top-level component, named
                // as written (`Customer`, not `customer`).
                // Data sources and sinks (an empty zone) are grouped apart.
                let label = if id.is_empty() {
                    crate::model::NO_ZONE
                } else {
                    model.zone_name(id).unwrap_or(id)
                }
                .to_string();
                DfdZone {
                    id: id.to_string(),
                    label,
                    nodes,
                }
            })
            .collect();
        Dfd { zones, edges }
    }

    /// Ends of edges that no zone holds (a flow to a dangling `#id`), sorted: renderers
    /// still draw them, outside every zone, so no edge points nowhere.
    pub fn loose_ends(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for e in &self.edges {
            for end in [e.from.as_str(), e.to.as_str()] {
                let zoned = self
                    .zones
                    .iter()
                    .any(|z| z.nodes.iter().any(|n| n.id == end));
                if !zoned && !out.contains(&end) {
                    out.push(end);
                }
            }
        }
        out.sort_unstable();
        out
    }
}
