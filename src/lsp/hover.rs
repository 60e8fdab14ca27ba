//! Hover: the entity under the cursor as a small Markdown card (a threat's STRIDE,
//! severity and description, where it is exposed and answered; a component's layer, zone
//! and flows; a control's mitigations and tests; a flow's ends and protection; a
//! catalogue entry), or a verb's form.

use std::fmt::Write as _;
use std::path::Path;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::convert::{LineIndex, path_to_uri};
use super::index::{Entity, Kind, Slot};
use super::state::FileContext;
use crate::annotation::{VERB_WORDS, Verb};
use crate::catalogue::{Entry, stride_word};
use crate::model::{LayerSource, Model, NO_ZONE, Site, TargetKind};
use crate::report::names::Names;

/// Lists in a card stop after this many lines.
const MAX_LINES: usize = 8;

pub fn hover(ctx: &FileContext, position: Position) -> Option<Hover> {
    let index = LineIndex::new(&ctx.text);
    let (line, column) = index.column_of(position);
    if let Some(o) = ctx.index.at(&ctx.rel, line, column) {
        let markdown = match &o.entity {
            Some(entity) => card(ctx, entity),
            None => dangling(ctx, o.slot, o.id.as_deref().unwrap_or_default()),
        };
        return (!markdown.is_empty())
            .then(|| markdown_hover(markdown, Some(index.range(line, o.start, o.end))));
    }
    let (verb, start, end) = verb_at(index.line(position.line as usize), column)?;
    let markdown = format!("**@{}**\n\n```\n{}\n```", verb.as_str(), verb.usage());
    Some(markdown_hover(
        markdown,
        Some(index.range(line, start, end)),
    ))
}

fn markdown_hover(value: String, range: Option<lsp_types::Range>) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range,
    }
}

