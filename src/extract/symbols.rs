//! Symbol anchors: the function, method or type each comment block belongs to.
//!
//! A block belongs to the declaration it sits on (one that starts on the line after the
//! block, attribute and decorator lines aside: a doc comment) or else to the innermost
//! declaration it is in. The name is qualified by the declarations around that one
//! (`Orders.find`). Declarations come from the language's `symbols` query (data in
//! `grammars/languages.yaml`); GuardLink's coverage rule compares them, and outputs show
//! them as logical locations.
//!
//! Every lookup is a binary search plus a walk up the nesting: a minified file holds
//! a hundred thousand comment blocks on one line.

use tree_sitter::{Node, Query, QueryCursor, StreamingIterator};

use super::CommentBlock;
use crate::source::Source;

/// Attribute lines looked through between a doc comment and its declaration.
pub const MAX_ATTRIBUTE_LINES: u32 = 16;

/// A declaration: where it starts and ends (1-based line, then column: bytes for the
/// tree, characters for comments, which agree on the ASCII that code indents with), its
/// name, and the declaration it is nested in.
struct Declaration {
    start: (u32, u32),
    end: (u32, u32),
    name: String,
    parent: Option<usize>,
}

/// The symbol of each block, in the blocks' order. The first `comments` blocks are
/// comments, which may sit on a declaration; the rest (docstrings, `x-threatspec` values)
/// belong only to the declaration they are in.
pub fn block_symbols(
    source: &Source,
    query: &Query,
    root: Node,
    blocks: &[CommentBlock],
    comments: usize,
) -> Vec<Option<String>> {
    // Only declarations around the blocks, or starting just below one, can be theirs.
    let lines = blocks
        .iter()
        .filter_map(|b| Some((b.first()?.line, b.last()?.line)))
        .fold(None, |span: Option<(u32, u32)>, (first, last)| {
            Some(span.map_or((first, last), |(lo, hi)| (lo.min(first), hi.max(last))))
        });
    let Some((first, last)) = lines else {
        return Vec::new();
    };
    let below = last + MAX_ATTRIBUTE_LINES + 2;
    let end = if below <= source.line_of(source.bytes.len()) {
        source.line_start(below)
    } else {
        source.bytes.len()
    };
    let range = source.line_start(first)..end;
    let declarations = declarations(source, query, root, range);
    if declarations.is_empty() {
        return Vec::new();
    }
    blocks
        .iter()
        .enumerate()
        .map(|(i, block)| symbol_of(source, &declarations, block, i < comments))
        .collect()
}

/// Every declaration the query finds, sorted by start, outermost first where two start
/// together; one per name node (Python's `decorated_definition` and the function inside
/// it are one), with its parent.
fn declarations(
    source: &Source,
    query: &Query,
    root: Node,
    range: std::ops::Range<usize>,
) -> Vec<Declaration> {
    let (Some(symbol), Some(name)) = (
        query.capture_index_for_name("symbol"),
        query.capture_index_for_name("name"),
    ) else {
        return Vec::new();
    };
    let mut found: Vec<(usize, usize, usize, Declaration)> = Vec::new();
    let mut cursor = QueryCursor::new();
    // Declarations that overlap the range: those holding a block, and those below one.
    cursor.set_byte_range(range);
    let mut matches = cursor.matches(query, root, source.bytes.as_slice());
    while let Some(m) = matches.next() {
        let node = m
            .captures()
            .iter()
            .find(|c| c.index == symbol)
            .map(|c| c.node);
        let name_node = m
            .captures()
            .iter()
            .find(|c| c.index == name)
            .map(|c| c.node);
        let (Some(node), Some(name_node)) = (node, name_node) else {
            continue;
        };
        let text = String::from_utf8_lossy(&source.bytes[name_node.byte_range()]);
        // A name is one line of text (a Rust `impl` type may span several).
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let point = |p: tree_sitter::Point| (p.row as u32 + 1, p.column as u32 + 1);
        found.push((
            name_node.start_byte(),
            node.start_byte(),
            node.end_byte(),
            Declaration {
                start: point(node.start_position()),
                end: point(node.end_position()),
                name: text,
                parent: None,
            },
        ));
    }
    // The widest declaration of one name node wins.
    found.sort_by_key(|(name_at, start, end, _)| (*name_at, *start, std::cmp::Reverse(*end)));
    found.dedup_by_key(|(name_at, ..)| *name_at);
    found.sort_by_key(|(_, start, end, _)| (*start, std::cmp::Reverse(*end)));
    // Nesting by a stack of the declarations still open.
    let mut declarations: Vec<Declaration> = Vec::with_capacity(found.len());
    let mut open: Vec<(usize, usize)> = Vec::new();
    for (_, start, end, mut d) in found {
        while open.last().is_some_and(|&(_, open_end)| open_end <= start) {
            open.pop();
        }
        d.parent = open.last().map(|&(i, _)| i);
        open.push((declarations.len(), end));
        declarations.push(d);
    }
    declarations
}

fn symbol_of(
    source: &Source,
    declarations: &[Declaration],
    block: &CommentBlock,
    may_sit_on: bool,
) -> Option<String> {
    let (first, last) = (block.first()?, block.last()?);
    let at = (first.line, first.column);
    // The declaration the block sits on: the first to start on a later line, with only
    // attribute or decorator lines before it.
    let next = declarations.partition_point(|d| d.start.0 <= last.line);
    let on = declarations.get(next).filter(|d| {
        may_sit_on
            && d.start.0 - last.line <= MAX_ATTRIBUTE_LINES
            && ((last.line + 1)..d.start.0).all(|l| is_attribute_line(source, l))
    });
    let chosen = match on {
        Some(_) => next,
        // A trailing comment belongs to the declaration its line starts
        // (`fun spend(x) = pay(x) // @exposes ...`), the outermost if several do.
        None if let Some(k) = may_sit_on
            .then(|| started_on_line(declarations, at))
            .flatten() =>
        {
            k
        }
        // Else the innermost declaration that holds the block: the last to start before
        // it, or one of those it is nested in.
        None => {
            let mut i = declarations
                .partition_point(|d| d.start <= at)
                .checked_sub(1)?;
            while declarations[i].end <= at {
                i = declarations[i].parent?;
            }
            i
        }
    };
    let mut names = vec![declarations[chosen].name.as_str()];
    let mut parent = declarations[chosen].parent;
    while let Some(p) = parent {
        names.push(&declarations[p].name);
        parent = declarations[p].parent;
    }
    names.reverse();
    Some(names.join("."))
}

/// The outermost declaration that starts on the line of `at`, before it.
fn started_on_line(declarations: &[Declaration], at: (u32, u32)) -> Option<usize> {
    let mut found = None;
    let mut k = declarations.partition_point(|d| d.start < at);
    while k > 0 && declarations[k - 1].start.0 == at.0 {
        k -= 1;
        found = Some(k);
    }
    found
}

/// An attribute, decorator or annotation line between a doc comment and its declaration:
/// Rust's `#[...]`, C#'s `[...]`, Java's, Python's and TypeScript's `@...`.
fn is_attribute_line(source: &Source, line: u32) -> bool {
    let rest = &source.bytes[source.line_start(line)..];
    is_attribute_text(rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())].trim_ascii_start())
}

/// A line (indentation gone) that is an attribute or decorator: `#[...]`, `[...]`, `@...`.
pub fn is_attribute_text(text: &[u8]) -> bool {
    text.starts_with(b"#[") || text.starts_with(b"[") || text.starts_with(b"@")
}
