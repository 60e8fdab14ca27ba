//! Name normalisation (SPEC §3.1): NFKC, lowercase, whitespace and `-` to `_`, other
//! characters outside `[a-z0-9_]` dropped, runs of `_` collapsed, ends trimmed.

use unicode_normalization::UnicodeNormalization;

/// The key a name is known by: `SQL Injection`, `sql-injection` and `SQL_INJECTION` are
/// one key.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    // NFKC leaves ASCII as it is; composing every name of a large model cost a tenth of
    // the model's build.
    if name.is_ascii() {
        fold_into(name.chars().map(|c| c.to_ascii_lowercase()), &mut out);
    } else {
        fold_into(name.nfkc().flat_map(char::to_lowercase), &mut out);
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() && !name.trim().is_empty() {
        // A name with no ASCII letter at all still needs a key of its own.
        return name
            .nfkc()
            .flat_map(char::to_lowercase)
            .map(|c| if c.is_whitespace() { '_' } else { c })
            .collect();
    }
    out
}

/// Whitespace and `-` to one `_`, other characters outside `[a-z0-9_]` dropped.
fn fold_into(chars: impl Iterator<Item = char>, out: &mut String) {
    for c in chars {
        let c = if c.is_whitespace() || c == '-' {
            '_'
        } else {
            c
        };
        if c == '_' {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        }
    }
}

/// The key of an id, or of a path: each `.`-separated segment normalised.
pub fn id_key(id: &str) -> String {
    id.split('.')
        .map(normalize)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples_are_one_key() {
        assert_eq!(normalize("SQL Injection"), "sql_injection");
        assert_eq!(normalize("sql-injection"), "sql_injection");
        assert_eq!(normalize("SQL_INJECTION"), "sql_injection");
        assert_eq!(
            normalize("  Cross-site  Scripting (XSS) "),
            "cross_site_scripting_xss"
        );
        assert_eq!(normalize("ﬁle—store"), "filestore");
        assert_eq!(normalize("__a__b__"), "a_b");
        assert_eq!(id_key("PRNG"), "prng");
        assert_eq!(id_key("App.Auth-Service"), "app.auth_service");
    }

    #[test]
    fn names_without_ascii_still_have_keys() {
        assert_eq!(normalize("数据库"), "数据库");
        assert_ne!(normalize("数据库"), normalize("缓存"));
    }
}
