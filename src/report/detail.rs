//! Details the human reports (Markdown, HTML) need beyond the shared view: how to link a
//! source line, what a threat's standing on a component is, and which threats concern each
//! flow. Plain data again: no escaping here, each renderer escapes for its own format.

use crate::analysis::Finding;
use crate::analysis::RuleCode;
use crate::location::Location;
use crate::model::{Acceptance, Component, Exposure, Flow, Mitigation, Model, TargetKind};

use super::{SEVERITIES, Summary, ThreatEntry};

/// What a report needs besides the model.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// The document title (the scanned root's name, say).
    pub title: String,
    /// Prefix of links to source lines (`https://github.com/org/repo/blob/SHA/`); without
    /// it links are relative paths.
    pub source_url: Option<String>,
    /// Findings a baseline hid.
    pub baselined: usize,
}

/// The link to a source line: `<prefix><path>#L<line>`, or `./<path>#L<line>`.
///
/// The path comes from the repository, so it is percent-encoded: a file named
/// `javascript:alert(1)` must not become a scheme, and `(`, `)` or spaces must not end a
/// Markdown link early. The `./` keeps a relative link relative whatever the first segment.
pub fn source_href(options: &ReportOptions, location: &Location) -> String {
    let mut path = String::with_capacity(location.file.len());
    for b in location.file.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            path.push(b as char);
        } else {
            path.push_str(&format!("%{b:02X}"));
        }
    }
    match &options.source_url {
        Some(prefix) => format!("{prefix}{path}#L{}", location.line),
        None => format!("./{path}#L{}", location.line),
    }
}

/// Checks a `--source-url` prefix: http(s) or a relative prefix, nothing a browser would
/// run or that would break out of a link.
pub fn check_source_url(url: &str) -> Result<(), String> {
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>\"'`()[]{}|\\^".contains(c))
    {
        return Err(format!(
            "--source-url `{url}` holds a character a link cannot: percent-encode it"
        ));
    }
    let scheme = url
        .split_once(':')
        .map(|(s, _)| s)
        .filter(|s| !s.is_empty() && !s.contains('/') && !s.contains('?') && !s.contains('#'));
    match scheme {
        Some(s) if !s.eq_ignore_ascii_case("http") && !s.eq_ignore_ascii_case("https") => Err(
            format!("--source-url must be an http(s) URL or a relative prefix, not `{s}:`"),
        ),
        _ => Ok(()),
    }
}

/// Why the gate passes or fails, in words: `4 findings at or above high`, `nothing at or
/// above high`, with the error diagnostics that fail it too. (`summary.passed` is the verdict.)
pub fn gate_text(summary: &Summary) -> String {
    let at_or_above: usize = SEVERITIES
        .iter()
        .zip(summary.findings)
        .filter(|(s, _)| **s <= summary.fail_on)
        .map(|(_, n)| n)
        .sum();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let threshold = summary.fail_on.as_str();
    if summary.passed {
        return format!("nothing at or above {threshold}");
    }
    let mut why = Vec::new();
    if at_or_above > 0 {
        why.push(format!(
            "{} at or above {threshold}",
            plural(at_or_above, "finding")
        ));
    }
    if summary.errors > 0 {
        why.push(plural(summary.errors, "error diagnostic"));
    }
    why.join(" and ")
}

/// Findings worst first, then by place: the order of every findings table.
pub fn findings_by_severity(model: &Model) -> Vec<&Finding> {
    let mut out: Vec<&Finding> = model.findings.iter().collect();
    out.sort_by(|a, b| (a.severity, &a.site.location).cmp(&(b.severity, &b.site.location)));
    out
}

/// Where a threat stands on one component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// An `unmitigated-exposure` finding names it.
    Open,
    Mitigated,
    Accepted,
    Transferred,
    /// Exposed here, handled on an ancestor component.
    HandledAbove,
    /// Exposed with no finding and nothing found above: a baseline hid it.
    Baselined,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Mitigated => "mitigated",
            Status::Accepted => "accepted",
            Status::Transferred => "transferred",
            Status::HandledAbove => "handled on a parent",
            Status::Baselined => "baselined",
        }
    }
}

/// The status of `entry` on `component`: open first, since that is what a reader needs.
pub fn threat_status(model: &Model, component: &Component, entry: &ThreatEntry) -> Status {
    let open = model.findings.iter().any(|f| {
        f.code == RuleCode::UnmitigatedExposure
            && f.component.as_deref() == Some(component.id.as_str())
            && f.threat.as_deref() == Some(entry.threat_id)
    });
    if open {
        Status::Open
    } else if !entry.mitigations.is_empty() {
        Status::Mitigated
    } else if !entry.acceptances.is_empty() {
        Status::Accepted
    } else if !entry.transfers.is_empty() {
        Status::Transferred
    } else if handled_above(model, component, entry.threat_id) {
        Status::HandledAbove
    } else {
        Status::Baselined
    }
}

fn handled_above(model: &Model, component: &Component, threat: &str) -> bool {
    let mut parent = component.parent.as_deref();
    // The tree is finite; the bound guards against a malformed parent cycle all the same.
    for _ in 0..model.components.len() {
        let Some(id) = parent else { return false };
        let on = |kind: TargetKind, target: &str| kind == TargetKind::Component && target == id;
        if model
            .mitigations
            .iter()
            .any(|m| m.threat == threat && on(m.target_kind, &m.target))
            || model
                .acceptances
                .iter()
                .any(|a| a.threat == threat && on(a.target_kind, &a.target))
            || model
                .transfers
                .iter()
                .any(|t| t.threat == threat && t.from == id)
        {
            return true;
        }
        parent = model
            .components
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.parent.as_deref());
    }
    false
}

