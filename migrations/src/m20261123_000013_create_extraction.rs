//! Study characteristics extraction: the review's form, and each extractor's values per study (plus the
//! lead's reconciled values, stored with no extractor).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000002_create_reviews::Reviews;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ExtractionForms::Table)
                .col(integer(ExtractionForms::ReviewId).primary_key())
                .col(text(ExtractionForms::Form))
                .col(integer_null(ExtractionForms::UpdatedBy))
                .col(big_integer(ExtractionForms::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ExtractionForms::Table, ExtractionForms::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ExtractionValues::Table)
                .col(pk_auto(ExtractionValues::Id))
                .col(integer(ExtractionValues::ReviewId))
                .col(integer(ExtractionValues::ItemId))
                .col(integer_null(ExtractionValues::ExtractorId))
                .col(text(ExtractionValues::Values))
                .col(boolean(ExtractionValues::Submitted))
                .col(big_integer(ExtractionValues::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ExtractionValues::Table, ExtractionValues::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Finds a study's rows (item first) and allows one row per extractor per study.
        m.create_index(
            Index::create()
                .name("idx_extraction_values_item_extractor")
                .table(ExtractionValues::Table)
                .col(ExtractionValues::ItemId)
                .col(ExtractionValues::ExtractorId)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ExtractionValues::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ExtractionForms::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ExtractionForms {
    Table,
    ReviewId,
    Form,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ExtractionValues {
    Table,
    Id,
    ReviewId,
    ItemId,
    ExtractorId,
    Values,
    Submitted,
    UpdatedAt,
}
