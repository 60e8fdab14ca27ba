//! The numbers OTM asks for and threatline's annotations state only in words, or not at all:
//! a threat's likelihood and impact, a mitigation's risk reduction, a data class's
//! confidentiality, integrity and availability. Every rule here is a table in
//! `docs/interop.md`; every number says where it came from.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::annotation::Severity;
use crate::catalogue::{Catalogue, Entry};
use crate::model::{Model, Threat};

/// The likelihood of a threat that neither its annotations nor the catalogue rate: medium,
/// as a threat with no severity is medium to threatline's rules.
pub(super) const DEFAULT_LIKELIHOOD: u32 = 50;

/// Risk reduction of a control that no `risk_reduction:` states: one that a `@tests`
/// verifies, one that nothing verifies, and a secure transport inferred from a flow's
/// mechanism (`via HTTPS`) that no annotation declares.
pub(super) const TESTED_REDUCTION: u32 = 90;
pub(super) const UNTESTED_REDUCTION: u32 = 70;
pub(super) const INFERRED_REDUCTION: u32 = 60;

/// A number and where it came from (`annotation`, `catalogue`, `default`, ...), with the
/// sentence OTM's `...Comment` fields and the attributes carry.
pub(super) struct Rated {
    pub(super) value: u32,
    pub(super) source: &'static str,
    pub(super) comment: String,
}

/// The catalogue entry a threat comes from (`catalogue`), else the built-in entry with
/// its id (a local declaration of a catalogue threat).
pub(super) fn catalogue_entry(t: &Threat) -> Option<&'static Entry> {
    let catalogue = Catalogue::builtin();
    t.catalogue
        .as_deref()
        .and_then(|id| catalogue.threat(id))
        .or_else(|| catalogue.threat(&t.id))
}

/// A threat's likelihood: its own `likelihood` (qualifier or YAML key), else its catalogue
/// entry's, else [`DEFAULT_LIKELIHOOD`]. Never unknown: OTM consumers rank by it.
pub(super) fn likelihood(t: &Threat) -> Rated {
    let entry = catalogue_entry(t);
    let mut unread = None;
    if let Some(words) = t.likelihood.as_deref() {
        match likelihood_number(words) {
            // `fill_threat` copies the entry's word into a catalogue threat.
            Some(value) => {
                let from_entry = entry.is_some_and(|e| {
                    t.catalogue.is_some() && e.likelihood.as_str().eq_ignore_ascii_case(words)
                });
                return if from_entry {
                    Rated {
                        value,
                        source: "catalogue",
                        comment: format!(
                            "{words}, from the catalogue entry {}",
                            entry.map_or("", |e| e.id.as_str())
                        ),
                    }
                } else {
                    Rated {
                        value,
                        source: "annotation",
                        comment: format!("{words}, as the annotations state it"),
                    }
                };
            }
            None => unread = Some(words),
        }
    }
    let prefix = unread.map_or_else(String::new, |w| {
        format!("`{w}` is not a likelihood threatline reads; ")
    });
    match entry {
        Some(e) => Rated {
            value: likelihood_number(e.likelihood.as_str()).unwrap_or(DEFAULT_LIKELIHOOD),
            source: "catalogue",
            comment: format!(
                "{prefix}{}, from the catalogue entry {}",
                e.likelihood.as_str(),
                e.id
            ),
        },
        None => Rated {
            value: DEFAULT_LIKELIHOOD,
            source: "default",
            comment: format!(
                "{prefix}not stated in the annotations and not in the catalogue: medium \
                 assumed, threatline's default"
            ),
        },
    }
}

/// A threat's impact: its severity (priority), else the most severe of its exposures'
/// severities, else medium (as threatline's rules rate a threat with none).
pub(super) fn impact(model: &Model, t: &Threat) -> Rated {
    if let Some(s) = t.severity {
        return Rated {
            value: impact_number(s),
            source: "annotation",
            comment: format!("severity {}", s.as_str()),
        };
    }
    let exposed = model
        .exposures
        .iter()
        .filter(|e| e.threat == t.id)
        .filter_map(|e| e.severity)
        .min();
    match exposed {
        Some(s) => Rated {
            value: impact_number(s),
            source: "exposure",
            comment: format!(
                "severity {}, the most severe of its exposures (the threat states none)",
                s.as_str()
            ),
        },
        None => Rated {
            value: impact_number(Severity::Medium),
            source: "default",
            comment: "severity not stated; medium assumed, as threatline's rules do".into(),
        },
    }
}

