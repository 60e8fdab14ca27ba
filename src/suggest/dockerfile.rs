//! Dockerfiles and Containerfiles (`Dockerfile`, `Dockerfile.worker`, `api.Dockerfile`,
//! `Containerfile`): the service the image runs, named after its directory (or the
//! file's variant), with the ports its final stage `EXPOSE`s. It is Compute, unless the
//! final image is a well-known store or network service by the layer keyword table
//! (`FROM postgres` is Storage, `FROM nginx` Communication).

use std::sync::LazyLock;

use regex::Regex;

use super::files::{SourceFile, file_name};
use super::{Context, Detection, Detector, sanitize, service_name};
use crate::annotation::Layer;

pub const DETECTOR: Detector = Detector {
    name: "dockerfile",
    reads,
    detect,
};

/// A file-name variant that names an environment, not a service: `Dockerfile.dev` is
/// the service of its directory, built for development.
const ENVIRONMENTS: &[&str] = &[
    "dev",
    "development",
    "prod",
    "production",
    "test",
    "testing",
    "local",
    "ci",
    "debug",
    "release",
    "staging",
];

/// Suffixes of files named like Dockerfiles that are something else: documentation,
/// editor leftovers, and BuildKit's per-Dockerfile ignore file.
const NOT_DOCKERFILES: &[&str] = &[
    "md",
    "txt",
    "rst",
    "adoc",
    "html",
    "bak",
    "orig",
    "swp",
    "dockerignore",
];

fn reads(path: &str) -> bool {
    variant(file_name(path)).is_some()
}

/// For a Dockerfile name: `Some(None)` for the plain names, `Some(Some(variant))` for
/// `Dockerfile.variant` and `variant.Dockerfile`, `None` for any other file.
fn variant(name: &str) -> Option<Option<&str>> {
    let lower = name.to_ascii_lowercase();
    for base in ["dockerfile", "containerfile"] {
        if lower == base {
            return Some(None);
        }
        if lower.len() > base.len() + 1 {
            if lower.starts_with(base) && lower.as_bytes()[base.len()] == b'.' {
                let suffix = &name[base.len() + 1..];
                let last = suffix.rsplit('.').next().unwrap_or(suffix);
                if NOT_DOCKERFILES.contains(&last.to_ascii_lowercase().as_str()) {
                    return None;
                }
                return Some(Some(suffix));
            }
            if lower.ends_with(base) && lower.as_bytes()[lower.len() - base.len() - 1] == b'.' {
                return Some(Some(&name[..name.len() - base.len() - 1]));
            }
        }
    }
    None
}

/// One build stage: its `FROM` and what it exposes.
struct Stage {
    line: u32,
    image: String,
    alias: Option<String>,
    exposes: Vec<(u32, Vec<String>)>,
}

fn detect(file: &SourceFile, cx: &Context) -> Vec<Detection> {
    let stages = stages(&file.text);
    let Some(last) = stages.last() else {
        return Vec::new();
    };
    let image = resolve(&stages, stages.len() - 1);
    let base = base_name(image);
    let by_image = cx.keywords.infer(&base).filter(|l| *l != Layer::Compute);
    let ports: Vec<&str> = last
        .exposes
        .iter()
        .flat_map(|(_, p)| p.iter().map(String::as_str))
        .collect();
    // The line that decided: the image when it gave the layer, else where the service
    // listens, else the image.
    let line = match (by_image, last.exposes.first()) {
        (None, Some((line, _))) => *line,
        _ => last.line,
    };
    let name = match variant(file.name()).flatten() {
        Some(v) if !ENVIRONMENTS.contains(&v.to_ascii_lowercase().as_str()) => sanitize(v),
        _ => service_name(&file.path),
    };
    let mut reason = format!("container image ({base})");
    if !ports.is_empty() {
        reason.push_str(&format!(", exposes {}", ports.join(" ")));
    }
    vec![Detection {
        segments: vec![name],
        layer: by_image.unwrap_or(Layer::Compute),
        line,
        reason,
    }]
}

/// The image a stage runs, following `FROM <earlier stage>` back to a real image.
fn resolve(stages: &[Stage], index: usize) -> &str {
    let mut image = stages[index].image.as_str();
    // Each step goes to an earlier stage, so this ends.
    for earlier in (0..index).rev() {
        match &stages[earlier].alias {
            Some(alias) if alias.eq_ignore_ascii_case(image) => image = &stages[earlier].image,
            _ => {}
        }
    }
    image
}

/// `registry.example.com/team/postgres:16@sha256:...` → `postgres`.
fn base_name(image: &str) -> String {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    let name = last.split(':').next().unwrap_or(last);
    sanitize(name)
}

/// The stages of a Dockerfile, from its instructions.
fn stages(text: &str) -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    for (line, instruction) in instructions(text) {
        let mut words = instruction.split_whitespace();
        let Some(keyword) = words.next() else {
            continue;
        };
        if keyword.eq_ignore_ascii_case("FROM") {
            let mut args = words.skip_while(|w| w.starts_with("--"));
            let Some(image) = args.next() else { continue };
            let alias = match (args.next(), args.next()) {
                (Some(kw), Some(name)) if kw.eq_ignore_ascii_case("AS") => Some(name.to_string()),
                _ => None,
            };
            stages.push(Stage {
                line,
                image: image.to_string(),
                alias,
                exposes: Vec::new(),
            });
        } else if keyword.eq_ignore_ascii_case("EXPOSE")
            && let Some(stage) = stages.last_mut()
        {
            // Docker reads a `#` after an instruction as an argument; the ports end at
            // the first word that is not one.
            let ports: Vec<String> = words
                .take_while(|w| is_port(w))
                .map(str::to_string)
                .collect();
            if !ports.is_empty() {
                stage.exposes.push((line, ports));
            }
        }
    }
    stages
}

