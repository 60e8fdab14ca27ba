//! The data-flow diagram drawn as inline SVG for the HTML report, so the report needs no
//! script and no network. The layout is simple and deterministic: trust zones are ranked
//! into columns along the flows (left to right, as the Mermaid `flowchart LR`), stacked in a
//! column in the order of their neighbours, components stacked inside their zone.
//!
//! A flow between two zones is a curve between node sides in the gap between columns. A
//! flow inside a zone stays inside its box: the zone's components are ordered so that the
//! ends of its inner flows sit next to each other, and such a flow is a straight arrow
//! between them with its label beside it; any other inner flow goes out and back through a
//! gutter on the zone's right. Unprotected crossings are red and thick.
//!
//! Text is never cut: node names (the component with its parent, `Catalogue:Service`, the
//! full path in a `<title>` tooltip), zone names and flow labels wrap onto as many lines as
//! they need, measured with a deliberately wide estimate of the glyphs (DejaVu Sans, the
//! widest face the font list can fall back to), and boxes grow to hold them. Labels are
//! placed where they overlap no node and no other label. Every node links to its
//! component's section of the page ([`component_anchor`]).

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::annotation::Layer;
use crate::model::{LayerSource, Model};
use crate::report::{Dfd, DfdEdge, layer_name};

use super::html::escape;

const NODE_W: f64 = 192.0;
/// Node text starts past the layer band.
const NODE_TEXT_X: f64 = 14.0;
const NODE_TEXT_W: f64 = NODE_W - NODE_TEXT_X - 8.0;
const TITLE_SIZE: f64 = 12.0;
const TITLE_LINE: f64 = 15.0;
const SUB_SIZE: f64 = 10.0;
const NODE_GAP: f64 = 16.0;
/// The least gap between two nodes with an arrow between them.
const STACK_GAP: f64 = 26.0;
/// Where the first arrow between stacked nodes runs, from the node's left; the next ones
/// run `STACK_STEP` further right.
const STACK_X: f64 = 22.0;
const STACK_STEP: f64 = 12.0;
const ZONE_PAD: f64 = 12.0;
const ZONE_TITLE_SIZE: f64 = 13.0;
const ZONE_TITLE_LINE: f64 = 16.0;
const ZONE_GAP: f64 = 26.0;
const COL_GAP: f64 = 150.0;
const MARGIN: f64 = 16.0;
const LABEL_SIZE: f64 = 11.0;
const LABEL_LINE: f64 = 14.0;
const LABEL_PAD_X: f64 = 4.0;
const LABEL_PAD_Y: f64 = 2.0;
/// The widest a flow label's text runs before it wraps, so that it fits between columns.
const LABEL_MAX: f64 = 124.0;
/// The distance between the loops in a zone's gutter.
const LANE_W: f64 = 14.0;
/// The smallest font size the diagram uses, in pixels at its natural size.
pub const MIN_FONT_SIZE: f64 = SUB_SIZE;

/// The colour of a layer: the band on each node and the legend share it.
pub fn layer_colour(layer: Layer) -> &'static str {
    match layer {
        Layer::Control => "#6a1b9a",
        Layer::Compute => "#1565c0",
        Layer::Communication => "#00838f",
        Layer::Storage => "#e65100",
    }
}

/// The id of a component's section in the HTML report, which the diagram's nodes link to:
/// `c-` and the component id with every character outside `[A-Za-z0-9_-]` replaced by `-`.
pub fn component_anchor(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 2);
    out.push_str("c-");
    out.extend(id.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            c
        } else {
            '-'
        }
    }));
    out
}

/// The diagram as an `<svg>` element.
pub fn to_svg(model: &Model, dfd: &Dfd) -> String {
    if dfd.edges.is_empty() {
        return "<p>No data flows are annotated.</p>\n".to_string();
    }
    let layout = Layout::new(model, dfd);
    let (width, height) = (layout.width, layout.height);
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
         <marker id=\"tl-arrow-path\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#6a1b9a\"/></marker>\
         </defs>\n",
    );
    for z in &layout.zones {
        zone(&mut out, z);
    }
    for (e, drawn) in dfd.edges.iter().zip(&layout.edges) {
        flow(&mut out, e, drawn, &layout);
    }
    for z in &layout.zones {
        for n in &z.nodes {
            node(&mut out, n);
        }
    }
    // Labels last, on a white ground, so lines never run through the text.
    for (e, drawn) in dfd.edges.iter().zip(&layout.edges) {
        if let Some(label) = &drawn.label {
            let colour = flow_style(e).3;
            label_svg(&mut out, label, colour);
        }
    }
    out.push_str("</svg>\n");
    out
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    fn right(&self) -> f64 {
        self.x + self.w
    }

    fn bottom(&self) -> f64 {
        self.y + self.h
    }

    fn grow(&self, by: f64) -> Rect {
        Rect {
            x: self.x - by,
            y: self.y - by,
            w: self.w + 2.0 * by,
            h: self.h + 2.0 * by,
        }
    }

    /// The area the two share.
    fn overlap(&self, o: &Rect) -> f64 {
        let w = self.right().min(o.right()) - self.x.max(o.x);
        let h = self.bottom().min(o.bottom()) - self.y.max(o.y);
        if w > 0.0 && h > 0.0 { w * h } else { 0.0 }
    }

    #[cfg(test)]
    fn contains(&self, o: &Rect) -> bool {
        o.x >= self.x && o.y >= self.y && o.right() <= self.right() && o.bottom() <= self.bottom()
    }
}

struct Zone {
    label: String,
    /// The name, wrapped.
    title: Vec<String>,
    nodes: Vec<Node>,
    col: usize,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    /// The height of the head that holds the name.
    head: f64,
}

struct Node {
    id: String,
    path: String,
    layer: Option<Layer>,
    inferred: bool,
    /// A component of the model (an undeclared end has no section to link to).
    linked: bool,
    /// The name with its parent, wrapped.
    title: Vec<String>,
    /// The layer, wrapped.
    sub: Vec<String>,
    x: f64,
    y: f64,
    h: f64,
}

impl Node {
    fn rect(&self) -> Rect {
        Rect {
            x: self.x,
            y: self.y,
            w: NODE_W,
            h: self.h,
        }
    }
}

/// A flow label: its lines and its box.
#[derive(Debug, Clone)]
struct Label {
    lines: Vec<String>,
    rect: Rect,
    /// Centred in its box (else from its left).
    centred: bool,
}

/// How a flow is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// Between zones: a curve from a node side to a node side.
    Cross,
    /// Inside a zone, between stacked neighbours: a straight arrow in the gap between them,
    /// the `slot`-th from the left of `of`.
    Stack {
        zone: usize,
        /// The position of the upper node in the zone.
        upper: usize,
        slot: usize,
        of: usize,
        /// The top of the label below the upper node's bottom.
        label_dy: f64,
    },
    /// Inside a zone, between nodes further apart: out and back through the zone's gutter,
    /// `lane` loops out from the nodes.
    Gutter { zone: usize, lane: usize },
}

