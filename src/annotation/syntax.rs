//! The typed record one annotation line parses into (SPEC §3), before any resolution.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::location::Location;

/// The verbs of SPEC §3.2, aliases folded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verb {
    Component,
    Threat,
    Control,
    Mitigates,
    Exposes,
    Accepts,
    Transfers,
    Connects,
    Boundary,
    Handles,
    Review,
    Tests,
    /// GuardLink's `@assumes <component> [details]`: an assumption the model rests on.
    Assumes,
    /// GuardLink's `@owns <team> for <component>`: who answers for a component.
    Owns,
    /// GuardLink's `@feature "<name>"`: the file's feature, a note.
    Feature,
    /// GuardLink's `@comment -- "..."`: a note.
    Comment,
}

impl Verb {
    /// Every verb, in declaration order.
    pub const ALL: [Verb; 16] = [
        Verb::Component,
        Verb::Threat,
        Verb::Control,
        Verb::Mitigates,
        Verb::Exposes,
        Verb::Accepts,
        Verb::Transfers,
        Verb::Connects,
        Verb::Boundary,
        Verb::Handles,
        Verb::Review,
        Verb::Tests,
        Verb::Assumes,
        Verb::Owns,
        Verb::Feature,
        Verb::Comment,
    ];
}

/// Every spelling of every verb (SPEC §3.2), exactly as written: verbs are lowercase, and
/// the final `s` is optional on the relation verbs only (`@test` is PHPUnit's and
/// Doxygen's tag, `@flow` Flow's pragma). The one table that both the annotation reader
/// and the byte prefilter use, so the two can never disagree about what a verb is.
pub const VERB_WORDS: &[(&str, Verb)] = &[
    ("component", Verb::Component),
    ("asset", Verb::Component),
    ("threat", Verb::Threat),
    ("control", Verb::Control),
    ("mitigates", Verb::Mitigates),
    ("mitigate", Verb::Mitigates),
    ("exposes", Verb::Exposes),
    ("expose", Verb::Exposes),
    ("accepts", Verb::Accepts),
    ("accept", Verb::Accepts),
    ("transfers", Verb::Transfers),
    ("transfer", Verb::Transfers),
    ("connects", Verb::Connects),
    ("connect", Verb::Connects),
    ("flows", Verb::Connects),
    ("boundary", Verb::Boundary),
    ("handles", Verb::Handles),
    ("handle", Verb::Handles),
    ("review", Verb::Review),
    ("audit", Verb::Review),
    ("tests", Verb::Tests),
    ("validates", Verb::Tests),
    ("validate", Verb::Tests),
    ("assumes", Verb::Assumes),
    ("owns", Verb::Owns),
    ("feature", Verb::Feature),
    ("comment", Verb::Comment),
];

/// Whether `byte` ends a verb word: a space, a tab, a `:` (a YAML block) or the end of
/// the line (SPEC §3.1). `@Component(`, `@testing.fixture` and `@audit-level=x` hold no
/// verb.
pub fn ends_verb(byte: Option<u8>) -> bool {
    matches!(byte, None | Some(b' ' | b'\t' | b':' | b'\r' | b'\n'))
}

impl Verb {
    /// Looks a verb word up, exactly as written (see [`VERB_WORDS`]).
    pub fn from_word(word: &str) -> Option<Verb> {
        VERB_WORDS
            .iter()
            .find(|(spelling, _)| *spelling == word)
            .map(|(_, verb)| *verb)
    }

