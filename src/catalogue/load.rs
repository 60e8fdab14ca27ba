//! Reading catalogue files into a [`Catalogue`]: YAML to typed entries, each entry
//! checked on its own, merged over what is already there, and cross-references checked
//! once everything is in.
//!
//! Every error starts with `file:line` and names the entry, because an organisation
//! catalogue is edited by hand and an error that only says "invalid type" on line 900
//! of a long file is no help.

use std::collections::HashSet;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::{Catalogue, Entry, Kind};
use crate::model::normalize::id_key;

/// A catalogue is text written by people; anything larger is a mistake or an attack.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// More errors than this in one load are summarised: the first ones are what to fix.
const MAX_ERRORS: usize = 20;

/// Kebab-case with a domain segment first: `k8s-etcd-tampering`, `web-sqli`.
static ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$").unwrap());
static CWE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^CWE-[1-9][0-9]*$").unwrap());
static CAPEC: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^CAPEC-[1-9][0-9]*$").unwrap());
/// ATT&CK techniques and sub-techniques: `T1190`, `T1552.007`.
static ATTACK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^T[0-9]{4}(\.[0-9]{3})?$").unwrap());
/// The parser's own position text, dropped because messages lead with `file:line:col`.
static POSITION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(error: )?line \d+ column \d+: |,? at line \d+,? column \d+$").unwrap()
});

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    threats: Vec<Spanned<Entry>>,
    #[serde(default)]
    controls: Vec<Spanned<Entry>>,
}

/// The same file read loosely, only to say which entry a typed error fell in.
#[derive(Deserialize)]
struct Skeleton {
    #[serde(default)]
    threats: Vec<Spanned<serde_json::Value>>,
    #[serde(default)]
    controls: Vec<Spanned<serde_json::Value>>,
}

/// Reads a catalogue file, with the size cap.
pub(super) fn read_file(path: &Path) -> Result<String, String> {
    crate::yaml::read_file(path, None, MAX_FILE_BYTES)
        .map_err(|e| format!("cannot read catalogue {}: {e}", path.display()))
}

