//! Hits waiting for review: the queue by state, list and severity; one hit with why it fired
//! (per-field comparisons, weights), the traveller, and the review form (confirmed, false
//! alarm that can be remembered, needs information). Nothing is deleted: a review is a new
//! state with who, when and a note.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State as Shared};
use axum::response::{IntoResponse, Redirect};
use screening::StoredExplanation;
use serde::Deserialize;
use stored_json::Versioned as _;

use super::{Chrome, DoneQuery, PageError, PageResult, audited, disposition, html, purpose_first};
use crate::State;
use crate::access::Who;
use crate::hits::{Remember, Review, record_review};

/// How urgent a hit looks, from its score: a sort key for the queue, not a decision.
pub(crate) fn severity(score: f64) -> &'static str {
    if score >= 0.95 {
        "high"
    } else if score >= 0.88 {
        "medium"
    } else {
        "low"
    }
}

/// The traveller's name as screened (the query side of the name comparison), or the hit's
/// subject when the explanation compared no whole name; `masked` once the hit was masked.
fn traveller_name(h: &store::HitRow, e: &StoredExplanation, masked: &str) -> String {
    if h.masked_at.is_some() || e.masked.is_some() {
        return masked.to_string();
    }
    e.traveller_name()
        .map(String::from)
        .unwrap_or_else(|| h.subject.clone())
}

#[derive(Debug, Deserialize)]
pub(crate) struct QueueQuery {
    state: Option<String>,
    list: Option<String>,
    severity: Option<String>,
}

#[derive(Debug)]
pub(crate) struct QueueLine {
    pub href: String,
    pub traveller: String,
    pub traveller_href: Option<String>,
    pub flight: String,
    pub list: String,
    pub entry_name: String,
    pub score: String,
    pub severity: &'static str,
    pub created: String,
}

#[derive(Template)]
#[template(path = "hits.html")]
struct QueuePage {
    c: Chrome,
    state: String,
    list: String,
    severity: String,
    lists: Vec<String>,
    lines: Vec<QueueLine>,
    /// All hits matching, of which `lines` are the first.
    total: i64,
    /// The agency whose queue this is: the user's (their lists and the unit's own).
    agency: String,
}

const STATES: [&str; 5] = [
    "open",
    "needs_information",
    "suppressed",
    "confirmed",
    "false_alarm",
];

pub(crate) async fn queue(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Query(q): Query<QueueQuery>,
) -> PageResult {
    let here = "/hits";
    if let Some(redirect) = purpose_first(&who, here) {
        return Ok(redirect);
    }
    let wanted = q
        .state
        .filter(|s| STATES.contains(&s.as_str()))
        .unwrap_or_else(|| "open".into());
    let list = q.list.unwrap_or_default();
    let sev = q.severity.unwrap_or_default();
    let store = &state.store;
    let (min, max) = match sev.as_str() {
        "high" => (0.95, f64::INFINITY),
        "medium" => (0.88, 0.95),
        "low" => (f64::NEG_INFINITY, 0.88),
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    };
    // The user's agency's queue: the hits of the lists it owns and of the lists no agency
    // owns. There is no other agency's view: the store answers only these.
    let agency = who.principal.agency.clone();
    let lists = store.hit_lists(&agency, &wanted).await?;
    let chosen: Vec<String> = lists.iter().filter(|l| **l == list).cloned().collect();
    let scope = (!list.is_empty()).then_some(chosen.as_slice());
    let (hits, total) = store
        .hit_queue(&agency, &wanted, scope, min, max, 500)
        .await?;
    audited(
        &state,
        &who,
        "hits.listed",
        &format!("hits:{wanted}:{}", agency.to_ascii_lowercase()),
    )
    .await?;
    let c = Chrome::new(&who, "nav.hits", here, true);
    let masked = c.t.get("common.masked");
    let lines: Vec<QueueLine> = hits
        .iter()
        .map(|h| {
            let e = StoredExplanation::read_value(&h.explanation)?;
            Ok(QueueLine {
                href: format!("/hits/{}", h.id),
                traveller: traveller_name(h, &e, masked),
                traveller_href: h.manifest_id.map(|m| format!("/travellers/{m}")),
                flight: h.flight.clone(),
                list: h.list.clone(),
                entry_name: e.entry_name,
                score: format!("{:.2}", h.score),
                severity: severity(h.score),
                created: h
                    .created_at
                    .chars()
                    .take(16)
                    .collect::<String>()
                    .replace('T', " "),
            })
        })
        .collect::<Result<_, PageError>>()?;
    Ok(html(&QueuePage {
        c,
        state: wanted,
        list,
        severity: sev,
        lists,
        lines,
        total,
        agency,
    }))
}

