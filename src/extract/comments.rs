//! Comment nodes and docstrings of a syntax tree, as comment blocks.

use tree_sitter::{Node, Query, QueryCursor, StreamingIterator};

use super::markers::{Delimiters, comment_lines};
use super::{CommentBlock, CommentLine};
use crate::languages::Language;
use crate::source::Source;

/// A comment node's extent and whether it can merge with neighbours.
struct CommentNode {
    start: usize,
    end: usize,
    start_row: usize,
    end_row: usize,
    /// A line comment that is the first thing on its line.
    starts_line: bool,
    is_line_comment: bool,
}

/// Every comment of the tree, consecutive line comments merged into one block.
pub fn comment_blocks(source: &Source, language: &Language, root: Node) -> Vec<CommentBlock> {
    let nodes = collect_comment_nodes(source, language, root);
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < nodes.len() {
        // The run of nodes that form one block.
        let mut j = i + 1;
        while j < nodes.len()
            && nodes[j - 1].is_line_comment
            && nodes[j].is_line_comment
            && nodes[j].starts_line
            && nodes[j].start_row == nodes[j - 1].end_row + 1
        {
            j += 1;
        }
        // Only blocks that hold an `@` can hold an annotation.
        let holds_at = nodes[i..j]
            .iter()
            .any(|n| memchr::memchr(b'@', &source.bytes[n.start..n.end]).is_some());
        if holds_at {
            let mut lines: Vec<CommentLine> = Vec::new();
            for node in &nodes[i..j] {
                comment_lines(
                    source,
                    node.start,
                    node.end,
                    Delimiters::Comment(language),
                    &mut lines,
                );
            }
            blocks.push(lines);
        }
        i = j;
    }
    blocks
}

fn collect_comment_nodes(source: &Source, language: &Language, root: Node) -> Vec<CommentNode> {
    let mut nodes = Vec::new();
    let mut cursor = root.walk();
    // Per ancestor of the cursor's node, whether it is a string. A comment node that a
    // grammar put directly inside a string literal is string text the grammar's lexer
    // mistook for a comment (tree-sitter-swift does so for a `"""` string whose first
    // line starts with `/*`); a comment inside an interpolation has the interpolation as
    // parent. Kept here because `Node::parent` walks down from the root: asked of every
    // comment, it made a deeply nested file of comments quadratic.
    let mut strings: Vec<bool> = Vec::new();
    'walk: loop {
        let node = cursor.node();
        let is_comment = language.is_comment(node.kind_id());
        if is_comment {
            let start = node.start_byte();
            let end = node.end_byte();
            let text = &source.bytes[start..end];
            let is_block = language
                .block_markers
                .iter()
                .any(|(open, _)| text.starts_with(open.as_bytes()));
            let line_start = source.line_start(source.line_of(start));
            let starts_line = source.bytes[line_start..start]
                .iter()
                .all(|b| b.is_ascii_whitespace());
            let counts = if language.comments_start_lines {
                starts_line
            } else {
                strings.last() != Some(&true)
            };
            if counts {
                nodes.push(CommentNode {
                    start,
                    end,
                    start_row: node.start_position().row,
                    end_row: end_row(&node, text),
                    starts_line,
                    is_line_comment: !is_block,
                });
            }
        }
        // Depth first; never into a comment (Rust doc markers are its children).
        if !is_comment && cursor.goto_first_child() {
            strings.push(node.kind().contains("string"));
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
            strings.pop();
        }
    }
    nodes
}

/// The row of the node's last character (some grammars end a line comment after its `\n`).
fn end_row(node: &Node, text: &[u8]) -> usize {
    let end = node.end_position();
    if end.column == 0 && text.ends_with(b"\n") && end.row > node.start_position().row {
        end.row - 1
    } else {
        end.row
    }
}

/// Docstrings captured by the language's query, each as a block of its content lines.
pub fn docstring_blocks(
    source: &Source,
    language: &Language,
    query: &Query,
    root: Node,
) -> Vec<CommentBlock> {
    let Some(doc_index) = query.capture_index_for_name("doc") else {
        return Vec::new();
    };
    let statement_index = query.capture_index_for_name("statement");
    let first_in_body = language
        .docstrings
        .as_ref()
        .is_some_and(|rule| rule.first_in_body);
    let mut cursor = QueryCursor::new();
    let mut blocks = Vec::new();
    let mut matches = cursor.matches(query, root, source.bytes.as_slice());
    while let Some(m) = matches.next() {
        let Some(doc) = m.captures().iter().find(|c| c.index == doc_index) else {
            continue;
        };
        if first_in_body {
            let statement = statement_index
                .and_then(|i| m.captures().iter().find(|c| c.index == i))
                .map(|c| c.node);
            if !statement.is_some_and(|s| is_first_statement(&s, language)) {
                continue;
            }
        }
        let node = doc.node;
        if memchr::memchr(b'@', &source.bytes[node.start_byte()..node.end_byte()]).is_none() {
            continue;
        }
        let (start, end) = string_content(&node);
        let mut lines = Vec::new();
        comment_lines(source, start, end, Delimiters::Content, &mut lines);
        blocks.push(lines);
    }
    blocks
}

/// True when no statement other than comments comes before `statement` in its parent.
fn is_first_statement(statement: &Node, language: &Language) -> bool {
    let mut sibling = statement.prev_named_sibling();
    while let Some(s) = sibling {
        if !language.is_comment(s.kind_id()) {
            return false;
        }
        sibling = s.prev_named_sibling();
    }
    true
}

/// The byte range between a string node's opening and closing delimiters: Python's
/// `string_start` (`r"""`), Elixir's `"""` or a sigil's `~S"""`, and their closers.
fn string_content(node: &Node) -> (usize, usize) {
    let mut cursor = node.walk();
    let children: Vec<Node> = node.children(&mut cursor).collect();
    let opens = children
        .iter()
        .take_while(|c| !c.is_named() || c.kind().ends_with("_start") || c.kind() == "sigil_name")
        .count();
    let closes = children[opens..]
        .iter()
        .rev()
        .take_while(|c| {
            !c.is_named() || c.kind().ends_with("_end") || c.kind() == "sigil_modifiers"
        })
        .count();
    if opens == 0 || closes == 0 {
        return (node.start_byte(), node.end_byte());
    }
    let start = children[opens - 1].end_byte();
    let end = children[children.len() - closes].start_byte();
    (start, end.max(start))
}
