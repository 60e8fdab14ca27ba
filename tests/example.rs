//! End to end on the shipped example system (`fixtures/example`, the tree the README's first
//! command checks): the JSON output matches `docs/model.schema.json`, the model joins up
//! across files and dialects the way the example intends, and the output is the same
//! whatever the thread count.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde_json::Value;
use threatline::walk::WalkOptions;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/example");
const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/model.schema.json");

/// The example's JSON with `threads` walker threads (0: one per core).
fn scan_json(threads: usize) -> String {
    let mut options = WalkOptions::new(EXAMPLE);
    options.threads = threads;
    let model = threatline::scan_tree(&options, &Default::default()).expect("the example scans");
    threatline::output::data::to_json(&model)
}

static JSON: LazyLock<String> = LazyLock::new(|| scan_json(0));
static MODEL: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(&JSON).expect("the output is JSON"));

fn list(key: &str) -> &'static [Value] {
    MODEL[key]
        .as_array()
        .unwrap_or_else(|| panic!("`{key}` is a list"))
}

/// The record of `key` whose `id` is `id`.
fn by_id(key: &str, id: &str) -> &'static Value {
    list(key)
        .iter()
        .find(|v| v["id"] == id)
        .unwrap_or_else(|| panic!("no {key} with id `{id}`"))
}

fn strs(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().expect("a string"))
        .collect()
}

fn site(value: &Value) -> String {
    format!("{}:{}", value["file"].as_str().unwrap(), value["line"])
}

#[test]
fn the_output_matches_the_published_schema() {
    let text = std::fs::read_to_string(SCHEMA).expect("docs/model.schema.json exists");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::meta::validate(&schema).expect("the schema is a valid JSON Schema");
    let validator = jsonschema::draft202012::new(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&MODEL)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "schema violations:\n{}",
        errors.join("\n")
    );
}

#[test]
fn the_schema_also_accepts_diagnostics_and_findings_shapes() {
    // The example has no diagnostics, so a small tree with every kind of mistake stands in.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.py"),
        "# @mitigates App:Web against #nope\n\
         # @threat A (#a)\n\
         # @threat B (#a)\n\
         # @threat C (#c):\n\
         #   stride: [unclosed\n\
         # @mitigates are written next to the code\n\
         # @component App:Web [storage]\n\
         # @component App:Web [compute]\n\
         # @connects App:Web to App:Db with ] -- \"unterminated\n",
    )
    .unwrap();
    let model = threatline::scan_tree(&WalkOptions::new(dir.path()), &Default::default()).unwrap();
    let mut value: Value =
        serde_json::from_str(&threatline::output::data::to_json(&model)).unwrap();
    let codes: BTreeSet<&str> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        BTreeSet::from([
            "conflict",
            "dangling-reference",
            "duplicate-id",
            "invalid-yaml",
            "malformed-annotation",
            "prose-like",
        ])
    );
    // The small tree's own findings (every rule fires on it) validate too.
    let found: BTreeSet<&str> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(found.contains("unmitigated-threat"), "{found:?}");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(SCHEMA).unwrap()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "schema violations:\n{}",
        errors.join("\n")
    );
    // And the schema is strict: an unknown key on a record is refused.
    value["components"][0]["colour"] = Value::from("red");
    assert!(!validator.is_valid(&value));
}

#[test]
fn the_example_is_clean() {
    let diagnostics = list("diagnostics");
    assert!(
        diagnostics.is_empty(),
        "the example should scan without diagnostics:\n{}",
        serde_json::to_string_pretty(diagnostics).unwrap()
    );
    assert_eq!(MODEL["version"], "1");
}

#[test]
fn the_gate_reports_exactly_the_deliberate_gaps() {
    // Everything above `info`: the five open exposures and the two unprotected crossings.
    let mut gaps: Vec<(&str, &str, &str)> = list("findings")
        .iter()
        .filter(|f| f["severity"] != "info")
        .map(|f| {
            let subject = f["flow"]
                .as_str()
                .or(f["component"].as_str())
                .or(f["threat"].as_str())
                .unwrap();
            (
                f["code"].as_str().unwrap(),
                subject,
                f["severity"].as_str().unwrap(),
            )
        })
        .collect();
    gaps.sort();
    assert_eq!(
        gaps,
        vec![
            ("unmitigated-exposure", "catalogue", "medium"),
            ("unmitigated-exposure", "image-importer", "high"),
            ("unmitigated-exposure", "orders", "low"),
            ("unmitigated-exposure", "redis", "medium"),
            ("unmitigated-exposure", "refunds", "high"),
            ("unprotected-crossing", "catalogue-redis", "high"),
            // CI's kubeconfig is a secret: high, stepped up.
            ("unprotected-crossing", "ci-deploy", "critical"),
        ]
    );
    let info: Vec<&str> = list("findings")
        .iter()
        .filter(|f| f["severity"] == "info")
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        info.iter()
            .all(|c| ["untested-control", "open-review", "stride-gap"].contains(c))
    );
    assert!(info.contains(&"open-review"));
}

