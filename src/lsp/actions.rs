//! Quick fixes: the "did you mean" id for a dangling reference; for an unmitigated
//! exposure, a `@mitigates ... against ... with` or `@accepts ... with` line under it in the
//! same comment style; for an unprotected crossing, `with #control` on the flow or an
//! `@accepts` on it.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic as LspDiagnostic, NumberOrString,
    Range, TextEdit, WorkspaceEdit,
};

use super::comments::insert_below;
use super::convert::LineIndex;
use super::index::path_key;
use super::state::FileContext;
use crate::analysis::{Finding, RuleCode};
use crate::annotation::Layer;
use crate::diagnostics::Code;
use crate::model::{Flow, Model, TargetKind};

/// Candidate controls offered per finding.
const MAX_CONTROLS: usize = 3;

pub fn actions(
    ctx: &FileContext,
    range: Range,
    only: Option<&[CodeActionKind]>,
) -> Vec<CodeActionOrCommand> {
    if let Some(only) = only
        && !only
            .iter()
            .any(|k| CodeActionKind::QUICKFIX.as_str().starts_with(k.as_str()))
    {
        return Vec::new();
    }
    let index = LineIndex::new(&ctx.text);
    let lines = range.start.line + 1..=range.end.line + 1;
    let m = &ctx.model;
    let mut out = Vec::new();
    for d in &m.diagnostics {
        if d.code != Code::DanglingReference
            || d.location.file != ctx.rel
            || !lines.contains(&d.location.line)
        {
            continue;
        }
        let Some(suggestion) = d.hint.as_deref().and_then(suggested_id) else {
            continue;
        };
        let width = d.text.chars().count() as u32;
        let at = d.location.column;
        let edit_range = index.range(d.location.line, at, at + width);
        let replacement = format!("#{suggestion}");
        let diagnostic = lsp_diagnostic(edit_range, d.code.as_str(), &d.message);
        out.push(action(
            ctx,
            format!("Change `{}` to `{replacement}`", d.text),
            vec![TextEdit::new(edit_range, replacement)],
            diagnostic,
            true,
        ));
    }
    for f in &m.findings {
        let at = f.site.origin.as_ref().unwrap_or(&f.site.location);
        if at.file != ctx.rel || !lines.contains(&at.line) {
            continue;
        }
        let width = f.site.text.chars().count() as u32;
        let diagnostic = lsp_diagnostic(
            index.range(at.line, at.column, at.column + width),
            f.code.as_str(),
            &f.message,
        );
        match f.code {
            RuleCode::UnmitigatedExposure => exposure(ctx, &index, f, diagnostic, &mut out),
            // An attack path sits on the flow into its target: protecting or accepting
            // that hop closes the path, as answering any hop does.
            RuleCode::UnprotectedCrossing | RuleCode::AttackPath => {
                crossing(ctx, &index, f, diagnostic, &mut out)
            }
            _ => {}
        }
    }
    out
}

/// The id in a dangling reference's hint, "did you mean `#id`?".
fn suggested_id(hint: &str) -> Option<&str> {
    let rest = hint.strip_prefix("did you mean `#")?;
    rest.split('`').next().filter(|s| !s.is_empty())
}

fn lsp_diagnostic(range: Range, code: &str, message: &str) -> LspDiagnostic {
    LspDiagnostic {
        range,
        code: Some(NumberOrString::String(code.to_string())),
        source: Some("threatline".into()),
        message: message.to_string(),
        ..LspDiagnostic::default()
    }
}

// `WorkspaceEdit::changes` is keyed by `Uri`, which clippy takes for mutable.
#[allow(clippy::mutable_key_type)]
fn action(
    ctx: &FileContext,
    title: String,
    edits: Vec<TextEdit>,
    diagnostic: LspDiagnostic,
    preferred: bool,
) -> CodeActionOrCommand {
    let mut changes = HashMap::new();
    changes.insert(ctx.uri.clone(), edits);
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic]),
        edit: Some(WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        }),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}

/// How an annotation refers to a component: `#id`, else its path.
fn component_ref(m: &Model, id: &str) -> String {
    match m.components.iter().find(|c| c.id == id) {
        Some(c) if c.id.starts_with("path:") || c.id == path_key(&c.path.join(":")) => {
            c.path.join(":")
        }
        _ => format!("#{id}"),
    }
}

fn exposure(
    ctx: &FileContext,
    index: &LineIndex,
    f: &Finding,
    diagnostic: LspDiagnostic,
    out: &mut Vec<CodeActionOrCommand>,
) {
    let m = &ctx.model;
    let (Some(threat), Some(target)) = (&f.threat, f.component.as_ref().or(f.flow.as_ref())) else {
        return;
    };
    let target = if f.flow.is_some() {
        format!("#{target}")
    } else {
        component_ref(m, target)
    };
    let at = f.site.origin.as_ref().unwrap_or(&f.site.location);
    let yaml = f.site.text.ends_with(':');
    let below = |text: &str| insert_below(index, at.line, at.column, text, yaml);
    for control in controls_against(ctx, threat) {
        let text = format!("@mitigates {target} against #{threat} with #{control}");
        out.push(action(
            ctx,
            format!("Mitigate: add `{text}`"),
            vec![below(&text)],
            diagnostic.clone(),
            false,
        ));
    }
    let text = format!("@accepts #{threat} on {target} with <reason>");
    out.push(action(
        ctx,
        format!("Accept: add `{text}`"),
        vec![below(&text)],
        diagnostic,
        false,
    ));
}

