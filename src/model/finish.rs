//! The last step: components with layers and zones, entities with their fields, and a
//! deterministic order.

use super::build::Builder;
use super::*;
use crate::diagnostics::{Code, Diagnostic};
use std::collections::{HashMap, HashSet};

use super::fields::{ControlFields, ThreatFields};
use super::layers::{LayerKeywords, LayerSource};

impl Builder {
    pub(super) fn finish(
        &mut self,
        mut m: Model,
        options: &BuildOptions,
        mut threat_fields: HashMap<usize, ThreatFields>,
        mut control_fields: HashMap<usize, ControlFields>,
    ) -> Model {
        for (owner, path_owner) in self.tree.id_path_clashes() {
            let (o, p) = (&self.tree.nodes[owner], &self.tree.nodes[path_owner]);
            let id = o.explicit_id.clone().unwrap_or_default();
            self.diagnostics.push(
                Diagnostic::new(
                    Code::Conflict,
                    o.site().location.clone(),
                    format!(
                        "`#{id}` of `{}` is also the path of component `{}`, shown as `path:{}`",
                        o.segments.join(":"),
                        p.segments.join(":"),
                        p.key
                    ),
                )
                .hint("choose an id that is not another component's path")
                .text(o.site().text.clone()),
            );
        }
        let ids: Vec<String> = (0..self.tree.nodes.len())
            .map(|i| self.tree.id_of(i))
            .collect();
        let node_of: HashMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        // Zones declared by `@boundary ... around`: path prefix -> zone id.
        // The last `around` to name a prefix wins it, as the boundaries' order has it.
        let mut zone_prefixes: HashMap<String, String> = HashMap::new();
        for b in &m.boundaries {
            if b.kind == BoundaryKind::Around {
                for c in &b.components {
                    if let Some(&i) = node_of.get(c.as_str()) {
                        zone_prefixes.insert(self.tree.nodes[i].key.clone(), b.id.clone());
                    }
                }
            }
        }
        let named_by_boundary: HashSet<&str> = m
            .boundaries
            .iter()
            .flat_map(|b| b.components.iter().map(String::as_str))
            .collect();
        // `@owns`, per component id, in path order.
        let mut owned: HashMap<&str, Vec<String>> = HashMap::new();
        for o in &m.ownership {
            let owners = owned.entry(o.target.as_str()).or_default();
            if !owners.contains(&o.owner) {
                owners.push(o.owner.clone());
            }
        }
        let nodes = &self.tree.nodes;
        let has_children: HashSet<usize> = nodes.iter().filter_map(|n| n.parent).collect();
        let mut components: Vec<Component> = Vec::with_capacity(nodes.len());
        for (i, node) in nodes.iter().enumerate() {
            let (layer, layer_source) = self.layer_of(i, &options.layer_keywords);
            let top = self.tree.ancestors(i).last().unwrap_or(i);
            // SPEC §4: a bare one-segment name that nothing declares (GuardLink's
            // `@flows EnvVars -> #launcher`) is a data source or sink, in no zone of its
            // own, so a flow to or from it crosses only the boundaries declared around it.
            let data_end = node.segments.len() == 1
                && node.declared.is_none()
                && !has_children.contains(&i)
                && !named_by_boundary.contains(ids[i].as_str());
            let zone = zone_of(&node.key, &zone_prefixes).unwrap_or_else(|| {
                if data_end {
                    String::new()
                } else if options.implicit_zones {
                    ids[top].clone()
                } else {
                    "default".into()
                }
            });
            // Owners are inherited down the tree until a component names its own.
            let owners = std::iter::once(i)
                .chain(self.tree.ancestors(i))
                .find_map(|n| owned.get(ids[n].as_str()))
                .cloned()
                .unwrap_or_default();
            components.push(Component {
                id: ids[i].clone(),
                name: node.segments.last().cloned().unwrap_or_default(),
                path: node.segments.clone(),
                parent: node.parent.map(|p| ids[p].clone()),
                layer,
                layer_source,
                zone,
                data: node.data.iter().cloned().collect(),
                trust: None,
                owners,
                declared: node.declared.is_some(),
                description: node.description.clone(),
                properties: node.properties.clone(),
                site: node.site().clone(),
            });
        }
        let zone_by_id: HashMap<&str, &str> = components
            .iter()
            .map(|c| (c.id.as_str(), c.zone.as_str()))
            .collect();
        for f in &mut self.flows {
            f.from_zone = zone_by_id.get(f.from.as_str()).unwrap_or(&"").to_string();
            f.to_zone = zone_by_id.get(f.to.as_str()).unwrap_or(&"").to_string();
        }
        m.flows = std::mem::take(&mut self.flows);
        m.components = components;

        for (i, e) in self.threats.entries.iter().enumerate() {
            let f = threat_fields.remove(&i).unwrap_or_default();
            let mut threat = f.into_threat(e);
            if let Some(entry) = self.catalogue_threats.get(&i) {
                super::catalogued::fill_threat(&mut threat, entry);
            }
            m.threats.push(threat);
        }
        for (i, e) in self.controls.entries.iter().enumerate() {
            let f = control_fields.remove(&i).unwrap_or_default();
            let mut control = Control {
                id: e.id.clone(),
                name: e.name.clone(),
                description: f.description,
                refs: f.refs,
                properties: f.properties,
                declared: e.declared.is_some(),
                catalogue: None,
                site: e.site().clone(),
            };
            if let Some(entry) = self.catalogue_controls.get(&i) {
                super::catalogued::fill_control(&mut control, entry);
            }
            m.controls.push(control);
        }

        m.components.sort_by(|a, b| a.id.cmp(&b.id));
        m.threats.sort_by(|a, b| a.id.cmp(&b.id));
        m.controls.sort_by(|a, b| a.id.cmp(&b.id));
        m.flows.sort_by(|a, b| a.site.cmp(&b.site));
        m.boundaries.sort_by(|a, b| a.site.cmp(&b.site));
        super::trust::assign(
            &mut m,
            &options.trust,
            crate::catalogue::TrustKeywords::builtin(),
            &mut self.diagnostics,
        );
        m
    }

    pub(super) fn layer_of(&self, node: usize, keywords: &LayerKeywords) -> (Layer, LayerSource) {
        let nodes = &self.tree.nodes;
        if let Some(layer) = nodes[node].layer {
            return (layer, LayerSource::Explicit);
        }
        if let Some(layer) = self.tree.ancestors(node).find_map(|a| nodes[a].layer) {
            return (layer, LayerSource::Inherited);
        }
        let inferred = std::iter::once(node)
            .chain(self.tree.ancestors(node))
            .find_map(|i| keywords.infer(nodes[i].segments.last()?));
        (inferred.unwrap_or(Layer::Compute), LayerSource::Inferred)
    }
}

/// The zone declared (`@boundary ... around`) for the longest path prefix of `key`.
fn zone_of(key: &str, zones: &HashMap<String, String>) -> Option<String> {
    // The longest declared prefix of `key` at a segment boundary: looked up per prefix,
    // since comparing every component with every zone member was quadratic.
    std::iter::once(key.len())
        .chain(key.rmatch_indices('.').map(|(i, _)| i))
        .find_map(|end| zones.get(&key[..end]))
        .cloned()
}
