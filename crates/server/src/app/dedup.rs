//! Deduplication within a review: runs the `dedup` engine over every record the review holds, merges
//! the pairs it is sure of, queues the uncertain ones for a person, and lets a person merge, reject or
//! undo. People's judgements are fed back into every later run, so a rejected pair is never merged
//! again and a person's merge is never split.

use std::collections::{BTreeMap, HashMap};

use citation::Citation;
use dedup::{Decision, Options, Role};
use serde_json::json;
use store::Store;
use store::audit::NewEvent;
use store::dedup::{NewPair, status};
use store::records::Record;

use super::import::ProgressFn;

/// A record's identity and merge state, all the run needs besides its citation.
#[derive(Clone, Copy, Debug)]
struct Row {
    id: i32,
    merged_into: Option<i32>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DedupSummary {
    /// Records merged into another record by this run.
    pub merged: usize,
    /// New pairs waiting for a person.
    pub queued: usize,
    /// Records merged away in the whole review (the PRISMA "duplicates removed").
    pub duplicates_removed: u64,
}

/// Deduplicates the whole review (new records against everything already imported).
pub async fn run(
    store: &Store,
    review_id: i32,
    actor: Option<i32>,
    now: i64,
    progress: ProgressFn,
) -> Result<DedupSummary, store::StoreError> {
    let started = std::time::Instant::now();
    let (records, citations): (Vec<Row>, Vec<Citation>) = store::records::originals(&store.db, review_id)
        .await?
        .into_iter()
        .map(|o| (Row { id: o.id, merged_into: o.merged_into }, o.citation))
        .unzip();
    let loaded = started.elapsed();
    let index: HashMap<i32, usize> = records.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let mut judged = Vec::new();
    for p in store::dedup::all(&store.db, review_id).await? {
        let (Some(&a), Some(&b)) = (index.get(&p.record_a), index.get(&p.record_b)) else { continue };
        match p.status.as_str() {
            status::MERGED => judged.push((a, b, true)),
            status::NOT_DUPLICATE | status::UNMERGED => judged.push((a, b, false)),
            _ => {}
        }
    }
    // Records a person merged stay together even if no pair row says so (e.g. merged through a chain).
    for r in &records {
        if let (Some(kept), Some(&i)) = (r.merged_into, index.get(&r.id))
            && let Some(&k) = index.get(&kept)
        {
            judged.push((k.min(i), k.max(i), true));
        }
    }
    let options = Options { judged };
    let progress_inner = progress.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let out = dedup::find(&citations, &options, &mut |p| {
            progress_inner(p.stage, i64::try_from(p.done).unwrap_or(0), i64::try_from(p.total).unwrap_or(0));
        });
        (out, citations)
    })
    .await
    .map_err(|e| store::StoreError::Corrupt(format!("deduplication stopped: {e}")))?;
    let (outcome, citations) = outcome;
    let found = started.elapsed();
    progress("saving", 0, 0);

    // Group records into clusters of automatically merged (or person-merged) records.
    let mut clusters: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, a) in outcome.assignments.iter().enumerate() {
        if matches!(a.role, Role::Kept | Role::Duplicate) {
            clusters.entry(a.cluster).or_default().push(i);
        }
    }
    let txn = store.begin().await?;
    let mut merged = 0usize;
    let absorbing: std::collections::HashSet<i32> = records.iter().filter_map(|r| r.merged_into).collect();
    for (kept, members) in &clusters {
        // Keep the record that already absorbs others, so what reviewers have seen stays put.
        let root = members
            .iter()
            .copied()
            .find(|&m| records.get(m).is_some_and(|r| r.merged_into.is_none() && absorbing.contains(&r.id)))
            .unwrap_or(*kept);
        let Some(root_row) = records.get(root) else { continue };
        for &m in members {
            let Some(row) = records.get(m) else { continue };
            if m != root && row.merged_into != Some(root_row.id) {
                store::records::set_merged_into(&txn, row.id, Some(root_row.id)).await?;
                merged += 1;
            }
        }
        let group: Vec<&Citation> = members.iter().filter_map(|&m| citations.get(m)).collect();
        store::records::set_display_values(&txn, root_row.id, &dedup::merge_best(&group)).await?;
    }
    let mut new_pairs = Vec::new();
    for p in &outcome.pairs {
        let (Some(ra), Some(rb)) = (records.get(p.a), records.get(p.b)) else { continue };
        let same_cluster = outcome.assignments.get(p.a).map(|x| x.cluster) == outcome.assignments.get(p.b).map(|x| x.cluster)
            && matches!(outcome.assignments.get(p.a).map(|x| x.role), Some(Role::Kept | Role::Duplicate));
        let status = match p.decision {
            Decision::Duplicate if same_cluster => status::AUTO_MERGED,
            Decision::Duplicate | Decision::Review | Decision::Related => status::PENDING,
            Decision::Distinct => continue,
        };
        new_pairs.push(NewPair {
            record_a: ra.id,
            record_b: rb.id,
            decision: p.decision.as_str().to_owned(),
            score: p.score,
            evidence: evidence_json(p),
            status,
        });
    }
    let pending_before = store::dedup::count_with_status(&txn, review_id, status::PENDING).await?;
    store::dedup::insert_new(&txn, review_id, &new_pairs, now).await?;
    let pending_after = store::dedup::count_with_status(&txn, review_id, status::PENDING).await?;
    let queued = usize::try_from(pending_after.saturating_sub(pending_before)).unwrap_or(0);
    store::audit::append(
        &txn,
        NewEvent {
            review_id: Some(review_id),
            actor_id: actor,
            action: "dedup.run",
            entity: "review",
            entity_id: review_id.to_string(),
            before: None,
            after: Some(json!({"merged": merged, "queued": queued, "records": records.len()})),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    let saved = started.elapsed();
    super::screening::sync_items(store, review_id, now).await?;
    let (total, unique) = store::records::counts(&store.db, review_id).await?;
    tracing::info!(
        review_id,
        records = records.len(),
        merged,
        queued,
        load_ms = loaded.as_millis() as u64,
        find_ms = (found - loaded).as_millis() as u64,
        save_ms = (saved - found).as_millis() as u64,
        sync_ms = (started.elapsed() - saved).as_millis() as u64,
        "deduplicated"
    );
    Ok(DedupSummary { merged, queued, duplicates_removed: total - unique })
}

/// The evidence of a pair as stored and shown to people.
pub fn evidence_json(p: &dedup::Pair) -> serde_json::Value {
    json!({
        "decision": p.decision.as_str(),
        "score": p.score,
        "guard": p.guard,
        "fields": p.evidence.iter().map(|e| json!({"field": e.field, "similarity": e.similarity, "note": e.note})).collect::<Vec<_>>(),
    })
}

/// The record a record is shown as: itself, or the record it was merged into.
async fn root_of(store: &Store, review_id: i32, id: i32) -> Result<Record, store::StoreError> {
    let r = store::records::get(&store.db, review_id, id).await?.ok_or(store::StoreError::NotFound)?;
    match r.merged_into {
        Some(k) => store::records::get(&store.db, review_id, k).await?.ok_or(store::StoreError::NotFound),
        None => Ok(r),
    }
}

/// Recomputes the display values of a kept record from itself and everything merged into it.
async fn refresh_display(db: &store::DatabaseTransaction, root: &Record) -> Result<(), store::StoreError> {
    let mut group = vec![store::records::original(root)?];
    for m in store::records::merged_into(db, root.id).await? {
        group.push(store::records::original(&m)?);
    }
    let refs: Vec<&Citation> = group.iter().collect();
    store::records::set_display_values(db, root.id, &dedup::merge_best(&refs)).await
}

/// A person's judgement of a queued pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Judgement {
    Merge,
    NotDuplicate,
}

