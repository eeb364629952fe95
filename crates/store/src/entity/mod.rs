//! sea-orm entities, one module per table; columns mirror `migrations/` exactly.

pub mod audit_events;
pub mod dedup_pairs;
pub mod jobs;
pub mod login_attempts;
pub mod members;
pub mod records;
pub mod reviews;
pub mod search_sources;
pub mod sessions;
pub mod settings;
pub mod users;
