//! GuardLink projects as they are: `.guardlink/config.json` at the scanned root says which
//! files make up the project (`include`, `exclude`), where its shared definitions live
//! (`definitions`, relative to `.guardlink/`) and whether annotations sit in comments or in
//! `.gal` sidecars under `.guardlink/annotations/` (`annotation_mode`; both are read either
//! way, as GuardLink reads both). threatline honours it unless `threatline.yaml` says
//! `guardlink: false`. A key it does not understand, or a value of the wrong shape, is a
//! `foreign-config` warning naming the key; nothing in it fails a run.

use std::path::Path;

use serde_json::Value;

use crate::diagnostics::{Code, Diagnostic};
use crate::location::Location;

/// Where the file is, relative to the scanned root.
pub const CONFIG: &str = ".guardlink/config.json";

/// Sidecar annotation files, read whatever `include` says (GuardLink's own second glob).
const SIDECARS: &str = ".guardlink/annotations/**/*.gal";

/// A project file is small; anything bigger is passed over with a warning.
const MAX_BYTES: u64 = 256 * 1024;

/// Keys GuardLink writes or reads that do not change which annotations make up the model
/// (its name, its agents' settings, its own diagnostics' switches).
const UNUSED_KEYS: &[&str] = &[
    "version",
    "project",
    "language",
    "diagnostics",
    "provider",
    "model",
    "apiKey",
    "aiMode",
    "cliAgent",
    "extendedThinking",
    "webSearch",
    "responseFormat",
    "redactEvidence",
];

/// What a GuardLink project adds to a scan.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Project {
    /// Globs (relative to the root) of the files to read; empty: every file.
    pub include: Vec<String>,
    /// Gitignore-style globs of paths not to read.
    pub exclude: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The GuardLink project at `root`, if it has a `.guardlink/config.json`.
pub fn read(root: &Path) -> Option<Project> {
    let path = root.join(CONFIG);
    if !path.exists() {
        return None;
    }
    let mut project = Project::default();
    let text = match crate::yaml::read_file(&path, Some(root), MAX_BYTES) {
        Ok(text) => text,
        Err(e) => {
            project.warn(
                1,
                1,
                format!("cannot read {CONFIG}: {e}"),
                "fix or remove the file; GuardLink's project scope is ignored until then",
                "",
            );
            return Some(project);
        }
    };
    project.read_text(&text);
    Some(project)
}

impl Project {
    fn read_text(&mut self, text: &str) {
        let value: Value = match serde_json::from_str(text) {
            Ok(value) => value,
            Err(e) => {
                self.warn(
                    e.line() as u32,
                    e.column().max(1) as u32,
                    format!("{CONFIG} is not valid JSON: {e}"),
                    "fix the JSON; GuardLink's project scope is ignored until then",
                    "",
                );
                return;
            }
        };
        let Value::Object(keys) = value else {
            self.warn(
                1,
                1,
                format!("{CONFIG} is not a JSON object"),
                "write `{\"include\": [...], \"exclude\": [...]}`",
                "",
            );
            return;
        };
        let mut definitions = "definitions.ts".to_string();
        let mut include = Vec::new();
        for (key, value) in &keys {
            let (line, column) = position_of_key(text, key);
            match key.as_str() {
                "include" => match strings(value) {
                    Some(globs) => include = globs,
                    None => self.wrong_shape(line, column, key, "a list of glob strings"),
                },
                "exclude" => match strings(value) {
                    Some(globs) => self.exclude = globs.iter().map(|g| anchored(g)).collect(),
                    None => self.wrong_shape(line, column, key, "a list of glob strings"),
                },
                "definitions" => match value.as_str() {
                    Some(file) if is_inside(file) => definitions = file.to_string(),
                    _ => self.wrong_shape(line, column, key, "a file name relative to `.guardlink/`"),
                },
                "annotation_mode" => {
                    if !matches!(value.as_str(), Some("inline" | "external")) {
                        self.wrong_shape(line, column, key, "`inline` or `external`");
                    }
                }
                known if UNUSED_KEYS.contains(&known) => {}
                unknown => self.warn(
                    line,
                    column,
                    format!("`{unknown}` in {CONFIG} is not a GuardLink setting threatline knows; ignored"),
                    "GuardLink's keys that shape the model are `include`, `exclude`, `definitions` and `annotation_mode`",
                    unknown,
                ),
            }
        }
        if !include.is_empty() {
            // The definitions and the sidecars belong to the project whatever `include`
            // says, as do plain annotation files.
            include.push(format!(".guardlink/{definitions}"));
            include.push(SIDECARS.to_string());
            include.push("**/*.gal".to_string());
            include.push("**/*.threatline".to_string());
        }
        self.include = include;
    }

