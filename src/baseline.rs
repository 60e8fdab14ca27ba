//! Baselines: findings accepted as they are, by fingerprint, with an optional reason and
//! expiry. `check --baseline` hides them; an expired entry hides nothing and says so;
//! an entry that matches nothing any more is reported as orphaned.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::{ConfigError, FileKind, Place};
use crate::diagnostics::{Code, Diagnostic, Level};
use crate::location::Location;
use crate::model::Model;

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    #[serde(default)]
    pub findings: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub fingerprint: String,
    pub code: String,
    #[serde(default)]
    pub ids: Vec<String>,
    /// Where the finding was when recorded; for people, not for matching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    /// `YYYY-MM-DD`: from that day on, the entry hides nothing.
    #[serde(default)]
    pub expires: Option<String>,
}

/// What applying a baseline did.
#[derive(Debug, Default)]
pub struct Applied {
    pub hidden: usize,
    pub expired: usize,
    pub orphaned: usize,
}

impl Baseline {
    /// A baseline of every finding and error diagnostic of the model.
    pub fn record(model: &Model) -> Baseline {
        let mut findings: Vec<Entry> = model
            .findings
            .iter()
            .map(|f| Entry {
                fingerprint: f.fingerprint.clone(),
                code: f.code.to_string(),
                ids: [&f.component, &f.flow, &f.threat, &f.control]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect(),
                location: Some(f.site.location.to_string()),
                message: Some(f.message.clone()),
                reason: None,
                expires: None,
            })
            .collect();
        findings.extend(
            model
                .diagnostics
                .iter()
                .filter(|d| d.severity == Level::Error)
                .map(|d| Entry {
                    fingerprint: d.fingerprint(),
                    code: d.code.as_str().to_string(),
                    ids: Vec::new(),
                    location: Some(d.location.to_string()),
                    message: Some(d.message.clone()),
                    reason: None,
                    expires: None,
                }),
        );
        findings.sort_by(|a, b| (&a.code, &a.fingerprint).cmp(&(&b.code, &b.fingerprint)));
        findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline {
            version: VERSION,
            findings,
        }
    }

    pub fn to_yaml(&self) -> String {
        let body = serde_saphyr::to_string(self).expect("a baseline serialises");
        format!(
            "# threatline baseline: findings accepted as they are, matched by fingerprint.\n# Add a `reason` to each entry, and an `expires: YYYY-MM-DD` to revisit it.\n{body}"
        )
    }

    /// Reads a baseline file; errors name it as given.
    pub fn load(path: &Path) -> Result<Baseline, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            kind: FileKind::Baseline,
            path: shown.clone(),
            source: e.into(),
        })?;
        Baseline::parse(&text, &shown)
    }

    /// Parses baseline text; errors name the file `shown`.
    pub fn parse(text: &str, shown: &str) -> Result<Baseline, ConfigError> {
        let baseline: Baseline =
            serde_saphyr::from_str(text).map_err(|e| ConfigError::from_yaml(shown, text, &e))?;
        let invalid =
            |key: &'static str, message: String, at: Option<Place>| ConfigError::Invalid {
                path: shown.to_string(),
                key,
                message,
                suggestion: None,
                expected: Vec::new(),
                at: at.map(Box::new),
            };
        if baseline.version != VERSION {
            let at = place_of(text, "version:", &baseline.version.to_string());
            return Err(invalid(
                "version",
                format!(
                    "baseline version {} is not supported (expected {VERSION})",
                    baseline.version
                ),
                at,
            ));
        }
        for entry in &baseline.findings {
            if let Some(date) = &entry.expires
                && !is_date(date)
            {
                return Err(invalid(
                    "expires",
                    format!(
                        "`expires: {date}` of {} is not a YYYY-MM-DD date",
                        entry.fingerprint
                    ),
                    place_of(text, "expires:", date),
                ));
            }
        }
        Ok(baseline)
    }

    /// Hides baselined findings and error diagnostics of `model`; `today` is `YYYY-MM-DD`.
    pub fn apply(&self, model: &mut Model, today: &str, shown_path: &str) -> Applied {
        let mut applied = Applied::default();
        let live: HashSet<&str> = self
            .findings
            .iter()
            .filter(|e| e.expires.as_deref().is_none_or(|d| d > today))
            .map(|e| e.fingerprint.as_str())
            .collect();
        let mut seen: HashSet<String> = HashSet::new();
        for f in &mut model.findings {
            seen.insert(f.fingerprint.clone());
            if let Some(entry) = self
                .findings
                .iter()
                .find(|e| e.fingerprint == f.fingerprint && !live.contains(e.fingerprint.as_str()))
            {
                applied.expired += 1;
                f.message.push_str(&format!(
                    " (its baseline entry expired on {})",
                    entry.expires.as_deref().unwrap_or("?")
                ));
            }
        }
        let before = model.findings.len();
        model
            .findings
            .retain(|f| !live.contains(f.fingerprint.as_str()));
        applied.hidden += before - model.findings.len();
        let before = model.diagnostics.len();
        model.diagnostics.retain(|d| {
            let fp = d.fingerprint();
            let hide = d.severity == Level::Error && live.contains(fp.as_str());
            seen.insert(fp);
            !hide
        });
        for d in &mut model.diagnostics {
            let fp = d.fingerprint();
            if let Some(entry) = self.findings.iter().find(|e| e.fingerprint == fp) {
                applied.expired += 1;
                d.message.push_str(&format!(
                    " (its baseline entry expired on {})",
                    entry.expires.as_deref().unwrap_or("?")
                ));
            }
        }
        applied.hidden += before - model.diagnostics.len();
        for entry in &self.findings {
            if !seen.contains(&entry.fingerprint) {
                applied.orphaned += 1;
                model.diagnostics.push(
                    Diagnostic::new(
                        Code::BaselineOrphan,
                        Location::new(shown_path, 1, 1),
                        format!(
                            "baseline entry {} ({}) matches no current finding",
                            entry.fingerprint, entry.code
                        ),
                    )
                    .hint("the finding was fixed or its ids changed: remove the entry")
                    .text(entry.message.clone().unwrap_or_default()),
                );
            }
        }
        model
            .diagnostics
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        applied
    }
}

/// The first line holding `key` and then `value`, underlining `value`: baselines are
/// read as plain data, so a bad value is found again in the text.
fn place_of(text: &str, key: &str, value: &str) -> Option<Place> {
    text.lines().enumerate().find_map(|(i, line)| {
        let after = line.find(key)? + key.len();
        let start = after + line[after..].find(value)?;
        let column = line[..start].chars().count() + 1;
        Some(Place::new(
            text,
            u32::try_from(i + 1).ok()?,
            u32::try_from(column).ok()?,
            value.chars().count(),
        ))
    })
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// Today's date in UTC as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert!(is_date("2027-03-01"));
        assert!(!is_date("2027-3-1"));
    }
}
