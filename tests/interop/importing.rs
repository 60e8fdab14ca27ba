//! Importing Threatspec 0.5's own `threatmodel/` layout: every field, what Threatspec
//! tolerates, and clear errors for what is not the layout.

use super::*;

#[test]
fn a_hand_written_threatspec_directory_imports_with_every_field() {
    let ts = import::read(Path::new(HAND_WRITTEN)).expect("it reads");
    let imported = import::to_annotations(&ts, &ImportOptions::default());
    assert_eq!(import::check(&ts, &imported, false), Vec::<String>::new());
    let m = import::model_of(&imported);
    assert_eq!(common::diagnostics(&m), Vec::<String>::new());
    let f = facts(&m);
    let expect = |kind: &str, line: &str| {
        assert!(
            f[kind].contains(line),
            "{kind} lacks {line}\n{:#?}",
            f[kind]
        )
    };

    expect(
        "threats",
        "SQL Injection None [] None [] Some(\"Untrusted input changes the meaning of a query.\") None {\"impact\":\"high\"}",
    );
    expect(
        "threats",
        "Man in the Middle None [] None [] Some(\"Traffic is read or changed on the way.\\n\\nTLS everywhere is the fix.\") None {\"matrix\":{\"c\":3,\"i\":2},\"notes\":null,\"owner\":\"netsec\",\"references\":[\"capec:CAPEC-94\"],\"reviewed\":false,\"score\":7.5}",
    );
    expect(
        "controls",
        "TLS [] Some(\"TLS 1.2 or later on every hop\") {\"cost\":2}",
    );
    expect(
        "components",
        "MyApp:Web:Login Compute Inferred data=[] Some(\"login page\") {\"owner\":\"bob\"}",
    );
    expect(
        "components",
        "Identity Provider Control Inferred data=[] None {\"vendor\":\"Okta\"}",
    );
    expect(
        "mitigations",
        "MyApp:Web:Login against SQL Injection with Some(\"Param queries\") None {}",
    );
    expect(
        "mitigations",
        "MyApp:Web against Man in the Middle with Some(\"TLS\") Some(\"Only TLS 1.2 and above\") {\"verified\":true}",
    );
    // Details ending in a bracket would be read as qualifiers: they go to the YAML block.
    expect(
        "exposures",
        "MyApp:Web:Login to Cross-site Request Forgery None [] Some(\"no anti-CSRF token [yet]\") {}",
    );
    expect(
        "exposures",
        "User:Browser to Man in the Middle None [] Some(\"public Wi-Fi\") {}",
    );
    expect(
        "acceptances",
        "Denial of Service on MyApp:Web Some(\"the CDN absorbs it\") {\"expires\":\"2027-01-01\"}",
    );
    expect(
        "transfers",
        "Account Takeover from MyApp:Web:Login to Identity Provider Some(\"the IdP runs sign-in\") {}",
    );
    expect(
        "connections",
        "flow User:Browser -> MyApp:Web:Login two_way=false Some(\"HTTPS\") protected_by=[] None {}",
    );
    expect(
        "connections",
        "flow MyApp:Web:Login -> MyApp:DB two_way=true Some(\"SQL\") protected_by=[] None {}",
    );
    // `#443` names no control: it stays text, and the details as written are kept.
    expect(
        "connections",
        "flow MyApp:Web:Login -> Identity Provider two_way=false Some(\"OIDC on port # 443\") protected_by=[] None {\"threatspec_details\":\"OIDC on port #443\"}",
    );
    expect("reviews", "MyApp:DB Some(\"are credentials rotated?\")");
    expect("tests", "Param queries for MyApp:DB");
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("OIDC on port #443")),
        "{:?}",
        imported.warnings
    );

    // Ids are the Threatspec ids without `#`, so references written either way meet.
    let threats: Vec<&str> = m.threats.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        threats,
        [
            "account_takeover",
            "crosssite_request_forgery",
            "denial_of_service",
            "mitm",
            "sqli"
        ]
    );
    // Where Threatspec found each relation stays as a comment above it.
    let relations = &imported.files[3].1;
    assert!(
        relations.contains(
            "# from templates/login.html:1\n@exposes #login to #crosssite_request_forgery:"
        )
    );
}

