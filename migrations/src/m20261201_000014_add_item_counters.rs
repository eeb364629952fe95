//! Counters on screening items that let routing and voting work without a review-wide lock:
//! `reserved` (the item's reservation rows, kept by triggers on `reservations` on both databases) and
//! `version` (bumped by every change to an item's votes or state, so a vote computed from what it read
//! is written only if nothing changed meanwhile). Two partial indexes hold the items routing hands out
//! first: those waiting for another vote, and fresh ones nobody holds; they replace `idx_items_route`,
//! which every vote had to update.
//!
//! The index predicates are written `needed > votes + reserved`: SQLite uses a partial index only when
//! the query repeats its terms, and it turns `votes + reserved < needed` around before comparing.

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_TRIGGERS: [&str; 2] = [
    "CREATE TRIGGER trg_reservations_count_insert AFTER INSERT ON reservations \
     BEGIN UPDATE screening_items SET reserved = reserved + 1 WHERE id = NEW.item_id; END",
    "CREATE TRIGGER trg_reservations_count_delete AFTER DELETE ON reservations \
     BEGIN UPDATE screening_items SET reserved = reserved - 1 WHERE id = OLD.item_id; END",
];

/// Also what migration 15 puts back when it is undone.
pub(crate) const POSTGRES_TRIGGERS: [&str; 2] = [
    "CREATE FUNCTION sift_reservations_count() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
       IF TG_OP = 'INSERT' THEN UPDATE screening_items SET reserved = reserved + 1 WHERE id = NEW.item_id; \
       ELSE UPDATE screening_items SET reserved = reserved - 1 WHERE id = OLD.item_id; \
       END IF; \
       RETURN NULL; \
     END $$",
    "CREATE TRIGGER trg_reservations_count AFTER INSERT OR DELETE ON reservations \
     FOR EACH ROW EXECUTE FUNCTION sift_reservations_count()",
];

const INDEXES: [&str; 3] = [
    "CREATE INDEX idx_items_waiting ON screening_items (review_id, stage, id) \
     WHERE state = 'open' AND votes > 0 AND needed > votes + reserved",
    "CREATE INDEX idx_items_fresh ON screening_items (review_id, stage, id) \
     WHERE state = 'open' AND votes = 0 AND reserved = 0",
    "CREATE INDEX idx_reservations_reviewer ON reservations (reviewer_id, item_id)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(ScreeningItems::Table).add_column(integer(ScreeningItems::Reserved).default(0)).to_owned())
            .await?;
        m.alter_table(Table::alter().table(ScreeningItems::Table).add_column(integer(ScreeningItems::Version).default(0)).to_owned())
            .await?;
        let db = m.get_connection();
        db.execute_unprepared(
            "UPDATE screening_items SET reserved = (SELECT COUNT(*) FROM reservations r WHERE r.item_id = screening_items.id)",
        )
        .await?;
        let triggers: &[&str] = match m.get_database_backend() {
            DbBackend::Postgres => &POSTGRES_TRIGGERS,
            _ => &SQLITE_TRIGGERS,
        };
        for sql in triggers.iter().chain(INDEXES.iter()) {
            db.execute_unprepared(sql).await?;
        }
        m.drop_index(Index::drop().name("idx_items_route").table(ScreeningItems::Table).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
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
        let db = m.get_connection();
        for name in ["idx_reservations_reviewer", "idx_items_fresh", "idx_items_waiting"] {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        match m.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared("DROP TRIGGER trg_reservations_count ON reservations").await?;
                db.execute_unprepared("DROP FUNCTION sift_reservations_count()").await?;
            }
            _ => {
                db.execute_unprepared("DROP TRIGGER trg_reservations_count_insert").await?;
                db.execute_unprepared("DROP TRIGGER trg_reservations_count_delete").await?;
            }
        }
        m.alter_table(Table::alter().table(ScreeningItems::Table).drop_column(ScreeningItems::Version).to_owned()).await?;
        m.alter_table(Table::alter().table(ScreeningItems::Table).drop_column(ScreeningItems::Reserved).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ScreeningItems {
    Table,
    Id,
    ReviewId,
    Stage,
    State,
    Votes,
    Reserved,
    Version,
}
