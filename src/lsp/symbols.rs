//! Document symbols (the annotations of a file) and workspace symbols (components,
//! threats, controls, named flows and boundaries, by name or id).

use std::path::PathBuf;
use std::sync::Arc;

use lsp_types::{DocumentSymbol, OneOf, SymbolKind, WorkspaceSymbol};

use super::convert::LineIndex;
use super::diagnostics::site_location;
use super::documents::Texts;
use super::index::{Index, written};
use super::state::FileContext;
use crate::annotation::{Annotation, Form, Verb};
use crate::model::{Model, Site};

/// Workspace symbols returned at most.
const MAX_SYMBOLS: usize = 1000;

fn kind(verb: Verb) -> SymbolKind {
    match verb {
        Verb::Component => SymbolKind::MODULE,
        Verb::Threat => SymbolKind::EVENT,
        Verb::Control => SymbolKind::INTERFACE,
        Verb::Mitigates => SymbolKind::FUNCTION,
        Verb::Exposes => SymbolKind::PROPERTY,
        Verb::Accepts => SymbolKind::CONSTANT,
        Verb::Transfers | Verb::Connects => SymbolKind::OPERATOR,
        Verb::Boundary => SymbolKind::NAMESPACE,
        Verb::Handles => SymbolKind::FIELD,
        Verb::Tests => SymbolKind::METHOD,
        Verb::Review | Verb::Assumes | Verb::Owns | Verb::Feature | Verb::Comment => {
            SymbolKind::STRING
        }
    }
}

/// What a symbol of an annotation is called: a declaration's name, else its arguments.
fn name(a: &Annotation) -> String {
    let declared = match &a.form {
        Form::Component { component: m }
        | Form::Threat { threat: m }
        | Form::Control { control: m } => Some(m.display()),
        _ => None,
    };
    let name = declared.unwrap_or_else(|| {
        let args = a
            .text
            .split_once(char::is_whitespace)
            .map_or("", |(_, r)| r);
        let args = args.split(" -- ").next().unwrap_or(args);
        args.trim().trim_end_matches(':').to_string()
    });
    let mut name: String = name.chars().take(80).collect();
    if name.trim().is_empty() {
        name = a.text.chars().take(80).collect();
    }
    name
}

/// The annotations written in the file, in order.
#[allow(deprecated)]
pub fn document(ctx: &FileContext) -> Vec<DocumentSymbol> {
    let index = LineIndex::new(&ctx.text);
    let mut out: Vec<DocumentSymbol> = ctx
        .annotations
        .iter()
        .map(|a| {
            let (line, column) = written(a);
            let width = a.text.chars().count() as u32;
            let range = index.range(line, column, column + width);
            DocumentSymbol {
                name: name(a),
                detail: Some(format!("@{}", a.verb.as_str())),
                kind: kind(a.verb),
                tags: None,
                deprecated: None,
                range,
                selection_range: range,
                children: None,
            }
        })
        .collect();
    out.sort_by_key(|s| s.range.start);
    out
}

/// Whether `query`'s characters appear in `text` in order, ignoring case.
fn matches(query: &str, text: &str) -> bool {
    let mut chars = text.chars().flat_map(char::to_lowercase);
    query
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace())
        .all(|q| chars.any(|c| c == q))
}

/// The entities of every folder whose name or id matches the query.
pub fn workspace(
    folders: &[(PathBuf, Arc<Model>, Arc<Index>)],
    query: &str,
    texts: &mut Texts,
) -> Vec<WorkspaceSymbol> {
    let query = query.trim_start_matches('#');
    let mut out = Vec::new();
    for (root, m, _) in folders {
        let mut candidates: Vec<(String, &str, SymbolKind, Option<String>, &Site)> = Vec::new();
        for c in &m.components {
            let container = format!("{} · {}", c.layer.as_str(), c.zone);
            candidates.push((
                c.path.join(":"),
                &c.id,
                SymbolKind::MODULE,
                Some(container),
                &c.site,
            ));
        }
        for t in &m.threats {
            let severity = t.severity.map(|s| s.as_str().to_string());
            candidates.push((t.name.clone(), &t.id, SymbolKind::EVENT, severity, &t.site));
        }
        for c in &m.controls {
            candidates.push((c.name.clone(), &c.id, SymbolKind::INTERFACE, None, &c.site));
        }
        for f in m.flows.iter().filter(|f| !f.id.contains("->")) {
            let name = format!("#{} ({} → {})", f.id, f.from, f.to);
            candidates.push((name, &f.id, SymbolKind::OPERATOR, None, &f.site));
        }
        for b in &m.boundaries {
            let name = b.name.clone().unwrap_or_else(|| format!("#{}", b.id));
            candidates.push((name, &b.id, SymbolKind::NAMESPACE, None, &b.site));
        }
        for (name, id, kind, container, site) in candidates {
            if out.len() >= MAX_SYMBOLS {
                return out;
            }
            if !(matches(query, &name) || matches(query, id)) {
                continue;
            }
            let Some(location) = site_location(root, site, texts) else {
                continue;
            };
            out.push(WorkspaceSymbol {
                name,
                kind,
                tags: None,
                container_name: container,
                location: OneOf::Left(location),
                data: None,
            });
        }
    }
    out
}
