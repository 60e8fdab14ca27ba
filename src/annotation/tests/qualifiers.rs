//! Brackets and external references, wherever SPEC §3.1 lets them stand.

use super::*;
use crate::annotation::syntax::{Layer, Severity, Stride};

#[test]
fn a_bracket_after_any_inline_name_belongs_to_that_name() {
    let a = one(
        " @mitigates App:Db [storage] against SQL Injection (#sqli) [high, tampering] with Prepared statements [owner:db-team] -- \"d\"",
    );
    let Form::Mitigates {
        target,
        threat,
        control,
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(show(target), "App:Db");
    assert_eq!(target.qualifiers.layer, Some(Layer::Storage));
    assert_eq!(show(threat), "SQL Injection (#sqli)");
    assert_eq!(threat.qualifiers.severity, Some(Severity::High));
    assert_eq!(threat.qualifiers.stride, [Stride::Tampering]);
    // The bracket that ends the annotation is the annotation's.
    let control = control.as_ref().unwrap();
    assert_eq!(show(control), "Prepared statements");
    assert!(control.qualifiers.is_empty());
    assert_eq!(a.qualifiers.values["owner"], "db-team");
}

#[test]
fn a_bracket_before_a_keyword_ends_the_name_it_follows() {
    let a = one(" @exposes Web [compute] to XSS (#xss) [P2] with no CSP [P1]");
    let Form::Exposes {
        target,
        threat,
        details,
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(target.qualifiers.layer, Some(Layer::Compute));
    assert_eq!(threat.qualifiers.severity, Some(Severity::Medium));
    assert_eq!(details.as_deref(), Some("no CSP"));
    assert_eq!(a.qualifiers.severity, Some(Severity::High));
}

#[test]
fn a_declarations_closing_bracket_is_the_declared_entitys() {
    let a = one(" @component Orders:Db (#orders-db) [storage, owner:payments]");
    let Form::Component { component } = &a.form else {
        panic!()
    };
    assert_eq!(component.qualifiers.layer, Some(Layer::Storage));
    assert_eq!(component.qualifiers.values["owner"], "payments");

    let a = one(" @threat Spoofed webhooks [P1 spoofing stride:R likelihood:medium]");
    let Form::Threat { threat } = &a.form else {
        panic!()
    };
    assert_eq!(
        show(threat),
        "Spoofed webhooks",
        "a bracket is never part of a name"
    );
    assert_eq!(threat.qualifiers.severity, Some(Severity::High));
    assert_eq!(
        threat.qualifiers.stride,
        [Stride::Spoofing, Stride::Repudiation]
    );
    assert_eq!(threat.qualifiers.values["likelihood"], "medium");
}

#[test]
fn severities_words_and_p_levels() {
    for (word, severity) in [
        ("critical", Severity::Critical),
        ("HIGH", Severity::High),
        ("Medium", Severity::Medium),
        ("low", Severity::Low),
        ("info", Severity::Info),
        ("P0", Severity::Critical),
        ("p1", Severity::High),
        ("P2", Severity::Medium),
        ("P3", Severity::Low),
        ("severity:high", Severity::High),
        ("priority:P0", Severity::Critical),
    ] {
        let a = one(&format!(" @threat T [{word}]"));
        assert_eq!(a.qualifiers.severity, Some(severity), "{word}");
    }
    // `P4` is no severity: it is kept as a tag, not dropped.
    let a = one(" @threat T [P4]");
    assert_eq!(a.qualifiers.severity, None);
    assert_eq!(a.qualifiers.tags, ["P4"]);
}

#[test]
fn layers() {
    for (word, layer) in [
        ("control", Layer::Control),
        ("compute", Layer::Compute),
        ("Communication", Layer::Communication),
        ("storage", Layer::Storage),
        ("layer:storage", Layer::Storage),
    ] {
        let a = one(&format!(" @component App:X [{word}]"));
        let Form::Component { component } = &a.form else {
            panic!()
        };
        assert_eq!(component.qualifiers.layer, Some(layer), "{word}");
    }
}

#[test]
fn stride_words_and_letters() {
    let a = one(
        " @threat T [spoofing, tampering, repudiation, information-disclosure, denial-of-service, elevation-of-privilege]",
    );
    assert_eq!(
        a.qualifiers.stride,
        [
            Stride::Spoofing,
            Stride::Tampering,
            Stride::Repudiation,
            Stride::InformationDisclosure,
            Stride::DenialOfService,
            Stride::ElevationOfPrivilege
        ]
    );
    let a = one(" @threat T [stride:TI]");
    assert_eq!(
        a.qualifiers.stride,
        [Stride::Tampering, Stride::InformationDisclosure]
    );
    let a = one(" @threat T [stride:STRIDE]");
    assert_eq!(
        a.qualifiers.stride.len(),
        6,
        "letters repeat without duplicates"
    );
}

#[test]
fn other_items_are_key_values_or_tags() {
    let a = one(" @threat T [likelihood:medium owner:payments, expires:2027-03-01 internal-only]");
    let q = &a.qualifiers;
    assert_eq!(q.values["likelihood"], "medium");
    assert_eq!(q.values["owner"], "payments");
    assert_eq!(q.values["expires"], "2027-03-01");
    assert_eq!(q.tags, ["internal-only"]);
}

#[test]
fn well_known_refs_end_any_annotation() {
    let a = one(" @threat SQL Injection cwe:CWE-89 capec:CAPEC-66 owasp:A03:2021 attack:T1190");
    let Form::Threat { threat } = &a.form else {
        panic!()
    };
    assert_eq!(show(threat), "SQL Injection");
    assert_eq!(
        a.refs,
        [
            "cwe:CWE-89",
            "capec:CAPEC-66",
            "owasp:A03:2021",
            "attack:T1190"
        ]
    );
}

#[test]
fn other_prefixes_are_opaque_refs_after_an_id_or_a_bracket() {
    let a = one(" @threat Input validation (#iv) [high] nist:SI-10 asvs:5.1.3 jira:SEC-42");
    assert_eq!(a.refs, ["nist:SI-10", "asvs:5.1.3", "jira:SEC-42"]);
    let a = one(" @exposes #api to #sqli jira:SEC-42");
    assert_eq!(a.refs, ["jira:SEC-42"]);
}

#[test]
fn a_component_path_is_not_a_ref() {
    for path in [
        "Attack:Surface",
        "PCI:Vault",
        "Owasp:Juice:Shop",
        "Cwe:Browser",
        "Nist:Portal",
    ] {
        let a = one(&format!(" @component {path}"));
        let Form::Component { component } = &a.form else {
            panic!()
        };
        assert_eq!(show(component), path);
        assert!(a.refs.is_empty(), "{path}: {:?}", a.refs);
    }
    let a = one(" @connects User:Browser to Jira:Cloud");
    let Form::Connects { endpoints, .. } = &a.form else {
        panic!()
    };
    assert_eq!(show(&endpoints[1]), "Jira:Cloud");
    assert!(a.refs.is_empty());

    let a = one(" @threat Recon attack:T1595 attack:TA0043");
    assert_eq!(a.refs, ["attack:T1595", "attack:TA0043"]);
}

#[test]
fn brackets_and_refs_after_the_description_still_count() {
    let a = one(r#" @exposes App.API to #idor -- "no ownership check" [P1] cwe:CWE-639"#);
    assert_eq!(a.qualifiers.severity, Some(Severity::High));
    assert_eq!(a.refs, ["cwe:CWE-639"]);
    assert_eq!(a.description.as_deref(), Some("no ownership check"));
}

#[test]
fn an_unclosed_bracket_is_reported_at_the_bracket() {
    let d = diagnostic(" @threat T (#t) [high, tampering");
    assert_eq!(d.code, Code::MalformedAnnotation);
    assert!(d.message.contains("unclosed `[`"), "{}", d.message);
    // The span starts at the bracket: `@threat T (#t) ` is 15 characters from column 4.
    assert_eq!(
        d.span,
        Some((19, 4 + 31)),
        "to the end of the line, end exclusive"
    );

    // Without an id, a `--` or a keyword there is no structural evidence (SPEC §3.3).
    let d = diagnostic(" @threat T [high, tampering");
    assert_eq!(d.code, Code::ProseLike);
}

#[test]
fn refs_after_a_mentions_id_or_bracket_are_the_annotations() {
    let a = one(" @exposes App to #idor [P1] cwe:CWE-639 with no ownership check owasp:A01:2021");
    let Form::Exposes {
        threat, details, ..
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(show(threat), "#idor");
    assert_eq!(threat.qualifiers.severity, Some(Severity::High));
    assert_eq!(details.as_deref(), Some("no ownership check"));
    assert_eq!(
        a.refs,
        ["cwe:CWE-639", "owasp:A01:2021"],
        "in written order"
    );
}

#[test]
fn a_word_after_a_bracket_is_an_error_not_part_of_the_name() {
    let d = diagnostic(" @mitigates Web [compute] server against #xss");
    assert_eq!(d.code, Code::MalformedAnnotation);
    assert_eq!(
        d.message,
        "malformed `@mitigates`: unexpected `server` after the qualifiers of the component"
    );
    assert_eq!(d.span.map(|s| s.0), Some(29));
}

/// Every annotation of a tree is held until the model is built: empty brackets (most of
/// them) take no allocation and a pointer's room in a mention, and an annotation stays
/// small (it was 712 bytes with `Qualifiers` inline in the annotation and each mention).
#[test]
fn empty_brackets_are_held_as_nothing() {
    assert_eq!(
        std::mem::size_of::<Brackets>(),
        std::mem::size_of::<usize>()
    );
    assert!(std::mem::size_of::<Annotation>() <= 432);
    let a = one(" @mitigates App against SQL Injection with Prepared statements");
    let Form::Mitigates { target, .. } = &a.form else {
        panic!()
    };
    assert!(target.qualifiers.is_empty());
    assert_eq!(target.qualifiers, Brackets::default());
    assert_eq!(Brackets::from(Qualifiers::default()), Brackets::default());
    let mut b = Brackets::default();
    b.severity = Some(Severity::High);
    assert_eq!(b.severity, Some(Severity::High));
    assert_ne!(b, Brackets::default());
}
