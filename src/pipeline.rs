//! A tree scanned the way `check` scans it: its `threatline.yaml` applied and a GuardLink
//! project file (`.guardlink/config.json`) honoured. Every command that reads a tree, from
//! disk or from git, starts from these options, and so do library users and tests.

use std::path::PathBuf;

use crate::analysis::AnalysisOptions;
use crate::config::{Config, ConfigError};
use crate::model::{BuildOptions, Model};
use crate::walk::{WalkError, WalkOptions};

/// How to scan with the config applied, whether the files come from disk or from git.
pub struct ScanOptions {
    pub walk: WalkOptions,
    pub build: BuildOptions,
    pub analysis: AnalysisOptions,
    pub config: Config,
}

impl ScanOptions {
    /// `walk` (the command line's choices) with `config` applied: its paths, its excludes
    /// before the command line's, and, unless it says `guardlink: false`, the scope of a
    /// GuardLink project at the root.
    pub fn new(mut walk: WalkOptions, config: Config) -> Result<ScanOptions, ConfigError> {
        walk.excludes = config
            .exclude
            .iter()
            .cloned()
            .chain(walk.excludes)
            .collect();
        walk.paths = config.paths.iter().map(PathBuf::from).collect();
        let mut build = config.build_options()?;
        if config.guardlink
            && let Some(project) = crate::guardlink::read(&walk.root)
        {
            walk.include = project.include;
            walk.excludes.extend(project.exclude);
            build.settings_diagnostics = project.diagnostics;
        }
        let analysis = AnalysisOptions {
            catalogue: build.catalogue.clone(),
            ..config.analysis_options()
        };
        Ok(ScanOptions {
            walk,
            build,
            analysis,
            config,
        })
    }

    /// The options for the tree at `root` with its own config file (found from `root`
    /// upward) and nothing else chosen.
    pub fn for_tree(root: impl Into<PathBuf>) -> Result<ScanOptions, ConfigError> {
        let walk = WalkOptions::new(root);
        let config = Config::load(None, &walk.root)?;
        ScanOptions::new(walk, config)
    }

    /// Walks the tree, builds its model and runs the rules.
    pub fn scan(&self) -> Result<Model, WalkError> {
        crate::scan_tree_with(&self.walk, &self.build, &self.analysis)
    }
}
