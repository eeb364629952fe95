//! End-to-end tests through HTTP against the real server, each on SQLite and on PostgreSQL.

mod appraisal;
mod audit;
mod auth;
mod authz;
mod browser;
mod browser_appraisal;
mod browser_extraction;
mod browser_screening;
mod browser_synthesis;
mod demo;
mod duplicates;
mod extraction;
mod imports;
mod operations;
mod prisma;
mod reviews;
mod scale_out;
mod screening;
mod synthesis;
mod tidy;

pub use tests::*;
