//! CCCS layer inference from names, by the keyword table in `grammars/layers.yaml`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::normalize::normalize;
use crate::annotation::Layer;

/// How a component got its layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LayerSource {
    Explicit,
    Inherited,
    Inferred,
}

/// Keyword lists per layer, each keyword as normalised words.
#[derive(Debug, Clone)]
pub struct LayerKeywords {
    keywords: Vec<(Vec<String>, Layer)>,
}

const TABLE_SOURCE: &str = include_str!("../../grammars/layers.yaml");

static DEFAULT: LazyLock<LayerKeywords> = LazyLock::new(|| {
    let table: BTreeMap<String, Vec<String>> =
        serde_saphyr::from_str(TABLE_SOURCE).expect("grammars/layers.yaml is valid (tested)");
    LayerKeywords::from_table(&table).expect("grammars/layers.yaml names only CCCS layers")
});

impl LayerKeywords {
    /// The built-in table.
    pub fn builtin() -> &'static LayerKeywords {
        &DEFAULT
    }

    /// A table from `layer: [keywords]` lists; an unknown layer name is an error.
    pub fn from_table(table: &BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        let mut keywords = Vec::new();
        for (layer, words) in table {
            let layer = Layer::parse(layer).ok_or_else(|| format!("unknown layer `{layer}`"))?;
            for word in words {
                let key = normalize(word);
                if key.is_empty() {
                    continue;
                }
                keywords.push((key.split('_').map(str::to_string).collect(), layer));
            }
        }
        Ok(LayerKeywords { keywords })
    }

    /// Adds keywords that take precedence over the existing ones for the same words.
    pub fn extend(&mut self, other: &LayerKeywords) {
        let mut merged = other.keywords.clone();
        merged.extend(
            self.keywords
                .iter()
                .filter(|(k, _)| !other.keywords.iter().any(|(o, _)| o == k))
                .cloned(),
        );
        self.keywords = merged;
    }

    /// The layer a name suggests: the keyword that ends furthest right in the name wins;
    /// among keywords ending at the same word, the longest.
    pub fn infer(&self, name: &str) -> Option<Layer> {
        let key = normalize(name);
        let words: Vec<&str> = key.split('_').filter(|w| !w.is_empty()).collect();
        let mut best: Option<(usize, usize, Layer)> = None;
        for (kw, layer) in &self.keywords {
            for end in (1..=words.len()).rev() {
                if matches_at(&words, end, kw) {
                    let candidate = (end, kw.len(), *layer);
                    if best.is_none_or(|b| (candidate.0, candidate.1) > (b.0, b.1)) {
                        best = Some(candidate);
                    }
                    break;
                }
            }
        }
        best.map(|(_, _, layer)| layer)
    }
}

/// Whether `keyword` ends at word index `end` (exclusive): as separate words, or as one
/// word written together (`loadbalancer`), a final `s` allowed.
fn matches_at(words: &[&str], end: usize, keyword: &[String]) -> bool {
    let same = |word: &str, kw: &str| word == kw || word.strip_suffix('s') == Some(kw);
    let n = keyword.len();
    if end >= n
        && words[end - n..end]
            .iter()
            .zip(keyword)
            .all(|(w, k)| same(w, k))
    {
        return true;
    }
    n > 1 && same(words[end - 1], &keyword.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infers_by_rightmost_keyword() {
        let k = LayerKeywords::builtin();
        assert_eq!(k.infer("Orders Database"), Some(Layer::Storage));
        assert_eq!(k.infer("Admin Database"), Some(Layer::Storage));
        assert_eq!(k.infer("Database Admin"), Some(Layer::Control));
        assert_eq!(k.infer("Public Load-Balancer"), Some(Layer::Communication));
        assert_eq!(k.infer("loadbalancer"), Some(Layer::Communication));
        assert_eq!(k.infer("Kube API Server"), Some(Layer::Control));
        assert_eq!(k.infer("Order Queues"), Some(Layer::Communication));
        assert_eq!(k.infer("Checkout Service"), None);
    }
}
