//! What spans lines: YAML blocks (SPEC §3.4), `-- "..."` continuations, GAL shields.

use serde_json::json;

use super::*;
use crate::annotation::syntax::{Severity, Stride};

#[test]
fn a_trailing_colon_opens_a_yaml_block_that_fills_the_typed_fields() {
    let found = find(&[
        " @threat Unauthorized API access (#api-unauth):",
        "   priority: high",
        "   likelihood: medium",
        "   stride: [spoofing, elevation-of-privilege]",
        "   description: Attackers gain access to the cluster API.",
        "   countermeasures: RBAC, strong authentication, audited access logs",
        "   owner: platform",
        "   impact:",
        "     money: lots",
        "",
        " @control RBAC (#rbac)",
    ]);
    assert!(found.diagnostics.is_empty(), "{:#?}", found.diagnostics);
    assert_eq!(found.annotations.len(), 2, "the blank line ends the block");
    let a = &found.annotations[0];
    let Form::Threat { threat } = &a.form else {
        panic!()
    };
    assert_eq!(
        show(threat),
        "Unauthorized API access (#api-unauth)",
        "the colon is not part of the id"
    );
    let f = a.fields.as_ref().expect("fields");
    assert_eq!(f.severity, Some(Severity::High));
    assert_eq!(f.likelihood.as_deref(), Some("medium"));
    assert_eq!(f.stride, [Stride::Spoofing, Stride::ElevationOfPrivilege]);
    assert_eq!(
        f.description.as_deref(),
        Some("Attackers gain access to the cluster API.")
    );
    assert_eq!(
        f.countermeasures.as_deref(),
        Some("RBAC, strong authentication, audited access logs")
    );
    assert_eq!(f.custom["owner"], json!("platform"));
    assert_eq!(f.custom["impact"], json!({"money": "lots"}));
    assert_eq!(found.annotations[1].location.line, 11);
}

#[test]
fn a_yaml_block_runs_to_the_end_of_the_comment() {
    // Threatspec drops this one (the comment is stripped before it sees a blank line);
    // SPEC reads it.
    let found = find(&[
        " @mitigates Web against XSS with Escaping:",
        "   description: |",
        "     Templates escape by default",
        "     and raw HTML is linted.",
    ]);
    assert!(found.diagnostics.is_empty(), "{:#?}", found.diagnostics);
    let f = found.annotations[0].fields.as_ref().unwrap();
    assert_eq!(
        f.description.as_deref(),
        Some("Templates escape by default\nand raw HTML is linted.")
    );
}

#[test]
fn yaml_keys_never_change_the_verb_or_the_references() {
    let a = &find(&[
        " @exposes Web to XSS (#xss) with templates:",
        "   threat: Something else",
        "   component: Other",
        "   severity: P0",
    ])
    .annotations[0];
    let Form::Exposes { target, threat, .. } = &a.form else {
        panic!()
    };
    assert_eq!(
        (show(target), show(threat)),
        ("Web".into(), "XSS (#xss)".into())
    );
    let f = a.fields.as_ref().unwrap();
    assert_eq!(f.severity, Some(Severity::Critical));
    assert_eq!(f.custom["threat"], json!("Something else"));
    assert_eq!(f.custom["component"], json!("Other"));
}

#[test]
fn stride_in_yaml_takes_letters_and_a_bare_word() {
    let fields = |line: &str| {
        find(&[" @threat T:", line]).annotations[0]
            .fields
            .clone()
            .unwrap()
    };
    assert_eq!(
        fields("  stride: TI").stride,
        [Stride::Tampering, Stride::InformationDisclosure]
    );
    assert_eq!(fields("  stride: tampering").stride, [Stride::Tampering]);
    assert_eq!(
        fields("  stride: denial-of-service, R").stride,
        [Stride::DenialOfService, Stride::Repudiation]
    );
}

#[test]
fn bad_yaml_is_a_diagnostic_on_its_own_line_and_the_annotation_stays() {
    let found = find(&[
        " @threat Tampering (#tamper):",
        "   description: ok",
        "   stride: [spoofing",
        "",
        " @threat Next",
    ]);
    assert_eq!(
        found.annotations.len(),
        2,
        "one bad block loses nothing else"
    );
    assert_eq!(found.annotations[0].fields, None);
    assert_eq!(found.diagnostics.len(), 1, "{:#?}", found.diagnostics);
    let d = &found.diagnostics[0];
    assert_eq!(d.code, Code::InvalidYaml);
    assert_eq!(d.severity, crate::diagnostics::Level::Error);
    // At the `[` of `   stride: [spoofing`, whose text starts at column 3.
    assert_eq!((d.location.line, d.location.column), (3, 14));
    assert_eq!(d.message, "invalid YAML block: unclosed bracket '['");
    assert_eq!(d.text, "stride: [spoofing");
    assert!(d.hint.as_deref().unwrap().contains("blank line"));
    assert_eq!(d.source_line.as_deref(), Some("source line 3"));
}

#[test]
fn duplicate_keys_and_bad_indentation_are_invalid_yaml_where_they_are() {
    let found = find(&[" @threat T:", "   a: 1", "   a: 2"]);
    let d = &found.diagnostics[0];
    assert_eq!((d.location.line, d.location.column), (3, 6));
    assert_eq!(d.message, "invalid YAML block: duplicate mapping key: a");

    let found = find(&[" @threat T:", "   a: 1", "  b: 2"]);
    let d = &found.diagnostics[0];
    assert_eq!(d.code, Code::InvalidYaml);
    assert_eq!((d.location.line, d.location.column), (3, 5));
}

