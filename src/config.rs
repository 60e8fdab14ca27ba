//! `threatline.yaml`: found from the scanned path upward to the repository root, or given
//! with `--config`. Every key is checked; an unknown key or a bad value is an error that
//! names it.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use crate::analysis::AnalysisOptions;
use crate::analysis::RuleCode;
use crate::analysis::code::UnknownCode;
use crate::annotation::{Layer, Severity};
use crate::catalogue::Catalogue;
use crate::diff::{ChangeAction, ChangeKind};
use crate::model::{BuildOptions, LayerKeywords};

pub const FILE_NAMES: &[&str] = &["threatline.yaml", "threatline.yml", ".threatline.yaml"];

/// Config files are small; anything bigger is refused before parsing.
const MAX_CONFIG_BYTES: u64 = 256 * 1024;

/// An organisation catalogue is text written by people (as `catalogue::load` caps it).
const MAX_CATALOGUE_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    fail_on: Option<String>,
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default)]
    implicit_zones: Option<bool>,
    #[serde(default)]
    layers: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    catalogues: Vec<String>,
    /// `check --since` / `--staged`: per kind of model change, fail, report or off.
    #[serde(default)]
    changes: BTreeMap<String, String>,
    /// Whether a GuardLink project file (`.guardlink/config.json`) shapes the scan.
    #[serde(default)]
    guardlink: Option<bool>,
    /// Secure transports: inferred from flow mechanisms or not, and local ones.
    #[serde(default)]
    transports: Option<RawTransports>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransports {
    #[serde(default)]
    infer: Option<bool>,
    #[serde(default)]
    secure: Vec<crate::model::transports::SecureEntry>,
}

/// A validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from, if from a file.
    pub source: Option<PathBuf>,
    /// Sub-paths of the root to scan (all of it when empty).
    pub paths: Vec<String>,
    pub exclude: Vec<String>,
    pub fail_on: Option<Severity>,
    /// Per finding code: a severity, or `None` for `off`.
    pub severity: BTreeMap<RuleCode, Option<Severity>>,
    pub implicit_zones: bool,
    pub layers: Option<LayerKeywords>,
    /// Organisation catalogue files, relative to the config file's directory.
    pub catalogues: Vec<PathBuf>,
    /// What `check --since` does with each kind of model change, where not the default.
    pub changes: BTreeMap<ChangeKind, ChangeAction>,
    /// Honour `.guardlink/config.json` at the scanned root (`guardlink: false` turns it off).
    pub guardlink: bool,
    /// Infer controls from secure transports named in flow mechanisms (`transports:
    /// {infer: false}` turns it off), with these local transports first.
    pub infer_transports: bool,
    pub local_transports: Vec<crate::model::transports::SecureEntry>,
}

