//! Loading, merging and lookup mechanics, on small organisation catalogues. The built-in
//! data's own quality is checked in `tests/catalogue.rs`.

use super::*;

/// A complete, valid threat entry with `id`, and `extra` lines appended.
fn threat(id: &str, extra: &str) -> String {
    format!(
        "  - id: {id}\n    name: Orders ledger rewritten\n    layer: storage\n    component: orders ledger\n    stride: [tampering]\n    likelihood: low\n    priority: high\n    description: The ledger can be rewritten.\n    countermeasures: [Append-only table]\n    example: An UPDATE on the ledger.\n{extra}"
    )
}

fn control(id: &str, extra: &str) -> String {
    format!(
        "  - id: {id}\n    name: Append-only ledger\n    layer: storage\n    component: orders ledger\n    stride: [tampering]\n    likelihood: low\n    priority: high\n    description: Rows are only inserted.\n    countermeasures: [Revoke UPDATE]\n    example: REVOKE UPDATE ON ledger FROM app.\n{extra}"
    )
}

fn org(text: &str) -> Result<Catalogue, String> {
    Catalogue::with_sources(&[("acme.yaml".to_string(), text.to_string())])
}

#[test]
fn organisation_entries_are_added_after_the_builtin_ones() {
    let text = format!(
        "threats:\n{}controls:\n{}",
        threat(
            "acme-ledger-tampering",
            "    controls: [acme-append-only, db-audit-logging]\n"
        ),
        control("acme-append-only", "")
    );
    let c = org(&text).unwrap();
    let builtin = Catalogue::builtin().entries().len();
    assert_eq!(c.entries().len(), builtin + 2);
    let t = c.threat("acme-ledger-tampering").unwrap();
    assert_eq!(t.origin, "acme.yaml:2");
    // An organisation threat may link a built-in control.
    let linked: Vec<&str> = c.controls_for(t).iter().map(|e| e.id.as_str()).collect();
    assert_eq!(linked, ["acme-append-only", "db-audit-logging"]);
    assert_eq!(c.entries().last().unwrap().kind, Kind::Control);
}

#[test]
fn a_duplicate_id_names_both_places_and_how_to_override() {
    let err = org(&format!("threats:\n{}", threat("web-sqli", ""))).unwrap_err();
    assert!(
        err.starts_with("acme.yaml:2: threat `web-sqli`: duplicate id"),
        "{err}"
    );
    assert!(err.contains("catalogue/generic.yaml:"), "{err}");
    assert!(err.contains("override: true"), "{err}");

    let twice = format!(
        "threats:\n{}{}",
        threat("acme-x", ""),
        threat("ACME-X", "").replace("ACME-X", "acme-x")
    );
    let err = org(&twice).unwrap_err();
    assert!(
        err.contains("acme.yaml:12: threat `acme-x`: duplicate id, already defined at acme.yaml:2"),
        "{err}"
    );
    assert!(
        !err.contains("override"),
        "only built-in entries can be overridden: {err}"
    );
}

#[test]
fn override_replaces_a_builtin_entry_once_and_only_a_builtin_one() {
    let text = format!(
        "threats:\n{}",
        threat(
            "web-sqli",
            "    override: true\n    controls: [web-parameterised-queries]\n"
        )
    );
    let c = org(&text).unwrap();
    let t = c.get("web-sqli").unwrap();
    assert_eq!(t.name, "Orders ledger rewritten");
    assert_eq!(t.origin, "acme.yaml:2");
    assert_eq!(c.entries().len(), Catalogue::builtin().entries().len());

    let again = Catalogue::with_sources(&[
        ("a.yaml".to_string(), text.clone()),
        ("b.yaml".to_string(), text),
    ])
    .unwrap_err();
    assert!(
        again.starts_with("b.yaml:2: threat `web-sqli`: duplicate id, already defined at a.yaml:2"),
        "{again}"
    );

    let nothing = org(&format!(
        "threats:\n{}",
        threat("acme-new", "    override: true\n")
    ))
    .unwrap_err();
    assert!(nothing.contains("no entry with this id"), "{nothing}");

    let kind = org(&format!(
        "controls:\n{}",
        control("web-sqli", "    override: true\n")
    ))
    .unwrap_err();
    assert!(
        kind.contains("overrides the built-in threat `web-sqli` with a control"),
        "{kind}"
    );
}

