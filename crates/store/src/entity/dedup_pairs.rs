//! The `dedup_pairs` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "dedup_pairs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub review_id: i32,
    pub record_a: i32,
    pub record_b: i32,
    pub decision: String,
    #[sea_orm(column_type = "Double")]
    pub score: f64,
    pub evidence: String,
    pub status: String,
    pub decided_by: Option<i32>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
