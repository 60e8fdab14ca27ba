//! Output safety: one tree of hostile names through every output format. No payload
//! may reach any of them live, JSON and SARIF stay valid, and every path is relative
//! to the scanned root.

use std::process::Command;

use super::*;

const PAYLOADS: &str = "\
# @component \"Web:<script>alert(1)</script>\" (#xss) [compute] -- \"[click](javascript:alert(2)) <img src=x onerror=alert(3)>\"
# @threat \"Esc \u{1b}[31mRED\u{1b}[0m \u{7}\u{8}\r\u{9b}2J\" (#esc) [high] -- \"\u{202e}txt.exe\u{202c} \u{2066}x\u{2069}\"
# @control \"\\\"]; click A call evil() --> B{{x}} %%{init}%%\" (#mm)
# @exposes #xss to #esc [critical] -- \"digraph { a -> b } \\\" ]; node [label=<b>x</b>]\"
# @connects #xss to \"Db:javascript:alert(4)\" with \"[x](javascript:alert(5)) | pipe\" (#f1)
# @review \"Web:`code` *b* _e_ # h\" look at <script>alert(6)</script>
# @mitigates #xss against #undefined-thing with #mm
";

/// Runs the binary in `dir`; exit code, stdout and stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The verdict's own colour (`--color always`) is not payload: exactly those codes around
/// `FAIL:` and `PASS:` are dropped before looking for raw controls.
fn without_sgr(text: &str) -> String {
    text.replace("\x1b[1;31mFAIL:\x1b[0m", "FAIL:")
        .replace("\x1b[1;32mPASS:\x1b[0m", "PASS:")
}

