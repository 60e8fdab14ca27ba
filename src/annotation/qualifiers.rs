//! The contents of `[...]` brackets and external references (SPEC §3.1).

use super::syntax::{Layer, Qualifiers, Severity, Stride};

/// Parses the text between `[` and `]`: items separated by commas or spaces.
pub fn parse_bracket(text: &str) -> Qualifiers {
    let mut q = Qualifiers::default();
    for item in text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        add_item(&mut q, item);
    }
    q
}

fn add_item(q: &mut Qualifiers, item: &str) {
    if let Some(severity) = Severity::parse(item) {
        q.severity.get_or_insert(severity);
        return;
    }
    if let Some(layer) = Layer::parse(item) {
        q.layer.get_or_insert(layer);
        return;
    }
    if let Some(stride) = Stride::parse(item) {
        push_unique(&mut q.stride, stride);
        return;
    }
    if let Some((key, value)) = item.split_once(':') {
        let key = key.to_ascii_lowercase();
        match key.as_str() {
            "stride" => {
                let letters: Vec<Stride> = value.chars().filter_map(Stride::from_letter).collect();
                if letters.len() == value.chars().count() && !letters.is_empty() {
                    for s in letters {
                        push_unique(&mut q.stride, s);
                    }
                    return;
                }
                if let Some(s) = Stride::parse(value) {
                    push_unique(&mut q.stride, s);
                    return;
                }
            }
            "severity" | "priority" => {
                if let Some(s) = Severity::parse(value) {
                    q.severity.get_or_insert(s);
                    return;
                }
            }
            "layer" => {
                if let Some(l) = Layer::parse(value) {
                    q.layer.get_or_insert(l);
                    return;
                }
            }
            _ => {}
        }
        q.values.entry(key).or_insert_with(|| value.to_string());
        return;
    }
    let tag = item.to_string();
    if !q.tags.contains(&tag) {
        q.tags.push(tag);
    }
}

fn push_unique(list: &mut Vec<Stride>, s: Stride) {
    if !list.contains(&s) {
        list.push(s);
    }
}

/// Whether a word is an external reference with a well-known prefix (`cwe:CWE-89`,
/// `capec:CAPEC-66`, `owasp:A03:2021`, `attack:T1190`, ...). The value is checked because
/// the prefix could also start a component path: `Attack:Surface` and `PCI:Vault` are
/// paths, and every catalogue identifier carries a number.
pub fn is_known_ref(word: &str) -> bool {
    let Some((prefix, value)) = word.split_once(':') else {
        return false;
    };
    if value.is_empty() {
        return false;
    }
    let upper = value.to_ascii_uppercase();
    let digits_after = |p: &str| {
        let v = upper.strip_prefix(p).unwrap_or(&upper);
        !v.is_empty() && v.chars().all(|c| c.is_ascii_digit())
    };
    match prefix.to_ascii_lowercase().as_str() {
        "cwe" => digits_after("CWE-"),
        "capec" => digits_after("CAPEC-"),
        "cve" => {
            let v = upper.strip_prefix("CVE-").unwrap_or(&upper);
            v.starts_with(|c: char| c.is_ascii_digit())
        }
        "attack" => {
            // Techniques (`T1190`, `T1059.001`) and tactics (`TA0001`).
            let v = upper.strip_prefix("TA").or_else(|| upper.strip_prefix('T'));
            v.is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        }
        "owasp" | "asvs" | "masvs" | "nist" | "cis" | "pci" | "iso" | "mitre" | "cvss" => {
            value.contains(|c: char| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// Whether a word has the shape of an opaque external reference (`prefix:value`), which
/// counts as one where it follows an id or a bracket.
pub fn is_ref_shaped(word: &str) -> bool {
    let Some((prefix, value)) = word.split_once(':') else {
        return false;
    };
    !prefix.is_empty()
        && prefix.chars().all(|c| c.is_ascii_alphabetic())
        && !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_severity_layer_stride_and_values() {
        let q = parse_bracket("P1, storage tampering stride:SI likelihood:medium owner:payments x");
        assert_eq!(q.severity, Some(Severity::High));
        assert_eq!(q.layer, Some(Layer::Storage));
        assert_eq!(
            q.stride,
            vec![
                Stride::Tampering,
                Stride::Spoofing,
                Stride::InformationDisclosure
            ]
        );
        assert_eq!(q.values["likelihood"], "medium");
        assert_eq!(q.values["owner"], "payments");
        assert_eq!(q.tags, vec!["x"]);
    }

    #[test]
    fn tells_refs_from_paths() {
        assert!(is_known_ref("cwe:CWE-89"));
        assert!(is_known_ref("CWE:89"));
        assert!(is_known_ref("capec:CAPEC-66"));
        assert!(is_known_ref("owasp:A03:2021"));
        assert!(is_known_ref("attack:T1190"));
        assert!(!is_known_ref("Attack:Surface"));
        assert!(!is_known_ref("WebApp:Web"));
        assert!(is_ref_shaped("nist:SI-10"));
        assert!(!is_ref_shaped("Web App:Login"));
    }
}
