//! Pass 3: every relation with its references resolved.

use super::build::{Builder, Role, mentions, site};
use super::*;
use crate::annotation::{Annotation, BoundarySides, Form, Qualifiers};
use std::collections::HashMap;

use super::fields::{ControlFields, ThreatFields, normalize_ref, properties};
use super::normalize::normalize;

impl Builder {
    /// Pass 3: every relation, resolved. The last pass, so it takes the annotations and
    /// drops each once read: their names, texts and mentions are freed as the model's
    /// relations grow, rather than all held until the model is complete.
    pub(super) fn relations(
        &mut self,
        annotations: Vec<Annotation>,
        options: &BuildOptions,
    ) -> Model {
        let mut m = Model {
            version: FORMAT_VERSION.to_string(),
            ..Model::default()
        };
        let mut threat_fields: HashMap<usize, ThreatFields> = HashMap::new();
        let mut control_fields: HashMap<usize, ControlFields> = HashMap::new();
        for annotation in annotations {
            let a = &annotation;
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
                        properties: properties(&a.qualifiers, a),
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
                    if let Some(i) = self.find(Role::Threat, t) {
                        let fields = threat_fields.entry(i).or_default();
                        // The threat takes this severity where this line first declares it.
                        if let Some(sev) = severity
                            && self.threats.entries[i].first.location == a.location
                        {
                            fields.first_exposure = Some(sev);
                        }
                        // STRIDE is a property of threats: a closing `[tampering]` is the
                        // threat's wherever it is written.
                        let stride = Qualifiers {
                            stride: a.qualifiers.stride.clone(),
                            ..Qualifiers::default()
                        };
                        fields.mention(&stride);
                    }
                    m.exposures.push(Exposure {
                        target,
                        target_kind,
                        threat,
                        severity,
                        refs: a.refs.iter().map(|r| normalize_ref(r)).collect(),
                        description: with_details(details, description.clone()),
                        properties: properties(&a.qualifiers, a),
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
                        description: with_details(details, description.clone()),
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
                        description: with_details(details, description.clone()),
                        properties: properties(&a.qualifiers, a),
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
                    // `[untrusted]` / `[trusted]` before `around` or after its last member:
                    // the trust of the zone it declares (a `between` boundary makes no zone).
                    let mut properties = properties(&a.qualifiers, a);
                    let trust = match sides {
                        BoundarySides::Around(list) => {
                            let tags = a.qualifiers.tags.iter();
                            let trust = super::trust::declared(
                                tags.chain(list.iter().flat_map(|x| &x.qualifiers.tags)),
                            );
                            super::trust::without_trust_tags(&mut properties);
                            trust
                        }
                        BoundarySides::Between(_) => None,
                    };
                    m.boundaries.push(Boundary {
                        id,
                        name: name.clone(),
                        kind,
                        components,
                        severity: a.qualifiers.severity,
                        trust,
                        description,
                        properties,
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
                        details: with_details(&details, description),
                        properties: properties(&a.qualifiers, a),
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
                        properties: properties(&a.qualifiers, a),
                        site: s,
                    });
                }
                Form::Assumes { target, details } => {
                    let target = self.existing_component(a, target);
                    m.assumptions.push(Assumption {
                        target,
                        statement: with_details(details, description),
                        site: s,
                    });
                }
                Form::Owns { owner, target } => {
                    let target = self.existing_component(a, target);
                    m.ownership.push(Ownership {
                        owner: owner.clone(),
                        target,
                        description,
                        site: s,
                    });
                }
                Form::Feature { name } => m.notes.push(Note {
                    kind: NoteKind::Feature,
                    content: name.clone(),
                    description,
                    site: s,
                }),
                Form::Comment { text } => {
                    if let Some(text) = with_details(text, description) {
                        m.notes.push(Note {
                            kind: NoteKind::Comment,
                            content: text,
                            description: None,
                            site: s,
                        });
                    }
                }
            }
        }
        self.finish(m, options, threat_fields, control_fields)
    }

    /// `@review` without `#id` or `--`: the longest run of leading words that names a known
    /// component is the target; the rest is the details. Failing that, the first word.
    pub(super) fn review_target(
        &mut self,
        words: &[(String, u32)],
        site: &Site,
    ) -> (String, Option<String>) {
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
}

/// Threatspec's `with <details>` is the description; a `-- "..."` (inline or on
/// continuation lines) appends to it.
fn with_details(details: &Option<String>, description: Option<String>) -> Option<String> {
    match (details, description) {
        (Some(d), Some(more)) => Some(format!("{d} {more}")),
        (Some(d), None) => Some(d.clone()),
        (None, more) => more,
    }
}
