//! Routes and handlers.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State as Shared};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::collections::BTreeMap;

use store::{MessageState, StoreError};

use crate::State;
use crate::access::{Access, Face, Route, Who, route};
use crate::roles::*;
use crate::wire::*;

pub(crate) type AppState = Arc<State>;

/// The JSON API and the machine faces, with who may call each route.
pub(crate) fn routes() -> Vec<Route> {
    use crate::criteria as c;
    use crate::hits as h;
    let api =
        |method: Method, path, access, handler| route(method, path, access, Face::Api, handler);
    vec![
        api(Method::GET, "/health", Access::Public, get(health)),
        api(Method::GET, "/ready", Access::Public, get(ready)),
        api(
            Method::GET,
            "/metrics",
            Access::Roles(OPERATIONS),
            get(metrics),
        ),
        api(
            Method::GET,
            "/api/openapi.json",
            Access::Public,
            get(openapi),
        ),
        api(
            Method::POST,
            "/api/v1/messages",
            Access::Carrier,
            post(receive),
        ),
        api(
            Method::GET,
            "/api/v1/receipts/{id}",
            Access::Carrier,
            get(receipt),
        ),
        api(
            Method::GET,
            "/api/v1/messages",
            Access::Roles(QUALITY),
            get(messages),
        ),
        api(
            Method::GET,
            "/api/v1/messages/{id}",
            Access::Roles(QUALITY),
            get(message),
        ),
        api(
            Method::GET,
            "/api/v1/messages/{id}/raw",
            Access::Roles(PERSONAL),
            get(message_raw),
        ),
        api(
            Method::GET,
            "/api/v1/flights",
            Access::Roles(QUALITY),
            get(flights),
        ),
        api(
            Method::GET,
            "/api/v1/flights/{flight}/{route}/{date}",
            Access::Roles(QUALITY),
            get(flight),
        ),
        api(
            Method::GET,
            "/api/v1/flights/{flight}/{route}/{date}/manifest",
            Access::Roles(PERSONAL),
            get(manifest),
        ),
        api(
            Method::GET,
            "/api/v1/flights/{flight}/{route}/{date}/bookings",
            Access::Roles(PERSONAL),
            get(bookings),
        ),
        api(
            Method::GET,
            "/api/v1/travellers/{manifest_id}/trips",
            Access::Roles(PERSONAL),
            get(trips),
        ),
        api(
            Method::GET,
            "/api/v1/carriers",
            Access::Roles(QUALITY),
            get(carriers),
        ),
        api(
            Method::GET,
            "/api/v1/carriers/{carrier}/scorecard",
            Access::Roles(QUALITY),
            get(scorecard),
        ),
        api(
            Method::GET,
            "/api/v1/audit/verify",
            Access::Roles(AUDIT_CHECK),
            get(audit_verify),
        ),
        api(
            Method::GET,
            "/api/v1/hits",
            Access::Roles(PERSONAL),
            get(h::hits),
        ),
        api(
            Method::GET,
            "/api/v1/hits/{id}",
            Access::Roles(PERSONAL),
            get(h::hit),
        ),
        api(
            Method::POST,
            "/api/v1/hits/{id}/review",
            Access::Roles(PERSONAL),
            post(h::review),
        ),
        api(
            Method::GET,
            "/api/v1/lists",
            Access::Roles(LISTS_READ),
            get(h::lists),
        ),
        api(
            Method::POST,
            "/api/v1/lists/{list}",
            Access::Roles(LISTS_WRITE),
            post(h::import),
        ),
        api(
            Method::GET,
            "/api/v1/criteria",
            Access::Roles(CRITERIA_READ),
            get(c::list),
        ),
        api(
            Method::POST,
            "/api/v1/criteria",
            Access::Roles(CRITERIA_WRITE),
            post(c::create),
        ),
        api(
            Method::POST,
            "/api/v1/criteria/check",
            Access::Roles(CRITERIA_WRITE),
            post(c::check),
        ),
        api(
            Method::POST,
            "/api/v1/criteria/backtest",
            Access::Roles(CRITERIA_WRITE),
            post(c::backtest),
        )
        .with_purpose(),
        api(
            Method::GET,
            "/api/v1/criteria/{id}",
            Access::Roles(CRITERIA_READ),
            get(c::version),
        ),
        api(
            Method::GET,
            "/api/v1/criteria/{id}/stats",
            Access::Roles(CRITERIA_READ),
            get(c::stats),
        ),
        api(
            Method::POST,
            "/api/v1/criteria/{id}/{action}",
            Access::Roles(CRITERIA_WRITE),
            post(c::act),
        ),
        api(
            Method::GET,
            "/api/v1/targeting/hits",
            Access::Roles(PERSONAL),
            get(c::hits),
        ),
        api(
            Method::GET,
            "/api/v1/targeting/hits/{id}",
            Access::Roles(PERSONAL),
            get(c::hit),
        ),
        api(
            Method::POST,
            "/api/v1/targeting/hits/{id}/review",
            Access::Roles(PERSONAL),
            post(c::review),
        ),
    ]
}

