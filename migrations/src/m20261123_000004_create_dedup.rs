//! Candidate duplicate pairs found within a review, with their evidence and a person's judgement.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000002_create_reviews::Reviews;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DedupPairs::Table)
                .col(pk_auto(DedupPairs::Id))
                .col(integer(DedupPairs::ReviewId))
                .col(integer(DedupPairs::RecordA))
                .col(integer(DedupPairs::RecordB))
                .col(string(DedupPairs::Decision))
                .col(double(DedupPairs::Score))
                .col(text(DedupPairs::Evidence))
                .col(string(DedupPairs::Status))
                .col(integer_null(DedupPairs::DecidedBy))
                .col(big_integer_null(DedupPairs::DecidedAt))
                .col(big_integer(DedupPairs::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(DedupPairs::Table, DedupPairs::ReviewId)
                        .to(Reviews::Table, Reviews::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_dedup_pairs_unique")
                .table(DedupPairs::Table)
                .col(DedupPairs::ReviewId)
                .col(DedupPairs::RecordA)
                .col(DedupPairs::RecordB)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_dedup_pairs_status")
                .table(DedupPairs::Table)
                .col(DedupPairs::ReviewId)
                .col(DedupPairs::Status)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DedupPairs::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum DedupPairs {
    Table,
    Id,
    ReviewId,
    RecordA,
    RecordB,
    Decision,
    Score,
    Evidence,
    Status,
    DecidedBy,
    DecidedAt,
    CreatedAt,
}
