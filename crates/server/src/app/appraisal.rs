//! Quality appraisal as operations: which instrument a review uses, the studies to appraise (the main
//! reports included at full text), saving and submitting an appraiser's answers, the lead's consensus on
//! disagreements, and the reconciled table. Rules come from `review::appraisal`; every change is an
//! audit event in the same transaction.

use review::appraisal::{Answer, Appraisal, Consensus, Instrument};
use serde_json::json;
use store::Store;
use store::appraisal::{AppraisalRow, ConsensusRow};
use store::audit::NewEvent;

use super::AppError as AppraisalError;

/// The instrument the review uses: a built-in, or a custom one a lead imported.
pub async fn instrument(store: &Store, review_id: i32) -> Result<Instrument, AppraisalError> {
    let (id, _) = store::appraisal::settings(&store.db, review_id).await?;
    if let Some(b) = review::appraisal::builtin(&id) {
        return Ok(b);
    }
    let source =
        store::appraisal::custom_instrument(&store.db, review_id, &id).await?.ok_or(AppraisalError::NotFound("custom instrument"))?;
    review::appraisal::load(&source).map_err(|p| AppraisalError::Invalid(p.join(" ")))
}

/// A study to appraise: the full-text item of its main report, and that report's record.
#[derive(Clone, Debug)]
pub struct Study {
    pub item: store::screening::Item,
    pub record: store::records::Record,
    /// "First author year", for tables and plots.
    pub label: String,
}

/// The included studies of a review (one per study, by its main report), oldest first.
pub async fn studies(store: &Store, review_id: i32) -> Result<Vec<Study>, store::StoreError> {
    let items = store::screening::items_in(&store.db, review_id, store::screening::FULL_TEXT, &["included"], i64::MAX as u64).await?;
    let items: Vec<_> = items.into_iter().filter(|i| i.study_of.is_none()).collect();
    let ids: Vec<i32> = items.iter().map(|i| i.record_id).collect();
    let mut records: std::collections::HashMap<i32, store::records::Record> =
        store::records::by_ids(&store.db, review_id, &ids).await?.into_iter().map(|r| (r.id, r)).collect();
    let mut out = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    for item in items {
        let Some(record) = records.remove(&item.record_id) else { continue };
        let author = store::parse_json_list(&record.authors)
            .first()
            .and_then(|a| a.split(',').next().map(str::trim).map(str::to_owned))
            .unwrap_or_else(|| "Anonymous".to_owned());
        let mut label = match record.year {
            Some(y) => format!("{author} {y}"),
            None => author,
        };
        // Two studies by the same first author in one year: "Smith 2020a", "Smith 2020b".
        if labels.contains(&label) {
            let mut suffix = b'b';
            while labels.contains(&format!("{label}{}", suffix as char)) {
                suffix += 1;
            }
            label = format!("{label}{}", suffix as char);
        }
        labels.push(label.clone());
        out.push(Study { item, record, label });
    }
    Ok(out)
}

pub fn answers_of(row: &AppraisalRow) -> Vec<Answer> {
    serde_json::from_str(&row.answers).unwrap_or_default()
}

fn as_appraisal(row: &AppraisalRow, label: &str) -> Appraisal {
    Appraisal { appraiser: i64::from(row.appraiser_id), study: label.to_owned(), answers: answers_of(row) }
}

pub fn consensus_of(rows: &[ConsensusRow]) -> Vec<Consensus> {
    rows.iter()
        .map(|c| Consensus {
            item: c.question.clone(),
            key: c.key.clone().or_else(|| c.text.clone()),
            note: c.note.clone(),
            decided_by: i64::from(c.decided_by),
        })
        .collect()
}

/// Where one study's appraisal stands.
#[derive(Clone, Debug)]
pub struct StudyState {
    pub appraisals: Vec<AppraisalRow>,
    pub consensus: Vec<ConsensusRow>,
    pub submitted: usize,
    /// Disagreements between the first two submitted appraisals (empty until both are in).
    pub disagreements: Vec<review::appraisal::Disagreement>,
    /// The reconciled answers, once every appraiser submitted and every disagreement is decided.
    pub final_answers: Option<Vec<Answer>>,
}

/// Where the appraisal of one study stands.
pub async fn state(store: &Store, instr: &Instrument, study: &Study, appraisers: i32) -> Result<StudyState, store::StoreError> {
    let appraisals = store::appraisal::of_study(&store.db, study.item.id).await?;
    let consensus = store::appraisal::consensus(&store.db, study.item.id).await?;
    Ok(state_of(instr, study, appraisals, consensus, appraisers))
}

/// Where the appraisal of each of `studies` (of one review) stands, in their order, from two reads.
pub async fn states(
    store: &Store,
    review_id: i32,
    instr: &Instrument,
    studies: &[Study],
    appraisers: i32,
) -> Result<Vec<StudyState>, store::StoreError> {
    use std::collections::HashMap;
    let mut appraisals: HashMap<i32, Vec<AppraisalRow>> = HashMap::new();
    for a in store::appraisal::of_review(&store.db, review_id).await? {
        appraisals.entry(a.item_id).or_default().push(a);
    }
    let mut consensus: HashMap<i32, Vec<ConsensusRow>> = HashMap::new();
    for c in store::appraisal::consensus_of_review(&store.db, review_id).await? {
        consensus.entry(c.item_id).or_default().push(c);
    }
    Ok(studies
        .iter()
        .map(|s| {
            let a = appraisals.remove(&s.item.id).unwrap_or_default();
            let c = consensus.remove(&s.item.id).unwrap_or_default();
            state_of(instr, s, a, c, appraisers)
        })
        .collect())
}

