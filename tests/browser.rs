//! The reports in a real browser: headless Chromium (Debian's `chromium`, which `.ci/run`
//! installs) loads the HTML report with no console message at all (the page has no script,
//! so any message is a blocked fetch, a CSP violation or an error) and takes screenshots at
//! 1400 px and 390 px (a phone) that show the diagram; the same report, measured in the
//! browser at both widths, fits the window (what is wider scrolls inside its own box), draws
//! the diagram at its natural size with no text cut or spilling out of its box and no label
//! on another; and the `mermaid` npm package (pinned in `tests/browser/`) parses and renders
//! the generated Mermaid, the injection fixture's included.
//!
//! The page forbids scripts (its CSP), so the measuring is done on a copy the test writes:
//! the same page with a policy that also allows one inline script, the test's own, which
//! writes what it measured into the DOM that `--dump-dom` prints.
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
/// The window widths the HTML report is looked at: a desktop and a phone.
const WIDTHS: [u32; 2] = [1400, 390];
const HEIGHT: u32 = 2000;
/// The smallest text the diagram may show, in CSS pixels.
const MIN_FONT_PX: f64 = 10.0;

fn main() {
    let args = Arguments::from_args();
    let trials = vec![
        trial("html_reports_load_clean_and_show_the_diagram", || {
            html_reports_load_clean_and_show_the_diagram(&chromium()?);
            Ok(())
        }),
        trial("html_report_fits_a_desktop_and_a_phone", || {
            html_report_fits_a_desktop_and_a_phone(&chromium()?);
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

/// Where the screenshots go, for people (and CI artifacts) to look at:
/// `target/tmp/browser/{example,injection}-{1400,390}.png`.
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

    // Flows, unprotected crossings on no attack path, attack-path hops (the injection
    // fixture's first hop is also an unprotected crossing).
    for (tree, name, flows, red, purple) in [
        (format!("{ROOT}/fixtures/example"), "example", 19, 2, 0),
        (format!("{ROOT}/tests/injection"), "injection", 4, 2, 2),
    ] {
        let html = dir.join(format!("{name}.html"));
        write_report(&tree, "html", &html);
        for width in WIDTHS {
            let png = dir.join(format!("{name}-{width}.png"));
            let run = chromium_run(
                bin,
                &file_url(&html),
                &[
                    format!("--screenshot={}", png.display()),
                    format!("--window-size={width},{HEIGHT}"),
                ],
            );
            assert!(
                run.console.is_empty(),
                "{name} at {width} px: console messages:\n{}",
                run.console.join("\n")
            );
            let bytes = std::fs::read(&png).expect("a screenshot");
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name}: a PNG");
            let size = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
            assert_eq!(
                (size(16), size(20)),
                (width, HEIGHT),
                "{name}: the window size"
            );
            // A blank page compresses to a few kilobytes; diagram, badges and text do not.
            assert!(
                bytes.len() > 40_000,
                "{name} at {width} px: a near-blank screenshot ({} bytes)",
                bytes.len()
            );
            eprintln!("{name}: screenshot at {}", png.display());
        }

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
        assert_eq!(
            dom.matches("attack-path\" d=").count(),
            purple,
            "{name}: attack-path hops drawn"
        );
        assert!(
            !dom.to_ascii_lowercase().contains("<script"),
            "{name}: a script element"
        );
        assert!(
            dom.contains("id=\"findings\""),
            "{name}: the page reached its end"
        );
    }
    eprintln!(
        "HTML in Chromium took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn html_report_fits_a_desktop_and_a_phone(bin: &Path) {
    let started = Instant::now();
    let dir = artifacts();
    let mut wrong: Vec<String> = Vec::new();
    for (tree, name) in [
        (format!("{ROOT}/fixtures/example"), "example"),
        (format!("{ROOT}/tests/injection"), "injection"),
    ] {
        // Written apart from the other trial's copy, which runs at the same time.
        let tmp = tempfile::tempdir().unwrap();
        let html = tmp.path().join("report.html");
        write_report(&tree, "html", &html);
        let page = std::fs::read_to_string(&html).unwrap();
        let nodes = page.matches("<g class=\"node\">").count();
        let labels = page.matches("<g class=\"flow-label\">").count();
        assert!(nodes > 0 && labels > 0, "{name}: a diagram with labels");
        let measured = dir.join(format!("{name}-measured.html"));
        std::fs::write(&measured, measuring_copy(&page)).unwrap();
        for width in WIDTHS {
            let m = measure(bin, &measured, width);
            let what = format!("{name} at {width} px");
            eprintln!("{what}: {}", summary(&m));
            wrong.extend(check_measures(&m, &what, width, nodes, labels));
        }
    }
    eprintln!(
        "HTML measured in Chromium in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// One line of what was measured, for the log.
fn summary(m: &serde_json::Value) -> String {
    format!(
        "page {}/{} px wide; diagram frame {} px showing {}, SVG {}x{} px at its natural {}x{}; \
         smallest diagram text {:.1} px; {} texts checked",
        m["scrollWidth"],
        m["viewport"],
        m["frame"]["clientWidth"],
        m["frame"]["scrollWidth"],
        m["svg"]["width"],
        m["svg"]["height"],
        m["svg"]["naturalWidth"],
        m["svg"]["naturalHeight"],
        m["minFont"].as_f64().unwrap_or(f64::NAN),
        m["texts"],
    )
}

/// What is wrong with the page at `width` px, as sentences (empty when nothing is).
fn check_measures(
    m: &serde_json::Value,
    what: &str,
    width: u32,
    nodes: usize,
    labels: usize,
) -> Vec<String> {
    let num = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let list = |key: &str| m[key].as_array().cloned().unwrap_or_default();
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap();
    let mut wrong = Vec::new();
    let mut expect = |ok: bool, says: String| {
        if !ok {
            wrong.push(format!("{what}: {says}"));
        }
    };
    expect(
        num(&m["viewport"]) == f64::from(width),
        format!("a {} px window", m["viewport"]),
    );
    // The page is no wider than the window: whatever is wider scrolls inside its own box.
    expect(
        num(&m["scrollWidth"]) <= f64::from(width),
        format!(
            "the page is {} px wide; sticking out: {}",
            m["scrollWidth"],
            pretty(&m["wide"])
        ),
    );
    // The diagram is drawn at its natural size, never shrunk: at 390 px that makes it
    // wider than its frame, which scrolls sideways.
    let (svg, frame) = (&m["svg"], &m["frame"]);
    expect(
        num(&svg["width"]) >= num(&svg["naturalWidth"]) - 0.5,
        format!("the SVG is shrunk: {svg}"),
    );
    let overflow = frame["overflowX"].as_str().unwrap_or_default();
    expect(
        overflow == "auto" || overflow == "scroll",
        format!("the diagram frame does not scroll: {frame}"),
    );
    if num(&svg["naturalWidth"]) > num(&frame["clientWidth"]) {
        expect(
            num(&frame["scrollWidth"]) >= num(&svg["naturalWidth"]),
            format!("the frame does not reach the diagram's end: {frame}"),
        );
    }
    expect(
        num(&m["minFont"]) >= MIN_FONT_PX,
        format!("diagram text at {} px", m["minFont"]),
    );
    // Every node and label text measured, none outside its box, none cut, none on another.
    expect(
        m["nodes"].as_u64() == Some(nodes as u64),
        format!("{} nodes measured of {nodes}", m["nodes"]),
    );
    expect(
        m["labels"].as_u64() == Some(labels as u64),
        format!("{} labels measured of {labels}", m["labels"]),
    );
    for (key, says) in [
        ("spills", "text outside its box"),
        ("cut", "text cut with …"),
        ("overlaps", "boxes on one another"),
    ] {
        expect(
            list(key).is_empty(),
            format!("{says}:\n{}", pretty(&m[key])),
        );
    }
    // Every node links to its component's section, which is on the page.
    let links = list("links");
    expect(
        m["linkedNodes"].as_u64() == Some(links.len() as u64),
        format!(
            "{} links for {} linked nodes",
            links.len(),
            m["linkedNodes"]
        ),
    );
    let broken: Vec<&serde_json::Value> = links.iter().filter(|l| l["found"] != true).collect();
    expect(
        broken.is_empty(),
        format!(
            "node links to no section: {}",
            serde_json::to_string(&broken).unwrap()
        ),
    );
    wrong
}

/// Loads `page` in a `width` px viewport and returns what its measuring script wrote. The
/// viewport is an iframe of that width: Chromium keeps a window at least 500 px wide.
fn measure(bin: &Path, page: &Path, width: u32) -> serde_json::Value {
    let name = page.file_name().unwrap().to_str().unwrap();
    let stem = name.trim_end_matches(".html");
    let holder = page.with_file_name(format!("{stem}-{width}.html"));
    std::fs::write(
        &holder,
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"margin:0\">\
             <iframe src=\"{name}\" style=\"display:block;border:0;width:{width}px;height:{HEIGHT}px\" \
             onload=\"document.getElementById('out').textContent = \
             this.contentDocument.getElementById('tl-measure').textContent\"></iframe>\
             <pre id=\"out\">PENDING</pre></body></html>"
        ),
    )
    .unwrap();
    let run = chromium_run(
        bin,
        &file_url(&holder),
        &[
            // The holder reads the measures out of the page in its frame.
            "--allow-file-access-from-files".into(),
            format!("--window-size={},{}", width.max(500) + 100, HEIGHT + 200),
            "--dump-dom".into(),
        ],
    );
    let start = run
        .stdout
        .find("TL-MEASURE ")
        .unwrap_or_else(|| panic!("no measures at {width} px:\n{}", run.stdout));
    let json = &run.stdout[start + "TL-MEASURE ".len()..];
    let json = &json[..json.find(" TL-END").expect("the end of the measures")];
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

/// The report with a policy that allows one inline script, and that script: it measures
/// the laid-out page and writes the results as JSON into a `<pre>` (escaped so that the
/// DOM dump shows it verbatim).
fn measuring_copy(page: &str) -> String {
    let csp = threatline::output::html::CSP;
    let relaxed = format!("{csp}; script-src 'unsafe-inline'");
    assert!(page.contains(csp), "the report carries its policy");
    let page = page.replacen(csp, &relaxed, 1);
    let at = page.rfind("</body>").expect("</body>");
    format!("{}{MEASURE_JS}{}", &page[..at], &page[at..])
}

const MEASURE_JS: &str = r#"<pre id="tl-measure"></pre><script>
(() => {
  const r = {};
  const doc = document.documentElement;
  r.viewport = window.innerWidth;
  r.scrollWidth = doc.scrollWidth;
  // What sticks out of the window without a scrolling box of its own around it.
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
    }
    return false;
  };
  r.wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const b = el.getBoundingClientRect();
    if (b.right > window.innerWidth + 0.5 && !scrolls(el) && r.wide.length < 12) {
      r.wide.push({ el: el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined ? '.' + el.className : ''), right: Math.round(b.right), text: (el.textContent || '').slice(0, 60) });
    }
  }
  const frame = document.querySelector('.diagram');
  const svg = frame.querySelector('svg.dfd');
  r.frame = { clientWidth: frame.clientWidth, scrollWidth: frame.scrollWidth, overflowX: getComputedStyle(frame).overflowX };
  const sb = svg.getBoundingClientRect();
  const vb = svg.viewBox.baseVal;
  r.svg = { width: sb.width, height: sb.height, naturalWidth: svg.width.baseVal.value, naturalHeight: svg.height.baseVal.value };
  const scale = sb.width / vb.width;
  r.minFont = Infinity;
  r.texts = 0;
  r.spills = [];
  r.cut = [];
  const box = (el) => { const b = el.getBBox(); return { x: b.x, y: b.y, w: b.width, h: b.height }; };
  const inside = (a, b) => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.w <= b.x + b.w + 0.5 && a.y + a.h <= b.y + b.h + 0.5;
  const round = (b) => [b.x, b.y, b.w, b.h].map((v) => Math.round(v * 10) / 10);
  for (const g of svg.querySelectorAll('g.node, g.flow-label, g.zone')) {
    const outer = box(g.querySelector('rect.box'));
    for (const t of g.querySelectorAll('text')) {
      r.texts++;
      r.minFont = Math.min(r.minFont, parseFloat(getComputedStyle(t).fontSize) * scale);
      const tb = box(t);
      // The drawn text's length, not only its box: a wider glyph run shows here.
      const len = t.getComputedTextLength();
      if (!inside(tb, outer) || len > outer.w + 0.5) {
        r.spills.push({ in: g.getAttribute('class'), text: t.textContent, text_box: round(tb), length: Math.round(len * 10) / 10, box: round(outer) });
      }
    }
  }
  for (const t of svg.querySelectorAll('text, title')) {
    if (t.textContent.includes('\u2026')) r.cut.push(t.textContent);
  }
  const boxes = [...svg.querySelectorAll('g.node, g.flow-label')].map((g) => ({ what: g.getAttribute('class') + ': ' + g.querySelector('text').textContent, b: box(g.querySelector('rect.box')) }));
  r.nodes = boxes.filter((b) => b.what.startsWith('node')).length;
  r.labels = boxes.length - r.nodes;
  r.overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].b, b = boxes[j].b;
      const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (w > 0.5 && h > 0.5) r.overlaps.push([boxes[i].what, boxes[j].what, round(a), round(b)]);
    }
  }
  r.linkedNodes = svg.querySelectorAll('a > g.node').length;
  r.links = [...svg.querySelectorAll('a')].map((a) => {
    const href = a.getAttribute('href');
    return { href, found: href.startsWith('#') && document.getElementById(href.slice(1)) !== null };
  });
  const json = JSON.stringify(r).replace(/[<>&\u00a0]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  document.getElementById('tl-measure').textContent = 'TL-MEASURE ' + json + ' TL-END';
})();
</script>
"#;

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
        results[1].starts_with("1 OK edges=4 scripts=0"),
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
