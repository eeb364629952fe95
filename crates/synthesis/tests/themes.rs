//! Tests for the theme-by-study matrix and coder agreement.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use synthesis::agreement::{agreement, cohen_kappa_2x2};
use synthesis::model::*;
use synthesis::themes::*;

fn extract(id: &str, study: &str) -> Extract {
    Extract {
        id: id.into(),
        study: study.into(),
        text: "Some verbatim finding text.".into(),
        kind: ExtractKind::AuthorInterpretation,
        page: None,
        section: None,
        extractor: "u1".into(),
    }
}

fn code(id: &str, parent: Option<&str>) -> Code {
    Code { id: id.into(), name: id.into(), description: String::new(), parent: parent.map(Into::into), colour: None, codable: true }
}

fn coding(id: &str, extract: &str, code: &str, coder: &str) -> Coding {
    Coding { id: id.into(), extract: extract.into(), code: code.into(), start: 0, end: 4, coder: coder.into() }
}

#[test]
fn matrix_on_three_studies() {
    let extracts = vec![extract("e1", "S1"), extract("e2", "S1"), extract("e3", "S2"), extract("e4", "S3")];
    let codes = vec![code("trust", None), code("trust-peer", Some("trust")), code("cost", None), code("time", None)];
    let codings = vec![
        coding("k1", "e1", "trust-peer", "u1"), // Counts for "trust" through the tree.
        coding("k2", "e2", "trust", "u1"),
        coding("k3", "e3", "cost", "u1"),
        coding("k4", "e4", "time", "u2"),
        coding("k5", "e4", "cost", "u1"),
        coding("k6", "zz", "cost", "u1"), // Unknown extract: ignored.
    ];
    let descriptive = vec![
        DescriptiveTheme { id: "D1".into(), name: "Trust".into(), codes: vec!["trust".into()] },
        DescriptiveTheme { id: "D2".into(), name: "Burden".into(), codes: vec!["cost".into(), "time".into()] },
    ];
    let analytical = vec![AnalyticalTheme {
        id: "A1".into(),
        name: "Relational care".into(),
        memo: "memo".into(),
        descriptive: vec!["D1".into(), "D2".into()],
    }];
    let m = matrix(&descriptive, &analytical, &codes, &codings, &extracts);
    assert_eq!(m.studies, vec!["S1", "S2", "S3"]);
    assert_eq!(m.rows.len(), 3);
    assert_eq!(m.cell("D1", "S1"), ["e1", "e2"]);
    assert!(m.cell("D1", "S2").is_empty());
    assert!(m.cell("D1", "S3").is_empty());
    assert!(m.cell("D2", "S1").is_empty());
    assert_eq!(m.cell("D2", "S2"), ["e3"]);
    assert_eq!(m.cell("D2", "S3"), ["e4"]);
    assert_eq!(m.cell("A1", "S1"), ["e1", "e2"]);
    let a1 = m.row("A1").expect("A1 row");
    assert_eq!(a1.kind, ThemeKind::Analytical);
    assert_eq!(a1.supporting_studies(&m.studies), vec!["S1", "S2", "S3"]);
    assert_eq!(m.row("D2").expect("D2").supporting_studies(&m.studies), vec!["S2", "S3"]);
}

#[test]
fn kappa_matches_a_hand_computed_table() {
    // a=20, b=5, c=10, d=15, n=50: po=0.7; pA(yes)=0.5, pB(yes)=0.6; pe=0.3+0.2=0.5; κ=0.4.
    let k = cohen_kappa_2x2(20, 5, 10, 15).expect("defined");
    assert!((k - 0.4).abs() < 1e-12, "{k}");
    assert_eq!(cohen_kappa_2x2(0, 0, 0, 0), None);
    assert_eq!(cohen_kappa_2x2(5, 0, 0, 0), None);
}

#[test]
fn agreement_between_two_coders_at_the_extract_level() {
    let extracts: Vec<Extract> = (1..=5).map(|i| extract(&format!("e{i}"), "S1")).collect();
    let codes = vec![code("c", None), code("unused", None)];
    // Coder A applies c to e1, e2, e3; coder B applies c to e1, e2, e4 (twice on e1: still one yes).
    let codings = vec![
        coding("a1", "e1", "c", "A"),
        coding("a2", "e2", "c", "A"),
        coding("a3", "e3", "c", "A"),
        coding("b1", "e1", "c", "B"),
        coding("b1b", "e1", "c", "B"),
        coding("b2", "e2", "c", "B"),
        coding("b4", "e4", "c", "B"),
        coding("x", "e5", "c", "C"),
    ];
    let result = agreement(&codes, &extracts, &codings, "A", "B");
    assert_eq!(result.len(), 2);
    let c = &result[0];
    assert_eq!((c.both, c.only_a, c.only_b, c.neither), (2, 1, 1, 1));
    // po = 3/5 = 0.6; pA = pB = 0.6; pe = 0.36 + 0.16 = 0.52; κ = 0.08/0.48 = 1/6.
    assert!((c.percent_agreement.expect("po") - 0.6).abs() < 1e-12);
    assert!((c.kappa.expect("kappa") - 1.0 / 6.0).abs() < 1e-12);
    let unused = &result[1];
    assert_eq!(unused.neither, 5);
    assert_eq!(unused.percent_agreement, Some(1.0));
    assert_eq!(unused.kappa, None);
}

#[test]
fn matrix_csv_counts_extracts_and_defuses_formula_like_names() {
    let matrix = Matrix {
        studies: vec!["Smith, 2020".into(), "Jones 2021".into()],
        rows: vec![MatrixRow {
            theme: "t1".into(),
            name: "=HYPERLINK(\"x\")".into(),
            kind: ThemeKind::Descriptive,
            cells: vec![vec!["e1".into(), "e2".into()], vec![]],
        }],
    };
    assert_eq!(
        matrix_csv(&matrix),
        "Theme,Kind,Studies supporting,\"Smith, 2020\",Jones 2021\r\n\"'=HYPERLINK(\"\"x\"\")\",descriptive,1,2,\r\n"
    );
}
