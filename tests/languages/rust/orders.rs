//! Order service.
//! @component Rust:Orders (#rs_orders) [compute]
//! @handles financial on Rust:Orders

use std::collections::HashMap;

/*! @component Rust:Orders:Db [storage] */

/// Looks an order up.
/// @threat SQL Injection (#rs_sqli) [high, tampering] cwe:CWE-89
/// @control Bound Parameters (#rs_params)
pub fn find(db: &HashMap<String, String>, id: &str) -> Option<String> {
    let raw = r#"// @threat Raw string TRAP (#rs_trap_raw)"#;
    let plain = "/* @threat Plain string TRAP */"; // @mitigates Rust:Orders against #rs_sqli with #rs_params
    let bytes = b"// @threat Byte string TRAP";
    let multi = r##"
// @threat Multi-line raw TRAP
   @exposes Rust:Orders to #rs_trap_raw
"##;
    let _ = (raw, plain, bytes, multi);
    /* @exposes Rust:Orders to #rs_sqli with string concat [low] */
    db.get(id).cloned() /* @connects Rust:Orders to Rust:Orders:Db with SQL */
}

/**
 * Sessions.
 *
 * @threat Session fixation (#rs_fixation):
 *   priority: high
 *   description: Session ids survive login.
 */
pub fn login() {}

/** @threat Replay (#rs_replay):
 *    likelihood: low
 *    description: Tokens can be replayed. */
pub fn replay() {}

// @threat Token theft (#rs_token):
//   severity: critical
//   stride: [spoofing]
// @mitigates Rust:Orders against #rs_token with short-lived tokens
pub fn tokens() {
    // TODO @mitigates Rust:Orders against #rs_replay
    // @skip @mitigates Rust:Orders against #rs_replay
    let éé = 1; // @accepts #rs_replay to Rust:Orders with nonce checks elsewhere
    let _ = éé;
}

/* Nested /* comments */ are one node.
   @review Rust:Orders nested block comments */

pub fn quote<'a>(s: &'a str) -> (char, &'a str) {
    let q = '"'; // @control Quote escaping (#rs_quotes)
    let t = br#"/* @threat Byte raw TRAP */"#;
    let _ = t;
    (q, s) /* @tests #rs_quotes for Rust:Orders **/
}
