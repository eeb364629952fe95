//! Study characteristics extraction as operations: the review's form, where each included study stands
//! (one or two independent extractions, their differences, the lead's reconciled values), saving and
//! submitting an extraction, reconciling, and the characteristics table. Rules come from
//! `synthesis::extraction`; every change is an audit event in the same transaction.

use serde_json::{Map, Value, json};
use store::Store;
use store::audit::NewEvent;
use store::extraction::ValuesRow;
use synthesis::extraction::{self as rules, FieldIssue, Form};

pub use super::appraisal::{Study, studies};

/// Values keyed by field key.
pub type Values = Map<String, Value>;

#[derive(Debug, thiserror::Error)]
pub enum ExtractionError {
    /// Problems with the request, each as (field, message).
    #[error("invalid")]
    Invalid(Vec<(String, String)>),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

fn corrupt(e: serde_json::Error) -> store::StoreError {
    store::StoreError::Corrupt(e.to_string())
}

/// The review's form; an empty form (two extractors) until a lead defines one.
pub async fn form(store: &Store, review_id: i32) -> Result<Form, store::StoreError> {
    match store::extraction::form(&store.db, review_id).await? {
        Some(text) => serde_json::from_str(&text).map_err(corrupt),
        None => Ok(Form::default()),
    }
}

/// Checks a form and stores it tidied (labels, options and help trimmed).
pub async fn save_form(store: &Store, review_id: i32, mut new: Form, by: i32, now: i64) -> Result<Form, ExtractionError> {
    for f in &mut new.fields {
        f.key = f.key.trim().to_owned();
        f.label = f.label.trim().to_owned();
        f.options = if f.kind.has_options() { f.options.iter().map(|o| o.trim().to_owned()).collect() } else { Vec::new() };
        f.help = f.help.as_deref().map(str::trim).filter(|h| !h.is_empty()).map(str::to_owned);
    }
    rules::validate_form(&new).map_err(|problems| {
        ExtractionError::Invalid(
            problems
                .into_iter()
                .map(|p| match p.split_once(": ") {
                    Some((field, message)) => (field.to_owned(), message.to_owned()),
                    None => ("form".to_owned(), p),
                })
                .collect(),
        )
    })?;
    let txn = store.begin().await?;
    let before = store::extraction::form(&txn, review_id).await?;
    let text = serde_json::to_string(&new).map_err(corrupt)?;
    store::extraction::save_form(&txn, review_id, &text, by, now).await?;
    store::audit::append(
        &txn,
        NewEvent {
            review_id: Some(review_id),
            actor_id: Some(by),
            action: "extraction.form",
            entity: "review",
            entity_id: review_id.to_string(),
            before: before.and_then(|b| serde_json::from_str(&b).ok()),
            after: Some(serde_json::to_value(&new).map_err(corrupt)?),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(new)
}

pub fn values_of(row: &ValuesRow) -> Values {
    serde_json::from_str(&row.values).unwrap_or_default()
}

/// Where one study's extraction stands.
#[derive(Clone, Debug)]
pub struct StudyState {
    /// The extractors' rows, oldest first.
    pub extractions: Vec<ValuesRow>,
    /// The lead's reconciled values.
    pub reconciled: Option<ValuesRow>,
    pub submitted: usize,
    /// Every extractor the form asks for has submitted.
    pub all_in: bool,
    /// Keys whose values differ between the first two submitted extractions (empty until both are in).
    pub differences: Vec<String>,
    /// The study's values: reconciled, else the agreed (or single) submitted values.
    pub final_values: Option<Values>,
}

/// The state of a study from its rows (extractions and reconciled values).
pub fn state(form: &Form, rows: Vec<ValuesRow>) -> StudyState {
    let (reconciled, extractions): (Vec<ValuesRow>, Vec<ValuesRow>) = rows.into_iter().partition(|r| r.extractor_id.is_none());
    let reconciled = reconciled.into_iter().next();
    let done: Vec<&ValuesRow> = extractions.iter().filter(|r| r.submitted).collect();
    let need = usize::from(form.extractors.max(1));
    let all_in = done.len() >= need;
    let differences = match (done.first(), done.get(1)) {
        (Some(a), Some(b)) if all_in && need >= 2 => rules::differences(form, &values_of(a), &values_of(b)),
        _ => Vec::new(),
    };
    let final_values = match (&reconciled, done.first()) {
        (Some(r), _) => Some(values_of(r)),
        (None, Some(first)) if all_in && differences.is_empty() => Some(values_of(first)),
        _ => None,
    };
    StudyState { submitted: done.len(), extractions, reconciled, all_in, differences, final_values }
}

pub async fn study_state(store: &Store, form: &Form, study: &Study) -> Result<StudyState, store::StoreError> {
    Ok(state(form, store::extraction::of_study(&store.db, study.item.id).await?))
}

fn invalid(issues: Vec<FieldIssue>) -> ExtractionError {
    ExtractionError::Invalid(issues.into_iter().map(|i| (format!("values.{}", i.key), i.message)).collect())
}

/// Values without blanks (a blank is "not filled in").
fn tidy(values: Values) -> Values {
    values.into_iter().filter(|(_, v)| !rules::is_blank(Some(v))).collect()
}

/// Saves the caller's values for a study as a draft (may be partial), or submits them (every required
/// field filled in; then locked).
pub async fn save_mine(
    store: &Store,
    review_id: i32,
    study: &Study,
    extractor: i32,
    values: Values,
    submit: bool,
    now: i64,
) -> Result<(), ExtractionError> {
    let form = form(store, review_id).await?;
    if form.fields.is_empty() {
        return Err(ExtractionError::Conflict("This review has no extraction form yet; a lead defines it first.".into()));
    }
    let issues = rules::check_values(&form, &values, submit);
    if !issues.is_empty() {
        return Err(invalid(issues));
    }
    let values = tidy(values);
    let txn = store.begin().await?;
    let mine = store::extraction::of_study(&txn, study.item.id).await?.into_iter().find(|r| r.extractor_id == Some(extractor));
    if mine.as_ref().is_some_and(|m| m.submitted) {
        return Err(ExtractionError::Conflict("You submitted this extraction already; ask a lead to reconcile any change.".into()));
    }
    let text = serde_json::to_string(&values).map_err(corrupt)?;
    store::extraction::put(&txn, review_id, study.item.id, Some(extractor), &text, submit, now).await?;
    store::audit::append(
        &txn,
        NewEvent {
            review_id: Some(review_id),
            actor_id: Some(extractor),
            action: if submit { "extraction.submit" } else { "extraction.save" },
            entity: "study",
            entity_id: study.item.id.to_string(),
            before: mine.map(|m| json!({"values": values_of(&m), "submitted": m.submitted})),
            after: Some(json!({"values": values, "submitted": submit})),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(())
}

/// Records the lead's reconciled values for a study whose extractions are all in; they must be complete.
pub async fn reconcile(store: &Store, review_id: i32, study: &Study, lead: i32, values: Values, now: i64) -> Result<(), ExtractionError> {
    let form = form(store, review_id).await?;
    let issues = rules::check_values(&form, &values, true);
    if !issues.is_empty() {
        return Err(invalid(issues));
    }
    let values = tidy(values);
    let txn = store.begin().await?;
    let st = state(&form, store::extraction::of_study(&txn, study.item.id).await?);
    if !st.all_in {
        return Err(ExtractionError::Conflict(
            "Reconciliation comes after every extractor has submitted; not all have yet. Wait for them, or ask them to submit.".into(),
        ));
    }
    let text = serde_json::to_string(&values).map_err(corrupt)?;
    store::extraction::put(&txn, review_id, study.item.id, None, &text, true, now).await?;
    store::audit::append(
        &txn,
        NewEvent {
            review_id: Some(review_id),
            actor_id: Some(lead),
            action: "extraction.reconcile",
            entity: "study",
            entity_id: study.item.id.to_string(),
            before: st.reconciled.map(|r| json!({"values": values_of(&r)})),
            after: Some(json!({"values": values, "differences": st.differences})),
        },
        now,
    )
    .await?;
    txn.commit().await.map_err(store::StoreError::from)?;
    Ok(())
}

/// The characteristics table: the form and one row per included study with its final values (empty
/// while the study's extraction is not complete).
pub async fn table(store: &Store, review_id: i32) -> Result<(Form, Vec<(String, Values)>), store::StoreError> {
    let form = form(store, review_id).await?;
    let rows = store::extraction::all(&store.db, review_id).await?;
    let mut out = Vec::new();
    for s in studies(store, review_id).await? {
        let mine: Vec<ValuesRow> = rows.iter().filter(|r| r.item_id == s.item.id).cloned().collect();
        out.push((s.label, state(&form, mine).final_values.unwrap_or_default()));
    }
    Ok((form, out))
}

/// The table's title for a review.
pub fn table_title(review_title: &str) -> String {
    format!("Characteristics of included studies: {review_title}")
}
