//! `threatline merge`: the models of two repositories (`tests/merge/shop` and
//! `tests/merge/payments`) joined into one system. The shop's checkout calls the payments
//! API, which the payments repository puts inside a critical PCI boundary: a crossing
//! neither repository sees alone.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use threatline::model::Model;

fn threatline(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited")
}

fn both(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/merge")
        .join(name)
}

/// Each repository's CI: `threatline scan --format json`, into `out`.
fn scan_both(out: &Path) -> (String, String) {
    let mut files = Vec::new();
    for repo in ["shop", "payments"] {
        let file = out.join(format!("{repo}.json"));
        let root = fixture(repo);
        let run = threatline(
            &["scan", root.to_str().unwrap(), "-o", file.to_str().unwrap()],
            out,
        );
        assert_eq!(code(&run), 0, "{}", both(&run));
        files.push(file.to_string_lossy().into_owned());
    }
    (files[0].clone(), files[1].clone())
}

fn crossings(model: &Value) -> Vec<&Value> {
    model["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "unprotected-crossing")
        .collect()
}

#[test]
fn the_union_has_a_crossing_neither_repository_has_alone() {
    let dir = tempfile::tempdir().unwrap();
    for repo in ["shop", "payments"] {
        let root = fixture(repo);
        let out = threatline(
            &["check", root.to_str().unwrap(), "--format", "json"],
            dir.path(),
        );
        assert_eq!(code(&out), 0, "{repo} passes alone: {}", both(&out));
        let model: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(crossings(&model).is_empty(), "{repo} alone has no crossing");
    }

    let (shop, payments) = scan_both(dir.path());
    let out = threatline(&["merge", &shop, &payments, "--format", "json"], dir.path());
    assert_eq!(code(&out), 1, "the union fails the gate: {}", both(&out));
    let model: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = crossings(&model);
    assert_eq!(found.len(), 1, "{found:?}");
    let f = found[0];
    assert_eq!(f["flow"], "card-payment");
    // The PCI boundary is critical; the payments API handles financial data.
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["file"], "shop/src/checkout.ts");
    assert!(f["message"].as_str().unwrap().contains("PCI scope"));

    // The shop mentions the API by path, the payments repository declares it with an id:
    // one component, under the declared id, in the boundary's zone.
    let components = model["components"].as_array().unwrap();
    let api: Vec<&Value> = components
        .iter()
        .filter(|c| c["path"] == serde_json::json!(["Acme", "Payments", "API"]))
        .collect();
    assert_eq!(api.len(), 1, "{api:?}");
    assert_eq!(api[0]["id"], "payments-api");
    assert_eq!(api[0]["zone"], "pci");
    assert_eq!(api[0]["properties"]["repository"], "payments");
    assert_eq!(api[0]["data"], serde_json::json!(["financial"]));

    let flow = model["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "card-payment")
        .unwrap();
    assert_eq!(flow["to"], "payments-api");
    assert_eq!(flow["to_zone"], "pci");
    assert_eq!(flow["properties"]["cross_repository"], true);
    assert_eq!(
        flow["properties"]["repositories"],
        serde_json::json!(["shop", "payments"])
    );
    let internal = model["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["from"] == "payments-api")
        .unwrap();
    assert!(internal["properties"].get("cross_repository").is_none());
}

#[test]
fn merged_json_follows_the_published_schema_and_text_reads_like_check() {
    let dir = tempfile::tempdir().unwrap();
    let (shop, payments) = scan_both(dir.path());
    let out = threatline(&["merge", &payments, &shop, "--format", "json"], dir.path());
    let model: Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/model.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&model)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    // Argument order changes nothing.
    let again = threatline(&["merge", &shop, &payments, "--format", "json"], dir.path());
    assert_eq!(out.stdout, again.stdout);

    let text = threatline(&["merge", &shop, &payments], dir.path());
    assert_eq!(code(&text), 1);
    let verdict = String::from_utf8_lossy(&text.stderr).into_owned();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("CRITICAL unprotected-crossing  shop/src/checkout.ts:11:6"),
        "{text}"
    );
    assert!(
        verdict.starts_with("FAIL: 1 finding at or above high · "),
        "{verdict}"
    );
    assert!(verdict.contains("in payments + shop"), "{verdict}");

    let md = threatline(
        &["merge", &shop, &payments, "--format", "markdown"],
        dir.path(),
    );
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(md.contains("# Threat model: payments + shop"), "{md}");
    assert!(md.contains("```mermaid"), "{md}");

    // Above the threshold only with --fail-on: the gate follows the flag.
    let out = threatline(
        &[
            "merge",
            &shop,
            &payments,
            "--fail-on",
            "critical",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(code(&out), 1, "critical is at critical");
}

#[test]
fn a_reference_another_repository_declares_is_no_longer_dangling() {
    let a = common::tree(&[(
        "web.py",
        "# @component Shop:Web (#web)\n# @connects #web to #ledger with #mtls\n# @mitigates #web against #card-theft with #mtls\n",
    )]);
    let b = common::tree(&[(
        "ledger.py",
        "# @component Bank:Ledger (#ledger)\n# @control Mutual TLS (#mtls)\n# @threat Card theft (#card-theft) [high]\n# @exposes #web to #card-theft\n",
    )]);
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = [("a", a.path()), ("b", b.path())]
        .iter()
        .map(|(name, root)| {
            let file = dir.path().join(format!("{name}.json"));
            threatline(
                &["scan", root.to_str().unwrap(), "-o", file.to_str().unwrap()],
                dir.path(),
            );
            format!("{name}={}", file.display())
        })
        .collect();
    let alone: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("a.json")).unwrap()).unwrap();
    assert!(
        alone["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "dangling-reference")
    );
    let out = threatline(
        &["merge", &files[0], &files[1], "--format", "json"],
        dir.path(),
    );
    let model: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        model["diagnostics"],
        serde_json::json!([]),
        "{}",
        both(&out)
    );
    let flow = &model["flows"][0];
    // Resolved across repositories: the ledger's control protects the shop's flow.
    assert_eq!(flow["controls"], serde_json::json!(["mtls"]));
    assert_eq!(flow["to_zone"], "bank");
    assert!(crossings(&model).is_empty());
    // b's exposure of a's component is mitigated by a's annotation.
    assert!(
        !model["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "unmitigated-exposure"),
        "{model}"
    );
    assert_eq!(code(&out), 0, "{}", both(&out));
}

#[test]
fn bad_inputs_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.json"), "{\"version\": \"9\"}").unwrap();
    std::fs::write(dir.path().join("y.json"), "not json").unwrap();
    for (args, says) in [
        (&["merge", "x.json"][..], "x.json: model version `9`"),
        (&["merge", "y.json"], "y.json: not JSON"),
        (&["merge", "missing.json"], "cannot read missing.json"),
    ] {
        let out = threatline(args, dir.path());
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(both(&out).contains(says), "{args:?}: {}", both(&out));
    }
    let out = threatline(&["merge"], dir.path());
    assert_eq!(code(&out), 2, "at least one model");

    let empty = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.json");
    threatline(
        &[
            "scan",
            empty.path().to_str().unwrap(),
            "-o",
            file.to_str().unwrap(),
        ],
        dir.path(),
    );
    let out = threatline(&["merge", "a=v.json", "a=v.json"], dir.path());
    assert_eq!(code(&out), 2);
    assert!(
        both(&out).contains("two models are named `a`"),
        "{}",
        both(&out)
    );
    let out = threatline(&["merge", "a=v.json", "b=v.json"], dir.path());
    assert_eq!(
        code(&out),
        0,
        "two empty repositories are clean: {}",
        both(&out)
    );
}

#[test]
fn a_scanned_model_reads_back_as_the_same_model() {
    // The Deserialize derives: what `scan` writes, `merge` reads without loss.
    let dir = tempfile::tempdir().unwrap();
    let (shop, _) = scan_both(dir.path());
    let text = std::fs::read_to_string(&shop).unwrap();
    let model: Model = serde_json::from_str(&text).expect("deserialises");
    assert!(!model.findings.is_empty());
    let back: Value = serde_json::to_value(&model).unwrap();
    let original: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, original);
}
