//! The documentation's snippets, run. README.md and docs/*.md are read for fenced blocks,
//! and each block the docs present as something to run or to copy becomes one trial, named
//! after the file and line of the block (`README.md:76 transcript`); a failure names the
//! file and line of the snippet that failed.
//!
//! - A **transcript**: a block whose first line is `$ threatline ...` (or `$ cargo run ... --`)
//!   and whose other lines are its output. The command is run and the lines shown must
//!   appear: in full when the block elides nothing, else each run of lines between `...`
//!   lines must appear as it is, in order. When the paragraph before says "Save it as
//!   `NAME`", the block before the transcript is written to `NAME` in an empty directory
//!   and the command runs there; otherwise in a scratch copy of the repository's layout
//!   (`fixtures/example` copied at its own path, so the output names the same paths). The
//!   output compared is what a terminal shows: stdout, then stderr.
//! - A **command**: every `threatline ...` (or `cargo run -- ...`) line of a ```sh block, and
//!   every one a ```yaml block runs (`run:` steps, script items). They run in order in one
//!   scratch copy per block, so a command can read what an earlier one wrote, and must not
//!   exit 2 (a usage error, a bad config, an internal failure). The scratch copy is a git
//!   repository with `origin/main` at its one commit when a block uses `--since`, `--staged`
//!   or `$BASE`. Other programs' commands (`dot`, `threatspec`, `cargo install`) are not run.
//!   A **synopsis** (`[PATH]`, `--format json|yaml`, `FILE`) is not run: its subcommand's
//!   `--help` must list every flag it shows, and every value shown for a flag that has a
//!   fixed set of them.
//! - A **threatline.yaml**: a ```yaml block whose paragraph names `threatline.yaml` (or whose
//!   first line is `# threatline.yaml`) must load: `threatline check --config FILE
//!   fixtures/example` must not exit 2 (the catalogue files and `paths:` it names are
//!   provided, empty).
//! - A **pre-commit configuration** (a ```yaml block with `repos:`): every hook id it takes
//!   from threatline must be in `.pre-commit-hooks.yaml`, and `rev:` must not name a tag this
//!   repository does not have.
//!
//! What cannot be run here is listed in [`NOT_RUN`] with the reason; what another tool
//! would have written first, in [`STAND_INS`] and [`SEEDS`].

use std::path::Path;
use std::process::{Command, Output};

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use regex::Regex;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_threatline");

/// Commands that are not run, as (doc, text the command contains, why). Their subcommand and
/// flags are still checked against `--help`.
const NOT_RUN: &[(&str, &str, &str)] = &[];

/// Other tools' commands whose output a later threatline command in the same block reads,
/// and what is run in their place: (command, stand-in, why the stand-in is faithful).
const STAND_INS: &[(&str, &str, &str)] = &[(
    "threatspec run",
    "threatline report --format threatspec --layout directory -o threatmodel",
    "writes the `threatmodel/` directory in the layout `threatspec run` writes, without Threatspec",
)];

/// Files a block reads that come from elsewhere (another repository's CI), as (file, the
/// command that writes one first). Run before a block whose text names the file.
const SEEDS: &[(&str, &str)] = &[(
    "payments.json",
    "threatline scan fixtures/example/payments --format json -o payments.json",
)];

/// Paths the docs use for "your repository", and the path that stands for it here.
const PATHS: &[(&str, &str)] = &[("path/to/repo", "fixtures/example")];

