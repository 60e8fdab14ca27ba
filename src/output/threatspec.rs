//! Threatspec 0.5's layouts, so tools built on Threatspec keep working on a threatline
//! model: `ThreatModel.json` (what `threatspec report -o json` writes: the project, the
//! relations with every id expanded into its library object, and the libraries) and the
//! `threatmodel/` directory (`threatmodel.json` with bare ids, `threats.json`,
//! `controls.json`, `components.json`). Field names and order follow Threatspec's code;
//! docs/interop.md lists where threatline says more than Threatspec can hold and where that
//! goes (`custom`).
//!
//! Ids are Threatspec-shaped (`#` and `[a-z0-9_]`, what its library schemas accept):
//! threatline treats `-` and `_` alike and ignores case, so `#api_gateway` written back
//! into annotations still reaches the component declared `(#api-gateway)`.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::{LayerSource, Model, Site, TargetKind};
use crate::report::stride_name;

/// `ThreatModel.json`: the report layout, relations expanded.
pub fn to_threatspec(model: &Model, project_name: &str) -> String {
    let export = Export::new(model);
    let report = Report {
        project: Project {
            name: project_name.to_string(),
            description: String::new(),
        },
        threatmodel: export.threatmodel(true),
        threats: export.threats.clone(),
        controls: export.controls.clone(),
        components: export.components.clone(),
    };
    pretty(&report)
}

/// The files of the `threatmodel/` directory, in the order [`to_threatspec_directory`]
/// gives them.
pub const DIRECTORY_FILES: [&str; 4] = [
    "threatmodel.json",
    "threats.json",
    "controls.json",
    "components.json",
];

/// The `threatmodel/` directory Threatspec's `run` writes and its `report` reads: (file
/// name, contents) for each of [`DIRECTORY_FILES`].
pub fn to_threatspec_directory(model: &Model) -> Vec<(&'static str, String)> {
    let export = Export::new(model);
    let [threatmodel, threats, controls, components] = DIRECTORY_FILES;
    // Threatspec needs a control on every mitigation: those without one name a control
    // made for them (see `NO_CONTROL`), which only this layout's library holds.
    let mut control_library = export.controls.clone();
    if let Some(entry) = &export.no_control {
        control_library.insert(entry.id.clone(), entry.clone());
    }
    vec![
        (threatmodel, pretty(&export.threatmodel(false))),
        (
            threats,
            pretty(&BTreeMap::from([("threats", &export.threats)])),
        ),
        (
            controls,
            pretty(&BTreeMap::from([("controls", &control_library)])),
        ),
        (
            components,
            pretty(&BTreeMap::from([("components", &export.components)])),
        ),
    ]
}

/// The Threatspec id for a threatline id: `#`, lowercase, every run of characters outside
/// `[a-z0-9_]` one `_`, ends trimmed. (Threatspec's own rule deletes `-`; threatline's
/// normalisation reads `-` as `_`, so `_` keeps the id reachable from annotations.)
pub fn threatspec_id(id: &str) -> String {
    let mut body = String::with_capacity(id.len());
    for c in id.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            body.push(c);
        } else if !body.ends_with('_') {
            body.push('_');
        }
    }
    let body = body.trim_matches('_');
    format!("#{}", if body.is_empty() { "_" } else { body })
}

