//! The union of several repositories' models: aliases first (which ids are one entity),
//! then every reference rewritten to the surviving id, then entities joined field by
//! field (a declaration wins over a mention, the first repository by name wins a tie),
//! then what depends on the whole (layers inherited across repositories, zones, which
//! flows cross repositories, which dangling references now resolve).

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::{Input, whole};
use crate::diagnostics::{Code, Diagnostic};
use crate::model::normalize::normalize;
use crate::model::{
    Boundary, BoundaryKind, Component, Control, FORMAT_VERSION, Flow, LayerSource, Model, Site,
    TargetKind, Threat,
};

type Aliases = HashMap<String, String>;

pub fn join(inputs: Vec<Input>) -> Model {
    let mut models: Vec<Model> = inputs
        .into_iter()
        .map(|i| {
            let mut m = i.model;
            tag(&i.name, &mut m);
            m
        })
        .collect();
    let components = component_aliases(&models);
    let threats = name_aliases(models.iter().flat_map(|m| {
        m.threats
            .iter()
            .map(|t| (t.id.as_str(), t.name.as_str(), t.declared))
    }));
    let controls = name_aliases(models.iter().flat_map(|m| {
        m.controls
            .iter()
            .map(|c| (c.id.as_str(), c.name.as_str(), c.declared))
    }));
    for m in &mut models {
        rewrite(m, &components, &threats, &controls);
    }
    let mut out = union(models);
    whole::inherit_layers(&mut out);
    whole::zones(&mut out);
    whole::resolve_mechanisms(&mut out);
    whole::cross_repository(&mut out);
    whole::resolve_dangling(&mut out);
    out.components.sort_by(|a, b| a.id.cmp(&b.id));
    out.threats.sort_by(|a, b| a.id.cmp(&b.id));
    out.controls.sort_by(|a, b| a.id.cmp(&b.id));
    out.flows.sort_by(|a, b| a.site.cmp(&b.site));
    out.boundaries.sort_by(|a, b| a.site.cmp(&b.site));
    out.diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out
}

/// Prefixes every location with the repository's name and records it on every entity and
/// relation, so that `src/main.rs` of two repositories stays two places.
fn tag(name: &str, m: &mut Model) {
    let repo = Value::String(name.to_string());
    let site = |s: &mut Site| s.location.file = format!("{name}/{}", s.location.file);
    macro_rules! each {
        ($($list:ident),*) => {$(
            for x in &mut m.$list {
                site(&mut x.site);
                x.properties.insert("repository".into(), repo.clone());
            }
        )*};
    }
    each!(
        components,
        threats,
        controls,
        mitigations,
        exposures,
        acceptances,
        transfers,
        flows,
        boundaries,
        reviews,
        tests
    );
    // Assumptions, ownership and notes have no properties to record the repository in.
    for s in m
        .assumptions
        .iter_mut()
        .map(|x| &mut x.site)
        .chain(m.ownership.iter_mut().map(|x| &mut x.site))
        .chain(m.notes.iter_mut().map(|x| &mut x.site))
    {
        site(s);
    }
    for d in &mut m.diagnostics {
        d.location.file = format!("{name}/{}", d.location.file);
    }
    m.findings.clear();
}