/// Shell variables the docs' commands use, and their values in the scratch repository.
const VARS: &[(&str, &str)] = &[("BASE", "origin/main")];

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    let mut found = Found::default();
    for doc in docs() {
        let text = std::fs::read_to_string(Path::new(ROOT).join(&doc)).unwrap();
        let blocks = blocks(&doc, &text);
        for (i, block) in blocks.iter().enumerate() {
            let previous = i.checked_sub(1).map(|p| blocks[p].clone());
            trials.extend(trials_for(block, previous, &mut found));
        }
    }
    trials.push(Trial::test(
        "the docs hold what this test looks for",
        move || found.check(),
    ));
    trials.push(Trial::test("a config with an unknown key exits 2", || {
        let t = Scratch::new(false)?;
        std::fs::write(t.path().join("threatline.yaml"), "fail_onn: high\n").unwrap();
        let out = t.threatline(&["check", "--config", "threatline.yaml", "fixtures/example"]);
        match out.status.code() {
            Some(2) => Ok(()),
            code => Err(format!("exit {code:?}: the config check proves nothing").into()),
        }
    }));
    libtest_mimic::run(&args, trials).exit();
}

/// README.md, then docs/*.md in name order.
fn docs() -> Vec<String> {
    let mut docs: Vec<String> = std::fs::read_dir(Path::new(ROOT).join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    docs.insert(0, "README.md".into());
    docs
}

/// What the trials found, so that a parser that finds nothing cannot pass.
#[derive(Default)]
struct Found {
    transcripts: usize,
    saved_files: usize,
    commands: usize,
    synopses: usize,
    configs: usize,
    precommit: usize,
}

impl Found {
    fn check(&self) -> Result<(), Failed> {
        let wanted = [
            ("transcripts", self.transcripts, 2),
            ("transcripts with a saved file", self.saved_files, 1),
            ("commands", self.commands, 20),
            ("synopses", self.synopses, 3),
            ("threatline.yaml blocks", self.configs, 3),
            ("pre-commit configurations", self.precommit, 1),
        ];
        for (what, n, at_least) in wanted {
            if n < at_least {
                return Err(
                    format!("found {n} {what} in the docs, expected at least {at_least}").into(),
                );
            }
        }
        Ok(())
    }
}

/// A fenced block: the doc, the line of its opening fence, its language, its lines (with
/// their line numbers), and the paragraph just before it.
#[derive(Clone, Debug)]
struct Block {
    doc: String,
    line: usize,
    lang: String,
    lines: Vec<(usize, String)>,
    prose: String,
}

impl Block {
    fn text(&self) -> String {
        self.lines.iter().map(|(_, l)| format!("{l}\n")).collect()
    }

    fn at(&self, line: usize) -> String {
        format!("{}:{line}", self.doc)
    }
}

/// The fenced blocks of a Markdown file (backtick or tilde fences, indented in list items or
/// not; an "opener" whose info string holds a backtick is inline code, not a fence).
fn blocks(doc: &str, text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    // The last paragraph before a block (a blank line ends one, the next line starts one).
    let (mut paragraph, mut ended) = (String::new(), false);
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let Some((indent, fence, info)) = opener(line) else {
            if line.trim().is_empty() {
                ended = true;
            } else {
                if ended {
                    paragraph.clear();
                    ended = false;
                }
                paragraph.push_str(line.trim());
                paragraph.push('\n');
            }
            continue;
        };
        let mut content = Vec::new();
        for (j, l) in lines.by_ref() {
            let t = l.trim();
            if t.starts_with(&fence) && t.chars().all(|c| fence.starts_with(c)) {
                break;
            }
            let strip = l.len() - l.trim_start_matches(' ').len();
            content.push((j + 1, l[strip.min(indent)..].to_string()));
        }
        out.push(Block {
            doc: doc.to_string(),
            line: i + 1,
            lang: info.split_whitespace().next().unwrap_or("").to_string(),
            lines: content,
            prose: std::mem::take(&mut paragraph),
        });
        ended = false;
    }
    out
}

/// `(indent, fence, info string)` when `line` opens a fenced block.
fn opener(line: &str) -> Option<(usize, String, String)> {
    let trimmed = line.trim_start_matches(' ');
    let c = trimmed.chars().next().filter(|&c| c == '`' || c == '~')?;
    let n = trimmed.chars().take_while(|&x| x == c).count();
    let info = trimmed[n..].trim();
    if n < 3 || (c == '`' && info.contains('`')) {
        return None;
    }
    Some((
        line.len() - trimmed.len(),
        trimmed[..n].to_string(),
        info.to_string(),
    ))
}

