//! SARIF as GitHub code scanning reads it (SPEC §7): valid against the official 2.1.0 schema,
//! and every point of the checklist in `docs/ci.md` ("What code scanning reads") checked on
//! the example system, on a tree of diagnostics, on hostile text and on a subfolder scan.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::process::Command;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;
use threatline::analysis::RuleCode;
use threatline::analysis::rules;
use threatline::diagnostics::Code;
use threatline::output::sarif::{SarifOptions, to_sarif};
use threatline::pipeline::ScanOptions;

use common::tree;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");
const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/example");

/// The log of the tree at `root`, scanned as `check` scans it.
fn sarif_of(root: &Path, options: &SarifOptions) -> Value {
    let model = ScanOptions::for_tree(root)
        .expect("config")
        .scan()
        .expect("scan");
    serde_json::from_str(&to_sarif(&model, options)).expect("SARIF is JSON")
}

static EXAMPLE_SARIF: LazyLock<Value> =
    LazyLock::new(|| sarif_of(Path::new(EXAMPLE), &SarifOptions::default()));

fn run(sarif: &Value) -> &Value {
    &sarif["runs"][0]
}

fn rules_of(sarif: &Value) -> &Vec<Value> {
    run(sarif)["tool"]["driver"]["rules"].as_array().unwrap()
}

fn results_of(sarif: &Value) -> &Vec<Value> {
    run(sarif)["results"].as_array().unwrap()
}

fn rule_of<'a>(sarif: &'a Value, result: &Value) -> &'a Value {
    &rules_of(sarif)[result["ruleIndex"].as_u64().unwrap() as usize]
}

fn physical(location: &Value) -> &Value {
    &location["physicalLocation"]
}

/// The result of `code` whose primary location is `uri:line`.
fn result_at<'a>(sarif: &'a Value, uri: &str, line: u64, code: &str) -> &'a Value {
    results_of(sarif)
        .iter()
        .find(|r| {
            let p = physical(&r["locations"][0]);
            p["artifactLocation"]["uri"] == uri
                && p["region"]["startLine"] == line
                && r["properties"]["code"] == code
        })
        .unwrap_or_else(|| panic!("no {code} at {uri}:{line}"))
}

fn score(rule: &Value) -> Option<f64> {
    rule["properties"]["security-severity"]
        .as_str()
        .map(|s| s.parse().expect("a number"))
}

fn tags(rule: &Value) -> Vec<&str> {
    rule["properties"]["tags"]
        .as_array()
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Codes whose results are not security alerts: diagnostics, coverage hints, reviews.
fn non_security_codes() -> BTreeSet<&'static str> {
    rules::ALL
        .iter()
        .filter(|r| r.coverage_hint || r.code == RuleCode::OpenReview)
        .map(|r| r.code.as_str())
        .chain(Code::ALL.iter().map(|c| c.as_str()))
        .collect()
}

/// The embedded links of a SARIF plain-text message (`[text](id)`), with `\`-escapes honoured;
/// panics on an unescaped bracket that does not make a link.
fn links(message: &str) -> Vec<u64> {
    static TARGET: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\]\((\d+)\)").unwrap());
    let chars: Vec<char> = message.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            ']' => panic!("an unescaped `]` in {message:?}"),
            '[' => {
                let mut j = i + 1;
                while j < chars.len() && chars[j] != ']' {
                    assert_ne!(chars[j], '[', "a nested `[` in {message:?}");
                    j += if chars[j] == '\\' { 2 } else { 1 };
                }
                let rest: String = chars[j.min(chars.len())..].iter().collect();
                let target = TARGET
                    .captures(&rest)
                    .unwrap_or_else(|| panic!("`[` that opens no link in {message:?}"));
                out.push(target[1].parse().unwrap());
                i = j + target[0].chars().count();
            }
            _ => i += 1,
        }
    }
    out
}

