//! Screening over HTTP: the hits waiting for review and their disposition (with a remembered
//! false alarm), and the watchlists (versions, import of a new one). Every read of a hit is
//! audited: a hit's explanation holds the traveller's name. A user sees and decides only the
//! hits of their agency's lists and of the unit's own (lists no agency owns); another agency's
//! hit is answered as a missing one.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State as Shared};
use axum::http::StatusCode;
use store::Disposition;

use crate::access::Who;
use crate::api::{ApiError, AppState, Result, audit_read};
use crate::wire::{HitList, HitReviewed, HitsQuery, ImportQuery, ListVersions};
pub(crate) use crate::wire::{HitReview as Review, Remember};

/// Screening hits of the user's agency, newest first (audited).
#[utoipa::path(get, path = "/api/v1/hits", tag = "screening", params(HitsQuery),
    responses((status = 200, description = "The hits", body = HitList)))]
pub(crate) async fn hits(
    Shared(state): Shared<AppState>,
    who: Who,
    Query(q): Query<HitsQuery>,
) -> Result<Json<HitList>> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let rows = state
        .store
        .agency_hits(
            &who.principal.agency,
            q.state.as_deref(),
            q.flight_id,
            limit,
        )
        .await?;
    audit_read(
        &state,
        &who,
        "hits.listed",
        &format!("hits:state={}", q.state.as_deref().unwrap_or("any")),
    )
    .await?;
    Ok(Json(HitList { hits: rows }))
}

/// One hit with its explanation: entry, list, list version, per-field comparisons (audited).
#[utoipa::path(get, path = "/api/v1/hits/{id}", tag = "screening",
    params(("id" = i64, Path, description = "Hit id", example = 1)),
    responses((status = 200, description = "The hit", body = Object)))]
pub(crate) async fn hit(
    Shared(state): Shared<AppState>,
    who: Who,
    Path(id): Path<i64>,
) -> Result<Json<store::HitRow>> {
    let row = state
        .store
        .agency_hit(&who.principal.agency, id)
        .await?
        .ok_or_else(|| ApiError::not_found("hit"))?;
    audit_read(&state, &who, "hit.read", &format!("hit:{id}")).await?;
    Ok(Json(row))
}

/// Disposition of a hit by the signed-in analyst or supervisor; a false alarm may be
/// remembered (audited).
#[utoipa::path(post, path = "/api/v1/hits/{id}/review", tag = "screening",
    params(("id" = i64, Path, description = "Hit id", example = 1)), request_body = Review,
    responses((status = 200, description = "The hit as now stored", body = HitReviewed)))]
pub(crate) async fn review(
    Shared(state): Shared<AppState>,
    who: Who,
    Path(id): Path<i64>,
    Json(review): Json<Review>,
) -> Result<Json<HitReviewed>> {
    let (hit, suppression) = record_review(&state, &who.principal, id, &review).await?;
    Ok(Json(HitReviewed { hit, suppression }))
}

/// Records a disposition (and, for a false alarm, the memory of it) by a user of the hit's
/// agency: the one path the API and the console share. Returns the hit as now stored and the
/// suppression made, if any.
pub(crate) async fn record_review(
    state: &crate::State,
    principal: &accounts::Principal,
    id: i64,
    review: &Review,
) -> Result<(Option<store::HitRow>, Option<i64>)> {
    let who = principal.username.as_str();
    let agency = principal.agency.as_str();
    let store = &state.store;
    let hit = store
        .agency_hit(agency, id)
        .await?
        .ok_or_else(|| ApiError::not_found("hit"))?;
    if review.remember.is_some() && review.disposition != Disposition::FalseAlarm {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "remember_needs_false_alarm",
            "only a false alarm can be remembered",
        ));
    }
    let mut tx = store.begin().await?;
    tx.review_hit(id, review.disposition, who, &review.note)
        .await?;
    // The same person's hit on the same entry through the other message (API person and
    // linked PNR traveller) is decided with this one, unless someone decided it already.
    let twins = tx.twin_hits(id).await?;
    for (twin, _, state) in &twins {
        if state == "open" || state == "suppressed" {
            let note = format!("{} (with hit {id})", review.note)
                .trim()
                .to_string();
            tx.review_hit(*twin, review.disposition, who, &note).await?;
        }
    }
    let mut suppression = None;
    if let Some(r) = &review.remember {
        let expires = r.expires_on.map(|d| d.to_string());
        let mut fingerprints = vec![hit.fingerprint.clone()];
        fingerprints.extend(twins.iter().map(|(_, f, _)| f.clone()));
        fingerprints.dedup();
        for fingerprint in &fingerprints {
            let made = tx
                .put_suppression(
                    fingerprint,
                    &hit.list,
                    &hit.entry_id,
                    &r.reason,
                    who,
                    expires.as_deref(),
                )
                .await?;
            suppression.get_or_insert(made);
        }
    }
    tx.commit().await?;
    if suppression.is_some() {
        // The memory applies to the next screening of this traveller.
        state.watchlists.load().await?;
    }
    Ok((store.agency_hit(agency, id).await?, suppression))
}

/// Watchlist versions, newest first per list.
#[utoipa::path(get, path = "/api/v1/lists", tag = "screening",
    responses((status = 200, description = "The versions", body = ListVersions)))]
pub(crate) async fn lists(Shared(state): Shared<AppState>) -> Result<Json<ListVersions>> {
    let versions = state.store.list_versions(None).await?;
    Ok(Json(ListVersions { versions }))
}

/// Imports a list file (UN, OFAC, EU XML; FollowTheMoney JSON lines; CSV) as the next
/// version of the list; re-screens stored travellers against what changed (audited).
#[utoipa::path(post, path = "/api/v1/lists/{list}", tag = "screening",
    params(("list" = String, Path, pattern = r"^[A-Za-z0-9._-]{1,64}$",
            description = "1 to 64 letters, digits, dots, dashes, underscores"),
        ImportQuery),
    request_body(content = String, content_type = "application/octet-stream",
        description = "The list file as published"),
    responses(
        (status = 201, description = "A new version", body = Object),
        (status = 200, description = "The same content as the version in force", body = Object)))]
pub(crate) async fn import(
    Shared(state): Shared<AppState>,
    who: Who,
    Path(list): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<intake::watchlists::ImportReport>)> {
    let report = import_list(
        &state,
        &who.principal.username,
        &list,
        q.format.as_deref(),
        &body,
    )
    .await?;
    let status = if report.new_version {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)))
}

/// Whether a list name can be a path segment and a subject: letters, digits, `.`, `-`, `_`.
pub(crate) fn valid_list_name(list: &str) -> bool {
    !list.is_empty()
        && list.len() <= 64
        && list
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Imports a list file as the next version of `list` (format named, else detected): the one
/// path the API and the console share.
pub(crate) async fn import_list(
    state: &crate::State,
    who: &str,
    list: &str,
    format: Option<&str>,
    body: &[u8],
) -> Result<intake::watchlists::ImportReport> {
    if !valid_list_name(list) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_list_name",
            "a list name is 1 to 64 letters, digits, dots, dashes or underscores",
        ));
    }
    if body.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "empty_body",
            "the request carries no list file",
        ));
    }
    let format = match format.filter(|f| !f.is_empty()) {
        Some(f) => Some(f.parse::<screening::Format>().map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "unknown_list_format",
                e.to_string(),
            )
        })?),
        None => screening::Format::detect(body),
    }
    .ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_list_format",
            "the body is none of un, ofac, eu, ftm, csv; name it with ?format=",
        )
    })?;
    Ok(state.watchlists.import(list, format, body, who).await?)
}
