//! The command line's manners, end to end through the binary: the verdict always on
//! stderr, `--quiet`, informational findings folded, files as roots, did-you-mean,
//! completions and the man page, one help layout, the job summary.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::tree;

fn threatline_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_threatline"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("runs")
}

fn threatline(args: &[&str], dir: &Path) -> Output {
    threatline_env(args, dir, &[])
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A tree that fails the default gate (one critical exposure) and has informational
/// findings (an untested control, stride gaps).
const FAILING: &[(&str, &str)] = &[
    (
        "api/app.py",
        "# @component Shop:API (#api)\n# @exposes #api to SQL injection [critical]\n",
    ),
    (
        "api/auth.py",
        "# @mitigates #api against Session fixation with #rotate\n# @control Session rotation (#rotate)\n",
    ),
];

#[test]
fn the_verdict_goes_to_stderr_whatever_the_format_and_output() {
    let dir = tree(FAILING);
    for format in ["text", "json", "yaml", "sarif", "github", "gitlab", "junit"] {
        for to_file in [false, true] {
            let mut args = vec!["check", ".", "--format", format];
            if to_file {
                args.extend(["-o", "out.txt"]);
            }
            let out = threatline(&args, dir.path());
            assert_eq!(code(&out), 1, "{format}: {}", stderr(&out));
            let last = stderr(&out).lines().last().unwrap_or_default().to_string();
            assert!(
                last.starts_with("FAIL: 1 finding at or above high · "),
                "{format} (-o: {to_file}): {last}"
            );
            assert!(last.contains("1 critical"), "{last}");
            if to_file {
                assert!(stdout(&out).is_empty(), "{format}: stdout with -o");
                assert!(dir.path().join("out.txt").is_file());
            }
        }
    }
}

#[test]
fn quiet_prints_the_verdict_alone_and_still_writes_the_file() {
    let dir = tree(FAILING);
    let out = threatline(&["check", ".", "-q"], dir.path());
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(stderr(&out).starts_with("FAIL: "));

    let out = threatline(
        &[
            "check", ".", "--quiet", "--format", "sarif", "-o", "x.sarif",
        ],
        dir.path(),
    );
    assert_eq!(code(&out), 1);
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    let sarif = std::fs::read_to_string(dir.path().join("x.sarif")).unwrap();
    assert!(sarif.contains("\"version\": \"2.1.0\""));

    let clean = tree(&[("a.py", "# @component A\n")]);
    let out = threatline(&["check", "-q"], clean.path());
    assert_eq!(code(&out), 0);
    assert!(stderr(&out).starts_with("PASS: nothing at or above high · "));
}

#[test]
fn a_text_report_written_to_a_file_ends_with_its_verdict() {
    let dir = tree(FAILING);
    let out = threatline(&["check", ".", "-o", "report.txt"], dir.path());
    assert_eq!(code(&out), 1);
    let report = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(
        report.lines().last().unwrap().starts_with("FAIL: "),
        "{report}"
    );
    assert!(!report.contains('\u{1b}'), "no colour in a file");
}

#[test]
fn informational_findings_fold_into_one_line_per_rule_unless_asked() {
    let dir = tree(FAILING);
    let folded = stdout(&threatline(&["check", "."], dir.path()));
    let listed = stdout(&threatline(&["check", ".", "--show-info"], dir.path()));
    assert!(folded.contains("CRITICAL unmitigated-exposure"), "{folded}");
    assert!(listed.contains("CRITICAL unmitigated-exposure"), "{listed}");
    let info_lines = |text: &str| text.lines().filter(|l| l.contains("INFO ")).count();
    // untested-control and stride-gap: one line each when folded.
    assert_eq!(info_lines(&folded), 2, "{folded}");
    assert_eq!(info_lines(&listed), 2, "{listed}");
    assert!(
        listed.contains("INFO     stride-gap  api/app.py:1:3"),
        "{listed}"
    );
    assert!(!folded.contains("api/app.py:1:3"), "{folded}");
    assert!(
        folded.contains("--show-info lists them") && folded.contains("untested-control  1 × "),
        "{folded}"
    );
    assert!(listed.contains("control `Session rotation` has no `@tests`"));
}

#[test]
fn files_are_checked_within_their_project() {
    let dir = tree(&[
        ("threatline.yaml", "fail_on: critical\n"),
        (
            "orders/api.py",
            "# @exposes #orders to #sqli\n# @exposes #orders to Session fixation [critical]\n",
        ),
        (
            "orders/model.py",
            "# @component Shop:Orders (#orders)\n# @threat SQL injection (#sqli) [critical]\n",
        ),
        (
            "payments/pay.py",
            "# @exposes Shop:Payments to Card theft [critical]\n",
        ),
    ]);
    // The file alone: `#orders` and `#sqli` resolve in model.py; payments is not reported.
    let out = threatline(&["check", "orders/api.py"], dir.path());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains("dangling-reference"), "{text}");
    assert!(text.contains("orders/api.py:1:3"), "{text}");
    assert!(text.contains("orders/api.py:2:3"), "{text}");
    assert!(!text.contains("payments/pay.py"), "{text}");
    assert!(
        stderr(&out).contains("2 findings in .:"),
        "{}",
        stderr(&out)
    );

    // From inside a folder, the project root is found above it (its threatline.yaml).
    let out = threatline(
        &["check", "api.py", "--format", "json"],
        &dir.path().join("orders"),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let files: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(
        !files.is_empty() && files.iter().all(|f| *f == "orders/api.py"),
        "{files:?}"
    );

    // Several files; scan too.
    let out = threatline(
        &[
            "scan",
            "orders/model.py",
            "payments/pay.py",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let files: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"payments/pay.py"), "{files:?}");
    assert!(!files.contains(&"orders/api.py"), "{files:?}");

    // A file that does not exist is a usage error, named.
    let out = threatline(&["check", "orders/api.py", "nope.py"], dir.path());
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("nope.py"), "{}", stderr(&out));
}

