//! A full text may be kept in a files directory instead of the database (`files_dir`): the row then
//! holds the file's path under that directory (its content address) and no bytes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Files::Table).add_column(string_null(Files::Path)).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Files::Table).drop_column(Files::Path).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Files {
    Table,
    Path,
}
