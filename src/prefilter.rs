//! The byte-level prefilter: only a file with `@` followed by a verb (or an `x-threatspec`
//! key) can hold an annotation, so only such a file is parsed at all.
//!
//! A verb here is exactly what the annotation reader takes for one ([`VERB_WORDS`] ended
//! as [`ends_verb`] says), so `@Test`, `@Override`, `@testing.fixture` or `@param` never
//! cost a parse: on a Java or Python test suite they are on every other line.

use crate::annotation::{VERB_WORDS, ends_verb};

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
    memchr::memrchr_iter(b'@', bytes).find(|&at| is_verb_at(bytes, at))
}

/// Every `@verb` of `bytes`, first to last.
pub fn candidates(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'@', bytes).filter(|&at| is_verb_at(bytes, at))
}

/// Whether the `@` at `at` starts a verb.
fn is_verb_at(bytes: &[u8], at: usize) -> bool {
    let rest = &bytes[at + 1..];
    // Every verb starts with a lowercase letter: most `@`s of real code (decorators,
    // emails, `@Test`) are rejected by this one comparison.
    if !rest.first().is_some_and(u8::is_ascii_lowercase) {
        return false;
    }
    VERB_WORDS.iter().any(|(word, _)| {
        rest.starts_with(word.as_bytes()) && ends_verb(rest.get(word.len()).copied())
    })
}

/// Whether a stream may hold an annotation, read in pieces so that a file over the size
/// cap is judged without holding it: a `@verb` (or `x-threatspec`) cut by a piece
/// boundary is seen whole in the overlap kept from the piece before.
pub fn stream_may_hold_annotation(
    mut reader: impl std::io::Read,
    reads_threatspec_keys: bool,
) -> std::io::Result<bool> {
    // Longer than any verb and its terminator, and than `x-threatspec`.
    const OVERLAP: usize = 16;
    let mut buffer = vec![0u8; 64 * 1024];
    let mut kept = 0;
    loop {
        let read = match reader.read(&mut buffer[kept..]) {
            Ok(0) => return Ok(may_hold_annotation(&buffer[..kept], reads_threatspec_keys)),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let filled = kept + read;
        // The last bytes may be a verb whose end is still to come: judged with the next
        // piece, except at the end of the stream (above).
        let judged = filled.saturating_sub(OVERLAP);
        let window = &buffer[..filled];
        let complete = memchr::memchr_iter(b'@', &window[..judged])
            .any(|at| is_verb_at(window, at))
            || (reads_threatspec_keys && memchr::memmem::find(window, b"x-threatspec").is_some());
        if complete {
            return Ok(true);
        }
        buffer.copy_within(judged..filled, 0);
        kept = filled - judged;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_exact_verbs_and_nothing_else() {
        for yes in [
            &b"x // @mitigates a"[..],
            b"# @flows A -> B",
            b"@mitigate a",
            b"@threat X (#x):\n",
            b"@tests:",
            b"@component",
            b"@exposes\tA",
            b"@connects A\r\n",
        ] {
            assert!(
                may_hold_annotation(yes, false),
                "{}",
                String::from_utf8_lossy(yes)
            );
        }
        for no in [
            &b"user@example.com @Override"[..],
            b"@Mitigates a",
            b"@Component({selector: 'x'})",
            b"@Accept json",
            b"@Test",
            b"@test it_creates_a_user",
            b"// @flow",
            b"@flow strict",
            b"@testing.fixture",
            b"@validates(\"email\")",
            b"@connect(mapState)",
            b"@audit-level=moderate",
            b"@controllers",
            b"@assets live elsewhere",
            b"@angular/core",
            b"x-threatspec: y",
        ] {
            assert!(
                !may_hold_annotation(no, false),
                "{}",
                String::from_utf8_lossy(no)
            );
        }
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
        assert_eq!(
            candidates(b"@Test @threat a @x @flows b").collect::<Vec<_>>(),
            vec![6, 19]
        );
    }

    /// Reads at most `n` bytes a call, so verbs fall across every piece boundary.
    struct Trickle<'a>(&'a [u8], usize);

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(self.0.len()).min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_stream_is_judged_as_the_whole_would_be() {
        let filler = "x".repeat(70 * 1024);
        for (text, want) in [
            (format!("{filler}// @threat a"), true),
            (format!("{filler}// @threat"), true),
            (format!("{filler}// @threats a"), false),
            (format!("// @Test {filler}"), false),
            (format!("// @flows A -> B {filler}"), true),
        ] {
            for piece in [1, 7, 4096, 1 << 20] {
                let got =
                    stream_may_hold_annotation(Trickle(text.as_bytes(), piece), false).unwrap();
                assert_eq!(
                    got,
                    want,
                    "piece {piece}: {}",
                    &text[text.len().saturating_sub(20)..]
                );
            }
        }
        let keyed = format!("{filler}x-threatspec: y");
        assert!(stream_may_hold_annotation(Trickle(keyed.as_bytes(), 5), true).unwrap());
        assert!(!stream_may_hold_annotation(Trickle(keyed.as_bytes(), 5), false).unwrap());
    }
}
