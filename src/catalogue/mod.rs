//! The threat catalogue: threats and controls per CCCS layer, kept as data in
//! `catalogue/*.yaml` and compiled in, plus organisation catalogues read from files in the
//! same format and merged over the built-in one.
//!
//! The catalogue is what coverage suggestions come from, and what catalogue ids in
//! annotations (`@exposes #etcd to #k8s-etcd-tampering`) resolve to. The format is
//! described in `catalogue/kubernetes.yaml` and `docs/cccs.md`.

mod coverage;
mod load;
#[cfg(test)]
mod tests;
pub mod trust;

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

pub use coverage::{Expectation, expected_stride};
pub use trust::TrustKeywords;

use crate::annotation::{Layer, Severity, Stride};
use crate::model::normalize::id_key;

/// The built-in catalogue files, in the order their entries are listed.
const BUILTIN_SOURCES: &[(&str, &str)] = &[
    (
        "catalogue/kubernetes.yaml",
        include_str!("../../catalogue/kubernetes.yaml"),
    ),
    (
        "catalogue/generic.yaml",
        include_str!("../../catalogue/generic.yaml"),
    ),
];

static BUILTIN: LazyLock<Catalogue> = LazyLock::new(|| {
    let sources: Vec<(String, String)> = BUILTIN_SOURCES
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    load::build(Catalogue::default(), &sources, true)
        .unwrap_or_else(|e| panic!("the built-in catalogue is valid (tested):\n{e}"))
});

/// Threat or control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Threat,
    Control,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Threat => "threat",
            Kind::Control => "control",
        }
    }
}

/// How likely a threat is in a typical deployment (for a control: how likely exploitation
/// is while it is missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Likelihood {
    Low,
    Medium,
    High,
}

impl Likelihood {
    pub fn as_str(self) -> &'static str {
        match self {
            Likelihood::Low => "low",
            Likelihood::Medium => "medium",
            Likelihood::High => "high",
        }
    }
}

/// What to deal with first. A separate type from [`Severity`] because a catalogue entry
/// is never merely `info`; most urgent first, as `Severity` orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Critical,
    High,
    Medium,
    Low,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        self.severity().as_str()
    }

    /// The severity a threat declared from this entry gets.
    pub fn severity(self) -> Severity {
        match self {
            Priority::Critical => Severity::Critical,
            Priority::High => Severity::High,
            Priority::Medium => Severity::Medium,
            Priority::Low => Severity::Low,
        }
    }
}

/// One catalogue entry, exactly as a catalogue file writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    /// Which list of the file it came from; not a field of its own in the file.
    #[serde(skip)]
    pub kind: Kind,
    pub name: String,
    pub layer: Layer,
    pub component: String,
    pub stride: Vec<Stride>,
    pub likelihood: Likelihood,
    pub priority: Priority,
    pub description: String,
    pub countermeasures: Vec<String>,
    pub example: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwe: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capec: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attack: Vec<String>,
    /// For a threat: the catalogue controls that mitigate it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<String>,
    /// In an organisation catalogue: this entry replaces the built-in one with its id.
    #[serde(default, rename = "override", skip_serializing_if = "is_false")]
    pub overrides: bool,
    /// `file:line` it was read from, for messages.
    #[serde(skip)]
    pub origin: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Entry {
    /// The domain an id starts with: `k8s` for `k8s-etcd-tampering`.
    pub fn domain(&self) -> &str {
        self.id.split('-').next().unwrap_or(&self.id)
    }

    /// External references in the model's form: `cwe:CWE-89`, `capec:CAPEC-66`,
    /// `attack:T1190`.
    pub fn refs(&self) -> Vec<String> {
        let cwe = self.cwe.iter().map(|r| format!("cwe:{r}"));
        let capec = self.capec.iter().map(|r| format!("capec:{r}"));
        let attack = self.attack.iter().map(|r| format!("attack:{r}"));
        cwe.chain(capec).chain(attack).collect()
    }

    /// STRIDE as six positions, a letter where the category applies: `S...E.`-style
    /// columns line up in listings.
    pub fn stride_letters(&self) -> String {
        const ALL: [(Stride, char); 6] = [
            (Stride::Spoofing, 'S'),
            (Stride::Tampering, 'T'),
            (Stride::Repudiation, 'R'),
            (Stride::InformationDisclosure, 'I'),
            (Stride::DenialOfService, 'D'),
            (Stride::ElevationOfPrivilege, 'E'),
        ];
        ALL.iter()
            .map(|(s, c)| if self.stride.contains(s) { *c } else { '.' })
            .collect()
    }

    /// A local declaration carrying the entry's fields, for a repository that wants the
    /// threat or control written out (or overridden) in its own tree.
    pub fn declaration(&self) -> String {
        let mut line = match self.kind {
            Kind::Threat => {
                let mut q = vec![self.priority.as_str().to_string()];
                q.extend(self.stride.iter().map(|s| stride_word(*s).to_string()));
                q.push(format!("likelihood:{}", self.likelihood.as_str()));
                format!("@threat {} (#{}) [{}]", self.name, self.id, q.join(", "))
            }
            Kind::Control => format!("@control {} (#{})", self.name, self.id),
        };
        for r in self.refs() {
            line.push(' ');
            line.push_str(&r);
        }
        line
    }

    /// `@exposes <target> to #<id>`: the suggestion for a coverage gap, which says the
    /// threat was considered and leaves the decision (mitigate, accept, transfer) open.
    pub fn exposes(&self, target: &str) -> String {
        format!("@exposes {target} to #{}", self.id)
    }

    /// `@mitigates <target> against #<id> with #<control>`.
    pub fn mitigates(&self, target: &str, control: &Entry) -> String {
        format!(
            "@mitigates {target} against #{} with #{}",
            self.id, control.id
        )
    }
}