/// The trials for one block (none when it holds nothing to run or load).
fn trials_for(block: &Block, previous: Option<Block>, found: &mut Found) -> Vec<Trial> {
    let mut trials = Vec::new();
    let first = block.lines.iter().find(|(_, l)| !l.trim().is_empty());
    if let Some((_, l)) = first
        && l.starts_with("$ ")
    {
        let saved = Regex::new(r"[Ss]ave (?:it|this|the [a-z ]+) as `([^`/]+)`").unwrap();
        let file = saved
            .captures(&block.prose)
            .and_then(|c| previous.clone().map(|p| (c[1].to_string(), p.text())));
        found.transcripts += 1;
        found.saved_files += usize::from(file.is_some());
        trials.push(trial(block, "transcript", move |b| transcript(b, file)));
        return trials;
    }
    let commands = match block.lang.as_str() {
        "sh" | "bash" | "shell" | "console" => sh_commands(block),
        "yaml" | "yml" => yaml_commands(block),
        _ => Vec::new(),
    };
    if !commands.is_empty() {
        for c in &commands {
            if c.synopsis {
                found.synopses += 1;
            } else {
                found.commands += 1;
            }
        }
        trials.push(trial(block, "commands", move |b| {
            run_commands(b, &commands)
        }));
    }
    if matches!(block.lang.as_str(), "yaml" | "yml") {
        let first_line = first.map(|(_, l)| l.trim()).unwrap_or("");
        if block.prose.contains("`threatline.yaml`") || first_line == "# threatline.yaml" {
            found.configs += 1;
            trials.push(trial(block, "threatline.yaml", config));
        } else if block.lines.iter().any(|(_, l)| l.starts_with("repos:")) {
            found.precommit += 1;
            trials.push(trial(block, "pre-commit config", precommit));
        }
    }
    trials
}

/// What a trial body returns: done, or not run for a reason (git missing, locally).
enum Ran {
    Done,
    Ignored(String),
}

fn trial(
    block: &Block,
    kind: &str,
    body: impl FnOnce(&Block) -> Result<Ran, Failed> + Send + 'static,
) -> Trial {
    let block = block.clone();
    let name = format!("{}:{} {kind}", block.doc, block.line);
    Trial::ignorable_test(name, move || match body(&block)? {
        Ran::Done => Ok(Completion::Completed),
        Ran::Ignored(why) => Ok(Completion::ignored_with(why)),
    })
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// One command of a block, as written (continuations joined), with its line.
#[derive(Clone, Debug)]
struct Cmd {
    line: usize,
    text: String,
    synopsis: bool,
}

/// The threatline commands of a ```sh block, each logical line one entry (a line ending in
/// `\` continues; an indented line starting with `[` continues a synopsis). Only lines that
/// run threatline, and [`STAND_INS`], are kept; they run in order.
fn sh_commands(block: &Block) -> Vec<Cmd> {
    let mut out: Vec<Cmd> = Vec::new();
    let mut pending: Option<Cmd> = None;
    for (n, raw) in &block.lines {
        let line = strip_comment(raw);
        if let Some(p) = pending.as_mut() {
            p.text.push(' ');
            p.text.push_str(line.trim().trim_end_matches('\\'));
            if !line.trim_end().ends_with('\\') {
                out.push(pending.take().unwrap());
            }
            continue;
        }
        if raw.starts_with([' ', '\t']) && line.trim_start().starts_with('[') {
            if let Some(last) = out.last_mut() {
                last.text.push(' ');
                last.text.push_str(line.trim());
                last.synopsis = true;
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let cmd = Cmd {
            line: *n,
            text: line.trim().trim_end_matches('\\').trim().to_string(),
            synopsis: false,
        };
        if line.trim_end().ends_with('\\') {
            pending = Some(cmd);
        } else {
            out.push(cmd);
        }
    }
    out.extend(pending);
    for c in &mut out {
        c.synopsis |= is_synopsis(&c.text);
    }
    out.retain(|c| runs_threatline(&c.text) || stand_in(&c.text).is_some());
    out
}

/// The commands a ```yaml block runs: `run:` values (one line, or each line of a `run: |`
/// block), and list items of a `script:` that start with `threatline`.
fn yaml_commands(block: &Block) -> Vec<Cmd> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    let mut script: Option<usize> = None;
    for (n, raw) in &block.lines {
        let indent = raw.len() - raw.trim_start().len();
        if let Some(min) = script {
            if raw.trim().is_empty() || indent >= min {
                lines.push((*n, raw.trim().to_string()));
                continue;
            }
            script = None;
        }
        let item = raw.trim_start().trim_start_matches("- ").trim_start();
        if let Some(value) = item.strip_prefix("run:").map(str::trim) {
            if value == "|" || value == ">" {
                script = Some(indent + 1);
            } else {
                lines.push((*n, unquote(value)));
            }
        } else if raw.trim_start().starts_with("- ") && item.starts_with("threatline ") {
            lines.push((*n, item.to_string()));
        }
    }
    let block = Block {
        lines,
        ..block.clone()
    };
    sh_commands(&block)
}

fn unquote(s: &str) -> String {
    let q = s.chars().next();
    if matches!(q, Some('"' | '\'')) && s.len() >= 2 && s.ends_with(q.unwrap()) {
        s[1..s.len() - 1].to_string()
    } else {
        s.to_string()
    }
}

/// The line without a shell comment (a `#` starting a word, outside quotes).
fn strip_comment(line: &str) -> String {
    let (mut quote, mut prev) = (None, ' ');
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '#') if prev.is_whitespace() => return line[..i].to_string(),
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            _ => {}
        }
        prev = c;
    }
    line.to_string()
}

