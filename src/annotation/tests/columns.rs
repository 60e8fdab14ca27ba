//! Columns count Unicode scalar values from 1, from the real start of the comment text.

use super::*;

fn at(text: &str, line: u32, column: u32) -> FileAnnotations {
    find_blocks(&[vec![CommentLine {
        text: text.to_string(),
        line,
        column,
    }]])
}

#[test]
fn the_annotation_column_is_its_at_sign_after_leading_whitespace() {
    // `    let s = "ünïcödé"; // \t  @threat ...`: the comment text starts at column 27.
    let found = at(" \t  @threat Ünïcode spoofing (#uni)", 7, 27);
    let a = &found.annotations[0];
    assert_eq!(a.location.line, 7);
    assert_eq!(a.location.column, 31);
    let Form::Threat { threat } = &a.form else {
        panic!()
    };
    assert_eq!(threat.column, 39);
}

#[test]
fn every_mention_has_its_own_column() {
    let a = one(" @mitigates Café:Wéb against Ünï (#u) using Çtl -- \"d\"");
    let Form::Mitigates {
        target,
        threat,
        control,
    } = &a.form
    else {
        panic!()
    };
    assert_eq!(a.location.column, 4);
    assert_eq!(target.column, 15);
    assert_eq!(threat.column, 32);
    assert_eq!(control.as_ref().unwrap().column, 47);
}

#[test]
fn columns_of_every_form() {
    let columns = |line: &str| -> Vec<u32> {
        let a = one(line);
        match &a.form {
            Form::Exposes { target, threat, .. } | Form::Accepts { threat, target, .. } => {
                vec![target.column, threat.column]
            }
            Form::Transfers {
                threat, from, to, ..
            } => vec![threat.column, from.column, to.column],
            Form::Connects { endpoints, .. } => endpoints.iter().map(|e| e.column).collect(),
            Form::Boundary { sides, .. } => match sides {
                BoundarySides::Between(pair) => vec![pair.0.column, pair.1.column],
                BoundarySides::Around(members) => members.iter().map(|m| m.column).collect(),
            },
            Form::Handles { target, .. } => vec![target.column],
            Form::Tests { control, target } => vec![control.column, target.column],
            other => panic!("{other:?}"),
        }
    };
    // " @exposes " puts the first argument at column 13.
    assert_eq!(columns(" @exposes Wéb to #x [P1]"), [13, 20]);
    assert_eq!(columns(" @accepts #x on Wéb"), [19, 13]);
    assert_eq!(columns(" @transfers #t from Ä to B"), [15, 23, 28]);
    assert_eq!(columns(" @flows \"/ré\" -> #b -> C"), [11, 20, 26]);
    assert_eq!(columns(" @boundary Zöne (#z) between A and B"), [32, 38]);
    assert_eq!(columns(" @boundary around A, Bé, C"), [21, 24, 28]);
    assert_eq!(columns(" @handles pii on #ü"), [20]);
    assert_eq!(columns(" @validates #c for Äpp.X"), [15, 22]);
}

#[test]
fn a_diagnostic_span_counts_characters_not_bytes() {
    let found = at("@flows Ä -> Ö via", 3, 12);
    let d = &found.diagnostics[0];
    assert_eq!((d.location.line, d.location.column), (3, 12));
    // `@flows Ä -> Ö ` is 14 characters: `via` starts 14 columns after the `@`.
    assert_eq!(d.span, Some((26, 29)));
}
