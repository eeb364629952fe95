//! The `votes` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "votes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub review_id: i32,
    pub item_id: i32,
    pub reviewer_id: i32,
    pub vote: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    /// JSON array.
    pub tags: String,
    /// The vote as first cast (agreement statistics use first, independent votes).
    pub first_vote: String,
    pub first_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The review's protocol version when the vote was cast or last changed (0: no protocol had been
    /// saved; `None`: cast before versions were recorded).
    pub protocol_version: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