#[test]
fn a_block_that_is_not_a_mapping_is_invalid_yaml() {
    let found = find(&[" @threat T:", "   - just", "   - a list"]);
    assert_eq!(found.annotations.len(), 1);
    let d = &found.diagnostics[0];
    assert_eq!(d.code, Code::InvalidYaml);
    assert_eq!(d.location.line, 2);
    assert!(d.message.contains("mapping"), "{}", d.message);
    assert_eq!(d.text, "- just");
}

#[test]
fn an_error_at_the_end_of_a_block_points_at_its_last_line_not_past_it() {
    let found = find(&[
        " @threat T:",
        "   a: [1,",
        "",
        " prose",
        " more prose",
        " even more prose",
    ]);
    let d = &found.diagnostics[0];
    assert_eq!(d.code, Code::InvalidYaml);
    assert_eq!(d.location.line, 2, "{d:#?}");
}

#[test]
fn an_annotation_line_ends_a_yaml_block() {
    let found = find(&[" @threat A:", "   description: a", " @threat B"]);
    assert!(found.diagnostics.is_empty(), "{:#?}", found.diagnostics);
    assert_eq!(found.annotations.len(), 2);
    assert_eq!(
        found.annotations[0]
            .fields
            .as_ref()
            .unwrap()
            .description
            .as_deref(),
        Some("a")
    );
}

#[test]
fn a_colon_with_nothing_below_reads_as_the_line_without_it() {
    let a = one(" @component App:Web (#web):");
    assert_eq!(a.fields, None);
    let Form::Component { component } = &a.form else {
        panic!()
    };
    assert_eq!(show(component), "App:Web (#web)");
}

#[test]
fn continuation_lines_append_with_one_space() {
    let found = find(&[
        " @threat Session_Hijacking (#session-hijack) [P1]",
        " -- \"Attacker steals session token via XSS\"",
        "     --   \"Particularly dangerous on \\\"shared\\\" networks\"",
        " @threat Next",
    ]);
    assert!(found.diagnostics.is_empty(), "{:#?}", found.diagnostics);
    assert_eq!(found.annotations.len(), 2);
    assert_eq!(
        found.annotations[0].description.as_deref(),
        Some("Attacker steals session token via XSS Particularly dangerous on \"shared\" networks")
    );
    assert_eq!(found.annotations[1].description, None);
}

#[test]
fn continuation_lines_extend_an_inline_description() {
    let found = find(&[" @flows A -> B via TLS -- \"first\"", " -- \"second\""]);
    assert_eq!(
        found.annotations[0].description.as_deref(),
        Some("first second")
    );
}

#[test]
fn any_other_line_ends_the_continuation() {
    let found = find(&[
        " @asset App.Auth (#auth) -- \"one\"",
        " prose in between",
        " -- \"not a continuation\"",
    ]);
    assert_eq!(found.annotations[0].description.as_deref(), Some("one"));

    let found = find_blocks(&[
        comment(&[" @asset App.Auth (#auth) -- \"one\""]),
        comment(&[" -- \"another comment\""]),
    ]);
    assert_eq!(found.annotations[0].description.as_deref(), Some("one"));
}

#[test]
fn a_rule_or_a_bare_dash_pair_is_not_a_continuation() {
    // In SQL or Lua the marker is `--`: `-----` is a ruler under the annotation.
    let found = find(&[
        " @threat T (#t) -- \"d\"",
        "------------------------",
        " --",
    ]);
    assert_eq!(found.annotations[0].description.as_deref(), Some("d"));
}

#[test]
fn a_continuation_with_no_annotation_above_is_ignored() {
    let found = find(&[" -- \"orphan\"", " some prose"]);
    assert!(found.annotations.is_empty() && found.diagnostics.is_empty());
}

#[test]
fn shields_skip_everything_between_begin_and_end() {
    let found = find_blocks(&[
        comment(&[" @shield:begin -- \"Key derivation, exclude from AI context\""]),
        comment(&[
            " @threat Hidden (#hidden)",
            " @mitigates are written next to the code",
            " @flows #a -> -- \"broken\"",
        ]),
        comment(&[" @shield:end"]),
        comment(&[" @threat Visible (#visible)"]),
    ]);
    assert!(found.diagnostics.is_empty(), "{:#?}", found.diagnostics);
    assert_eq!(found.annotations.len(), 1);
    assert_eq!(found.annotations[0].location.line, 1);
    let Form::Threat { threat } = &found.annotations[0].form else {
        panic!()
    };
    assert_eq!(show(threat), "Visible (#visible)");
}

#[test]
fn a_single_shield_or_a_look_alike_marker_is_not_a_shield() {
    let found = find(&[
        " @shield -- \"Proprietary algorithm below\"",
        " @shield:beginning",
        " @threat Still read (#read)",
    ]);
    assert!(found.diagnostics.is_empty(), "{:#?}", found.diagnostics);
    assert_eq!(found.annotations.len(), 1);
}

#[test]
fn the_yaml_text_is_not_part_of_the_annotation_text() {
    let a = &find(&[" @threat T (#t):", "   description: d"]).annotations[0];
    assert_eq!(a.text, "@threat T (#t):");
}