/// The checklist of `docs/ci.md` ("What code scanning reads"), point by point.
fn assert_code_scanning_reads(sarif: &Value) {
    // The log: schema, version, at most 20 runs.
    assert_eq!(
        sarif["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(sarif["version"], "2.1.0");
    let runs = sarif["runs"].as_array().unwrap();
    assert!((1..=20).contains(&runs.len()));
    let run = run(sarif);
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "threatline");
    assert!(driver["semanticVersion"].is_string());
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    // Columns and the base of every URI.
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let bases = run["originalUriBaseIds"].as_object().unwrap();
    assert!(bases.contains_key("%SRCROOT%"));
    assert!(
        bases["%SRCROOT%"].get("uri").is_none(),
        "no absolute path of the machine"
    );
    if let Some(id) = run["automationDetails"]["id"].as_str() {
        assert!(id.ends_with('/'), "a category, no run id: {id}");
    }

    // Rules.
    let rules = rules_of(sarif);
    assert!(rules.len() <= 25_000);
    let pascal = Regex::new(r"^(\p{Lu}[\p{Ll}\p{Nd}]+)+$").unwrap();
    let headings = headings_of_rules_md();
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        assert!(ids.insert(id), "duplicate rule id {id}");
        let name = rule["name"].as_str().unwrap();
        assert!(names.insert(name), "duplicate rule name {name}");
        assert!(name.len() <= 255);
        assert!(pascal.is_match(name), "{id}: `{name}` is not Pascal case");
        assert!(!name.eq_ignore_ascii_case(id), "{id}: name is the id");
        let short = rule["shortDescription"]["text"].as_str().unwrap();
        let full = rule["fullDescription"]["text"].as_str().unwrap();
        for text in [short, full] {
            assert!(
                !text.trim().is_empty() && text.chars().count() <= 1024,
                "{id}"
            );
        }
        assert_ne!(short, full, "{id}: fullDescription repeats the summary");
        assert!(!rule["help"]["text"].as_str().unwrap().trim().is_empty());
        assert!(!rule["help"]["markdown"].as_str().unwrap().trim().is_empty());
        let code = rule["properties"]["code"].as_str().unwrap();
        assert!(id == code || id.starts_with(&format!("{code}/")), "{id}");
        let help_uri = rule["helpUri"].as_str().unwrap();
        let (page, anchor) = help_uri.split_once('#').unwrap();
        assert!(
            page.starts_with("https://") && page.ends_with("/docs/rules.md"),
            "{help_uri}"
        );
        assert_eq!(anchor, code);
        assert!(
            headings.contains(anchor),
            "no `## {anchor}` in docs/rules.md"
        );
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["note", "warning", "error"].contains(&level), "{id}");
        let precision = rule["properties"]["precision"].as_str().unwrap();
        assert!(["very-high", "high", "medium", "low"].contains(&precision));
        let problem = rule["properties"]["problem.severity"].as_str().unwrap();
        assert!(["error", "warning", "recommendation"].contains(&problem));
        let tags = tags(rule);
        assert!(tags.len() <= 10, "{id}: only 10 tags are shown");
        // A security alert has both the tag and a score in (0.0, 10.0]; nothing else has either.
        match score(rule) {
            Some(s) => {
                assert!(s > 0.0 && s <= 10.0, "{id}: {s}");
                assert!(tags.contains(&"security"), "{id}");
            }
            None => assert!(!tags.contains(&"security"), "{id}"),
        }
        // The score's band and the level agree.
        if let Some(s) = score(rule) {
            let want = if s >= 7.0 {
                "error"
            } else if s >= 4.0 {
                "warning"
            } else {
                "note"
            };
            assert_eq!(level, want, "{id}");
        }
    }

    // Results.
    let results = results_of(sarif);
    assert!(results.len() <= 25_000);
    for r in results {
        let rule_id = r["ruleId"].as_str().unwrap();
        let rule = rule_of(sarif, r);
        assert_eq!(
            rule["id"], rule_id,
            "ruleIndex points at the rule ruleId names"
        );
        let code = r["properties"]["code"].as_str().unwrap();
        assert_eq!(rule["properties"]["code"], code);
        let severity = r["properties"]["severity"].as_str().unwrap();
        let level = r["level"].as_str().unwrap();
        let want = match severity {
            "critical" | "high" | "error" => "error",
            "medium" | "warning" => "warning",
            "low" | "info" => "note",
            other => panic!("severity {other}"),
        };
        assert_eq!(level, want, "{rule_id}");
        if score(rule).is_some() {
            assert_eq!(
                rule_id,
                format!("{code}/{severity}"),
                "one rule per severity"
            );
        }
        let message = r["message"]["text"].as_str().unwrap();
        assert!(!message.trim().is_empty());
        assert!(message.ends_with(['.', '?', '!']), "a sentence: {message}");
        assert!(
            !r["partialFingerprints"]["threatline/v1"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        let locations = r["locations"].as_array().unwrap();
        assert_eq!(
            locations.len(),
            1,
            "one location; code scanning reads the first"
        );
        let related = r["relatedLocations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for l in locations.iter().chain(&related) {
            assert_location(run, l);
        }
        // Related locations: unique ids, each linked from the message, and no link to nothing.
        let related_ids: BTreeSet<u64> =
            related.iter().map(|l| l["id"].as_u64().unwrap()).collect();
        assert_eq!(related_ids.len(), related.len());
        let linked: BTreeSet<u64> = links(message).into_iter().collect();
        assert_eq!(linked, related_ids, "{message}");
        for l in &related {
            links(l["message"]["text"].as_str().unwrap());
        }
    }
}

/// A physical location as code scanning resolves it: a relative URI under `%SRCROOT%`, and a
/// region that starts at line and column 1 or later and ends where it starts or after.
fn assert_location(run: &Value, location: &Value) {
    let p = physical(location);
    let artifact = &p["artifactLocation"];
    let uri = artifact["uri"].as_str().unwrap();
    assert!(
        !uri.is_empty() && !uri.starts_with('/') && !uri.contains("://") && !uri.contains(".."),
        "relative: {uri}"
    );
    let base = artifact["uriBaseId"].as_str().unwrap();
    assert!(run["originalUriBaseIds"].get(base).is_some(), "{base}");
    let region = &p["region"];
    let start_line = region["startLine"].as_u64().unwrap();
    let start_column = region["startColumn"].as_u64().unwrap();
    let end_line = region["endLine"].as_u64().unwrap();
    assert!(start_line >= 1 && start_column >= 1, "{region}");
    assert!(end_line >= start_line, "{region}");
    if let Some(end_column) = region["endColumn"].as_u64() {
        assert!(
            end_line > start_line || end_column > start_column,
            "{region}"
        );
    }
}

/// The `##` headings of `docs/rules.md`: each code's section.
fn headings_of_rules_md() -> HashSet<String> {
    std::fs::read_to_string(Path::new(MANIFEST).join("docs/rules.md"))
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(|h| h.trim().to_string())
        .collect()
}

fn schema_errors(sarif: &Value) -> Vec<String> {
    static VALIDATOR: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
        let schema: Value = serde_json::from_str(
            &std::fs::read_to_string(
                Path::new(MANIFEST).join("tests/schemas/sarif-schema-2.1.0.json"),
            )
            .unwrap(),
        )
        .unwrap();
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles")
    });
    VALIDATOR
        .iter_errors(sarif)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// A tree with findings of every kind and diagnostics: a dangling reference, prose, a
