//! The synthesis crate owns thematic synthesis data, coder agreement, GRADE-CERQual tables and REFI-QDA exchange.
//!
//! Everything here is pure: functions take values or bytes and return values or bytes, with no clock,
//! randomness or file access.

pub mod agreement;
pub mod cerqual;
pub mod csv;
pub mod extraction;
pub mod model;
pub mod refi;
pub mod themes;