/// An error as clients get it: a stable code, a readable message, an HTTP status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// The HTTP status, for pages that answer a missing thing as such.
    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    /// The readable message, for pages that show the error beside a form.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no such {what}"),
        )
    }
}

impl From<StoreError> for ApiError {
    /// The status by kind: a write the schema refuses is the request's fault (409 for a key
    /// taken or a reference gone, 422 for a value the schema does not admit); a store that
    /// cannot read or write is 503; stored data that does not read back is 500.
    fn from(e: StoreError) -> ApiError {
        // The store's errors carry no personal data; the detail goes to the log only.
        match &e {
            StoreError::Constraint(kind, _) => {
                tracing::warn!(error = %e, "store refused a write");
                let (status, message) = match kind {
                    store::Constraint::Unique | store::Constraint::ForeignKey => (
                        StatusCode::CONFLICT,
                        "the change conflicts with what is stored; reload and try again",
                    ),
                    store::Constraint::NotNull | store::Constraint::Check => (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "the store does not admit this value",
                    ),
                };
                ApiError::new(status, "constraint_violated", message)
            }
            StoreError::Corrupt(_) => {
                tracing::error!(error = %e, "store");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "stored_data_unreadable",
                    "stored data could not be read; the operators have been told",
                )
            }
            StoreError::Database(_)
            | StoreError::Migration(_)
            | StoreError::Seal(_)
            | StoreError::SealingKey(_)
            | StoreError::IdentityKey(_)
            | StoreError::Setup(_)
            | StoreError::Ended => {
                tracing::error!(error = %e, "store");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    "the store could not answer; try again",
                )
            }
        }
    }
}

impl From<pnrgov::stored::StoredError> for ApiError {
    fn from(e: pnrgov::stored::StoredError) -> ApiError {
        // A stored booking that does not read: the error names no values.
        tracing::error!(error = %e, "stored booking");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "stored_data_unreadable",
            "a stored booking could not be read",
        )
    }
}

impl From<intake::IntakeError> for ApiError {
    fn from(e: intake::IntakeError) -> ApiError {
        use intake::IntakeError as E;
        match e {
            E::Store(e) => ApiError::from(e),
            E::Unknown(_) => ApiError::not_found("message"),
            E::List(e) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_the_list_format",
                e.to_string(),
            ),
            E::Corrupt(_) => {
                tracing::error!(error = %e, "intake");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "stored_data_unreadable",
                    "stored data could not be read; the operators have been told",
                )
            }
            E::Receipt(_) => {
                tracing::error!(error = %e, "intake");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "intake_unavailable",
                    "the message could not be taken in; send it again",
                )
            }
        }
    }
}

impl ApiError {
    /// The body clients get.
    pub(crate) fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.into(),
                message: self.message.clone(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

pub(crate) type Result<T> = std::result::Result<T, ApiError>;

pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Writes the audit record of a person's read: who, why, what.
pub(crate) async fn audit_read(
    state: &State,
    who: &Who,
    action: &str,
    subject: &str,
) -> Result<()> {
    Ok(who.audit_read(&state.store, action, subject).await?)
}

/// Liveness: the process answers; with where the bus stands.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "The process answers", body = Health)))]
pub(crate) async fn health(Shared(state): Shared<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        uptime_seconds: state.started.elapsed().as_secs(),
        bus: state.intake.bus().status().await.into(),
    })
}

