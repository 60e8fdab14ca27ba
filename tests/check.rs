//! `threatline check` end to end through the binary: exit codes (SPEC §6), config, baselines,
//! and a closed stdout. SARIF, schema and code scanning's rules, is `tests/sarif.rs`.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{tree, write};

fn threatline(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited, not killed")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const CLEAN: &str = "# @threat SQL injection (#sqli) [high]\n# @exposes Shop:API to #sqli\n# @mitigates Shop:API against #sqli with #pq\n# @control Parameterized queries (#pq)\n# @tests #pq for Shop:API\n";

#[test]
fn exit_0_when_nothing_reaches_the_threshold() {
    let dir = tree(&[("a.py", CLEAN)]);
    let out = threatline(&["check", "."], dir.path());
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    // The verdict goes to stderr, whatever the format.
    assert!(
        stderr(&out).starts_with("PASS: nothing at or above high"),
        "{}",
        stderr(&out)
    );
    // No subcommand runs `check .`.
    assert_eq!(code(&threatline(&[], dir.path())), 0);
}

#[test]
fn exit_1_on_findings_at_or_above_fail_on() {
    let dir = tree(&[("a.py", "# @exposes Shop:API to SQL injection [medium]\n")]);
    let out = threatline(&["check"], dir.path());
    assert_eq!(code(&out), 0, "medium is below the default `high`");
    let out = threatline(&["check", "--fail-on", "medium"], dir.path());
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(text.contains("Compute layer"), "{text}");
    assert!(text.contains("a.py:1:3"), "{text}");
    assert!(
        text.contains("fix: add `@mitigates #shop.api against #sql_injection"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("FAIL: 1 finding at or above medium · 2 findings in .:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn exit_1_on_any_error_diagnostic() {
    let dir = tree(&[
        ("a.py", "# @mitigates Shop:API against (#broken\n"),
        (
            "model.threatline",
            "@threat Broken access control (#bac) [low]\n",
        ),
    ]);
    let out = threatline(&["check", "--fail-on", "critical"], dir.path());
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("malformed-annotation"));
}

#[test]
fn a_tree_with_no_threat_annotations_says_so_and_passes() {
    // SPEC §3.3: with no threat model, a `@verb` line that does not parse is someone
    // else's prose; `check` says what it read instead of a silent PASS.
    let dir = tree(&[
        ("a.py", "# @mitigates Shop:API against (#broken\n"),
        (
            "b.c",
            "/**\n * @control is set, further wait until idle.\n * @Test\n */\nint f;\n",
        ),
    ]);
    let out = threatline(&["check"], dir.path());
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(
        text.contains("found no threat annotations in")
            && text.contains("2 files seen, 2 `@verb` lines read as prose"),
        "{text}"
    );
    assert!(!text.contains("malformed-annotation"), "{text}");
    // Machine formats stay clean; the note goes to stderr, for the CI log.
    let out = threatline(&["check", "--format", "sarif"], dir.path());
    assert_eq!(code(&out), 0);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("found no threat annotations"),
        "{out:?}"
    );
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"],
        serde_json::json!([]),
        "{sarif}"
    );
}

#[test]
fn exit_2_on_a_bad_flag_a_bad_config_or_an_unreadable_root() {
    let dir = tree(&[("a.py", CLEAN)]);
    assert_eq!(
        code(&threatline(&["check", "--fail-on", "severe"], dir.path())),
        2
    );
    assert_eq!(code(&threatline(&["check", "--frobnicate"], dir.path())), 2);

    write(
        dir.path(),
        "threatline.yaml",
        b"fail_on: high\nseverty:\n  open-review: low\n",
    );
    let out = threatline(&["check"], dir.path());
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("severty"), "{}", stderr(&out));

    write(dir.path(), "threatline.yaml", b"exclude: [../elsewhere]\n");
    let out = threatline(&["check"], dir.path());
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("../elsewhere"), "{}", stderr(&out));

    let out = threatline(&["check", "does/not/exist"], dir.path());
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("does/not/exist"), "{}", stderr(&out));
}

