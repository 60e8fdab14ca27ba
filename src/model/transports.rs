//! Secure transports named in a flow's mechanism (`catalogue/transports.yaml`): a flow
//! `via HTTPS/443` is protected by TLS, inferred and shown as such; a flow over plain HTTP
//! or raw TCP is not, and its finding names the transport.

use std::sync::{Arc, LazyLock};

use regex::Regex;
use serde::Deserialize;

const TABLE_SOURCE: &str = include_str!("../../catalogue/transports.yaml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    secure: Vec<SecureEntry>,
    insecure: Vec<String>,
    negations: Vec<String>,
}

/// One secure transport as data: the control that stands for it and how it is spelled.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecureEntry {
    /// A catalogue control id (`transport-tls`), or for a local transport the id made of
    /// its name.
    #[serde(default)]
    pub control: String,
    pub name: String,
    pub spellings: Vec<String>,
}

/// A control a flow's mechanism implies.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InferredControl {
    pub control: String,
    pub name: String,
    /// The words of the mechanism it is inferred from (`HTTPS/443`).
    pub from: String,
}

/// The compiled table.
#[derive(Debug)]
pub struct Transports {
    /// Off: nothing is inferred (`transports: {infer: false}`).
    infer: bool,
    secure: Vec<(SecureEntry, Regex)>,
    insecure: Regex,
    negation: Regex,
}

static BUILTIN: LazyLock<Arc<Transports>> = LazyLock::new(|| {
    Arc::new(
        Transports::new(Vec::new(), true).expect("catalogue/transports.yaml is valid (tested)"),
    )
});

impl Transports {
    /// The built-in table, shared.
    pub fn builtin() -> Arc<Transports> {
        BUILTIN.clone()
    }

    /// The built-in table with `local` transports before it; `infer: false` infers nothing.
    pub fn new(local: Vec<SecureEntry>, infer: bool) -> Result<Transports, String> {
        let table: Table = serde_saphyr::from_str(TABLE_SOURCE).map_err(|e| e.to_string())?;
        let mut secure = Vec::new();
        for mut entry in local.into_iter().chain(table.secure) {
            if entry.control.is_empty() {
                entry.control = super::normalize::normalize(&entry.name);
            }
            let pattern =
                words(&entry.spellings).map_err(|e| format!("transport `{}`: {e}", entry.name))?;
            secure.push((entry, pattern));
        }
        Ok(Transports {
            infer,
            secure,
            insecure: words(&table.insecure)?,
            negation: Regex::new(&format!(
                r"(?i)(?:^|[^a-z0-9])(?:{})[\s-]+$",
                table
                    .negations
                    .iter()
                    .map(|n| regex::escape(n))
                    .collect::<Vec<_>>()
                    .join("|")
            ))
            .map_err(|e| e.to_string())?,
        })
    }

    /// The controls a mechanism names by a secure transport (each once, in table order).
    pub fn infer(&self, mechanism: &str) -> Vec<InferredControl> {
        if !self.infer {
            return Vec::new();
        }
        let mut out: Vec<InferredControl> = Vec::new();
        for (entry, pattern) in &self.secure {
            // Not after a negation, and not a `#ref` (`with #tls` names a declared control,
            // which protects the flow by itself).
            let found = pattern
                .captures_iter(mechanism)
                .filter_map(|c| spelling(&c))
                .find(|m| {
                    let before = &mechanism[..m.start()];
                    !before.ends_with('#') && !self.negation.is_match(before)
                });
            if let Some(m) = found
                && !out.iter().any(|c| c.control == entry.control)
            {
                out.push(InferredControl {
                    control: entry.control.clone(),
                    name: entry.name.clone(),
                    from: phrase(mechanism, m.start(), m.end()),
                });
            }
        }
        out
    }

    /// The first insecure transport a mechanism names (`plain HTTP`, `TCP 5432`).
    pub fn insecure(&self, mechanism: &str) -> Option<String> {
        self.insecure
            .captures(mechanism)
            .and_then(|c| spelling(&c))
            .map(|m| phrase(mechanism, m.start(), m.end()))
    }
}