/// A synopsis shows a command's shape rather than a command: `[optional]` parts,
/// `a|b` alternatives glued to a flag's value, or `PLACEHOLDER` words.
fn is_synopsis(text: &str) -> bool {
    let placeholder = Regex::new(r"^[A-Z][A-Z_]*(\.\.\.)?$").unwrap();
    text.contains('[')
        || Regex::new(r"[a-z]\|[a-z]").unwrap().is_match(text)
        || text.split_whitespace().any(|w| placeholder.is_match(w))
}

fn runs_threatline(text: &str) -> bool {
    segments(text).iter().any(|s| threatline_args(s).is_some())
}

fn stand_in(text: &str) -> Option<&'static str> {
    STAND_INS
        .iter()
        .find(|(cmd, _, _)| text.trim() == *cmd)
        .map(|(_, by, _)| *by)
}

/// A command line split into the simple commands of its `&&`, `||`, `;`, `|` lists, each as
/// words (quotes removed, `$VAR` and `${VAR}` expanded from [`VARS`], GitHub's `${{ ... }}`
/// expressions replaced by `x`). An unknown variable is kept as `$NAME`.
fn segments(text: &str) -> Vec<Vec<String>> {
    let text = Regex::new(r"\$\{\{[^}]*\}\}")
        .unwrap()
        .replace_all(text, "x");
    let mut out = vec![Vec::new()];
    let mut word: Option<String> = None;
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some('\''), _) => word.get_or_insert_default().push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                word.get_or_insert_default();
            }
            (_, '$') => {
                let braced = chars.peek() == Some(&'{');
                if braced {
                    chars.next();
                }
                let mut name = String::new();
                while let Some(&n) = chars.peek() {
                    if n.is_ascii_alphanumeric() || n == '_' || (name.is_empty() && n == '?') {
                        name.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if braced {
                    for n in chars.by_ref() {
                        if n == '}' {
                            break;
                        }
                    }
                }
                let value = VARS
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map_or(format!("${name}"), |(_, v)| v.to_string());
                word.get_or_insert_default().push_str(&value);
            }
            (None, '&' | '|' | ';') => {
                while chars.peek().is_some_and(|&n| n == c) {
                    chars.next();
                }
                out.last_mut().unwrap().extend(word.take());
                out.push(Vec::new());
            }
            (None, c) if c.is_whitespace() => out.last_mut().unwrap().extend(word.take()),
            (_, c) => word.get_or_insert_default().push(c),
        }
    }
    out.last_mut().unwrap().extend(word);
    out.retain(|s| !s.is_empty());
    out
}

