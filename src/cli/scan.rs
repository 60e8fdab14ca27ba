//! `threatline scan`: the model and diagnostics, as JSON or YAML.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::check::{ConfigArg, checked_model};
use super::{WalkArgs, exit, print_diagnostics, write_output};
use crate::output::data;

#[derive(Args, Debug)]
pub struct ScanArgs {
    #[command(flatten)]
    pub walk: WalkArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DataFormat::Json)]
    pub format: DataFormat,
    /// Write the output to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArg,
    /// Print counts (files seen, files with annotations, annotations per verb, `@verb`
    /// lines read as prose) to stderr.
    #[arg(long)]
    pub stats: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataFormat {
    Json,
    Yaml,
}

pub fn run(args: &ScanArgs) -> anyhow::Result<u8> {
    // The same config as `check`, so zones, layers and severities agree.
    let skip: Vec<PathBuf> = args.output.iter().cloned().collect();
    let (model, _) = checked_model(&args.walk, &args.config, &skip)?;
    print_diagnostics(&model.diagnostics, args.walk.stderr_color());
    if args.stats {
        let s = &model.stats;
        let verbs: Vec<String> = s
            .annotations
            .iter()
            .map(|(verb, n)| format!("{} {n}", verb.as_str()))
            .collect();
        let r = &s.reads;
        eprintln!(
            "threatline: {} files seen, {} read, {} may hold annotations, {} hold some; {} `@verb` lines read as prose",
            s.files_seen, r.read, r.candidates, s.files_with_annotations, s.prose_lines,
        );
        eprintln!(
            "threatline: parses: {} none (comment header), {} prefix, {} whole ({} after a prefix), {} timed out; {:.1} MB parsed",
            r.header_only,
            r.prefix_parses,
            r.whole_parses,
            r.reparsed,
            r.timed_out,
            r.parsed_bytes as f64 / 1e6,
        );
        eprintln!(
            "threatline: annotations: {}",
            if verbs.is_empty() {
                "none".into()
            } else {
                verbs.join(", ")
            }
        );
    }
    let text = match args.format {
        DataFormat::Json => data::to_json(&model),
        DataFormat::Yaml => data::to_yaml(&model),
    };
    write_output(args.output.as_ref(), &text)?;
    Ok(exit::CLEAN)
}