#[test]
fn an_unknown_field_is_reported_in_its_entry() {
    let text = format!(
        "threats:\n{}{}",
        threat("acme-one", ""),
        threat("acme-two", "    prioritiy: high\n")
    );
    let err = org(&text).unwrap_err();
    assert!(err.starts_with("acme.yaml:22:"), "{err}");
    assert!(err.contains("threat `acme-two`"), "{err}");
    assert!(err.contains("prioritiy"), "{err}");
    assert!(
        !err.contains("-->"),
        "no snippet in a one-line message: {err}"
    );
}

#[test]
fn invalid_values_are_reported_with_the_entry() {
    let bad_layer = threat("acme-one", "").replace("layer: storage", "layer: network");
    let err = org(&format!("threats:\n{bad_layer}")).unwrap_err();
    assert!(
        err.contains("acme.yaml:") && err.contains("threat `acme-one`"),
        "{err}"
    );

    let bad = threat("Acme_One", "    cwe: [89]\n    attack: [T190]\n")
        .replace("stride: [tampering]", "stride: []")
        .replace("example: An UPDATE on the ledger.", "example: ''");
    let err = org(&format!("threats:\n{bad}")).unwrap_err();
    for expected in [
        "acme.yaml:2: threat `Acme_One`",
        "kebab-case",
        "`example` is empty",
        "`stride` is empty",
        "`cwe: 89` is not of the form CWE-89",
        "`attack: T190`",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in {err}");
    }

    let info = threat("acme-one", "").replace("priority: high", "priority: info");
    assert!(
        org(&format!("threats:\n{info}")).is_err(),
        "a catalogue priority is never info"
    );

    let paren =
        threat("acme-one", "").replace("name: Orders ledger rewritten", "name: Ledger (orders)");
    let err = org(&format!("threats:\n{paren}")).unwrap_err();
    assert!(err.contains("pasted into annotations"), "{err}");
}

#[test]
fn links_must_name_controls() {
    let dangling = format!(
        "threats:\n{}",
        threat("acme-one", "    controls: [acme-missing]\n")
    );
    let err = org(&dangling).unwrap_err();
    assert_eq!(
        err,
        "acme.yaml:2: threat `acme-one`: `controls: acme-missing` names no catalogue control"
    );

    let to_threat = format!(
        "threats:\n{}",
        threat("acme-one", "    controls: [web-sqli]\n")
    );
    assert!(
        org(&to_threat)
            .unwrap_err()
            .contains("is a threat, not a control")
    );

    let by_countermeasure = threat("acme-one", "").replace(
        "countermeasures: [Append-only table]",
        "countermeasures: [acme-nothing, Append-only table]",
    );
    let err = org(&format!("threats:\n{by_countermeasure}")).unwrap_err();
    assert!(
        err.contains("countermeasure `acme-nothing` looks like an id"),
        "{err}"
    );

    let control_links = format!(
        "controls:\n{}",
        control("acme-c", "    controls: [web-rate-limits]\n")
    );
    assert!(
        org(&control_links)
            .unwrap_err()
            .contains("a control cannot list `controls`")
    );
}

#[test]
fn yaml_errors_and_unreadable_files_name_the_file() {
    let err = org("threats: [\n").unwrap_err();
    assert!(err.starts_with("acme.yaml:"), "{err}");
    let err = org("threat: []\n").unwrap_err();
    assert!(
        err.starts_with("acme.yaml:1:1:") && err.contains("threat"),
        "{err}"
    );
    assert_eq!(
        org("").unwrap().entries().len(),
        Catalogue::builtin().entries().len()
    );

    let err = Catalogue::with_files(&["/nonexistent/acme.yaml"]).unwrap_err();
    assert!(
        err.starts_with("cannot read catalogue /nonexistent/acme.yaml"),
        "{err}"
    );
}

#[test]
fn files_are_read_and_merged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("acme.yaml");
    std::fs::write(
        &path,
        format!("controls:\n{}", control("acme-append-only", "")),
    )
    .unwrap();
    let c = Catalogue::with_files(&[&path]).unwrap();
    let e = c.control("acme-append-only").unwrap();
    assert_eq!(e.origin, format!("{}:2", path.display()));
}

#[test]
fn lookup_is_case_insensitive_and_by_normalised_id() {
    let c = Catalogue::builtin();
    for spelling in [
        "k8s-etcd-tampering",
        "#k8s-etcd-tampering",
        "K8S-ETCD-TAMPERING",
        "k8s_etcd_tampering",
        "K8s Etcd Tampering",
    ] {
        assert_eq!(
            c.get(spelling).map(|e| e.id.as_str()),
            Some("k8s-etcd-tampering"),
            "{spelling}"
        );
    }
    assert!(c.get("k8s-etcd").is_none());
    assert!(c.threat("k8s-etcd-access-isolation").is_none());
    assert!(c.control("k8s-etcd-access-isolation").is_some());
}

