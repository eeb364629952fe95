//! Reports linked to studies (several reports of one study), and the previous-review arm of PRISMA for
//! updated reviews (counts entered once for the previous version).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(ScreeningItems::Table).add_column(integer_null(ScreeningItems::StudyOf)).to_owned()).await?;
        m.alter_table(Table::alter().table(Reviews::Table).add_column(integer_null(Reviews::PreviousStudies)).to_owned()).await?;
        m.alter_table(Table::alter().table(Reviews::Table).add_column(integer_null(Reviews::PreviousReports)).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Reviews::Table).drop_column(Reviews::PreviousReports).to_owned()).await?;
        m.alter_table(Table::alter().table(Reviews::Table).drop_column(Reviews::PreviousStudies).to_owned()).await?;
        m.alter_table(Table::alter().table(ScreeningItems::Table).drop_column(ScreeningItems::StudyOf).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ScreeningItems {
    Table,
    /// The full-text item of the study's main report; null when the report is its own study.
    StudyOf,
}

#[derive(DeriveIden)]
enum Reviews {
    Table,
    PreviousStudies,
    PreviousReports,
}
