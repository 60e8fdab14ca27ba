//! Open Threat Model (OTM 0.2.0) JSON, the exchange format Threat Dragon, IriusRisk and
//! threatcl read: trust zones (nested as the model nests them, rated from the declared
//! boundaries), components (each inside its zone, or inside its parent component when both
//! share a zone), data classes as assets, dataflows with the boundaries they cross and the
//! controls that protect them, threats with STRIDE categories and a risk, and mitigations
//! (threatline's controls).
//!
//! Choices the format leaves open, and why (docs/interop.md has the tables):
//! - ids are prefixed by kind (`zone:`, `flow:`, `threat:`, `control:`, `asset:`;
//!   components keep theirs), because Threat Dragon puts zones, components and flows in one
//!   diagram whose cells need distinct ids, and a zone and a component are often both
//!   called `customer`;
//! - OTM has no boundary object: an `around` boundary is its trust zone, a `between`
//!   boundary is an attribute of the zones on its two sides, every boundary is listed in the
//!   project's attributes, and every dataflow lists the boundaries it crosses;
//! - a flow's controls are mitigations of a threat instance on the dataflow, because OTM
//!   links mitigations only through threats: the catalogue's `transport-cleartext`
//!   ("Traffic read or changed in transit"), which is what an unprotected crossing leaves
//!   open;
//! - one `diagram` representation with a plain nested layout, because Threat Dragon imports
//!   only the components and zones placed on a diagram; no `code` representation, because
//!   Threat Dragon's importer fails on components attached to one (source locations go in
//!   `attributes` instead);
//! - numbers OTM requires that annotations state in words or not at all (trust ratings,
//!   likelihoods, risk reductions, asset risks) follow documented rules (`zones.rs`,
//!   `risk.rs`), and each says where it came from in the attributes or comments.
//!
//! Names are what people read ([`Names`]): a dataflow's name is its ends and its mechanism
//! with every `#id` named, never `#tls`; ids stay ids.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::analysis::RuleCode;
use crate::analysis::graph::ModelGraph;
use crate::annotation::Layer;
use crate::catalogue::{Catalogue, Entry};
use crate::model::normalize::id_key;
use crate::model::{Component, Flow, LayerSource, Model, Site, TargetKind};
use crate::report::names::Names;
use crate::report::{layer_name, stride_name};

mod layout;
mod risk;
mod schema;
mod zones;

use risk::{Evidence, number, tagged};
use schema::*;

pub const OTM_VERSION: &str = "0.2.0";
const DIAGRAM: &str = "threatline-dfd";
/// The catalogue threat a flow's controls answer and an unprotected crossing leaves open.
const TRANSPORT_THREAT: &str = "transport-cleartext";

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
fn asset_id(class: &str) -> String {
    format!("asset:{}", class.to_ascii_lowercase())
}

/// What the whole document shares: the model, its names, its graph, and the threat and
/// controls flows need that the model may not hold.
struct Ctx<'m> {
    model: &'m Model,
    names: Names<'m>,
    graph: ModelGraph<'m>,
    /// The model's own threat for [`TRANSPORT_THREAT`], if it declares one.
    transport_threat: Option<&'m str>,
    /// Inferred transport controls the model does not hold, by id: name, where inferred,
    /// whether a flow marks them partial.
    inferred: BTreeMap<String, InferredOnly>,
}

struct InferredOnly {
    name: String,
    from: Vec<String>,
    partial: bool,
}

impl<'m> Ctx<'m> {
    fn new(model: &'m Model) -> Ctx<'m> {
        let names = Names::new(model);
        let transport_threat = model
            .threats
            .iter()
            .find(|t| id_key(&t.id) == id_key(TRANSPORT_THREAT))
            .map(|t| t.id.as_str());
        let mut inferred: BTreeMap<String, InferredOnly> = BTreeMap::new();
        for f in &model.flows {
            for c in &f.inferred {
                if model_control(model, &c.control).is_some() {
                    continue;
                }
                let entry = inferred
                    .entry(c.control.clone())
                    .or_insert_with(|| InferredOnly {
                        name: c.name.clone(),
                        from: Vec::new(),
                        partial: false,
                    });
                entry
                    .from
                    .push(format!("`{}` on {}", c.from, names.flow(&f.id)));
                entry.partial |= tagged(&f.properties, "partial");
            }
        }
        Ctx {
            model,
            names,
            graph: ModelGraph::new(model),
            transport_threat,
            inferred,
        }
    }

    /// The OTM id of an inferred transport control: the model's control of that id, else
    /// the one made for it.
    fn inferred_control_id(&self, control: &str) -> String {
        model_control(self.model, control).map_or_else(|| control_id(control), control_id)
    }
}

fn model_control<'m>(model: &'m Model, id: &str) -> Option<&'m str> {
    let key = id_key(id);
    model
        .controls
        .iter()
        .find(|c| id_key(&c.id) == key)
        .map(|c| c.id.as_str())
}

