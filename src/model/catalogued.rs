//! Catalogue ids in annotations (`@exposes #etcd to #k8s-etcd-tampering`): a `#id` that no
//! annotation declares, but the catalogue has, declares that catalogue entry. A local
//! declaration with the same id always wins, since it is registered first.

use super::build::{Builder, Role, mentions, site};
use super::{Control, Threat};
use crate::annotation::{Annotation, Form};
use crate::catalogue::Entry;

impl Builder {
    /// Between the name pass and the relations: every `#id` still unresolved that the
    /// catalogue knows becomes that entry.
    pub(super) fn declare_catalogue_refs(&mut self, annotations: &[Annotation]) {
        for a in annotations {
            let s = site(a);
            let mut refs: Vec<(Role, &str)> = mentions(a)
                .into_iter()
                .filter(|(role, m)| matches!(role, Role::Threat | Role::Control) && m.is_reference)
                .filter_map(|(role, m)| m.id.as_deref().map(|id| (role, id)))
                .collect();
            if let Form::Connects {
                mechanism_parts, ..
            } = &a.form
            {
                refs.extend(
                    mechanism_parts
                        .iter()
                        .filter(|p| p.is_reference)
                        .filter_map(|p| p.id.as_deref().map(|id| (Role::Control, id))),
                );
            }
            for (role, id) in refs {
                let (registry, entry, known) = match role {
                    Role::Threat => (
                        &mut self.threats,
                        self.catalogue.threat(id),
                        &mut self.catalogue_threats,
                    ),
                    _ => (
                        &mut self.controls,
                        self.catalogue.control(id),
                        &mut self.catalogue_controls,
                    ),
                };
                if registry.find_id(id).is_some() {
                    continue;
                }
                let Some(entry) = entry else { continue };
                if let Ok(index) = registry.declare(&entry.name, &entry.id, &s) {
                    known.insert(index, entry.clone());
                }
            }
        }
    }
}

/// Fills what the annotations left empty from the catalogue entry.
pub(super) fn fill_threat(t: &mut Threat, entry: &Entry) {
    t.catalogue = Some(entry.id.clone());
    t.severity = t.severity.or(Some(entry.priority.severity()));
    if t.stride.is_empty() {
        t.stride = entry.stride.clone();
        t.stride.sort();
    }
    t.likelihood = t
        .likelihood
        .take()
        .or_else(|| Some(entry.likelihood.as_str().to_string()));
    for r in entry.refs() {
        if !t.refs.contains(&r) {
            t.refs.push(r);
        }
    }
    t.description = t
        .description
        .take()
        .or_else(|| Some(entry.description.trim().to_string()));
    if t.countermeasures.is_none() && !entry.countermeasures.is_empty() {
        t.countermeasures = Some(entry.countermeasures.join("; "));
    }
    t.example = t
        .example
        .take()
        .or_else(|| Some(entry.example.trim().to_string()));
}

pub(super) fn fill_control(c: &mut Control, entry: &Entry) {
    c.catalogue = Some(entry.id.clone());
    c.description = c
        .description
        .take()
        .or_else(|| Some(entry.description.trim().to_string()));
    for r in entry.refs() {
        if !c.refs.contains(&r) {
            c.refs.push(r);
        }
    }
}
