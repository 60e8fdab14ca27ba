//! The reports in a real browser: headless Chromium (Debian's `chromium`, which `.ci/run`
//! installs) loads the HTML report with no console message at all (the page has no script,
//! so any message is a blocked fetch, a CSP violation or an error) and takes a screenshot
//! that shows the diagram; and the `mermaid` npm package (pinned in `tests/browser/`)
//! parses and renders the generated Mermaid, the injection fixture's included.
//!
//! A custom harness (libtest-mimic, `harness = false`), so that a test that cannot run says
//! so: without Chromium or `npm ci --prefix tests/browser` a trial is reported as
//! `ignored (chromium missing: ...)` and counted as ignored in the summary, never as `ok`;
//! under `CI=true` it fails instead, since CI must never pass by not looking.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Completion, Failed, Trial};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const MERMAID_JS: &str = "tests/browser/node_modules/mermaid/dist/mermaid.min.js";

fn main() {
    let args = Arguments::from_args();
    let trials = vec![
        trial("html_reports_load_clean_and_show_the_diagram", || {
            html_reports_load_clean_and_show_the_diagram(&chromium()?);
            Ok(())
        }),
        trial("mermaid_parses_and_renders_in_the_browser", || {
            mermaid_parses_and_renders_in_the_browser(&chromium()?, &mermaid_js()?);
            Ok(())
        }),
    ];
    libtest_mimic::run(&args, trials).exit();
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A prerequisite the trial cannot run without: what it is, and how to get it.
struct Missing {
    what: &'static str,
    how: String,
}

/// A trial whose body returns `Err(Missing)` when a prerequisite is absent: ignored with the
/// reason (`ignored (chromium missing: ...)`) locally, a failure under `CI=true`. A panic in
/// the body (a failed assertion) is a failure, as with `#[test]`.
fn trial(name: &str, body: fn() -> Result<(), Missing>) -> Trial {
    Trial::ignorable_test(name, move || match body() {
        Ok(()) => Ok(Completion::Completed),
        Err(Missing { what, how }) if in_ci() => {
            Err(Failed::from(format!("{what} missing and CI is set: {how}")))
        }
        Err(Missing { what, how }) => Ok(Completion::ignored_with(format!(
            "{what} missing: {how} (CI=true makes this a failure)"
        ))),
    })
}

/// `$CHROMIUM`, else `chromium` or `chromium-browser` on the PATH.
fn chromium() -> Result<PathBuf, Missing> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Ok(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|n| dir.join(n)))
        .find(|p| p.is_file())
        .ok_or_else(|| Missing {
            what: "chromium",
            how: "no `chromium` or `chromium-browser` on the PATH and no $CHROMIUM; \
                  .ci/run installs it"
                .into(),
        })
}

fn mermaid_js() -> Result<PathBuf, Missing> {
    let path = Path::new(ROOT).join(MERMAID_JS);
    if path.is_file() {
        Ok(path)
    } else {
        Err(Missing {
            what: "the mermaid package",
            how: format!("no {MERMAID_JS}; `npm ci --prefix tests/browser` (.ci/run does)"),
        })
    }
}

struct Run {
    stdout: String,
    /// Console messages Chromium logged (`--enable-logging=stderr`).
    console: Vec<String>,
}

/// Runs headless Chromium on `url` with `args`, a fresh profile, no network chatter, and a
/// deadline; collects stdout and the console lines of stderr.
fn chromium_run(bin: &Path, url: &str, args: &[String]) -> Run {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    // Read both pipes while it runs: a dumped DOM is larger than a pipe buffer.
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = r.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + Duration::from_secs(45);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 45 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (stdout, stderr) = (out.join().unwrap(), err.join().unwrap());
    assert!(
        status.success(),
        "chromium failed on {url}: {status}\n{stderr}"
    );
    Run {
        stdout,
        console: stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .map(str::to_string)
            .collect(),
    }
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The report of `tree` in `format`, written to `out`.
fn write_report(tree: &str, format: &str, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_threatline"))
        .args(["report", tree, "--format", format, "-o"])
        .arg(out)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "threatline report {tree} --format {format}"
    );
}

