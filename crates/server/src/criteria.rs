//! Targeting over HTTP: criteria (list, draft, check with positions for the editor, back-test,
//! the lifecycle's moves, statistics per version) and the targeting hits waiting for review.
//! Who acts is the signed-in person (or token holder) and their roles. Reads of hits and
//! back-tests are audited.

use axum::Json;
use axum::extract::{Path, Query, State as Shared};
use axum::http::StatusCode;
use intake::criteria::{CriteriaError, Draft};
use serde::Deserialize;
use serde_json::json;
use store::{Disposition, TargetingHitFilter};
use targeting::{Action, Actor, Criterion, LifecycleError, Role};

use crate::access::Who;
use crate::api::{ApiError, AppState, Result, audit_read};

/// The person acting on criteria, with the roles the lifecycle knows.
pub(crate) fn actor(who: &Who) -> Actor {
    let p = &who.principal;
    let mut roles = Vec::new();
    if p.has(accounts::Role::Analyst) {
        roles.push(Role::Analyst);
    }
    if p.has(accounts::Role::Supervisor) {
        roles.push(Role::Supervisor);
    }
    Actor::new(&p.username, &roles)
}

/// A refused criterion: 422 with every problem and its position, for the editor.
fn problems(e: &targeting::CheckError) -> (StatusCode, Json<serde_json::Value>) {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({
            "error": { "code": "criterion_refused", "message": e.to_string() },
            "problems": e.problems,
        })),
    )
}

fn refused(e: CriteriaError) -> ApiError {
    let (status, code) = match e {
        // By the store error's kind: a constraint is 409/422, a store that cannot write 503.
        CriteriaError::Store(e) => return ApiError::from(e),
        CriteriaError::Corrupt(_) => {
            tracing::error!(error = %e, "criteria");
            (StatusCode::INTERNAL_SERVER_ERROR, "corrupt")
        }
        CriteriaError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        CriteriaError::Check(_) => (StatusCode::UNPROCESSABLE_ENTITY, "criterion_refused"),
        CriteriaError::Conflict => (StatusCode::CONFLICT, "state_changed"),
        CriteriaError::Lifecycle(ref l) => match l {
            LifecycleError::OwnCriterion { .. } => (StatusCode::FORBIDDEN, "four_eyes"),
            LifecycleError::MissingRole { .. } => (StatusCode::FORBIDDEN, "role_required"),
            LifecycleError::NotAuthor { .. } => (StatusCode::FORBIDDEN, "author_only"),
            LifecycleError::NotAllowed { .. } => (StatusCode::CONFLICT, "not_allowed_in_state"),
            LifecycleError::Check(_) => (StatusCode::UNPROCESSABLE_ENTITY, "criterion_refused"),
            LifecycleError::ReviewOverdue { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "review_overdue")
            }
            LifecycleError::NoJustification => {
                (StatusCode::UNPROCESSABLE_ENTITY, "justification_required")
            }
        },
    };
    ApiError::new(status, code, e.to_string())
}

pub(crate) async fn list(Shared(state): Shared<AppState>) -> Result<Json<serde_json::Value>> {
    let store = state.intake.store();
    let versions = store.criterion_versions(None).await?;
    let stats = store.criterion_stats(None).await?;
    Ok(Json(json!({ "versions": versions, "stats": stats })))
}

#[derive(Debug, Deserialize)]
pub(crate) struct NewDraft {
    pub criterion: String,
    pub text: String,
    pub weight: f64,
    #[serde(default)]
    pub justification: String,
    /// YYYY-MM-DD; a year from today when left out.
    pub review_by: Option<jiff::civil::Date>,
}

pub(crate) async fn create(
    Shared(state): Shared<AppState>,
    who: Who,
    Json(d): Json<NewDraft>,
) -> Result<(StatusCode, Json<serde_json::Value>)> {
    match draft(&state, &who, &d).await? {
        Ok(v) => Ok((StatusCode::CREATED, Json(json!(v)))),
        Err(e) => Ok(problems(&e)),
    }
}

