//! sea-orm entities, one module per table; columns mirror `migrations/` exactly.

pub mod appraisal_consensus;
pub mod appraisal_settings;
pub mod appraisals;
pub mod audit_events;
pub mod dedup_pairs;
pub mod extraction_forms;
pub mod extraction_values;
pub mod files;
pub mod instruments;
pub mod invitations;
pub mod jobs;
pub mod login_attempts;
pub mod members;
pub mod protocols;
pub mod records;
pub mod reservations;
pub mod reviews;
pub mod screening_items;
pub mod search_sources;
pub mod sessions;
pub mod settings;
pub mod stage_settings;
pub mod users;
pub mod votes;
