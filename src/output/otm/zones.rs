//! Trust zones for OTM: which zones there are, how they nest, how much each is trusted,
//! and how every declared boundary shows on them (docs/interop.md, "Trust ratings").
//!
//! A zone is a component's `zone` (the first path segment by default) or a
//! `@boundary ... around`, which is always a zone of its own even when a later `around`
//! took all its members. A declared zone nests in the zone of its members' nearest common
//! ancestor component (`around Shop:Edge` sits in `Shop`). The trust rating is computed in
//! one deterministic pass from the declared facts, never from file order.

use std::collections::{BTreeMap, HashMap};

use crate::annotation::Severity;
use crate::catalogue::TrustKeywords;
use crate::model::{
    Boundary, BoundaryKind, Component, Model, NO_ZONE, Trust, TrustSource, ZoneTrust,
};
use crate::report::names::Names;

use super::risk::number;

/// The rating of a top-level zone nothing says more about.
pub(super) const TOP_LEVEL_TRUST: u32 = 50;
/// The rating of an untrusted zone.
pub(super) const UNTRUSTED_TRUST: u32 = 10;

/// How much more a zone inside a declared boundary is trusted than the outside, by the
/// boundary's severity: the stronger the boundary, the larger the step.
pub(super) fn step(severity: Option<Severity>) -> u32 {
    match severity {
        Some(Severity::Critical) => 20,
        Some(Severity::High) => 15,
        Some(Severity::Medium) | None => 10,
        Some(Severity::Low) => 5,
        Some(Severity::Info) => 0,
    }
}

pub(super) struct Zone<'m> {
    /// The model's zone id (`""` for data sources and sinks).
    pub(super) id: String,
    pub(super) name: String,
    /// The `@boundary ... around` that declares it.
    pub(super) declared: Option<&'m Boundary>,
    /// The enclosing zone, by index.
    pub(super) parent: Option<usize>,
    pub(super) children: Vec<usize>,
    pub(super) members: Vec<&'m Component>,
    pub(super) rating: u32,
    /// `property`, `untrusted` or `formula`.
    pub(super) rating_source: &'static str,
    /// How the rating was reached, for people.
    pub(super) rating_formula: String,
    /// Why it is untrusted: `qualifier` (`[untrusted]` on its `@boundary`), `config`
    /// (`untrusted:` in threatline.yaml) or `name` (inferred from the keyword table).
    pub(super) untrusted: Option<&'static str>,
    /// `boundary:<id>` → what that boundary is to this zone.
    pub(super) boundaries: BTreeMap<String, String>,
}

pub(super) struct Zones<'m> {
    /// By zone id.
    pub(super) list: Vec<Zone<'m>>,
    /// Output order: top-level zones by id, each followed by its nested zones.
    pub(super) order: Vec<usize>,
}

/// A boundary's name for people: its own, else what it separates.
pub(super) fn boundary_name(b: &Boundary, names: &Names) -> String {
    if let Some(n) = &b.name {
        return n.clone();
    }
    let sides: Vec<String> = b.components.iter().map(|c| names.component(c)).collect();
    match b.kind {
        BoundaryKind::Between => format!("Boundary between {}", sides.join(" and ")),
        BoundaryKind::Around => format!("Zone around {}", sides.join(", ")),
    }
}

/// A boundary in one line: name, severity and, for a named one, what it separates or
/// encloses (an unnamed one's name already says it).
pub(super) fn boundary_summary(b: &Boundary, names: &Names) -> String {
    let sides: Vec<String> = b.components.iter().map(|c| names.component(c)).collect();
    let mut out = format!(
        "{} ({})",
        boundary_name(b, names),
        severity_words(b.severity)
    );
    if b.name.is_some() {
        match b.kind {
            BoundaryKind::Between => out.push_str(&format!(", between {}", sides.join(" and "))),
            BoundaryKind::Around => out.push_str(&format!(", around {}", sides.join(", "))),
        }
    }
    if let Some(d) = &b.description {
        out.push_str(": ");
        out.push_str(&names.text(d));
    }
    out
}