    /// The canonical spelling, as written in hints.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Component => "component",
            Verb::Threat => "threat",
            Verb::Control => "control",
            Verb::Mitigates => "mitigates",
            Verb::Exposes => "exposes",
            Verb::Accepts => "accepts",
            Verb::Transfers => "transfers",
            Verb::Connects => "connects",
            Verb::Boundary => "boundary",
            Verb::Handles => "handles",
            Verb::Review => "review",
            Verb::Tests => "tests",
            Verb::Assumes => "assumes",
            Verb::Owns => "owns",
            Verb::Feature => "feature",
            Verb::Comment => "comment",
        }
    }

    /// The keywords of this verb's form: their presence makes a line that does not parse
    /// malformed rather than prose (SPEC §3.3).
    pub fn evidence_keywords(self) -> &'static [&'static str] {
        match self {
            Verb::Mitigates => &["against", "with", "using"],
            Verb::Exposes => &["to", "with"],
            Verb::Accepts => &["to", "on", "with"],
            Verb::Transfers => &["from", "to", "with"],
            Verb::Connects => &["to", "with", "->", "<->", "via"],
            Verb::Boundary => &["between", "and", "around", "|"],
            Verb::Handles => &["on"],
            Verb::Tests | Verb::Owns => &["for"],
            Verb::Component
            | Verb::Threat
            | Verb::Control
            | Verb::Review
            | Verb::Assumes
            | Verb::Feature
            | Verb::Comment => &[],
        }
    }

    /// The expected shape, for hints.
    pub fn usage(self) -> &'static str {
        match self {
            Verb::Component => "@component <path> [(#id)] [layer]",
            Verb::Threat => "@threat <name> [(#id)] [severity, stride] [refs]",
            Verb::Control => "@control <name> [(#id)]",
            Verb::Mitigates => "@mitigates <component> against <threat> [with <control>]",
            Verb::Exposes => "@exposes <component> to <threat> [with <details>] [severity]",
            Verb::Accepts => "@accepts <threat> to|on <component> [with <details>]",
            Verb::Transfers => {
                "@transfers <threat> from <component> to <component> [with <details>]"
            }
            Verb::Connects => {
                "@connects <a> to|with <b> [with <details>]  or  @flows <a> -> <b> [via <mechanism>]"
            }
            Verb::Boundary => {
                "@boundary [<name>] [(#id)] between <a> and <b>  or  <a> | <b>  or  ... around <path>, <path>"
            }
            Verb::Handles => "@handles <pii|phi|financial|secrets|internal|public> on <component>",
            Verb::Review => "@review <component> <details>  or  @audit <component> -- \"...\"",
            Verb::Tests => "@tests <control> for <component>",
            Verb::Assumes => "@assumes <component> [<what is assumed>] [-- \"...\"]",
            Verb::Owns => "@owns <team> for <component>",
            Verb::Feature => "@feature \"<name>\"",
            Verb::Comment => "@comment -- \"<text>\"",
        }
    }
}

/// Severity of threats, exposures, boundaries and findings, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn parse(word: &str) -> Option<Severity> {
        Some(match word.to_ascii_lowercase().as_str() {
            "critical" | "p0" => Severity::Critical,
            "high" | "p1" => Severity::High,
            "medium" | "p2" => Severity::Medium,
            "low" | "p3" => Severity::Low,
            "info" | "informational" => Severity::Info,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
}

/// The CCCS layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    Control,
    Compute,
    Communication,
    Storage,
}

impl Layer {
    /// The four layers, from control down to storage.
    pub const ALL: [Layer; 4] = [
        Layer::Control,
        Layer::Compute,
        Layer::Communication,
        Layer::Storage,
    ];

    pub fn parse(word: &str) -> Option<Layer> {
        Some(match word.to_ascii_lowercase().as_str() {
            "control" => Layer::Control,
            "compute" => Layer::Compute,
            "communication" | "communications" => Layer::Communication,
            "storage" => Layer::Storage,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Control => "control",
            Layer::Compute => "compute",
            Layer::Communication => "communication",
            Layer::Storage => "storage",
        }
    }
}

/// STRIDE categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stride {
    Spoofing,
    Tampering,
    Repudiation,
    InformationDisclosure,
    DenialOfService,
    ElevationOfPrivilege,
}

