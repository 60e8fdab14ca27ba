//! Open Threat Model output that keeps the model (issue 15): trust ratings from the
//! declared boundaries and zone nesting, nested zones, every boundary represented, flow
//! controls linked as mitigations, names rather than ids, data classes as assets,
//! a likelihood for every threat and risk reductions that say what they rest on. Each
//! test checks one defect on the example (and small trees for the rules' corners); every
//! document is validated against `tests/schemas/otm-schema.json`. The injection fixture
//! must come out as valid JSON with its hostile text intact.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::LazyLock;

use serde_json::Value;
use threatline::analysis::graph::ModelGraph;
use threatline::model::{BoundaryKind, Model};
use threatline::output::otm;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/example");
const INJECTION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/injection");
const OTM_SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemas/otm-schema.json");

static EXAMPLE_MODEL: LazyLock<Model> = LazyLock::new(|| common::scan(Path::new(EXAMPLE)));
static EXAMPLE_OTM: LazyLock<Value> = LazyLock::new(|| otm_of(&EXAMPLE_MODEL));

/// The model's OTM, checked against the OTM schema.
fn otm_of(model: &Model) -> Value {
    valid(&otm::to_otm(model, "test"))
}

/// An OTM document as JSON, checked against the OTM schema.
fn valid(text: &str) -> Value {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(OTM_SCHEMA).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the OTM schema compiles");
    let v: Value = serde_json::from_str(text).expect("OTM is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert_eq!(errors, Vec::<String>::new());
    v
}

fn list<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v[key].as_array().map_or(&[], Vec::as_slice)
}

fn by_id<'v>(v: &'v Value, key: &str, id: &str) -> &'v Value {
    list(v, key)
        .iter()
        .find(|x| x["id"] == id)
        .unwrap_or_else(|| panic!("no {key} {id}"))
}

fn rating(v: &Value, zone: &str) -> u64 {
    by_id(v, "trustZones", zone)["risk"]["trustRating"]
        .as_u64()
        .unwrap()
}

/// The step a boundary's severity adds (docs/interop.md, "Trust ratings").
fn step(severity: Option<&str>) -> u64 {
    match severity {
        Some("critical") => 20,
        Some("high") => 15,
        Some("low") => 5,
        Some("info") => 0,
        _ => 10,
    }
}

// ---- trust ratings -----------------------------------------------------------------------

#[test]
fn zone_ratings_differ_and_follow_the_formula() {
    let v = &*EXAMPLE_OTM;
    let ratings: BTreeMap<&str, u64> = list(v, "trustZones")
        .iter()
        .map(|z| {
            (
                z["id"].as_str().unwrap(),
                z["risk"]["trustRating"].as_u64().unwrap(),
            )
        })
        .collect();
    let distinct: BTreeSet<u64> = ratings.values().copied().collect();
    assert!(distinct.len() >= 4, "{ratings:?}");
    assert_eq!(
        ratings,
        BTreeMap::from([
            // Untrusted by name (SPEC §4 keyword table).
            ("zone:customer", 10),
            ("zone:suppliers", 10),
            // Top-level zones.
            ("zone:cloudflare", 50),
            ("zone:shop", 50),
            // The outside of `ci-trust` (no severity): 60 (Control Plane) - 10 = 50.
            ("zone:github", 50),
            // The outside of `psp-boundary` [critical]: 60 (Cluster) - 20.
            ("zone:stripe", 40),
            // Nested in Shop: 50 + the step of their own boundary's severity.
            ("zone:cluster", 60),
            ("zone:control-plane", 60),
            ("zone:dmz", 60),
            ("zone:data-tier", 65),
        ])
    );
    // The formula, generally: a declared zone is its parent's rating plus its step.
    for z in list(v, "trustZones") {
        let a = &z["attributes"];
        if a["trustRatingSource"] != "formula" || z["parent"].is_null() {
            continue;
        }
        let parent = z["parent"]["trustZone"].as_str().unwrap();
        assert_eq!(
            z["risk"]["trustRating"].as_u64().unwrap(),
            rating(v, parent) + step(a["boundarySeverity"].as_str()),
            "{z}"
        );
        assert!(a["trustRatingFormula"].as_str().unwrap().contains('='));
    }
    // Inside a boundary is more trusted than its outside.
    assert!(rating(v, "zone:dmz") > rating(v, "zone:customer"));
    assert!(rating(v, "zone:cluster") > rating(v, "zone:stripe"));
    assert!(rating(v, "zone:data-tier") > rating(v, "zone:shop"));
}

