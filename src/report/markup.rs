//! One small markup vocabulary for the reports people read (REVIEW change 3). The sections
//! ([`super::sections`]) say once what a report shows, as blocks of [`Inline`] content; the
//! Markdown and HTML renderers each implement [`Markup`] and decide only how that looks and
//! how it is escaped. Renderers write to a `&mut dyn fmt::Write`, as ruff's emitters do.
//!
//! Content is plain data: repository text stays text until a renderer escapes it for its
//! own format, so a section cannot forget to.

use std::fmt;

use crate::annotation::{Layer, Severity, Stride};

use super::Report;
use super::detail::Status;

/// Inline content: what a sentence, a table cell or a heading is made of.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    /// Words, the repository's or ours: escaped by each format.
    Text(String),
    /// A name or a command, set as code (a Markdown code span, `<code>`), shown exactly.
    Code(String),
    Strong(Vec<Inline>),
    /// Strong and marked as a warning (an unprotected flow).
    Alert(Vec<Inline>),
    /// A word that labels what follows ("Exposed", "Description:").
    Label(&'static str),
    /// A link the tool writes (to a source line): the href is already percent-encoded.
    Link {
        text: String,
        href: String,
    },
    /// A link to a section of the same document (a component's card). Formats without
    /// stable anchors (Markdown) show the content alone.
    Anchor {
        target: String,
        content: Vec<Inline>,
    },
    /// Content that a [`Inline::Anchor`] can point at.
    Target {
        id: String,
        content: Vec<Inline>,
    },
    /// Short text with a longer explanation on hover (a STRIDE letter).
    Hint {
        text: String,
        title: &'static str,
    },
    Severity(Severity),
    Status(Status),
    Stride(Stride),
    /// Secondary words (likelihood, references).
    Muted(Vec<Inline>),
    /// `(inferred)`, after a layer guessed from a component's name.
    Inferred,
    /// A component path that may wrap after each `:` in a narrow cell.
    Path(String),
    /// A CCCS layer's colour, where the format has colour.
    Swatch(Layer),
}

/// Shorthands for building content.
pub fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

pub fn code(s: impl Into<String>) -> Inline {
    Inline::Code(s.into())
}

/// How a paragraph is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    /// The line under the title.
    Lede,
    /// The gate's verdict.
    Gate {
        passed: bool,
    },
    /// Facts about a component under its heading.
    Meta,
    /// Secondary text (empty layers, legends).
    Muted,
    /// A component's assumption.
    Assumption,
}

/// How a list is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListStyle {
    Plain,
    /// The unprotected crossings under the diagram.
    Crossings,
    /// A component's threats, each with what stands against it.
    Threats,
}

/// A list item with, optionally, a nested list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Item {
    pub content: Vec<Inline>,
    pub children: Vec<Vec<Inline>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
    Center,
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub content: Vec<Inline>,
    /// A class for styling (`on`, `gap`), where the format styles.
    pub class: Option<&'static str>,
    /// A row's header cell (the first column of the coverage matrix).
    pub header: bool,
}

impl Cell {
    pub fn new(content: Vec<Inline>) -> Cell {
        Cell {
            content,
            ..Cell::default()
        }
    }
}

/// A table: its header, column alignment and rows (each as wide as the header).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// A class for styling (`flows`, `findings`, `matrix`, `counts`).
    pub class: &'static str,
    pub head: Vec<Vec<Inline>>,
    pub align: Vec<Align>,
    pub rows: Vec<Vec<Cell>>,
}

/// The blocks a report is made of. Each method writes one block to the renderer's output.
pub trait Markup {
    /// Opens a top-level section: its anchor and its heading.
    fn section(&mut self, id: &str, title: &str) -> fmt::Result;
    fn end_section(&mut self) -> fmt::Result;
    /// A heading inside a section (level 3).
    fn heading(&mut self, content: &[Inline]) -> fmt::Result;
    fn paragraph(&mut self, style: Style, content: &[Inline]) -> fmt::Result;
    fn list(&mut self, style: ListStyle, items: &[Item]) -> fmt::Result;
    fn table(&mut self, table: &Table) -> fmt::Result;
    /// Opens content folded under a one-line summary (closed until opened).
    fn fold(&mut self, summary: &[Inline]) -> fmt::Result;
    fn end_fold(&mut self) -> fmt::Result;
    /// Opens a block that a filter link can select by its id (one severity's findings).
    fn group(&mut self, id: &str) -> fmt::Result;
    fn end_group(&mut self) -> fmt::Result;
    /// Links that select one group at a time; formats that cannot filter write nothing.
    fn filters(&mut self, all: &str, links: &[(String, Vec<Inline>)]) -> fmt::Result;
    /// Opens a component's card: its anchor and its heading.
    fn card(&mut self, id: &str, title: &[Inline]) -> fmt::Result;
    fn end_card(&mut self) -> fmt::Result;
    /// The data-flow diagram with its legend: Mermaid in Markdown, SVG in HTML.
    fn diagram(&mut self, report: &Report) -> fmt::Result;
}