/// Readiness: the store answers a write within a second (a full disk or a broken store shows
/// here as 503, not only as failing intake).
#[utoipa::path(get, path = "/ready", tag = "operations", responses(
    (status = 200, description = "The store reads and writes", body = Ready),
    (status = 503, description = "The store fails or is slow", body = Ready)))]
pub(crate) async fn ready(Shared(state): Shared<AppState>) -> Response {
    let check = tokio::time::timeout(
        std::time::Duration::from_secs(1),
        state.store.check_writable(),
    )
    .await;
    let (status, store) = match check {
        Ok(Ok(())) => (StatusCode::OK, "ok"),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "readiness: store");
            (StatusCode::SERVICE_UNAVAILABLE, "failing")
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "slow"),
    };
    let ready = Ready {
        ready: status == StatusCode::OK,
        store: store.into(),
        bus: state.intake.bus().status().await.into(),
    };
    (status, Json(ready)).into_response()
}

/// Prometheus metrics (no personal data in names or labels).
#[utoipa::path(get, path = "/metrics", tag = "operations", responses(
    (status = 200, description = "Prometheus text format 0.0.4", body = String, content_type = "text/plain")))]
pub(crate) async fn metrics(Shared(state): Shared<AppState>) -> Result<Response> {
    let out = crate::telemetry::render(&state).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response())
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations", responses(
    (status = 200, description = "The OpenAPI 3.1 document of this API", body = Object)))]
pub(crate) async fn openapi() -> Response {
    match crate::openapi::document().to_json() {
        Ok(text) => ([(header::CONTENT_TYPE, "application/json")], text).into_response(),
        Err(e) => {
            invariant::never!("the OpenAPI document does not serialise: {e}");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "document_unavailable",
                "the API document could not be written",
            )
            .into_response()
        }
    }
}

/// Carrier intake: a raw EDIFACT body (PAXLST, PNRGOV) with the carrier's bearer token.
/// Answers the receipt and the CONTRL. The credential and the rate limit are judged from the
/// headers alone: the body of a sender not accepted is never read (buffering up to the size
/// limit for anyone who connects would let bogus uploads take the memory).
#[utoipa::path(post, path = "/api/v1/messages", tag = "intake",
    request_body(description = "One EDIFACT interchange as sent, whatever the media type",
        content((String = "application/edifact"), (String = "text/plain"),
            (String = "application/octet-stream"))),
    security(("carrier" = [])),
    responses(
        (status = 202, description = "Kept and processed (or waiting for the rest of a series); with a bus, kept and queued (`outcome: queued`), or kept to be queued when the bus is back (`kept`): not to be sent again", body = Object),
        (status = 422, description = "Kept, but not readable as a message: the receipt says why", body = Object),
        (status = 400, description = "No body, or a body cut short", body = ErrorBody),
        (status = 401, description = "Not a carrier credential of this unit", body = ErrorBody),
        (status = 413, description = "Larger than the limit", body = ErrorBody),
        (status = 429, description = "Too many messages from this carrier; see Retry-After", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait")))))]
pub(crate) async fn receive(
    Shared(state): Shared<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    let carrier = carrier_of(&state, &headers)?;
    if let Some(rate) = &state.limits.rate
        && let Err(wait) = rate.take(&carrier)
    {
        let refusal = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many messages from this carrier; retry in {wait} s"),
        );
        return Ok((
            [(header::RETRY_AFTER, wait.to_string())],
            refusal.into_response(),
        )
            .into_response());
    }
    let limit = state.limits.body_bytes;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "message_too_large",
            format!("a message may have at most {limit} bytes"),
        )
    };
    // A declared length over the limit is refused before a byte of the body is read.
    if header_str(&headers, "content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > limit as u64)
    {
        return Err(too_large());
    }
    let body = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(e) if over_limit(&e) => return Err(too_large()),
        Err(_) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "body_unreadable",
                "the message could not be read to its end; send it again",
            ));
        }
    };
    if body.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "empty_body",
            "the request carries no message",
        ));
    }
    let receipt = state.intake.receive("http", &carrier, &body).await?;
    let status = match receipt.outcome {
        intake::Outcome::Failed => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::ACCEPTED,
    };
    Ok((status, Json(receipt)).into_response())
}

/// Whether reading a body stopped at the size limit (rather than on a broken connection).
fn over_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = s.source();
    }
    false
}

