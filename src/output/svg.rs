//! The data-flow diagram drawn as inline SVG for the HTML report, so the report needs no
//! script and no network. The layout is simple and deterministic: trust zones are ranked
//! into columns along the flows (left to right, as the Mermaid `flowchart LR`), stacked in a
//! column in the order of their neighbours, components stacked inside their zone; flows
//! are curves between node sides with arrowheads and a label, unprotected crossings red and
//! thick. Every piece of text is HTML-escaped and truncated to its box, in full in a
//! `<title>` tooltip.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::annotation::Layer;
use crate::model::{LayerSource, Model};
use crate::report::{Dfd, layer_name};

use super::html::escape;

const NODE_W: f64 = 200.0;
const NODE_H: f64 = 46.0;
const NODE_GAP: f64 = 16.0;
const ZONE_PAD: f64 = 12.0;
const ZONE_HEAD: f64 = 26.0;
const ZONE_GAP: f64 = 26.0;
const ZONE_W: f64 = NODE_W + 2.0 * ZONE_PAD;
const COL_GAP: f64 = 140.0;
const MARGIN: f64 = 16.0;
const LABEL_H: f64 = 16.0;

/// The colour of a layer: the band on each node and the legend share it.
pub fn layer_colour(layer: Layer) -> &'static str {
    match layer {
        Layer::Control => "#6a1b9a",
        Layer::Compute => "#1565c0",
        Layer::Communication => "#00838f",
        Layer::Storage => "#e65100",
    }
}

struct Zone {
    label: String,
    nodes: Vec<Node>,
    col: usize,
    y: f64,
}

struct Node {
    id: String,
    path: String,
    layer: Option<Layer>,
    inferred: bool,
    y: f64,
}

/// The diagram as an `<svg>` element.
pub fn to_svg(model: &Model, dfd: &Dfd) -> String {
    let mut zones = zones(model, dfd);
    if dfd.edges.is_empty() {
        return "<p>No data flows are annotated.</p>\n".to_string();
    }
    let where_: HashMap<String, usize> = zones
        .iter()
        .enumerate()
        .flat_map(|(z, zone)| zone.nodes.iter().map(move |n| (n.id.clone(), z)))
        .collect();
    let zone_of = |id: &str| where_[id];
    let links: Vec<(usize, usize)> = dfd
        .edges
        .iter()
        .map(|e| (zone_of(&e.from), zone_of(&e.to)))
        .collect();
    let ranks = rank(zones.len(), &links);
    for (z, r) in ranks.iter().enumerate() {
        zones[z].col = *r;
    }
    let height = place(&mut zones, dfd);
    let cols = ranks.iter().max().map_or(1, |m| m + 1);
    let columns_width = MARGIN * 2.0 + cols as f64 * ZONE_W + (cols - 1) as f64 * COL_GAP;
    let pos: HashMap<&str, (f64, f64)> = zones
        .iter()
        .flat_map(|z| {
            let x = col_x(z.col);
            z.nodes
                .iter()
                .map(move |n| (n.id.as_str(), (x + ZONE_PAD, n.y)))
        })
        .collect();

    let mut body = String::new();
    for z in &zones {
        let h = zone_height(z.nodes.len());
        let _ = writeln!(
            body,
            "<g class=\"zone\"><title>Trust zone {}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{ZONE_W}\" height=\"{h:.1}\" rx=\"10\" fill=\"#f4f6f8\" stroke=\"#90a4ae\" stroke-width=\"1.2\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" font-weight=\"600\" fill=\"#37474f\">{}</text></g>",
            escape(&z.label),
            col_x(z.col),
            z.y,
            col_x(z.col) + ZONE_PAD,
            z.y + 18.0,
            escape(&truncate(&z.label, 28))
        );
    }
    let (labels, right, bottom) = edges(&mut body, dfd, &pos, &zone_of, &zones);
    for z in &zones {
        for n in &z.nodes {
            node(&mut body, n, pos[n.id.as_str()]);
        }
    }
    // Labels last, on a white ground, so lines never run through the text.
    body.push_str(&labels);
    // Loops and nudged labels may reach past the columns: the canvas grows to hold them.
    let width = columns_width.max(right + MARGIN).ceil();
    let height = height.max(bottom + MARGIN).ceil();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dfd\" viewBox=\"0 0 {width:.0} {height:.0}\" \
         width=\"{width:.0}\" height=\"{height:.0}\" role=\"img\" aria-label=\"Data-flow diagram\" \
         font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\">"
    );
    out.push_str(
        "<defs>\
         <marker id=\"tl-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#546e7a\"/></marker>\
         <marker id=\"tl-arrow-red\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#d32f2f\"/></marker>\
         </defs>\n",
    );
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}

