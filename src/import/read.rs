//! Reading a Threatspec 0.5 model: the `threatmodel/` directory `threatspec run` writes
//! (`threatmodel.json` with bare ids, and the `threats.json`, `controls.json`,
//! `components.json` libraries) or the `ThreatModel.json` that `threatspec report -o json`
//! writes (relations with their ids expanded into library objects).
//!
//! Input is checked as it is read: anything that is not the layout gives an error that
//! names the file and the JSON path (`threatmodel.json: mitigations[2].threat: ...`), never
//! a panic. What Threatspec itself tolerates is tolerated here too: a library entry without
//! `custom` has its other keys as custom fields, a bare-id entry has an empty name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::{LibraryEntry, Relation, ThreatspecModel};

/// Why a Threatspec model cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub file: PathBuf,
    pub message: String,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

impl std::error::Error for ImportError {}

const KINDS: [&str; 7] = [
    "mitigations",
    "exposures",
    "transfers",
    "acceptances",
    "connections",
    "reviews",
    "tests",
];

/// Reads `path`: a `threatmodel/` directory, a project directory holding one (or holding
/// `ThreatModel.json`), a `threatmodel.json` file, or a `ThreatModel.json` report.
pub fn read(path: &Path) -> Result<ThreatspecModel, ImportError> {
    let error = |message: String| ImportError {
        file: path.to_path_buf(),
        message,
    };
    if path.is_file() {
        let value = load(path)?;
        return if value.get("threatmodel").is_some() {
            read_report(path, &value)
        } else if KINDS.iter().any(|k| value.get(k).is_some()) {
            read_directory(path.parent().unwrap_or(Path::new(".")), path, value)
        } else {
            Err(error(
                "neither Threatspec's threatmodel.json (with `mitigations`, `exposures`, ...) nor a ThreatModel.json report (with `threatmodel`)".into(),
            ))
        };
    }
    if !path.is_dir() {
        return Err(error("no such file or directory".into()));
    }
    for dir in [path.to_path_buf(), path.join("threatmodel")] {
        let file = dir.join("threatmodel.json");
        if file.is_file() {
            let value = load(&file)?;
            return read_directory(&dir, &file, value);
        }
    }
    let report = path.join("ThreatModel.json");
    if report.is_file() {
        let value = load(&report)?;
        return read_report(&report, &value);
    }
    Err(error(
        "no threatmodel.json here or in its threatmodel/ directory, and no ThreatModel.json: run `threatspec run` first, or name the file".into(),
    ))
}

fn load(file: &Path) -> Result<Value, ImportError> {
    let text = std::fs::read_to_string(file).map_err(|e| ImportError {
        file: file.to_path_buf(),
        message: format!("cannot read: {e}"),
    })?;
    let value: Value = serde_json::from_str(&text).map_err(|e| ImportError {
        file: file.to_path_buf(),
        message: format!("not valid JSON: {e}"),
    })?;
    if !value.is_object() {
        return Err(ImportError {
            file: file.to_path_buf(),
            message: "expected a JSON object at the top".into(),
        });
    }
    Ok(value)
}

/// The checks of one file: errors name it and the JSON path.
struct Reader<'a> {
    file: &'a Path,
}

