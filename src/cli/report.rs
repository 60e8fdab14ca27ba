//! `threatline report`: the threat model for people (Markdown, HTML) and the data-flow
//! diagram alone (Mermaid). It shows the gate's status but does not enforce it: a report
//! job succeeds when the report is written, `check` is the gate.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, ValueEnum};

use super::check::{ConfigArg, SeverityArg, checked_model, shown_path};
use super::{WalkArgs, exit, print_diagnostics, write_output};
use crate::annotation::Severity;
use crate::baseline::{Baseline, today};
use crate::output::{dot, html, markdown, mermaid, otm, threatspec};
use crate::report::Report;
use crate::report::detail::{ReportOptions, check_source_url};

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub walk: WalkArgs,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The gate threshold the summary shows (default: high, or the config's).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,
    /// Hide the findings recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Prefix of links to source lines, e.g. https://github.com/org/repo/blob/SHA/
    /// (default: relative paths, `path#Lline`).
    #[arg(long, value_name = "URL")]
    pub source_url: Option<String>,
    /// A pull-request comment: what changed in the model since this git revision, the new
    /// findings, and a diagram of the changed flows (Markdown only).
    #[arg(long, value_name = "REF")]
    pub since: Option<String>,
    #[command(flatten)]
    pub config: ConfigArg,
}

/// One variant per format; each maps to one renderer in [`run`].
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// Markdown with a Mermaid diagram, for GitHub and GitLab.
    Markdown,
    /// One self-contained HTML file with the diagram as inline SVG.
    Html,
    /// The data-flow diagram alone, as a Mermaid flowchart.
    Mermaid,
    /// The data-flow diagram alone, as Graphviz DOT.
    Dot,
    /// Threatspec's `ThreatModel.json` layout, for existing Threatspec consumers.
    Threatspec,
    /// Open Threat Model JSON (Threat Dragon, IriusRisk, threatcl).
    Otm,
}

pub fn run(args: &ReportArgs) -> anyhow::Result<u8> {
    if let Some(url) = &args.source_url {
        check_source_url(url).map_err(anyhow::Error::msg)?;
    }
    if let Some(rev) = &args.since {
        return super::since::report(args, rev);
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
        let baseline = Baseline::load(path).map_err(anyhow::Error::msg)?;
        baselined = baseline
            .apply(&mut model, &today(), &shown_path(path, &args.walk.path))
            .hidden;
    }
    print_diagnostics(&model.diagnostics, args.walk.stderr_color());
    let report = Report::new(&model, fail_on);
    let options = ReportOptions {
        title: root_name(&args.walk.path),
        source_url: args.source_url.clone(),
        baselined,
    };
    let text = match args.format {
        ReportFormat::Markdown => markdown::to_markdown(&report, &options),
        ReportFormat::Html => html::to_html(&report, &options),
        ReportFormat::Mermaid => mermaid::to_mermaid(&model, &report.dfd),
        ReportFormat::Dot => dot::render(&model, &report.dfd),
        ReportFormat::Threatspec => {
            threatspec::to_threatspec(&model, &otm::project_name(&args.walk.path))
        }
        ReportFormat::Otm => otm::to_otm(&model, &otm::project_name(&args.walk.path)),
    };
    write_output(args.output.as_ref(), &text).context("writing the report")?;
    Ok(exit::CLEAN)
}

/// The name the title shows: the scanned directory's own name, `.` resolved.
pub fn root_name(path: &Path) -> String {
    path.canonicalize()
        .ok()
        .as_deref()
        .and_then(Path::file_name)
        .or_else(|| path.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
