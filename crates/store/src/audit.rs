//! The append-only audit trail: who did what, when, with the state before and after.
//!
//! There is no update or delete here on purpose: events are only ever appended.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::StoreError;
use crate::entity::audit_events;

pub type Event = audit_events::Model;

/// One state change to record.
#[derive(Clone, Debug)]
pub struct NewEvent<'a> {
    pub review_id: Option<i32>,
    pub actor_id: Option<i32>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub async fn append(db: &impl ConnectionTrait, event: NewEvent<'_>, now: i64) -> Result<i32, StoreError> {
    let row = audit_events::ActiveModel {
        review_id: Set(event.review_id),
        actor_id: Set(event.actor_id),
        at: Set(now),
        action: Set(event.action.to_owned()),
        entity: Set(event.entity.to_owned()),
        entity_id: Set(event.entity_id),
        before: Set(event.before.map(|v| v.to_string())),
        after: Set(event.after.map(|v| v.to_string())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// Events of a review with ids above `after_id`, oldest first, at most `limit`.
/// A review's events of one action, oldest first.
pub async fn of_action(db: &impl ConnectionTrait, review_id: i32, action: &str) -> Result<Vec<Event>, StoreError> {
    Ok(audit_events::Entity::find()
        .filter(audit_events::Column::ReviewId.eq(review_id))
        .filter(audit_events::Column::Action.eq(action))
        .order_by_asc(audit_events::Column::Id)
        .all(db)
        .await?)
}

pub async fn list(db: &impl ConnectionTrait, review_id: i32, after_id: i32, limit: u64) -> Result<Vec<Event>, StoreError> {
    Ok(audit_events::Entity::find()
        .filter(audit_events::Column::ReviewId.eq(review_id))
        .filter(audit_events::Column::Id.gt(after_id))
        .order_by_asc(audit_events::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}
