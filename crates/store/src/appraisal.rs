//! Appraisal storage: the review's instrument choice, custom instruments, appraisals (answers as JSON)
//! and consensus decisions. What answers are valid and how they reconcile lives in `review::appraisal`.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::StoreError;
use crate::entity::{appraisal_consensus, appraisal_settings, appraisals, instruments};

pub type AppraisalRow = appraisals::Model;
pub type ConsensusRow = appraisal_consensus::Model;

/// The built-in instrument a review uses until a lead chooses another.
pub const DEFAULT_INSTRUMENT: &str = "casp-qualitative";

/// The instrument id and the appraisals each study needs.
pub async fn settings(db: &impl ConnectionTrait, review_id: i32) -> Result<(String, i32), StoreError> {
    Ok(appraisal_settings::Entity::find_by_id(review_id)
        .one(db)
        .await?
        .map(|s| (s.instrument_id, s.appraisers))
        .unwrap_or_else(|| (DEFAULT_INSTRUMENT.to_owned(), 2)))
}

pub async fn save_settings(db: &impl ConnectionTrait, review_id: i32, instrument_id: &str, appraisers: i32) -> Result<(), StoreError> {
    let row = appraisal_settings::ActiveModel {
        review_id: Set(review_id),
        instrument_id: Set(instrument_id.to_owned()),
        appraisers: Set(appraisers),
    };
    if appraisal_settings::Entity::find_by_id(review_id).one(db).await?.is_some() {
        row.update(db).await?;
    } else {
        row.insert(db).await?;
    }
    Ok(())
}

/// A custom instrument's source, newest first when imported twice under one id.
pub async fn custom_instrument(db: &impl ConnectionTrait, review_id: i32, instrument_id: &str) -> Result<Option<String>, StoreError> {
    Ok(instruments::Entity::find()
        .filter(instruments::Column::ReviewId.eq(review_id))
        .filter(instruments::Column::InstrumentId.eq(instrument_id))
        .order_by_desc(instruments::Column::Id)
        .one(db)
        .await?
        .map(|i| i.source))
}

pub async fn add_custom_instrument(
    db: &impl ConnectionTrait,
    review_id: i32,
    instrument_id: &str,
    source: &str,
    by: i32,
    now: i64,
) -> Result<(), StoreError> {
    instruments::ActiveModel {
        review_id: Set(review_id),
        instrument_id: Set(instrument_id.to_owned()),
        source: Set(source.to_owned()),
        created_by: Set(Some(by)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Ids of the custom instruments of a review.
pub async fn custom_ids(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<String>, StoreError> {
    let mut ids: Vec<String> = instruments::Entity::find()
        .filter(instruments::Column::ReviewId.eq(review_id))
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.instrument_id)
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Every appraisal of a review, oldest first.
pub async fn all(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<AppraisalRow>, StoreError> {
    Ok(appraisals::Entity::find().filter(appraisals::Column::ReviewId.eq(review_id)).order_by_asc(appraisals::Column::Id).all(db).await?)
}

pub async fn of_study(db: &impl ConnectionTrait, item_id: i32) -> Result<Vec<AppraisalRow>, StoreError> {
    Ok(appraisals::Entity::find().filter(appraisals::Column::ItemId.eq(item_id)).order_by_asc(appraisals::Column::Id).all(db).await?)
}

/// Every appraisal of a review's studies, oldest first.
pub async fn of_review(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<AppraisalRow>, StoreError> {
    Ok(appraisals::Entity::find().filter(appraisals::Column::ReviewId.eq(review_id)).order_by_asc(appraisals::Column::Id).all(db).await?)
}

/// Saves an appraiser's answers (JSON) for a study, as a draft or submitted.
pub async fn put(
    db: &impl ConnectionTrait,
    review_id: i32,
    item_id: i32,
    appraiser: i32,
    instrument_id: &str,
    answers: &str,
    submitted: bool,
    now: i64,
) -> Result<AppraisalRow, StoreError> {
    let existing = appraisals::Entity::find()
        .filter(appraisals::Column::ItemId.eq(item_id))
        .filter(appraisals::Column::AppraiserId.eq(appraiser))
        .one(db)
        .await?;
    match existing {
        Some(row) => {
            let mut active: appraisals::ActiveModel = row.into();
            active.instrument_id = Set(instrument_id.to_owned());
            active.answers = Set(answers.to_owned());
            active.submitted = Set(submitted);
            active.updated_at = Set(now);
            Ok(active.update(db).await?)
        }
        None => Ok(appraisals::ActiveModel {
            review_id: Set(review_id),
            item_id: Set(item_id),
            appraiser_id: Set(appraiser),
            instrument_id: Set(instrument_id.to_owned()),
            answers: Set(answers.to_owned()),
            submitted: Set(submitted),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?),
    }
}

pub async fn consensus(db: &impl ConnectionTrait, item_id: i32) -> Result<Vec<ConsensusRow>, StoreError> {
    Ok(appraisal_consensus::Entity::find()
        .filter(appraisal_consensus::Column::ItemId.eq(item_id))
        .order_by_asc(appraisal_consensus::Column::Id)
        .all(db)
        .await?)
}

/// The lead's decisions on every study of a review, oldest first.
pub async fn consensus_of_review(db: &impl ConnectionTrait, review_id: i32) -> Result<Vec<ConsensusRow>, StoreError> {
    Ok(appraisal_consensus::Entity::find()
        .filter(appraisal_consensus::Column::ReviewId.eq(review_id))
        .order_by_asc(appraisal_consensus::Column::Id)
        .all(db)
        .await?)
}

/// Records (or replaces) the lead's decision on one item of one study.
pub async fn put_consensus(
    db: &impl ConnectionTrait,
    review_id: i32,
    item_id: i32,
    question: &str,
    key: Option<String>,
    text: Option<String>,
    note: Option<String>,
    by: i32,
    now: i64,
) -> Result<(), StoreError> {
    appraisal_consensus::Entity::delete_many()
        .filter(appraisal_consensus::Column::ItemId.eq(item_id))
        .filter(appraisal_consensus::Column::Question.eq(question))
        .exec(db)
        .await?;
    appraisal_consensus::ActiveModel {
        review_id: Set(review_id),
        item_id: Set(item_id),
        question: Set(question.to_owned()),
        key: Set(key),
        text: Set(text),
        note: Set(note),
        decided_by: Set(by),
        decided_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