#[test]
fn what_threatspec_tolerates_is_tolerated() {
    let dir = tempfile::tempdir().unwrap();
    // A library entry without `custom` (its other keys are custom), a bare-id entry with no
    // name, a relation naming an id no library holds, and no components.json at all.
    let threats = r##"{"threats": {"#a": {"id": "#a", "run_id": "r", "name": "", "description": ""},
        "#b": {"id": "#b", "run_id": "r", "name": "B [draft] -- \"quoted\"", "description": null, "impact": "low"}}}"##;
    let controls = r##"{"controls": {}}"##;
    let model = r##"{"mitigations": [{"control": "#c", "threat": "#b", "component": "#App-1", "description": "", "custom": {}, "source": {"annotation": "", "code": "", "filename": "x\ny.go", "line": 0}}],
        "exposures": [{"threat": "#a", "component": "#App-1", "details": "ends with a colon:", "description": "and more", "custom": {}}],
        "transfers": [], "acceptances": [], "reviews": [], "tests": [], "run_id": "r"}"##;
    let (imported, m) = import_and_rescan(
        dir.path(),
        &[
            ("threats.json", threats.into()),
            ("controls.json", controls.into()),
            ("threatmodel.json", model.into()),
        ],
    );
    assert_eq!(common::diagnostics(&m), Vec::<String>::new());
    let f = facts(&m);
    assert!(
        f["threats"].iter().any(|l| l.starts_with("a ")),
        "an empty name becomes the id: {:?}",
        f["threats"]
    );
    assert!(
        f["threats"]
            .iter()
            .any(|l| l.starts_with("B (draft) - 'quoted' ")
                && l.contains("\"impact\":\"low\"")
                && l.contains("\"original_name\":\"B [draft] -- \\\"quoted\\\"\"")),
        "{:?}",
        f["threats"]
    );
    assert!(
        f["mitigations"]
            .iter()
            .any(|l| l.starts_with("App-1 against B (draft)")),
        "{:?}",
        f["mitigations"]
    );
    assert!(
        f["exposures"]
            .iter()
            .any(|l| l.contains("Some(\"ends with a colon: and more\")")),
        "{:?}",
        f["exposures"]
    );
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("`#c` is named by a relation"))
    );
    assert!(
        !imported.files[3].1.contains("x\ny.go"),
        "a file name cannot break out of its comment"
    );
}

/// Runs the command on `path` and returns (exit code, stderr).
fn import_command(path: &Path) -> (Option<i32>, String) {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["import", "threatspec"])
        .arg(path)
        .arg("-o")
        .arg(out.path())
        .output()
        .unwrap();
    (
        run.status.code(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

/// A bad-input case: its name (the path given), the files written, what stderr must say.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str]);

#[test]
fn bad_input_is_a_clear_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let valid_model = r#"{"mitigations": [], "run_id": "r"}"#;
    let cases: &[Case] = &[
        ("missing", &[], &["missing", "no such file or directory"]),
        (
            "empty",
            &[("empty/README", "")],
            &["no threatmodel.json here"],
        ),
        (
            "json",
            &[("json/threatmodel.json", "{\"mitigations\": [")],
            &["json/threatmodel.json", "not valid JSON"],
        ),
        (
            "top",
            &[("top/threatmodel.json", "[]")],
            &["top/threatmodel.json", "expected a JSON object"],
        ),
        (
            "list",
            &[("list/threatmodel.json", r#"{"mitigations": {}}"#)],
            &["list/threatmodel.json", "mitigations: expected a list"],
        ),
        (
            "field",
            &[(
                "field/threatmodel.json",
                r##"{"mitigations": [{"threat": "#t", "component": 5}]}"##,
            )],
            &[
                "field/threatmodel.json",
                "mitigations[0].component: expected an id string",
            ],
        ),
        (
            "required",
            &[(
                "required/threatmodel.json",
                r##"{"exposures": [{"component": "#c", "details": "d"}]}"##,
            )],
            &["required/threatmodel.json", "exposures[0].threat: missing"],
        ),
        (
            "direction",
            &[(
                "direction/threatmodel.json",
                r##"{"connections": [{"source_component": "#a", "destination_component": "#b", "direction": "from"}]}"##,
            )],
            &["connections[0].direction: expected `to` or `with`"],
        ),
        (
            "library",
            &[
                ("library/threatmodel.json", valid_model),
                ("library/threats.json", r#"{"threats": []}"#),
            ],
            &["library/threats.json", "threats: expected an object"],
        ),
        (
            "entry",
            &[
                ("entry/threatmodel.json", valid_model),
                (
                    "entry/components.json",
                    r##"{"components": {"#x": {"name": "X", "paths": "X"}}}"##,
                ),
            ],
            &[
                "entry/components.json",
                "components.#x.paths: expected a list",
            ],
        ),
        (
            "key",
            &[
                ("key/threatmodel.json", valid_model),
                ("key/controls.json", r#"{"threats": {}}"#),
            ],
            &["key/controls.json", "controls: missing"],
        ),
        (
            "neither",
            &[("neither.json", r#"{"project": {}}"#)],
            &["neither.json", "neither Threatspec's threatmodel.json"],
        ),
    ];
    for (name, files, expected) in cases {
        for (path, text) in *files {
            common::write(root, path, text.as_bytes());
        }
        let target = if name.ends_with("neither") {
            root.join("neither.json")
        } else {
            root.join(name)
        };
        let (code, stderr) = import_command(&target);
        assert_eq!(code, Some(2), "{name}: {stderr}");
        for e in *expected {
            assert!(stderr.contains(e), "{name}: `{e}` not in {stderr}");
        }
        assert!(!stderr.contains("internal error"), "{name}: {stderr}");
    }
}
