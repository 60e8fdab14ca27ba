//! Manners of a command line: completions and a man page generated from the clap
//! definition (so they cannot drift from it), and "did you mean" for a mistyped subcommand,
//! which the bare `threatline [PATH]` form would otherwise read as a path.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, exit, write_output};

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to write completions for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn completions(args: &CompletionsArgs) -> anyhow::Result<u8> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command, "threatline", &mut out);
    write_output(None, &String::from_utf8_lossy(&out))?;
    Ok(exit::CLEAN)
}

pub fn man() -> anyhow::Result<u8> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    write_output(None, &String::from_utf8_lossy(&out))?;
    Ok(exit::CLEAN)
}

/// A first argument that is no subcommand, no existing path and close to a subcommand's
/// name (`threatline chek`): clap's own "unrecognized subcommand" error with the tip.
pub fn mistyped_subcommand() -> Option<clap::Error> {
    let word = std::env::args_os().nth(1)?.into_string().ok()?;
    if word.starts_with('-') || std::path::Path::new(&word).exists() {
        return None;
    }
    let mut command = Cli::command();
    let names: Vec<String> = command
        .get_subcommands()
        .flat_map(|s| std::iter::once(s.get_name()).chain(s.get_all_aliases()))
        .map(str::to_string)
        .collect();
    if names.contains(&word) {
        return None;
    }
    let (score, nearest) = names
        .iter()
        .map(|n| (strsim::jaro(&word, n), n))
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    if score < 0.7 {
        return None;
    }
    Some(command.error(
        clap::error::ErrorKind::InvalidSubcommand,
        format!(
            "unrecognized subcommand '{word}'\n\n  tip: a similar subcommand exists: '{nearest}'\n  tip: to check a folder named '{word}', write `threatline check {word}`"
        ),
    ))
}
