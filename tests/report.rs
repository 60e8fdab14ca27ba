//! `threatline report`: golden Markdown, HTML and Mermaid of the example system (reviewed by
//! eye when they change), the command's flags, and the injection fixture: hostile names and
//! descriptions (`tests/injection/`) must stay inert text in every format. The browser
//! half (Mermaid really parses, the HTML loads clean) is `tests/browser.rs`.

use std::process::Command;
use std::sync::LazyLock;

use regex::Regex;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/example");
const INJECTION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/injection");

/// `threatline` with links left relative: no GitHub Actions variables, and no repository
/// found above the fixtures (whose `origin` would otherwise name the links).
fn threatline() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_threatline"));
    cmd.env_remove("GITHUB_SERVER_URL")
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_SHA")
        .env(
            "GIT_CEILING_DIRECTORIES",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/fixtures:",
                env!("CARGO_MANIFEST_DIR"),
                "/tests"
            ),
        );
    cmd
}

/// Runs `threatline report PATH --format FORMAT ARGS...`; returns (exit code, stdout, stderr).
fn run(path: &str, format: &str, args: &[&str]) -> (i32, String, String) {
    let out = threatline()
        .args(["report", path, "--format", format, "--color", "never"])
        .args(args)
        .output()
        .expect("threatline runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn report(path: &str, format: &str) -> String {
    let (code, out, err) = run(path, format, &[]);
    assert_eq!(code, 0, "report exits 0 once written; stderr:\n{err}");
    out
}

static INJ_MD: LazyLock<String> = LazyLock::new(|| report(INJECTION, "markdown"));
static INJ_HTML: LazyLock<String> = LazyLock::new(|| report(INJECTION, "html"));
static INJ_MMD: LazyLock<String> = LazyLock::new(|| report(INJECTION, "mermaid"));

#[test]
fn golden_markdown() {
    insta::assert_snapshot!("report_markdown", report(EXAMPLE, "markdown"));
}

#[test]
fn golden_html() {
    insta::assert_snapshot!("report_html", report(EXAMPLE, "html"));
}

#[test]
fn golden_mermaid() {
    insta::assert_snapshot!("report_mermaid", report(EXAMPLE, "mermaid"));
}

#[test]
fn the_example_report_shows_what_a_review_needs() {
    let md = report(EXAMPLE, "markdown");
    assert!(md.contains("**Gate: FAIL**: 4 findings at or above high (`--fail-on high`)."));
    assert!(
        md.contains("| 1 | 3 | 2 | 1 | 51 | 0 | 0 |"),
        "counts per severity"
    );
    // The two unprotected crossings, under the diagram, thick and red in it.
    let crossings = md
        .split("### Unprotected crossings")
        .nth(1)
        .and_then(|s| s.split("###").next())
        .expect("the crossings list");
    assert_eq!(crossings.matches("\n- **").count(), 2, "{crossings}");
    assert!(md.contains("  linkStyle 0,1 stroke:#d32f2f"));
    // Layers in CCCS order, inferred layers said to be inferred.
    let order: Vec<usize> = [
        "### Control layer",
        "### Compute layer",
        "### Communication layer",
        "### Storage layer",
    ]
    .iter()
    .map(|h| md.find(h).unwrap_or_else(|| panic!("{h}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(md.contains("id `#ci` · layer Control (inferred)"));
    // A threat with what stands against it, and where each was written.
    assert!(md.contains(
        "  - Accepted: third-party actions are pinned by tag, not by digest, until Renovate is set up (expires: 2026-09-30; owner: platform-team) ([.github/workflows/ci.yml:7](./.github/workflows/ci.yml#L7))"
    ));
    assert!(md.contains(
        "  - Mitigated by **Rate Limiting** ([api/openapi.yaml:17](./api/openapi.yaml#L17))"
    ));
    // Names, not ids: the mechanism's `#tls` reads as the control's name, zones by name.
    assert!(md.contains(
        "| `browser-ingress` | Customer:Browser → Shop:Edge:Ingress | HTTPS and TLS Everywhere | Customer → DMZ |"
    ), "{md}");
    assert!(md.contains("Transferred to **Stripe:API**"));
    assert!(md.contains("- **Refund Fraud**: **open**"));
    assert!(md.contains("## STRIDE × CCCS coverage"));
    assert!(
        md.contains("| Control | 6 | 3 | 1 | 0 | 1 | 0 | 2 |"),
        "layer coverage row"
    );
}

#[test]
fn source_links_take_the_prefix_and_bad_prefixes_are_refused() {
    let prefix = "https://github.com/acme/shop/blob/0123abc/";
    let (code, md, _) = run(EXAMPLE, "markdown", &["--source-url", prefix]);
    assert_eq!(code, 0);
    assert!(md.contains(
        "[gateway/main.go:30](https://github.com/acme/shop/blob/0123abc/gateway/main.go#L30)"
    ));
    assert!(!md.contains("](./"), "every link takes the prefix");
    let (code, html, _) = run(EXAMPLE, "html", &["--source-url", prefix]);
    assert_eq!(code, 0);
    assert!(
        html.contains("<a href=\"https://github.com/acme/shop/blob/0123abc/gateway/main.go#L30\">")
    );
    for bad in ["javascript:alert(1)//", "data:text/html,x", "https://x/a b"] {
        let (code, out, err) = run(EXAMPLE, "markdown", &["--source-url", bad]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(out.is_empty() && err.contains("--source-url"), "{err}");
    }
}

#[test]
fn output_file_fail_on_and_baseline_change_what_the_summary_says() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.yaml");
    let status = threatline()
        .args(["baseline", EXAMPLE, "-o"])
        .arg(&baseline)
        .output()
        .unwrap();
    assert!(status.status.success());
    let out = dir.path().join("report.md");
    let (code, stdout, err) = run(
        EXAMPLE,
        "markdown",
        &[
            "--baseline",
            baseline.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(stdout.is_empty(), "the report went to the file");
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(
        md.contains("**Gate: PASS**: nothing at or above high"),
        "{md}"
    );
    assert!(md.contains("58 findings are hidden by the baseline."));
    assert!(md.contains("## Findings\n\nNo findings."));

    let (_, md, _) = run(EXAMPLE, "markdown", &["--fail-on", "critical"]);
    assert!(md.contains("**Gate: FAIL**: 1 finding at or above critical (`--fail-on critical`)."));
}

// ---- injection ---------------------------------------------------------------------------

/// Text of the fixture that must reach every format, escaped but whole.
#[test]
fn hostile_text_is_shown_not_dropped() {
    assert!(INJ_HTML.contains("Evil:&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(INJ_HTML.contains("&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot; --&gt; arrow"));
    assert!(INJ_MD.contains("Evil:&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        INJ_MD
            .contains("Curly &#123;&#123;x&#125;&#125; and %%&#123;init: &#123;&quot;theme&quot;")
    );
    assert!(INJ_MMD.contains("Evil:#60;script#62;alert(1)#60;/script#62;"));
    // The YAML block's newlines became spaces: one line, no heading, no table row.
    assert!(INJ_MD.contains(
        "Description: first line &lt;script&gt;alert(6)&lt;/script&gt; \\#\\# not a heading \\| a \\| b \\| &quot;\\]; click A call evil()"
    ));
}

#[test]
fn markdown_holds_no_live_markup() {
    // Our own folds aside (`<details><summary>rule (n)</summary>`), no raw HTML.
    let folds =
        Regex::new(r"(?m)^(?:<details><summary>[a-z-]+ \([0-9]+\)</summary>|</details>)$").unwrap();
    let md = folds.replace_all(INJ_MD.as_str(), "");
    // Liquid reads code spans too.
    for forbidden in ["{{", "{%"] {
        assert!(!md.contains(forbidden), "`{forbidden}` survived");
    }
    // Inside a code span nothing is markup: look at the rest.
    let md = without_code_spans(&md);
    let md = md.as_str();
    let raw_html = Regex::new(r"<[A-Za-z/!?]").unwrap();
    assert!(!raw_html.is_match(md), "raw HTML: {:?}", raw_html.find(md));
    // Every link is one of ours: `](` followed by a relative source link (a `\]` closes
    // no link text).
    for (i, _) in md.match_indices("](") {
        let backslashes = md[..i].chars().rev().take_while(|c| *c == '\\').count();
        if backslashes % 2 == 1 {
            continue;
        }
        assert!(
            md[i + 2..].starts_with("./"),
            "foreign link at {}",
            &md[i.saturating_sub(60)..i + 40]
        );
    }
    for forbidden in ["http://evil", "\n## not", "\n- not a list"] {
        assert!(!md.contains(forbidden), "`{forbidden}` survived");
    }
    // Headings are the document's own.
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings,
        [
            "## Summary",
            "## Data-flow diagram",
            "## Attack paths",
            "## Threat model by CCCS layer",
            "## STRIDE × CCCS coverage",
            "## Findings"
        ]
    );
}

/// The text with its code spans (a backtick run, up to the next run as long) left out.
fn without_code_spans(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    for line in md.lines() {
        let mut rest = line;
        while let Some(open) = rest.find('`') {
            // An escaped backtick opens nothing.
            let escaped = rest[..open]
                .chars()
                .rev()
                .take_while(|c| *c == '\\')
                .count()
                % 2
                == 1;
            out.push_str(&rest[..open]);
            let run = rest[open..].chars().take_while(|c| *c == '`').count();
            let after = &rest[open + run..];
            let fence = "`".repeat(run);
            let close = (!escaped)
                .then(|| {
                    after.match_indices(&fence).map(|(i, _)| i).find(|&i| {
                        !after[i + run..].starts_with('`') && (i == 0 || &after[i - 1..i] != "`")
                    })
                })
                .flatten();
            match close {
                Some(i) => {
                    out.push_str("CODE");
                    rest = &after[i + run..];
                }
                None => {
                    out.push_str(&fence);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out.push('\n');
    }
    out
}

#[test]
fn markdown_tables_keep_their_columns() {
    let mut tables = 0;
    let mut width = None;
    for line in INJ_MD.lines() {
        if !line.starts_with('|') {
            width = None;
            continue;
        }
        let pipes = cell_breaks(line);
        match width {
            None => {
                tables += 1;
                width = Some(pipes);
            }
            Some(w) => assert_eq!(pipes, w, "a row changed the column count: {line}"),
        }
    }
    assert!(
        tables >= 5,
        "summary, flows, coverage twice, findings: {tables}"
    );
}

/// Pipes that end a GFM table cell: those not escaped by an odd run of backslashes.
fn cell_breaks(line: &str) -> usize {
    let mut count = 0;
    let mut backslashes = 0;
    for c in line.chars() {
        match c {
            '\\' => backslashes += 1,
            '|' if backslashes % 2 == 0 => {
                count += 1;
                backslashes = 0;
            }
            _ => backslashes = 0,
        }
    }
    count
}

#[test]
fn html_holds_no_live_markup() {
    let html = INJ_HTML.as_str();
    assert!(!html.to_ascii_lowercase().contains("<script"));
    assert!(html.contains(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        threatline::output::html::CSP
    )));
    check_tags(html);
}

/// Every tag of the HTML report (and its inline SVG) is one the renderer writes, with
/// attributes it writes, and no link leaves for a scheme it did not choose.
fn check_tags(html: &str) {
    const TAGS: &[&str] = &[
        "html", "head", "meta", "title", "style", "body", "header", "nav", "main", "section", "h1",
        "h2", "h3", "h4", "p", "a", "ul", "li", "table", "thead", "tbody", "tr", "th", "td",
        "strong", "em", "span", "code", "article", "div", "svg", "defs", "marker", "path", "g",
        "rect", "text", "wbr", "details", "summary",
    ];
    const ATTRS: &[&str] = &[
        "class",
        "style",
        "href",
        "lang",
        "charset",
        "http-equiv",
        "content",
        "name",
        "xmlns",
        "viewBox",
        "width",
        "height",
        "role",
        "aria-label",
        "font-family",
        "x",
        "y",
        "rx",
        "fill",
        "stroke",
        "stroke-width",
        "font-size",
        "font-weight",
        "text-anchor",
        "d",
        "marker-end",
        "marker-start",
        "refX",
        "refY",
        "markerWidth",
        "markerHeight",
        "orient",
        "fill-opacity",
        "stroke-dasharray",
        "title",
        "id",
    ];
    let tag = Regex::new(r#"<(/?)([A-Za-z0-9]+)((?:\s+[A-Za-z-]+="[^"<>]*")*)\s*/?>"#).unwrap();
    let attr = Regex::new(r#"([A-Za-z-]+)="([^"]*)""#).unwrap();
    let body = html.trim_start_matches("<!DOCTYPE html>");
    let mut seen = 0;
    for (i, _) in body.match_indices('<') {
        let m = tag
            .captures(&body[i..])
            .filter(|c| c.get(0).unwrap().start() == 0)
            .unwrap_or_else(|| {
                panic!(
                    "not a tag the renderer writes: {}",
                    &body[i..(i + 80).min(body.len())]
                )
            });
        let name = &m[2];
        assert!(TAGS.contains(&name), "tag <{name}>");
        for a in attr.captures_iter(&m[3]) {
            assert!(ATTRS.contains(&&a[1]), "attribute {} on <{name}>", &a[1]);
            let value = a[2].to_ascii_lowercase();
            assert!(!value.contains("javascript:"), "{}", &a[0]);
            if &a[1] == "href" {
                assert!(
                    value.starts_with("./") || value.starts_with('#'),
                    "{}",
                    &a[0]
                );
            }
        }
        seen += 1;
    }
    assert!(seen > 100, "the scan saw the document: {seen} tags");
}

#[test]
fn mermaid_is_well_formed() {
    for (name, text) in [
        ("injection", INJ_MMD.as_str()),
        ("example", &report(EXAMPLE, "mermaid")),
    ] {
        let flows = check_mermaid(text);
        let expected = if name == "injection" { 4 } else { 19 };
        assert_eq!(flows, expected, "{name}: one edge per flow");
    }
    // The hostile labels are entity codes, never syntax.
    assert!(INJ_MMD.contains("    n2([\"Sink:Flow #45;#45;#62; Bar #123;#123;x#125;#125;\"])"));
    assert!(!INJ_MMD.contains("click A call evil()\"]"));
    // The attack path through hostile names: its two hops numbered and purple.
    assert!(
        INJ_MMD.contains("|\"path 1 hop 1: unprotected: "),
        "{}",
        *INJ_MMD
    );
    assert!(INJ_MMD.contains("|\"path 1 hop 2: "), "{}", *INJ_MMD);
    assert!(
        INJ_MMD.contains("  linkStyle 0,3 stroke:#6a1b9a"),
        "{}",
        *INJ_MMD
    );
}

/// Checks every line against the grammar the renderer writes and every label against the
/// safe alphabet; returns the number of edges.
fn check_mermaid(text: &str) -> usize {
    let label = r#""(?:[A-Za-z0-9 .,:/()_+!?@'*$=-]|#[0-9]+;)+""#;
    let node = format!(r"n[0-9]+(?:\[{label}\]|\[\({label}\)\]|\(\[{label}\]\)|\[\[{label}\]\])");
    let lines = [
        r"flowchart LR".to_string(),
        format!(r"  subgraph z[0-9]+\[{label}\]"),
        format!(r"    {node}"),
        format!(r"  {node}"),
        r"  end".to_string(),
        format!(r"  n[0-9]+ (?:-->|<-->|==>|<==>)(?:\|{label}\|)? n[0-9]+"),
        r"  linkStyle [0-9]+(?:,[0-9]+)* stroke:#d32f2f,stroke-width:4px,color:#b71c1c".to_string(),
        r"  linkStyle [0-9]+(?:,[0-9]+)* stroke:#6a1b9a,stroke-width:5px,color:#4a148c".to_string(),
        r"  classDef inferred stroke-dasharray:5 3".to_string(),
        r"  class n[0-9]+(?:,n[0-9]+)* inferred".to_string(),
    ];
    let grammar = Regex::new(&format!("^(?:{})$", lines.join("|"))).unwrap();
    let labels = Regex::new(label).unwrap();
    let edge = Regex::new(r"^  n[0-9]+ (?:-->|<-->|==>|<==>)").unwrap();
    let mut edges = 0;
    for line in text.lines() {
        assert!(grammar.is_match(line), "not the renderer's grammar: {line}");
        for l in labels.find_iter(line) {
            for arrow in ["--", "==", "->", "<-"] {
                assert!(!l.as_str().contains(arrow), "`{arrow}` in a label: {line}");
            }
        }
        edges += usize::from(edge.is_match(line));
    }
    edges
}

#[test]
fn every_report_format_is_reachable_from_the_command_line() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/example");
    for (format, marker) in [
        ("markdown", "```mermaid"),
        ("html", "<svg"),
        ("mermaid", "flowchart LR"),
        ("dot", "digraph threatline {"),
        ("threatspec", "\"threatmodel\""),
        ("otm", "\"otmVersion\""),
    ] {
        let out = threatline()
            .args(["report", example, "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(marker), "{format}: no {marker}");
    }
}

// ---- reading on a phone, finding one's way ----------------------------------------------

#[test]
fn html_folds_info_filters_by_severity_and_links_to_components() {
    let html = report(EXAMPLE, "html");
    // Info findings: one fold per rule with its count, not 51 rows beside the risks.
    let info = html
        .split("<div class=\"group\" id=\"findings-info\">")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("the info group");
    let fold =
        Regex::new(r"<details class=.fold.><summary><code>([a-z-]+)</code> \(([0-9]+)\)</summary>")
            .unwrap();
    let counts: Vec<(String, usize)> = fold
        .captures_iter(info)
        .map(|c| (c[1].to_string(), c[2].parse().unwrap()))
        .collect();
    assert!(counts.len() >= 3, "{counts:?}");
    assert_eq!(
        counts.iter().map(|(_, n)| n).sum::<usize>(),
        51,
        "{counts:?}"
    );
    // Severity filters are links to each group, shown alone by `:target`: no script.
    assert!(html.contains(
        "<p class=\"filters\">Show: <a href=\"#findings\">all</a> <a href=\"#findings-critical\">"
    ));
    for sev in ["critical", "high", "medium", "low", "info"] {
        assert!(html.contains(&format!("<div class=\"group\" id=\"findings-{sev}\">")));
    }
    assert!(html.contains("#findings:has(.group:target) .group:not(:target)"));
    // Findings and flows link to the component's section, which exists.
    let anchors = Regex::new(r##"href="#(c-[^"]+)""##).unwrap();
    let ids = Regex::new(r#"id="(c-[^"]+)""#).unwrap();
    let targets: std::collections::HashSet<&str> = ids
        .captures_iter(&html)
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    let mut links = 0;
    for a in anchors.captures_iter(&html) {
        assert!(targets.contains(&a[1]), "a link to no section: {}", &a[1]);
        links += 1;
    }
    assert!(links > 50, "{links} links to components");
    assert!(html.contains("<a class=\"ref\" href=\"#c-ci\"><code>GitHub:CI</code></a>"));
    // Every table scrolls in its own box; the diagram opens full size.
    assert_eq!(
        html.matches("<table").count(),
        html.matches("<div class=\"scroll\"><table").count()
    );
    assert!(html.contains("<a href=\"#diagram-full\">Open the diagram full size</a>"));
    assert!(html.contains("<div class=\"diagram\" id=\"diagram-full\">"));
    // The matrix's blank is explained, in HTML as in Markdown.
    assert!(html.contains("blank where its layer does not expect the category"));
    // Names, not ids.
    assert!(html.contains("HTTPS and TLS Everywhere"));
    assert!(!html.contains(">#tls<"));
}

// ---- --source-url defaults ----------------------------------------------------------------

fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A repository holding `svc/api.py` with one finding, committed.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("svc")).unwrap();
    std::fs::write(
        dir.path().join("svc/api.py"),
        "# @exposes App:API to SQL injection [high]\n",
    )
    .unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "one"]);
    dir
}

fn report_in(dir: &std::path::Path, path: &str, env: &[(&str, &str)], args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_threatline"));
    cmd.args(["report", path, "--format", "markdown"])
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_SERVER_URL")
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_SHA");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn source_links_default_to_github_actions_variables() {
    let dir = repository();
    let env = [
        ("GITHUB_SERVER_URL", "https://github.com"),
        ("GITHUB_REPOSITORY", "acme/shop"),
        ("GITHUB_SHA", "0123abc"),
    ];
    // The scanned root is `svc/`: links name the file from the repository's root.
    let md = report_in(dir.path(), "svc", &env, &[]);
    assert!(
        md.contains("[api.py:1](https://github.com/acme/shop/blob/0123abc/svc/api.py#L1)"),
        "{md}"
    );
    // The flag wins.
    let md = report_in(
        dir.path(),
        "svc",
        &env,
        &["--source-url", "https://x.test/"],
    );
    assert!(md.contains("(https://x.test/api.py#L1)"), "{md}");
    // One variable missing: no GitHub link from the variables (and no origin here).
    let md = report_in(dir.path(), "svc", &env[..2], &[]);
    assert!(md.contains("[api.py:1](./api.py#L1)"), "{md}");
}

#[test]
fn source_links_default_to_a_github_origin_at_head() {
    let dir = repository();
    let sha = git(dir.path(), &["rev-parse", "HEAD"]);
    for (remote, expected) in [
        (
            "git@github.com:acme/shop.git",
            "https://github.com/acme/shop",
        ),
        (
            "https://github.com/acme/shop.git",
            "https://github.com/acme/shop",
        ),
    ] {
        let _ = Command::new("git")
            .args(["remote", "remove", "origin"])
            .current_dir(dir.path())
            .output();
        git(dir.path(), &["remote", "add", "origin", remote]);
        let md = report_in(dir.path(), "svc", &[], &[]);
        assert!(
            md.contains(&format!("[api.py:1]({expected}/blob/{sha}/svc/api.py#L1)")),
            "{remote}: {md}"
        );
    }
    // Another host, or no repository at all: relative links as before.
    git(
        dir.path(),
        &[
            "remote",
            "set-url",
            "origin",
            "https://git.example.com/acme/shop.git",
        ],
    );
    let md = report_in(dir.path(), "svc", &[], &[]);
    assert!(md.contains("[api.py:1](./api.py#L1)"), "{md}");
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(
        plain.path().join("a.py"),
        "# @exposes App:A to XSS [high]\n",
    )
    .unwrap();
    let md = report_in(plain.path(), ".", &[], &[]);
    assert!(md.contains("[a.py:1](./a.py#L1)"), "{md}");
}
