//! Annotation diagnostics and findings as LSP diagnostics, on the lines they point at:
//! each with its code, a link to its section of `docs/rules.md`, its severity mapped, the
//! hint or fix, and the finding's related places.
//!
//! Publishing is by difference: the model's items are grouped per file, and a file is
//! published again only when its items changed (or it is the buffer just edited, which
//! always gets an answer for its new version). On a large tree a keystroke republishes the
//! files it touched, not every file with a finding.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{
    CodeDescription, Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity,
    Location as LspLocation, NumberOrString, Position, PublishDiagnosticsParams, Range, Uri,
};

use super::convert::{LineIndex, path_to_uri, utf16_of_column};
use super::documents::{Documents, Texts};
use super::workspace::{ConfigProblem, Folder};
use crate::analysis::Finding;
use crate::annotation::Severity;
use crate::diagnostics::{Diagnostic, Level};
use crate::model::Site;

/// What the model says about one file.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Items {
    /// The folder whose model these come from: related places resolve against it.
    pub root: PathBuf,
    pub diagnostics: Vec<Diagnostic>,
    pub findings: Vec<Finding>,
    pub config: Vec<ConfigProblem>,
}

/// Groups a folder's diagnostics and findings by the file they are written in.
pub fn group(folder: &Folder, out: &mut BTreeMap<PathBuf, Items>) {
    let model = &folder.model;
    fn entry<'a>(
        out: &'a mut BTreeMap<PathBuf, Items>,
        root: &Path,
        path: PathBuf,
    ) -> &'a mut Items {
        out.entry(path).or_insert_with(|| Items {
            root: root.to_path_buf(),
            ..Items::default()
        })
    }
    for d in &model.diagnostics {
        entry(out, &folder.root, folder.root.join(&d.location.file))
            .diagnostics
            .push(d.clone());
    }
    for f in &model.findings {
        let at = f.site.origin.as_ref().unwrap_or(&f.site.location);
        entry(out, &folder.root, folder.root.join(&at.file))
            .findings
            .push(f.clone());
    }
    if let Some(problem) = &folder.config_problem
        && let Some(path) = &problem.path
    {
        entry(out, &folder.root, path.clone())
            .config
            .push(problem.clone());
    }
}

/// The diagnostics last published, per file.
#[derive(Default)]
pub struct Publisher {
    last: HashMap<PathBuf, Items>,
    /// The client shows related information; otherwise the fix goes into the message.
    pub related_information: bool,
}

impl Publisher {
    /// The notifications that bring the editor up to date with `now`: files whose items
    /// changed, files that have none any more (cleared), and every file in `forced`.
    pub fn round(
        &mut self,
        now: BTreeMap<PathBuf, Items>,
        forced: &HashSet<PathBuf>,
        docs: &Documents,
    ) -> Vec<PublishDiagnosticsParams> {
        let mut texts = Texts::new(docs);
        let mut out = Vec::new();
        for (path, items) in &now {
            if forced.contains(path) || self.last.get(path) != Some(items) {
                let diagnostics = self.convert(path, items, docs, &mut texts);
                out.extend(params(path, diagnostics, docs));
            }
        }
        let cleared = self
            .last
            .keys()
            .chain(forced)
            .filter(|p| !now.contains_key(*p))
            .collect::<HashSet<_>>();
        for path in cleared {
            out.extend(params(path, Vec::new(), docs));
        }
        self.last = now.into_iter().collect();
        out
    }

    fn convert(
        &self,
        path: &Path,
        items: &Items,
        docs: &Documents,
        texts: &mut Texts,
    ) -> Vec<LspDiagnostic> {
        let open = docs.by_path(path).map(|d| d.text.clone());
        let missing = items.diagnostics.iter().any(|d| d.source_line.is_none())
            || items.findings.iter().any(|f| f.site.source_line.is_none());
        let text = match open {
            Some(text) => Some(text),
            None if missing => texts.get(path).map(str::to_string),
            None => None,
        };
        let place = Place {
            index: text.as_deref().map(LineIndex::new),
        };
        let mut out = Vec::new();
        for d in &items.diagnostics {
            let (start, end) = d.span.unwrap_or((
                d.location.column,
                d.location.column + (d.text.chars().count() as u32).max(1),
            ));
            let range = place.range(d.location.line, start, end, d.source_line.as_deref());
            let mut message = d.message.clone();
            if let Some(hint) = &d.hint {
                message.push_str("\nhelp: ");
                message.push_str(hint);
            }
            let severity = match d.severity {
                Level::Error => DiagnosticSeverity::ERROR,
                Level::Warning => DiagnosticSeverity::WARNING,
            };
            out.push(diagnostic(range, severity, d.code.as_str(), message, None));
        }
        for f in &items.findings {
            out.push(self.finding(&items.root, f, &place, texts));
        }
        for c in &items.config {
            let range = place.range(c.line, c.column, c.column + 1, None);
            let mut d = diagnostic(
                range,
                DiagnosticSeverity::ERROR,
                "config",
                c.message.clone(),
                None,
            );
            d.code_description = None;
            out.push(d);
        }
        out.sort_by_key(|d| (d.range.start, d.range.end));
        out
    }

