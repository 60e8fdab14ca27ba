//! The command line: argument definitions (clap derive) and one module per subcommand.

mod baseline;
mod cache;
mod catalogue;
mod check;
mod coverage;
mod explain;
mod import;
mod init;
mod lsp;
mod merge;
mod report;
mod roots;
mod scan;
mod shell;
mod since;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::walk::WalkOptions;

#[derive(Parser, Debug)]
#[command(
    name = "threatline",
    version,
    about = "Security annotations in code comments, turned into a CCCS-layered threat model and a CI gate"
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// With no subcommand, `threatline [PATH]` runs `check`.
    #[command(flatten)]
    check: check::CheckArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a tree: report findings and fail on those at or above --fail-on (the CI gate).
    Check(check::CheckArgs),
    /// Read every annotation of a tree and write the model (JSON or YAML).
    Scan(scan::ScanArgs),
    /// Record the current findings in a baseline file for `check --baseline`.
    Baseline(baseline::BaselineArgs),
    /// STRIDE coverage per component against its CCCS layer, with catalogue suggestions.
    Coverage(coverage::CoverageArgs),
    /// Explain a finding or diagnostic code.
    Explain(explain::ExplainArgs),
    /// Write the threat model for people: Markdown, HTML, or the data-flow diagram alone.
    Report(report::ReportArgs),
    /// List or search the threat catalogue (threats and controls per CCCS layer).
    Catalogue(catalogue::CatalogueArgs),
    /// Write another tool's threat model as .threatline annotation files.
    Import(import::ImportArgs),
    /// Write a commented threatline.yaml and print CI snippets; --suggest lists likely components.
    Init(init::InitArgs),
    /// Join the JSON models of several repositories into one system and check it.
    Merge(merge::MergeArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff) to install as threatline.1.
    Man,
    /// Serve the Language Server Protocol over stdio, for editors (docs/editors.md).
    Lsp(lsp::LspArgs),
    /// Show where the per-file cache is and what it holds; --clean empties it.
    Cache(cache::CacheArgs),
}

/// The help heading of the options every tree-walking command shares.
const SCAN: &str = "Scan options";

/// Options of every command that walks a tree.
#[derive(Args, Debug, Clone, Default)]
pub struct WalkArgs {
    /// The tree to scan, or files to check within their project (ids resolve across it;
    /// only what the files hold is reported).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The scanned root, resolved from `paths` by [`WalkArgs::resolve`].
    #[arg(skip)]
    pub path: PathBuf,
    /// What to report on within the root: empty for everything.
    #[arg(skip)]
    pub focus: Vec<String>,
    /// A gitignore-style glob of paths not to scan (repeatable).
    #[arg(long = "exclude", value_name = "GLOB", help_heading = SCAN)]
    pub exclude: Vec<String>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N", default_value_t = 0, help_heading = SCAN)]
    pub threads: usize,
    /// Files larger than this many bytes are reported and skipped.
    #[arg(long, value_name = "BYTES", default_value_t = 2 * 1024 * 1024, help_heading = SCAN)]
    pub max_file_size: u64,
    /// Colour in messages: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, help_heading = SCAN)]
    pub color: ColorChoice,
    /// Keep the per-file cache here (default: $XDG_CACHE_HOME/threatline, or
    /// ~/.cache/threatline).
    #[arg(long, value_name = "DIR", help_heading = SCAN)]
    pub cache_dir: Option<PathBuf>,
    /// Read every file again, and keep no cache.
    #[arg(long, help_heading = SCAN)]
    pub no_cache: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl WalkArgs {
    /// Decides the root and the focus from the paths given.
    pub fn resolve(&mut self) -> anyhow::Result<()> {
        let target = roots::resolve(&self.paths)?;
        self.path = target.root;
        self.focus = target.focus;
        Ok(())
    }

    pub fn walk_options(&self) -> WalkOptions {
        let mut options = WalkOptions::new(&self.path);
        options.excludes = self.exclude.clone();
        options.threads = self.threads;
        options.max_file_size = self.max_file_size;
        if !self.no_cache {
            options.cache_file = crate::cache::file_for(&self.path, self.cache_dir.as_deref());
        }
        options
    }

    /// Whether messages on stderr get colour.
    pub fn stderr_color(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal()
            }
        }
    }
}

