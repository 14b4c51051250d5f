//! What the JSON API takes and answers, as types: the OpenAPI document is generated from
//! them (`openapi.rs`), so a field renamed here is renamed in the document.
//!
//! Rows of the store, the intake's receipts and reports, and the checker's problems are
//! carried as they serialise themselves and appear in the document as objects (their own
//! crates do not depend on the OpenAPI crate).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An error as clients get it: a stable snake_case code and a readable message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable: clients may branch on it (`not_found`, `purpose_required`, `rate_limited`…).
    pub code: String,
    /// For people; may change.
    pub message: String,
}

/// A criterion the checker refused: the error, and every problem with its rule and position.
#[derive(Debug, Serialize, ToSchema)]
pub struct Refusal {
    pub error: ErrorDetail,
    /// Rule, message, line, column, span of each problem. Absent when the body itself did
    /// not read (the answer is then an `ErrorBody`).
    #[schema(value_type = Vec<Object>, required = false)]
    pub problems: Vec<targeting::Problem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the process answers.
    pub status: String,
    pub uptime_seconds: u64,
    pub bus: BusState,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    pub ready: bool,
    /// `ok`, `failing` (an error) or `slow` (no answer within a second).
    pub store: String,
    /// Not part of readiness: a node that cannot reach NATS still keeps receipts (and
    /// publishes them when NATS is back).
    pub bus: BusState,
}

/// Where the queue between receiving and processing stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct BusState {
    /// `inline` (each message processed as it is received), `in_process` or `nats`.
    pub engine: String,
    /// `connected`, or `waiting_for_nats` while NATS cannot be reached.
    pub state: String,
    /// Messages queued or being processed; absent when the bus could not say in time.
    #[schema(required = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<u64>,
}

impl From<bus::Status> for BusState {
    fn from(s: bus::Status) -> BusState {
        BusState {
            engine: s.engine.into(),
            state: s.state.into(),
            pending: s.pending,
        }
    }
}

/// Filters of the vault's list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageQuery {
    /// Carrier code.
    pub carrier: Option<String>,
    /// received, processed, waiting, failed, duplicate.
    pub state: Option<String>,
    /// 1 to 1000, default 100.
    pub limit: Option<i64>,
    /// Default 0.
    pub offset: Option<i64>,
}

