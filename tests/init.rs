//! `threatline init` end to end through the binary: the config it writes loads and
//! passes `check`, it never overwrites without `--force`, and `--suggest` finds the
//! components of a small tree with the right paths, layers and evidence, and leaves out
//! the ones already annotated.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{tree, write};
use serde_json::Value;
use threatline::config::Config;

fn threatline(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited, not killed")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A small system: a Flask app with its image, an Express server, a multi-document
/// Kubernetes manifest and a Terraform file. Everything sits under `shop/`, so the
/// system name (the directory's) is known.
const TREE: &[(&str, &str)] = &[
    (
        "shop/web/app.py",
        "from flask import Flask\n\n\
         app = Flask(__name__)\n\n\
         @app.get(\"/\")\n\
         def index():\n    return \"ok\"\n",
    ),
    (
        "shop/web/Dockerfile",
        "FROM python:3.12-slim\n\
         WORKDIR /srv\n\
         COPY . .\n\
         EXPOSE 8000\n\
         CMD [\"gunicorn\", \"app:app\"]\n",
    ),
    (
        "shop/api/server.js",
        "const express = require(\"express\");\n\
         const app = express();\n\
         // app.listen(1) in a comment is not a server\n\
         app.get(\"/\", (req, res) => res.send(\"ok\"));\n\
         app.listen(3000);\n",
    ),
    (
        "shop/deploy/k8s.yaml",
        "apiVersion: apps/v1\n\
         kind: Deployment\n\
         metadata:\n  name: web\n  namespace: shop\n\
         ---\n\
         apiVersion: v1\n\
         kind: Service\n\
         metadata:\n  name: web\n  namespace: shop\n\
         ---\n\
         apiVersion: apps/v1\n\
         kind: StatefulSet\n\
         metadata:\n  name: postgres\n  namespace: shop\n\
         spec:\n  volumeClaimTemplates:\n    - metadata:\n        name: data\n\
         ---\n\
         apiVersion: v1\n\
         kind: ConfigMap\n\
         metadata:\n  name: settings\n\
         ---\n\
         apiVersion: rbac.authorization.k8s.io/v1\n\
         kind: Role\n\
         metadata:\n  name: deployer\n  namespace: ops\n",
    ),
    (
        "shop/infra/main.tf",
        "resource \"aws_db_instance\" \"main\" {\n  engine = \"postgres\"\n}\n\n\
         resource \"aws_db_subnet_group\" \"main\" {}\n\n\
         resource \"aws_s3_bucket\" \"uploads\" {}\n\n\
         resource \"aws_s3_bucket_versioning\" \"uploads\" {}\n\n\
         resource \"aws_lb\" \"public\" {}\n\n\
         resource \"aws_iam_role\" \"app\" {}\n\n\
         resource \"aws_lambda_function\" \"thumbnails\" {}\n",
    ),
];

/// `component [layer] @ file: evidence file:line, ...` for each suggestion.
fn summary(json: &Value, key: &str) -> Vec<String> {
    json[key]
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| {
            let evidence: Vec<String> = s["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| format!("{}:{}", e["file"].as_str().unwrap(), e["line"]))
                .collect();
            let layer = s["layer"]
                .as_str()
                .map_or(String::new(), |l| format!(" [{l}]"));
            let file = s["file"]
                .as_str()
                .map_or(String::new(), |f| format!(" @ {f}"));
            format!(
                "{}{layer}{file}: {}",
                s["component"].as_str().unwrap(),
                evidence.join(", ")
            )
        })
        .collect()
}

fn suggest_json(dir: &Path, root: &str) -> Value {
    let out = threatline(&["init", "--suggest", root, "--format", "json"], dir);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("JSON")
}

#[test]
fn suggests_the_components_of_each_source_with_layers_and_evidence() {
    let dir = tree(TREE);
    let json = suggest_json(dir.path(), "shop");
    assert_eq!(json["system"], "shop");
    assert_eq!(json["system_source"], "directory");
    assert_eq!(
        summary(&json, "suggestions"),
        vec![
            "shop:api [compute] @ api/server.js: api/server.js:5",
            "shop:web service [communication] @ deploy/k8s.yaml: deploy/k8s.yaml:10",
            "shop:postgres [compute] @ deploy/k8s.yaml: deploy/k8s.yaml:16",
            "shop:postgres:data [storage] @ deploy/k8s.yaml: deploy/k8s.yaml:21",
            "shop:ops:deployer role [control] @ deploy/k8s.yaml: deploy/k8s.yaml:31",
            "shop:main db instance [storage] @ infra/main.tf: infra/main.tf:1",
            "shop:uploads s3 bucket [storage] @ infra/main.tf: infra/main.tf:7",
            "shop:public lb [communication] @ infra/main.tf: infra/main.tf:11",
            "shop:app iam role [control] @ infra/main.tf: infra/main.tf:13",
            "shop:thumbnails lambda function [compute] @ infra/main.tf: infra/main.tf:15",
            // The app, its image and its Deployment are one component, pasted in the code.
            "shop:web [compute] @ web/app.py: web/app.py:3, web/Dockerfile:4, deploy/k8s.yaml:4",
        ]
    );
    assert!(summary(&json, "already_modelled").is_empty());

    let web = &json["suggestions"][10];
    assert_eq!(
        web["annotation"],
        "@component shop:web [compute] -- \"Flask app\""
    );
    let reasons: Vec<&str> = web["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        vec![
            "Flask app",
            "container image (python), exposes 8000",
            "Deployment shop/web"
        ]
    );
    assert_eq!(web["evidence"][1]["text"], "EXPOSE 8000");
    assert_eq!(web["evidence"][1]["detector"], "dockerfile");

    // YAML carries the same data.
    let out = threatline(
        &["init", "--suggest", "shop", "--format", "yaml"],
        dir.path(),
    );
    let yaml: Value = serde_saphyr::from_str(&stdout(&out)).expect("YAML");
    assert_eq!(yaml, json);
}

