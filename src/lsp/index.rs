//! Where each entity is written: every mention of a component, threat, control, flow or
//! boundary in every annotation of the folder, with its exact span and the entity it
//! resolves to (by the model's own rules: ids case-insensitive and normalised, a name
//! reaching the entity its normalised form names). Hover, definition, references, rename,
//! symbols and code actions all start from here.

use std::collections::HashMap;

use crate::annotation::{Annotation, BoundarySides, Form, Mention};
use crate::model::Model;
use crate::model::normalize::{id_key, normalize};
use crate::scan::FileResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Component,
    Threat,
    Control,
    Flow,
    Boundary,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Component => "component",
            Kind::Threat => "threat",
            Kind::Control => "control",
            Kind::Flow => "flow",
            Kind::Boundary => "boundary",
        }
    }
}

/// An entity of the model: its kind and its id there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Entity {
    pub kind: Kind,
    pub id: String,
}

/// The role a mention plays in its annotation, which decides what it may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Component,
    /// A component, or a flow by `#id`.
    Target,
    Threat,
    Control,
    /// A flow's own `(#id)`.
    Flow,
    /// A boundary's own `(#id)`.
    Boundary,
}

/// One mention, where it is written.
#[derive(Debug, Clone)]
pub struct Occurrence {
    /// The file it is written in, relative to the folder.
    pub file: String,
    pub line: u32,
    /// Scalar columns `[start, end)` of the whole mention (`Name (#id)`, `#id`, a name).
    pub start: u32,
    pub end: u32,
    /// Columns of the id's characters, without `#`, when the mention has an id.
    pub id_span: Option<(u32, u32)>,
    /// The id as written.
    pub id: Option<String>,
    /// It declares the entity: `Name (#id)`, or the name of a `@component`, `@threat`,
    /// `@control`.
    pub declares: bool,
    pub slot: Slot,
    /// What it resolves to; `None` for a dangling reference.
    pub entity: Option<Entity>,
}

impl Occurrence {
    pub fn contains(&self, line: u32, column: u32) -> bool {
        self.line == line && self.start <= column && column <= self.end
    }
}

/// The model's entities by id and by name, resolved as the model resolves them.
#[derive(Default)]
pub struct Lookup {
    threat_ids: HashMap<String, usize>,
    threat_names: HashMap<String, usize>,
    control_ids: HashMap<String, usize>,
    control_names: HashMap<String, usize>,
    component_ids: HashMap<String, usize>,
    component_paths: HashMap<String, usize>,
    flows: HashMap<String, usize>,
    boundaries: HashMap<String, usize>,
}

/// The key a component path is known by (`App:Orders` and `app.orders` are one), as the
/// model computes it.
pub fn path_key(name: &str) -> String {
    let parts: Vec<&str> = if name.contains(':') {
        name.split(':').collect()
    } else if name.contains('.') && !name.contains(char::is_whitespace) {
        name.split('.').collect()
    } else {
        vec![name]
    };
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|s| {
            let key = normalize(s);
            if key.is_empty() { "root".into() } else { key }
        })
        .collect::<Vec<_>>()
        .join(".")
}

impl Lookup {
    pub fn new(model: &Model) -> Lookup {
        let mut l = Lookup::default();
        for (i, t) in model.threats.iter().enumerate() {
            l.threat_ids.entry(id_key(&t.id)).or_insert(i);
            l.threat_names.entry(normalize(&t.name)).or_insert(i);
        }
        for (i, c) in model.controls.iter().enumerate() {
            l.control_ids.entry(id_key(&c.id)).or_insert(i);
            l.control_names.entry(normalize(&c.name)).or_insert(i);
        }
        for (i, c) in model.components.iter().enumerate() {
            l.component_ids.entry(id_key(&c.id)).or_insert(i);
            l.component_paths
                .entry(path_key(&c.path.join(":")))
                .or_insert(i);
        }
        for (i, f) in model.flows.iter().enumerate() {
            l.flows.entry(id_key(&f.id)).or_insert(i);
        }
        for (i, b) in model.boundaries.iter().enumerate() {
            l.boundaries.entry(id_key(&b.id)).or_insert(i);
        }
        l
    }

    fn threat(&self, m: &Mention) -> Option<usize> {
        find(&self.threat_ids, &self.threat_names, m, normalize)
    }

    fn control(&self, m: &Mention) -> Option<usize> {
        find(&self.control_ids, &self.control_names, m, normalize)
    }

    fn component(&self, m: &Mention) -> Option<usize> {
        match (&m.id, &m.name) {
            (Some(id), _) => {
                let key = id_key(id);
                self.component_ids
                    .get(&key)
                    .or_else(|| self.component_paths.get(&key))
                    .copied()
            }
            (None, Some(name)) => {
                let key = path_key(name);
                self.component_paths
                    .get(&key)
                    .or_else(|| self.component_ids.get(&key))
                    .copied()
            }
            _ => None,
        }
    }

