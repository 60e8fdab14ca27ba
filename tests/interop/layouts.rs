//! The Threatspec layouts (`ThreatModel.json`, `threatmodel/`) and Open Threat Model.

use super::*;

/// For each relation list of a `ThreatModel.json`, the keys of its first entry in the order
/// written (`serde_json::Value` sorts them, so they are read with a visitor).
fn first_entry_keys(text: &str) -> BTreeMap<String, Vec<String>> {
    use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    struct Keys(Vec<String>);
    impl<'de> Deserialize<'de> for Keys {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Keys;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                    let mut keys = Vec::new();
                    while let Some(k) = map.next_key::<String>()? {
                        map.next_value::<IgnoredAny>()?;
                        keys.push(k);
                    }
                    Ok(Keys(keys))
                }
            }
            d.deserialize_map(V)
        }
    }
    struct First(Vec<String>);
    impl<'de> Deserialize<'de> for First {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = First;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a list")
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<First, A::Error> {
                    let first = seq.next_element::<Keys>()?.map(|k| k.0).unwrap_or_default();
                    while seq.next_element::<IgnoredAny>()?.is_some() {}
                    Ok(First(first))
                }
            }
            d.deserialize_seq(V)
        }
    }
    struct Lists(BTreeMap<String, Vec<String>>);
    impl<'de> Deserialize<'de> for Lists {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Lists;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("the threatmodel object")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Lists, A::Error> {
                    let mut lists = BTreeMap::new();
                    while let Some(k) = map.next_key::<String>()? {
                        if k == "run_id" {
                            map.next_value::<IgnoredAny>()?;
                        } else {
                            lists.insert(k, map.next_value::<First>()?.0);
                        }
                    }
                    Ok(Lists(lists))
                }
            }
            d.deserialize_map(V)
        }
    }
    #[derive(serde::Deserialize)]
    struct Report {
        threatmodel: Lists,
    }
    let report: Report = serde_json::from_str(text).unwrap();
    report.threatmodel.0
}

#[test]
fn threatspec_json_has_threatspecs_keys_in_threatspecs_order() {
    let text = threatspec::to_threatspec(&EXAMPLE_MODEL, "example");
    let v: Value = serde_json::from_str(&text).unwrap();
    let positions = |keys: &[&str], within: &str| -> Vec<usize> {
        keys.iter()
            .map(|k| within.find(&format!("\"{k}\":")).unwrap())
            .collect()
    };
    let top = positions(
        &[
            "project",
            "threatmodel",
            "threats",
            "controls",
            "components",
        ],
        &text,
    );
    assert!(top.is_sorted(), "top-level order");
    let tm = &v["threatmodel"];
    let ordered = first_entry_keys(&text);
    let kinds: &[(&str, &[&str])] = &[
        (
            "mitigations",
            &[
                "control",
                "threat",
                "component",
                "description",
                "custom",
                "source",
                "tests",
            ],
        ),
        (
            "exposures",
            &[
                "threat",
                "component",
                "details",
                "description",
                "custom",
                "source",
                "tests",
            ],
        ),
        (
            "transfers",
            &[
                "threat",
                "source_component",
                "destination_component",
                "details",
                "description",
                "custom",
                "source",
                "tests",
            ],
        ),
        (
            "acceptances",
            &[
                "threat",
                "component",
                "details",
                "description",
                "custom",
                "source",
                "tests",
            ],
        ),
        (
            "connections",
            &[
                "source_component",
                "destination_component",
                "direction",
                "details",
                "description",
                "custom",
                "source",
                "tests",
            ],
        ),
        (
            "reviews",
            &[
                "component",
                "details",
                "description",
                "custom",
                "source",
                "tests",
            ],
        ),
        (
            "tests",
            &["component", "control", "description", "custom", "source"],
        ),
    ];
    for (kind, keys) in kinds {
        let first = &tm[kind][0];
        let mut got: Vec<&str> = first
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut want = keys.to_vec();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "{kind} keys");
        assert_eq!(ordered[*kind], *keys, "{kind} keys in Threatspec's order");
    }
    let m = &tm["mitigations"][0];
    assert_eq!(
        m["control"]["id"], "#kubernetes_rbac",
        "relations are expanded"
    );
    assert_eq!(
        m["component"]["paths"],
        serde_json::json!([["Shop", "Platform"]])
    );
    assert_eq!(m["source"]["filename"], ".github/workflows/ci.yml");
    assert_eq!(
        m["source"]["line"], 65,
        "the real line, not Threatspec 0.5's line within the comment"
    );
    let c = tm["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["custom"]["id"] == "stripe-webhook")
        .unwrap();
    assert_eq!(c["direction"], "to");
    assert!(
        tm["connections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["direction"] == "with")
    );
    let gateway = tm["mitigations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["control"]["id"] == "#jwt_verify")
        .unwrap();
    assert_eq!(
        gateway["tests"][0]["control"]["id"], "#jwt_verify",
        "a mitigation carries the tests of its control on its component"
    );
    for key in ["threats", "controls", "components"] {
        for (id, entry) in v[key].as_object().unwrap() {
            assert!(
                id.starts_with('#')
                    && id[1..]
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{id}: Threatspec's id shape"
            );
            assert_eq!(&entry["id"], id);
            assert_eq!(entry["run_id"], tm["run_id"]);
        }
    }
    assert_eq!(
        v["threats"]["#api_unauth"]["custom"]["severity"], "high",
        "typed fields Threatspec lacks go to custom"
    );
    assert_eq!(
        text,
        threatspec::to_threatspec(&EXAMPLE_MODEL, "example"),
        "deterministic"
    );
}

#[test]
fn the_threatmodel_directory_holds_bare_ids_and_keyed_libraries() {
    let files = threatspec::to_threatspec_directory(&EXAMPLE_MODEL);
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "threatmodel.json",
            "threats.json",
            "controls.json",
            "components.json"
        ]
    );
    let tm: Value = serde_json::from_str(&files[0].1).unwrap();
    assert_eq!(tm["mitigations"][0]["threat"], "#api_unauth");
    assert!(
        tm["mitigations"][0].get("tests").is_none(),
        "only the report adds tests"
    );
    let threats: Value = serde_json::from_str(&files[1].1).unwrap();
    assert_eq!(threats["threats"]["#sqli"]["name"], "SQL Injection");
    assert_loads_in_threatspec(&files);
}