/// OTM's impact (0 to 100) for a severity.
pub(super) fn impact_number(s: Severity) -> u32 {
    match s {
        Severity::Critical => 100,
        Severity::High => 75,
        Severity::Medium => 50,
        Severity::Low => 25,
        Severity::Info => 5,
    }
}

/// OTM's likelihood (0 to 100) for the usual words, or a number given as one.
pub(super) fn likelihood_number(words: &str) -> Option<u32> {
    let w = words.trim().to_ascii_lowercase().replace(['_', '-'], " ");
    if let Some(n) = percent(&w) {
        return Some(n);
    }
    Some(match w.as_str() {
        "very high" | "almost certain" | "certain" | "critical" => 90,
        "high" | "likely" => 75,
        "medium" | "moderate" | "possible" => 50,
        "low" | "unlikely" => 25,
        "very low" | "rare" | "info" => 10,
        _ => return None,
    })
}

/// What a control's risk reduction rests on.
pub(super) struct Evidence {
    /// `risk_reduction:` on the `@control`.
    pub(super) stated: Option<u32>,
    /// `risk_reduction:` on the `@mitigates` lines that use it.
    pub(super) on_mitigations: Vec<u32>,
    /// A `@tests` names it.
    pub(super) tested: bool,
    /// Only inferred from a secure transport a flow's mechanism names.
    pub(super) inferred_only: bool,
    /// Tagged `partial` on the `@control`, on a `@mitigates` that uses it, or on a flow it
    /// protects.
    pub(super) partial: bool,
}

/// A control's risk reduction: `risk_reduction:` on the `@control`, else the lowest on the
/// `@mitigates` that use it (OTM has one number per control; the lowest never overstates
/// it), else a default by evidence (tested 90, untested 70, inferred transport 60), halved
/// when it is marked `partial`.
pub(super) fn risk_reduction(e: &Evidence) -> Rated {
    if let Some(n) = e.stated {
        return Rated {
            value: n,
            source: "control",
            comment: format!("risk_reduction:{n} on the @control"),
        };
    }
    if let Some(&n) = e.on_mitigations.iter().min() {
        return Rated {
            value: n,
            source: "mitigations",
            comment: format!("risk_reduction:{n}, the lowest on the @mitigates that use it"),
        };
    }
    let (base, why) = if e.inferred_only {
        (
            INFERRED_REDUCTION,
            "inferred from a secure transport a flow names, not declared",
        )
    } else if e.tested {
        (TESTED_REDUCTION, "a @tests verifies it")
    } else {
        (UNTESTED_REDUCTION, "no @tests verifies it")
    };
    if e.partial {
        Rated {
            value: base / 2,
            source: "default",
            comment: format!("default {base} ({why}), halved: marked partial"),
        }
    } else {
        Rated {
            value: base,
            source: "default",
            comment: format!("default {base}: {why}"),
        }
    }
}

/// One data class as an OTM asset: its name, what it is, and how bad a breach of each of
/// confidentiality, integrity and availability is (0 to 100).
pub(super) struct DataClass {
    pub(super) name: String,
    pub(super) description: &'static str,
    pub(super) cia: [u32; 3],
    pub(super) comment: &'static str,
}

