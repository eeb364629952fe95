//! Unit tests of the pair rules: title similarity details and the decisions they lead to.

use super::*;
use crate::cite::{Author, Citation};
use crate::similarity::{NUMBER_MISMATCH_CAP, WORD_CHANGE_CAP, title_similarity, word_changed};

fn norm(title: &str) -> Norm {
    Norm::new(&Citation { title: Some(title.to_string()), ..Citation::default() })
}

fn rec(title: &str, journal: &str, year: i32, pages: &str, doi: Option<&str>) -> Norm {
    Norm::new(&Citation {
        title: Some(title.to_string()),
        authors: vec![Author { family: "Smith J.Jones K.".into(), given: None }],
        journal: Some(journal.into()),
        year: Some(year),
        volume: Some("12".into()),
        issue: Some("3".into()),
        start_page: (!pages.is_empty()).then(|| pages.to_string()),
        doi: doi.map(str::to_string),
        ref_type: "JOUR".into(),
        ..Citation::default()
    })
}

#[test]
fn spelling_typos_and_hyphenation_are_not_word_changes() {
    assert!(!word_changed("sitagliptin stabilizes lesions in mice", "sitagliptin stabilises lesions in mice"));
    assert!(!word_changed("sodium glucose co transporter 2 inhibitor", "sodium glucose cotransporter 2 inhibitor"));
    assert!(!word_changed("alogliptin attenuates inflammation", "alogriptin attenuates inflammation"));
    assert!(!word_changed("effects of x on y", "the effects of x on y"));
    assert!(word_changed("exenatide in diabetic mice", "exenatide in diabetic rats"));
    assert!(word_changed("exenatide in diabetic mice", "exenatide in obese diabetic mice"));
}

#[test]
fn title_similarity_caps_number_and_word_changes() {
    let t = |a: &str, b: &str| title_similarity(&norm(a), &norm(b));
    assert_eq!(t("Effects of X on Y in mice", "EFFECTS OF X ON Y IN MICE."), 1.0);
    assert!(t("Outcomes in type 1 diabetes and kidney disease", "Outcomes in type 2 diabetes and kidney disease") <= NUMBER_MISMATCH_CAP);
    assert!(t("A phase II trial of liraglutide in adolescents", "A phase III trial of liraglutide in adolescents") <= NUMBER_MISMATCH_CAP);
    let long = "Long-term effects of exenatide on atherosclerotic plaque progression in diabetic apolipoprotein E deficient";
    assert!(t(&format!("{long} mice"), &format!("{long} rats")) <= WORD_CHANGE_CAP);
    assert!(t(&format!("{long} mice"), &format!("{long} mcie")) > 0.95);
    assert_eq!(t("", "Anything"), 0.0);
}

#[test]
fn decisions_follow_the_evidence() {
    let title = "Dipeptidyl peptidase-4 inhibition attenuates vascular remodelling in mice";
    let base = rec(title, "Vascul Pharmacol", 2015, "11-19", Some("10.1016/j.vph.2015.07.005"));
    // Same work, DOI on one side only, abbreviated page range and full journal title.
    let other = rec(title, "Vascular Pharmacology", 2015, "11-9", None);
    assert_eq!(decide(&base, &other).decision, Decision::Duplicate);
    // Journal names that do not match, but volume, issue, pages, year and authors do.
    let renamed = rec(title, "Gefasspharmakologie", 2015, "11", None);
    assert_eq!(decide(&base, &renamed).decision, Decision::Duplicate);
    // A supplement-wide DOI shared by two different abstracts.
    let sibling =
        rec("Liraglutide improves endothelial function in obese rats", "Vascul Pharmacol", 2015, "S12", Some("10.1016/j.vph.2015.07.005"));
    assert_eq!(decide(&base, &sibling).decision, Decision::Distinct);
    // Same title and journal, different pages and years: different works.
    let later = rec(title, "Vascul Pharmacol", 2018, "101-9", None);
    assert_eq!(decide(&base, &later).decision, Decision::Distinct);
    // Different DOIs: guarded, whatever else agrees.
    let other_doi = rec(title, "Vascul Pharmacol", 2015, "11-19", Some("10.1016/j.vph.2015.07.999"));
    let v = decide(&base, &other_doi);
    assert_eq!(v.decision, Decision::Distinct);
    assert!(v.guard.as_deref().unwrap_or("").starts_with("DOIs differ"));
}