#[test]
fn text_groups_by_file_behind_the_files_comment_marker() {
    let dir = tree(TREE);
    let out = threatline(&["init", "--suggest", "shop"], dir.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    insta::assert_snapshot!("init_suggest_text", text);
    assert!(text.contains(
        "\nweb/app.py\n  # @component shop:web [compute] -- \"Flask app\"\n        web/app.py:3  app = Flask(__name__)\n"
    ));
    assert!(text.contains("\napi/server.js\n  // @component shop:api [compute]"));
}

#[test]
fn pasted_suggestions_become_the_model_and_are_not_suggested_again() {
    let dir = tree(TREE);
    let json = suggest_json(dir.path(), "shop");
    let pasted: String = json["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{}\n", s["annotation"].as_str().unwrap()))
        .collect();
    write(
        dir.path(),
        "shop/model/components.threatline",
        pasted.as_bytes(),
    );

    // Each pasted line declares its component with the suggested layer, explicitly.
    let out = threatline(&["scan", "shop", "--format", "json"], dir.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let model: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(model["diagnostics"], Value::Array(vec![]));
    for s in json["suggestions"].as_array().unwrap() {
        let wanted = s["component"].as_str().unwrap();
        let c = model["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| {
                let path: Vec<&str> = c["path"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap())
                    .collect();
                path.join(":") == wanted
            })
            .unwrap_or_else(|| panic!("{wanted} is in the model"));
        assert_eq!(c["layer"], s["layer"], "{wanted}");
        assert_eq!(c["layer_source"], "explicit", "{wanted}");
        assert_eq!(c["declared"], true);
    }

    let again = suggest_json(dir.path(), "shop");
    assert_eq!(summary(&again, "suggestions"), Vec::<String>::new());
    assert_eq!(
        again["already_modelled"].as_array().unwrap().len(),
        json["suggestions"].as_array().unwrap().len()
    );
    assert_eq!(
        again["already_modelled"][0]["location"]["file"],
        "model/components.threatline"
    );
}

#[test]
fn an_annotated_component_is_skipped_and_the_models_system_name_is_used() {
    let mut files = TREE.to_vec();
    // Written as the team names it: case and separators differ, the normalised path
    // is the same.
    files.push((
        "shop/api/routes.js",
        "// @component Storefront:API [compute]\n// @component Storefront.Web.Data [storage]\n",
    ));
    let dir = tree(&files);
    let json = suggest_json(dir.path(), "shop");
    assert_eq!(json["system"], "Storefront");
    assert_eq!(json["system_source"], "model");
    let suggested = summary(&json, "suggestions");
    assert!(!suggested.iter().any(|s| s.starts_with("Storefront:api ")));
    // The namespace is no longer the system's name, so it is a segment of its own.
    assert!(suggested.contains(
        &"Storefront:web [compute] @ web/app.py: web/app.py:3, web/Dockerfile:4".to_string()
    ));
    assert!(suggested.contains(
        &"Storefront:shop:web [compute] @ deploy/k8s.yaml: deploy/k8s.yaml:4".to_string()
    ));
    assert_eq!(
        summary(&json, "already_modelled"),
        vec!["Storefront:api: api/server.js:5"]
    );
    assert_eq!(
        json["already_modelled"][0]["location"]["file"],
        "api/routes.js"
    );
    // `Storefront:Web` is only the parent of a declared component: still suggested, so
    // that it gets a layer, with where the model names it.
    let web = json["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["component"] == "Storefront:web")
        .unwrap();
    assert_eq!(web["mentioned_at"]["line"], 2);
    assert!(json["suggestions"][0].get("mentioned_at").is_none());

    let out = threatline(&["init", "--suggest", "shop"], dir.path());
    let text = stdout(&out);
    assert!(
        text.contains(
            "Already declared in the model, so not suggested:\n  Storefront:api  declared at api/routes.js:1:4; found at api/server.js:5\n"
        ),
        "{text}"
    );
    assert!(text.contains(
        "        (named at api/routes.js:2:4 without a declaration; this one gives it a layer)\n"
    ));

    // --system wins over the model.
    let out = threatline(
        &[
            "init",
            "--suggest",
            "shop",
            "--system",
            "Acme",
            "--format",
            "json",
        ],
        dir.path(),
    );
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["system"], "Acme");
    assert_eq!(json["suggestions"][0]["component"], "Acme:api");
}

