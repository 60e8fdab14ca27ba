//! GuardLink (GAL) annotations read as they are written in GuardLink repositories.

use super::*;
use crate::annotation::syntax::Severity;

fn connects(a: &Annotation) -> (Vec<String>, bool, Option<&str>, Option<&str>) {
    let Form::Connects {
        endpoints,
        two_way,
        mechanism,
        id,
        ..
    } = &a.form
    else {
        panic!("{:?}", a.form)
    };
    (
        endpoints.iter().map(show).collect(),
        *two_way,
        mechanism.as_deref(),
        id.as_deref(),
    )
}

fn boundary(a: &Annotation) -> (Option<&str>, Option<&str>, Vec<String>, bool) {
    let Form::Boundary { name, id, sides } = &a.form else {
        panic!("{:?}", a.form)
    };
    let (members, around) = match sides {
        BoundarySides::Between(pair) => (vec![show(&pair.0), show(&pair.1)], false),
        BoundarySides::Around(members) => (members.iter().map(show).collect(), true),
    };
    (name.as_deref(), id.as_deref(), members, around)
}

#[test]
fn asset_is_a_component_with_an_id_and_a_description() {
    let a = one(r#" @asset App.Auth (#auth) -- "Handles login, \"SSO\" and C:\\temp""#);
    assert_eq!(a.verb, Verb::Component);
    let Form::Component { component } = &a.form else {
        panic!()
    };
    assert_eq!(show(component), "App.Auth (#auth)");
    assert_eq!(
        a.description.as_deref(),
        Some(r#"Handles login, "SSO" and C:\temp"#)
    );
}

#[test]
fn threat_takes_severity_refs_and_a_description() {
    let a = one(
        r#" @threat SQL_Injection (#sqli) [P0] cwe:CWE-89 owasp:A03:2021 -- "Unsanitized input reaches query builder""#,
    );
    let Form::Threat { threat } = &a.form else {
        panic!()
    };
    assert_eq!(show(threat), "SQL_Injection (#sqli)");
    assert_eq!(threat.qualifiers.severity, Some(Severity::Critical));
    assert_eq!(a.qualifiers.severity, Some(Severity::Critical));
    assert_eq!(a.refs, ["cwe:CWE-89", "owasp:A03:2021"]);
    assert_eq!(
        a.description.as_deref(),
        Some("Unsanitized input reaches query builder")
    );
}

#[test]
fn mitigates_with_using_and_references() {
    let a = one(
        r#" @mitigates App.API against #sqli using #prepared-stmts -- "Parameterized queries via Prisma ORM""#,
    );
    let Form::Mitigates {
        target,
        threat,
        control,
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(show(target), "App.API");
    assert_eq!(show(threat), "#sqli");
    assert_eq!(show(control.as_ref().unwrap()), "#prepared-stmts");
    assert_eq!(
        a.description.as_deref(),
        Some("Parameterized queries via Prisma ORM")
    );
}

#[test]
fn exposes_takes_the_closing_bracket_as_the_exposure_severity() {
    let a = one(
        r#" @exposes App.API to #idor [P1] cwe:CWE-639 -- "No ownership check on GET /users/:id""#,
    );
    let Form::Exposes {
        target,
        threat,
        details,
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(
        (show(target), show(threat)),
        ("App.API".into(), "#idor".into())
    );
    assert_eq!(*details, None);
    assert_eq!(a.qualifiers.severity, Some(Severity::High));
    assert_eq!(a.refs, ["cwe:CWE-639"]);
    assert_eq!(
        a.description.as_deref(),
        Some("No ownership check on GET /users/:id")
    );
}

#[test]
fn accepts_on_and_transfers_without_details() {
    let a = one(r#" @accepts #x on App.Y -- "Public and non-sensitive""#);
    let Form::Accepts {
        threat,
        target,
        details,
    } = &a.form
    else {
        panic!()
    };
    assert_eq!((show(threat), show(target)), ("#x".into(), "App.Y".into()));
    assert_eq!(*details, None);

    let a = one(" @transfers #t from A to B");
    let Form::Transfers {
        threat, from, to, ..
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(
        (show(threat), show(from), show(to)),
        ("#t".into(), "A".into(), "B".into())
    );
}

#[test]
fn flows_with_a_mechanism_and_a_description() {
    let a = one(r#" @flows App.Frontend -> App.API via HTTPS/443 -- "All API calls over TLS 1.3""#);
    assert_eq!(a.verb, Verb::Connects);
    assert_eq!(
        connects(&a),
        (
            vec!["App.Frontend".into(), "App.API".into()],
            false,
            Some("HTTPS/443"),
            None
        )
    );
    assert_eq!(a.description.as_deref(), Some("All API calls over TLS 1.3"));
}

#[test]
fn flows_chains_two_way_arrows_and_quoted_endpoints() {
    let a = one(" @flows A -> B -> C via queue");
    assert_eq!(connects(&a).0, ["A", "B", "C"]);
    assert_eq!(connects(&a).2, Some("queue"));

    let a = one(" @flows Api <-> Cache");
    assert_eq!(connects(&a).0, ["Api", "Cache"]);
    assert!(connects(&a).1);

    let a = one(r#" @flows "/rest/login" -> #auth via post./login (json body)"#);
    assert_eq!(connects(&a).0, ["/rest/login", "#auth"]);
    assert_eq!(connects(&a).2, Some("post./login (json body)"));
}

#[test]
fn an_arrow_after_via_belongs_to_the_mechanism() {
    let a = one(" @flows A -> B via proxy -> upstream");
    assert_eq!(connects(&a).0, ["A", "B"]);
    assert_eq!(connects(&a).2, Some("proxy -> upstream"));
}

#[test]
fn a_flow_mechanism_lists_the_controls_it_may_name() {
    let a = one(" @flows A -> B via #mtls, Signed tokens and Rate limit");
    let Form::Connects {
        mechanism_parts, ..
    } = &a.form
    else {
        panic!()
    };
    let parts: Vec<(String, u32)> = mechanism_parts
        .iter()
        .map(|m| (show(m), m.column))
        .collect();
    // The whole text starts with an id, so only its pieces may be control names.
    assert_eq!(
        parts,
        [
            ("#mtls".to_string(), 22),
            ("Signed tokens".to_string(), 29),
            ("Rate limit".to_string(), 47),
        ]
    );

    let a = one(" @flows A -> B via Mutual TLS");
    let Form::Connects {
        mechanism_parts, ..
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(mechanism_parts.len(), 1);
    assert_eq!(
        (show(&mechanism_parts[0]), mechanism_parts[0].column),
        ("Mutual TLS".into(), 22)
    );
}

#[test]
fn boundary_between_and_with_a_closing_id() {
    let a = one(
        r#" @boundary between External.Internet and Internal.DMZ (#perimeter) -- "WAF + firewall""#,
    );
    assert_eq!(
        boundary(&a),
        (
            None,
            Some("perimeter"),
            vec!["External.Internet".into(), "Internal.DMZ".into()],
            false
        )
    );
}

#[test]
fn boundary_without_between_and_with_a_pipe() {
    let a = one(" @boundary A and B");
    assert_eq!(
        boundary(&a),
        (None, None, vec!["A".into(), "B".into()], false)
    );

    let a = one(" @boundary Client and #web");
    assert_eq!(boundary(&a).2, ["Client", "#web"]);

    let a = one(" @boundary A | B (#id)");
    assert_eq!(
        boundary(&a),
        (None, Some("id"), vec!["A".into(), "B".into()], false)
    );

    let a = one(" @boundary App.Web|App.Db");
    assert_eq!(boundary(&a).2, ["App.Web", "App.Db"]);

    let a = one(r#" @boundary #parser and FileSystem (#fs-boundary) -- "parser and disk""#);
    assert_eq!(
        boundary(&a),
        (
            None,
            Some("fs-boundary"),
            vec!["#parser".into(), "FileSystem".into()],
            false
        )
    );
}

#[test]
fn boundary_name_id_and_severity_before_between() {
    let a = one(" @boundary Payment zone (#pci) [high] between Web and Payments");
    assert_eq!(
        boundary(&a),
        (
            Some("Payment zone"),
            Some("pci"),
            vec!["Web".into(), "Payments".into()],
            false
        )
    );
    assert_eq!(a.qualifiers.severity, Some(Severity::High));

    let a = one(" @boundary [critical] between Web and Payments");
    assert_eq!(boundary(&a).0, None);
    assert_eq!(a.qualifiers.severity, Some(Severity::Critical));

    let a = one(" @boundary between Web and Payments (#pci) [P0]");
    assert_eq!(boundary(&a).1, Some("pci"));
    assert_eq!(a.qualifiers.severity, Some(Severity::Critical));
}

#[test]
fn boundary_around_lists_zone_members_and_takes_a_closing_id() {
    let a = one(" @boundary Cluster (#cluster) around Kube:Control, Kube:Nodes");
    assert_eq!(
        boundary(&a),
        (
            Some("Cluster"),
            Some("cluster"),
            vec!["Kube:Control".into(), "Kube:Nodes".into()],
            true
        )
    );

    let a = one(" @boundary around Web (#web-zone)");
    assert_eq!(
        boundary(&a),
        (None, Some("web-zone"), vec!["Web".into()], true),
        "the closing id names the boundary, even with one member"
    );
}

#[test]
fn a_boundary_name_may_hold_from() {
    let a = one(" @boundary Traffic from partners between Partner.API and App.Gateway");
    assert_eq!(boundary(&a).0, Some("Traffic from partners"));
    assert_eq!(boundary(&a).2, ["Partner.API", "App.Gateway"]);
}

#[test]
fn boundary_with_two_ids_is_malformed() {
    let d = diagnostic(" @boundary Zone (#a) between X and Y (#b)");
    assert_eq!(d.code, Code::MalformedAnnotation);
    assert!(d.message.contains("two ids"), "{}", d.message);
}

#[test]
fn validates_audit_and_handles() {
    let a = one(r#" @validates #prepared-stmts for App.Auth -- "Integration test""#);
    assert_eq!(a.verb, Verb::Tests);
    let Form::Tests { control, target } = &a.form else {
        panic!()
    };
    assert_eq!(
        (show(control), show(target)),
        ("#prepared-stmts".into(), "App.Auth".into())
    );

    let a = one(r#" @audit App.Crypto -- "Is AES-128-GCM still sufficient?""#);
    assert_eq!(a.verb, Verb::Review);
    let Form::Review { target, words, .. } = &a.form else {
        panic!()
    };
    assert_eq!(show(target.as_ref().unwrap()), "App.Crypto");
    assert!(words.is_empty());

    let a = one(r#" @handles PII and secrets on App.Users -- "Stores name, email""#);
    let Form::Handles { classes, target } = &a.form else {
        panic!()
    };
    assert_eq!(classes, &["pii", "secrets"]);
    assert_eq!(show(target), "App.Users");

    let a = one(" @handles phi, financial on #billing");
    let Form::Handles { classes, .. } = &a.form else {
        panic!()
    };
    assert_eq!(classes, &["phi", "financial"]);
}

#[test]
fn a_quoted_or_referenced_review_target_ends_at_its_closing_token() {
    let a = one(r#" @audit "/rest/login" is the lockout enforced?"#);
    let Form::Review {
        target, details, ..
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(show(target.as_ref().unwrap()), "/rest/login");
    assert_eq!(details.as_deref(), Some("is the lockout enforced?"));
}

#[test]
fn a_closing_id_on_connects_names_the_flow() {
    let a = one(" @connects Web to Db (#orders-db-flow)");
    assert_eq!(
        connects(&a),
        (
            vec!["Web".into(), "Db".into()],
            false,
            None,
            Some("orders-db-flow")
        )
    );
    let a = one(" @flows Web -> Db via TLS (#f1) -- \"d\"");
    assert_eq!(connects(&a).2, Some("TLS"));
    assert_eq!(connects(&a).3, Some("f1"));
}

#[test]
fn handles_only_knows_the_six_data_classes() {
    let d = diagnostic(" @handles credentials on App.Auth");
    assert_eq!(d.code, Code::MalformedAnnotation);
    assert!(d.message.contains("`credentials` is not a data class"));
    assert!(
        d.hint
            .as_deref()
            .unwrap()
            .contains("pii, phi, financial, secrets, internal, public")
    );
}

/// `tests/fixtures/all-annotations.ts` from GuardLink, verbatim.
const ALL_ANNOTATIONS: &str = r#"// @asset App.Auth.Login (#login) -- "User-facing authentication endpoint"
// @asset Infrastructure.Database.Primary (#primary-db) -- "PostgreSQL 15"
// @threat SQL_Injection (#sqli) [critical] cwe:CWE-89 owasp:A03:2021 -- "Unsanitized input reaches query builder"
// @threat Broken_Access_Control (#bac) [P0] -- "Missing authorization checks"
// @threat Credential_Stuffing (#cred-stuff) [high] capec:CAPEC-600 -- "Automated login attempts"
// @control Parameterized_Queries (#prepared-stmts) -- "All DB access uses placeholders"
// @actor Tenant_Admin (#tenant-admin) -- "Administers one tenant's configuration"
// @mitigates App.Auth.Login against #sqli using #prepared-stmts -- "Login uses parameterized query"
// @exposes App.Auth.Login to #bac [P1] cwe:CWE-639 -- "No ownership check on profile access"
// @confirmed #bac on App.Auth.Login [high] cwe:CWE-639 -- "Pen test: IDOR on GET /users/{id} reproduced"
// @accepts #cred-stuff on App.Auth.Login -- "Rate limiting is sufficient"
// @entitles #tenant-admin to rotate-signing-key on App.Auth.Login -- "By design: key rotation is tenant admin scope. Authz: src/authz/scopes.ts:88"
// @transfers #sqli from App.Auth.Login to External.PaymentGateway -- "Payment provider handles their own SQL"
// @flows App.Auth.Login -> Infrastructure.Database.Primary via TLS/5432 -- "PostgreSQL over TLS"
// @boundary between App.Auth.Login and External.PaymentGateway (#pay-boundary) -- "TLS 1.3 API key auth"
// @validates #prepared-stmts for App.Auth.Login -- "Integration test confirms SQLi payloads blocked"
// @audit App.Auth.Login -- "Review session handling for timing attacks"
// @owns platform-security for App.Auth.Login -- "Security team reviews all auth changes"
// @handles pii on App.Auth.Login -- "Processes name, email, phone"
// @assumes App.Auth.Login -- "API gateway has already verified TLS termination"
// @shield -- "Proprietary algorithm below"
// @shield:begin -- "Key derivation, exclude from AI context"
function deriveKey() { return 42; }
// @shield:end
// v1 compat tests
// @mitigates App.Auth.Login against #sqli with #prepared-stmts -- "v1 with keyword"
// @accepts #cred-stuff to App.Auth.Login -- "v1 to keyword"
// @review Infrastructure.Database.Primary -- "v1 review keyword"
// @connects App.Auth.Login to External.PaymentGateway -- "v1 connects keyword"
// @threat XSS (#xss) -- "Attacker injects \"<script>\" tags via user input"
"#;

#[test]
fn guardlink_all_annotations_fixture() {
    // Comment blocks as the extractor makes them: runs of `//` lines, split by code.
    let mut blocks: Vec<Vec<CommentLine>> = vec![Vec::new()];
    for (i, line) in ALL_ANNOTATIONS.lines().enumerate() {
        match line.strip_prefix("//") {
            Some(text) => blocks.last_mut().unwrap().push(CommentLine {
                text: text.to_string(),
                line: i as u32 + 1,
                column: 3,
            }),
            None => blocks.push(Vec::new()),
        }
    }
    let found = find_blocks(&blocks);
    assert!(found.diagnostics.is_empty(), "{:#?}", found.diagnostics);
    let got: Vec<(u32, Verb, String)> = found
        .annotations
        .iter()
        .map(|a| {
            (
                a.location.line,
                a.verb,
                a.description.clone().unwrap_or_default(),
            )
        })
        .collect();
    let expected = [
        (1, Verb::Component, "User-facing authentication endpoint"),
        (2, Verb::Component, "PostgreSQL 15"),
        (3, Verb::Threat, "Unsanitized input reaches query builder"),
        (4, Verb::Threat, "Missing authorization checks"),
        (5, Verb::Threat, "Automated login attempts"),
        (6, Verb::Control, "All DB access uses placeholders"),
        (8, Verb::Mitigates, "Login uses parameterized query"),
        (9, Verb::Exposes, "No ownership check on profile access"),
        (11, Verb::Accepts, "Rate limiting is sufficient"),
        (
            13,
            Verb::Transfers,
            "Payment provider handles their own SQL",
        ),
        (14, Verb::Connects, "PostgreSQL over TLS"),
        (15, Verb::Boundary, "TLS 1.3 API key auth"),
        (
            16,
            Verb::Tests,
            "Integration test confirms SQLi payloads blocked",
        ),
        (
            17,
            Verb::Review,
            "Review session handling for timing attacks",
        ),
        (18, Verb::Owns, "Security team reviews all auth changes"),
        (19, Verb::Handles, "Processes name, email, phone"),
        (
            20,
            Verb::Assumes,
            "API gateway has already verified TLS termination",
        ),
        (26, Verb::Mitigates, "v1 with keyword"),
        (27, Verb::Accepts, "v1 to keyword"),
        (28, Verb::Review, "v1 review keyword"),
        (29, Verb::Connects, "v1 connects keyword"),
        (
            30,
            Verb::Threat,
            "Attacker injects \"<script>\" tags via user input",
        ),
    ];
    let expected: Vec<(u32, Verb, String)> = expected
        .into_iter()
        .map(|(l, v, d)| (l, v, d.to_string()))
        .collect();
    assert_eq!(got, expected);

    let by_line = |line: u32| {
        found
            .annotations
            .iter()
            .find(|a| a.location.line == line)
            .unwrap()
    };
    let Form::Threat { threat } = &by_line(5).form else {
        panic!()
    };
    assert_eq!(show(threat), "Credential_Stuffing (#cred-stuff)");
    assert_eq!(by_line(5).refs, ["capec:CAPEC-600"]);
    assert_eq!(by_line(5).qualifiers.severity, Some(Severity::High));
    assert_eq!(by_line(4).qualifiers.severity, Some(Severity::Critical));
    let Form::Mitigates { control, .. } = &by_line(26).form else {
        panic!()
    };
    assert_eq!(show(control.as_ref().unwrap()), "#prepared-stmts");
    let Form::Connects { endpoints, .. } = &by_line(29).form else {
        panic!()
    };
    assert_eq!(show(&endpoints[1]), "External.PaymentGateway");
}

#[test]
fn guardlink_only_verbs_are_neither_annotations_nor_diagnostics() {
    for line in [
        r#"@actor Tenant_Admin (#tenant-admin) -- "Administers""#,
        r#"@entitles #tenant-admin to rotate-signing-key on App.Auth"#,
        r#"@confirmed #bac on App.Auth.Login [high] cwe:CWE-639 -- "Pen test""#,
        "@source file:app/auth.py line:9 symbol:hash_password",
        r#"@shield -- "Proprietary""#,
    ] {
        nothing(&format!(" {line}"));
    }
}

#[test]
fn guardlinks_assumes_owns_feature_and_comment_are_annotations() {
    let a = one(r#" @owns platform-security for App.Auth -- "Security team""#);
    let Form::Owns { owner, target } = &a.form else {
        panic!("{:?}", a.form)
    };
    assert_eq!(
        (owner.as_str(), show(target).as_str()),
        ("platform-security", "App.Auth")
    );
    let a = one(r#" @assumes App.API -- "All requests are pre-authenticated""#);
    assert!(
        matches!(&a.form, Form::Assumes { details: None, .. }),
        "{:?}",
        a.form
    );
    assert_eq!(
        a.description.as_deref(),
        Some("All requests are pre-authenticated")
    );
    let a = one(" @assumes #db backups are encrypted");
    let Form::Assumes { target, details } = &a.form else {
        panic!()
    };
    assert_eq!(
        (show(target).as_str(), details.as_deref()),
        ("#db", Some("backups are encrypted"))
    );
    let a = one(r#" @feature "SSO Login" -- "Single sign-on""#);
    assert_eq!(
        a.form,
        Form::Feature {
            name: "SSO Login".into()
        }
    );
    let a = one(r#" @comment -- "Legacy OAuth1 flow""#);
    assert_eq!(a.form, Form::Comment { text: None });
    assert_eq!(a.description.as_deref(), Some("Legacy OAuth1 flow"));
    // An owner is one word; `for` is the form's keyword, so its absence is an error.
    let d = diagnostic(" @owns the security team for App.Auth");
    assert_eq!(d.code, Code::MalformedAnnotation);
    let d = diagnostic(" @owns #auth");
    assert_eq!(d.code, Code::MalformedAnnotation, "{d:#?}");
}

#[test]
fn a_gal_sidecar_reads_line_by_line() {
    // `.gal` lines come with column 1 and no marker.
    let lines: Vec<CommentLine> = [
        "@source file:app/auth.py line:9 symbol:hash_password",
        r#"@mitigates #auth against #cred-stuffing using #pbkdf2 -- "PBKDF2-HMAC-SHA256""#,
        r#"@handles secrets on #auth -- "Receives the plaintext password""#,
        r#"@flows #config -> #auth via SECRET_KEY -- "Signing key read at import time""#,
        r#"@exposes #auth to #timing [low] cwe:CWE-208 -- "candidate == record['password_hash']""#,
    ]
    .iter()
    .enumerate()
    .map(|(i, t)| CommentLine {
        text: t.to_string(),
        line: i as u32 + 1,
        column: 1,
    })
    .collect();
    let found = find_blocks(&[lines]);
    assert!(found.diagnostics.is_empty(), "{:#?}", found.diagnostics);
    let verbs: Vec<Verb> = found.annotations.iter().map(|a| a.verb).collect();
    assert_eq!(
        verbs,
        [
            Verb::Mitigates,
            Verb::Handles,
            Verb::Connects,
            Verb::Exposes
        ]
    );
    assert!(found.annotations.iter().all(|a| a.location.column == 1));
    assert_eq!(
        found.annotations[3].qualifiers.severity,
        Some(Severity::Low)
    );
    assert_eq!(
        found.annotations[3].description.as_deref(),
        Some("candidate == record['password_hash']")
    );
}
