//! From parsed annotations of every file to one resolved [`Model`].
//!
//! Three passes over the annotations in path, line, column order: `Name (#id)`
//! declarations first, then plain names, then every relation with its references
//! resolved, so an id declared in any file, before or after its use, is found.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::components::{Tree, split_path};
use super::layers::{LayerKeywords, LayerSource};
use super::normalize::{id_key, normalize};
use super::registry::Registry;
use super::*;
use crate::annotation::{Annotation, BoundarySides, Form, Mention, Qualifiers};
use crate::diagnostics::{Code, Diagnostic};
use crate::scan::FileResult;

/// Choices that change how the model is built (from config).
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// A component's zone defaults to its top-level path segment.
    pub implicit_zones: bool,
    pub layer_keywords: LayerKeywords,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            implicit_zones: true,
            layer_keywords: LayerKeywords::builtin().clone(),
        }
    }
}

/// The role a mention plays, which decides where its name or id is looked up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Component,
    /// A component, or a flow by `#id` (`@mitigates #flow against ...`).
    Target,
    Threat,
    Control,
}

fn mentions(annotation: &Annotation) -> Vec<(Role, &Mention)> {
    match &annotation.form {
        Form::Component { component } => vec![(Role::Component, component)],
        Form::Threat { threat } => vec![(Role::Threat, threat)],
        Form::Control { control } => vec![(Role::Control, control)],
        Form::Mitigates {
            target,
            threat,
            control,
        } => {
            let mut v = vec![(Role::Target, target), (Role::Threat, threat)];
            v.extend(control.iter().map(|c| (Role::Control, c)));
            v
        }
        Form::Exposes { target, threat, .. } | Form::Accepts { threat, target, .. } => {
            vec![(Role::Target, target), (Role::Threat, threat)]
        }
        Form::Transfers {
            threat, from, to, ..
        } => vec![
            (Role::Threat, threat),
            (Role::Component, from),
            (Role::Component, to),
        ],
        Form::Connects { endpoints, .. } => {
            endpoints.iter().map(|e| (Role::Component, e)).collect()
        }
        Form::Boundary { sides, .. } => match sides {
            BoundarySides::Between(sides) => {
                vec![(Role::Component, &sides.0), (Role::Component, &sides.1)]
            }
            BoundarySides::Around(members) => {
                members.iter().map(|m| (Role::Component, m)).collect()
            }
        },
        Form::Handles { target, .. } => vec![(Role::Component, target)],
        Form::Review { target, .. } => target.iter().map(|t| (Role::Component, t)).collect(),
        Form::Tests { control, target } => {
            vec![(Role::Control, control), (Role::Component, target)]
        }
    }
}

fn site(annotation: &Annotation) -> Site {
    Site {
        location: annotation.location.clone(),
        text: annotation.text.clone(),
        source_line: annotation.source_line.clone(),
    }
}

struct Builder {
    tree: Tree,
    threats: Registry,
    controls: Registry,
    flows: Vec<Flow>,
    flow_ids: HashMap<String, usize>,
    diagnostics: Vec<Diagnostic>,
}

pub fn build(files: Vec<FileResult>, options: &BuildOptions) -> Model {
    let mut annotations = Vec::new();
    let mut diagnostics = Vec::new();
    for file in files {
        annotations.extend(file.annotations);
        diagnostics.extend(file.diagnostics);
    }
    let mut b = Builder {
        tree: Tree::default(),
        threats: Registry::default(),
        controls: Registry::default(),
        flows: Vec::new(),
        flow_ids: HashMap::new(),
        diagnostics,
    };
    b.declare_ids(&annotations);
    b.declare_names(&annotations);
    b.build_flows(&annotations);
    let mut model = b.relations(&annotations, options);
    model.diagnostics = b.diagnostics;
    model
        .diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    model.diagnostics.dedup();
    model
}