/// A flow as drawn: its path, its label.
struct Drawn {
    d: String,
    label: Option<Label>,
}

struct Layout {
    zones: Vec<Zone>,
    kinds: Vec<Kind>,
    edges: Vec<Drawn>,
    width: f64,
    height: f64,
}

impl Layout {
    fn new(model: &Model, dfd: &Dfd) -> Layout {
        let mut zones = zones(model, dfd);
        let zone_of: HashMap<String, usize> = zones
            .iter()
            .enumerate()
            .flat_map(|(z, zone)| zone.nodes.iter().map(move |n| (n.id.clone(), z)))
            .collect();
        let links: Vec<(usize, usize)> = dfd
            .edges
            .iter()
            .map(|e| (zone_of[&e.from], zone_of[&e.to]))
            .collect();
        for (z, r) in rank(zones.len(), &links).into_iter().enumerate() {
            zones[z].col = r;
        }
        let mut kinds = vec![Kind::Cross; dfd.edges.len()];
        let mut texts: Vec<Option<Vec<String>>> = vec![None; dfd.edges.len()];
        place(&mut zones, dfd, &zone_of, &mut kinds, &mut texts);

        // Columns as wide as their widest zone.
        let cols = zones.iter().map(|z| z.col).max().unwrap_or(0) + 1;
        let mut col_w = vec![0.0f64; cols];
        for z in &zones {
            col_w[z.col] = col_w[z.col].max(z.w);
        }
        let mut col_x = vec![MARGIN; cols];
        for c in 1..cols {
            col_x[c] = col_x[c - 1] + col_w[c - 1] + COL_GAP;
        }
        for z in &mut zones {
            z.x = col_x[z.col];
            for n in &mut z.nodes {
                n.x = z.x + ZONE_PAD;
            }
        }
        let mut layout = Layout {
            zones,
            kinds,
            edges: Vec::new(),
            width: 0.0,
            height: 0.0,
        };
        layout.route(dfd, &zone_of, &texts);
        layout
    }

    fn node(&self, zone_of: &HashMap<String, usize>, id: &str) -> &Node {
        self.zones[zone_of[id]]
            .nodes
            .iter()
            .find(|n| n.id == id)
            .expect("every end is placed")
    }

