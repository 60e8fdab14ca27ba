//! threatline: security annotations in code comments, turned into a CCCS-layered threat
//! model and a CI gate.
//!
//! The pipeline runs one way: [`walk`] files → [`prefilter`] → [`extract`] comments with
//! tree-sitter → [`annotation`] lines → [`model`] → outputs. Each stage takes plain data
//! and gives plain data, so each is tested alone.

pub mod admit;
pub mod analysis;
pub mod annotation;
pub mod baseline;
pub mod cache;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod diff;
pub mod escape;
pub mod extract;
pub mod git;
pub mod guardlink;
pub mod ignore_files;
pub mod import;
pub mod languages;
pub mod location;
pub mod lsp;
pub mod merge;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod prefilter;
pub mod report;
pub mod scan;
pub mod source;
pub mod suggest;
pub mod walk;
pub mod yaml;

use analysis::AnalysisOptions;
use model::{BuildOptions, Model};
use walk::{WalkError, WalkOptions};

/// Walks the tree, builds its model and runs the rules with default options.
pub fn scan_tree(
    walk_options: &WalkOptions,
    build_options: &BuildOptions,
) -> Result<Model, WalkError> {
    scan_tree_with(walk_options, build_options, &AnalysisOptions::default())
}

/// Walks the tree, builds its model and runs the rules.
pub fn scan_tree_with(
    walk_options: &WalkOptions,
    build_options: &BuildOptions,
    analysis_options: &AnalysisOptions,
) -> Result<Model, WalkError> {
    // One run of results in path order: the builder gathers every annotation before its
    // passes, and a run decoded straight into vectors of exact length leaves no per-file
    // vector behind to copy from.
    let walked = walk::walk_run(walk_options)?;
    let mut annotations = std::collections::BTreeMap::new();
    for a in &walked.run.annotations {
        *annotations.entry(a.verb).or_default() += 1;
    }
    let mut model = model::build(vec![walked.run], build_options);
    model.stats = model::ScanStats {
        files_seen: walked.files_seen,
        reads: walked.counts,
        files_with_annotations: walked.files_with_annotations,
        annotations,
        ..model.stats
    };
    model.findings = analysis::analyse(&model, analysis_options);
    Ok(model)
}
