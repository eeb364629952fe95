//! Property tests: `find` never panics, and its output is well formed and guard-respecting.

use std::collections::HashMap;

use dedup::{Author, Citation, Decision, Options, Role};
use proptest::prelude::*;

fn opt(s: impl Strategy<Value = String>) -> impl Strategy<Value = Option<String>> {
    prop::option::of(s)
}

/// Records built from small alphabets so that collisions, near-duplicates and odd input all occur.
fn record() -> impl Strategy<Value = Citation> {
    let title = prop::sample::select(vec![
        "Effects of X on Y in mice",
        "Effects of X on Y in mice.",
        "EFFECTS OF X ON Y IN MICE",
        "Erratum: Effects of X on Y in mice",
        "Effects of X on Y in mice: Part II",
        "Effects of X on Y in mice: Part I",
        "Editorial",
        "",
    ])
    .prop_map(str::to_string);
    let junk = "[a-zA-Z0-9éß&<>;#’ .,:()\\[\\]/-]{0,30}";
    (
        (prop::option::of(title), opt(junk.prop_map(|s| s)), "[A-Za-z .,;é]{0,30}", prop::option::of(1990i32..2030)),
        (
            opt(prop::sample::select(vec![
                "Curr Opin Lipidol",
                "Current Opinion in Lipidology",
                "Circulation. Conference: AHA",
                "medRxiv",
            ])
            .prop_map(str::to_string)),
            opt("[0-9A-Za-z() ]{0,6}"),
            opt("[0-9A-Za-z() -]{0,9}"),
            opt(prop::sample::select(vec!["10.1/a", "10.1/A", "https://doi.org/10.1/b", "10.1101/x", "doi:", "10."])
                .prop_map(str::to_string)),
            prop::sample::select(vec!["JOUR", "CONF", "INPR", "", "Journal Article"]).prop_map(str::to_string),
        ),
    )
        .prop_map(|((title, extra, authors, year), (journal, volume, pages, doi, ref_type))| Citation {
            title: title.map(|t| format!("{t}{}", extra.unwrap_or_default())),
            authors: vec![Author { family: authors, given: None }],
            year,
            journal,
            volume,
            start_page: pages,
            doi,
            ref_type,
            ..Citation::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn find_is_total_and_well_formed(records in prop::collection::vec(record(), 0..40), judged in prop::collection::vec((0usize..45, 0usize..45, any::<bool>()), 0..4)) {
        let options = Options { judged: judged.clone() };
        let out = dedup::find(&records, &options, &mut |_| {});
        prop_assert_eq!(out.assignments.len(), records.len());
        for p in &out.pairs {
            prop_assert!(p.a < p.b && p.b < records.len());
            prop_assert!(p.decision != Decision::Distinct);
            prop_assert!((0.0..=1.0).contains(&p.score));
        }
        let judged_same: Vec<(usize, usize)> = judged.iter().filter(|j| j.2).map(|j| (j.0.min(j.1), j.0.max(j.1))).collect();
        let mut clusters: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, a) in out.assignments.iter().enumerate() {
            prop_assert!(a.cluster < records.len());
            match a.role {
                Role::Unique | Role::Kept => prop_assert_eq!(a.cluster, i),
                Role::Duplicate => prop_assert_eq!(out.assignments[a.cluster].role, Role::Kept),
                Role::Review => prop_assert!(a.cluster != i),
            }
            if matches!(a.role, Role::Kept | Role::Duplicate) {
                clusters.entry(a.cluster).or_default().push(i);
            }
        }
        // Without a person's "same work" link, no cluster holds two different DOIs.
        for members in clusters.values() {
            let linked = members.iter().any(|m| judged_same.iter().any(|(x, y)| x == m || y == m));
            if linked {
                continue;
            }
            let mut dois: Vec<String> = members
                .iter()
                .filter_map(|m| records[*m].doi.as_deref().and_then(dedup::canonical_doi))
                .collect();
            dois.sort();
            dois.dedup();
            prop_assert!(dois.len() <= 1, "cluster {:?} holds DOIs {:?}", members, dois);
        }
        // Deterministic.
        let again = dedup::find(&records, &options, &mut |_| {});
        prop_assert_eq!(&again.assignments, &out.assignments);
        prop_assert_eq!(&again.pairs, &out.pairs);
    }

    #[test]
    fn normalisers_never_panic(s in "\\PC{0,60}") {
        let _ = dedup::normalize_title(&s);
        let _ = dedup::canonical_doi(&s);
        let c = Citation { title: Some(s.clone()), authors: vec![Author { family: s.clone(), given: Some(s.clone()) }], start_page: Some(s.clone()), end_page: Some(s.clone()), journal: Some(s.clone()), volume: Some(s.clone()), issue: Some(s.clone()), doi: Some(s.clone()), issn: Some(s.clone()), ..Citation::default() };
        let out = dedup::find(&[c.clone(), c], &Options::default(), &mut |_| {});
        prop_assert_eq!(out.assignments.len(), 2);
    }
}

/// Degenerate input (thousands of identical records, empty records) stays bounded: blocks are
/// windowed, clusters stop at 64 members, and nothing is compared all-pairs.
#[test]
fn degenerate_input_stays_bounded() {
    let same = Citation {
        title: Some("Editorial comment on the management of type 2 diabetes in primary care".into()),
        authors: vec![Author { family: "Anonymous".into(), given: None }],
        year: Some(2020),
        journal: Some("BMJ".into()),
        ..Citation::default()
    };
    let mut records = vec![same; 3000];
    records.extend(std::iter::repeat_n(Citation::default(), 3000));
    let started = std::time::Instant::now();
    let (out, stats) = dedup::find_with_stats(&records, &Options::default(), &mut |_| {});
    assert!(stats.compared < 3000 * 60, "compared {}", stats.compared);
    let mut sizes: HashMap<usize, usize> = HashMap::new();
    for a in &out.assignments {
        if matches!(a.role, Role::Kept | Role::Duplicate) {
            *sizes.entry(a.cluster).or_default() += 1;
        }
    }
    assert!(sizes.values().all(|s| *s <= 64), "a cluster exceeded 64 records");
    assert!(sizes.values().sum::<usize>() > 2000, "identical records were not merged");
    // Empty records have nothing to compare and stay unique.
    assert!(out.assignments[3000..].iter().all(|a| a.role == Role::Unique));
    assert!(started.elapsed().as_secs() < 60);
}
