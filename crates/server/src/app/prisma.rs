//! PRISMA 2020 counts derived from what happened in a review, never typed: search sources give the
//! identification boxes, merges give duplicates removed, screening items give records screened and
//! excluded, reports sought, not retrieved, assessed and excluded (by reason), and inclusions. Records
//! from websites, organisations and citation searching form the other-methods arm.

use std::collections::BTreeMap;

use review::prisma::Counts;
use serde_json::{Value, json};
use store::Store;
use store::screening::{FULL_TEXT, TITLE_ABSTRACT};

use store::screening::OTHER_METHOD_KINDS as OTHER_KINDS;

/// Records and reports not yet through a stage, which make the flow not add up yet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InProgress {
    /// Records still being screened at title/abstract (their item ids).
    pub title_abstract: Vec<i32>,
    /// Reports awaiting their full text or still being assessed (their item ids).
    pub full_text: Vec<i32>,
}

/// The review's PRISMA counts and the items still in progress.
pub async fn counts(store: &Store, review_id: i32) -> Result<(Counts, InProgress), store::StoreError> {
    let sources = store::imports::sources(&store.db, review_id).await?;
    let records = store::records::all(&store.db, review_id).await?;
    let items = store::screening::all_items(&store.db, review_id).await?;
    let protocol = store::screening::protocol(&store.db, review_id).await?;

    let kind_of_source: BTreeMap<i32, &str> = sources.iter().map(|s| (s.id, s.kind.as_str())).collect();
    let other_arm = |record_id: i32| -> bool {
        records
            .iter()
            .find(|r| r.id == record_id)
            .and_then(|r| kind_of_source.get(&r.search_source_id))
            .is_some_and(|k| OTHER_KINDS.contains(k))
    };

    let mut c = Counts::default();
    let add_named = |list: &mut Vec<(String, u64)>, name: &str, n: u64| match list.iter_mut().find(|(x, _)| x == name) {
        Some((_, total)) => *total += n,
        None => list.push((name.to_owned(), n)),
    };
    for s in &sources {
        let n = u64::try_from(s.records_found).unwrap_or(0);
        match s.kind.as_str() {
            "register" => add_named(&mut c.registers, &s.name, n),
            "website" => c.websites = Some(c.websites.unwrap_or(0) + n),
            "organisation" => c.organisations = Some(c.organisations.unwrap_or(0) + n),
            "citation_searching" => c.citation_searching = Some(c.citation_searching.unwrap_or(0) + n),
            _ => add_named(&mut c.databases, &s.name, n),
        }
    }
    c.duplicates = records.iter().filter(|r| r.merged_into.is_some() && !other_arm(r.id)).count() as u64;

    let mut progress = InProgress::default();
    let mut dbr_reasons: BTreeMap<String, u64> = BTreeMap::new();
    let mut other_reasons: BTreeMap<String, u64> = BTreeMap::new();
    for i in &items {
        let other = other_arm(i.record_id);
        match i.stage.as_str() {
            TITLE_ABSTRACT => {
                if !other {
                    c.records_screened += 1;
                    if i.state == "excluded" {
                        c.records_excluded += 1;
                    }
                }
                if matches!(i.state.as_str(), "open" | "conflict") {
                    progress.title_abstract.push(i.id);
                }
            }
            FULL_TEXT => {
                let (sought, not_retrieved, assessed, included, reasons) = if other {
                    (
                        &mut c.other_sought,
                        &mut c.other_not_retrieved,
                        &mut c.other_assessed,
                        &mut c.other_reports_included,
                        &mut other_reasons,
                    )
                } else {
                    (&mut c.dbr_sought, &mut c.dbr_not_retrieved, &mut c.dbr_assessed, &mut c.dbr_reports_included, &mut dbr_reasons)
                };
                *sought += 1;
                match i.state.as_str() {
                    "not_retrieved" => *not_retrieved += 1,
                    "included" => {
                        *assessed += 1;
                        *included += 1;
                    }
                    "excluded" => {
                        *assessed += 1;
                        *reasons.entry(i.reason.clone().unwrap_or_else(|| "No reason given".to_owned())).or_default() += 1;
                    }
                    _ => progress.full_text.push(i.id),
                }
            }
            _ => {}
        }
    }
    // Reasons in the protocol's order, then any others alphabetically.
    let ordered = |mut m: BTreeMap<String, u64>| -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = protocol.reasons.iter().filter_map(|r| m.remove(r).map(|n| (r.clone(), n))).collect();
        out.extend(m);
        out
    };
    c.dbr_excluded = ordered(dbr_reasons);
    c.other_excluded = ordered(other_reasons);
    // Reports of one study count once as a study; an unlinked report is its own study.
    c.new_reports = c.dbr_reports_included + c.other_reports_included;
    let studies: std::collections::BTreeSet<i32> =
        items.iter().filter(|i| i.stage == FULL_TEXT && i.state == "included").map(|i| i.study_of.unwrap_or(i.id)).collect();
    c.new_studies = studies.len() as u64;
    let review = store::reviews::by_id(&store.db, review_id).await?;
    c.previous_studies = review.as_ref().and_then(|r| r.previous_studies).map(|n| u64::try_from(n).unwrap_or(0));
    c.previous_reports = review.as_ref().and_then(|r| r.previous_reports).map(|n| u64::try_from(n).unwrap_or(0));
    Ok((c, progress))
}

/// Every count, the checks, and what is still in progress, as JSON.
pub fn to_json(c: &Counts, progress: &InProgress) -> Value {
    let named = |v: &[(String, u64)]| v.iter().map(|(name, n)| json!({"name": name, "n": n})).collect::<Vec<_>>();
    let checks: Vec<Value> = review::prisma::check(c)
        .iter()
        .map(|m| json!({"check": m.check, "expected": m.expected, "actual": m.actual, "message": m.message}))
        .collect();
    json!({
        "identification": {
            "databases": named(&c.databases),
            "database_total": c.database_total(),
            "registers": named(&c.registers),
            "register_total": c.register_total(),
            "websites": c.websites,
            "organisations": c.organisations,
            "citation_searching": c.citation_searching,
        },
        "removed_before_screening": {
            "duplicates": c.duplicates,
            "excluded_automatic": c.excluded_automatic,
            "excluded_other": c.excluded_other,
        },
        "records_screened": c.records_screened,
        "records_excluded": c.records_excluded,
        "databases_and_registers": {
            "reports_sought": c.dbr_sought,
            "reports_not_retrieved": c.dbr_not_retrieved,
            "reports_assessed": c.dbr_assessed,
            "reports_excluded": named(&c.dbr_excluded),
            "reports_included": c.dbr_reports_included,
        },
        "other_methods": {
            "reports_sought": c.other_sought,
            "reports_not_retrieved": c.other_not_retrieved,
            "reports_assessed": c.other_assessed,
            "reports_excluded": named(&c.other_excluded),
            "reports_included": c.other_reports_included,
        },
        "studies_included": c.new_studies,
        "reports_of_included_studies": c.new_reports,
        "previous_review": {"studies": c.previous_studies, "reports": c.previous_reports},
        "total_studies": c.total_studies(),
        "total_reports": c.total_reports(),
        "checks": checks,
        "in_progress": {
            "title_abstract": progress.title_abstract.len(),
            "full_text": progress.full_text.len(),
            "title_abstract_items": progress.title_abstract,
            "full_text_items": progress.full_text,
        },
    })
}
