//! Kubernetes manifests: YAML documents with `apiVersion` and `kind`, several to a file
//! with `---`, and `kind: List` items. Workloads (Deployment, StatefulSet, DaemonSet,
//! Job, CronJob, Pod) are Compute, named `metadata.name`; a StatefulSet's
//! `volumeClaimTemplates` are Storage children of it. Service, Ingress, NetworkPolicy
//! and Gateway API objects are Communication; volumes, claims, storage classes and
//! snapshots Storage; RBAC objects and service accounts Control. Those are named
//! `<name> <kind in words>` (`gateway service`), so a Service does not merge with the
//! Deployment of the same name. A namespace other than `default` and the system's own
//! name is a path segment.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::Spanned;

use super::files::{SourceFile, extension};
use super::{Context, Detection, Detector, sanitize};
use crate::annotation::Layer;
use crate::model::normalize::normalize;

pub const DETECTOR: Detector = Detector {
    name: "kubernetes",
    reads,
    detect,
};

/// Kinds that are components, with their layer; `true` for workloads, which are named
/// by `metadata.name` alone so they meet the Dockerfile and code of the same service.
const KINDS: &[(&str, Layer, bool)] = &[
    ("Deployment", Layer::Compute, true),
    ("StatefulSet", Layer::Compute, true),
    ("DaemonSet", Layer::Compute, true),
    ("Job", Layer::Compute, true),
    ("CronJob", Layer::Compute, true),
    ("Pod", Layer::Compute, true),
    ("Service", Layer::Communication, false),
    ("Ingress", Layer::Communication, false),
    ("NetworkPolicy", Layer::Communication, false),
    ("Gateway", Layer::Communication, false),
    ("HTTPRoute", Layer::Communication, false),
    ("GRPCRoute", Layer::Communication, false),
    ("TLSRoute", Layer::Communication, false),
    ("TCPRoute", Layer::Communication, false),
    ("UDPRoute", Layer::Communication, false),
    ("PersistentVolume", Layer::Storage, false),
    ("PersistentVolumeClaim", Layer::Storage, false),
    ("StorageClass", Layer::Storage, false),
    ("VolumeSnapshot", Layer::Storage, false),
    ("Role", Layer::Control, false),
    ("ClusterRole", Layer::Control, false),
    ("RoleBinding", Layer::Control, false),
    ("ClusterRoleBinding", Layer::Control, false),
    ("ServiceAccount", Layer::Control, false),
];

fn reads(path: &str) -> bool {
    matches!(extension(path).as_deref(), Some("yaml" | "yml"))
}

/// The fields of an object that naming needs; everything else is skipped unread.
#[derive(Deserialize)]
struct Object {
    #[serde(rename = "apiVersion")]
    api_version: Option<IgnoredAny>,
    kind: Option<Spanned<String>>,
    metadata: Option<Metadata>,
    spec: Option<Spec>,
    /// `kind: List`.
    items: Option<Vec<Object>>,
}

#[derive(Deserialize)]
struct Metadata {
    name: Option<Spanned<String>>,
    namespace: Option<String>,
}

#[derive(Deserialize)]
struct Spec {
    #[serde(rename = "volumeClaimTemplates")]
    volume_claim_templates: Option<Vec<ClaimTemplate>>,
}

#[derive(Deserialize)]
struct ClaimTemplate {
    metadata: Option<Metadata>,
}

