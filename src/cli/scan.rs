//! `threatline scan`: the model and diagnostics, as JSON or YAML.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{WalkArgs, exit, print_diagnostics, write_output};
use crate::model::BuildOptions;
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
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataFormat {
    Json,
    Yaml,
}

pub fn run(args: &ScanArgs) -> anyhow::Result<u8> {
    let mut options = args.walk.walk_options();
    options.skip.extend(args.output.iter().cloned());
    let model = crate::scan_tree(&options, &BuildOptions::default())?;
    print_diagnostics(&model.diagnostics, args.walk.stderr_color());
    let text = match args.format {
        DataFormat::Json => data::to_json(&model),
        DataFormat::Yaml => data::to_yaml(&model),
    };
    write_output(args.output.as_ref(), &text)?;
    Ok(exit::CLEAN)
}
