//! From parsed annotations of every file to one resolved [`Model`].
//!
//! Three passes over the annotations in path, line, column order: `Name (#id)`
//! declarations first, then plain names, then every relation with its references
//! resolved, so an id declared in any file, before or after its use, is found.

use std::collections::HashMap;
use std::sync::Arc;

use super::components::{Tree, split_path};
use super::layers::LayerKeywords;
use super::normalize::id_key;
use super::registry::Registry;
use super::transports::Transports;
use super::*;
use crate::annotation::{Annotation, BoundarySides, Form, Mention};
use crate::catalogue::{Catalogue, Entry};
use crate::diagnostics::{Code, Diagnostic};
use crate::scan::FileResult;

/// Choices that change how the model is built (from config).
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// A component's zone defaults to its top-level path segment.
    pub implicit_zones: bool,
    pub layer_keywords: LayerKeywords,
    /// Threats and controls `#id` references may name without declaring them.
    pub catalogue: Arc<Catalogue>,
    /// Problems with the project's settings files (GuardLink's `.guardlink/config.json`),
    /// reported with the model's own diagnostics.
    pub settings_diagnostics: Vec<Diagnostic>,
    /// Secure transports a flow's mechanism may name (`via HTTPS`): inferred controls.
    pub transports: Arc<Transports>,
    /// Zones `threatline.yaml` lists as untrusted or trusted.
    pub trust: super::TrustOptions,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            implicit_zones: true,
            layer_keywords: LayerKeywords::builtin().clone(),
            catalogue: Catalogue::shared_builtin(),
            settings_diagnostics: Vec::new(),
            transports: Transports::builtin(),
            trust: super::TrustOptions::default(),
        }
    }
}

/// The role a mention plays, which decides where its name or id is looked up.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Component,
    /// A component, or a flow by `#id` (`@mitigates #flow against ...`).
    Target,
    Threat,
    Control,
}

pub(super) fn mentions(annotation: &Annotation) -> Vec<(Role, &Mention)> {
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
        // About components, never declaring one: `@assumes that the lock is held` must not
        // make a component `that` (see `Builder::existing_component`).
        Form::Assumes { .. } | Form::Owns { .. } | Form::Feature { .. } | Form::Comment { .. } => {
            Vec::new()
        }
    }
}

pub(super) fn site(annotation: &Annotation) -> Site {
    Site {
        location: annotation.location.clone(),
        text: annotation.text.clone(),
        symbol: annotation.symbol.clone(),
        origin: annotation.origin.clone(),
        source_line: annotation.source_line.clone(),
    }
}

pub(super) struct Builder {
    pub(super) tree: Tree,
    pub(super) threats: Registry,
    pub(super) controls: Registry,
    pub(super) flows: Vec<Flow>,
    pub(super) flow_ids: HashMap<String, usize>,
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) catalogue: Arc<Catalogue>,
    pub(super) transports: Arc<Transports>,
    /// Registry index -> the catalogue entry a threat or control comes from.
    pub(super) catalogue_threats: HashMap<usize, Entry>,
    pub(super) catalogue_controls: HashMap<usize, Entry>,
}

pub fn build(files: Vec<FileResult>, options: &BuildOptions) -> Model {
    let mut annotations = Vec::new();
    let mut diagnostics = options.settings_diagnostics.clone();
    for file in files {
        // One run of every file (the walk's) is taken as it is, not copied.
        if annotations.is_empty() {
            annotations = file.annotations;
        } else {
            annotations.extend(file.annotations);
        }
        diagnostics.extend(file.diagnostics);
    }
    let mut b = Builder {
        tree: Tree::default(),
        threats: Registry::default(),
        controls: Registry::default(),
        flows: Vec::new(),
        flow_ids: HashMap::new(),
        diagnostics,
        catalogue: options.catalogue.clone(),
        transports: options.transports.clone(),
        catalogue_threats: HashMap::new(),
        catalogue_controls: HashMap::new(),
    };
    b.declare_ids(&annotations);
    b.declare_names(&annotations);
    b.declare_catalogue_refs(&annotations);
    b.build_flows(&annotations);
    let mut model = b.relations(annotations, options);
    model.diagnostics = b.diagnostics;
    // SPEC §3.3: where no threat model is written, a `@verb` line that does not parse is
    // someone else's prose (kernel-doc, Doxygen, a sentence): counted, not shown.
    if !model.holds_threat_model() {
        let before = model.diagnostics.len();
        model.diagnostics.retain(|d| !d.code.is_unparsed_line());
        model.stats.prose_lines = before - model.diagnostics.len();
    }
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

    pub(super) fn set_layer(&mut self, node: usize, layer: Layer, a: &Annotation, m: &Mention) {
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
    pub(super) fn find(&self, role: Role, m: &Mention) -> Option<usize> {
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

    /// The component a note-like annotation (`@assumes`, `@owns`) is about: an existing
    /// one, a `#id` (dangling if nothing declares it), or else the path's key, with no
    /// component made for it.
    pub(super) fn existing_component(&mut self, a: &Annotation, m: &Mention) -> String {
        match self.find(Role::Component, m) {
            Some(i) => self.tree.id_of(i),
            None if m.is_reference => self.resolve(a, Role::Component, m).0,
            None => super::components::path_key(m.name.as_deref().unwrap_or_default()),
        }
    }

    pub(super) fn dangling(
        &mut self,
        a: &Annotation,
        m: &Mention,
        kind: &str,
        suggestion: Option<String>,
    ) {
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
    pub(super) fn resolve(
        &mut self,
        a: &Annotation,
        role: Role,
        m: &Mention,
    ) -> (String, TargetKind) {
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
                Role::Threat => (
                    "threat",
                    self.threats.suggest(&raw).or_else(|| {
                        super::registry::closest(
                            &raw,
                            self.catalogue.threats().map(|e| e.id.as_str()),
                        )
                    }),
                ),
                Role::Control => (
                    "control",
                    self.controls.suggest(&raw).or_else(|| {
                        super::registry::closest(
                            &raw,
                            self.catalogue.controls().map(|e| e.id.as_str()),
                        )
                    }),
                ),
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
}