#[test]
fn trust_follows_qualifiers_properties_and_nesting() {
    let m = common::model(&[(
        "model.threatline",
        "@boundary Storage (#storage) [high] around Shop:Storage\n\
         @boundary Vault (#vault) [critical] around Shop:Storage:Vault\n\
         @boundary Suppliers (#sup) [untrusted] around Acme\n\
         @boundary Partner Portal (#partners) [trusted] around Portal\n\
         @boundary Audited (#audited) [trust_rating:95] around Shop:Audit\n\
         @boundary Psp (#psp) [critical] between Shop:Pay and Bank\n\
         @component Shop:Storage:Vault:Keys [storage]\n\
         @component Shop:Audit:Log [storage]\n\
         @component Shop:Pay:Api\n\
         @component Bank:Api\n\
         @component Acme:Feed\n\
         @component Portal:Web\n\
         @component Internet:Browser\n\
         @connects Acme:Feed to Shop:Storage:Vault:Keys with HTTPS\n",
    )]);
    assert_eq!(common::diagnostics(&m), Vec::<String>::new());
    let v = otm_of(&m);
    // Nested twice: 50 (Shop) + 15 (high) + 20 (critical).
    assert_eq!(rating(&v, "zone:storage"), 65);
    assert_eq!(rating(&v, "zone:vault"), 85);
    assert_eq!(
        by_id(&v, "trustZones", "zone:vault")["parent"],
        serde_json::json!({"trustZone": "zone:storage"})
    );
    assert_eq!(
        by_id(&v, "trustZones", "zone:storage")["parent"],
        serde_json::json!({"trustZone": "zone:shop"})
    );
    // `[untrusted]` on the boundary; a keyword in the name; `[trusted]` overrides the
    // keyword (`Partner`); a stated `trust_rating:` wins.
    assert_eq!(rating(&v, "zone:sup"), 10);
    assert_eq!(
        by_id(&v, "trustZones", "zone:sup")["attributes"]["untrusted"],
        "qualifier"
    );
    assert_eq!(rating(&v, "zone:internet"), 10);
    assert_eq!(
        by_id(&v, "trustZones", "zone:internet")["attributes"]["untrusted"],
        "name"
    );
    assert_eq!(rating(&v, "zone:partners"), 60);
    assert_eq!(rating(&v, "zone:audited"), 95);
    assert_eq!(
        by_id(&v, "trustZones", "zone:audited")["attributes"]["trustRatingSource"],
        "property"
    );
    // `between` with a critical severity: the shallower side (`Bank`) is the outside,
    // lowered to 50 (Shop) - 20.
    assert_eq!(rating(&v, "zone:bank"), 30);
    assert!(
        by_id(&v, "trustZones", "zone:bank")["attributes"]["boundary:psp"]
            .as_str()
            .unwrap()
            .ends_with("this zone is its outside")
    );
}

/// OTM rates zones as the model decided their trust (the one `attack-path` starts from):
/// `untrusted:`/`trusted:` in threatline.yaml reach it, and a name that merely contains a
/// keyword (`Customer Data`) is not untrusted in either.
#[test]
fn trust_is_the_models_config_included() {
    let dir = common::tree(&[
        (
            "model.threatline",
            "@component Vendor:Feed\n\
             @component Customer:Browser\n\
             @component Customer Data:Store\n\
             @connects Vendor:Feed to Customer:Browser with HTTPS\n",
        ),
        (
            "threatline.yaml",
            "untrusted: [Vendor]\ntrusted: [Customer]\n",
        ),
    ]);
    let m = common::scan_configured(dir.path());
    assert_eq!(common::diagnostics(&m), Vec::<String>::new());
    let v = otm_of(&m);
    assert_eq!(rating(&v, "zone:vendor"), 10);
    assert_eq!(
        by_id(&v, "trustZones", "zone:vendor")["attributes"]["untrusted"],
        "config"
    );
    assert_eq!(rating(&v, "zone:customer"), 50);
    assert_eq!(rating(&v, "zone:customer_data"), 50);
    assert!(
        by_id(&v, "trustZones", "zone:customer_data")["attributes"]
            .get("untrusted")
            .is_none()
    );
}

// ---- nesting -------------------------------------------------------------------------------

