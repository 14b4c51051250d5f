//! Routes and handlers.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State as Shared};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use store::{MessageState, StoreError};

use crate::State;
use crate::access::{Access, Face, Route, Who, route};
use crate::roles::*;

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
    fn from(e: StoreError) -> ApiError {
        // The store's errors carry no personal data; the detail goes to the log only.
        tracing::error!(error = %e, "store");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            "the store could not answer; try again",
        )
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
        tracing::error!(error = %e, "intake");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "intake_unavailable",
            "the message could not be taken in; send it again",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "error": { "code": self.code, "message": self.message } })),
        )
            .into_response()
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
    Ok(who
        .audit_read(state.intake.store(), action, subject)
        .await?)
}

async fn health(Shared(state): Shared<AppState>) -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "uptime_seconds": state.started.elapsed().as_secs() }))
}

/// Ready when the store answers a write within a second: a full disk or a broken store shows
/// here (503), not only as failing intake.
async fn ready(Shared(state): Shared<AppState>) -> Response {
    let check = tokio::time::timeout(
        std::time::Duration::from_secs(1),
        state.intake.store().check_writable(),
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
    let ready = status == StatusCode::OK;
    (status, Json(json!({ "ready": ready, "store": store }))).into_response()
}

async fn metrics(Shared(state): Shared<AppState>) -> Result<Response> {
    let mut out = String::from(
        "# HELP passage_messages Messages in the vault by state.\n# TYPE passage_messages gauge\n",
    );
    for (s, n) in state.intake.store().count_messages().await? {
        out.push_str(&format!(
            "passage_messages{{state=\"{}\"}} {n}\n",
            s.as_str()
        ));
    }
    out.push_str("# HELP passage_carrier_messages_total Messages per carrier since start, by outcome.\n# TYPE passage_carrier_messages_total counter\n");
    for (carrier, c) in state.intake.counters() {
        for (what, n) in [
            ("received", c.received),
            ("processed", c.processed),
            ("duplicate", c.duplicates),
            ("failed", c.failed),
            ("with_errors", c.with_errors),
        ] {
            out.push_str(&format!(
                "passage_carrier_messages_total{{carrier=\"{carrier}\",outcome=\"{what}\"}} {n}\n"
            ));
        }
    }
    out.push_str("# HELP passage_sign_in_refused_total Sign-in attempts refused since start, by reason.\n# TYPE passage_sign_in_refused_total counter\n");
    for (reason, n) in state.accounts.refusals() {
        out.push_str(&format!(
            "passage_sign_in_refused_total{{reason=\"{}\"}} {n}\n",
            reason.as_str()
        ));
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response())
}

async fn openapi() -> Json<serde_json::Value> {
    let path = |summary: &str| json!({ "summary": summary });
    Json(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Passage",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Every route but /health, /ready, /api/openapi.json and the carriers' POST /api/v1/messages needs a bearer token (`passage users token NAME`) or a console session, and a role: personal data (manifests, bookings, raw messages, hits) is for analysts and supervisors, data quality also for carrier liaison and administrators, the audit for the data protection officer. Every route that opens personal data (manifests, bookings, trips, raw messages, hits and their review, back-tests) needs X-Passage-Purpose: the purpose or case reference recorded with each read; without it the answer is 400 purpose_required. Bearer tokens expire (90 days by default) and can be revoked one by one; a user sees and decides only the hits of their agency's lists and of the unit's own."
        },
        "components": { "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } } },
        "security": [{ "bearer": [] }],
        "paths": {
            "/api/v1/messages": {
                "post": path("Carrier intake: a raw EDIFACT body (PAXLST, PNRGOV); bearer token of the carrier. Answers the receipt and the CONTRL."),
                "get": path("Messages of the vault, newest first; filters carrier, state, limit, offset.")
            },
            "/api/v1/messages/{id}": { "get": path("One message: state, type, findings.") },
            "/api/v1/messages/{id}/raw": { "get": path("The bytes as received (audited).") },
            "/api/v1/flights": { "get": path("Flights of a date (date=YYYY-MM-DD).") },
            "/api/v1/flights/{flight}/{route}/{date}": { "get": path("One flight by key, e.g. XQ101/AMS-JFK/2026-12-01.") },
            "/api/v1/flights/{flight}/{route}/{date}/manifest": { "get": path("The flight's manifest after changes and close-outs, with links of persons to PNR travellers and the fields that agreed (audited).") },
            "/api/v1/flights/{flight}/{route}/{date}/bookings": { "get": path("The latest version of each booking (audited).") },
            "/api/v1/travellers/{manifest_id}/trips": { "get": path("The person's trips: the same travel document (State and number), or the same name and date of birth, on other flights (audited).") },
            "/api/v1/carriers": { "get": path("Counters per carrier since start.") },
            "/api/v1/carriers/{carrier}/scorecard": { "get": path("A carrier's compliance per day (from, to): received, processed, duplicates, failed, with errors, incomplete series, persons missing fields, sensitive data deleted, PNR early, first PNR late, API list late, close-out late, timing unknown.") },
            "/api/v1/audit/verify": { "get": path("Checks the audit log: every record's hash, link and MAC under the unit's key, and the checkpoints kept outside the database. result: intact (records, unsealed: from before the key, anchored: covered by the latest checkpoint), broken (at, reason: hash, mac, checkpoint), truncated (records, expected), unanchored (reason: no_seal, forged_checkpoint).") },
            "/api/v1/hits": { "get": path("Screening hits, newest first; filters state (open, suppressed, confirmed, false_alarm, needs_information), flight_id, limit (audited).") },
            "/api/v1/hits/{id}": { "get": path("One hit with its explanation: entry, list, list version, per-field comparisons (audited).") },
            "/api/v1/hits/{id}/review": { "post": path("Disposition of a hit by the signed-in analyst or supervisor: {disposition: confirmed|false_alarm|needs_information, note, remember: {reason, expires_on}} (audited).") },
            "/api/v1/lists": { "get": path("Watchlist versions, newest first per list.") },
            "/api/v1/lists/{list}": { "post": path("Import a list file (UN, OFAC, EU XML; FollowTheMoney JSON lines; CSV) as the next version of {list}; ?format= when not detectable. Re-screens stored travellers against what changed (audited).") },
            "/api/v1/criteria": {
                "get": path("Every version of every targeting criterion (state, author, approver, review date) with hits and reviews per version."),
                "post": path("A new draft version by the signed-in analyst or supervisor: {criterion, text, weight, justification, review_by}; 422 with every problem (rule, line, column, span) when the checker refuses it (audited).")
            },
            "/api/v1/criteria/check": { "post": path("Checks {text, weight}: the canonical form and the fields used, or every problem with rule, message, line, column and span (for the editor).") },
            "/api/v1/criteria/backtest": { "post": path("Evaluates {text, from, to} over the stored bookings of flights departing in the period: flights, booking versions and travellers evaluated, travellers, bookings and flights hit, a sample of up to 20 with explanations (audited).") },
            "/api/v1/criteria/{id}": { "get": path("One criterion version with its events.") },
            "/api/v1/criteria/{id}/stats": { "get": path("Hits, open, reviewed, confirmed, false alarms and needs-information of one version.") },
            "/api/v1/criteria/{id}/{action}": { "post": path("submit, withdraw (author); approve, reject (a supervisor other than the author: four eyes); activate (retires the criterion's previous active version), retire (supervisor). Body {note} (audited).") },
            "/api/v1/targeting/hits": { "get": path("Targeting hits, newest first, each with its criterion version and explanation; filters state (open, confirmed, false_alarm, needs_information), flight_id, version_id, criterion, limit (audited).") },
            "/api/v1/targeting/hits/{id}": { "get": path("One targeting hit (audited).") },
            "/api/v1/targeting/hits/{id}/review": { "post": path("Disposition of a targeting hit by the signed-in analyst or supervisor: {disposition: confirmed|false_alarm|needs_information, note} (audited).") },
            "/health": { "get": path("Liveness: the process answers.") },
            "/ready": { "get": path("Readiness: the store reads and writes (503 when it does not).") },
            "/metrics": { "get": path("Prometheus metrics (no personal data).") }
        }
    }))
}

