//! Migration from Threatspec: read a Threatspec 0.5 model ([`read`]: a `threatmodel/`
//! directory or a `ThreatModel.json` report) and write the same model as `*.threatline`
//! annotation files ([`write`]), then read those files back to check that they say what
//! was meant ([`check`]).

pub mod check;
pub mod read;
mod relations;
mod text;
pub mod write;

use std::collections::BTreeMap;

use serde_json::{Map, Value};

pub use check::{check, model_of};
pub use read::{ImportError, read};
pub use write::{ImportOptions, Imported, to_annotations};

/// A Threatspec model, ids as Threatspec writes them (`#sqli`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThreatspecModel {
    /// Where it was read from, for messages.
    pub origin: String,
    /// Where the imported files go unless told otherwise: the `threatmodel/` directory
    /// read, or `threatmodel/` next to a `ThreatModel.json`.
    pub default_output: std::path::PathBuf,
    pub threats: BTreeMap<String, LibraryEntry>,
    pub controls: BTreeMap<String, LibraryEntry>,
    pub components: BTreeMap<String, LibraryEntry>,
    pub mitigations: Vec<Relation>,
    pub exposures: Vec<Relation>,
    pub acceptances: Vec<Relation>,
    pub transfers: Vec<Relation>,
    pub connections: Vec<Relation>,
    pub reviews: Vec<Relation>,
    pub tests: Vec<Relation>,
    /// What was read leniently (a missing library file, say), for the person importing.
    pub warnings: Vec<String>,
}

/// A threat, control or component of a Threatspec library.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LibraryEntry {
    pub id: String,
    /// Empty for an entry only ever referenced by a bare `#id`.
    pub name: String,
    pub description: String,
    /// Components only: the parent paths Threatspec recorded.
    pub paths: Vec<Vec<String>>,
    pub custom: Map<String, Value>,
}

/// One relation of `threatmodel.json`; which fields are set depends on its kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Relation {
    pub threat: Option<String>,
    pub control: Option<String>,
    pub component: Option<String>,
    pub source_component: Option<String>,
    pub destination_component: Option<String>,
    /// `to` or `with` (connections).
    pub direction: Option<String>,
    pub details: String,
    pub description: String,
    pub custom: Map<String, Value>,
    /// `filename:line` where Threatspec found it.
    pub origin: Option<String>,
}
