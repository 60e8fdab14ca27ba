//! `threatline check` (and `threatline` alone): the CI gate. Exit 0 when nothing reaches
//! `--fail-on` and no error diagnostic remains after the baseline, 1 otherwise, 2 when the
//! tool cannot do its job.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};

use super::{WalkArgs, exit, print_diagnostics, write_output};
use crate::annotation::Severity;
use crate::baseline::{Baseline, today};
use crate::config::Config;
use crate::model::Model;
use crate::output::text::{TextOptions, no_threat_model, render_report};
use crate::output::verdict::Verdict;
use crate::output::{data, github, gitlab, junit, sarif, summary};
pub use crate::pipeline::ScanOptions;

#[derive(Args, Debug, Clone, Default)]
pub struct CheckArgs {
    #[command(flatten)]
    pub walk: WalkArgs,
    /// Fail on findings at or above this severity (default: high, or the config's).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,
    /// Output format: text, json or yaml (the model), sarif (code scanning), github
    /// (annotations on a pull request), gitlab (Code Quality), junit.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Write the output to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Hide the findings recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Gate only on what is new since this git revision (a pull request's base), and
    /// report what the change did to the model (docs/pull-requests.md).
    #[arg(long, value_name = "REF")]
    pub since: Option<String>,
    /// Check the index (what is about to be committed) against HEAD: the pre-commit mode.
    #[arg(long)]
    pub staged: bool,
    /// Only the findings a team answers for (`@owns TEAM for <component>`, inherited down
    /// the component tree); annotation errors still count, they are everyone's.
    #[arg(long, value_name = "TEAM")]
    pub owner: Option<String>,
    /// Print only the verdict line (PASS/FAIL and counts) to stderr; `-o` still writes.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// List informational findings one by one (text), instead of one line per rule.
    #[arg(long)]
    pub show_info: bool,
    #[command(flatten)]
    pub config: ConfigArg,
}