impl Reader<'_> {
    fn error(&self, at: &str, message: impl std::fmt::Display) -> ImportError {
        ImportError {
            file: self.file.to_path_buf(),
            message: format!("{at}: {message}"),
        }
    }

    fn object<'v>(
        &self,
        value: &'v Value,
        at: &str,
    ) -> Result<&'v Map<String, Value>, ImportError> {
        value
            .as_object()
            .ok_or_else(|| self.error(at, format!("expected an object, found {}", kind(value))))
    }

    /// A string field: absent or null is empty.
    fn text(&self, entry: &Map<String, Value>, key: &str, at: &str) -> Result<String, ImportError> {
        match entry.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(self.error(
                &format!("{at}.{key}"),
                format!("expected a string, found {}", kind(other)),
            )),
        }
    }

    /// `custom`; for a library entry without one (`known` given), its other keys.
    fn custom(
        &self,
        entry: &Map<String, Value>,
        at: &str,
        known: Option<&[&str]>,
    ) -> Result<Map<String, Value>, ImportError> {
        match entry.get("custom") {
            Some(Value::Object(map)) => Ok(map.clone()),
            Some(Value::Null) => Ok(Map::new()),
            Some(other) => Err(self.error(
                &format!("{at}.custom"),
                format!("expected an object, found {}", kind(other)),
            )),
            // Threatspec's loader: without `custom`, the other keys are the custom fields.
            None => Ok(known.map_or_else(Map::new, |known| {
                entry
                    .iter()
                    .filter(|(k, _)| !known.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })),
        }
    }

    fn library_entry(
        &self,
        key: &str,
        value: &Value,
        at: &str,
    ) -> Result<LibraryEntry, ImportError> {
        let entry = self.object(value, at)?;
        let id = match entry.get("id") {
            Some(Value::String(id)) if !id.is_empty() => id.clone(),
            _ => key.to_string(),
        };
        let paths = match entry.get("paths") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(paths)) => paths
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let at = format!("{at}.paths[{i}]");
                    p.as_array()
                        .ok_or_else(|| self.error(&at, "expected a list of path segments"))?
                        .iter()
                        .map(|s| {
                            s.as_str()
                                .map(str::to_string)
                                .ok_or_else(|| self.error(&at, "expected strings"))
                        })
                        .collect()
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(self.error(
                    &format!("{at}.paths"),
                    format!("expected a list, found {}", kind(other)),
                ));
            }
        };
        Ok(LibraryEntry {
            id,
            name: self.text(entry, "name", at)?.trim().to_string(),
            description: self.text(entry, "description", at)?,
            paths,
            custom: self.custom(
                entry,
                at,
                Some(&["id", "run_id", "name", "description", "paths"]),
            )?,
        })
    }

    /// `{"#id": entry, ...}` into `library`.
    fn library(
        &self,
        value: &Value,
        at: &str,
        library: &mut BTreeMap<String, LibraryEntry>,
    ) -> Result<(), ImportError> {
        for (key, entry) in self.object(value, at)? {
            let entry = self.library_entry(key, entry, &format!("{at}.{key}"))?;
            library.insert(entry.id.clone(), entry);
        }
        Ok(())
    }

    /// A reference field: an id, or (in a report) the library object it stands for, which
    /// is added to `library` when the libraries do not already hold it.
    fn reference(
        &self,
        entry: &Map<String, Value>,
        key: &str,
        at: &str,
        library: &mut BTreeMap<String, LibraryEntry>,
    ) -> Result<Option<String>, ImportError> {
        let at = format!("{at}.{key}");
        match entry.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(id)) if id.trim().is_empty() => Ok(None),
            Some(Value::String(id)) => Ok(Some(id.trim().to_string())),
            Some(object @ Value::Object(_)) => {
                let expanded = self.library_entry("", object, &at)?;
                if expanded.id.is_empty() {
                    return Err(self.error(&at, "an expanded reference needs its `id`"));
                }
                let id = expanded.id.clone();
                library.entry(id.clone()).or_insert(expanded);
                Ok(Some(id))
            }
            Some(other) => Err(self.error(
                &at,
                format!(
                    "expected an id string or an object with an `id`, found {}",
                    kind(other)
                ),
            )),
        }
    }

    /// The seven relation lists of a `threatmodel` object.
    fn relations(
        &self,
        value: &Value,
        at: &str,
        m: &mut ThreatspecModel,
    ) -> Result<(), ImportError> {
        let top = self.object(value, at)?;
        for name in KINDS {
            let list = match top.get(name) {
                None | Some(Value::Null) => continue,
                Some(Value::Array(list)) => list,
                Some(other) => {
                    return Err(self.error(
                        &join(at, name),
                        format!("expected a list, found {}", kind(other)),
                    ));
                }
            };
            for (i, item) in list.iter().enumerate() {
                let at = format!("{}[{i}]", join(at, name));
                let relation = self.relation(name, item, &at, m)?;
                match name {
                    "mitigations" => m.mitigations.push(relation),
                    "exposures" => m.exposures.push(relation),
                    "transfers" => m.transfers.push(relation),
                    "acceptances" => m.acceptances.push(relation),
                    "connections" => m.connections.push(relation),
                    "reviews" => m.reviews.push(relation),
                    _ => m.tests.push(relation),
                }
            }
        }
        Ok(())
    }

    fn relation(
        &self,
        name: &str,
        item: &Value,
        at: &str,
        m: &mut ThreatspecModel,
    ) -> Result<Relation, ImportError> {
        let entry = self.object(item, at)?;
        let mut r = Relation {
            threat: self.reference(entry, "threat", at, &mut m.threats)?,
            control: self.reference(entry, "control", at, &mut m.controls)?,
            component: self.reference(entry, "component", at, &mut m.components)?,
            source_component: self.reference(entry, "source_component", at, &mut m.components)?,
            destination_component: self.reference(
                entry,
                "destination_component",
                at,
                &mut m.components,
            )?,
            direction: None,
            details: self.text(entry, "details", at)?,
            description: self.text(entry, "description", at)?,
            custom: self.custom(entry, at, None)?,
            origin: None,
        };
        let required: &[(&str, bool)] = match name {
            "mitigations" | "exposures" | "acceptances" => &[
                ("threat", r.threat.is_some()),
                ("component", r.component.is_some()),
            ],
            "transfers" => &[
                ("threat", r.threat.is_some()),
                ("source_component", r.source_component.is_some()),
                ("destination_component", r.destination_component.is_some()),
            ],
            "connections" => &[
                ("source_component", r.source_component.is_some()),
                ("destination_component", r.destination_component.is_some()),
            ],
            "reviews" => &[("component", r.component.is_some())],
            _ => &[
                ("control", r.control.is_some()),
                ("component", r.component.is_some()),
            ],
        };
        if let Some((field, _)) = required.iter().find(|(_, present)| !present) {
            return Err(self.error(
                &format!("{at}.{field}"),
                "missing: every relation of this kind names one",
            ));
        }
        if name == "connections" {
            let direction = self
                .text(entry, "direction", at)?
                .trim()
                .to_ascii_lowercase();
            r.direction = Some(match direction.as_str() {
                "to" | "" => "to".to_string(),
                "with" => "with".to_string(),
                other => {
                    return Err(self.error(
                        &format!("{at}.direction"),
                        format!("expected `to` or `with`, found `{other}`"),
                    ));
                }
            });
        }
        if let Some(Value::Object(source)) = entry.get("source") {
            let file = source.get("filename").and_then(Value::as_str).unwrap_or("");
            if !file.is_empty() {
                r.origin = Some(match source.get("line").and_then(Value::as_u64) {
                    Some(line) if line > 0 => format!("{file}:{line}"),
                    _ => file.to_string(),
                });
            }
        }
        Ok(r)
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// `threatmodel.json` and the three library files beside it.
fn read_directory(dir: &Path, file: &Path, value: Value) -> Result<ThreatspecModel, ImportError> {
    let mut m = ThreatspecModel {
        origin: dir.display().to_string(),
        default_output: dir.to_path_buf(),
        ..ThreatspecModel::default()
    };
    for (name, key) in [
        ("threats.json", "threats"),
        ("controls.json", "controls"),
        ("components.json", "components"),
    ] {
        let path = dir.join(name);
        if !path.is_file() {
            m.warnings.push(format!(
                "{}: not found; its entries are made from the relations that name them",
                path.display()
            ));
            continue;
        }
        let library = load(&path)?;
        let reader = Reader { file: &path };
        let Some(entries) = library.get(key) else {
            return Err(reader.error(
                key,
                format!("missing: a {name} holds `{{\"{key}\": {{...}}}}`"),
            ));
        };
        let target = match key {
            "threats" => &mut m.threats,
            "controls" => &mut m.controls,
            _ => &mut m.components,
        };
        reader.library(entries, key, target)?;
    }
    Reader { file }.relations(&value, "", &mut m)?;
    drop_placeholder_controls(&mut m);
    Ok(m)
}

/// `report --layout directory` names a made-up control where a mitigation names none
/// (Threatspec's schema wants one); reading it back, the mitigation has no control again.
fn drop_placeholder_controls(m: &mut ThreatspecModel) {
    let placeholders: Vec<String> = m
        .controls
        .iter()
        .filter(|(_, e)| e.custom.get("threatline_no_control") == Some(&Value::Bool(true)))
        .map(|(id, _)| id.clone())
        .collect();
    for id in &placeholders {
        m.controls.remove(id);
    }
    for r in &mut m.mitigations {
        if r.control.as_ref().is_some_and(|c| placeholders.contains(c)) {
            r.control = None;
        }
    }
}

/// A `ThreatModel.json` report: the libraries at the top, relations expanded.
fn read_report(file: &Path, value: &Value) -> Result<ThreatspecModel, ImportError> {
    let mut m = ThreatspecModel {
        origin: file.display().to_string(),
        default_output: file.parent().unwrap_or(Path::new(".")).join("threatmodel"),
        ..ThreatspecModel::default()
    };
    let reader = Reader { file };
    for key in ["threats", "controls", "components"] {
        if let Some(entries) = value.get(key).filter(|v| !v.is_null()) {
            let target = match key {
                "threats" => &mut m.threats,
                "controls" => &mut m.controls,
                _ => &mut m.components,
            };
            reader.library(entries, key, target)?;
        }
    }
    reader.relations(&value["threatmodel"], "threatmodel", &mut m)?;
    Ok(m)
}
