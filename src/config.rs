//! `threatline.yaml`: found from the scanned path upward to the repository root, or given
//! with `--config`. Every key is checked; an unknown key or a bad value is an error that
//! names it.

mod zones;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::analysis::AnalysisOptions;
use crate::analysis::RuleCode;
use crate::annotation::{Layer, Severity};
use crate::catalogue::Catalogue;
use crate::diff::{ChangeAction, ChangeKind};
use crate::escape::for_terminal;
use crate::model::{BuildOptions, LayerKeywords, TrustOptions};
use crate::yaml::{Entries, ReadError};

pub const FILE_NAMES: &[&str] = &["threatline.yaml", "threatline.yml", ".threatline.yaml"];

/// Config files are small; anything bigger is refused before parsing.
const MAX_CONFIG_BYTES: u64 = 256 * 1024;

/// An organisation catalogue is text written by people (as `catalogue::load` caps it).
const MAX_CATALOGUE_BYTES: u64 = 4 * 1024 * 1024;

/// The file as written, with the place of every word a message may point at.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    severity: Entries<Spanned<String>>,
    #[serde(default)]
    implicit_zones: Option<bool>,
    #[serde(default)]
    layers: Entries<Vec<String>>,
    #[serde(default)]
    catalogues: Vec<Spanned<String>>,
    /// `check --since` / `--staged`: per kind of model change, fail, report or off.
    #[serde(default)]
    changes: Entries<Spanned<String>>,
    /// Whether a GuardLink project file (`.guardlink/config.json`) shapes the scan.
    #[serde(default)]
    guardlink: Option<bool>,
    /// Secure transports: inferred from flow mechanisms or not, and local ones.
    #[serde(default)]
    transports: Option<RawTransports>,
    /// Zones where attack paths start, whatever their names say.
    #[serde(default)]
    untrusted: Vec<Spanned<String>>,
    /// Zones trusted although their names are in the keyword table (`catalogue/trust.yaml`).
    #[serde(default)]
    trusted: Vec<Spanned<String>>,
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
    /// Zones listed under `untrusted:` and `trusted:`, each with its place in the file.
    pub trust: TrustOptions,
}

/// The words `fail_on` and `severity` take, most severe first.
const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

/// Lines longer than this are not shown under a message (a generated or hostile file):
/// the line and column locate the problem.
const MAX_SHOWN_LINE: usize = 200;

/// What most YAML syntax errors in a hand-written file come down to.
const SYNTAX_HINT: &str = "check the indentation (the keys of one mapping start in the same column) and quote a value that holds `: ` or ` #`";

/// A word of the file quoted in a message is cut to this many characters.
const MAX_QUOTED: usize = 80;

/// Which kind of file a [`ConfigError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `threatline.yaml`, found or given with `--config`.
    Config,
    /// An organisation catalogue that the config names.
    Catalogue,
    /// A `--baseline` file.
    Baseline,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Config => "config",
            FileKind::Catalogue => "catalogue",
            FileKind::Baseline => "baseline",
        }
    }
}

/// Where in a file a problem is, as YAML counts: 1-based line and character column.
/// (Boxed in [`ConfigError`], which stays small for the `Result`s that carry it.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub line: u32,
    pub column: u32,
    /// Characters to underline from `column` (at least one).
    pub width: u32,
    /// The line itself, to show under the message; `None` when it is too long to show.
    pub source_line: Option<String>,
}

impl Place {
    /// `line` and `column` of `text`, underlining `width` characters.
    pub fn new(text: &str, line: u32, column: u32, width: usize) -> Place {
        let source_line = nth_line(text, line)
            .filter(|l| l.chars().count() <= MAX_SHOWN_LINE)
            .map(str::to_string);
        Place {
            line,
            column: column.max(1),
            width: u32::try_from(width.max(1)).unwrap_or(u32::MAX),
            source_line,
        }
    }

