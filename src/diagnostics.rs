//! Diagnostics: problems with the input itself (SPEC §3.3), each with a stable code, a
//! location, the offending text and a hint.

use std::fmt::Write as _;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level as SnippetLevel, Renderer, Snippet};
use serde::{Deserialize, Serialize};

use crate::location::Location;

/// The stable diagnostic codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    MalformedAnnotation,
    DanglingReference,
    DuplicateId,
    InvalidYaml,
    ProseLike,
    /// A file not scanned: over the size cap, unreadable.
    SkippedFile,
    /// A file whose parse hit the deadline; its comments were read line by line instead.
    ParseTimeout,
    /// Two declarations disagree (e.g. two different layers for one component).
    Conflict,
    /// A baseline entry that matches no current finding.
    BaselineOrphan,
    /// A setting in another tool's project file (GuardLink's `.guardlink/config.json`)
    /// that threatline does not understand or cannot use.
    ForeignConfig,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::MalformedAnnotation => "malformed-annotation",
            Code::DanglingReference => "dangling-reference",
            Code::DuplicateId => "duplicate-id",
            Code::InvalidYaml => "invalid-yaml",
            Code::ProseLike => "prose-like",
            Code::SkippedFile => "skipped-file",
            Code::ParseTimeout => "parse-timeout",
            Code::Conflict => "conflict",
            Code::BaselineOrphan => "baseline-orphan",
            Code::ForeignConfig => "foreign-config",
        }
    }

    /// Every code, in the order of the docs.
    pub const ALL: [Code; 10] = [
        Code::MalformedAnnotation,
        Code::DanglingReference,
        Code::DuplicateId,
        Code::InvalidYaml,
        Code::ProseLike,
        Code::SkippedFile,
        Code::ParseTimeout,
        Code::Conflict,
        Code::BaselineOrphan,
        Code::ForeignConfig,
    ];

    /// A `@verb` line that did not parse into an annotation.
    pub fn is_unparsed_line(self) -> bool {
        matches!(self, Code::MalformedAnnotation | Code::ProseLike)
    }

    pub fn severity(self) -> Level {
        match self {
            Code::MalformedAnnotation
            | Code::DanglingReference
            | Code::DuplicateId
            | Code::InvalidYaml => Level::Error,
            Code::ProseLike
            | Code::SkippedFile
            | Code::ParseTimeout
            | Code::Conflict
            | Code::BaselineOrphan
            | Code::ForeignConfig => Level::Warning,
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// One diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Level,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(flatten)]
    pub location: Location,
    /// The offending text (the annotation line, the bad reference).
    pub text: String,
    /// The whole source line, for rendering; not part of the JSON.
    #[serde(skip)]
    pub source_line: Option<String>,
    /// 1-based columns of the span to underline, end exclusive.
    #[serde(skip)]
    pub span: Option<(u32, u32)>,
}

impl Diagnostic {
    pub fn new(code: Code, location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            hint: None,
            location,
            text: String::new(),
            source_line: None,
            span: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = text.into();
        self
    }

    pub fn source(mut self, line: impl Into<String>, span: (u32, u32)) -> Self {
        self.source_line = Some(line.into());
        self.span = Some(span);
        self
    }

    /// Stable across edits that move lines: the code, the file and the offending text.
    pub fn fingerprint(&self) -> String {
        crate::analysis::fingerprint::fingerprint(
            self.code.as_str(),
            &[&self.location.file, self.text.trim()],
        )
    }

    /// The sort order of diagnostics in every output.
    pub fn sort_key(&self) -> (&Location, Code, &str) {
        (&self.location, self.code, &self.message)
    }
}

/// Renders diagnostics for a person: `error[code]: message`, the source line with a caret,
/// and the hint. `color` adds ANSI colours.
pub fn render(diagnostics: &[Diagnostic], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii);
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Level::Error => SnippetLevel::ERROR,
            Level::Warning => SnippetLevel::WARNING,
        };
        let title = level
            .primary_title(crate::escape::for_terminal(&d.message))
            .id(d.code.as_str());
        let mut group = Group::with_title(title);
        match (&d.source_line, d.span) {
            (Some(line), Some((start, end))) => {
                let line = crate::escape::for_terminal(line);
                let start_byte = byte_of_column(&line, start);
                let end_byte = byte_of_column(&line, end.max(start + 1)).max(start_byte);
                group = group.element(
                    Snippet::source(line.clone())
                        .line_start(d.location.line as usize)
                        .path(crate::escape::for_terminal(&d.location.file))
                        .annotation(
                            AnnotationKind::Primary
                                .span(start_byte..end_byte.min(line.len()).max(start_byte)),
                        ),
                );
            }
            _ => {
                let file = crate::escape::for_terminal(&d.location.file).into_owned();
                group = group.element(
                    annotate_snippets::Origin::path(file)
                        .line(d.location.line as usize)
                        .char_column(d.location.column as usize),
                );
            }
        }
        let mut groups = vec![group];
        if let Some(hint) = &d.hint {
            groups.push(Group::with_title(
                SnippetLevel::HELP.secondary_title(crate::escape::for_terminal(hint)),
            ));
        }
        let _ = writeln!(out, "{}", renderer.render(&groups));
    }
    out
}

/// The byte offset in `line` of 1-based character column `column`.
fn byte_of_column(line: &str, column: u32) -> usize {
    line.char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i)
}
