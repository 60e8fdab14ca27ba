//! Zone trust (SPEC §4, second edition): a zone is untrusted when the `@boundary ... around`
//! that declares it says `[untrusted]`, when `threatline.yaml` lists it under `untrusted:`,
//! or, marked as inferred, when its name ends in a word of `catalogue/trust.yaml`.
//! `[trusted]` and `trusted:` override an inferred zone. An explicit `untrusted` wins over an
//! explicit `trusted` (a conflict, reported): the safe reading of a contradiction.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::normalize::normalize;
use super::registry::closest;
use super::{BoundaryKind, Model, Trust, TrustSource, ZoneTrust};
use crate::catalogue::TrustKeywords;
use crate::diagnostics::{Code, Diagnostic};
use crate::location::Location;

/// The zones `threatline.yaml` names under `untrusted:` and `trusted:`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustOptions {
    pub untrusted: Vec<ConfigZone>,
    pub trusted: Vec<ConfigZone>,
}

/// A zone named in `threatline.yaml`, and where: a name that reaches no zone is reported
/// there, with the nearest zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigZone {
    pub name: String,
    pub location: Location,
}

/// The trust a `@boundary` line's words declare: `[untrusted]` or `[trusted]`, in the
/// bracket before `around` or after its last member. Both at once read as untrusted.
pub(super) fn declared<'a>(tags: impl IntoIterator<Item = &'a String>) -> Option<Trust> {
    tags.into_iter().filter_map(|t| Trust::parse(t)).min()
}

/// A boundary's properties without the trust words, which have a typed home (`trust`).
pub(super) fn without_trust_tags(properties: &mut BTreeMap<String, Value>) {
    let Some(Value::Array(tags)) = properties.get_mut("tags") else {
        return;
    };
    tags.retain(|t| t.as_str().and_then(Trust::parse).is_none());
    if tags.is_empty() {
        properties.remove("tags");
    }
}

/// One zone: its id (what `Component::zone` holds) and the name it is known by.
struct Zone {
    name: String,
    /// Explicit words about it: (trust, source, boundary id, where it is said).
    said: Vec<(Trust, TrustSource, Option<String>, Location)>,
}

/// Gives every component in a zone its zone's trust; reports contradictions and config
/// names that reach no zone.
pub(super) fn assign(
    m: &mut Model,
    options: &TrustOptions,
    keywords: &TrustKeywords,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut zones: BTreeMap<String, Zone> = BTreeMap::new();
    for c in &m.components {
        if c.zone.is_empty() || zones.contains_key(&c.zone) {
            continue;
        }
        zones.insert(
            c.zone.clone(),
            Zone {
                name: zone_name(m, &c.zone),
                said: Vec::new(),
            },
        );
    }
    for b in &m.boundaries {
        if let (BoundaryKind::Around, Some(trust), Some(zone)) =
            (b.kind, b.trust, zones.get_mut(&b.id))
        {
            zone.said.push((
                trust,
                TrustSource::Declared,
                Some(b.id.clone()),
                b.site.location.clone(),
            ));
        }
    }
    for (list, trust) in [
        (&options.untrusted, Trust::Untrusted),
        (&options.trusted, Trust::Trusted),
    ] {
        for named in list {
            let key = normalize(&named.name);
            let mut found = false;
            for (id, zone) in zones.iter_mut() {
                if normalize(id) == key || normalize(&zone.name) == key {
                    zone.said
                        .push((trust, TrustSource::Config, None, named.location.clone()));
                    found = true;
                }
            }
            if !found && !zones.is_empty() {
                diagnostics.push(unknown_zone(named, trust, &zones));
            }
        }
    }
    let mut trust_of: BTreeMap<&str, ZoneTrust> = BTreeMap::new();
    for (id, zone) in &zones {
        if let Some(t) = decide(id, zone, keywords, diagnostics) {
            trust_of.insert(id.as_str(), t);
        }
    }
    for c in &mut m.components {
        c.trust = trust_of.get(c.zone.as_str()).cloned();
    }
}

/// A zone's name (`Model::zone_name`), else its id (an unnamed `around`, `default`).
pub(crate) fn zone_name(m: &Model, zone: &str) -> String {
    m.zone_name(zone).unwrap_or(zone).to_string()
}

/// The trust of one zone: explicitly untrusted, else explicitly trusted, else inferred
/// from its name, else nothing said.
fn decide(
    id: &str,
    zone: &Zone,
    keywords: &TrustKeywords,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ZoneTrust> {
    // Declarations before config, each in the order written.
    let mut said: Vec<&(Trust, TrustSource, Option<String>, Location)> = zone.said.iter().collect();
    said.sort_by(|a, b| (a.0, a.1, &a.3).cmp(&(b.0, b.1, &b.3)));
    if let Some((level, source, boundary, at)) = said.first() {
        if *level == Trust::Untrusted
            && let Some((_, other_source, _, other_at)) =
                said.iter().find(|s| s.0 == Trust::Trusted)
        {
            let whose = |s: TrustSource| match s {
                TrustSource::Config => "threatline.yaml",
                _ => "a `@boundary`",
            };
            diagnostics.push(
                Diagnostic::new(
                    Code::Conflict,
                    other_at.clone(),
                    format!(
                        "zone `{}` is said to be trusted here, but untrusted by {} at {at}; keeping untrusted",
                        zone.name,
                        whose(*source)
                    ),
                )
                .hint(format!(
                    "say one thing about zone `{}`: drop `{}` here or the `untrusted` at {at}",
                    zone.name,
                    match other_source {
                        TrustSource::Config => "trusted:",
                        _ => "[trusted]",
                    }
                ))
                .text(zone.name.clone()),
            );
        }
        return Some(ZoneTrust {
            level: *level,
            source: *source,
            boundary: boundary.clone(),
            keyword: None,
        });
    }
    let keyword = keywords.infer(&zone.name).or_else(|| keywords.infer(id))?;
    Some(ZoneTrust {
        level: Trust::Untrusted,
        source: TrustSource::Inferred,
        boundary: None,
        keyword: Some(keyword.to_string()),
    })
}

/// A config zone name that reaches no zone: a warning at its place in the file, with the
/// nearest zone (a typo there would leave an outside zone trusted without a word).
fn unknown_zone(named: &ConfigZone, trust: Trust, zones: &BTreeMap<String, Zone>) -> Diagnostic {
    let candidates: BTreeSet<&str> = zones
        .iter()
        .flat_map(|(id, z)| [id.as_str(), z.name.as_str()])
        .collect();
    let hint = match closest(&named.name, candidates.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => {
            let mut names: Vec<&str> = zones.keys().map(String::as_str).take(12).collect();
            if zones.len() > names.len() {
                names.push("...");
            }
            format!("the zones are {}", names.join(", "))
        }
    };
    Diagnostic::new(
        Code::Conflict,
        named.location.clone(),
        format!(
            "`{}:` names zone `{}`, which no annotation makes; it changes nothing",
            trust.as_str(),
            named.name
        ),
    )
    .hint(hint)
    .text(named.name.clone())
}