/// A component's identity in a tree: its path, each segment normalised.
fn path_key(path: &[String]) -> String {
    path.iter()
        .map(|s| {
            let k = normalize(s);
            if k.is_empty() { "root".to_string() } else { k }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Components with one path are one component: its id is the first explicit id any
/// repository gives it (a path-derived id is the path key, or `path:<key>`).
fn component_aliases(models: &[Model]) -> Aliases {
    let mut by_path: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for c in models.iter().flat_map(|m| &m.components) {
        let ids = by_path.entry(path_key(&c.path)).or_default();
        if !ids.contains(&c.id.as_str()) {
            ids.push(&c.id);
        }
    }
    let mut aliases = Aliases::new();
    for (key, ids) in by_path {
        let derived = |id: &str| id == key || id == format!("path:{key}");
        let canonical = ids
            .iter()
            .find(|id| !derived(id))
            .copied()
            .unwrap_or(ids[0]);
        for id in ids {
            if id != canonical {
                aliases.insert(id.to_string(), canonical.to_string());
            }
        }
    }
    aliases
}

/// Threats (or controls) with one normalised name are one: the first declared id wins.
fn name_aliases<'a>(entities: impl Iterator<Item = (&'a str, &'a str, bool)>) -> Aliases {
    let mut by_name: BTreeMap<String, Vec<(&str, bool)>> = BTreeMap::new();
    for (id, name, declared) in entities {
        let ids = by_name.entry(normalize(name)).or_default();
        if !ids.iter().any(|(i, _)| *i == id) {
            ids.push((id, declared));
        }
    }
    let mut aliases = Aliases::new();
    for ids in by_name.into_values() {
        let canonical = ids
            .iter()
            .find(|(_, declared)| *declared)
            .unwrap_or(&ids[0])
            .0;
        for (id, _) in ids {
            if id != canonical {
                aliases.insert(id.to_string(), canonical.to_string());
            }
        }
    }
    aliases
}

fn rename(aliases: &Aliases, id: &mut String) {
    if let Some(to) = aliases.get(id.as_str()) {
        *id = to.clone();
    }
}

/// Every reference to a joined entity, rewritten to the surviving id.
fn rewrite(m: &mut Model, components: &Aliases, threats: &Aliases, controls: &Aliases) {
    let target = |kind: TargetKind, id: &mut String| {
        if kind == TargetKind::Component {
            rename(components, id);
        }
    };
    for c in &mut m.components {
        rename(components, &mut c.id);
        rename(components, &mut c.zone);
        if let Some(p) = &mut c.parent {
            rename(components, p);
        }
    }
    m.threats
        .iter_mut()
        .for_each(|t| rename(threats, &mut t.id));
    m.controls
        .iter_mut()
        .for_each(|c| rename(controls, &mut c.id));
    for x in &mut m.mitigations {
        target(x.target_kind, &mut x.target);
        rename(threats, &mut x.threat);
        if let Some(c) = &mut x.control {
            rename(controls, c);
        }
    }
    for x in &mut m.exposures {
        target(x.target_kind, &mut x.target);
        rename(threats, &mut x.threat);
    }
    for x in &mut m.acceptances {
        target(x.target_kind, &mut x.target);
        rename(threats, &mut x.threat);
    }
    for x in &mut m.transfers {
        rename(threats, &mut x.threat);
        rename(components, &mut x.from);
        rename(components, &mut x.to);
    }
    for f in &mut m.flows {
        rename(components, &mut f.from);
        rename(components, &mut f.to);
        f.controls.iter_mut().for_each(|c| rename(controls, c));
    }
    for b in &mut m.boundaries {
        b.components.iter_mut().for_each(|c| rename(components, c));
    }
    m.reviews
        .iter_mut()
        .for_each(|r| rename(components, &mut r.target));
    for t in &mut m.tests {
        rename(controls, &mut t.control);
        rename(components, &mut t.target);
    }
    for a in &mut m.assumptions {
        rename(components, &mut a.target);
    }
    for o in &mut m.ownership {
        rename(components, &mut o.target);
    }
}

fn conflict(site: &Site, message: String) -> Diagnostic {
    Diagnostic::new(Code::DuplicateId, site.location.clone(), message)
        .hint("one id names one thing across repositories: rename one of them")
        .text(site.text.clone())
}

fn merge_properties(a: &mut BTreeMap<String, Value>, b: BTreeMap<String, Value>) {
    for (k, v) in b {
        a.entry(k).or_insert(v);
    }
}

fn union_into<T: PartialEq>(a: &mut Vec<T>, b: Vec<T>) {
    for x in b {
        if !a.contains(&x) {
            a.push(x);
        }
    }
}

pub(super) fn repo_of(properties: &BTreeMap<String, Value>) -> &str {
    properties
        .get("repository")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn join_component(a: &mut Component, mut b: Component, diagnostics: &mut Vec<Diagnostic>) {
    if !a.declared && b.declared {
        std::mem::swap(a, &mut b);
    }
    if a.declared && b.declared && path_key(&a.path) != path_key(&b.path) {
        diagnostics.push(conflict(
            &b.site,
            format!(
                "component `#{}` is `{}` in `{}` and `{}` here",
                a.id,
                a.path.join(":"),
                repo_of(&a.properties),
                b.path.join(":")
            ),
        ));
    }
    if a.layer_source != LayerSource::Explicit && b.layer_source == LayerSource::Explicit {
        a.layer = b.layer;
        a.layer_source = LayerSource::Explicit;
    }
    union_into(&mut a.data, b.data);
    a.data.sort();
    a.description = a.description.take().or(b.description);
    a.parent = a.parent.take().or(b.parent);
    merge_properties(&mut a.properties, b.properties);
}

fn join_threat(a: &mut Threat, mut b: Threat, diagnostics: &mut Vec<Diagnostic>) {
    if !a.declared && b.declared {
        std::mem::swap(a, &mut b);
    }
    if a.declared && b.declared && normalize(&a.name) != normalize(&b.name) {
        diagnostics.push(conflict(
            &b.site,
            format!(
                "threat `#{}` is `{}` in `{}` and `{}` here",
                a.id,
                a.name,
                repo_of(&a.properties),
                b.name
            ),
        ));
    }
    a.severity = a.severity.or(b.severity);
    union_into(&mut a.stride, b.stride);
    a.stride.sort();
    union_into(&mut a.refs, b.refs);
    a.likelihood = a.likelihood.take().or(b.likelihood);
    a.description = a.description.take().or(b.description);
    a.countermeasures = a.countermeasures.take().or(b.countermeasures);
    a.example = a.example.take().or(b.example);
    merge_properties(&mut a.properties, b.properties);
}

fn join_control(a: &mut Control, mut b: Control, diagnostics: &mut Vec<Diagnostic>) {
    if !a.declared && b.declared {
        std::mem::swap(a, &mut b);
    }
    if a.declared && b.declared && normalize(&a.name) != normalize(&b.name) {
        diagnostics.push(conflict(
            &b.site,
            format!(
                "control `#{}` is `{}` in `{}` and `{}` here",
                a.id,
                a.name,
                repo_of(&a.properties),
                b.name
            ),
        ));
    }
    union_into(&mut a.refs, b.refs);
    a.description = a.description.take().or(b.description);
    merge_properties(&mut a.properties, b.properties);
}

fn join_flow(a: &mut Flow, b: Flow, diagnostics: &mut Vec<Diagnostic>) {
    if (a.from.as_str(), a.to.as_str()) != (b.from.as_str(), b.to.as_str()) {
        diagnostics.push(conflict(
            &b.site,
            format!(
                "flow `#{}` joins `{}` to `{}` in `{}`, and `{}` to `{}` here",
                a.id,
                a.from,
                a.to,
                repo_of(&a.properties),
                b.from,
                b.to
            ),
        ));
    }
    union_into(&mut a.controls, b.controls);
    merge_properties(&mut a.properties, b.properties);
}

fn join_boundary(a: &mut Boundary, b: Boundary) {
    if a.kind == BoundaryKind::Around && b.kind == BoundaryKind::Around {
        union_into(&mut a.components, b.components);
    }
    a.severity = a.severity.or(b.severity);
    merge_properties(&mut a.properties, b.properties);
}

/// Joins entities by id (in input order) and concatenates relations.
fn union(models: Vec<Model>) -> Model {
    let mut out = Model {
        version: FORMAT_VERSION.to_string(),
        ..Model::default()
    };
    let mut diagnostics = Vec::new();
    macro_rules! by_id {
        ($list:ident, $join:expr) => {{
            let mut index: HashMap<String, usize> = HashMap::new();
            for m in &models {
                for x in &m.$list {
                    match index.get(&x.id) {
                        Some(&i) => $join(&mut out.$list[i], x.clone(), &mut diagnostics),
                        None => {
                            index.insert(x.id.clone(), out.$list.len());
                            out.$list.push(x.clone());
                        }
                    }
                }
            }
        }};
    }
    by_id!(components, join_component);
    by_id!(threats, join_threat);
    by_id!(controls, join_control);
    by_id!(flows, join_flow);
    by_id!(
        boundaries,
        |a: &mut Boundary, b, _: &mut Vec<Diagnostic>| join_boundary(a, b)
    );
    for m in models {
        out.mitigations.extend(m.mitigations);
        out.exposures.extend(m.exposures);
        out.acceptances.extend(m.acceptances);
        out.transfers.extend(m.transfers);
        out.reviews.extend(m.reviews);
        out.tests.extend(m.tests);
        out.assumptions.extend(m.assumptions);
        out.ownership.extend(m.ownership);
        out.notes.extend(m.notes);
        out.diagnostics.extend(m.diagnostics);
    }
    out.diagnostics.extend(diagnostics);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_path_is_one_component_under_its_explicit_id() {
        let key = path_key(&["Payments".into(), "API Server".into()]);
        assert_eq!(key, "payments.api_server");
        let mut a = Model::default();
        let mut b = Model::default();
        let component = |id: &str, declared: bool| Component {
            id: id.into(),
            name: "API Server".into(),
            path: vec!["Payments".into(), "API Server".into()],
            parent: Some("payments".into()),
            layer: crate::annotation::Layer::Compute,
            layer_source: LayerSource::Inferred,
            zone: "payments".into(),
            data: vec![],
            trust: None,
            owners: vec![],
            declared,
            description: None,
            properties: BTreeMap::new(),
            site: Site::default(),
        };
        a.components.push(component("payments.api_server", false));
        b.components.push(component("papi", true));
        let aliases = component_aliases(&[a, b]);
        assert_eq!(aliases["payments.api_server"], "papi");
        assert_eq!(aliases.len(), 1);
    }

    #[test]
    fn a_declared_name_gives_its_id() {
        let aliases = name_aliases(
            [
                ("sql_injection", "SQL injection", false),
                ("sqli", "SQL Injection", true),
                ("xss", "XSS", true),
            ]
            .into_iter(),
        );
        assert_eq!(aliases["sql_injection"], "sqli");
        assert!(!aliases.contains_key("xss"));
    }
}
