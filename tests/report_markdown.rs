//! The Markdown outputs as a reader sees them: the report and the pull-request comment, of
//! the example and of the injection fixture, rendered by a CommonMark parser with GitHub's
//! tables (pulldown-cmark) and read back as events. Names quoted in tool messages must come
//! out as code spans holding exactly the annotation's text (not as backslash-escaped
//! backticks around plain text), and nothing a repository writes may become raw HTML, a
//! link or an image.

mod common;

use std::path::Path;
use std::process::Command;

use pulldown_cmark::{Event, Options, Parser, Tag};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/example");
const INJECTION: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/injection");

/// `threatline ARGS` in `dir`; its stdout, once it exited 0. Links stay relative: no
/// GitHub Actions variables, and no repository found above the fixtures.
fn threatline(args: &[&str], dir: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_SERVER_URL")
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_SHA")
        .env(
            "GIT_CEILING_DIRECTORIES",
            concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"),
        )
        .output()
        .expect("threatline runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@t"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The pull-request comment for a change: `tree` committed on `main` (less the files
/// `change` adds), then `change` applied to the work tree.
fn pr_comment(tree: &str, change: impl FnOnce(&Path)) -> String {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(Path::new(tree), dir.path());
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base", "--allow-empty"]);
    change(dir.path());
    threatline(
        &["report", "--since", "main", "--format", "markdown"],
        dir.path(),
    )
}

/// The example's comment: a mitigation removed (a removed defence and an open exposure).
fn example_comment() -> String {
    pr_comment(EXAMPLE, |dir| {
        let path = dir.join("gateway/auth.go");
        let text = std::fs::read_to_string(&path).unwrap();
        let line = " * @mitigates #api-gateway against #token-forgery with #jwt-verify\n";
        assert!(text.contains(line));
        std::fs::write(&path, text.replace(line, " *\n")).unwrap();
    })
}

/// The injection fixture's comment: its hostile model added in one change.
fn injection_comment() -> String {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    std::fs::create_dir_all(&base).unwrap();
    std::fs::write(base.join("multi.py"), "x = 1\n").unwrap();
    pr_comment(base.to_str().unwrap(), |dir| {
        copy_tree(Path::new(INJECTION), dir)
    })
}

fn report(tree: &str) -> String {
    threatline(
        &["report", tree, "--format", "markdown"],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    )
}

/// What a reader gets from a Markdown document.
#[derive(Debug, Default)]
struct Rendered {
    /// The text, a line per block, table cell or list item.
    text: String,
    code: Vec<String>,
    /// Raw HTML, block and inline.
    html: Vec<String>,
    links: Vec<String>,
    images: usize,
    tables: usize,
    /// The document as HTML.
    page: String,
}

fn render(markdown: &str) -> Rendered {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut r = Rendered::default();
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Text(t) => r.text.push_str(&t),
            Event::End(_) | Event::SoftBreak | Event::HardBreak => r.text.push('\n'),
            Event::Code(c) => r.code.push(c.to_string()),
            Event::Html(h) | Event::InlineHtml(h) => r.html.push(h.to_string()),
            Event::Start(Tag::Link { dest_url, .. }) => r.links.push(dest_url.to_string()),
            Event::Start(Tag::Image { .. }) => r.images += 1,
            Event::Start(Tag::Table(_)) => r.tables += 1,
            _ => {}
        }
    }
    pulldown_cmark::html::push_html(&mut r.page, Parser::new_ext(markdown, options));
    r
}

/// The raw HTML the renderers write themselves: the folds of the info findings and the
/// comment's footer. Anything else came from the repository.
fn ours(html: &str) -> bool {
    let fold = regex::Regex::new(r"^<details><summary>[a-z-]+ \([0-9]+\)</summary>\n?$").unwrap();
    fold.is_match(html)
        || ["</details>", "</details>\n", "<sub>", "</sub>"].contains(&html)
        || html == "<sub>Generated by threatline from the security annotations in the code.</sub>\n"
}

fn assert_inert(name: &str, r: &Rendered) {
    let foreign: Vec<&String> = r.html.iter().filter(|h| !ours(h)).collect();
    assert!(foreign.is_empty(), "{name}: raw HTML {foreign:?}");
    assert_eq!(r.images, 0, "{name}: an image");
    for link in &r.links {
        assert!(
            link.starts_with("./") && !link.contains(':'),
            "{name}: a link that is not a source link: {link}"
        );
    }
    let page = r.page.to_ascii_lowercase();
    // Hostile words are shown as text (`javascript:alert(1)` is a description); none is
    // an element or an address.
    for forbidden in [
        "<script",
        "<img",
        "<iframe",
        "href=\"javascript",
        "href=\"http",
    ] {
        assert!(
            !page.contains(forbidden),
            "{name}: `{forbidden}` in the page"
        );
    }
}

#[test]
fn the_example_report_quotes_names_as_code_spans() {
    let md = report(EXAMPLE);
    // Before: 192 `\``, backslash-escaped backticks around names.
    assert_eq!(
        md.matches("\\`").count(),
        0,
        "escaped backticks in the source"
    );
    let r = render(&md);
    assert!(
        !r.text.contains("\\`"),
        "a backslash-backtick reads literally"
    );
    assert!(
        !r.text.contains('`'),
        "a backtick left in the text: {}",
        r.text
    );
    assert!(
        r.tables >= 8,
        "summary, flows, two coverage tables, findings: {}",
        r.tables
    );
    for name in [
        "GitHub:CI",
        "Shop:Platform:Kubernetes API Server",
        "Control Plane",
        "Server-Side Request Forgery",
        "Refund Fraud",
        "Kubernetes RBAC",
        "@tests",
        "--fail-on high",
    ] {
        assert!(
            r.code.iter().any(|c| c == name),
            "`{name}` as code: {:?}",
            r.code
        );
    }
    // A quoted id reads as what it names.
    assert!(
        md.contains("review of `Shop:Identity:Auth Server`: access tokens live 60 minutes"),
        "{md}"
    );
    // Source links stay relative and whole.
    assert!(r.links.iter().all(|l| l.starts_with("./")));
    assert!(r.links.contains(&"./gateway/main.go#L30".to_string()));
    assert_inert("example report", &r);
}

#[test]
fn the_example_comment_quotes_names_as_code_spans() {
    let md = example_comment();
    assert!(md.contains("Removed defence"), "{md}");
    assert_eq!(md.matches("\\`").count(), 0, "{md}");
    assert!(!md.contains("<code>"), "code spans, not raw HTML: {md}");
    let r = render(&md);
    assert!(!r.text.contains('`'), "{}", r.text);
    for name in [
        "@mitigates",
        "Shop:Edge:API Gateway",
        "Forged Access Token",
        "JWT Verification",
        "unmitigated-exposure",
        "--fail-on high",
    ] {
        assert!(r.code.iter().any(|c| c == name), "`{name}`: {:?}", r.code);
    }
    assert_inert("example comment", &r);
}

#[test]
fn the_injection_report_renders_inert() {
    let md = report(INJECTION);
    let r = render(&md);
    assert_inert("injection report", &r);
    // Hostile names quoted in messages are code, whole, backticks and all.
    assert!(
        r.code
            .iter()
            .any(|c| c == "Sink:`code` *bold* _em_ # hash | pipe"),
        "{:?}",
        r.code
    );
    // A name holding `<` is escaped text rather than a span: no `<` of the repository's
    // reaches the source, for consumers less careful than a CommonMark renderer.
    assert!(r.text.contains("Evil:<script>alert(1)</script>"));
    assert!(!r.code.iter().any(|c| c.contains('<')), "{:?}", r.code);
    assert!(!md.contains("<script"));
    // Outside code, the text is shown as written.
    assert!(
        r.text
            .contains("<img src=x onerror=alert(1)> and [x](http://evil)")
    );
    assert!(!r.text.contains("\\`"));
}

#[test]
fn the_injection_comment_renders_inert() {
    let md = injection_comment();
    assert!(md.contains("Component added"), "{md}");
    let r = render(&md);
    assert_inert("injection comment", &r);
    assert!(!r.text.contains("\\`"));
    assert!(r.text.contains("Evil:<script>alert(1)</script>"));
    assert!(!md.contains("<script"));
    assert!(
        r.code
            .iter()
            .any(|c| c == "Sink:`code` *bold* _em_ # hash | pipe"),
        "{:?}",
        r.code
    );
}

#[test]
fn code_spans_survive_backticks_and_pipes_in_tables() {
    // A component whose path holds backticks and a pipe, quoted in a finding's message
    // inside a table cell: one code span, the cell count unchanged.
    let dir = common::tree(&[(
        "a.py",
        "# @component \"App:``x`` | y\" (#odd) [compute]\n# @exposes #odd to Tampering (#t) [low]\n",
    )]);
    let md = threatline(&["report", ".", "--format", "markdown"], dir.path());
    let r = render(&md);
    assert!(
        r.code.iter().any(|c| c == "App:``x`` | y"),
        "{:?}\n{md}",
        r.code
    );
    assert_inert("odd names", &r);
}