/// The arguments of a simple command that runs threatline: `threatline ARGS`,
/// `exec threatline ARGS`, `cargo run [OPTIONS] -- ARGS`, with [`PATHS`] replaced.
fn threatline_args(words: &[String]) -> Option<Vec<String>> {
    let words = match words.first().map(String::as_str) {
        Some("exec") => &words[1..],
        _ => words,
    };
    let args = match words.first().map(String::as_str) {
        Some("threatline") => &words[1..],
        Some("cargo") if words.get(1).map(String::as_str) == Some("run") => {
            let at = words.iter().position(|w| w == "--")?;
            &words[at + 1..]
        }
        _ => return None,
    };
    let path = |a: &String| {
        PATHS
            .iter()
            .find(|(p, _)| p == a)
            .map_or(a.clone(), |(_, by)| by.to_string())
    };
    Some(args.iter().map(path).collect())
}

/// A scratch directory in the repository's layout: `fixtures/example` copied at its path,
/// optionally a git repository with everything committed and `origin/main` at that commit.
struct Scratch {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl Scratch {
    fn new(git: bool) -> Result<Scratch, Failed> {
        let s = Scratch {
            dir: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
        };
        copy_dir(
            &Path::new(ROOT).join("fixtures/example"),
            &s.path().join("fixtures/example"),
        );
        if git {
            for args in [
                &["init", "-q", "-b", "main"][..],
                &["config", "user.email", "snippets@example.invalid"],
                &["config", "user.name", "snippets"],
                &["config", "commit.gpgsign", "false"],
                &["add", "-A"],
                &["commit", "-q", "-m", "the example"],
                &["update-ref", "refs/remotes/origin/main", "HEAD"],
            ] {
                let out = git_cmd(s.path()).args(args).output()?;
                if !out.status.success() {
                    return Err(
                        format!("git {args:?}: {}", String::from_utf8_lossy(&out.stderr)).into(),
                    );
                }
            }
        }
        Ok(s)
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn threatline<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Output {
        threatline_in(self.path(), self.cache.path(), args)
    }
}

fn threatline_in<S: AsRef<std::ffi::OsStr>>(dir: &Path, cache: &Path, args: &[S]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir).env("XDG_CACHE_HOME", cache);
    for var in GIT_VARS {
        cmd.env_remove(var);
    }
    cmd.output().expect("threatline runs")
}

/// Variables a surrounding git (a hook running this test) may set, which would point the
/// scratch repository's git at another one.
const GIT_VARS: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
];