/// The verb whose `@word` holds scalar `column`, with its columns `[start, end)`.
pub fn verb_at(line: &str, column: u32) -> Option<(Verb, u32, u32)> {
    let chars: Vec<char> = line.chars().collect();
    let mut at = (column as usize).saturating_sub(1).min(chars.len());
    if chars.get(at) != Some(&'@') {
        while at > 0 && chars[at - 1].is_ascii_alphabetic() {
            at -= 1;
        }
        if at == 0 || chars[at - 1] != '@' {
            return None;
        }
        at -= 1;
    }
    let word: String = chars[at + 1..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let (_, verb) = VERB_WORDS.iter().find(|(w, _)| *w == word)?;
    let start = at as u32 + 1;
    Some((*verb, start, start + 1 + word.chars().count() as u32))
}

/// A card for an entity of the model.
pub fn card(ctx: &FileContext, entity: &Entity) -> String {
    let m = &ctx.model;
    let names = Names::new(m);
    let root = ctx.root.as_path();
    let mut out = String::new();
    match entity.kind {
        Kind::Threat => {
            let Some(t) = m.threats.iter().find(|t| t.id == entity.id) else {
                return String::new();
            };
            let _ = writeln!(out, "**Threat** · {} `#{}`\n", t.name, t.id);
            let mut facts = Vec::new();
            if let Some(s) = t.severity {
                facts.push(format!("severity **{}**", s.as_str()));
            }
            if !t.stride.is_empty() {
                let words: Vec<&str> = t.stride.iter().map(|s| stride_word(*s)).collect();
                facts.push(format!("STRIDE {}", words.join(", ")));
            }
            if let Some(l) = &t.likelihood {
                facts.push(format!("likelihood {l}"));
            }
            if !t.refs.is_empty() {
                facts.push(t.refs.join(" "));
            }
            line(&mut out, &facts.join(" · "));
            text(&mut out, t.description.as_deref());
            if let Some(c) = &t.countermeasures {
                line(&mut out, &format!("Countermeasures: {c}"));
            }
            let exposed = m.exposures.iter().filter(|e| e.threat == t.id).map(|e| {
                let severity = e.severity.map(|s| format!(" [{}]", s.as_str()));
                let target = target_name(&names, e.target_kind, &e.target);
                (format!("{target}{}", severity.unwrap_or_default()), &e.site)
            });
            list(&mut out, root, "Exposed", exposed);
            let mitigated = m.mitigations.iter().filter(|x| x.threat == t.id).map(|x| {
                let with = x
                    .control
                    .as_ref()
                    .map(|c| format!(" with {}", names.control(c)));
                let target = target_name(&names, x.target_kind, &x.target);
                (format!("{target}{}", with.unwrap_or_default()), &x.site)
            });
            list(&mut out, root, "Mitigated", mitigated);
            let accepted = m
                .acceptances
                .iter()
                .filter(|x| x.threat == t.id)
                .map(|x| (target_name(&names, x.target_kind, &x.target), &x.site));
            list(&mut out, root, "Accepted", accepted);
            let transferred = m.transfers.iter().filter(|x| x.threat == t.id).map(|x| {
                let text = format!("{} to {}", names.component(&x.from), names.component(&x.to));
                (text, &x.site)
            });
            list(&mut out, root, "Transferred", transferred);
            findings(&mut out, m, |f| f.threat.as_deref() == Some(&t.id));
            catalogue(&mut out, ctx, t.catalogue.as_deref());
            origin(&mut out, root, t.declared, &t.site);
        }
        Kind::Control => {
            let Some(c) = m.controls.iter().find(|c| c.id == entity.id) else {
                return String::new();
            };
            let _ = writeln!(out, "**Control** · {} `#{}`\n", c.name, c.id);
            if !c.refs.is_empty() {
                line(&mut out, &c.refs.join(" "));
            }
            text(&mut out, c.description.as_deref());
            let mitigations = m
                .mitigations
                .iter()
                .filter(|x| x.control.as_deref() == Some(&c.id))
                .map(|x| {
                    let target = target_name(&names, x.target_kind, &x.target);
                    (
                        format!("{target} against {}", names.threat(&x.threat)),
                        &x.site,
                    )
                });
            list(&mut out, root, "Mitigates", mitigations);
            let flows = m
                .flows
                .iter()
                .filter(|f| {
                    f.controls.contains(&c.id) || f.inferred.iter().any(|i| i.control == c.id)
                })
                .map(|f| (names.flow(&f.id), &f.site));
            list(&mut out, root, "Protects", flows);
            let tests = m
                .tests
                .iter()
                .filter(|x| x.control == c.id)
                .map(|x| (names.component(&x.target), &x.site));
            list(&mut out, root, "Tested for", tests);
            findings(&mut out, m, |f| f.control.as_deref() == Some(&c.id));
            catalogue(&mut out, ctx, c.catalogue.as_deref());
            origin(&mut out, root, c.declared, &c.site);
        }
        Kind::Component => {
            let Some(c) = m.components.iter().find(|c| c.id == entity.id) else {
                return String::new();
            };
            let _ = writeln!(out, "**Component** · {} `#{}`\n", c.path.join(":"), c.id);
            let layer = match c.layer_source {
                LayerSource::Explicit => String::new(),
                LayerSource::Inherited => " (inherited)".into(),
                LayerSource::Inferred => " (inferred)".into(),
            };
            let zone = if c.zone.is_empty() { NO_ZONE } else { &c.zone };
            let mut facts = vec![
                format!("layer **{}**{layer}", c.layer.as_str()),
                format!("zone {zone}"),
            ];
            if !c.data.is_empty() {
                facts.push(format!("handles {}", c.data.join(", ")));
            }
            if !c.owners.is_empty() {
                facts.push(format!("owned by {}", c.owners.join(", ")));
            }
            line(&mut out, &facts.join(" · "));
            text(&mut out, c.description.as_deref());
            let flows = m
                .flows
                .iter()
                .filter(|f| f.from == c.id || f.to == c.id)
                .map(|f| (names.flow(&f.id), &f.site));
            list(&mut out, root, "Flows", flows);
            let exposed = m
                .exposures
                .iter()
                .filter(|e| e.target == c.id && e.target_kind == TargetKind::Component)
                .map(|e| (names.threat(&e.threat), &e.site));
            list(&mut out, root, "Exposed to", exposed);
            let mitigated = m
                .mitigations
                .iter()
                .filter(|x| x.target == c.id && x.target_kind == TargetKind::Component)
                .map(|x| (names.threat(&x.threat), &x.site));
            list(&mut out, root, "Mitigated against", mitigated);
            findings(&mut out, m, |f| f.component.as_deref() == Some(&c.id));
            origin(&mut out, root, c.declared, &c.site);
        }
        Kind::Flow => {
            let Some(f) = m.flows.iter().find(|f| f.id == entity.id) else {
                return String::new();
            };
            let _ = writeln!(out, "**Flow** · {} `#{}`\n", names.flow(&f.id), f.id);
            let mut facts = vec![format!("zone {} to zone {}", f.from_zone, f.to_zone)];
            if let Some(mech) = names.mechanism(f) {
                facts.push(format!("via {mech}"));
            }
            line(&mut out, &facts.join(" · "));
            let mut protection: Vec<String> = f.controls.iter().map(|c| names.control(c)).collect();
            protection.extend(
                f.inferred
                    .iter()
                    .map(|i| format!("{} (from {})", i.name, i.from)),
            );
            if !protection.is_empty() {
                line(&mut out, &format!("Protected by {}", protection.join(", ")));
            }
            if let Some(insecure) = &f.insecure {
                line(
                    &mut out,
                    &format!("Goes over {insecure}, which protects nothing"),
                );
            }
            text(&mut out, f.description.as_deref());
            findings(&mut out, m, |x| x.flow.as_deref() == Some(&f.id));
            origin(&mut out, root, true, &f.site);
        }
        Kind::Boundary => {
            let Some(b) = m.boundaries.iter().find(|b| b.id == entity.id) else {
                return String::new();
            };
            let name = b.name.clone().unwrap_or_else(|| b.id.clone());
            let _ = writeln!(out, "**Boundary** · {name} `#{}`\n", b.id);
            let sides: Vec<String> = b.components.iter().map(|c| names.component(c)).collect();
            line(
                &mut out,
                &format!("{:?}: {}", b.kind, sides.join(", ")).to_lowercase(),
            );
            if let Some(s) = b.severity {
                line(&mut out, &format!("severity **{}**", s.as_str()));
            }
            text(&mut out, b.description.as_deref());
            origin(&mut out, root, true, &b.site);
        }
    }
    out.trim_end().to_string()
}

fn dangling(ctx: &FileContext, slot: Slot, id: &str) -> String {
    if let Some(entry) = ctx.catalogue.get(id) {
        return entry_card(entry);
    }
    let kind = match slot {
        Slot::Threat => "threat",
        Slot::Control => "control",
        Slot::Component => "component",
        Slot::Target => "component or flow",
        Slot::Flow => "flow",
        Slot::Boundary => "boundary",
    };
    format!("`#{id}` does not name any {kind}: nothing declares it")
}

/// A card for a catalogue entry.
pub fn entry_card(e: &Entry) -> String {
    let mut out = String::new();
    let kind = match e.kind {
        crate::catalogue::Kind::Threat => "Catalogue threat",
        crate::catalogue::Kind::Control => "Catalogue control",
    };
    let _ = writeln!(out, "**{kind}** · {} `#{}`\n", e.name, e.id);
    let mut facts = vec![
        format!("layer {}", e.layer.as_str()),
        format!("priority **{}**", e.priority.as_str()),
        format!("likelihood {}", e.likelihood.as_str()),
    ];
    if !e.stride.is_empty() {
        let words: Vec<&str> = e.stride.iter().map(|s| stride_word(*s)).collect();
        facts.push(format!("STRIDE {}", words.join(", ")));
    }
    line(&mut out, &facts.join(" · "));
    text(&mut out, Some(&e.description));
    if !e.countermeasures.is_empty() {
        line(
            &mut out,
            &format!("Countermeasures: {}", e.countermeasures.join("; ")),
        );
    }
    if !e.refs().is_empty() {
        line(&mut out, &e.refs().join(" "));
    }
    if !e.controls.is_empty() {
        let ids: Vec<String> = e.controls.iter().map(|c| format!("`#{c}`")).collect();
        line(&mut out, &format!("Controls: {}", ids.join(", ")));
    }
    line(&mut out, &format!("_{}_", e.origin));
    out.trim_end().to_string()
}

fn target_name(names: &Names, kind: TargetKind, id: &str) -> String {
    match kind {
        TargetKind::Component => names.component(id),
        TargetKind::Flow => format!("flow {}", names.flow(id)),
    }
}

fn line(out: &mut String, text: &str) {
    if !text.is_empty() {
        let _ = writeln!(out, "{text}\n");
    }
}

fn text(out: &mut String, text: Option<&str>) {
    if let Some(t) = text.filter(|t| !t.trim().is_empty()) {
        let _ = writeln!(out, "{}\n", t.trim());
    }
}

/// A titled list of `text — place`, cut after [`MAX_LINES`].
fn list<'a>(
    out: &mut String,
    root: &Path,
    title: &str,
    items: impl Iterator<Item = (String, &'a Site)>,
) {
    let items: Vec<(String, &Site)> = items.collect();
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "**{title}**");
    for (text, site) in items.iter().take(MAX_LINES) {
        let _ = writeln!(out, "- {text} — {}", link(root, site));
    }
    if items.len() > MAX_LINES {
        let _ = writeln!(out, "- … and {} more", items.len() - MAX_LINES);
    }
    out.push('\n');
}

