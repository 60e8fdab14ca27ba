//! What depends on the whole union rather than on one repository: layers inherited from
//! an ancestor another repository declares, zones claimed by another repository's
//! boundary, mechanisms naming another repository's control, flows between repositories,
//! and references that no longer dangle.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::join::repo_of;
use crate::diagnostics::Code;
use crate::model::normalize::{id_key, normalize};
use crate::model::{BoundaryKind, LayerSource, Model};

/// The component and its ancestors, nearest first, by id.
fn lineage<'m>(parents: &HashMap<&'m str, Option<&'m str>>, id: &'m str) -> Vec<&'m str> {
    let mut out = vec![id];
    let mut at = id;
    while let Some(Some(parent)) = parents.get(at) {
        if out.contains(parent) {
            break;
        }
        out.push(parent);
        at = parent;
    }
    out
}

/// A layer one repository inferred may be inherited from a layer another declares on an
/// ancestor (`Payments [storage]` in one, `Payments:Ledger` mentioned in another).
pub(super) fn inherit_layers(m: &mut Model) {
    let explicit: HashMap<String, crate::annotation::Layer> = m
        .components
        .iter()
        .filter(|c| c.layer_source == LayerSource::Explicit)
        .map(|c| (c.id.clone(), c.layer))
        .collect();
    let parents: HashMap<String, Option<String>> = m
        .components
        .iter()
        .map(|c| (c.id.clone(), c.parent.clone()))
        .collect();
    let parents: HashMap<&str, Option<&str>> = parents
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_deref()))
        .collect();
    let mut updates = Vec::new();
    for (i, c) in m.components.iter().enumerate() {
        if c.layer_source == LayerSource::Explicit {
            continue;
        }
        if let Some(layer) = lineage(&parents, &c.id)
            .into_iter()
            .skip(1)
            .find_map(|a| explicit.get(a))
        {
            updates.push((i, *layer));
        }
    }
    for (i, layer) in updates {
        m.components[i].layer = layer;
        m.components[i].layer_source = LayerSource::Inherited;
    }
}

/// A `@boundary ... around` of one repository claims the components another mentions;
/// flows take their ends' zones from the union.
pub(super) fn zones(m: &mut Model) {
    let parents: HashMap<String, Option<String>> = m
        .components
        .iter()
        .map(|c| (c.id.clone(), c.parent.clone()))
        .collect();
    let parents: HashMap<&str, Option<&str>> = parents
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_deref()))
        .collect();
    let around: Vec<(&str, &Vec<String>)> = m
        .boundaries
        .iter()
        .filter(|b| b.kind == BoundaryKind::Around)
        .map(|b| (b.id.as_str(), &b.components))
        .collect();
    let zone_of: HashMap<String, String> = m
        .components
        .iter()
        .filter_map(|c| {
            lineage(&parents, &c.id).into_iter().find_map(|a| {
                around
                    .iter()
                    .find(|(_, members)| members.iter().any(|x| x == a))
                    .map(|(id, _)| (c.id.clone(), id.to_string()))
            })
        })
        .collect();
    for c in &mut m.components {
        if let Some(z) = zone_of.get(&c.id) {
            c.zone = z.clone();
        }
    }
    let zone: HashMap<&str, &str> = m
        .components
        .iter()
        .map(|c| (c.id.as_str(), c.zone.as_str()))
        .collect();
    for f in &mut m.flows {
        if let Some(z) = zone.get(f.from.as_str()) {
            f.from_zone = z.to_string();
        }
        if let Some(z) = zone.get(f.to.as_str()) {
            f.to_zone = z.to_string();
        }
    }
}

/// A flow's mechanism may name a control only another repository declares (`with #mtls`):
/// its parts are read again against the union's controls, as the model builder reads them
/// (every `#id`, the whole text, its `,`, `+` and `and` pieces).
pub(super) fn resolve_mechanisms(m: &mut Model) {
    let by_id: HashMap<String, &str> = m
        .controls
        .iter()
        .map(|c| (id_key(&c.id), c.id.as_str()))
        .collect();
    let by_name: HashMap<String, &str> = m
        .controls
        .iter()
        .map(|c| (normalize(&c.name), c.id.as_str()))
        .collect();
    let mut found: Vec<(usize, String)> = Vec::new();
    for (i, f) in m.flows.iter().enumerate() {
        let Some(mechanism) = &f.mechanism else {
            continue;
        };
        for word in mechanism.split(|c: char| c.is_whitespace() || c == ',' || c == '+') {
            if let Some(id) = word.strip_prefix('#')
                && let Some(control) = by_id.get(&id_key(id))
            {
                found.push((i, control.to_string()));
            }
        }
        let pieces = mechanism
            .split([',', '+'])
            .flat_map(|p| p.split(" and "))
            .chain(std::iter::once(mechanism.as_str()));
        for piece in pieces {
            let piece = piece.trim();
            if !piece.is_empty()
                && !piece.starts_with('#')
                && let Some(control) = by_name.get(&normalize(piece))
            {
                found.push((i, control.to_string()));
            }
        }
    }
    for (i, control) in found {
        if !m.flows[i].controls.contains(&control) {
            m.flows[i].controls.push(control);
        }
    }
}

/// Marks flows whose ends belong to different repositories (the repository that declares
/// a component, else the first that mentions it).
pub(super) fn cross_repository(m: &mut Model) {
    let owner: HashMap<&str, String> = m
        .components
        .iter()
        .map(|c| (c.id.as_str(), repo_of(&c.properties).to_string()))
        .collect();
    for f in &mut m.flows {
        let (Some(a), Some(b)) = (owner.get(f.from.as_str()), owner.get(f.to.as_str())) else {
            continue;
        };
        if a != b {
            f.properties
                .insert("cross_repository".into(), Value::Bool(true));
            f.properties.insert(
                "repositories".into(),
                Value::Array(vec![Value::String(a.clone()), Value::String(b.clone())]),
            );
        }
    }
}

/// A `#id` that one repository could not resolve and another declares is no longer
/// dangling.
pub(super) fn resolve_dangling(m: &mut Model) {
    let known: HashSet<String> = m
        .components
        .iter()
        .map(|c| c.id.as_str())
        .chain(m.threats.iter().map(|t| t.id.as_str()))
        .chain(m.controls.iter().map(|c| c.id.as_str()))
        .chain(m.flows.iter().map(|f| f.id.as_str()))
        .map(id_key)
        .collect();
    m.diagnostics.retain(|d| {
        d.code != Code::DanglingReference
            || !known.contains(&id_key(d.text.trim().trim_start_matches('#')))
    });
}
