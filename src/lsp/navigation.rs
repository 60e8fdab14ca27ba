//! Go to definition, find references and rename, for the `#id` or name under the cursor:
//! across every file of the folder, by the model's own resolution (case-insensitive,
//! normalised ids; names that reach the same entity).

use std::collections::HashMap;

use lsp_types::{
    GotoDefinitionResponse, Location, Position, PrepareRenameResponse, Range, TextEdit, Uri,
    WorkspaceEdit,
};

use super::catalogue_files;
use super::convert::{LineIndex, path_to_uri};
use super::diagnostics::{range_in, site_location};
use super::documents::Texts;
use super::index::{Entity, Kind, Occurrence, Slot};
use super::server::Failure;
use super::state::FileContext;
use crate::annotation::Mention;
use crate::model::normalize::id_key;

/// What the mention under the cursor stands for: an entity, or an id nothing declares.
enum Target<'a> {
    Entity(&'a Entity),
    Dangling(String),
}

fn at(ctx: &FileContext, position: Position) -> Option<&Occurrence> {
    let (line, column) = LineIndex::new(&ctx.text).column_of(position);
    ctx.index.at(&ctx.rel, line, column)
}

fn target(o: &Occurrence) -> Option<Target<'_>> {
    match (&o.entity, &o.id) {
        (Some(e), _) => Some(Target::Entity(e)),
        (None, Some(id)) => Some(Target::Dangling(id_key(id))),
        (None, None) => None,
    }
}

/// Every mention of the same thing, in path, line, column order.
fn mentions<'a>(ctx: &'a FileContext, target: &'a Target) -> Vec<&'a Occurrence> {
    ctx.index
        .occurrences
        .iter()
        .filter(|o| match target {
            Target::Entity(e) => o.entity.as_ref() == Some(*e),
            Target::Dangling(key) => {
                o.entity.is_none() && o.id.as_deref().is_some_and(|id| &id_key(id) == key)
            }
        })
        .collect()
}

fn location(ctx: &FileContext, o: &Occurrence, texts: &mut Texts) -> Option<Location> {
    let path = ctx.root.join(&o.file);
    let span = o.id_span.unwrap_or((o.start, o.end));
    let range = range_in(texts, &path, o.line, span, None);
    let uri = texts.uri_of(&path).or_else(|| path_to_uri(&path))?;
    Some(Location::new(uri, range))
}

/// The declaration of the entity under the cursor; a catalogue entry's place in its
/// catalogue file when nothing in the tree declares it.
pub fn definition(
    ctx: &FileContext,
    position: Position,
    texts: &mut Texts,
) -> Option<GotoDefinitionResponse> {
    let o = at(ctx, position)?;
    let found = match target(o)? {
        Target::Entity(e) => {
            let target = Target::Entity(e);
            let declared = mentions(ctx, &target).into_iter().find(|m| m.declares);
            match declared {
                Some(d) => location(ctx, d, texts),
                None => catalogue_location(ctx, e)
                    .or_else(|| site(ctx, e).and_then(|s| site_location(&ctx.root, s, texts))),
            }
        }
        Target::Dangling(_) => {
            let entry = ctx.catalogue.get(o.id.as_deref()?)?;
            entry_location(entry)
        }
    };
    found.map(GotoDefinitionResponse::Scalar)
}

fn catalogue_location(ctx: &FileContext, e: &Entity) -> Option<Location> {
    let m = &ctx.model;
    let id = match e.kind {
        Kind::Threat => m
            .threats
            .iter()
            .find(|t| t.id == e.id)?
            .catalogue
            .as_deref()?,
        Kind::Control => m
            .controls
            .iter()
            .find(|c| c.id == e.id)?
            .catalogue
            .as_deref()?,
        _ => return None,
    };
    entry_location(ctx.catalogue.get(id)?)
}

fn entry_location(entry: &crate::catalogue::Entry) -> Option<Location> {
    let (path, line) = catalogue_files::location(entry)?;
    let at = Position::new(line.saturating_sub(1), 0);
    Some(Location::new(path_to_uri(&path)?, Range::new(at, at)))
}