/// The carriers' intake. The credential and the rate limit are judged from the headers alone:
/// the body of a sender not accepted is never read (buffering up to the size limit for anyone
/// who connects would let bogus uploads take the memory).
async fn receive(
    Shared(state): Shared<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    let bearer = header_str(&headers, "authorization").and_then(|v| v.strip_prefix("Bearer "));
    let named = header_str(&headers, "x-passage-carrier");
    let Some(carrier) = state.credentials.carrier(bearer, named) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unknown_carrier_credential",
            "the bearer token is not a carrier credential of this unit",
        ));
    };
    if let Some(rate) = &state.limits.rate
        && let Err(wait) = rate.take(&carrier)
    {
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, wait.to_string())],
            Json(json!({ "error": { "code": "rate_limited", "message": format!("too many messages from this carrier; retry in {wait} s") } })),
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

#[derive(Deserialize)]
struct MessageQuery {
    carrier: Option<String>,
    state: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
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

async fn messages(
    Shared(state): Shared<AppState>,
    Query(q): Query<MessageQuery>,
) -> Result<Json<serde_json::Value>> {
    let filter = q.state.as_deref().map(parse_state).transpose()?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let offset = q.offset.unwrap_or(0).max(0);
    let list = state
        .intake
        .store()
        .messages(q.carrier.as_deref(), filter, None, limit, offset)
        .await?;
    Ok(Json(
        json!({ "messages": list, "limit": limit, "offset": offset }),
    ))
}

async fn message(
    Shared(state): Shared<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<store::StoredMessage>> {
    let m = state
        .intake
        .store()
        .message(id)
        .await?
        .ok_or_else(|| ApiError::not_found("message"))?;
    Ok(Json(m))
}

async fn message_raw(
    Shared(state): Shared<AppState>,
    who: Who,
    Path(id): Path<i64>,
) -> Result<Response> {
    let body = state
        .intake
        .store()
        .message_body(id)
        .await?
        .ok_or_else(|| ApiError::not_found("message"))?;
    audit_read(&state, &who, "message.raw_viewed", &format!("message:{id}")).await?;
    Ok(([(header::CONTENT_TYPE, "application/edifact")], body).into_response())
}

#[derive(Deserialize)]
struct FlightQuery {
    date: Option<String>,
}

async fn flights(
    Shared(state): Shared<AppState>,
    Query(q): Query<FlightQuery>,
) -> Result<Json<serde_json::Value>> {
    let Some(date) = q.date.filter(|d| d.parse::<jiff::civil::Date>().is_ok()) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_date",
            "date is required, as YYYY-MM-DD",
        ));
    };
    let flights = state.intake.store().flights_on(&date).await?;
    Ok(Json(json!({ "date": date, "flights": flights })))
}