    /// Draws every flow and places its label; sets the canvas size.
    fn route(
        &mut self,
        dfd: &Dfd,
        zone_of: &HashMap<String, usize>,
        texts: &[Option<Vec<String>>],
    ) {
        let col = |id: &str| self.zones[zone_of[id]].col;
        // The sides a flow leaves and enters at: (leaves right?, enters right?).
        let sides: Vec<(bool, bool)> = dfd
            .edges
            .iter()
            .zip(&self.kinds)
            .map(|(e, kind)| match kind {
                Kind::Gutter { .. } => (true, true),
                _ => match col(&e.to).cmp(&col(&e.from)) {
                    std::cmp::Ordering::Greater => (true, false),
                    std::cmp::Ordering::Less => (false, true),
                    std::cmp::Ordering::Equal => (true, true),
                },
            })
            .collect();
        // Spread the flows that share a node side along it, ordered by where the other end is.
        let mut ports: HashMap<(String, bool), Vec<Port>> = HashMap::new();
        for (i, e) in dfd.edges.iter().enumerate() {
            if matches!(self.kinds[i], Kind::Stack { .. }) {
                continue;
            }
            let (out_right, in_right) = sides[i];
            let centre = |id: &str| {
                let n = self.node(zone_of, id);
                n.y + n.h / 2.0
            };
            ports
                .entry((e.from.clone(), out_right))
                .or_default()
                .push((centre(&e.to), i, true));
            ports
                .entry((e.to.clone(), in_right))
                .or_default()
                .push((centre(&e.from), i, false));
        }
        let mut port_y: HashMap<(usize, bool), f64> = HashMap::new();
        for ((id, _), list) in &mut ports {
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let n = self.node(zone_of, id);
            for (k, (_, i, start)) in list.iter().enumerate() {
                let y = n.y + n.h * (k as f64 + 1.0) / (list.len() as f64 + 1.0);
                port_y.insert((*i, *start), y);
            }
        }

        // What labels must not cover: nodes and zone names.
        let mut taken: Vec<Rect> = Vec::new();
        for z in &self.zones {
            taken.push(Rect {
                x: z.x + ZONE_PAD - 2.0,
                y: z.y + 2.0,
                w: z.title
                    .iter()
                    .map(|l| text_width(l, ZONE_TITLE_SIZE, true))
                    .fold(0.0, f64::max)
                    + 4.0,
                h: z.head - 4.0,
            });
            for n in &z.nodes {
                taken.push(n.rect().grow(3.0));
            }
        }
        let mut drawn: Vec<Option<Drawn>> = (0..dfd.edges.len()).map(|_| None).collect();
        let mut right = 0.0f64;
        // Stacked arrows first (their labels have one place), then loops, then crossings,
        // the unprotected ones before the rest: they get the places nearest their midpoints.
        let mut order: Vec<usize> = (0..dfd.edges.len()).collect();
        order.sort_by_key(|&i| {
            let rank = match self.kinds[i] {
                Kind::Stack { .. } => 0,
                Kind::Gutter { .. } => 1,
                Kind::Cross if dfd.edges[i].unprotected => 2,
                Kind::Cross => 3,
            };
            (rank, i)
        });
        for i in order {
            let e = &dfd.edges[i];
            let from = self.node(zone_of, &e.from);
            let to = self.node(zone_of, &e.to);
            let lines = texts[i].clone();
            let (d, label) = match self.kinds[i] {
                Kind::Stack {
                    zone,
                    upper,
                    slot,
                    of,
                    label_dy,
                } => {
                    let z = &self.zones[zone];
                    let (up, down) = (&z.nodes[upper], &z.nodes[upper + 1]);
                    let x = up.x + STACK_X + slot as f64 * STACK_STEP;
                    let (top, bottom) = (up.y + up.h, down.y);
                    let d = if from.id == up.id {
                        format!("M{x:.1},{top:.1} L{x:.1},{bottom:.1}")
                    } else {
                        format!("M{x:.1},{bottom:.1} L{x:.1},{top:.1}")
                    };
                    let label = lines.map(|lines| {
                        let (w, h) = label_size(&lines);
                        let lx = up.x + STACK_X + (of - 1) as f64 * STACK_STEP + 7.0;
                        Label {
                            lines,
                            rect: Rect {
                                x: lx,
                                y: top + label_dy,
                                w,
                                h,
                            },
                            centred: false,
                        }
                    });
                    (d, label)
                }
                Kind::Gutter { zone: _, lane } => {
                    let x1 = from.x + NODE_W;
                    let x2 = to.x + NODE_W;
                    let (y1, y2) = (port_y[&(i, true)], port_y[&(i, false)]);
                    let lx = x1 + 12.0 + lane as f64 * LANE_W;
                    let r = 6.0f64.min((y2 - y1).abs() / 2.0);
                    let s = if y2 >= y1 { 1.0 } else { -1.0 };
                    let d = format!(
                        "M{x1:.1},{y1:.1} L{:.1},{y1:.1} Q{lx:.1},{y1:.1} {lx:.1},{:.1} L{lx:.1},{:.1} Q{lx:.1},{y2:.1} {:.1},{y2:.1} L{x2:.1},{y2:.1}",
                        lx - r,
                        y1 + s * r,
                        y2 - s * r,
                        lx - r
                    );
                    // The label just right of its own loop, so it reads as that loop's.
                    let label = lines.map(|lines| {
                        let (w, h) = label_size(&lines);
                        let mid = (y1 + y2) / 2.0;
                        let candidates: Vec<(f64, f64)> = (0..200)
                            .map(|k| {
                                let step = ((k + 1) / 2) as f64 * 6.0;
                                let y = if k % 2 == 1 { mid + step } else { mid - step };
                                (lx + 4.0 + w / 2.0, y)
                            })
                            .collect();
                        place_label(lines, w, h, &candidates, &taken)
                    });
                    (d, label)
                }
                Kind::Cross => {
                    let (out_right, in_right) = sides[i];
                    let x1 = if out_right { from.x + NODE_W } else { from.x };
                    let x2 = if in_right { to.x + NODE_W } else { to.x };
                    let (y1, y2) = (port_y[&(i, true)], port_y[&(i, false)]);
                    let (c1, c2) = if out_right && in_right {
                        // Within a column the curve loops out to the right, wider for a
                        // longer span.
                        let bulge = (28.0 + 0.3 * (y2 - y1).abs()).min(90.0);
                        (x1 + bulge, x2 + bulge)
                    } else {
                        let dx = ((x2 - x1).abs() / 2.0).max(40.0);
                        let dir = if out_right { 1.0 } else { -1.0 };
                        (x1 + dir * dx, x2 - dir * dx)
                    };
                    right = right.max(c1).max(c2);
                    let d = format!(
                        "M{x1:.1},{y1:.1} C{c1:.1},{y1:.1} {c2:.1},{y2:.1} {x2:.1},{y2:.1}"
                    );
                    let label = lines.map(|lines| {
                        let (w, h) = label_size(&lines);
                        let at = |t: f64| {
                            let u = 1.0 - t;
                            let b = |p0: f64, p1: f64, p2: f64, p3: f64| {
                                u * u * u * p0
                                    + 3.0 * u * u * t * p1
                                    + 3.0 * u * t * t * p2
                                    + t * t * t * p3
                            };
                            (b(x1, c1, c2, x2), b(y1, y1, y2, y2))
                        };
                        // Along the curve from its middle outwards, then up and down from
                        // points near the middle, further and further.
                        let mut candidates: Vec<(f64, f64)> = vec![at(0.5)];
                        for k in 1..=10 {
                            let d = k as f64 * 0.04;
                            candidates.extend([at(0.5 - d), at(0.5 + d)]);
                        }
                        for k in 1..=150 {
                            let step = k as f64 * 6.0;
                            for t in [0.5, 0.38, 0.62] {
                                let (x, y) = at(t);
                                candidates.extend([(x, y - step), (x, y + step)]);
                            }
                        }
                        place_label(lines, w, h, &candidates, &taken)
                    });
                    (d, label)
                }
            };
            if let Some(l) = &label {
                taken.push(l.rect.grow(2.0));
            }
            drawn[i] = Some(Drawn { d, label });
        }
        self.edges = drawn.into_iter().map(|d| d.expect("drawn")).collect();

        let labels = self.edges.iter().filter_map(|d| d.label.as_ref());
        let (mut width, mut height) = (0.0f64, 0.0f64);
        for z in &self.zones {
            width = width.max(z.x + z.w);
            height = height.max(z.y + z.h);
        }
        for l in labels {
            width = width.max(l.rect.right());
            height = height.max(l.rect.bottom());
        }
        self.width = (width.max(right) + MARGIN).ceil();
        self.height = (height + MARGIN).ceil();
    }
}

/// The first candidate centre where a `w`×`h` label covers nothing taken; else the one
/// where it covers least. Never above or left of the canvas.
fn place_label(
    lines: Vec<String>,
    w: f64,
    h: f64,
    candidates: &[(f64, f64)],
    taken: &[Rect],
) -> Label {
    let rect_at = |(cx, cy): (f64, f64)| Rect {
        x: (cx - w / 2.0).max(2.0),
        y: (cy - h / 2.0).max(2.0),
        w,
        h,
    };
    let cost = |r: &Rect| taken.iter().map(|t| t.overlap(r)).sum::<f64>();
    let mut best: Option<(f64, Rect)> = None;
    for &c in candidates {
        let r = rect_at(c);
        let cost = cost(&r);
        if cost == 0.0 {
            best = Some((0.0, r));
            break;
        }
        if best.is_none_or(|(b, _)| cost < b) {
            best = Some((cost, r));
        }
    }
    Label {
        lines,
        rect: best.map_or_else(|| rect_at(candidates[0]), |(_, r)| r),
        centred: true,
    }
}

/// An edge at one side of a node: the height of its other end, its index, whether it
/// leaves (rather than enters) there.
type Port = (f64, usize, bool);

/// The zones of the diagram, plus one for ends that no component declares.
fn zones(model: &Model, dfd: &Dfd) -> Vec<Zone> {
    let zone = |label: String, nodes: Vec<Node>| Zone {
        title: wrap(&label, NODE_W, ZONE_TITLE_SIZE, true),
        label,
        nodes,
        col: 0,
        x: 0.0,
        y: 0.0,
        w: 0.0,
        h: 0.0,
        head: 0.0,
    };
    let node = |id: &str, short: &str, path: String, layer: Option<Layer>, linked: bool| {
        let inferred = model
            .components
            .iter()
            .any(|c| c.id == id && c.layer_source == LayerSource::Inferred);
        let title = title_lines(short);
        let sub = wrap(&layer_text(layer, inferred), NODE_TEXT_W, SUB_SIZE, false);
        let h = node_height(title.len(), sub.len());
        Node {
            id: id.to_string(),
            path,
            layer,
            inferred,
            linked,
            title,
            sub,
            x: 0.0,
            y: 0.0,
            h,
        }
    };
    let mut out: Vec<Zone> = dfd
        .zones
        .iter()
        .map(|z| {
            zone(
                z.label.clone(),
                z.nodes
                    .iter()
                    .map(|n| node(&n.id, &n.short, n.label.clone(), Some(n.layer), true))
                    .collect(),
            )
        })
        .collect();
    let loose = dfd.loose_ends();
    if !loose.is_empty() {
        out.push(zone(
            "Undeclared".into(),
            loose
                .into_iter()
                .map(|id| {
                    let name = format!("#{id}");
                    node(id, &name, name.clone(), None, false)
                })
                .collect(),
        ));
    }
    out
}

