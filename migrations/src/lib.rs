//! The sift schema as an ordered list of migrations, applied at start-up and by `sift migrate`.
//!
//! One file per change, named `mYYYYMMDD_NNNNNN_verb_noun.rs`, each with a `down` that undoes it.
//! Migrations use the schema builder so the same file runs on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_accounts;
mod m20261123_000002_create_reviews;
mod m20261123_000003_create_imports;
mod m20261123_000004_create_dedup;
mod m20261123_000005_create_screening;
mod m20261123_000006_add_studies_and_previous;
mod m20261123_000007_add_pilot;
mod m20261123_000008_add_routing_index;
mod m20261123_000009_add_routing_options;
mod m20261123_000010_create_appraisal;
mod m20261123_000011_create_invitations;
mod m20261123_000012_create_synthesis;
mod m20261123_000013_create_extraction;
mod m20261201_000014_add_item_counters;
mod m20261202_000015_count_reservations_in_statements;
mod m20261202_000016_stamp_votes_with_protocol_version;
mod m20261202_000017_reserve_without_index_writes;
mod m20261203_000018_files_in_a_directory;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_accounts::Migration),
            Box::new(m20261123_000002_create_reviews::Migration),
            Box::new(m20261123_000003_create_imports::Migration),
            Box::new(m20261123_000004_create_dedup::Migration),
            Box::new(m20261123_000005_create_screening::Migration),
            Box::new(m20261123_000006_add_studies_and_previous::Migration),
            Box::new(m20261123_000007_add_pilot::Migration),
            Box::new(m20261123_000008_add_routing_index::Migration),
            Box::new(m20261123_000009_add_routing_options::Migration),
            Box::new(m20261123_000010_create_appraisal::Migration),
            Box::new(m20261123_000011_create_invitations::Migration),
            Box::new(m20261123_000012_create_synthesis::Migration),
            Box::new(m20261123_000013_create_extraction::Migration),
            Box::new(m20261201_000014_add_item_counters::Migration),
            Box::new(m20261202_000015_count_reservations_in_statements::Migration),
            Box::new(m20261202_000016_stamp_votes_with_protocol_version::Migration),
            Box::new(m20261202_000017_reserve_without_index_writes::Migration),
            Box::new(m20261203_000018_files_in_a_directory::Migration),
        ]
    }
}
