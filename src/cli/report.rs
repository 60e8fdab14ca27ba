//! `threatline report`: the threat model for people (Markdown, HTML) and the data-flow
//! diagram alone (Mermaid). It shows the gate's status but does not enforce it: a report
//! job succeeds when the report is written, `check` is the gate.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, ValueEnum};

use super::check::{ConfigArg, SeverityArg, checked_model, shown_path};
use super::{WalkArgs, exit, print_diagnostics, write_output};
use crate::annotation::Severity;
use crate::baseline::{Baseline, today};
use crate::output::{dot, html, markdown, mermaid, otm, threatspec};
use crate::report::Report;
use crate::report::detail::{ReportOptions, check_source_url, encode_path};

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub walk: WalkArgs,
    /// Report format: markdown (with a Mermaid diagram), html (self-contained), mermaid or
    /// dot (the diagram alone), threatspec (Threatspec's JSON), otm (Open Threat Model).
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,
    /// Write the report to FILE instead of stdout (with `--layout directory`: the
    /// directory to write the files into).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// With `--format threatspec`: `report` (default) is one `ThreatModel.json`, what
    /// `threatspec report -o json` writes; `directory` is the `threatmodel/` directory that
    /// `threatspec run` writes and `threatspec report` reads, written into `-o DIR`.
    #[arg(long, value_enum, value_name = "LAYOUT")]
    pub layout: Option<ThreatspecLayout>,
    /// The gate threshold the summary shows (default: high, or the config's).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,
    /// Hide the findings recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Prefix of links to source lines, e.g. https://github.com/org/repo/blob/SHA/
    /// (default: from GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_SHA when all are set,
    /// else from a GitHub `origin` remote at HEAD, else relative paths, `path#Lline`).
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
    // Markdown with a Mermaid diagram, for GitHub and GitLab.
    Markdown,
    // One self-contained HTML file with the diagram as inline SVG.
    Html,
    // The data-flow diagram alone, as a Mermaid flowchart.
    Mermaid,
    // The data-flow diagram alone, as Graphviz DOT.
    Dot,
    // Threatspec's `ThreatModel.json` layout, for existing Threatspec consumers.
    Threatspec,
    // Open Threat Model JSON (Threat Dragon, IriusRisk, threatcl).
    Otm,
}

/// How `--format threatspec` lays the model out.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ThreatspecLayout {
    // One `ThreatModel.json`, as `threatspec report -o json` writes it.
    #[default]
    Report,
    // The `threatmodel/` directory (`threatmodel.json`, `threats.json`, `controls.json`,
    // `components.json`), as `threatspec run` writes it and `threatspec report` reads it.
    Directory,
}

