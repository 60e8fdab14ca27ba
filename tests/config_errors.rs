//! A mistake in `threatline.yaml` (or a baseline) is one error: said once, naming the
//! file as the person knows it, with the line and column, the line itself and what would
//! be right, and exit code 2. Through the binary, as CI sees it; then the typed errors a
//! library caller matches on.

mod common;

use std::path::Path;
use std::process::Command;

use threatline::config::{Config, ConfigError, FileKind};

/// `threatline check ARGS` in `dir`: the exit code and stderr.
fn check(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A project with this config and one annotated file.
fn project(config: &str) -> tempfile::TempDir {
    common::tree(&[("threatline.yaml", config), ("app.py", "# @component A\n")])
}

/// What every config error on stderr must be: one error, never `<input>`, the file
/// with a line and column, the line shown, and `expected` (the hint).
fn assert_one_error(err: &str, at: &str, line: &str, expected: &[&str]) {
    assert_eq!(
        err.to_lowercase().matches("error").count(),
        1,
        "\"error\" once:\n{err}"
    );
    // The command line's prefix, or the diagnostic's `error[config]` title.
    assert!(
        err.starts_with("threatline: error: ") || err.starts_with("error[config]: "),
        "{err}"
    );
    assert!(!err.contains("<input>"), "{err}");
    assert_eq!(err.matches(" --> ").count(), 1, "{err}");
    assert!(err.contains(&format!(" --> {at}\n")), "{at}:\n{err}");
    assert!(err.contains(&format!(" | {line}\n")), "{line}:\n{err}");
    for e in expected {
        assert!(err.contains(e), "{e}:\n{err}");
    }
}

#[test]
fn a_misspelt_severity_is_one_error_with_the_nearest_severity() {
    let dir = project("fail_on: hgh\n");
    let (code, err) = check(dir.path(), &["."]);
    assert_eq!(code, 2, "{err}");
    assert_one_error(
        &err,
        "threatline.yaml:1:10",
        "fail_on: hgh",
        &[
            "`fail_on: hgh` is not a severity",
            "help: did you mean `high`? (one of critical, high, medium, low, info)",
        ],
    );
    // The value underlined, not the line.
    assert!(err.contains("\n  |          ^^^\n"), "{err}");
}

#[test]
fn a_misspelt_code_is_one_error_with_the_nearest_code_and_the_codes() {
    for (config, at, line) in [
        (
            "severity: {untested-contrl: off}\n",
            "threatline.yaml:1:12",
            "severity: {untested-contrl: off}",
        ),
        (
            "fail_on: high\nseverity:\n  untested-contrl: off\n",
            "threatline.yaml:3:3",
            "  untested-contrl: off",
        ),
    ] {
        let dir = project(config);
        let (code, err) = check(dir.path(), &["."]);
        assert_eq!(code, 2, "{err}");
        assert_one_error(
            &err,
            at,
            line,
            &[
                "`severity: untested-contrl` is not a finding code",
                "did you mean `untested-control`?",
                "unmitigated-exposure, unmitigated-threat, unprotected-crossing, attack-path, untested-control, open-review, stride-gap",
            ],
        );
    }
}

#[test]
fn an_unknown_key_is_one_error_with_the_nearest_key() {
    let dir = project("paths: [.]\nfial_on: high\n");
    let (code, err) = check(dir.path(), &["."]);
    assert_eq!(code, 2, "{err}");
    assert_one_error(
        &err,
        "threatline.yaml:2:1",
        "fial_on: high",
        &["unknown key `fial_on`", "help: did you mean `fail_on`?"],
    );
    assert!(err.contains("\n  | ^^^^^^^\n"), "{err}");
    // Nested keys are checked against their own level.
    let dir = project("transports:\n  infre: false\n");
    let (code, err) = check(dir.path(), &["."]);
    assert_eq!(code, 2, "{err}");
    assert_one_error(
        &err,
        "threatline.yaml:2:3",
        "  infre: false",
        &["unknown key `infre`", "did you mean `infer`?"],
    );
}

#[test]
fn bad_indentation_is_one_error_at_the_line_that_breaks() {
    for (config, at, line) in [
        (
            "fail_on: high\nseverity:\n  untested-control: off\n   open-review: low\n",
            "threatline.yaml:4:15",
            "   open-review: low",
        ),
        (
            "severity:\n  untested-control: off\n open-review: low\n",
            "threatline.yaml:3:2",
            " open-review: low",
        ),
    ] {
        let dir = project(config);
        let (code, err) = check(dir.path(), &["."]);
        assert_eq!(code, 2, "{err}");
        assert_one_error(
            &err,
            at,
            line,
            &["help: check the indentation (the keys of one mapping start in the same column)"],
        );
    }
}

#[test]
fn the_file_is_named_as_given_or_relative_to_the_scanned_root() {
    // `--config` as given.
    let dir = project("fail_on: hgh\n");
    common::write(dir.path(), "conf/strict.yaml", b"fial_on: high\n");
    let (code, err) = check(dir.path(), &["--config", "conf/strict.yaml", "."]);
    assert_eq!(code, 2, "{err}");
    assert_one_error(
        &err,
        "conf/strict.yaml:1:1",
        "fial_on: high",
        &["did you mean `fail_on`?"],
    );
    // Found above the scanned directory: relative to it, never absolute.
    common::write(dir.path(), "sub/b.py", b"# @component B\n");
    let (code, err) = check(dir.path(), &["sub"]);
    assert_eq!(code, 2, "{err}");
    assert_one_error(
        &err,
        "../threatline.yaml:1:10",
        "fail_on: hgh",
        &["did you mean `high`?"],
    );
    assert!(!err.contains(dir.path().to_str().unwrap()), "{err}");
}

#[test]
fn a_config_that_cannot_be_read_is_one_error_naming_it() {
    let dir = project("");
    let (code, err) = check(dir.path(), &["--config", "missing.yaml", "."]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.to_lowercase().matches("error").count(), 1, "{err}");
    assert!(
        err.contains("error: cannot read config missing.yaml: No such file or directory\n")
            || err.contains("error[config]: cannot read config missing.yaml: No such file"),
        "{err}"
    );
}

#[test]
fn a_baseline_with_a_mistake_is_one_error_naming_it() {
    let dir = project("");
    for (baseline, at, line, expected) in [
        (
            "version: 1\nfindigns: []\n",
            "baseline.yaml:2:1",
            "findigns: []",
            "did you mean `findings`?",
        ),
        (
            "version: 2\nfindings: []\n",
            "baseline.yaml:1:10",
            "version: 2",
            "baseline version 2 is not supported (expected 1)",
        ),
        (
            "version: 1\nfindings:\n  - fingerprint: abc\n    code: open-review\n    expires: 2027-3-1\n",
            "baseline.yaml:5:14",
            "    expires: 2027-3-1",
            "`expires: 2027-3-1` of abc is not a YYYY-MM-DD date",
        ),
    ] {
        common::write(dir.path(), "baseline.yaml", baseline.as_bytes());
        let (code, err) = check(dir.path(), &["--baseline", "baseline.yaml", "."]);
        assert_eq!(code, 2, "{err}");
        assert_one_error(&err, at, line, &[expected]);
    }
}

#[test]
fn what_the_file_holds_is_shown_escaped_and_never_in_bulk() {
    // A control character in the line: shown escaped, in the message and the snippet.
    let dir = project("fail_on: x\u{1b}[31mred\n");
    let (code, err) = check(dir.path(), &["."]);
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    // A long line is located, not shown; a long value is cut in the message.
    let long = "x".repeat(10_000);
    let dir = project(&format!("fail_on: {long}\n"));
    let (code, err) = check(dir.path(), &["."]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--> threatline.yaml:1:10\n"), "{err}");
    assert!(err.len() < 500, "{} bytes:\n{err}", err.len());
}

#[test]
fn errors_are_typed_for_callers() {
    let e = Config::parse("paths: [.]\nfial_on: high\n").unwrap_err();
    let ConfigError::UnknownKey {
        path,
        key,
        suggestion,
        expected,
        at: Some(place),
    } = &e
    else {
        panic!("{e:?}");
    };
    assert_eq!(
        (path.as_str(), key.as_str(), suggestion.as_deref()),
        ("threatline.yaml", "fial_on", Some("fail_on"))
    );
    assert_eq!((place.line, place.column), (2, 1));
    assert!(expected.iter().any(|k| k == "severity"), "{expected:?}");

    let e = Config::parse_as("fail_on: hgh\n", "ci/threatline.yaml").unwrap_err();
    assert!(
        matches!(
            &e,
            ConfigError::Invalid { path, key, suggestion: Some(s), at: Some(p), .. }
                if path == "ci/threatline.yaml" && *key == "fail_on" && s == "high" && p.line == 1
        ),
        "{e:?}"
    );
    assert_eq!(e.path(), Some("ci/threatline.yaml"));
    assert_eq!(e.message(), "`fail_on: hgh` is not a severity");

    let e = Config::parse("severity:\n  open-review: loud\n").unwrap_err();
    assert!(
        matches!(&e, ConfigError::Invalid { key, expected, .. }
            if *key == "severity" && expected.iter().any(|w| w == "off")),
        "{e:?}"
    );

    let e = Config::parse("severity:\n  a: off\n   b: low\n").unwrap_err();
    assert!(
        matches!(
            &e,
            ConfigError::Yaml {
                at: Some(place),
                hint: Some(_),
                ..
            } if place.line == 3
        ),
        "{e:?}"
    );

    let e = Config::load(
        Some(Path::new("/nonexistent/threatline.yaml")),
        Path::new("."),
    )
    .unwrap_err();
    assert!(
        matches!(&e, ConfigError::Read { kind: FileKind::Config, source, .. }
            if matches!(source, threatline::yaml::ReadError::Io(io) if io.kind() == std::io::ErrorKind::NotFound)),
        "{e:?}"
    );
}

#[test]
fn rendered_as_a_diagnostic_it_has_the_code_config() {
    let e = Config::parse("paths: [.]\nfial_on: high\n").unwrap_err();
    assert_eq!(
        e.render(false),
        "error[config]: unknown key `fial_on`\n --> threatline.yaml:2:1\n  |\n2 | fial_on: high\n  | ^^^^^^^\n  |\nhelp: did you mean `fail_on`?\n"
    );
    // `Display` is the same without the title's level, for a caller's own prefix.
    assert_eq!(
        e.to_string(),
        "unknown key `fial_on`\n --> threatline.yaml:2:1\n  |\n2 | fial_on: high\n  | ^^^^^^^\n  |\nhelp: did you mean `fail_on`?"
    );
}