#[test]
fn nested_zones_of_the_example_have_their_parent() {
    let v = &*EXAMPLE_OTM;
    for zone in [
        "zone:dmz",
        "zone:cluster",
        "zone:data-tier",
        "zone:control-plane",
    ] {
        assert_eq!(
            by_id(v, "trustZones", zone)["parent"],
            serde_json::json!({"trustZone": "zone:shop"}),
            "{zone}"
        );
    }
    for zone in ["zone:shop", "zone:customer", "zone:stripe", "zone:github"] {
        assert!(
            by_id(v, "trustZones", zone).get("parent").is_none(),
            "{zone}"
        );
    }
    // A parent comes before its nested zones.
    let order: Vec<&str> = list(v, "trustZones")
        .iter()
        .map(|z| z["id"].as_str().unwrap())
        .collect();
    let at = |id: &str| order.iter().position(|z| *z == id).unwrap();
    assert!(at("zone:shop") < at("zone:dmz"));
}

/// Every component's box lies in its zone's, every nested zone's in its parent's, and
/// sibling zones do not overlap: the nesting shows in the diagram.
#[test]
fn the_diagram_draws_nested_zones_inside_their_parent() {
    let v = &*EXAMPLE_OTM;
    let rect = |x: &Value| {
        let r = &x["representations"][0];
        let n = |p: &Value| p.as_u64().unwrap();
        (
            n(&r["position"]["x"]),
            n(&r["position"]["y"]),
            n(&r["position"]["x"]) + n(&r["size"]["width"]),
            n(&r["position"]["y"]) + n(&r["size"]["height"]),
        )
    };
    let inside = |a: (u64, u64, u64, u64), b: (u64, u64, u64, u64)| {
        a.0 >= b.0 && a.1 >= b.1 && a.2 <= b.2 && a.3 <= b.3
    };
    let zones = list(v, "trustZones");
    for z in zones {
        if let Some(p) = z["parent"]["trustZone"].as_str() {
            assert!(
                inside(rect(z), rect(by_id(v, "trustZones", p))),
                "{}",
                z["id"]
            );
        }
    }
    for (i, a) in zones.iter().enumerate() {
        for b in &zones[i + 1..] {
            if a["parent"] == b["parent"] {
                let (ra, rb) = (rect(a), rect(b));
                assert!(
                    ra.2 <= rb.0 || rb.2 <= ra.0 || ra.3 <= rb.1 || rb.3 <= ra.1,
                    "{} overlaps {}",
                    a["id"],
                    b["id"]
                );
            }
        }
    }
    let zone_of: BTreeMap<&str, &str> = EXAMPLE_MODEL
        .components
        .iter()
        .map(|c| (c.id.as_str(), c.zone.as_str()))
        .collect();
    for c in list(v, "components") {
        let zone = format!("zone:{}", zone_of[c["id"].as_str().unwrap()]);
        assert!(
            inside(rect(c), rect(by_id(v, "trustZones", &zone))),
            "{}",
            c["id"]
        );
    }
}

// ---- boundaries ----------------------------------------------------------------------------

#[test]
fn every_boundary_of_the_example_is_represented() {
    let m = &*EXAMPLE_MODEL;
    let v = &*EXAMPLE_OTM;
    assert_eq!(m.boundaries.len(), 7);
    for b in &m.boundaries {
        let key = format!("boundary:{}", b.id);
        assert!(v["project"]["attributes"][&key].is_string(), "{key}");
        let on_zones: Vec<&str> = list(v, "trustZones")
            .iter()
            .filter(|z| z["attributes"][&key].is_string())
            .map(|z| z["id"].as_str().unwrap())
            .collect();
        match b.kind {
            // An `around` boundary is its zone.
            BoundaryKind::Around => {
                let zone = by_id(v, "trustZones", &format!("zone:{}", b.id));
                assert_eq!(zone["attributes"]["boundaryId"], b.id.as_str());
                assert_eq!(zone["attributes"]["boundaryKind"], "around");
                assert!(on_zones.contains(&zone["id"].as_str().unwrap()));
            }
            // A `between` boundary is on the zones of its two sides.
            BoundaryKind::Between => assert_eq!(on_zones.len(), 2, "{key}: {on_zones:?}"),
        }
    }
    // Every crossing is visible on its dataflow: the boundaries it crosses, by id and name.
    let graph = ModelGraph::new(m);
    let mut crossing_flows = 0;
    for f in &m.flows {
        let crossing = graph.crossing(f);
        let d = by_id(v, "dataflows", &format!("flow:{}", f.id));
        let tags: Vec<&str> = d["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(
            tags.contains(&"crosses-boundary"),
            crossing.count() > 0,
            "{}",
            f.id
        );
        if crossing.count() == 0 {
            continue;
        }
        crossing_flows += 1;
        let ids: Vec<&str> = crossing
            .declared
            .iter()
            .map(|&i| m.boundaries[i].id.as_str())
            .collect();
        if !ids.is_empty() {
            assert_eq!(d["attributes"]["boundaryIds"], ids.join(", "), "{}", f.id);
        }
        assert_eq!(
            d["attributes"]["boundaryCount"],
            crossing.count().to_string()
        );
        assert!(d["attributes"]["boundariesCrossed"].is_string());
    }
    assert!(crossing_flows >= 10, "{crossing_flows}");
    let payments = by_id(v, "dataflows", "flow:payments-stripe");
    assert!(
        payments["attributes"]["boundariesCrossed"]
            .as_str()
            .unwrap()
            .contains("Boundary between Shop:Payments and Stripe (critical)"),
        "{payments}"
    );
}

