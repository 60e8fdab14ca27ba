//! Zone names that make a trust zone untrusted by inference, from `catalogue/trust.yaml`:
//! a zone whose name ends in `internet`, `customer`, `partner`, ... is untrusted, marked as
//! inferred wherever it is shown (SPEC §4, "Zone trust").

use std::sync::LazyLock;

use serde::Deserialize;

use crate::model::normalize::normalize;

const SOURCE: &str = include_str!("../../catalogue/trust.yaml");

/// The file's shape.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    untrusted: Vec<String>,
}

/// The keyword table, each keyword as written and as normalised words.
#[derive(Debug, Clone)]
pub struct TrustKeywords {
    keywords: Vec<(String, Vec<String>)>,
}

static BUILTIN: LazyLock<TrustKeywords> = LazyLock::new(|| {
    TrustKeywords::parse(SOURCE)
        .unwrap_or_else(|e| panic!("catalogue/trust.yaml is valid (tested): {e}"))
});

impl TrustKeywords {
    /// The table compiled in.
    pub fn builtin() -> &'static TrustKeywords {
        &BUILTIN
    }

    /// A table in the layout of `catalogue/trust.yaml`; a keyword that normalises to
    /// nothing, or one listed twice, is an error.
    pub fn parse(text: &str) -> Result<TrustKeywords, String> {
        let table: Table = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        let mut keywords: Vec<(String, Vec<String>)> = Vec::new();
        for word in table.untrusted {
            let key = normalize(&word);
            if key.is_empty() {
                return Err(format!("`{word}` is not a word"));
            }
            let words: Vec<String> = key.split('_').map(str::to_string).collect();
            if keywords.iter().any(|(_, w)| *w == words) {
                return Err(format!("`{word}` is listed twice"));
            }
            keywords.push((word, words));
        }
        if keywords.is_empty() {
            return Err("`untrusted` lists no word".to_string());
        }
        Ok(TrustKeywords { keywords })
    }

    /// The keywords as the table writes them.
    pub fn keywords(&self) -> impl Iterator<Item = &str> {
        self.keywords.iter().map(|(w, _)| w.as_str())
    }

    /// The keyword a zone's name ends in, as the table writes it: the last words of the
    /// name (normalised; a final `s` allowed; a two-word keyword also written as one word),
    /// the longest keyword first. `Customer Data` ends in `data`, so it is not untrusted.
    pub fn infer(&self, name: &str) -> Option<&str> {
        let key = normalize(name);
        let words: Vec<&str> = key.split('_').filter(|w| !w.is_empty()).collect();
        self.keywords
            .iter()
            .filter(|(_, kw)| ends_with(&words, kw))
            .max_by_key(|(_, kw)| kw.len())
            .map(|(w, _)| w.as_str())
    }
}

/// Whether `words` end in `keyword`: word by word, or (a keyword of several words) as one
/// word written together; a final `s` allowed.
fn ends_with(words: &[&str], keyword: &[String]) -> bool {
    let same = |word: &str, kw: &str| word == kw || word.strip_suffix('s') == Some(kw);
    let n = keyword.len();
    if words.len() >= n
        && words[words.len() - n..]
            .iter()
            .zip(keyword)
            .all(|(w, k)| same(w, k))
    {
        return true;
    }
    n > 1 && words.last().is_some_and(|w| same(w, &keyword.concat()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_loads_with_the_words_of_the_spec() {
        let t = TrustKeywords::builtin();
        let words: Vec<&str> = t.keywords().collect();
        for w in [
            "internet",
            "external",
            "public",
            "anonymous",
            "visitor",
            "user",
            "customer",
            "partner",
            "third-party",
            "supplier",
            "attacker",
        ] {
            assert!(words.contains(&w), "{w}");
        }
    }

    #[test]
    fn a_name_is_untrusted_when_it_ends_in_a_keyword() {
        let t = TrustKeywords::builtin();
        for (name, keyword) in [
            ("Internet", "internet"),
            ("Customer", "customer"),
            ("Suppliers", "supplier"),
            ("External Partners", "partner"),
            ("anonymous-users", "user"),
            ("Third-Party", "third-party"),
            ("third_party", "third-party"),
            ("ThirdParty", "third-party"),
            ("Visitors", "visitor"),
            ("PUBLIC", "public"),
        ] {
            assert_eq!(t.infer(name), Some(keyword), "{name}");
        }
        for name in [
            "Customer Data",
            "User Service",
            "UserService",
            "Public API",
            "Shop",
            "Stripe",
            "GitHub",
            "Internetwork Gateway",
            "",
        ] {
            assert_eq!(t.infer(name), None, "{name}");
        }
    }

    #[test]
    fn a_bad_table_is_an_error() {
        assert!(TrustKeywords::parse("untrusted: []\n").is_err());
        assert!(TrustKeywords::parse("untrusted: [a, A]\n").is_err());
        assert!(TrustKeywords::parse("untrusted: ['  ']\n").is_err());
        assert!(TrustKeywords::parse("trusted: [a]\n").is_err());
    }
}