fn state_of(instr: &Instrument, study: &Study, appraisals: Vec<AppraisalRow>, consensus: Vec<ConsensusRow>, appraisers: i32) -> StudyState {
    let done: Vec<&AppraisalRow> = appraisals.iter().filter(|a| a.submitted).collect();
    let submitted = done.len();
    let need = usize::try_from(appraisers).unwrap_or(2);
    let (disagreements, final_answers) = match (done.first(), done.get(1)) {
        (Some(a), Some(b)) if submitted >= need => {
            let (a, b) = (as_appraisal(a, &study.label), as_appraisal(b, &study.label));
            let open = review::appraisal::disagreements(instr, &a, &b);
            let fin = review::appraisal::resolve(instr, &a, &b, &consensus_of(&consensus)).ok();
            (open, fin)
        }
        (Some(a), None) if need <= 1 => (Vec::new(), Some(answers_of(a))),
        _ => (Vec::new(), None),
    };
    StudyState { appraisals, consensus, submitted, disagreements, final_answers }
}

/// Saves the caller's answers for a study; with `submit`, checks them and locks them.
pub async fn save_mine(
    store: &Store,
    review_id: i32,
    study: &Study,
    appraiser: i32,
    answers: Vec<Answer>,
    submit: bool,
    now: i64,
) -> Result<(), AppraisalError> {
    let instr = instrument(store, review_id).await?;
    let answers: Vec<Answer> =
        answers.into_iter().filter(|a| instr.item(&a.item).is_some() || instr.overall.as_ref().is_some_and(|o| o.id == a.item)).collect();
    if submit {
        review::appraisal::validate_answers(&instr, &answers).map_err(|p| AppraisalError::Invalid(p.join(" ")))?;
    }
    let txn = store.begin().await?;
    let mine = store::appraisal::of_study(&txn, study.item.id).await?.into_iter().find(|a| a.appraiser_id == appraiser);
    if mine.as_ref().is_some_and(|m| m.submitted) {
        return Err(AppraisalError::Conflict("You submitted this appraisal already; ask a lead to reconcile any change.".into()));
    }
    let text = serde_json::to_string(&answers).map_err(|e| store::StoreError::Corrupt(e.to_string()))?;
    store::appraisal::put(&txn, review_id, study.item.id, appraiser, &instr.id, &text, submit, now).await?;
    store::audit::append(
        &txn,
        NewEvent {
            review_id: Some(review_id),
            actor_id: Some(appraiser),
            action: if submit { "appraisal.submit" } else { "appraisal.save" },
            entity: "study",
            entity_id: study.item.id.to_string(),
            before: mine.map(|m| json!({"answers": answers_of(&m), "submitted": m.submitted})),
            after: Some(json!({"instrument": instr.id, "answers": answers, "submitted": submit})),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(())
}

/// One consensus decision from the lead.
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct Decision {
    pub item: String,
    pub key: Option<String>,
    pub text: Option<String>,
    pub note: Option<String>,
}

/// Records the lead's consensus answers for a study whose appraisals are all in.
pub async fn save_consensus(
    store: &Store,
    review_id: i32,
    study: &Study,
    lead: i32,
    decisions: Vec<Decision>,
    now: i64,
) -> Result<(), AppraisalError> {
    let instr = instrument(store, review_id).await?;
    let (_, appraisers) = store::appraisal::settings(&store.db, review_id).await?;
    let st = state(store, &instr, study, appraisers).await?;
    if st.submitted < usize::try_from(appraisers).unwrap_or(2) {
        return Err(AppraisalError::Conflict("Consensus comes after every appraiser has submitted; not all have yet.".into()));
    }
    let mut problems = Vec::new();
    for d in &decisions {
        match instr.item(&d.item).or(instr.overall.as_ref().filter(|o| o.id == d.item)) {
            None => problems.push(format!("{} is not an item of {}.", d.item, instr.name)),
            Some(item) if !item.is_free_text() => match d.key.as_deref() {
                Some(k) if instr.option(&item.id, k).is_some() => {}
                _ => problems.push(format!("Item {} needs one of its answers as the consensus.", item.number)),
            },
            Some(_) => {}
        }
    }
    if !problems.is_empty() {
        return Err(AppraisalError::Invalid(problems.join(" ")));
    }
    let txn = store.begin().await?;
    for d in &decisions {
        let note = d.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
        store::appraisal::put_consensus(&txn, review_id, study.item.id, &d.item, d.key.clone(), d.text.clone(), note, lead, now).await?;
    }
    store::audit::append(
        &txn,
        NewEvent {
            review_id: Some(review_id),
            actor_id: Some(lead),
            action: "appraisal.consensus",
            entity: "study",
            entity_id: study.item.id.to_string(),
            before: None,
            after: Some(json!({"decisions": decisions.iter().map(|d| json!({"item": d.item, "key": d.key, "text": d.text, "note": d.note})).collect::<Vec<_>>()})),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(())
}

/// The reconciled table rows of every study whose appraisal is complete.
pub async fn table(store: &Store, review_id: i32) -> Result<(Instrument, Vec<review::appraisal::TableRow>), AppraisalError> {
    let instr = instrument(store, review_id).await?;
    let (_, appraisers) = store::appraisal::settings(&store.db, review_id).await?;
    let studies = studies(store, review_id).await?;
    let states = states(store, review_id, &instr, &studies, appraisers).await?;
    let done: Vec<_> = studies.iter().zip(states).filter_map(|(s, st)| Some((s.label.clone(), st.final_answers?))).collect();
    let rows = review::appraisal::consensus_table(&instr, &done);
    Ok((instr, rows))
}