/// One flow with what the model says about it.
#[derive(Debug)]
pub struct FlowEntry<'m> {
    pub flow: &'m Flow,
    pub exposures: Vec<&'m Exposure>,
    pub mitigations: Vec<&'m Mitigation>,
    pub acceptances: Vec<&'m Acceptance>,
}

/// What stands on a flow, for the data-flow table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guard {
    /// An `unprotected-crossing` finding names the flow.
    Unprotected(crate::annotation::Severity),
    /// A declared control its mechanism names (its name).
    Control(String),
    /// A control inferred from a secure transport the mechanism names: its name, and the
    /// words it is inferred from.
    Inferred(String, String),
    /// `@mitigates #flow against <threat> [with <control>]` (names).
    Mitigates(String, Option<String>),
    /// `@accepts <threat> on #flow [with <reason>]`.
    Accepts(String, Option<String>),
    /// `@exposes #flow to <threat>`.
    Exposed(String),
}

/// Everything that protects, or fails to protect, a flow: the finding first.
pub fn guards(model: &Model, entry: &FlowEntry) -> Vec<Guard> {
    let f = entry.flow;
    let mut out: Vec<Guard> = model
        .findings
        .iter()
        .filter(|x| {
            x.code == RuleCode::UnprotectedCrossing && x.flow.as_deref() == Some(f.id.as_str())
        })
        .map(|x| Guard::Unprotected(x.severity))
        .collect();
    out.extend(
        f.controls
            .iter()
            .map(|c| Guard::Control(control_label(model, c))),
    );
    out.extend(
        f.inferred
            .iter()
            .map(|c| Guard::Inferred(c.name.clone(), c.from.clone())),
    );
    out.extend(entry.mitigations.iter().map(|x| {
        Guard::Mitigates(
            threat_label(model, &x.threat),
            x.control.as_deref().map(|c| control_label(model, c)),
        )
    }));
    out.extend(
        entry
            .acceptances
            .iter()
            .map(|a| Guard::Accepts(threat_label(model, &a.threat), a.description.clone())),
    );
    out.extend(
        entry
            .exposures
            .iter()
            .map(|e| Guard::Exposed(threat_label(model, &e.threat))),
    );
    out
}

/// Every flow in model order, with the exposures, mitigations and acceptances written on it.
pub fn flow_entries(model: &Model) -> Vec<FlowEntry<'_>> {
    let on =
        |kind: TargetKind, target: &str, flow: &str| kind == TargetKind::Flow && target == flow;
    model
        .flows
        .iter()
        .map(|flow| FlowEntry {
            flow,
            exposures: model
                .exposures
                .iter()
                .filter(|e| on(e.target_kind, &e.target, &flow.id))
                .collect(),
            mitigations: model
                .mitigations
                .iter()
                .filter(|m| on(m.target_kind, &m.target, &flow.id))
                .collect(),
            acceptances: model
                .acceptances
                .iter()
                .filter(|a| on(a.target_kind, &a.target, &flow.id))
                .collect(),
        })
        .collect()
}

/// The display name of a component id: its path, or `#id` when nothing declares it.
pub fn component_label(model: &Model, id: &str) -> String {
    model
        .components
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.path.join(":"))
        .unwrap_or_else(|| format!("#{id}"))
}

/// The display name of a threat id.
pub fn threat_label(model: &Model, id: &str) -> String {
    model
        .threats
        .iter()
        .find(|t| t.id == id)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| format!("#{id}"))
}

/// The display name of a control id.
pub fn control_label(model: &Model, id: &str) -> String {
    model
        .controls
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| format!("#{id}"))
}

/// A `key: value` rendering of free-form properties worth showing (owner, expiry, ...).
pub fn properties_text(
    properties: &std::collections::BTreeMap<String, serde_json::Value>,
) -> String {
    properties
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}: {s}"),
            serde_json::Value::Array(items) => format!(
                "{k}: {}",
                items
                    .iter()
                    .map(|i| i
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| i.to_string()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            other => format!("{k}: {other}"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_encode_the_path_and_stay_relative() {
        let plain = ReportOptions::default();
        let loc = Location::new("javascript:alert(1)/a b.rs", 7, 1);
        assert_eq!(
            source_href(&plain, &loc),
            "./javascript%3Aalert%281%29/a%20b.rs#L7"
        );
        let github = ReportOptions {
            source_url: Some("https://github.com/o/r/blob/abc/".into()),
            ..ReportOptions::default()
        };
        assert_eq!(
            source_href(&github, &Location::new("src/main.rs", 3, 1)),
            "https://github.com/o/r/blob/abc/src/main.rs#L3"
        );
    }

    #[test]
    fn source_urls_must_be_web_or_relative() {
        assert!(check_source_url("https://github.com/o/r/blob/abc/").is_ok());
        assert!(check_source_url("../src/").is_ok());
        assert!(check_source_url("javascript:alert(1)//").is_err());
        assert!(check_source_url("JavaScript:x").is_err());
        assert!(check_source_url("https://x/a b").is_err());
        assert!(check_source_url("https://x/\")").is_err());
    }
}