/// The annotation word of a STRIDE category (SPEC §3.1).
pub fn stride_word(s: Stride) -> &'static str {
    match s {
        Stride::Spoofing => "spoofing",
        Stride::Tampering => "tampering",
        Stride::Repudiation => "repudiation",
        Stride::InformationDisclosure => "information-disclosure",
        Stride::DenialOfService => "denial-of-service",
        Stride::ElevationOfPrivilege => "elevation-of-privilege",
    }
}

/// Entries in the layout of a catalogue file, so `--format yaml` output loads back as an
/// organisation catalogue.
#[derive(Debug, Serialize)]
pub struct Listing<'a> {
    pub threats: Vec<&'a Entry>,
    pub controls: Vec<&'a Entry>,
}

impl<'a> Listing<'a> {
    pub fn new(entries: impl IntoIterator<Item = &'a Entry>) -> Self {
        let (threats, controls) = entries.into_iter().partition(|e| e.kind == Kind::Threat);
        Listing { threats, controls }
    }
}

/// The merged catalogue: built-in entries, then organisation entries.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    entries: Vec<Entry>,
    /// `id_key` of each id → its index in `entries`.
    index: HashMap<String, usize>,
    /// Whether each entry is still the built-in version (only those may be overridden).
    builtin: Vec<bool>,
}

