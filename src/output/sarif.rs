//! SARIF 2.1.0 for code scanning (SPEC §7), built from the typed `serde-sarif` model so the
//! structure cannot drift from the standard.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use crate::analysis::Finding;
use crate::analysis::rules::{self, unindent};
use crate::annotation::Severity;
use crate::diagnostics::{Diagnostic, Level};
use crate::location::Location as Loc;
use crate::model::{Model, Site};

const FINGERPRINT_KEY: &str = "threatline/v1";

/// GitHub code scanning reads `security-severity` (0.0 to 10.0) from rule properties.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn level_of(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

fn level_name(level: &ResultLevel) -> &'static str {
    match level {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        ResultLevel::Note => "note",
        ResultLevel::None => "none",
    }
}

fn properties(values: &[(&str, Value)], tags: &[&str]) -> PropertyBag {
    let additional: BTreeMap<String, Value> = values
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
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

/// A finding's or related site's location, with its symbol as a logical location (the
/// function, method or type the annotation belongs to).
fn site_location(site: &Site, message: Option<&str>) -> Location {
    let mut location = location(&site.location, message);
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

fn location(loc: &Loc, message: Option<&str>) -> Location {
    let region = Region::builder()
        .start_line(i64::from(loc.line.max(1)))
        .start_column(i64::from(loc.column.max(1)))
        .build();
    let physical = PhysicalLocation::builder()
        .artifact_location(
            ArtifactLocation::builder()
                .uri(uri(&loc.file))
                .uri_base_id("%SRCROOT%")
                .build(),
        )
        .region(region)
        .build();
    let mut location = Location::builder().physical_location(physical).build();
    if let Some(text) = message {
        location.message = Some(Message::builder().text(text).build());
    }
    location
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

fn descriptors() -> Vec<ReportingDescriptor> {
    let mut out = Vec::new();
    for rule in rules::ALL {
        out.push(descriptor(
            rule.code.as_str(),
            rule.summary,
            rule.doc,
            level_of(rule.default_severity),
            security_severity(rule.default_severity),
        ));
    }
    for d in rules::DIAGNOSTICS {
        let (level, score) = if d.code.severity() == Level::Error {
            (ResultLevel::Error, "7.0")
        } else {
            (ResultLevel::Warning, "3.0")
        };
        out.push(descriptor(d.code.as_str(), d.summary, d.doc, level, score));
    }
    out
}

fn descriptor(
    code: &str,
    summary: &str,
    doc: &str,
    level: ResultLevel,
    score: &str,
) -> ReportingDescriptor {
    let doc = unindent(doc);
    let name: String = code
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    ReportingDescriptor::builder()
        .id(code)
        .name(name)
        .short_description(text(summary))
        .full_description(text(summary))
        .help(
            MultiformatMessageString::builder()
                .text(doc.clone())
                .markdown(doc)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_name(&level)))
                .build(),
        )
        .properties(properties(
            &[("security-severity", json!(score))],
            &["security", "threat-model"],
        ))
        .build()
}

fn finding_result(f: &Finding, index: usize) -> SarifResult {
    let mut message = f.message.clone();
    if let Some(fix) = &f.fix {
        message.push_str(&format!(". Fix: {fix}"));
    }
    let mut result = SarifResult::builder()
        .rule_id(f.code.as_str())
        .rule_index(index as i64)
        .level(level_of(f.severity))
        .message(Message::builder().text(message).build())
        .locations(vec![site_location(&f.site, None)])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            f.fingerprint.clone(),
        )]))
        .properties(properties(
            &[("severity", json!(f.severity.as_str()))]
                .into_iter()
                .chain((!f.owners.is_empty()).then(|| ("owners", json!(f.owners))))
                .collect::<Vec<_>>(),
            &[],
        ))
        .build();
    if !f.related.is_empty() {
        result.related_locations = Some(
            f.related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut l = site_location(&r.site, Some(&r.message));
                    l.id = Some(i as i64);
                    l
                })
                .collect(),
        );
    }
    result
}

fn diagnostic_result(d: &Diagnostic, index: usize) -> SarifResult {
    let (level, word) = match d.severity {
        Level::Error => (ResultLevel::Error, "error"),
        Level::Warning => (ResultLevel::Warning, "warning"),
    };
    let mut message = d.message.clone();
    if let Some(hint) = &d.hint {
        message.push_str(&format!(". {hint}"));
    }
    SarifResult::builder()
        .rule_id(d.code.as_str())
        .rule_index(index as i64)
        .level(level)
        .message(Message::builder().text(message).build())
        .locations(vec![location(&d.location, None)])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_string(),
            d.fingerprint(),
        )]))
        .properties(properties(&[("severity", json!(word))], &[]))
        .build()
}

/// The SARIF log of a checked model.
pub fn to_sarif(model: &Model) -> String {
    let rules = descriptors();
    let index_of = |code: &str| rules.iter().position(|r| r.id == code).unwrap_or(0);
    let mut results: Vec<SarifResult> = model
        .findings
        .iter()
        .map(|f| finding_result(f, index_of(f.code.as_str())))
        .collect();
    results.extend(
        model
            .diagnostics
            .iter()
            .map(|d| diagnostic_result(d, index_of(d.code.as_str()))),
    );
    let driver = ToolComponent::builder()
        .name("threatline")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .build();
    let log = Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json")
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut out = serde_json::to_string_pretty(&log).expect("SARIF serialises");
    out.push('\n');
    out
}
