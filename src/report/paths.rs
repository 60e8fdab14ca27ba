//! The "Attack paths" section of the reports people read, written once against
//! [`Markup`]: each `attack-path` finding as its route from the untrusted entry to the
//! sensitive target, numbered as the data-flow diagram numbers its hops, with every hop's
//! place in the source. Kept apart from `sections.rs`, which holds the other sections.

use std::fmt;

use crate::analysis::Finding;
use crate::analysis::rules::SENSITIVE;
use crate::model::Model;

use super::Report;
use super::detail::{ReportOptions, Words, source};
use super::markup::{Inline, Item, ListStyle, Markup, Style, code, text};

/// Writes the section, or says why it is empty: no zone is untrusted (so nothing was
/// searched), or every route out of the untrusted zones is answered somewhere.
pub fn section(
    m: &mut dyn Markup,
    (id, title): (&str, &str),
    report: &Report,
    options: &ReportOptions,
    words: &Words,
) -> fmt::Result {
    let model = report.model;
    m.section(id, title)?;
    let zones = untrusted_zones(model, words);
    if report.attack_paths.is_empty() {
        let line = if zones.is_empty() {
            vec![
                text("None searched: no zone is untrusted. Mark one with "),
                code("[untrusted]"),
                text(" on its "),
                code("@boundary ... around"),
                text(" or list it under "),
                code("untrusted:"),
                text(" in threatline.yaml."),
            ]
        } else {
            vec![text(format!(
                "None: every route from an untrusted zone ({}) to sensitive data has a \
                 control, a @mitigates or an @accepts on at least one hop.",
                zones.join(", ")
            ))]
        };
        m.paragraph(Style::Plain, &line)?;
        return m.end_section();
    }
    m.paragraph(
        Style::Plain,
        &[
            text(format!(
                "Routes from an untrusted zone ({}) to sensitive data on which no hop has a \
                 control, a @mitigates or an @accepts: nothing stands between the outside and \
                 the data. The diagram numbers each path's hops; answering any one hop \
                 closes a path (",
                zones.join(", ")
            )),
            code("threatline explain attack-path"),
            text(")."),
        ],
    )?;
    let items: Vec<Item> = report
        .attack_paths
        .iter()
        .enumerate()
        .map(|(i, f)| item(i + 1, f, model, options, words))
        .collect();
    m.list(ListStyle::Crossings, &items)?;
    m.end_section()
}

/// One path: its severity, number and route, where the finding is, and what the target
/// holds; then its hops, each with its place.
fn item(n: usize, f: &Finding, model: &Model, options: &ReportOptions, words: &Words) -> Item {
    let mut content = vec![
        Inline::Strong(vec![Inline::Severity(f.severity)]),
        text(" "),
        Inline::Strong(vec![text(format!("path {n}"))]),
        text(": "),
    ];
    if let Some(first) = f.path.first() {
        content.push(words.component(&first.from));
    }
    for hop in &f.path {
        content.push(text(" → "));
        content.push(words.component(&hop.to));
    }
    let classes = f
        .component
        .as_deref()
        .map(|target| sensitive_classes(model, target))
        .unwrap_or_default();
    if !classes.is_empty() {
        content.push(text(format!(" ({} data)", classes.join(", "))));
    }
    content.push(text(" ("));
    content.extend(source(options, &f.site));
    content.push(text(")"));
    let children = f
        .related
        .iter()
        .map(|r| {
            let mut line = words.message(&r.message);
            line.push(text(" ("));
            line.extend(source(options, &r.site));
            line.push(text(")"));
            line
        })
        .collect();
    Item { content, children }
}

/// The sensitive data classes a target holds, its own and its ancestors' (as the rule
/// reads them), in the order of [`SENSITIVE`].
fn sensitive_classes<'a>(model: &Model, target: &str) -> Vec<&'a str> {
    let mut held: Vec<&str> = Vec::new();
    let mut current = Some(target);
    let mut steps = 0;
    while let Some(id) = current {
        let Some(c) = model.components.iter().find(|c| c.id == id) else {
            break;
        };
        held.extend(c.data.iter().map(String::as_str));
        current = c.parent.as_deref();
        // The tree is acyclic when built; a model read back is not trusted to be.
        steps += 1;
        if steps > model.components.len() {
            break;
        }
    }
    SENSITIVE
        .iter()
        .copied()
        .filter(|s| held.contains(s))
        .collect()
}

/// The untrusted zones by name, each once, sorted.
fn untrusted_zones(model: &Model, words: &Words) -> Vec<String> {
    let mut zones: Vec<String> = model
        .components
        .iter()
        .filter(|c| c.trust.as_ref().is_some_and(|t| t.is_untrusted()))
        .map(|c| words.zone(&c.zone))
        .collect();
    zones.sort();
    zones.dedup();
    zones
}
