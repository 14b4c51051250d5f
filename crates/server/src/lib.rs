//! Passage's HTTP faces: the carrier intake endpoint, the JSON API over flights, manifests,
//! bookings and messages, health, Prometheus metrics and the OpenAPI document.
//!
//! Every route is declared in one table with the roles it admits (`access.rs`); people sign in
//! to the console with a session, programs use bearer tokens, carriers their own credential.
//! Each read of personal data writes an audit record with who and why.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

mod access;
mod api;
mod carriers;
mod console;
mod criteria;
mod hits;
mod openapi;
mod rate;
mod roles;
mod telemetry;
mod wire;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::MethodRouter;
use intake::Intake;

pub use access::{Access, Face, RouteInfo};
pub use axum::http::Method;
pub use carriers::Credentials;
pub use openapi::operations as openapi_operations;
pub use rate::RateLimit;
pub use telemetry::install as install_metrics;

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

/// What the handlers share: the store, the pipeline and its two services, the accounts.
#[derive(Debug)]
pub struct State {
    pub store: store::Store,
    /// The pipeline: receiving and processing messages.
    pub intake: Intake,
    /// The screening service: lists in force, imports, re-screening.
    pub watchlists: Arc<intake::Watchlists>,
    /// The targeting service: criteria, their lifecycle, back-tests.
    pub criteria: Arc<intake::Criteria>,
    pub accounts: accounts::Accounts,
    pub credentials: Credentials,
    pub limits: Limits,
    pub started: std::time::Instant,
    /// Retention under the policy in force (the EU profile unless `serve` was given another).
    pub retention: Option<retention::Retention>,
}

impl State {
    /// The faces' state over a pipeline: its store and services are shared, not copied.
    pub fn new(
        intake: Intake,
        accounts: accounts::Accounts,
        credentials: Credentials,
        limits: Limits,
    ) -> State {
        let retention = match retention::Policy::eu_2016_681() {
            Ok(policy) => Some(retention::Retention::new(
                intake.store().clone(),
                policy,
                intake.airports().clone(),
            )),
            Err(e) => {
                invariant::never!("the shipped retention policy does not read: {e}");
                None
            }
        };
        State {
            store: intake.store().clone(),
            watchlists: intake.watchlists().clone(),
            criteria: intake.criteria().clone(),
            intake,
            accounts,
            credentials,
            limits,
            started: std::time::Instant::now(),
            retention,
        }
    }

    /// With retention under `retention`'s policy (the one `serve` was given).
    pub fn with_retention(mut self, retention: retention::Retention) -> State {
        self.retention = Some(retention);
        self
    }
}

fn table() -> Vec<access::Route> {
    let mut routes = api::routes();
    routes.extend(console::routes());
    routes
}

/// Every route with who may use it: what the authorization test walks.
pub fn route_table() -> Vec<RouteInfo> {
    table().into_iter().map(|r| r.info).collect()
}

/// The application: every route of the table, each behind its access check.
pub fn app(state: Arc<State>) -> Router {
    telemetry::install();
    let body_limit = state.limits.body_bytes;
    let mut paths: Vec<(&'static str, MethodRouter<Arc<State>>)> = Vec::new();
    for r in table() {
        let path = r.info.path;
        let handler = access::guarded(&state, r);
        match paths.iter_mut().find(|(p, _)| *p == path) {
            Some((_, existing)) => *existing = std::mem::take(existing).merge(handler),
            None => paths.push((path, handler)),
        }
    }
    paths
        .into_iter()
        .fold(Router::new(), |router, (path, handler)| {
            router.route(path, handler)
        })
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn(server_timing))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

/// Scripts and styles only from the console's own embedded files (no inline script, no
/// inline style), no framing, forms and requests to this site only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// Every answer, whatever route made it (refusals and unknown paths included), carries the
/// browser protections; all but the static assets are kept out of every cache, since pages
/// and API answers hold personal data.
async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Every answer says how long the server took (`Server-Timing: app;dur=ms`): the browser's
/// developer tools and the page-speed measurement read it; it carries no data.
async fn server_timing(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let started = std::time::Instant::now();
    let mut response = next.run(request).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(v) = format!("app;dur={ms:.1}").parse() {
        response.headers_mut().insert("server-timing", v);
    }
    response
}

/// Credentials from `token=carrier` pairs.
pub fn credentials(pairs: &[(String, String)]) -> Credentials {
    Credentials::new(pairs.iter().cloned())
}
