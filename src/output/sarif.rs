//! SARIF 2.1.0 for GitHub code scanning (SPEC §7), built from the typed `serde-sarif` model so
//! the structure cannot drift from the standard.
//!
//! Code scanning reads `security-severity` from the rule (reportingDescriptor) alone, never
//! from a result, so a risk finding's rule is `code/severity` (`unprotected-crossing/critical`):
//! one descriptor per risk rule and severity, each with its own score. Diagnostics and
//! coverage hints are quality alerts (no `security` tag, no score) under their plain code.
//! An attack path carries its hops as a `codeFlows` thread flow, in hop order, which code
//! scanning shows as a path (as for CodeQL's path queries), and as related locations.
//! What code scanning reads, and how each point is tested, is in `docs/ci.md` ("What code
//! scanning reads") and `tests/sarif.rs`.

mod code_flow;

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, RunAutomationDetails, Sarif, Tool, ToolComponent,
};

use crate::analysis::rules::{self, unindent};
use crate::analysis::{Finding, RuleCode};
use crate::annotation::Severity;
use crate::diagnostics::{Diagnostic, Level};
use crate::location::Location as Loc;
use crate::model::{Model, Site};

const FINGERPRINT_KEY: &str = "threatline/v1";

/// The base every `artifactLocation.uri` is relative to: the repository root.
const SRCROOT: &str = "%SRCROOT%";

/// Where `helpUri` and `informationUri` point when `Cargo.toml` has no `repository` key: a
/// placeholder until the package names its repository (the links are built from
/// `CARGO_PKG_REPOSITORY` as soon as it does).
const PLACEHOLDER_REPOSITORY: &str = "https://github.com/threatline/threatline";

/// GitHub's limit on `shortDescription.text` and `fullDescription.text`.
const DESCRIPTION_LIMIT: usize = 1024;

/// The severities a risk rule has one descriptor for, most severe first.
const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// What goes into the log besides the model: where the scanned root sits in the repository,
/// and the analysis category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SarifOptions {
    /// The scanned root relative to the repository root, `/`-separated: `""` when the root
    /// is the repository, else ending in `/` (`services/api/`; one is added if missing).
    /// Code scanning resolves every URI against the repository root, so `check services/api`
    /// must report `services/api/app.py`, not `app.py`.
    pub path_prefix: String,
    /// `automationDetails.id`: code scanning's category, `category/` or `category/run-id`
    /// (`threatline/`, `threatline/services-api/`). One category per uploaded log: a second
    /// upload in the same category replaces the first. Empty: no `automationDetails`, so the
    /// upload action's own `category` input applies (it never overrides one the log has).
    pub category: String,
}

impl Default for SarifOptions {
    fn default() -> Self {
        SarifOptions {
            path_prefix: String::new(),
            category: "threatline/".to_string(),
        }
    }
}

/// The repository the documentation links point into, without a trailing `/` or `.git`.
pub fn repository_url() -> &'static str {
    let declared = env!("CARGO_PKG_REPOSITORY").trim();
    let url = if declared.is_empty() {
        PLACEHOLDER_REPOSITORY
    } else {
        declared
    };
    let url = url.trim_end_matches('/');
    url.strip_suffix(".git").unwrap_or(url)
}

/// A code's section in `docs/rules.md` (its heading is the code, so the anchor is too).
pub fn help_uri(code: &str) -> String {
    format!("{}/blob/main/docs/rules.md#{code}", repository_url())
}

/// GitHub's `security-severity` (over 9.0 critical, 7.0 to 8.9 high, 4.0 to 6.9 medium, 0.1 to
/// 3.9 low); info has none, as 0.0 means "no security severity" there.
pub fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("3.0"),
        Severity::Info => None,
    }
}

fn level_of(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

fn level_name(level: ResultLevel) -> &'static str {
    match level {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        ResultLevel::Note => "note",
        ResultLevel::None => "none",
    }
}

/// `problem.severity`, code scanning's ordering of non-security alerts.
fn problem_severity(level: ResultLevel) -> &'static str {
    match level {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        ResultLevel::Note | ResultLevel::None => "recommendation",
    }
}

