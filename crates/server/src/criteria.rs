//! Targeting over HTTP: criteria (list, draft, check with positions for the editor, back-test,
//! the lifecycle's moves, statistics per version) and the targeting hits waiting for review.
//! Who acts is the signed-in person (or token holder) and their roles. Reads of hits and
//! back-tests are audited.

use axum::Json;
use axum::extract::{Path, Query, State as Shared};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use intake::criteria::{CriteriaError, Draft};
use store::{Disposition, TargetingHitFilter};
use targeting::{Action, Actor, Criterion, LifecycleError};

use crate::access::Who;
use crate::api::{ApiError, AppState, Result, audit_read};
pub(crate) use crate::wire::NewDraft;
use crate::wire::{
    BacktestBody, CheckAnswer, CheckBody, CriteriaList, CriterionAction, CriterionDetail,
    CriterionStatsAnswer, ErrorBody, ErrorDetail, Note, Refusal, TargetingHitList,
    TargetingHitsQuery, TargetingReview, TargetingReviewed,
};

/// The person acting on criteria, with the roles the lifecycle knows.
pub(crate) fn actor(who: &Who) -> Actor {
    Actor::new(&who.principal.username, &who.principal.roles)
}

/// A refused criterion: 422 with every problem and its position, for the editor.
fn problems(e: targeting::CheckError) -> Response {
    let refusal = Refusal {
        error: ErrorDetail {
            code: "criterion_refused".into(),
            message: e.to_string(),
        },
        problems: e.problems,
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(refusal)).into_response()
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

/// Every version of every targeting criterion (state, author, approver, review date) with
/// hits and reviews per version.
#[utoipa::path(get, path = "/api/v1/criteria", tag = "targeting",
    responses((status = 200, description = "Versions and statistics", body = CriteriaList)))]
pub(crate) async fn list(Shared(state): Shared<AppState>) -> Result<Json<CriteriaList>> {
    let store = &state.store;
    let versions = store.criterion_versions(None).await?;
    let stats = store.criterion_stats(None).await?;
    Ok(Json(CriteriaList { versions, stats }))
}

/// A new draft version by the signed-in analyst or supervisor (audited).
#[utoipa::path(post, path = "/api/v1/criteria", tag = "targeting", request_body = NewDraft,
    responses(
        (status = 201, description = "The draft kept", body = Object),
        (status = 422, description = "The checker refused it: every problem with its position", body = Refusal)))]
pub(crate) async fn create(
    Shared(state): Shared<AppState>,
    who: Who,
    Json(d): Json<NewDraft>,
) -> Result<Response> {
    match draft(&state, &who, &d).await? {
        Ok(v) => Ok((StatusCode::CREATED, Json(v)).into_response()),
        Err(e) => Ok(problems(e)),
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
        // Only in the calendar's last year is there no year after today.
        invariant::Surely::surely_or(
            today.checked_add(jiff::Span::new().years(1)),
            today,
            "a year after today",
        )
    });
    let draft = Draft {
        criterion: &d.criterion,
        text: &d.text,
        weight: d.weight,
        justification: &d.justification,
        review_by,
    };
    checked(state.criteria.draft(&draft, &author).await)
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

/// One criterion version with its events.
#[utoipa::path(get, path = "/api/v1/criteria/{id}", tag = "targeting",
    params(("id" = i64, Path, description = "Version id", example = 1)),
    responses((status = 200, description = "The version and its events", body = CriterionDetail)))]
pub(crate) async fn version(
    Shared(state): Shared<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<CriterionDetail>> {
    let store = &state.store;
    let v = store
        .criterion_version(id)
        .await?
        .ok_or_else(|| ApiError::not_found("criterion version"))?;
    let events = store.criterion_events(id).await?;
    Ok(Json(CriterionDetail { version: v, events }))
}

/// A lifecycle move: submit, withdraw (author); approve, reject (a supervisor other than the
/// author: four eyes); activate (retires the criterion's previous active version), retire
/// (supervisor). The body `{note}` may be left out (audited).
#[utoipa::path(post, path = "/api/v1/criteria/{id}/{action}", tag = "targeting",
    params(("id" = i64, Path, description = "Version id", example = 1),
        ("action" = CriterionAction, Path, description = "The move")),
    request_body(content = Option<Note>, content_type = "application/json"),
    responses(
        (status = 200, description = "The version as now stored", body = Object),
        (status = 409, description = "Not allowed in the version's state, or it changed meanwhile", body = ErrorBody)))]