fn git_cmd(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    for var in GIT_VARS {
        cmd.env_remove(var);
    }
    cmd
}

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn show(out: &Output) -> String {
    format!(
        "--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs a block's commands in order in one scratch copy.
fn run_commands(block: &Block, commands: &[Cmd]) -> Result<Ran, Failed> {
    let text = block.text();
    let git = ["--since", "--staged", "$BASE"]
        .iter()
        .any(|w| text.contains(w));
    if git && !git_available() {
        return if in_ci() {
            Err("git is missing and CI is set".into())
        } else {
            Ok(Ran::Ignored(
                "git missing: the block uses --since, --staged or $BASE".into(),
            ))
        };
    }
    let scratch = Scratch::new(git)?;
    for (file, seed) in SEEDS {
        if text.contains(file) {
            run_line(
                block,
                &scratch,
                &Cmd {
                    line: block.line,
                    text: seed.to_string(),
                    synopsis: false,
                },
            )?;
        }
    }
    let mut errors = Vec::new();
    for cmd in commands {
        let result = if cmd.synopsis {
            synopsis(block, cmd)
        } else if let Some((_, _, why)) = NOT_RUN
            .iter()
            .find(|(doc, part, _)| *doc == block.doc && cmd.text.contains(part))
        {
            eprintln!("{}: not run ({why}): {}", block.at(cmd.line), cmd.text);
            synopsis(block, cmd)
        } else {
            run_line(block, &scratch, cmd)
        };
        if let Err(e) = result {
            errors.push(e.message().unwrap_or("failed").to_string());
        }
    }
    if errors.is_empty() {
        Ok(Ran::Done)
    } else {
        Err(errors.join("\n\n").into())
    }
}

/// Runs the threatline commands of one command line (a stand-in for another tool's).
fn run_line(block: &Block, scratch: &Scratch, cmd: &Cmd) -> Result<(), Failed> {
    let text = stand_in(&cmd.text).unwrap_or(&cmd.text);
    for words in segments(text) {
        let Some(args) = threatline_args(&words) else {
            continue;
        };
        if let Some(var) = args.iter().find(|a| a.contains('$')) {
            return Err(format!(
                "{}: `{}`: `{var}` is no variable this test knows (add it to VARS)",
                block.at(cmd.line),
                cmd.text
            )
            .into());
        }
        let out = scratch.threatline(&args);
        match out.status.code() {
            Some(0 | 1) => {}
            code => {
                return Err(format!(
                    "{}: `{}` exited {} (2: a usage error, a bad config or an internal \
                     failure)\n{}",
                    block.at(cmd.line),
                    cmd.text,
                    code.map_or("by a signal".into(), |c| c.to_string()),
                    show(&out)
                )
                .into());
            }
        }
    }
    Ok(())
}

/// A synopsis: its subcommand exists, and its `--help` lists every flag it shows and every
/// value it shows for a flag with a fixed set of values.
fn synopsis(block: &Block, cmd: &Cmd) -> Result<(), Failed> {
    let at = block.at(cmd.line);
    let words: Vec<&str> = cmd.text.split_whitespace().collect();
    let start = words
        .iter()
        .position(|w| *w == "threatline")
        .map_or(0, |p| p + 1);
    let word = Regex::new(r"^[a-z][a-z-]*$").unwrap();
    let sub: Vec<&str> = words[start..]
        .iter()
        .take_while(|w| word.is_match(w))
        .copied()
        .collect();
    let help = (1..=sub.len())
        .rev()
        .find_map(|n| {
            let out = Command::new(BIN)
                .args(&sub[..n])
                .arg("--help")
                .output()
                .unwrap();
            out.status
                .success()
                .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
        })
        .ok_or_else(|| {
            format!(
                "{at}: `{}`: `threatline {} --help` fails",
                cmd.text,
                sub.join(" ")
            )
        })?;
    let mut errors = Vec::new();
    let clean = |w: &str| {
        w.trim_matches(|c| c == '[' || c == ']')
            .trim_end_matches("...")
            .to_string()
    };
    for (i, w) in words.iter().enumerate() {
        let flag = clean(w);
        let flag = flag.split('=').next().unwrap_or("");
        if !flag.starts_with('-') || flag == "-" || flag == "--" {
            continue;
        }
        let Some(section) = flag_help(&help, flag) else {
            errors.push(format!(
                "{at}: `{flag}` is not in `threatline {} --help`",
                sub.join(" ")
            ));
            continue;
        };
        let Some(values) = words
            .get(i + 1)
            .map(|v| clean(v))
            .filter(|v| v.contains('|'))
        else {
            continue;
        };
        if section.contains("possible values") || section.contains("Possible values") {
            for value in values.split('|').filter(|v| !v.is_empty()) {
                let listed = Regex::new(&format!(
                    r"(^|[\s,:\[-]){}([\s,:\]]|$)",
                    regex::escape(value)
                ))
                .unwrap();
                if !listed.is_match(&section) {
                    errors.push(format!(
                        "{at}: `{flag} {value}`: `{value}` is not a value \
                         `threatline {} --help` lists for {flag}",
                        sub.join(" ")
                    ));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n").into())
    }
}

/// The help text of one option: its line and the lines after it up to the next option.
fn flag_help(help: &str, flag: &str) -> Option<String> {
    let pattern = Regex::new(&format!(r"(^|[\s,]){}([\s,=]|$)", regex::escape(flag))).unwrap();
    // An option's line (`  -o, --output <FILE>`), not a value's (`- text: ...` in long help).
    let option = Regex::new(r"^\s+--?[A-Za-z]").unwrap();
    let lines: Vec<&str> = help.lines().collect();
    let start = lines
        .iter()
        .position(|l| option.is_match(l) && pattern.is_match(l))?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| option.is_match(l) || !(l.is_empty() || l.starts_with(' ')))
        .map_or(lines.len(), |p| start + 1 + p);
    Some(lines[start..end].join("\n"))
}

/// A transcript: runs the `$` command and compares its output with the lines shown.
fn transcript(block: &Block, file: Option<(String, String)>) -> Result<Ran, Failed> {
    let mut lines = block.lines.iter().skip_while(|(_, l)| l.trim().is_empty());
    let (n, first) = lines.next().unwrap();
    let command = first.trim_start_matches("$ ").trim();
    let at = block.at(*n);
    let args = segments(command)
        .first()
        .and_then(|w| threatline_args(w))
        .ok_or_else(|| format!("{at}: `{command}` is no threatline command"))?;
    let expected: Vec<&str> = lines.map(|(_, l)| l.trim_end()).collect();
    let scratch = Scratch::new(false)?;
    let dir = match &file {
        Some((name, content)) => {
            let dir = scratch.path().join("saved");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(name), content).unwrap();
            dir
        }
        None => scratch.path().to_path_buf(),
    };
    let out = threatline_in(&dir, scratch.cache.path(), &args);
    if !matches!(out.status.code(), Some(0 | 1)) {
        return Err(format!(
            "{at}: `{command}` exited {:?}\n{}",
            out.status.code(),
            show(&out)
        )
        .into());
    }
    // What a terminal shows: stdout, then stderr (where a verdict or a note may go).
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
    .replace(&dir.display().to_string(), "<tmp>");
    let actual: Vec<&str> = shown.lines().map(str::trim_end).collect();
    compare(&at, command, &expected, &actual).map(|()| Ran::Done)
}

/// The lines shown must be the output (nothing elided), or each run between `...` lines must
/// appear as it is, in order.
fn compare(at: &str, command: &str, expected: &[&str], actual: &[&str]) -> Result<(), Failed> {
    let trim = |mut s: &[&str]| -> Vec<String> {
        while s.first().is_some_and(|l| l.is_empty()) {
            s = &s[1..];
        }
        while s.last().is_some_and(|l| l.is_empty()) {
            s = &s[..s.len() - 1];
        }
        s.iter().map(|l| l.to_string()).collect()
    };
    let elided = |l: &&str| l.trim() == "...";
    if !expected.iter().any(elided) {
        let (want, got) = (trim(expected), trim(actual));
        if want == got {
            return Ok(());
        }
        let first = want
            .iter()
            .zip(&got)
            .position(|(w, g)| w != g)
            .unwrap_or(want.len().min(got.len()));
        return Err(format!(
            "{at}: `{command}` printed something else; first difference at output line \
             {}:\n  doc: {:?}\n  got: {:?}\n--- whole output\n{}",
            first + 1,
            want.get(first),
            got.get(first),
            got.join("\n")
        )
        .into());
    }
    let mut from = 0;
    for chunk in expected.split(elided) {
        let chunk = trim(chunk);
        if chunk.is_empty() {
            continue;
        }
        let found = (from..actual.len()).find(|&i| {
            actual
                .get(i..i + chunk.len())
                .is_some_and(|run| run.iter().zip(&chunk).all(|(a, c)| a == c))
        });
        match found {
            Some(i) => from = i + chunk.len(),
            None => {
                return Err(format!(
                    "{at}: `{command}`: these lines are not in its output (in this order, after \
                     the ones before):\n{}\n--- whole output\n{}",
                    chunk.join("\n"),
                    actual.join("\n")
                )
                .into());
            }
        }
    }
    Ok(())
}

fn yaml(text: &str) -> Result<serde_json::Value, String> {
    serde_saphyr::from_str::<serde_json::Value>(text).map_err(|e| e.to_string())
}

/// A threatline.yaml must load: `check --config FILE fixtures/example` does not exit 2. The
/// catalogue files and sub-paths it names are provided (empty).
fn config(block: &Block) -> Result<Ran, Failed> {
    let at = block.at(block.line);
    let text = block.text();
    let scratch = Scratch::new(false)?;
    let value = yaml(&text).map_err(|e| format!("{at}: not YAML: {e}"))?;
    for catalogue in value["catalogues"].as_array().into_iter().flatten() {
        if let Some(path) = catalogue.as_str() {
            let full = scratch.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, "threats: []\ncontrols: []\n").unwrap();
        }
    }
    // `paths:` are sub-paths of the scanned root: empty directories stand for them.
    for sub in value["paths"].as_array().into_iter().flatten() {
        if let Some(sub) = sub.as_str() {
            std::fs::create_dir_all(scratch.path().join("fixtures/example").join(sub)).unwrap();
        }
    }
    std::fs::write(scratch.path().join("threatline.yaml"), &text).unwrap();
    let out = scratch.threatline(&["check", "--config", "threatline.yaml", "fixtures/example"]);
    match out.status.code() {
        Some(0 | 1) => Ok(Ran::Done),
        code => Err(format!(
            "{at}: this threatline.yaml does not load (exit {code:?})\n{}",
            show(&out)
        )
        .into()),
    }
}

/// A pre-commit configuration: the threatline hook ids exist, and `rev:` names no tag this
/// repository lacks.
fn precommit(block: &Block) -> Result<Ran, Failed> {
    let at = block.at(block.line);
    let manifest = std::fs::read_to_string(Path::new(ROOT).join(".pre-commit-hooks.yaml")).unwrap();
    let manifest = yaml(&manifest).map_err(|e| format!(".pre-commit-hooks.yaml: {e}"))?;
    let ids: Vec<&str> = manifest
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h["id"].as_str())
        .collect();
    let config = yaml(&block.text()).map_err(|e| format!("{at}: not YAML: {e}"))?;
    let mut errors = Vec::new();
    let sha = Regex::new(r"^[0-9a-f]{40}$").unwrap();
    for repo in config["repos"].as_array().into_iter().flatten() {
        if !repo["repo"]
            .as_str()
            .is_some_and(|r| r.contains("threatline"))
        {
            continue;
        }
        for hook in repo["hooks"].as_array().into_iter().flatten() {
            let id = hook["id"].as_str().unwrap_or("");
            if !ids.contains(&id) {
                errors.push(format!(
                    "{at}: hook id `{id}` is not in .pre-commit-hooks.yaml ({ids:?})"
                ));
            }
        }
        let rev = repo["rev"].as_str().unwrap_or("");
        let placeholder = rev.starts_with('<') && rev.ends_with('>');
        let is_sha = sha.is_match(rev);
        if !placeholder && !is_sha && !tag_exists(rev) {
            errors.push(format!(
                "{at}: `rev: {rev}` pins a tag this repository does not have (`git tag \
                 --list`); pin a commit sha or a `<placeholder>`"
            ));
        }
    }
    if errors.is_empty() {
        Ok(Ran::Done)
    } else {
        Err(errors.join("\n").into())
    }
}

fn tag_exists(tag: &str) -> bool {
    git_cmd(Path::new(ROOT))
        .args(["rev-parse", "--verify", "--quiet"])
        .arg(format!("refs/tags/{tag}"))
        .output()
        .is_ok_and(|o| o.status.success())
}
