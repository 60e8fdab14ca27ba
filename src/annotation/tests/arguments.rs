//! [`parse_arguments`] on its own: what the scanner's `x-threatspec` keys and any other
//! caller without a comment block rely on.

use super::*;

#[test]
fn columns_come_from_the_callers_mapping() {
    let p = parse(Verb::Tests, "#c for Äpp.X").unwrap();
    let Form::Tests { control, target } = &p.form else {
        panic!()
    };
    assert_eq!((control.column, target.column), (1, 8));
}

#[test]
fn errors_carry_the_byte_offset_of_the_fault() {
    let args = "Äpp to T -- \"d\" stray";
    let e = parse(Verb::Exposes, args).unwrap_err();
    assert_eq!(&args[e.offset..], "stray");

    let args = "Äpp against";
    let e = parse(Verb::Mitigates, args).unwrap_err();
    assert_eq!(e.message, "missing threat");
    assert_eq!(e.offset, args.len(), "the threat is missing at the end");
}

#[test]
fn a_double_dash_inside_quotes_or_brackets_is_not_the_description() {
    let p = parse(Verb::Connects, r#""a -- b" -> C [note -- x] -- "d""#).unwrap();
    let Form::Connects { endpoints, .. } = &p.form else {
        panic!()
    };
    assert_eq!(show(&endpoints[0]), "a -- b");
    assert_eq!(p.qualifiers.tags, ["note", "--", "x"]);
    assert_eq!(p.description.as_deref(), Some("d"));
}

#[test]
fn a_double_dash_inside_a_word_is_not_the_description() {
    let p = parse(Verb::Threat, "Flag--injection via argv").unwrap();
    let Form::Threat { threat } = &p.form else {
        panic!()
    };
    assert_eq!(show(threat), "Flag--injection via argv");
    assert_eq!(p.description, None);

    let p = parse(Verb::Threat, r#"T --"no space""#).unwrap();
    assert_eq!(p.description.as_deref(), Some("no space"));
}

#[test]
fn escapes_in_descriptions_and_quoted_names() {
    let p = parse(
        Verb::Connects,
        r#""C:\\dir \"x\"" -> B -- "a \"b\" c\\d \n""#,
    )
    .unwrap();
    let Form::Connects { endpoints, .. } = &p.form else {
        panic!()
    };
    assert_eq!(show(&endpoints[0]), r#"C:\dir "x""#);
    // Only `\"` and `\\` are escapes; any other backslash stays.
    assert_eq!(p.description.as_deref(), Some(r#"a "b" c\d \n"#));
}