/// The data classes of `@handles` (SPEC §3.2), and any other word with middle values.
pub(super) fn data_class(class: &str) -> DataClass {
    let known = |name: &str, description, cia, comment| DataClass {
        name: name.to_string(),
        description,
        cia,
        comment,
    };
    match class.to_ascii_lowercase().as_str() {
        "pii" => known(
            "Personal data (PII)",
            "Data about identifiable people: names, addresses, e-mail, account details.",
            [90, 70, 50],
            "A leak harms the people it is about and must be reported; a change harms them \
             less; an outage is not a breach.",
        ),
        "phi" => known(
            "Health data (PHI)",
            "Health information about identifiable people.",
            [100, 90, 70],
            "A leak is a regulated breach; a changed record can harm a patient; care may \
             depend on it being there.",
        ),
        "financial" => known(
            "Financial data",
            "Payments, card data, ledgers, prices.",
            [90, 100, 70],
            "A changed amount is money lost; a card data leak is a PCI breach; payments stop \
             when it is unavailable.",
        ),
        "secrets" => known(
            "Secrets",
            "Credentials, keys and tokens.",
            [100, 90, 50],
            "Whoever reads a secret acts as its owner; a replaced one is as bad; a lost one \
             is rotated.",
        ),
        "internal" => known(
            "Internal data",
            "Data meant for the organisation only.",
            [50, 50, 30],
            "Embarrassing or useful to an attacker when it leaks, rarely critical.",
        ),
        "public" => known(
            "Public data",
            "Data meant to be seen by anyone.",
            [0, 50, 50],
            "No confidentiality to lose; changes and outages still matter.",
        ),
        _ => DataClass {
            name: class.to_string(),
            description: "A data class threatline has no table entry for.",
            cia: [50, 50, 50],
            comment: "Not a class threatline knows (pii, phi, financial, secrets, internal, \
                      public): middle values.",
        },
    }
}

/// `30`, `30%` or `30.4` as a whole number from 0 to 100.
pub(super) fn percent(text: &str) -> Option<u32> {
    let n: f64 = text.trim().trim_end_matches('%').trim().parse().ok()?;
    (0.0..=100.0).contains(&n).then(|| n.round() as u32)
}

/// The first of `keys` (compared case-insensitively) that holds a number from 0 to 100.
pub(super) fn number(properties: &BTreeMap<String, Value>, keys: &[&str]) -> Option<u32> {
    properties.iter().find_map(|(k, v)| {
        if !keys.contains(&k.to_ascii_lowercase().as_str()) {
            return None;
        }
        match v {
            Value::Number(n) => percent(&n.to_string()),
            Value::String(s) => percent(s),
            _ => None,
        }
    })
}

/// Whether the qualifiers hold the word `tag` (`[partial]`, `[untrusted]`), which the
/// model keeps under `properties.tags`.
pub(super) fn tagged(properties: &BTreeMap<String, Value>, tag: &str) -> bool {
    match properties.get("tags") {
        Some(Value::Array(items)) => items
            .iter()
            .any(|i| i.as_str().is_some_and(|s| s.eq_ignore_ascii_case(tag))),
        Some(Value::String(s)) => s.eq_ignore_ascii_case(tag),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_for_words() {
        assert_eq!(likelihood_number("Medium"), Some(50));
        assert_eq!(likelihood_number("very-high"), Some(90));
        assert_eq!(likelihood_number("30%"), Some(30));
        assert_eq!(likelihood_number("30.4"), Some(30));
        assert_eq!(likelihood_number("250"), None);
        assert_eq!(likelihood_number("sometimes"), None);
        assert_eq!(impact_number(Severity::High), 75);
    }

    #[test]
    fn risk_reduction_by_evidence() {
        let e = |stated, on: &[u32], tested, inferred_only, partial| Evidence {
            stated,
            on_mitigations: on.to_vec(),
            tested,
            inferred_only,
            partial,
        };
        assert_eq!(
            risk_reduction(&e(Some(80), &[40], true, false, true)).value,
            80
        );
        assert_eq!(
            risk_reduction(&e(None, &[60, 40], true, false, false)).value,
            40
        );
        assert_eq!(risk_reduction(&e(None, &[], true, false, false)).value, 90);
        assert_eq!(risk_reduction(&e(None, &[], false, false, false)).value, 70);
        assert_eq!(risk_reduction(&e(None, &[], false, true, false)).value, 60);
        assert_eq!(risk_reduction(&e(None, &[], false, false, true)).value, 35);
    }
}
