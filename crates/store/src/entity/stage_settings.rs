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
    /// Records in the pilot set (the stage's first items); 0 = no pilot.
    pub pilot_size: i32,
    /// Cohen's kappa the pilot must reach before the rest of the stage opens.
    #[sea_orm(column_type = "Double")]
    pub pilot_threshold: f64,
    /// The rest of the stage is open (the pilot passed, or a lead opened it).
    pub pilot_opened: bool,
    /// Percentage of records screened by `reviewers_per_record` reviewers; the rest need one.
    pub double_percent: i32,
    /// JSON array of fixed reviewer pairs (`[[a, b], ...]`); empty = anyone screens anything.
    pub pairs: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