/// Where a carrier's message stands, for the carrier that sent it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CarrierReceipt {
    /// The vault id the first answer gave.
    pub message: i64,
    /// `received` (queued, not read yet), `processed`, `waiting` (a part of a series),
    /// `failed` or `duplicate`.
    #[schema(value_type = String)]
    pub state: store::MessageState,
    /// PAXLST, PNRGOV … once read.
    pub message_type: Option<String>,
    /// How many findings reading it left (0 before it is read).
    pub findings: usize,
    /// The CONTRL syntax report, when the interchange asks for one (UNB acknowledgement
    /// request, or errors).
    pub contrl: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    #[schema(value_type = Vec<Object>)]
    pub messages: Vec<store::StoredMessage>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlightQuery {
    /// YYYY-MM-DD.
    #[param(required = true, value_type = String, format = Date)]
    pub date: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlightsOnDate {
    pub date: String,
    #[schema(value_type = Vec<Object>)]
    pub flights: Vec<store::FlightRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Manifest {
    #[schema(value_type = Object)]
    pub flight: store::FlightRow,
    #[schema(value_type = Vec<Object>)]
    pub persons: Vec<store::ManifestRow>,
    #[schema(value_type = Vec<Object>)]
    pub links: Vec<store::Link>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Bookings {
    #[schema(value_type = Object)]
    pub flight: store::FlightRow,
    #[schema(value_type = Vec<Object>)]
    pub bookings: Vec<BookingVersionAnswer>,
}

/// A stored version of a booking, with the booking read through its stored form
/// (`pnrgov::stored`).
#[derive(Debug, Serialize)]
pub struct BookingVersionAnswer {
    #[serde(flatten)]
    pub version: store::BookingVersion,
    pub booking: pnrgov::Booking,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Trips {
    #[schema(value_type = Vec<Object>)]
    pub trips: Vec<store::Trip>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Carriers {
    /// Counters since start, by carrier code.
    #[schema(value_type = Object)]
    pub carriers: BTreeMap<String, intake::CarrierCounters>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScorecardQuery {
    /// First day, YYYY-MM-DD (default: 30 days before `to`).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<jiff::civil::Date>,
    /// Last day, YYYY-MM-DD (default: today, UTC).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<jiff::civil::Date>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Scorecard {
    pub carrier: String,
    pub from: String,
    pub to: String,
    /// Sum over the days, by counter name.
    pub totals: BTreeMap<String, i64>,
    pub days: Vec<ScorecardDay>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScorecardDay {
    pub day: String,
    /// By counter name: received, processed, duplicates, failed, with_errors…
    pub counts: BTreeMap<String, i64>,
}

/// Filters of the screening hits.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HitsQuery {
    /// open, suppressed, confirmed, false_alarm, needs_information.
    pub state: Option<String>,
    pub flight_id: Option<i64>,
    /// 1 to 1000, default 100.
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HitList {
    #[schema(value_type = Vec<Object>)]
    pub hits: Vec<store::HitRow>,
}

/// How an analyst decided a hit (the schema of `store::Disposition`).
#[derive(Debug, Clone, Copy, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum Disposition {
    Confirmed,
    FalseAlarm,
    NeedsInformation,
}

/// The disposition of a screening hit.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HitReview {
    #[schema(value_type = Disposition)]
    pub disposition: store::Disposition,
    #[serde(default)]
    pub note: String,
    /// For a false alarm: remember that this traveller is not this entry.
    pub remember: Option<Remember>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Remember {
    pub reason: String,
    /// YYYY-MM-DD; never expires when left out.
    #[schema(value_type = Option<String>, format = Date)]
    pub expires_on: Option<jiff::civil::Date>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HitReviewed {
    #[schema(value_type = Option<Object>)]
    pub hit: Option<store::HitRow>,
    /// The remembered false alarm made, if any.
    pub suppression: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListVersions {
    #[schema(value_type = Vec<Object>)]
    pub versions: Vec<store::ListVersionRow>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// un, ofac, eu, ftm, csv; detected when left out.
    pub format: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CriteriaList {
    #[schema(value_type = Vec<Object>)]
    pub versions: Vec<store::CriterionVersionRow>,
    #[schema(value_type = Vec<Object>)]
    pub stats: Vec<store::CriterionStats>,
}

/// A new draft version of a criterion.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewDraft {
    pub criterion: String,
    pub text: String,
    pub weight: f64,
    #[serde(default)]
    pub justification: String,
    /// YYYY-MM-DD; a year from today when left out.
    #[schema(value_type = Option<String>, format = Date)]
    pub review_by: Option<jiff::civil::Date>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckBody {
    pub text: String,
    /// Default 1.
    pub weight: Option<f64>,
}

/// The checker's answer: the canonical text and fields used, or every problem.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckAnswer {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
    #[schema(value_type = Vec<Object>)]
    pub problems: Vec<targeting::Problem>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BacktestBody {
    pub text: String,
    #[schema(value_type = String, format = Date)]
    pub from: jiff::civil::Date,
    #[schema(value_type = String, format = Date)]
    pub to: jiff::civil::Date,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionDetail {
    #[schema(value_type = Object)]
    pub version: store::CriterionVersionRow,
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<store::CriterionEventRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionStatsAnswer {
    #[schema(value_type = Object)]
    pub version: store::CriterionVersionRow,
    #[schema(value_type = Object)]
    pub stats: store::CriterionStats,
}

/// A lifecycle move of a criterion version.
#[derive(Debug, Clone, Copy, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum CriterionAction {
    Submit,
    Withdraw,
    Approve,
    Reject,
    Activate,
    Retire,
}

/// A note with a lifecycle move; the body may be empty.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Note {
    #[serde(default)]
    pub note: String,
}

/// Filters of the targeting hits.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetingHitsQuery {
    /// open, confirmed, false_alarm, needs_information.
    pub state: Option<String>,
    pub flight_id: Option<i64>,
    pub version_id: Option<i64>,
    pub criterion: Option<String>,
    /// 1 to 1000, default 100.
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetingHitList {
    #[schema(value_type = Vec<Object>)]
    pub hits: Vec<store::TargetingHitRow>,
}

/// The disposition of a targeting hit.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TargetingReview {
    #[schema(value_type = Disposition)]
    pub disposition: store::Disposition,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetingReviewed {
    #[schema(value_type = Object)]
    pub hit: store::TargetingHitRow,
}
