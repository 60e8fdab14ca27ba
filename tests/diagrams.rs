//! The data-flow diagrams (Mermaid, DOT) speak in names: a flow `with #tls` is labelled by
//! the control's name, wherever the reference is written, and every edge label says which
//! edge it belongs to. Checked against the model's own ids, on the example and on the
//! injection fixture.

use std::collections::BTreeSet;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(args)
        .current_dir(ROOT)
        .args(["--no-cache"])
        .output()
        .expect("runs");
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Every id of the model that a reader would rather see named.
fn named_ids(root: &str) -> BTreeSet<String> {
    let json: serde_json::Value =
        serde_json::from_str(&run(&["scan", root, "--format", "json"])).expect("json");
    let mut ids = BTreeSet::new();
    for key in ["components", "threats", "controls", "flows"] {
        for entity in json[key].as_array().unwrap() {
            ids.insert(entity["id"].as_str().unwrap().to_string());
        }
    }
    ids
}

/// The `#word`s of a label.
fn references(label: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = label;
    while let Some(at) = rest.find('#') {
        let id: String = rest[at + 1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || "_-.".contains(*c))
            .collect();
        let id = id.trim_end_matches(['.', '-']).to_string();
        if !id.is_empty() {
            out.push(id);
        }
        rest = &rest[at + 1..];
    }
    out
}

/// Edge labels of a Mermaid flowchart: the text between `|"` and `"|`.
fn mermaid_labels(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let start = l.find("|\"")? + 2;
            let end = l[start..].find("\"|")? + start;
            Some(l[start..end].to_string())
        })
        .collect()
}

/// Edge lines of a DOT graph with their `label`.
fn dot_edges(text: &str) -> Vec<(String, Option<String>)> {
    text.lines()
        .filter(|l| l.contains(" -> "))
        .map(|l| {
            let label = l.find("label=\"").map(|i| {
                let rest = &l[i + 7..];
                rest[..rest.find('"').unwrap()].to_string()
            });
            (l.to_string(), label)
        })
        .collect()
}

#[test]
fn diagram_labels_name_what_they_reference() {
    for root in ["fixtures/example", "tests/injection"] {
        let ids = named_ids(root);
        let mermaid = run(&["report", root, "--format", "mermaid"]);
        let dot = run(&["report", root, "--format", "dot"]);
        let labels: Vec<String> = mermaid_labels(&mermaid)
            .into_iter()
            .chain(dot_edges(&dot).into_iter().filter_map(|(_, l)| l))
            .collect();
        if root == "fixtures/example" {
            assert!(labels.len() > 30, "{labels:?}");
            assert!(
                labels.iter().any(|l| l == "HTTPS and TLS Everywhere"),
                "{labels:?}"
            );
            assert!(labels.iter().any(|l| l == "Mutual TLS"), "{labels:?}");
        }
        for label in &labels {
            for id in references(label) {
                assert!(
                    !ids.contains(&id),
                    "{root}: the label `{label}` shows `#{id}` where the model has a name"
                );
            }
        }
    }
}

#[test]
fn every_dot_edge_label_is_tied_to_its_edge() {
    let dot = run(&["report", "fixtures/example", "--format", "dot"]);
    let edges = dot_edges(&dot);
    assert!(edges.len() > 15);
    for (line, label) in &edges {
        if label.is_some() {
            assert!(line.contains("decorate=true"), "{line}");
        }
    }
    // The IAM control labels the importer's flow to the assets bucket, nothing else.
    let iam: Vec<&String> = edges
        .iter()
        .filter(|(_, l)| l.as_deref() == Some("Least-Privilege IAM"))
        .map(|(line, _)| line)
        .collect();
    assert_eq!(iam.len(), 1, "{iam:?}");
    assert!(iam[0].contains("flow importer-assets"), "{}", iam[0]);
}
