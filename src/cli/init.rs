//! `threatline init`: writes a commented `threatline.yaml` and prints the pre-commit and
//! CI snippets; `init --suggest` lists likely components of the tree as annotations to
//! paste, and writes nothing.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::{Args, ValueEnum};

use super::{exit, write_output};
use crate::analysis::rules;
use crate::config::{Config, FILE_NAMES};
use crate::model::LayerKeywords;
use crate::suggest;
use crate::walk::WalkOptions;

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The directory to write threatline.yaml in; with --suggest, the tree to look at.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Overwrite an existing threatline.yaml.
    #[arg(long, conflicts_with_all = ["dry_run", "suggest"])]
    pub force: bool,
    /// Print the config to stdout instead of writing it.
    #[arg(long, conflicts_with = "suggest")]
    pub dry_run: bool,
    /// List likely components of the tree (Dockerfiles, Kubernetes manifests, Terraform
    /// resources, server entry points) as `@component` annotations to paste. Writes
    /// nothing.
    #[arg(long)]
    pub suggest: bool,
    /// Output of --suggest: text for people, json or yaml for tools.
    #[arg(long, value_enum, default_value_t = SuggestFormat::Text, requires = "suggest")]
    pub format: SuggestFormat,
    /// The first path segment of suggested components (default: the one most components
    /// of the existing model use, else the directory's name).
    #[arg(long, value_name = "NAME", requires = "suggest")]
    pub system: Option<String>,
    /// A gitignore-style glob of paths --suggest does not look at (repeatable).
    #[arg(long = "exclude", value_name = "GLOB", requires = "suggest")]
    pub exclude: Vec<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestFormat {
    Text,
    Json,
    Yaml,
}

pub fn run(args: &InitArgs) -> anyhow::Result<u8> {
    if args.suggest {
        return run_suggest(args);
    }
    let text = config_template();
    if args.dry_run {
        write_output(None, &text)?;
        return Ok(exit::CLEAN);
    }
    let dir = &args.path;
    if !dir.is_dir() {
        bail!(
            "{} is not a directory; `threatline init DIR` writes DIR/threatline.yaml",
            dir.display()
        );
    }
    let target = dir.join(FILE_NAMES[0]);
    let others: Vec<PathBuf> = FILE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    if !args.force {
        if let Some(existing) = others.first() {
            let what = if *existing == target {
                "overwrites it".to_string()
            } else {
                format!("writes {}, which takes precedence", target.display())
            };
            bail!(
                "{} already exists; `threatline init --force` {what} \
                 (`--dry-run` prints the new config instead)",
                existing.display()
            );
        }
        write_new(&target, &text)?;
    } else {
        replace(&target, &text)?;
        for other in others.iter().filter(|p| **p != target) {
            eprintln!(
                "threatline: note: {} is also there; {} takes precedence over it",
                other.display(),
                target.display()
            );
        }
    }
    eprintln!("threatline: wrote {}", target.display());
    write_output(None, &next_steps())?;
    Ok(exit::CLEAN)
}

/// Creates the file only if nothing is there, so a race with another writer (or a
/// symlink planted in its place) never clobbers anything.
fn write_new(target: &Path, text: &str) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(target)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => anyhow::anyhow!(
                "{} already exists; `threatline init --force` overwrites it",
                target.display()
            ),
            _ => anyhow::anyhow!("cannot write {}: {e}", target.display()),
        })?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", target.display()))
}

/// `--force`: a new file renamed over the old one, so a symlink is replaced rather than
/// followed, and an interrupted write leaves the old config whole.
fn replace(target: &Path, text: &str) -> anyhow::Result<()> {
    let temporary = target.with_file_name(format!(".threatline.yaml.{}.tmp", std::process::id()));
    write_new(&temporary, text)?;
    std::fs::rename(&temporary, target).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        anyhow::anyhow!("cannot replace {}: {e}", target.display())
    })
}

fn run_suggest(args: &InitArgs) -> anyhow::Result<u8> {
    // The config decides what `check` scans; suggestions look at the same files.
    let config = Config::load(None, &args.path)?;
    let mut options = WalkOptions::new(&args.path);
    options.paths = config.paths.iter().map(PathBuf::from).collect();
    options.excludes = config
        .exclude
        .iter()
        .chain(&args.exclude)
        .cloned()
        .collect();
    let model = crate::scan_tree_with(
        &options,
        &config.build_options()?,
        &config.analysis_options(),
    )?;
    let keywords = config
        .layers
        .as_ref()
        .unwrap_or_else(|| LayerKeywords::builtin());
    let found = suggest::suggest(&options, &model, args.system.as_deref(), keywords)?;
    let text = match args.format {
        SuggestFormat::Text => suggest::to_text(&found, &args.path.display().to_string()),
        SuggestFormat::Json => suggest::to_json(&found),
        SuggestFormat::Yaml => suggest::to_yaml(&found),
    };
    write_output(None, &text)?;
    Ok(exit::CLEAN)
}

