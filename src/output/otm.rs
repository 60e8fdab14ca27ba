//! Open Threat Model (OTM 0.2.0) JSON, the exchange format Threat Dragon, IriusRisk and
//! threatcl read: trust zones, components (each inside its zone, or inside its parent
//! component when both share a zone), dataflows, threats with STRIDE categories and a risk,
//! and mitigations (threatline's controls).
//!
//! Choices the format leaves open, and why (docs/interop.md has the table):
//! - ids are prefixed by kind (`zone:`, `flow:`, `threat:`, `control:`; components keep
//!   theirs), because Threat Dragon puts zones, components and flows in one diagram whose
//!   cells need distinct ids, and a zone and a component are often both called `customer`;
//! - one `diagram` representation with a plain grid layout, because Threat Dragon imports
//!   only the components and zones placed on a diagram; no `code` representation, because
//!   Threat Dragon's importer fails on components attached to one (source locations go in
//!   `attributes` instead);
//! - numbers OTM requires that threatline does not model (a zone's trust rating, a
//!   mitigation's risk reduction) come from properties when given (`trust_rating:`,
//!   `risk_reduction:`) and are otherwise fixed defaults, written down in the attributes.

use crate::analysis::RuleCode;
use std::collections::BTreeMap;

use serde_json::Value;

use crate::annotation::{Layer, Severity};
use crate::model::{Component, LayerSource, Model, Site, TargetKind};
use crate::report::{layer_name, stride_name};

pub const OTM_VERSION: &str = "0.2.0";
const DIAGRAM: &str = "threatline-dfd";
/// Defaults for the numbers OTM requires and threatline does not model.
const DEFAULT_TRUST_RATING: u32 = 50;
const DEFAULT_RISK_REDUCTION: u32 = 100;

/// The model as OTM JSON.
pub fn to_otm(model: &Model, project_name: &str) -> String {
    let otm = build(model, project_name);
    let mut text = serde_json::to_string_pretty(&otm).expect("OTM serialises");
    text.push('\n');
    text
}

/// A project name for a scanned root: its directory name, else `threatline`.
pub fn project_name(root: &std::path::Path) -> String {
    let absolute = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "threatline".to_string())
}

mod schema;

use schema::*;

fn zone_id(zone: &str) -> String {
    format!("zone:{zone}")
}
fn flow_id(flow: &str) -> String {
    format!("flow:{flow}")
}
fn threat_id(threat: &str) -> String {
    format!("threat:{threat}")
}
fn control_id(control: &str) -> String {
    format!("control:{control}")
}

// Grid layout, in pixels: zones side by side, each zone's components in a column below
// the zone's label.
const ZONE_WIDTH: u32 = 240;
const ZONE_GAP: u32 = 40;
const NODE_WIDTH: u32 = 180;
const NODE_HEIGHT: u32 = 60;
const NODE_PITCH: u32 = 90;
const MARGIN: u32 = 40;

fn build(model: &Model, project_name: &str) -> Otm {
    let mut zones: BTreeMap<&str, Vec<&Component>> = BTreeMap::new();
    for c in &model.components {
        zones.entry(c.zone.as_str()).or_default().push(c);
    }
    let zone_height = |members: usize| MARGIN + members as u32 * NODE_PITCH;
    let tallest = zones
        .values()
        .map(|m| zone_height(m.len()))
        .max()
        .unwrap_or(0);
    let mut trust_zones = Vec::new();
    let mut components = Vec::new();
    for (i, (zone, members)) in zones.iter().enumerate() {
        let x = MARGIN + i as u32 * (ZONE_WIDTH + ZONE_GAP);
        let (name, description, trust, source) = zone_facts(model, zone);
        let mut attributes = Attributes::new();
        attributes.insert("trustRatingSource".into(), source.into());
        trust_zones.push(TrustZone {
            id: zone_id(zone),
            name: name.clone(),
            kind: "trust-zone",
            description,
            risk: TrustRisk {
                trust_rating: trust,
            },
            representations: vec![Placement {
                representation: DIAGRAM,
                id: format!("{}:shape", zone_id(zone)),
                name,
                position: Position { x, y: MARGIN },
                size: Size {
                    width: ZONE_WIDTH,
                    height: zone_height(members.len()),
                },
            }],
            attributes,
        });
        for (j, c) in members.iter().enumerate() {
            let position = Position {
                x: x + (ZONE_WIDTH - NODE_WIDTH) / 2,
                y: 2 * MARGIN + j as u32 * NODE_PITCH,
            };
            components.push(component(model, c, position));
        }
    }
    let width = MARGIN + zones.len() as u32 * (ZONE_WIDTH + ZONE_GAP);
    Otm {
        otm_version: OTM_VERSION,
        project: Project {
            name: project_name.to_string(),
            id: kebab(project_name),
            description:
                "Threat model built by threatline from security annotations in code comments".into(),
            attributes: Attributes::from([("generator".into(), "threatline".into())]),
        },
        representations: vec![Representation {
            name: "Data-flow diagram",
            id: DIAGRAM,
            kind: "diagram",
            size: Size {
                width: width.max(ZONE_WIDTH + 2 * MARGIN),
                height: tallest + 2 * MARGIN,
            },
        }],
        trust_zones,
        components,
        dataflows: model.flows.iter().map(|f| dataflow(model, f)).collect(),
        threats: model.threats.iter().map(threat).collect(),
        mitigations: model.controls.iter().map(mitigation).collect(),
    }
}

