//! Each vote records the protocol version (criteria, reasons, keywords) in force when it was cast or
//! last changed, so that a decision can be read against the criteria it was made under and amendments
//! are visible in the decisions (PRISMA 2020 item 24). Votes cast before this migration have none.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Votes::Table).add_column(integer_null(Votes::ProtocolVersion)).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Votes::Table).drop_column(Votes::ProtocolVersion).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Votes {
    Table,
    ProtocolVersion,
}