/// What Threatspec 0.5 checks when it loads a `threatmodel/` directory: its own schemas
/// (`tests/schemas/threatspec/`); and that the example has every kind of relation, so each
/// schema's part for it is exercised.
fn assert_loads_in_threatspec(files: &[(&str, String)]) {
    super::threatspec_schemas::assert_valid_for_threatspec(files);
    let tm: Value = serde_json::from_str(&files[0].1).unwrap();
    for kind in [
        "mitigations",
        "acceptances",
        "exposures",
        "transfers",
        "connections",
        "reviews",
        "tests",
    ] {
        assert!(
            tm[kind].as_array().is_some_and(|l| !l.is_empty()),
            "the example has {kind}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Open Threat Model

fn otm_errors(text: &str) -> Vec<String> {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(OTM_SCHEMA).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the OTM schema compiles");
    let instance: Value = serde_json::from_str(text).expect("OTM is JSON");
    validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// What the schema cannot say: every reference points at something declared, and ids are
/// unique across zones, components and flows (Threat Dragon puts them in one diagram).
fn assert_otm_joins_up(text: &str) {
    let v: Value = serde_json::from_str(text).unwrap();
    let ids = |key: &str| -> BTreeSet<String> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (zones, components, flows, threats, mitigations) = (
        ids("trustZones"),
        ids("components"),
        ids("dataflows"),
        ids("threats"),
        ids("mitigations"),
    );
    assert_eq!(
        zones.len() + components.len() + flows.len(),
        zones.union(&components).count() + flows.len(),
        "ids are unique across kinds"
    );
    assert!(zones.is_disjoint(&flows) && components.is_disjoint(&flows));
    let check_instances = |list: &Value| {
        for t in list.as_array().unwrap() {
            assert!(threats.contains(t["threat"].as_str().unwrap()), "{t}");
            for m in t["mitigations"].as_array().unwrap() {
                assert!(
                    mitigations.contains(m["mitigation"].as_str().unwrap()),
                    "{m}"
                );
            }
        }
    };
    for c in v["components"].as_array().unwrap() {
        match (c["parent"].get("trustZone"), c["parent"].get("component")) {
            (Some(z), None) => assert!(zones.contains(z.as_str().unwrap())),
            (None, Some(p)) => assert!(components.contains(p.as_str().unwrap())),
            other => panic!("one parent: {other:?}"),
        }
        assert_eq!(
            c["representations"][0]["representation"],
            v["representations"][0]["id"]
        );
        check_instances(&c["threats"]);
    }
    for f in v["dataflows"].as_array().unwrap() {
        assert!(
            components.contains(f["source"].as_str().unwrap())
                && components.contains(f["destination"].as_str().unwrap()),
            "{f}"
        );
        check_instances(&f["threats"]);
    }
}

#[test]
fn otm_of_the_example_is_valid_and_joins_up() {
    let text = otm::to_otm(&EXAMPLE_MODEL, "example");
    assert_eq!(otm_errors(&text), Vec::<String>::new());
    assert_otm_joins_up(&text);
    let v: Value = serde_json::from_str(&text).unwrap();
    let component = |id: &str| {
        v["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    // Inside the parent component when both share a zone, else inside the zone.
    assert_eq!(
        component("api-gateway")["parent"],
        serde_json::json!({"component": "shop.edge"})
    );
    assert_eq!(
        component("shop.edge")["parent"],
        serde_json::json!({"trustZone": "zone:dmz"})
    );
    assert_eq!(
        component("customer.browser")["parent"],
        serde_json::json!({"component": "customer"})
    );
    let threat = v["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "threat:api-unauth")
        .unwrap();
    assert_eq!(
        threat["categories"],
        serde_json::json!(["Spoofing", "Elevation of privilege"])
    );
    assert_eq!(threat["risk"]["impact"], 75);
    assert_eq!(threat["risk"]["likelihood"], 50);
    let deploy = v["dataflows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "flow:ci-deploy")
        .unwrap();
    assert_eq!(
        deploy["tags"],
        serde_json::json!(["crosses-boundary", "unprotected-crossing"])
    );
    assert_eq!(deploy["attributes"]["unprotectedCrossing"], "critical");
    let ci = component("ci");
    let states: BTreeSet<&str> = ci["threats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["state"].as_str().unwrap())
        .collect();
    assert!(states.contains("accepted"), "{states:?}");
}

#[test]
fn otm_of_a_small_tree_is_valid_and_says_what_the_annotations_say() {
    let m = common::model(&[(
        "model.threatline",
        "@boundary Internal (#internal) around App\n\
         @component App:Web (#web) [compute]\n\
         @component App:DB (#db) [storage]\n\
         @threat SQL Injection (#sqli) [high, tampering] cwe:CWE-89\n\
         @threat Snooping (#snoop) [low, stride:I]:\n  likelihood: rare\n\n\
         @control Param Queries (#pq) [risk_reduction:80]\n\
         @exposes #web to #sqli\n\
         @mitigates App:DB against #sqli with #pq\n\
         @connects User:Browser to #web with HTTPS (#in)\n\
         @exposes #in to #snoop\n\
         @accepts #snoop on #in with the LAN is trusted\n\
         @handles pii on #db\n",
    )]);
    assert_eq!(common::diagnostics(&m), Vec::<String>::new());
    let text = otm::to_otm(&m, "Small one");
    assert_eq!(otm_errors(&text), Vec::<String>::new());
    assert_otm_joins_up(&text);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["project"]["id"], "small-one");
    let zones: Vec<&str> = v["trustZones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["name"].as_str().unwrap())
        .collect();
    assert_eq!(zones, ["Internal", "User"]);
    let db = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "db")
        .unwrap();
    assert_eq!(db["type"], "storage-database");
    assert_eq!(
        db["parent"],
        serde_json::json!({"component": "app"}),
        "inside its parent, in the same zone"
    );
    assert_eq!(db["tags"], serde_json::json!(["storage", "pii"]));
    assert_eq!(
        db["threats"],
        serde_json::json!([{"threat": "threat:sqli", "state": "mitigated", "mitigations": [{"mitigation": "control:pq", "state": "implemented"}]}])
    );
    let web = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "web")
        .unwrap();
    assert_eq!(web["threats"][0]["state"], "exposed");
    let flow = &v["dataflows"][0];
    assert_eq!(
        (
            flow["id"].as_str(),
            flow["source"].as_str(),
            flow["destination"].as_str()
        ),
        (Some("flow:in"), Some("user.browser"), Some("web"))
    );
    assert_eq!(flow["threats"][0]["state"], "accepted");
    let threat = |id: &str| {
        v["threats"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap()
            .clone()
    };
    let sqli = threat("threat:sqli");
    assert_eq!(
        (sqli["cwes"].clone(), sqli["risk"]["impact"].clone()),
        (serde_json::json!(["CWE-89"]), serde_json::json!(75))
    );
    let snoop = threat("threat:snoop");
    assert_eq!(
        snoop["categories"],
        serde_json::json!(["Information disclosure"])
    );
    assert_eq!(
        (
            snoop["risk"]["likelihood"].clone(),
            snoop["risk"]["impact"].clone()
        ),
        (serde_json::json!(10), serde_json::json!(25))
    );
    assert_eq!(v["mitigations"][0]["riskReduction"], 80);
}