/// Exit codes of SPEC §6.
pub mod exit {
    pub const CLEAN: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const FAILURE: u8 = 2;
}

/// Runs the command line; every path out of here has a deliberate exit code.
pub fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        // Not `eprintln!`: it panics when stderr is closed, and a panic in the hook aborts.
        // A panic message may quote the text being read: escaped for the terminal.
        let _ = writeln!(
            std::io::stderr(),
            "threatline: internal error: {}\nThis is a bug; please report it with the command you ran.",
            crate::escape::for_terminal(&info.to_string())
        );
        // A panic, in any thread, is never a clean or a findings exit.
        std::process::exit(exit::FAILURE as i32);
    }));
    if let Some(error) = shell::mistyped_subcommand() {
        let _ = error.print();
        return ExitCode::from(exit::FAILURE);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::FAILURE
            } else {
                exit::CLEAN
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        None => resolved(cli.check, |a| &mut a.walk, check::run),
        Some(Command::Check(args)) => resolved(args, |a| &mut a.walk, check::run),
        Some(Command::Scan(args)) => resolved(args, |a| &mut a.walk, scan::run),
        Some(Command::Baseline(args)) => resolved(args, |a| &mut a.walk, baseline::run),
        Some(Command::Explain(args)) => explain::run(&args),
        Some(Command::Coverage(args)) => resolved(args, |a| &mut a.walk, coverage::run),
        Some(Command::Report(args)) => resolved(args, |a| &mut a.walk, report::run),
        Some(Command::Completions(args)) => shell::completions(&args),
        Some(Command::Man) => shell::man(),
        Some(Command::Lsp(args)) => lsp::run(&args),
        Some(Command::Catalogue(args)) => catalogue::run(&args),
        Some(Command::Import(args)) => import::run(&args),
        Some(Command::Init(args)) => init::run(&args),
        Some(Command::Merge(args)) => merge::run(&args),
        Some(Command::Cache(args)) => cache::run(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // A config error is a diagnostic of its own: the file, the line, the hint.
            if let Some(config) = e.downcast_ref::<crate::config::ConfigError>() {
                let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stderr().is_terminal();
                write_stderr(&config.render(color));
                return ExitCode::from(exit::FAILURE);
            }
            // Errors quote the tree (a config's YAML, a catalogue entry) and the command
            // line: escaped line by line, so no escape sequence reaches the terminal. A
            // closed stderr must not turn this exit 2 into a panic (`eprintln!` would).
            let message = format!("{e:#}");
            let lines: Vec<_> = message.lines().map(crate::escape::for_terminal).collect();
            let _ = writeln!(std::io::stderr(), "threatline: error: {}", lines.join("\n"));
            ExitCode::from(exit::FAILURE)
        }
    }
}

/// Runs a command once its paths are resolved to a root and a focus.
fn resolved<A>(
    mut args: A,
    walk: impl Fn(&mut A) -> &mut WalkArgs,
    run: impl Fn(&A) -> anyhow::Result<u8>,
) -> anyhow::Result<u8> {
    walk(&mut args).resolve()?;
    run(&args)
}

/// Writes `text` to `-o FILE` or stdout. A closed stdout (`| head`) is not an error.
pub fn write_output(output: Option<&PathBuf>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
            {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other?,
            }
        }
    }
    Ok(())
}

/// Writes to stderr; a closed stderr is not worth a panic.
pub fn write_stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Prints diagnostics to stderr for a person.
pub fn print_diagnostics(diagnostics: &[crate::diagnostics::Diagnostic], color: bool) {
    if diagnostics.is_empty() {
        return;
    }
    let text = crate::diagnostics::render(diagnostics, color);
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
}