#[test]
fn the_model_has_the_example_s_shape() {
    let counts: BTreeMap<&str, usize> = [
        "components",
        "threats",
        "controls",
        "mitigations",
        "exposures",
        "acceptances",
        "transfers",
        "flows",
        "boundaries",
        "reviews",
        "tests",
    ]
    .into_iter()
    .map(|k| (k, list(k).len()))
    .collect();
    let expected = BTreeMap::from([
        ("components", 38),
        ("threats", 27),
        ("controls", 22),
        ("mitigations", 24),
        ("exposures", 35),
        ("acceptances", 4),
        ("transfers", 2),
        ("flows", 19),
        ("boundaries", 7),
        ("reviews", 3),
        ("tests", 3),
    ]);
    assert_eq!(counts, expected);
}

#[test]
fn layers_are_explicit_inherited_or_inferred() {
    let layer = |id: &str| {
        let c = by_id("components", id);
        (
            c["layer"].as_str().unwrap(),
            c["layer_source"].as_str().unwrap(),
        )
    };
    // `@asset Shop.Edge [communication]` in the GAL file; its children inherit.
    assert_eq!(layer("shop.edge"), ("communication", "explicit"));
    assert_eq!(layer("api-gateway"), ("communication", "inherited"));
    assert_eq!(layer("ingress"), ("communication", "inherited"));
    // The identity provider is Control; a qualifier on a child wins over inheritance.
    assert_eq!(layer("shop.identity"), ("control", "explicit"));
    assert_eq!(layer("auth-server"), ("control", "inherited"));
    assert_eq!(layer("shop.identity.sessions"), ("storage", "explicit"));
    // A YAML block's `layer:` key is explicit too.
    assert_eq!(layer("registry"), ("storage", "explicit"));
    // Inferred from the name, or from an ancestor's name; Compute when nothing matches.
    assert_eq!(layer("postgres"), ("storage", "inferred"));
    assert_eq!(layer("shop.storage"), ("storage", "inferred"));
    assert_eq!(layer("kafka"), ("communication", "inferred"));
    assert_eq!(layer("order-events"), ("communication", "inferred"));
    assert_eq!(layer("vpc"), ("communication", "inferred"));
    assert_eq!(layer("ci"), ("control", "inferred"));
    assert_eq!(layer("orders"), ("compute", "inferred"));
}

#[test]
fn components_join_across_files_and_dialects() {
    let orders = by_id("components", "orders");
    assert_eq!(strs(&orders["path"]), ["Shop", "Orders", "Service"]);
    assert_eq!(orders["parent"], "shop.orders");
    assert_eq!(strs(&orders["data"]), ["financial", "pii"]);
    // Declared in the module docstring, whatever other files say about it.
    assert_eq!(site(orders), "orders/app/api.py:3");
    assert_eq!(orders["declared"], true);

    // `@asset Shop.Payments.Service` (GAL) and `Shop:Payments` (Threatspec) are one subtree.
    let payments = by_id("components", "payments");
    assert_eq!(strs(&payments["path"]), ["Shop", "Payments", "Service"]);
    assert_eq!(payments["parent"], "shop.payments");
    let ids: Vec<&str> = list("components")
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.iter().filter(|id| id.contains("payments")).count(), 2);
    let sides = |id: &str| strs(&by_id("boundaries", id)["components"]);
    assert!(sides("psp-boundary").contains(&"shop.payments"));
    assert!(sides("cluster").contains(&"shop.payments"));

    // Data classes gathered from SQL, Terraform-adjacent and Python files.
    let postgres = by_id("components", "postgres");
    assert_eq!(strs(&postgres["data"]), ["financial", "pii"]);
    assert_eq!(site(postgres), "db/schema.sql:3");
    assert_eq!(
        strs(&by_id("components", "auth-server")["data"]),
        ["pii", "secrets"]
    );
}