pub(crate) async fn act(
    Shared(state): Shared<AppState>,
    who: Who,
    Path((id, action)): Path<(i64, String)>,
    body: axum::body::Bytes,
) -> Result<Json<store::CriterionVersionRow>> {
    let note = if body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        serde_json::from_slice::<Note>(&body)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_body", e.to_string()))?
            .note
    };
    let v = move_version(&state, &who, id, &action, &note).await?;
    Ok(Json(v))
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
        .criteria
        .act(id, action, &actor(who), note)
        .await
        .map_err(refused)
}

/// For the editor: the canonical form and the fields used, or every problem with its rule,
/// span, line and column.
#[utoipa::path(post, path = "/api/v1/criteria/check", tag = "targeting", request_body = CheckBody,
    responses((status = 200, description = "The checker's answer", body = CheckAnswer)))]
pub(crate) async fn check(Json(b): Json<CheckBody>) -> Json<CheckAnswer> {
    Json(match Criterion::compile(&b.text, b.weight.unwrap_or(1.0)) {
        Ok(c) => CheckAnswer {
            ok: true,
            text: Some(c.text().to_string()),
            fields: Some(c.fields().map(|f| f.name.to_string()).collect()),
            problems: Vec::new(),
        },
        Err(e) => CheckAnswer {
            ok: false,
            text: None,
            fields: None,
            problems: e.problems,
        },
    })
}

/// Evaluates a criterion text over the stored bookings of flights departing in the period:
/// flights, booking versions and travellers evaluated, travellers, bookings and flights hit,
/// a sample of up to 20 with explanations (audited).
#[utoipa::path(post, path = "/api/v1/criteria/backtest", tag = "targeting",
    request_body = BacktestBody,
    responses(
        (status = 200, description = "The report", body = Object),
        (status = 422, description = "The checker refused the text", body = Refusal)))]
pub(crate) async fn backtest(
    Shared(state): Shared<AppState>,
    who: Who,
    Json(b): Json<BacktestBody>,
) -> Result<Response> {
    match run_backtest(&state, &who, &b.text, b.from, b.to).await? {
        Ok(report) => Ok(Json(report).into_response()),
        Err(e) => Ok(problems(e)),
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
    checked(state.criteria.backtest(text, from, to, &who.id).await)
}

/// Hits, open, reviewed, confirmed, false alarms and needs-information of one version.
#[utoipa::path(get, path = "/api/v1/criteria/{id}/stats", tag = "targeting",
    params(("id" = i64, Path, description = "Version id", example = 1)),
    responses((status = 200, description = "The version and its statistics", body = CriterionStatsAnswer)))]
pub(crate) async fn stats(
    Shared(state): Shared<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<CriterionStatsAnswer>> {
    let store = &state.store;
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
    Ok(Json(CriterionStatsAnswer { version: v, stats }))
}

/// Targeting hits, newest first, each with its criterion version and explanation (audited).
#[utoipa::path(get, path = "/api/v1/targeting/hits", tag = "targeting", params(TargetingHitsQuery),
    responses((status = 200, description = "The hits", body = TargetingHitList)))]
pub(crate) async fn hits(
    Shared(state): Shared<AppState>,
    who: Who,
    Query(q): Query<TargetingHitsQuery>,
) -> Result<Json<TargetingHitList>> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let rows = state
        .store
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
    Ok(Json(TargetingHitList { hits: rows }))
}

/// One targeting hit (audited).
#[utoipa::path(get, path = "/api/v1/targeting/hits/{id}", tag = "targeting",
    params(("id" = i64, Path, description = "Targeting hit id", example = 1)),
    responses((status = 200, description = "The hit", body = Object)))]
pub(crate) async fn hit(
    Shared(state): Shared<AppState>,
    who: Who,
    Path(id): Path<i64>,
) -> Result<Json<store::TargetingHitRow>> {
    let row = state
        .store
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
    Ok(Json(row))
}

/// Disposition of a targeting hit by the signed-in analyst or supervisor (audited).
#[utoipa::path(post, path = "/api/v1/targeting/hits/{id}/review", tag = "targeting",
    params(("id" = i64, Path, description = "Targeting hit id", example = 1)), request_body = TargetingReview,
    responses((status = 200, description = "The hit as now stored", body = TargetingReviewed)))]
pub(crate) async fn review(
    Shared(state): Shared<AppState>,
    who: Who,
    Path(id): Path<i64>,
    Json(review): Json<TargetingReview>,
) -> Result<Json<TargetingReviewed>> {
    let row = record_targeting_review(
        &state,
        &who.principal.username,
        id,
        review.disposition,
        &review.note,
    )
    .await?;
    Ok(Json(TargetingReviewed { hit: row }))
}

/// Records the disposition of a targeting hit: the one path for the API and the console.
pub(crate) async fn record_targeting_review(
    state: &crate::State,
    who: &str,
    id: i64,
    disposition: Disposition,
    note: &str,
) -> Result<store::TargetingHitRow> {
    let store = &state.store;
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