    /// The entity a mention in `slot` reaches.
    pub fn resolve(&self, model: &Model, slot: Slot, m: &Mention) -> Option<Entity> {
        let entity = |kind, id: &String| {
            Some(Entity {
                kind,
                id: id.clone(),
            })
        };
        let raw = m.id.as_deref().or(m.name.as_deref()).unwrap_or_default();
        match slot {
            Slot::Threat => self
                .threat(m)
                .and_then(|i| entity(Kind::Threat, &model.threats[i].id)),
            Slot::Control => self
                .control(m)
                .and_then(|i| entity(Kind::Control, &model.controls[i].id)),
            Slot::Component => self
                .component(m)
                .and_then(|i| entity(Kind::Component, &model.components[i].id)),
            Slot::Target => match self.component(m) {
                Some(i) => entity(Kind::Component, &model.components[i].id),
                None => self.flow(model, raw),
            },
            Slot::Flow => self.flow(model, raw),
            Slot::Boundary => self
                .boundaries
                .get(&id_key(raw))
                .and_then(|&i| entity(Kind::Boundary, &model.boundaries[i].id)),
        }
    }

    fn flow(&self, model: &Model, id: &str) -> Option<Entity> {
        self.flows.get(&id_key(id)).map(|&i| Entity {
            kind: Kind::Flow,
            id: model.flows[i].id.clone(),
        })
    }
}

fn find(
    ids: &HashMap<String, usize>,
    names: &HashMap<String, usize>,
    m: &Mention,
    norm: fn(&str) -> String,
) -> Option<usize> {
    match (&m.id, &m.name) {
        (Some(id), _) => ids.get(&id_key(id)).or_else(|| names.get(&norm(id))),
        (None, Some(name)) => names.get(&norm(name)).or_else(|| ids.get(&norm(name))),
        _ => None,
    }
    .copied()
}

/// The mentions of an annotation with the slot each fills (as the model reads them).
pub fn mentions(a: &Annotation) -> Vec<(Slot, &Mention)> {
    match &a.form {
        Form::Component { component } => vec![(Slot::Component, component)],
        Form::Threat { threat } => vec![(Slot::Threat, threat)],
        Form::Control { control } => vec![(Slot::Control, control)],
        Form::Mitigates {
            target,
            threat,
            control,
        } => {
            let mut v = vec![(Slot::Target, target), (Slot::Threat, threat)];
            v.extend(control.iter().map(|c| (Slot::Control, c)));
            v
        }
        Form::Exposes { target, threat, .. } | Form::Accepts { threat, target, .. } => {
            vec![(Slot::Target, target), (Slot::Threat, threat)]
        }
        Form::Transfers {
            threat, from, to, ..
        } => vec![
            (Slot::Threat, threat),
            (Slot::Component, from),
            (Slot::Component, to),
        ],
        Form::Connects {
            endpoints,
            mechanism_parts,
            ..
        } => endpoints
            .iter()
            .map(|e| (Slot::Component, e))
            .chain(mechanism_parts.iter().map(|m| (Slot::Control, m)))
            .collect(),
        Form::Boundary { sides, .. } => match sides {
            BoundarySides::Between(sides) => {
                vec![(Slot::Component, &sides.0), (Slot::Component, &sides.1)]
            }
            BoundarySides::Around(members) => {
                members.iter().map(|m| (Slot::Component, m)).collect()
            }
        },
        Form::Handles { target, .. } | Form::Assumes { target, .. } | Form::Owns { target, .. } => {
            vec![(Slot::Component, target)]
        }
        Form::Review { target, .. } => target.iter().map(|t| (Slot::Component, t)).collect(),
        Form::Tests { control, target } => {
            vec![(Slot::Control, control), (Slot::Component, target)]
        }
        Form::Feature { .. } | Form::Comment { .. } => Vec::new(),
    }
}

/// Where an annotation is written: its line and the column of its `@` (a sidecar line
/// anchored elsewhere by `@source` is written at its origin).
pub fn written(a: &Annotation) -> (u32, u32) {
    match &a.origin {
        Some(o) => (o.line, o.column),
        None => (a.location.line, a.location.column),
    }
}

pub struct Index {
    pub lookup: Lookup,
    pub occurrences: Vec<Occurrence>,
    by_file: HashMap<String, Vec<usize>>,
}

impl Index {
    pub fn build(model: &Model, files: &[&FileResult]) -> Index {
        let lookup = Lookup::new(model);
        let mut occurrences = Vec::new();
        for file in files {
            for a in &file.annotations {
                annotation_occurrences(model, &lookup, &file.path, a, &mut occurrences);
            }
        }
        let mut by_file: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, o) in occurrences.iter().enumerate() {
            by_file.entry(o.file.clone()).or_default().push(i);
        }
        Index {
            lookup,
            occurrences,
            by_file,
        }
    }

    /// The mentions written in a file.
    pub fn in_file<'a>(&'a self, file: &str) -> impl Iterator<Item = &'a Occurrence> + 'a {
        self.by_file
            .get(file)
            .into_iter()
            .flatten()
            .map(|&i| &self.occurrences[i])
    }

    /// The mention at a place: the innermost one (a `#id` inside a name's span wins).
    pub fn at(&self, file: &str, line: u32, column: u32) -> Option<&Occurrence> {
        self.in_file(file)
            .filter(|o| o.contains(line, column))
            .min_by_key(|o| o.end - o.start)
    }
}