impl Stride {
    /// The six categories, in the order of the acronym.
    pub const ALL: [Stride; 6] = [
        Stride::Spoofing,
        Stride::Tampering,
        Stride::Repudiation,
        Stride::InformationDisclosure,
        Stride::DenialOfService,
        Stride::ElevationOfPrivilege,
    ];

    pub fn parse(word: &str) -> Option<Stride> {
        let lower = word.to_ascii_lowercase().replace(['_', ' '], "-");
        Some(match lower.as_str() {
            "spoofing" => Stride::Spoofing,
            "tampering" => Stride::Tampering,
            "repudiation" => Stride::Repudiation,
            "information-disclosure" | "info-disclosure" | "disclosure" => {
                Stride::InformationDisclosure
            }
            "denial-of-service" | "dos" => Stride::DenialOfService,
            "elevation-of-privilege" | "elevation-of-privileges" | "eop" => {
                Stride::ElevationOfPrivilege
            }
            _ => return None,
        })
    }

    pub fn from_letter(letter: char) -> Option<Stride> {
        Some(match letter.to_ascii_uppercase() {
            'S' => Stride::Spoofing,
            'T' => Stride::Tampering,
            'R' => Stride::Repudiation,
            'I' => Stride::InformationDisclosure,
            'D' => Stride::DenialOfService,
            'E' => Stride::ElevationOfPrivilege,
            _ => return None,
        })
    }
}

/// The contents of `[...]` brackets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Qualifiers {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<Layer>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stride: Vec<Stride>,
    /// `key:value` pairs (`likelihood:medium`, `owner:payments`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// Bare words that are none of the above.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl Qualifiers {
    pub fn is_empty(&self) -> bool {
        *self == Qualifiers::default()
    }

    /// Adds what `other` says; what `self` already says wins.
    pub fn merge(&mut self, other: &Qualifiers) {
        self.severity = self.severity.or(other.severity);
        self.layer = self.layer.or(other.layer);
        for s in &other.stride {
            if !self.stride.contains(s) {
                self.stride.push(*s);
            }
        }
        for (k, v) in &other.values {
            self.values.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for t in &other.tags {
            if !self.tags.contains(t) {
                self.tags.push(t.clone());
            }
        }
    }
}

/// `[...]` qualifiers as a mention holds them: nothing when empty (as most are), else
/// boxed. Every annotation of a tree is held until the model is built, and an inline
/// [`Qualifiers`] is 80 bytes in each of up to three mentions an annotation holds. Reads
/// and writes go through `Deref`/`DerefMut` (a write allocates); equality, `Debug` and
/// serde are those of the [`Qualifiers`] it stands for.
#[derive(Clone, Default)]
pub struct Brackets(Option<Box<Qualifiers>>);

/// What an empty [`Brackets`] reads as.
static NO_QUALIFIERS: Qualifiers = Qualifiers {
    severity: None,
    layer: None,
    stride: Vec::new(),
    values: BTreeMap::new(),
    tags: Vec::new(),
};

impl From<Qualifiers> for Brackets {
    fn from(q: Qualifiers) -> Self {
        Brackets((!q.is_empty()).then(|| Box::new(q)))
    }
}

impl std::ops::Deref for Brackets {
    type Target = Qualifiers;

    fn deref(&self) -> &Qualifiers {
        self.0.as_deref().unwrap_or(&NO_QUALIFIERS)
    }
}

impl std::ops::DerefMut for Brackets {
    fn deref_mut(&mut self) -> &mut Qualifiers {
        self.0.get_or_insert_with(Box::default)
    }
}

impl PartialEq for Brackets {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Brackets {}

impl std::fmt::Debug for Brackets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl Serialize for Brackets {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Brackets {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Qualifiers::deserialize(deserializer).map(Brackets::from)
    }
}

/// One mention of an entity: `Name`, `Name (#id)` or `#id`, with its own brackets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// The name as written (words joined by single spaces); `None` for a bare `#id`.
    pub name: Option<String>,
    /// The id: declared by `(#id)`, or referenced by a bare `#id`.
    pub id: Option<String>,
    /// True for a bare `#id`: a reference, never a declaration.
    pub is_reference: bool,
    pub qualifiers: Brackets,
    /// 1-based column of the mention's first character in the file.
    pub column: u32,
}

