//! Targeting hits waiting for review: the queue by state and criterion; one hit with its
//! criterion version, every condition with the traveller's value, the booking's traveller,
//! and the review (confirmed, false alarm, needs information) with a note.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State as Shared};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use store::{TargetingHitFilter, TargetingHitRow};
use stored_json::Versioned as _;

use super::today::flight_href;
use super::{
    Chrome, DoneQuery, ENGLISH, PageError, PageResult, audited, disposition, html, purpose_first,
};
use crate::State;
use crate::access::Who;
use crate::criteria::record_targeting_review;

const STATES: [&str; 4] = ["open", "needs_information", "confirmed", "false_alarm"];

#[derive(Debug, Deserialize)]
pub(crate) struct QueueQuery {
    state: Option<String>,
    criterion: Option<String>,
}

#[derive(Template)]
#[template(path = "targeting.html")]
struct QueuePage {
    c: Chrome,
    state: String,
    criterion: String,
    criteria: Vec<String>,
    hits: Vec<TargetingHitRow>,
}

pub(crate) async fn queue(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Query(q): Query<QueueQuery>,
) -> PageResult {
    let here = "/targeting";
    if let Some(redirect) = purpose_first(&who, here) {
        return Ok(redirect);
    }
    let wanted = q
        .state
        .filter(|s| STATES.contains(&s.as_str()))
        .unwrap_or_else(|| "open".into());
    let criterion = q.criterion.unwrap_or_default().trim().to_string();
    let store = &state.store;
    let hits = store
        .targeting_hits(
            &TargetingHitFilter {
                state: Some(&wanted),
                criterion: (!criterion.is_empty()).then_some(criterion.as_str()),
                ..Default::default()
            },
            500,
        )
        .await?;
    audited(
        &state,
        &who,
        "targeting_hits.listed",
        &format!("targeting:{wanted}"),
    )
    .await?;
    let criteria = store
        .criterion_versions(None)
        .await?
        .into_iter()
        .map(|v| v.criterion)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(html(&QueuePage {
        c: Chrome::new(&who, "nav.targeting", here, true),
        state: wanted,
        criterion,
        criteria,
        hits,
    }))
}

#[derive(Debug)]
pub(crate) struct StepLine {
    pub field: String,
    pub value: String,
    pub test: String,
    pub truth: String,
}

#[derive(Template)]
#[template(path = "targeting_hit.html")]
struct HitPage {
    c: Chrome,
    hit: TargetingHitRow,
    flight_href: String,
    traveller: String,
    steps: Vec<StepLine>,
    error: Option<String>,
    done: bool,
}

/// The traveller's name as the booking gives it, or the subject when the booking is gone.
async fn traveller_name(
    state: &State,
    hit: &TargetingHitRow,
    masked: &str,
) -> Result<String, PageError> {
    let (Some(locator), Some(reference)) = (&hit.locator, &hit.traveller) else {
        return Ok(hit.subject.clone());
    };
    let booking = state.store.booking(hit.flight_id, locator).await?;
    let name = match booking {
        Some(b) => {
            let booking = pnrgov::stored::read(b.format, &b.booking)?;
            let masked_booking = booking.masked.is_some();
            booking
                .travellers
                .iter()
                .find(|t| t.reference.as_deref() == Some(reference.as_str()))
                .map(|t| match masked_booking {
                    true => masked.to_string(),
                    false => format!(
                        "{}, {}",
                        t.surname,
                        t.given_name.as_deref().unwrap_or_default()
                    ),
                })
        }
        None => None,
    };
    Ok(match name {
        Some(n) => format!("{n} ({locator})"),
        None => hit.subject.clone(),
    })
}

async fn hit_page(
    state: &State,
    who: &Who,
    id: i64,
    error: Option<String>,
    done: bool,
) -> PageResult {
    let hit = state
        .store
        .targeting_hit(id)
        .await?
        .ok_or(PageError::NotFound)?;
    let chrome = Chrome::new(who, "nav.targeting", &format!("/targeting/{id}"), true);
    let masked = chrome.t.get("common.masked");
    let explanation = ::targeting::StoredExplanation::read_value(&hit.explanation)?;
    let values_masked = explanation.masked.is_some();
    let mut hit = hit;
    if hit.masked_at.is_some() {
        // The review note was sealed with the traveller's values.
        hit.note = Some(masked.to_string());
    }
    let steps = explanation
        .steps
        .into_iter()
        .map(|s| StepLine {
            field: s.field,
            value: if values_masked {
                masked.to_string()
            } else {
                s.value
            },
            test: s.test,
            truth: truth_code(s.truth).to_string(),
        })
        .collect();
    Ok(html(&HitPage {
        c: chrome,
        flight_href: flight_href(&hit.flight),
        traveller: traveller_name(state, &hit, masked).await?,
        steps,
        hit,
        error,
        done,
    }))
}

pub(crate) async fn hit(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let here = format!("/targeting/{id}");
    if let Some(redirect) = purpose_first(&who, &here) {
        return Ok(redirect);
    }
    audited(
        &state,
        &who,
        "targeting_hit.read",
        &format!("targeting_hit:{id}"),
    )
    .await?;
    hit_page(&state, &who, id, None, q.done.is_some()).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReviewForm {
    disposition: String,
    #[serde(default)]
    note: String,
}

pub(crate) async fn review(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> PageResult {
    let Some(disposition) = disposition(&f.disposition) else {
        let text = ENGLISH.get("hit.choose_disposition").to_string();
        return hit_page(&state, &who, id, Some(text), false).await;
    };
    match record_targeting_review(
        &state,
        &who.principal.username,
        id,
        disposition,
        f.note.trim(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/targeting/{id}?done=1")).into_response()),
        Err(e) => hit_page(&state, &who, id, Some(e.message().to_string()), false).await,
    }
}

/// A condition's truth as stored (`true`, `false`, `unknown`).
fn truth_code(t: ::targeting::Truth) -> &'static str {
    match t {
        ::targeting::Truth::True => "true",
        ::targeting::Truth::False => "false",
        ::targeting::Truth::Unknown => "unknown",
    }
}