fn findings(out: &mut String, m: &Model, on: impl Fn(&crate::analysis::Finding) -> bool) {
    let found: Vec<String> = m
        .findings
        .iter()
        .filter(|f| on(f))
        .map(|f| format!("`{}` ({})", f.code, f.severity.as_str()))
        .collect();
    if !found.is_empty() {
        line(out, &format!("**Findings**: {}", found.join(", ")));
    }
}

fn catalogue(out: &mut String, ctx: &FileContext, id: Option<&str>) {
    if let Some(entry) = id.and_then(|id| ctx.catalogue.get(id)) {
        line(
            out,
            &format!("From the catalogue: `#{}` ({})", entry.id, entry.origin),
        );
        text(out, Some(&entry.description));
    }
}

fn origin(out: &mut String, root: &Path, declared: bool, site: &Site) {
    let word = if declared {
        "Declared at"
    } else {
        "First mentioned at"
    };
    line(out, &format!("{word} {}", link(root, site)));
}

/// `[file:line](file:///...#Lline)`, at the place the site is written.
pub fn link(root: &Path, site: &Site) -> String {
    let at = site.origin.as_ref().unwrap_or(&site.location);
    let shown = format!("{}:{}", at.file, at.line);
    match path_to_uri(&root.join(&at.file)) {
        Some(uri) => format!("[{shown}]({}#L{})", uri.as_str(), at.line),
        None => shown,
    }
}
