//! Pull-request mode: `check --since REF`, `check --staged` and `report --since REF`.
//!
//! Two models of one repository, built with the same config (the one checked now, so the
//! comparison measures annotation changes, not config changes): the base read from git
//! objects at REF (no checkout, the work tree and index untouched), the head from the work
//! tree, or from the index with `--staged`. The gate fails on what is new since the base
//! (findings by fingerprint, error diagnostics) and on the changes configured to fail (a
//! removed defence by default).

use std::path::PathBuf;

use anyhow::Context as _;
use serde::Serialize;

use super::check::{CheckArgs, CheckFormat, ScanOptions, scan_options, shown_path, stdout_color};
use super::report::{ReportArgs, ReportFormat};
use super::{exit, print_diagnostics, write_output};
use crate::analysis::Finding;
use crate::annotation::Severity;
use crate::baseline::{Baseline, today};
use crate::diagnostics::Diagnostic;
use crate::diff::{self, Change, Delta};
use crate::git::{Repo, Tree};
use crate::model::{FORMAT_VERSION, Model};
use crate::output::{github, gitlab, junit, sarif};
use crate::report::detail::ReportOptions;

/// The two models and what to call them.
struct Compared {
    head: Model,
    delta: Delta,
    fail_on: Severity,
    /// `main (1a2b3c4d)`.
    base_label: String,
    rev: String,
    commit: Option<String>,
    staged: bool,
    baselined: usize,
}

fn build(files: Vec<crate::scan::FileResult>, scan: &ScanOptions) -> Model {
    let mut model = crate::model::build(files, &scan.build);
    model.findings = crate::analysis::analyse(&model, &scan.analysis);
    model
}

fn compare(
    walk: &super::WalkArgs,
    config: &super::check::ConfigArg,
    since: Option<&str>,
    staged: bool,
    fail_on: Option<super::check::SeverityArg>,
    skip: &[PathBuf],
    baseline: Option<&PathBuf>,
) -> anyhow::Result<Compared> {
    let scan = scan_options(walk, config, skip)?;
    let repo = Repo::discover(&walk.path)?;
    // `--staged` alone compares with HEAD, which does not exist before the first commit:
    // then everything staged is new.
    let rev = since.unwrap_or("HEAD").to_string();
    let commit = match since {
        Some(rev) => Some(repo.resolve(rev)?),
        None => repo.head()?,
    };
    let base = match &commit {
        Some(sha) => build(repo.scan(&Tree::Commit(sha.clone()), &scan.walk)?, &scan),
        None => build(Vec::new(), &scan),
    };
    let mut head = if staged {
        build(repo.scan(&Tree::Index, &scan.walk)?, &scan)
    } else {
        crate::scan_tree_with(&scan.walk, &scan.build, &scan.analysis)?
    };
    let mut baselined = 0;
    if let Some(path) = baseline {
        let b = Baseline::load(path)?;
        baselined = b
            .apply(&mut head, &today(), &shown_path(path, &walk.path))
            .hidden;
    }
    let fail_on = fail_on
        .map(Severity::from)
        .or(scan.config.fail_on)
        .unwrap_or(Severity::High);
    let delta = Delta::new(&base, &head, |kind| scan.config.change_action(kind));
    let base_label = match &commit {
        Some(sha) => format!("{rev} ({})", &sha[..sha.len().min(8)]),
        None => format!("{rev} (no commits yet)"),
    };
    Ok(Compared {
        head,
        delta,
        fail_on,
        base_label,
        rev,
        commit,
        staged,
        baselined,
    })
}

/// The JSON (and YAML) of `check --since`: what the gate saw, not the whole model
/// (`threatline scan` writes that).
#[derive(Serialize)]
struct SinceOutput<'a> {
    version: &'a str,
    since: SinceRef<'a>,
    /// `work-tree` or `index`.
    head: &'a str,
    passed: bool,
    fail_on: Severity,
    changes: &'a [Change],
    findings: &'a [Finding],
    diagnostics: &'a [Diagnostic],
}

#[derive(Serialize)]
struct SinceRef<'a> {
    #[serde(rename = "ref")]
    rev: &'a str,
    commit: Option<&'a str>,
}