pub(super) fn zones<'m>(model: &'m Model, names: &Names) -> Zones<'m> {
    let by_id: HashMap<&str, &Component> = model
        .components
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    let mut members: BTreeMap<&str, Vec<&Component>> = BTreeMap::new();
    for c in &model.components {
        members.entry(c.zone.as_str()).or_default().push(c);
    }
    for b in &model.boundaries {
        if b.kind == BoundaryKind::Around {
            members.entry(b.id.as_str()).or_default();
        }
    }
    let mut list: Vec<Zone> = members
        .into_iter()
        .map(|(zone, members)| {
            let declared = model
                .boundaries
                .iter()
                .rev()
                .find(|b| b.kind == BoundaryKind::Around && b.id == zone);
            Zone {
                id: zone.to_string(),
                name: zone_name(model, zone, declared, names),
                declared,
                parent: None,
                children: Vec::new(),
                members,
                rating: TOP_LEVEL_TRUST,
                rating_source: "formula",
                rating_formula: String::new(),
                untrusted: None,
                boundaries: BTreeMap::new(),
            }
        })
        .collect();
    let index: HashMap<String, usize> = list
        .iter()
        .enumerate()
        .map(|(i, z)| (z.id.clone(), i))
        .collect();

    // Nesting: a declared zone sits in the zone of its members' nearest common ancestor.
    let ancestors = |id: &str| -> Vec<&str> {
        let mut chain = Vec::new();
        let mut current = by_id.get(id).and_then(|c| c.parent.as_deref());
        while let Some(p) = current {
            if chain.contains(&p) {
                break;
            }
            chain.push(p);
            current = by_id.get(p).and_then(|c| c.parent.as_deref());
        }
        chain
    };
    for z in &mut list {
        let Some(b) = z.declared else { continue };
        let chains: Vec<Vec<&str>> = b.components.iter().map(|m| ancestors(m)).collect();
        let common = chains.first().and_then(|first| {
            first
                .iter()
                .find(|a| {
                    chains.iter().all(|c| c.contains(a)) && !b.components.iter().any(|m| m == *a)
                })
                .copied()
        });
        let parent = common
            .and_then(|a| by_id.get(a))
            .map(|c| c.zone.as_str())
            .filter(|zone| !zone.is_empty() && *zone != z.id)
            .and_then(|zone| index.get(zone).copied());
        z.parent = parent;
    }
    // A cycle (possible only with overlapping `around`s) is cut where it is found.
    for i in 0..list.len() {
        let mut seen = vec![i];
        let mut current = list[i].parent;
        while let Some(p) = current {
            if seen.contains(&p) {
                list[i].parent = None;
                break;
            }
            seen.push(p);
            current = list[p].parent;
        }
    }
    for i in 0..list.len() {
        if let Some(p) = list[i].parent {
            list[p].children.push(i);
        }
    }

    // Trust: untrusted zones first, then base ratings down the nesting, then the
    // declared `between` boundaries lower their outside.
    for z in &mut list {
        z.untrusted = untrusted(z);
    }
    let mut order = Vec::new();
    for i in 0..list.len() {
        if list[i].parent.is_none() {
            push_depth_first(&list, i, &mut order);
        }
    }
    for &i in &order {
        let (rating, source, formula) = base_rating(&list, i, names);
        let z = &mut list[i];
        z.rating = rating;
        z.rating_source = source;
        z.rating_formula = formula;
    }
    let base: Vec<u32> = list.iter().map(|z| z.rating).collect();
    for b in model
        .boundaries
        .iter()
        .filter(|b| b.kind == BoundaryKind::Between)
    {
        let sides: Vec<(&str, usize)> = b
            .components
            .iter()
            .filter_map(|c| {
                let zone = by_id.get(c.as_str())?.zone.as_str();
                index.get(zone).map(|&z| (c.as_str(), z))
            })
            .collect();
        let [(a_id, a), (b_id, z)] = sides[..] else {
            continue;
        };
        let depth = |id: &str| by_id.get(id).map_or(0, |c| c.path.len());
        let outside_inside = if a == z {
            None
        } else if base[a] != base[z] {
            Some(if base[a] < base[z] { (a, z) } else { (z, a) })
        } else if depth(a_id) != depth(b_id) {
            Some(if depth(a_id) < depth(b_id) {
                (a, z)
            } else {
                (z, a)
            })
        } else {
            None
        };
        let name = boundary_name(b, names);
        let summary = boundary_summary(b, names);
        let key = format!("boundary:{}", b.id);
        match outside_inside {
            Some((outside, inside)) => {
                list[outside]
                    .boundaries
                    .insert(key.clone(), format!("{summary}; this zone is its outside"));
                list[inside]
                    .boundaries
                    .insert(key, format!("{summary}; this zone is its inside"));
                let lowered = base[inside].saturating_sub(step(b.severity));
                let why = format!(
                    "; lowered to {lowered} = {} ({}) - {} ({name}, {})",
                    base[inside],
                    list[inside].name,
                    step(b.severity),
                    severity_words(b.severity)
                );
                let o = &mut list[outside];
                if o.rating_source != "property" && lowered < o.rating {
                    o.rating = lowered;
                    o.rating_formula.push_str(&why);
                }
            }
            None => {
                for side in [a, z] {
                    list[side]
                        .boundaries
                        .insert(key.clone(), format!("{summary}; this zone is one side"));
                }
            }
        }
    }
    for z in &mut list {
        if let Some(b) = z.declared {
            z.boundaries.insert(
                format!("boundary:{}", b.id),
                format!("{}; it encloses this zone", boundary_summary(b, names)),
            );
        }
    }
    Zones { list, order }
}