fn layer_text(layer: Option<Layer>, inferred: bool) -> String {
    match layer {
        Some(l) if inferred => format!("{} (inferred)", layer_name(l)),
        Some(l) => layer_name(l).to_string(),
        None => "undeclared".to_string(),
    }
}

/// The first title baseline below a node's top; the sub line is one line below the last.
const TITLE_BASE: f64 = 18.0;

fn node_height(title: usize, sub: usize) -> f64 {
    TITLE_BASE + (title as f64 - 1.0) * TITLE_LINE + 15.0 + (sub as f64 - 1.0) * 12.0 + 11.0
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

/// The mean height of the placed ends of the flows between `ids` and the rest.
fn neighbours_mean(dfd: &Dfd, ids: &[&str], node_y: &HashMap<String, f64>) -> Option<f64> {
    let ys: Vec<f64> = dfd
        .edges
        .iter()
        .filter_map(|e| {
            let (from, to) = (ids.contains(&e.from.as_str()), ids.contains(&e.to.as_str()));
            match (from, to) {
                (false, true) => node_y.get(&e.from).copied(),
                (true, false) => node_y.get(&e.to).copied(),
                _ => None,
            }
        })
        .collect();
    (!ys.is_empty()).then(|| ys.iter().sum::<f64>() / ys.len() as f64)
}

/// Orders zones in each column by the mean height of their neighbours in earlier columns
/// (fewer crossings), arranges each zone, sets every `y` and centres the columns.
fn place(
    zones: &mut [Zone],
    dfd: &Dfd,
    zone_of: &HashMap<String, usize>,
    kinds: &mut [Kind],
    texts: &mut [Option<Vec<String>>],
) {
    let cols = zones.iter().map(|z| z.col).max().unwrap_or(0) + 1;
    let mut node_y: HashMap<String, f64> = HashMap::new();
    let mut col_heights = vec![0.0; cols];
    let mut order_of: Vec<Vec<usize>> = vec![Vec::new(); cols];
    for (col, order) in order_of.iter_mut().enumerate() {
        let mut members: Vec<(usize, Option<f64>)> = zones
            .iter()
            .enumerate()
            .filter(|(_, z)| z.col == col)
            .map(|(i, z)| {
                let ids: Vec<&str> = z.nodes.iter().map(|n| n.id.as_str()).collect();
                (i, neighbours_mean(dfd, &ids, &node_y))
            })
            .collect();
        members.sort_by(|a, b| key(a.1).total_cmp(&key(b.1)).then(a.0.cmp(&b.0)));
        let mut y = MARGIN;
        for &(z, _) in &members {
            arrange(zones, z, dfd, zone_of, &node_y, kinds, texts);
            let zone = &mut zones[z];
            zone.y = y;
            for n in &mut zone.nodes {
                n.y += y;
                node_y.insert(n.id.clone(), n.y + n.h / 2.0);
            }
            y += zone.h + ZONE_GAP;
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
    // Every label's text, wrapped to the gap between columns (stacked ones are set already).
    for (i, e) in dfd.edges.iter().enumerate() {
        if texts[i].is_none() {
            texts[i] = edge_text(e).map(|t| wrap(&t, LABEL_MAX, LABEL_SIZE, false));
        }
    }
}

/// Orders the nodes of zone `z` and lays them out inside it (their `y` relative to the
/// zone's top); decides how each flow inside it is drawn; sets the zone's size.
fn arrange(
    zones: &mut [Zone],
    z: usize,
    dfd: &Dfd,
    zone_of: &HashMap<String, usize>,
    node_y: &HashMap<String, f64>,
    kinds: &mut [Kind],
    texts: &mut [Option<Vec<String>>],
) {
    let zone = &mut zones[z];
    let n = zone.nodes.len();
    let index: HashMap<&str, usize> = zone
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| (node.id.as_str(), i))
        .collect();
    let keys: Vec<f64> = zone
        .nodes
        .iter()
        .map(|node| key(neighbours_mean(dfd, &[node.id.as_str()], node_y)))
        .collect();
    // The flows inside the zone: (flow, from, to) by position in `zone.nodes`.
    let inner: Vec<(usize, usize, usize)> = dfd
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| zone_of[&e.from] == z && zone_of[&e.to] == z)
        .map(|(i, e)| (i, index[e.from.as_str()], index[e.to.as_str()]))
        .collect();
    let pairs: Vec<(usize, usize)> = inner.iter().map(|&(_, a, b)| (a, b)).collect();
    let order = order_nodes(n, &keys, &pairs);
    let mut slots: Vec<Option<Node>> = zone.nodes.drain(..).map(Some).collect();
    zone.nodes = order.iter().filter_map(|&i| slots[i].take()).collect();
    let mut at = vec![0usize; n];
    for (p, &i) in order.iter().enumerate() {
        at[i] = p;
    }

    // Neighbours get an arrow in the gap between them; the rest loop through the gutter,
    // the shorter loops inside the longer ones.
    let mut gaps: Vec<Vec<usize>> = vec![Vec::new(); n.saturating_sub(1)];
    let mut loops: Vec<(usize, usize)> = Vec::new();
    for &(i, a, b) in &inner {
        let (pa, pb) = (at[a], at[b]);
        if pa.abs_diff(pb) == 1 {
            gaps[pa.min(pb)].push(i);
        } else {
            loops.push((pa.abs_diff(pb), i));
        }
    }
    loops.sort_unstable();
    let mut gutter = 0.0f64;
    for (lane, &(_, i)) in loops.iter().enumerate() {
        kinds[i] = Kind::Gutter { zone: z, lane };
        let text = edge_text(&dfd.edges[i]).map(|t| wrap(&t, LABEL_MAX, LABEL_SIZE, false));
        let w = text.as_ref().map_or(0.0, |l| label_size(l).0);
        gutter = gutter
            .max(12.0 + (lane + 1) as f64 * LANE_W)
            .max(12.0 + lane as f64 * LANE_W + 4.0 + w + 6.0);
        texts[i] = text;
    }
    let mut y = zone_head(zone.title.len());
    zone.head = y;
    for p in 0..n {
        zone.nodes[p].y = y;
        y += zone.nodes[p].h;
        let Some(gap) = gaps.get(p) else { break };
        if gap.is_empty() {
            y += NODE_GAP;
            continue;
        }
        // Arrows side by side from the left; labels stacked to the right of the last.
        let of = gap.len();
        let room = NODE_W - STACK_X - (of - 1) as f64 * STACK_STEP - 7.0 - 2.0 * LABEL_PAD_X;
        let texts_here: Vec<Option<Vec<String>>> = gap
            .iter()
            .map(|&i| edge_text(&dfd.edges[i]).map(|t| wrap(&t, room, LABEL_SIZE, false)))
            .collect();
        let heights: Vec<f64> = texts_here
            .iter()
            .map(|t| t.as_ref().map_or(0.0, |l| label_size(l).1))
            .collect();
        let labelled = heights.iter().filter(|h| **h > 0.0).count();
        let total = heights.iter().sum::<f64>() + 3.0 * labelled.saturating_sub(1) as f64;
        let height = STACK_GAP.max(total + 10.0);
        let mut dy = (height - total) / 2.0;
        for (slot, (&i, text)) in gap.iter().zip(texts_here).enumerate() {
            kinds[i] = Kind::Stack {
                zone: z,
                upper: p,
                slot,
                of,
                label_dy: dy,
            };
            if heights[slot] > 0.0 {
                dy += heights[slot] + 3.0;
            }
            texts[i] = text;
        }
        y += height;
    }
    zone.h = y + ZONE_PAD;
    zone.w = NODE_W + 2.0 * ZONE_PAD + gutter;
}

fn zone_head(lines: usize) -> f64 {
    26.0 + (lines as f64 - 1.0) * ZONE_TITLE_LINE
}

/// The order of a zone's nodes: groups of nodes joined by flows inside the zone stay
/// together, groups ordered by their neighbours outside (`keys`); within a group, the
/// order that puts the most flows between neighbours (then the most pointing down) for
/// groups small enough to try every order, else along the flows.
fn order_nodes(n: usize, keys: &[f64], pairs: &[(usize, usize)]) -> Vec<usize> {
    let mut group: Vec<usize> = (0..n).collect();
    fn find(group: &mut [usize], x: usize) -> usize {
        let mut r = x;
        while group[r] != r {
            r = group[r];
        }
        group[x] = r;
        r
    }
    for &(a, b) in pairs {
        let (ra, rb) = (find(&mut group, a), find(&mut group, b));
        if ra != rb {
            group[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut root_at: HashMap<usize, usize> = HashMap::new();
    for i in 0..n {
        let r = find(&mut group, i);
        let g = *root_at.entry(r).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    let group_key = |g: &[usize]| g.iter().map(|&i| keys[i]).fold(f64::MAX, f64::min);
    groups.sort_by(|a, b| group_key(a).total_cmp(&group_key(b)).then(a[0].cmp(&b[0])));
    groups
        .iter()
        .flat_map(|g| order_group(g, keys, pairs))
        .collect()
}

fn order_group(members: &[usize], keys: &[f64], pairs: &[(usize, usize)]) -> Vec<usize> {
    let m = members.len();
    let local = |i: usize| members.iter().position(|&x| x == i);
    let links: Vec<(usize, usize)> = pairs
        .iter()
        .filter_map(|&(a, b)| Some((local(a)?, local(b)?)))
        .filter(|(a, b)| a != b)
        .collect();
    let ranks = rank(m, &links);
    let mut base: Vec<usize> = (0..m).collect();
    base.sort_by(|&a, &b| {
        ranks[a]
            .cmp(&ranks[b])
            .then(keys[members[a]].total_cmp(&keys[members[b]]))
            .then(a.cmp(&b))
    });
    if m > 1 && m <= 7 {
        let score = |perm: &[usize]| {
            let mut at = vec![0usize; m];
            for (p, &i) in perm.iter().enumerate() {
                at[i] = p;
            }
            let near = links
                .iter()
                .filter(|&&(a, b)| at[a].abs_diff(at[b]) == 1)
                .count();
            let down = links.iter().filter(|&&(a, b)| at[b] > at[a]).count();
            let moved: usize = base
                .iter()
                .enumerate()
                .map(|(p, &i)| p.abs_diff(at[i]))
                .sum();
            (near, down, std::cmp::Reverse(moved))
        };
        let mut best = (score(&base), base.clone());
        let mut perm = base.clone();
        permutations(&mut perm, 0, &mut |p| {
            let s = score(p);
            if s > best.0 {
                best = (s, p.to_vec());
            }
        });
        base = best.1;
    }
    base.into_iter().map(|i| members[i]).collect()
}

/// Calls `f` with every order of `items[k..]` (after `items[..k]`).
fn permutations(items: &mut [usize], k: usize, f: &mut dyn FnMut(&[usize])) {
    if k == items.len() {
        f(items);
        return;
    }
    for i in k..items.len() {
        items.swap(k, i);
        permutations(items, k + 1, f);
        items.swap(k, i);
    }
}

/// Unplaced things sort after placed ones.
fn key(mean: Option<f64>) -> f64 {
    mean.unwrap_or(f64::MAX)
}

/// A flow's label: its attack-path hops first (`path 1 hop 2`), then its mechanism, `⚠`
/// when it crosses a boundary unprotected.
fn edge_text(e: &DfdEdge) -> Option<String> {
    let text = match (&e.label, e.unprotected) {
        (Some(l), true) => Some(format!("⚠ {l}")),
        (None, true) => Some("⚠ unprotected".into()),
        (Some(l), false) => Some(l.clone()),
        (None, false) => None,
    };
    match (e.hop_text(), text) {
        (Some(hops), Some(t)) => Some(format!("{hops}: {t}")),
        (hops, t) => hops.or(t),
    }
}

/// How a flow is drawn: stroke, width, arrowhead marker, label colour. An attack-path hop
/// wins over an unprotected crossing (its label still carries the `⚠`), as in Mermaid.
fn flow_style(e: &DfdEdge) -> (&'static str, f64, &'static str, &'static str) {
    if !e.hops.is_empty() {
        ("#6a1b9a", 4.0, "tl-arrow-path", "#4a148c")
    } else if e.unprotected {
        ("#d32f2f", 3.5, "tl-arrow-red", "#b71c1c")
    } else {
        ("#546e7a", 1.4, "tl-arrow", "#37474f")
    }
}

/// A label's box for its lines.
fn label_size(lines: &[String]) -> (f64, f64) {
    let w = lines
        .iter()
        .map(|l| text_width(l, LABEL_SIZE, false))
        .fold(0.0, f64::max);
    (
        (w + 2.0 * LABEL_PAD_X).ceil(),
        lines.len() as f64 * LABEL_LINE + 2.0 * LABEL_PAD_Y,
    )
}

fn zone(out: &mut String, z: &Zone) {
    let _ = write!(
        out,
        "<g class=\"zone\"><title>Trust zone {}</title><rect class=\"box\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"10\" fill=\"#f4f6f8\" stroke=\"#90a4ae\" stroke-width=\"1.2\"/>",
        escape(&z.label),
        z.x,
        z.y,
        z.w,
        z.h
    );
    for (k, line) in z.title.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{ZONE_TITLE_SIZE}\" font-weight=\"600\" fill=\"#37474f\">{}</text>",
            z.x + ZONE_PAD,
            z.y + 18.0 + k as f64 * ZONE_TITLE_LINE,
            escape(line)
        );
    }
    out.push_str("</g>\n");
}

fn flow(out: &mut String, e: &DfdEdge, drawn: &Drawn, layout: &Layout) {
    let path = |id: &str| {
        layout
            .zones
            .iter()
            .flat_map(|z| &z.nodes)
            .find(|n| n.id == id)
            .map_or_else(|| id.to_string(), |n| n.path.clone())
    };
    let (stroke, width, marker, _) = flow_style(e);
    let start = if e.two_way {
        format!(" marker-start=\"url(#{marker})\"")
    } else {
        String::new()
    };
    let hops = e.hop_text().map(|h| format!("{h}: ")).unwrap_or_default();
    let title = format!(
        "{hops}{} {} {}{}",
        path(&e.from),
        if e.two_way { "<->" } else { "->" },
        path(&e.to),
        e.label
            .as_deref()
            .map(|l| format!(" with {l}"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "<path class=\"flow{}\" d=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width}\" marker-end=\"url(#{marker})\"{start}><title>{}</title></path>",
        match (e.unprotected, e.hops.is_empty()) {
            (true, true) => " unprotected",
            (true, false) => " unprotected attack-path",
            (false, false) => " attack-path",
            (false, true) => "",
        },
        drawn.d,
        escape(&title)
    );
}

fn label_svg(out: &mut String, label: &Label, colour: &str) {
    let r = label.rect;
    let _ = write!(
        out,
        "<g class=\"flow-label\"><rect class=\"box\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.92\"/>",
        r.x, r.y, r.w, r.h
    );
    let (x, anchor) = if label.centred {
        (r.x + r.w / 2.0, "middle")
    } else {
        (r.x + LABEL_PAD_X, "start")
    };
    for (k, line) in label.lines.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"{LABEL_SIZE}\" text-anchor=\"{anchor}\" fill=\"{colour}\">{}</text>",
            r.y + LABEL_PAD_Y + 11.0 + k as f64 * LABEL_LINE,
            escape(line)
        );
    }
    out.push_str("</g>\n");
}

fn node(out: &mut String, n: &Node) {
    let (x, y) = (n.x, n.y);
    let colour = n.layer.map_or("#78909c", layer_colour);
    let layer = layer_text(n.layer, n.inferred);
    let dash = if n.inferred {
        " stroke-dasharray=\"5 3\""
    } else {
        ""
    };
    if n.linked {
        let _ = write!(out, "<a href=\"#{}\">", component_anchor(&n.id));
    }
    let _ = write!(
        out,
        "<g class=\"node\"><title>{} · {}</title>\
         <rect class=\"box\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{NODE_W}\" height=\"{:.1}\" rx=\"6\" fill=\"#ffffff\" stroke=\"{colour}\" stroke-width=\"1.5\"{dash}/>\
         <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"6\" height=\"{:.1}\" rx=\"2\" fill=\"{colour}\"/>",
        escape(&n.path),
        escape(&layer),
        n.h,
        n.h
    );
    let tx = x + NODE_TEXT_X;
    let mut base = y + TITLE_BASE;
    for line in &n.title {
        let _ = write!(
            out,
            "<text x=\"{tx:.1}\" y=\"{base:.1}\" font-size=\"{TITLE_SIZE}\" font-weight=\"600\" fill=\"#212121\">{}</text>",
            escape(line)
        );
        base += TITLE_LINE;
    }
    base += 15.0 - TITLE_LINE;
    for line in &n.sub {
        let _ = write!(
            out,
            "<text x=\"{tx:.1}\" y=\"{base:.1}\" font-size=\"{SUB_SIZE}\" fill=\"#546e7a\">{}</text>",
            escape(line)
        );
        base += 12.0;
    }
    out.push_str("</g>");
    if n.linked {
        out.push_str("</a>");
    }
    out.push('\n');
}

/// The text as the page shows it: line breaks as spaces, controls made visible.
fn shown(s: &str) -> String {
    crate::escape::for_terminal(&s.replace(['\n', '\r', '\t'], " ")).into_owned()
}

/// A node's title: its name with its parent on one line if it fits, else the parent on
/// its own line(s) and the name below.
fn title_lines(short: &str) -> Vec<String> {
    let short = shown(short);
    if text_width(&short, TITLE_SIZE, true) <= NODE_TEXT_W {
        return vec![short];
    }
    match short.find(':') {
        Some(i) if i + 1 < short.len() => {
            let (parent, name) = short.split_at(i + 1);
            let mut lines = wrap(parent, NODE_TEXT_W, TITLE_SIZE, true);
            lines.extend(wrap(name, NODE_TEXT_W, TITLE_SIZE, true));
            lines
        }
        _ => wrap(&short, NODE_TEXT_W, TITLE_SIZE, true),
    }
}

/// `text` in lines at most `max` wide (by [`text_width`]): broken at spaces, or after a
/// `:`, `/`, `-`, `_`, `.` or `,`, and between characters only where a word is wider than
/// a line. Nothing is dropped but the spaces at the breaks.
fn wrap(text: &str, max: f64, size: f64, bold: bool) -> Vec<String> {
    let text = shown(text);
    let width = |s: &str| text_width(s, size, bold);
    let mut pieces: Vec<String> = Vec::new();
    let mut piece = String::new();
    for c in text.chars() {
        piece.push(c);
        if matches!(c, ' ' | ':' | '/' | '-' | '_' | '.' | ',') {
            pieces.push(std::mem::take(&mut piece));
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        let joined = format!("{line}{piece}");
        if line.trim().is_empty() || width(joined.trim_end()) <= max {
            line = joined.trim_start().to_string();
        } else {
            lines.push(line.trim_end().to_string());
            line = piece.trim_start().to_string();
        }
        // A word wider than a line on its own is broken between characters.
        while width(line.trim_end()) > max && line.trim_end().chars().count() > 1 {
            let mut head = String::new();
            for c in line.chars() {
                if !head.is_empty() && width(&format!("{head}{c}")) > max {
                    break;
                }
                head.push(c);
            }
            let rest = line[head.len()..].trim_start().to_string();
            lines.push(head.trim_end().to_string());
            line = rest;
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Advance widths (thousandths of an em) of ASCII 32..=126 in DejaVu Sans Book and Bold: the widest face
/// that `system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif` resolves to (Linux
/// falls back to it; Segoe UI, San Francisco and Roboto are narrower), so a width from
/// these tables is one the text does not exceed.
const REGULAR: [u16; 95] = [
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
    575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685,
    611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579,
    278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
];
const BOLD: [u16; 95] = [
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683,
    683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771,
    724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665,
    343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838,
];

/// An estimate of the width of `s` in pixels that errs wide: the tables above plus 5 %,
/// accented Latin as a wide capital, symbols (which may be drawn as emoji) at 1.3 em and
/// anything else at a full 1.1 em.
fn text_width(s: &str, size: f64, bold: bool) -> f64 {
    let table = if bold { &BOLD } else { &REGULAR };
    let em: f64 = s
        .chars()
        .map(|c| match c as u32 {
            32..=126 => f64::from(table[c as usize - 32]) / 1000.0,
            0xA0..=0x24F => 1.0,
            0x2190..=0x21FF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x1F000.. => 1.3,
            _ => 1.1,
        })
        .sum();
    em * size * 1.05
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::Layer;
    use crate::report::{DfdNode, DfdZone};

    #[test]
    fn ranks_follow_flows_and_survive_cycles() {
        // 0 -> 1 -> 2, and 2 -> 0 closes a cycle.
        assert_eq!(rank(3, &[(0, 1), (1, 2), (2, 0)]), vec![0, 1, 2]);
        // Longest path wins: 0 -> 2 directly and via 1.
        assert_eq!(rank(3, &[(0, 2), (0, 1), (1, 2)]), vec![0, 1, 2]);
        assert_eq!(rank(2, &[]), vec![0, 0]);
    }

    #[test]
    fn anchors_keep_safe_characters_only() {
        assert_eq!(
            component_anchor("shop.catalogue.service"),
            "c-shop-catalogue-service"
        );
        assert_eq!(component_anchor("A_b-9"), "c-A_b-9");
        assert_eq!(component_anchor("x\"><y é"), "c-x---y--");
    }

    #[test]
    fn wrapping_keeps_every_character_and_fits_the_width() {
        for (text, max) in [
            ("⚠ a long-lived kubeconfig secret", LABEL_MAX),
            ("Webhook Signature Verification", LABEL_MAX),
            ("pg_dump over TLS Everywhere", 80.0),
            ("Supercalifragilisticexpialidocious-and-more", 60.0),
            ("short", 200.0),
            ("", 100.0),
        ] {
            let lines = wrap(text, max, LABEL_SIZE, false);
            let joined: String = lines.concat();
            let squeezed: String = text.chars().filter(|c| *c != ' ').collect();
            assert_eq!(joined.replace(' ', ""), squeezed, "{text}: {lines:?}");
            for l in &lines {
                assert!(
                    text_width(l, LABEL_SIZE, false) <= max || l.chars().count() == 1,
                    "{l:?} wider than {max}"
                );
                assert!(!l.contains('…'));
            }
        }
        assert_eq!(
            wrap(
                "⚠ a long-lived kubeconfig secret",
                LABEL_MAX,
                LABEL_SIZE,
                false
            ),
            ["⚠ a long-lived", "kubeconfig secret"]
        );
        assert_eq!(
            title_lines("Platform:Kubernetes API Server"),
            ["Platform:", "Kubernetes API Server"]
        );
        assert_eq!(title_lines("Edge:Ingress"), ["Edge:Ingress"]);
    }

    /// Everything the checks below look at: no label on a node or another label, every
    /// text inside its box, flows inside a zone inside its box, nothing cut.
    fn check(layout: &Layout, dfd: &Dfd, what: &str) {
        let labels: Vec<&Label> = layout
            .edges
            .iter()
            .filter_map(|d| d.label.as_ref())
            .collect();
        let nodes: Vec<(&Node, &Zone)> = layout
            .zones
            .iter()
            .flat_map(|z| z.nodes.iter().map(move |n| (n, z)))
            .collect();
        let canvas = Rect {
            x: 0.0,
            y: 0.0,
            w: layout.width,
            h: layout.height,
        };
        for (i, a) in labels.iter().enumerate() {
            assert!(canvas.contains(&a.rect), "{what}: {a:?} off the canvas");
            for b in &labels[i + 1..] {
                assert_eq!(
                    a.rect.overlap(&b.rect),
                    0.0,
                    "{what}: labels overlap: {a:?} {b:?}"
                );
            }
            for (n, _) in &nodes {
                assert_eq!(
                    a.rect.overlap(&n.rect()),
                    0.0,
                    "{what}: label {:?} on node {}",
                    a.lines,
                    n.id
                );
            }
            for line in &a.lines {
                assert!(!line.contains('…'), "{what}: {line}");
                assert!(
                    text_width(line, LABEL_SIZE, false) + 2.0 * LABEL_PAD_X <= a.rect.w + 0.01,
                    "{what}: {line:?} wider than its box"
                );
            }
            assert!(a.lines.len() as f64 * LABEL_LINE <= a.rect.h);
        }
        for (i, (a, za)) in nodes.iter().enumerate() {
            assert!(za.w >= NODE_W + 2.0 * ZONE_PAD);
            assert!(
                Rect {
                    x: za.x,
                    y: za.y + za.head,
                    w: za.w,
                    h: za.h - za.head
                }
                .contains(&a.rect()),
                "{what}: {} outside its zone",
                a.id
            );
            for (b, _) in &nodes[i + 1..] {
                assert_eq!(
                    a.rect().overlap(&b.rect()),
                    0.0,
                    "{what}: {} {}",
                    a.id,
                    b.id
                );
            }
            for line in &a.title {
                assert!(text_width(line, TITLE_SIZE, true) <= NODE_TEXT_W, "{line}");
            }
            assert_eq!(
                a.title.concat().replace(' ', ""),
                shown(
                    &dfd.zones
                        .iter()
                        .flat_map(|z| &z.nodes)
                        .find(|n| n.id == a.id)
                        .map_or(format!("#{}", a.id), |n| n.short.clone())
                )
                .replace(' ', ""),
                "{what}: the whole short name"
            );
            // The last text line's baseline sits above the bottom by more than a descent.
            let lines = a.title.len() as f64 + a.sub.len() as f64;
            assert!(
                a.h >= 18.0 + (lines - 1.0) * 12.0 + 10.0,
                "{what}: {}",
                a.id
            );
        }
        for z in &layout.zones {
            let overlaps = z.zones_overlap(layout);
            assert!(
                overlaps.is_empty(),
                "{what}: {} overlaps {overlaps:?}",
                z.label
            );
            assert!(canvas.contains(&Rect {
                x: z.x,
                y: z.y,
                w: z.w,
                h: z.h
            }));
        }
        // Flows inside a zone are drawn inside its box.
        for (i, kind) in layout.kinds.iter().enumerate() {
            let zone = match kind {
                Kind::Stack { zone, .. } | Kind::Gutter { zone, .. } => &layout.zones[*zone],
                Kind::Cross => continue,
            };
            let boxed = Rect {
                x: zone.x,
                y: zone.y,
                w: zone.w,
                h: zone.h,
            };
            for (x, y) in points(&layout.edges[i].d) {
                assert!(
                    boxed.grow(0.01).contains(&Rect {
                        x,
                        y,
                        w: 0.0,
                        h: 0.0
                    }),
                    "{what}: flow {} leaves its zone at {x},{y}",
                    dfd.edges[i].flow
                );
            }
            if let Some(l) = &layout.edges[i].label {
                assert!(
                    boxed.contains(&l.rect),
                    "{what}: {:?} outside its zone",
                    l.lines
                );
            }
        }
    }

    impl Zone {
        fn zones_overlap(&self, layout: &Layout) -> Vec<(String, f64)> {
            let me = Rect {
                x: self.x,
                y: self.y,
                w: self.w,
                h: self.h,
            };
            layout
                .zones
                .iter()
                .filter(|z| !std::ptr::eq(*z, self))
                .map(|z| {
                    let r = Rect {
                        x: z.x,
                        y: z.y,
                        w: z.w,
                        h: z.h,
                    };
                    (z.label.clone(), me.overlap(&r))
                })
                .filter(|(_, a)| *a > 0.0)
                .collect()
        }
    }

    /// The coordinate pairs of a path.
    fn points(d: &str) -> Vec<(f64, f64)> {
        d.split(|c: char| c.is_ascii_alphabetic() || c == ' ')
            .filter(|s| !s.is_empty())
            .map(|p| {
                let (x, y) = p.split_once(',').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect()
    }

    fn model_of(tree: &str) -> Model {
        let root = format!("{}/{tree}", env!("CARGO_MANIFEST_DIR"));
        crate::pipeline::ScanOptions::for_tree(root)
            .unwrap()
            .scan()
            .unwrap()
    }

    #[test]
    fn the_example_keeps_inner_flows_inside_their_zones_and_labels_apart() {
        let model = model_of("fixtures/example");
        let dfd = Dfd::new(&model);
        let layout = Layout::new(&model, &dfd);
        check(&layout, &dfd, "example");
        // Every flow inside a zone is an arrow between neighbours: none loops out.
        let inner = dfd
            .edges
            .iter()
            .zip(&layout.kinds)
            .filter(|(_, k)| !matches!(k, Kind::Cross))
            .count();
        assert_eq!(inner, 5, "{:?}", layout.kinds);
        assert!(
            layout
                .kinds
                .iter()
                .all(|k| !matches!(k, Kind::Gutter { .. }))
        );
        // The red crossing's label in full.
        let svg = to_svg(&model, &dfd);
        assert!(svg.contains(">⚠ a long-lived</text>"), "{svg}");
        assert!(svg.contains(">kubeconfig secret</text>"));
        assert!(!svg.contains('…'));
        assert!(svg.contains(
            "<a href=\"#c-catalogue\"><g class=\"node\"><title>Shop:Catalogue:Service · Compute (inferred)"
        ));
        // It fits a 1400 px window's diagram frame without scrolling.
        assert!(layout.width <= 1350.0, "{}", layout.width);
    }

    #[test]
    fn the_injection_fixture_lays_out_cleanly() {
        let model = model_of("tests/injection");
        let dfd = Dfd::new(&model);
        check(&Layout::new(&model, &dfd), &dfd, "injection");
    }

    /// One zone with a hub, a chain, a flow that skips a node and one to itself; a busy gap;
    /// long names; an end no zone holds.
    #[test]
    fn crowded_zones_keep_their_labels_apart() {
        let node = |id: &str, short: &str| DfdNode {
            id: id.into(),
            label: format!("Org:{short}"),
            short: short.into(),
            layer: Layer::Compute,
        };
        let edge = |flow: &str, from: &str, to: &str, label: &str, unprotected: bool| DfdEdge {
            flow: flow.into(),
            from: from.into(),
            to: to.into(),
            label: (!label.is_empty()).then(|| label.into()),
            two_way: false,
            unprotected,
            severity: None,
            crossings: 0,
            hops: Vec::new(),
        };
        let dfd = Dfd {
            zones: vec![
                DfdZone {
                    id: "a".into(),
                    label: "A zone with a name much longer than its box is wide".into(),
                    nodes: vec![
                        node("a1", "Payments:Reconciliation Worker For Every Region"),
                        node("a2", "B:Hub"),
                        node("a3", "C:Spoke"),
                        node("a4", "D:Spoke"),
                        node("a5", "E:Other"),
                    ],
                },
                DfdZone {
                    id: "b".into(),
                    label: "B".into(),
                    nodes: (1..=6)
                        .map(|i| node(&format!("b{i}"), &format!("Store:Bucket {i}")))
                        .collect(),
                },
            ],
            edges: [
                (
                    "f1",
                    "a2",
                    "a3",
                    "mTLS with a long explanation attached",
                    false,
                ),
                ("f2", "a2", "a4", "TLS", false),
                ("f3", "a2", "a1", "", false),
                ("f4", "a3", "a4", "a flow that skips", false),
                ("f5", "a3", "a5", "loops", true),
                ("f6", "a5", "a5", "to itself", false),
                ("f7", "a5", "ghost", "to a component nobody declared", false),
            ]
            .into_iter()
            .map(|(f, a, b, l, u)| edge(f, a, b, l, u))
            .chain((1..=6).flat_map(|i| {
                [
                    edge(
                        &format!("g{i}"),
                        &format!("a{}", 1 + i % 5),
                        &format!("b{i}"),
                        "Webhook Signature Verification",
                        i == 3,
                    ),
                    edge(
                        &format!("h{i}"),
                        &format!("b{i}"),
                        "a1",
                        "TLS Everywhere",
                        false,
                    ),
                ]
            }))
            .collect(),
        };
        let model = Model::default();
        let layout = Layout::new(&model, &dfd);
        check(&layout, &dfd, "crowded");
        assert_eq!(layout.zones.last().unwrap().label, "Undeclared");
        let svg = to_svg(&model, &dfd);
        assert!(svg.contains("<g class=\"node\"><title>#ghost · undeclared</title>"));
        assert!(!svg.contains("href=\"#c-ghost\""), "no section to link to");
        assert!(
            layout
                .kinds
                .iter()
                .any(|k| matches!(k, Kind::Gutter { .. }))
        );
    }
}