/// A config problem, naming the file and the key.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The defaults, as if no file existed.
    pub fn defaults() -> Config {
        Config {
            implicit_zones: true,
            guardlink: true,
            infer_transports: true,
            ..Config::default()
        }
    }

    /// `--config FILE`, else the first config file from `start` upward to the repository
    /// root (the first directory holding `.git`), else the defaults.
    pub fn load(explicit: Option<&Path>, start: &Path) -> Result<Config, ConfigError> {
        match explicit {
            Some(path) => Config::from_file(path),
            None => match discover(start) {
                // Found in the tree, so written by whoever wrote the tree: it must not be
                // a link out of its directory, and messages name it relative to `start`.
                Some(path) => Config::read(&path, true, &relative_to(&path, start)),
                None => Ok(Config::defaults()),
            },
        }
    }

    /// The config file the person running the tool named.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        Config::read(path, false, &path.display().to_string())
    }

    fn read(path: &Path, in_tree: bool, shown: &str) -> Result<Config, ConfigError> {
        let base = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let text = crate::yaml::read_file(path, in_tree.then_some(base), MAX_CONFIG_BYTES)
            .map_err(|e| ConfigError(format!("cannot read config {shown}: {e}")))?;
        let mut config = Config::parse(&text).map_err(|e| ConfigError(format!("{shown}: {e}")))?;
        config.source = Some(path.to_path_buf());
        config.catalogues = config.catalogues.iter().map(|c| base.join(c)).collect();
        Ok(config)
    }

    /// Parses and validates config text.
    pub fn parse(text: &str) -> Result<Config, String> {
        let raw: Raw = if text.trim().is_empty() {
            Raw::default()
        } else {
            crate::yaml::from_str(text).map_err(|e| e.to_string())?
        };
        for path in raw.paths.iter().chain(&raw.exclude).chain(&raw.catalogues) {
            check_inside(path)?;
        }
        let fail_on = raw
            .fail_on
            .as_deref()
            .map(|s| {
                Severity::parse(s).ok_or_else(|| {
                    format!("`fail_on: {s}` is not a severity (critical, high, medium, low, info)")
                })
            })
            .transpose()?;
        let mut severity = BTreeMap::new();
        for (name, value) in raw.severity {
            let code: RuleCode = name
                .parse()
                .map_err(|e: UnknownCode| format!("`severity: {name}`: {e}"))?;
            let level = if value.eq_ignore_ascii_case("off") {
                None
            } else {
                Some(Severity::parse(&value).ok_or_else(|| {
                    format!("`severity: {code}: {value}` is not a severity or `off`")
                })?)
            };
            severity.insert(code, level);
        }
        let layers = if raw.layers.is_empty() {
            None
        } else {
            for name in raw.layers.keys() {
                if Layer::parse(name).is_none() {
                    return Err(format!(
                        "`layers: {name}` is not a CCCS layer (control, compute, communication, storage)"
                    ));
                }
            }
            let overrides = LayerKeywords::from_table(&raw.layers)?;
            let mut keywords = LayerKeywords::builtin().clone();
            keywords.extend(&overrides);
            Some(keywords)
        };
        let mut changes = BTreeMap::new();
        for (name, value) in raw.changes {
            let kind = ChangeKind::parse(&name).ok_or_else(|| {
                let known: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.as_str()).collect();
                format!(
                    "`changes: {name}` is not a kind of model change (one of {})",
                    known.join(", ")
                )
            })?;
            let action = ChangeAction::parse(&value).ok_or_else(|| {
                format!("`changes: {name}: {value}` is not `fail`, `report` or `off`")
            })?;
            changes.insert(kind, action);
        }
        Ok(Config {
            source: None,
            paths: raw.paths,
            exclude: raw.exclude,
            fail_on,
            severity,
            implicit_zones: raw.implicit_zones.unwrap_or(true),
            guardlink: raw.guardlink.unwrap_or(true),
            infer_transports: raw
                .transports
                .as_ref()
                .and_then(|t| t.infer)
                .unwrap_or(true),
            local_transports: raw.transports.map(|t| t.secure).unwrap_or_default(),
            layers,
            catalogues: raw.catalogues.iter().map(PathBuf::from).collect(),
            changes,
        })
    }

    /// How to build the model: zones, layer keywords, and the catalogue merged with the
    /// organisation's files (a bad file is a config error).
    pub fn build_options(&self) -> Result<BuildOptions, ConfigError> {
        let mut options = BuildOptions {
            implicit_zones: self.implicit_zones,
            ..BuildOptions::default()
        };
        if !self.infer_transports || !self.local_transports.is_empty() {
            let transports = crate::model::transports::Transports::new(
                self.local_transports.clone(),
                self.infer_transports,
            )
            .map_err(|e| ConfigError(format!("`transports`: {e}")))?;
            options.transports = std::sync::Arc::new(transports);
        }
        if let Some(layers) = &self.layers {
            options.layer_keywords = layers.clone();
        }
        if !self.catalogues.is_empty() {
            // `..` and absolute paths are refused by `parse`; a link must not leave the
            // config's directory either. Messages name a catalogue as the config does.
            let base = match self.source.as_deref().and_then(Path::parent) {
                Some(dir) if !dir.as_os_str().is_empty() => dir,
                _ => Path::new("."),
            };
            let mut sources = Vec::new();
            for path in &self.catalogues {
                let shown = path
                    .strip_prefix(base)
                    .unwrap_or(path)
                    .display()
                    .to_string();
                let text = crate::yaml::read_file(path, Some(base), MAX_CATALOGUE_BYTES)
                    .map_err(|e| ConfigError(format!("cannot read catalogue {shown}: {e}")))?;
                sources.push((shown, text));
            }
            let catalogue = Catalogue::with_sources(&sources).map_err(ConfigError)?;
            options.catalogue = std::sync::Arc::new(catalogue);
        }
        Ok(options)
    }

    /// What `check --since` does with a kind of model change: the config's word, else the
    /// kind's default (only a removed defence fails).
    pub fn change_action(&self, kind: ChangeKind) -> ChangeAction {
        self.changes
            .get(&kind)
            .copied()
            .unwrap_or(kind.default_action())
    }

    pub fn analysis_options(&self) -> AnalysisOptions {
        AnalysisOptions {
            severity: self.severity.clone(),
            ..AnalysisOptions::default()
        }
    }
}

