use super::*;

fn mention(name: &str, column: u32) -> Mention {
    Mention {
        name: Some(name.into()),
        column,
        ..Mention::default()
    }
}

fn sample() -> FileResult {
    let mut fields = BlockFields {
        description: Some("d".into()),
        severity: Some(Severity::High),
        stride: vec![Stride::Tampering, Stride::ElevationOfPrivilege],
        layer: Some(Layer::Storage),
        cwe: vec!["CWE-89".into()],
        ..BlockFields::default()
    };
    fields
        .custom
        .insert("x".into(), serde_json::json!({"a": [1, 2.5, null, "s"]}));
    let mut q = Qualifiers {
        severity: Some(Severity::Low),
        stride: vec![Stride::Spoofing],
        tags: vec!["t".into()],
        ..Qualifiers::default()
    };
    q.values.insert("owner".into(), "payments".into());
    let a = Annotation {
        verb: Verb::Connects,
        form: Form::Connects {
            endpoints: vec![mention("A", 12), mention("B", 17)],
            two_way: true,
            mechanism: Some("HTTPS".into()),
            mechanism_parts: vec![Mention {
                id: Some("tls".into()),
                is_reference: true,
                qualifiers: q.clone().into(),
                ..Mention::default()
            }],
            id: Some("f".into()),
        },
        qualifiers: q.into(),
        refs: vec!["cwe:CWE-1".into()],
        description: Some("desc é".into()),
        fields: Some(Box::new(fields)),
        location: Location::new("src/a.go", 3, 4),
        symbol: Some("main".into()),
        origin: Some(Location::new("src/a.go.gal", 1, 1)),
        text: "@flows A <-> B via HTTPS".into(),
        source_line: Some("// @flows A <-> B via HTTPS".into()),
    };
    let b = Annotation {
        verb: Verb::Boundary,
        form: Form::Boundary {
            name: None,
            id: Some("b".into()),
            sides: BoundarySides::Between(Box::new((mention("X", 1), mention("Y", 2)))),
        },
        qualifiers: Default::default(),
        refs: vec![],
        description: None,
        fields: None,
        location: Location::new("elsewhere.py", 9, 1),
        symbol: None,
        origin: None,
        text: "@boundary between X and Y".into(),
        source_line: Some("something else".into()),
    };
    let d = Diagnostic::new(
        Code::MalformedAnnotation,
        Location::new("src/a.go", 5, 2),
        "m",
    )
    .hint("h")
    .text("@mitigates (");
    let mut d2 = d.clone();
    d2.source_line = Some("# @mitigates (".into());
    d2.span = Some((3, 9));
    FileResult {
        path: "src/a.go".into(),
        annotations: vec![a, b],
        diagnostics: vec![d, d2],
    }
}

#[test]
fn a_record_reads_back_as_written() {
    let r = sample();
    let bytes = encode(&r.path, Some(42), Some(&r)).unwrap();
    assert_eq!(
        head(&bytes).unwrap(),
        Head {
            path: "src/a.go",
            content_hash: Some(42),
            holds: true,
            annotations: 2,
            diagnostics: 2,
        }
    );
    let back = decode(&bytes, "src/a.go").unwrap().unwrap();
    assert_eq!(back.path, r.path);
    assert_eq!(back.annotations, r.annotations);
    assert_eq!(back.diagnostics, r.diagnostics);
    // Spans and source lines are not part of `PartialEq`'s blind spots: check them.
    assert_eq!(back.diagnostics[1].span, Some((3, 9)));
    let empty = encode("x", None, None).unwrap();
    assert!(decode(&empty, "x").unwrap().is_none());
}

#[test]
fn any_damage_is_an_error_never_a_panic() {
    let r = sample();
    let bytes = encode(&r.path, Some(1), Some(&r)).unwrap();
    assert_eq!(decode(&bytes, "other/path").unwrap_err(), Malformed);
    for cut in 0..bytes.len() {
        assert!(decode(&bytes[..cut], "src/a.go").is_err(), "cut at {cut}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(decode(&longer, "src/a.go").is_err());
    // Every single-byte change either fails or decodes to something: no panic.
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0xff;
        let _ = decode(&b, "src/a.go");
    }
}

/// Verbs are encoded by their place in `Verb::ALL`: a verb missing from it would make every
/// file that uses it uncacheable, silently slower.
#[test]
fn every_verb_has_a_place_in_the_encoding_table() {
    for (word, verb) in crate::annotation::VERB_WORDS {
        assert!(Verb::ALL.contains(verb), "@{word}");
    }
}
