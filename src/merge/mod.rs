//! One system built in many repositories: the JSON models `threatline scan --format json`
//! wrote for each repository, joined into one model and analysed as a whole.
//!
//! Entities join by id: a component, threat, control, flow or boundary with the same id in
//! two repositories is one. Components also join by path (`Payments:API` mentioned in one
//! repository is `Payments:API (#payments-api)` declared in another), threats and controls
//! by normalised name, as they do inside one tree. A `#id` that dangled in one repository
//! and is declared in another resolves, and its `dangling-reference` error goes. Every
//! location is prefixed with its repository's name (`shop/src/web.ts`), every entity and
//! relation carries `properties.repository`, and a flow whose ends belong to different
//! repositories is marked `properties.cross_repository: true` with `repositories: [from,
//! to]`. Then the rules run over the union: a flow from one repository into a trust
//! boundary declared by another is a crossing that neither repository has alone.

mod join;
mod whole;

use std::path::{Path, PathBuf};

use crate::model::{FORMAT_VERSION, Model};

/// One repository's model.
#[derive(Debug, Clone)]
pub struct Input {
    /// The repository's name: the prefix of its locations.
    pub name: String,
    pub model: Model,
}

/// `NAME=FILE` or `FILE` (named by the file's stem).
pub fn parse_spec(spec: &str) -> (Option<String>, PathBuf) {
    match spec.split_once('=') {
        Some((name, file))
            if !name.is_empty() && !name.contains(['/', '\\']) && !file.is_empty() =>
        {
            (Some(name.to_string()), PathBuf::from(file))
        }
        _ => (None, PathBuf::from(spec)),
    }
}

/// Reads one model file. Findings are not read: the rules run again over the union.
pub fn read(spec: &str) -> Result<Input, String> {
    let (name, path) = parse_spec(spec);
    let shown = path.display();
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let mut value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        format!("{shown}: not JSON ({e}); write models with `threatline scan --format json`")
    })?;
    let version = value
        .get("version")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    if version != FORMAT_VERSION {
        return Err(format!(
            "{shown}: model version `{version}` is not supported (expected `{FORMAT_VERSION}`); write models with `threatline scan --format json`"
        ));
    }
    if let Some(map) = value.as_object_mut() {
        map.remove("findings");
    }
    let model: Model = serde_json::from_value(value).map_err(|e| format!("{shown}: {e}"))?;
    let name = name.unwrap_or_else(|| default_name(&path));
    if name.is_empty() {
        return Err(format!(
            "{shown}: cannot name its repository; pass NAME={shown}"
        ));
    }
    Ok(Input { name, model })
}

fn default_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Joins the models (findings left for [`crate::analysis::analyse`]). Repository names
/// must be unique; inputs are taken in name order so argument order changes nothing.
pub fn merge(mut inputs: Vec<Input>) -> Result<Model, String> {
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    for pair in inputs.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(format!(
                "two models are named `{}`: name them apart with NAME=FILE (e.g. `shop=shop/model.json`)",
                pair[0].name
            ));
        }
    }
    Ok(join::join(inputs))
}