/// `8080`, `8000-8010`, `53/udp`, or a build variable (`$PORT`, `${PORT}`).
fn is_port(word: &str) -> bool {
    static PORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(\d+(-\d+)?|\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\})(/(tcp|udp|sctp))?$")
            .expect("valid")
    });
    PORT.is_match(word)
}

/// Logical instructions with the line each starts on: comments dropped, continuation
/// lines joined (the escape character is `\`, or the one an `# escape=` directive sets).
fn instructions(text: &str) -> Vec<(u32, String)> {
    let mut escape = '\\';
    let mut out = Vec::new();
    let mut current: Option<(u32, String)> = None;
    let mut directives = true;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if directives {
            match line
                .strip_prefix('#')
                .and_then(|d| d.trim().strip_prefix("escape"))
                .and_then(|d| d.trim().strip_prefix('='))
            {
                Some(value) => {
                    escape = value.trim().chars().next().unwrap_or('\\');
                    continue;
                }
                None => directives = line.starts_with('#') && line.contains('='),
            }
        }
        if line.starts_with('#') || (line.is_empty() && current.is_none()) {
            continue;
        }
        let (body, continues) = match line.strip_suffix(escape) {
            Some(body) => (body, true),
            None => (line, false),
        };
        let entry = current.get_or_insert_with(|| (i as u32 + 1, String::new()));
        entry.1.push(' ');
        entry.1.push_str(body);
        if !continues {
            out.extend(current.take());
        }
    }
    out.extend(current);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LayerKeywords;

    fn run(path: &str, text: &str) -> Vec<(String, Layer, u32, String)> {
        let cx = Context {
            system: "Shop",
            keywords: LayerKeywords::builtin(),
        };
        detect(&SourceFile::new(path, text), &cx)
            .into_iter()
            .map(|d| (d.segments.join(":"), d.layer, d.line, d.reason))
            .collect()
    }

    #[test]
    fn names_the_service_after_its_directory_and_lists_final_stage_ports() {
        let text = "# syntax=docker/dockerfile:1\nFROM python:3.12 AS build\nEXPOSE 9999\nFROM gcr.io/distroless/python3:nonroot\nUSER nonroot\nEXPOSE 8443 \\\n  9090/udp\n";
        assert_eq!(
            run("services/orders/Dockerfile", text),
            vec![(
                "orders".into(),
                Layer::Compute,
                6,
                "container image (python3), exposes 8443 9090/udp".into()
            )]
        );
    }

    #[test]
    fn a_store_or_proxy_image_gives_its_layer_and_its_from_line() {
        let text =
            "FROM --platform=linux/amd64 docker.io/library/postgres:16@sha256:abc\nEXPOSE 5432\n";
        assert_eq!(
            run("db/Containerfile", text),
            vec![(
                "db".into(),
                Layer::Storage,
                1,
                "container image (postgres), exposes 5432".into()
            )]
        );
        let text = "FROM nginx:1.27-alpine AS web\nFROM web\n";
        assert_eq!(run("edge/Dockerfile", text)[0].1, Layer::Communication);
    }

    #[test]
    fn variants_name_services_but_environments_do_not() {
        assert_eq!(run("Dockerfile.worker", "FROM node:22\n")[0].0, "worker");
        assert_eq!(run("docker/api.Dockerfile", "FROM node:22\n")[0].0, "api");
        assert_eq!(run("web/Dockerfile.prod", "FROM node:22\n")[0].0, "web");
        assert_eq!(run("Dockerfile", "FROM node:22\n")[0].0, "app");
        assert!(run("Dockerfile", "# nothing\n").is_empty());
        assert!(!reads("docs/dockerfile.md"));
        assert!(!reads("Dockerfile.dockerignore"));
        assert!(!reads("Dockerfile.orig"));
        assert!(reads("x/containerfile"));
    }

    #[test]
    fn exposed_ports_stop_at_the_first_word_that_is_not_one() {
        let text = "FROM debian\nEXPOSE 8080 ${ADMIN_PORT}/tcp 53/udp # @threat not a port\n";
        assert_eq!(
            run("svc/Dockerfile", text)[0].3,
            "container image (debian), exposes 8080 ${ADMIN_PORT}/tcp 53/udp"
        );
        // An EXPOSE of nothing port-like does not count as listening.
        assert_eq!(
            run("svc/Dockerfile", "FROM debian\nEXPOSE # none\n")[0].2,
            1
        );
    }

    #[test]
    fn escape_directive_changes_the_continuation_character() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nEXPOSE 80 `\n  443\n";
        assert_eq!(
            run("win/Dockerfile", text)[0].3,
            "container image (servercore), exposes 80 443"
        );
    }
}