/// Checks a draft and keeps it as the criterion's next version, by the signed-in person: the
/// one path the API and the console share. A refusal by the checker is the inner error.
pub(crate) async fn draft(
    state: &crate::State,
    who: &Who,
    d: &NewDraft,
) -> Result<std::result::Result<store::CriterionVersionRow, targeting::CheckError>> {
    let author = actor(who);
    let review_by = d.review_by.unwrap_or_else(|| {
        let today = jiff::tz::TimeZone::UTC
            .to_datetime(state.intake.now())
            .date();
        today
            .checked_add(jiff::Span::new().years(1))
            .unwrap_or(today)
    });
    let draft = Draft {
        criterion: &d.criterion,
        text: &d.text,
        weight: d.weight,
        justification: &d.justification,
        review_by,
    };
    checked(state.intake.draft_criterion(&draft, &author).await)
}

/// A criterion the checker refused is an answer (its problems, for the editor); any other
/// failure is an error.
fn checked<T>(
    r: std::result::Result<T, CriteriaError>,
) -> Result<std::result::Result<T, targeting::CheckError>> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(CriteriaError::Check(e)) => Ok(Err(e)),
        Err(e) => Err(refused(e)),
    }
}

pub(crate) async fn version(
    Shared(state): Shared<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>> {
    let store = state.intake.store();
    let v = store
        .criterion_version(id)
        .await?
        .ok_or_else(|| ApiError::not_found("criterion version"))?;
    let events = store.criterion_events(id).await?;
    Ok(Json(json!({ "version": v, "events": events })))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Note {
    #[serde(default)]
    note: String,
}

pub(crate) async fn act(
    Shared(state): Shared<AppState>,
    who: Who,
    Path((id, action)): Path<(i64, String)>,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>> {
    let note = if body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        serde_json::from_slice::<Note>(&body)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_body", e.to_string()))?
            .note
    };
    let v = move_version(&state, &who, id, &action, &note).await?;
    Ok(Json(json!(v)))
}

/// A lifecycle action by its name in a path.
pub(crate) fn parse_action(name: &str) -> Option<Action> {
    Some(match name {
        "submit" => Action::Submit,
        "withdraw" => Action::Withdraw,
        "approve" => Action::Approve,
        "reject" => Action::Reject,
        "activate" => Action::Activate,
        "retire" => Action::Retire,
        _ => return None,
    })
}

/// Moves a version by the signed-in person under the lifecycle's rules (four eyes included):
/// the one path the API and the console share.
pub(crate) async fn move_version(
    state: &crate::State,
    who: &Who,
    id: i64,
    action: &str,
    note: &str,
) -> Result<store::CriterionVersionRow> {
    let action = parse_action(action).ok_or_else(|| ApiError::not_found("criterion action"))?;
    state
        .intake
        .criterion_action(id, action, &actor(who), note)
        .await
        .map_err(refused)
}

#[derive(Debug, Deserialize)]
pub(crate) struct CheckBody {
    text: String,
    weight: Option<f64>,
}

/// For the editor: the canonical form, or every problem with its rule, span, line and column.
pub(crate) async fn check(Json(b): Json<CheckBody>) -> Json<serde_json::Value> {
    match Criterion::compile(&b.text, b.weight.unwrap_or(1.0)) {
        Ok(c) => {
            let fields: Vec<&str> = c.fields().map(|f| f.name).collect();
            Json(json!({ "ok": true, "text": c.text(), "fields": fields, "problems": [] }))
        }
        Err(e) => Json(json!({ "ok": false, "problems": e.problems })),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct BacktestBody {
    text: String,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
}

pub(crate) async fn backtest(
    Shared(state): Shared<AppState>,
    who: Who,
    Json(b): Json<BacktestBody>,
) -> Result<(StatusCode, Json<serde_json::Value>)> {
    match run_backtest(&state, &who, &b.text, b.from, b.to).await? {
        Ok(report) => Ok((StatusCode::OK, Json(json!(report)))),
        Err(e) => Ok(problems(&e)),
    }
}

/// Back-tests a criterion text over the stored bookings of a period (audited by the intake):
/// the one path the API and the console share. A refusal by the checker is the inner error.
pub(crate) async fn run_backtest(
    state: &crate::State,
    who: &Who,
    text: &str,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<std::result::Result<intake::criteria::BacktestReport, targeting::CheckError>> {
    let who = actor(who);
    checked(state.intake.backtest(text, from, to, &who.id).await)
}

pub(crate) async fn stats(
    Shared(state): Shared<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>> {
    let store = state.intake.store();
    let v = store
        .criterion_version(id)
        .await?
        .ok_or_else(|| ApiError::not_found("criterion version"))?;
    let stats = store
        .criterion_stats(Some(id))
        .await?
        .into_iter()
        .next()
        .unwrap_or_default();
    Ok(Json(json!({ "version": v, "stats": stats })))
}

#[derive(Debug, Deserialize)]
pub(crate) struct HitsQuery {
    /// open, confirmed, false_alarm, needs_information.
    state: Option<String>,
    flight_id: Option<i64>,
    version_id: Option<i64>,
    criterion: Option<String>,
    limit: Option<i64>,
}

pub(crate) async fn hits(
    Shared(state): Shared<AppState>,
    who: Who,
    Query(q): Query<HitsQuery>,
) -> Result<Json<serde_json::Value>> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let rows = state
        .intake
        .store()
        .targeting_hits(
            &TargetingHitFilter {
                state: q.state.as_deref(),
                flight_id: q.flight_id,
                version_id: q.version_id,
                criterion: q.criterion.as_deref(),
            },
            limit,
        )
        .await?;
    audit_read(
        &state,
        &who,
        "targeting_hits.listed",
        &format!(
            "targeting_hits:state={}",
            q.state.as_deref().unwrap_or("any")
        ),
    )
    .await?;
    Ok(Json(json!({ "hits": rows })))
}

pub(crate) async fn hit(
    Shared(state): Shared<AppState>,
    who: Who,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>> {
    let row = state
        .intake
        .store()
        .targeting_hit(id)
        .await?
        .ok_or_else(|| ApiError::not_found("targeting hit"))?;
    audit_read(
        &state,
        &who,
        "targeting_hit.read",
        &format!("targeting_hit:{id}"),
    )
    .await?;
    Ok(Json(json!(row)))
}

#[derive(Debug, Deserialize)]
pub(crate) struct Review {
    disposition: Disposition,
    #[serde(default)]
    note: String,
}

pub(crate) async fn review(
    Shared(state): Shared<AppState>,
    who: Who,
    Path(id): Path<i64>,
    Json(review): Json<Review>,
) -> Result<Json<serde_json::Value>> {
    let row = record_targeting_review(
        &state,
        &who.principal.username,
        id,
        review.disposition,
        &review.note,
    )
    .await?;
    Ok(Json(json!({ "hit": row })))
}

/// Records the disposition of a targeting hit: the one path for the API and the console.
pub(crate) async fn record_targeting_review(
    state: &crate::State,
    who: &str,
    id: i64,
    disposition: Disposition,
    note: &str,
) -> Result<store::TargetingHitRow> {
    let store = state.intake.store();
    let mut tx = store.begin().await?;
    let done = tx.review_targeting_hit(id, disposition, who, note).await?;
    tx.commit().await?;
    if !done {
        return Err(ApiError::not_found("targeting hit"));
    }
    store
        .targeting_hit(id)
        .await?
        .ok_or_else(|| ApiError::not_found("targeting hit"))
}
