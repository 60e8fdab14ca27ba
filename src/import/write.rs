//! A Threatspec model written as `*.threatline` annotations: one declaration per library
//! entry (`@threat Name (#id)` with a YAML block for the description and custom fields),
//! then every relation by `#id`, so no name can be split on a keyword.
//!
//! Every line is parsed back with threatline's own parser as it is written; where text
//! would not survive (a name holding `[...]`, details ending in `cwe:...`, a `#` in a
//! mechanism that names no control), it moves to the YAML block or is made safe, with a
//! warning, so nothing is lost silently.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use super::relations::relations;
use super::text::{annotation, collapse, comment_safe, header, parse, safe_text, take_refs};
use super::{LibraryEntry, ThreatspecModel};
use crate::annotation::{Form, Verb};
use crate::model::normalize::{id_key, normalize};

/// What to write.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Only the threats, controls and components: for a tree whose Threatspec annotations
    /// stay in the code, where threatline reads the relations as they are.
    pub library_only: bool,
}

/// The files written (name, contents) and what the person importing should know.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    pub files: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Kind {
    Threat,
    Control,
    Component,
}

impl Kind {
    fn verb(self) -> Verb {
        match self {
            Kind::Threat => Verb::Threat,
            Kind::Control => Verb::Control,
            Kind::Component => Verb::Component,
        }
    }
}

/// Writes `ts` as annotation files.
pub fn to_annotations(ts: &ThreatspecModel, options: &ImportOptions) -> Imported {
    let mut w = Writer::new(ts);
    let mut files = vec![
        ("threats.threatline".to_string(), w.library(Kind::Threat)),
        ("controls.threatline".to_string(), w.library(Kind::Control)),
        (
            "components.threatline".to_string(),
            w.library(Kind::Component),
        ),
    ];
    if !options.library_only {
        files.push(("threatmodel.threatline".to_string(), w.relations()));
    }
    Imported {
        files,
        warnings: w.warnings,
    }
}

pub(super) struct Writer<'a> {
    pub(super) ts: &'a ThreatspecModel,
    /// Library entries per kind, with placeholders for ids only relations name.
    pub(super) entries: BTreeMap<Kind, BTreeMap<String, LibraryEntry>>,
    /// Threatspec id to threatline id, per kind.
    pub(super) ids: HashMap<(Kind, String), String>,
    /// Connection ids (`custom.id`) to threatline flow ids.
    pub(super) flows: HashMap<String, String>,
    /// Flow ids already given to a connection: a second one with the same id goes without.
    pub(super) written_flows: HashSet<String>,
    pub(super) warnings: Vec<String>,
}

impl<'a> Writer<'a> {
    fn new(ts: &'a ThreatspecModel) -> Writer<'a> {
        let mut w = Writer {
            ts,
            entries: BTreeMap::new(),
            ids: HashMap::new(),
            flows: HashMap::new(),
            written_flows: HashSet::new(),
            warnings: Vec::new(),
        };
        w.entries.insert(Kind::Threat, ts.threats.clone());
        w.entries.insert(Kind::Control, ts.controls.clone());
        w.entries.insert(Kind::Component, ts.components.clone());
        let all = relations(ts).flat_map(|(_, r)| {
            [
                (Kind::Threat, &r.threat),
                (Kind::Control, &r.control),
                (Kind::Component, &r.component),
                (Kind::Component, &r.source_component),
                (Kind::Component, &r.destination_component),
            ]
        });
        for (kind, id) in all {
            let Some(id) = id else { continue };
            let library = w.entries.get_mut(&kind).expect("every kind");
            if !library.contains_key(id) {
                w.warnings.push(format!(
                    "{} `{id}` is named by a relation but is in no library file; it is \
                     declared with its id as its name",
                    kind.verb().as_str()
                ));
                library.insert(
                    id.clone(),
                    LibraryEntry {
                        id: id.clone(),
                        ..LibraryEntry::default()
                    },
                );
            }
        }
        for kind in [Kind::Threat, Kind::Control, Kind::Component] {
            let mut taken: HashSet<String> = HashSet::new();
            let ids: Vec<String> = w.entries[&kind].keys().cloned().collect();
            for ts_id in ids {
                let id = w.unique_id(&ts_id, &mut taken, "");
                w.ids.insert((kind, ts_id), id);
            }
        }
        let mut taken = HashSet::new();
        for c in &ts.connections {
            if let Some(Value::String(id)) = c.custom.get("id") {
                if w.flows.contains_key(id) {
                    w.warnings.push(format!(
                        "two connections have the id `{id}`; the second is written without it"
                    ));
                    continue;
                }
                let flow = w.unique_id(id, &mut taken, "flow ");
                w.flows.insert(id.clone(), flow);
            }
        }
        w
    }

    /// A threatline id for `ts_id`, unique (as threatline compares ids) in `taken`.
    fn unique_id(&mut self, ts_id: &str, taken: &mut HashSet<String>, what: &str) -> String {
        let body = ts_id.trim().trim_start_matches('#');
        let mut id: String = body
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        // An id ends at a trailing `.` or `-` and starts with a letter, digit or `_`.
        id = id.trim_end_matches(['.', '-']).to_string();
        if !id.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            id.insert(0, '_');
        }
        let base = id.clone();
        let mut n = 2;
        while !taken.insert(id_key(&id)) {
            id = format!("{base}_{n}");
            n += 1;
        }
        if id != body {
            self.warnings
                .push(format!("{what}id `{ts_id}` is written `#{id}`"));
        }
        id
    }

