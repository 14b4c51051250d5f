//! The data protection officer's retention page: the policy in force and its periods, the
//! oldest data of each kind and when they fall due, what is kept past depersonalisation by an
//! objective link, the last runs and what they erased, and the legal holds (placed and
//! released here by the DPO or a supervisor, each audited).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State as Shared};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::{Chrome, PageError, PageResult, html};
use crate::State;
use crate::access::Who;

#[derive(Debug)]
struct PeriodLine {
    what: &'static str,
    period: String,
}

#[derive(Debug)]
struct HeldLine {
    what: &'static str,
    oldest: String,
    due: String,
}

#[derive(Debug)]
struct RunLine {
    id: i64,
    clock: String,
    finished: String,
    erased: String,
    masked: String,
}

#[derive(Template)]
#[template(path = "retention.html")]
struct RetentionPage {
    c: Chrome,
    policy: String,
    sha256: String,
    periods: Vec<PeriodLine>,
    held: Vec<HeldLine>,
    past_versions: i64,
    past_persons: i64,
    /// Originals sealed at masking, by kind.
    sealed: Vec<(String, i64)>,
    /// Requests to read masked data the DPO has not reviewed yet (Art. 12(3)).
    unmask_to_review: i64,
    runs: Vec<RunLine>,
    holds: Vec<store::HoldRow>,
    can_hold: bool,
}

/// A run's counts as stored (JSON of `store::Erased` or `store::Masked`), the non-zero ones
/// named; counts that do not read are the store's failure, not an empty cell.
fn counts<T: serde::de::DeserializeOwned>(
    json: Option<&str>,
    named: impl Fn(&T) -> Vec<(&'static str, u64)>,
) -> Result<String, PageError> {
    let Some(json) = json else {
        return Ok(String::new());
    };
    let value: T = serde_json::from_str(json).map_err(|e| {
        tracing::error!(error = %e, "a retention run's counts do not read");
        PageError::Store
    })?;
    Ok(store::counts_text(&named(&value)))
}

fn day(t: &Option<String>) -> String {
    t.as_deref()
        .map(|t| t.chars().take(16).collect::<String>().replace('T', " "))
        .unwrap_or_default()
}

pub(crate) async fn page(Shared(state): Shared<Arc<State>>, who: Who) -> PageResult {
    let retention = state.retention.as_ref().ok_or(PageError::NotFound)?;
    let now = state.intake.now();
    let summary = retention.summary(now).await.map_err(|e| {
        tracing::error!(error = %e, "retention summary");
        PageError::Store
    })?;
    let p = retention.policy();
    let periods = vec![
        PeriodLine {
            what: "retention.period.api",
            period: match p.api_regime {
                retention::ApiRegime::BorderControl => p.api_deleted_after_arrival.to_string(),
                retention::ApiRegime::Pnr => p.unlinked_kept.to_string(),
            },
        },
        PeriodLine {
            what: "retention.period.unlinked",
            period: p.unlinked_kept.to_string(),
        },
        PeriodLine {
            what: "retention.period.depersonalise",
            period: p.depersonalise_after.to_string(),
        },
        PeriodLine {
            what: "retention.period.last",
            period: p.deleted_after.to_string(),
        },
        PeriodLine {
            what: "retention.period.unapplied",
            period: p.unapplied_kept.to_string(),
        },
        PeriodLine {
            what: "retention.period.audit",
            period: p.audit_kept.to_string(),
        },
    ];
    let o = &summary.oldest;
    let held = vec![
        HeldLine {
            what: "retention.held.pnr",
            oldest: day(&o.pnr_version),
            due: day(&summary.next_pnr_due),
        },
        HeldLine {
            what: "retention.held.api",
            oldest: o.api_flight.clone().unwrap_or_default(),
            due: String::new(),
        },
        HeldLine {
            what: "retention.held.bodies",
            oldest: day(&o.body),
            due: day(&summary.next_body_due),
        },
        HeldLine {
            what: "retention.held.messages",
            oldest: day(&o.message),
            due: day(&summary.next_last_period_due),
        },
    ];
    let runs = summary
        .last_runs
        .iter()
        .map(|r| {
            Ok(RunLine {
                id: r.id,
                clock: day(&Some(r.now.clone())),
                finished: day(&r.finished_at),
                erased: counts(r.counts.as_deref(), |e: &store::Erased| e.named().to_vec())?,
                masked: counts(r.masked.as_deref(), |m: &store::Masked| m.named().to_vec())?,
            })
        })
        .collect::<Result<Vec<_>, PageError>>()?;
    let holds = state.store.holds(true).await?;
    let (past_versions, past_persons) = summary.past_depersonalisation;
    Ok(html(&RetentionPage {
        c: Chrome::new(&who, "nav.retention", "/retention", false),
        policy: p.name.clone(),
        sha256: p.sha256.clone(),
        periods,
        held,
        past_versions,
        past_persons,
        sealed: summary.sealed.clone(),
        unmask_to_review: state.store.unmask_requests_to_review().await?,
        runs,
        holds,
        can_hold: who.principal.has_any(crate::roles::HOLDS),
    }))
}

#[derive(Debug, Deserialize)]
pub(crate) struct HoldForm {
    flight: String,
    #[serde(default)]
    booking: String,
    #[serde(default)]
    person: String,
    case: String,
    reason: String,
}

/// Places a legal hold on a flight, one of its bookings or one of its persons.
pub(crate) async fn place(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    axum::Form(f): axum::Form<HoldForm>,
) -> PageResult {
    let (case, reason) = (f.case.trim(), f.reason.trim());
    if case.is_empty() || reason.is_empty() || case.len() > 100 || reason.len() > 500 {
        return Err(PageError::Refused("retention.hold_needs"));
    }
    let flight = state
        .store
        .flight(f.flight.trim())
        .await?
        .ok_or(PageError::NotFound)?;
    let booking = Some(f.booking.trim().to_ascii_uppercase()).filter(|b| !b.is_empty());
    let person = match f.person.trim() {
        "" => None,
        p => Some(
            p.parse::<i64>()
                .map_err(|_| PageError::Refused("retention.person_number"))?,
        ),
    };
    if let Some(b) = &booking
        && state.store.booking(flight.id, b).await?.is_none()
    {
        return Err(PageError::NotFound);
    }
    if let Some(p) = person
        && !state
            .store
            .manifest(flight.id)
            .await?
            .iter()
            .any(|m| m.id == p)
    {
        return Err(PageError::NotFound);
    }
    state
        .store
        .place_hold(&store::NewHold {
            flight_id: flight.id,
            locator: booking.as_deref(),
            manifest_id: person,
            reason,
            case_reference: case,
            placed_by: &who.principal.username,
        })
        .await?;
    Ok(Redirect::to("/retention").into_response())
}

/// Releases a legal hold.
pub(crate) async fn release(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(id): Path<i64>,
) -> PageResult {
    if !state
        .store
        .release_hold(id, &who.principal.username)
        .await?
    {
        return Err(PageError::NotFound);
    }
    Ok(Redirect::to("/retention").into_response())
}
