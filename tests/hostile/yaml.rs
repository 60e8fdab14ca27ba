//! YAML from the tree: annotation blocks and `threatline.yaml`, with alias bombs, deep
//! nesting and megabytes. Each is a diagnostic (or a config error), quickly, in bounded
//! memory.

use std::time::{Duration, Instant};

use threatline::annotation::yaml_block::parse_block;
use threatline::config::{Config, ConfigError};

use super::*;
use crate::common::diagnostics;

/// "Billion laughs": nine levels of ten aliases each.
fn alias_bomb(indent: &str) -> String {
    let mut text = format!("{indent}a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for i in 1..10 {
        let p = i - 1;
        let refs = vec![format!("*a{p}"); 10].join(", ");
        text.push_str(&format!("{indent}a{i}: &a{i} [{refs}]\n"));
    }
    text
}

fn deep(indent: &str, depth: usize) -> String {
    format!("{indent}key: {}1{}\n", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn yaml_blocks_with_alias_bombs_deep_nesting_and_megabytes_are_diagnostics() {
    let block =
        |body: String| format!("# @threat Bomb (#bomb):\n{body}\n# @exposes Kept:After to #bomb\n");
    let commented = |text: String| text.lines().map(|l| format!("#{l}\n")).collect::<String>();
    let big: String = (0..40_000)
        .map(|i| format!("#  k{i}: {}\n", "v".repeat(20)))
        .collect();
    let dir = hostile_tree(&[
        ("bomb.py", block(commented(alias_bomb("  "))).as_bytes()),
        ("deep.py", block(commented(deep("  ", 10_000))).as_bytes()),
        ("big.py", block(big).as_bytes()),
    ]);
    let started = Instant::now();
    let m = scan_with(dir.path(), |_| {});
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        diagnostics(&m),
        [
            "invalid-yaml big.py:2:4",
            "invalid-yaml bomb.py:3:58",
            "invalid-yaml deep.py:2:33"
        ]
    );
    let messages: Vec<&str> = m.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(
        messages[0].contains("over the 1 MiB limit"),
        "{}",
        messages[0]
    );
    assert!(messages[1].contains("alias"), "{}", messages[1]);
    assert_eq!(messages[2], "invalid YAML block: recursion limit exceeded");
    // Where the limit was crossed: the 65th replayed event, the 25th bracket.
    assert_eq!(
        messages[1],
        "invalid YAML block: alias replay limit exceeded: total_replayed_events=65 > 64"
    );
    // The annotation that opened each block stays, without its fields, and so does the
    // one after it.
    let threats: Vec<&str> = m.threats.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(threats, ["bomb", "sentinel_threat"]);
    assert_exposures(&m, &["big.py:40003:3", "bomb.py:13:3", "deep.py:4:3"]);
}

#[test]
fn the_block_reader_refuses_what_would_amplify() {
    let run = |text: String| {
        on_normal_stack(move || {
            let lines: Vec<&str> = text.lines().collect();
            parse_block(&lines).unwrap_err()
        })
    };
    // Ten aliases of one anchor are fine; the bomb is not.
    let few = format!(
        "a: &x [1, 2]\n{}",
        (0..10).map(|i| format!("b{i}: *x\n")).collect::<String>()
    );
    assert!(parse_block(&few.lines().collect::<Vec<_>>()).is_ok());
    let e = run(alias_bomb(""));
    assert_eq!((e.line, e.column), (1, Some(54)), "{e:?}");
    let e = run(deep("", 100_000));
    assert_eq!(e.message, "recursion limit exceeded", "{e:?}");
}

#[test]
fn config_files_with_alias_bombs_deep_nesting_and_megabytes_are_config_errors() {
    let check = |text: String, expect: &str| {
        let dir = common::tree(&[("threatline.yaml", text.as_str())]);
        let root = dir.path().to_path_buf();
        let started = Instant::now();
        let e = on_normal_stack(move || Config::load(None, &root).unwrap_err());
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(
            matches!(
                &e,
                ConfigError::Yaml { path, .. } | ConfigError::Read { path, .. }
                    if path == "threatline.yaml"
            ),
            "{e:?}"
        );
        let e = e.to_string();
        assert!(e.contains(expect), "{e}");
        // Nothing of the file's text comes back beyond what locates the error.
        assert!(e.len() < 2000, "{} bytes of message", e.len());
    };
    // Typed keys take strings: the bomb is one long string aliased many times.
    let aliases = vec!["*big"; 10_000].join(", ");
    check(
        format!(
            "fail_on: &big {}\npaths: [{aliases}]\n",
            "x".repeat(100_000)
        ),
        "alias",
    );
    check(
        format!("exclude: {}x{}\n", "[".repeat(100_000), "]".repeat(100_000)),
        "recursion limit exceeded",
    );
    check(
        format!("exclude: [{}]\n", vec!["'a'"; 300_000].join(", ")),
        "the limit is 262144",
    );
}