    /// The place of a word the parser located, underlining it (with its quotes, if the
    /// file quotes it).
    fn of(text: &str, word: &Spanned<String>) -> Option<Place> {
        let line = u32::try_from(word.referenced.line())
            .ok()
            .filter(|&l| l > 0)?;
        let column = u32::try_from(word.referenced.column()).unwrap_or(1).max(1);
        let quoted = nth_line(text, line)
            .and_then(|l| l.chars().nth(column as usize - 1))
            .is_some_and(|c| c == '\'' || c == '"');
        let width = word.value.chars().count() + if quoted { 2 } else { 0 };
        Some(Place::new(text, line, column, width))
    }
}

/// A config (or catalogue, or baseline) file that cannot be used: what is wrong, in
/// which file, where, and what would be right. `Display` names the file once and
/// never starts with "error" (the command line puts its own prefix before it); with a
/// place it shows the line under the message, as [`ConfigError::render`] does with its
/// `error[config]` title.
#[derive(Debug)]
pub enum ConfigError {
    /// The file could not be read (missing, a link out of its directory, too big, not
    /// UTF-8). `source` is in the message, and so not also returned by `source()`.
    Read {
        kind: FileKind,
        path: String,
        source: ReadError,
    },
    /// Not YAML, or YAML of the wrong shape (a list where a word goes, an alias bomb).
    Yaml {
        path: String,
        message: String,
        hint: Option<String>,
        at: Option<Box<Place>>,
    },
    /// A key the file may not have here, with the nearest one it may.
    UnknownKey {
        path: String,
        key: String,
        suggestion: Option<String>,
        /// The keys allowed where this one is.
        expected: Vec<String>,
        at: Option<Box<Place>>,
    },
    /// A value (or a key naming a code, a layer, a kind of change) that is not one of
    /// those allowed; `key` is the top-level key it is under.
    Invalid {
        path: String,
        /// The key of the schema the value is under (`fail_on`, `severity`, `paths`).
        key: &'static str,
        message: String,
        suggestion: Option<String>,
        /// The words allowed, when they are few.
        expected: Vec<String>,
        at: Option<Box<Place>>,
    },
    /// An organisation catalogue the config names has bad entries; the message names
    /// each file and line.
    Catalogue { message: String },
}

impl ConfigError {
    /// The file the error is about, as messages show it (`None` for catalogue entries,
    /// whose message names their files).
    pub fn path(&self) -> Option<&str> {
        match self {
            ConfigError::Read { path, .. }
            | ConfigError::Yaml { path, .. }
            | ConfigError::UnknownKey { path, .. }
            | ConfigError::Invalid { path, .. } => Some(path),
            ConfigError::Catalogue { .. } => None,
        }
    }

    /// Where in the file, when known.
    pub fn place(&self) -> Option<&Place> {
        match self {
            ConfigError::Yaml { at, .. }
            | ConfigError::UnknownKey { at, .. }
            | ConfigError::Invalid { at, .. } => at.as_deref(),
            ConfigError::Read { .. } | ConfigError::Catalogue { .. } => None,
        }
    }

    /// What is wrong, in one line (several for a catalogue), without the file's name.
    pub fn message(&self) -> String {
        match self {
            ConfigError::Read { kind, path, source } => {
                format!("cannot read {} {path}: {source}", kind.as_str())
            }
            ConfigError::Yaml { message, .. }
            | ConfigError::Invalid { message, .. }
            | ConfigError::Catalogue { message } => message.clone(),
            ConfigError::UnknownKey { key, .. } => format!("unknown key `{}`", quoted(key)),
        }
    }