/// Controls that answer a threat: those mitigating it elsewhere in the model, then those
/// its catalogue entry lists.
fn controls_against(ctx: &FileContext, threat: &str) -> Vec<String> {
    let m = &ctx.model;
    let mut found: Vec<String> = Vec::new();
    for x in m.mitigations.iter().filter(|x| x.threat == threat) {
        if let Some(c) = &x.control
            && !found.contains(c)
        {
            found.push(c.clone());
        }
    }
    let entry = m
        .threats
        .iter()
        .find(|t| t.id == threat)
        .and_then(|t| t.catalogue.as_deref())
        .or(Some(threat))
        .and_then(|id| ctx.catalogue.threat(id));
    if let Some(entry) = entry {
        for c in ctx.catalogue.controls_for(entry) {
            if !found.iter().any(|f| f.eq_ignore_ascii_case(&c.id)) {
                found.push(c.id.clone());
            }
        }
    }
    found.truncate(MAX_CONTROLS);
    found
}

fn crossing(
    ctx: &FileContext,
    index: &LineIndex,
    f: &Finding,
    diagnostic: LspDiagnostic,
    out: &mut Vec<CodeActionOrCommand>,
) {
    let m = &ctx.model;
    let Some(flow) = f
        .flow
        .as_ref()
        .and_then(|id| m.flows.iter().find(|x| &x.id == id))
    else {
        return;
    };
    let at = f.site.origin.as_ref().unwrap_or(&f.site.location);
    let named = !flow.id.contains("->");
    let text = &f.site.text;
    let insert_at = mechanism_end(text, named.then_some(flow.id.as_str()));
    let column = at.column + text[..insert_at].chars().count() as u32;
    let word = match (&flow.mechanism, text.contains("->")) {
        (Some(_), _) => "and",
        (None, true) => "via",
        (None, false) => "with",
    };
    for control in crossing_controls(ctx, flow) {
        let added = format!(" {word} #{control}");
        let place = index.range(at.line, column, column);
        out.push(action(
            ctx,
            format!("Protect the flow: add `{}`", added.trim()),
            vec![TextEdit::new(place, added)],
            diagnostic.clone(),
            false,
        ));
    }
    if named && let Some(threat) = crossing_threat(ctx, flow) {
        let line = format!("@accepts #{threat} on #{} with <reason>", flow.id);
        let edit = insert_below(index, at.line, at.column, &line, text.ends_with(':'));
        out.push(action(
            ctx,
            format!("Accept: add `{line}`"),
            vec![edit],
            diagnostic,
            false,
        ));
    }
}

/// Where a mechanism ends in a `@connects` annotation's text (a byte offset): before the
/// flow's `(#id)`, a ` -- ` description or a closing bracket, else at the end.
fn mechanism_end(text: &str, id: Option<&str>) -> usize {
    let mut end = text.trim_end().len();
    if let Some(id) = id
        && let Some(i) = text
            .to_ascii_lowercase()
            .find(&format!("(#{}", id.to_ascii_lowercase()))
    {
        end = end.min(i);
    }
    if let Some(i) = text.find(" -- ") {
        end = end.min(i);
    }
    if text.trim_end().ends_with(']')
        && let Some(i) = text.rfind('[')
    {
        end = end.min(i);
    }
    text[..end].trim_end().len()
}

/// Controls to protect a flow with: those protecting other flows (first those of flows
/// that share an end with it, then the most used), then the catalogue's communication
/// controls.
fn crossing_controls(ctx: &FileContext, flow: &Flow) -> Vec<String> {
    let m = &ctx.model;
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for other in m.flows.iter().filter(|x| x.id != flow.id) {
        let shared = [&other.from, &other.to]
            .iter()
            .filter(|end| **end == &flow.from || **end == &flow.to)
            .count();
        for c in &other.controls {
            let entry = counts.entry(c.as_str()).or_default();
            entry.0 += shared;
            entry.1 += 1;
        }
    }
    let mut used: Vec<(&str, (usize, usize))> = counts.into_iter().collect();
    used.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut found: Vec<String> = used.into_iter().map(|(c, _)| c.to_string()).collect();
    for e in ctx
        .catalogue
        .controls()
        .filter(|e| e.layer == Layer::Communication)
    {
        if !found.iter().any(|f| f.eq_ignore_ascii_case(&e.id)) {
            found.push(e.id.clone());
        }
    }
    found.truncate(MAX_CONTROLS);
    found
}

/// The threat to accept on a flow: one exposed on it, else the catalogue's cleartext
/// transport threat.
fn crossing_threat(ctx: &FileContext, flow: &Flow) -> Option<String> {
    let m = &ctx.model;
    m.exposures
        .iter()
        .find(|e| e.target_kind == TargetKind::Flow && e.target == flow.id)
        .map(|e| e.threat.clone())
        .or_else(|| {
            ctx.catalogue
                .threat("transport-cleartext")
                .map(|e| e.id.clone())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mechanism_ends_before_the_id_a_description_or_a_bracket() {
        let t = "@connects A to B with HTTPS (#ab) -- \"x\"";
        assert_eq!(
            &t[..mechanism_end(t, Some("ab"))],
            "@connects A to B with HTTPS"
        );
        let t = "@connects A to B [high]";
        assert_eq!(&t[..mechanism_end(t, None)], "@connects A to B");
        let t = "@flows A -> B";
        assert_eq!(mechanism_end(t, None), t.len());
        assert_eq!(suggested_id("did you mean `#sqli`?"), Some("sqli"));
    }
}
