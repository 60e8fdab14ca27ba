//! What declarations and mentions say about threats and controls, and free-form
//! properties from qualifiers and YAML blocks.

use std::collections::BTreeMap;

use serde_json::Value;

use super::*;
use crate::annotation::{Annotation, Qualifiers};

/// Qualifier values, tags and YAML keys of an annotation, as free-form properties.
pub(super) fn properties(q: &Qualifiers, a: &Annotation) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (k, v) in q.values.iter().chain(a.qualifiers.values.iter()) {
        out.entry(k.clone())
            .or_insert_with(|| Value::String(v.clone()));
    }
    let mut tags: Vec<&String> = Vec::new();
    for t in q.tags.iter().chain(a.qualifiers.tags.iter()) {
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    if !tags.is_empty() {
        let tags = tags.into_iter().map(|t| Value::String(t.clone())).collect();
        out.insert("tags".into(), Value::Array(tags));
    }
    if let Some(f) = &a.fields {
        let typed = serde_json::to_value(f).unwrap_or(Value::Null);
        if let Value::Object(map) = typed {
            for (k, v) in map {
                // These have typed homes (the description, a component's layer).
                if !matches!(k.as_str(), "description" | "custom" | "layer") {
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

/// External references in one spelling: `cwe:89`, `CWE:cwe-89` and `cwe:CWE-89` are all
/// `cwe:CWE-89`; likewise `capec:CAPEC-n`.
pub(super) fn normalize_ref(r: &str) -> String {
    let Some((prefix, value)) = r.split_once(':') else {
        return r.to_string();
    };
    let prefix = prefix.to_ascii_lowercase();
    let numbered = |tag: &str| {
        let upper = value.to_ascii_uppercase();
        let digits = upper
            .strip_prefix(tag)
            .and_then(|v| v.strip_prefix('-'))
            .unwrap_or(&upper);
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            format!("{prefix}:{tag}-{digits}")
        } else {
            format!("{prefix}:{value}")
        }
    };
    match prefix.as_str() {
        "cwe" => numbered("CWE"),
        "capec" => numbered("CAPEC"),
        _ => format!("{prefix}:{value}"),
    }
}

/// What a threat's declaration and mentions say about it.
#[derive(Default)]
pub(super) struct ThreatFields {
    pub(super) declared: Option<Threat>,
    pub(super) mention_severity: Option<Severity>,
    pub(super) mention_stride: Vec<Stride>,
    pub(super) first_exposure: Option<Severity>,
}

impl ThreatFields {
    pub(super) fn mention(&mut self, q: &Qualifiers) {
        self.mention_severity = self.mention_severity.or(q.severity);
        for s in &q.stride {
            if !self.mention_stride.contains(s) {
                self.mention_stride.push(*s);
            }
        }
    }

    /// A `@threat` line about this threat. The first one (path, line, column order) wins
    /// each field; later ones (such as Threatspec's `@threat #id:` blocks) fill the gaps.
    pub(super) fn declaration(&mut self, a: &Annotation, q: &Qualifiers) {
        let f = a.fields.clone().unwrap_or_default();
        let mut stride = q.stride.clone();
        for s in &f.stride {
            if !stride.contains(s) {
                stride.push(*s);
            }
        }
        let mut refs: Vec<String> = Vec::new();
        let cwe = f.cwe.iter().map(|c| format!("cwe:{c}"));
        for r in a.refs.iter().cloned().chain(cwe) {
            let r = normalize_ref(&r);
            if !refs.contains(&r) {
                refs.push(r);
            }
        }
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
            catalogue: None,
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

    pub(super) fn into_threat(self, e: &super::registry::Entry) -> Threat {
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
            catalogue: None,
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
pub(super) struct ControlFields {
    pub(super) description: Option<String>,
    pub(super) refs: Vec<String>,
    pub(super) properties: BTreeMap<String, Value>,
}

impl ControlFields {
    /// A `@control` line about this control: the first one wins each field, later ones
    /// (such as `@control #id:` blocks) fill the gaps.
    pub(super) fn declaration(&mut self, a: &Annotation) {
        if self.description.is_none() {
            self.description = a
                .description
                .clone()
                .or_else(|| a.fields.as_ref().and_then(|f| f.description.clone()));
        }
        for r in &a.refs {
            let r = normalize_ref(r);
            if !self.refs.contains(&r) {
                self.refs.push(r);
            }
        }
        for (k, v) in properties(&a.qualifiers, a) {
            self.properties.entry(k).or_insert(v);
        }
    }
}
