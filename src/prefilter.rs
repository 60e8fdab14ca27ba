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
    last_candidate(bytes, reads_threatspec_keys).is_some()
}

/// How far into `bytes` a parse must read to see every possible annotation: the offset of
/// the last `@verb`, or the whole file when it has `x-threatspec` keys (they may sit
/// anywhere in a mapping). `None` when nothing can be an annotation.
pub fn last_candidate(bytes: &[u8], reads_threatspec_keys: bool) -> Option<usize> {
    if reads_threatspec_keys && memchr::memmem::find(bytes, b"x-threatspec").is_some() {
        return Some(bytes.len());
    }
    memchr::memrchr_iter(b'@', bytes).find(|&at| {
        let rest = &bytes[at + 1..];
        STEMS
            .iter()
            .any(|stem| rest.len() >= stem.len() && rest[..stem.len()].eq_ignore_ascii_case(stem))
    })
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

    #[test]
    fn the_last_candidate_is_where_a_parse_may_stop() {
        assert_eq!(
            last_candidate(b"// @threat a\n// @mitigates b\nx", false),
            Some(16)
        );
        assert_eq!(
            last_candidate(b"# @flows A\nx-threatspec: y\n", true),
            Some(27)
        );
        assert_eq!(last_candidate(b"a@b.c", false), None);
    }
}
