//! SPEC §3.3: a verb line that does not parse is malformed with structural evidence and
//! prose otherwise; and lines that only look like annotations are nothing at all.

use super::*;
use crate::diagnostics::Level;

/// Lines that do not parse, each with one piece of its verb's evidence.
const MALFORMED: &[&str] = &[
    "@mitigates App against",
    "@mitigates the app with care",
    "@mitigates stuff using tools",
    "@exposes nothing to",
    "@exposes data with care",
    "@accepts the risk to",
    "@accepts the risk on",
    "@accepts the risk with reasons",
    "@transfers the risk from vendor",
    "@transfers the risk to",
    "@transfers the risk with a contract",
    "@connects A to",
    "@connects A with",
    "@flows A ->",
    "@flows A <->",
    "@flows via HTTPS",
    "@boundary between A",
    "@boundary A and",
    "@boundary around",
    "@boundary A |",
    "@handles pii on",
    "@tests coverage for",
    // A `#ref` or a ` -- ` is evidence for any verb.
    "@mitigates stuff #later",
    "@tests pass -- \"all green\"",
    "@exposes everything -- and more",
    "@threat (#orphan)",
    "@component Web (#web) and more",
];

/// Lines that do not parse and carry no evidence.
const PROSE: &[&str] = &[
    "@mitigates are written next to the code",
    "@exposes everything",
    "@exposes tomatoes",
    "@accepts nothing",
    "@transfers happen nightly, fromage aside",
    "@connects are slow",
    "@flows matter",
    "@boundary conditions are tested",
    "@handles everything",
    "@tests pass now, forever",
    "@tests C# code",
    "@component [storage]",
];

#[test]
fn structural_evidence_makes_a_malformed_annotation() {
    for line in MALFORMED {
        let d = diagnostic(&format!(" {line}"));
        assert_eq!(d.code, Code::MalformedAnnotation, "{line}: {d:#?}");
        assert_eq!(d.severity, Level::Error, "{line}");
        let word = line[1..].split_whitespace().next().unwrap();
        assert!(
            d.message.starts_with(&format!("malformed `@{word}`: ")),
            "{line}: {}",
            d.message
        );
    }
}

#[test]
fn no_evidence_makes_a_prose_like_warning() {
    for line in PROSE {
        let d = diagnostic(&format!(" {line}"));
        assert_eq!(d.code, Code::ProseLike, "{line}: {d:#?}");
        assert_eq!(d.severity, Level::Warning, "{line}");
        assert!(
            d.hint.as_deref().unwrap().contains("`@skip`"),
            "{line}: {:?}",
            d.hint
        );
    }
}

#[test]
fn every_diagnostic_has_code_location_text_hint_and_span() {
    for line in MALFORMED.iter().chain(PROSE) {
        let found = find(&["", &format!("   {line}")]);
        let d = &found.diagnostics[0];
        assert_eq!(d.location.file, "src/app.rs");
        assert_eq!(d.location.line, 2, "{line}");
        assert_eq!(d.location.column, TEXT_COLUMN + 3, "{line}: the `@`");
        assert_eq!(d.text, *line, "the annotation as written, from `@`");
        assert!(!d.hint.as_deref().unwrap_or("").is_empty(), "{line}");
        assert_eq!(d.source_line.as_deref(), Some("source line 2"));
        let (start, end) = d.span.unwrap();
        assert!(
            start >= d.location.column && end > start,
            "{line}: {start}..{end}"
        );
    }
}

#[test]
fn hints_show_the_form_and_point_at_the_fault() {
    let d = diagnostic(" @mitigates App with WAF");
    assert_eq!(d.message, "malformed `@mitigates`: missing `against`");
    assert_eq!(
        d.hint.as_deref(),
        Some("write it as `@mitigates <component> against <threat> [with <control>]`")
    );

    let d = diagnostic(" @flows A -> B via");
    assert_eq!(d.message, "malformed `@flows`: nothing after `via`");
    assert_eq!(
        d.hint.as_deref(),
        Some("say what comes after `via`, or drop `via`")
    );
    // `@flows A -> B ` is 14 characters from column 4.
    assert_eq!(d.span.unwrap().0, 18);

    let d = diagnostic(" @mitigates App against -- \"why\"");
    assert_eq!(d.message, "malformed `@mitigates`: missing threat");
    assert!(d.hint.as_deref().unwrap().contains("`#id`"));

    let d = diagnostic(" @transfers #t from A");
    assert_eq!(d.message, "malformed `@transfers`: missing `to`");

    let d = diagnostic(" @threat X (#x) -- \"d\" trailing words");
    assert_eq!(
        d.message,
        "malformed `@threat`: unexpected `trailing words` after the description"
    );

    let d = diagnostic(" @threat X (#x) -- \"unterminated");
    assert!(
        d.message.contains("unterminated description"),
        "{}",
        d.message
    );
}

#[test]
fn gal_malformed_corpus() {
    for line in [
        "@flows A -> B, C -> D",
        "@flows #a -> -- \"d\"",
        "@flows A -> B <-> C",
        "@boundary from #api",
        "@boundary from #api and #db",
        "@boundary between #api to #db",
        "@boundary from #api -> #db",
        "@boundary #api to #db",
        "@asset App.Auth (#auth -- \"unclosed id\"",
        "@asset App.Auth (#bad id) -- \"d\"",
    ] {
        let d = diagnostic(&format!(" {line}"));
        assert_eq!(d.code, Code::MalformedAnnotation, "{line}: {d:#?}");
    }
}