    /// What would be right: "did you mean", and the words allowed.
    pub fn hint(&self) -> Option<String> {
        let (suggestion, expected, list_anyway) = match self {
            ConfigError::UnknownKey {
                suggestion,
                expected,
                ..
            } => (suggestion, expected, false),
            ConfigError::Invalid {
                suggestion,
                expected,
                ..
            } => (suggestion, expected, true),
            ConfigError::Yaml { hint, .. } => return hint.clone(),
            _ => return None,
        };
        let one_of = (!expected.is_empty()).then(|| match self {
            ConfigError::UnknownKey { .. } => format!("the keys here are {}", expected.join(", ")),
            _ => format!("one of {}", expected.join(", ")),
        });
        match (suggestion, one_of) {
            (Some(s), Some(list)) if list_anyway => Some(format!("did you mean `{s}`? ({list})")),
            (Some(s), _) => Some(format!("did you mean `{s}`?")),
            (None, list) => list,
        }
    }

    /// The error as the command line shows a diagnostic: `error[config]: message`, the
    /// file, line and column, the line with the problem underlined, and the hint.
    pub fn render(&self, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        }
        .decor_style(DecorStyle::Ascii);
        let message = for_terminal(&self.message()).into_owned();
        let title = Level::ERROR.primary_title(message).id("config");
        let mut group = Group::with_title(title);
        if let Some(element) = self.location_element() {
            group = group.element(element);
        }
        let mut out = renderer.render(&self.with_hint(group)).to_string();
        out.push('\n');
        out
    }

    /// The file, line and column, with the line shown when it can be.
    fn location_element(&self) -> Option<annotate_snippets::Element<'static>> {
        let path = for_terminal(self.path()?).into_owned();
        let Some(place) = self.place() else {
            // `cannot read config x.yaml` already names the file.
            return (!matches!(self, ConfigError::Read { .. })).then(|| Origin::path(path).into());
        };
        Some(match &place.source_line {
            Some(line) => {
                let line = for_terminal(line.strip_prefix('\u{feff}').unwrap_or(line));
                let start = byte_of_column(&line, place.column);
                let end = byte_of_column(&line, place.column + place.width).max(start);
                Snippet::source(line.into_owned())
                    .line_start(place.line as usize)
                    .path(path)
                    .annotation(AnnotationKind::Primary.span(start..end))
                    .into()
            }
            None => Origin::path(path)
                .line(place.line as usize)
                .char_column(place.column as usize)
                .into(),
        })
    }

    fn with_hint(&self, group: Group<'static>) -> Vec<Group<'static>> {
        let mut groups = vec![group];
        if let Some(hint) = self.hint() {
            let hint = for_terminal(&hint).into_owned();
            groups.push(Group::with_title(Level::HELP.secondary_title(hint)));
        }
        groups
    }

    /// A parse error of `text`, the file shown as `path`.
    pub fn from_yaml(path: &str, text: &str, e: &serde_saphyr::Error) -> ConfigError {
        let at = crate::yaml::position(e);
        if let serde_saphyr::Error::SerdeUnknownField {
            field, expected, ..
        } = crate::yaml::original(e)
        {
            return ConfigError::UnknownKey {
                path: path.to_string(),
                key: field.clone(),
                suggestion: nearest(field, expected.iter().copied()),
                expected: expected.iter().map(|k| k.to_string()).collect(),
                at: at.map(|(line, column)| {
                    Box::new(Place::new(text, line, column, field.chars().count()))
                }),
            };
        }
        ConfigError::Yaml {
            path: path.to_string(),
            message: shortened(&crate::yaml::message(e), 4 * MAX_QUOTED),
            hint: crate::yaml::is_syntax_error(e).then(|| SYNTAX_HINT.to_string()),
            at: at.map(|(line, column)| Box::new(Place::new(text, line, column, 1))),
        }
    }
}

