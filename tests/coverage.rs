//! STRIDE coverage (`threatline coverage`, the `stride-gap` finding): gaps against each
//! layer's expectations, and suggestions that close them when pasted.

mod common;

use std::path::Path;

use threatline::analysis::coverage::coverage;
use threatline::analysis::graph::ModelGraph;
use threatline::annotation::Stride;
use threatline::catalogue::Catalogue;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/coverage");

#[test]
fn gaps_are_the_expected_categories_nothing_considers() {
    let model = common::scan(Path::new(FIXTURE));
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    let graph = ModelGraph::new(&model);
    let rows = coverage(&model, &graph, Catalogue::builtin());
    let row = |id: &str| rows.iter().find(|r| r.component.id == id).unwrap();
    // Storage expects tampering, repudiation, information disclosure; SQLi covers tampering.
    let db = row("orders-db");
    assert_eq!(db.considered, vec![Stride::Tampering]);
    let missing: Vec<Stride> = db.gaps.iter().map(|g| g.stride).collect();
    assert_eq!(
        missing,
        vec![Stride::Repudiation, Stride::InformationDisclosure]
    );
    // Suggestions come from the database domain first, ready to paste.
    let first = &db.gaps[0].suggestions[0];
    assert!(first.threat.starts_with("db-"), "{}", first.threat);
    assert_eq!(
        first.annotation,
        format!("@exposes #orders-db to #{}", first.threat)
    );
    // Only declared components and leaves: `Shop` and `Shop:Storage` are containers.
    assert!(
        rows.iter()
            .all(|r| r.component.id != "shop" && r.component.id != "shop.storage")
    );
    // One stride-gap finding per component with gaps, informational.
    let findings: Vec<&str> = model
        .findings
        .iter()
        .filter(|f| f.code == "stride-gap")
        .filter_map(|f| f.component.as_deref())
        .collect();
    assert_eq!(
        findings.len(),
        rows.iter().filter(|r| !r.gaps.is_empty()).count()
    );
    assert!(findings.contains(&"orders-db"));
}

#[test]
fn pasting_the_suggestions_closes_every_gap() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(FIXTURE).join("shop.py"),
        dir.path().join("shop.py"),
    )
    .unwrap();
    let model = common::scan(dir.path());
    let graph = ModelGraph::new(&model);
    let suggested: Vec<String> = coverage(&model, &graph, Catalogue::builtin())
        .iter()
        .flat_map(|r| r.gaps.iter().map(|g| g.suggestions[0].annotation.clone()))
        .collect();
    assert!(suggested.len() >= 8, "{suggested:?}");
    std::fs::write(
        dir.path().join("coverage.threatline"),
        suggested.join("\n") + "\n",
    )
    .unwrap();
    let model = common::scan(dir.path());
    assert!(model.diagnostics.is_empty(), "{:?}", model.diagnostics);
    let graph = ModelGraph::new(&model);
    let left: Vec<String> = coverage(&model, &graph, Catalogue::builtin())
        .iter()
        .filter(|r| !r.gaps.is_empty())
        .map(|r| r.component.id.clone())
        .collect();
    assert!(left.is_empty(), "gaps left: {left:?}");
    assert!(!model.findings.iter().any(|f| f.code == "stride-gap"));
}

#[test]
fn the_command_prints_the_matrix_and_suggestions() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["coverage", FIXTURE, "--gaps-only"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Storage layer"), "{text}");
    assert!(text.contains("Shop:Storage:Orders Database"), "{text}");
    assert!(text.contains("✗ repudiation"), "{text}");
    assert!(text.contains("@exposes #orders-db to #db-"), "{text}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["coverage", FIXTURE, "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let db = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["component"] == "orders-db")
        .unwrap();
    assert_eq!(db["layer"], "storage");
    assert_eq!(db["considered"], serde_json::json!(["tampering"]));
}