#[test]
fn config_sets_the_threshold_severities_and_excludes() {
    let dir = tree(&[
        (
            "src/a.py",
            "# @exposes Shop:API to SQL injection [medium]\n",
        ),
        ("gen/b.py", "# @exposes Shop:Gen to XSS [critical]\n"),
        (
            "threatline.yaml",
            "fail_on: medium\nexclude: [gen/]\nseverity:\n  unmitigated-exposure: low\n  stride-gap: off\n",
        ),
    ]);
    let out = threatline(&["check", "--format", "json"], dir.path());
    assert_eq!(code(&out), 0, "overridden to low, below medium");
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["severity"], "low");
    assert_eq!(findings[0]["file"], "src/a.py");
    // The flag wins over the config.
    assert_eq!(
        code(&threatline(&["check", "--fail-on", "low"], dir.path())),
        1
    );
}

#[test]
fn config_is_found_upward_from_the_scanned_path() {
    let dir = tree(&[
        (
            "threatline.yaml",
            "severity:\n  untested-control: off\n  unmitigated-exposure: critical\n  stride-gap: off\n",
        ),
        (
            "svc/a.py",
            "# @exposes Shop:API to SQL injection [low]\n# @control Unused (#u)\n",
        ),
    ]);
    let out = threatline(&["check", "svc", "--format", "json"], dir.path());
    assert_eq!(code(&out), 1);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["unmitigated-exposure"]);
}

#[test]
fn baseline_round_trip() {
    let dir = tree(&[
        (
            "src/a.py",
            "# @exposes Shop:API to SQL injection [high]\n# @exposes Shop:API to #typo\n",
        ),
        ("src/b.py", "# @review Shop:API Check the session code\n"),
    ]);
    assert_eq!(code(&threatline(&["check"], dir.path())), 1);
    let out = threatline(&["baseline", ".", "-o", "baseline.yaml"], dir.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = threatline(&["check", "--baseline", "baseline.yaml"], dir.path());
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stderr(&out).contains("hidden by the baseline"));

    // Moving the annotations keeps the fingerprints.
    write(
        dir.path(),
        "src/a.py",
        b"import os\n\n\ndef f():\n    # @exposes Shop:API to #typo\n    # @exposes Shop:API to SQL injection [high]\n    pass\n",
    );
    assert_eq!(
        code(&threatline(
            &["check", "--baseline", "baseline.yaml"],
            dir.path()
        )),
        0
    );

    // A new exposure fails.
    write(
        dir.path(),
        "src/c.py",
        b"# @exposes Shop:DB to Data theft [critical]\n",
    );
    let out = threatline(&["check", "--baseline", "baseline.yaml"], dir.path());
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).contains("Data theft"));
    std::fs::remove_file(dir.path().join("src/c.py")).unwrap();

    // An expired entry hides nothing; a fixed finding leaves an orphaned entry (a warning).
    let text = std::fs::read_to_string(dir.path().join("baseline.yaml")).unwrap();
    let expired = text.replacen("expires: null", "expires: 2001-01-01", 10);
    write(dir.path(), "expired.yaml", expired.as_bytes());
    let out = threatline(&["check", "--baseline", "expired.yaml"], dir.path());
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("expired on 2001-01-01"),
        "{}",
        stdout(&out)
    );
    write(dir.path(), "src/b.py", b"def f(): pass\n");
    let out = threatline(&["check", "--baseline", "baseline.yaml"], dir.path());
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains("baseline-orphan"), "{}", stdout(&out));

    // A broken baseline is the tool failing to do its job.
    write(
        dir.path(),
        "bad.yaml",
        b"version: 1\nfindings:\n  - fingerprint: x\n    cod: y\n",
    );
    assert_eq!(
        code(&threatline(
            &["check", "--baseline", "bad.yaml"],
            dir.path()
        )),
        2
    );
}

