//! The model as a graph: components as nodes, `contains` edges for the component tree and
//! `flow` edges for data flows; zones and declared boundaries answer which trust
//! boundaries a flow crosses.

use std::collections::HashMap;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::annotation::Severity;
use crate::model::{BoundaryKind, Flow, Model};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// Parent to child in the component tree.
    Contains,
    /// A data flow, by index into `Model::flows`.
    Flow(usize),
}

pub struct ModelGraph<'m> {
    pub model: &'m Model,
    pub graph: DiGraph<usize, Edge>,
    node_of: HashMap<&'m str, NodeIndex>,
}

/// A trust boundary a flow crosses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crossing {
    /// Declared boundaries crossed, by index into `Model::boundaries`.
    pub declared: Vec<usize>,
    /// The ends lie in different zones.
    pub zones_differ: bool,
}

impl Crossing {
    /// How many boundaries the flow crosses: the declared ones, which stand in for the
    /// implicit boundary between zones; else one when the zones differ.
    pub fn count(&self) -> usize {
        if self.declared.is_empty() {
            usize::from(self.zones_differ)
        } else {
            self.declared.len()
        }
    }
}

impl<'m> ModelGraph<'m> {
    pub fn new(model: &'m Model) -> Self {
        let mut graph = DiGraph::new();
        let mut node_of = HashMap::new();
        for (i, c) in model.components.iter().enumerate() {
            node_of.insert(c.id.as_str(), graph.add_node(i));
        }
        for c in &model.components {
            if let (Some(parent), Some(&child)) = (&c.parent, node_of.get(c.id.as_str()))
                && let Some(&parent) = node_of.get(parent.as_str())
            {
                graph.add_edge(parent, child, Edge::Contains);
            }
        }
        for (i, f) in model.flows.iter().enumerate() {
            if let (Some(&a), Some(&b)) = (node_of.get(f.from.as_str()), node_of.get(f.to.as_str()))
            {
                graph.add_edge(a, b, Edge::Flow(i));
            }
        }
        ModelGraph {
            model,
            graph,
            node_of,
        }
    }

    pub fn component(&self, id: &str) -> Option<&'m crate::model::Component> {
        let node = self.node_of.get(id)?;
        Some(&self.model.components[self.graph[*node]])
    }

    /// The component and its ancestors, nearest first (ids).
    pub fn self_and_ancestors(&self, id: &'m str) -> Vec<&'m str> {
        let mut out = vec![id];
        let Some(mut node) = self.node_of.get(id).copied() else {
            return out;
        };
        while let Some(parent) = self
            .graph
            .edges_directed(node, Direction::Incoming)
            .find(|e| *e.weight() == Edge::Contains)
            .map(|e| petgraph::visit::EdgeRef::source(&e))
        {
            out.push(self.model.components[self.graph[parent]].id.as_str());
            node = parent;
        }
        out
    }

    /// Whether `id` is `ancestor` or lies under it.
    pub fn is_under(&self, id: &'m str, ancestor: &str) -> bool {
        self.self_and_ancestors(id).contains(&ancestor)
    }

    /// The trust boundaries a flow crosses.
    pub fn crossing(&self, flow: &'m Flow) -> Crossing {
        let mut declared = Vec::new();
        for (i, b) in self.model.boundaries.iter().enumerate() {
            let crosses = match b.kind {
                BoundaryKind::Between => {
                    let [a, z] = [&b.components[0], &b.components[1]];
                    (self.is_under(&flow.from, a) && self.is_under(&flow.to, z))
                        || (self.is_under(&flow.from, z) && self.is_under(&flow.to, a))
                }
                BoundaryKind::Around => {
                    let inside = |end: &'m str| b.components.iter().any(|m| self.is_under(end, m));
                    inside(&flow.from) != inside(&flow.to)
                }
            };
            if crosses {
                declared.push(i);
            }
        }
        Crossing {
            declared,
            // An end that names no component (a dangling reference, already an error) has no
            // zone to compare.
            zones_differ: !flow.from_zone.is_empty()
                && !flow.to_zone.is_empty()
                && flow.from_zone != flow.to_zone,
        }
    }

    /// The highest severity among the declared boundaries of a crossing.
    pub fn boundary_severity(&self, crossing: &Crossing) -> Option<Severity> {
        crossing
            .declared
            .iter()
            .filter_map(|&i| self.model.boundaries[i].severity)
            .min()
    }

    /// The data classes a component handles, its ancestors' included.
    pub fn handles(&self, id: &'m str) -> Vec<&'m str> {
        let mut classes: Vec<&str> = self
            .self_and_ancestors(id)
            .into_iter()
            .filter_map(|c| self.component(c))
            .flat_map(|c| c.data.iter().map(String::as_str))
            .collect();
        classes.sort_unstable();
        classes.dedup();
        classes
    }
}