/// malformed line, a space and brackets in a path.
fn diagnostics_tree() -> tempfile::TempDir {
    tree(&[
        (
            "x y/a [1].py",
            "# @exposes Shop:API to #nothing\n# @mitigates are prose\n# @mitigates Shop:API against (#broken\n",
        ),
        (
            "b.py",
            "# @threat Replay (#replay) [low]\n# @control TLS (#tls)\n# @review Shop:API is this right?\n# @connects Internet:User to Shop:API via HTTP\n",
        ),
    ])
}

#[test]
fn the_logs_validate_against_the_official_schema() {
    let dir = diagnostics_tree();
    let rules_tree = Path::new(MANIFEST).join("tests/rules/unprotected-crossing");
    let logs = [
        ("example", EXAMPLE_SARIF.clone()),
        (
            "diagnostics",
            sarif_of(dir.path(), &SarifOptions::default()),
        ),
        (
            "unprotected-crossing",
            sarif_of(&rules_tree, &SarifOptions::default()),
        ),
        (
            "attack-path",
            sarif_of(
                &Path::new(MANIFEST).join("tests/rules/attack-path"),
                &SarifOptions::default(),
            ),
        ),
    ];
    for (name, sarif) in &logs {
        let errors = schema_errors(sarif);
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        assert!(!results_of(sarif).is_empty(), "{name}");
    }
    // The validator checks formats too: a help link that is no URI fails.
    let mut broken = EXAMPLE_SARIF.clone();
    broken["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = Value::from("not a uri");
    assert!(!schema_errors(&broken).is_empty());
}

#[test]
fn the_logs_hold_what_code_scanning_reads() {
    let dir = diagnostics_tree();
    assert_code_scanning_reads(&EXAMPLE_SARIF);
    let sarif = sarif_of(dir.path(), &SarifOptions::default());
    assert_code_scanning_reads(&sarif);
    // The diagnostics tree has each kind: risks, hints, a review, errors and warnings.
    let codes: BTreeSet<&str> = results_of(&sarif)
        .iter()
        .map(|r| r["properties"]["code"].as_str().unwrap())
        .collect();
    for code in [
        "unmitigated-exposure",
        "unprotected-crossing",
        "untested-control",
        "open-review",
        "dangling-reference",
        "malformed-annotation",
        "prose-like",
    ] {
        assert!(codes.contains(code), "{code}: {codes:?}");
    }
}

/// `threatline check --format sarif` in `dir`: the exit code and the log.
fn check_sarif(dir: &Path) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["check", "--no-cache", "--format", "sarif"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    let sarif = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().expect("exited"), sarif)
}

