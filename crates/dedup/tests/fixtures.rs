//! The labelled hard cases in `fixtures/dedup/`, each checked by the rule its file name names.
#![allow(clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use dedup::{Decision, Options, Outcome, Role};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/dedup")
}

struct Case {
    name: String,
    records: Vec<dedup::Citation>,
    groups: Vec<String>,
}

fn load(name: &str) -> Case {
    let path = fixture_dir().join(name);
    let (records, rows) = common::read_csv(&path).unwrap_or_else(|| panic!("cannot read {}", path.display()));
    let groups = rows.iter().map(|r| r.get("group").cloned().unwrap_or_default()).collect();
    Case { name: name.to_string(), records, groups }
}

fn all_cases() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixture_dir())
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".csv")).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// The automatic clusters: kept index -> members (Review rows count as their own cluster).
fn clusters(outcome: &Outcome) -> BTreeMap<usize, Vec<usize>> {
    let mut out: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, a) in outcome.assignments.iter().enumerate() {
        let c = if a.role == Role::Review { i } else { a.cluster };
        out.entry(c).or_default().push(i);
    }
    out
}

fn describe(case: &Case, outcome: &Outcome) -> String {
    let mut s = format!("{}:\n", case.name);
    for (i, a) in outcome.assignments.iter().enumerate() {
        s.push_str(&format!("  [{i}] group {} -> {:?} {}\n", case.groups[i], a.role, a.cluster));
    }
    for p in &outcome.pairs {
        let notes: Vec<&str> = p.evidence.iter().map(|e| e.note.as_str()).collect();
        s.push_str(&format!("  ({}, {}) {} {:.2} {:?} {}\n", p.a, p.b, p.decision.as_str(), p.score, p.guard, notes.join("; ")));
    }
    s
}

fn check(case: &Case) {
    let outcome = dedup::find(&case.records, &Options::default(), &mut |_| {});
    let info = describe(case, &outcome);
    assert_eq!(outcome.assignments.len(), case.records.len());
    let clusters = clusters(&outcome);
    // No file may ever merge two true works.
    for members in clusters.values() {
        let groups: BTreeSet<&str> = members.iter().map(|m| case.groups[*m].as_str()).collect();
        assert!(groups.len() == 1, "false merge {groups:?}\n{info}");
    }
    let merged_groups = |want_all: bool| {
        let mut by_group: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
        for (i, g) in case.groups.iter().enumerate() {
            let a = &outcome.assignments[i];
            let c = if a.role == Role::Review { usize::MAX - i } else { a.cluster };
            by_group.entry(g.as_str()).or_default().insert(c);
        }
        for (g, cs) in by_group {
            if want_all {
                assert_eq!(cs.len(), 1, "group {g} was not merged into one cluster\n{info}");
            }
        }
    };
    if case.name.starts_with("dup_") || case.name.starts_with("guard_") {
        merged_groups(true);
    }
    if case.name.starts_with("distinct_") {
        assert!(outcome.assignments.iter().all(|a| a.role == Role::Unique), "distinct records were merged or sent to review\n{info}");
    }
    if case.name.starts_with("related_") {
        assert!(outcome.pairs.iter().any(|p| p.decision == Decision::Related), "no related pair\n{info}");
        assert!(outcome.assignments.iter().all(|a| a.role != Role::Duplicate), "merged\n{info}");
    }
}

#[test]
fn every_fixture_holds() {
    let names = all_cases();
    assert!(names.len() >= 10, "fixtures missing: {names:?}");
    for name in names {
        check(&load(&name));
    }
}

#[test]
fn doi_chain_never_ends_in_one_cluster() {
    let case = load("guard_doi_chain.csv");
    let outcome = dedup::find(&case.records, &Options::default(), &mut |_| {});
    let info = describe(&case, &outcome);
    let (a, c) = (&outcome.assignments[0], &outcome.assignments[2]);
    assert!(c.role == Role::Review || c.cluster != a.cluster, "{info}");
    // The bridging record joins exactly one side; the refused union is offered to a person with its reason.
    assert_eq!(outcome.assignments[1].cluster, a.cluster, "{info}");
    let refused = outcome.pairs.iter().find(|p| p.a == 1 && p.b == 2).expect("pair 1-2 reported");
    assert_eq!(refused.decision, Decision::Review, "{info}");
    assert!(refused.guard.as_deref().unwrap_or("").contains("DOIs differ"), "{info}");
}

