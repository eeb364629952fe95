//! The `stage_settings` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "stage_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub review_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub stage: String,
    pub reviewers_per_record: i32,
    pub blind: bool,
    pub maybe_is_conflict: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
