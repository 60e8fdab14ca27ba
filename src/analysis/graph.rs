//! The model as a graph: components as nodes, `contains` edges for the component tree and
//! `flow` edges for data flows; zones and declared boundaries answer which trust
//! boundaries a flow crosses, and [`ModelGraph::shortest_paths`] finds the shortest routes
//! from a set of entries to everything they reach (`attack-path`).

use std::collections::{HashMap, VecDeque};

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

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

/// One hop of a path: a flow, and whether it is taken against the direction it is written
/// in (a two-way flow used backwards).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// By index into `Model::flows`.
    pub flow: usize,
    pub backwards: bool,
}

/// What a path search may use; see [`ModelGraph::shortest_paths`].
pub struct Search<'a> {
    /// Where paths start (component ids), in the order ties go to: of two shortest paths
    /// to one place, the one from the earlier entry.
    pub entries: &'a [&'a str],
    /// Whether a path may go through (or end at) each component, by index into
    /// `Model::components`. Entries need not be passable: paths start there, never come
    /// back.
    pub passable: &'a [bool],
    /// Whether each flow may be taken, by index into `Model::flows` (a two-way flow both
    /// ways).
    pub usable: &'a [bool],
}

/// The result of [`ModelGraph::shortest_paths`]: for each component, the last step of the
/// shortest path that reaches it having crossed a trust boundary, and where that step
/// comes from.
pub struct Paths {
    /// Per search state (`node * 2 + crossed`): the state before and the step taken, or
    /// `None` for an entry and for a state never reached.
    came_from: Vec<Option<(u32, Step)>>,
    reached: Vec<bool>,
}

/// A state of the search: a component, and whether the path there crossed a boundary.
fn state(node: NodeIndex, crossed: bool) -> usize {
    node.index() * 2 + usize::from(crossed)
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

    /// The node of a component id.
    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        self.node_of.get(id).copied()
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

    /// Whether a flow crosses any trust boundary: its ends' zones differ (cheap, and the
    /// common case), else a declared boundary lies between them.
    pub fn crosses(&self, flow: &'m Flow) -> bool {
        let zones_differ = !flow.from_zone.is_empty()
            && !flow.to_zone.is_empty()
            && flow.from_zone != flow.to_zone;
        zones_differ || !self.crossing(flow).declared.is_empty()
    }

    /// Shortest paths from every entry at once: one breadth-first search over the flows
    /// (two-way flows both ways) whose states are (component, crossed a boundary yet), so
    /// the whole search is linear in the size of the graph, whatever the number of entries
    /// and targets. Whether a flow crosses a boundary is only asked of the rare hop taken
    /// before any crossing.
    ///
    /// Entries go into the queue in the order given and each component's flows are taken
    /// in the order of the component they lead to (the model lists components by id),
    /// then the flow's id, never in file order: a level of the search stays sorted by
    /// entry, so the path kept for a place is the one from the earliest entry, and moving
    /// code does not change it. What the search reads per hop is kept in flat vectors
    /// (the flows' and components' records stay out of the loop).
    pub fn shortest_paths(&self, search: &Search) -> Paths {
        let states = self.graph.node_count() * 2;
        let mut came_from: Vec<Option<(u32, Step)>> = vec![None; states];
        let mut reached = vec![false; states];
        let mut queue: VecDeque<usize> = VecDeque::new();
        for id in search.entries {
            if let Some(&node) = self.node_of.get(id) {
                let s = state(node, false);
                if !reached[s] {
                    reached[s] = true;
                    queue.push_back(s);
                }
            }
        }
        let flows = &self.model.flows;
        let backwards_usable: Vec<bool> = flows
            .iter()
            .zip(search.usable)
            .map(|(f, &usable)| usable && f.two_way)
            .collect();
        let mut next: Vec<(usize, NodeIndex, Step)> = Vec::new();
        while let Some(s) = queue.pop_front() {
            let node = NodeIndex::new(s / 2);
            let crossed = s % 2 == 1;
            next.clear();
            for (direction, backwards, usable) in [
                (Direction::Outgoing, false, search.usable),
                (Direction::Incoming, true, &backwards_usable[..]),
            ] {
                for e in self.graph.edges_directed(node, direction) {
                    let Edge::Flow(i) = *e.weight() else { continue };
                    let other = if backwards { e.source() } else { e.target() };
                    let component = self.graph[other];
                    if usable[i] && search.passable[component] {
                        next.push((component, other, Step { flow: i, backwards }));
                    }
                }
            }
            next.sort_unstable_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| flows[a.2.flow].id.cmp(&flows[b.2.flow].id))
                    .then(a.2.backwards.cmp(&b.2.backwards))
            });
            for &(_, other, step) in &next {
                let crossed = crossed || self.crosses(&flows[step.flow]);
                let t = state(other, crossed);
                if !reached[t] {
                    reached[t] = true;
                    came_from[t] = Some((s as u32, step));
                    queue.push_back(t);
                }
            }
        }
        Paths { came_from, reached }
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

impl Paths {
    /// Whether a path that crosses a trust boundary reaches `node` (cheap: no path is
    /// rebuilt).
    pub fn reaches(&self, node: NodeIndex) -> bool {
        self.reached
            .get(state(node, true))
            .copied()
            .unwrap_or(false)
    }

    /// The shortest path found to `node` that crosses at least one trust boundary, as its
    /// steps from the entry; `None` when there is none, or when the only one found comes
    /// back through a component it already passed (a detour taken only to cross a
    /// boundary is no route in).
    pub fn to(&self, node: NodeIndex) -> Option<Vec<Step>> {
        let mut s = state(node, true);
        if !self.reached.get(s).copied().unwrap_or(false) {
            return None;
        }
        let mut steps = Vec::new();
        let mut seen = std::collections::HashSet::from([node.index()]);
        while let Some((before, step)) = self.came_from[s] {
            steps.push(step);
            s = before as usize;
            if !seen.insert(s / 2) {
                return None;
            }
        }
        steps.reverse();
        Some(steps)
    }
}