/// The zones of the diagram, plus one for ends that no component declares.
fn zones(model: &Model, dfd: &Dfd) -> Vec<Zone> {
    let mut out: Vec<Zone> = dfd
        .zones
        .iter()
        .map(|z| Zone {
            label: z.label.clone(),
            nodes: z
                .nodes
                .iter()
                .map(|n| Node {
                    id: n.id.clone(),
                    path: n.label.clone(),
                    layer: Some(n.layer),
                    inferred: model
                        .components
                        .iter()
                        .any(|c| c.id == n.id && c.layer_source == LayerSource::Inferred),
                    y: 0.0,
                })
                .collect(),
            col: 0,
            y: 0.0,
        })
        .collect();
    let loose = dfd.loose_ends();
    if !loose.is_empty() {
        out.push(Zone {
            label: "Undeclared".into(),
            nodes: loose
                .into_iter()
                .map(|id| Node {
                    id: id.to_string(),
                    path: format!("#{id}"),
                    layer: None,
                    inferred: false,
                    y: 0.0,
                })
                .collect(),
            col: 0,
            y: 0.0,
        });
    }
    out
}

/// Column of each zone: the longest path to it over the zone graph, once the edges that
/// close a cycle (found by a depth-first search in zone order) are set aside.
fn rank(n: usize, links: &[(usize, usize)]) -> Vec<usize> {
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in links {
        if a != b && !adj[a].contains(&b) {
            adj[a].push(b);
        }
    }
    for list in &mut adj {
        list.sort_unstable();
    }
    let mut state = vec![0u8; n];
    let mut order = Vec::with_capacity(n);
    let mut dag: Vec<(usize, usize)> = Vec::new();
    fn visit(
        v: usize,
        adj: &[Vec<usize>],
        state: &mut [u8],
        order: &mut Vec<usize>,
        dag: &mut Vec<(usize, usize)>,
    ) {
        state[v] = 1;
        for &w in &adj[v] {
            if state[w] == 1 {
                continue; // a back edge: it would make a cycle
            }
            dag.push((v, w));
            if state[w] == 0 {
                visit(w, adj, state, order, dag);
            }
        }
        state[v] = 2;
        order.push(v);
    }
    for v in 0..n {
        if state[v] == 0 {
            visit(v, &adj, &mut state, &mut order, &mut dag);
        }
    }
    let mut rank = vec![0usize; n];
    for &v in order.iter().rev() {
        for &(a, b) in &dag {
            if a == v {
                rank[b] = rank[b].max(rank[a] + 1);
            }
        }
    }
    rank
}

fn col_x(col: usize) -> f64 {
    MARGIN + col as f64 * (ZONE_W + COL_GAP)
}

fn zone_height(nodes: usize) -> f64 {
    ZONE_HEAD + nodes as f64 * NODE_H + nodes.saturating_sub(1) as f64 * NODE_GAP + ZONE_PAD
}

/// Orders zones in each column and nodes in each zone by the mean height of their
/// neighbours in earlier columns (fewer crossings), sets every `y`, centres the columns
/// and returns the diagram's height.
fn place(zones: &mut [Zone], dfd: &Dfd) -> f64 {
    let cols = zones.iter().map(|z| z.col).max().unwrap_or(0) + 1;
    let mut node_y: HashMap<String, f64> = HashMap::new();
    let mut col_heights = vec![0.0; cols];
    let mut order_of: Vec<Vec<usize>> = vec![Vec::new(); cols];
    for (col, order) in order_of.iter_mut().enumerate() {
        let neighbours_mean = |ids: &[&str], node_y: &HashMap<String, f64>| -> Option<f64> {
            let ys: Vec<f64> = dfd
                .edges
                .iter()
                .filter_map(|e| {
                    if ids.contains(&e.to.as_str()) {
                        node_y.get(&e.from).copied()
                    } else if ids.contains(&e.from.as_str()) {
                        node_y.get(&e.to).copied()
                    } else {
                        None
                    }
                })
                .collect();
            (!ys.is_empty()).then(|| ys.iter().sum::<f64>() / ys.len() as f64)
        };
        let mut members: Vec<(usize, Option<f64>)> = zones
            .iter()
            .enumerate()
            .filter(|(_, z)| z.col == col)
            .map(|(i, z)| {
                let ids: Vec<&str> = z.nodes.iter().map(|n| n.id.as_str()).collect();
                (i, neighbours_mean(&ids, &node_y))
            })
            .collect();
        members.sort_by(|a, b| key(a.1).total_cmp(&key(b.1)).then(a.0.cmp(&b.0)));
        let mut y = MARGIN;
        for &(z, _) in &members {
            let mut keyed: Vec<(usize, Option<f64>)> = zones[z]
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (i, neighbours_mean(&[n.id.as_str()], &node_y)))
                .collect();
            keyed.sort_by(|a, b| key(a.1).total_cmp(&key(b.1)).then(a.0.cmp(&b.0)));
            let mut nodes: Vec<Option<Node>> = zones[z].nodes.drain(..).map(Some).collect();
            zones[z].nodes = keyed.iter().filter_map(|(i, _)| nodes[*i].take()).collect();
            zones[z].y = y;
            for (k, n) in zones[z].nodes.iter_mut().enumerate() {
                n.y = y + ZONE_HEAD + k as f64 * (NODE_H + NODE_GAP);
                node_y.insert(n.id.clone(), n.y);
            }
            y += zone_height(zones[z].nodes.len()) + ZONE_GAP;
        }
        col_heights[col] = y - ZONE_GAP;
        *order = members.into_iter().map(|(z, _)| z).collect();
    }
    let tallest = col_heights.iter().cloned().fold(0.0, f64::max);
    for (col, order) in order_of.iter().enumerate() {
        let shift = ((tallest - col_heights[col]) / 2.0).floor();
        for &z in order {
            zones[z].y += shift;
            for n in &mut zones[z].nodes {
                n.y += shift;
            }
        }
    }
    tallest + MARGIN + 24.0
}