    fn finding(&self, root: &Path, f: &Finding, place: &Place, texts: &mut Texts) -> LspDiagnostic {
        let at = f.site.origin.as_ref().unwrap_or(&f.site.location);
        let width = f.site.text.chars().count().max(1) as u32;
        let range = place.range(
            at.line,
            at.column,
            at.column + width,
            f.site.source_line.as_deref(),
        );
        let mut message = f.message.clone();
        let mut related = Vec::new();
        if let Some(fix) = &f.fix {
            if self.related_information {
                if let Some(uri) = path_to_uri(&root.join(&at.file)) {
                    related.push(DiagnosticRelatedInformation {
                        location: LspLocation::new(uri, range),
                        message: format!("fix: {fix}"),
                    });
                }
            } else {
                message.push_str("\nfix: ");
                message.push_str(fix);
            }
        }
        for r in &f.related {
            if let Some(location) = site_location(root, &r.site, texts) {
                related.push(DiagnosticRelatedInformation {
                    location,
                    message: r.message.clone(),
                });
            }
        }
        diagnostic(
            range,
            severity(f.severity),
            f.code.as_str(),
            message,
            (!related.is_empty()).then_some(related),
        )
    }
}

/// LSP severity of a finding: critical and high are errors, medium a warning, low
/// information and info (coverage hints) a hint.
pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Critical | Severity::High => DiagnosticSeverity::ERROR,
        Severity::Medium => DiagnosticSeverity::WARNING,
        Severity::Low => DiagnosticSeverity::INFORMATION,
        Severity::Info => DiagnosticSeverity::HINT,
    }
}

fn diagnostic(
    range: Range,
    severity: DiagnosticSeverity,
    code: &str,
    message: String,
    related: Option<Vec<DiagnosticRelatedInformation>>,
) -> LspDiagnostic {
    LspDiagnostic {
        range,
        severity: Some(severity),
        code: Some(NumberOrString::String(code.to_string())),
        code_description: Uri::from_str(&crate::output::sarif::help_uri(code))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("threatline".to_string()),
        message,
        related_information: related,
        tags: None,
        data: None,
    }
}

/// Converts the model's columns on one file's lines.
struct Place<'a> {
    index: Option<LineIndex<'a>>,
}

impl Place<'_> {
    /// The range of scalar columns `[start, end)` on `line`: from the file's text when
    /// there is one, else from the line the item carries.
    fn range(&self, line: u32, start: u32, end: u32, hint: Option<&str>) -> Range {
        let line0 = line.saturating_sub(1);
        match (&self.index, hint) {
            (Some(index), _) => {
                let width = index.line(line0 as usize).chars().count() as u32 + 1;
                index.range(line, start, end.min(width).max(start))
            }
            (None, Some(text)) => {
                let width = text.chars().count() as u32 + 1;
                let end = end.min(width).max(start);
                Range::new(
                    Position::new(line0, utf16_of_column(text, start)),
                    Position::new(line0, utf16_of_column(text, end)),
                )
            }
            (None, None) => Range::new(
                Position::new(line0, start.saturating_sub(1)),
                Position::new(line0, end.saturating_sub(1)),
            ),
        }
    }
}

/// The LSP location of a site (where it is written), its columns converted: from the open
/// buffer, else the line the site carries, else the file on disk.
pub fn site_location(root: &Path, site: &Site, texts: &mut Texts) -> Option<LspLocation> {
    let at = site.origin.as_ref().unwrap_or(&site.location);
    let path = root.join(&at.file);
    let width = site.text.chars().count().max(1) as u32;
    let range = range_in(
        texts,
        &path,
        at.line,
        (at.column, at.column + width),
        site.source_line.as_deref(),
    );
    Some(LspLocation::new(path_to_uri(&path)?, range))
}

/// The range of scalar columns `[start, end)` on `line` of a file.
pub fn range_in(
    texts: &mut Texts,
    path: &Path,
    line: u32,
    (start, end): (u32, u32),
    hint: Option<&str>,
) -> Range {
    let text = match (texts.open(path), hint) {
        (Some(text), _) => Some(text.to_string()),
        (None, Some(_)) => None,
        (None, None) => texts.get(path).map(str::to_string),
    };
    Place {
        index: text.as_deref().map(LineIndex::new),
    }
    .range(line, start, end, hint)
}

fn params(
    path: &Path,
    diagnostics: Vec<LspDiagnostic>,
    docs: &Documents,
) -> Option<PublishDiagnosticsParams> {
    let doc = docs.by_path(path);
    let uri = match doc {
        Some(d) => d.uri.clone(),
        None => path_to_uri(path)?,
    };
    Some(PublishDiagnosticsParams {
        uri,
        diagnostics,
        version: doc.map(|d| d.version),
    })
}