#[test]
fn suggest_honours_excludes_and_gitignore() {
    let mut files = TREE.to_vec();
    files.push(("shop/.gitignore", "infra/\n"));
    files.push((
        "shop/node_modules/lib/server.js",
        "const app = express();\napp.listen(1);\n",
    ));
    files.push((
        "shop/tests/deploy.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: test-db}\n",
    ));
    let dir = tree(&files);
    let out = threatline(
        &[
            "init",
            "--suggest",
            "shop",
            "--exclude",
            "deploy/**",
            "--format",
            "json",
        ],
        dir.path(),
    );
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let files: Vec<&str> = json["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["evidence"].as_array().unwrap())
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        vec!["api/server.js", "web/app.py", "web/Dockerfile"],
        "no infra/ (gitignored), deploy/ (excluded), node_modules/ (vendored) or tests/"
    );
}

#[test]
fn init_writes_a_config_that_loads_and_that_check_accepts() {
    let dir = tree(TREE);
    let root = dir.path().join("shop");
    let out = threatline(&["init"], &root);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("wrote ./threatline.yaml"));
    let printed = stdout(&out);
    assert!(printed.contains("- id: threatline"), "pre-commit snippet");
    assert!(
        printed.contains("github/codeql-action/upload-sarif@v3"),
        "SARIF upload"
    );
    assert!(printed.contains("threatline check --format sarif -o threatline.sarif"));
    assert!(
        printed.contains("threat-model:\n  image: rust:latest"),
        "GitLab job"
    );

    let config = Config::from_file(&root.join("threatline.yaml")).expect("loads");
    assert_eq!(config.fail_on.map(|s| s.as_str()), Some("high"));
    assert!(config.paths.is_empty() && config.exclude.is_empty());
    assert!(config.implicit_zones);

    let out = threatline(&["check"], &root);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    // `check` really read it: a bad key in the same file is refused.
    let text = std::fs::read_to_string(root.join("threatline.yaml")).unwrap();
    std::fs::write(
        root.join("threatline.yaml"),
        text.replace("fail_on: high", "fail_on: severe"),
    )
    .unwrap();
    let out = threatline(&["check"], &root);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("severe"), "{}", stderr(&out));
}

#[test]
fn init_never_overwrites_without_force() {
    let dir = tree(&[("a.py", "")]);
    assert_eq!(code(&threatline(&["init", "."], dir.path())), 0);
    let config = dir.path().join("threatline.yaml");
    std::fs::write(&config, "fail_on: medium\n").unwrap();

    let out = threatline(&["init", "."], dir.path());
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"));
    assert_eq!(stdout(&out), "", "no snippets after a refusal");
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "fail_on: medium\n"
    );

    let out = threatline(&["init", "--force", "."], dir.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("# threatline.yaml")
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn another_config_name_also_counts_as_existing() {
    let dir = tree(&[(".threatline.yaml", "fail_on: low\n")]);
    let out = threatline(&["init"], dir.path());
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains(".threatline.yaml already exists"));
    assert!(!dir.path().join("threatline.yaml").exists());
}

#[test]
fn dry_run_prints_the_config_and_writes_nothing() {
    let dir = tree(&[("a.py", "")]);
    let out = threatline(&["init", "--dry-run"], dir.path());
    assert_eq!(code(&out), 0);
    assert!(!dir.path().join("threatline.yaml").exists());
    let printed = stdout(&out);
    Config::parse(&printed).expect("stdout is the config alone");
    assert!(printed.starts_with("# threatline.yaml"));
}

#[test]
fn bad_uses_exit_2() {
    let dir = tree(&[("a.py", "")]);
    for args in [
        &["init", "missing-dir"][..],
        &["init", "--format", "json"],
        &["init", "--suggest", "--force"],
        &["init", "--suggest", "--dry-run"],
        &["init", "--suggest", "missing-dir"],
    ] {
        let out = threatline(args, dir.path());
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
    }
    assert!(!dir.path().join("threatline.yaml").exists());
}
