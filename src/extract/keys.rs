//! `x-threatspec` keys in YAML and JSON files (OpenAPI documents, as Threatspec reads them).
//!
//! The value is a string, a list of strings, or a mapping of annotation to extra fields.
//! Both grammars give pairs `key` and `value` fields, so one walk serves both.

use tree_sitter::Node;

use super::CommentBlock;
use super::markers::{Delimiters, comment_lines};
use crate::source::Source;

const KEY: &str = "x-threatspec";

/// The annotations under `x-threatspec` keys, and the positions of those written as
/// mapping keys (see [`super::Extracted::key_annotations`]).
pub fn threatspec_key_blocks(source: &Source, root: Node) -> (Vec<CommentBlock>, Vec<(u32, u32)>) {
    let mut blocks = Vec::new();
    let mut keyed = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if let (Some(key), Some(value)) = (
            node.child_by_field_name("key"),
            node.child_by_field_name("value"),
        ) && scalar_text(source, key).as_deref() == Some(KEY)
        {
            annotations_in(source, value, &mut blocks, &mut keyed);
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    blocks.sort_by_key(|b| b.first().map(|l| (l.line, l.column)));
    (blocks, keyed)
}

/// Collects the annotation strings under an `x-threatspec` value.
fn annotations_in(
    source: &Source,
    node: Node,
    blocks: &mut Vec<CommentBlock>,
    keyed: &mut Vec<(u32, u32)>,
) {
    if let Some((start, end)) = string_span(source, node) {
        let mut lines = Vec::new();
        comment_lines(source, start, end, Delimiters::Content, &mut lines);
        blocks.push(lines);
        return;
    }
    if let (Some(key), Some(value)) = (
        node.child_by_field_name("key"),
        node.child_by_field_name("value"),
    ) {
        // `"@exposes ...": {description: ...}`: the key is the annotation, the value is
        // read as its YAML block.
        if let Some((start, end)) = string_span(source, key) {
            let mut lines = Vec::new();
            comment_lines(source, start, end, Delimiters::Content, &mut lines);
            // The `:` makes the annotation open a YAML block (SPEC 3.4) of the value.
            if let Some(last) = lines.last_mut() {
                last.text.push(':');
                let indent = last.text.len() - last.text.trim_start().len();
                keyed.push((last.line, last.column + indent as u32));
            }
            let mut fields = Vec::new();
            comment_lines(
                source,
                value.start_byte(),
                value.end_byte(),
                Delimiters::Content,
                &mut fields,
            );
            if let Some(first) = fields.first_mut() {
                // The value's first line lost what stands before it on its line: put back
                // as many spaces, so the lines below keep their indentation relative to it.
                let pad = " ".repeat(first.column as usize - 1);
                first.text.insert_str(0, &pad);
            }
            lines.extend(fields.into_iter().filter(|l| !l.text.trim().is_empty()));
            blocks.push(lines);
        }
        return;
    }
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        annotations_in(source, child, blocks, keyed);
    }
}

const SCALARS: &[&str] = &[
    "string",
    "double_quote_scalar",
    "single_quote_scalar",
    "plain_scalar",
    "string_scalar",
    "block_scalar",
];

/// The byte range of a string's content, if the node is (or wraps) one string.
fn string_span(source: &Source, node: Node) -> Option<(usize, usize)> {
    let mut node = node;
    // Unwrap `flow_node` / `block_node` / `plain_scalar` wrappers.
    while !SCALARS.contains(&node.kind()) || node.kind() == "plain_scalar" {
        if node.kind() == "plain_scalar" && node.named_child_count() == 0 {
            break;
        }
        if node.named_child_count() != 1 {
            return None;
        }
        node = node.named_child(0)?;
    }
    if !SCALARS.contains(&node.kind()) {
        return None;
    }
    let (start, end) = (node.start_byte(), node.end_byte());
    let text = &source.bytes[start..end];
    Some(match node.kind() {
        "string" | "double_quote_scalar" | "single_quote_scalar" if end - start >= 2 => {
            (start + 1, end - 1)
        }
        "block_scalar" => {
            // Content starts on the line after the `|` / `>` header.
            let header = memchr::memchr(b'\n', text).map_or(end, |i| start + i + 1);
            (header, end)
        }
        _ => (start, end),
    })
}

fn scalar_text(source: &Source, node: Node) -> Option<String> {
    let (start, end) = string_span(source, node)?;
    Some(
        String::from_utf8_lossy(&source.bytes[start..end])
            .trim()
            .to_string(),
    )
}