/// How code scanning files a finding rule's results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A risk: a security alert, one descriptor per severity.
    Risk,
    /// A coverage hint (`stride-gap`, `untested-control`) or an open question
    /// (`open-review`): a quality alert.
    Hint,
}

/// Risk findings are security alerts; coverage hints and reviews (a question left in the
/// code, never failing the gate by default) are not.
fn kind(rule: &rules::Rule) -> Kind {
    if rule.coverage_hint || rule.code == RuleCode::OpenReview {
        Kind::Hint
    } else {
        Kind::Risk
    }
}

/// A risk rule's id for one severity.
pub fn risk_rule_id(code: RuleCode, severity: Severity) -> String {
    format!("{}/{}", code.as_str(), severity.as_str())
}

/// How often a rule's results are true (`precision`: very-high, high, medium, low), which code
/// scanning sorts and filters on.
fn precision(code: &str) -> &'static str {
    match code {
        // Read straight off declared annotations.
        "unmitigated-exposure"
        | "open-review"
        | "dangling-reference"
        | "duplicate-id"
        | "invalid-yaml"
        | "skipped-file"
        | "parse-timeout"
        | "baseline-orphan"
        | "foreign-config" => "very-high",
        // Heuristic: layer expectations, or prose told from a broken annotation.
        "stride-gap" | "prose-like" => "medium",
        // Zones inferred from paths, transports from their spelling, and the rest.
        _ => "high",
    }
}

/// The rule's friendly name: one Pascal identifier (the SARIF multitool's SARIF2012) that is
/// not its id in another case (SARIF1001 compares them ignoring case: `conflict` cannot be
/// named `Conflict`).
fn friendly_name(code: &str) -> String {
    let pascal: String = code
        .split(['-', '/', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase())
                .unwrap_or_default()
        })
        .collect();
    match code {
        "conflict" => "ConflictingDeclarations".to_string(),
        _ if pascal.eq_ignore_ascii_case(code) => pascal + "Problem",
        _ => pascal,
    }
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn properties(values: Vec<(&str, Value)>, tags: &[&str]) -> PropertyBag {
    let additional: BTreeMap<String, Value> = values
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let mut bag = PropertyBag::builder()
        .additional_properties(additional)
        .build();
    if !tags.is_empty() {
        bag.tags = Some(tags.iter().map(|t| t.to_string()).collect());
    }
    bag
}

/// Percent-encodes a relative path into a URI reference.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `path_prefix` as a clean relative directory: `/`-separated, no leading `./` or `/`, and
/// ending in `/` unless empty.
fn normalise_prefix(prefix: &str) -> String {
    let mut p = prefix.trim().replace('\\', "/");
    loop {
        if let Some(rest) = p.strip_prefix("./") {
            p = rest.to_string();
        } else if let Some(rest) = p.strip_prefix('/') {
            p = rest.to_string();
        } else {
            break;
        }
    }
    if p == "." {
        p.clear();
    }
    if !p.is_empty() && !p.ends_with('/') {
        p.push('/');
    }
    p
}

