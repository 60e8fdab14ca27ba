//! The annotation language (SPEC §3): finds annotation lines in comment blocks and parses
//! each into a typed [`Annotation`], or a diagnostic that says why not.

mod forms;
pub(crate) mod lexer;
mod parse;
mod qualifiers;
pub mod syntax;
// Public for the fuzz target and the hostile-input tests, which feed it blocks directly.
pub mod yaml_block;

pub use parse::{ParseError, Parsed, parse_arguments};
pub use syntax::*;

use crate::diagnostics::{Code, Diagnostic};
use crate::extract::CommentLine;
use crate::location::Location;

/// What one file contributes before resolution.
#[derive(Debug, Default)]
pub struct FileAnnotations {
    pub annotations: Vec<Annotation>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Walks the comment blocks of one file and collects annotations and diagnostics.
pub struct Finder<'a> {
    file: &'a str,
    source_line: &'a dyn Fn(u32) -> Option<String>,
    /// Inside GuardLink's `@shield:begin` ... `@shield:end`: nothing is read.
    shielded: bool,
    /// Reading a plain annotation file (`.gal`, `.threatline`), where `@source` anchors
    /// the annotations after it in the code; elsewhere `@source` is ignored, as GuardLink
    /// ignores it.
    reads_anchors: bool,
    /// The last `@source` of a plain file.
    anchor: Option<SourceAnchor>,
    /// The last line asked for, as [`Finder::source_line`] gives it.
    last_line: Option<(u32, Option<String>)>,
    pub found: FileAnnotations,
}

/// A source line longer than this is not kept with each annotation and diagnostic on it
/// (outputs show the annotation's own text instead). A minified line holds many
/// comments: copying the whole line into each took 12 GB for a 300 KB file.
pub const MAX_SOURCE_LINE: usize = 1024;

/// The word after `@` at the start of `text`, when it ends where a verb ends (SPEC §3.1):
/// `@Component(` and `@testing.fixture` give none.
fn verb_word(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('@')?;
    let end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    (end > 0 && ends_verb(rest.as_bytes().get(end).copied())).then_some(&rest[..end])
}

fn chars(s: &str) -> u32 {
    s.chars().count() as u32
}

impl<'a> Finder<'a> {
    pub fn new(file: &'a str, source_line: &'a dyn Fn(u32) -> Option<String>) -> Self {
        Finder {
            file,
            source_line,
            shielded: false,
            reads_anchors: false,
            anchor: None,
            last_line: None,
            found: FileAnnotations::default(),
        }
    }

    /// A finder for a plain annotation file, which honours `@source` anchors.
    pub fn for_plain_file(file: &'a str, source_line: &'a dyn Fn(u32) -> Option<String>) -> Self {
        Finder {
            reads_anchors: true,
            ..Finder::new(file, source_line)
        }
    }

    /// Reads one comment block: consecutive lines of one comment, or of merged line comments.
    pub fn block(&mut self, lines: &[CommentLine]) {
        let mut i = 0;
        while i < lines.len() {
            let consumed = self.line(lines, i);
            i += consumed.max(1);
        }
    }

