//! Tests of the dual-screening rules, one case each.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn v(reviewer: i64, vote: Vote, reason: Option<&str>) -> CastVote {
    CastVote { reviewer, vote, reason: reason.map(str::to_owned) }
}

fn two() -> StageSettings {
    StageSettings::default()
}

fn lenient() -> StageSettings {
    StageSettings { maybe_is_conflict: false, ..StageSettings::default() }
}

fn single() -> StageSettings {
    StageSettings { reviewers_per_record: 1, ..StageSettings::default() }
}

fn excluded(reason: Option<&str>) -> Outcome {
    Outcome::Excluded { reason: reason.map(str::to_owned) }
}

#[test]
fn defaults() {
    let s = StageSettings::default();
    assert_eq!(s.reviewers_per_record, 2);
    assert!(s.blind);
    assert!(s.maybe_is_conflict);
}

#[test]
fn names_round_trip() {
    for stage in [Stage::TitleAbstract, Stage::FullText] {
        assert_eq!(Stage::parse(stage.as_str()), Some(stage));
    }
    for vote in [Vote::Include, Vote::Exclude, Vote::Maybe] {
        assert_eq!(Vote::parse(vote.as_str()), Some(vote));
    }
    assert_eq!(Stage::TitleAbstract.as_str(), "title_abstract");
    assert_eq!(Stage::FullText.as_str(), "full_text");
    assert_eq!(Vote::parse(" Include "), Some(Vote::Include));
    assert_eq!(Vote::parse("MAYBE"), Some(Vote::Maybe));
    assert_eq!(Vote::parse("yes"), None);
    assert_eq!(Stage::parse("full text"), None);
}

#[test]
fn no_votes_needs_two() {
    assert_eq!(outcome(&[], &two()), Outcome::NeedsVotes { have: 0, need: 2 });
}

#[test]
fn one_vote_of_two_needs_another() {
    let votes = [v(1, Vote::Include, None)];
    assert_eq!(outcome(&votes, &two()), Outcome::NeedsVotes { have: 1, need: 2 });
}

#[test]
fn same_reviewer_twice_counts_once_and_the_last_vote_wins() {
    let votes = [v(1, Vote::Include, None), v(1, Vote::Exclude, Some("Wrong design"))];
    assert_eq!(outcome(&votes, &two()), Outcome::NeedsVotes { have: 1, need: 2 });
    let votes = [v(1, Vote::Include, None), v(2, Vote::Exclude, None), v(1, Vote::Exclude, Some("Wrong design"))];
    assert_eq!(outcome(&votes, &two()), excluded(Some("Wrong design")));
}

#[test]
fn both_include_is_included() {
    let votes = [v(1, Vote::Include, None), v(2, Vote::Include, None)];
    assert_eq!(outcome(&votes, &two()), Outcome::Included);
}

#[test]
fn both_exclude_with_the_same_reason_keeps_it() {
    let votes = [v(1, Vote::Exclude, Some("Wrong population")), v(2, Vote::Exclude, Some("Wrong population"))];
    assert_eq!(outcome(&votes, &two()), excluded(Some("Wrong population")));
}

#[test]
fn both_exclude_with_different_reasons_keeps_the_first_voters() {
    let votes = [v(7, Vote::Exclude, Some("Wrong outcome")), v(3, Vote::Exclude, Some("Wrong population"))];
    assert_eq!(outcome(&votes, &two()), excluded(Some("Wrong outcome")));
}

#[test]
fn both_exclude_without_reasons_has_none() {
    let votes = [v(1, Vote::Exclude, None), v(2, Vote::Exclude, Some("  "))];
    assert_eq!(outcome(&votes, &two()), excluded(None));
}

#[test]
fn first_voter_without_reason_falls_back_to_the_first_given() {
    let votes = [v(1, Vote::Exclude, None), v(2, Vote::Exclude, Some("Not a trial"))];
    assert_eq!(outcome(&votes, &two()), excluded(Some("Not a trial")));
}

#[test]
fn include_against_exclude_is_a_conflict() {
    let votes = [v(1, Vote::Include, None), v(2, Vote::Exclude, Some("Wrong design"))];
    assert_eq!(outcome(&votes, &two()), Outcome::Conflict);
    assert_eq!(outcome(&votes, &lenient()), Outcome::Conflict);
}

#[test]
fn maybe_is_a_conflict_by_default() {
    let votes = [v(1, Vote::Include, None), v(2, Vote::Maybe, None)];
    assert_eq!(outcome(&votes, &two()), Outcome::Conflict);
    let votes = [v(1, Vote::Exclude, None), v(2, Vote::Maybe, None)];
    assert_eq!(outcome(&votes, &two()), Outcome::Conflict);
}

#[test]
fn all_maybe_is_a_conflict_by_default() {
    let votes = [v(1, Vote::Maybe, None), v(2, Vote::Maybe, None)];
    assert_eq!(outcome(&votes, &two()), Outcome::Conflict);
}

#[test]
fn maybe_counts_as_include_when_not_a_conflict() {
    let votes = [v(1, Vote::Include, None), v(2, Vote::Maybe, None)];
    assert_eq!(outcome(&votes, &lenient()), Outcome::Included);
    let votes = [v(1, Vote::Maybe, None), v(2, Vote::Maybe, None)];
    assert_eq!(outcome(&votes, &lenient()), Outcome::Included);
    let votes = [v(1, Vote::Maybe, None), v(2, Vote::Exclude, Some("Wrong design"))];
    assert_eq!(outcome(&votes, &lenient()), Outcome::Conflict);
}