/// Unplaced things sort after placed ones.
fn key(mean: Option<f64>) -> f64 {
    mean.unwrap_or(f64::MAX)
}

/// An edge at one side of a node: the height of its other end, its index, whether it
/// leaves (rather than enters) there.
type Port = (f64, usize, bool);

/// Draws the flows into `out` and returns their labels, to draw above the nodes.
fn edges(
    out: &mut String,
    dfd: &Dfd,
    pos: &HashMap<&str, (f64, f64)>,
    zone_of: &dyn Fn(&str) -> usize,
    zones: &[Zone],
) -> (String, f64, f64) {
    let col = |id: &str| zones[zone_of(id)].col;
    let name = |id: &str| {
        zones[zone_of(id)]
            .nodes
            .iter()
            .find(|n| n.id == id)
            .map_or(id.to_string(), |n| n.path.clone())
    };
    // Each edge leaves and enters at a side of a node: (node, right side?).
    let sides: Vec<(bool, bool)> = dfd
        .edges
        .iter()
        .map(|e| match col(&e.to).cmp(&col(&e.from)) {
            std::cmp::Ordering::Greater => (true, false),
            std::cmp::Ordering::Less => (false, true),
            std::cmp::Ordering::Equal => (true, true),
        })
        .collect();
    // Spread the edges that share a node side along it, ordered by where the other end is.
    let mut ports: HashMap<(String, bool), Vec<Port>> = HashMap::new();
    for (i, e) in dfd.edges.iter().enumerate() {
        let (out_right, in_right) = sides[i];
        ports
            .entry((e.from.clone(), out_right))
            .or_default()
            .push((pos[e.to.as_str()].1, i, true));
        ports
            .entry((e.to.clone(), in_right))
            .or_default()
            .push((pos[e.from.as_str()].1, i, false));
    }
    let mut port_y: HashMap<(usize, bool), f64> = HashMap::new();
    for ((id, _), list) in &mut ports {
        list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let top = pos[id.as_str()].1;
        for (k, (_, i, start)) in list.iter().enumerate() {
            let y = top + NODE_H * (k as f64 + 1.0) / (list.len() as f64 + 1.0);
            port_y.insert((*i, *start), y);
        }
    }
    let mut labels = String::new();
    let mut placed: Vec<(f64, f64, f64)> = Vec::new();
    let (mut right, mut bottom) = (0.0f64, 0.0f64);
    for (i, e) in dfd.edges.iter().enumerate() {
        let (out_right, in_right) = sides[i];
        let (fx, _) = pos[e.from.as_str()];
        let (tx, _) = pos[e.to.as_str()];
        let x1 = if out_right { fx + NODE_W } else { fx };
        let x2 = if in_right { tx + NODE_W } else { tx };
        let (y1, y2) = (port_y[&(i, true)], port_y[&(i, false)]);
        let (c1, c2) = if out_right && in_right {
            // Within a column the curve loops out to the right, wider for a longer span.
            let bulge = (28.0 + 0.3 * (y2 - y1).abs()).min(90.0);
            (x1 + bulge, x2 + bulge)
        } else {
            let dx = ((x2 - x1).abs() / 2.0).max(40.0);
            let dir = if out_right { 1.0 } else { -1.0 };
            (x1 + dir * dx, x2 - dir * dx)
        };
        let (stroke, width, marker) = if e.unprotected {
            ("#d32f2f", 3.5, "tl-arrow-red")
        } else {
            ("#546e7a", 1.4, "tl-arrow")
        };
        let start = if e.two_way {
            format!(" marker-start=\"url(#{marker})\"")
        } else {
            String::new()
        };
        let title = format!(
            "{} {} {}{}",
            name(&e.from),
            if e.two_way { "<->" } else { "->" },
            name(&e.to),
            e.label
                .as_deref()
                .map(|l| format!(" with {l}"))
                .unwrap_or_default()
        );
        let _ = writeln!(
            out,
            "<path class=\"flow{}\" d=\"M{x1:.1},{y1:.1} C{c1:.1},{y1:.1} {c2:.1},{y2:.1} {x2:.1},{y2:.1}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width}\" marker-end=\"url(#{marker})\"{start}><title>{}</title></path>",
            if e.unprotected { " unprotected" } else { "" },
            escape(&title)
        );
        let Some(text) = edge_text(e) else { continue };
        // The curve's midpoint: B(1/2) = (P0 + 3 P1 + 3 P2 + P3) / 8. A loop's label
        // starts at its apex, so it reads in the gap rather than over the nodes.
        let text = truncate(&text, 22);
        let w = text.chars().count() as f64 * 6.2 + 8.0;
        let mut mx = (x1 + 3.0 * c1 + 3.0 * c2 + x2) / 8.0;
        if out_right && in_right {
            mx += w / 2.0 + 2.0;
        }
        let my = (y1 + 3.0 * y1 + 3.0 * y2 + y2) / 8.0;
        // Nudge a label off the ones already placed: down, up, further down, ...
        let clash = |y: f64| {
            placed.iter().any(|&(x, py, pw): &(f64, f64, f64)| {
                (x - mx).abs() < (w + pw) / 2.0 && (py - y).abs() < LABEL_H
            })
        };
        let my = (0..40)
            .map(|k| {
                let step = ((k + 1) / 2) as f64 * (LABEL_H + 1.0);
                if k % 2 == 1 { my + step } else { my - step }
            })
            .find(|&y| !clash(y))
            .unwrap_or(my);
        placed.push((mx, my, w));
        right = right.max(mx + w / 2.0).max(c1).max(c2);
        bottom = bottom.max(my + LABEL_H);
        let colour = if e.unprotected { "#b71c1c" } else { "#37474f" };
        let _ = writeln!(
            labels,
            "<g class=\"flow-label\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{LABEL_H}\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.92\"/>\
             <text x=\"{mx:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{colour}\">{}</text></g>",
            mx - w / 2.0,
            my - LABEL_H / 2.0,
            my + 4.0,
            escape(&text)
        );
    }
    (labels, right, bottom)
}