pub fn check(args: &CheckArgs) -> anyhow::Result<u8> {
    let skip: Vec<PathBuf> = args.output.iter().chain(&args.baseline).cloned().collect();
    let c = compare(
        &args.walk,
        &args.config,
        args.since.as_deref(),
        args.staged,
        args.fail_on,
        &skip,
        args.baseline.as_ref(),
    )?;
    let head_label = if c.staged {
        "the index"
    } else {
        "the work tree"
    };
    let text = match args.format {
        CheckFormat::Text => diff::text::render(
            &c.delta,
            &diff::text::SinceText {
                color: args.output.is_none() && stdout_color(&args.walk),
                fail_on: c.fail_on,
                base: &c.base_label,
                head: head_label,
            },
        ),
        format => {
            if !args.quiet {
                print_diagnostics(&c.delta.diagnostics, args.walk.stderr_color());
            }
            let out = SinceOutput {
                version: FORMAT_VERSION,
                since: SinceRef {
                    rev: &c.rev,
                    commit: c.commit.as_deref(),
                },
                head: if c.staged { "index" } else { "work-tree" },
                passed: !c.delta.fails(c.fail_on),
                fail_on: c.fail_on,
                changes: &c.delta.changes,
                findings: &c.delta.findings,
                diagnostics: &c.delta.diagnostics,
            };
            let prefix = super::roots::repository_prefix(&args.walk.path);
            match format {
                CheckFormat::Json => {
                    let mut s = serde_json::to_string_pretty(&out).expect("serialises");
                    s.push('\n');
                    s
                }
                CheckFormat::Yaml => serde_saphyr::to_string(&out).expect("serialises"),
                // Code scanning shows the new findings; the changes are the text's and the
                // comment's.
                CheckFormat::Sarif => sarif::to_sarif(
                    &Model {
                        findings: c.delta.findings.clone(),
                        diagnostics: c.delta.diagnostics.clone(),
                        ..c.head.clone()
                    },
                    &sarif::SarifOptions {
                        category: super::check::sarif_category(&prefix),
                        path_prefix: prefix,
                    },
                ),
                // The inline formats carry what the change added, as SARIF does.
                CheckFormat::Github => github::render(&added(&c), &prefix),
                CheckFormat::Gitlab => gitlab::render(&added(&c), &prefix),
                CheckFormat::Junit => junit::render(&added(&c), &prefix, c.fail_on),
                CheckFormat::Text => unreachable!("handled above"),
            }
        }
    };
    let verdict = diff::text::verdict(&c.delta, c.fail_on, c.baselined);
    super::check::write_step_summary(&added(&c), c.fail_on, &verdict);
    let mut text = text;
    if args.format == CheckFormat::Text && args.output.is_some() {
        text.push_str(&verdict.line(false));
    }
    if args.output.is_some() || !args.quiet {
        write_output(args.output.as_ref(), &text).context("writing the report")?;
    }
    super::write_stderr(&verdict.line(args.walk.stderr_color()));
    Ok(if verdict.passed {
        exit::CLEAN
    } else {
        exit::FINDINGS
    })
}

/// What the change added: its new findings and annotation problems.
fn added(c: &Compared) -> Model {
    Model {
        findings: c.delta.findings.clone(),
        diagnostics: c.delta.diagnostics.clone(),
        ..Model::default()
    }
}

/// `report --since REF --format markdown`: the pull-request comment. Like every report it
/// exits 0 once written: `check --since` is the gate. (`report` checked `--source-url`.)
pub fn report(args: &ReportArgs, rev: &str) -> anyhow::Result<u8> {
    if args.format != ReportFormat::Markdown {
        anyhow::bail!("`report --since` writes a pull-request comment: use `--format markdown`");
    }
    let skip: Vec<PathBuf> = args.output.iter().chain(&args.baseline).cloned().collect();
    let c = compare(
        &args.walk,
        &args.config,
        Some(rev),
        false,
        args.fail_on,
        &skip,
        args.baseline.as_ref(),
    )?;
    print_diagnostics(&c.delta.diagnostics, args.walk.stderr_color());
    let links = ReportOptions {
        title: super::report::root_name(&args.walk.path),
        source_url: super::report::source_url(args),
        baselined: c.baselined,
    };
    let text = diff::markdown::render(
        &c.delta,
        &c.head,
        &diff::markdown::Comment {
            fail_on: c.fail_on,
            base: &c.base_label,
            links: &links,
        },
    );
    write_output(args.output.as_ref(), &text).context("writing the report")?;
    Ok(exit::CLEAN)
}
