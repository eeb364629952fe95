//! PostgreSQL keeps `screening_items.reserved` in the statements that add and remove reservations
//! (`store::screening::route` and `ballot`) instead of in a row trigger: the trigger ran a statement of
//! its own per reservation, and after a vote it wrote a second version of the row the vote had just
//! written. SQLite keeps its triggers (there they are cheap, and SQLite has no data-modifying `WITH`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        db.execute_unprepared("DROP TRIGGER trg_reservations_count ON reservations").await?;
        db.execute_unprepared("DROP FUNCTION sift_reservations_count()").await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        for sql in crate::m20261201_000014_add_item_counters::POSTGRES_TRIGGERS {
            db.execute_unprepared(sql).await?;
        }
        db.execute_unprepared(
            "UPDATE screening_items SET reserved = (SELECT COUNT(*) FROM reservations r WHERE r.item_id = screening_items.id)",
        )
        .await?;
        Ok(())
    }
}