/// Where the screenshots go, for people (and CI artifacts) to look at.
fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn html_reports_load_clean_and_show_the_diagram(bin: &Path) {
    let started = Instant::now();
    let dir = artifacts();

    // The detector must see a console message where there is one, or it proves nothing.
    let bad = dir.join("csp-violation.html");
    std::fs::write(
        &bad,
        format!(
            "<!DOCTYPE html><meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\
             <img src=\"http://127.0.0.1:9/x.png\">",
            threatline::output::html::CSP
        ),
    )
    .unwrap();
    let run = chromium_run(bin, &file_url(&bad), &["--dump-dom".into()]);
    assert!(!run.console.is_empty(), "a blocked fetch is logged");

    for (tree, name, flows, red) in [
        (format!("{ROOT}/fixtures/example"), "example", 19, 2),
        (format!("{ROOT}/tests/injection"), "injection", 3, 3),
    ] {
        let html = dir.join(format!("{name}.html"));
        write_report(&tree, "html", &html);
        let png = dir.join(format!("{name}.png"));
        let run = chromium_run(
            bin,
            &file_url(&html),
            &[
                format!("--screenshot={}", png.display()),
                "--window-size=1280,2000".into(),
            ],
        );
        assert!(
            run.console.is_empty(),
            "{name}: console messages:\n{}",
            run.console.join("\n")
        );
        let bytes = std::fs::read(&png).expect("a screenshot");
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name}: a PNG");
        let size = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
        assert_eq!(
            (size(16), size(20)),
            (1280, 2000),
            "{name}: the window size"
        );
        // A blank page compresses to a few kilobytes; diagram, badges and text do not.
        assert!(
            bytes.len() > 40_000,
            "{name}: a near-blank screenshot ({} bytes)",
            bytes.len()
        );

        // What the browser built from the file: the diagram's flows are all there, so no
        // name broke out of its element and swallowed the rest.
        let dom = chromium_run(bin, &file_url(&html), &["--dump-dom".into()]).stdout;
        assert_eq!(
            dom.matches("<path class=\"flow").count(),
            flows,
            "{name}: flows drawn"
        );
        assert_eq!(
            dom.matches("<path class=\"flow unprotected\"").count(),
            red,
            "{name}"
        );
        assert!(
            !dom.to_ascii_lowercase().contains("<script"),
            "{name}: a script element"
        );
        assert!(
            dom.contains("id=\"findings\""),
            "{name}: the page reached its end"
        );
        eprintln!("{name}: screenshot at {}", png.display());
    }
    eprintln!(
        "HTML in Chromium took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn mermaid_parses_and_renders_in_the_browser(bin: &Path, js: &Path) {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let mut diagrams = Vec::new();
    for tree in ["fixtures/example", "tests/injection"] {
        let out = dir.path().join("d.mmd");
        write_report(&format!("{ROOT}/{tree}"), "mermaid", &out);
        diagrams.push(std::fs::read_to_string(&out).unwrap());
    }
    // A broken diagram must come back as an error, or a pass proves nothing.
    diagrams.push("flowchart LR\n  a --> b[\"x\"\n".into());
    let page = dir.path().join("mermaid.html");
    std::fs::write(&page, mermaid_page(js, &diagrams)).unwrap();
    let run = chromium_run(
        bin,
        &file_url(&page),
        &[
            "--allow-file-access-from-files".into(),
            // Lets the asynchronous render finish before the DOM is dumped.
            "--virtual-time-budget=30000".into(),
            "--dump-dom".into(),
        ],
    );
    let results: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.split_once("RESULT ").map(|(_, r)| r))
        .filter(|r| !r.starts_with('\''))
        .collect();
    assert_eq!(results.len(), 3, "every diagram reported:\n{}", run.stdout);
    assert!(
        results[0].starts_with("0 OK edges=19 scripts=0"),
        "{}",
        results[0]
    );
    assert!(
        results[1].starts_with("1 OK edges=3 scripts=0"),
        "{}",
        results[1]
    );
    assert!(results[2].starts_with("2 ERROR"), "{}", results[2]);
    // The entity codes came back as the very text the repository wrote (as text nodes:
    // the DOM dump shows them escaped again).
    for label in [
        "&lt;script&gt;alert(7)&lt;/script&gt;",
        "Sink:Flow --&gt; Bar {{x}}",
        "#semi %% comment",
        "\\\"]; click A call evil()",
    ] {
        assert!(
            results[1].contains(label),
            "`{label}` not rendered: {}",
            results[1]
        );
    }
    eprintln!(
        "Mermaid in Chromium took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// A page that loads mermaid from disk, parses and renders each diagram, and writes one
/// `RESULT i OK edges=N scripts=N text=...` or `RESULT i ERROR message` line per diagram.
fn mermaid_page(js: &Path, diagrams: &[String]) -> String {
    let data = serde_json::to_string(diagrams)
        .unwrap()
        .replace('<', "\\u003c");
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>mermaid</title>
<script src="{}"></script></head><body><pre id="out">PENDING</pre>
<script>
const diagrams = {data};
window.addEventListener('load', async () => {{
  const lines = [];
  mermaid.initialize({{ startOnLoad: false, securityLevel: 'strict' }});
  for (let i = 0; i < diagrams.length; i++) {{
    try {{
      await mermaid.parse(diagrams[i]);
      const {{ svg }} = await mermaid.render('d' + i, diagrams[i]);
      const box = document.createElement('div');
      box.innerHTML = svg;
      box.querySelectorAll('style').forEach((s) => s.remove());
      const edges = box.querySelectorAll('path.flowchart-link').length;
      const scripts = box.querySelectorAll('script, foreignObject a[href^="javascript"]').length;
      lines.push('RESULT ' + i + ' OK edges=' + edges + ' scripts=' + scripts + ' text=' + JSON.stringify(box.textContent));
    }} catch (e) {{
      lines.push('RESULT ' + i + ' ERROR ' + String((e && e.message) || e).split('\n').join(' '));
    }}
  }}
  document.getElementById('out').textContent = lines.join('\n');
}});
</script></body></html>"#,
        file_url(js)
    )
}