fn assert_no_raw_controls(what: &str, text: &str) {
    let text = &without_sgr(text);
    for (i, c) in text.char_indices() {
        let bad = (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(
            !bad,
            "{what}: raw {c:?} at {i}: {:?}",
            &text[i.saturating_sub(40)..i]
        );
    }
}

fn assert_no_live_markup(what: &str, text: &str, markdown: bool) {
    let lower = text.to_ascii_lowercase();
    // In HTML a `[x](javascript:...)` is text; in Markdown it is a link.
    let link = if markdown {
        "](javascript:"
    } else {
        "href=javascript:"
    };
    for bad in [
        "<script",
        "<img",
        "href=\"javascript:",
        "src=\"javascript:",
        "src=javascript:",
        link,
    ] {
        assert!(!lower.contains(bad), "{what}: `{bad}` is live");
    }
}

#[cfg(unix)]
#[test]
fn no_payload_reaches_any_output_live() {
    let outside = common::tree(&[("leak.py", "# @exposes Outside:Leak to T\n")]);
    let dir = hostile_tree(&[
        ("app.py", PAYLOADS.as_bytes()),
        (
            "esc\u{1b}[31m\r\u{202e}name.py",
            b"# @exposes Named:File to #nope\n",
        ),
        (
            "<img src=x onerror=alert(7)>.py",
            b"# @exposes Named:Html to T\n",
        ),
    ]);
    let root = dir.path();
    std::os::unix::fs::symlink(outside.path().join("leak.py"), root.join("out.py")).unwrap();
    let root_text = root.canonicalize().unwrap().display().to_string();
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());

    let runs: Vec<(String, Vec<&str>)> = [
        vec!["check", "--format", "text", "--color", "always"],
        vec!["check", "--format", "json"],
        vec!["check", "--format", "yaml"],
        vec!["check", "--format", "sarif"],
        vec!["scan"],
        vec!["scan", "--format", "yaml"],
        vec!["report", "--format", "markdown"],
        vec!["report", "--format", "html"],
        vec!["report", "--format", "mermaid"],
        vec!["report", "--format", "dot"],
        vec!["report", "--format", "otm"],
        vec!["report", "--format", "threatspec"],
        vec!["explain", "unmitigated-exposure"],
        vec!["explain", "\u{1b}[31mnot-a-code"],
    ]
    .into_iter()
    .map(|args| (args.join(" "), args))
    .collect();
    let mut parsed = 0;
    for (name, args) in &runs {
        // The root given as an absolute path, as CI jobs often do: still never shown.
        let mut args = args.clone();
        if args[0] != "explain" {
            args.push(&root_text);
        }
        let (code, stdout, stderr) = run(root, &args);
        assert!(
            code == 0 || code == 1 || name.starts_with("explain \u{1b}"),
            "{name}: exit {code}: {stderr}"
        );
        // Diagnostics on stderr are for a terminal too.
        assert_no_raw_controls(&format!("{name} (stderr)"), &stderr);
        for (stream, text) in [("stdout", &stdout), ("stderr", &stderr)] {
            assert!(
                !text.contains(&root_text),
                "{name} {stream}: the root's absolute path"
            );
            assert!(
                !text.contains(outside.path().to_str().unwrap()),
                "{name} {stream}: outside path"
            );
            assert!(
                !text.contains(&format!("{home}/")),
                "{name} {stream}: the home directory"
            );
        }
        match args.as_slice() {
            ["check", "--format", "text", ..] => {
                // `--color always` adds ANSI colour of its own: only the report's escapes.
                let plain = stdout.replace("\u{1b}[", "");
                assert!(!plain.contains('\u{1b}'), "{name}: a raw ESC");
                assert_no_raw_controls(name, &strip_sgr(&stdout));
                assert!(stdout.contains("\\u{1b}[31mRED"), "{stdout}");
            }
            [_, "--format", "json" | "sarif" | "otm" | "threatspec", ..] | ["scan", _] => {
                let v: serde_json::Value =
                    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{name}: {e}"));
                let text = v.to_string();
                // Strings keep the payloads as data, and paths are relative.
                assert!(
                    text.contains("<script>alert(1)</script>")
                        || name.contains("otm")
                        || name.contains("threatspec"),
                    "{name}"
                );
                assert_paths_relative(name, &v);
                parsed += 1;
            }
            [_, "--format", "yaml", ..] => {
                let v: serde_json::Value =
                    serde_saphyr::from_str(&stdout).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_paths_relative(name, &v);
                parsed += 1;
            }
            ["report", "--format", "markdown" | "html", ..] => {
                assert_no_live_markup(name, &stdout, name.contains("markdown"));
                assert_no_raw_controls(name, &stdout);
            }
            ["report", "--format", "mermaid" | "dot", ..] => {
                assert_no_raw_controls(name, &stdout);
                assert!(
                    !stdout.contains("\"]; click"),
                    "{name}: a label was closed early"
                );
            }
            _ => assert_no_raw_controls(name, &stdout),
        }
    }
    // JSON: check, SARIF, scan, OTM, Threatspec; YAML: check, scan.
    assert_eq!(parsed, 7);
}

#[test]
fn errors_that_quote_the_tree_are_escaped() {
    // YAML's own escapes: a raw ESC is not valid YAML, `\e` is.
    let dir = common::tree(&[("threatline.yaml", "fail_on: \"\\e]0;owned\\a\\e[2J\"\n")]);
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("\\u{1b}]0;owned\\u{7}"), "{stderr}");
    assert_no_raw_controls("config error", &stderr);
}

/// Removes SGR colour sequences (`ESC [ digits ; m`), the only escapes the tool writes.
fn strip_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('\u{1b}') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after
            .strip_prefix('[')
            .and_then(|a| {
                a.find(|c: char| !(c.is_ascii_digit() || c == ';'))
                    .map(|j| (a, j))
            })
            .filter(|(a, j)| a[*j..].starts_with('m'))
            .map(|(_, j)| j + 2);
        match end {
            Some(len) => rest = &after[len..],
            None => {
                out.push('\u{1b}');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every `file`, `uri` and `path`-like string value is relative (no leading `/`, no `..`).
fn assert_paths_relative(what: &str, v: &serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if let (true, Some(s)) = (
                    matches!(k.as_str(), "file" | "uri" | "path" | "filename"),
                    v.as_str(),
                ) {
                    assert!(
                        !s.starts_with('/') && !s.contains(".."),
                        "{what}: {k} = {s}"
                    );
                }
                assert_paths_relative(what, v);
            }
        }
        serde_json::Value::Array(items) => {
            items.iter().for_each(|i| assert_paths_relative(what, i))
        }
        _ => {}
    }
}
