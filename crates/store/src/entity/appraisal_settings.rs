//! The `appraisal_settings` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "appraisal_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub review_id: i32,
    pub instrument_id: String,
    /// Independent appraisals each study needs (1 or 2).
    pub appraisers: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
