//! A plain, deterministic diagram layout: top-level zones side by side; inside a zone, its
//! own components in columns of at most [`MAX_ROWS`], then its nested zones side by side
//! to the right, so a nested zone's box lies inside its parent's. Positions are absolute,
//! in pixels.

use std::collections::HashMap;

use super::schema::{Position, Size};
use super::zones::Zones;

pub(super) const NODE_WIDTH: u32 = 180;
pub(super) const NODE_HEIGHT: u32 = 60;
const NODE_PITCH: u32 = 90;
const MARGIN: u32 = 40;
/// Room for a zone's label above its contents.
const HEADER: u32 = 40;
const PAD: u32 = 30;
const GAP: u32 = 40;
/// Components per column before a zone's components wrap into another column.
const MAX_ROWS: usize = 6;
const ZONE_MIN_WIDTH: u32 = NODE_WIDTH + 2 * PAD;

#[derive(Default)]
pub(super) struct Layout {
    /// Zone index → its box.
    pub(super) zones: HashMap<usize, (Position, Size)>,
    /// Component id → its position (every node is `NODE_WIDTH` × `NODE_HEIGHT`).
    pub(super) nodes: HashMap<String, Position>,
    pub(super) size: Size,
}

pub(super) fn layout(zones: &Zones) -> Layout {
    let mut out = Layout::default();
    let mut x = MARGIN;
    let mut tallest = 0;
    for (i, z) in zones.list.iter().enumerate() {
        if z.parent.is_some() {
            continue;
        }
        let size = place(zones, i, x, MARGIN, &mut out);
        x += size.width + GAP;
        tallest = tallest.max(size.height);
    }
    out.size = Size {
        width: (x - GAP + MARGIN).max(ZONE_MIN_WIDTH + 2 * MARGIN),
        height: tallest + 2 * MARGIN,
    };
    out
}

fn place(zones: &Zones, i: usize, x: u32, y: u32, out: &mut Layout) -> Size {
    let z = &zones.list[i];
    let top = y + HEADER;
    let mut cursor = x + PAD;
    let mut inner = 0;
    if !z.members.is_empty() {
        for (j, c) in z.members.iter().enumerate() {
            let (column, row) = ((j / MAX_ROWS) as u32, (j % MAX_ROWS) as u32);
            out.nodes.insert(
                c.id.clone(),
                Position {
                    x: cursor + column * (NODE_WIDTH + GAP),
                    y: top + row * NODE_PITCH,
                },
            );
        }
        let columns = z.members.len().div_ceil(MAX_ROWS) as u32;
        inner = z.members.len().min(MAX_ROWS) as u32 * NODE_PITCH;
        cursor += columns * (NODE_WIDTH + GAP);
    }
    for &child in &z.children {
        let size = place(zones, child, cursor, top, out);
        cursor += size.width + GAP;
        inner = inner.max(size.height);
    }
    let size = Size {
        width: (cursor - GAP + PAD - x).max(ZONE_MIN_WIDTH),
        height: HEADER + inner + PAD,
    };
    out.zones.insert(i, (Position { x, y }, size));
    size
}
