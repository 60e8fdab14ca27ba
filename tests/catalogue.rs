//! The built-in catalogue's data: complete, valid, linked, covering what it promises, and
//! usable in annotations; and the `catalogue` command.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::process::Command;

use threatline::annotation::{Layer, Stride};
use threatline::catalogue::{Catalogue, Entry, Kind, expected_stride, stride_word};

const LAYERS: [Layer; 4] = [
    Layer::Control,
    Layer::Compute,
    Layer::Communication,
    Layer::Storage,
];

/// The catalogue files as plain YAML, read without the loader, so the loader's own
/// checks are not what is being trusted here.
fn raw_entries() -> Vec<(String, &'static str, serde_json::Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("catalogue");
    let mut out = Vec::new();
    for file in ["kubernetes.yaml", "generic.yaml"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let value: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
        for (list, kind) in [("threats", "threat"), ("controls", "control")] {
            for e in value[list].as_array().unwrap() {
                out.push((file.to_string(), kind, e.clone()));
            }
        }
    }
    out
}

#[test]
fn every_file_in_catalogue_is_compiled_in() {
    // A new data file that is not listed in BUILTIN_SOURCES would silently not ship.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("catalogue");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "coverage.yaml",
            "domains.yaml",
            "generic.yaml",
            "kubernetes.yaml",
            "transports.yaml",
            "trust.yaml"
        ]
    );
    let origins: BTreeSet<&str> = Catalogue::builtin()
        .entries()
        .iter()
        .map(|e| e.origin.split(':').next().unwrap())
        .collect();
    assert_eq!(
        origins,
        BTreeSet::from(["catalogue/generic.yaml", "catalogue/kubernetes.yaml"])
    );
    assert_eq!(raw_entries().len(), Catalogue::builtin().entries().len());
}

#[test]
fn every_entry_has_every_required_field_with_a_valid_value() {
    let required = [
        "id",
        "name",
        "layer",
        "component",
        "stride",
        "likelihood",
        "priority",
        "description",
        "countermeasures",
        "example",
    ];
    let strides = [
        "spoofing",
        "tampering",
        "repudiation",
        "information-disclosure",
        "denial-of-service",
        "elevation-of-privilege",
    ];
    for (file, kind, e) in raw_entries() {
        let id = e["id"].as_str().unwrap_or("?");
        for field in required {
            let v = &e[field];
            let present = match v {
                serde_json::Value::String(s) => !s.trim().is_empty(),
                serde_json::Value::Array(a) => {
                    !a.is_empty()
                        && a.iter()
                            .all(|x| x.as_str().is_some_and(|s| !s.trim().is_empty()))
                }
                _ => false,
            };
            assert!(present, "{file}: {kind} {id}: `{field}` missing or empty");
        }
        let one_of = |field: &str, allowed: &[&str]| {
            let v = e[field].as_str().unwrap();
            assert!(allowed.contains(&v), "{file}: {id}: `{field}: {v}`");
        };
        one_of("layer", &["control", "compute", "communication", "storage"]);
        one_of("likelihood", &["low", "medium", "high"]);
        one_of("priority", &["critical", "high", "medium", "low"]);
        for s in e["stride"].as_array().unwrap() {
            assert!(
                strides.contains(&s.as_str().unwrap()),
                "{file}: {id}: stride {s}"
            );
        }
        if kind == "threat" {
            let controls = e["controls"].as_array().map(Vec::len).unwrap_or(0);
            assert!(
                controls >= 1,
                "{file}: {id}: a built-in threat links at least one control"
            );
        } else {
            assert!(
                e.get("controls").is_none(),
                "{file}: {id}: controls do not link controls"
            );
        }
        // Descriptions and examples are for people: sentences, not placeholders.
        for field in ["description", "example"] {
            let text = e[field].as_str().unwrap();
            assert!(
                text.len() >= 60,
                "{file}: {id}: `{field}` is too thin to be useful"
            );
        }
    }
}