fn parse_state(s: &str) -> Result<MessageState> {
    Ok(match s {
        "received" => MessageState::Received,
        "processed" => MessageState::Processed,
        "waiting" => MessageState::Waiting,
        "failed" => MessageState::Failed,
        "duplicate" => MessageState::Duplicate,
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_state",
                "state is one of received, processed, waiting, failed, duplicate",
            ));
        }
    })
}

/// Messages of the vault, newest first.
/// The carrier a request's credential names (the bearer token; with open intake, the
/// `X-Passage-Carrier` header), or 401.
fn carrier_of(state: &State, headers: &HeaderMap) -> Result<String> {
    let bearer = header_str(headers, "authorization").and_then(|v| v.strip_prefix("Bearer "));
    let named = header_str(headers, "x-passage-carrier");
    state.credentials.carrier(bearer, named).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unknown_carrier_credential",
            "the bearer token is not a carrier credential of this unit",
        )
    })
}

/// A carrier's receipt, asked for again: where its message stands and the CONTRL for it
/// (with a bus the first answer is `queued`, before the message is read). Only the carrier
/// that sent the message sees it; for any other the message does not exist.
#[utoipa::path(get, path = "/api/v1/receipts/{id}", tag = "intake",
    params(("id" = i64, Path, description = "The `message` of the receipt", example = 1)),
    security(("carrier" = [])),
    responses(
        (status = 200, description = "Where the message stands, with its CONTRL", body = CarrierReceipt),
        (status = 401, description = "Not a carrier credential of this unit", body = ErrorBody),
        (status = 404, description = "No message of this carrier with that id", body = ErrorBody)))]
pub(crate) async fn receipt(
    Shared(state): Shared<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<CarrierReceipt>> {
    let carrier = carrier_of(&state, &headers)?;
    let message = state
        .store
        .message(id)
        .await?
        .filter(|m| m.carrier == carrier)
        .ok_or_else(|| ApiError::not_found("message"))?;
    let contrl = state.intake.contrl(id).await?;
    Ok(Json(CarrierReceipt {
        message: id,
        state: message.state,
        message_type: message.message_type,
        findings: message.findings.as_array().map_or(0, Vec::len),
        contrl,
    }))
}

#[utoipa::path(get, path = "/api/v1/messages", tag = "messages", params(MessageQuery),
    responses((status = 200, description = "A page of messages", body = MessageList)))]
pub(crate) async fn messages(
    Shared(state): Shared<AppState>,
    Query(q): Query<MessageQuery>,
) -> Result<Json<MessageList>> {
    let filter = q.state.as_deref().map(parse_state).transpose()?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let offset = q.offset.unwrap_or(0).max(0);
    let messages = state
        .store
        .messages(q.carrier.as_deref(), filter, None, limit, offset)
        .await?;
    Ok(Json(MessageList {
        messages,
        limit,
        offset,
    }))
}

/// One message: state, type, findings.
#[utoipa::path(get, path = "/api/v1/messages/{id}", tag = "messages",
    params(("id" = i64, Path, description = "Vault id", example = 1)),
    responses((status = 200, description = "The message", body = Object)))]
pub(crate) async fn message(
    Shared(state): Shared<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<store::StoredMessage>> {
    let m = state
        .store
        .message(id)
        .await?
        .ok_or_else(|| ApiError::not_found("message"))?;
    Ok(Json(m))
}

/// The bytes as kept (audited): as received, less the segments the law does not let the unit
/// keep, deleted on receipt (the message's `body` says `as_received` or `filtered`; its
/// `sha256` and `size` are of what was received).
#[utoipa::path(get, path = "/api/v1/messages/{id}/raw", tag = "messages",
    params(("id" = i64, Path, description = "Vault id", example = 1)),
    responses((status = 200, description = "The bytes as kept", body = String,
        content_type = "application/edifact")))]
pub(crate) async fn message_raw(
    Shared(state): Shared<AppState>,
    who: Who,
    Path(id): Path<i64>,
) -> Result<Response> {
    let body = state
        .store
        .message_body(id)
        .await?
        .ok_or_else(|| ApiError::not_found("message"))?;
    audit_read(&state, &who, "message.raw_viewed", &format!("message:{id}")).await?;
    Ok(([(header::CONTENT_TYPE, "application/edifact")], body).into_response())
}

