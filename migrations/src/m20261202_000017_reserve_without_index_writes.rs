//! PostgreSQL: taking or releasing a reservation changes only an item's `reserved` count, which no
//! index reads any more, so PostgreSQL can write the new row version on the same page without new
//! index entries (a heap-only update). The two routing indexes drop `reserved` from their conditions
//! (routing checks it on the row), and `screening_items` leaves a fifth of each page free for those
//! versions (pages written before this migration keep their old fill until rewritten). SQLite keeps its
//! indexes as they are: it has no heap-only updates, and its scan from the first fresh item relies on
//! held items being out of `idx_items_fresh`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: [&str; 5] = [
    "DROP INDEX idx_items_waiting",
    "CREATE INDEX idx_items_waiting ON screening_items (review_id, stage, id) WHERE state = 'open' AND votes > 0 AND needed > votes",
    "DROP INDEX idx_items_fresh",
    "CREATE INDEX idx_items_fresh ON screening_items (review_id, stage, id) WHERE state = 'open' AND votes = 0",
    "ALTER TABLE screening_items SET (fillfactor = 80)",
];

const DOWN: [&str; 5] = [
    "DROP INDEX idx_items_waiting",
    "CREATE INDEX idx_items_waiting ON screening_items (review_id, stage, id) WHERE state = 'open' AND votes > 0 AND needed > votes + reserved",
    "DROP INDEX idx_items_fresh",
    "CREATE INDEX idx_items_fresh ON screening_items (review_id, stage, id) WHERE state = 'open' AND votes = 0 AND reserved = 0",
    "ALTER TABLE screening_items RESET (fillfactor)",
];

async fn run(m: &SchemaManager<'_>, sqls: &[&str]) -> Result<(), DbErr> {
    if m.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let db = m.get_connection();
    for sql in sqls {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, &UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, &DOWN).await
    }
}