async fn find_flight(
    state: &State,
    flight: &str,
    route: &str,
    date: &str,
) -> Result<store::FlightRow> {
    let key = format!("{flight}/{route}/{date}");
    state
        .intake
        .store()
        .flight(&key)
        .await?
        .ok_or_else(|| ApiError::not_found("flight"))
}

async fn flight(
    Shared(state): Shared<AppState>,
    Path((f, r, d)): Path<(String, String, String)>,
) -> Result<Json<store::FlightRow>> {
    Ok(Json(find_flight(&state, &f, &r, &d).await?))
}

async fn manifest(
    Shared(state): Shared<AppState>,
    who: Who,
    Path((f, r, d)): Path<(String, String, String)>,
) -> Result<Json<serde_json::Value>> {
    let row = find_flight(&state, &f, &r, &d).await?;
    let manifest = state.intake.store().manifest(row.id).await?;
    let links = state.intake.store().links(row.id).await?;
    audit_read(
        &state,
        &who,
        "manifest.viewed",
        &format!("flight:{}", row.key),
    )
    .await?;
    Ok(Json(
        json!({ "flight": row, "persons": manifest, "links": links }),
    ))
}

async fn bookings(
    Shared(state): Shared<AppState>,
    who: Who,
    Path((f, r, d)): Path<(String, String, String)>,
) -> Result<Json<serde_json::Value>> {
    let row = find_flight(&state, &f, &r, &d).await?;
    /// A stored version with its booking read through the stored form (`pnrgov::stored`).
    #[derive(serde::Serialize)]
    struct Version {
        #[serde(flatten)]
        version: store::BookingVersion,
        booking: pnrgov::Booking,
    }
    let bookings = state
        .intake
        .store()
        .bookings(row.id)
        .await?
        .into_iter()
        .map(|v| {
            Ok(Version {
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
    Ok(Json(json!({ "flight": row, "bookings": bookings })))
}

/// The trips of the person of a manifest row: the same travel document, or the same name and
/// date of birth, on other flights (audited).
async fn trips(
    Shared(state): Shared<AppState>,
    who: Who,
    Path(manifest_id): Path<i64>,
) -> Result<Json<serde_json::Value>> {
    let trips = state.intake.store().trips(manifest_id).await?;
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
    Ok(Json(json!({ "trips": trips })))
}

async fn carriers(Shared(state): Shared<AppState>) -> Json<serde_json::Value> {
    Json(json!({ "carriers": state.intake.counters() }))
}

#[derive(Debug, Deserialize)]
struct ScorecardQuery {
    /// First day, YYYY-MM-DD (default: 30 days before `to`).
    from: Option<jiff::civil::Date>,
    /// Last day, YYYY-MM-DD (default: today, UTC).
    to: Option<jiff::civil::Date>,
}

/// A carrier's compliance per day: what it sent and how (counters kept in the store).
async fn scorecard(
    Shared(state): Shared<AppState>,
    Path(carrier): Path<String>,
    Query(q): Query<ScorecardQuery>,
) -> Result<Json<serde_json::Value>> {
    // The intake's clock: the demo's simulated day, the wall clock otherwise.
    let to = q.to.unwrap_or_else(|| {
        jiff::tz::TimeZone::UTC
            .to_datetime(state.intake.now())
            .date()
    });
    let from = q
        .from
        .unwrap_or_else(|| to.checked_sub(jiff::Span::new().days(30)).unwrap_or(to));
    let carrier = carrier.to_ascii_uppercase();
    let rows = state
        .intake
        .store()
        .carrier_counts(Some(&carrier), &from.to_string(), &to.to_string())
        .await?;
    let mut days: std::collections::BTreeMap<String, serde_json::Map<String, serde_json::Value>> =
        std::collections::BTreeMap::new();
    let mut totals = serde_json::Map::new();
    for r in rows {
        days.entry(r.day)
            .or_default()
            .insert(r.name.clone(), json!(r.n));
        let t = totals
            .get(&r.name)
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(0);
        totals.insert(r.name, json!(t + r.n));
    }
    let days: Vec<serde_json::Value> = days
        .into_iter()
        .map(|(day, counts)| json!({ "day": day, "counts": counts }))
        .collect();
    Ok(Json(json!({
        "carrier": carrier,
        "from": from.to_string(),
        "to": to.to_string(),
        "totals": totals,
        "days": days,
    })))
}

async fn audit_verify(Shared(state): Shared<AppState>) -> Result<Json<store::Verdict>> {
    Ok(Json(state.intake.store().verify_audit().await?))
}