impl fmt::Display for ConfigError {
    /// What `render` shows without its `error[config]: ` title (the command line writes
    /// its own `error:` before this), escaped for a terminal as `render` is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = for_terminal(&self.message()).into_owned();
        let path = self.path().map(for_terminal);
        match (&path, self.place()) {
            // Without a place the file goes first; `cannot read config x.yaml: ...` and
            // catalogue messages name their files themselves.
            (Some(path), None) if !matches!(self, ConfigError::Read { .. }) => {
                write!(f, "{path}: {message}")?
            }
            _ => f.write_str(&message)?,
        }
        match self.place() {
            Some(Place {
                source_line: Some(_),
                ..
            }) => {
                let mut group = Group::with_level(Level::ERROR);
                if let Some(element) = self.location_element() {
                    group = group.element(element);
                }
                let renderer = Renderer::plain().decor_style(DecorStyle::Ascii);
                return write!(f, "\n{}", renderer.render(&self.with_hint(group)));
            }
            Some(place) => {
                let path = path.unwrap_or_default();
                write!(f, "\n --> {path}:{}:{}", place.line, place.column)?;
            }
            None => {}
        }
        match self.hint() {
            Some(hint) => write!(f, "\nhelp: {}", for_terminal(&hint)),
            None => Ok(()),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Line `line` (1-based) of `text`, where YAML ends lines at `\n`, `\r\n` or `\r`.
fn nth_line(text: &str, line: u32) -> Option<&str> {
    let index = (line as usize).checked_sub(1)?;
    let mut rest = text;
    for _ in 0..index {
        let end = rest.find(['\n', '\r'])?;
        let skip = if rest[end..].starts_with("\r\n") {
            2
        } else {
            1
        };
        rest = &rest[end + skip..];
    }
    Some(rest.find(['\n', '\r']).map_or(rest, |end| &rest[..end]))
}

/// The byte offset in `line` of 1-based character column `column`.
fn byte_of_column(line: &str, column: u32) -> usize {
    line.char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i)
}

/// A word of the file for a message: cut when long, so a message never carries a file.
fn quoted(word: &str) -> String {
    shortened(word, MAX_QUOTED)
}

fn shortened(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// The candidate nearest to `wanted`, if near enough to be what was meant.
fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let wanted = wanted.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&wanted, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c.to_string())
}

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
            .map_err(|source| ConfigError::Read {
                kind: FileKind::Config,
                path: shown.to_string(),
                source,
            })?;
        let mut config = Config::parse_as(&text, shown)?;
        config.source = Some(path.to_path_buf());
        config.catalogues = config.catalogues.iter().map(|c| base.join(c)).collect();
        Ok(config)
    }

    /// Parses and validates config text; errors name the file `threatline.yaml`.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse_as(text, FILE_NAMES[0])
    }

    /// Parses and validates config text; errors name the file `shown`.
    pub fn parse_as(text: &str, shown: &str) -> Result<Config, ConfigError> {
        let raw: Raw = if text.trim().is_empty() {
            Raw::default()
        } else {
            crate::yaml::from_str(text).map_err(|e| ConfigError::from_yaml(shown, text, &e))?
        };
        let check = Checker { path: shown, text };
        for (key, list) in [
            ("paths", &raw.paths),
            ("exclude", &raw.exclude),
            ("catalogues", &raw.catalogues),
        ] {
            for path in list {
                check_inside(&path.value).map_err(|m| check.invalid(key, m, path))?;
            }
        }
        let fail_on = match &raw.fail_on {
            Some(word) => Some(Severity::parse(&word.value).ok_or_else(|| {
                let message = format!("`fail_on: {}` is not a severity", quoted(&word.value));
                check.one_of("fail_on", message, word, &SEVERITIES)
            })?),
            None => None,
        };
        let codes: Vec<&str> = RuleCode::ALL.iter().map(|c| c.as_str()).collect();
        let mut severity = BTreeMap::new();
        for (name, value) in &raw.severity.0 {
            let code: RuleCode = name.value.parse().map_err(|_| {
                let message = format!("`severity: {}` is not a finding code", quoted(&name.value));
                check.one_of("severity", message, name, &codes)
            })?;
            let level = if value.value.eq_ignore_ascii_case("off") {
                None
            } else {
                Some(Severity::parse(&value.value).ok_or_else(|| {
                    let message = format!(
                        "`severity: {code}: {}` is not a severity or `off`",
                        quoted(&value.value)
                    );
                    let allowed: Vec<&str> = ["off"].into_iter().chain(SEVERITIES).collect();
                    check.one_of("severity", message, value, &allowed)
                })?)
            };
            severity.insert(code, level);
        }
        let layers = if raw.layers.0.is_empty() {
            None
        } else {
            let names = ["control", "compute", "communication", "storage"];
            let mut table = BTreeMap::new();
            for (name, words) in &raw.layers.0 {
                if Layer::parse(&name.value).is_none() {
                    let message = format!("`layers: {}` is not a CCCS layer", quoted(&name.value));
                    return Err(check.one_of("layers", message, name, &names));
                }
                table.insert(name.value.clone(), words.clone());
            }
            let overrides =
                LayerKeywords::from_table(&table).map_err(|message| ConfigError::Invalid {
                    path: shown.to_string(),
                    key: "layers",
                    message: format!("`layers`: {message}"),
                    suggestion: None,
                    expected: Vec::new(),
                    at: None,
                })?;
            let mut keywords = LayerKeywords::builtin().clone();
            keywords.extend(&overrides);
            Some(keywords)
        };
        let kinds: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.as_str()).collect();
        let mut changes = BTreeMap::new();
        for (name, value) in &raw.changes.0 {
            let kind = ChangeKind::parse(&name.value).ok_or_else(|| {
                let message = format!(
                    "`changes: {}` is not a kind of model change",
                    quoted(&name.value)
                );
                check.one_of("changes", message, name, &kinds)
            })?;
            let action = ChangeAction::parse(&value.value).ok_or_else(|| {
                let message = format!(
                    "`changes: {}: {}` is not `fail`, `report` or `off`",
                    kind.as_str(),
                    quoted(&value.value)
                );
                check.one_of("changes", message, value, &["fail", "report", "off"])
            })?;
            changes.insert(kind, action);
        }
        let trust = check.zones(&raw.untrusted, &raw.trusted)?;
        let words = |list: Vec<Spanned<String>>| list.into_iter().map(|w| w.value);
        Ok(Config {
            source: None,
            paths: words(raw.paths).collect(),
            exclude: words(raw.exclude).collect(),
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
            catalogues: words(raw.catalogues).map(PathBuf::from).collect(),
            changes,
            trust,
        })
    }

    /// How to build the model: zones, layer keywords, and the catalogue merged with the
    /// organisation's files (a bad file is a config error).
    pub fn build_options(&self) -> Result<BuildOptions, ConfigError> {
        let mut options = BuildOptions {
            implicit_zones: self.implicit_zones,
            trust: self.trust.clone(),
            ..BuildOptions::default()
        };
        if !self.infer_transports || !self.local_transports.is_empty() {
            let transports = crate::model::transports::Transports::new(
                self.local_transports.clone(),
                self.infer_transports,
            )
            .map_err(|e| ConfigError::Invalid {
                path: self.shown(),
                key: "transports",
                message: format!("`transports`: {e}"),
                suggestion: None,
                expected: Vec::new(),
                at: None,
            })?;
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
                let text = crate::yaml::read_file(path, Some(base), MAX_CATALOGUE_BYTES).map_err(
                    |source| ConfigError::Read {
                        kind: FileKind::Catalogue,
                        path: shown.clone(),
                        source,
                    },
                )?;
                sources.push((shown, text));
            }
            let catalogue = Catalogue::with_sources(&sources)
                .map_err(|message| ConfigError::Catalogue { message })?;
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

    /// The config file as messages name it: the file name (`build_options` runs after
    /// `load`, which named it in full in any error of its own).
    fn shown(&self) -> String {
        self.source
            .as_deref()
            .and_then(Path::file_name)
            .map_or(FILE_NAMES[0].into(), |n| n.to_string_lossy().into_owned())
    }

    pub fn analysis_options(&self) -> AnalysisOptions {
        AnalysisOptions {
            severity: self.severity.clone(),
            ..AnalysisOptions::default()
        }
    }
}

