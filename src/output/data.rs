//! The model as JSON or YAML (SPEC §7): the same keys in both.

use crate::model::Model;

pub fn to_json(model: &Model) -> String {
    let mut text = serde_json::to_string_pretty(model).expect("the model serialises");
    text.push('\n');
    text
}

pub fn to_yaml(model: &Model) -> String {
    serde_saphyr::to_string(model).expect("the model serialises")
}
