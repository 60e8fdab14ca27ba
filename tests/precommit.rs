//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run by pre-commit itself (from PyPI) in
//! a temporary git repository. The repository's `.pre-commit-config.yaml` holds the two
//! hook definitions read from `.pre-commit-hooks.yaml` as `repo: local` hooks, with the
//! built binary as the entry's `threatline` and `language: system`, so the test needs no
//! network and no `cargo install`; everything else about the hooks is as shipped.
//!
//! - `threatline-full` under `pre-commit run --all-files` fails on a critical exposure that
//!   is already committed, and prints it; `threatline` (`--staged`) passes over it, which is
//!   why the full hook exists.
//! - `threatline`, installed with `pre-commit install`, stops a `git commit` that adds a
//!   critical exposure and lets a clean change through; `threatline-full` with
//!   `stages: [manual]` (as docs/pull-requests.md configures it) stays out of commits and
//!   runs with `--hook-stage manual`.
//!
//! pre-commit is found through `THREATLINE_PRECOMMIT` (a virtualenv or the `pre-commit`
//! executable; `.ci/run` sets it), else on the PATH. Without it a trial is reported as
//! ignored with the reason (libtest-mimic, `harness = false`); under `CI=true` it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use serde_json::{Value, json};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_threatline");

/// A critical exposure that nothing answers.
const CRITICAL: &str = "\
# @component Shop:Orders:Service (#orders)
# @threat SQL Injection (#sqli) [critical, tampering]
# @exposes #orders to #sqli
query = \"SELECT * FROM orders WHERE id = \" + order_id
";

