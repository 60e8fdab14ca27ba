//! The gate says what GuardLink projects mean, as they are written: the most severe
//! exposure decides, bare data sources are no zones, GuardLink's project scope and `@source`
//! anchors are honoured, and every flow annotation is kept.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{model, tree};

fn check(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threatline"))
        .arg("check")
        .args(args)
        .arg(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

const DEFINITIONS: &str = "\
// @asset Agent.Launcher (#launcher)
// @threat Prompt_Injection (#pi)
";

#[test]
fn the_most_severe_exposure_decides_whatever_the_file_order() {
    // The medium exposure sorts first by path; the high one must still fail the gate.
    for (first, second) in [("medium", "high"), ("high", "medium")] {
        let dir = tree(&[
            (".guardlink/definitions.ts", DEFINITIONS),
            (
                "src/launcher.ts",
                &format!("// @exposes #launcher to #pi [{first}]\nexport {{}};\n"),
            ),
            (
                "src/workers/prompts.ts",
                &format!("// @exposes #launcher to #pi [{second}]\nexport {{}};\n"),
            ),
        ]);
        let m = common::scan(dir.path());
        let found: Vec<_> = m
            .findings
            .iter()
            .filter(|f| f.code == "unmitigated-exposure")
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one finding per (component, threat): {found:#?}"
        );
        let f = found[0];
        assert_eq!(f.severity.as_str(), "high");
        let high = if first == "high" {
            "src/launcher.ts"
        } else {
            "src/workers/prompts.ts"
        };
        let other = if first == "high" {
            "src/workers/prompts.ts"
        } else {
            "src/launcher.ts"
        };
        assert_eq!(f.site.location.file, high);
        assert_eq!(f.related.len(), 1);
        assert_eq!(f.related[0].site.location.file, other);
        assert!(
            f.related[0].message.contains("medium"),
            "{}",
            f.related[0].message
        );
        let out = check(dir.path(), &["--no-cache"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn a_bare_name_nothing_declares_is_a_data_source_not_a_zone() {
    let m = model(&[(
        "src/launcher.ts",
        "// @asset App.Launcher (#launcher)\n\
         // @asset App.TUI (#tui)\n\
         // @flows EnvVars -> #launcher via process.env\n\
         // @flows #tui -> Terminal\n\
         // @flows #launcher -> Other.Service via stdin\n\
         // @boundary between #tui and Terminal (#term)\n\
         export {};\n",
    )]);
    let crossings: Vec<&str> = m
        .findings
        .iter()
        .filter(|f| f.code == "unprotected-crossing")
        .filter_map(|f| f.flow.as_deref())
        .collect();
    // EnvVars crosses nothing; Terminal crosses only the boundary declared around it;
    // `Other.Service` is a two-segment path, in zone `other`.
    assert_eq!(crossings.len(), 2, "{crossings:?}");
    assert!(
        crossings.iter().any(|f| f.contains("terminal")),
        "{crossings:?}"
    );
    assert!(
        crossings.iter().any(|f| f.contains("other")),
        "{crossings:?}"
    );
    let envvars = m.components.iter().find(|c| c.id == "envvars").unwrap();
    assert_eq!(envvars.zone, "", "a data source is in no zone");
    let other = m.components.iter().find(|c| c.id == "other").unwrap();
    assert_eq!(
        other.zone, "other",
        "a parent is a zone, though nothing declares it"
    );
}

#[test]
fn every_annotation_of_one_flow_is_kept() {
    let m = model(&[
        (
            "src/a.ts",
            "// @flows ProjectRoot -> #parser via fast-glob -- \"walks the tree\"\nexport {};\n",
        ),
        (
            "src/b.ts",
            "// @flows ProjectRoot -> #parser via fast-glob -- \"reads each file\"\nexport {};\n",
        ),
        ("src/c.ts", "// @asset Core.Parser (#parser)\nexport {};\n"),
    ]);
    assert_eq!(m.flows.len(), 1, "one edge: {:#?}", m.flows);
    let flow = &m.flows[0];
    assert_eq!(flow.site.location.file, "src/a.ts");
    assert_eq!(flow.description.as_deref(), Some("walks the tree"));
    assert_eq!(flow.also_at.len(), 1);
    assert_eq!(flow.also_at[0].site.location.file, "src/b.ts");
    assert_eq!(
        flow.also_at[0].description.as_deref(),
        Some("reads each file")
    );
    assert_eq!(m.stats.annotations.values().sum::<usize>(), 3);
}

#[test]
fn a_guardlink_project_file_decides_what_is_scanned() {
    let files: &[(&str, &str)] = &[
        (
            ".guardlink/config.json",
            r#"{"version": "1.1.0", "project": "demo", "annotation_mode": "inline",
               "definitions": "definitions.ts", "include": ["**/*.ts"],
               "exclude": ["node_modules", "tests", "**/tests/**"], "scan_depth": 2}"#,
        ),
        (".guardlink/definitions.ts", DEFINITIONS),
        (
            "src/launcher.ts",
            "// @exposes #launcher to #pi [high]\nexport {};\n",
        ),
        // GuardLink's own test fixtures redeclare the shared ids.
        (
            "tests/fixtures/all.ts",
            "// @threat Other (#pi)\nexport {};\n",
        ),
        (
            "src/deep/tests/x.ts",
            "// @threat Again (#pi)\nexport {};\n",
        ),
        // Not in `include`.
        ("scripts/tool.py", "# @exposes #launcher to #pi [low]\n"),
    ];
    let dir = tree(files);
    let m = common::scan_configured(dir.path());
    let codes: Vec<String> = common::diagnostics(&m);
    assert_eq!(
        codes,
        ["foreign-config .guardlink/config.json:3:69"],
        "{m:#?}"
    );
    assert_eq!(m.exposures.len(), 1, "scripts/tool.py is outside `include`");
    assert_eq!(m.threats.len(), 1);
    // `guardlink: false` in threatline.yaml: the whole tree, and the clash it holds.
    common::write(dir.path(), "threatline.yaml", b"guardlink: false\n");
    let m = common::scan_configured(dir.path());
    let codes = common::diagnostics(&m);
    assert!(
        codes
            .iter()
            .any(|c| c.starts_with("duplicate-id tests/fixtures/all.ts")),
        "{codes:?}"
    );
    assert_eq!(m.exposures.len(), 2);
}

#[test]
fn a_sidecar_source_anchor_places_annotations_in_the_code() {
    // GuardLink's external mode: the mitigation is anchored to another function of the
    // same file, so it does not cover the exposure in `find_expenses`.
    let files: &[(&str, &str)] = &[
        (
            ".guardlink/definitions.py",
            "# @asset App.DB (#db)\n# @threat SQL_Injection (#sqli)\n# @control Parameterised_Queries (#pq)\n",
        ),
        (
            "app/db.py",
            "def find_expenses(q):\n    pass\n\n\ndef insert_expense(e):\n    pass\n",
        ),
        (
            ".guardlink/annotations/app/db.py.gal",
            "@source file:app/db.py line:1 symbol:find_expenses\n\
             @exposes #db to #sqli [critical]\n\
             \n\
             @source file:app/db.py line:5 symbol:insert_expense\n\
             @mitigates #db against #sqli using #pq\n\
             @source file:app/db.py\n",
        ),
    ];
    let dir = tree(files);
    let m = common::scan_configured(dir.path());
    let exposure = &m.exposures[0];
    assert_eq!(exposure.site.location.to_string(), "app/db.py:1:1");
    assert_eq!(exposure.site.symbol.as_deref(), Some("find_expenses"));
    assert_eq!(
        exposure
            .site
            .origin
            .as_ref()
            .map(|o| o.to_string())
            .as_deref(),
        Some(".guardlink/annotations/app/db.py.gal:2:1")
    );
    let open: Vec<_> = m
        .findings
        .iter()
        .filter(|f| f.code == "unmitigated-exposure")
        .collect();
    assert_eq!(
        open.len(),
        1,
        "the mitigation of another function covers nothing here"
    );
    assert_eq!(open[0].site.location.file, "app/db.py");
    // The malformed `@source` is an error at the sidecar line that holds it.
    assert_eq!(
        common::diagnostics(&m),
        ["malformed-annotation .guardlink/annotations/app/db.py.gal:6:1"]
    );
    // Anchored to the same function, it covers.
    common::write(
        dir.path(),
        ".guardlink/annotations/app/db.py.gal",
        b"@source file:app/db.py line:1 symbol:find_expenses\n@exposes #db to #sqli [critical]\n@mitigates #db against #sqli using #pq\n",
    );
    let m = common::scan_configured(dir.path());
    assert!(
        m.findings.iter().all(|f| f.code != "unmitigated-exposure"),
        "{:#?}",
        m.findings
    );
}

#[test]
fn inline_annotations_are_anchored_to_their_symbol_and_the_coverage_rule_applies() {
    let repo = "\
# @asset App.Repo (#repo)
# @threat SQL_Injection (#sqli)

class Repo:
    def find(self, q):
        # @exposes #repo to #sqli [high]
        return q

    # @mitigates #repo against #sqli using Parameterised_queries
    def insert(self, row):
        return row
";
    let m = model(&[("app/repo.py", repo)]);
    let symbol = |text: &str| {
        m.exposures
            .iter()
            .map(|e| &e.site)
            .chain(m.mitigations.iter().map(|x| &x.site))
            .find(|s| s.text.starts_with(text))
            .and_then(|s| s.symbol.clone())
    };
    assert_eq!(symbol("@exposes").as_deref(), Some("Repo.find"));
    // A trailing comment belongs to the declaration its line starts.
    let trailing = model(&[(
        "app/t.py",
        "class Repo:\n    def get(self, k): return k  # @exposes App:Repo to Leaks\n",
    )]);
    assert_eq!(
        trailing.exposures[0].site.symbol.as_deref(),
        Some("Repo.get")
    );
    assert_eq!(symbol("@mitigates").as_deref(), Some("Repo.insert"));
    let open = |m: &threatline::model::Model| {
        m.findings
            .iter()
            .filter(|f| f.code == "unmitigated-exposure")
            .count()
    };
    assert_eq!(
        open(&m),
        1,
        "a mitigation of another method answers that method only"
    );
    // Moved into the same method, it covers; in another file, it covers whatever its symbol.
    let same = repo.replace(
        "        return q\n",
        "        # @mitigates #repo against #sqli using Parameterised_queries\n        return q\n",
    );
    assert_eq!(open(&model(&[("app/repo.py", &same)])), 0);
    let (head, tail) = repo.split_at(repo.find("    # @mitigates").unwrap());
    let elsewhere = format!("{head}{}", tail.replace("# @mitigates", "# (moved)"));
    let other = "def insert(row):\n    # @mitigates #repo against #sqli using Parameterised_queries\n    return row\n";
    assert_eq!(
        open(&model(&[
            ("app/repo.py", &elsewhere),
            ("app/other.py", other)
        ])),
        0
    );
}

#[test]
fn guardlinks_other_verbs_are_modelled_not_dropped() {
    let dir = tree(&[
        (
            "src/app.ts",
            "// @asset Shop.Payments (#payments)\n\
             // @asset Shop.Payments.Refunds (#refunds)\n\
             // @asset Shop.Payments.Ledger (#ledger)\n\
             // @owns payments-team for #payments -- \"on call: #pay-oncall\"\n\
             // @owns @ledger-team for #ledger\n\
             // @assumes #payments the card vault is PCI-scoped -- \"per the 2026 audit\"\n\
             // @feature \"Refunds\"\n\
             // @comment -- \"refund flows are reviewed quarterly\"\n\
             // @threat Refund_Fraud (#fraud) [high]\n\
             // @exposes #refunds to #fraud\n\
             // @exposes #ledger to #fraud\n\
             export {};\n",
        ),
        (
            "src/other.ts",
            "// @threat Spoofing (#spoof)\n// @exposes Shop.Web to #spoof [high]\nexport {};\n",
        ),
    ]);
    let m = common::scan(dir.path());
    // Note-like annotations make no components: prose after `@assumes` stays prose.
    let prose = model(&[(
        "a.py",
        "# @threat T (#t)\n# @assumes that the caller holds the lock.\n# @owns team for nothing_declared\n# @assumes #nope\n",
    )]);
    assert!(prose.components.is_empty(), "{:#?}", prose.components);
    assert_eq!(
        common::diagnostics(&prose),
        ["dangling-reference a.py:4:12"]
    );
    let owners = |id: &str| {
        m.components
            .iter()
            .find(|c| c.id == id)
            .unwrap()
            .owners
            .clone()
    };
    assert_eq!(owners("payments"), ["payments-team"]);
    assert_eq!(
        owners("refunds"),
        ["payments-team"],
        "inherited down the tree"
    );
    assert_eq!(
        owners("ledger"),
        ["ledger-team"],
        "a component's own owner wins"
    );
    assert_eq!(m.assumptions.len(), 1);
    assert_eq!(
        m.assumptions[0].statement.as_deref(),
        Some("the card vault is PCI-scoped per the 2026 audit")
    );
    let notes: Vec<(&str, &str)> = m
        .notes
        .iter()
        .map(|n| {
            (
                if n.kind == threatline::model::NoteKind::Feature {
                    "feature"
                } else {
                    "comment"
                },
                n.content.as_str(),
            )
        })
        .collect();
    assert_eq!(
        notes,
        [
            ("feature", "Refunds"),
            ("comment", "refund flows are reviewed quarterly")
        ]
    );
    let finding_owners: Vec<Vec<String>> = m
        .findings
        .iter()
        .filter(|f| f.code == "unmitigated-exposure")
        .map(|f| f.owners.clone())
        .collect();
    assert!(
        finding_owners.contains(&vec!["payments-team".to_string()]),
        "{finding_owners:?}"
    );
    // `check --owner` keeps that team's findings; annotation errors stay everyone's.
    let out = check(
        dir.path(),
        &[
            "--no-cache",
            "--owner",
            "@Payments-Team",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let exposed: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "unmitigated-exposure")
        .map(|f| f["component"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        exposed,
        ["refunds"],
        "#ledger answers to ledger-team, #shop.web to nobody"
    );
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["owners"] == serde_json::json!(["payments-team"])),
        "{json}"
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the high exposure of #refunds fails the gate"
    );
    let sarif = check(
        dir.path(),
        &["--no-cache", "--owner", "ledger-team", "--format", "sarif"],
    );
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["properties"]["owners"] == serde_json::json!(["ledger-team"])),
        "{sarif}"
    );
}
