//! Operations shared by the HTTP routes and the command line: importing a file into a review,
//! deduplicating a review, judging duplicate pairs, screening, appraisal, synthesis, and writing the demo
//! review.

pub mod appraisal;
pub mod dedup;
pub mod demo;
pub mod extraction;
pub mod files;
pub mod import;
pub mod prisma;
pub mod screening;
pub mod search;
pub mod synthesis;
pub mod users;

/// Why an operation was refused, for the routes to turn into problem details and the CLI into a message.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request breaks a rule; the message says which and what to do.
    #[error("{0}")]
    Invalid(String),
    /// The request clashes with the review's current state; the message says what to do.
    #[error("{0}")]
    Conflict(String),
    /// The named thing does not exist in this review (the text names it, e.g. "extract").
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The caller may not do this to something that belongs to someone else.
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}