/// Plain text for a SARIF message: `\`, `[` and `]` escaped (SARIF §3.11.6, as CodeQL writes
/// them), so the only embedded links are the `[text](id)` written here; an annotation that
/// holds `[x](1)` stays text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `text` ending as a sentence (SARIF2001: messages end with a period).
fn sentence(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with(['.', '!', '?']) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

/// Writes the log's places: URIs relative to the repository root.
struct Places {
    prefix: String,
}

impl Places {
    fn artifact(&self, file: &str) -> ArtifactLocation {
        ArtifactLocation::builder()
            .uri(uri(&format!("{}{file}", self.prefix)))
            .uri_base_id(SRCROOT)
            .build()
    }

    /// A region from `start` to before column `end` on one line; without an end, to the end
    /// of the line (SARIF's default for an absent `endColumn`).
    fn location(&self, loc: &Loc, end: Option<u32>, message: Option<&str>) -> Location {
        let line = i64::from(loc.line.max(1));
        let start = loc.column.max(1);
        let mut region = Region::builder()
            .start_line(line)
            .start_column(i64::from(start))
            .end_line(line)
            .build();
        if let Some(end) = end.filter(|&e| e > start) {
            region.end_column = Some(i64::from(end));
        }
        let physical = PhysicalLocation::builder()
            .artifact_location(self.artifact(&loc.file))
            .region(region)
            .build();
        let mut location = Location::builder().physical_location(physical).build();
        if let Some(text) = message {
            location.message = Some(Message::builder().text(escape(text)).build());
        }
        location
    }

    /// A finding's or related site's location: the annotation from its `@` to the end of its
    /// text on that line, with its symbol as a logical location (the function, method or type
    /// the annotation belongs to). An annotation written in a sidecar stands for a line of
    /// code whose text it does not hold: the whole line.
    fn site(&self, site: &Site, message: Option<&str>) -> Location {
        let end = (site.origin.is_none() && !site.text.is_empty())
            .then(|| site.location.column.max(1) + site.text.chars().count() as u32);
        let mut location = self.location(&site.location, end, message);
        if let Some(symbol) = &site.symbol {
            let name = symbol.rsplit('.').next().unwrap_or(symbol);
            location.logical_locations = Some(vec![
                LogicalLocation::builder()
                    .name(name)
                    .fully_qualified_name(symbol.as_str())
                    .build(),
            ]);
        }
        location
    }
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

/// Markdown made plain: no heading marks, code fences or backticks.
fn plain(markdown: &str) -> String {
    let mut out = String::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            continue;
        }
        let line = match line.trim_start_matches('#') {
            rest if rest.len() < line.len() && rest.starts_with(' ') => rest.trim_start(),
            _ => line,
        };
        out.push_str(&line.replace('`', ""));
        out.push('\n');
    }
    out.trim_end().to_string() + "\n"
}

/// The first paragraph of a rule's documentation (after its first heading), as plain text of
/// at most [`DESCRIPTION_LIMIT`] characters, cut at a sentence where it has to be.
fn first_paragraph(doc: &str) -> String {
    let paragraph: Vec<&str> = doc
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty() || l.starts_with('#'))
        .take_while(|l| !l.is_empty())
        .collect();
    let text = plain(&paragraph.join(" ")).trim().to_string();
    if text.chars().count() <= DESCRIPTION_LIMIT {
        return text;
    }
    let cut: String = text.chars().take(DESCRIPTION_LIMIT - 1).collect();
    match cut.rfind(". ") {
        Some(end) => cut[..=end].to_string(),
        None => cut + "…",
    }
}

/// One reportingDescriptor.
struct Spec<'a> {
    id: String,
    name: String,
    code: &'a str,
    summary: &'a str,
    doc: &'a str,
    level: ResultLevel,
    security_severity: Option<&'static str>,
    tags: &'a [&'a str],
}

const RISK_TAGS: &[&str] = &["security", "threat-model"];
const HINT_TAGS: &[&str] = &["threat-model", "maintainability"];
const DIAGNOSTIC_TAGS: &[&str] = &["threat-model", "correctness"];

fn descriptor(spec: Spec) -> ReportingDescriptor {
    let doc = unindent(spec.doc);
    let mut values = vec![
        ("code", json!(spec.code)),
        ("precision", json!(precision(spec.code))),
        ("problem.severity", json!(problem_severity(spec.level))),
    ];
    if let Some(score) = spec.security_severity {
        values.push(("security-severity", json!(score)));
    }
    ReportingDescriptor::builder()
        .id(spec.id)
        .name(spec.name)
        .short_description(text(spec.summary))
        .full_description(text(&first_paragraph(&doc)))
        .help(
            MultiformatMessageString::builder()
                .text(plain(&doc))
                .markdown(doc)
                .build(),
        )
        .help_uri(help_uri(spec.code))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_name(spec.level)))
                .build(),
        )
        .properties(properties(values, spec.tags))
        .build()
}