/// Applies a person's judgement to a pair: merges the two clusters, or records that they differ.
pub async fn judge(
    store: &Store,
    review_id: i32,
    pair_id: i32,
    judgement: Judgement,
    actor: i32,
    now: i64,
) -> Result<store::dedup::Pair, store::StoreError> {
    let pair = store::dedup::get(&store.db, review_id, pair_id).await?.ok_or(store::StoreError::NotFound)?;
    let txn = store.begin().await?;
    // Records that stop being shown on their own: what PRISMA's "duplicates removed" gains.
    let mut records_merged = 0usize;
    match judgement {
        Judgement::Merge => {
            let ra = root_of(store, review_id, pair.record_a).await?;
            let rb = root_of(store, review_id, pair.record_b).await?;
            if ra.id != rb.id {
                let (keep, absorb) = if ra.id < rb.id { (ra, rb) } else { (rb, ra) };
                for m in store::records::merged_into(&txn, absorb.id).await? {
                    store::records::set_merged_into(&txn, m.id, Some(keep.id)).await?;
                }
                store::records::set_merged_into(&txn, absorb.id, Some(keep.id)).await?;
                records_merged = 1;
                refresh_display(&txn, &keep).await?;
            }
            store::dedup::set_status(&txn, pair.id, status::MERGED, Some(actor), now).await?;
        }
        Judgement::NotDuplicate => {
            store::dedup::set_status(&txn, pair.id, status::NOT_DUPLICATE, Some(actor), now).await?;
        }
    }
    let after = store::dedup::get(&txn, review_id, pair_id).await?.ok_or(store::StoreError::NotFound)?;
    store::audit::append(
        &txn,
        NewEvent {
            review_id: Some(review_id),
            actor_id: Some(actor),
            action: if judgement == Judgement::Merge { "dedup.merge" } else { "dedup.not_duplicate" },
            entity: "dedup_pair",
            entity_id: pair.id.to_string(),
            before: Some(json!({"status": pair.status})),
            after: Some(
                json!({"status": after.status, "record_a": pair.record_a, "record_b": pair.record_b, "records_merged": records_merged}),
            ),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    super::screening::sync_items(store, review_id, now).await?;
    Ok(after)
}

/// Undoes a merge: `record_id` becomes its own record again, and is never merged with its former
/// kept record automatically again.
pub async fn unmerge(store: &Store, review_id: i32, record_id: i32, actor: i32, now: i64) -> Result<Record, store::StoreError> {
    let record = store::records::get(&store.db, review_id, record_id).await?.ok_or(store::StoreError::NotFound)?;
    let Some(kept_id) = record.merged_into else {
        return Err(store::StoreError::Conflict(format!("record {record_id} is not merged into another record")));
    };
    let kept = store::records::get(&store.db, review_id, kept_id).await?.ok_or(store::StoreError::NotFound)?;
    let txn = store.begin().await?;
    store::records::set_merged_into(&txn, record.id, None).await?;
    store::records::set_display_values(&txn, record.id, &store::records::original(&record)?).await?;
    refresh_display(&txn, &kept).await?;
    store::dedup::upsert_judged(&txn, review_id, kept.id, record.id, status::UNMERGED, Some(actor), now).await?;
    store::audit::append(
        &txn,
        NewEvent {
            review_id: Some(review_id),
            actor_id: Some(actor),
            action: "dedup.unmerge",
            entity: "record",
            entity_id: record.id.to_string(),
            before: Some(json!({"merged_into": kept.id})),
            after: Some(json!({"merged_into": null})),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    super::screening::sync_items(store, review_id, now).await?;
    store::records::get(&store.db, review_id, record_id).await?.ok_or(store::StoreError::NotFound)
}

/// Takes back a "not duplicates" judgement: the pair returns to the queue.
pub async fn reopen(store: &Store, review_id: i32, pair_id: i32, actor: i32, now: i64) -> Result<store::dedup::Pair, store::StoreError> {
    let pair = store::dedup::get(&store.db, review_id, pair_id).await?.ok_or(store::StoreError::NotFound)?;
    if pair.status != status::NOT_DUPLICATE {
        return Err(store::StoreError::Conflict(
            "Only a pair judged \"not duplicates\" can be reopened; undo a merge from the merged record.".into(),
        ));
    }
    let txn = store.begin().await?;
    store::dedup::set_status(&txn, pair.id, status::PENDING, Some(actor), now).await?;
    store::audit::append(
        &txn,
        NewEvent {
            review_id: Some(review_id),
            actor_id: Some(actor),
            action: "dedup.reopen",
            entity: "dedup_pair",
            entity_id: pair.id.to_string(),
            before: Some(json!({"status": pair.status})),
            after: Some(json!({"status": status::PENDING})),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    store::dedup::get(&store.db, review_id, pair_id).await?.ok_or(store::StoreError::NotFound)
}