#[test]
fn search_ranks_id_and_name_matches_above_description_matches() {
    let c = Catalogue::builtin();
    let found = c.search("etcd");
    assert!(found.len() >= 4);
    // Entries with etcd in the id come before those that only mention it.
    let first_mention_only = found.iter().position(|e| !e.id.contains("etcd")).unwrap();
    assert!(
        found[..first_mention_only]
            .iter()
            .all(|e| e.id.contains("etcd"))
    );
    assert!(
        found[first_mention_only..]
            .iter()
            .all(|e| !e.id.contains("etcd"))
    );
    // Every word must match somewhere.
    let both = c.search("etcd backup");
    assert_eq!(
        both.first().map(|e| e.id.as_str()),
        Some("k8s-etcd-backup-protection")
    );
    assert!(c.search("etcd zzzz").is_empty());
    assert_eq!(c.search("").len(), c.entries().len());
}

#[test]
fn suggestions_prefer_the_components_own_entries() {
    let c = Catalogue::builtin();
    let etcd = c.suggestions(Layer::Control, Stride::Tampering, "Cluster:etcd");
    assert_eq!(etcd[0].id, "k8s-etcd-tampering");
    assert!(
        etcd.iter()
            .all(|e| e.layer == Layer::Control && e.stride.contains(&Stride::Tampering))
    );

    let db = c.suggestions(Layer::Storage, Stride::Repudiation, "Orders Database");
    assert_eq!(db[0].id, "db-unaudited-access");
    let bucket = c.suggestions(Layer::Storage, Stride::Repudiation, "Invoices object store");
    assert_eq!(bucket[0].id, "objstore-access-unlogged");

    // With no word in common, priority decides.
    let any = c.suggestions(Layer::Compute, Stride::ElevationOfPrivilege, "zzz");
    assert_eq!(any[0].priority, Priority::Critical);
    assert!(any.windows(2).all(|w| w[0].priority <= w[1].priority));
}

#[test]
fn entries_render_as_annotations() {
    let c = Catalogue::builtin();
    let t = c.get("web-sqli").unwrap();
    assert_eq!(t.stride_letters(), ".T.I.E");
    assert_eq!(
        t.declaration(),
        "@threat SQL injection through API parameters (#web-sqli) [critical, tampering, information-disclosure, elevation-of-privilege, likelihood:medium] cwe:CWE-89 capec:CAPEC-66 attack:T1190"
    );
    assert_eq!(t.exposes("Shop:Api"), "@exposes Shop:Api to #web-sqli");
    let ctl = c.controls_for(t)[0];
    assert_eq!(
        t.mitigates("Shop:Api", ctl),
        "@mitigates Shop:Api against #web-sqli with #web-parameterised-queries"
    );
    assert!(
        c.threats_mitigated_by(ctl)
            .iter()
            .any(|e| e.id == "web-sqli")
    );
}

#[test]
fn yaml_output_loads_back_as_a_catalogue() {
    // The web entries, renamed so they do not collide with themselves, written in the
    // `--format yaml` layout and read back as an organisation catalogue.
    let rename = |id: &str| match id.strip_prefix("web-") {
        Some(rest) => format!("acme-{rest}"),
        None => id.to_string(),
    };
    let web: Vec<Entry> = Catalogue::builtin()
        .entries()
        .iter()
        .filter(|e| e.domain() == "web")
        .map(|e| {
            let mut e = e.clone();
            e.id = rename(&e.id);
            e.controls = e.controls.iter().map(|c| rename(c)).collect();
            e
        })
        .collect();
    assert!(web.len() >= 10);
    let text = serde_saphyr::to_string(&Listing::new(web.iter())).unwrap();
    assert!(!text.contains("kind") && !text.contains("origin"), "{text}");
    let c = org(&text).unwrap();
    for e in &web {
        let back = c.get(&e.id).unwrap();
        assert_eq!(
            Entry {
                origin: String::new(),
                ..back.clone()
            },
            Entry {
                origin: String::new(),
                ..e.clone()
            }
        );
    }
    // Loaded as it is, the built-in catalogue's own output collides with itself.
    let own = serde_saphyr::to_string(&Listing::new(Catalogue::builtin().entries())).unwrap();
    assert!(org(&own).unwrap_err().contains("duplicate id"));
}