/// Flights of a date.
#[utoipa::path(get, path = "/api/v1/flights", tag = "flights", params(FlightQuery),
    responses((status = 200, description = "The flights of the date", body = FlightsOnDate)))]
pub(crate) async fn flights(
    Shared(state): Shared<AppState>,
    Query(q): Query<FlightQuery>,
) -> Result<Json<FlightsOnDate>> {
    let Some(date) = q.date.filter(|d| d.parse::<jiff::civil::Date>().is_ok()) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_date",
            "date is required, as YYYY-MM-DD",
        ));
    };
    let flights = state.store.flights_on(&date).await?;
    Ok(Json(FlightsOnDate { date, flights }))
}

async fn find_flight(
    state: &State,
    flight: &str,
    route: &str,
    date: &str,
) -> Result<store::FlightRow> {
    let key = format!("{flight}/{route}/{date}");
    state
        .store
        .flight(&key)
        .await?
        .ok_or_else(|| ApiError::not_found("flight"))
}

/// One flight by key, e.g. XQ101/AMS-JFK/2026-12-01.
#[utoipa::path(get, path = "/api/v1/flights/{flight}/{route}/{date}", tag = "flights",
    params(FlightKey), responses((status = 200, description = "The flight", body = Object)))]
pub(crate) async fn flight(
    Shared(state): Shared<AppState>,
    Path((f, r, d)): Path<(String, String, String)>,
) -> Result<Json<store::FlightRow>> {
    Ok(Json(find_flight(&state, &f, &r, &d).await?))
}

/// A flight's key as three path segments.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub(crate) struct FlightKey {
    /// Carrier and number.
    #[param(example = "XQ101")]
    flight: String,
    /// Departure and arrival airports.
    #[param(example = "AMS-JFK")]
    route: String,
    /// Scheduled departure date, YYYY-MM-DD.
    #[param(example = "2026-12-01")]
    date: String,
}

/// The flight's manifest after changes and close-outs, with links of persons to PNR
/// travellers and the fields that agreed (audited).
#[utoipa::path(get, path = "/api/v1/flights/{flight}/{route}/{date}/manifest", tag = "flights",
    params(FlightKey), responses((status = 200, description = "The manifest", body = Manifest)))]
pub(crate) async fn manifest(
    Shared(state): Shared<AppState>,
    who: Who,
    Path((f, r, d)): Path<(String, String, String)>,
) -> Result<Json<Manifest>> {
    let row = find_flight(&state, &f, &r, &d).await?;
    let persons = state.store.manifest(row.id).await?;
    let links = state.store.links(row.id).await?;
    audit_read(
        &state,
        &who,
        "manifest.viewed",
        &format!("flight:{}", row.key),
    )
    .await?;
    Ok(Json(Manifest {
        flight: row,
        persons,
        links,
    }))
}

/// The latest version of each booking (audited).
#[utoipa::path(get, path = "/api/v1/flights/{flight}/{route}/{date}/bookings", tag = "flights",
    params(FlightKey), responses((status = 200, description = "The bookings", body = Bookings)))]
pub(crate) async fn bookings(
    Shared(state): Shared<AppState>,
    who: Who,
    Path((f, r, d)): Path<(String, String, String)>,
) -> Result<Json<Bookings>> {
    let row = find_flight(&state, &f, &r, &d).await?;
    let bookings = state
        .store
        .bookings(row.id)
        .await?
        .into_iter()
        .map(|v| {
            Ok(BookingVersionAnswer {
                booking: pnrgov::stored::read(v.format, &v.booking)?,
                version: v,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    audit_read(
        &state,
        &who,
        "bookings.viewed",
        &format!("flight:{}", row.key),
    )
    .await?;
    Ok(Json(Bookings {
        flight: row,
        bookings,
    }))
}

/// The trips of the person of a manifest row: the same travel document (State and number),
/// or the same name and date of birth, on other flights (audited).
#[utoipa::path(get, path = "/api/v1/travellers/{manifest_id}/trips", tag = "flights",
    params(("manifest_id" = i64, Path, description = "A manifest row", example = 1)),
    responses((status = 200, description = "The trips", body = Trips)))]
pub(crate) async fn trips(
    Shared(state): Shared<AppState>,
    who: Who,
    Path(manifest_id): Path<i64>,
) -> Result<Json<Trips>> {
    let trips = state.store.trips(manifest_id).await?;
    if trips.is_empty() {
        return Err(ApiError::not_found("traveller"));
    }
    audit_read(
        &state,
        &who,
        "traveller.trips",
        &format!("manifest:{manifest_id}"),
    )
    .await?;
    Ok(Json(Trips { trips }))
}

/// Counters per carrier since start.
#[utoipa::path(get, path = "/api/v1/carriers", tag = "carriers",
    responses((status = 200, description = "Counters by carrier", body = Carriers)))]
