//! `threatline init --suggest`: likely components found in a tree (Dockerfiles, Kubernetes
//! manifests, Terraform resources, server entry points), each with a proposed CCCS layer
//! and its evidence, as `@component` annotations ready to paste.
//!
//! Each detector is a small module that reads one kind of file and reports what it saw
//! as path segments below the system name. This module names, merges and orders those
//! detections, and leaves out components the scanned model already declares: a
//! suggestion is a starting point for what nobody has annotated yet, not a second
//! opinion on a model that exists. A component the model only names (the parent of a
//! declared one, a flow's end) is still suggested, since declaring it gives it a layer.

mod dockerfile;
mod entry_points;
mod files;
mod kubernetes;
mod render;
mod terraform;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;

pub use files::SourceFile;
pub use render::{to_json, to_text, to_yaml};

use crate::annotation::Layer;
use crate::location::Location;
use crate::model::normalize::normalize;
use crate::model::{LayerKeywords, Model};
use crate::walk::{WalkError, WalkOptions};

/// What a detector saw in one file: a component, named below the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// Path segments after the system name (`["orders"]`, `["shop", "web", "data"]`).
    pub segments: Vec<String>,
    pub layer: Layer,
    /// The 1-based line that shows it.
    pub line: u32,
    /// What it is, for people: `Deployment shop/orders`, `aws_db_instance.orders`.
    pub reason: String,
}

/// What detectors may need beyond the file.
pub struct Context<'a> {
    /// The top-level path segment of every suggestion.
    pub system: &'a str,
    /// The layer keyword table (the config's, if it extends the built-in one).
    pub keywords: &'a LayerKeywords,
}

/// One detector: which files it reads, by relative path, and what it finds in one.
struct Detector {
    name: &'static str,
    reads: fn(&str) -> bool,
    detect: fn(&SourceFile, &Context) -> Vec<Detection>,
}

/// In priority order: when several detectors see one component, the first one's evidence
/// decides its layer and where to paste it. Code first, because an annotation is best
/// kept next to the code it describes; then the image, the deployment, the cloud resource.
const DETECTORS: [Detector; 4] = [
    entry_points::DETECTOR,
    dockerfile::DETECTOR,
    kubernetes::DETECTOR,
    terraform::DETECTOR,
];

/// A line of a file that shows a component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub detector: &'static str,
    pub file: String,
    pub line: u32,
    /// The source line, trimmed.
    pub text: String,
    pub reason: String,
}

/// A component to add.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The component path, `System:name`.
    pub component: String,
    pub layer: Layer,
    /// Where to paste it: the file of its first evidence.
    pub file: String,
    /// The annotation to paste, without a comment marker.
    pub annotation: String,
    /// Everything that shows it, the deciding line first.
    pub evidence: Vec<Evidence>,
    /// Where the model already names it without declaring it (as the parent of a
    /// declared component, or a flow's end): declaring it gives it this layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mentioned_at: Option<Location>,
}

/// A component found in the tree that the model already declares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Known {
    pub component: String,
    /// The model's id of the component it matched.
    pub id: String,
    /// Where the model declares it.
    pub location: Location,
    pub evidence: Vec<Evidence>,
}

/// Where the system name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SystemSource {
    /// `--system`.
    Option,
    /// The top-level name most declared components of the model use.
    Model,
    /// The scanned directory's name.
    Directory,
}

/// Everything `--suggest` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestions {
    pub system: String,
    pub system_source: SystemSource,
    pub suggestions: Vec<Suggestion>,
    pub already_modelled: Vec<Known>,
}

/// Looks at the tree of `options` and suggests the components `model` does not have.
pub fn suggest(
    options: &WalkOptions,
    model: &Model,
    system: Option<&str>,
    keywords: &LayerKeywords,
) -> Result<Suggestions, WalkError> {
    let (system, system_source) = match system.map(sanitize).filter(|s| !s.is_empty()) {
        Some(name) => (name, SystemSource::Option),
        None => match system_from_model(model) {
            Some(name) => (name, SystemSource::Model),
            None => (directory_name(&options.root), SystemSource::Directory),
        },
    };
    let cx = Context {
        system: &system,
        keywords,
    };
    let reads = |path: &str| DETECTORS.iter().any(|d| (d.reads)(path));
    let mut found: Vec<(usize, Detection, Evidence)> = Vec::new();
    for file in files::read(options, &reads)? {
        for (priority, detector) in DETECTORS.iter().enumerate() {
            if !(detector.reads)(&file.path) {
                continue;
            }
            for detection in (detector.detect)(&file, &cx) {
                let evidence = Evidence {
                    detector: detector.name,
                    file: file.path.clone(),
                    line: detection.line,
                    text: file.line_text(detection.line),
                    reason: detection.reason.clone(),
                };
                found.push((priority, detection, evidence));
            }
        }
    }
    Ok(assemble(&system, system_source, found, model))
}

