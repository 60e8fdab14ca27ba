//! `threatline baseline`: records the current findings so `check --baseline` hides them.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::check::{ConfigArg, checked_model};
use super::{WalkArgs, exit, write_output};
use crate::baseline::Baseline;

#[derive(Args, Debug)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub walk: WalkArgs,
    /// Write the baseline to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run(args: &BaselineArgs) -> anyhow::Result<u8> {
    let skip: Vec<PathBuf> = args.output.iter().cloned().collect();
    let (model, _) = checked_model(&args.walk, &args.config, &skip)?;
    let baseline = Baseline::record(&model);
    write_output(args.output.as_ref(), &baseline.to_yaml())?;
    if let Some(path) = &args.output {
        // A note only: a closed stderr is no reason to fail (`eprintln!` would panic).
        let _ = writeln!(
            std::io::stderr(),
            "threatline: recorded {} entries in {}",
            baseline.findings.len(),
            path.display()
        );
    }
    Ok(exit::CLEAN)
}
