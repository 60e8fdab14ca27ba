//! The model (SPEC §3.1 names and ids, §4): resolution across files, the component tree,
//! layers, zones, flows and relations, on real scanned trees.

mod common;

use common::{diagnostics, model};
use threatline::annotation::{Layer, Severity, Stride};
use threatline::model::{LayerSource, Model, TargetKind};

fn component<'a>(m: &'a Model, id: &str) -> &'a threatline::model::Component {
    m.components
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no component {id}: {:?}", ids(m)))
}

fn ids(m: &Model) -> Vec<&str> {
    m.components.iter().map(|c| c.id.as_str()).collect()
}

#[test]
fn ids_and_names_resolve_across_files_in_either_order() {
    let m = model(&[
        ("a/uses.py", "# @mitigates #orders against #sqli with #pq\n"),
        (
            "b/decl.go",
            "// @component App:Orders (#orders)\n// @threat SQL Injection (#sqli) [high]\n// @control Parameterized queries (#pq)\n",
        ),
        ("c/more.rs", "// @exposes App:Orders to SQL Injection\n"),
    ]);
    assert!(m.diagnostics.is_empty(), "{:?}", diagnostics(&m));
    assert_eq!(m.threats.len(), 1);
    assert_eq!(m.threats[0].id, "sqli");
    assert_eq!(m.threats[0].severity, Some(Severity::High));
    assert_eq!(m.mitigations[0].target, "orders");
    assert_eq!(m.mitigations[0].control.as_deref(), Some("pq"));
    // `App:Orders` by path and `#orders` by id are one component.
    assert_eq!(m.exposures[0].target, "orders");
    assert_eq!(ids(&m), vec!["app", "orders"]);
    assert_eq!(component(&m, "orders").parent.as_deref(), Some("app"));
}

#[test]
fn differently_written_names_are_one_entity() {
    let m = model(&[(
        "x.py",
        "# @exposes A to SQL Injection\n# @mitigates A against sql-injection with X\n# @accepts SQL_INJECTION to B with reasons\n# @exposes C to #PRNG\n# @threat Weak randomness (#prng)\n",
    )]);
    let threat_ids: Vec<&str> = m.threats.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(threat_ids, vec!["prng", "sql_injection"]);
    assert!(m.diagnostics.is_empty(), "{:?}", diagnostics(&m));
}

#[test]
fn a_dangling_reference_is_reported_with_a_suggestion_and_kept() {
    let m = model(&[(
        "x.js",
        "// @threat SQL injection (#sqli)\n// @exposes Web:App to #sqlli\n",
    )]);
    assert_eq!(diagnostics(&m), vec!["dangling-reference x.js:2:24"]);
    assert_eq!(
        m.diagnostics[0].hint.as_deref(),
        Some("did you mean `#sqli`?")
    );
    // The exposure stays in the model, pointing at the unresolved id.
    assert_eq!(m.exposures.len(), 1);
    assert_eq!(m.exposures[0].threat, "sqlli");
}

#[test]
fn one_id_for_two_names_is_a_duplicate() {
    let m = model(&[
        ("a.py", "# @threat SQL Injection (#sqli)\n"),
        (
            "b.py",
            "# @threat Cross-site scripting (#SQLI)\n# @threat sql-injection (#sqli)\n",
        ),
    ]);
    assert_eq!(diagnostics(&m), vec!["duplicate-id b.py:1:11"]);
    assert!(m.diagnostics[0].message.contains("a.py:1:"));
}

#[test]
fn a_malformed_line_loses_nothing_else() {
    let m = model(&[
        (
            "a.py",
            "# @threat T1 (#t1)\n# @mitigates App against (#broken\n# @exposes App to #t1\n",
        ),
        ("b.py", "# @exposes Other to #t1\n"),
    ]);
    assert_eq!(diagnostics(&m), vec!["malformed-annotation a.py:2:3"]);
    assert_eq!(m.exposures.len(), 2);
    assert!(m.mitigations.is_empty());
}