/// Adds `sources` to `catalogue`. With `builtin`, entries may be overridden later; an
/// organisation entry may override a built-in one only by saying `override: true`.
pub(super) fn build(
    mut catalogue: Catalogue,
    sources: &[(String, String)],
    builtin: bool,
) -> Result<Catalogue, String> {
    let mut errors = Vec::new();
    for (name, text) in sources {
        match parse(name, text) {
            Ok(entries) => {
                for entry in entries {
                    if let Err(e) = add(&mut catalogue, entry, builtin) {
                        errors.push(e);
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        errors = cross_references(&catalogue);
    }
    if errors.is_empty() {
        return Ok(catalogue);
    }
    let more = errors.len().saturating_sub(MAX_ERRORS);
    errors.truncate(MAX_ERRORS);
    if more > 0 {
        errors.push(format!("... and {more} more"));
    }
    Err(errors.join("\n"))
}

/// One file's entries, each checked on its own, with `origin` set.
fn parse(name: &str, text: &str) -> Result<Vec<Entry>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let file: File = crate::yaml::from_str(text).map_err(|e| typed_error(name, text, &e))?;
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let lists = [(Kind::Threat, file.threats), (Kind::Control, file.controls)];
    for (kind, list) in lists {
        for spanned in list {
            let mut entry = spanned.value;
            entry.kind = kind;
            // STRIDE order, as the model keeps it, whatever order the file lists.
            entry.stride.sort();
            entry.origin = format!("{name}:{}", spanned.referenced.line());
            let found = check_entry(&entry);
            if found.is_empty() {
                entries.push(entry);
            } else {
                problems.push(format!("{}: {}", about(&entry), found.join("; ")));
            }
        }
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(problems.join("\n"))
    }
}

/// `file:line: threat `id``: how every message about an entry starts.
fn about(entry: &Entry) -> String {
    format!("{}: {} `{}`", entry.origin, entry.kind.as_str(), entry.id)
}

/// A deserialisation error, placed in the entry whose lines it falls in.
fn typed_error(name: &str, text: &str, e: &serde_saphyr::Error) -> String {
    let bare = e.without_snippet().to_string();
    let message = POSITION.replace_all(bare.trim(), "").into_owned();
    let Some(at) = e.location().map(|l| (l.line(), l.column())) else {
        return format!("{name}: {message}");
    };
    let entry = crate::yaml::from_str::<Skeleton>(text).ok().and_then(|s| {
        let threats = s.threats.into_iter().map(|v| (Kind::Threat, v));
        let controls = s.controls.into_iter().map(|v| (Kind::Control, v));
        threats
            .chain(controls)
            .filter(|(_, v)| v.referenced.line() <= at.0)
            .max_by_key(|(_, v)| v.referenced.line())
    });
    match entry {
        Some((kind, v)) => {
            let id = match v.value.get("id") {
                Some(serde_json::Value::String(s)) => format!("`{s}`"),
                _ => "without an id".to_string(),
            };
            format!(
                "{name}:{}:{}: {} {id}: {message}",
                at.0,
                at.1,
                kind.as_str()
            )
        }
        None => format!("{name}:{}:{}: {message}", at.0, at.1),
    }
}

/// What is wrong with one entry on its own.
fn check_entry(e: &Entry) -> Vec<String> {
    let mut problems = Vec::new();
    if !ID.is_match(&e.id) {
        problems.push(
            "the id must be kebab-case with a domain first (`k8s-etcd-tampering`)".to_string(),
        );
    }
    for (field, value) in [
        ("name", &e.name),
        ("component", &e.component),
        ("description", &e.description),
        ("example", &e.example),
    ] {
        if value.trim().is_empty() {
            problems.push(format!("`{field}` is empty"));
        }
    }
    // Names and components are pasted into annotations; these characters would change
    // how the annotation parses.
    for (field, value) in [("name", &e.name), ("component", &e.component)] {
        if value.contains(['\n', '(', ')', '[', ']', '#', '"', '@']) {
            problems.push(format!(
                "`{field}` must be one line without ( ) [ ] # \" @ (it is pasted into annotations)"
            ));
        }
    }
    if e.stride.is_empty() {
        problems.push("`stride` is empty".to_string());
    }
    if has_duplicates(&e.stride) {
        problems.push("`stride` lists a category twice".to_string());
    }
    if e.countermeasures.is_empty() || e.countermeasures.iter().any(|c| c.trim().is_empty()) {
        problems.push("`countermeasures` is empty or has an empty item".to_string());
    }
    for (field, list, pattern, shape) in [
        ("cwe", &e.cwe, &*CWE, "CWE-89"),
        ("capec", &e.capec, &*CAPEC, "CAPEC-66"),
        ("attack", &e.attack, &*ATTACK, "T1190 or T1552.007"),
    ] {
        if let Some(bad) = list.iter().find(|r| !pattern.is_match(r)) {
            problems.push(format!("`{field}: {bad}` is not of the form {shape}"));
        }
        if has_duplicates(list) {
            problems.push(format!("`{field}` lists a reference twice"));
        }
    }
    if e.kind == Kind::Control && !e.controls.is_empty() {
        problems.push("a control cannot list `controls`; threats link controls".to_string());
    }
    if has_duplicates(&e.controls) {
        problems.push("`controls` lists an id twice".to_string());
    }
    problems
}

fn has_duplicates<T: PartialEq>(list: &[T]) -> bool {
    list.iter().enumerate().any(|(i, x)| list[..i].contains(x))
}

/// Adds one entry, or says why it collides.
fn add(catalogue: &mut Catalogue, entry: Entry, builtin: bool) -> Result<(), String> {
    let key = id_key(&entry.id);
    match catalogue.index.get(&key).copied() {
        None if entry.overrides => Err(format!(
            "{}: `override: true`, but the built-in catalogue has no entry with this id",
            about(&entry)
        )),
        None => {
            catalogue.index.insert(key, catalogue.entries.len());
            catalogue.entries.push(entry);
            catalogue.builtin.push(builtin);
            Ok(())
        }
        Some(i) => {
            let first = &catalogue.entries[i];
            if entry.overrides && catalogue.builtin[i] && !builtin {
                if first.kind != entry.kind {
                    return Err(format!(
                        "{}: overrides the built-in {} `{}` with a {}",
                        about(&entry),
                        first.kind.as_str(),
                        first.id,
                        entry.kind.as_str()
                    ));
                }
                catalogue.entries[i] = entry;
                catalogue.builtin[i] = false;
                return Ok(());
            }
            let hint = if catalogue.builtin[i] && !builtin {
                "; to replace the built-in entry, add `override: true`"
            } else {
                ""
            };
            Err(format!(
                "{}: duplicate id, already defined at {}{hint}",
                about(&entry),
                first.origin
            ))
        }
    }
}

/// References between entries, checked on the merged catalogue so an organisation
/// threat may link a built-in control.
fn cross_references(catalogue: &Catalogue) -> Vec<String> {
    let controls: HashSet<String> = catalogue.controls().map(|c| id_key(&c.id)).collect();
    let mut errors = Vec::new();
    for e in catalogue.threats() {
        for id in &e.controls {
            if !controls.contains(&id_key(id)) {
                let what = match catalogue.get(id) {
                    Some(other) => format!("is a {}, not a control", other.kind.as_str()),
                    None => "names no catalogue control".to_string(),
                };
                errors.push(format!("{}: `controls: {id}` {what}", about(e)));
            }
        }
        // A countermeasure written as a bare id is a link too, and must hold.
        for c in &e.countermeasures {
            if ID.is_match(c.trim()) && !controls.contains(&id_key(c.trim())) {
                errors.push(format!(
                    "{}: countermeasure `{c}` looks like an id but names no catalogue control",
                    about(e)
                ));
            }
        }
    }
    errors
}
