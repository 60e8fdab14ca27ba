//! The threat model (SPEC §4): entities resolved across the whole tree, the component tree
//! with CCCS layers and zones, and every relation with its source location.

mod build;
mod catalogued;
mod components;
mod fields;
mod finish;
mod flows;
pub mod layers;
pub mod normalize;
mod registry;
mod relations;
pub mod transports;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use build::{BuildOptions, build};
pub use layers::{LayerKeywords, LayerSource};

use crate::annotation::{Layer, Severity, Stride};
use crate::diagnostics::Diagnostic;
use crate::location::Location;

/// The version of the JSON layout.
pub const FORMAT_VERSION: &str = "1";

/// Where an entity or relation was written, and the annotation's text.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Site {
    #[serde(flatten)]
    pub location: Location,
    pub text: String,
    /// The function, method or type the annotation belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// Where the annotation is written, when not at `location` (a `.gal` sidecar line that
    /// an `@source` anchors in the code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Location>,
    /// The whole source line, for people; not part of the JSON.
    #[serde(skip)]
    pub source_line: Option<String>,
}

/// How outputs name the place of components in no zone: data sources and sinks that a
/// flow names by a bare word and nothing declares (`zone` is empty).
pub const NO_ZONE: &str = "Data sources and sinks (no zone)";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Component {
    pub id: String,
    pub name: String,
    /// The path segments as first written.
    pub path: Vec<String>,
    pub parent: Option<String>,
    pub layer: Layer,
    pub layer_source: LayerSource,
    pub zone: String,
    /// Data classes from `@handles`.
    pub data: Vec<String>,
    /// The teams that answer for it: its own `@owns`, else its nearest owned ancestor's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
    /// Declared by `@component` (rather than only mentioned).
    pub declared: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    #[serde(flatten)]
    pub site: Site,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threat {
    pub id: String,
    pub name: String,
    pub severity: Option<Severity>,
    pub stride: Vec<Stride>,
    pub likelihood: Option<String>,
    pub refs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countermeasures: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    /// `key:value` qualifiers and YAML keys that are not typed fields.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    pub declared: bool,
    /// The catalogue entry this threat comes from, when no annotation declares it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<String>,
    #[serde(flatten)]
    pub site: Site,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Control {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub refs: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    pub declared: bool,
    /// The catalogue entry this control comes from, when no annotation declares it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<String>,
    #[serde(flatten)]
    pub site: Site,
}

/// What a mitigation, exposure or acceptance is about: a component or a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Component,
    Flow,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mitigation {
    pub target: String,
    pub target_kind: TargetKind,
    pub threat: String,
    pub control: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    #[serde(flatten)]
    pub site: Site,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exposure {
    pub target: String,
    pub target_kind: TargetKind,
    pub threat: String,
    /// The exposure's own severity qualifier.
    pub severity: Option<Severity>,
    pub refs: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    #[serde(flatten)]
    pub site: Site,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Acceptance {
    pub threat: String,
    pub target: String,
    pub target_kind: TargetKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    #[serde(flatten)]
    pub site: Site,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transfer {
    pub threat: String,
    pub from: String,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    #[serde(flatten)]
    pub site: Site,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    pub id: String,
    pub from: String,
    pub to: String,
    pub two_way: bool,
    pub mechanism: Option<String>,
    /// Declared controls the mechanism names: they protect the flow.
    pub controls: Vec<String>,
    /// Controls inferred from a secure transport the mechanism names (`via HTTPS/443`:
    /// TLS): they protect the flow too (`catalogue/transports.yaml`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inferred: Vec<transports::InferredControl>,
    /// An insecure transport the mechanism names (`plain HTTP`, `TCP 5432`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<String>,
    pub from_zone: String,
    pub to_zone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    #[serde(flatten)]
    pub site: Site,
    /// The other annotations of this same flow (same ends, same mechanism), in path order:
    /// one edge, every place it is written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_at: Vec<FlowMention>,
}

/// Another annotation of a flow: where, and what it says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowMention {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(flatten)]
    pub site: Site,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BoundaryKind {
    /// Between two subtrees.
    Between,
    /// A zone made of the listed path prefixes.
    Around,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Boundary {
    pub id: String,
    pub name: Option<String>,
    pub kind: BoundaryKind,
    /// Component ids: the two sides (`between`) or the zone's members (`around`).
    pub components: Vec<String>,
    pub severity: Option<Severity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    #[serde(flatten)]
    pub site: Site,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    #[serde(flatten)]
    pub site: Site,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Test {
    pub control: String,
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    #[serde(flatten)]
    pub site: Site,
}

/// `@assumes`: something the model takes for granted about a component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assumption {
    pub target: String,
    /// What is assumed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    #[serde(flatten)]
    pub site: Site,
}

/// `@owns`: a team answers for a component (and, unless they name their own, the
/// components under it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ownership {
    pub owner: String,
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(flatten)]
    pub site: Site,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    /// `@feature "<name>"`: the feature the file belongs to.
    Feature,
    /// `@comment -- "..."`.
    Comment,
}

/// A note for readers: a file's feature or a comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub kind: NoteKind,
    /// The feature's name, or the comment.
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(flatten)]
    pub site: Site,
}

/// The whole model, in the key order of SPEC §7.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub version: String,
    pub components: Vec<Component>,
    pub threats: Vec<Threat>,
    pub controls: Vec<Control>,
    pub mitigations: Vec<Mitigation>,
    pub exposures: Vec<Exposure>,
    pub acceptances: Vec<Acceptance>,
    pub transfers: Vec<Transfer>,
    pub flows: Vec<Flow>,
    pub boundaries: Vec<Boundary>,
    pub reviews: Vec<Review>,
    pub tests: Vec<Test>,
    /// GuardLink's `@assumes`, `@owns`, `@feature` and `@comment` (a model read from an
    /// older JSON has none).
    #[serde(default)]
    pub assumptions: Vec<Assumption>,
    #[serde(default)]
    pub ownership: Vec<Ownership>,
    #[serde(default)]
    pub notes: Vec<Note>,
    /// Re-derived by the rules; a model read back without findings is still a model.
    #[serde(default)]
    pub findings: Vec<crate::analysis::Finding>,
    pub diagnostics: Vec<Diagnostic>,
    /// How the scan went; for `--stats` and benchmarks, not part of the JSON.
    #[serde(skip)]
    pub stats: ScanStats,
}

impl Model {
    /// Whether the tree holds a threat model (SPEC §3.3): something that states a risk or
    /// its answer (a threat, exposure, mitigation, acceptance, transfer, flow or
    /// boundary), not only components and controls that a doc tag might have named.
    pub fn holds_threat_model(&self) -> bool {
        !(self.threats.is_empty()
            && self.exposures.is_empty()
            && self.mitigations.is_empty()
            && self.acceptances.is_empty()
            && self.transfers.is_empty()
            && self.flows.is_empty()
            && self.boundaries.is_empty())
    }
}

/// Counts of one scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanStats {
    pub files_seen: usize,
    /// Files that hold at least one annotation.
    pub files_with_annotations: usize,
    /// `@verb` lines that did not parse in a tree with no threat model: someone else's
    /// prose (a doc tag, a sentence), not shown (SPEC §3.3).
    pub prose_lines: usize,
    /// How files were read and parsed.
    pub reads: crate::scan::ReadCounts,
    /// Annotations read, per verb (`@flows` counted with `@connects`).
    pub annotations: BTreeMap<crate::annotation::Verb, usize>,
}