#[test]
fn layers_are_explicit_inherited_or_inferred() {
    let m = model(&[(
        "x.py",
        "# @component Platform [control]\n# @component Platform:Scheduler\n# @component Shop:Orders Database\n# @component Shop:Checkout\n# @component Edge:Public Load-Balancer\n# @component Shop:Cache [storage]\n",
    )]);
    let layer = |id: &str| {
        let c = component(&m, id);
        (c.layer, c.layer_source)
    };
    assert_eq!(layer("platform"), (Layer::Control, LayerSource::Explicit));
    assert_eq!(
        layer("platform.scheduler"),
        (Layer::Control, LayerSource::Inherited)
    );
    assert_eq!(
        layer("shop.orders_database"),
        (Layer::Storage, LayerSource::Inferred)
    );
    assert_eq!(
        layer("shop.checkout"),
        (Layer::Compute, LayerSource::Inferred)
    );
    assert_eq!(
        layer("edge.public_load_balancer"),
        (Layer::Communication, LayerSource::Inferred)
    );
    assert_eq!(layer("shop.cache"), (Layer::Storage, LayerSource::Explicit));
    assert!(component(&m, "platform").declared);
}

#[test]
fn zones_are_top_level_unless_declared_around() {
    let m = model(&[(
        "x.tf",
        "# @boundary Private network (#private) around Cloud:DB, Cloud:Cache\n# @connects User:Browser to Cloud:Web with HTTPS\n# @connects Cloud:Web to Cloud:DB with TLS\n",
    )]);
    assert_eq!(component(&m, "user.browser").zone, "user");
    assert_eq!(component(&m, "cloud.web").zone, "cloud");
    assert_eq!(component(&m, "cloud.db").zone, "private");
    assert_eq!(component(&m, "cloud.cache").zone, "private");
    let zones: Vec<(&str, &str)> = m
        .flows
        .iter()
        .map(|f| (f.from_zone.as_str(), f.to_zone.as_str()))
        .collect();
    assert_eq!(zones, vec![("user", "cloud"), ("cloud", "private")]);
}

#[test]
fn flows_chain_name_controls_and_can_be_targets() {
    let m = model(&[(
        "x.ts",
        "// @control TLS (#tls)\n// @flows Client -> App.API -> App.DB via TLS\n// @flows App.API <-> Cache via redis (#cache-flow)\n// @connects A with B with HTTPS\n// @mitigates #cache-flow against Snooping with #tls\n",
    )]);
    let flows: Vec<(&str, &str, &str, bool)> = m
        .flows
        .iter()
        .map(|f| (f.id.as_str(), f.from.as_str(), f.to.as_str(), f.two_way))
        .collect();
    assert_eq!(
        flows,
        vec![
            ("client->app.api", "client", "app.api", false),
            ("app.api->app.db", "app.api", "app.db", false),
            ("cache-flow", "app.api", "cache", true),
            ("a->b", "a", "b", true),
        ]
    );
    assert_eq!(m.flows[0].controls, vec!["tls"]);
    assert!(m.flows[2].controls.is_empty());
    assert_eq!(m.mitigations[0].target, "cache-flow");
    assert_eq!(m.mitigations[0].target_kind, TargetKind::Flow);
    assert!(m.diagnostics.is_empty(), "{:?}", diagnostics(&m));
}

