//! The relations of `threatmodel.json` as annotations, each by `#id`: Threatspec's
//! `details` stay `with <details>` where they read back as written, and join the YAML block
//! (as the description threatline makes of them anyway) where they would not.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::text::{annotation, collapse, comment_safe, header, parse, safe_text, take_refs};
use super::write::{Kind, Writer};
use super::{Relation, ThreatspecModel};
use crate::annotation::{Form, Mention, Parsed, Severity, Verb};
use crate::model::normalize::id_key;

impl Writer<'_> {
    pub(super) fn relations(&mut self) -> String {
        let mut out = header(&format!(
            "Relations imported from Threatspec ({}, threatmodel.json), by #id.\n\
             If the Threatspec annotations stay in the code, threatline reads them there: keep\n\
             either them or this file, not both, or every relation counts twice.",
            comment_safe(&self.ts.origin)
        ));
        let ts = self.ts;
        let mut section = "";
        for (kind, r) in relations(ts) {
            if kind != section {
                section = kind;
                out.push_str(&format!("# {kind}\n\n"));
            }
            if let Some(origin) = &r.origin {
                out.push_str(&format!("# from {}\n", comment_safe(origin)));
            }
            let text = self.relation(kind, r);
            out.push_str(&text);
        }
        out
    }

    fn relation(&mut self, kind: &str, r: &Relation) -> String {
        let mut custom = r.custom.clone();
        let threat = r.threat.as_deref().map(|t| self.id(Kind::Threat, t));
        let control = r.control.as_deref().map(|c| self.id(Kind::Control, c));
        let component = |w: &Self, c: &Option<String>| {
            c.as_deref()
                .map(|c| w.id(Kind::Component, c))
                .unwrap_or_default()
        };
        // A relation about a flow names the flow's source component and `custom.flow`.
        let mut target = component(self, &r.component);
        if matches!(kind, "mitigations" | "exposures" | "acceptances")
            && let Some(Value::String(flow)) = custom.get("flow")
            && let Some(id) = self.flows.get(flow)
        {
            target = format!("#{id}");
            custom.remove("flow");
        }
        let threat = threat.unwrap_or_default();
        let details = r.details.trim().to_string();
        match kind {
            "mitigations" => {
                let head = match &control {
                    Some(c) => format!(" {target} against {threat} with {c}"),
                    None => format!(" {target} against {threat}"),
                };
                self.finish(Verb::Mitigates, head, String::new(), &r.description, custom)
            }
            "exposures" => {
                let mut tail = String::new();
                if let Some(Value::String(s)) = custom.get("severity")
                    && let Some(severity) = Severity::parse(s)
                {
                    tail.push_str(&format!(" [{}]", severity.as_str()));
                    custom.remove("severity");
                }
                for r in take_refs(&mut custom) {
                    tail.push_str(&format!(" {r}"));
                }
                self.with_details(
                    Verb::Exposes,
                    format!(" {target} to {threat}"),
                    &details,
                    tail,
                    &r.description,
                    custom,
                )
            }
            "acceptances" => self.with_details(
                Verb::Accepts,
                format!(" {threat} on {target}"),
                &details,
                String::new(),
                &r.description,
                custom,
            ),
            "transfers" => {
                let (from, to) = (
                    component(self, &r.source_component),
                    component(self, &r.destination_component),
                );
                self.with_details(
                    Verb::Transfers,
                    format!(" {threat} from {from} to {to}"),
                    &details,
                    String::new(),
                    &r.description,
                    custom,
                )
            }
            "connections" => self.connection(r, custom),
            "reviews" => self.with_details(
                Verb::Review,
                format!(" {target}"),
                &details,
                String::new(),
                &r.description,
                custom,
            ),
            _ => {
                let control = control.unwrap_or_default();
                self.finish(
                    Verb::Tests,
                    format!(" {control} for {target}"),
                    String::new(),
                    &r.description,
                    custom,
                )
            }
        }
    }

    /// Threatspec's `with <details>`; threatline joins details and description into one
    /// description, so details that would not read back as written join it in the YAML.
    fn with_details(
        &mut self,
        verb: Verb,
        head: String,
        details: &str,
        tail: String,
        description: &str,
        custom: Map<String, Value>,
    ) -> String {
        if details.is_empty() {
            return self.finish(verb, head, tail, description, custom);
        }
        let with = if verb == Verb::Review {
            format!("{head} {details}")
        } else {
            format!("{head} with {details}")
        };
        let expected = collapse(details);
        let ok = parse(
            verb,
            &format!("{with}{tail}"),
            needs_yaml(description, &custom),
        )
        .is_some_and(|p| {
            let got = match &p.form {
                Form::Exposes { details, .. }
                | Form::Accepts { details, .. }
                | Form::Transfers { details, .. }
                | Form::Review { details, .. } => details.as_deref().map(collapse),
                _ => None,
            };
            got.as_deref() == Some(expected.as_str())
        });
        if ok {
            return self.finish(verb, with, tail, description, custom);
        }
        let joined = if description.trim().is_empty() {
            details.to_string()
        } else {
            format!("{details} {}", description.trim())
        };
        let mut yaml = vec![("description".to_string(), Value::String(joined))];
        yaml.extend(custom);
        annotation(verb.as_str(), &format!("{head}{tail}"), &yaml)
    }

    fn connection(&mut self, r: &Relation, mut custom: Map<String, Value>) -> String {
        let from = self.id(
            Kind::Component,
            r.source_component.as_deref().unwrap_or_default(),
        );
        let to = self.id(
            Kind::Component,
            r.destination_component.as_deref().unwrap_or_default(),
        );
        let direction = r.direction.as_deref().unwrap_or("to");
        let mut tail = String::new();
        if let Some(Value::String(id)) = custom.get("id").cloned()
            && let Some(flow) = self.flows.get(&id).cloned()
            && self.written_flows.insert(flow.clone())
        {
            tail = format!(" (#{flow})");
            custom.remove("id");
        }
        let original = r.details.trim().to_string();
        let controls: HashSet<String> = self
            .ids
            .iter()
            .filter(|((k, _), _)| *k == Kind::Control)
            .map(|(_, id)| id_key(id))
            .collect();
        let mut mechanism = original.clone();
        for attempt in 0..3 {
            let head = if mechanism.is_empty() {
                format!(" {from} {direction} {to}")
            } else {
                format!(" {from} {direction} {to} with {mechanism}")
            };
            // From the second attempt on, `threatspec_details` joins the YAML block.
            let has_yaml = needs_yaml(&r.description, &custom) || attempt > 0;
            let two_way = direction == "with";
            let ok = parse(Verb::Connects, &format!("{head}{tail}"), has_yaml)
                .is_some_and(|p| reads_back(&p, &mechanism, two_way, &tail, &controls));
            if ok {
                if mechanism != original {
                    self.warnings.push(format!(
                        "connection {from} {direction} {to}: the details `{original}` are \
                         written `{mechanism}` (the original is kept as `threatspec_details`)"
                    ));
                    custom.insert("threatspec_details".into(), Value::String(original));
                }
                return self.finish(Verb::Connects, head, tail, &r.description, custom);
            }
            mechanism = match attempt {
                // A `#` that names no control is text in Threatspec: `# 443` is text here.
                0 => unmark_references(&mechanism, &controls),
                _ => safe_text(&mechanism),
            };
        }
        self.warnings.push(format!(
            "connection {from} {direction} {to}: the details `{original}` are kept as \
             `threatspec_details` only"
        ));
        custom.insert("threatspec_details".into(), Value::String(original));
        self.finish(
            Verb::Connects,
            format!(" {from} {direction} {to}"),
            tail,
            &r.description,
            custom,
        )
    }

    /// The annotation with its description: inline as `-- "..."` when it is one line and
    /// there is no YAML block, else in the YAML block.
    fn finish(
        &mut self,
        verb: Verb,
        head: String,
        tail: String,
        description: &str,
        custom: Map<String, Value>,
    ) -> String {
        let inline = !description.trim().is_empty() && !needs_yaml(description, &custom);
        let description = description.trim();
        let mut yaml: Vec<(String, Value)> = Vec::new();
        if !description.is_empty() && !inline {
            yaml.push(("description".into(), Value::String(description.to_string())));
        }
        yaml.extend(custom);
        let mut args = format!("{head}{tail}");
        if inline {
            args.push_str(&format!(
                " -- \"{}\"",
                description.replace('\\', "\\\\").replace('"', "\\\"")
            ));
        }
        annotation(verb.as_str(), &args, &yaml)
    }
}