/// A zone's name (a declared zone's, else the top-level component's as written), its
/// description, trust rating and where the rating came from.
fn zone_facts(model: &Model, zone: &str) -> (String, Option<String>, u32, &'static str) {
    let declared = model.boundaries.iter().find(|b| b.id == zone);
    let top = model
        .components
        .iter()
        .find(|c| c.id == zone && c.parent.is_none());
    let name = declared
        .and_then(|b| b.name.clone())
        .or_else(|| top.map(|c| c.name.clone()))
        .or_else(|| zone.is_empty().then(|| crate::model::NO_ZONE.to_string()))
        .unwrap_or_else(|| zone.to_string());
    let description = declared.and_then(|b| b.description.clone());
    let rating =
        declared.and_then(|b| number(&b.properties, &["trust_rating", "trustrating", "trust"]));
    match rating {
        Some(r) => (name, description, r, "property"),
        None => (name, description, DEFAULT_TRUST_RATING, "default"),
    }
}

fn component(model: &Model, c: &Component, position: Position) -> OtmComponent {
    let parent = c
        .parent
        .as_deref()
        .and_then(|p| model.components.iter().find(|x| x.id == p))
        .filter(|p| p.zone == c.zone)
        .map_or_else(
            || Parent::TrustZone(zone_id(&c.zone)),
            |p| Parent::Component(p.id.clone()),
        );
    let layer = layer_name(c.layer).to_ascii_lowercase();
    let kind = match c.layer {
        Layer::Storage => "storage-database".to_string(),
        _ => format!("{layer}-service"),
    };
    let mut tags = vec![layer.clone()];
    tags.extend(c.data.iter().cloned());
    let mut attributes = strings(&c.properties);
    attributes.insert("path".into(), c.path.join(":"));
    attributes.insert("layer".into(), layer);
    attributes.insert(
        "layerSource".into(),
        match c.layer_source {
            LayerSource::Explicit => "explicit",
            LayerSource::Inherited => "inherited",
            LayerSource::Inferred => "inferred",
        }
        .into(),
    );
    attributes.insert("zone".into(), c.zone.clone());
    if !c.data.is_empty() {
        attributes.insert("handles".into(), c.data.join(", "));
    }
    located(&mut attributes, &c.site);
    OtmComponent {
        id: c.id.clone(),
        name: c.name.clone(),
        kind,
        description: c.description.clone(),
        parent,
        representations: vec![Placement {
            representation: DIAGRAM,
            id: format!("{}:shape", c.id),
            name: c.path.join(":"),
            position,
            size: Size {
                width: NODE_WIDTH,
                height: NODE_HEIGHT,
            },
        }],
        threats: instances(model, &ancestry(model, &c.id), TargetKind::Component),
        tags,
        attributes,
    }
}

/// `id` and its ancestors: what answers a threat on an ancestor answers it here (SPEC §5).
fn ancestry(model: &Model, id: &str) -> Vec<String> {
    let mut chain = vec![id.to_string()];
    let mut current = id.to_string();
    while let Some(parent) = model
        .components
        .iter()
        .find(|c| c.id == current)
        .and_then(|c| c.parent.clone())
    {
        if chain.contains(&parent) {
            break;
        }
        chain.push(parent.clone());
        current = parent;
    }
    chain
}

