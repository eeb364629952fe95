//! The `screening_items` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "screening_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub review_id: i32,
    /// `title_abstract` or `full_text`.
    pub stage: String,
    pub record_id: i32,
    /// `open`, `conflict`, `included`, `excluded`; at full text also `awaiting_file` and `not_retrieved`.
    pub state: String,
    /// Votes this item needs before it is decided.
    pub needed: i32,
    /// Votes cast so far.
    pub votes: i32,
    /// `include` or `exclude` once decided.
    pub decision: Option<String>,
    pub reason: Option<String>,
    pub resolved_by: Option<i32>,
    pub resolution_note: Option<String>,
    pub decided_at: Option<i64>,
    pub file_id: Option<i32>,
    pub not_retrieved_reason: Option<String>,
    pub created_at: i64,
    /// The full-text item of the study's main report, when this report belongs to another report's study.
    pub study_of: Option<i32>,
    /// Reservation rows on this item, live or expired (kept by triggers on SQLite, by the statements
    /// that add and remove reservations on PostgreSQL; see `screening::route`): routing hands an item
    /// out only while `votes + reserved < needed`.
    pub reserved: i32,
    /// Bumped by every change to the item's votes or state; a vote is written only if the version it
    /// was computed from still stands.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