#[test]
fn threat_fields_come_from_the_declaration_and_its_yaml_block() {
    let m = model(&[(
        "k8s.yaml",
        "# @threat Unauthorized API access (#api-unauth) cwe:CWE-284:\n#   priority: high\n#   likelihood: medium\n#   stride: [spoofing, elevation-of-privilege]\n#   description: Attackers gain access to the cluster API.\n#   owner: platform\n\n# @exposes Cluster:API Server to #api-unauth\n# @exposes Cluster:Nodes to Container breakout [P0]\n",
    )]);
    let t = &m.threats[0];
    assert_eq!(t.id, "api-unauth");
    assert_eq!(t.severity, Some(Severity::High));
    assert_eq!(t.likelihood.as_deref(), Some("medium"));
    assert_eq!(
        t.stride,
        vec![Stride::Spoofing, Stride::ElevationOfPrivilege]
    );
    assert_eq!(t.refs, vec!["cwe:CWE-284"]);
    assert_eq!(
        t.description.as_deref(),
        Some("Attackers gain access to the cluster API.")
    );
    assert_eq!(t.properties["owner"], "platform");
    // A threat first declared inline by `@exposes ... [P0]` takes that severity.
    let breakout = m
        .threats
        .iter()
        .find(|t| t.id == "container_breakout")
        .unwrap();
    assert_eq!(breakout.severity, Some(Severity::Critical));
    assert_eq!(m.exposures[1].severity, Some(Severity::Critical));
    assert_eq!(component(&m, "cluster.api_server").layer, Layer::Control);
}

#[test]
fn reviews_take_the_longest_known_component_name() {
    let m = model(&[(
        "x.py",
        "# @component External:Web Browser\n# @review External:Web Browser Check the CSP headers\n# @review #nothing-here now\n# @review Unknown thing here\n",
    )]);
    let reviews: Vec<(&str, Option<&str>)> = m
        .reviews
        .iter()
        .map(|r| (r.target.as_str(), r.details.as_deref()))
        .collect();
    assert_eq!(
        reviews,
        vec![
            ("external.web_browser", Some("Check the CSP headers")),
            ("nothing-here", Some("now")),
            ("unknown", Some("thing here")),
        ]
    );
    assert_eq!(diagnostics(&m), vec!["dangling-reference x.py:3:11"]);
}

#[test]
fn an_explicit_id_never_shadows_another_components_path() {
    let m = model(&[(
        "x.js",
        "// @component Web:App (#web)\n// @exposes #web to T\n",
    )]);
    assert_eq!(ids(&m), vec!["path:web", "web"]);
    assert_eq!(component(&m, "web").parent.as_deref(), Some("path:web"));
    assert_eq!(m.exposures[0].target, "web");
    assert_eq!(diagnostics(&m), vec!["conflict x.js:1:4"]);
}

#[test]
fn handles_and_transfers_and_tests_land_in_the_model() {
    let m = model(&[(
        "x.go",
        "// @handles pii, financial on Shop:Payments\n// @transfers Card theft from Shop:Payments to PSP:Gateway with tokenisation\n// @tests Input validation for Shop:Payments\n",
    )]);
    assert_eq!(
        component(&m, "shop.payments").data,
        vec!["financial", "pii"]
    );
    assert_eq!(m.transfers[0].from, "shop.payments");
    assert_eq!(m.transfers[0].to, "psp.gateway");
    assert_eq!(m.transfers[0].description.as_deref(), Some("tokenisation"));
    assert_eq!(m.tests[0].control, "input_validation");
    assert_eq!(m.controls[0].id, "input_validation");
}

#[test]
fn a_declaration_verb_with_a_reference_adds_to_the_entity() {
    let m = model(&[
        (
            "a.py",
            "# @threat #sqli:\n#   description: From the threat library.\n#   likelihood: high\n\n# @component #orders [storage]\n# @threat #nothing\n",
        ),
        (
            "b.py",
            "# @threat SQL injection (#sqli) [critical]\n# @component Shop:Orders (#orders)\n",
        ),
    ]);
    let t = &m.threats[0];
    assert_eq!(t.id, "sqli");
    assert_eq!(t.severity, Some(Severity::Critical));
    assert_eq!(t.description.as_deref(), Some("From the threat library."));
    assert_eq!(t.likelihood.as_deref(), Some("high"));
    // The declaration, not the description, is where the threat is.
    assert_eq!(t.site.location.file, "b.py");
    assert_eq!(component(&m, "orders").layer, Layer::Storage);
    assert_eq!(diagnostics(&m), vec!["dangling-reference a.py:6:11"]);
}

