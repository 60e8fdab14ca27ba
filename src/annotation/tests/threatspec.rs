//! Threatspec 0.5 annotations read unchanged: its ten verbs, its lazy keyword splitting,
//! and what SPEC adds on top (case-insensitive verbs, optional `with`).

use super::*;

#[test]
fn mitigates_splits_component_threat_and_control() {
    let a = one(
        " @mitigates WebApp:Web:Login against Cross Site Request Forgery (#csrf) with CSRF token (#csrf_token)",
    );
    assert_eq!(a.verb, Verb::Mitigates);
    let Form::Mitigates {
        target,
        threat,
        control,
    } = &a.form
    else {
        panic!("{:?}", a.form)
    };
    assert_eq!(show(target), "WebApp:Web:Login");
    assert_eq!(show(threat), "Cross Site Request Forgery (#csrf)");
    assert_eq!(show(control.as_ref().unwrap()), "CSRF token (#csrf_token)");
    assert_eq!(a.description, None);
    assert_eq!(
        a.location,
        crate::location::Location::new("src/app.rs", 1, 4)
    );
    assert_eq!(
        a.text,
        "@mitigates WebApp:Web:Login against Cross Site Request Forgery (#csrf) with CSRF token (#csrf_token)"
    );
}

#[test]
fn mitigates_reads_references_and_keeps_with_optional() {
    let a = one(" @mitigates #login against #sqli with Param queries (#pq)");
    let Form::Mitigates {
        target,
        threat,
        control,
    } = &a.form
    else {
        panic!()
    };
    assert!(target.is_reference && threat.is_reference);
    assert_eq!(
        (show(target), show(threat)),
        ("#login".into(), "#sqli".into())
    );
    assert_eq!(show(control.as_ref().unwrap()), "Param queries (#pq)");

    // Threatspec needs `with`; SPEC makes the control optional.
    let a = one(" @mitigates Web against SQL injection");
    let Form::Mitigates {
        threat, control, ..
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(show(threat), "SQL injection");
    assert_eq!(*control, None);
}

#[test]
fn keywords_split_lazily_at_their_first_occurrence() {
    // As Threatspec's `.*?` groups: the threat ends at the first ` with `, the control
    // takes the rest of the line.
    let a = one(" @mitigates Web against Tampering with logs with HMAC with rotation");
    let Form::Mitigates {
        target,
        threat,
        control,
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(show(target), "Web");
    assert_eq!(show(threat), "Tampering");
    assert_eq!(
        show(control.as_ref().unwrap()),
        "logs with HMAC with rotation"
    );
}

#[test]
fn keywords_are_case_insensitive_verbs_exact_with_an_optional_final_s() {
    for line in [
        " @mitigates Web AGAINST XSS With Escaping",
        " @mitigate Web against XSS WITH Escaping",
        " @mitigates Web Against XSS with Escaping",
        " @mitigate Web against XSS using Escaping",
    ] {
        let a = one(line);
        let Form::Mitigates {
            target,
            threat,
            control,
        } = &a.form
        else {
            panic!("{line}: {:?}", a.form)
        };
        assert_eq!(
            (show(target), show(threat), show(control.as_ref().unwrap())),
            ("Web".into(), "XSS".into(), "Escaping".into()),
            "{line}"
        );
    }
    let verbs = [
        ("@accept T to C with D", Verb::Accepts),
        ("@transfer T from A to B with D", Verb::Transfers),
        ("@expose C to T with D", Verb::Exposes),
        ("@connect A to B with D", Verb::Connects),
        ("@handle pii on C", Verb::Handles),
        ("@validate Ctl for C", Verb::Tests),
        ("@validates Ctl for C", Verb::Tests),
        ("@tests Ctl for C", Verb::Tests),
        ("@audit C is this ok", Verb::Review),
        ("@asset App:Web", Verb::Component),
    ];
    for (line, verb) in verbs {
        assert_eq!(one(&format!(" {line}")).verb, verb, "{line}");
    }
    // SPEC §3.1 (second edition): lowercase only, and no final `s` where the verb has
    // none, nor a missing one on `@tests` and `@flows` (PHPUnit's `@test`, Flow's `@flow`).
    for line in [
        "@Mitigate Web against XSS WITH Escaping",
        "@MITIGATES Web Against XSS with Escaping",
        "@reviews C is this ok",
        "@test Ctl for C",
        "@flow A -> B",
        "@threats T",
        "@Controls Ctl",
        "@COMPONENTS App:Web",
        "@Component App:Web",
        "@boundaries between A and B",
    ] {
        nothing(&format!(" {line}"));
    }
}

#[test]
fn accepts_takes_to_with_details() {
    let a = one(
        " @accepts Information Disclosure (#info) to WebApp:Static with Only public files are served",
    );
    let Form::Accepts {
        threat,
        target,
        details,
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(show(threat), "Information Disclosure (#info)");
    assert_eq!(show(target), "WebApp:Static");
    assert_eq!(details.as_deref(), Some("Only public files are served"));
}

#[test]
fn accepts_prefers_to_over_on_as_threatspec_does() {
    // Threatspec only knows `to`, so a threat name may hold `on`.
    let a = one(" @accepts Injection on login to App:Web with reason");
    let Form::Accepts { threat, target, .. } = &a.form else {
        panic!()
    };
    assert_eq!(show(threat), "Injection on login");
    assert_eq!(show(target), "App:Web");

    // ... and a `with` before the `to`, as Threatspec's lazy groups allow.
    let a = one(" @accepts Issues with login to App:Web with reason");
    let Form::Accepts { threat, target, .. } = &a.form else {
        panic!()
    };
    assert_eq!(show(threat), "Issues with login");
    assert_eq!(show(target), "App:Web");

    // A `to` in the details of a GAL-style `on` stays in the details.
    let a = one(" @accepts #x on App.Y with nothing to do");
    let Form::Accepts {
        threat,
        target,
        details,
    } = &a.form
    else {
        panic!()
    };
    assert_eq!((show(threat), show(target)), ("#x".into(), "App.Y".into()));
    assert_eq!(details.as_deref(), Some("nothing to do"));
}

#[test]
fn transfers_takes_from_to_and_details() {
    let a = one(
        " @transfers Denial of Service (#dos) from App:Web to Cloudflare:CDN with DDoS protection is theirs",
    );
    let Form::Transfers {
        threat,
        from,
        to,
        details,
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(show(threat), "Denial of Service (#dos)");
    assert_eq!(show(from), "App:Web");
    assert_eq!(show(to), "Cloudflare:CDN");
    assert_eq!(details.as_deref(), Some("DDoS protection is theirs"));
}

#[test]
fn exposes_keeps_details_apart_from_the_threat() {
    let a = one(" @exposes Petstore:Web to Man in the Middle (#mitm) with lack of TLS");
    let Form::Exposes {
        target,
        threat,
        details,
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(show(target), "Petstore:Web");
    assert_eq!(show(threat), "Man in the Middle (#mitm)");
    assert_eq!(details.as_deref(), Some("lack of TLS"));
    assert_eq!(
        a.description, None,
        "details stay details; the model decides"
    );
}

#[test]
fn connects_to_is_one_way_and_with_is_two_way() {
    let a = one(" @connects User:Browser to WebApp:Web with HTTPS");
    let Form::Connects {
        endpoints,
        two_way,
        mechanism,
        id,
        ..
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(
        endpoints.iter().map(show).collect::<Vec<_>>(),
        ["User:Browser", "WebApp:Web"]
    );
    assert!(!two_way);
    assert_eq!(mechanism.as_deref(), Some("HTTPS"));
    assert_eq!(*id, None);

    let a = one(" @connects #login with MyApp:DB with SQL");
    let Form::Connects {
        endpoints,
        two_way,
        mechanism,
        ..
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(
        endpoints.iter().map(show).collect::<Vec<_>>(),
        ["#login", "MyApp:DB"]
    );
    assert!(two_way);
    assert_eq!(mechanism.as_deref(), Some("SQL"));
}

#[test]
fn connects_details_take_the_rest_of_the_line_and_a_final_id_names_the_flow() {
    let a = one(" @connects A:X to B:Y with HTTPS with TLS (#web-flow)");
    let Form::Connects { mechanism, id, .. } = &a.form else {
        panic!()
    };
    assert_eq!(mechanism.as_deref(), Some("HTTPS with TLS"));
    assert_eq!(id.as_deref(), Some("web-flow"));
}

#[test]
fn review_keeps_the_words_for_the_model_to_split() {
    // Threatspec cuts the component at the first space; names with spaces are known
    // only to the model, so the words go there with their columns.
    let a = one(" @review WebApp:Web Is the session timeout long enough?");
    let Form::Review {
        target,
        words,
        details,
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(*target, None);
    assert_eq!(*details, None);
    let texts: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(
        texts,
        [
            "WebApp:Web",
            "Is",
            "the",
            "session",
            "timeout",
            "long",
            "enough?"
        ]
    );
    assert_eq!(words[0].1, 12);
    assert_eq!(words[1].1, 23);

    let a = one(" @review Web Server (#web) Is this ok");
    let Form::Review {
        target, details, ..
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(show(target.as_ref().unwrap()), "Web Server (#web)");
    assert_eq!(details.as_deref(), Some("Is this ok"));

    let a = one(" @review #web Is this ok");
    let Form::Review {
        target, details, ..
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(show(target.as_ref().unwrap()), "#web");
    assert_eq!(details.as_deref(), Some("Is this ok"));
}

#[test]
fn tests_names_a_control_and_a_component() {
    let a = one(" @tests Param queries (#pq) for WebApp:Web:Login");
    let Form::Tests { control, target } = &a.form else {
        panic!()
    };
    assert_eq!(show(control), "Param queries (#pq)");
    assert_eq!(show(target), "WebApp:Web:Login");
}

#[test]
fn declarations_take_the_whole_rest_of_the_line_as_the_name() {
    let a = one(" @component WebApp:Web:Login (#login)");
    let Form::Component { component } = &a.form else {
        panic!()
    };
    assert_eq!(show(component), "WebApp:Web:Login (#login)");

    let a = one(" @threat Cross-site Request Forgery with a twist");
    let Form::Threat { threat } = &a.form else {
        panic!()
    };
    assert_eq!(show(threat), "Cross-site Request Forgery with a twist");

    let a = one(" @control Rate limiting per IP (#ratelimit)");
    let Form::Control { control } = &a.form else {
        panic!()
    };
    assert_eq!(show(control), "Rate limiting per IP (#ratelimit)");
    assert_eq!(control.column, 13);
}

#[test]
fn a_name_keeps_parentheses_that_hold_no_id() {
    let a = one(" @threat Cross-site Scripting (XSS)");
    let Form::Threat { threat } = &a.form else {
        panic!()
    };
    assert_eq!(show(threat), "Cross-site Scripting (XSS)");
}

#[test]
fn a_declaration_verb_with_a_reference_describes_that_entity() {
    // Threatspec: `@threat #sqli:` plus a YAML block adds fields to a declared threat.
    let a = one(" @threat #sqli [high]");
    let Form::Threat { threat } = &a.form else {
        panic!()
    };
    assert!(threat.is_reference);
    assert_eq!(threat.id.as_deref(), Some("sqli"));
    assert_eq!(threat.qualifiers.severity, Some(Severity::High));
}

#[test]
fn text_after_an_id_is_an_error_not_dropped() {
    // Threatspec drops `desc` silently; a diagnostic says where the id belongs.
    let d = diagnostic(" @threat SQL Injection (#sqli) desc");
    assert_eq!(d.code, Code::MalformedAnnotation);
    assert_eq!(
        d.message,
        "malformed `@threat`: unexpected `desc` after the id of the threat"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some("write the name first, then `(#id)`, then `[qualifiers]`: `Name (#id) [high]`")
    );
}

#[test]
fn whitespace_of_any_kind_separates_words() {
    let a = one(" @mitigates\tWeb\u{a0}against  XSS \t with\u{a0}Escaping");
    let Form::Mitigates {
        target,
        threat,
        control,
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(
        (show(target), show(threat), show(control.as_ref().unwrap())),
        ("Web".into(), "XSS".into(), "Escaping".into())
    );
}
