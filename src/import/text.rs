//! Writing annotation text that threatline reads back as meant: the YAML block (values in
//! JSON's syntax, which YAML reads as flow syntax), descriptions, comments, and text made
//! safe for the line grammar.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::annotation::{Parsed, Verb, parse_arguments};

/// Parses `args` as the arguments of `verb`; a line ending in `:` with no YAML block after
/// it would lose the colon, so it does not count as read back.
pub(super) fn parse(verb: Verb, args: &str, has_yaml: bool) -> Option<Parsed> {
    if !has_yaml && args.trim_end().ends_with(':') {
        return None;
    }
    parse_arguments(verb, args, &|_| 1).ok()
}

/// Text without what threatline's line grammar gives meaning to.
pub(super) fn safe_text(text: &str) -> String {
    let replaced: String = text
        .chars()
        .map(|c| match c {
            '[' => '(',
            ']' => ')',
            '"' | '`' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let mut out = collapse(&replaced.replace("--", "-").replace('#', "# "));
    while out.ends_with(':') {
        out.pop();
    }
    out
}

/// Words joined by single spaces, as the parser gives names and details back.
pub(super) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `refs` from custom fields when it is a list of `prefix:value` words.
pub(super) fn take_refs(custom: &mut Map<String, Value>) -> Vec<String> {
    let Some(Value::Array(items)) = custom.get("refs") else {
        return Vec::new();
    };
    let refs: Option<Vec<String>> = items
        .iter()
        .map(|v| {
            v.as_str()
                .filter(|s| {
                    s.contains(':') && !s.contains(char::is_whitespace) && !s.starts_with(':')
                })
                .map(str::to_string)
        })
        .collect();
    match refs {
        Some(refs) => {
            custom.remove("refs");
            refs
        }
        None => Vec::new(),
    }
}

/// A `#` comment heading a file: comments in `*.threatline` files are not read.
pub(super) fn header(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(&format!("# {line}\n"));
    }
    out.push('\n');
    out
}

/// Text for a `#` comment line: a control character (a newline in a file name) would end
/// the comment and start a line that is read.
pub(super) fn comment_safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `@verb args`, with a YAML block of `yaml` when there is one, and a blank line after.
pub(super) fn annotation(verb: &str, args: &str, yaml: &[(String, Value)]) -> String {
    let mut out = format!("@{verb}{args}");
    if !yaml.is_empty() {
        out.push(':');
        out.push('\n');
        let mut seen = HashSet::new();
        for (key, value) in yaml {
            // Keys are case-insensitive; the first of a kind is kept.
            if seen.insert(key.to_ascii_lowercase()) {
                out.push_str(&yaml_entry(key, value));
            }
        }
    } else {
        out.push('\n');
    }
    out.push('\n');
    out
}

/// One `  key: value` line (or a `|-` block for readable multi-line text). Values are
/// written in JSON's syntax, which YAML reads as flow syntax, so no value can be misread.
pub(super) fn yaml_entry(key: &str, value: &Value) -> String {
    let plain_key = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        && !matches!(
            key.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    let key = if plain_key {
        key.to_string()
    } else {
        flow(&Value::String(key.to_string()))
    };
    if let Value::String(s) = value
        && s.contains('\n')
        && s.lines().all(|l| {
            let t = l.trim();
            !t.is_empty()
                && t == l
                && !t.starts_with(['#', '@'])
                && !t.chars().any(char::is_control)
        })
    {
        let mut out = format!("  {key}: |-\n");
        for line in s.lines() {
            out.push_str(&format!("    {line}\n"));
        }
        return out;
    }
    match value {
        Value::String(s) if plain_scalar(s) => format!("  {key}: {s}\n"),
        _ => format!("  {key}: {}\n", flow(value)),
    }
}

/// Whether `text` reads back as the same string written bare (`severity: high`): words of
/// letters and digits with plain punctuation, starting with a letter, and not a word YAML
/// reads as a boolean or null. Anything else is written quoted.
pub(super) fn plain_scalar(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && !text.ends_with(' ')
        && !text.contains("  ")
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, ' ' | ',' | '.' | '/' | '(' | ')' | '-' | '_')
        })
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
        )
}

/// JSON with a space after `:` and `,`, so a YAML parser reads it as flow syntax.
pub(super) fn flow(value: &Value) -> String {
    match value {
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", flow(&Value::String(k.clone())), flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        // Inside `[...]` and `{...}` a comma ends a bare word, so there it is quoted.
        Value::String(s) if plain_scalar(s) && !s.contains(',') => s.clone(),
        other => serde_json::to_string(other).expect("JSON serialises"),
    }
}
