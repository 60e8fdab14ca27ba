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
pub mod trust;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use build::{BuildOptions, build};
pub use layers::{LayerKeywords, LayerSource};
pub use trust::{ConfigZone, TrustOptions};

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
    /// How far its zone is trusted, where anything says so (SPEC §4, "Zone trust"):
    /// `[untrusted]` or `[trusted]` on the zone's `@boundary ... around`, `untrusted:` or
    /// `trusted:` in `threatline.yaml`, or the keyword table (`catalogue/trust.yaml`),
    /// marked as inferred. Absent: trusted, as nothing says otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<ZoneTrust>,
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

/// Whether a zone is trusted: attack paths start in an untrusted one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Trust {
    Untrusted,
    Trusted,
}

impl Trust {
    pub fn as_str(self) -> &'static str {
        match self {
            Trust::Untrusted => "untrusted",
            Trust::Trusted => "trusted",
        }
    }

    /// The qualifier word on a `@boundary ... around` (`[untrusted]`), any case.
    pub fn parse(word: &str) -> Option<Trust> {
        match word.to_ascii_lowercase().as_str() {
            "untrusted" => Some(Trust::Untrusted),
            "trusted" => Some(Trust::Trusted),
            _ => None,
        }
    }
}

/// Who says how far a zone is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustSource {
    /// `[untrusted]` or `[trusted]` on the `@boundary ... around` that declares the zone.
    Declared,
    /// `untrusted:` or `trusted:` in `threatline.yaml`.
    Config,
    /// The zone's name ends in a word of `catalogue/trust.yaml`.
    Inferred,
}

impl TrustSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TrustSource::Declared => "declared",
            TrustSource::Config => "config",
            TrustSource::Inferred => "inferred",
        }
    }
}

/// The trust of a component's zone, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneTrust {
    pub level: Trust,
    pub source: TrustSource,
    /// `declared`: the id of the `@boundary ... around` that says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<String>,
    /// `inferred`: the word of `catalogue/trust.yaml` the zone's name ends in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
}

impl ZoneTrust {
    pub fn is_untrusted(&self) -> bool {
        self.level == Trust::Untrusted
    }

    /// For people: `untrusted`, `untrusted (inferred from `customer`)`,
    /// `untrusted (threatline.yaml)`, `trusted (declared)`.
    pub fn describe(&self) -> String {
        match (self.source, &self.keyword) {
            (TrustSource::Inferred, Some(k)) => {
                format!("{} (inferred from `{k}`)", self.level.as_str())
            }
            (TrustSource::Inferred, None) => format!("{} (inferred)", self.level.as_str()),
            (TrustSource::Config, _) => format!("{} (threatline.yaml)", self.level.as_str()),
            (TrustSource::Declared, _) => self.level.as_str().to_string(),
        }
    }
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
    /// `around`: `[untrusted]` or `[trusted]` on the line, the trust of the zone it
    /// declares (SPEC §4, "Zone trust").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<Trust>,
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
    /// How a component is shown, its path (`Shop:Card Vault`), found by id; the id itself
    /// for one the model does not hold (a model of findings only).
    pub fn component_name(&self, id: &str) -> String {
        self.component(id)
            .map_or_else(|| id.to_string(), |c| c.path.join(":"))
    }

    /// A component by id: a binary search, as built models list components by id, else a
    /// scan for a model read back or merged that may not.
    fn component(&self, id: &str) -> Option<&Component> {
        self.components
            .binary_search_by(|c| c.id.as_str().cmp(id))
            .ok()
            .filter(|&i| self.components[i].id == id)
            .or_else(|| self.components.iter().position(|c| c.id == id))
            .map(|i| &self.components[i])
    }

    /// A zone as people wrote it: its `@boundary ... around`'s name, else the name of the
    /// top-level component it is the implicit zone of (`Customer` for `customer`); `None`
    /// when neither names it (an unnamed declared zone, data sources and sinks).
    pub fn zone_name(&self, zone: &str) -> Option<&str> {
        if zone.is_empty() {
            return None;
        }
        match self
            .boundaries
            .iter()
            .find(|b| b.kind == BoundaryKind::Around && b.id == zone)
        {
            Some(b) => b.name.as_deref(),
            None => self
                .component(zone)
                .filter(|c| c.parent.is_none())
                .map(|c| c.name.as_str()),
        }
    }

    /// An attack path's route for people: `Internet:Visitor → Shop:Web → Shop:Card Vault`.
    pub fn route(&self, path: &[crate::analysis::Hop]) -> String {
        let names: Vec<String> = path
            .first()
            .map(|h| self.component_name(&h.from))
            .into_iter()
            .chain(path.iter().map(|h| self.component_name(&h.to)))
            .collect();
        names.join(" → ")
    }

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
