//! Routing options per stage: the share of records screened by two reviewers (the rest by one), and
//! fixed reviewer pairs (each record goes to one pair).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(StageSettings::Table).add_column(integer(StageSettings::DoublePercent).default(100)).to_owned())
            .await?;
        m.alter_table(Table::alter().table(StageSettings::Table).add_column(text(StageSettings::Pairs).default("[]")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(StageSettings::Table).drop_column(StageSettings::Pairs).to_owned()).await?;
        m.alter_table(Table::alter().table(StageSettings::Table).drop_column(StageSettings::DoublePercent).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum StageSettings {
    Table,
    DoublePercent,
    Pairs,
}