fn build(model: &Model, project_name: &str) -> Otm {
    let ctx = Ctx::new(model);
    let zones = zones::zones(model, &ctx.names);
    let placed = layout::layout(&zones);
    let mut trust_zones = Vec::new();
    let mut components = Vec::new();
    for &i in &zones.order {
        let z = &zones.list[i];
        let (position, size) = placed.zones[&i];
        trust_zones.push(trust_zone(&ctx, &zones, z, position, size));
        for c in &z.members {
            components.push(component(&ctx, c, placed.nodes[&c.id]));
        }
    }
    let dataflows: Vec<Dataflow> = model.flows.iter().map(|f| dataflow(&ctx, f)).collect();
    let mut threats: Vec<OtmThreat> = model.threats.iter().map(|t| threat(&ctx, t)).collect();
    let transport_used = dataflows.iter().any(|d| {
        d.threats
            .iter()
            .any(|t| t.threat == threat_id(TRANSPORT_THREAT))
    });
    if transport_used
        && ctx.transport_threat.is_none()
        && let Some(entry) = Catalogue::builtin().threat(TRANSPORT_THREAT)
    {
        threats.push(catalogue_threat(entry));
    }
    let mut mitigations: Vec<Mitigation> =
        model.controls.iter().map(|c| mitigation(&ctx, c)).collect();
    mitigations.extend(
        ctx.inferred
            .iter()
            .map(|(id, i)| inferred_mitigation(id, i)),
    );
    let mut attributes = Attributes::from([("generator".into(), "threatline".into())]);
    for b in &model.boundaries {
        attributes.insert(
            format!("boundary:{}", b.id),
            zones::boundary_summary(b, &ctx.names),
        );
    }
    Otm {
        otm_version: OTM_VERSION,
        project: Project {
            name: project_name.to_string(),
            id: kebab(project_name),
            description:
                "Threat model built by threatline from security annotations in code comments".into(),
            attributes,
        },
        representations: vec![Representation {
            name: "Data-flow diagram",
            id: DIAGRAM,
            kind: "diagram",
            size: placed.size,
        }],
        assets: assets(&ctx),
        trust_zones,
        components,
        dataflows,
        threats,
        mitigations,
    }
}

fn trust_zone(
    ctx: &Ctx,
    zones: &zones::Zones,
    z: &zones::Zone,
    position: Position,
    size: Size,
) -> TrustZone {
    let mut attributes: Attributes = z.boundaries.clone();
    attributes.insert("trustRatingSource".into(), z.rating_source.into());
    attributes.insert("trustRatingFormula".into(), z.rating_formula.clone());
    if let Some(why) = z.untrusted {
        attributes.insert("untrusted".into(), why.into());
    }
    let mut description = None;
    if let Some(b) = z.declared {
        attributes.insert("boundaryId".into(), b.id.clone());
        attributes.insert("boundaryKind".into(), "around".into());
        if let Some(s) = b.severity {
            attributes.insert("boundarySeverity".into(), s.as_str().into());
        }
        let members: Vec<String> = b
            .components
            .iter()
            .map(|c| ctx.names.component(c))
            .collect();
        attributes.insert("around".into(), members.join(", "));
        located(&mut attributes, &b.site);
        description = b.description.as_deref().map(|d| ctx.names.text(d));
    }
    TrustZone {
        id: zone_id(&z.id),
        name: z.name.clone(),
        kind: "trust-zone",
        description,
        risk: TrustRisk {
            trust_rating: z.rating,
        },
        parent: z
            .parent
            .map(|p| Parent::TrustZone(zone_id(&zones.list[p].id))),
        representations: vec![Placement {
            representation: DIAGRAM,
            id: format!("{}:shape", zone_id(&z.id)),
            name: z.name.clone(),
            position,
            size,
        }],
        attributes,
    }
}

