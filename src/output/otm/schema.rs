//! The OTM 0.2.0 document as Rust types, field for field with `tests/schemas/otm-schema.json`
//! (camelCase names, `type` fields, one-of parents), so serialising one gives the layout.

use std::collections::BTreeMap;

use serde::Serialize;

pub(super) type Attributes = BTreeMap<String, String>;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Otm {
    pub(super) otm_version: &'static str,
    pub(super) project: Project,
    pub(super) representations: Vec<Representation>,
    pub(super) assets: Vec<Asset>,
    pub(super) trust_zones: Vec<TrustZone>,
    pub(super) components: Vec<OtmComponent>,
    pub(super) dataflows: Vec<Dataflow>,
    pub(super) threats: Vec<OtmThreat>,
    pub(super) mitigations: Vec<Mitigation>,
}

#[derive(Serialize)]
pub(super) struct Project {
    pub(super) name: String,
    pub(super) id: String,
    pub(super) description: String,
    pub(super) attributes: Attributes,
}

/// A data class (`@handles pii`) as an OTM asset.
#[derive(Serialize)]
pub(super) struct Asset {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) risk: AssetRisk,
    pub(super) attributes: Attributes,
}

/// How bad losing each of confidentiality, integrity and availability is, 0 to 100.
#[derive(Serialize)]
pub(super) struct AssetRisk {
    pub(super) confidentiality: u32,
    pub(super) integrity: u32,
    pub(super) availability: u32,
    pub(super) comment: String,
}

/// The assets a component handles: `stored` for a storage-layer component, else
/// `processed`.
#[derive(Serialize, Default)]
pub(super) struct AssetInstance {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) processed: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) stored: Vec<String>,
}

#[derive(Serialize)]
pub(super) struct Representation {
    pub(super) name: &'static str,
    pub(super) id: &'static str,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) size: Size,
}

#[derive(Serialize, Clone, Copy, Default)]
pub(super) struct Size {
    pub(super) width: u32,
    pub(super) height: u32,
}

#[derive(Serialize, Clone, Copy)]
pub(super) struct Position {
    pub(super) x: u32,
    pub(super) y: u32,
}

#[derive(Serialize)]
pub(super) struct Placement {
    pub(super) representation: &'static str,
    pub(super) id: String,
    pub(super) name: String,
    pub(super) position: Position,
    pub(super) size: Size,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TrustZone {
    pub(super) id: String,
    pub(super) name: String,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) description: Option<String>,
    pub(super) risk: TrustRisk,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) parent: Option<Parent>,
    pub(super) representations: Vec<Placement>,
    pub(super) attributes: Attributes,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TrustRisk {
    pub(super) trust_rating: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Parent {
    TrustZone(String),
    Component(String),
}

#[derive(Serialize)]
pub(super) struct OtmComponent {
    pub(super) id: String,
    pub(super) name: String,
    #[serde(rename = "type")]
    pub(super) kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) description: Option<String>,
    pub(super) parent: Parent,
    pub(super) representations: Vec<Placement>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) assets: Option<AssetInstance>,
    pub(super) threats: Vec<ThreatInstance>,
    pub(super) tags: Vec<String>,
    pub(super) attributes: Attributes,
}

#[derive(Serialize)]
pub(super) struct ThreatInstance {
    pub(super) threat: String,
    pub(super) state: &'static str,
    pub(super) mitigations: Vec<MitigationInstance>,
}

#[derive(Serialize, PartialEq)]
pub(super) struct MitigationInstance {
    pub(super) mitigation: String,
    pub(super) state: &'static str,
}

#[derive(Serialize)]
pub(super) struct Dataflow {
    pub(super) id: String,
    pub(super) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) description: Option<String>,
    pub(super) bidirectional: bool,
    pub(super) source: String,
    pub(super) destination: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) assets: Vec<String>,
    pub(super) threats: Vec<ThreatInstance>,
    pub(super) tags: Vec<String>,
    pub(super) attributes: Attributes,
}

#[derive(Serialize)]
pub(super) struct OtmThreat {
    pub(super) id: String,
    pub(super) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) description: Option<String>,
    pub(super) categories: Vec<String>,
    pub(super) cwes: Vec<String>,
    pub(super) risk: ThreatRisk,
    pub(super) tags: Vec<String>,
    pub(super) attributes: Attributes,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ThreatRisk {
    pub(super) likelihood: u32,
    pub(super) likelihood_comment: String,
    pub(super) impact: u32,
    pub(super) impact_comment: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Mitigation {
    pub(super) id: String,
    pub(super) name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) description: Option<String>,
    pub(super) risk_reduction: u32,
    pub(super) attributes: Attributes,
}
