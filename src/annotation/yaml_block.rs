//! The YAML block that follows an annotation line ending in `:` (SPEC §3.4).

use std::collections::BTreeMap;

use serde_json::Value;

use super::syntax::{BlockFields, Layer, Severity, Stride};

/// A YAML problem: message, the 0-based line within the block, and the 0-based character
/// offset within that line as given (indentation included), when the parser knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub line: usize,
    pub column: Option<usize>,
}

/// Blocks larger than this are refused rather than parsed.
const MAX_BLOCK_BYTES: usize = 1 << 20;

/// Parses the block's lines (comment markers already stripped) into typed fields.
pub fn parse_block(lines: &[&str]) -> Result<BlockFields, YamlError> {
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut text = String::new();
    for line in lines {
        let dedented = line.get(indent..).unwrap_or_else(|| line.trim_start());
        text.push_str(dedented.trim_end());
        text.push('\n');
    }
    if text.len() > MAX_BLOCK_BYTES {
        return Err(YamlError {
            message: format!("YAML block of {} bytes is over the 1 MiB limit", text.len()),
            line: 0,
            column: None,
        });
    }
    let value: Value = crate::yaml::from_str(&text).map_err(|e| {
        let location = e.location();
        // Within the block even where YAML counts more lines than it was given (a `\r`
        // inside a line ends a YAML line; found by fuzzing).
        let line = location.map_or(0, |l| (l.line() as usize).saturating_sub(1));
        let line = line.min(lines.len().saturating_sub(1));
        // The parser counts in the dedented text; put the indentation back.
        let column = location.and_then(|l| {
            let original = lines.get(line)?;
            let removed = original.get(..indent).map_or(0, |p| p.chars().count());
            Some(removed + (l.column() as usize).saturating_sub(1))
        });
        YamlError {
            line,
            column,
            message: without_position(&e.to_string()),
        }
    })?;
    let Value::Object(map) = value else {
        return Err(YamlError {
            message: "the block is not a mapping of `key: value` lines".into(),
            line: 0,
            column: None,
        });
    };
    Ok(fields_from(map))
}

/// The parser's message without its `error: line N column M:` prefix, which counts in
/// the block rather than the file; the diagnostic carries the file position instead.
fn without_position(s: &str) -> String {
    let first = s.lines().next().unwrap_or(s).trim();
    let first = first.strip_prefix("error:").unwrap_or(first).trim_start();
    let rest = first
        .strip_prefix("line ")
        .and_then(|r| r.split_once(" column "))
        .and_then(|(_, r)| r.split_once(": "))
        .map_or(first, |(_, message)| message);
    // Advice about the library's options means nothing to the person writing the block.
    let rest = rest
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or(rest);
    rest.trim().to_string()
}

fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.trim().to_string()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(as_text)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        other => Some(other.to_string()),
    }
}

fn as_list(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(as_text).collect(),
        other => as_text(other)
            .map(|s| {
                s.split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn fields_from(map: serde_json::Map<String, Value>) -> BlockFields {
    let mut fields = BlockFields::default();
    let mut custom = BTreeMap::new();
    for (key, value) in map {
        let lower = key.to_ascii_lowercase();
        let text = as_text(&value);
        let known = match lower.as_str() {
            "description" => {
                fields.description = text;
                true
            }
            "priority" | "severity" => match text.as_deref().and_then(Severity::parse) {
                Some(s) => {
                    fields.severity = Some(s);
                    true
                }
                None => false,
            },
            "likelihood" => {
                fields.likelihood = text.map(|t| t.to_ascii_lowercase());
                true
            }
            "stride" => {
                let items = as_list(&value);
                let parsed: Vec<Stride> = items
                    .iter()
                    .flat_map(|item| match Stride::parse(item) {
                        Some(s) => vec![s],
                        None => item.chars().filter_map(Stride::from_letter).collect(),
                    })
                    .collect();
                for s in parsed {
                    if !fields.stride.contains(&s) {
                        fields.stride.push(s);
                    }
                }
                !fields.stride.is_empty()
            }
            "layer" => match text.as_deref().and_then(Layer::parse) {
                Some(l) => {
                    fields.layer = Some(l);
                    true
                }
                None => false,
            },
            "cwe" => {
                fields.cwe = as_list(&value);
                true
            }
            "countermeasures" => {
                fields.countermeasures = text;
                true
            }
            "evidence" => {
                fields.evidence = text;
                true
            }
            "justification" => {
                fields.justification = text;
                true
            }
            "example" => {
                fields.example = text;
                true
            }
            _ => false,
        };
        if !known {
            custom.insert(key, value);
        }
    }
    fields.custom = custom;
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_known_keys_and_keeps_the_rest() {
        let f = parse_block(&[
            "   priority: high",
            "   likelihood: Medium",
            "   stride: [spoofing, elevation-of-privilege]",
            "   description: Attackers gain access to the cluster API.",
            "   countermeasures: RBAC, strong authentication",
            "   owner: platform",
        ])
        .unwrap();
        assert_eq!(f.severity, Some(Severity::High));
        assert_eq!(f.likelihood.as_deref(), Some("medium"));
        assert_eq!(
            f.stride,
            vec![Stride::Spoofing, Stride::ElevationOfPrivilege]
        );
        assert_eq!(
            f.description.as_deref(),
            Some("Attackers gain access to the cluster API.")
        );
        assert_eq!(f.custom["owner"], Value::String("platform".into()));
    }

    #[test]
    fn bad_yaml_is_an_error_with_its_line_and_column() {
        let e = parse_block(&["  a: 1", "  b: [unclosed"]).unwrap_err();
        assert_eq!(e.line, 1);
        assert_eq!(e.column, Some(5), "at the `[`, indentation included");
        assert_eq!(e.message, "unclosed bracket '['");
        let e = parse_block(&["  - a list"]).unwrap_err();
        assert_eq!((e.line, e.column), (0, None));
    }
}