#[test]
fn zones_come_from_around_boundaries_or_the_top_level() {
    let zone = |id: &str| by_id("components", id)["zone"].as_str().unwrap();
    assert_eq!(zone("ingress"), "dmz");
    assert_eq!(zone("api-gateway"), "dmz");
    assert_eq!(zone("auth-server"), "cluster");
    assert_eq!(zone("order-events"), "cluster");
    assert_eq!(zone("postgres"), "data-tier");
    assert_eq!(zone("registry"), "control-plane");
    assert_eq!(zone("vpc"), "shop");
    assert_eq!(zone("customer.mobile_app"), "customer");
    assert_eq!(zone("stripe.api"), "stripe");
    assert_eq!(zone("ci"), "github");
    let zones: BTreeSet<&str> = list("components")
        .iter()
        .map(|c| c["zone"].as_str().unwrap())
        .collect();
    assert_eq!(
        zones,
        BTreeSet::from([
            "cloudflare",
            "cluster",
            "control-plane",
            "customer",
            "data-tier",
            "dmz",
            "github",
            "shop",
            "stripe",
            "suppliers",
        ])
    );
    let kinds: BTreeMap<&str, &str> = list("boundaries")
        .iter()
        .map(|b| (b["id"].as_str().unwrap(), b["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        BTreeMap::from([
            ("ci-trust", "between"),
            ("cluster", "around"),
            ("control-plane", "around"),
            ("data-tier", "around"),
            ("dmz", "around"),
            ("internet", "between"),
            ("psp-boundary", "between"),
        ])
    );
    assert_eq!(by_id("boundaries", "psp-boundary")["severity"], "critical");
}

#[test]
fn flows_carry_zones_and_protecting_controls() {
    let flow = |id: &str| by_id("flows", id);
    // Browser to ingress: crosses from the customer's zone into the DMZ, over declared TLS.
    let f = flow("browser-ingress");
    assert_eq!(
        (f["from"].as_str(), f["to"].as_str()),
        (Some("customer.browser"), Some("ingress"))
    );
    assert_eq!(
        (f["from_zone"].as_str(), f["to_zone"].as_str()),
        (Some("customer"), Some("dmz"))
    );
    assert_eq!(strs(&f["controls"]), ["tls"]);
    // A control named by its name rather than its `#id` protects as well.
    assert_eq!(
        strs(&flow("stripe-webhook")["controls"]),
        ["webhook-signatures"]
    );
    assert_eq!(strs(&flow("mobile-ingress")["controls"]), ["tls"]);
    // A GAL flow into a Threatspec-declared component.
    let f = flow("gateway-payments");
    assert_eq!(
        (f["from"].as_str(), f["to"].as_str()),
        (Some("api-gateway"), Some("payments"))
    );
    assert_eq!(strs(&f["controls"]), ["mtls"]);
    // `<->` is two-way; the id is derived from the ends.
    let f = flow("auth-server->shop.identity.sessions");
    assert_eq!(f["two_way"], true);
    // The catalogue's Redis hop crosses into the data tier with nothing on it.
    let f = flow("catalogue-redis");
    assert_eq!(
        (f["from_zone"].as_str(), f["to_zone"].as_str()),
        (Some("cluster"), Some("data-tier"))
    );
    assert_eq!(f["mechanism"], "RESP over plain TCP");
    assert!(strs(&f["controls"]).is_empty());
    // Inside one zone.
    let f = flow("ingress-gateway");
    assert_eq!(f["from_zone"], f["to_zone"]);
}