    pub(super) fn id(&self, kind: Kind, ts_id: &str) -> String {
        format!("#{}", self.ids[&(kind, ts_id.to_string())])
    }

    fn library(&mut self, kind: Kind) -> String {
        let (what, file) = match kind {
            Kind::Threat => ("Threats", "threats.json"),
            Kind::Control => ("Controls", "controls.json"),
            Kind::Component => ("Components", "components.json"),
        };
        let mut out = header(&format!(
            "{what} imported from Threatspec ({}, {file}).\n\
             Each declaration is one library entry; its YAML block holds the description and\n\
             the fields Threatspec kept under `custom`.",
            comment_safe(&self.ts.origin)
        ));
        let entries: Vec<LibraryEntry> = self.entries[&kind].values().cloned().collect();
        let mut handles = Vec::new();
        for e in entries {
            let id = self.ids[&(kind, e.id.clone())].clone();
            let mut custom = e.custom.clone();
            let mut refs = Vec::new();
            if kind != Kind::Component {
                refs = take_refs(&mut custom);
            } else {
                if let Some(classes) = custom.remove("handles") {
                    handles.push((id.clone(), classes));
                }
                // `paths` follow from the name; only other paths are worth keeping.
                let name_parent: Vec<String> = e
                    .name
                    .split(':')
                    .map(str::to_string)
                    .collect::<Vec<_>>()
                    .split_last()
                    .map(|(_, p)| p.to_vec())
                    .unwrap_or_default();
                let extra: Vec<&Vec<String>> = e
                    .paths
                    .iter()
                    .filter(|p| **p != name_parent && !p.is_empty())
                    .collect();
                if !extra.is_empty() && !custom.contains_key("paths") {
                    custom.insert("paths".into(), serde_json::json!(extra));
                }
            }
            let name = if e.name.trim().is_empty() {
                id.clone()
            } else {
                e.name.clone()
            };
            if kind == Kind::Component
                && !name.contains(':')
                && name.contains('.')
                && !name.contains(char::is_whitespace)
            {
                self.warnings.push(format!(
                    "component `{name}` ({}) has dots and no `:`, so threatline reads it as \
                     the path `{}`",
                    e.id,
                    name.replace('.', ":")
                ));
            }
            let mut yaml = Vec::new();
            if !e.description.trim().is_empty() {
                yaml.push((
                    "description".to_string(),
                    Value::String(e.description.clone()),
                ));
            }
            yaml.extend(custom);
            out.push_str(&self.declaration(kind, &e.id, &name, &id, refs, yaml));
        }
        for (id, classes) in handles {
            let list: Vec<String> = match &classes {
                Value::Array(items) => items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                Value::String(s) => s.split(',').map(|c| c.trim().to_string()).collect(),
                _ => Vec::new(),
            };
            let list: Vec<String> = list
                .iter()
                .map(|c| normalize(c))
                .filter(|c| !c.is_empty())
                .collect();
            if list.is_empty() {
                self.warnings.push(format!(
                    "component `#{id}`: `handles` {classes} names no data class"
                ));
                continue;
            }
            out.push_str(&format!("@handles {} on #{id}\n", list.join(", ")));
        }
        out
    }

    /// `@verb Name (#id) [refs]`, checked by parsing it back; a name that does not survive
    /// is made safe (the original is kept as `original_name`), refs that do not survive go
    /// to the YAML block.
    fn declaration(
        &mut self,
        kind: Kind,
        ts_id: &str,
        name: &str,
        id: &str,
        mut refs: Vec<String>,
        mut yaml: Vec<(String, Value)>,
    ) -> String {
        let verb = kind.verb();
        let survives = |name: &str, refs: &[String], has_yaml: bool| {
            let args = format!(
                " {name} (#{id}){}",
                refs.iter().map(|r| format!(" {r}")).collect::<String>()
            );
            let ok = parse(verb, &args, has_yaml).is_some_and(|p| {
                let m = match &p.form {
                    Form::Threat { threat } => threat,
                    Form::Control { control } => control,
                    Form::Component { component } => component,
                    _ => return false,
                };
                m.name.as_deref() == Some(&collapse(name))
                    && m.id.as_deref() == Some(id)
                    && m.qualifiers.is_empty()
                    && p.qualifiers.is_empty()
                    && p.refs == refs
                    && p.description.is_none()
            });
            ok.then_some(args)
        };
        let mut written = name.to_string();
        if survives(&written, &[], !yaml.is_empty()).is_none() {
            // `original_name` joins the YAML block, so the line will have one.
            written = safe_text(name);
            if survives(&written, &[], true).is_none() {
                written = id.to_string();
            }
            self.warnings.push(format!(
                "{} `{ts_id}`: the name `{name}` is written `{written}` (the original is \
                 kept as `original_name`)",
                verb.as_str()
            ));
            yaml.push(("original_name".into(), Value::String(name.to_string())));
        }
        if !refs.is_empty() && survives(&written, &refs, !yaml.is_empty()).is_none() {
            yaml.push(("refs".into(), Value::from(std::mem::take(&mut refs))));
        }
        let args = survives(&written, &refs, !yaml.is_empty());
        let args = args.unwrap_or_else(|| format!(" {id} (#{id})"));
        annotation(verb.as_str(), &args, &yaml)
    }
}