fn push_depth_first(list: &[Zone], i: usize, order: &mut Vec<usize>) {
    order.push(i);
    for &c in &list[i].children {
        push_depth_first(list, c, order);
    }
}

fn severity_words(s: Option<Severity>) -> String {
    s.map_or_else(|| "no severity stated".into(), |s| s.as_str().to_string())
}

/// A zone's rating before `between` boundaries: a `trust_rating:` on its `@boundary`;
/// untrusted 10; a declared zone its parent's rating (or 50 at the top level) plus the
/// step of its own boundary's severity; any other zone 50.
fn base_rating(list: &[Zone], i: usize, names: &Names) -> (u32, &'static str, String) {
    let z = &list[i];
    if let Some(n) = z
        .declared
        .and_then(|b| number(&b.properties, &["trust_rating", "trustrating", "trust"]))
    {
        return (n, "property", format!("{n}: trust_rating on its @boundary"));
    }
    if let Some(why) = z.untrusted {
        let why = match why {
            "qualifier" => "the `untrusted` qualifier on its @boundary",
            "config" => "`untrusted:` in threatline.yaml",
            _ => "its name (SPEC §4 keyword table)",
        };
        return (
            UNTRUSTED_TRUST,
            "untrusted",
            format!("{UNTRUSTED_TRUST}: untrusted, by {why}"),
        );
    }
    match z.declared {
        Some(b) => {
            let (outer, outer_name) = match z.parent {
                Some(p) => (list[p].rating, list[p].name.clone()),
                None => (TOP_LEVEL_TRUST, "top level".to_string()),
            };
            let rating = (outer + step(b.severity)).min(100);
            (
                rating,
                "formula",
                format!(
                    "{rating} = {outer} ({outer_name}) + {} ({}, {})",
                    step(b.severity),
                    boundary_name(b, names),
                    severity_words(b.severity)
                ),
            )
        }
        None if z.id.is_empty() => (
            TOP_LEVEL_TRUST,
            "formula",
            format!("{TOP_LEVEL_TRUST}: data sources and sinks, in no zone"),
        ),
        None => (
            TOP_LEVEL_TRUST,
            "formula",
            format!("{TOP_LEVEL_TRUST}: a top-level zone"),
        ),
    }
}

/// Why a zone is untrusted, as the model decided it (SPEC §4, `model::trust`): OTM must
/// not call a zone untrusted that `attack-path` treats as trusted, or the other way round.
/// Every member of a zone carries the zone's trust. A declared zone whose members a later
/// `around` took has none to carry it: its own `[untrusted]`/`[trusted]`, else the same
/// keyword table (config cannot name it, as no component is in it).
fn untrusted(z: &Zone) -> Option<&'static str> {
    let trust = match z.members.first() {
        Some(member) => member.trust.clone(),
        None => z.declared.and_then(|b| match b.trust {
            Some(level) => Some(ZoneTrust {
                level,
                source: TrustSource::Declared,
                boundary: Some(b.id.clone()),
                keyword: None,
            }),
            None => TrustKeywords::builtin()
                .infer(&z.name)
                .map(|keyword| ZoneTrust {
                    level: Trust::Untrusted,
                    source: TrustSource::Inferred,
                    boundary: None,
                    keyword: Some(keyword.to_string()),
                }),
        }),
    }?;
    trust.is_untrusted().then_some(match trust.source {
        TrustSource::Declared => "qualifier",
        TrustSource::Config => "config",
        TrustSource::Inferred => "name",
    })
}

/// A zone's name: a declared zone's (made up from its members when it has none), else
/// the model's name for it, else its id.
fn zone_name(model: &Model, zone: &str, declared: Option<&Boundary>, names: &Names) -> String {
    if zone.is_empty() {
        return NO_ZONE.to_string();
    }
    match declared {
        Some(b) => boundary_name(b, names),
        None => model.zone_name(zone).unwrap_or(zone).to_string(),
    }
}
