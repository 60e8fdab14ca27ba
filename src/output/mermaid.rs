//! The data-flow diagram as a Mermaid `flowchart LR`: trust zones as subgraphs, components
//! as nodes shaped by CCCS layer, one edge per flow labelled with its mechanism, unprotected
//! crossings thick and red, the hops of attack paths thick, purple and numbered.
//!
//! Annotation text never becomes Mermaid syntax: ids are generated (`z0`, `n0`, ...) and
//! every label is quoted with all but a small safe set of characters written as Mermaid
//! entity codes (`#35;`), so `"]`, `-->`, `{{`, `%%`, backticks or newlines in a name
//! cannot end a label, add an edge, a `click` handler or a directive.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::annotation::Layer;
use crate::model::{LayerSource, Model};
use crate::report::Dfd;

/// The colour of unprotected crossings, shared with the HTML report's legend.
pub const UNPROTECTED_STYLE: &str = "stroke:#d32f2f,stroke-width:4px,color:#b71c1c";
/// The colour of attack-path hops, shared with the HTML report's diagram. Written after
/// the unprotected style, so a first hop that is also an unprotected crossing shows as
/// part of its path (its label still says `unprotected`).
pub const ATTACK_PATH_STYLE: &str = "stroke:#6a1b9a,stroke-width:5px,color:#4a148c";