    fn wrong_shape(&mut self, line: u32, column: u32, key: &str, want: &str) {
        self.warn(
            line,
            column,
            format!("`{key}` in {CONFIG} is not {want}; ignored"),
            &format!("write `{key}` as {want}"),
            key,
        );
    }

    fn warn(&mut self, line: u32, column: u32, message: String, hint: &str, text: &str) {
        self.diagnostics.push(
            Diagnostic::new(
                Code::ForeignConfig,
                Location::new(CONFIG, line, column),
                message,
            )
            .hint(hint)
            .text(text),
        );
    }
}

fn strings(value: &Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// A relative path that stays inside its directory.
fn is_inside(file: &str) -> bool {
    let path = Path::new(file);
    !file.is_empty()
        && path.is_relative()
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// GuardLink's globs are fast-glob's, relative to the project root: a bare `tests` is the
/// root's `tests/` only, `**/tests/**` any directory of that name. In gitignore syntax
/// (the walker's), a pattern without a `/` matches at any depth, so a bare one is anchored.
fn anchored(glob: &str) -> String {
    let glob = glob.trim_start_matches("./");
    if glob.starts_with('/') || glob.starts_with("**") || glob.contains('/') {
        glob.to_string()
    } else {
        format!("/{glob}")
    }
}

/// Line and column of `"key":` in the JSON text (1, 1 when not found).
fn position_of_key(text: &str, key: &str) -> (u32, u32) {
    let needle = format!("\"{key}\"");
    let Some(at) = text.find(&needle) else {
        return (1, 1);
    };
    let before = &text[..at];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(text: &str) -> Project {
        let mut p = Project::default();
        p.read_text(text);
        p
    }

    #[test]
    fn include_exclude_and_definitions_shape_the_scan() {
        let p = project(
            r#"{"version": "1.1.0", "project": "x", "annotation_mode": "inline",
                "definitions": "defs.py", "include": ["**/*.ts"],
                "exclude": ["node_modules", "tests", "**/tests/**", "src/gen", "./dist"]}"#,
        );
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        assert_eq!(
            p.exclude,
            ["/node_modules", "/tests", "**/tests/**", "src/gen", "/dist"]
        );
        assert!(p.include.contains(&".guardlink/defs.py".to_string()));
        assert!(p.include.contains(&SIDECARS.to_string()));
    }

    #[test]
    fn what_it_does_not_understand_is_named_and_ignored() {
        let p = project(
            "{\n  \"include\": \"**/*.ts\",\n  \"scan_depth\": 3,\n  \"annotation_mode\": \"mixed\"\n}",
        );
        let said: Vec<(u32, &str)> = p
            .diagnostics
            .iter()
            .map(|d| (d.location.line, d.message.as_str()))
            .collect();
        assert_eq!(said.len(), 3, "{said:?}");
        assert!(
            said.iter().any(|(l, m)| *l == 2 && m.contains("`include`")),
            "{said:?}"
        );
        assert!(
            said.iter()
                .any(|(l, m)| *l == 3 && m.contains("`scan_depth`")),
            "{said:?}"
        );
        assert!(
            said.iter()
                .any(|(l, m)| *l == 4 && m.contains("`annotation_mode`")),
            "{said:?}"
        );
        assert!(p.include.is_empty());
        let p = project("not json");
        assert_eq!(p.diagnostics[0].code, Code::ForeignConfig);
        let p = project(r#"{"definitions": "../../etc/passwd"}"#);
        assert_eq!(p.diagnostics.len(), 1);
    }
}