// ---- flow controls as mitigations, names not ids -----------------------------------------

#[test]
fn the_flow_protected_by_tls_names_tls_everywhere_and_links_its_mitigation() {
    let v = &*EXAMPLE_OTM;
    let tls = by_id(v, "mitigations", "control:tls");
    assert_eq!(tls["name"], "TLS Everywhere");
    let flow = by_id(v, "dataflows", "flow:orders-db");
    assert_eq!(
        flow["name"],
        "Shop:Orders:Service → Shop:Storage:Postgres (TLS Everywhere)"
    );
    assert_eq!(flow["attributes"]["protectedBy"], "TLS Everywhere");
    assert_eq!(
        flow["threats"],
        serde_json::json!([{
            "threat": "threat:transport-cleartext",
            "state": "mitigated",
            "mitigations": [{"mitigation": "control:tls", "state": "implemented"}]
        }])
    );
    let transport = by_id(v, "threats", "threat:transport-cleartext");
    assert_eq!(transport["name"], "Traffic read or changed in transit");
    // `HTTPS and #tls`: the declared control and the inferred transport, both linked.
    let browser = by_id(v, "dataflows", "flow:browser-ingress");
    assert_eq!(
        browser["name"],
        "Customer:Browser → Shop:Edge:Ingress (HTTPS and TLS Everywhere)"
    );
    let linked: Vec<&str> = browser["threats"][0]["mitigations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["mitigation"].as_str().unwrap())
        .collect();
    assert_eq!(linked, ["control:tls", "control:transport-tls"]);
    assert_eq!(
        by_id(v, "mitigations", "control:transport-tls")["attributes"]["inferred"],
        "yes"
    );
    // An unprotected crossing is an exposed transport threat; an accepted one accepted.
    assert_eq!(
        by_id(v, "dataflows", "flow:ci-deploy")["threats"][0]["state"],
        "exposed"
    );
    let catalogue = by_id(v, "dataflows", "flow:gateway-catalogue");
    assert!(
        catalogue["threats"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["threat"] == "threat:transport-cleartext" && t["state"] == "accepted")
    );
    // Every flow with a control links each of them.
    for f in &EXAMPLE_MODEL.flows {
        let d = by_id(v, "dataflows", &format!("flow:{}", f.id));
        let linked: BTreeSet<&str> = d["threats"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|t| t["mitigations"].as_array().unwrap())
            .map(|m| m["mitigation"].as_str().unwrap())
            .collect();
        for c in &f.controls {
            assert!(linked.contains(format!("control:{c}").as_str()), "{}", f.id);
        }
    }
}

#[test]
fn no_name_is_a_raw_reference() {
    let v = &*EXAMPLE_OTM;
    for key in [
        "trustZones",
        "components",
        "dataflows",
        "threats",
        "mitigations",
        "assets",
    ] {
        for x in list(v, key) {
            let name = x["name"].as_str().unwrap();
            assert!(!name.contains('#'), "{key}: {name}");
        }
    }
    // Three services are called `Service`: their names carry the parent.
    assert_eq!(by_id(v, "components", "orders")["name"], "Orders:Service");
    assert_eq!(
        by_id(v, "components", "payments")["name"],
        "Payments:Service"
    );
}

// ---- assets --------------------------------------------------------------------------------

#[test]
fn pii_and_secrets_are_assets_linked_from_components_and_flows() {
    let v = &*EXAMPLE_OTM;
    let ids: BTreeSet<&str> = list(v, "assets")
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "asset:financial",
            "asset:pii",
            "asset:public",
            "asset:secrets"
        ])
    );
    let secrets = by_id(v, "assets", "asset:secrets");
    assert_eq!(secrets["name"], "Secrets");
    assert_eq!(secrets["risk"]["confidentiality"], 100);
    let pii = by_id(v, "assets", "asset:pii");
    assert_eq!(pii["name"], "Personal data (PII)");
    assert!(pii["risk"]["confidentiality"].as_u64() > pii["risk"]["availability"].as_u64());
    // Components: processed, or stored for the storage layer.
    assert_eq!(
        by_id(v, "components", "auth-server")["assets"],
        serde_json::json!({"processed": ["asset:pii", "asset:secrets"]})
    );
    assert_eq!(
        by_id(v, "components", "postgres")["assets"],
        serde_json::json!({"stored": ["asset:financial", "asset:pii"]})
    );
    assert_eq!(
        by_id(v, "components", "ci")["assets"],
        serde_json::json!({"processed": ["asset:secrets"]})
    );
    // Flows: what either end handles.
    assert_eq!(
        by_id(v, "dataflows", "flow:gateway-auth")["assets"],
        serde_json::json!(["asset:pii", "asset:secrets"])
    );
    // Every link names an asset that exists.
    for c in list(v, "components") {
        for kind in ["processed", "stored"] {
            for a in c["assets"][kind].as_array().into_iter().flatten() {
                assert!(ids.contains(a.as_str().unwrap()), "{c}");
            }
        }
    }
    for d in list(v, "dataflows") {
        for a in d["assets"].as_array().into_iter().flatten() {
            assert!(ids.contains(a.as_str().unwrap()), "{d}");
        }
    }
}

