//! Stable fingerprints: a finding's code and the ids involved, never lines, hashed with
//! FNV-1a (a fixed algorithm, so fingerprints survive compiler and library upgrades).

/// The fingerprint of `code` over `parts` (ids, in a fixed order), as 16 hex digits.
pub fn fingerprint(code: &str, parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    feed(code.as_bytes());
    for part in parts {
        feed(&[0]);
        feed(part.to_lowercase().as_bytes());
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depends_on_code_and_ids_only() {
        let a = fingerprint("unmitigated-exposure", &["orders", "sqli"]);
        assert_eq!(a, fingerprint("unmitigated-exposure", &["Orders", "SQLI"]));
        assert_ne!(a, fingerprint("unmitigated-exposure", &["sqli", "orders"]));
        assert_ne!(a, fingerprint("unmitigated-threat", &["orders", "sqli"]));
        // Pinned: a change here invalidates every user's baseline.
        assert_eq!(fingerprint("x", &[]), "af63f54c86021707");
    }
}
