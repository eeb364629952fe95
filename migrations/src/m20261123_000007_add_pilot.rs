//! A pilot set per stage: the first N records are screened by the team first, and the rest opens only
//! when agreement on them reaches a threshold (or a lead opens it).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(StageSettings::Table).add_column(integer(StageSettings::PilotSize).default(0)).to_owned())
            .await?;
        m.alter_table(Table::alter().table(StageSettings::Table).add_column(double(StageSettings::PilotThreshold).default(0.6)).to_owned())
            .await?;
        m.alter_table(Table::alter().table(StageSettings::Table).add_column(boolean(StageSettings::PilotOpened).default(false)).to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [StageSettings::PilotOpened, StageSettings::PilotThreshold, StageSettings::PilotSize] {
            m.alter_table(Table::alter().table(StageSettings::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum StageSettings {
    Table,
    PilotSize,
    PilotThreshold,
    PilotOpened,
}