fn edge_text(e: &crate::report::DfdEdge) -> Option<String> {
    match (&e.label, e.unprotected) {
        (Some(l), true) => Some(format!("⚠ {l}")),
        (None, true) => Some("⚠ unprotected".into()),
        (Some(l), false) => Some(l.clone()),
        (None, false) => None,
    }
}

fn node(out: &mut String, n: &Node, (x, y): (f64, f64)) {
    let colour = n.layer.map_or("#78909c", layer_colour);
    let name = n.path.rsplit(':').next().unwrap_or(&n.path);
    let parent = n.path.rsplit_once(':').map_or("", |(p, _)| p);
    let layer = match n.layer {
        Some(l) if n.inferred => format!("{} (inferred)", layer_name(l)),
        Some(l) => layer_name(l).to_string(),
        None => "undeclared".to_string(),
    };
    // The layer first: a long path is what gets cut.
    let sub = if parent.is_empty() {
        layer.clone()
    } else {
        format!("{layer} · {parent}")
    };
    let dash = if n.inferred {
        " stroke-dasharray=\"5 3\""
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<g class=\"node\"><title>{} ({})</title>\
         <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"6\" fill=\"#ffffff\" stroke=\"{colour}\" stroke-width=\"1.5\"{dash}/>\
         <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"6\" height=\"{NODE_H}\" rx=\"2\" fill=\"{colour}\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" font-weight=\"600\" fill=\"#212121\">{}</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"#546e7a\">{}</text></g>",
        escape(&n.path),
        escape(&layer),
        x + 14.0,
        y + 19.0,
        escape(&truncate(name, 24)),
        x + 14.0,
        y + 36.0,
        escape(&truncate(&sub, 33))
    );
}

/// At most `max` characters, with `…` when cut.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_follow_flows_and_survive_cycles() {
        // 0 -> 1 -> 2, and 2 -> 0 closes a cycle.
        assert_eq!(rank(3, &[(0, 1), (1, 2), (2, 0)]), vec![0, 1, 2]);
        // Longest path wins: 0 -> 2 directly and via 1.
        assert_eq!(rank(3, &[(0, 2), (0, 1), (1, 2)]), vec![0, 1, 2]);
        assert_eq!(rank(2, &[]), vec![0, 0]);
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("ééé", 3), "ééé");
    }
}