#[test]
fn one_bad_line_never_loses_the_rest() {
    let found = find(&[
        " @threat A (#a)",
        " @mitigates App against",
        " @mitigates are written next to the code",
        " @threat B (#b)",
    ]);
    assert_eq!(found.annotations.len(), 2);
    let codes: Vec<(u32, Code)> = found
        .diagnostics
        .iter()
        .map(|d| (d.location.line, d.code))
        .collect();
    assert_eq!(
        codes,
        [(2, Code::MalformedAnnotation), (3, Code::ProseLike)]
    );
}

#[test]
fn an_annotation_starts_the_comment_line() {
    nothing(" TODO @mitigates App against #sqli with #pq");
    nothing(" see @mitigates below");
    nothing(" @skip @mitigates App against #sqli with #pq");
    nothing(" @SKIP @transfers #t from A to B with D");
    nothing(" @skip");
}

#[test]
fn doc_tags_decorators_and_emails_never_count() {
    for line in [
        "@param name the user's name, to be shown",
        "@Override",
        "@returns the token for the session",
        "@return nothing to see",
        "@throws IOException when the file is gone",
        "@see Foo#bar",
        "@deprecated use the other one, with care",
        "@author alice@example.com",
        "security@example.com is the contact",
        "@example.com",
        "@Component({selector: 'app-root'})",
        "@Component",
        "@Controller",
        "@Control()",
        "@Test",
        "@test",
        "@flow",
        "@flow strict",
        "@flow weak",
        "@mitigates",
        "@threat-intel feeds arrive hourly",
        "@threats.io is a vendor",
        "@tests: see CI",
        "{@link Threat}",
        "@",
    ] {
        nothing(&format!(" {line}"));
    }
}

#[test]
fn a_prose_line_that_fits_a_form_is_an_annotation() {
    // SPEC §3.3 has no way to tell these apart: the grammar is the grammar.
    let a = one(" @flows go to the queue");
    let Form::Connects { endpoints, .. } = &a.form else {
        panic!()
    };
    assert_eq!(show(&endpoints[0]), "go");
    assert_eq!(show(&endpoints[1]), "the queue");
}

#[test]
fn a_skipped_yaml_opener_takes_its_block_with_it() {
    let found = find(&[
        " @skip @threat Old threat (#old):",
        "   description: kept for history",
        "",
        " @threat New threat (#new)",
    ]);
    assert!(found.diagnostics.is_empty(), "{:#?}", found.diagnostics);
    assert_eq!(found.annotations.len(), 1);
    assert_eq!(found.annotations[0].location.line, 4);
}

#[test]
fn a_sentence_shaped_name_is_prose_not_a_declaration() {
    // SPEC §3.3 (second edition): kernel-doc wraps sentences onto lines that start with a
    // parameter reference.
    for line in [
        "@control is set, further wait until the device reports idle.",
        "@component is released when the last reference goes away.",
        "@threat of losing data, which the journal prevents",
        "@control register holds the value that the firmware reads back on every reset",
        // A keyword of the form does not make a sentence an annotation.
        "@exposes the buffer to userspace, which is fine.",
        "@mitigates nothing against misuse, so callers must lock.",
    ] {
        let d = diagnostic(&format!(" {line}"));
        assert_eq!(d.code, Code::ProseLike, "{line}: {d:#?}");
        assert!(
            d.message.contains("reads as a sentence"),
            "{line}: {}",
            d.message
        );
    }
    // A `#ref` or a description says the author meant an annotation.
    let d = diagnostic(" @exposes #web to SQL injection, which is bad.");
    assert_eq!(d.code, Code::MalformedAnnotation, "{d:#?}");
    let d = diagnostic(" @threat Replay, which signatures stop -- \"see RFC 7515\"");
    assert_eq!(d.code, Code::MalformedAnnotation, "{d:#?}");
    // Short names, paths with dots inside and quoted names are names.
    for line in [
        "@component App.Auth.Login",
        "@threat Cross-site request forgery on the login form",
        "@control \"Rate limiting, per tenant, at the edge.\" (#rl)",
        "@threat SQL Injection (#sqli) [high]",
        "@threat Command, template or NoSQL injection (#injection)",
        "@control API server does not verify the kubelet it talks to (#kv)",
    ] {
        one(&format!(" {line}"));
    }
}

#[test]
fn a_verb_followed_by_a_colon_and_text_is_a_parameter_description() {
    // kernel-doc's `@name: description`, JSDoc's and others': not an annotation at all.
    for line in [
        "@control: the control register to program",
        "@component: pointer to the component",
        "@threat: the threat level, 0 to 3",
    ] {
        nothing(&format!(" {line}"));
    }
    // A lone `@verb:` opens a YAML block (SPEC §3.1), so it is read as an annotation.
    let found = find(&[" @threat:", "   description: no name given"]);
    assert_eq!(found.diagnostics.len(), 1, "{:#?}", found.diagnostics);
}
