//! Accuracy on the labelled diabetes set (1,845 real records), scored as `dedup-score` scores it.

mod common;

use std::collections::HashMap;
use std::path::Path;

#[test]
fn diabetes_sensitivity_and_no_false_merges() {
    let data = Path::new("/work/shared/data/dedup/diabetes.csv");
    let truth_path = Path::new("/work/shared/data/dedup/diabetes.truth.csv");
    let (Some((records, _)), Some((_, truth_rows))) = (common::read_csv(data), common::read_csv(truth_path)) else {
        eprintln!("skipping: {} or its truth file is absent", data.display());
        return;
    };
    let groups: HashMap<String, String> =
        truth_rows.iter().filter_map(|r| Some((r.get("record_id")?.clone(), r.get("group")?.clone()))).collect();
    let ids: Vec<String> = records.iter().map(|r| r.source_id.clone()).collect();
    let truth: Vec<String> = ids.iter().map(|id| groups.get(id).cloned().unwrap_or_else(|| format!("solo-{id}"))).collect();
    let outcome = dedup::find(&records, &dedup::Options::default(), &mut |_| {});
    let s = common::score(&outcome, &truth);
    let pred = std::env::temp_dir().join("dedup-diabetes.pred.csv");
    let _ = common::write_pred(&outcome, &ids, &pred);
    eprintln!(
        "diabetes: records={} removable={} correct={} false_merges={} review_rows={} sensitivity={:.4} (prediction in {})",
        s.records,
        s.removable,
        s.correct,
        s.false_merges,
        s.review_rows,
        s.sensitivity(),
        pred.display()
    );
    if std::env::var_os("DEDUP_DEBUG").is_some() {
        debug_misses(&records, &truth, &outcome);
    }
    assert_eq!(s.false_merges, 0, "false merges");
    assert!(s.sensitivity() >= 0.99, "sensitivity {:.4}", s.sensitivity());
}

/// Prints every true group the run split, with the decided pairs inside it (set DEDUP_DEBUG=1).
fn debug_misses(records: &[dedup::Citation], truth: &[String], outcome: &dedup::Outcome) {
    let mut by_group: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, g) in truth.iter().enumerate() {
        by_group.entry(g.as_str()).or_default().push(i);
    }
    let pairs: HashMap<(usize, usize), &dedup::Pair> = outcome.pairs.iter().map(|p| ((p.a, p.b), p)).collect();
    let mut groups: Vec<_> = by_group.into_iter().collect();
    groups.sort();
    for (g, members) in groups {
        let clusters: std::collections::BTreeSet<usize> = members
            .iter()
            .map(|m| {
                let a = &outcome.assignments[*m];
                if a.role == dedup::Role::Review { *m } else { a.cluster }
            })
            .collect();
        if clusters.len() < 2 {
            continue;
        }
        eprintln!("== {g}");
        for m in &members {
            let r = &records[*m];
            let a = &outcome.assignments[*m];
            eprintln!(
                "  [{m}] {:?}->{} | {} | {} | {:?} | {} | {} | {} | {} | {} | {}",
                a.role,
                a.cluster,
                r.title.as_deref().unwrap_or("").chars().take(70).collect::<String>(),
                r.authors.first().map(|a| a.family.chars().take(25).collect::<String>()).unwrap_or_default(),
                r.year,
                r.journal.as_deref().unwrap_or("").chars().take(30).collect::<String>(),
                r.volume.as_deref().unwrap_or(""),
                r.issue.as_deref().unwrap_or(""),
                r.start_page.as_deref().unwrap_or(""),
                r.doi.as_deref().unwrap_or(""),
                r.ref_type
            );
        }
        for (i, x) in members.iter().enumerate() {
            for y in members.iter().skip(i + 1) {
                let key = (*x.min(y), *x.max(y));
                match pairs.get(&key) {
                    Some(p) => eprintln!(
                        "    {key:?} {} {:.2} guard={:?} {}",
                        p.decision.as_str(),
                        p.score,
                        p.guard,
                        p.evidence.iter().map(|e| e.note.clone()).collect::<Vec<_>>().join("; ")
                    ),
                    None => eprintln!("    {key:?} not a reported pair"),
                }
            }
        }
    }
}

/// The same set read by `citation::parse` (the real import path), when that reader accepts it.
#[test]
fn diabetes_through_the_citation_parser() {
    let data = Path::new("/work/shared/data/dedup/diabetes.csv");
    let truth_path = Path::new("/work/shared/data/dedup/diabetes.truth.csv");
    let (Ok(bytes), Some((_, truth_rows))) = (std::fs::read(data), common::read_csv(truth_path)) else {
        eprintln!("skipping: {} or its truth file is absent", data.display());
        return;
    };
    let parsed = citation::parse(&bytes, None);
    if parsed.records.len() != truth_rows.len() {
        eprintln!("skipping: citation::parse read {} of {} records", parsed.records.len(), truth_rows.len());
        return;
    }
    let groups: HashMap<String, String> =
        truth_rows.iter().filter_map(|r| Some((r.get("record_id")?.clone(), r.get("group")?.clone()))).collect();
    let truth: Vec<String> =
        parsed.records.iter().map(|r| groups.get(&r.source_id).cloned().unwrap_or_else(|| format!("solo-{}", r.source_id))).collect();
    let outcome = dedup::find(&parsed.records, &dedup::Options::default(), &mut |_| {});
    let s = common::score(&outcome, &truth);
    eprintln!(
        "diabetes via citation::parse: correct={} of {} false_merges={} review_rows={} sensitivity={:.4}",
        s.correct,
        s.removable,
        s.false_merges,
        s.review_rows,
        s.sensitivity()
    );
    assert_eq!(s.false_merges, 0, "false merges");
    assert!(s.sensitivity() >= 0.99, "sensitivity {:.4}", s.sensitivity());
}