/// The threats that concern `chain[0]` (a component or a flow), with their state: a
/// mitigation, acceptance or transfer on it or (for components) an ancestor answers one.
fn instances(model: &Model, chain: &[String], kind: TargetKind) -> Vec<ThreatInstance> {
    let here = chain[0].as_str();
    let on = |k: TargetKind, t: &str| k == kind && t == here;
    let covers = |k: TargetKind, t: &str| k == kind && chain.iter().any(|c| c == t);
    let mut threats: Vec<&str> = Vec::new();
    for e in model
        .exposures
        .iter()
        .filter(|e| on(e.target_kind, &e.target))
    {
        threats.push(&e.threat);
    }
    for m in model
        .mitigations
        .iter()
        .filter(|m| on(m.target_kind, &m.target))
    {
        threats.push(&m.threat);
    }
    for a in model
        .acceptances
        .iter()
        .filter(|a| on(a.target_kind, &a.target))
    {
        threats.push(&a.threat);
    }
    if kind == TargetKind::Component {
        threats.extend(
            model
                .transfers
                .iter()
                .filter(|t| t.from == here)
                .map(|t| t.threat.as_str()),
        );
    }
    threats.sort_unstable();
    threats.dedup();
    threats
        .into_iter()
        .map(|t| {
            let mitigations: Vec<&crate::model::Mitigation> = model
                .mitigations
                .iter()
                .filter(|m| m.threat == t && covers(m.target_kind, &m.target))
                .collect();
            let accepted = model
                .acceptances
                .iter()
                .any(|a| a.threat == t && covers(a.target_kind, &a.target));
            let transferred = kind == TargetKind::Component
                && model
                    .transfers
                    .iter()
                    .any(|x| x.threat == t && chain.contains(&x.from));
            let state = if !mitigations.is_empty() {
                "mitigated"
            } else if accepted {
                "accepted"
            } else if transferred {
                "transferred"
            } else {
                "exposed"
            };
            let mut controls: Vec<MitigationInstance> = Vec::new();
            for m in mitigations {
                if let Some(c) = &m.control {
                    let instance = MitigationInstance {
                        mitigation: control_id(c),
                        state: "implemented",
                    };
                    if !controls.contains(&instance) {
                        controls.push(instance);
                    }
                }
            }
            ThreatInstance {
                threat: threat_id(t),
                state,
                mitigations: controls,
            }
        })
        .collect()
}

fn dataflow(model: &Model, f: &crate::model::Flow) -> Dataflow {
    let path = |id: &str| {
        model
            .components
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| id.to_string(), |c| c.path.join(":"))
    };
    let arrow = if f.two_way { "<->" } else { "->" };
    let name = f
        .mechanism
        .clone()
        .unwrap_or_else(|| format!("{} {arrow} {}", path(&f.from), path(&f.to)));
    let mut attributes = strings(&f.properties);
    if let Some(m) = &f.mechanism {
        attributes.insert("mechanism".into(), m.clone());
    }
    if !f.controls.is_empty() {
        attributes.insert("protectedBy".into(), f.controls.join(", "));
    }
    if !f.inferred.is_empty() {
        let inferred: Vec<String> = f
            .inferred
            .iter()
            .map(|c| format!("{} (inferred from `{}`)", c.name, c.from))
            .collect();
        attributes.insert("protectedByInferred".into(), inferred.join(", "));
    }
    attributes.insert("fromZone".into(), f.from_zone.clone());
    attributes.insert("toZone".into(), f.to_zone.clone());
    let crossing = model
        .findings
        .iter()
        .find(|x| x.code == RuleCode::UnprotectedCrossing && x.flow.as_deref() == Some(&f.id));
    let mut tags = Vec::new();
    if let Some(x) = crossing {
        tags.push("unprotected-crossing".to_string());
        attributes.insert("unprotectedCrossing".into(), x.severity.as_str().into());
    }
    located(&mut attributes, &f.site);
    Dataflow {
        id: flow_id(&f.id),
        name,
        description: f.description.clone(),
        bidirectional: f.two_way,
        source: f.from.clone(),
        destination: f.to.clone(),
        threats: instances(model, std::slice::from_ref(&f.id), TargetKind::Flow),
        tags,
        attributes,
    }
}

