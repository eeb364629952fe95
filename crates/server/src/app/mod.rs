//! Operations shared by the HTTP routes and the command line: importing a file into a review,
//! deduplicating a review, judging duplicate pairs, and writing the demo review.

pub mod appraisal;
pub mod dedup;
pub mod demo;
pub mod extraction;
pub mod import;
pub mod prisma;
pub mod screening;
pub mod users;
