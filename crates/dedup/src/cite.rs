//! The citation model this crate consumes, re-exported from the citation crate.

pub use citation::{Author, Citation};
