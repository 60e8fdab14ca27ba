//! Attack paths in the reports people read (issue 17): the "Attack paths" section, written
//! once for Markdown and HTML, and each path's hops numbered on the data-flow diagram
//! (Mermaid in Markdown, the SVG in HTML), on the rule's fixture `tests/rules/attack-path`.
//! Hostile names on a path are covered by the injection fixture (tests/report.rs).

use std::process::Command;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/rules/attack-path");
const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/example");

fn report(path: &str, format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["report", path, "--format", format, "--color", "never"])
        .env_remove("GITHUB_SERVER_URL")
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_SHA")
        .env("GIT_CEILING_DIRECTORIES", env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("threatline runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The text from `start` up to (not including) `end`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no `{start}`"));
    let to = from
        + text[from..]
            .find(end)
            .unwrap_or_else(|| panic!("no `{end}`"));
    &text[from..to]
}

#[test]
fn markdown_lists_each_path_with_its_hops_and_numbers_them_on_the_diagram() {
    let md = report(FIXTURE, "markdown");
    insta::assert_snapshot!(
        "attack_paths_markdown_section",
        between(&md, "## Attack paths", "## Threat model")
    );
    let mermaid = between(&md, "```mermaid", "\n```");
    // Every hop of every path is numbered on its flow, in the order the section lists
    // the paths; a flow on no path carries no number.
    for (from_to, label) in [
        ("n11 ==>", "path 1 hop 1: unprotected: XML over HTTP"),
        ("n1 ==>", "path 1 hop 2: SQL"),
        ("n10 ==>", "path 2 hop 1: unprotected: HTTP"),
        ("n17 ==>", "path 2 hop 2: JSON on localhost"),
        ("n15 ==>", "path 2 hop 3: SQL"),
        ("n9 ==>", "path 3 hop 1: unprotected: CSV over FTP"),
        ("n6 <==>", "path 3 hop 2: REST"),
    ] {
        let line = format!("  {from_to}|\"{label}\"|");
        assert!(mermaid.contains(&line), "{line}\n{mermaid}");
    }
    assert_eq!(mermaid.matches("path ").count(), 7, "{mermaid}");
    assert!(
        mermaid.contains("  linkStyle 0,1,6,7,8,12,13 stroke:#6a1b9a"),
        "{mermaid}"
    );
    assert!(md.contains("**Thick purple** arrows labelled `path N hop M`"));
}

#[test]
fn html_has_the_same_section_and_draws_the_hops_on_the_svg() {
    let html = report(FIXTURE, "html");
    assert!(html.contains("<a href=\"#paths\">Attack paths</a>"));
    let section = between(&html, "<section id=\"paths\">", "</section>");
    assert_eq!(
        section.matches("<li><p class=\"head\">").count(),
        3,
        "{section}"
    );
    assert!(
        section.contains("<strong>path 2</strong>: "),
        "the paths are numbered as on the diagram: {section}"
    );
    // Each hop links to its line; a path's target links to the component's card.
    assert!(section.contains("href=\"./shop.py#L5\""), "{section}");
    assert!(section.contains("(financial data)"), "{section}");
    let svg = between(&html, "<svg", "</svg>");
    // Seven hops on seven flows, drawn purple with their own arrowhead and numbered in
    // their tooltip and label.
    assert_eq!(svg.matches("attack-path\" d=").count(), 7, "{svg}");
    assert_eq!(
        svg.matches("marker-end=\"url(#tl-arrow-path)\"").count(),
        7,
        "{svg}"
    );
    assert!(
        svg.contains("<title>path 2 hop 3: Shop:Checkout -&gt; Shop:Card Vault with SQL</title>"),
        "{svg}"
    );
    assert!(svg.contains(">path 2 hop 3: SQL</text>"), "{svg}");
    assert!(html.contains("<span class=\"purple\">thick purple</span>"));
}

#[test]
fn a_model_without_paths_says_why() {
    // The example's untrusted zones (Customer, Suppliers by name) reach nothing undefended.
    let md = report(EXAMPLE, "markdown");
    let section = between(&md, "## Attack paths", "## Threat model");
    assert!(
        section.contains("None: every route from an untrusted zone (Customer, Suppliers)"),
        "{section}"
    );
    assert!(!md.contains("Thick purple"));
    // No untrusted zone at all: nothing was searched, and the section says how to mark one.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("m.threatline"),
        "@connects Shop:Web to Shop:DB with SQL\n@handles pii on Shop:DB\n",
    )
    .unwrap();
    let md = report(dir.path().to_str().unwrap(), "markdown");
    let section = between(&md, "## Attack paths", "## Threat model");
    assert!(
        section.contains("None searched: no zone is untrusted. Mark one with `[untrusted]`"),
        "{section}"
    );
}

#[test]
fn dot_numbers_the_hops_too() {
    let dot = report(FIXTURE, "dot");
    let hops: Vec<&str> = dot
        .lines()
        .filter(|l| l.contains("label=\"path "))
        .collect();
    assert_eq!(hops.len(), 7, "{dot}");
    assert!(
        hops.iter().all(|l| l.contains("color=\"#6a1b9a\"")),
        "{dot}"
    );
    assert!(
        dot.contains(
            "[label=\"path 2 hop 3\\nSQL\", decorate=true, tooltip=\"flow checkout-vault\""
        ),
        "{dot}"
    );
}