/// Pretty JSON as Threatspec writes it (two-space indent), that Threatspec can also read:
/// it checks each `threatmodel/` file against its schema after reading it with PyYAML,
/// which stops with a traceback at DEL and the C1 controls and reads U+0085, U+2028 and
/// U+2029 as line breaks. Those, and U+FEFF, U+FFFE and U+FFFF, are written as `\uXXXX`
/// (they only occur inside strings, where the escape means the same character in JSON).
fn pretty<T: Serialize>(value: &T) -> String {
    let text = serde_json::to_string_pretty(value).expect("the layout serialises");
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if matches!(
            c,
            '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        ) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    out
}

#[derive(Serialize)]
struct Report {
    project: Project,
    threatmodel: ThreatModelOut,
    threats: BTreeMap<String, Entry>,
    controls: BTreeMap<String, Entry>,
    components: BTreeMap<String, Entry>,
}

#[derive(Serialize)]
struct Project {
    name: String,
    description: String,
}

/// A library object: a threat, control or component (components also have `paths`).
#[derive(Serialize, Clone)]
struct Entry {
    id: String,
    run_id: String,
    name: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    paths: Option<Vec<Vec<String>>>,
    custom: Map<String, Value>,
}

/// An id, or (in `ThreatModel.json`) the library object it names; an id nothing declares
/// stays a bare id, as in Threatspec.
#[derive(Serialize, Clone)]
#[serde(untagged)]
enum Ref {
    Id(String),
    Full(Box<Entry>),
    None(Option<()>),
}

#[derive(Serialize, Clone)]
struct Source {
    annotation: String,
    code: String,
    filename: String,
    line: u32,
}

#[derive(Serialize)]
struct ThreatModelOut {
    mitigations: Vec<Relation>,
    exposures: Vec<Relation>,
    transfers: Vec<Relation>,
    acceptances: Vec<Relation>,
    connections: Vec<Relation>,
    reviews: Vec<Relation>,
    tests: Vec<Relation>,
    run_id: String,
}

/// One relation entry; the fields a kind does not have are left out, so each kind
/// serialises with exactly Threatspec's keys in Threatspec's order.
#[derive(Serialize, Clone, Default)]
struct Relation {
    #[serde(skip_serializing_if = "Option::is_none")]
    control: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    threat: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    component: Option<Ref>,
    /// A test's control, which Threatspec writes after its component.
    #[serde(rename = "control", skip_serializing_if = "Option::is_none")]
    test_control: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_component: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    destination_component: Option<Ref>,
    #[serde(skip_serializing_if = "Option::is_none")]
    direction: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<String>,
    description: String,
    custom: Map<String, Value>,
    source: Option<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tests: Option<Vec<Relation>>,
}

/// Threatspec ids for one kind of entity, unique within the kind.
#[derive(Default)]
struct Ids {
    by_id: HashMap<String, String>,
    taken: HashSet<String>,
}

impl Ids {
    fn assign(&mut self, id: &str) -> String {
        let base = threatspec_id(id);
        // Two threatline ids that fold to one Threatspec id (`a.b`, `a_b`) stay apart.
        let mut ts = base.clone();
        let mut n = 2;
        while self.taken.contains(&ts) {
            ts = format!("{base}_{n}");
            n += 1;
        }
        self.taken.insert(ts.clone());
        self.by_id.insert(id.to_string(), ts.clone());
        ts
    }

    fn get(&self, id: &str) -> String {
        self.by_id
            .get(id)
            .cloned()
            .unwrap_or_else(|| threatspec_id(id))
    }
}

struct Export<'m> {
    model: &'m Model,
    run_id: String,
    threat_ids: Ids,
    control_ids: Ids,
    component_ids: Ids,
    threats: BTreeMap<String, Entry>,
    controls: BTreeMap<String, Entry>,
    components: BTreeMap<String, Entry>,
    /// The control that mitigations without one name in the `threatmodel/` directory, when
    /// there are such mitigations.
    no_control: Option<Entry>,
}

/// The threatline id (one no annotation can write) of the control made for mitigations
/// that name none: Threatspec's `threatmodel/` schema requires a control id on every
/// mitigation, and its loader stops at `null`. Its Threatspec id is `#no_control`, or
/// `#no_control_2` and so on when the model has a control of that id.
const NO_CONTROL: &str = "no control";