fn detect(file: &SourceFile, cx: &Context) -> Vec<Detection> {
    // Cheap refusal for the YAML that is not Kubernetes (CI, OpenAPI, compose files).
    if !file.text.contains("apiVersion") || !file.text.contains("kind") {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (offset, document) in documents(&file.text) {
        // A document that does not parse (a Helm template, a typo) is skipped alone.
        if let Ok(object) = serde_saphyr::from_str::<Object>(document) {
            object_components(&object, offset, cx, &mut found);
        }
    }
    found
}

fn object_components(object: &Object, offset: u32, cx: &Context, out: &mut Vec<Detection>) {
    for item in object.items.iter().flatten() {
        object_components(item, offset, cx, out);
    }
    let (Some(_), Some(kind), Some(metadata)) =
        (&object.api_version, &object.kind, &object.metadata)
    else {
        return;
    };
    let Some(&(kind_name, layer, workload)) = KINDS.iter().find(|k| k.0 == kind.value) else {
        return;
    };
    let Some(name) = &metadata.name else {
        return;
    };
    let clean = sanitize(&name.value);
    if clean.is_empty() {
        return;
    }
    let namespace = metadata
        .namespace
        .as_deref()
        .filter(|ns| *ns != "default" && normalize(ns) != normalize(cx.system))
        .map(sanitize)
        .filter(|ns| !ns.is_empty());
    let mut segments: Vec<String> = namespace.iter().cloned().collect();
    segments.push(if workload {
        clean.clone()
    } else {
        format!("{clean} {}", words(kind_name))
    });
    let shown = match &metadata.namespace {
        Some(ns) => format!("{ns}/{}", name.value),
        None => name.value.clone(),
    };
    out.push(Detection {
        segments: segments.clone(),
        layer,
        line: line(name, offset),
        reason: sanitize_reason(&format!("{kind_name} {shown}")),
    });
    if kind_name != "StatefulSet" {
        return;
    }
    let templates = object
        .spec
        .as_ref()
        .and_then(|s| s.volume_claim_templates.as_ref());
    for template in templates.into_iter().flatten() {
        let Some(claim) = template.metadata.as_ref().and_then(|m| m.name.as_ref()) else {
            continue;
        };
        let claim_name = sanitize(&claim.value);
        if claim_name.is_empty() {
            continue;
        }
        let mut child = segments.clone();
        child.push(claim_name);
        out.push(Detection {
            segments: child,
            layer: Layer::Storage,
            line: line(claim, offset),
            reason: sanitize_reason(&format!(
                "volume claim template {} of StatefulSet {shown}",
                claim.value
            )),
        });
    }
}

/// The file line of a spanned value in a document that starts after `offset` lines.
fn line<T>(value: &Spanned<T>, offset: u32) -> u32 {
    (value.referenced.line() as u32).max(1) + offset
}

/// A reason is shown in a description: no quotes, backslashes or control characters.
fn sanitize_reason(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || c == '"' || c == '\\' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// `NetworkPolicy` → `network policy`, `HTTPRoute` → `http route`.
fn words(kind: &str) -> String {
    let chars: Vec<char> = kind.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
        let prev_lower = i > 0 && chars[i - 1].is_lowercase();
        if i > 0 && c.is_uppercase() && (prev_lower || next_lower) {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The documents of a YAML stream, each with the number of lines before it. A line
/// that starts with `---` (followed by nothing or a space) or is `...` ends a document;
/// YAML does not allow either inside one, even in a block scalar.
fn documents(text: &str) -> Vec<(u32, &str)> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut start_line = 0u32;
    let mut position = 0usize;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end();
        let marker =
            bare == "..." || bare == "---" || bare.starts_with("--- ") || bare.starts_with("---\t");
        if marker {
            out.push((start_line, &text[start..position]));
            // `--- {kind: ...}` keeps its content: it starts the next document.
            let rest = bare.get(3..).unwrap_or("").trim();
            let skip = if bare.starts_with("---") && !rest.is_empty() && !rest.starts_with('#') {
                3
            } else {
                line.len()
            };
            start = position + skip;
            start_line = i as u32;
            if skip == line.len() {
                start_line += 1;
            }
        }
        position += line.len();
    }
    out.push((start_line, &text[start..]));
    out.retain(|(_, d)| !d.trim().is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LayerKeywords;

    fn run(text: &str) -> Vec<(String, Layer, u32, String)> {
        let cx = Context {
            system: "Shop",
            keywords: LayerKeywords::builtin(),
        };
        detect(&SourceFile::new("k8s/app.yaml", text), &cx)
            .into_iter()
            .map(|d| (d.segments.join(":"), d.layer, d.line, d.reason))
            .collect()
    }

    #[test]
    fn each_document_gives_its_component_at_its_name_line() {
        let text = "# header\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\n  namespace: shop\n---\napiVersion: v1\nkind: Service\nmetadata:\n  namespace: shop\n  name: orders\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n";
        assert_eq!(
            run(text),
            vec![
                (
                    "orders".into(),
                    Layer::Compute,
                    5,
                    "Deployment shop/orders".into()
                ),
                (
                    "orders service".into(),
                    Layer::Communication,
                    12,
                    "Service shop/orders".into()
                ),
            ]
        );
    }

    #[test]
    fn statefulset_claims_are_storage_children_and_namespaces_are_segments() {
        let text = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: pg\n  namespace: data\nspec:\n  volumeClaimTemplates:\n    - metadata:\n        name: wal\n";
        assert_eq!(
            run(text),
            vec![
                (
                    "data:pg".into(),
                    Layer::Compute,
                    4,
                    "StatefulSet data/pg".into()
                ),
                (
                    "data:pg:wal".into(),
                    Layer::Storage,
                    9,
                    "volume claim template wal of StatefulSet data/pg".into()
                ),
            ]
        );
    }

    #[test]
    fn lists_rbac_and_cluster_scoped_kinds() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRole\n  metadata:\n    name: reader\n- apiVersion: storage.k8s.io/v1\n  kind: StorageClass\n  metadata:\n    name: fast\n    namespace: default\n";
        assert_eq!(
            run(text),
            vec![
                (
                    "reader cluster role".into(),
                    Layer::Control,
                    7,
                    "ClusterRole reader".into()
                ),
                (
                    "fast storage class".into(),
                    Layer::Storage,
                    11,
                    "StorageClass default/fast".into()
                ),
            ]
        );
    }

    #[test]
    fn broken_and_foreign_documents_are_skipped_alone() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n---\nkind: Deployment\nmetadata: {name: no-api-version}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ci\n";
        assert_eq!(
            run(text),
            vec![(
                "ci service account".into(),
                Layer::Control,
                12,
                "ServiceAccount ci".into()
            )]
        );
        assert!(run("on: push\njobs: {}\n").is_empty());
    }

    #[test]
    fn kinds_read_as_words() {
        assert_eq!(words("NetworkPolicy"), "network policy");
        assert_eq!(words("HTTPRoute"), "http route");
        assert_eq!(words("PersistentVolumeClaim"), "persistent volume claim");
        assert_eq!(words("Service"), "service");
    }

    #[test]
    fn document_markers_split_with_line_offsets() {
        let docs = documents("a: 1\n---\nb: 2\n--- {c: 3}\n...\n");
        assert_eq!(docs, vec![(0, "a: 1\n"), (2, "b: 2\n"), (3, " {c: 3}\n")]);
    }
}
