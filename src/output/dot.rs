//! The data-flow diagram as Graphviz DOT, written without Graphviz: one `cluster_*`
//! subgraph per trust zone, one node per component that a flow touches, one edge per flow
//! labelled with its mechanism, two-way flows as `dir=both`, unprotected crossings drawn
//! red and bold with a label and tooltip that say so, attack-path hops purple and numbered.
//!
//! Annotation text is untrusted (CI runs this on forks' pull requests), so it only ever
//! appears inside double-quoted strings, escaped by [`quote`]; node and cluster ids are
//! generated (`n0`, `cluster_0`), never taken from names; and no HTML-like `<...>` label is
//! ever written, since Graphviz would read markup from annotation text inside one.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::{LayerSource, Model};
use crate::report::Dfd;
use crate::report::layer_name;

/// The model's data-flow diagram as DOT.
pub fn to_dot(model: &Model) -> String {
    render(model, &Dfd::new(model))
}

/// A given diagram (all flows, or a selection of them) as DOT; `model` supplies each
/// component's layer and whether that layer was inferred.
pub fn render(model: &Model, dfd: &Dfd) -> String {
    let mut out = String::new();
    out.push_str("digraph threatline {\n");
    out.push_str(concat!(
        "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, label=\"Data flows\", ",
        "labelloc=t, compound=true];\n",
        "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", ",
        "fontname=\"Helvetica\", fontsize=11];\n",
    ));
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10, color=\"#555555\"];\n");

    // Generated ids in diagram order: zones and their nodes are already sorted by id.
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    for (z, zone) in dfd.zones.iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{z} {{");
        let _ = writeln!(
            out,
            "    label={}; style=\"dashed\"; color=\"#888888\"; fontcolor=\"#444444\";",
            quote(&format!("{} (trust zone)", zone.label))
        );
        for node in &zone.nodes {
            let id = format!("n{}", ids.len());
            let _ = writeln!(out, "    {id} [{}];", node_attributes(model, &node.id));
            ids.insert(node.id.as_str(), id);
        }
        out.push_str("  }\n");
    }
    // An end that names no component (a dangling reference) still gets a node, outside
    // every zone, so the edge is drawn rather than silently pointing at a new name.
    for edge in &dfd.edges {
        for end in [&edge.from, &edge.to] {
            if !ids.contains_key(end.as_str()) {
                let id = format!("n{}", ids.len());
                let _ = writeln!(
                    out,
                    "  {id} [label={}, style=\"dashed\", tooltip={}];",
                    quote(end),
                    quote(&format!("`{end}` names no component"))
                );
                ids.insert(end.as_str(), id);
            }
        }
    }
    for edge in &dfd.edges {
        let mut attributes = Vec::new();
        let mechanism = edge.label.as_deref().unwrap_or("");
        // The label's lines: the attack-path hops it is, the mechanism, the crossing.
        let mut lines: Vec<String> = edge.hop_text().into_iter().collect();
        if !mechanism.is_empty() {
            lines.push(mechanism.to_string());
        }
        let mut tooltip = format!("flow {}", edge.flow);
        if edge.unprotected {
            let severity = edge.severity.map_or("", |s| s.as_str());
            let note = match edge.crossings {
                0 | 1 => format!("UNPROTECTED crossing ({severity})"),
                n => format!("UNPROTECTED crossing of {n} boundaries ({severity})"),
            };
            tooltip = format!("flow {}: {note}; no control protects it", edge.flow);
            lines.push(note);
        }
        if !lines.is_empty() {
            attributes.push(format!("label={}", quote(&lines.join("\n"))));
            // Graphviz places a label near the middle of its edge, where in a dense graph it
            // can sit closer to another edge: `decorate` draws the line that says whose it is.
            attributes.push("decorate=true".into());
        }
        attributes.push(format!("tooltip={}", quote(&tooltip)));
        // An attack-path hop is drawn purple, over the red of an unprotected crossing (its
        // label still says so), as in the Mermaid and SVG diagrams.
        let colour = match (edge.hops.is_empty(), edge.unprotected) {
            (false, _) => Some("#6a1b9a"),
            (true, true) => Some("#d00000"),
            (true, false) => None,
        };
        if let Some(colour) = colour {
            attributes.push(format!("color=\"{colour}\""));
            attributes.push(format!("fontcolor=\"{colour}\""));
            attributes.push("penwidth=2.5".into());
            attributes.push("style=bold".into());
        }
        if edge.two_way {
            attributes.push("dir=both".into());
        }
        let _ = writeln!(
            out,
            "  {} -> {} [{}];",
            ids[edge.from.as_str()],
            ids[edge.to.as_str()],
            attributes.join(", ")
        );
    }
    out.push_str("}\n");
    out
}

/// A node's label (its path and CCCS layer, marked when inferred), shape and tooltip.
fn node_attributes(model: &Model, id: &str) -> String {
    let Some(c) = model.components.iter().find(|c| c.id == id) else {
        return format!("label={}", quote(id));
    };
    let layer = layer_name(c.layer);
    let layer = if c.layer_source == LayerSource::Inferred {
        format!("{layer}, inferred")
    } else {
        layer.to_string()
    };
    let path = c.path.join(":");
    let shape = match c.layer {
        crate::annotation::Layer::Storage => ", shape=cylinder, style=filled",
        _ => "",
    };
    let tooltip = match &c.description {
        Some(d) => format!("#{id}: {d}"),
        None => format!("#{id}"),
    };
    format!(
        "label={}, tooltip={}{shape}",
        quote(&format!("{path}\n[{layer}]")),
        quote(&tooltip)
    )
}

/// `text` as a DOT double-quoted string. Inside one, DOT itself only gives meaning to `\"`
/// and to a backslash before a newline; Graphviz then reads `\n`, `\l`, `\r` and `\N`,
/// `\G`, ... escapes in labels. So: backslashes are doubled (a literal `\N` stays text),
/// quotes are escaped, a newline becomes a `\n` line break, and other control characters
/// and bidirectional overrides become visible `U+XXXX` text rather than reaching a
/// renderer that may act on them.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() || is_bidi_control(c) => {
                let _ = write!(out, "U+{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Marks that reorder displayed text (so a label could show what it does not say).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_what_dot_and_graphviz_read() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("a\"b"), "\"a\\\"b\"");
        assert_eq!(quote("a\\N"), "\"a\\\\N\"");
        assert_eq!(quote("two\nlines"), "\"two\\nlines\"");
        assert_eq!(quote("x\u{1b}[31m\r"), "\"xU+001B[31mU+000D\"");
        assert_eq!(quote("a\u{202e}b"), "\"aU+202Eb\"");
        // A quote at the very end cannot be eaten by a trailing backslash.
        assert_eq!(quote("end\\"), "\"end\\\\\"");
    }
}