#[test]
fn explain_prints_each_codes_documentation() {
    let dir = tree(&[]);
    let out = threatline(&["explain", "unmitigated-exposure"], dir.path());
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("## Why it matters"));
    let out = threatline(&["explain", "dangling-reference"], dir.path());
    assert!(stdout(&out).contains("did you mean"));
    assert_eq!(
        code(&threatline(&["explain", "no-such-code"], dir.path())),
        2
    );
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let mut files = Vec::new();
    for i in 0..300 {
        files.push((
            format!("f{i}.py"),
            format!("# @exposes Shop:S{i} to Threat {i} [high]\n"),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = tree(&refs);
    let mut child = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["check", "."])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .as_mut()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
}

#[test]
fn a_panic_in_a_worker_thread_exits_2_never_0_or_1() {
    let dir = tree(&[("a.py", CLEAN), ("boom.py", CLEAN)]);
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["check", "."])
        .current_dir(dir.path())
        .env("THREATLINE_TEST_PANIC_ON", "boom.py")
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("internal error") && err.contains("bug"),
        "{err}"
    );
}

#[test]
fn an_unwritable_output_exits_2() {
    let dir = tree(&[("a.py", CLEAN)]);
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let out = threatline(&["check", "--format", "json", "-o", "out"], dir.path());
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("out"), "{}", stderr(&out));
}

#[test]
fn scan_reads_the_same_config_as_check() {
    let dir = tree(&[
        ("a.py", "# @connects A:X to B:Y with HTTP\n"),
        (
            "threatline.yaml",
            "implicit_zones: false\nseverity:\n  stride-gap: off\n",
        ),
    ]);
    let scan: serde_json::Value =
        serde_json::from_str(&stdout(&threatline(&["scan"], dir.path()))).unwrap();
    assert_eq!(scan["flows"][0]["from_zone"], "default");
    assert!(scan["findings"].as_array().unwrap().is_empty());
}

#[test]
fn baseline_messages_never_show_paths_outside_the_root() {
    let dir = tree(&[("a.py", "# @exposes A to #nothing\n# @review A look\n")]);
    let elsewhere = tree(&[]);
    let baseline = elsewhere.path().join("bl.yaml");
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["baseline", "-o"])
        .arg(&baseline)
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    // Expired: the error diagnostic comes back with a note; fixed: an orphan at `bl.yaml`.
    let text = std::fs::read_to_string(&baseline).unwrap();
    std::fs::write(
        &baseline,
        text.replacen("expires: null", "expires: 2001-01-01", 10),
    )
    .unwrap();
    write(dir.path(), "a.py", b"# @exposes A to #nothing\n");
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["check", "--format", "sarif", "--baseline"])
        .arg(&baseline)
        .arg(dir.path())
        .output()
        .unwrap();
    let sarif = stdout(&out);
    assert!(sarif.contains("expired on 2001-01-01"), "{sarif}");
    assert!(sarif.contains("\"uri\": \"bl.yaml\""), "{sarif}");
    assert!(
        !sarif.contains(elsewhere.path().to_str().unwrap()),
        "{sarif}"
    );
}

#[test]
fn organisation_catalogues_come_from_the_config() {
    let dir = tree(&[
        (
            "security/acme.yaml",
            "threats:\n  - id: acme-badge-cloning\n    name: Badge cloning\n    layer: control\n    component: door controller\n    stride: [spoofing]\n    likelihood: medium\n    priority: high\n    description: Cloned RFID badges open doors.\n    countermeasures: [Use DESFire EV3 badges]\n    example: A Proxmark copies a badge in a lift.\n",
        ),
        ("threatline.yaml", "catalogues: [security/acme.yaml]\n"),
        ("doors.py", "# @exposes Site:Doors to #acme-badge-cloning\n"),
    ]);
    let out = threatline(&["check", "--format", "json"], dir.path());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["threats"][0]["catalogue"], "acme-badge-cloning");
    assert_eq!(json["threats"][0]["severity"], "high");
    let out = threatline(&["catalogue", "--search", "badge"], dir.path());
    assert!(
        stdout(&out).contains("acme-badge-cloning"),
        "{}",
        stdout(&out)
    );
    // A broken organisation catalogue is a config error.
    write(dir.path(), "security/acme.yaml", b"threats:\n  - id: x\n");
    let out = threatline(&["check"], dir.path());
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("acme.yaml"), "{}", stderr(&out));
}