#[test]
fn a_single_reviewer_decides() {
    assert_eq!(outcome(&[v(1, Vote::Include, None)], &single()), Outcome::Included);
    assert_eq!(outcome(&[v(1, Vote::Exclude, Some("Animal study"))], &single()), excluded(Some("Animal study")));
    assert_eq!(outcome(&[v(1, Vote::Maybe, None)], &single()), Outcome::Conflict);
    let single_lenient = StageSettings { maybe_is_conflict: false, ..single() };
    assert_eq!(outcome(&[v(1, Vote::Maybe, None)], &single_lenient), Outcome::Included);
    assert_eq!(outcome(&[], &single()), Outcome::NeedsVotes { have: 0, need: 1 });
}

#[test]
fn zero_reviewers_per_record_is_treated_as_one() {
    let s = StageSettings { reviewers_per_record: 0, ..StageSettings::default() };
    assert_eq!(outcome(&[], &s), Outcome::NeedsVotes { have: 0, need: 1 });
    assert_eq!(outcome(&[v(1, Vote::Include, None)], &s), Outcome::Included);
}

#[test]
fn three_reviewers() {
    let s = StageSettings { reviewers_per_record: 3, ..StageSettings::default() };
    let two_votes = [v(1, Vote::Include, None), v(2, Vote::Include, None)];
    assert_eq!(outcome(&two_votes, &s), Outcome::NeedsVotes { have: 2, need: 3 });
    let three = [v(1, Vote::Include, None), v(2, Vote::Include, None), v(3, Vote::Exclude, None)];
    assert_eq!(outcome(&three, &s), Outcome::Conflict);
}

#[test]
fn extra_votes_beyond_the_quota_still_count() {
    let votes = [v(1, Vote::Include, None), v(2, Vote::Include, None), v(3, Vote::Exclude, None)];
    assert_eq!(outcome(&votes, &two()), Outcome::Conflict);
}

#[test]
fn many_votes_do_not_overflow() {
    let votes: Vec<CastVote> = (0..300).map(|r| v(r, Vote::Include, None)).collect();
    assert_eq!(outcome(&votes, &two()), Outcome::Included);
}

fn reasons() -> Vec<String> {
    ["Wrong population", "Wrong design", "Not retrievable"].iter().map(|s| s.to_string()).collect()
}

#[test]
fn full_text_exclusion_needs_a_reason() {
    let err = validate_vote(Stage::FullText, Vote::Exclude, None, &reasons());
    assert_eq!(err, Err("An exclusion at full text needs a reason: please choose one.".to_owned()));
    assert!(validate_vote(Stage::FullText, Vote::Exclude, Some("   "), &[]).is_err());
    assert_eq!(validate_vote(Stage::FullText, Vote::Exclude, Some("Wrong design"), &reasons()), Ok(()));
}

#[test]
fn title_abstract_exclusion_may_omit_the_reason() {
    assert_eq!(validate_vote(Stage::TitleAbstract, Vote::Exclude, None, &reasons()), Ok(()));
}

#[test]
fn includes_and_maybes_need_no_reason() {
    for stage in [Stage::TitleAbstract, Stage::FullText] {
        assert_eq!(validate_vote(stage, Vote::Include, None, &reasons()), Ok(()));
        assert_eq!(validate_vote(stage, Vote::Maybe, None, &reasons()), Ok(()));
    }
}

#[test]
fn the_reason_must_be_one_of_the_reviews() {
    let err = validate_vote(Stage::FullText, Vote::Exclude, Some("Too long"), &reasons());
    assert_eq!(
        err,
        Err("\u{201c}Too long\u{201d} is not one of this review's exclusion reasons (Wrong population; Wrong design; Not retrievable)."
            .to_owned())
    );
    assert!(validate_vote(Stage::TitleAbstract, Vote::Exclude, Some("Too long"), &reasons()).is_err());
    assert_eq!(validate_vote(Stage::FullText, Vote::Exclude, Some(" Wrong design "), &reasons()), Ok(()));
}

#[test]
fn any_reason_is_fine_when_the_review_has_no_list() {
    assert_eq!(validate_vote(Stage::FullText, Vote::Exclude, Some("Anything at all"), &[]), Ok(()));
}

#[test]
fn tags_are_trimmed_and_repeats_dropped_in_order() {
    let given: Vec<String> =
        ["  peer  support ", "Qualitative", "", "   ", "qualitative", "peer support", "ward"].map(String::from).to_vec();
    assert_eq!(tidy_tags(&given), Ok(vec!["peer support".to_owned(), "Qualitative".to_owned(), "ward".to_owned()]));
    assert_eq!(tidy_tags(&[]), Ok(vec![]));
}

#[test]
fn too_many_or_too_long_tags_are_refused_with_a_sentence() {
    let long = "é".repeat(MAX_TAG_CHARS + 1);
    let err = tidy_tags(std::slice::from_ref(&long)).unwrap_err();
    assert!(err.contains("longer than 60 characters"), "{err}");
    // Exactly the limit, counted in characters rather than bytes, is fine.
    assert_eq!(tidy_tags(&["é".repeat(MAX_TAG_CHARS)]).map(|t| t.len()), Ok(1));
    let many: Vec<String> = (0..=MAX_TAGS).map(|i| format!("tag {i}")).collect();
    assert_eq!(tidy_tags(&many), Err("A vote can carry at most 20 tags; this one has 21. Please drop some.".to_owned()));
    // Repeats do not count towards the limit.
    let repeated: Vec<String> = (0..=MAX_TAGS).map(|_| "same".to_owned()).collect();
    assert_eq!(tidy_tags(&repeated), Ok(vec!["same".to_owned()]));
}
