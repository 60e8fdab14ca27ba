//! The round trip: Threatspec annotations read as Threatspec means them, then through
//! Threatspec's layouts and the import back to the same model.

use super::*;

#[test]
fn threatspec_forms_are_read_as_threatspec_means_them() {
    let m = common::scan(Path::new(TREE));
    assert_eq!(common::diagnostics(&m), Vec::<String>::new());
    let f = facts(&m);
    let has = |kind: &str, prefix: &str| f[kind].iter().any(|l| l.starts_with(prefix));
    assert!(has(
        "mitigations",
        "MyApp:Web:Login Page against SQL Injection with Some(\"Parameterised Queries\")"
    ));
    assert!(
        has(
            "mitigations",
            "MyApp:Storage:User Database against SQL Injection with Some(\"Parameterised Queries\")"
        ),
        "a trailing comment after code"
    );
    assert!(has(
        "exposures",
        "MyApp:Web:Login Page to Cross-site Request Forgery None [] Some(\"the form has no anti-CSRF token\")"
    ));
    assert!(
        has("exposures", "MyApp:Web:Login Page to Brute Force"),
        "from x-threatspec in OpenAPI"
    );
    assert!(
        has(
            "acceptances",
            "Denial of Service on MyApp:Web:Login Page Some(\"the CDN in front absorbs floods\")"
        ),
        "from a docstring"
    );
    assert!(has(
        "transfers",
        "Credential Stuffing from MyApp:Web:Login Page to Identity Provider:Sign In"
    ));
    assert!(
        has(
            "connections",
            "flow MyApp:Web:Login Page -> MyApp:Storage:User Database two_way=true Some(\"SQL over TLS\")"
        ),
        "`@connects A with B` is two-way"
    );
    assert!(has(
        "connections",
        "flow User:Web Browser -> MyApp:Web:Login Page two_way=false Some(\"HTTPS\")"
    ));
    assert!(has(
        "connections",
        "flow MyApp:Web:Login Page -> Payments:API two_way=false Some(\"Mutual TLS\") protected_by=[\"Mutual TLS\"]"
    ));
    assert!(has(
        "reviews",
        "MyApp:Web:Login Page Some(\"Is the session cookie marked Secure?\")"
    ));
    assert!(has("tests", "Secure Cookies for MyApp:Web:Login Page"));
    assert!(has(
        "threats",
        "Session Hijacking None [] None [] Some(\"A stolen session cookie lets an attacker act as the user.\") None {\"impact\":\"high\"}"
    ));
    assert_eq!(m.mitigations.len(), 4, "the `@skip` line is not read");
}

#[test]
fn a_threatspec_tree_survives_threatspec_json_the_directory_and_the_import() {
    let before = common::scan(Path::new(TREE));
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<(&str, String)> = threatspec::to_threatspec_directory(&before);
    let (imported, after) = import_and_rescan(dir.path(), &files);
    assert_eq!(common::diagnostics(&after), Vec::<String>::new());
    assert_same_facts(&before, &after);
    assert_eq!(imported.files.len(), 4);

    // The report layout (relations expanded) imports to the same model.
    let report = threatspec::to_threatspec(&before, "Login service");
    let file = dir.path().join("ThreatModel.json");
    std::fs::write(&file, report).unwrap();
    let ts = import::read(&file).expect("ThreatModel.json reads");
    let again = import::to_annotations(&ts, &ImportOptions::default());
    let without_comments = |files: &[(String, String)]| -> Vec<String> {
        files
            .iter()
            .map(|(_, t)| {
                t.lines()
                    .filter(|l| !l.starts_with('#'))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect()
    };
    assert_eq!(
        without_comments(&again.files),
        without_comments(&imported.files)
    );
}

#[test]
fn the_example_survives_the_round_trip_except_its_boundaries() {
    let before = &*EXAMPLE_MODEL;
    let dir = tempfile::tempdir().unwrap();
    let (_, after) = import_and_rescan(dir.path(), &threatspec::to_threatspec_directory(before));
    assert_eq!(common::diagnostics(&after), Vec::<String>::new());
    let (a, b) = (facts(before), facts(&after));
    for kind in [
        "components",
        "threats",
        "controls",
        "mitigations",
        "exposures",
        "acceptances",
        "transfers",
        "connections",
        "reviews",
        "tests",
    ] {
        assert_eq!(
            a.get(kind),
            b.get(kind),
            "{kind} differ after the round trip"
        );
    }
    // Threatspec has no trust boundaries: the zones they declared are gone, and with them
    // the crossing only a declared boundary made.
    assert!(!before.boundaries.is_empty() && after.boundaries.is_empty());
    assert!(b["findings"].is_subset(&a["findings"]));
}

#[test]
fn the_command_imports_a_threatspec_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["import", "threatspec", HAND_WRITTEN, "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("do not read back"), "{stderr}");
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "components.threatline",
            "controls.threatline",
            "threatmodel.threatline",
            "threats.threatline"
        ]
    );

    // A second run does not overwrite without --force, and writes nothing.
    let again = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["import", "threatspec", HAND_WRITTEN, "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists; pass --force"));
    let forced = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args([
            "import",
            "threatspec",
            HAND_WRITTEN,
            "--force",
            "--library-only",
            "-o",
        ])
        .arg(dir.path().join("lib"))
        .output()
        .unwrap();
    assert_eq!(forced.status.code(), Some(0));
    assert!(
        !dir.path().join("lib/threatmodel.threatline").exists(),
        "--library-only writes no relations"
    );

    // `-o -` prints one stream that is itself a valid annotation file.
    let printed = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["import", "threatspec", HAND_WRITTEN, "-o", "-"])
        .output()
        .unwrap();
    assert_eq!(printed.status.code(), Some(0));
    let single = tempfile::tempdir().unwrap();
    common::write(single.path(), "all.threatline", &printed.stdout);
    assert_same_facts(&common::scan(&out), &common::scan(single.path()));
}

#[test]
fn a_mitigation_without_a_control_comes_back_without_one() {
    // The directory layout names a made-up control (Threatspec's schema wants one); the
    // import must not turn it into a real one.
    let src = common::tree(&[(
        "app.py",
        "# @exposes Shop:API to SQL injection\n# @mitigates Shop:API against SQL injection\n",
    )]);
    let before = common::scan(src.path());
    let files = threatspec::to_threatspec_directory(&before);
    assert!(
        files
            .iter()
            .any(|(_, t)| t.contains("threatline_no_control"))
    );
    let dir = tempfile::tempdir().unwrap();
    let (_, after) = import_and_rescan(dir.path(), &files);
    assert!(after.controls.is_empty(), "{:#?}", after.controls);
    assert_eq!(after.mitigations.len(), 1);
    assert_eq!(after.mitigations[0].control, None);
}