#[test]
fn a_mistyped_subcommand_gets_a_suggestion_not_a_missing_path() {
    let dir = tree(&[("a.py", "# @component A\n")]);
    let out = threatline(&["chek"], dir.path());
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("a similar subcommand exists: 'check'"),
        "{}",
        stderr(&out)
    );
    // A folder of that name is still a path.
    std::fs::create_dir(dir.path().join("chek")).unwrap();
    let out = threatline(&["chek"], dir.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn explain_reads_codes_in_any_case_and_suggests_the_nearest() {
    let dir = tree(&[]);
    let out = threatline(&["explain", "UNPROTECTED-CROSSING"], dir.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).starts_with("# unprotected-crossing\n"));
    let out = threatline(&["explain", "unprotected-crosing"], dir.path());
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("did you mean `unprotected-crossing`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn completions_and_the_man_page_come_from_the_command_definition() {
    let dir = tree(&[]);
    let out = threatline(&["completions", "bash"], dir.path());
    assert_eq!(code(&out), 0);
    let script = stdout(&out);
    assert!(script.contains("--fail-on") && script.contains("completions"));
    // The script is valid bash.
    let script_file = dir.path().join("threatline.bash");
    std::fs::write(&script_file, &script).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&script_file).output();
    if let Ok(syntax) = syntax {
        assert!(syntax.status.success(), "{}", stderr(&syntax));
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let out = threatline(&["completions", shell], dir.path());
        assert_eq!(code(&out), 0, "{shell}");
        assert!(stdout(&out).contains("threatline"), "{shell}");
    }
    let out = threatline(&["man"], dir.path());
    assert_eq!(code(&out), 0);
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie") || page.contains(".TH threatline"),
        "{page}"
    );
    assert!(page.contains("check"));
}

#[test]
fn every_subcommand_has_the_same_help_layout() {
    let dir = tree(&[]);
    for sub in [
        "check",
        "scan",
        "baseline",
        "coverage",
        "explain",
        "report",
        "catalogue",
        "import",
        "init",
        "merge",
        "completions",
        "cache",
    ] {
        let out = threatline(&[sub, "--help"], dir.path());
        assert_eq!(code(&out), 0, "{sub}");
        let help = stdout(&out);
        // The short layout: one line per option (clap's long layout, which a variant's
        // doc comment turns on, puts each description on its own indented line).
        assert!(
            !help.contains("\n          "),
            "{sub} --help uses the long layout:\n{help}"
        );
        assert!(help.contains("Usage: threatline "), "{sub}");
    }
}

#[test]
fn a_github_job_gets_a_summary_of_the_gate() {
    let dir = tree(FAILING);
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let out = threatline_env(
        &["check", ".", "--format", "github"],
        dir.path(),
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    assert_eq!(code(&out), 1);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n"), "appended, not replaced");
    assert!(text.contains("FAIL"), "{text}");
    assert!(text.contains("api/app.py"), "{text}");
    // And the workflow commands went to stdout.
    assert!(
        stdout(&out).starts_with("::error file="),
        "{}",
        stdout(&out)
    );
}