/// One case-insensitive pattern matching any of `spellings` as a whole word: not inside a
/// longer word (`HTTPSish`), whatever the punctuation around it (`HTTPS/443`, `(TLS)`).
fn words(spellings: &[String]) -> Result<Regex, String> {
    // A spelling that ends in a letter or digit needs a boundary after it; one that ends in
    // punctuation (`https://`) ends where it ends.
    let (words, prefixes): (Vec<&String>, Vec<&String>) = spellings
        .iter()
        .partition(|s| s.ends_with(|c: char| c.is_ascii_alphanumeric()));
    let alternatives = |list: &[&String]| {
        let escaped: Vec<String> = list.iter().map(|s| regex::escape(s)).collect();
        if escaped.is_empty() {
            // Matches nothing.
            r"[^\s\S]".to_string()
        } else {
            escaped.join("|")
        }
    };
    Regex::new(&format!(
        r"(?i)(?:^|[^a-z0-9])(?:({})(?:[^a-z0-9]|$)|({}))",
        alternatives(&words),
        alternatives(&prefixes)
    ))
    .map_err(|e| e.to_string())
}

/// The spelling a match of [`words`] found, without the boundaries around it.
fn spelling<'t>(captures: &regex::Captures<'t>) -> Option<regex::Match<'t>> {
    captures.get(1).or_else(|| captures.get(2))
}

/// The words of the mechanism a spelling at `start..end` stands in, up to the next space,
/// so `HTTPS/443` and `https://api.example.com` are shown whole.
fn phrase(text: &str, start: usize, end: usize) -> String {
    let end = text[end..]
        .find(char::is_whitespace)
        .map_or(text.len(), |i| end + i);
    text[start..end]
        .trim_end_matches([',', ';', '.', ')'])
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protected(mechanism: &str) -> Vec<(String, String)> {
        Transports::builtin()
            .infer(mechanism)
            .into_iter()
            .map(|c| (c.name, c.from))
            .collect()
    }

    #[test]
    fn secure_transports_are_named_as_whole_words() {
        for (mechanism, name, from) in [
            ("HTTPS", "TLS", "HTTPS"),
            ("HTTPS/443", "TLS", "HTTPS/443"),
            ("TLS 1.3", "TLS", "TLS"),
            ("TLSv1.3", "TLS", "TLSv1.3"),
            ("https://api.example.com", "TLS", "https://api.example.com"),
            ("sslmode=verify-full", "TLS", "sslmode=verify-full"),
            ("wss://events", "TLS", "wss://events"),
            ("gRPC with TLS", "TLS", "gRPC with TLS"),
            ("SSH", "SSH", "SSH"),
            ("sftp drop", "SSH", "sftp"),
            ("WireGuard", "VPN tunnel", "WireGuard"),
        ] {
            let got = protected(mechanism);
            assert!(
                got.iter().any(|(n, f)| n == name && f == from),
                "{mechanism}: {got:?}"
            );
        }
        let both = protected("HTTPS and mutual TLS");
        assert_eq!(both[0].0, "mutual TLS", "{both:?}");
        assert!(both.iter().any(|(n, _)| n == "TLS"));
        for mechanism in [
            "HTTP",
            "HTTP:8080",
            "plain HTTP",
            "TCP 5432",
            "HTTPSish",
            "HTTPSS",
            "plain HTTPS",
            "without TLS",
            "no TLS",
            "non-TLS",
            "fetch",
            "process.env",
            "mtlsx",
        ] {
            assert_eq!(protected(mechanism), Vec::new(), "{mechanism}");
        }
    }

    #[test]
    fn insecure_transports_are_named_and_the_inference_can_be_off_or_local() {
        let t = Transports::builtin();
        assert_eq!(t.insecure("plain HTTP").as_deref(), Some("HTTP"));
        assert_eq!(t.insecure("HTTPS"), None);
        assert_eq!(t.insecure("with TCP 5432").as_deref(), Some("TCP"));
        assert_eq!(t.insecure("HTTP:8080").as_deref(), Some("HTTP:8080"));
        assert_eq!(
            t.insecure("HTTP/1.1 inside the VPC").as_deref(),
            Some("HTTP/1.1")
        );
        assert!(
            t.infer("#tls").is_empty(),
            "a reference to a declared control"
        );
        let off = Transports::new(Vec::new(), false).unwrap();
        assert!(off.infer("HTTPS").is_empty());
        let local = Transports::new(
            vec![SecureEntry {
                control: String::new(),
                name: "Corp VPN".into(),
                spellings: vec!["corpnet".into()],
            }],
            true,
        )
        .unwrap();
        let got = local.infer("over CorpNet");
        assert_eq!(
            (got[0].control.as_str(), got[0].from.as_str()),
            ("corp_vpn", "CorpNet")
        );
    }
}