/// The commented config: every key, its default, and what it does. Generated, so the
/// list of finding codes cannot fall behind the rules.
pub fn config_template() -> String {
    let mut codes = String::new();
    let width = rules::ALL
        .iter()
        .map(|r| r.code.as_str().len())
        .max()
        .unwrap_or(0)
        + 1;
    for rule in rules::ALL {
        codes.push_str(&format!(
            "#   {:<width$} {:<8} # {}\n",
            format!("{}:", rule.code),
            rule.default_severity.as_str(),
            rule.summary
        ));
    }
    format!(
        "# threatline.yaml: settings for `threatline check`, `scan`, `baseline`, `report` and
# `init --suggest`.
#
# threatline looks for this file from the scanned path upward to the repository root
# (the first directory holding .git), or reads the one given with `--config FILE`.
# Every key is optional, and every value below is its default: as written, this file
# changes nothing. An unknown key or a bad value stops `check` with exit 2, naming it.
# More: docs/ci.md (Configuration) and docs/cccs.md (layers).

# Sub-paths of the scanned root to scan (relative, inside the tree).
# Default: [], the whole tree. Example: paths: [services, deploy]
paths: []

# Gitignore-style globs of paths not to scan, added to `--exclude`. .gitignore and
# .ignore files are always honoured. Relative and inside the tree: a config file is
# read from the repository, so it may not point the tool elsewhere.
# Default: []. Example: exclude: [\"**/testdata/**\", \"vendor/**\"]
exclude: []

# The gate: `check` exits 1 when a finding at or above this severity remains after the
# baseline, or any error diagnostic (malformed annotation, dangling reference,
# duplicate id, invalid YAML). critical, high, medium, low or info; `--fail-on` wins.
# Default: high.
fail_on: high

# Per finding code: a severity that replaces the one the rule gives, or `off` to drop
# those findings. Diagnostics (the error codes above) cannot be changed here.
# Default: {{}}, each rule's own severity. Rules that derive one from the annotations
# (the exposure's, the threat's, the boundary's) use the value shown when there is none:
{codes}# Example:
#   severity:
#     untested-control: off
#     unmitigated-threat: low
severity: {{}}

# Implicit trust zones: a component's zone is the first segment of its path
# (`User:Browser` is in zone `User`), so a flow between two top-level names crosses a
# boundary. false leaves only the boundaries declared with `@boundary`.
# Default: true.
implicit_zones: true

# Extra CCCS layer keywords (control, compute, communication, storage). A component
# with no `[layer]` of its own or on an ancestor gets the layer of the rightmost keyword
# in its name; these lists add to the built-in table (grammars/layers.yaml) and win
# over it for the same words. Default: {{}}, the built-in table alone. Example:
#   layers:
#     storage: [ledger]
#     communication: [service bus]
layers: {{}}

# Organisation threat catalogues (the built-in format: `threatline catalogue --format
# yaml` prints one), relative to this file; their ids work in annotations like the
# built-in ones (`@exposes #etcd to #k8s-etcd-tampering`). Default: [], the built-in
# catalogue alone. Example:
#   catalogues: [security/catalogue.yaml]
catalogues: []

# A GuardLink project file (.guardlink/config.json) at the scanned root decides which
# files are read (its include and exclude globs) and where the shared definitions are.
# false ignores it. Default: true.
guardlink: true

# Secure transports a flow's mechanism names (`via HTTPS/443`, `with SSH`) protect the
# flow, as the catalogue's control for them, shown as inferred (catalogue/transports.yaml
# lists them). `infer: false` turns this off; `secure` adds local ones, first. Example:
#   transports:
#     secure:
#       - name: Corp VPN
#         spellings: [corpnet, corp vpn]
transports:
  infer: true
  secure: []
"
    )
}

/// What `init` prints after writing the config: next steps and the snippets to paste.
fn next_steps() -> String {
    format!(
        "# Next:
#   threatline init --suggest   components found in this tree, as annotations to paste
#   threatline check            the gate: exit 1 on findings at or above `fail_on`
#
# Snippets to paste (replace <owner>/threatline with where you install threatline from):

# --- .pre-commit-config.yaml ---------------------------------------------------------
{}
# --- .github/workflows/threatline.yml (GitHub Actions, SARIF to code scanning) -------
{}
# --- .gitlab-ci.yml (GitLab CI) -----------------------------------------------------
{}",
        pre_commit(),
        GITHUB_ACTIONS,
        GITLAB_CI
    )
}

fn pre_commit() -> String {
    "repos:
  - repo: https://github.com/<owner>/threatline
    rev: <commit sha>  # no release tags yet: pin a commit (pre-commit autoupdate --freeze)
    hooks:
      - id: threatline          # on commit: what the commit adds
      - id: threatline-full     # the whole repository: pre-commit run --all-files
        stages: [manual]
"
    .to_string()
}

/// As docs/ci.md gives it (a test keeps the two the same).
const GITHUB_ACTIONS: &str = "name: threat model
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
  security-events: write   # upload SARIF
