//! Pull-request mode end to end, in temporary git repositories: `check --since REF`,
//! `check --staged`, `report --since REF --format markdown`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::write;

fn threatline(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

fn git(dir: &Path, args: &[&str]) -> String {
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
        // Fixed dates: the same commits get the same SHAs on every run.
        .env("GIT_AUTHOR_DATE", "2025-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2025-01-01T00:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A repository on branch `main` whose first commit holds `files`.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    for (path, content) in files {
        write(dir.path(), path, content.as_bytes());
    }
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    dir
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

fn both(out: &Output) -> String {
    format!("{}{}", stdout(out), String::from_utf8_lossy(&out.stderr))
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", both(out)))
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap()
}

/// An exposure below the default threshold and its mitigation: a clean base.
const ORDERS: &str = "\
# @threat SQL injection (#sqli) [low]
# @control Parameterized queries (#pq)
# @exposes App:Orders to #sqli
# @mitigates App:Orders against #sqli with #pq
# @tests #pq for App:Orders
def orders(): pass
";

#[test]
fn a_removed_mitigates_fails_by_default() {
    let dir = repo(&[("orders.py", ORDERS)]);
    assert_eq!(
        code(&threatline(&["check", "--since", "main"], dir.path())),
        0
    );

    let without = read(dir.path(), "orders.py")
        .replace("# @mitigates App:Orders against #sqli with #pq\n", "");
    write(dir.path(), "orders.py", without.as_bytes());
    let out = threatline(&["check", "--since", "main"], dir.path());
    // The new finding is low, under `high`: the removed defence alone fails the gate.
    assert_eq!(code(&out), 1, "{}", both(&out));
    let text = stdout(&out);
    assert!(
        text.contains("FAIL  removed-defence  orders.py:4:3 (in main ("),
        "{text}"
    );
    assert!(
        stderr(&out).starts_with("FAIL: 1 removed defence"),
        "{}",
        stderr(&out)
    );
    // Changes come before the new findings.
    assert!(
        text.find("removed-defence") < text.find("unmitigated-exposure"),
        "{text}"
    );

    let out = threatline(
        &["check", "--since", "main", "--format", "json"],
        dir.path(),
    );
    let v = json(&out);
    let change = &v["changes"][0];
    assert_eq!(change["kind"], "removed-defence");
    assert_eq!(change["fails"], true);
    assert_eq!(change["side"], "base");
    assert_eq!(change["ids"], serde_json::json!(["app.orders", "sqli"]));
    assert_eq!(v["findings"][0]["code"], "unmitigated-exposure");
    assert_eq!(v["passed"], false);

    // Configurable: reported, not failing.
    write(
        dir.path(),
        "threatline.yaml",
        b"changes:\n  removed-defence: report\n",
    );
    let out = threatline(&["check", "--since", "main"], dir.path());
    assert_eq!(code(&out), 0, "{}", both(&out));
    assert!(stdout(&out).contains("note  removed-defence"));
}

#[test]
fn a_mitigation_moved_to_an_ancestor_is_no_removed_defence() {
    let dir = repo(&[("orders.py", ORDERS)]);
    let moved = read(dir.path(), "orders.py")
        .replace("@mitigates App:Orders against", "@mitigates App against");
    write(dir.path(), "orders.py", moved.as_bytes());
    let out = threatline(
        &["check", "--since", "main", "--format", "json"],
        dir.path(),
    );
    assert_eq!(code(&out), 0, "{}", both(&out));
    assert_eq!(json(&out)["changes"], serde_json::json!([]));
}

#[test]
fn a_new_exposes_on_an_old_file_fails_only_at_the_threshold() {
    let dir = repo(&[("orders.py", ORDERS)]);
    let mut text = read(dir.path(), "orders.py");
    text.push_str("# @exposes App:Orders to Cross-site scripting [medium]\n");
    write(dir.path(), "orders.py", text.as_bytes());

    let out = threatline(&["check", "--since", "main"], dir.path());
    assert_eq!(code(&out), 0, "medium is under high: {}", both(&out));
    assert!(
        stdout(&out).contains("note  new-exposure  orders.py:7:3"),
        "{}",
        stdout(&out)
    );

    let out = threatline(
        &["check", "--since", "main", "--fail-on", "medium"],
        dir.path(),
    );
    assert_eq!(code(&out), 1, "{}", both(&out));
    assert!(stderr(&out).starts_with("FAIL: 1 new finding at or above medium"));
}

#[test]
fn an_old_finding_does_not_fail() {
    let dir = repo(&[(
        "api.py",
        "# @exposes Shop:API to SQL injection [critical]\ndef api(): pass\n",
    )]);
    write(
        dir.path(),
        "api.py",
        b"import os\n\n# @exposes Shop:API to SQL injection [critical]\ndef api(): return os.getcwd()\n",
    );
    assert_eq!(
        code(&threatline(&["check"], dir.path())),
        1,
        "the whole tree fails"
    );
    let out = threatline(&["check", "--since", "main"], dir.path());
    assert_eq!(code(&out), 0, "{}", both(&out));
    assert!(stderr(&out).contains("0 new findings"));
}

#[test]
fn a_rename_keeps_fingerprints() {
    let dir = repo(&[
        (
            "api.py",
            "# @exposes Shop:API to SQL injection [critical]\n# @connects User:Browser to Shop:API with HTTP\n",
        ),
        ("bad.py", "# @mitigates Shop:API against (#broken\n"),
    ]);
    let before = json(&threatline(&["check", "--format", "json"], dir.path()));
    std::fs::create_dir(dir.path().join("src")).unwrap();
    git(dir.path(), &["mv", "api.py", "src/renamed.py"]);
    git(dir.path(), &["mv", "bad.py", "src/bad.py"]);
    // Moved down a few lines too.
    let moved = format!("\n\n\n{}", read(dir.path(), "src/renamed.py"));
    write(dir.path(), "src/renamed.py", moved.as_bytes());
    let after = json(&threatline(&["check", "--format", "json"], dir.path()));

    let fingerprints = |v: &serde_json::Value| -> Vec<String> {
        let mut f: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect();
        f.sort();
        f
    };
    assert!(!fingerprints(&before).is_empty());
    assert_eq!(fingerprints(&before), fingerprints(&after));
    assert_eq!(after["findings"][0]["file"], "src/renamed.py");

    let out = threatline(
        &["check", "--since", "main", "--format", "json"],
        dir.path(),
    );
    assert_eq!(code(&out), 0, "{}", both(&out));
    let v = json(&out);
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(v["changes"], serde_json::json!([]));
    // The malformed line moved with its file: matched by code and text, not new.
    assert_eq!(v["diagnostics"], serde_json::json!([]));
}

#[test]
fn staged_sees_the_index_not_the_work_tree() {
    let dir = repo(&[
        ("orders.py", ORDERS),
        // A mitigation in another file still counts: the index is read whole.
        (
            "billing.py",
            "# @exposes App:Billing to #sqli\n# @mitigates App:Billing against #sqli with #pq\n",
        ),
    ]);
    let without = ORDERS.replace("# @mitigates App:Orders against #sqli with #pq\n", "");
    // Stage the removal, then put the mitigation back in the work tree only.
    write(dir.path(), "orders.py", without.as_bytes());
    git(dir.path(), &["add", "orders.py"]);
    write(dir.path(), "orders.py", ORDERS.as_bytes());

    let out = threatline(&["check", "--staged"], dir.path());
    assert_eq!(code(&out), 1, "{}", both(&out));
    assert!(stdout(&out).contains("Model changes in the index since HEAD"));
    assert!(stdout(&out).contains("removed-defence"));
    assert_eq!(
        code(&threatline(&["check", "--since", "HEAD"], dir.path())),
        0,
        "the work tree is fine"
    );

    // The other way round: the index is fine, the work tree is not.
    git(dir.path(), &["add", "orders.py"]);
    write(dir.path(), "orders.py", without.as_bytes());
    let out = threatline(&["check", "--staged"], dir.path());
    assert_eq!(code(&out), 0, "{}", both(&out));
    assert_eq!(
        code(&threatline(&["check", "--since", "HEAD"], dir.path())),
        1
    );

    // A new file staged with an edit of another: billing's mitigation still answers it.
    write(
        dir.path(),
        "more.py",
        b"# @exposes App:Billing to #sqli [critical]\n",
    );
    git(dir.path(), &["add", "more.py"]);
    let out = threatline(&["check", "--staged", "--format", "json"], dir.path());
    assert_eq!(code(&out), 0, "{}", both(&out));
}

#[test]
fn staged_before_the_first_commit_checks_everything_staged() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    write(
        dir.path(),
        "a.py",
        b"# @exposes Shop:API to SQL injection [high]\n",
    );
    assert_eq!(
        code(&threatline(&["check", "--staged"], dir.path())),
        0,
        "nothing staged"
    );
    git(dir.path(), &["add", "a.py"]);
    let out = threatline(&["check", "--staged"], dir.path());
    assert_eq!(code(&out), 1, "{}", both(&out));
    assert!(stdout(&out).contains("since HEAD (no commits yet)"));
}

/// The index file's bytes and modification time.
fn index_state(dir: &Path) -> (Vec<u8>, std::time::SystemTime) {
    let path = dir.join(".git/index");
    (
        std::fs::read(&path).unwrap(),
        std::fs::metadata(&path).unwrap().modified().unwrap(),
    )
}

#[test]
fn the_work_tree_and_index_are_untouched() {
    let dir = repo(&[
        ("orders.py", ORDERS),
        ("notes.threatline", "@review App:Orders check it\n"),
    ]);
    git(dir.path(), &["checkout", "-q", "-b", "feature"]);
    write(
        dir.path(),
        "orders.py",
        ORDERS.replace("#pq\n", "#pq [low]\n").as_bytes(),
    );
    git(dir.path(), &["add", "orders.py"]);
    git(dir.path(), &["commit", "-q", "-m", "feature"]);
    // Staged, unstaged and untracked changes on top.
    write(
        dir.path(),
        "notes.threatline",
        b"@review App:Orders staged\n",
    );
    git(dir.path(), &["add", "notes.threatline"]);
    write(dir.path(), "orders.py", b"# @exposes App:Orders to #sqli\n");
    write(dir.path(), "new.py", b"# @component App:New\n");

    let status = git(dir.path(), &["status", "--porcelain=v1", "-uall"]);
    let index = index_state(dir.path());
    let head = git(dir.path(), &["rev-parse", "HEAD"]);
    for args in [
        &["check", "--since", "main"][..],
        &["check", "--staged"],
        &["report", "--since", "main", "--format", "markdown"],
    ] {
        let out = threatline(args, dir.path());
        assert!(code(&out) < 2, "{args:?}: {}", both(&out));
    }
    assert_eq!(
        index_state(dir.path()),
        index,
        "the index file is unchanged"
    );
    assert_eq!(
        git(dir.path(), &["status", "--porcelain=v1", "-uall"]),
        status
    );
    assert_eq!(git(dir.path(), &["rev-parse", "HEAD"]), head);
    assert_eq!(
        read(dir.path(), "orders.py"),
        "# @exposes App:Orders to #sqli\n"
    );
}

#[test]
fn excludes_and_gitignore_apply_to_the_revision_too() {
    // The mitigations sit in files the walker never reads: an excluded directory and a
    // tracked but ignored one. If the revision read them, the base would be mitigated and
    // the work tree not, and the old finding would look new.
    let dir = repo(&[
        (
            "api.py",
            "# @exposes Shop:API to SQL injection [critical]\n",
        ),
        (
            "vendor/m.py",
            "# @mitigates Shop:API against SQL injection\n",
        ),
        (".gitignore", "gen/\n"),
        ("threatline.yaml", "exclude: [vendor]\n"),
    ]);
    write(
        dir.path(),
        "gen/m.py",
        b"# @mitigates Shop:API against SQL injection\n",
    );
    git(dir.path(), &["add", "-f", "gen/m.py"]);
    git(dir.path(), &["commit", "-q", "-m", "generated"]);
    assert_eq!(code(&threatline(&["check"], dir.path())), 1);
    let out = threatline(&["check", "--since", "main"], dir.path());
    assert_eq!(code(&out), 0, "{}", both(&out));
    let out = threatline(
        &["check", "--since", "main", "--exclude", "api.py"],
        dir.path(),
    );
    assert_eq!(code(&out), 0, "{}", both(&out));
}

#[test]
fn a_subdirectory_is_read_with_paths_relative_to_it() {
    let dir = repo(&[
        ("svc/orders.py", ORDERS),
        (
            "other/x.py",
            "# @exposes Other:Thing to SQL injection [critical]\n",
        ),
    ]);
    let without = ORDERS.replace("# @mitigates App:Orders against #sqli with #pq\n", "");
    write(dir.path(), "svc/orders.py", without.as_bytes());
    let out = threatline(&["check", "svc", "--since", "main"], dir.path());
    assert_eq!(code(&out), 1, "{}", both(&out));
    assert!(
        stdout(&out).contains("removed-defence  orders.py:4:3"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn git_failures_exit_2_with_a_clear_message() {
    let dir = repo(&[("orders.py", ORDERS)]);
    let out = threatline(&["check", "--since", "no-such-branch"], dir.path());
    assert_eq!(code(&out), 2);
    assert!(
        both(&out).contains("`no-such-branch` is not a commit"),
        "{}",
        both(&out)
    );
    let out = threatline(&["check", "--since", "--upload-pack=x"], dir.path());
    assert_eq!(code(&out), 2, "{}", both(&out));

    let plain = tempfile::tempdir().unwrap();
    write(plain.path(), "a.py", b"# @component A\n");
    let out = threatline(&["check", "--since", "main"], plain.path());
    assert_eq!(code(&out), 2);
    assert!(
        both(&out).contains("not inside a git repository"),
        "{}",
        both(&out)
    );
    let out = threatline(
        &["report", "--since", "main", "--format", "html"],
        dir.path(),
    );
    assert_eq!(code(&out), 2);
    assert!(both(&out).contains("--format markdown"));
}

/// The fixture change: a checkout service whose pull request removes a defence, adds an
/// unprotected flow into a declared boundary, raises a severity and accepts a risk.
fn fixture_change() -> tempfile::TempDir {
    let dir = repo(&[
        (
            "src/orders.py",
            "# @component Shop:Orders (#orders)\n# @threat SQL injection (#sqli) [high, tampering] cwe:CWE-89\n# @control Parameterized queries (#pq)\n# @exposes #orders to #sqli\n# @mitigates #orders against #sqli with #pq\n# @tests #pq for #orders\ndef orders(): pass\n",
        ),
        (
            "src/web.ts",
            "// @component Shop:Web (#web)\n// @control TLS 1.3 (#tls)\n// @tests #tls for #web\n// @connects User:Browser to #web with #tls (#browse)\n// @connects #web to #orders with #tls (#place-order)\n// @exposes #web to Cross-site scripting (#xss) [medium]\n// @mitigates #web against #xss with #tls\nexport {};\n",
        ),
        (
            "infra/boundary.threatline",
            "@boundary Payment zone (#pay-zone) [critical] around Payments\n@component Payments:Gateway (#gateway)\n",
        ),
    ]);
    write(
        dir.path(),
        "src/orders.py",
        b"# @component Shop:Orders (#orders)\n# @threat SQL injection (#sqli) [critical, tampering] cwe:CWE-89\n# @control Parameterized queries (#pq)\n# @exposes #orders to #sqli\n# @tests #pq for #orders\n# @connects #orders to #gateway with HTTP (#charge)\n# @handles financial on #orders\ndef orders(): pass\n",
    );
    write(
        dir.path(),
        "src/web.ts",
        b"// @component Shop:Web (#web)\n// @control TLS 1.3 (#tls)\n// @tests #tls for #web\n// @connects User:Browser to #web with #tls (#browse)\n// @connects #web to #orders with #tls (#place-order)\n// @exposes #web to Cross-site scripting (#xss) [medium]\n// @accepts #xss on #web with \"templates escape by default; <b>see</b> [ADR-7](http://x)\"\nexport {};\n",
    );
    dir
}

#[test]
fn the_pr_comment_for_a_fixture_change() {
    let dir = fixture_change();
    let sha = git(dir.path(), &["rev-parse", "main"]);
    let out = threatline(
        &[
            "report",
            "--since",
            "main",
            "--format",
            "markdown",
            "--source-url",
            "https://github.com/acme/shop/blob/HEAD/",
        ],
        dir.path(),
    );
    assert_eq!(code(&out), 0, "a report is not the gate: {}", both(&out));
    let comment = stdout(&out).replace(&sha.trim()[..8], "SHA");
    assert!(comment.contains("**Gate: FAIL**"), "{comment}");
    assert!(
        !comment.contains("<b>"),
        "repository text stays inert: {comment}"
    );
    // Only the changed flow and its neighbours: `browse` does not touch #orders or #gateway.
    assert!(comment.contains("Gateway"), "{comment}");
    assert!(!comment.contains("Browser"), "{comment}");
    assert!(
        comment.lines().count() < 60,
        "short enough for a PR comment"
    );
    insta::assert_snapshot!("pr_comment", comment);

    let out = threatline(&["check", "--since", "main"], dir.path());
    assert_eq!(code(&out), 1);
    // Blobs are scanned in parallel; the output does not depend on it.
    let one = threatline(
        &[
            "check",
            "--since",
            "main",
            "--format",
            "json",
            "--threads",
            "1",
        ],
        dir.path(),
    );
    let three = threatline(
        &[
            "check",
            "--since",
            "main",
            "--format",
            "json",
            "--threads",
            "3",
        ],
        dir.path(),
    );
    assert_eq!(one.stdout, three.stdout);
    insta::assert_snapshot!(
        "pr_check_text",
        // The report on stdout, then the verdict on stderr, as a terminal shows them.
        both(&out).replace(&sha.trim()[..8], "SHA")
    );
}

/// `new-attack-path` fails whatever `--fail-on` says (nothing stands between the outside
/// and the data any more); the path gone again is an improvement, not a failure.
#[test]
fn a_new_attack_path_fails_and_a_closed_one_is_good_news() {
    const BASE: &str = "# @connects Internet:Visitor to Shop:Web with HTTP (#visitor-web)\n\
                        # @handles pii on Shop:Profiles\n";
    let dir = repo(&[("shop.py", BASE)]);
    let opened = format!("{BASE}# @connects Shop:Web to Shop:Profiles with SQL (#web-profiles)\n");
    write(dir.path(), "shop.py", opened.as_bytes());
    // The new finding is high, under `--fail-on critical`: the change alone fails.
    let out = threatline(
        &["check", "--since", "main", "--fail-on", "critical"],
        dir.path(),
    );
    assert_eq!(code(&out), 1, "{}", both(&out));
    let text = stdout(&out);
    assert!(
        text.contains("FAIL  new-attack-path  shop.py:3:3"),
        "{text}"
    );
    assert!(
        text.contains("Internet:Visitor → Shop:Web → Shop:Profiles"),
        "{text}"
    );
    let v = json(&threatline(
        &["check", "--since", "main", "--format", "json"],
        dir.path(),
    ));
    let change = &v["changes"][0];
    assert_eq!(change["kind"], "new-attack-path");
    // The pull-request comment draws the changed flow as a hop of the path, and says so.
    let comment = stdout(&threatline(
        &["report", "--since", "main", "--format", "markdown"],
        dir.path(),
    ));
    assert!(comment.contains("|\"path 1 hop 2: SQL\"|"), "{comment}");
    assert!(comment.contains("**Thick purple** arrows"), "{comment}");
    assert_eq!(
        change["ids"],
        serde_json::json!(["internet.visitor", "shop.profiles"])
    );

    // Committed, then answered on one hop: the path is gone, which is good news.
    git(dir.path(), &["commit", "-q", "-am", "open"]);
    let closed =
        format!("{opened}# @accepts Tampering on #web-profiles with a read-only replica\n");
    write(dir.path(), "shop.py", closed.as_bytes());
    let out = threatline(&["check", "--since", "main"], dir.path());
    assert_eq!(code(&out), 0, "{}", both(&out));
    assert!(
        stdout(&out).contains("good  attack-path-removed  shop.py:3:3"),
        "{}",
        stdout(&out)
    );
}
