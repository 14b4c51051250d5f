//! Passage's HTTP faces: the carrier intake endpoint, the JSON API over flights, manifests,
//! bookings and messages, health, Prometheus metrics and the OpenAPI document.
//!
//! Personal data leaves only through the JSON API, and each such read writes an audit record
//! (actor and purpose from the request). Sign-in and roles arrive with the analyst console.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

mod api;
mod carriers;
mod criteria;
mod hits;
mod rate;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use intake::Intake;

pub use carriers::Credentials;
pub use rate::RateLimit;

/// Limits on what a request may carry and how often.
#[derive(Debug)]
pub struct Limits {
    /// Largest message body accepted, in bytes.
    pub body_bytes: usize,
    /// Messages per carrier and second at the intake, when limited.
    pub rate: Option<RateLimit>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            body_bytes: 16 * 1024 * 1024,
            rate: None,
        }
    }
}

/// What the handlers share.
#[derive(Debug)]
pub struct State {
    pub intake: Intake,
    pub credentials: Credentials,
    pub limits: Limits,
    pub started: std::time::Instant,
}

/// The application: every route.
pub fn app(state: Arc<State>) -> Router {
    let body_limit = state.limits.body_bytes;
    api::routes()
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

/// Credentials from `token=carrier` pairs.
pub fn credentials(pairs: &[(String, String)]) -> Credentials {
    Credentials::new(pairs.iter().cloned().collect::<HashMap<_, _>>())
}
