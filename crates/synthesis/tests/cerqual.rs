//! Tests for the suggested CERQual confidence and the SoQF and Evidence Profile tables.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use Concern::*;
use synthesis::cerqual::*;

fn judgement(concern: Concern, explanation: &str) -> Judgement {
    Judgement { concern, explanation: explanation.into() }
}

fn assessments() -> Vec<Assessment> {
    vec![
        Assessment {
            finding: "Peer workers built trust, \"like family\" <quickly>.".into(),
            theme: "A1".into(),
            studies: vec!["Smith 2019".into(), "Okafor 2021".into()],
            methodological_limitations: judgement(Minor, "Two studies lacked reflexivity."),
            coherence: judgement(NoOrVeryMinor, ""),
            adequacy: judgement(Moderate, "Thin data, two studies."),
            relevance: judgement(NoOrVeryMinor, "Settings match."),
            overall: Confidence::Moderate,
            explanation: "Downgraded for adequacy & minor limitations.".into(),
        },
        Assessment {
            finding: "=cost, burden".into(),
            theme: "A2".into(),
            studies: vec!["Lee 2020".into()],
            methodological_limitations: judgement(Serious, "Single low-quality study."),
            coherence: judgement(Minor, ""),
            adequacy: judgement(Serious, "One study."),
            relevance: judgement(Minor, ""),
            overall: Confidence::VeryLow,
            explanation: "Serious concerns about limitations and adequacy.".into(),
        },
    ]
}

#[test]
fn suggested_confidence_follows_the_documented_rule() {
    assert_eq!(suggested_confidence([NoOrVeryMinor; 4]), Confidence::High);
    assert_eq!(suggested_confidence([Minor, NoOrVeryMinor, NoOrVeryMinor, NoOrVeryMinor]), Confidence::High);
    assert_eq!(suggested_confidence([Minor, Minor, NoOrVeryMinor, NoOrVeryMinor]), Confidence::High);
    assert_eq!(suggested_confidence([Moderate, NoOrVeryMinor, Minor, NoOrVeryMinor]), Confidence::High);
    assert_eq!(suggested_confidence([Minor, Minor, Minor, NoOrVeryMinor]), Confidence::Moderate);
    assert_eq!(suggested_confidence([Moderate, Moderate, NoOrVeryMinor, NoOrVeryMinor]), Confidence::Moderate);
    assert_eq!(suggested_confidence([Serious, NoOrVeryMinor, NoOrVeryMinor, NoOrVeryMinor]), Confidence::Moderate);
    assert_eq!(suggested_confidence([Serious, Moderate, Moderate, NoOrVeryMinor]), Confidence::Low);
    assert_eq!(suggested_confidence([Serious, Serious, NoOrVeryMinor, Minor]), Confidence::Low);
    assert_eq!(suggested_confidence([Serious, Serious, Serious, NoOrVeryMinor]), Confidence::VeryLow);
    assert_eq!(suggested_confidence([Serious; 4]), Confidence::VeryLow);
    // The reviewers' overall judgement is kept as given, even when it differs from the suggestion.
    let a = &assessments()[0];
    assert_eq!(suggested_confidence(a.concerns()), Confidence::High);
    assert_eq!(a.overall, Confidence::Moderate);
}

#[test]
fn soqf_csv_has_the_four_columns_plus_a_number() {
    let csv = soqf_csv(&assessments());
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "No.,Summary of review finding,Studies contributing to the review finding,\
         CERQual assessment of confidence in the evidence,Explanation of CERQual assessment"
    );
    assert_eq!(
        lines[1],
        "1,\"Peer workers built trust, \"\"like family\"\" <quickly>.\",Smith 2019; Okafor 2021,\
         Moderate confidence,Downgraded for adequacy & minor limitations."
    );
    // A leading "=" is defused so that spreadsheets do not run it as a formula.
    assert!(lines[2].starts_with("2,\"'=cost, burden\",Lee 2020,Very low confidence,"), "{}", lines[2]);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[3], "");
}

#[test]
fn evidence_profile_csv_adds_the_component_columns() {
    let csv = evidence_profile_csv(&assessments());
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "No.,Summary of review finding,Studies contributing to the review finding,Methodological limitations,\
         Coherence,Adequacy,Relevance,CERQual assessment of confidence in the evidence,Explanation of CERQual assessment"
    );
    assert!(
        lines[1].contains(
            ",Minor concerns: Two studies lacked reflexivity.,No or very minor concerns,\
             \"Moderate concerns: Thin data, two studies.\",No or very minor concerns: Settings match.,\
             Moderate confidence,"
        ),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(
        ",Serious concerns: Single low-quality study.,Minor concerns,Serious concerns: One study.,Minor concerns,Very low confidence,"
    ));
}

#[test]
fn html_tables_are_escaped_and_accessible() {
    for html in [soqf_html(&assessments()), evidence_profile_html(&assessments())] {
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("<caption>"));
        assert!(html.contains("<th scope=\"col\">Summary of review finding</th>"));
        assert!(html.contains("<th scope=\"row\">1</th>"));
        assert!(html.contains("Peer workers built trust, &quot;like family&quot; &lt;quickly&gt;."));
        assert!(html.contains("adequacy &amp; minor"));
        assert!(!html.contains("<quickly>"));
    }
    assert!(evidence_profile_html(&assessments()).contains("<th scope=\"col\">Coherence</th>"));
    assert!(!soqf_html(&assessments()).contains("Coherence"));
}

#[test]
fn example_tables_are_saved_for_review() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/test-output/synthesis");
    std::fs::create_dir_all(&dir).expect("create test-output");
    std::fs::write(dir.join("soqf.html"), soqf_html(&assessments())).expect("save soqf.html");
    std::fs::write(dir.join("evidence-profile.html"), evidence_profile_html(&assessments())).expect("save profile");
    std::fs::write(dir.join("soqf.csv"), soqf_csv(&assessments())).expect("save soqf.csv");
}