#[derive(Args, Debug, Clone, Default)]
pub struct ConfigArg {
    /// Use this config file instead of looking for threatline.yaml.
    #[arg(long = "config", value_name = "FILE")]
    pub file: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeverityArg {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Severity {
        match s {
            SeverityArg::Critical => Severity::Critical,
            SeverityArg::High => Severity::High,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Info => Severity::Info,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CheckFormat {
    #[default]
    Text,
    Json,
    Yaml,
    Sarif,
    // GitHub Actions workflow commands: annotations on the pull request's diff.
    Github,
    // GitLab Code Quality JSON.
    Gitlab,
    // JUnit XML, one suite per rule.
    Junit,
}

/// Scans with the config applied: what `check`, `baseline` and reports share.
pub fn checked_model(
    walk: &WalkArgs,
    config_arg: &ConfigArg,
    extra_skip: &[PathBuf],
) -> anyhow::Result<(Model, Config)> {
    let scan = scan_options(walk, config_arg, extra_skip)?;
    let mut model = scan.scan()?;
    // Files given as paths: the whole project is read, what they hold is reported.
    super::roots::keep_focus(&mut model, &walk.focus);
    Ok((model, scan.config))
}

/// The scan options of the command line: its walk choices, its config file (or the one
/// found from the scanned path), and the files it writes, which are never read.
pub fn scan_options(
    walk: &WalkArgs,
    config_arg: &ConfigArg,
    extra_skip: &[PathBuf],
) -> anyhow::Result<ScanOptions> {
    let config = Config::load(config_arg.file.as_deref(), &walk.path)?;
    let mut options = walk.walk_options();
    options.skip.extend(extra_skip.iter().cloned());
    Ok(ScanOptions::new(options, config)?)
}

pub fn run(args: &CheckArgs) -> anyhow::Result<u8> {
    if args.since.is_some() || args.staged {
        if args.owner.is_some() {
            anyhow::bail!(
                "`--owner` filters a whole check; with `--since` or `--staged` the change is the gate"
            );
        }
        return super::since::check(args);
    }
    let skip: Vec<PathBuf> = args.output.iter().chain(&args.baseline).cloned().collect();
    let (mut model, config) = checked_model(&args.walk, &args.config, &skip)?;
    let fail_on = args
        .fail_on
        .map(Severity::from)
        .or(config.fail_on)
        .unwrap_or(Severity::High);
    let mut baselined = 0;
    if let Some(path) = &args.baseline {
        let baseline = Baseline::load(path)?;
        let shown = shown_path(path, &args.walk.path);
        baselined = baseline.apply(&mut model, &today(), &shown).hidden;
    }
    if let Some(team) = &args.owner {
        keep_owned_by(&mut model, team);
    }
    let root = shown_root(&args.walk.path);
    let verdict = Verdict::of_check(&model, fail_on, &root, baselined);
    let stderr_color = args.walk.stderr_color();
    let text = match args.format {
        CheckFormat::Text => {
            let color = args.output.is_none() && stdout_color(&args.walk);
            let mut text = render_report(
                &model,
                &TextOptions {
                    color,
                    root: &root,
                    show_info: args.show_info,
                },
            );
            if args.output.is_some() {
                // A report file says how it ended; on a terminal stderr says it below.
                text.push_str(&verdict.line(false));
            }
            text
        }
        other => {
            if !args.quiet {
                print_diagnostics(&model.diagnostics, stderr_color);
                if !model.holds_threat_model() {
                    eprint!("{}", no_threat_model(&model, &root));
                }
            }
            let prefix = super::roots::repository_prefix(&args.walk.path);
            match other {
                CheckFormat::Text => unreachable!("handled above"),
                CheckFormat::Json => data::to_json(&model),
                CheckFormat::Yaml => data::to_yaml(&model),
                CheckFormat::Sarif => sarif::to_sarif(
                    &model,
                    &sarif::SarifOptions {
                        path_prefix: prefix.clone(),
                        category: sarif_category(&prefix),
                    },
                ),
                CheckFormat::Github => github::render(&model, &prefix),
                CheckFormat::Gitlab => gitlab::render(&model, &prefix),
                CheckFormat::Junit => junit::render(&model, &prefix, fail_on),
            }
        }
    };
    if args.output.is_some() || !args.quiet {
        write_output(args.output.as_ref(), &text).context("writing the report")?;
    }
    write_step_summary(&model, fail_on, &verdict);
    super::write_stderr(&verdict.line(stderr_color));
    Ok(if verdict.passed {
        exit::CLEAN
    } else {
        exit::FINDINGS
    })
}

/// In a GitHub Actions job (`GITHUB_STEP_SUMMARY` set), appends the Markdown summary of
/// the gate to the job's summary page. Failing to write it is not the gate's failure.
pub(super) fn write_step_summary(model: &Model, fail_on: Severity, verdict: &Verdict) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let text = summary::render(model, fail_on, verdict.line(false).trim_end());
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
    if let Err(e) = written {
        super::write_stderr(&format!(
            "threatline: warning: cannot write the job summary ({}): {e}\n",
            std::path::Path::new(&path).display()
        ));
    }
}

/// The code scanning category of a run: one per scanned folder, so that two jobs that
/// check two folders of one repository do not close each other's alerts.
pub(super) fn sarif_category(prefix: &str) -> String {
    format!("threatline/{prefix}")
}

/// Keeps the findings `team` answers for (`@payments` and `Payments` name `payments`).
fn keep_owned_by(model: &mut Model, team: &str) {
    let team = team.trim_start_matches('@');
    model.findings.retain(|f| {
        f.owners
            .iter()
            .any(|o| o.trim_start_matches('@').eq_ignore_ascii_case(team))
    });
}

pub fn stdout_color(walk: &WalkArgs) -> bool {
    match walk.color {
        super::ColorChoice::Always => true,
        super::ColorChoice::Never => false,
        super::ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// The scanned root as the summary names it: as given when relative, else by its own
/// name, so `check $GITHUB_WORKSPACE` puts no absolute path into the CI log.
fn shown_root(root: &std::path::Path) -> String {
    if root.is_relative() {
        return root.display().to_string();
    }
    root.file_name()
        .map_or_else(|| ".".into(), |n| n.to_string_lossy().into_owned())
}

/// A path as output may show it: relative to the scanned root when inside it, else its
/// file name alone (absolute paths would leak a machine's layout into CI logs and SARIF).
pub fn shown_path(path: &std::path::Path, root: &std::path::Path) -> String {
    let inside = path
        .canonicalize()
        .ok()
        .zip(root.canonicalize().ok())
        .and_then(|(p, r)| p.strip_prefix(&r).ok().map(|rel| rel.to_path_buf()));
    match inside {
        Some(rel) => rel.to_string_lossy().replace('\\', "/"),
        None => path
            .file_name()
            .map_or_else(|| "baseline".into(), |n| n.to_string_lossy().into_owned()),
    }
}