/// The same exposure, mitigated: nothing at or above `high`.
const MITIGATED: &str = "\
# @component Shop:Orders:Service (#orders)
# @threat SQL Injection (#sqli) [critical, tampering]
# @exposes #orders to #sqli
# @mitigates #orders against #sqli with Parameterised Queries
cur.execute(\"SELECT * FROM orders WHERE id = %s\", (order_id,))
";

/// A second component exposed to the same critical threat, in a new file.
const NEW_EXPOSURE: &str = "\
# @component Shop:Payments:Service (#payments)
# @exposes #payments to #sqli
";

fn main() {
    let args = Arguments::from_args();
    let trials = vec![
        trial("manifest_defines_the_staged_and_the_full_hook", || {
            manifest_defines_the_staged_and_the_full_hook();
            Ok(())
        }),
        trial("precommit_validates_the_manifest", || {
            let pc = precommit()?;
            let out = Command::new(&pc)
                .arg("validate-manifest")
                .arg(Path::new(ROOT).join(".pre-commit-hooks.yaml"))
                .output()
                .unwrap();
            assert!(out.status.success(), "validate-manifest:\n{}", show(&out));
            Ok(())
        }),
        trial("full_hook_fails_on_a_committed_critical_exposure", || {
            full_hook_fails_on_a_committed_critical_exposure(&precommit()?, &git()?);
            Ok(())
        }),
        trial("staged_hook_gates_what_a_commit_adds", || {
            staged_hook_gates_what_a_commit_adds(&precommit()?, &git()?);
            Ok(())
        }),
    ];
    libtest_mimic::run(&args, trials).exit();
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Why a trial did not run.
enum NotRun {
    /// A prerequisite is absent: ignored locally, a failure under `CI=true`.
    Missing { what: &'static str, how: String },
    /// A prerequisite was named and is not there: always a failure.
    Broken(String),
}

/// A trial whose body returns `Err(NotRun)` when it cannot run: ignored with the reason
/// (`ignored (pre-commit missing: ...)`) locally, a failure under `CI=true`. A panic in the
/// body (a failed assertion) is a failure, as with `#[test]`.
fn trial(name: &str, body: fn() -> Result<(), NotRun>) -> Trial {
    Trial::ignorable_test(name, move || match body() {
        Ok(()) => Ok(Completion::Completed),
        Err(NotRun::Broken(why)) => Err(Failed::from(why)),
        Err(NotRun::Missing { what, how }) if in_ci() => {
            Err(Failed::from(format!("{what} missing and CI is set: {how}")))
        }
        Err(NotRun::Missing { what, how }) => Ok(Completion::ignored_with(format!(
            "{what} missing: {how} (CI=true makes this a failure)"
        ))),
    })
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// `$THREATLINE_PRECOMMIT` (a virtualenv holding `bin/pre-commit`, or the executable), else
/// `pre-commit` on the PATH.
fn precommit() -> Result<PathBuf, NotRun> {
    if let Some(named) = std::env::var_os("THREATLINE_PRECOMMIT") {
        let named = PathBuf::from(named);
        let bin = if named.is_dir() {
            named.join("bin/pre-commit")
        } else {
            named.clone()
        };
        return if bin.is_file() {
            Ok(bin)
        } else {
            Err(NotRun::Broken(format!(
                "THREATLINE_PRECOMMIT={} holds no pre-commit ({} is not a file)",
                named.display(),
                bin.display()
            )))
        };
    }
    on_path("pre-commit").ok_or_else(|| NotRun::Missing {
        what: "pre-commit",
        how: "not on the PATH and no THREATLINE_PRECOMMIT (a venv or the executable); .ci/run \
              installs pre-commit==4.7.0 in a venv and sets it"
            .into(),
    })
}

fn git() -> Result<PathBuf, NotRun> {
    on_path("git").ok_or_else(|| NotRun::Missing {
        what: "git",
        how: "no `git` on the PATH".into(),
    })
}

/// `.pre-commit-hooks.yaml` as JSON.
fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(Path::new(ROOT).join(".pre-commit-hooks.yaml")).unwrap();
    let value: Value = serde_saphyr::from_str(&text).expect(".pre-commit-hooks.yaml is YAML");
    value.as_array().expect("a list of hooks").clone()
}

fn hook(id: &str) -> Value {
    manifest()
        .into_iter()
        .find(|h| h["id"] == id)
        .unwrap_or_else(|| panic!("no hook `{id}` in .pre-commit-hooks.yaml"))
}

fn manifest_defines_the_staged_and_the_full_hook() {
    let ids: Vec<Value> = manifest().iter().map(|h| h["id"].clone()).collect();
    assert_eq!(ids, [json!("threatline"), json!("threatline-full")]);
    for (id, entry) in [
        ("threatline", "threatline check --staged"),
        ("threatline-full", "threatline check"),
    ] {
        let h = hook(id);
        assert_eq!(h["entry"], entry, "{id}");
        assert_eq!(
            h["language"], "rust",
            "{id}: pre-commit builds it with cargo"
        );
        // The check reads the whole repository itself: no file list, and it runs whichever
        // files a commit touches.
        assert_eq!(h["pass_filenames"], false, "{id}");
        assert_eq!(h["always_run"], true, "{id}");
        assert!(
            h["name"].is_string() && h["description"].is_string(),
            "{id}"
        );
    }
}

/// The shipped hook as a `repo: local` hook: the built binary for `threatline` in its entry,
/// `language: system`, and `extra` keys added.
fn local_hook(id: &str, extra: &[(&str, Value)]) -> Value {
    let mut h = hook(id);
    let entry = h["entry"].as_str().unwrap().to_string();
    let rest = entry
        .strip_prefix("threatline")
        .unwrap_or_else(|| panic!("{id}: entry `{entry}` does not start with threatline"));
    assert!(
        !BIN.contains(['\'', ' ']),
        "a binary path pre-commit's shlex keeps whole"
    );
    h["entry"] = json!(format!("{BIN}{rest}"));
    h["language"] = json!("system");
    for (k, v) in extra {
        h[*k] = v.clone();
    }
    h
}

/// A temporary git repository with its own pre-commit home and threatline cache, and git
/// that reads no global or system configuration.
struct Repo {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
    precommit: PathBuf,
    git: PathBuf,
}

impl Repo {
    fn new(precommit: &Path, git: &Path, hooks: Vec<Value>) -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
            precommit: precommit.to_path_buf(),
            git: git.to_path_buf(),
        };
        repo.git_ok(&["init", "-q", "-b", "main"]);
        repo.git_ok(&["config", "user.email", "precommit@example.invalid"]);
        repo.git_ok(&["config", "user.name", "threatline tests"]);
        repo.git_ok(&["config", "commit.gpgsign", "false"]);
        // JSON is YAML: the configuration pre-commit reads.
        let config = json!({ "repos": [{ "repo": "local", "hooks": hooks }] });
        repo.write(
            ".pre-commit-config.yaml",
            &serde_json::to_string_pretty(&config).unwrap(),
        );
        repo
    }

    fn write(&self, path: &str, content: &str) {
        std::fs::write(self.dir.path().join(path), content).unwrap();
    }

    fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.dir.path())
            .env("PRE_COMMIT_HOME", self.home.path().join("pre-commit"))
            .env("XDG_CACHE_HOME", self.home.path().join("cache"))
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("NO_COLOR", "1");
        // A surrounding git or pre-commit (this test run from a hook) must not leak in.
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES",
            "GIT_COMMON_DIR",
            "GIT_PREFIX",
            "SKIP",
            "PRE_COMMIT",
            "PRE_COMMIT_ALLOW_NO_CONFIG",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    fn git(&self, args: &[&str]) -> Output {
        self.command(&self.git).args(args).output().unwrap()
    }

    fn git_ok(&self, args: &[&str]) -> String {
        let out = self.git(args);
        assert!(out.status.success(), "git {args:?}:\n{}", show(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn precommit(&self, args: &[&str]) -> Output {
        self.command(&self.precommit).args(args).output().unwrap()
    }

    fn head(&self) -> String {
        self.git_ok(&["rev-parse", "HEAD"])
    }
}

fn show(out: &Output) -> String {
    format!(
        "{}\n--- stdout\n{}--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn full_hook_fails_on_a_committed_critical_exposure(precommit: &Path, git: &Path) {
    let repo = Repo::new(
        precommit,
        git,
        vec![
            local_hook("threatline", &[]),
            local_hook("threatline-full", &[]),
        ],
    );
    repo.write("orders.py", CRITICAL);
    repo.git_ok(&["add", "-A"]);
    repo.git_ok(&["commit", "-q", "-m", "a critical exposure, committed"]);

    let out = repo.precommit(&["run", "threatline-full", "--all-files"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let printed = text(&out);
    for shown in [
        "- hook id: threatline-full",
        "CRITICAL unmitigated-exposure  orders.py:3:3",
        "`Shop:Orders:Service` is exposed to `SQL Injection` and nothing mitigates",
        "FAIL: 1 finding at or above high",
    ] {
        assert!(printed.contains(shown), "`{shown}` not printed:\n{printed}");
    }

    // The staged hook compares the index with HEAD, and they agree: it passes over the
    // committed exposure, which is what the full hook is for.
    let out = repo.precommit(&["run", "threatline", "--all-files"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

fn staged_hook_gates_what_a_commit_adds(precommit: &Path, git: &Path) {
    let repo = Repo::new(
        precommit,
        git,
        vec![
            local_hook("threatline", &[]),
            local_hook("threatline-full", &[("stages", json!(["manual"]))]),
        ],
    );
    let out = repo.precommit(&["install"]);
    assert!(out.status.success(), "pre-commit install:\n{}", show(&out));

    // A first commit with a mitigated exposure, then a clean change: both go through.
    repo.write("orders.py", MITIGATED);
    repo.git_ok(&["add", "-A"]);
    let out = repo.git(&["commit", "-m", "orders, mitigated"]);
    assert!(out.status.success(), "first commit:\n{}", show(&out));
    assert!(
        text(&out).contains("threatline (threat model gate)") && text(&out).contains("Passed"),
        "the hook ran:\n{}",
        show(&out)
    );
    let before = repo.head();
    repo.write(
        "orders.py",
        &format!("{MITIGATED}\ndef total(items):\n    return sum(items)\n"),
    );
    repo.git_ok(&["add", "orders.py"]);
    let out = repo.git(&["commit", "-m", "a clean change"]);
    assert!(out.status.success(), "clean change:\n{}", show(&out));
    assert_ne!(repo.head(), before, "the clean change was committed");
    assert!(
        !text(&out).contains("threatline (whole repository)"),
        "the manual-stage hook ran on a commit:\n{}",
        show(&out)
    );

    // A commit that adds a critical exposure is stopped, and says why.
    let before = repo.head();
    repo.write("payments.py", NEW_EXPOSURE);
    repo.git_ok(&["add", "payments.py"]);
    let out = repo.git(&["commit", "-m", "payments, exposed"]);
    assert!(
        !out.status.success(),
        "the commit went through:\n{}",
        show(&out)
    );
    assert_eq!(repo.head(), before, "nothing was committed");
    let printed = text(&out);
    for shown in [
        "- hook id: threatline",
        "new-exposure  payments.py:2:3",
        "CRITICAL unmitigated-exposure  payments.py:2:3",
        "FAIL: 1 new finding at or above high",
    ] {
        assert!(printed.contains(shown), "`{shown}` not printed:\n{printed}");
    }

    // The full hook, run as CI runs it, sees the same exposure in the working tree.
    let out = repo.precommit(&[
        "run",
        "--hook-stage",
        "manual",
        "threatline-full",
        "--all-files",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        text(&out).contains("CRITICAL unmitigated-exposure  payments.py:2:3"),
        "{}",
        show(&out)
    );
}