impl Mention {
    /// Text a person recognises: the name, or `#id`.
    pub fn display(&self) -> String {
        match (&self.name, &self.id) {
            (Some(name), _) => name.clone(),
            (None, Some(id)) => format!("#{id}"),
            (None, None) => String::new(),
        }
    }
}

/// The two sides of a `@boundary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BoundarySides {
    Between(Box<(Mention, Mention)>),
    Around(Vec<Mention>),
}

/// The verb-specific part of an annotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Form {
    Component {
        component: Mention,
    },
    Threat {
        threat: Mention,
    },
    Control {
        control: Mention,
    },
    Mitigates {
        target: Mention,
        threat: Mention,
        control: Option<Mention>,
    },
    Exposes {
        target: Mention,
        threat: Mention,
        details: Option<String>,
    },
    Accepts {
        threat: Mention,
        target: Mention,
        details: Option<String>,
    },
    Transfers {
        threat: Mention,
        from: Mention,
        to: Mention,
        details: Option<String>,
    },
    Connects {
        /// Two endpoints, or more for a GAL chain `A -> B -> C` (one flow per hop).
        endpoints: Vec<Mention>,
        two_way: bool,
        /// The `with`/`using`/`via` text.
        mechanism: Option<String>,
        /// `#id` and plain parts of the mechanism that may name a declared control.
        mechanism_parts: Vec<Mention>,
        id: Option<String>,
    },
    Boundary {
        name: Option<String>,
        id: Option<String>,
        sides: BoundarySides,
    },
    Handles {
        classes: Vec<String>,
        target: Mention,
    },
    Review {
        /// The component, when the form makes it unambiguous: `#id`, `"quoted"`, `Name (#id)`,
        /// or all the text before `--`.
        target: Option<Mention>,
        /// Otherwise the words after the verb with their columns; the model finds the
        /// longest known component path they start with (names may hold spaces).
        words: Vec<(String, u32)>,
        details: Option<String>,
    },
    Tests {
        control: Mention,
        target: Mention,
    },
    Assumes {
        target: Mention,
        /// What is assumed, when written after the component rather than as `-- "..."`.
        details: Option<String>,
    },
    Owns {
        owner: String,
        target: Mention,
    },
    Feature {
        name: String,
    },
    /// The text is the annotation's description.
    Comment {
        text: Option<String>,
    },
}

/// Typed fields of a YAML block (SPEC §3.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BlockFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub likelihood: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stride: Vec<Stride>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<Layer>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cwe: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub countermeasures: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub custom: BTreeMap<String, serde_json::Value>,
}

/// One parsed annotation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    pub verb: Verb,
    pub form: Form,
    /// The bracket that ends the annotation.
    pub qualifiers: Brackets,
    /// External references (`cwe:CWE-89`, `owasp:A03:2021`, ...).
    pub refs: Vec<String>,
    /// `-- "..."` text, continuation lines appended.
    pub description: Option<String>,
    /// Boxed: most annotations have no YAML block, and every annotation of a tree is held
    /// until the model is built (224 bytes inline in each, a quarter of an annotation).
    pub fields: Option<Box<BlockFields>>,
    /// Where the `@` of the verb is; in a `.gal` sidecar after `@source`, the place in the
    /// code it stands for (line of the anchor, column 1).
    pub location: Location,
    /// The function, method or type the annotation belongs to: the declaration its
    /// comment sits on or inside, or a sidecar's `@source ... symbol:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// Where it is written, when that is not `location` (a `.gal` sidecar line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Location>,
    /// The annotation as written, from `@` to the end of its line.
    pub text: String,
    /// The whole source line, for diagnostics that point into it.
    pub source_line: Option<String>,
}