    /// Reads the annotation starting at `lines[i]`, if any; returns how many lines it used.
    fn line(&mut self, lines: &[CommentLine], i: usize) -> usize {
        let line = &lines[i];
        let trimmed = line.text.trim_start();
        if !trimmed.starts_with('@') {
            return 1;
        }
        if is_marker(trimmed, "@shield:begin") {
            self.shielded = true;
            return 1;
        }
        if is_marker(trimmed, "@shield:end") {
            self.shielded = false;
            return 1;
        }
        if self.shielded {
            return 1;
        }
        if is_marker(trimmed, "@source") {
            if self.reads_anchors {
                self.source(line, trimmed);
            }
            return 1;
        }
        let Some(word) = verb_word(trimmed) else {
            return 1;
        };
        if word == "skip" {
            return 1;
        }
        let Some(verb) = Verb::from_word(word) else {
            return 1;
        };
        if says_nothing(&trimmed[1 + word.len()..]) {
            return 1;
        }
        let column = line.column + chars(&line.text[..line.text.len() - trimmed.len()]);
        let location = Location::new(self.file, line.line, column);
        let text = trimmed.trim_end();
        let mut args = &text[1 + word.len()..];
        let args_column = column + 1 + chars(word);

        // A line ending in `:` opens a YAML block of the lines that follow, up to a blank
        // line or the end of the comment.
        let mut used = 1;
        let mut yaml_lines: Vec<&str> = Vec::new();
        if let Some(stripped) = args.strip_suffix(':') {
            args = stripped;
            while let Some(next) = lines.get(i + used) {
                let t = next.text.trim();
                if t.is_empty() || t.starts_with('@') {
                    break;
                }
                yaml_lines.push(&next.text);
                used += 1;
            }
        }
        // `-- "..."` lines right below append to the description.
        let mut continuation = Vec::new();
        if yaml_lines.is_empty() {
            while let Some(more) = lines.get(i + used).and_then(|l| continuation_text(&l.text)) {
                continuation.push(more);
                used += 1;
            }
        }

        let column_of = |offset: usize| args_column + chars(&args[..offset.min(args.len())]);
        match parse_arguments(verb, args, &column_of) {
            Ok(parsed) => {
                let mut description = parsed.description;
                for more in continuation {
                    description = Some(match description {
                        Some(d) => format!("{d} {more}"),
                        None => more,
                    });
                }
                let fields = if yaml_lines.is_empty() {
                    None
                } else {
                    match yaml_block::parse_block(&yaml_lines) {
                        Ok(fields) => Some(Box::new(fields)),
                        Err(e) => {
                            let bad = &lines[i + 1 + e.line.min(yaml_lines.len() - 1)];
                            let indent =
                                chars(&bad.text[..bad.text.len() - bad.text.trim_start().len()]);
                            let bad_column = bad.column + e.column.map_or(indent, |c| c as u32);
                            let loc = Location::new(self.file, bad.line, bad_column);
                            let diagnostic =
                                Diagnostic::new(Code::InvalidYaml, loc, format!("invalid YAML block: {}", e.message))
                                    .hint("indent the block's `key: value` lines under the annotation, and end it with a blank line")
                                    .text(bad.text.trim());
                            self.push(
                                diagnostic,
                                bad.line,
                                bad_column,
                                bad.column + chars(bad.text.trim_end()),
                            );
                            None
                        }
                    }
                };
                let source_line = self.source_line(line.line);
                // After a sidecar's `@source`, the annotation stands for that place in
                // the code; where it is written is kept as its origin.
                let (location, origin, symbol) = match &self.anchor {
                    Some(anchor) => (
                        Location::new(anchor.file.clone(), anchor.line, 1),
                        Some(location),
                        anchor.symbol.clone(),
                    ),
                    None => (location, None, None),
                };
                self.found.annotations.push(Annotation {
                    verb,
                    form: parsed.form,
                    qualifiers: parsed.qualifiers.into(),
                    refs: parsed.refs,
                    description,
                    fields,
                    location,
                    symbol,
                    origin,
                    text: text.to_string(),
                    source_line,
                });
            }
            Err(e) => {
                // A sentence-shaped name outweighs a keyword: "@exposes the buffer to
                // userspace, which is fine." is prose that happens to hold `to`.
                let malformed = if e.reads_as_prose {
                    has_ref_or_description(args)
                } else {
                    has_structural_evidence(verb, args)
                };
                let (code, message) = if malformed {
                    (
                        Code::MalformedAnnotation,
                        format!("malformed `@{word}`: {}", e.message),
                    )
                } else {
                    (
                        Code::ProseLike,
                        format!(
                            "`@{word}` starts a line but does not read as an annotation ({})",
                            e.message
                        ),
                    )
                };
                let hint = if code == Code::ProseLike {
                    format!(
                        "{}; if this is prose, put `@skip` before it or reword it",
                        e.hint
                    )
                } else {
                    e.hint
                };
                let diagnostic = Diagnostic::new(code, location.clone(), message)
                    .hint(hint)
                    .text(text);
                let start = column_of(e.offset).max(column);
                let end = column + chars(text);
                self.push(diagnostic, line.line, start, end);
            }
        }
        used
    }

    /// `@source file:<path> line:<n> [symbol:<name>]`: the annotations after it, up to the
    /// next `@source`, stand for that place in the code. A malformed one is an error and
    /// changes nothing, so what follows stays where the last good one put it.
    fn source(&mut self, line: &CommentLine, trimmed: &str) {
        let text = trimmed.trim_end();
        match SourceAnchor::parse(&text["@source".len()..]) {
            Some(anchor) => self.anchor = Some(anchor),
            None => {
                let column = line.column + chars(&line.text[..line.text.len() - trimmed.len()]);
                let diagnostic = Diagnostic::new(
                    Code::MalformedAnnotation,
                    Location::new(self.file, line.line, column),
                    "malformed `@source`: it needs `file:<path> line:<n>`, then at most `symbol:<name>`".to_string(),
                )
                .hint("write `@source file:src/app.py line:42 symbol:handler`, each on one line, nothing after")
                .text(text);
                self.push(diagnostic, line.line, column, column + chars(text));
            }
        }
    }