/// Ablations: with DOIs, journals, pages or authors removed the rules must still never merge two
/// works (sensitivity may fall; safety may not).
#[test]
fn diabetes_ablations_never_false_merge() {
    let data = Path::new("/work/shared/data/dedup/diabetes.csv");
    let truth_path = Path::new("/work/shared/data/dedup/diabetes.truth.csv");
    let (Some((records, _)), Some((_, truth_rows))) = (common::read_csv(data), common::read_csv(truth_path)) else {
        eprintln!("skipping: {} or its truth file is absent", data.display());
        return;
    };
    let groups: HashMap<String, String> =
        truth_rows.iter().filter_map(|r| Some((r.get("record_id")?.clone(), r.get("group")?.clone()))).collect();
    let truth: Vec<String> =
        records.iter().map(|r| groups.get(&r.source_id).cloned().unwrap_or_else(|| format!("solo-{}", r.source_id))).collect();
    type Ablation = (&'static str, fn(&mut dedup::Citation));
    let ablations: [Ablation; 5] = [
        ("no DOIs", |c| c.doi = None),
        ("no journals", |c| c.journal = None),
        ("no pages", |c| c.start_page = None),
        ("no authors", |c| c.authors.clear()),
        ("no years", |c| c.year = None),
    ];
    for (name, f) in ablations {
        let mut copy = records.clone();
        copy.iter_mut().for_each(f);
        let outcome = dedup::find(&copy, &dedup::Options::default(), &mut |_| {});
        let s = common::score(&outcome, &truth);
        eprintln!("diabetes {name}: sensitivity={:.4} false_merges={} review_rows={}", s.sensitivity(), s.false_merges, s.review_rows);
        if std::env::var_os("DEDUP_DEBUG").is_some() {
            debug_false_merges(&copy, &truth, &outcome);
        }
        assert_eq!(s.false_merges, 0, "{name}: false merges");
    }
}

/// Prints clusters that mix true groups.
fn debug_false_merges(records: &[dedup::Citation], truth: &[String], outcome: &dedup::Outcome) {
    let mut clusters: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, a) in outcome.assignments.iter().enumerate() {
        if a.role != dedup::Role::Review {
            clusters.entry(a.cluster).or_default().push(i);
        }
    }
    for members in clusters.values() {
        let gs: std::collections::BTreeSet<&str> = members.iter().map(|m| truth[*m].as_str()).collect();
        if gs.len() > 1 {
            eprintln!("-- false merge");
            for m in members {
                let r = &records[*m];
                eprintln!(
                    "  [{m}] {} | {} | {:?} | {:?} | {:?} | {:?} | {:?} | {:?}",
                    truth[*m],
                    r.title.as_deref().unwrap_or("").chars().take(80).collect::<String>(),
                    r.year,
                    r.journal,
                    r.volume,
                    r.issue,
                    r.start_page,
                    r.doi
                );
            }
        }
    }
}

/// The same export imported twice: every record meets its exact copy, and nothing else changes.
#[test]
fn diabetes_imported_twice() {
    let data = Path::new("/work/shared/data/dedup/diabetes.csv");
    let truth_path = Path::new("/work/shared/data/dedup/diabetes.truth.csv");
    let (Some((records, _)), Some((_, truth_rows))) = (common::read_csv(data), common::read_csv(truth_path)) else {
        eprintln!("skipping: {} or its truth file is absent", data.display());
        return;
    };
    let groups: HashMap<String, String> =
        truth_rows.iter().filter_map(|r| Some((r.get("record_id")?.clone(), r.get("group")?.clone()))).collect();
    let mut twice = records.clone();
    twice.extend(records.iter().cloned());
    let truth: Vec<String> =
        twice.iter().map(|r| groups.get(&r.source_id).cloned().unwrap_or_else(|| format!("solo-{}", r.source_id))).collect();
    let outcome = dedup::find(&twice, &dedup::Options::default(), &mut |_| {});
    let s = common::score(&outcome, &truth);
    eprintln!("diabetes twice: sensitivity={:.4} false_merges={} review_rows={}", s.sensitivity(), s.false_merges, s.review_rows);
    assert_eq!(s.false_merges, 0);
    assert!(s.sensitivity() >= 0.99, "sensitivity {:.4}", s.sensitivity());
    // Every record is merged with its own copy.
    let n = records.len();
    for (i, record) in records.iter().enumerate() {
        let (a, b) = (&outcome.assignments[i], &outcome.assignments[i + n]);
        assert!(
            a.role != dedup::Role::Unique && b.role != dedup::Role::Unique,
            "record {} was not matched with its copy",
            record.source_id
        );
    }
}
