//! Tests for extracts, the code tree and coding spans.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use synthesis::model::*;

fn extract(text: &str) -> Extract {
    Extract {
        id: "e1".into(),
        study: "s1".into(),
        text: text.into(),
        kind: ExtractKind::ParticipantQuote,
        page: Some(4),
        section: Some("Results".into()),
        extractor: "u1".into(),
    }
}

fn code(id: &str, parent: Option<&str>) -> Code {
    Code {
        id: id.into(),
        name: format!("name {id}"),
        description: String::new(),
        parent: parent.map(Into::into),
        colour: None,
        codable: true,
    }
}

#[test]
fn span_text_counts_scalar_values_with_emoji_and_accents() {
    // "Peer " is 5 scalars; the health-worker emoji is 5 scalars (woman, skin tone, ZWJ, staff, VS16).
    let e = extract("Peer 👩🏽‍⚕️ workers, café");
    assert_eq!(e.text.chars().count(), 24);
    assert_eq!(span_text(&e, 0, 4), Some("Peer"));
    assert_eq!(span_text(&e, 5, 10), Some("👩🏽‍⚕️"));
    assert_eq!(span_text(&e, 11, 18), Some("workers"));
    assert_eq!(span_text(&e, 20, 24), Some("café"));
    // A decomposed accent (e + combining acute) is two scalars.
    let d = extract("cafe\u{301} x");
    assert_eq!(span_text(&d, 0, 5), Some("cafe\u{301}"));
    assert_eq!(span_text(&d, 0, 4), Some("cafe"));
}

#[test]
fn validate_coding_refuses_empty_reversed_and_out_of_range_spans() {
    let e = extract("Peer 👩🏽‍⚕️ workers, café");
    assert!(validate_coding(&e, 0, 24).is_ok());
    let empty = validate_coding(&e, 3, 3).expect_err("an empty span is refused");
    assert!(empty.ends_with('.'), "{empty}");
    assert!(validate_coding(&e, 5, 2).is_err());
    assert!(validate_coding(&e, 0, 25).is_err());
    assert_eq!(span_text(&e, 0, 25), None);
    assert_eq!(span_text(&e, 7, 7), None);
}

#[test]
fn overlapping_codings_and_several_codes_per_span_are_allowed() {
    let e = extract("Peer workers made me feel safe.");
    let codes = vec![code("c1", None), code("c2", Some("c1"))];
    let codings = vec![
        Coding { id: "k1".into(), extract: "e1".into(), code: "c1".into(), start: 0, end: 12, coder: "u1".into() },
        Coding { id: "k2".into(), extract: "e1".into(), code: "c2".into(), start: 0, end: 12, coder: "u1".into() },
        Coding { id: "k3".into(), extract: "e1".into(), code: "c2".into(), start: 5, end: 30, coder: "u1".into() },
    ];
    assert!(validate_codings(std::slice::from_ref(&e), &codes, &codings).is_ok());
    assert_eq!(span_text(&e, 5, 30), Some("workers made me feel safe"));
    let mut bad = codings.clone();
    bad[2].code = "nope".into();
    assert!(validate_codings(std::slice::from_ref(&e), &codes, &bad).is_err());
    let mut dup = codings;
    dup[1].id = "k1".into();
    assert!(validate_codings(&[e], &codes, &dup).is_err());
}

#[test]
fn code_tree_validation_finds_cycles_unknown_parents_and_bad_colours() {
    assert!(validate_codes(&[code("a", None), code("b", Some("a"))]).is_ok());
    assert!(validate_codes(&[code("a", Some("b")), code("b", Some("a"))]).is_err());
    assert!(validate_codes(&[code("a", Some("a"))]).is_err());
    assert!(validate_codes(&[code("a", Some("zz"))]).is_err());
    let mut coloured = code("a", None);
    coloured.colour = Some("#12ab9F".into());
    assert!(validate_codes(std::slice::from_ref(&coloured)).is_ok());
    coloured.colour = Some("#12ab9".into());
    assert!(validate_codes(std::slice::from_ref(&coloured)).is_err());
    coloured.colour = Some("red".into());
    assert!(validate_codes(&[coloured]).is_err());
    assert!(validate_codes(&[code("a", None), code("a", None)]).is_err());
}
