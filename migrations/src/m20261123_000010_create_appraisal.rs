//! Quality appraisal: the instrument a review uses (and custom instruments a lead imported), each
//! appraiser's answers per study, and the lead's consensus on disagreements.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000002_create_reviews::Reviews;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AppraisalSettings::Table)
                .col(integer(AppraisalSettings::ReviewId).primary_key())
                .col(string(AppraisalSettings::InstrumentId))
                .col(integer(AppraisalSettings::Appraisers))
                .foreign_key(
                    ForeignKey::create()
                        .from(AppraisalSettings::Table, AppraisalSettings::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Instruments::Table)
                .col(pk_auto(Instruments::Id))
                .col(integer(Instruments::ReviewId))
                .col(string(Instruments::InstrumentId))
                .col(text(Instruments::Source))
                .col(integer_null(Instruments::CreatedBy))
                .col(big_integer(Instruments::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Instruments::Table, Instruments::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Appraisals::Table)
                .col(pk_auto(Appraisals::Id))
                .col(integer(Appraisals::ReviewId))
                .col(integer(Appraisals::ItemId))
                .col(integer(Appraisals::AppraiserId))
                .col(string(Appraisals::InstrumentId))
                .col(text(Appraisals::Answers))
                .col(boolean(Appraisals::Submitted))
                .col(big_integer(Appraisals::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Appraisals::Table, Appraisals::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_appraisals_item_appraiser")
                .table(Appraisals::Table)
                .col(Appraisals::ItemId)
                .col(Appraisals::AppraiserId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AppraisalConsensus::Table)
                .col(pk_auto(AppraisalConsensus::Id))
                .col(integer(AppraisalConsensus::ReviewId))
                .col(integer(AppraisalConsensus::ItemId))
                .col(string(AppraisalConsensus::Question))
                .col(string_null(AppraisalConsensus::Key))
                .col(text_null(AppraisalConsensus::Text))
                .col(text_null(AppraisalConsensus::Note))
                .col(integer(AppraisalConsensus::DecidedBy))
                .col(big_integer(AppraisalConsensus::DecidedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AppraisalConsensus::Table, AppraisalConsensus::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_consensus_item_question")
                .table(AppraisalConsensus::Table)
                .col(AppraisalConsensus::ItemId)
                .col(AppraisalConsensus::Question)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AppraisalConsensus::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Appraisals::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Instruments::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(AppraisalSettings::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum AppraisalSettings {
    Table,
    ReviewId,
    InstrumentId,
    Appraisers,
}

#[derive(DeriveIden)]
enum Instruments {
    Table,
    Id,
    ReviewId,
    InstrumentId,
    Source,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Appraisals {
    Table,
    Id,
    ReviewId,
    ItemId,
    AppraiserId,
    InstrumentId,
    Answers,
    Submitted,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AppraisalConsensus {
    Table,
    Id,
    ReviewId,
    ItemId,
    Question,
    Key,
    Text,
    Note,
    DecidedBy,
    DecidedAt,
}