pub fn run(args: &ReportArgs) -> anyhow::Result<u8> {
    let directory = threatspec_directory(args)?;
    if let Some(url) = &args.source_url {
        check_source_url(url).map_err(anyhow::Error::msg)?;
    }
    if let Some(rev) = &args.since {
        return super::since::report(args, rev);
    }
    // The files about to be written are not read as part of the tree.
    let written: Vec<PathBuf> = match directory {
        Some(dir) => threatspec::DIRECTORY_FILES
            .iter()
            .map(|name| dir.join(name))
            .collect(),
        None => args.output.iter().cloned().collect(),
    };
    let skip: Vec<PathBuf> = written.into_iter().chain(args.baseline.clone()).collect();
    let (mut model, config) = checked_model(&args.walk, &args.config, &skip)?;
    let fail_on = args
        .fail_on
        .map(Severity::from)
        .or(config.fail_on)
        .unwrap_or(Severity::High);
    let mut baselined = 0;
    if let Some(path) = &args.baseline {
        let baseline = Baseline::load(path)?;
        baselined = baseline
            .apply(&mut model, &today(), &shown_path(path, &args.walk.path))
            .hidden;
    }
    print_diagnostics(&model.diagnostics, args.walk.stderr_color());
    if let Some(dir) = directory {
        write_directory(dir, &threatspec::to_threatspec_directory(&model))?;
        return Ok(exit::CLEAN);
    }
    let report = Report::new(&model, fail_on);
    let options = ReportOptions {
        title: root_name(&args.walk.path),
        source_url: source_url(args),
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

/// The directory `--layout directory` writes into, after checking the flags make sense
/// together: `None` for every other output.
fn threatspec_directory(args: &ReportArgs) -> anyhow::Result<Option<&Path>> {
    let Some(layout) = args.layout else {
        return Ok(None);
    };
    if args.format != ReportFormat::Threatspec {
        anyhow::bail!(
            "`--layout` chooses between Threatspec's layouts: use it with `--format threatspec`"
        );
    }
    if layout == ThreatspecLayout::Report {
        return Ok(None);
    }
    if args.since.is_some() {
        anyhow::bail!(
            "`report --since` writes a pull-request comment, not a `threatmodel/` directory"
        );
    }
    match args.output.as_deref() {
        Some(dir) if dir != Path::new("-") => Ok(Some(dir)),
        _ => anyhow::bail!(
            "`--layout directory` writes four files: name their directory with `-o DIR`, \
             usually `-o threatmodel` (`threatspec report` reads `threatmodel/` beside \
             `threatspec.yaml`)"
        ),
    }
}

/// Writes Threatspec's `threatmodel/` files into `dir`, creating it. Each file is written
/// beside its final name and renamed over it, so a reader never sees half a file and a
/// failed write leaves the previous file whole.
fn write_directory(dir: &Path, files: &[(&str, String)]) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!(
            "cannot write the `threatmodel/` directory: {} is a file, not a directory",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    for (name, text) in files {
        let path = dir.join(name);
        let partial = dir.join(format!(".{name}.threatline-partial"));
        std::fs::write(&partial, text)
            .and_then(|()| std::fs::rename(&partial, &path))
            .map_err(|e| {
                let _ = std::fs::remove_file(&partial);
                anyhow::anyhow!("cannot write {}: {e}", path.display())
            })?;
    }
    let config = dir
        .parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .map(|p| p.join("threatspec.yaml"));
    let named = dir.file_name().is_some_and(|n| n == "threatmodel");
    if !named || config.as_ref().is_some_and(|c| !c.is_file()) {
        let _ = writeln!(
            std::io::stderr(),
            "threatline: note: `threatspec report` reads `threatmodel/` and `threatspec.yaml` from the directory it runs in; {} (docs/interop.md has a minimal threatspec.yaml)",
            if named {
                format!("there is no {}", config.unwrap_or_default().display())
            } else {
                format!("{} is not named `threatmodel`", dir.display())
            }
        );
    }
    Ok(())
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

/// The prefix of source links: `--source-url`, else [`default_source_url`].
pub(super) fn source_url(args: &ReportArgs) -> Option<String> {
    args.source_url
        .clone()
        .or_else(|| default_source_url(&args.walk.path, |name| std::env::var(name).ok()))
}

/// Where the scanned tree can be read on the web, so that links work in a pull-request
/// comment or a job summary without a flag: GitHub Actions' `GITHUB_SERVER_URL`,
/// `GITHUB_REPOSITORY` and `GITHUB_SHA` when all three are set, else the `origin` remote
/// when it is on GitHub (`https://github.com/o/r(.git)`, `git@github.com:o/r.git`,
/// `ssh://git@github.com/o/r.git`) at `HEAD`; each with the scanned root's path in the
/// repository. `None` (relative links) when neither applies or the result would not pass
/// [`check_source_url`].
fn default_source_url(root: &Path, env: impl Fn(&str) -> Option<String>) -> Option<String> {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let url = match (
        var("GITHUB_SERVER_URL"),
        var("GITHUB_REPOSITORY"),
        var("GITHUB_SHA"),
    ) {
        (Some(server), Some(repo), Some(sha)) => format!(
            "{}/{}/blob/{}/{}",
            server.trim_end_matches('/'),
            repo.trim_matches('/'),
            sha.trim(),
            encode_path(&super::roots::repository_prefix(root))
        ),
        _ => {
            let repo = crate::git::Repo::discover(root).ok()?;
            let sha = repo.head().ok()??;
            let web = github_web(&origin_url(&repo.top)?)?;
            format!(
                "{web}/blob/{sha}/{}",
                encode_path(&super::roots::repository_prefix(root))
            )
        }
    };
    check_source_url(&url).is_ok().then_some(url)
}

/// The `origin` remote's URL, read from the repository's config file (only `src/git`
/// runs git): `.git/config`, or for a linked work tree or a submodule (a `.git` file
/// naming its git directory) the common directory's.
fn origin_url(top: &Path) -> Option<String> {
    let dot_git = top.join(".git");
    let mut git_dir = if dot_git.is_file() {
        let text = std::fs::read_to_string(&dot_git).ok()?;
        top.join(text.trim().strip_prefix("gitdir:")?.trim())
    } else {
        dot_git
    };
    if let Ok(common) = std::fs::read_to_string(git_dir.join("commondir")) {
        git_dir = git_dir.join(common.trim());
    }
    let config = std::fs::read_to_string(git_dir.join("config")).ok()?;
    remote_url(&config, "origin")
}

/// A remote's `url` in a git config file's text.
fn remote_url(config: &str, remote: &str) -> Option<String> {
    let section = format!("[remote \"{remote}\"]");
    let mut inside = false;
    for line in config.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == section;
        } else if inside
            && let Some((key, value)) = line.split_once('=')
            && key.trim().eq_ignore_ascii_case("url")
        {
            return Some(value.trim().trim_matches('"').to_string());
        }
    }
    None
}

/// `https://github.com/owner/repo` for a GitHub remote URL, whatever its form; `None` for
/// another host or a path. Credentials in the URL are never kept.
fn github_web(remote: &str) -> Option<String> {
    let path = if let Some(rest) = remote
        .strip_prefix("https://")
        .or_else(|| remote.strip_prefix("http://"))
        .or_else(|| remote.strip_prefix("ssh://"))
        .or_else(|| remote.strip_prefix("git://"))
    {
        let (host, path) = rest.split_once('/')?;
        // `user:token@github.com` or `git@github.com:22`: the host is what follows the `@`.
        let host = host.rsplit('@').next()?;
        let host = host.split(':').next()?;
        (host.eq_ignore_ascii_case("github.com")).then_some(path)?
    } else {
        remote.strip_prefix("git@github.com:")?
    };
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let (owner, repo) = path.split_once('/')?;
    let ok = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    (ok(owner) && ok(repo)).then(|| format!("https://github.com/{owner}/{repo}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_remotes_in_every_form() {
        for remote in [
            "https://github.com/acme/shop.git",
            "https://github.com/acme/shop",
            "https://x-access-token:secret@github.com/acme/shop.git",
            "git@github.com:acme/shop.git",
            "ssh://git@github.com/acme/shop.git",
            "ssh://git@github.com:22/acme/shop",
        ] {
            assert_eq!(
                github_web(remote).as_deref(),
                Some("https://github.com/acme/shop"),
                "{remote}"
            );
        }
        for other in [
            "https://gitlab.com/acme/shop.git",
            "/srv/git/shop.git",
            "git@github.com:acme/shop/extra",
            "https://github.com/acme/../x",
            "https://evil.com/github.com/acme/shop",
        ] {
            assert_eq!(github_web(other), None, "{other}");
        }
    }

    #[test]
    fn the_origin_url_is_read_from_the_config() {
        let config = "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://github.com/a/b\n\
                      [remote \"origin\"]\n\turl = git@github.com:acme/shop.git\n\tfetch = +refs/heads/*\n";
        assert_eq!(
            remote_url(config, "origin").as_deref(),
            Some("git@github.com:acme/shop.git")
        );
        assert_eq!(remote_url("[core]\n", "origin"), None);
    }

    #[test]
    fn github_actions_variables_name_the_commit() {
        let dir = tempfile::tempdir().unwrap();
        let env = |name: &str| match name {
            "GITHUB_SERVER_URL" => Some("https://github.com/".to_string()),
            "GITHUB_REPOSITORY" => Some("acme/shop".to_string()),
            "GITHUB_SHA" => Some("0123abc".to_string()),
            _ => None,
        };
        assert_eq!(
            default_source_url(dir.path(), env).as_deref(),
            Some("https://github.com/acme/shop/blob/0123abc/")
        );
        let hostile = |name: &str| match name {
            "GITHUB_SERVER_URL" => Some("javascript:alert(1)//".to_string()),
            _ => env(name),
        };
        assert_eq!(default_source_url(dir.path(), hostile), None);
    }
}