/// Whether a relation's annotation gets a YAML block: for custom fields, or a description
/// that `-- "..."` cannot hold (several lines).
fn needs_yaml(description: &str, custom: &Map<String, Value>) -> bool {
    !custom.is_empty() || description.trim().chars().any(char::is_control)
}

/// Every relation with the name of its list, in Threatspec's order of lists.
pub(super) fn relations(ts: &ThreatspecModel) -> impl Iterator<Item = (&'static str, &Relation)> {
    [
        ("mitigations", &ts.mitigations),
        ("exposures", &ts.exposures),
        ("acceptances", &ts.acceptances),
        ("transfers", &ts.transfers),
        ("connections", &ts.connections),
        ("reviews", &ts.reviews),
        ("tests", &ts.tests),
    ]
    .into_iter()
    .flat_map(|(kind, list)| list.iter().map(move |r| (kind, r)))
}

/// Whether a parsed `@connects` line says what was meant: the mechanism, the direction, the
/// flow id, nothing more, and every `#id` in the mechanism a control's.
fn reads_back(
    p: &Parsed,
    mechanism: &str,
    two_way: bool,
    tail: &str,
    controls: &HashSet<String>,
) -> bool {
    let Form::Connects {
        mechanism: m,
        mechanism_parts,
        id,
        two_way: parsed_two_way,
        ..
    } = &p.form
    else {
        return false;
    };
    m.as_deref().map(collapse) == (!mechanism.is_empty()).then(|| collapse(mechanism))
        && *parsed_two_way == two_way
        && id.as_ref().map(|i| format!(" (#{i})")).unwrap_or_default() == tail
        && p.qualifiers.is_empty()
        && p.description.is_none()
        && mechanism_parts
            .iter()
            .all(|part| !part.is_reference || references(part, controls))
}

fn references(part: &Mention, controls: &HashSet<String>) -> bool {
    part.id
        .as_deref()
        .is_some_and(|id| controls.contains(&id_key(id)))
}

/// `#word` that is no control's id becomes `# word`, which threatline reads as text.
fn unmark_references(text: &str, controls: &HashSet<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let word: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .collect();
        out.push('#');
        if !word.is_empty() && !controls.contains(&id_key(&word)) {
            out.push(' ');
        }
        rest = after;
    }
    out.push_str(rest);
    out
}