/// Every rule the tool has, whatever this run found: risk rules once per severity, then the
/// coverage hints and reviews, then the diagnostics. Rules should not change between runs of
/// one tool version (code scanning's guidance), so the list does not depend on the results.
fn descriptors() -> Vec<ReportingDescriptor> {
    let mut out = Vec::new();
    for rule in rules::ALL {
        let code = rule.code.as_str();
        match kind(rule) {
            Kind::Risk => {
                for severity in SEVERITIES {
                    let score = security_severity(severity);
                    out.push(descriptor(Spec {
                        id: risk_rule_id(rule.code, severity),
                        name: capitalised(severity.as_str()) + &friendly_name(code),
                        code,
                        summary: rule.summary,
                        doc: rule.doc,
                        level: level_of(severity),
                        security_severity: score,
                        // Info sits below code scanning's Low: a note, not a security alert.
                        tags: if score.is_some() {
                            RISK_TAGS
                        } else {
                            HINT_TAGS
                        },
                    }));
                }
            }
            Kind::Hint => out.push(descriptor(Spec {
                id: code.to_string(),
                name: friendly_name(code),
                code,
                summary: rule.summary,
                doc: rule.doc,
                level: level_of(rule.default_severity),
                security_severity: None,
                tags: HINT_TAGS,
            })),
        }
    }
    for d in rules::DIAGNOSTICS {
        let code = d.code.as_str();
        out.push(descriptor(Spec {
            id: code.to_string(),
            name: friendly_name(code),
            code,
            summary: d.summary,
            doc: d.doc,
            level: diagnostic_level(d.code.severity()),
            security_severity: None,
            tags: DIAGNOSTIC_TAGS,
        }));
    }
    out
}

fn diagnostic_level(level: Level) -> ResultLevel {
    match level {
        Level::Error => ResultLevel::Error,
        Level::Warning => ResultLevel::Warning,
    }
}

/// The rule id of a finding: `code/severity` for a risk, the code otherwise.
fn finding_rule_id(f: &Finding) -> String {
    let risk = rules::ALL
        .iter()
        .find(|r| r.code == f.code)
        .is_none_or(|r| kind(r) == Kind::Risk);
    if risk {
        risk_rule_id(f.code, f.severity)
    } else {
        f.code.as_str().to_string()
    }
}

/// The rules array and each id's index; a code with no documentation (none today) gets a
/// bare rule, so no result ever names a rule the log lacks.
struct Rules {
    list: Vec<ReportingDescriptor>,
    index: HashMap<String, usize>,
}

impl Rules {
    fn new() -> Rules {
        let list = descriptors();
        let index = list
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        Rules { list, index }
    }

    fn index(&mut self, id: &str, code: &str, level: ResultLevel) -> usize {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        self.list.push(descriptor(Spec {
            id: id.to_string(),
            name: friendly_name(id),
            code,
            summary: code,
            doc: code,
            level,
            security_severity: None,
            tags: DIAGNOSTIC_TAGS,
        }));
        self.index.insert(id.to_string(), self.list.len() - 1);
        self.list.len() - 1
    }
}

/// The message: the finding, its related places as embedded links (`[text](id)`, which code
/// scanning renders as links to the related locations), then the fix.
fn finding_message(f: &Finding) -> String {
    let mut message = sentence(&escape(&f.message));
    if !f.related.is_empty() {
        let links: Vec<String> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| format!("[{}]({})", escape(&r.message), i + 1))
            .collect();
        message.push_str(&format!(" Related: {}.", links.join("; ")));
    }
    if let Some(fix) = &f.fix {
        message.push_str(" Fix: ");
        message.push_str(&sentence(&escape(fix)));
    }
    message
}

fn finding_result(model: &Model, f: &Finding, rules: &mut Rules, places: &Places) -> SarifResult {
    let level = level_of(f.severity);
    let rule_id = finding_rule_id(f);
    let index = rules.index(&rule_id, f.code.as_str(), level);
    let mut values = vec![
        ("code", json!(f.code.as_str())),
        ("severity", json!(f.severity.as_str())),
    ];
    if !f.owners.is_empty() {
        values.push(("owners", json!(f.owners)));
    }
    let mut result = SarifResult::builder()
        .rule_id(rule_id)
        .rule_index(index as i64)
        .level(level)
        .message(Message::builder().text(finding_message(f)).build())
        .locations(vec![places.site(&f.site, None)])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            f.fingerprint.clone(),
        )]))
        .properties(properties(values, &[]))
        .build();
    if !f.related.is_empty() {
        result.related_locations = Some(
            f.related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut l = places.site(&r.site, Some(&r.message));
                    l.id = Some(i as i64 + 1);
                    l
                })
                .collect(),
        );
    }
    result.code_flows = code_flow::code_flow(model, f, places).map(|flow| vec![flow]);
    result
}

