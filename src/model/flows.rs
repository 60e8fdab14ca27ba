//! Flows: one per `@connects` / `@flows` hop, with ids and the controls they name.

use super::build::{Builder, Role, site};
use super::fields::properties;
use super::normalize::{id_key, normalize};
use super::*;
use crate::annotation::{Annotation, Form};
use crate::diagnostics::{Code, Diagnostic};

impl Builder {
    pub(super) fn build_flows(&mut self, annotations: &[Annotation]) {
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
            // The mechanism without the declared controls it names by name: what is left
            // may name a transport (`TLS Everywhere` is a declared control, not a word
            // `TLS` to infer from).
            let mut undeclared = mechanism.clone().unwrap_or_default();
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
                    if let Some(name) = &part.name {
                        undeclared = blank_out(&undeclared, name);
                    }
                }
            }
            // Secure transports the mechanism names protect it too, marked as inferred.
            let inferred = self.transports.infer(&undeclared);
            let insecure = self.transports.insecure(&undeclared);
            let hops = ends.len().saturating_sub(1);
            for hop in 0..hops {
                let (from, to) = (ends[hop].clone(), ends[hop + 1].clone());
                let flow_id = match id {
                    Some(id) if hops == 1 => id.clone(),
                    Some(id) => format!("{id}-{}", hop + 1),
                    None => self.derived_flow_id(&from, &to, mechanism.as_deref(), *two_way),
                };
                let key = id_key(&flow_id);
                if let Some(&existing) = self.flow_ids.get(&key) {
                    let same = &self.flows[existing];
                    // The same flow written again (same ends, same mechanism): one edge,
                    // every site and description kept.
                    if same.from == from
                        && same.to == to
                        && same.mechanism == *mechanism
                        && same.two_way == *two_way
                    {
                        let mention = FlowMention {
                            description: description(a),
                            site: site(a),
                        };
                        self.flows[existing].also_at.push(mention);
                        continue;
                    }
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
                    inferred: inferred.clone(),
                    insecure: insecure.clone(),
                    from_zone: String::new(),
                    to_zone: String::new(),
                    description: description(a),
                    properties: properties(&a.qualifiers, a),
                    site: site(a),
                    also_at: Vec::new(),
                });
            }
        }
    }

    /// `from->to`, with the mechanism when another flow joins the same ends.
    pub(super) fn derived_flow_id(
        &self,
        from: &str,
        to: &str,
        mechanism: Option<&str>,
        two_way: bool,
    ) -> String {
        let plain = format!("{from}->{to}");
        if !self.flow_ids.contains_key(&id_key(&plain)) {
            return plain;
        }
        // Same ends and same mechanism: the same flow declared twice.
        let same = self.flows.iter().any(|f| {
            f.from == from
                && f.to == to
                && f.mechanism.as_deref() == mechanism
                && f.two_way == two_way
        });
        if same {
            return plain;
        }
        let mut tag = mechanism.map(normalize).unwrap_or_default();
        if two_way {
            tag.push_str("_two_way");
        }
        let mut candidate = format!("{plain}[{tag}]");
        let mut n = 2;
        while self.flow_ids.contains_key(&id_key(&candidate)) {
            candidate = format!("{plain}[{tag}]{n}");
            n += 1;
        }
        candidate
    }
}

/// A flow annotation's description: its `-- "..."`, else its YAML block's.
fn description(a: &Annotation) -> Option<String> {
    a.description
        .clone()
        .or_else(|| a.fields.as_ref().and_then(|f| f.description.clone()))
}

/// `text` with every case-insensitive occurrence of `word` turned into spaces.
fn blank_out(text: &str, word: &str) -> String {
    let lower = text.to_lowercase();
    let word = word.to_lowercase();
    if word.is_empty() || lower.len() != text.len() {
        return text.to_string();
    }
    let mut out = text.to_string();
    for (at, _) in lower.match_indices(&word) {
        out.replace_range(at..at + word.len(), &" ".repeat(word.len()));
    }
    out
}