/// Exposures that nothing mitigates, accepts or transfers on the component, the flow, or an
/// ancestor of the component (SPEC §5 `unmitigated-exposure`), computed from the model.
fn unmitigated_exposures() -> BTreeSet<(String, String)> {
    let parents: BTreeMap<&str, &str> = list("components")
        .iter()
        .filter_map(|c| Some((c["id"].as_str()?, c["parent"].as_str()?)))
        .collect();
    let covered = |target: &str, threat: &str| {
        let chain: Vec<&str> =
            std::iter::successors(Some(target), |t| parents.get(t).copied()).collect();
        let on = |v: &Value, key: &str| {
            v["threat"] == threat && chain.contains(&v[key].as_str().unwrap_or_default())
        };
        list("mitigations").iter().any(|m| on(m, "target"))
            || list("acceptances").iter().any(|a| on(a, "target"))
            || list("transfers").iter().any(|t| on(t, "from"))
    };
    list("exposures")
        .iter()
        .map(|e| (e["target"].as_str().unwrap(), e["threat"].as_str().unwrap()))
        .filter(|(target, threat)| !covered(target, threat))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn the_deliberate_gaps_are_the_only_gaps() {
    let expected: BTreeSet<(String, String)> = [
        ("catalogue", "lateral-movement"),
        ("image-importer", "ssrf"),
        ("orders", "pii_in_logs"),
        ("redis", "cache-poisoning"),
        ("refunds", "refund-fraud"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(unmitigated_exposures(), expected);
    // Two high, two medium, one low.
    let severity = |threat: &str| by_id("threats", threat)["severity"].as_str().unwrap();
    assert_eq!(severity("refund-fraud"), "high");
    assert_eq!(severity("ssrf"), "high");
    assert_eq!(severity("lateral-movement"), "medium");
    assert_eq!(severity("cache-poisoning"), "medium");
    assert_eq!(severity("pii_in_logs"), "low");

    // Flows that cross zones with no control, no mitigation and no acceptance on them.
    let on_flow = |key: &str, id: &str| {
        list(key)
            .iter()
            .any(|r| r["target_kind"] == "flow" && r["target"] == id)
    };
    let unprotected: BTreeSet<&str> = list("flows")
        .iter()
        .filter(|f| f["from_zone"] != f["to_zone"] && strs(&f["controls"]).is_empty())
        .map(|f| f["id"].as_str().unwrap())
        .filter(|id| !on_flow("mitigations", id) && !on_flow("acceptances", id))
        .collect();
    assert_eq!(
        unprotected,
        BTreeSet::from(["catalogue-redis", "ci-deploy"])
    );
    // The plain-HTTP hop to the catalogue crosses too, but is accepted on the flow.
    assert!(on_flow("acceptances", "gateway-catalogue"));
}

#[test]
fn only_comments_count() {
    // A string literal that reads like an annotation, a `TODO @mitigates` and an
    // `@skip @mitigates` add nothing.
    for m in list("mitigations") {
        assert_ne!(m["file"], "orders/tests/test_repository.py", "{m}");
        assert_ne!(m["threat"], "pii_in_logs", "{m}");
        assert_ne!(m["threat"], "ssrf", "{m}");
    }
    // The hidden `.github` directory, an extensionless `#!` script and the plain
    // `.threatline` / `.gal` files are all read.
    let files: BTreeSet<&str> = [
        "components",
        "threats",
        "controls",
        "mitigations",
        "exposures",
        "flows",
        "boundaries",
    ]
    .into_iter()
    .flat_map(|k| list(k).iter().map(|v| v["file"].as_str().unwrap()))
    .collect();
    for file in [
        ".github/workflows/ci.yml",
        "scripts/backup-postgres",
        "threatmodel/threats.threatline",
        "threatmodel/architecture.gal",
        "api/openapi.yaml",
        "orders/Dockerfile",
        "db/schema.sql",
        "infra/terraform/vpc.tf",
    ] {
        assert!(files.contains(file), "nothing read from {file}");
    }
    assert!(!files.iter().any(|f| f.ends_with(".md")));
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let one = scan_json(1);
    let two = scan_json(2);
    assert!(one == two, "threads = 1 and threads = 2 differ");
    assert!(one == *JSON, "threads = 1 and the default differ");
}

#[test]
fn snapshot_of_the_whole_model() {
    insta::assert_snapshot!("example_model", JSON.as_str());
}

#[test]
fn the_schema_accepts_attack_paths_and_zone_trust() {
    // The example reaches nothing undefended; the rule's fixture has a path per kind of
    // zone (inferred, declared, a two-way flow taken backwards) and a `[trusted]` zone.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/rules/attack-path");
    let model = threatline::scan_tree(&WalkOptions::new(root), &Default::default()).unwrap();
    let value: Value = serde_json::from_str(&threatline::output::data::to_json(&model)).unwrap();
    let paths: Vec<&Value> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "attack-path")
        .collect();
    assert_eq!(paths.len(), 3);
    assert!(paths.iter().any(|f| f["path"][1]["backwards"] == true));
    assert!(
        value["boundaries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["trust"] == "trusted")
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(SCHEMA).unwrap()).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "schema violations:\n{}",
        errors.join("\n")
    );
}