jobs:
  threatline:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: dtolnay/rust-toolchain@stable
      - name: Install threatline
        run: cargo install --locked --git https://github.com/<owner>/threatline threatline
      - name: Check the threat model
        run: threatline check --format sarif -o threatline.sarif
      - name: Upload to code scanning
        if: always()           # upload even when the gate failed
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: threatline.sarif
          category: threatline
      - name: Readable report in the log
        if: always()
        run: threatline check --color always || true
";

/// As docs/ci.md gives it (a test keeps the two the same).
const GITLAB_CI: &str = "threat-model:
  image: rust:latest
  stage: test
  script:
    - cargo install --locked --git https://github.com/<owner>/threatline threatline
    - threatline check --format junit -o threatline-junit.xml --quiet || true
    - threatline check --format gitlab -o gl-code-quality-report.json
  artifacts:
    when: always
    reports:
      codequality: gl-code-quality-report.json
      junit: threatline-junit.xml
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::RuleCode;

    #[test]
    fn the_template_is_the_defaults() {
        let c = Config::parse(&config_template()).expect("the template parses");
        let d = Config::defaults();
        assert_eq!(c.paths, d.paths);
        assert_eq!(c.exclude, d.exclude);
        assert_eq!(c.fail_on.map(|s| s.as_str()), Some("high"));
        assert!(c.severity.is_empty());
        assert!(c.implicit_zones);
        assert!(c.layers.is_none());
    }

    #[test]
    fn the_template_explains_every_key_and_code() {
        let t = config_template();
        for key in [
            "paths:",
            "exclude:",
            "fail_on:",
            "severity:",
            "implicit_zones:",
            "layers:",
            "catalogues:",
            "guardlink:",
            "transports:",
        ] {
            assert!(t.lines().any(|l| l.starts_with(key)), "{key} is set");
        }
        for rule in rules::ALL {
            assert!(t.contains(&format!("#   {}:", rule.code)), "{}", rule.code);
        }
    }

    /// The blocks of `#   ` lines under a line that ends with `Example:`, uncommented.
    fn examples(template: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut inside = false;
        for line in template.lines() {
            match line.strip_prefix("#   ") {
                Some(rest) if inside => {
                    let block = out.last_mut().expect("opened below");
                    block.push_str(rest);
                    block.push('\n');
                }
                _ => {
                    inside = line.ends_with("Example:");
                    if inside {
                        out.push(String::new());
                    }
                }
            }
        }
        out
    }

    #[test]
    fn the_commented_examples_are_valid_config() {
        // Uncommenting an example must give a config that loads and does what it says.
        let t = config_template();
        let examples = examples(&t);
        assert_eq!(examples.len(), 4, "{examples:?}");
        let transports = Config::parse(&examples[3]).expect("the transports example parses");
        assert_eq!(transports.local_transports[0].name, "Corp VPN");
        assert!(transports.infer_transports);
        let catalogues = Config::parse(&examples[2]).expect("the catalogues example parses");
        assert_eq!(
            catalogues.catalogues,
            vec![std::path::PathBuf::from("security/catalogue.yaml")]
        );
        let severity = Config::parse(&examples[0]).expect("the severity example parses");
        assert_eq!(severity.severity[&RuleCode::UntestedControl], None);
        let layers = Config::parse(&examples[1]).expect("the layers example parses");
        assert_eq!(
            layers.layers.expect("set").infer("Ledger"),
            Some(crate::annotation::Layer::Storage)
        );
        // So must the list of codes with their defaults.
        let codes: String = t
            .lines()
            .filter_map(|l| l.strip_prefix("#   "))
            .filter(|l| rules::ALL.iter().any(|r| l.starts_with(r.code.as_str())))
            .map(|l| format!("  {}\n", l.split('#').next().unwrap_or("").trim_end()))
            .collect();
        let all = Config::parse(&format!("severity:\n{codes}")).expect("the codes parse");
        assert_eq!(all.severity.len(), rules::ALL.len());
    }

    #[test]
    fn the_snippets_are_yaml_and_match_the_docs() {
        let docs = include_str!("../../docs/ci.md");
        for snippet in [GITHUB_ACTIONS, GITLAB_CI] {
            assert!(docs.contains(snippet), "docs/ci.md has:\n{snippet}");
        }
        for snippet in [GITHUB_ACTIONS, GITLAB_CI, &pre_commit()] {
            serde_saphyr::from_str::<serde_json::Value>(snippet).expect("valid YAML");
        }
        assert!(GITHUB_ACTIONS.contains("upload-sarif"));
        assert!(GITHUB_ACTIONS.contains("--format sarif"));
        // The hook the snippet names is the one the repository ships.
        let hooks = include_str!("../../.pre-commit-hooks.yaml");
        for id in ["threatline", "threatline-full"] {
            assert!(hooks.contains(&format!("- id: {id}\n")), "{id}");
            assert!(pre_commit().contains(&format!("- id: {id} ")), "{id}");
        }
        assert!(!pre_commit().contains("rev: v"), "no tag exists to pin");
    }
}