    /// The text of source line `line` if it is at most [`MAX_SOURCE_LINE`] bytes long.
    /// Remembered, so a long line of many annotations is decoded once, not once each.
    fn source_line(&mut self, line: u32) -> Option<String> {
        match &self.last_line {
            Some((last, text)) if *last == line => text.clone(),
            _ => {
                let text = (self.source_line)(line).filter(|t| t.len() <= MAX_SOURCE_LINE);
                self.last_line = Some((line, text.clone()));
                text
            }
        }
    }

    fn push(&mut self, diagnostic: Diagnostic, line: u32, start: u32, end: u32) {
        let diagnostic = match self.source_line(line) {
            Some(source) => diagnostic.source(source, (start, end.max(start + 1))),
            None => diagnostic,
        };
        self.found.diagnostics.push(diagnostic);
    }
}

/// Where a sidecar's annotations stand in the code (GuardLink's `@source`).
#[derive(Debug, Clone)]
struct SourceAnchor {
    file: String,
    line: u32,
    symbol: Option<String>,
}

impl SourceAnchor {
    /// `file:<path> line:<n> [symbol:<name>]`, in that order, nothing else.
    fn parse(args: &str) -> Option<SourceAnchor> {
        let mut words = args.split_whitespace();
        let file = words.next()?.strip_prefix("file:")?;
        let line = words
            .next()?
            .strip_prefix("line:")?
            .parse::<u32>()
            .ok()
            .filter(|&n| n >= 1)?;
        let symbol = match words.next() {
            Some(word) => Some(word.strip_prefix("symbol:").filter(|s| !s.is_empty())?),
            None => None,
        };
        if words.next().is_some() {
            return None;
        }
        // As the walker names files: `/`-separated, no leading `./`, so an anchored
        // annotation and one written in that file's comments name the same file.
        let file = file.replace('\\', "/");
        let file = file.trim_start_matches("./");
        (!file.is_empty()).then(|| SourceAnchor {
            file: file.to_string(),
            line,
            symbol: symbol.map(str::to_string),
        })
    }
}

/// Whether `text` is the marker `marker`, alone or followed by whitespace (a reason).
fn is_marker(text: &str, marker: &str) -> bool {
    text.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
}

/// A verb with nothing after it says nothing (Vue styleguidist's bare `@component` tag),
/// and `@verb: text` is how kernel-doc, JSDoc and others describe a parameter that happens
/// to be named like a verb (`@control: the register to program`). Neither is an
/// annotation at all, rather than a warning on every such file. A lone `@verb:` still
/// opens a YAML block.
fn says_nothing(after_verb: &str) -> bool {
    after_verb.trim().is_empty()
        || after_verb
            .strip_prefix(':')
            .is_some_and(|rest| !rest.trim().is_empty())
}

/// The text of a `-- "..."` continuation line (quotes and escapes removed), or `None` when
/// the line is not one. `---` (a rule, a YAML document marker) and a bare `--` are not.
fn continuation_text(line: &str) -> Option<String> {
    let rest = line.trim().strip_prefix("--")?;
    if !(rest.starts_with(char::is_whitespace) || rest.starts_with('"')) {
        return None;
    }
    let rest = rest.trim();
    if rest.starts_with('"')
        && let Some((text, _)) = lexer::read_quoted(rest)
    {
        return Some(text);
    }
    (!rest.is_empty()).then(|| rest.to_string())
}

/// SPEC §3.3: a `#ref`, a ` -- ` delimiter, or a keyword of the verb's form.
fn has_structural_evidence(verb: Verb, args: &str) -> bool {
    if has_ref_or_description(args) {
        return true;
    }
    let keywords = verb.evidence_keywords();
    args.split_whitespace().any(|word| {
        keywords.iter().any(|k| word.eq_ignore_ascii_case(k))
            || (keywords.contains(&"->") && word.contains("->"))
            || (keywords.contains(&"|") && word.contains('|'))
    })
}

/// The evidence no prose carries: a `#ref` or a ` -- ` description delimiter.
fn has_ref_or_description(args: &str) -> bool {
    let has_ref = args.char_indices().any(|(i, c)| {
        c == '#'
            && args[i + 1..]
                .chars()
                .next()
                .is_some_and(|n| n.is_alphanumeric() || n == '_')
    });
    has_ref || parse::find_description_delimiter(args).is_some()
}

#[cfg(test)]
mod tests;