/// Every data class a component handles, as an asset, in class order.
fn assets(ctx: &Ctx) -> Vec<Asset> {
    let mut handled: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in &ctx.model.components {
        for class in &c.data {
            handled
                .entry(class.to_ascii_lowercase())
                .or_default()
                .push(ctx.names.component(&c.id));
        }
    }
    handled
        .into_iter()
        .map(|(class, by)| {
            let d = risk::data_class(&class);
            Asset {
                id: asset_id(&class),
                name: d.name,
                description: d.description.to_string(),
                risk: AssetRisk {
                    confidentiality: d.cia[0],
                    integrity: d.cia[1],
                    availability: d.cia[2],
                    comment: d.comment.to_string(),
                },
                attributes: Attributes::from([
                    ("dataClass".into(), class.clone()),
                    ("handledBy".into(), by.join(", ")),
                ]),
            }
        })
        .collect()
}

/// The asset ids a component handles, its ancestors' `@handles` included (as the rules
/// read them).
fn handled(ctx: &Ctx, id: &str) -> Vec<String> {
    let Some(c) = ctx.graph.component(id) else {
        return Vec::new();
    };
    let classes: BTreeSet<String> = ctx.graph.handles(&c.id).into_iter().map(asset_id).collect();
    classes.into_iter().collect()
}