fn diagnostic_result(d: &Diagnostic, rules: &mut Rules, places: &Places) -> SarifResult {
    let level = diagnostic_level(d.severity);
    let word = match d.severity {
        Level::Error => "error",
        Level::Warning => "warning",
    };
    let mut message = sentence(&escape(&d.message));
    if let Some(hint) = &d.hint {
        message.push(' ');
        message.push_str(&sentence(&escape(hint)));
    }
    let code = d.code.as_str();
    let index = rules.index(code, code, level);
    // The underlined span, from the diagnostic's column to the span's end.
    let end = d.span.map(|(_, end)| end);
    SarifResult::builder()
        .rule_id(code)
        .rule_index(index as i64)
        .level(level)
        .message(Message::builder().text(message).build())
        .locations(vec![places.location(&d.location, end, None)])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            d.fingerprint(),
        )]))
        .properties(properties(
            vec![("code", json!(code)), ("severity", json!(word))],
            &[],
        ))
        .build()
}

/// The SARIF log of a checked model.
pub fn to_sarif(model: &Model, options: &SarifOptions) -> String {
    let places = Places {
        prefix: normalise_prefix(&options.path_prefix),
    };
    let mut rules = Rules::new();
    let mut results: Vec<SarifResult> = model
        .findings
        .iter()
        .map(|f| finding_result(model, f, &mut rules, &places))
        .collect();
    results.extend(
        model
            .diagnostics
            .iter()
            .map(|d| diagnostic_result(d, &mut rules, &places)),
    );
    let driver = ToolComponent::builder()
        .name("threatline")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(repository_url())
        .rules(rules.list)
        .build();
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .original_uri_base_ids(BTreeMap::from([(
            SRCROOT.to_string(),
            ArtifactLocation::builder()
                .description(
                    Message::builder()
                        .text("The repository root; every artifact URI is relative to it.")
                        .build(),
                )
                .build(),
        )]))
        .build();
    let category = options.category.trim();
    if !category.is_empty() {
        let id = if category.ends_with('/') {
            category.to_string()
        } else {
            format!("{category}/")
        };
        run.automation_details = Some(RunAutomationDetails::builder().id(id).build());
    }
    let log = Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json")
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut out = serde_json::to_string_pretty(&log).expect("SARIF serialises");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_become_relative_directories() {
        for (given, want) in [
            ("", ""),
            (".", ""),
            ("./", ""),
            ("services/api", "services/api/"),
            ("./services/api/", "services/api/"),
            ("/services\\api", "services/api/"),
        ] {
            assert_eq!(normalise_prefix(given), want, "{given:?}");
        }
    }

    #[test]
    fn names_are_pascal_and_never_the_id_in_another_case() {
        assert_eq!(friendly_name("conflict"), "ConflictingDeclarations");
        assert_eq!(friendly_name("unprotected-crossing"), "UnprotectedCrossing");
        assert_eq!(friendly_name("odd"), "OddProblem");
    }

    #[test]
    fn messages_escape_brackets_and_end_as_sentences() {
        assert_eq!(escape(r"a [x](1) \ b"), r"a \[x\](1) \\ b");
        assert_eq!(sentence("done"), "done.");
        assert_eq!(sentence("done?"), "done?");
    }

    #[test]
    fn plain_help_has_no_markup() {
        let doc = "## What it finds\n\nA `@exposes` line.\n\n```go\n// @exposes A to B\n```\n";
        assert_eq!(
            plain(doc),
            "What it finds\n\nA @exposes line.\n\n// @exposes A to B\n"
        );
        assert_eq!(first_paragraph(doc), "A @exposes line.");
    }
}