/// Makes the errors of one file's values.
struct Checker<'a> {
    path: &'a str,
    text: &'a str,
}

impl Checker<'_> {
    /// A bad value of `key`: `word`, underlined.
    fn invalid(&self, key: &'static str, message: String, word: &Spanned<String>) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.to_string(),
            key,
            message,
            suggestion: None,
            expected: Vec::new(),
            at: Place::of(self.text, word).map(Box::new),
        }
    }

    /// A `word` of `key` that is not one of `allowed`, with the nearest of them.
    fn one_of(
        &self,
        key: &'static str,
        message: String,
        word: &Spanned<String>,
        allowed: &[&str],
    ) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.to_string(),
            key,
            message,
            suggestion: nearest(&word.value, allowed.iter().copied()),
            expected: allowed.iter().map(|w| w.to_string()).collect(),
            at: Place::of(self.text, word).map(Box::new),
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
            "`{}` leaves the scanned tree; paths and excludes must be relative and stay inside it",
            quoted(path)
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
    fn defaults_fail_only_on_a_removed_defence_and_a_new_attack_path() {
        let c = Config::defaults();
        for kind in ChangeKind::ALL {
            let expected = if matches!(kind, ChangeKind::RemovedDefence | ChangeKind::NewAttackPath)
            {
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
        let err = |text: &str| Config::parse(text).unwrap_err().to_string();
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

    #[test]
    fn hints_name_the_nearest_word_and_the_words_allowed() {
        let hint = |text: &str| Config::parse(text).unwrap_err().hint().unwrap_or_default();
        assert_eq!(hint("fial_on: high\n"), "did you mean `fail_on`?");
        assert!(
            hint("zzz: 1\n").starts_with("the keys here are paths, exclude, fail_on,"),
            "{}",
            hint("zzz: 1\n")
        );
        assert_eq!(
            hint("fail_on: hgh\n"),
            "did you mean `high`? (one of critical, high, medium, low, info)"
        );
        assert_eq!(
            hint("fail_on: severe\n"),
            "one of critical, high, medium, low, info"
        );
        assert!(
            hint("changes:\n  removed-defense: fail\n")
                .starts_with("did you mean `removed-defence`? (one of ")
        );
        assert_eq!(
            hint("layers:\n  storge: [x]\n"),
            "did you mean `storage`? (one of control, compute, communication, storage)"
        );
    }

    #[test]
    fn places_are_counted_as_yaml_counts_them() {
        assert_eq!(nth_line("a\nb\r\nc\rd", 1), Some("a"));
        assert_eq!(nth_line("a\nb\r\nc\rd", 2), Some("b"));
        assert_eq!(nth_line("a\nb\r\nc\rd", 3), Some("c"));
        assert_eq!(nth_line("a\nb\r\nc\rd", 4), Some("d"));
        assert_eq!(nth_line("a\nb\r\nc\rd", 5), None);
        assert_eq!(nth_line("a", 0), None);
        // Quotes are underlined with the word; columns count characters.
        let e = Config::parse("fail_on: 'hgh'\n").unwrap_err();
        assert_eq!(
            e.place().map(|p| (p.line, p.column, p.width)),
            Some((1, 10, 5))
        );
        let e = Config::parse("# é\nexclude: [é, ../x]\n").unwrap_err();
        assert_eq!(
            e.place().map(|p| (p.line, p.column, p.width)),
            Some((2, 14, 4))
        );
        // A CRLF file shows its line without the `\r`.
        let e = Config::parse("fail_on: high\r\nfial_on: x\r\n").unwrap_err();
        assert_eq!(
            e.place().and_then(|p| p.source_line.as_deref()),
            Some("fial_on: x")
        );
    }
}
