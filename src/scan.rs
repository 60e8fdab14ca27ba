//! Scanning one file: prefilter, language, comments, annotations. One [`Scanner`] per
//! walker thread holds that thread's parsers, one per language.

use std::collections::HashMap;
use std::time::Duration;

use tree_sitter::Parser;

use crate::annotation::{Annotation, BoundarySides, Finder, Form};
use crate::diagnostics::{Code, Diagnostic};
use crate::extract::{self, Extracted, plain_file_blocks};
use crate::languages::{Language, Languages, grammar, table};
use crate::location::Location;
use crate::prefilter::last_candidate;
use crate::source::Source;

/// What one file contributed.
#[derive(Debug, Default)]
pub struct FileResult {
    pub path: String,
    pub annotations: Vec<Annotation>,
    pub diagnostics: Vec<Diagnostic>,
}

/// How a file is read.
#[derive(Clone, Copy)]
pub enum FileKind {
    Plain,
    Code(&'static Language),
}

/// The kind of a file from its name, or `None` when only its content (a `#!` line) can
/// tell.
pub fn kind_by_name(path: &std::path::Path) -> Option<FileKind> {
    if Languages::is_plain_annotation_file(path) {
        return Some(FileKind::Plain);
    }
    table().by_path(path).map(FileKind::Code)
}

/// How the files of a scan were read, for `scan --stats` and the benchmarks: what the
/// shortcuts of extraction saved, and what they cost when they failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadCounts {
    /// Files read whole (from disk or git) and judged by the prefilter.
    pub read: usize,
    /// Files the prefilter passed: they may hold an annotation.
    pub candidates: usize,
    /// Code files whose comment header held every candidate: no parse.
    pub header_only: usize,
    /// Parses of a prefix that was enough.
    pub prefix_parses: usize,
    /// Parses of a whole file, among them those after a prefix that was not enough.
    pub whole_parses: usize,
    pub reparsed: usize,
    pub timed_out: usize,
    pub parsed_bytes: u64,
}

impl ReadCounts {
    pub fn add(&mut self, other: &ReadCounts) {
        self.read += other.read;
        self.candidates += other.candidates;
        self.header_only += other.header_only;
        self.prefix_parses += other.prefix_parses;
        self.whole_parses += other.whole_parses;
        self.reparsed += other.reparsed;
        self.timed_out += other.timed_out;
        self.parsed_bytes += other.parsed_bytes;
    }

    fn count(&mut self, extracted: &Extracted, len: usize) {
        if extracted.timed_out {
            self.timed_out += 1;
        } else if extracted.parsed_bytes == 0 {
            self.header_only += 1;
        } else if extracted.parsed_bytes < len {
            self.prefix_parses += 1;
        } else {
            self.whole_parses += 1;
        }
        self.reparsed += usize::from(extracted.reparsed);
        self.parsed_bytes += extracted.parsed_bytes as u64;
    }
}

/// A walker thread's state: its parsers, created on first use.
pub struct Scanner {
    parsers: HashMap<usize, Parser>,
    deadline: Duration,
    pub counts: ReadCounts,
}

impl Scanner {
    pub fn new(deadline: Duration) -> Scanner {
        Scanner {
            parsers: HashMap::new(),
            deadline,
            counts: ReadCounts::default(),
        }
    }

    /// Scans one file's content. `kind` is `None` for a file whose name says nothing; its
    /// `#!` line decides, or it is not scanned.
    pub fn scan(
        &mut self,
        path: &str,
        bytes: Vec<u8>,
        kind: Option<FileKind>,
    ) -> Option<FileResult> {
        let kind = match kind {
            Some(kind) => kind,
            None => FileKind::Code(table().by_shebang(&bytes)?),
        };
        let keys = matches!(kind, FileKind::Code(l) if l.threatspec_keys);
        self.counts.read += 1;
        last_candidate(&bytes, keys)?;
        self.counts.candidates += 1;
        let source = Source::new(bytes);
        // Offsets of the prepared bytes (a BOM is dropped), for the prefix parse.
        let must_cover = last_candidate(&source.bytes, keys).unwrap_or(source.bytes.len());
        let mut result = FileResult {
            path: path.to_string(),
            ..FileResult::default()
        };
        let extracted = match kind {
            FileKind::Plain => Extracted {
                blocks: plain_file_blocks(&source),
                ..Extracted::default()
            },
            FileKind::Code(language) => {
                let deadline = self.deadline;
                let parser = self.parser(language)?;
                let extracted = extract::extract(&source, language, parser, deadline, must_cover);
                self.counts.count(&extracted, source.bytes.len());
                extracted
            }
        };
        let Extracted {
            blocks,
            timed_out,
            key_annotations,
            symbols,
            ..
        } = extracted;
        if timed_out {
            result.diagnostics.push(
                Diagnostic::new(
                    Code::ParseTimeout,
                    Location::new(path, 1, 1),
                    format!(
                        "parsing took longer than {} ms; comments were read line by line instead",
                        self.deadline.as_millis()
                    ),
                )
                .hint("a generated or minified file is better excluded with `--exclude`"),
            );
        }
        let source_line = |line: u32| source.line_text(line);
        let mut finder = match kind {
            FileKind::Plain => Finder::for_plain_file(path, &source_line),
            FileKind::Code(_) => Finder::new(path, &source_line),
        };
        for (i, block) in blocks.iter().enumerate() {
            let before = finder.found.annotations.len();
            finder.block(block);
            if let Some(symbol) = symbols.get(i).and_then(Option::as_ref) {
                for a in &mut finder.found.annotations[before..] {
                    a.symbol.get_or_insert_with(|| symbol.clone());
                }
            }
        }
        result.annotations = finder.found.annotations;
        // The text is as written: without the `:` given to mapping keys for the Finder.
        for a in &mut result.annotations {
            if key_annotations.contains(&(a.location.line, a.location.column))
                && let Some(text) = a.text.strip_suffix(':')
            {
                a.text = text.to_string();
            }
        }
        result.diagnostics.extend(finder.found.diagnostics);
        result
            .annotations
            .sort_by(|a, b| a.location.cmp(&b.location));
        result
            .diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        compact(&mut result);
        Some(result)
    }

    fn parser(&mut self, language: &Language) -> Option<&mut Parser> {
        use std::collections::hash_map::Entry;
        match self.parsers.entry(language.index) {
            Entry::Occupied(e) => Some(e.into_mut()),
            Entry::Vacant(e) => {
                let mut parser = Parser::new();
                parser.set_language(&grammar(&language.grammar)?).ok()?;
                Some(e.insert(parser))
            }
        }
    }
}

/// Drops the spare room of a file's result: results are held until the model is built,
/// and on a large tree the room vectors grow into adds up (a quarter of each file's
/// annotations, three quarters of a flow's mechanism parts).
fn compact(result: &mut FileResult) {
    result.annotations.shrink_to_fit();
    result.diagnostics.shrink_to_fit();
    for a in &mut result.annotations {
        a.refs.shrink_to_fit();
        match &mut a.form {
            Form::Connects {
                endpoints,
                mechanism_parts,
                ..
            } => {
                endpoints.shrink_to_fit();
                mechanism_parts.shrink_to_fit();
            }
            Form::Boundary {
                sides: BoundarySides::Around(members),
                ..
            } => members.shrink_to_fit(),
            Form::Handles { classes, .. } => classes.shrink_to_fit(),
            Form::Review { words, .. } => words.shrink_to_fit(),
            _ => {}
        }
    }
}
