//! threatline: security annotations in code comments, turned into a CCCS-layered threat
//! model and a CI gate.
//!
//! The pipeline runs one way: [`walk`] files → [`prefilter`] → [`extract`] comments with
//! tree-sitter → [`annotation`] lines → [`model`] → outputs. Each stage takes plain data
//! and gives plain data, so each is tested alone.

pub mod annotation;
pub mod cli;
pub mod diagnostics;
pub mod escape;
pub mod extract;
pub mod languages;
pub mod location;
pub mod model;
pub mod output;
pub mod prefilter;
pub mod scan;
pub mod source;
pub mod walk;

use model::{BuildOptions, Model};
use walk::{WalkError, WalkOptions};

/// Walks the tree and builds its model: the scan as a library call.
pub fn scan_tree(
    walk_options: &WalkOptions,
    build_options: &BuildOptions,
) -> Result<Model, WalkError> {
    let walked = walk::walk(walk_options)?;
    Ok(model::build(walked.files, build_options))
}