#[test]
fn ids_are_unique_kebab_case_and_prefixed_by_a_known_domain() {
    let domains = [
        "k8s",
        "web",
        "db",
        "objstore",
        "mq",
        "idp",
        "ci",
        "transport",
    ];
    let mut seen = HashSet::new();
    for (file, _, e) in raw_entries() {
        let id = e["id"].as_str().unwrap();
        let kebab = id.split('-').count() >= 2
            && id.split('-').all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
        assert!(kebab, "{file}: `{id}` is not kebab-case");
        let domain = id.split('-').next().unwrap();
        assert!(
            domains.contains(&domain),
            "{file}: `{id}` has no known domain prefix"
        );
        assert!(
            seen.insert(id.to_string()),
            "{file}: `{id}` is defined twice"
        );
        if file == "kubernetes.yaml" {
            assert_eq!(domain, "k8s", "{id}");
        } else {
            assert_ne!(domain, "k8s", "{id}");
        }
    }
}

#[test]
fn threats_link_controls_and_every_control_answers_a_threat() {
    let c = Catalogue::builtin();
    for t in c.threats() {
        for id in &t.controls {
            let target = c
                .get(id)
                .unwrap_or_else(|| panic!("{}: `{id}` is not in the catalogue", t.id));
            assert_eq!(
                target.kind,
                Kind::Control,
                "{}: `{id}` is not a control",
                t.id
            );
        }
        assert_eq!(c.controls_for(t).len(), t.controls.len());
    }
    for ctl in c.controls() {
        assert!(
            !c.threats_mitigated_by(ctl).is_empty(),
            "control {} answers no threat",
            ctl.id
        );
    }
}

