//! An index that lets routing find the next record without sorting every open item: items of a stage
//! by state, vote count and id.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_items_route")
                .table(ScreeningItems::Table)
                .col(ScreeningItems::ReviewId)
                .col(ScreeningItems::Stage)
                .col(ScreeningItems::State)
                .col(ScreeningItems::Votes)
                .col(ScreeningItems::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_reservations_expiry").table(Reservations::Table).col(Reservations::ExpiresAt).to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("idx_reservations_expiry").table(Reservations::Table).to_owned()).await?;
        m.drop_index(Index::drop().name("idx_items_route").table(ScreeningItems::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ScreeningItems {
    Table,
    ReviewId,
    Stage,
    State,
    Votes,
    Id,
}

#[derive(DeriveIden)]
enum Reservations {
    Table,
    ExpiresAt,
}