impl<'m> Export<'m> {
    fn new(model: &'m Model) -> Export<'m> {
        let mut e = Export {
            model,
            run_id: run_id(model),
            threat_ids: Ids::default(),
            control_ids: Ids::default(),
            component_ids: Ids::default(),
            threats: BTreeMap::new(),
            controls: BTreeMap::new(),
            components: BTreeMap::new(),
            no_control: None,
        };
        for t in &model.threats {
            let id = e.threat_ids.assign(&t.id);
            let mut custom = t.properties.clone().into_iter().collect::<Map<_, _>>();
            if let Some(s) = t.severity {
                custom.insert("severity".into(), s.as_str().into());
            }
            if !t.stride.is_empty() {
                let names = t.stride.iter().map(|s| stride_key(*s).into()).collect();
                custom.insert("stride".into(), Value::Array(names));
            }
            if let Some(l) = &t.likelihood {
                custom.insert("likelihood".into(), l.clone().into());
            }
            insert_refs(&mut custom, &t.refs);
            if let Some(c) = &t.countermeasures {
                custom.insert("countermeasures".into(), c.clone().into());
            }
            if let Some(x) = &t.example {
                custom.insert("example".into(), x.clone().into());
            }
            let entry = e.entry(&id, &t.name, &t.description, None, custom);
            e.threats.insert(id, entry);
        }
        for c in &model.controls {
            let id = e.control_ids.assign(&c.id);
            let mut custom = c.properties.clone().into_iter().collect::<Map<_, _>>();
            insert_refs(&mut custom, &c.refs);
            let entry = e.entry(&id, &c.name, &c.description, None, custom);
            e.controls.insert(id, entry);
        }
        if model.mitigations.iter().any(|x| x.control.is_none()) {
            // Assigned after every real control, so none of their ids changes.
            let id = e.control_ids.assign(NO_CONTROL);
            let description = Some(
                concat!(
                    "Made by threatline: these mitigations name no control ",
                    "(`@mitigates C against T`), and Threatspec needs one."
                )
                .to_string(),
            );
            let custom = Map::from_iter([("threatline_no_control".to_string(), Value::Bool(true))]);
            e.no_control = Some(e.entry(&id, "No control named", &description, None, custom));
        }
        for c in model.components.iter().filter(|c| exported(model, c)) {
            let id = e.component_ids.assign(&c.id);
            let mut custom = c.properties.clone().into_iter().collect::<Map<_, _>>();
            // Only a layer someone wrote: inherited and inferred ones are derived again.
            if c.layer_source == LayerSource::Explicit {
                custom.insert("layer".into(), c.layer.as_str().into());
            }
            if !c.data.is_empty() {
                let data = c.data.iter().map(|d| d.clone().into()).collect();
                custom.insert("handles".into(), Value::Array(data));
            }
            // Threatspec's `paths`: the parent path, as `name.split(":")[0:-1]` gives it.
            let parent = c.path[..c.path.len().saturating_sub(1)].to_vec();
            let name = c.path.join(":");
            let entry = e.entry(&id, &name, &c.description, Some(vec![parent]), custom);
            e.components.insert(id, entry);
        }
        e
    }

    fn entry(
        &self,
        id: &str,
        name: &str,
        description: &Option<String>,
        paths: Option<Vec<Vec<String>>>,
        custom: Map<String, Value>,
    ) -> Entry {
        Entry {
            id: id.to_string(),
            run_id: self.run_id.clone(),
            name: name.to_string(),
            description: description.clone().unwrap_or_default(),
            paths,
            custom,
        }
    }

    fn reference(&self, library: &BTreeMap<String, Entry>, id: String, expand: bool) -> Ref {
        match library.get(&id) {
            Some(entry) if expand => Ref::Full(Box::new(entry.clone())),
            _ => Ref::Id(id),
        }
    }

    fn threat(&self, id: &str, expand: bool) -> Option<Ref> {
        Some(self.reference(&self.threats, self.threat_ids.get(id), expand))
    }

    fn control(&self, id: &str, expand: bool) -> Option<Ref> {
        Some(self.reference(&self.controls, self.control_ids.get(id), expand))
    }

    fn component(&self, id: &str, expand: bool) -> Option<Ref> {
        Some(self.reference(&self.components, self.component_ids.get(id), expand))
    }

    /// The component of a relation about `target`. Threatspec relations are about
    /// components only: a relation about a flow names the flow's source component and
    /// keeps the flow id in `custom.flow`.
    fn target(
        &self,
        target: &str,
        kind: TargetKind,
        custom: &mut Map<String, Value>,
        expand: bool,
    ) -> Option<Ref> {
        if kind == TargetKind::Flow {
            custom.insert("flow".into(), target.into());
            if let Some(flow) = self.model.flows.iter().find(|f| f.id == target) {
                return self.component(&flow.from, expand);
            }
        }
        self.component(target, expand)
    }

    fn threatmodel(&self, expand: bool) -> ThreatModelOut {
        let m = self.model;
        let tests: Vec<Relation> = m
            .tests
            .iter()
            .map(|t| Relation {
                component: self.component(&t.target, expand),
                test_control: self.control(&t.control, expand),
                ..relation(&t.description, &t.properties, &t.site)
            })
            .collect();
        // The report gives every entry the tests of its (component, control) pair.
        let tests_of = |target: &str, control: Option<&str>| -> Option<Vec<Relation>> {
            expand.then(|| {
                m.tests
                    .iter()
                    .zip(&tests)
                    .filter(|(t, _)| t.target == target && Some(t.control.as_str()) == control)
                    .map(|(_, r)| r.clone())
                    .collect()
            })
        };
        let no_tests = || expand.then(Vec::new);
        let mitigations = m
            .mitigations
            .iter()
            .map(|x| {
                let mut r = relation(&x.description, &x.properties, &x.site);
                r.control = match (&x.control, &self.no_control) {
                    (Some(c), _) => self.control(c, expand),
                    // threatline allows a mitigation without a control, Threatspec does
                    // not: `null` in the report (as documented), the made-up control in
                    // the directory Threatspec reads.
                    (None, Some(no_control)) if !expand => Some(Ref::Id(no_control.id.clone())),
                    (None, _) => Some(Ref::None(None)),
                };
                r.threat = self.threat(&x.threat, expand);
                r.component = self.target(&x.target, x.target_kind, &mut r.custom, expand);
                r.tests = tests_of(&x.target, x.control.as_deref());
                r
            })
            .collect();
        let exposures = m
            .exposures
            .iter()
            .map(|x| {
                let mut r = relation(&None, &x.properties, &x.site);
                r.threat = self.threat(&x.threat, expand);
                r.component = self.target(&x.target, x.target_kind, &mut r.custom, expand);
                r.details = Some(x.description.clone().unwrap_or_default());
                if let Some(s) = x.severity {
                    r.custom.insert("severity".into(), s.as_str().into());
                }
                insert_refs(&mut r.custom, &x.refs);
                r.tests = no_tests();
                r
            })
            .collect();
        let transfers = m
            .transfers
            .iter()
            .map(|x| Relation {
                threat: self.threat(&x.threat, expand),
                source_component: self.component(&x.from, expand),
                destination_component: self.component(&x.to, expand),
                details: Some(x.description.clone().unwrap_or_default()),
                tests: no_tests(),
                ..relation(&None, &x.properties, &x.site)
            })
            .collect();
        let acceptances = m
            .acceptances
            .iter()
            .map(|x| {
                let mut r = relation(&None, &x.properties, &x.site);
                r.threat = self.threat(&x.threat, expand);
                r.component = self.target(&x.target, x.target_kind, &mut r.custom, expand);
                r.details = Some(x.description.clone().unwrap_or_default());
                r.tests = no_tests();
                r
            })
            .collect();
        let connections = m
            .flows
            .iter()
            .map(|f| {
                let mut r = relation(&f.description, &f.properties, &f.site);
                r.source_component = self.component(&f.from, expand);
                r.destination_component = self.component(&f.to, expand);
                r.direction = Some(if f.two_way { "with" } else { "to" });
                r.details = Some(f.mechanism.clone().unwrap_or_default());
                // A flow id someone wrote (derived ones hold `->`) travels in `custom`.
                if !f.id.contains("->") {
                    r.custom.insert("id".into(), f.id.clone().into());
                }
                r.tests = no_tests();
                r
            })
            .collect();
        let reviews = m
            .reviews
            .iter()
            .map(|x| Relation {
                component: self.component(&x.target, expand),
                details: Some(x.details.clone().unwrap_or_default()),
                tests: no_tests(),
                ..relation(&None, &x.properties, &x.site)
            })
            .collect();
        ThreatModelOut {
            mitigations,
            exposures,
            transfers,
            acceptances,
            connections,
            reviews,
            tests,
            run_id: self.run_id.clone(),
        }
    }
}

fn relation(
    description: &Option<String>,
    properties: &BTreeMap<String, Value>,
    site: &Site,
) -> Relation {
    Relation {
        description: description.clone().unwrap_or_default(),
        custom: properties.clone().into_iter().collect(),
        source: Some(Source {
            annotation: site.text.clone(),
            code: site.source_line.clone().unwrap_or_default(),
            filename: site.location.file.clone(),
            line: site.location.line,
        }),
        ..Relation::default()
    }
}

fn insert_refs(custom: &mut Map<String, Value>, refs: &[String]) {
    if !refs.is_empty() {
        let refs = refs.iter().map(|r| r.clone().into()).collect();
        custom.insert("refs".into(), Value::Array(refs));
    }
}

/// The STRIDE category as threatline's YAML blocks spell it (`information-disclosure`).
fn stride_key(s: crate::annotation::Stride) -> String {
    stride_name(s).to_ascii_lowercase().replace(' ', "-")
}

/// Components worth a library entry: declared, described, classified, given a layer, or
/// named by a relation. Implicit parents that nothing else mentions follow from their
/// children's paths, as in Threatspec.
fn exported(model: &Model, c: &crate::model::Component) -> bool {
    let id = c.id.as_str();
    c.declared
        || c.description.is_some()
        || !c.properties.is_empty()
        || !c.data.is_empty()
        || c.layer_source == LayerSource::Explicit
        || model
            .mitigations
            .iter()
            .any(|x| x.target == id && x.target_kind == TargetKind::Component)
        || model
            .exposures
            .iter()
            .any(|x| x.target == id && x.target_kind == TargetKind::Component)
        || model
            .acceptances
            .iter()
            .any(|x| x.target == id && x.target_kind == TargetKind::Component)
        || model.transfers.iter().any(|x| x.from == id || x.to == id)
        || model.flows.iter().any(|x| x.from == id || x.to == id)
        || model.reviews.iter().any(|x| x.target == id)
        || model.tests.iter().any(|x| x.target == id)
}

/// Threatspec's `run_id` is a random UUID; here it is a hash of the model, so the same tree
/// gives byte-identical output and a changed model a new run id.
fn run_id(model: &Model) -> String {
    let data = crate::output::data::to_json(model);
    let half = |seed: &str| crate::analysis::fingerprint::fingerprint(seed, &[&data]);
    format!("{}{}", half("threatspec-run"), half("threatspec-run-2"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_take_threatspec_shape() {
        assert_eq!(threatspec_id("api-gateway"), "#api_gateway");
        assert_eq!(threatspec_id("shop.edge"), "#shop_edge");
        assert_eq!(threatspec_id("PRNG"), "#prng");
        assert_eq!(threatspec_id("a--b..c"), "#a_b_c");
        assert_eq!(threatspec_id("-"), "#_");
    }

    #[test]
    fn folded_ids_stay_apart_within_a_kind() {
        let mut ids = Ids::default();
        assert_eq!(ids.assign("a.b"), "#a_b");
        assert_eq!(ids.assign("a_b"), "#a_b_2");
        assert_eq!(ids.assign("a_b_2"), "#a_b_2_2");
        assert_eq!(ids.get("a_b"), "#a_b_2");
        assert_eq!(ids.get("unknown-id"), "#unknown_id");
    }
}