impl Catalogue {
    /// The catalogue compiled into the binary.
    pub fn builtin() -> &'static Catalogue {
        &BUILTIN
    }

    /// The built-in catalogue, shared: the default of every option that holds one.
    pub fn shared_builtin() -> std::sync::Arc<Catalogue> {
        static SHARED: std::sync::LazyLock<std::sync::Arc<Catalogue>> =
            std::sync::LazyLock::new(|| std::sync::Arc::new(Catalogue::builtin().clone()));
        SHARED.clone()
    }

    /// The built-in catalogue with organisation catalogue files merged over it. An
    /// error names the file, line and entry: a duplicate id, an invalid field, a
    /// reference to no control.
    pub fn with_files<P: AsRef<Path>>(files: &[P]) -> Result<Catalogue, String> {
        let mut sources = Vec::new();
        for path in files {
            let path = path.as_ref();
            sources.push((path.display().to_string(), load::read_file(path)?));
        }
        Catalogue::with_sources(&sources)
    }

    /// As [`Catalogue::with_files`], from `(name, text)` pairs already read.
    pub fn with_sources(sources: &[(String, String)]) -> Result<Catalogue, String> {
        load::build(Catalogue::builtin().clone(), sources, false)
    }

    /// Every entry: built-in files in order, then organisation files; threats before
    /// controls within each file.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn threats(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.kind == Kind::Threat)
    }

    pub fn controls(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.kind == Kind::Control)
    }

    /// The entry with this id, compared as annotations compare ids: case-insensitively
    /// and by normalised form (`#K8S_ETCD_TAMPERING` finds `k8s-etcd-tampering`). A
    /// leading `#` is ignored.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        let id = id.trim().trim_start_matches('#');
        self.index.get(&id_key(id)).map(|&i| &self.entries[i])
    }

    /// The threat with this id, if the id names a threat.
    pub fn threat(&self, id: &str) -> Option<&Entry> {
        self.get(id).filter(|e| e.kind == Kind::Threat)
    }

    /// The control with this id, if the id names a control.
    pub fn control(&self, id: &str) -> Option<&Entry> {
        self.get(id).filter(|e| e.kind == Kind::Control)
    }

    pub fn by_layer(&self, layer: Layer) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.layer == layer)
    }

    /// The controls a threat links, in the order it lists them.
    pub fn controls_for(&self, threat: &Entry) -> Vec<&Entry> {
        threat
            .controls
            .iter()
            .filter_map(|id| self.control(id))
            .collect()
    }

    /// The threats that list this control.
    pub fn threats_mitigated_by(&self, control: &Entry) -> Vec<&Entry> {
        let key = id_key(&control.id);
        self.threats()
            .filter(|t| t.controls.iter().any(|c| id_key(c) == key))
            .collect()
    }

    /// Entries matching every word of `query` in their id, name, component or
    /// description, best first. A word scores by field (id, then name, component,
    /// description) and counts double as a whole word; ties keep catalogue order. An
    /// empty query matches everything.
    pub fn search(&self, query: &str) -> Vec<&Entry> {
        let words: Vec<String> = query
            .split_whitespace()
            .map(|w| w.trim_start_matches('#').to_lowercase())
            .filter(|w| !w.is_empty())
            .collect();
        let mut scored: Vec<(u32, usize)> = Vec::new();
        'entries: for (i, e) in self.entries.iter().enumerate() {
            let mut total = 0;
            for w in &words {
                let s = search_score(e, w);
                if s == 0 {
                    continue 'entries;
                }
                total += s;
            }
            scored.push((total, i));
        }
        scored.sort_by_key(|&(score, i)| (std::cmp::Reverse(score), i));
        scored.into_iter().map(|(_, i)| &self.entries[i]).collect()
    }

    /// Catalogue threats of `layer` in STRIDE category `stride`, for a coverage gap on a
    /// component named `hint` (a name or path). Entries whose component, name or domain
    /// share a word with the hint come first (`Orders Database` → `db-*`, `etcd` →
    /// `k8s-etcd-*`); then higher priority, then higher likelihood, then catalogue order.
    pub fn suggestions(&self, layer: Layer, stride: Stride, hint: &str) -> Vec<&Entry> {
        let hint = words(hint);
        let mut found: Vec<(u32, &Entry, usize)> = self
            .threats()
            .enumerate()
            .filter(|(_, e)| e.layer == layer && e.stride.contains(&stride))
            .map(|(i, e)| (hint_score(e, &hint), e, i))
            .collect();
        found.sort_by_key(|&(score, e, i)| {
            (
                std::cmp::Reverse(score),
                e.priority,
                std::cmp::Reverse(e.likelihood),
                i,
            )
        });
        found.into_iter().map(|(_, e, _)| e).collect()
    }
}

/// Lowercase alphanumeric words of a text: `Cluster:etcd-main` → cluster, etcd, main.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// One word against another, a final `s` allowed on either (`pods` = `pod`).
fn same_word(a: &str, b: &str) -> bool {
    a == b || a.strip_suffix('s') == Some(b) || b.strip_suffix('s') == Some(a)
}

fn search_score(e: &Entry, w: &str) -> u32 {
    let fields: [(&str, u32); 4] = [
        (&e.id, 8),
        (&e.name, 6),
        (&e.component, 5),
        (&e.description, 2),
    ];
    fields
        .iter()
        .map(|(text, weight)| {
            let lower = text.to_lowercase();
            if words(&lower).iter().any(|x| same_word(x, w)) {
                weight * 2
            } else if lower.contains(w) {
                *weight
            } else {
                0
            }
        })
        .sum()
}

/// Domain (id prefix) → words of a component's path that point at it.
static DOMAIN_WORDS: std::sync::LazyLock<HashMap<String, Vec<String>>> =
    std::sync::LazyLock::new(|| {
        serde_saphyr::from_str(include_str!("../../catalogue/domains.yaml"))
            .expect("catalogue/domains.yaml is valid (tested)")
    });

fn hint_score(e: &Entry, hint: &[String]) -> u32 {
    let component = words(&e.component);
    let name = words(&e.name);
    let domain_words = DOMAIN_WORDS.get(e.domain());
    hint.iter()
        .map(|h| {
            let mut s = 0;
            if domain_words.is_some_and(|ws| ws.iter().any(|w| same_word(w, h))) {
                s += 4;
            }
            if component.iter().any(|w| same_word(w, h)) {
                s += 3;
            }
            if same_word(e.domain(), h) {
                s += 3;
            }
            if name.iter().any(|w| same_word(w, h)) {
                s += 1;
            }
            s
        })
        .sum()
}
