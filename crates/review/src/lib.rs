//! The review domain: agreement statistics for dual screening, the rules that turn independent votes into an outcome, and PRISMA 2020 counts, checks, CSV and SVG.
//!
//! The crate is pure. It does no input or output, keeps no clock and draws no random numbers: the
//! caller passes in whatever the functions need and stores whatever they return.
//!
//! - [`appraisal`] holds quality-appraisal instruments (CASP, JBI and imported ones) as
//!   validated data, checks appraisals, lists disagreements, builds the consensus table and writes
//!   it as CSV, HTML and a traffic-light SVG.
//! - [`agreement`] computes percent agreement, Cohen's kappa, Gwet's AC1, PABAK and the
//!   prevalence and bias indices from a two-rater contingency table.
//! - [`screening`] decides what the votes on one record at one stage amount to, and checks a
//!   vote before it is stored.
//! - [`prisma`] holds the PRISMA 2020 flow counts, checks them for consistency, writes and reads
//!   the CSV of the PRISMA2020 R package and Shiny app, and draws the flow diagram as SVG.

pub mod agreement;
pub mod appraisal;
pub mod prisma;
pub mod screening;