impl Builder {
    /// Pass 1: every `Name (#id)`.
    fn declare_ids(&mut self, annotations: &[Annotation]) {
        for a in annotations {
            let site = site(a);
            for (role, m) in mentions(a) {
                let (Some(name), Some(id)) = (&m.name, &m.id) else {
                    continue;
                };
                let clash = match role {
                    Role::Threat => self.threats.declare(name, id, &site).err().map(|d| {
                        let e = &self.threats.entries[d.existing];
                        (e.name.clone(), e.site().location.clone())
                    }),
                    Role::Control => self.controls.declare(name, id, &site).err().map(|d| {
                        let e = &self.controls.entries[d.existing];
                        (e.name.clone(), e.site().location.clone())
                    }),
                    Role::Component | Role::Target => {
                        let segments = split_path(name);
                        let Some(node) = self.tree.ensure_path(&segments, &site) else {
                            continue;
                        };
                        self.tree.bind_id(node, id).err().map(|c| {
                            let n = &self.tree.nodes[c.existing];
                            (n.segments.join(":"), n.site().location.clone())
                        })
                    }
                };
                if let Some((other, at)) = clash {
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::DuplicateId,
                            a.location.at_column(m.column),
                            format!("`#{id}` is declared for `{name}` but already names `{other}` ({at})"),
                        )
                        .hint(format!("give `{name}` its own id, or use the same name as at {at}"))
                        .text(format!("{name} (#{id})")),
                    );
                }
            }
        }
    }

    /// Pass 2: plain names; and the declaring annotations' own fields.
    fn declare_names(&mut self, annotations: &[Annotation]) {
        for a in annotations {
            let site = site(a);
            for (role, m) in mentions(a) {
                let Some(name) = &m.name else { continue };
                if m.id.is_some() {
                    continue;
                }
                match role {
                    Role::Threat => {
                        self.threats.by_name_or_create(name, &site);
                    }
                    Role::Control => {
                        self.controls.by_name_or_create(name, &site);
                    }
                    Role::Component | Role::Target => {
                        self.tree.by_name_or_create(name, &site);
                    }
                }
            }
            // Declarations: first `@threat` / `@control` / `@component` wins the site.
            match &a.form {
                Form::Threat { threat } if !threat.is_reference => {
                    if let Some(i) = self.find(Role::Threat, threat) {
                        let e = &mut self.threats.entries[i];
                        e.declared.get_or_insert_with(|| site.clone());
                    }
                }
                Form::Control { control } if !control.is_reference => {
                    if let Some(i) = self.find(Role::Control, control) {
                        let e = &mut self.controls.entries[i];
                        e.declared.get_or_insert_with(|| site.clone());
                    }
                }
                Form::Component { component } if !component.is_reference => {
                    if let Some(i) = self.find(Role::Component, component) {
                        let n = &mut self.tree.nodes[i];
                        n.declared.get_or_insert_with(|| site.clone());
                    }
                }
                _ => {}
            }
            // Layers and data classes, wherever they are written.
            for (role, m) in mentions(a) {
                if !matches!(role, Role::Component | Role::Target) {
                    continue;
                }
                let layer = m.qualifiers.layer.or(match &a.form {
                    Form::Component { .. } => a
                        .qualifiers
                        .layer
                        .or(a.fields.as_ref().and_then(|f| f.layer)),
                    _ => None,
                });
                if let (Some(layer), Some(i)) = (layer, self.find(Role::Component, m)) {
                    self.set_layer(i, layer, a, m);
                }
            }
            if let Form::Handles { classes, target } = &a.form
                && let Some(i) = self.find(Role::Component, target)
            {
                self.tree.nodes[i].data.extend(classes.iter().cloned());
            }
        }
    }

    fn set_layer(&mut self, node: usize, layer: Layer, a: &Annotation, m: &Mention) {
        let n = &mut self.tree.nodes[node];
        match n.layer {
            None => n.layer = Some(layer),
            Some(existing) if existing != layer => {
                let name = n.segments.join(":");
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::Conflict,
                        a.location.at_column(m.column),
                        format!(
                            "`{name}` is given layer `{}` here but `{}` elsewhere; keeping `{}`",
                            layer.as_str(),
                            existing.as_str(),
                            existing.as_str()
                        ),
                    )
                    .hint("give a component one CCCS layer")
                    .text(a.text.clone()),
                );
            }
            Some(_) => {}
        }
    }

    /// The entity a mention reaches, without creating anything.
    fn find(&self, role: Role, m: &Mention) -> Option<usize> {
        match role {
            Role::Threat => match (&m.id, &m.name) {
                (Some(id), _) => self.threats.find_id(id),
                (None, Some(name)) => self.threats.find_name(name),
                _ => None,
            },
            Role::Control => match (&m.id, &m.name) {
                (Some(id), _) => self.controls.find_id(id),
                (None, Some(name)) => self.controls.find_name(name),
                _ => None,
            },
            Role::Component | Role::Target => match (&m.id, &m.name) {
                (Some(id), _) => self.tree.find_id(id),
                (None, Some(name)) => self.tree.find_name(name),
                _ => None,
            },
        }
    }

    fn dangling(&mut self, a: &Annotation, m: &Mention, kind: &str, suggestion: Option<String>) {
        let id = m.id.as_deref().unwrap_or_default();
        let hint = match suggestion {
            Some(s) => format!("did you mean `#{s}`?"),
            None => format!("declare it, e.g. `@{kind} Name (#{id})`"),
        };
        let mut diagnostic = Diagnostic::new(
            Code::DanglingReference,
            a.location.at_column(m.column),
            format!("`#{id}` does not name any {kind}"),
        )
        .hint(hint)
        .text(format!("#{id}"));
        if let Some(line) = &a.source_line {
            let width = 1 + id.chars().count() as u32;
            diagnostic = diagnostic.source(line.clone(), (m.column, m.column + width));
        }
        self.diagnostics.push(diagnostic);
    }

    /// The id a mention resolves to; a dangling `#id` is reported and kept as written.
    fn resolve(&mut self, a: &Annotation, role: Role, m: &Mention) -> (String, TargetKind) {
        if let Some(i) = self.find(role, m) {
            let id = match role {
                Role::Threat => self.threats.entries[i].id.clone(),
                Role::Control => self.controls.entries[i].id.clone(),
                Role::Component | Role::Target => self.tree.id_of(i),
            };
            return (id, TargetKind::Component);
        }
        let raw = m.id.clone().or(m.name.clone()).unwrap_or_default();
        if role == Role::Target
            && let Some(&f) = self.flow_ids.get(&id_key(&raw))
        {
            return (self.flows[f].id.clone(), TargetKind::Flow);
        }
        if m.id.is_some() {
            let (kind, suggestion) = match role {
                Role::Threat => ("threat", self.threats.suggest(&raw)),
                Role::Control => ("control", self.controls.suggest(&raw)),
                Role::Component => ("component", self.tree.suggest(&raw)),
                Role::Target => {
                    let flows = self.flows.iter().map(|f| f.id.as_str());
                    let nodes: Vec<String> = (0..self.tree.nodes.len())
                        .map(|i| self.tree.id_of(i))
                        .collect();
                    (
                        "component or flow",
                        super::registry::closest(
                            &raw,
                            nodes.iter().map(String::as_str).chain(flows),
                        ),
                    )
                }
            };
            self.dangling(a, m, kind, suggestion);
        }
        (raw, TargetKind::Component)
    }

    fn build_flows(&mut self, annotations: &[Annotation]) {
        for a in annotations {
            let Form::Connects {
                endpoints,
                two_way,
                mechanism,
                mechanism_parts,
                id,
            } = &a.form
            else {
                continue;
            };
            let ends: Vec<String> = endpoints
                .iter()
                .map(|e| self.resolve(a, Role::Component, e).0)
                .collect();
            let mut controls = Vec::new();
            for part in mechanism_parts {
                if part.is_reference {
                    let (control, _) = self.resolve(a, Role::Control, part);
                    if self.controls.find_id(&control).is_some() && !controls.contains(&control) {
                        controls.push(control);
                    }
                } else if let Some(i) = part
                    .name
                    .as_deref()
                    .and_then(|n| self.controls.find_name(n))
                {
                    let control = self.controls.entries[i].id.clone();
                    if !controls.contains(&control) {
                        controls.push(control);
                    }
                }
            }
            let hops = ends.len().saturating_sub(1);
            for hop in 0..hops {
                let (from, to) = (ends[hop].clone(), ends[hop + 1].clone());
                let flow_id = match id {
                    Some(id) if hops == 1 => id.clone(),
                    Some(id) => format!("{id}-{}", hop + 1),
                    None => self.derived_flow_id(&from, &to, mechanism.as_deref()),
                };
                let key = id_key(&flow_id);
                if self.flow_ids.contains_key(&key) {
                    if id.is_some() {
                        self.diagnostics.push(
                            Diagnostic::new(
                                Code::DuplicateId,
                                a.location.clone(),
                                format!("flow id `#{flow_id}` is already used by another flow"),
                            )
                            .hint("give each flow its own id")
                            .text(a.text.clone()),
                        );
                    }
                    continue;
                }
                self.flow_ids.insert(key, self.flows.len());
                self.flows.push(Flow {
                    id: flow_id,
                    from,
                    to,
                    two_way: *two_way,
                    mechanism: mechanism.clone(),
                    controls: controls.clone(),
                    from_zone: String::new(),
                    to_zone: String::new(),
                    description: a
                        .description
                        .clone()
                        .or_else(|| a.fields.as_ref().and_then(|f| f.description.clone())),
                    properties: properties(&a.qualifiers, a),
                    site: site(a),
                });
            }
        }
    }

    /// `from->to`, with the mechanism when another flow joins the same ends.
    fn derived_flow_id(&self, from: &str, to: &str, mechanism: Option<&str>) -> String {
        let plain = format!("{from}->{to}");
        if !self.flow_ids.contains_key(&id_key(&plain)) {
            return plain;
        }
        // Same ends and same mechanism: the same flow declared twice.
        let same = self
            .flows
            .iter()
            .any(|f| f.from == from && f.to == to && f.mechanism.as_deref() == mechanism);
        if same {
            return plain;
        }
        let tag = mechanism.map(normalize).unwrap_or_default();
        let mut candidate = format!("{plain}[{tag}]");
        let mut n = 2;
        while self.flow_ids.contains_key(&id_key(&candidate)) {
            candidate = format!("{plain}[{tag}]{n}");
            n += 1;
        }
        candidate
    }

    /// Pass 3: every relation, resolved.
    fn relations(&mut self, annotations: &[Annotation], options: &BuildOptions) -> Model {
        let mut m = Model {
            version: FORMAT_VERSION.to_string(),
            ..Model::default()
        };
        let mut threat_fields: HashMap<usize, ThreatFields> = HashMap::new();
        let mut control_fields: HashMap<usize, ControlFields> = HashMap::new();
        for a in annotations {
            let s = site(a);
            let description = a
                .description
                .clone()
                .or_else(|| a.fields.as_ref().and_then(|f| f.description.clone()));
            // Qualifiers and fields that belong to threats, wherever mentioned.
            for (role, mention) in mentions(a) {
                if role == Role::Threat
                    && let Some(i) = self.find(Role::Threat, mention)
                {
                    threat_fields
                        .entry(i)
                        .or_default()
                        .mention(&mention.qualifiers);
                }
            }
            match &a.form {
                Form::Threat { threat } => {
                    if let Some(i) = self.find(Role::Threat, threat) {
                        threat_fields
                            .entry(i)
                            .or_default()
                            .declaration(a, &threat.qualifiers);
                    } else {
                        self.resolve(a, Role::Threat, threat);
                    }
                }
                Form::Control { control } => {
                    if let Some(i) = self.find(Role::Control, control) {
                        control_fields.entry(i).or_default().declaration(a);
                    } else {
                        self.resolve(a, Role::Control, control);
                    }
                }
                Form::Component { component } => {
                    if let Some(i) = self.find(Role::Component, component) {
                        let n = &mut self.tree.nodes[i];
                        if n.description.is_none() {
                            n.description = description.clone();
                        }
                        for (k, v) in properties(&component.qualifiers, a) {
                            n.properties.entry(k).or_insert(v);
                        }
                    } else {
                        self.resolve(a, Role::Component, component);
                    }
                }
                Form::Mitigates {
                    target,
                    threat,
                    control,
                } => {
                    let (target, target_kind) = self.resolve(a, Role::Target, target);
                    let threat = self.resolve(a, Role::Threat, threat).0;
                    let control = control
                        .as_ref()
                        .map(|c| self.resolve(a, Role::Control, c).0);
                    m.mitigations.push(Mitigation {
                        target,
                        target_kind,
                        threat,
                        control,
                        description,
                        site: s,
                    });
                }
                Form::Exposes {
                    target,
                    threat: t,
                    details,
                } => {
                    let (target, target_kind) = self.resolve(a, Role::Target, target);
                    let threat = self.resolve(a, Role::Threat, t).0;
                    let severity = a.qualifiers.severity.or(t.qualifiers.severity);
                    if let (Some(sev), Some(i)) = (severity, self.find(Role::Threat, t)) {
                        // The threat takes this severity where this line first declares it.
                        if self.threats.entries[i].first.location == a.location {
                            threat_fields.entry(i).or_default().first_exposure = Some(sev);
                        }
                    }
                    m.exposures.push(Exposure {
                        target,
                        target_kind,
                        threat,
                        severity,
                        refs: a.refs.clone(),
                        description: description.or(details.clone()),
                        site: s,
                    });
                }
                Form::Accepts {
                    threat,
                    target,
                    details,
                } => {
                    let threat = self.resolve(a, Role::Threat, threat).0;
                    let (target, target_kind) = self.resolve(a, Role::Target, target);
                    m.acceptances.push(Acceptance {
                        threat,
                        target,
                        target_kind,
                        description: description.or(details.clone()),
                        properties: properties(&a.qualifiers, a),
                        site: s,
                    });
                }
                Form::Transfers {
                    threat,
                    from,
                    to,
                    details,
                } => {
                    let threat = self.resolve(a, Role::Threat, threat).0;
                    let from = self.resolve(a, Role::Component, from).0;
                    let to = self.resolve(a, Role::Component, to).0;
                    m.transfers.push(Transfer {
                        threat,
                        from,
                        to,
                        description: description.or(details.clone()),
                        site: s,
                    });
                }
                Form::Connects { .. } => {}
                Form::Boundary { name, id, sides } => {
                    let (kind, members) = match sides {
                        BoundarySides::Between(sides) => {
                            (BoundaryKind::Between, vec![&sides.0, &sides.1])
                        }
                        BoundarySides::Around(list) => {
                            (BoundaryKind::Around, list.iter().collect())
                        }
                    };
                    let components: Vec<String> = members
                        .into_iter()
                        .map(|x| self.resolve(a, Role::Component, x).0)
                        .collect();
                    let id = id
                        .clone()
                        .or_else(|| name.as_deref().map(normalize))
                        .unwrap_or_else(|| components.join("|"));
                    m.boundaries.push(Boundary {
                        id,
                        name: name.clone(),
                        kind,
                        components,
                        severity: a.qualifiers.severity,
                        description,
                        site: s,
                    });
                }
                Form::Handles { .. } => {}
                Form::Review {
                    target,
                    words,
                    details,
                } => {
                    let (target, details) = match target {
                        Some(t) => (self.resolve(a, Role::Component, t).0, details.clone()),
                        None => self.review_target(words, &s),
                    };
                    m.reviews.push(Review {
                        target,
                        details: description.or(details),
                        site: s,
                    });
                }
                Form::Tests { control, target } => {
                    let control = self.resolve(a, Role::Control, control).0;
                    let target = self.resolve(a, Role::Component, target).0;
                    m.tests.push(Test {
                        control,
                        target,
                        description,
                        site: s,
                    });
                }
            }
        }
        self.finish(m, options, threat_fields, control_fields)
    }

    /// `@review` without `#id` or `--`: the longest run of leading words that names a known
    /// component is the target; the rest is the details. Failing that, the first word.
    fn review_target(&mut self, words: &[(String, u32)], site: &Site) -> (String, Option<String>) {
        let texts: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
        let split = (1..=texts.len())
            .rev()
            .find(|&n| self.tree.find_name(&texts[..n].join(" ")).is_some())
            .unwrap_or(1.min(texts.len()));
        let name = texts[..split].join(" ");
        let details = texts[split..].join(" ");
        let node = self
            .tree
            .find_name(&name)
            .or_else(|| self.tree.by_name_or_create(&name, site));
        let target = node.map_or(name, |i| self.tree.id_of(i));
        (target, (!details.is_empty()).then_some(details))
    }

    fn finish(
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
        let mut zone_prefixes: Vec<(String, String)> = Vec::new();
        for b in &m.boundaries {
            if b.kind == BoundaryKind::Around {
                for c in &b.components {
                    if let Some(&i) = node_of.get(c.as_str()) {
                        zone_prefixes.push((self.tree.nodes[i].key.clone(), b.id.clone()));
                    }
                }
            }
        }
        let nodes = &self.tree.nodes;
        let mut components: Vec<Component> = Vec::with_capacity(nodes.len());
        for (i, node) in nodes.iter().enumerate() {
            let (layer, layer_source) = self.layer_of(i, &options.layer_keywords);
            let top = self.tree.ancestors(i).last().unwrap_or(i);
            let zone = zone_of(&node.key, &zone_prefixes).unwrap_or_else(|| {
                if options.implicit_zones {
                    ids[top].clone()
                } else {
                    "default".into()
                }
            });
            components.push(Component {
                id: ids[i].clone(),
                name: node.segments.last().cloned().unwrap_or_default(),
                path: node.segments.clone(),
                parent: node.parent.map(|p| ids[p].clone()),
                layer,
                layer_source,
                zone,
                data: node.data.iter().cloned().collect(),
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
            m.threats.push(f.into_threat(e));
        }
        for (i, e) in self.controls.entries.iter().enumerate() {
            let f = control_fields.remove(&i).unwrap_or_default();
            m.controls.push(Control {
                id: e.id.clone(),
                name: e.name.clone(),
                description: f.description,
                refs: f.refs,
                properties: f.properties,
                declared: e.declared.is_some(),
                site: e.site().clone(),
            });
        }

        m.components.sort_by(|a, b| a.id.cmp(&b.id));
        m.threats.sort_by(|a, b| a.id.cmp(&b.id));
        m.controls.sort_by(|a, b| a.id.cmp(&b.id));
        m.flows.sort_by(|a, b| a.site.cmp(&b.site));
        m.boundaries.sort_by(|a, b| a.site.cmp(&b.site));
        m
    }

    fn layer_of(&self, node: usize, keywords: &LayerKeywords) -> (Layer, LayerSource) {
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
fn zone_of(key: &str, zones: &[(String, String)]) -> Option<String> {
    zones
        .iter()
        .filter(|(prefix, _)| {
            key == prefix
                || key
                    .strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, zone)| zone.clone())
}

/// Qualifier values, tags and YAML keys of an annotation, as free-form properties.
fn properties(q: &Qualifiers, a: &Annotation) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (k, v) in q.values.iter().chain(a.qualifiers.values.iter()) {
        out.entry(k.clone())
            .or_insert_with(|| Value::String(v.clone()));
    }
    let tags: Vec<Value> = q
        .tags
        .iter()
        .chain(a.qualifiers.tags.iter())
        .map(|t| Value::String(t.clone()))
        .collect();
    if !tags.is_empty() {
        out.insert("tags".into(), Value::Array(tags));
    }
    if let Some(f) = &a.fields {
        let typed = serde_json::to_value(f).unwrap_or(Value::Null);
        if let Value::Object(map) = typed {
            for (k, v) in map {
                if k != "description" && k != "custom" {
                    out.entry(k).or_insert(v);
                }
            }
        }
        for (k, v) in &f.custom {
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    out
}

/// What a threat's declaration and mentions say about it.
#[derive(Default)]
struct ThreatFields {
    declared: Option<Threat>,
    mention_severity: Option<Severity>,
    mention_stride: Vec<Stride>,
    first_exposure: Option<Severity>,
}

impl ThreatFields {
    fn mention(&mut self, q: &Qualifiers) {
        self.mention_severity = self.mention_severity.or(q.severity);
        for s in &q.stride {
            if !self.mention_stride.contains(s) {
                self.mention_stride.push(*s);
            }
        }
    }

    /// A `@threat` line about this threat. The first one (path, line, column order) wins
    /// each field; later ones (such as Threatspec's `@threat #id:` blocks) fill the gaps.
    fn declaration(&mut self, a: &Annotation, q: &Qualifiers) {
        let f = a.fields.clone().unwrap_or_default();
        let mut stride = q.stride.clone();
        for s in &f.stride {
            if !stride.contains(s) {
                stride.push(*s);
            }
        }
        let mut refs = a.refs.clone();
        refs.extend(f.cwe.iter().map(|c| {
            if c.to_ascii_lowercase().starts_with("cwe") {
                format!("cwe:{}", c.to_ascii_uppercase())
            } else {
                format!("cwe:CWE-{c}")
            }
        }));
        let likelihood = q.values.get("likelihood").cloned().or(f.likelihood.clone());
        let mut props = properties(q, a);
        props.remove("likelihood");
        props.remove("cwe");
        props.remove("stride");
        props.remove("severity");
        props.remove("countermeasures");
        props.remove("example");
        let new = Threat {
            id: String::new(),
            name: String::new(),
            severity: q.severity.or(f.severity),
            stride,
            likelihood,
            refs,
            description: a.description.clone().or(f.description.clone()),
            countermeasures: f.countermeasures.clone(),
            example: f.example.clone(),
            properties: props,
            declared: true,
            site: Site::default(),
        };
        let Some(old) = &mut self.declared else {
            self.declared = Some(new);
            return;
        };
        old.severity = old.severity.or(new.severity);
        old.likelihood = old.likelihood.take().or(new.likelihood);
        old.description = old.description.take().or(new.description);
        old.countermeasures = old.countermeasures.take().or(new.countermeasures);
        old.example = old.example.take().or(new.example);
        for s in new.stride {
            if !old.stride.contains(&s) {
                old.stride.push(s);
            }
        }
        for r in new.refs {
            if !old.refs.contains(&r) {
                old.refs.push(r);
            }
        }
        for (k, v) in new.properties {
            old.properties.entry(k).or_insert(v);
        }
    }

    fn into_threat(self, e: &super::registry::Entry) -> Threat {
        let mut t = self.declared.unwrap_or(Threat {
            id: String::new(),
            name: String::new(),
            severity: None,
            stride: Vec::new(),
            likelihood: None,
            refs: Vec::new(),
            description: None,
            countermeasures: None,
            example: None,
            properties: BTreeMap::new(),
            declared: false,
            site: Site::default(),
        });
        t.id = e.id.clone();
        t.name = e.name.clone();
        t.declared = e.declared.is_some();
        t.site = e.site().clone();
        t.severity = t.severity.or(self.mention_severity).or(self.first_exposure);
        for s in self.mention_stride {
            if !t.stride.contains(&s) {
                t.stride.push(s);
            }
        }
        t.stride.sort();
        t
    }
}

#[derive(Default)]
struct ControlFields {
    description: Option<String>,
    refs: Vec<String>,
    properties: BTreeMap<String, Value>,
    seen: bool,
}

impl ControlFields {
    fn declaration(&mut self, a: &Annotation) {
        if self.seen {
            return;
        }
        self.seen = true;
        self.description = a
            .description
            .clone()
            .or_else(|| a.fields.as_ref().and_then(|f| f.description.clone()));
        self.refs = a.refs.clone();
        self.properties = properties(&a.qualifiers, a);
    }
}