#[derive(Debug)]
pub(crate) struct ComparisonLine {
    pub field: String,
    pub query: String,
    pub entry: String,
    pub score: String,
    pub weight: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "hit.html")]
struct HitPage {
    c: Chrome,
    hit: store::HitRow,
    severity: &'static str,
    entry_name: String,
    comparisons: Vec<ComparisonLine>,
    traveller_href: Option<String>,
    traveller: String,
    error: Option<String>,
    done: bool,
}

async fn hit_page(
    state: &State,
    who: &Who,
    id: i64,
    error: Option<String>,
    done: bool,
) -> PageResult {
    let store = &state.store;
    // Another agency's hit is not found, as a missing one.
    let hit = store
        .agency_hit(&who.principal.agency, id)
        .await?
        .ok_or(PageError::NotFound)?;
    let mut hit = hit;
    let e = StoredExplanation::read_value(&hit.explanation)?;
    let chrome = Chrome::new(who, "nav.hits", &format!("/hits/{id}"), true);
    let masked = chrome.t.get("common.masked");
    if hit.masked_at.is_some() {
        // The review note was sealed with the traveller's values.
        hit.note = Some(masked.to_string());
    }
    let comparisons = e
        .comparisons
        .iter()
        .map(|c| ComparisonLine {
            field: c.field_code().to_string(),
            query: match e.masked {
                Some(_) => masked.to_string(),
                None => c.query.clone(),
            },
            entry: c.entry.clone(),
            score: format!("{:.2}", c.score),
            weight: format!("{:.2}", c.weight),
            reason: c.reason.clone(),
        })
        .collect();
    Ok(html(&HitPage {
        c: chrome,
        severity: severity(hit.score),
        traveller: traveller_name(&hit, &e, masked),
        entry_name: e.entry_name,
        comparisons,
        traveller_href: hit.manifest_id.map(|m| format!("/travellers/{m}")),
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
    let here = format!("/hits/{id}");
    if let Some(redirect) = purpose_first(&who, &here) {
        return Ok(redirect);
    }
    own_hit(&state, &who, id).await?;
    audited(&state, &who, "hit.read", &format!("hit:{id}")).await?;
    hit_page(&state, &who, id, None, q.done.is_some()).await
}

/// Another agency's hit is not found, before anything else is said about it.
async fn own_hit(state: &State, who: &Who, id: i64) -> Result<(), PageError> {
    match state.store.agency_hit(&who.principal.agency, id).await? {
        Some(_) => Ok(()),
        None => Err(PageError::NotFound),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReviewForm {
    disposition: String,
    #[serde(default)]
    note: String,
    remember: Option<String>,
    #[serde(default)]
    remember_reason: String,
    #[serde(default)]
    expires_on: String,
}

pub(crate) async fn review(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> PageResult {
    own_hit(&state, &who, id).await?;
    let Some(disposition) = disposition(&f.disposition) else {
        let text = super::ENGLISH.get("hit.choose_disposition").to_string();
        return hit_page(&state, &who, id, Some(text), false).await;
    };
    let remember = match f.remember.as_deref() {
        Some(_) => {
            let reason = f.remember_reason.trim();
            if reason.is_empty() {
                return hit_page(
                    &state,
                    &who,
                    id,
                    Some(super::ENGLISH.get("hit.remember_needs_reason").to_string()),
                    false,
                )
                .await;
            }
            Some(Remember {
                reason: reason.to_string(),
                expires_on: f.expires_on.trim().parse().ok(),
            })
        }
        None => None,
    };
    let review = Review {
        disposition,
        note: f.note.trim().to_string(),
        remember,
    };
    match record_review(&state, &who.principal, id, &review).await {
        Ok(_) => Ok(Redirect::to(&format!("/hits/{id}?done=1")).into_response()),
        Err(e) => hit_page(&state, &who, id, Some(e.message().to_string()), false).await,
    }
}
