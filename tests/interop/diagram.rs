//! Graphviz DOT: structure that hostile names cannot break, zones and crossings drawn.

use super::*;

/// A DOT tokenizer just strict enough to prove structure: quoted strings must close on
/// their line with `\` escaping the next character; outside them only identifiers, numbers
/// and DOT's punctuation may appear. Returns the tokens, strings unescaped.
fn dot_tokens(dot: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut chars = dot.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '"' => {
                let mut s = String::from("\"");
                loop {
                    match chars.next() {
                        None => return Err("unterminated string".into()),
                        Some('\n') => return Err(format!("raw newline in string {s}")),
                        Some('\\') => match chars.next() {
                            Some(e @ ('"' | '\\')) => s.push(e),
                            Some('n') => s.push('\n'),
                            other => return Err(format!("unexpected escape {other:?} in {s}")),
                        },
                        Some('"') => break,
                        Some(x) => s.push(x),
                    }
                }
                tokens.push(s);
            }
            '-' if chars.peek() == Some(&'>') => {
                chars.next();
                tokens.push("->".into());
            }
            '{' | '}' | '[' | ']' | '=' | ';' | ',' => tokens.push(c.to_string()),
            c if c.is_ascii_alphanumeric() || c == '_' || c == '.' => {
                let mut s = c.to_string();
                while let Some(&n) = chars.peek() {
                    if n.is_ascii_alphanumeric() || n == '_' || n == '.' {
                        s.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push(s);
            }
            other => return Err(format!("unexpected `{other}` outside a string")),
        }
    }
    Ok(tokens)
}

/// Brackets balance, and every edge joins two generated node ids.
fn assert_dot_structure(dot: &str) -> Vec<String> {
    let tokens = dot_tokens(dot).unwrap_or_else(|e| panic!("{e}\n{dot}"));
    let (mut braces, mut brackets) = (0i32, 0i32);
    for (i, t) in tokens.iter().enumerate() {
        match t.as_str() {
            "{" => braces += 1,
            "}" => braces -= 1,
            "[" => brackets += 1,
            "]" => brackets -= 1,
            "->" => {
                let ok = |s: &str| s.starts_with('n') && s[1..].chars().all(|c| c.is_ascii_digit());
                assert!(
                    ok(&tokens[i - 1]) && ok(&tokens[i + 1]),
                    "edge between generated ids: {} -> {}",
                    tokens[i - 1],
                    tokens[i + 1]
                );
            }
            _ => {}
        }
        assert!(
            braces >= 0 && (0..=1).contains(&brackets),
            "nesting at token {i} `{t}`"
        );
    }
    assert_eq!((braces, brackets), (0, 0));
    assert_eq!(tokens[..3], ["digraph", "threatline", "{"]);
    tokens
}

#[test]
fn dot_of_hostile_names_keeps_its_structure() {
    let m = common::model(&[(
        "evil.threatline",
        concat!(
            "@boundary Zone } \\ <b> (#z) around Evil\n",
            "@component Evil:Web\\App } <script>alert(1)</script> \\N {x} (#e1) -- \"desc with \\\"quotes\\\", a \\\\ backslash, } -> { and <script>\"\n",
            "@component Other:Svc (#o1):\n",
            "  description: \"line one\\nline two \\\" } -> [x]\\r\\u001b[31m\"\n",
            "\n",
            "@connects #e1 to #o1 with a\\b } { <script> ]; click x \"y\" z (#hostile)\n",
            "@connects #o1 with #ghost\n",
        ),
    )]);
    // The hostile text reached the model: names, descriptions and a mechanism holding
    // quotes, backslashes, newlines, braces, `->` and markup.
    let evil = m
        .components
        .iter()
        .find(|c| c.id == "e1")
        .expect("declared");
    let name = evil.path.join(":");
    assert!(
        name.contains('\\') && name.contains('}') && name.contains("<script>"),
        "{name}"
    );
    let described = evil.description.as_deref().unwrap();
    assert!(
        described.contains('"') && described.contains("->"),
        "{described}"
    );
    let other = m
        .components
        .iter()
        .find(|c| c.id == "o1")
        .unwrap()
        .description
        .clone()
        .unwrap();
    assert!(
        other.contains('\n') && other.contains('\u{1b}'),
        "{other:?}"
    );
    let mechanism = m.flows[0].mechanism.clone().unwrap();
    assert!(
        mechanism.contains('"') && mechanism.contains("];"),
        "{mechanism}"
    );

    let dot = dot::to_dot(&m);
    let tokens = assert_dot_structure(&dot);
    let strings: Vec<&str> = tokens.iter().filter_map(|t| t.strip_prefix('"')).collect();
    // The text is all there, only ever inside strings, and reads back as written.
    assert!(
        strings.contains(&format!("{name}\n[Compute, inferred]").as_str()),
        "{strings:#?}"
    );
    assert!(
        strings.contains(&format!("#e1: {described}").as_str()),
        "{strings:#?}"
    );
    assert!(
        strings.contains(&"#o1: line one\nline two \" } -> [x]U+000DU+001B[31m"),
        "controls become visible text: {strings:#?}"
    );
    assert!(
        strings
            .iter()
            .any(|s| s.starts_with(&format!("{mechanism}\nUNPROTECTED"))),
        "{strings:#?}"
    );
    assert!(
        strings.contains(&"Zone } \\ <b> (trust zone)"),
        "{strings:#?}"
    );
    assert!(dot.contains("\\\\N"), "Graphviz's `\\N` stays text: {dot}");
    assert!(!dot.contains("=<"), "no HTML-like labels");
    // A flow to an id nothing declares still draws, from a generated node.
    assert!(strings.contains(&"`ghost` names no component"));
    if let Ok(run) = Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        // Graphviz is optional here (CI does not install it): when present, it must agree.
        use std::io::Write as _;
        let mut run = run;
        run.stdin.take().unwrap().write_all(dot.as_bytes()).unwrap();
        let out = run.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "dot rejects it: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let svg = String::from_utf8_lossy(&out.stdout);
        assert!(
            !svg.contains("<script>"),
            "markup in names is text in the SVG"
        );
    }
}

#[test]
fn dot_clusters_zones_and_marks_unprotected_crossings() {
    let dot = dot::to_dot(&EXAMPLE_MODEL);
    let tokens = assert_dot_structure(&dot);
    let clusters = tokens.iter().filter(|t| t.starts_with("cluster_")).count();
    let zones: BTreeSet<&str> = EXAMPLE_MODEL
        .flows
        .iter()
        .flat_map(|f| [f.from_zone.as_str(), f.to_zone.as_str()])
        .collect();
    assert_eq!(clusters, zones.len());
    let unprotected = EXAMPLE_MODEL
        .findings
        .iter()
        .filter(|f| f.code == "unprotected-crossing")
        .count();
    assert_eq!(
        dot.matches("UNPROTECTED crossing").count(),
        2 * unprotected,
        "label and tooltip"
    );
    assert_eq!(dot.matches(" color=\"#d00000\"").count(), unprotected);
    assert_eq!(
        dot.matches("dir=both").count(),
        EXAMPLE_MODEL.flows.iter().filter(|f| f.two_way).count()
    );
    assert!(
        dot.contains("label=\"Customer (trust zone)\""),
        "an implicit zone is named as written"
    );
    assert!(
        dot.contains("[Compute, inferred]"),
        "inferred layers are marked"
    );
}