fn threat(t: &crate::model::Threat) -> OtmThreat {
    let mut cwes = Vec::new();
    let mut tags = Vec::new();
    for r in &t.refs {
        match r.strip_prefix("cwe:") {
            Some(cwe) => cwes.push(cwe.to_string()),
            None => tags.push(r.clone()),
        }
    }
    let mut attributes = strings(&t.properties);
    if let Some(s) = t.severity {
        attributes.insert("severity".into(), s.as_str().into());
    }
    if let Some(c) = &t.countermeasures {
        attributes.insert("countermeasures".into(), c.clone());
    }
    if let Some(x) = &t.example {
        attributes.insert("example".into(), x.clone());
    }
    located(&mut attributes, &t.site);
    let (likelihood, likelihood_comment) = match t.likelihood.as_deref() {
        None => (None, Some("not stated in the annotations".to_string())),
        Some(words) => match likelihood_number(words) {
            Some(n) => (Some(n), Some(words.to_string())),
            None => (None, Some(words.to_string())),
        },
    };
    let (impact, impact_comment) = match t.severity {
        Some(s) => (impact_number(s), format!("severity {}", s.as_str())),
        None => (
            impact_number(Severity::Medium),
            "severity not stated; medium assumed, as threatline's rules do".to_string(),
        ),
    };
    OtmThreat {
        id: threat_id(&t.id),
        name: t.name.clone(),
        description: t.description.clone(),
        categories: t
            .stride
            .iter()
            .map(|s| stride_name(*s).to_string())
            .collect(),
        cwes,
        risk: ThreatRisk {
            likelihood,
            likelihood_comment,
            impact,
            impact_comment,
        },
        tags,
        attributes,
    }
}

fn mitigation(c: &crate::model::Control) -> Mitigation {
    let mut attributes = strings(&c.properties);
    if !c.refs.is_empty() {
        attributes.insert("refs".into(), c.refs.join(", "));
    }
    let given = number(&c.properties, &["risk_reduction", "riskreduction"]);
    attributes.insert(
        "riskReductionSource".into(),
        if given.is_some() {
            "property"
        } else {
            "default"
        }
        .into(),
    );
    located(&mut attributes, &c.site);
    Mitigation {
        id: control_id(&c.id),
        name: c.name.clone(),
        description: c.description.clone(),
        risk_reduction: given.unwrap_or(DEFAULT_RISK_REDUCTION),
        attributes,
    }
}

/// OTM's impact (0 to 100) for a severity.
fn impact_number(s: Severity) -> u32 {
    match s {
        Severity::Critical => 100,
        Severity::High => 75,
        Severity::Medium => 50,
        Severity::Low => 25,
        Severity::Info => 5,
    }
}

/// OTM's likelihood (0 to 100) for the usual words, or a number given as one.
fn likelihood_number(words: &str) -> Option<u32> {
    let w = words.trim().to_ascii_lowercase().replace(['_', '-'], " ");
    if let Some(n) = percent(&w) {
        return Some(n);
    }
    Some(match w.as_str() {
        "very high" | "almost certain" | "certain" | "critical" => 90,
        "high" | "likely" => 75,
        "medium" | "moderate" | "possible" => 50,
        "low" | "unlikely" => 25,
        "very low" | "rare" | "info" => 10,
        _ => return None,
    })
}

/// `30`, `30%` or `30.4` as a whole number from 0 to 100.
fn percent(text: &str) -> Option<u32> {
    let n: f64 = text.trim().trim_end_matches('%').trim().parse().ok()?;
    (0.0..=100.0).contains(&n).then(|| n.round() as u32)
}

/// The first of `keys` (compared case-insensitively) that holds a number from 0 to 100.
fn number(properties: &BTreeMap<String, Value>, keys: &[&str]) -> Option<u32> {
    properties.iter().find_map(|(k, v)| {
        if !keys.contains(&k.to_ascii_lowercase().as_str()) {
            return None;
        }
        match v {
            Value::Number(n) => percent(&n.to_string()),
            Value::String(s) => percent(s),
            _ => None,
        }
    })
}

/// Properties as OTM's string-to-string attributes.
fn strings(properties: &BTreeMap<String, Value>) -> Attributes {
    properties
        .iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect()
}

fn located(attributes: &mut Attributes, site: &Site) {
    if !site.location.file.is_empty() {
        attributes.insert("sourceFile".into(), site.location.file.clone());
        attributes.insert("sourceLine".into(), site.location.line.to_string());
    }
}

/// `My Shop API` → `my-shop-api`.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "threatline".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_for_words() {
        assert_eq!(likelihood_number("Medium"), Some(50));
        assert_eq!(likelihood_number("very-high"), Some(90));
        assert_eq!(likelihood_number("30%"), Some(30));
        assert_eq!(likelihood_number("30.4"), Some(30));
        assert_eq!(likelihood_number("250"), None);
        assert_eq!(likelihood_number("sometimes"), None);
        assert_eq!(impact_number(Severity::High), 75);
        assert_eq!(kebab("My Shop: API!"), "my-shop-api");
        assert_eq!(kebab("!!"), "threatline");
    }
}