/// Config found inside a scanned tree must not point the tool outside it.
fn check_inside(path: &str) -> Result<(), String> {
    let p = Path::new(path.trim_start_matches('!'));
    if p.is_absolute()
        || p.components().any(|c| {
            matches!(
                c,
                Component::ParentDir | Component::Prefix(_) | Component::RootDir
            )
        })
    {
        return Err(format!(
            "`{path}` leaves the scanned tree; paths and excludes must be relative and stay inside it"
        ));
    }
    Ok(())
}

/// `path` as messages show it: relative to `start` (the scanned root), which it is in or
/// above, so that no absolute path reaches a CI log.
fn relative_to(path: &Path, start: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let (Some(dir), Ok(start)) = (path.parent(), start.canonicalize()) else {
        return name.into_owned();
    };
    let start = if start.is_dir() {
        start.as_path()
    } else {
        start.parent().unwrap_or(&start)
    };
    match start.ancestors().position(|a| a == dir) {
        Some(up) => format!("{}{name}", "../".repeat(up)),
        None => name.into_owned(),
    }
}

/// The first config file from `start` upward, stopping at the repository root.
fn discover(start: &Path) -> Option<PathBuf> {
    let start = start.canonicalize().ok()?;
    let mut dir = if start.is_dir() {
        start.as_path()
    } else {
        start.parent()?
    };
    loop {
        for name in FILE_NAMES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        if dir.join(".git").exists() {
            return None;
        }
        dir = dir.parent()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fail_only_on_a_removed_defence() {
        let c = Config::defaults();
        for kind in ChangeKind::ALL {
            let expected = if kind == ChangeKind::RemovedDefence {
                ChangeAction::Fail
            } else {
                ChangeAction::Report
            };
            assert_eq!(c.change_action(kind), expected, "{}", kind.as_str());
        }
    }

    #[test]
    fn reads_every_key() {
        let c = Config::parse(
            "paths: [src, deploy]\nexclude: ['**/gen/**']\nfail_on: medium\nseverity:\n  untested-control: off\n  open-review: low\nimplicit_zones: false\nlayers:\n  storage: [ledger book]\nchanges:\n  removed-defence: report\n  new-exposure: fail\n  component-added: off\n",
        )
        .unwrap();
        assert_eq!(c.paths, vec!["src", "deploy"]);
        assert_eq!(c.fail_on, Some(Severity::Medium));
        assert_eq!(c.severity[&RuleCode::UntestedControl], None);
        assert_eq!(c.severity[&RuleCode::OpenReview], Some(Severity::Low));
        assert!(!c.implicit_zones);
        assert_eq!(
            c.change_action(ChangeKind::RemovedDefence),
            ChangeAction::Report
        );
        assert_eq!(c.change_action(ChangeKind::NewExposure), ChangeAction::Fail);
        assert_eq!(
            c.change_action(ChangeKind::ComponentAdded),
            ChangeAction::Off
        );
        // Not mentioned: the default.
        assert_eq!(c.change_action(ChangeKind::FlowAdded), ChangeAction::Report);
        assert_eq!(c.layers.unwrap().infer("Ledger Book"), Some(Layer::Storage));
    }

    #[test]
    fn names_what_is_wrong() {
        let err = |text: &str| Config::parse(text).unwrap_err();
        assert!(err("fail_ob: high\n").contains("fail_ob"));
        assert!(err("fail_on: severe\n").contains("severe"));
        assert!(err("severity:\n  nope: high\n").contains("nope"));
        assert!(err("severity:\n  open-review: loud\n").contains("loud"));
        assert!(err("layers:\n  network: [x]\n").contains("network"));
        assert!(err("paths: [../other]\n").contains("../other"));
        assert!(err("exclude: [/etc]\n").contains("/etc"));
        assert!(err("paths: 3\n").len() > 3);
        assert!(err("changes:\n  removed-defense: fail\n").contains("removed-defense"));
        assert!(err("changes:\n  new-exposure: block\n").contains("block"));
        assert!(err("since:\n  new-exposure: fail\n").contains("since"));
    }
}
