//! The `appraisal_consensus` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "appraisal_consensus")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub review_id: i32,
    pub item_id: i32,
    /// The instrument item decided.
    pub question: String,
    pub key: Option<String>,
    pub text: Option<String>,
    pub note: Option<String>,
    pub decided_by: i32,
    pub decided_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