fn annotation_occurrences(
    model: &Model,
    lookup: &Lookup,
    file: &str,
    a: &Annotation,
    out: &mut Vec<Occurrence>,
) {
    let (line, at) = written(a);
    let text: Vec<char> = a.text.chars().collect();
    let declaring = matches!(
        a.form,
        Form::Component { .. } | Form::Threat { .. } | Form::Control { .. }
    );
    let occurrence =
        |slot, start, end, id_span, id: Option<&String>, declares, entity| Occurrence {
            file: file.to_string(),
            line,
            start,
            end,
            id_span,
            id: id.cloned(),
            declares,
            slot,
            entity,
        };
    for (slot, m) in mentions(a) {
        if m.name.is_none() && m.id.is_none() {
            continue;
        }
        let entity = lookup.resolve(model, slot, m);
        let offset = m.column.saturating_sub(at) as usize;
        if m.is_reference {
            let id = m.id.as_deref().unwrap_or_default();
            let len = id.chars().count() as u32;
            let hash =
                find_at(&text, offset, &format!("#{id}")).map_or(m.column, |i| at + i as u32);
            out.push(occurrence(
                slot,
                hash,
                hash + 1 + len,
                Some((hash + 1, hash + 1 + len)),
                m.id.as_ref(),
                false,
                entity,
            ));
            continue;
        }
        let name_end = match &m.name {
            Some(name) => name_span(&text, offset, name),
            None => offset,
        };
        let (end, id_span) = match &m.id {
            Some(id) => match id_definition(&text, name_end, id) {
                Some((id_start, close)) => {
                    let len = id.chars().count() as u32;
                    (
                        at + close as u32,
                        Some((at + id_start as u32, at + id_start as u32 + len)),
                    )
                }
                None => (at + name_end as u32, None),
            },
            None => (at + name_end as u32, None),
        };
        let declares = m.id.is_some() || (declaring && !m.is_reference);
        out.push(occurrence(
            slot,
            m.column,
            end,
            id_span,
            m.id.as_ref(),
            declares,
            entity,
        ));
    }
    // The `(#id)` of a flow or a boundary.
    let own = match &a.form {
        Form::Connects { id: Some(id), .. } => Some((Slot::Flow, id)),
        Form::Boundary { id: Some(id), .. } => Some((Slot::Boundary, id)),
        _ => None,
    };
    if let Some((slot, id)) = own {
        let m = Mention {
            id: Some(id.clone()),
            ..Mention::default()
        };
        let entity = lookup.resolve(model, slot, &m);
        if let Some((id_start, close)) = id_definition(&text, 0, id) {
            let len = id.chars().count() as u32;
            let id_start = at + id_start as u32;
            out.push(occurrence(
                slot,
                id_start - 2,
                at + close as u32,
                Some((id_start, id_start + len)),
                Some(id),
                true,
                entity,
            ));
        }
    }
}

/// The char index of `needle` in `text` at or after `from`.
fn find_at(text: &[char], from: usize, needle: &str) -> Option<usize> {
    let needle: Vec<char> = needle.chars().collect();
    (from..text.len().saturating_sub(needle.len() - 1)).find(|&i| {
        text[i..i + needle.len()]
            .iter()
            .zip(&needle)
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
    })
}

/// The end (char index) of `name` written from `start`: its words with any whitespace
/// between them, or a `"quoted"` name with its quotes.
fn name_span(text: &[char], start: usize, name: &str) -> usize {
    let fallback = (start + name.chars().count()).min(text.len());
    if text.get(start) == Some(&'"') {
        let mut i = start + 1;
        while i < text.len() {
            match text[i] {
                '\\' => i += 2,
                '"' => return i + 1,
                _ => i += 1,
            }
        }
        return fallback;
    }
    let mut i = start;
    for (n, word) in name.split_whitespace().enumerate() {
        if n > 0 {
            while text.get(i).is_some_and(|c| c.is_whitespace()) {
                i += 1;
            }
        }
        for c in word.chars() {
            if text.get(i) != Some(&c) {
                return fallback;
            }
            i += 1;
        }
    }
    i
}

/// Where `(#id)` is written at or after `from`: the char index of the id's first
/// character and the index just past `)`.
fn id_definition(text: &[char], from: usize, id: &str) -> Option<(usize, usize)> {
    let mut i = from;
    while let Some(open) = find_at(text, i, "(#") {
        let close = (open..text.len()).find(|&j| text[j] == ')')?;
        let inner: String = text[open + 2..close].iter().collect();
        if inner.trim().eq_ignore_ascii_case(id) {
            let lead = inner.chars().take_while(|c| c.is_whitespace()).count();
            return Some((open + 2 + lead, close + 1));
        }
        i = open + 2;
    }
    None
}
