//! `threatline import threatspec PATH`: a Threatspec model written as `*.threatline`
//! annotation files, so a team can move to threatline without losing its library.
//! Exit 0 when the files are written, 2 when the input cannot be read or the files cannot
//! be written (nothing is written then).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::{exit, write_output};
use crate::import::{self, ImportOptions};

#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub source: ImportSource,
}

#[derive(Subcommand, Debug)]
pub enum ImportSource {
    /// Threatspec 0.5: its threatmodel/ directory (threatmodel.json, threats.json,
    /// controls.json, components.json) or a ThreatModel.json report.
    Threatspec(ThreatspecArgs),
}

#[derive(Args, Debug)]
pub struct ThreatspecArgs {
    /// A threatmodel/ directory, a project directory holding one, or a ThreatModel.json.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    /// The directory to write the .threatline files in (default: the threatmodel/
    /// directory read, or threatmodel/ next to a ThreatModel.json); `-` prints them.
    #[arg(short = 'o', long = "output", value_name = "OUT_DIR")]
    pub output: Option<PathBuf>,
    /// Write only the threats, controls and components, for a tree whose Threatspec
    /// annotations stay in the code (threatline reads those relations there).
    #[arg(long)]
    pub library_only: bool,
    /// Replace .threatline files that already exist.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &ImportArgs) -> anyhow::Result<u8> {
    let ImportSource::Threatspec(args) = &args.source;
    let model = import::read(&args.path)?;
    for warning in &model.warnings {
        eprintln!("threatline: warning: {warning}");
    }
    let options = ImportOptions {
        library_only: args.library_only,
    };
    let imported = import::to_annotations(&model, &options);
    for warning in &imported.warnings {
        eprintln!("threatline: note: {warning}");
    }
    for problem in import::check(&model, &imported, args.library_only) {
        eprintln!("threatline: warning: the imported files do not read back as written: {problem}");
    }
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| model.default_output.clone());
    if out == Path::new("-") {
        let all: String = imported
            .files
            .iter()
            .map(|(_, text)| text.as_str())
            .collect();
        write_output(None, &all)?;
        return Ok(exit::CLEAN);
    }
    // Check every target before writing any, so a refusal leaves nothing half-written.
    let targets: Vec<(PathBuf, &str)> = imported
        .files
        .iter()
        .map(|(name, text)| (out.join(name), text.as_str()))
        .collect();
    if !args.force
        && let Some((existing, _)) = targets.iter().find(|(path, _)| path.exists())
    {
        anyhow::bail!(
            "{} already exists; pass --force to replace it, or -o another directory",
            existing.display()
        );
    }
    std::fs::create_dir_all(&out)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
    for (path, text) in &targets {
        std::fs::write(path, text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        eprintln!("threatline: wrote {}", path.display());
    }
    Ok(exit::CLEAN)
}