/// Merges detections of one component, splits off the ones the model has, and orders
/// the rest by where to paste them.
fn assemble(
    system: &str,
    system_source: SystemSource,
    mut found: Vec<(usize, Detection, Evidence)>,
    model: &Model,
) -> Suggestions {
    found.sort_by(|a, b| {
        (a.0, &a.2.file, a.2.line, &a.1.segments).cmp(&(b.0, &b.2.file, b.2.line, &b.1.segments))
    });
    // Keyed by the normalised path, the identity the model gives a component.
    let mut merged: BTreeMap<String, (Detection, Vec<Evidence>)> = BTreeMap::new();
    for (_, detection, evidence) in found {
        let mut path = vec![system.to_string()];
        path.extend(detection.segments.iter().cloned());
        merged
            .entry(path_key(&path))
            .or_insert_with(|| (detection, Vec::new()))
            .1
            .push(evidence);
    }
    let existing: HashMap<String, &crate::model::Component> = model
        .components
        .iter()
        .map(|c| (path_key(&c.path), c))
        .collect();
    let mut suggestions = Vec::new();
    let mut already_modelled = Vec::new();
    for (key, (first, mut evidence)) in merged {
        evidence.dedup();
        let component = format!("{system}:{}", first.segments.join(":"));
        let known = existing.get(&key);
        if let Some(c) = known.filter(|c| c.declared) {
            already_modelled.push(Known {
                component,
                id: c.id.clone(),
                location: c.site.location.clone(),
                evidence,
            });
            continue;
        }
        let annotation = format!(
            "@component {component} [{}] -- \"{}\"",
            first.layer.as_str(),
            escape_description(&evidence[0].reason)
        );
        suggestions.push(Suggestion {
            component,
            layer: first.layer,
            file: evidence[0].file.clone(),
            annotation,
            evidence,
            mentioned_at: known.map(|c| c.site.location.clone()),
        });
    }
    suggestions.sort_by(|a, b| {
        (&a.file, a.evidence[0].line, &a.component).cmp(&(
            &b.file,
            b.evidence[0].line,
            &b.component,
        ))
    });
    already_modelled.sort_by(|a, b| a.component.cmp(&b.component));
    Suggestions {
        system: system.to_string(),
        system_source,
        suggestions,
        already_modelled,
    }
}

/// A component's identity: each segment normalised, as the model keys paths.
fn path_key(segments: &[String]) -> String {
    segments
        .iter()
        .map(|s| {
            let key = normalize(s);
            if key.is_empty() { "root".into() } else { key }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The top-level name that most declared components use, as first written; on a tie,
/// the one declared first.
fn system_from_model(model: &Model) -> Option<String> {
    let mut counts: BTreeMap<String, (usize, &Location, &str)> = BTreeMap::new();
    for c in model.components.iter().filter(|c| c.declared) {
        let Some(first) = c.path.first() else {
            continue;
        };
        let entry = counts
            .entry(normalize(first))
            .or_insert((0, &c.site.location, first));
        entry.0 += 1;
        if c.site.location < *entry.1 {
            entry.1 = &c.site.location;
            entry.2 = first;
        }
    }
    counts
        .into_values()
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, _, name)| sanitize(name))
        .filter(|name| !name.is_empty())
}

fn directory_name(root: &Path) -> String {
    root.canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| sanitize(&n.to_string_lossy())))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "System".into())
}

/// A name made safe as one path segment of an annotation: the characters that the
/// annotation syntax gives a meaning (`:` separates segments, `#`, `[`, `(` and `"`
/// start ids, qualifiers and descriptions, `,` separates) become spaces, as do control
/// characters, so a file or resource name can never change what a pasted line says.
pub fn sanitize(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '@' | '+') {
                c
            } else {
                ' '
            }
        })
        .collect();
    // `--` opens a description wherever it stands; one dash is an ordinary character.
    let mut joined = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    while joined.contains("--") {
        joined = joined.replace("--", "-");
    }
    if joined.chars().all(|c| c == '-' || c == '.' || c == ' ') {
        return String::new();
    }
    joined
}

fn escape_description(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Directory names that say how code is laid out, not what it is: a service is named
/// after the nearest directory above its file that is not one of these.
const LAYOUT_DIRECTORIES: &[&str] = &[
    "src", "source", "sources", "app", "cmd", "main", "java", "kotlin", "scala", "lib", "internal",
    "pkg", "bin", "docker", "build",
];

/// The name of the service a file belongs to, from its directories; `app` for a file
/// at the root.
pub fn service_name(path: &str) -> String {
    let mut dirs: Vec<&str> = path.split('/').collect();
    dirs.pop();
    dirs.iter()
        .rev()
        .find(|d| !LAYOUT_DIRECTORIES.contains(&d.to_ascii_lowercase().as_str()))
        .map(|d| sanitize(d))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "app".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_skip_layout_directories() {
        assert_eq!(service_name("orders/app/api.py"), "orders");
        assert_eq!(service_name("catalogue/src/main.rs"), "catalogue");
        assert_eq!(service_name("cmd/gateway/main.go"), "gateway");
        assert_eq!(
            service_name("payments/src/main/java/shop/payments/App.java"),
            "payments"
        );
        assert_eq!(service_name("main.go"), "app");
        assert_eq!(service_name("src/main.rs"), "app");
    }

    #[test]
    fn sanitized_names_cannot_change_an_annotation() {
        assert_eq!(sanitize("orders"), "orders");
        assert_eq!(sanitize("a:b [storage] (#x) -- \"y\""), "a b storage x - y");
        assert_eq!(sanitize("---"), "");
        assert_eq!(sanitize("new\nline\u{1b}[31m"), "new line 31m");
        assert_eq!(sanitize("shop.example.com"), "shop.example.com");
    }

    #[test]
    fn keys_match_the_models_normalisation() {
        let path = |s: &[&str]| path_key(&s.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(path(&["Shop", "Orders DB"]), path(&["shop", "orders-db"]));
        assert_ne!(path(&["Shop", "orders"]), path(&["Shop", "orders", "data"]));
    }
}