#[test]
fn every_threat_has_a_control_that_counters_one_of_its_categories() {
    // Detective and defence-in-depth links are welcome (audit logging behind an access
    // threat), but each threat needs at least one control aimed at what it is; a threat
    // whose controls share no STRIDE category with it is mislinked or miscategorised.
    let c = Catalogue::builtin();
    for t in c.threats() {
        let controls = c.controls_for(t);
        assert!(
            controls
                .iter()
                .any(|ctl| ctl.stride.iter().any(|s| t.stride.contains(s))),
            "{} ({}): none of {:?} counters its categories",
            t.id,
            t.stride_letters(),
            controls
                .iter()
                .map(|c| (&c.id, c.stride_letters()))
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn the_kubernetes_decomposition_is_complete() {
    let expected: [(&str, Layer); 16] = [
        ("API server", Layer::Control),
        ("etcd", Layer::Control),
        ("controller manager", Layer::Control),
        ("scheduler", Layer::Control),
        ("nodes", Layer::Compute),
        ("kubelet", Layer::Compute),
        ("pods", Layer::Compute),
        ("containers", Layer::Compute),
        ("services", Layer::Communication),
        ("ingress", Layer::Communication),
        ("network policies", Layer::Communication),
        ("CNI", Layer::Communication),
        ("persistent volumes", Layer::Storage),
        ("persistent volume claims", Layer::Storage),
        ("storage classes", Layer::Storage),
        ("stateful sets", Layer::Storage),
    ];
    let c = Catalogue::builtin();
    for (component, layer) in expected {
        let threats: Vec<&Entry> = c
            .threats()
            .filter(|e| e.domain() == "k8s" && e.component == component)
            .collect();
        assert!(
            threats.len() >= 2,
            "{component}: {} threats, want at least 2",
            threats.len()
        );
        assert!(
            threats.iter().all(|e| e.layer == layer),
            "{component} is {layer:?}"
        );
        let controls = c
            .controls()
            .filter(|e| e.domain() == "k8s" && e.component == component)
            .count();
        assert!(controls >= 1, "{component}: no control of its own");
    }
}

#[test]
fn the_generic_services_are_present_on_their_layers() {
    let expected: [(&str, &str, Layer, usize); 6] = [
        ("web", "web API", Layer::Compute, 6),
        ("db", "database", Layer::Storage, 4),
        ("objstore", "object store", Layer::Storage, 3),
        ("mq", "message queue", Layer::Communication, 4),
        ("idp", "identity provider", Layer::Control, 4),
        ("ci", "CI system", Layer::Control, 4),
    ];
    let c = Catalogue::builtin();
    for (domain, component, layer, at_least) in expected {
        let threats: Vec<&Entry> = c.threats().filter(|e| e.domain() == domain).collect();
        assert!(
            threats.len() >= at_least,
            "{domain}: {} threats",
            threats.len()
        );
        assert!(
            threats
                .iter()
                .all(|e| e.layer == layer && e.component == component),
            "{domain}: every threat is on {component}, {layer:?}"
        );
    }
    for id in [
        "web-sqli",
        "web-broken-auth",
        "web-idor",
        "web-ssrf",
        "web-mass-assignment",
        "web-no-rate-limit",
        "db-sqli-at-store",
        "db-unencrypted-at-rest",
        "db-excessive-privileges",
        "db-backup-exposure",
        "objstore-public-bucket",
        "objstore-ransomware",
        "objstore-presigned-url-leakage",
        "mq-message-tampering",
        "mq-message-replay",
        "mq-poison-message",
        "mq-unauthenticated-producer",
        "idp-credential-stuffing",
        "idp-token-forgery",
        "idp-session-fixation",
        "idp-mfa-bypass",
        "ci-pipeline-poisoning",
        "ci-secret-exfiltration",
        "ci-dependency-confusion",
        "ci-unpinned-actions",
    ] {
        assert!(c.threat(id).is_some(), "{id}");
    }
}

#[test]
fn every_expected_category_has_a_suggestion_for_kubernetes_and_for_other_systems() {
    let c = Catalogue::builtin();
    for layer in LAYERS {
        let expected = expected_stride(layer);
        assert!(!expected.is_empty(), "{layer:?} expects something");
        for e in expected {
            let offered = c.suggestions(layer, e.stride, "");
            assert!(
                offered.iter().any(|t| t.domain() == "k8s"),
                "no Kubernetes threat for {layer:?} / {:?}",
                e.stride
            );
            assert!(
                offered.iter().any(|t| t.domain() != "k8s"),
                "no generic threat for {layer:?} / {:?}",
                e.stride
            );
        }
    }
}

#[test]
fn search_finds_etcd_entries() {
    let found = Catalogue::builtin().search("etcd");
    let ids: Vec<&str> = found.iter().map(|e| e.id.as_str()).collect();
    for id in [
        "k8s-etcd-tampering",
        "k8s-etcd-exfiltration",
        "k8s-etcd-unencrypted-secrets",
        "k8s-etcd-access-isolation",
    ] {
        assert!(ids.contains(&id), "{id} not in {ids:?}");
    }
    assert!(ids.iter().all(|id| {
        let e = Catalogue::builtin().get(id).unwrap();
        format!("{} {} {} {}", e.id, e.name, e.component, e.description)
            .to_lowercase()
            .contains("etcd")
    }));
}

/// Every entry's declaration, and an exposure or mitigation by id, read by the real
/// scanner: what coverage will suggest must parse, and carry the entry's fields.
#[test]
fn declarations_and_suggestions_parse_into_the_model() {
    let c = Catalogue::builtin();
    let mut text = String::from("@component Sys:Target\n");
    for e in c.entries() {
        text.push_str(&e.declaration());
        text.push('\n');
        if e.kind == Kind::Threat {
            text.push_str(&e.exposes("Sys:Target"));
            text.push('\n');
            let control = c.controls_for(e)[0];
            text.push_str(&e.mitigates("Sys:Target", control));
            text.push('\n');
        }
    }
    let model = common::model(&[("catalogue.threatline", &text)]);
    assert_eq!(common::diagnostics(&model), Vec::<String>::new());
    assert_eq!(model.threats.len(), c.threats().count());
    assert_eq!(model.controls.len(), c.controls().count());
    assert_eq!(model.exposures.len(), c.threats().count());
    assert_eq!(model.mitigations.len(), c.threats().count());
    for t in &model.threats {
        let e = c
            .threat(&t.id)
            .unwrap_or_else(|| panic!("model id {} is not a catalogue id", t.id));
        assert_eq!(t.name, e.name);
        assert_eq!(t.severity, Some(e.priority.severity()), "{}", e.id);
        assert_eq!(
            t.stride, e.stride,
            "{}: the model and the catalogue both keep STRIDE order",
            e.id
        );
        assert_eq!(
            t.likelihood.as_deref(),
            Some(e.likelihood.as_str()),
            "{}",
            e.id
        );
        let refs: BTreeSet<String> = t.refs.iter().map(|r| r.to_lowercase()).collect();
        let want: BTreeSet<String> = e.refs().iter().map(|r| r.to_lowercase()).collect();
        assert_eq!(refs, want, "{}", e.id);
    }
    for m in &model.mitigations {
        let ctl = m.control.as_deref().unwrap();
        assert!(c.control(ctl).is_some(), "{ctl}");
    }
}

fn threatline(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn cli_lists_every_entry_grouped_by_layer() {
    let (code, out, err) = threatline(&["catalogue"]);
    assert_eq!(code, 0, "{err}");
    let c = Catalogue::builtin();
    for e in c.entries() {
        assert!(
            out.lines()
                .any(|l| l.split_whitespace().next() == Some(e.id.as_str())),
            "{} not listed",
            e.id
        );
    }
    let headings: Vec<usize> = ["Control (", "Compute (", "Communication (", "Storage ("]
        .iter()
        .map(|h| {
            out.find(&format!("\n{h}"))
                .or_else(|| out.starts_with(h).then_some(0))
                .unwrap()
        })
        .collect();
    assert!(
        headings.windows(2).all(|w| w[0] < w[1]),
        "layers in CCCS order"
    );
    let row = out
        .lines()
        .find(|l| l.trim_start().starts_with("k8s-etcd-tampering "))
        .unwrap();
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        &cols[..5],
        ["k8s-etcd-tampering", "threat", ".T...E", "critical", "low"]
    );
    assert!(row.ends_with("Direct tampering with cluster state in etcd"));
    assert!(out.contains(&format!("{} entries", c.entries().len())));
}

#[test]
fn cli_filters_by_layer_and_search() {
    let (code, out, _) = threatline(&["catalogue", "--layer", "storage", "--search", "snapshot"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Storage ("), "{out}");
    assert!(!out.contains("Control (") && !out.contains("Compute ("));
    assert!(out.contains("k8s-volume-snapshot-leakage"));
    assert!(
        !out.contains("k8s-etcd-backup-protection"),
        "etcd is control, not storage"
    );

    let (code, out, _) = threatline(&["catalogue", "--search", "no-such-thing-at-all"]);
    assert_eq!(code, 0);
    assert_eq!(out, "No catalogue entry matches `no-such-thing-at-all`.\n");

    let (code, _, err) = threatline(&["catalogue", "--layer", "network"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("possible values") && err.contains("communication"),
        "{err}"
    );
}

#[test]
fn cli_json_and_yaml_give_the_full_entries_in_catalogue_file_layout() {
    let (code, out, _) = threatline(&["catalogue", "--search", "etcd", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let threats = v["threats"].as_array().unwrap();
    assert_eq!(threats[0]["id"], "k8s-etcd-tampering", "best match first");
    assert_eq!(threats[0]["layer"], "control");
    assert_eq!(threats[0]["stride"][0], stride_word(Stride::Tampering));
    assert!(threats[0]["example"].as_str().unwrap().contains("etcdctl"));
    assert!(
        threats[0]["controls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "k8s-etcd-access-isolation")
    );
    assert!(
        v["controls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "k8s-etcd-access-isolation")
    );

    let (code, out, _) = threatline(&["catalogue", "--layer", "communication", "--format", "yaml"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_saphyr::from_str(&out).unwrap();
    let mut layers = BTreeMap::new();
    for list in ["threats", "controls"] {
        for e in v[list].as_array().unwrap() {
            *layers
                .entry(e["layer"].as_str().unwrap().to_string())
                .or_insert(0) += 1;
        }
    }
    assert_eq!(layers.keys().collect::<Vec<_>>(), ["communication"]);
    assert_eq!(
        layers["communication"],
        Catalogue::builtin().by_layer(Layer::Communication).count()
    );
}

#[test]
fn domain_words_name_real_domains() {
    // Each key of catalogue/domains.yaml is the id prefix of some built-in entry, or it
    // would never rank a suggestion.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("catalogue/domains.yaml"),
    )
    .unwrap();
    let domains: std::collections::BTreeMap<String, Vec<String>> =
        serde_saphyr::from_str(&text).unwrap();
    for domain in domains.keys() {
        assert!(
            Catalogue::builtin()
                .entries()
                .iter()
                .any(|e| e.id.starts_with(&format!("{domain}-"))),
            "no entry in domain {domain}"
        );
    }
}
