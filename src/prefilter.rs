//! The byte-level prefilter: only a file with `@` followed by a verb (or an `x-threatspec`
//! key) can hold an annotation, so only such a file is parsed at all.

/// Verb stems, lowercase; a match needs the stem right after `@`, any case.
const STEMS: &[&[u8]] = &[
    b"component",
    b"asset",
    b"threat",
    b"control",
    b"mitigate",
    b"expose",
    b"accept",
    b"transfer",
    b"connect",
    b"flow",
    b"boundar",
    b"handle",
    b"review",
    b"audit",
    b"test",
    b"validate",
];

/// True when `bytes` may hold an annotation.
pub fn may_hold_annotation(bytes: &[u8], reads_threatspec_keys: bool) -> bool {
    for at in memchr::memchr_iter(b'@', bytes) {
        let rest = &bytes[at + 1..];
        if STEMS
            .iter()
            .any(|stem| rest.len() >= stem.len() && rest[..stem.len()].eq_ignore_ascii_case(stem))
        {
            return true;
        }
    }
    reads_threatspec_keys && memchr::memmem::find(bytes, b"x-threatspec").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_verbs_in_any_case_and_nothing_else() {
        assert!(may_hold_annotation(b"x // @Mitigates a", false));
        assert!(may_hold_annotation(b"# @flows A -> B", false));
        assert!(!may_hold_annotation(b"user@example.com @Override", false));
        assert!(!may_hold_annotation(b"x-threatspec: y", false));
        assert!(may_hold_annotation(b"x-threatspec: y", true));
    }
}
