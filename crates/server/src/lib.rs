//! The sift HTTP service: actix-web routes over the store, with authentication, problem-details
//! errors, an OpenAPI document collected from the routes themselves, Prometheus metrics and the
//! embedded browser UI. This is the only crate that speaks HTTP.
//!
//! `app` holds the operations the routes and the CLI share (import, deduplication, the demo review);
//! `routes` only extract, authorise, call `app` or `store`, and shape responses.

pub mod app;
pub mod auth;
pub mod dto;
pub mod error;
pub mod memo;
pub mod metrics;
mod routes;
pub mod settings;
pub mod startup;
pub mod state;
pub mod time;
mod web_assets;

pub use settings::Settings;
pub use startup::{Application, StartError};