fn component(ctx: &Ctx, c: &Component, position: Position) -> OtmComponent {
    let model = ctx.model;
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
    let held = handled(ctx, &c.id);
    let assets = (!held.is_empty()).then(|| {
        if c.layer == Layer::Storage {
            AssetInstance {
                stored: held,
                ..AssetInstance::default()
            }
        } else {
            AssetInstance {
                processed: held,
                ..AssetInstance::default()
            }
        }
    });
    OtmComponent {
        id: c.id.clone(),
        name: ctx.names.component_short(&c.id),
        kind,
        description: c.description.as_deref().map(|d| ctx.names.text(d)),
        parent,
        representations: vec![Placement {
            representation: DIAGRAM,
            id: format!("{}:shape", c.id),
            name: c.path.join(":"),
            position,
            size: Size {
                width: layout::NODE_WIDTH,
                height: layout::NODE_HEIGHT,
            },
        }],
        assets,
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

/// A flow as people read it: its ends, then its mechanism with every `#id` named.
fn flow_name(ctx: &Ctx, f: &Flow) -> String {
    let ends = ctx.names.flow(&f.id);
    match ctx.names.mechanism(f) {
        Some(m) if !m.trim().is_empty() => format!("{ends} ({})", m.trim()),
        _ => ends,
    }
}

fn dataflow(ctx: &Ctx, f: &Flow) -> Dataflow {
    let model = ctx.model;
    let names = &ctx.names;
    let mut attributes = strings(&f.properties);
    attributes.insert("from".into(), names.component(&f.from));
    attributes.insert("to".into(), names.component(&f.to));
    if let Some(m) = names.mechanism(f) {
        if f.mechanism.as_deref() != Some(m.as_str()) {
            attributes.insert(
                "mechanismAsWritten".into(),
                f.mechanism.clone().unwrap_or_default(),
            );
        }
        attributes.insert("mechanism".into(), m);
    }
    let mut protected_by: Vec<String> = f.controls.iter().map(|c| names.control(c)).collect();
    protected_by.extend(
        f.inferred
            .iter()
            .map(|c| format!("{} (inferred from `{}`)", c.name, c.from)),
    );
    if !protected_by.is_empty() {
        attributes.insert("protectedBy".into(), protected_by.join(", "));
    }
    attributes.insert("fromZone".into(), f.from_zone.clone());
    attributes.insert("toZone".into(), f.to_zone.clone());
    let crossing = ctx.graph.crossing(f);
    let mut tags = Vec::new();
    if crossing.count() > 0 {
        tags.push("crosses-boundary".to_string());
        let crossed: Vec<String> = if crossing.declared.is_empty() {
            let zone = |z: &str| {
                model
                    .components
                    .iter()
                    .find(|c| c.id == z && c.parent.is_none())
                    .map_or_else(|| z.to_string(), |c| c.name.clone())
            };
            vec![format!(
                "{} | {} (zones, no declared boundary)",
                zone(&f.from_zone),
                zone(&f.to_zone)
            )]
        } else {
            crossing
                .declared
                .iter()
                .map(|&i| {
                    let b = &model.boundaries[i];
                    match b.severity {
                        Some(s) => format!("{} ({})", zones::boundary_name(b, names), s.as_str()),
                        None => zones::boundary_name(b, names),
                    }
                })
                .collect()
        };
        attributes.insert("boundariesCrossed".into(), crossed.join("; "));
        attributes.insert("boundaryCount".into(), crossing.count().to_string());
        if !crossing.declared.is_empty() {
            let ids: Vec<&str> = crossing
                .declared
                .iter()
                .map(|&i| model.boundaries[i].id.as_str())
                .collect();
            attributes.insert("boundaryIds".into(), ids.join(", "));
        }
    }
    let finding = model
        .findings
        .iter()
        .find(|x| x.code == RuleCode::UnprotectedCrossing && x.flow.as_deref() == Some(&f.id));
    if let Some(x) = finding {
        tags.push("unprotected-crossing".to_string());
        attributes.insert("unprotectedCrossing".into(), x.severity.as_str().into());
    }
    located(&mut attributes, &f.site);
    let mut threats = instances(model, std::slice::from_ref(&f.id), TargetKind::Flow);
    if crossing.count() > 0 || !f.controls.is_empty() || !f.inferred.is_empty() {
        transport_instance(ctx, f, &mut threats);
    }
    let mut assets: BTreeSet<String> = handled(ctx, &f.from).into_iter().collect();
    assets.extend(handled(ctx, &f.to));
    Dataflow {
        id: flow_id(&f.id),
        name: flow_name(ctx, f),
        description: f.description.as_deref().map(|d| names.text(d)),
        bidirectional: f.two_way,
        source: f.from.clone(),
        destination: f.to.clone(),
        assets: assets.into_iter().collect(),
        threats,
        tags,
        attributes,
    }
}

/// The flow's controls, declared and inferred, as mitigations of the transport threat on
/// it; its state as the `unprotected-crossing` rule sees the flow: mitigated by a control
/// or a `@mitigates` of the flow, else accepted by an `@accepts` on it, else exposed.
fn transport_instance(ctx: &Ctx, f: &Flow, threats: &mut Vec<ThreatInstance>) {
    let model = ctx.model;
    let mut controls: Vec<MitigationInstance> = Vec::new();
    let ids = f.controls.iter().map(|c| control_id(c)).chain(
        f.inferred
            .iter()
            .map(|c| ctx.inferred_control_id(&c.control)),
    );
    for id in ids {
        let instance = MitigationInstance {
            mitigation: id,
            state: "implemented",
        };
        if !controls.contains(&instance) {
            controls.push(instance);
        }
    }
    let on_flow = |kind: TargetKind, target: &str| kind == TargetKind::Flow && target == f.id;
    let mitigated = !controls.is_empty()
        || model
            .mitigations
            .iter()
            .any(|m| on_flow(m.target_kind, &m.target));
    let accepted = model
        .acceptances
        .iter()
        .any(|a| on_flow(a.target_kind, &a.target));
    let state = if mitigated {
        "mitigated"
    } else if accepted {
        "accepted"
    } else {
        "exposed"
    };
    let id = threat_id(ctx.transport_threat.unwrap_or(TRANSPORT_THREAT));
    match threats.iter_mut().find(|t| t.threat == id) {
        Some(existing) => {
            for c in controls {
                if !existing.mitigations.contains(&c) {
                    existing.mitigations.push(c);
                }
            }
            if existing.state == "exposed" && !existing.mitigations.is_empty() {
                existing.state = "mitigated";
            }
        }
        None => threats.push(ThreatInstance {
            threat: id,
            state,
            mitigations: controls,
        }),
    }
}

fn threat(ctx: &Ctx, t: &crate::model::Threat) -> OtmThreat {
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
        attributes.insert("countermeasures".into(), ctx.names.text(c));
    }
    if let Some(x) = &t.example {
        attributes.insert("example".into(), ctx.names.text(x));
    }
    if let Some(e) = risk::catalogue_entry(t) {
        attributes.insert("catalogue".into(), e.id.clone());
    }
    let likelihood = risk::likelihood(t);
    let impact = risk::impact(ctx.model, t);
    attributes.insert("likelihoodSource".into(), likelihood.source.into());
    attributes.insert("impactSource".into(), impact.source.into());
    located(&mut attributes, &t.site);
    OtmThreat {
        id: threat_id(&t.id),
        name: t.name.clone(),
        description: t.description.as_deref().map(|d| ctx.names.text(d)),
        categories: t
            .stride
            .iter()
            .map(|s| stride_name(*s).to_string())
            .collect(),
        cwes,
        risk: ThreatRisk {
            likelihood: likelihood.value,
            likelihood_comment: likelihood.comment,
            impact: impact.value,
            impact_comment: impact.comment,
        },
        tags,
        attributes,
    }
}

/// The catalogue's transport threat, for the dataflows' controls when the model has none.
fn catalogue_threat(e: &Entry) -> OtmThreat {
    let mut attributes = Attributes::from([
        ("catalogue".into(), e.id.clone()),
        (
            "addedBy".into(),
            "threatline: the threat a data flow's controls answer and an unprotected \
             crossing leaves open (rule unprotected-crossing)"
                .into(),
        ),
        ("likelihoodSource".into(), "catalogue".into()),
        ("impactSource".into(), "catalogue".into()),
        ("severity".into(), e.priority.as_str().into()),
    ]);
    if !e.countermeasures.is_empty() {
        attributes.insert("countermeasures".into(), e.countermeasures.join("; "));
    }
    let tags = e
        .refs()
        .into_iter()
        .filter(|r| !r.starts_with("cwe:"))
        .collect();
    OtmThreat {
        id: threat_id(&e.id),
        name: e.name.clone(),
        description: Some(e.description.trim().to_string()),
        categories: e
            .stride
            .iter()
            .map(|s| stride_name(*s).to_string())
            .collect(),
        cwes: e.cwe.clone(),
        risk: ThreatRisk {
            likelihood: risk::likelihood_number(e.likelihood.as_str())
                .unwrap_or(risk::DEFAULT_LIKELIHOOD),
            likelihood_comment: format!(
                "{}, from the catalogue entry {}",
                e.likelihood.as_str(),
                e.id
            ),
            impact: risk::impact_number(e.priority.severity()),
            impact_comment: format!(
                "priority {}, from the catalogue entry {}",
                e.priority.as_str(),
                e.id
            ),
        },
        tags,
        attributes,
    }
}

fn mitigation(ctx: &Ctx, c: &crate::model::Control) -> Mitigation {
    let model = ctx.model;
    let mut attributes = strings(&c.properties);
    if !c.refs.is_empty() {
        attributes.insert("refs".into(), c.refs.join(", "));
    }
    const KEYS: &[&str] = &["risk_reduction", "riskreduction"];
    let using: Vec<&crate::model::Mitigation> = model
        .mitigations
        .iter()
        .filter(|m| m.control.as_deref() == Some(c.id.as_str()))
        .collect();
    let tested = model.tests.iter().any(|t| t.control == c.id);
    let partial = tagged(&c.properties, "partial")
        || using.iter().any(|m| tagged(&m.properties, "partial"))
        || model.flows.iter().any(|f| {
            tagged(&f.properties, "partial")
                && (f.controls.contains(&c.id) || f.inferred.iter().any(|i| i.control == c.id))
        });
    let rated = risk::risk_reduction(&Evidence {
        stated: number(&c.properties, KEYS),
        on_mitigations: using
            .iter()
            .filter_map(|m| number(&m.properties, KEYS))
            .collect(),
        tested,
        inferred_only: false,
        partial,
    });
    attributes.insert("riskReductionSource".into(), rated.source.into());
    attributes.insert("riskReductionComment".into(), rated.comment);
    attributes.insert("tested".into(), if tested { "yes" } else { "no" }.into());
    if let Some(e) = &c.catalogue {
        attributes.insert("catalogue".into(), e.clone());
    }
    located(&mut attributes, &c.site);
    Mitigation {
        id: control_id(&c.id),
        name: c.name.clone(),
        description: c.description.as_deref().map(|d| ctx.names.text(d)),
        risk_reduction: rated.value,
        attributes,
    }
}

/// A secure transport a flow's mechanism names (`via HTTPS`), which no annotation declares.
fn inferred_mitigation(id: &str, i: &InferredOnly) -> Mitigation {
    let rated = risk::risk_reduction(&Evidence {
        stated: None,
        on_mitigations: Vec::new(),
        tested: false,
        inferred_only: true,
        partial: i.partial,
    });
    let entry = Catalogue::builtin().control(id);
    let mut attributes = Attributes::from([
        ("inferred".into(), "yes".into()),
        ("inferredFrom".into(), i.from.join("; ")),
        ("riskReductionSource".into(), rated.source.into()),
        ("riskReductionComment".into(), rated.comment),
        ("tested".into(), "no".into()),
    ]);
    if let Some(e) = entry {
        attributes.insert("catalogue".into(), e.id.clone());
    }
    Mitigation {
        id: control_id(id),
        name: i.name.clone(),
        description: entry.map(|e| e.description.trim().to_string()),
        risk_reduction: rated.value,
        attributes,
    }
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
    fn project_ids() {
        assert_eq!(kebab("My Shop: API!"), "my-shop-api");
        assert_eq!(kebab("!!"), "threatline");
    }
}