fn site<'a>(ctx: &'a FileContext, e: &Entity) -> Option<&'a crate::model::Site> {
    let m = &ctx.model;
    Some(match e.kind {
        Kind::Threat => &m.threats.iter().find(|t| t.id == e.id)?.site,
        Kind::Control => &m.controls.iter().find(|c| c.id == e.id)?.site,
        Kind::Component => &m.components.iter().find(|c| c.id == e.id)?.site,
        Kind::Flow => &m.flows.iter().find(|f| f.id == e.id)?.site,
        Kind::Boundary => &m.boundaries.iter().find(|b| b.id == e.id)?.site,
    })
}

/// Every mention of the entity under the cursor, across the folder.
pub fn references(
    ctx: &FileContext,
    position: Position,
    include_declaration: bool,
    texts: &mut Texts,
) -> Option<Vec<Location>> {
    let o = at(ctx, position)?;
    let target = target(o)?;
    Some(
        mentions(ctx, &target)
            .into_iter()
            .filter(|m| include_declaration || !m.declares)
            .filter_map(|m| location(ctx, m, texts))
            .collect(),
    )
}

/// The id under the cursor, if it can be renamed.
pub fn prepare_rename(
    ctx: &FileContext,
    position: Position,
) -> Result<Option<PrepareRenameResponse>, Failure> {
    let Some(o) = at(ctx, position) else {
        return Ok(None);
    };
    let (span, id) = renamable(ctx, o)?;
    let index = LineIndex::new(&ctx.text);
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: index.range(o.line, span.0, span.1),
        placeholder: id,
    }))
}

fn renamable(ctx: &FileContext, o: &Occurrence) -> Result<((u32, u32), String), Failure> {
    let (Some(span), Some(id)) = (o.id_span, &o.id) else {
        return Err(Failure::Failed(
            "only an `#id` can be renamed; this is a name (give it an id with `Name (#id)`)".into(),
        ));
    };
    if let Some(Entity { kind, id: entity }) = &o.entity
        && catalogue_only(ctx, *kind, entity)
    {
        return Err(Failure::Failed(format!(
            "`#{id}` comes from the catalogue; declare it in the tree under a new id instead"
        )));
    }
    Ok((span, id.clone()))
}

fn catalogue_only(ctx: &FileContext, kind: Kind, id: &str) -> bool {
    let m = &ctx.model;
    match kind {
        Kind::Threat => m
            .threats
            .iter()
            .any(|t| t.id == id && t.catalogue.is_some() && !t.declared),
        Kind::Control => m
            .controls
            .iter()
            .any(|c| c.id == id && c.catalogue.is_some() && !c.declared),
        _ => false,
    }
}

/// Renames the id under the cursor in every file that mentions it.
// `WorkspaceEdit::changes` is keyed by `Uri`, which clippy takes for mutable.
#[allow(clippy::mutable_key_type)]
pub fn rename(
    ctx: &FileContext,
    position: Position,
    new_name: &str,
    texts: &mut Texts,
) -> Result<Option<WorkspaceEdit>, Failure> {
    let Some(o) = at(ctx, position) else {
        return Ok(None);
    };
    renamable(ctx, o)?;
    let new_id = new_name.trim().trim_start_matches('#');
    if new_id.is_empty() || crate::annotation::lexer::id_len(new_id) != new_id.len() {
        return Err(Failure::Failed(format!(
            "`{new_name}` is not an id: use letters, digits, `_`, `-` and `.`"
        )));
    }
    let Some(target) = target(o) else {
        return Ok(None);
    };
    if let Target::Entity(e) = &target {
        let slot = match e.kind {
            Kind::Component => Slot::Target,
            Kind::Threat => Slot::Threat,
            Kind::Control => Slot::Control,
            Kind::Flow => Slot::Flow,
            Kind::Boundary => Slot::Boundary,
        };
        let probe = Mention {
            id: Some(new_id.to_string()),
            is_reference: true,
            ..Mention::default()
        };
        if let Some(other) = ctx.index.lookup.resolve(&ctx.model, slot, &probe)
            && &other != *e
        {
            return Err(Failure::Failed(format!(
                "`#{new_id}` already names the {} `{}`",
                other.kind.as_str(),
                other.id
            )));
        }
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for m in mentions(ctx, &target) {
        let Some(span) = m.id_span else { continue };
        let path = ctx.root.join(&m.file);
        let Some(uri) = path_to_uri(&path) else {
            continue;
        };
        let uri = texts.uri_of(&path).unwrap_or(uri);
        let range = range_in(texts, &path, m.line, span, None);
        changes
            .entry(uri)
            .or_default()
            .push(TextEdit::new(range, new_id.to_string()));
    }
    Ok(Some(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    }))
}