#[test]
fn a_continuation_appends_to_threatspec_details() {
    let m = model(&[(
        "a.threatline",
        "@review App:Web check the cookie flags\n--\n@exposes App:Web to #x with y\n-- \"more\"\n@threat X (#x)\n",
    )]);
    assert_eq!(
        m.reviews[0].details.as_deref(),
        Some("check the cookie flags")
    );
    assert_eq!(m.exposures[0].description.as_deref(), Some("y more"));
}

#[test]
fn a_control_reference_block_adds_fields() {
    let m = model(&[(
        "a.py",
        "# @control TLS (#tls)\n\n# @control #tls:\n#   description: TLS 1.3 only\n#   owner: platform\n",
    )]);
    assert_eq!(m.controls[0].description.as_deref(), Some("TLS 1.3 only"));
    assert_eq!(m.controls[0].properties["owner"], "platform");
}

#[test]
fn repeated_findings_are_one_wherever_they_are() {
    let m = model(&[(
        "a.py",
        "# @exposes A to T\n# @exposes B to U\n# @exposes A to T\n# @flows #nope -> A:B\n# @component Web:App (#web)\n# @handles pii on Web\n# @flows Web:Front -> Web:App\n# @flows Other:X -> Web:App\n",
    )]);
    let exposures: Vec<u32> = m
        .findings
        .iter()
        .filter(|f| f.code == "unmitigated-exposure")
        .map(|f| f.site.location.line)
        .collect();
    assert_eq!(exposures, vec![1, 2]);
    // A flow with a dangling end crosses nothing we can tell; the error says enough.
    let crossings: Vec<(u32, &str)> = m
        .findings
        .iter()
        .filter(|f| f.code == "unprotected-crossing")
        .map(|f| (f.site.location.line, f.message.as_str()))
        .collect();
    assert_eq!(crossings.len(), 1, "{crossings:?}");
    assert_eq!(crossings[0].0, 8);
    assert!(
        crossings[0].1.ends_with("it carries pii data"),
        "{}",
        crossings[0].1
    );
}

#[test]
fn catalogue_ids_work_without_a_declaration_and_a_local_one_wins() {
    let m = model(&[
        (
            "k8s.yaml",
            "# @component Cluster:etcd (#etcd) [control]\n# @exposes #etcd to #k8s-etcd-tampering\n# @mitigates #etcd against #k8s-etcd-tampering with #k8s-etcd-access-isolation\n# @exposes #etcd to #k8s-etcd-tamperng\n# @exposes #etcd to #web-sqli\n",
        ),
        ("local.py", "# @threat My own SQLi (#web-sqli) [low]\n"),
    ]);
    let t = m
        .threats
        .iter()
        .find(|t| t.id == "k8s-etcd-tampering")
        .unwrap();
    assert_eq!(t.catalogue.as_deref(), Some("k8s-etcd-tampering"));
    assert!(!t.declared);
    assert!(t.severity.is_some() && !t.stride.is_empty() && t.description.is_some());
    let c = m
        .controls
        .iter()
        .find(|c| c.id == "k8s-etcd-access-isolation");
    assert_eq!(
        c.and_then(|c| c.catalogue.as_deref()),
        Some("k8s-etcd-access-isolation"),
        "{:?}",
        m.controls
    );
    // A local declaration with the same id overrides the catalogue entry.
    let local = m.threats.iter().find(|t| t.id == "web-sqli").unwrap();
    assert_eq!(local.name, "My own SQLi");
    assert_eq!(local.catalogue, None);
    assert_eq!(local.severity, Some(Severity::Low));
    // A typo is suggested from the catalogue too.
    assert_eq!(diagnostics(&m), vec!["dangling-reference k8s.yaml:4:21"]);
    assert_eq!(
        m.diagnostics[0].hint.as_deref(),
        Some("did you mean `#k8s-etcd-tampering`?")
    );
}
