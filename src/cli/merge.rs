//! `threatline merge MODEL.json...`: one system built in many repositories. Each
//! repository's CI writes its model (`threatline scan --format json -o NAME.json`); this
//! joins them (shared ids are one entity, flows between repositories are marked), runs the
//! rules over the union and gates like `check`: 0 clean, 1 findings at or above
//! `--fail-on` or error diagnostics, 2 when a model cannot be read.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};

use super::check::SeverityArg;
use super::{exit, print_diagnostics, write_output};
use crate::annotation::Severity;
use crate::config::Config;
use crate::output::text::{TextOptions, render_report};
use crate::output::verdict::Verdict;
use crate::output::{data, markdown};
use crate::report::Report;
use crate::report::detail::{ReportOptions, check_source_url};

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Models written by `threatline scan --format json`, as FILE (named by its file stem)
    /// or NAME=FILE. The name prefixes the repository's locations.
    #[arg(value_name = "MODEL.json", required = true, num_args = 1..)]
    pub models: Vec<String>,
    /// Output format: text (as `check` prints it), json (the joined model, as `scan`
    /// writes it), markdown (the report of the whole system).
    #[arg(long, value_enum, default_value_t = MergeFormat::Text)]
    pub format: MergeFormat,
    /// Write the output to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Fail on findings at or above this severity (default: high, or the config's).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,
    /// List informational findings one by one (text), instead of one line per rule.
    #[arg(long)]
    pub show_info: bool,
    /// The organisation's threatline.yaml: its `fail_on` and `severity` apply to the union.
    #[arg(long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Prefix of links to source lines in the Markdown report (each location starts with
    /// its repository's name).
    #[arg(long, value_name = "URL")]
    pub source_url: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeFormat {
    // Findings by CCCS layer and the verdict, as `check` prints them.
    Text,
    // The joined model, in the layout of `threatline scan`.
    Json,
    // The Markdown report of the whole system.
    Markdown,
}

pub fn run(args: &MergeArgs) -> anyhow::Result<u8> {
    if let Some(url) = &args.source_url {
        check_source_url(url).map_err(anyhow::Error::msg)?;
    }
    let config = match &args.config {
        Some(path) => Config::from_file(path)?,
        None => Config::defaults(),
    };
    let inputs = args
        .models
        .iter()
        .map(|spec| crate::merge::read(spec))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)?;
    let mut names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
    names.sort();
    let mut model = crate::merge::merge(inputs).map_err(anyhow::Error::msg)?;
    let build = config.build_options()?;
    let analysis = crate::analysis::AnalysisOptions {
        catalogue: build.catalogue.clone(),
        ..config.analysis_options()
    };
    model.findings = crate::analysis::analyse(&model, &analysis);
    let fail_on = args
        .fail_on
        .map(Severity::from)
        .or(config.fail_on)
        .unwrap_or(Severity::High);
    let root = names.join(" + ");
    let verdict = Verdict::of_check(&model, fail_on, &root, 0);
    let text = match args.format {
        MergeFormat::Text => {
            let mut text = render_report(
                &model,
                &TextOptions {
                    color: false,
                    root: &root,
                    show_info: args.show_info,
                },
            );
            if args.output.is_some() {
                text.push_str(&verdict.line(false));
            }
            text
        }
        MergeFormat::Json => {
            print_diagnostics(&model.diagnostics, false);
            data::to_json(&model)
        }
        MergeFormat::Markdown => {
            print_diagnostics(&model.diagnostics, false);
            markdown::to_markdown(
                &Report::new(&model, fail_on),
                &ReportOptions {
                    title: names.join(" + "),
                    source_url: args.source_url.clone(),
                    baselined: 0,
                },
            )
        }
    };
    write_output(args.output.as_ref(), &text).context("writing the merged model")?;
    super::write_stderr(&verdict.line(false));
    Ok(if verdict.passed {
        exit::CLEAN
    } else {
        exit::FINDINGS
    })
}