#[test]
fn check_writes_the_log_for_findings_and_diagnostics() {
    let rules_tree = Path::new(MANIFEST).join("tests/rules/unprotected-crossing");
    let dir = diagnostics_tree();
    for root in [rules_tree.as_path(), dir.path()] {
        let (code, sarif) = check_sarif(root);
        assert_eq!(code, 1);
        let errors = schema_errors(&sarif);
        assert!(errors.is_empty(), "{errors:#?}");
        assert_code_scanning_reads(&sarif);
    }
    // A flow: its level, severity and both ends as related locations.
    let (_, sarif) = check_sarif(&rules_tree);
    let first = results_of(&sarif)
        .iter()
        .find(|r| {
            r["properties"]["code"] == "unprotected-crossing"
                && r["message"]["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("`User:Browser` -> `Cloud:App`"))
        })
        .unwrap();
    assert_eq!(first["ruleId"], "unprotected-crossing/high");
    assert_eq!(first["level"], "error");
    assert_eq!(first["properties"]["severity"], "high");
    assert_eq!(first["relatedLocations"].as_array().unwrap().len(), 2);
    // Diagnostics: their level, and the path percent-encoded.
    let (_, sarif) = check_sarif(dir.path());
    let results = results_of(&sarif);
    let dangling = results
        .iter()
        .find(|r| r["ruleId"] == "dangling-reference")
        .unwrap();
    assert_eq!(dangling["level"], "error");
    assert_eq!(dangling["properties"]["severity"], "error");
    assert_eq!(
        physical(&dangling["locations"][0])["artifactLocation"]["uri"],
        "x%20y/a%20%5B1%5D.py"
    );
    let prose = results
        .iter()
        .find(|r| r["ruleId"] == "prose-like")
        .unwrap();
    assert_eq!(prose["level"], "warning");
    assert_eq!(prose["properties"]["severity"], "warning");
    // The underlined span of a malformed line: from its `@` to the end of its text.
    let malformed = results
        .iter()
        .find(|r| r["ruleId"] == "malformed-annotation")
        .unwrap();
    let region = &physical(&malformed["locations"][0])["region"];
    assert_eq!(region["startColumn"], 3);
    assert_eq!(
        region["endColumn"],
        3 + "@mitigates Shop:API against (#broken".chars().count() as u64
    );
}

#[test]
fn a_critical_crossing_is_critical_and_a_low_exposure_low() {
    let sarif = &*EXAMPLE_SARIF;
    let crossing = result_at(
        sarif,
        ".github/workflows/ci.yml",
        63,
        "unprotected-crossing",
    );
    assert_eq!(crossing["ruleId"], "unprotected-crossing/critical");
    assert_eq!(crossing["properties"]["severity"], "critical");
    assert_eq!(crossing["level"], "error");
    let rule = rule_of(sarif, crossing);
    assert!(score(rule).unwrap() >= 9.0, "{rule}");
    assert!(tags(rule).contains(&"security"));

    let exposure = result_at(sarif, "orders/app/api.py", 65, "unmitigated-exposure");
    assert_eq!(exposure["ruleId"], "unmitigated-exposure/low");
    assert_eq!(exposure["level"], "note");
    let rule = rule_of(sarif, exposure);
    let low = score(rule).unwrap();
    assert!(low > 0.0 && low < 4.0, "{rule}");

    // Each risk rule has one rule per severity, the score in GitHub's band for it.
    for code in [
        "unmitigated-exposure",
        "unmitigated-threat",
        "unprotected-crossing",
    ] {
        for (severity, band) in [
            ("critical", 9.0..=10.0),
            ("high", 7.0..=8.9),
            ("medium", 4.0..=6.9),
            ("low", 0.1..=3.9),
        ] {
            let id = format!("{code}/{severity}");
            let rule = rules_of(sarif).iter().find(|r| r["id"] == id).unwrap();
            assert!(band.contains(&score(rule).unwrap()), "{id}");
        }
        // Info is below Low: a note with no score, not a security alert.
        let info = rules_of(sarif)
            .iter()
            .find(|r| r["id"] == format!("{code}/info"))
            .unwrap();
        assert_eq!(score(info), None);
        assert!(!tags(info).contains(&"security"));
    }
}

#[test]
fn diagnostics_and_coverage_hints_are_not_security_alerts() {
    let quiet = non_security_codes();
    assert!(quiet.contains("stride-gap") && quiet.contains("malformed-annotation"));
    for rule in rules_of(&EXAMPLE_SARIF) {
        let code = rule["properties"]["code"].as_str().unwrap();
        if quiet.contains(code) {
            assert_eq!(rule["id"], code, "one rule per code");
            assert_eq!(score(rule), None, "{code}");
            let tags = tags(rule);
            assert!(!tags.contains(&"security"), "{code}");
            assert!(
                tags.contains(&"maintainability") || tags.contains(&"correctness"),
                "{code}: {tags:?}"
            );
        }
    }
    // An error diagnostic is an error, not a High alert.
    let malformed = rules_of(&EXAMPLE_SARIF)
        .iter()
        .find(|r| r["id"] == "malformed-annotation")
        .unwrap();
    assert_eq!(malformed["defaultConfiguration"]["level"], "error");
    assert_eq!(malformed["properties"]["problem.severity"], "error");
}

#[test]
fn every_code_has_its_rules_whatever_the_run_found() {
    let ids: BTreeSet<&str> = rules_of(&EXAMPLE_SARIF)
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for code in RuleCode::ALL {
        assert!(
            ids.contains(code.as_str()) || ids.contains(format!("{code}/high").as_str()),
            "{code}"
        );
    }
    for code in Code::ALL {
        assert!(ids.contains(code.as_str()), "{code}");
    }
    // The same rules for an empty run: they change with the tool, not the code.
    let empty = sarif_of(
        tree(&[("a.py", "x = 1\n")]).path(),
        &SarifOptions::default(),
    );
    assert_eq!(rules_of(&empty), rules_of(&EXAMPLE_SARIF));
    assert_eq!(results_of(&empty).len(), 0);
}

#[test]
fn regions_cover_the_annotation_on_its_line() {
    let sarif = &*EXAMPLE_SARIF;
    for r in results_of(sarif) {
        for l in r["locations"]
            .as_array()
            .unwrap()
            .iter()
            .chain(r["relatedLocations"].as_array().into_iter().flatten())
        {
            let p = physical(l);
            let uri = p["artifactLocation"]["uri"].as_str().unwrap();
            let region = &p["region"];
            let line = region["startLine"].as_u64().unwrap() as usize;
            let start = region["startColumn"].as_u64().unwrap() as usize;
            let end = region["endColumn"].as_u64().unwrap() as usize;
            assert_eq!(region["endLine"], region["startLine"]);
            let source = std::fs::read_to_string(Path::new(EXAMPLE).join(uri)).unwrap();
            let text: Vec<char> = source.lines().nth(line - 1).unwrap().chars().collect();
            let covered: String = text[start - 1..end - 1].iter().collect();
            assert!(covered.starts_with('@'), "{uri}:{line}: {covered:?}");
            assert_eq!(
                covered,
                covered.trim_end(),
                "{uri}:{line}: ends on the text"
            );
            let rest: String = text[end - 1..].iter().collect();
            assert!(
                rest.trim().is_empty()
                    || rest.trim_start().starts_with("*/")
                    || rest.trim() == "-->",
                "{uri}:{line}: stops before {rest:?}"
            );
        }
    }
}

#[test]
fn an_annotation_written_in_a_sidecar_marks_the_whole_line_of_code() {
    let dir = tree(&[
        (
            ".guardlink/definitions.py",
            "# @asset App.DB (#db)\n# @threat SQL_Injection (#sqli)\n",
        ),
        ("app/db.py", "def find_expenses(q):\n    pass\n"),
        (
            ".guardlink/annotations/app/db.py.gal",
            "@source file:app/db.py line:1 symbol:find_expenses\n@exposes #db to #sqli [critical]\n",
        ),
    ]);
    let sarif = sarif_of(dir.path(), &SarifOptions::default());
    assert!(schema_errors(&sarif).is_empty());
    let exposure = result_at(&sarif, "app/db.py", 1, "unmitigated-exposure");
    assert_eq!(exposure["ruleId"], "unmitigated-exposure/critical");
    let region = &physical(&exposure["locations"][0])["region"];
    assert_eq!(region["startColumn"], 1);
    assert_eq!(region["endLine"], 1);
    assert!(
        region.get("endColumn").is_none(),
        "to the end of the line: {region}"
    );
    assert_eq!(
        exposure["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "find_expenses"
    );
}

#[test]
fn a_subfolder_scan_names_files_from_the_repository_root() {
    // `check orders` in the example: every URI resolves from the example's root.
    let options = SarifOptions {
        path_prefix: "orders".to_string(),
        category: "threatline/orders/".to_string(),
    };
    let sarif = sarif_of(&Path::new(EXAMPLE).join("orders"), &options);
    assert!(schema_errors(&sarif).is_empty());
    assert_eq!(run(&sarif)["automationDetails"]["id"], "threatline/orders/");
    let results = results_of(&sarif);
    assert!(!results.is_empty());
    for r in results {
        for l in r["locations"]
            .as_array()
            .unwrap()
            .iter()
            .chain(r["relatedLocations"].as_array().into_iter().flatten())
        {
            let uri = physical(l)["artifactLocation"]["uri"].as_str().unwrap();
            assert!(uri.starts_with("orders/"), "{uri}");
            assert!(Path::new(EXAMPLE).join(uri).is_file(), "{uri}");
        }
    }
    // The same finding as in the whole example, at the same place.
    let low = result_at(&sarif, "orders/app/api.py", 65, "unmitigated-exposure");
    assert_eq!(low["ruleId"], "unmitigated-exposure/low");
}

#[test]
fn check_in_a_subfolder_of_a_repository_reports_repository_paths() {
    let dir = tree(&[
        (
            "services/api/app py.py",
            "# @exposes Shop:API to #nothing\n",
        ),
        ("services/web/b.py", "# @exposes Shop:Web to XSS [high]\n"),
    ]);
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["check", "--no-cache", "--format", "sarif", "services/api"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(schema_errors(&sarif).is_empty());
    assert_code_scanning_reads(&sarif);
    let uris: BTreeSet<&str> = results_of(&sarif)
        .iter()
        .map(|r| {
            physical(&r["locations"][0])["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(uris, BTreeSet::from(["services/api/app%20py.py"]));
    assert!(
        run(&sarif)["automationDetails"]["id"]
            .as_str()
            .unwrap()
            .contains("services/api"),
        "one category per scanned folder"
    );
}

#[test]
fn related_places_are_linked_from_the_message() {
    let sarif = &*EXAMPLE_SARIF;
    let crossing = result_at(
        sarif,
        ".github/workflows/ci.yml",
        63,
        "unprotected-crossing",
    );
    let message = crossing["message"]["text"].as_str().unwrap();
    assert_eq!(links(message), [1, 2]);
    assert!(
        message.contains("[source: `GitHub:CI` (zone `github`)](1)"),
        "{message}"
    );
    // The first sentence is the finding; the fix comes last.
    assert!(message.starts_with("flow `GitHub:CI` -> "), "{message}");
    assert!(message.contains(" Fix: "), "{message}");
    let related = crossing["relatedLocations"].as_array().unwrap();
    assert_eq!(related.len(), 2);
    assert_eq!(related[0]["id"], 1);

    // A pair exposed in two places: the other exposure is related.
    let dir = tree(&[(
        "a.py",
        "# @exposes Shop:API to SQL injection [high]\nx = 1\n# @exposes Shop:API to SQL injection [low]\n",
    )]);
    let sarif = sarif_of(dir.path(), &SarifOptions::default());
    let exposure = result_at(&sarif, "a.py", 1, "unmitigated-exposure");
    assert_eq!(exposure["ruleId"], "unmitigated-exposure/high");
    let related = exposure["relatedLocations"].as_array().unwrap();
    assert_eq!(related.len(), 1);
    assert_eq!(physical(&related[0])["region"]["startLine"], 3);
    assert_eq!(
        links(exposure["message"]["text"].as_str().unwrap()),
        [1],
        "{exposure}"
    );
}

#[test]
fn an_attack_path_is_a_code_flow_in_hop_order() {
    let sarif = sarif_of(
        &Path::new(MANIFEST).join("tests/rules/attack-path"),
        &SarifOptions::default(),
    );
    assert!(
        schema_errors(&sarif).is_empty(),
        "{:#?}",
        schema_errors(&sarif)
    );
    assert_code_scanning_reads(&sarif);
    let line = |l: &Value| physical(l)["region"]["startLine"].as_u64().unwrap();
    for (uri, at, severity, hops) in [
        ("shop.py", 6, "critical", vec![4, 5, 6]),
        ("billing.ts", 5, "critical", vec![4, 5]),
        ("suppliers.go", 8, "high", vec![7, 8]),
    ] {
        let result = result_at(&sarif, uri, at, "attack-path");
        // A security alert with its own severity, as every risk rule.
        assert_eq!(result["ruleId"], format!("attack-path/{severity}"));
        let rule = rule_of(&sarif, result);
        assert!(tags(rule).contains(&"security"), "{rule}");
        assert!(score(rule).unwrap() >= 7.0);
        // One code flow, one thread flow, a location per hop, in hop order; the same places
        // as the related locations, with the same messages.
        let flows = result["codeFlows"].as_array().unwrap();
        assert_eq!(flows.len(), 1);
        let threads = flows[0]["threadFlows"].as_array().unwrap();
        assert_eq!(threads.len(), 1);
        let steps = threads[0]["locations"].as_array().unwrap();
        let lines: Vec<u64> = steps.iter().map(|s| line(&s["location"])).collect();
        assert_eq!(lines, hops, "{uri}");
        let related = result["relatedLocations"].as_array().unwrap();
        let related_lines: Vec<u64> = related.iter().map(line).collect();
        assert_eq!(related_lines, hops);
        for (i, (step, r)) in steps.iter().zip(related).enumerate() {
            assert_eq!(step["executionOrder"], i as u64 + 1);
            assert_eq!(step["location"]["message"], r["message"]);
            assert_location(run(&sarif), &step["location"]);
        }
        // The last hop is where the result is.
        assert_eq!(line(&steps[steps.len() - 1]["location"]), at);
    }
    let vault = result_at(&sarif, "shop.py", 6, "attack-path");
    assert_eq!(
        vault["codeFlows"][0]["message"]["text"],
        "Internet:Visitor → Shop:Web → Shop:Checkout → Shop:Card Vault."
    );
    // Only attack paths carry code flows.
    for r in results_of(&sarif) {
        assert_eq!(
            r.get("codeFlows").is_some(),
            r["properties"]["code"] == "attack-path",
            "{r}"
        );
    }
}

#[test]
fn annotation_text_cannot_forge_a_link() {
    let dir = tree(&[(
        "a.py",
        "# @exposes \"Web:[here](1)\" to \"T [x](javascript:alert(5)) \\\\\" [high]\n# @connects \"Web:[here](1)\" to \"Db:[a](2)\" via HTTP\n",
    )]);
    let sarif = sarif_of(dir.path(), &SarifOptions::default());
    assert!(schema_errors(&sarif).is_empty());
    assert_code_scanning_reads(&sarif);
    let text = sarif.to_string();
    assert!(text.contains(r"\\[x\\](javascript:alert(5))"), "{text}");
    for r in results_of(&sarif) {
        let message = r["message"]["text"].as_str().unwrap();
        let related = r["relatedLocations"].as_array().map_or(0, Vec::len) as u64;
        assert_eq!(
            links(message),
            (1..=related).collect::<Vec<_>>(),
            "{message}"
        );
    }
}

#[test]
fn the_log_is_the_same_byte_for_byte_and_pinned() {
    let model = ScanOptions::for_tree(EXAMPLE).unwrap().scan().unwrap();
    let options = SarifOptions::default();
    assert_eq!(to_sarif(&model, &options), to_sarif(&model, &options));
    // Reviewed by eye when they change: the rules, and where each result lands.
    let mut rules = String::new();
    for rule in rules_of(&EXAMPLE_SARIF) {
        rules.push_str(&format!(
            "{} {} level={} security-severity={} precision={} tags={}\n",
            rule["id"].as_str().unwrap(),
            rule["name"].as_str().unwrap(),
            rule["defaultConfiguration"]["level"].as_str().unwrap(),
            rule["properties"]["security-severity"]
                .as_str()
                .unwrap_or("-"),
            rule["properties"]["precision"].as_str().unwrap(),
            tags(rule).join(","),
        ));
    }
    insta::assert_snapshot!("sarif_rules", rules);
    let mut places: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in results_of(&EXAMPLE_SARIF) {
        let p = physical(&r["locations"][0]);
        let region = &p["region"];
        places
            .entry(r["ruleId"].as_str().unwrap().to_string())
            .or_default()
            .push(format!(
                "{} {}:{}:{}-{}:{}",
                r["level"].as_str().unwrap(),
                p["artifactLocation"]["uri"].as_str().unwrap(),
                region["startLine"],
                region["startColumn"],
                region["endLine"],
                region["endColumn"],
            ));
    }
    let places: String = places
        .iter()
        .map(|(rule, at)| format!("{rule}\n  {}\n", at.join("\n  ")))
        .collect();
    insta::assert_snapshot!("sarif_example_results", places);
}