/// The diagram alone, as a `.mmd` file holds it. The model says which layers are inferred:
/// those nodes get a dashed outline.
pub fn to_mermaid(model: &Model, dfd: &Dfd) -> String {
    let mut out = String::from("flowchart LR\n");
    if dfd.edges.is_empty() {
        out.push_str("  empty[\"No data flows are annotated\"]\n");
        return out;
    }
    let mut ids: HashMap<&str, String> = HashMap::new();
    let mut inferred = Vec::new();
    for (z, zone) in dfd.zones.iter().enumerate() {
        let _ = writeln!(out, "  subgraph z{z}[\"{}\"]", label(&zone.label));
        for node in &zone.nodes {
            let id = format!("n{}", ids.len());
            let _ = writeln!(out, "    {}", node_decl(&id, &node.label, Some(node.layer)));
            if model
                .components
                .iter()
                .any(|c| c.id == node.id && c.layer_source == LayerSource::Inferred)
            {
                inferred.push(id.clone());
            }
            ids.insert(node.id.as_str(), id);
        }
        out.push_str("  end\n");
    }
    for end in dfd.loose_ends() {
        let id = format!("n{}", ids.len());
        let text = format!("#{end} (undeclared)");
        let _ = writeln!(out, "  {}", node_decl(&id, &text, None));
        ids.insert(end, id);
    }
    let mut red = Vec::new();
    let mut purple = Vec::new();
    for (i, edge) in dfd.edges.iter().enumerate() {
        let thick = edge.unprotected || !edge.hops.is_empty();
        let arrow = match (thick, edge.two_way) {
            (false, false) => "-->",
            (false, true) => "<-->",
            (true, false) => "==>",
            (true, true) => "<==>",
        };
        let text = match (&edge.label, edge.unprotected) {
            (Some(l), true) => Some(format!("unprotected: {l}")),
            (None, true) => Some("unprotected".to_string()),
            (Some(l), false) => Some(l.clone()),
            (None, false) => None,
        };
        let text = match (edge.hop_text(), text) {
            (Some(hops), Some(t)) => Some(format!("{hops}: {t}")),
            (hops, t) => hops.or(t),
        };
        let text = text
            .map(|t| format!("|\"{}\"|", label(&t)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {arrow}{text} {}",
            ids[edge.from.as_str()],
            ids[edge.to.as_str()]
        );
        if edge.unprotected {
            red.push(i.to_string());
        }
        if !edge.hops.is_empty() {
            purple.push(i.to_string());
        }
    }
    if !red.is_empty() {
        let _ = writeln!(out, "  linkStyle {} {UNPROTECTED_STYLE}", red.join(","));
    }
    if !purple.is_empty() {
        let _ = writeln!(out, "  linkStyle {} {ATTACK_PATH_STYLE}", purple.join(","));
    }
    if !inferred.is_empty() {
        out.push_str("  classDef inferred stroke-dasharray:5 3\n");
        let _ = writeln!(out, "  class {} inferred", inferred.join(","));
    }
    out
}

/// A node, shaped by its layer so the diagram shows CCCS at a glance: Control a
/// double-bordered box, Compute a rectangle, Communication a stadium, Storage a cylinder.
/// (Not the hexagon: its `{{` is a Liquid tag to a Jekyll site publishing the Markdown.)
fn node_decl(id: &str, text: &str, layer: Option<Layer>) -> String {
    let text = label(text);
    match layer {
        Some(Layer::Control) => format!("{id}[[\"{text}\"]]"),
        Some(Layer::Communication) => format!("{id}([\"{text}\"])"),
        Some(Layer::Storage) => format!("{id}[(\"{text}\")]"),
        Some(Layer::Compute) | None => format!("{id}[\"{text}\"]"),
    }
}

/// What the shapes mean, for the text under a diagram.
pub const LEGEND: &str = "double-bordered box: Control, rectangle: Compute, stadium: Communication, \
                          cylinder: Storage; a dashed outline: the layer is inferred from the name";

/// Escapes text for the inside of a quoted Mermaid label.
///
/// Letters, digits, spaces and punctuation Mermaid gives no meaning to inside quotes stay
/// as they are; a `-` or `=` stays only when it cannot form an arrow with its neighbours;
/// everything else (quotes, brackets, braces, `#`, `%`, `;`, `<`, `>`, `|`, `&`, backticks,
/// any non-ASCII) becomes a `#code;` entity, which Mermaid decodes after parsing.
/// Newlines and tabs become spaces; other control and bidirectional characters become
/// U+FFFD, so nothing invisible reorders a label.
pub fn label(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let arrowish = |x: Option<char>| matches!(x, Some('-' | '=' | '>' | '<'));
        match c {
            'a'..='z'
            | 'A'..='Z'
            | '0'..='9'
            | ' '
            | '.'
            | ','
            | ':'
            | '/'
            | '('
            | ')'
            | '_'
            | '+'
            | '!'
            | '?'
            | '@'
            | '\''
            | '*'
            | '$' => out.push(c),
            '-' | '=' if !arrowish(before) && !arrowish(after) => out.push(c),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() || is_bidi(c) => out.push_str("#65533;"),
            c => {
                let _ = write!(out, "#{};", c as u32);
            }
        }
    }
    if out.trim().is_empty() {
        // An empty quoted label is not valid everywhere; say what is missing instead.
        out = "(unnamed)".to_string();
    }
    out
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{DfdEdge, DfdNode, DfdZone, PathHop};

    #[test]
    fn labels_keep_plain_text_and_encode_syntax() {
        assert_eq!(label("Shop:Edge:API Gateway"), "Shop:Edge:API Gateway");
        assert_eq!(label("Default-Deny"), "Default-Deny");
        assert_eq!(label("a\"]; click A"), "a#34;#93;#59; click A");
        assert_eq!(label("x --> y"), "x #45;#45;#62; y");
        assert_eq!(label("{{x}}"), "#123;#123;x#125;#125;");
        assert_eq!(label("`md` #tls %%"), "#96;md#96; #35;tls #37;#37;");
        assert_eq!(label("a\nb<i>"), "a b#60;i#62;");
        assert_eq!(label("é\u{202e}"), "#233;#65533;");
        assert_eq!(label(""), "(unnamed)");
    }

    #[test]
    fn ids_are_generated_and_unprotected_edges_are_red() {
        let node = |id: &str| DfdNode {
            id: id.into(),
            label: format!("{id}\"]"),
            short: format!("{id}\"]"),
            layer: Layer::Storage,
        };
        let dfd = Dfd {
            zones: vec![DfdZone {
                id: "z".into(),
                label: "Zone".into(),
                nodes: vec![node("a"), node("b")],
            }],
            edges: vec![
                DfdEdge {
                    flow: "f1".into(),
                    from: "a".into(),
                    to: "b".into(),
                    label: None,
                    two_way: true,
                    unprotected: false,
                    severity: None,
                    crossings: 0,
                    hops: Vec::new(),
                },
                DfdEdge {
                    flow: "f2".into(),
                    from: "b".into(),
                    to: "ghost".into(),
                    label: Some("tcp".into()),
                    two_way: false,
                    unprotected: true,
                    severity: None,
                    crossings: 1,
                    hops: vec![PathHop { path: 1, hop: 2 }, PathHop { path: 2, hop: 1 }],
                },
            ],
        };
        let text = to_mermaid(&Model::default(), &dfd);
        assert!(text.contains("n0[(\"a#34;#93;\")]"), "{text}");
        assert!(text.contains("n2[\"#35;ghost (undeclared)\"]"), "{text}");
        assert!(text.contains("n0 <--> n1"), "{text}");
        assert!(
            text.contains("n1 ==>|\"path 1 hop 2, path 2 hop 1: unprotected: tcp\"| n2"),
            "{text}"
        );
        assert!(text.contains("linkStyle 1 stroke:#d32f2f"), "{text}");
        assert!(text.contains("linkStyle 1 stroke:#6a1b9a"), "{text}");
    }
}