#[test]
fn guards_explain_themselves() {
    let case = load("related_preprint.csv");
    let outcome = dedup::find(&case.records, &Options::default(), &mut |_| {});
    let p = outcome.pairs.first().expect("a related pair");
    assert_eq!(p.decision, Decision::Related);
    assert!(p.guard.as_deref().unwrap_or("").contains("preprint"));
    assert!(p.evidence.iter().any(|e| e.field == "type"));
    // The less complete side is offered for review against the other.
    assert_eq!(outcome.assignments.iter().filter(|a| a.role == Role::Review).count(), 1);
}

#[test]
fn evidence_names_fields_and_strengths() {
    let case = load("dup_author_formats.csv");
    let outcome = dedup::find(&case.records, &Options::default(), &mut |_| {});
    let p = outcome.pairs.iter().find(|p| p.a == 0 && p.b == 1).expect("pair 0-1");
    assert_eq!(p.decision, Decision::Duplicate);
    let title = p.evidence.iter().find(|e| e.field == "title").expect("title evidence");
    assert_eq!(title.similarity, 1.0);
    assert_eq!(title.note, "titles identical after normalisation");
    let pages = p.evidence.iter().find(|e| e.field == "pages").expect("pages evidence");
    assert!(pages.note.contains("221-228 vs 221-228"), "{}", pages.note);
    assert!(p.evidence.iter().any(|e| e.field == "journal" && e.note.contains("abbreviation")));
    for e in &p.evidence {
        assert!((0.0..=1.0).contains(&e.similarity));
    }
}

#[test]
fn judged_pairs_override_the_rules() {
    let case = load("guard_erratum_reply_retraction.csv");
    // A person says the erratum (2) belongs with the article (0), and that 0 and 1 differ.
    let options = Options { judged: vec![(2, 0, true), (0, 1, false)] };
    let outcome = dedup::find(&case.records, &options, &mut |_| {});
    let info = describe(&case, &outcome);
    assert_eq!(outcome.assignments[0].cluster, outcome.assignments[2].cluster, "{info}");
    assert_ne!(outcome.assignments[0].cluster, outcome.assignments[1].cluster, "{info}");
    assert!(outcome.assignments[1].role != Role::Duplicate || outcome.assignments[1].cluster != outcome.assignments[0].cluster);
}

#[test]
fn kept_record_is_the_most_complete() {
    let case = load("dup_pages_journal_doi.csv");
    let outcome = dedup::find(&case.records, &Options::default(), &mut |_| {});
    // Records 0-3 are one work; record 3 has no DOI, the others tie, so the lowest index is kept.
    assert_eq!(outcome.assignments[0].role, Role::Kept);
    for i in 1..4 {
        assert_eq!(outcome.assignments[i].role, Role::Duplicate);
        assert_eq!(outcome.assignments[i].cluster, 0);
    }
    let members: Vec<&dedup::Citation> = case.records.iter().take(4).collect();
    let merged = dedup::merge_best(&members);
    assert_eq!(merged.doi.as_deref(), Some("10.1016/j.vph.2017.07.001"));
    assert_eq!(merged.journal.as_deref(), Some("Vascular Pharmacology"));
}

#[test]
fn progress_reaches_every_stage_and_output_is_deterministic() {
    let case = load("dup_pages_journal_doi.csv");
    let mut stages = Vec::new();
    let first = dedup::find(&case.records, &Options::default(), &mut |p| stages.push(p.stage));
    for s in ["normalise", "block", "compare", "cluster"] {
        assert!(stages.contains(&s), "{s} missing from {stages:?}");
    }
    let second = dedup::find(&case.records, &Options::default(), &mut |_| {});
    assert_eq!(first.pairs, second.pairs);
    assert_eq!(first.assignments, second.assignments);
    assert!(dedup::find(&[], &Options::default(), &mut |_| {}).assignments.is_empty());
}