// ---- likelihood and impact -----------------------------------------------------------------

#[test]
fn no_threat_has_a_null_likelihood() {
    let v = &*EXAMPLE_OTM;
    assert_eq!(list(v, "threats").len(), EXAMPLE_MODEL.threats.len() + 1);
    for t in list(v, "threats") {
        assert!(t["risk"]["likelihood"].is_u64(), "{t}");
        assert!(t["risk"]["likelihoodComment"].is_string(), "{t}");
    }
    let threat = |id: &str| by_id(v, "threats", id);
    // Stated in the annotations.
    assert_eq!(threat("threat:api-unauth")["risk"]["likelihood"], 50);
    assert_eq!(threat("threat:token-forgery")["risk"]["likelihood"], 25);
    assert_eq!(
        threat("threat:token-forgery")["attributes"]["likelihoodSource"],
        "annotation"
    );
    // Not stated anywhere: the documented default, said so.
    let sqli = threat("threat:sqli");
    assert_eq!(sqli["risk"]["likelihood"], 50);
    assert_eq!(sqli["attributes"]["likelihoodSource"], "default");
    // No severity on the threat: the most severe exposure's.
    let escape = threat("threat:container_escape");
    assert_eq!(escape["risk"]["impact"], 50);
    assert_eq!(escape["attributes"]["impactSource"], "exposure");
    assert_eq!(threat("threat:card-data-leak")["risk"]["impact"], 100);
}

#[test]
fn likelihood_comes_from_the_catalogue_when_the_annotations_are_silent() {
    let m = common::model(&[(
        "a.py",
        "# @exposes Shop:API to #web-broken-auth\n\
         # @threat Local SQLi (#web-sqli) [high]\n\
         # @exposes Shop:API to #web-sqli\n\
         # @threat Vague (#vague) [likelihood:sometimes]\n\
         # @exposes Shop:API to #vague\n",
    )]);
    let v = otm_of(&m);
    let threat = |id: &str| by_id(&v, "threats", id).clone();
    // A catalogue threat: its entry's `high`.
    let broken = threat("threat:web-broken-auth");
    assert_eq!(broken["risk"]["likelihood"], 75);
    assert_eq!(broken["attributes"]["likelihoodSource"], "catalogue");
    // Declared locally with a catalogue id: the entry's likelihood (medium).
    let sqli = threat("threat:web-sqli");
    assert_eq!(sqli["risk"]["likelihood"], 50);
    assert_eq!(sqli["attributes"]["likelihoodSource"], "catalogue");
    // A word threatline cannot read: the default, and the comment says why.
    let vague = threat("threat:vague");
    assert_eq!(vague["risk"]["likelihood"], 50);
    assert!(
        vague["risk"]["likelihoodComment"]
            .as_str()
            .unwrap()
            .contains("`sometimes`")
    );
}