pub(crate) async fn carriers(Shared(state): Shared<AppState>) -> Json<Carriers> {
    Json(Carriers {
        carriers: state.intake.counters(),
    })
}

/// A carrier's compliance per day (counters kept in the store): received, processed,
/// duplicates, failed, with errors, incomplete series, persons missing fields, sensitive
/// data deleted, PNR early, first PNR late, API list late, close-out late, timing unknown.
#[utoipa::path(get, path = "/api/v1/carriers/{carrier}/scorecard", tag = "carriers",
    params(("carrier" = String, Path, description = "Carrier code"), ScorecardQuery),
    responses((status = 200, description = "Totals and days", body = Scorecard)))]
pub(crate) async fn scorecard(
    Shared(state): Shared<AppState>,
    Path(carrier): Path<String>,
    Query(q): Query<ScorecardQuery>,
) -> Result<Json<Scorecard>> {
    // The intake's clock: the demo's simulated day, the wall clock otherwise.
    let to = q.to.unwrap_or_else(|| {
        jiff::tz::TimeZone::UTC
            .to_datetime(state.intake.now())
            .date()
    });
    let from = match q.from {
        Some(from) => from,
        None => to.checked_sub(jiff::Span::new().days(30)).map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_date",
                "to is too early to count 30 days back; give from",
            )
        })?,
    };
    let carrier = carrier.to_ascii_uppercase();
    let rows = state
        .store
        .carrier_counts(Some(&carrier), &from.to_string(), &to.to_string())
        .await?;
    let mut days: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut totals: BTreeMap<String, i64> = BTreeMap::new();
    for r in rows {
        *totals.entry(r.name.clone()).or_insert(0) += r.n;
        days.entry(r.day).or_default().insert(r.name, r.n);
    }
    Ok(Json(Scorecard {
        carrier,
        from: from.to_string(),
        to: to.to_string(),
        totals,
        days: days
            .into_iter()
            .map(|(day, counts)| ScorecardDay { day, counts })
            .collect(),
    }))
}

/// Checks the audit log: every record's hash, link and MAC under the unit's key, and the
/// checkpoints kept outside the database. result: intact (records, unsealed: from before the
/// key, anchored: covered by the latest checkpoint), broken (at, reason: hash, mac,
/// checkpoint), truncated (records, expected), unanchored (reason: no_seal,
/// forged_checkpoint).
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, description = "The verdict", body = Object)))]
pub(crate) async fn audit_verify(Shared(state): Shared<AppState>) -> Result<Json<store::Verdict>> {
    Ok(Json(state.store.verify_audit().await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_answer_by_kind() {
        use store::Constraint as C;
        for (kind, status) in [
            (C::Unique, StatusCode::CONFLICT),
            (C::ForeignKey, StatusCode::CONFLICT),
            (C::NotNull, StatusCode::UNPROCESSABLE_ENTITY),
            (C::Check, StatusCode::UNPROCESSABLE_ENTITY),
        ] {
            let e = ApiError::from(StoreError::Constraint(kind, "t.c".into()));
            assert_eq!((e.status, e.code), (status, "constraint_violated"));
        }
        let e = ApiError::from(StoreError::Corrupt("x".into()));
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        let e = ApiError::from(StoreError::Ended);
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        let e = ApiError::from(intake::IntakeError::Unknown(3));
        assert_eq!(e.status, StatusCode::NOT_FOUND);
        let e = ApiError::from(intake::IntakeError::Store(StoreError::Constraint(
            C::Unique,
            String::new(),
        )));
        assert_eq!(e.status, StatusCode::CONFLICT);
    }
}