// ---- risk reduction ------------------------------------------------------------------------

#[test]
fn risk_reductions_are_not_all_100_and_say_why() {
    let v = &*EXAMPLE_OTM;
    let values: BTreeMap<&str, u64> = list(v, "mitigations")
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap(),
                m["riskReduction"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(values.values().all(|&r| r < 100), "{values:?}");
    let distinct: BTreeSet<u64> = values.values().copied().collect();
    assert_eq!(distinct, BTreeSet::from([60, 70, 90]));
    // Tested (`@tests`), untested, inferred from `HTTPS`.
    assert_eq!(values["control:jwt-verify"], 90);
    assert_eq!(values["control:tls"], 70);
    assert_eq!(values["control:transport-tls"], 60);
    for m in list(v, "mitigations") {
        assert!(m["attributes"]["riskReductionComment"].is_string(), "{m}");
    }
}

#[test]
fn risk_reduction_qualifiers_are_read() {
    let m = common::model(&[(
        "model.threatline",
        "@control Stated (#stated) [risk_reduction:80]\n\
         @control On Mitigations (#onmit)\n\
         @control Partial (#part)\n\
         @control Partial Flow (#pflow)\n\
         @mitigates App:A against T1 with #stated [risk_reduction:10]\n\
         @mitigates App:A against T1 with #onmit [risk_reduction:60]\n\
         @mitigates App:B against T1 with #onmit [risk_reduction:40]\n\
         @mitigates App:A against T2 with #part [partial]\n\
         @connects App:A to Ext:B with #pflow [partial]\n",
    )]);
    let v = otm_of(&m);
    let reduction = |id: &str| by_id(&v, "mitigations", id)["riskReduction"].clone();
    assert_eq!(reduction("control:stated"), 80);
    assert_eq!(reduction("control:onmit"), 40);
    assert_eq!(reduction("control:part"), 35);
    assert_eq!(reduction("control:pflow"), 35);
}

// ---- the injection fixture ---------------------------------------------------------------

#[test]
fn the_injection_fixture_stays_valid_json_with_its_text_intact() {
    let m = common::scan(Path::new(INJECTION));
    // A hostile project name too (it is the scanned directory's name).
    let v = valid(&otm::to_otm(&m, "<script>x</script> \"},"));
    assert_eq!(v["project"]["name"], "<script>x</script> \"},");
    let names = |key: &str| -> BTreeSet<String> {
        list(&v, key)
            .iter()
            .map(|x| x["name"].as_str().unwrap().to_string())
            .collect()
    };
    let threats = names("threats");
    for t in &m.threats {
        assert!(threats.contains(&t.name), "{}", t.name);
    }
    let mitigations = names("mitigations");
    for c in &m.controls {
        assert!(mitigations.contains(&c.name), "{}", c.name);
    }
    let zones = names("trustZones");
    assert!(zones.contains("<script>zone</script>"), "{zones:?}");
    assert!(zones.contains("Sink\"] --> end; x"), "{zones:?}");
    for b in &m.boundaries {
        assert!(
            v["project"]["attributes"][format!("boundary:{}", b.id)].is_string(),
            "{}",
            b.id
        );
    }
    // Flow names keep their mechanisms as written (no id in them names anything).
    for f in &m.flows {
        let d = by_id(&v, "dataflows", &format!("flow:{}", f.id));
        let mechanism = f.mechanism.as_deref().unwrap();
        assert!(
            d["name"].as_str().unwrap().contains(mechanism.trim()),
            "{} / {mechanism}",
            d["name"]
        );
    }
    // Descriptions come through unchanged.
    let xss = by_id(&v, "components", "xss");
    assert_eq!(
        xss["description"],
        "<img src=x onerror=alert(1)> and [x](http://evil)"
    );
    assert_eq!(xss["name"], "Evil:<script>alert(1)</script>");
    let t = by_id(&v, "threats", "threat:t-xss");
    assert_eq!(t["description"], "| pipes | break | tables |");
    let newline = by_id(&v, "threats", "threat:t-newline");
    assert_eq!(
        newline["description"],
        "first line <script>alert(6)</script>\n## not a heading\n| a | b |\n\"]; click A call evil()"
    );
}

#[test]
fn output_is_deterministic() {
    let again = common::scan(Path::new(EXAMPLE));
    assert_eq!(
        otm::to_otm(&again, "example"),
        otm::to_otm(&EXAMPLE_MODEL, "example")
    );
}
