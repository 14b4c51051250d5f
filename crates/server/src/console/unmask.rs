//! Requests to read masked data again (Directive 2016/681 Art. 12(3)): an analyst or
//! supervisor files a reasoned request from a masked traveller's page; an approving authority
//! (a judicial or other independent authority, outside the unit's agency) approves it for a
//! limited time or refuses it; the data protection officer sees every request and records their
//! review. While an approval runs, its requester — and nobody else — reads the sealed originals
//! of its scope, each reading recorded as a disclosure. The rules that decide (another agency,
//! another person, the scope, the time) are the store's (`store/src/unmask.rs`).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State as Shared};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::flights::{display_name, document_text};
use super::traveller::{contact_line, payment_line, pnr_document, pnr_name};
use super::{Chrome, PageError, PageResult, html, purpose_first};
use crate::State;
use crate::access::Who;
use crate::roles::{UNMASK_DECIDE, UNMASK_REVIEW};

/// Longest approval an authority may give, in hours (a week).
const LONGEST_HOURS: i64 = 168;

#[derive(Template)]
#[template(path = "unmask_requests.html")]
struct ListPage {
    c: Chrome,
    requests: Vec<store::UnmaskRequestRow>,
    /// Whether every request is listed (the authority and the DPO) or the user's own.
    all: bool,
}

/// The originals an approval opens, as read from their seals.
#[derive(Debug, Default)]
struct Disclosed {
    person: Vec<(&'static str, String)>,
    booking: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "unmask_request.html")]
struct RequestPage {
    c: Chrome,
    r: store::UnmaskRequestRow,
    can_decide: bool,
    can_review: bool,
    /// Open now for this user.
    granted: bool,
    disclosed: Disclosed,
    error: Option<&'static str>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RequestForm {
    case: String,
    grounds: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct DecideForm {
    decision: String,
    reasons: String,
    #[serde(default)]
    hours: String,
}

/// Whether `who` files requests only (sees their own) or oversees them all.
fn oversees(who: &Who) -> bool {
    who.principal.has_any(UNMASK_DECIDE) || who.principal.has_any(UNMASK_REVIEW)
}

/// Files a request for the full data of a masked person (with their linked booking).
pub(crate) async fn file(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<RequestForm>,
) -> PageResult {
    let (case, grounds) = (f.case.trim(), f.grounds.trim());
    if case.is_empty() || grounds.len() < 20 || case.len() > 100 || grounds.len() > 2000 {
        return Err(PageError::Refused("unmask.needs"));
    }
    let (flight, person) = state
        .store
        .manifest_person(id)
        .await?
        .ok_or(PageError::NotFound)?;
    if person.masked_at.is_none() {
        return Err(PageError::Refused("unmask.not_masked"));
    }
    let locator = state
        .store
        .links(flight.id)
        .await?
        .into_iter()
        .find(|l| l.manifest_id == id)
        .map(|l| l.locator);
    let request = state
        .store
        .request_unmask(&store::NewUnmaskRequest {
            flight_id: flight.id,
            manifest_id: Some(id),
            locator: locator.as_deref(),
            case_reference: case,
            grounds,
            requested_by: &who.principal.username,
            agency: &who.principal.agency,
        })
        .await?;
    Ok(Redirect::to(&format!("/unmask/{request}")).into_response())
}

/// The requests: the user's own, or all of them for the authority and the DPO.
pub(crate) async fn list(Shared(state): Shared<Arc<State>>, who: Who) -> PageResult {
    let all = oversees(&who);
    let requests = state
        .store
        .unmask_requests((!all).then_some(who.principal.username.as_str()), 500)
        .await?;
    Ok(html(&ListPage {
        c: Chrome::new(&who, "nav.unmask", "/unmask", false),
        requests,
        all,
    }))
}

/// A request a user may see: their own, or any for the authority and the DPO (another's is
/// not found, as a missing one).
async fn visible(state: &State, who: &Who, id: i64) -> Result<store::UnmaskRequestRow, PageError> {
    let r = state
        .store
        .unmask_request(id)
        .await?
        .ok_or(PageError::NotFound)?;
    if r.requested_by != who.principal.username && !oversees(who) {
        return Err(PageError::NotFound);
    }
    Ok(r)
}

/// The sealed originals of a request's scope, opened.
async fn disclose(state: &State, r: &store::UnmaskRequestRow) -> Result<Disclosed, PageError> {
    let mut out = Disclosed::default();
    if let Some(m) = r.manifest_id
        && let Some(p) = state.store.unseal_person(r.flight_id, m).await?
    {
        let i = &p.identity;
        out.person = vec![
            ("traveller.surname", i.surname.clone()),
            ("traveller.given_names", i.given_names.join(" ")),
            ("flight.name", display_name(i)),
            (
                "traveller.birth",
                i.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
            ),
            (
                "traveller.nationality",
                i.nationality.clone().unwrap_or_default(),
            ),
            (
                "traveller.documents",
                i.documents
                    .iter()
                    .map(document_text)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ];
    }
    if let Some(locator) = &r.locator {
        let versions = state
            .store
            .booking_version_ids(r.flight_id, locator)
            .await?;
        if let Some(&latest) = versions.last()
            && let Some(sealed) = state
                .store
                .unseal_booking_version(r.flight_id, latest)
                .await?
        {
            let booking = pnrgov::stored::read(sealed.format, &sealed.booking)?;
            out.booking.push(("traveller.locator", locator.clone()));
            for t in &booking.travellers {
                out.booking.push(("flight.name", pnr_name(t)));
                for d in &t.documents {
                    out.booking.push(("traveller.documents", pnr_document(d)));
                }
                for c in &t.contacts {
                    out.booking.push(("traveller.contacts", contact_line(c)));
                }
                for p in &t.payments {
                    out.booking.push(("traveller.payments", payment_line(p)));
                }
            }
            for c in &booking.contacts {
                out.booking.push(("traveller.contacts", contact_line(c)));
            }
        }
    }
    Ok(out)
}

async fn request_page(
    state: &State,
    who: &Who,
    r: store::UnmaskRequestRow,
    error: Option<&'static str>,
) -> PageResult {
    let granted = r.grants(&who.principal.username, jiff::Timestamp::now());
    let here = format!("/unmask/{}", r.id);
    let disclosed = if granted {
        // The full data of a masked traveller: a disclosure under the approval, recorded with
        // the request's case as its purpose.
        who.audit_read(
            &state.store,
            "traveller.unmasked",
            &format!("unmask:{}", r.id),
        )
        .await?;
        disclose(state, &r).await?
    } else {
        Disclosed::default()
    };
    Ok(html(&RequestPage {
        c: Chrome::new(who, "nav.unmask", &here, granted),
        can_decide: who.principal.has_any(UNMASK_DECIDE) && r.state == "pending",
        can_review: who.principal.has_any(UNMASK_REVIEW) && r.dpo_reviewed_at.is_none(),
        granted,
        disclosed,
        error,
        r,
    }))
}

/// One request: its scope, grounds and decision; the originals while an approval runs, for
/// its requester.
pub(crate) async fn page(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(id): Path<i64>,
) -> PageResult {
    let r = visible(&state, &who, id).await?;
    if r.grants(&who.principal.username, jiff::Timestamp::now())
        && let Some(redirect) = purpose_first(&who, &format!("/unmask/{id}"))
    {
        return Ok(redirect);
    }
    request_page(&state, &who, r, None).await
}

/// The authority approves (for some hours) or refuses, with its reasons.
pub(crate) async fn decide(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<DecideForm>,
) -> PageResult {
    let reasons = f.reasons.trim();
    let approve = match f.decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => return Err(PageError::Refused("unmask.decision_needs")),
    };
    if reasons.is_empty() || reasons.len() > 2000 {
        return Err(PageError::Refused("unmask.decision_needs"));
    }
    let valid_until = if approve {
        let hours: i64 = f
            .hours
            .trim()
            .parse()
            .ok()
            .filter(|h| (1..=LONGEST_HOURS).contains(h))
            .ok_or(PageError::Refused("unmask.hours"))?;
        Some(
            jiff::Timestamp::now()
                .checked_add(jiff::SignedDuration::from_hours(hours))
                .map_err(|_| PageError::Refused("unmask.hours"))?,
        )
    } else {
        None
    };
    let decided = state
        .store
        .decide_unmask(
            id,
            &store::UnmaskDecision {
                approve,
                decision: reasons,
                valid_until,
                by: &who.principal.username,
                agency: &who.principal.agency,
            },
        )
        .await?;
    let error = match decided {
        store::Decided::Done => return Ok(Redirect::to(&format!("/unmask/{id}")).into_response()),
        store::Decided::NotFound => return Err(PageError::NotFound),
        store::Decided::NotPending => "unmask.decided_already",
        store::Decided::SameAgency => "unmask.same_agency",
        store::Decided::OwnRequest => "unmask.own_request",
    };
    let r = visible(&state, &who, id).await?;
    let mut page = request_page(&state, &who, r, Some(error)).await?;
    *page.status_mut() = axum::http::StatusCode::FORBIDDEN;
    Ok(page)
}

/// The data protection officer records their review of a request.
pub(crate) async fn review(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(id): Path<i64>,
) -> PageResult {
    if !state
        .store
        .review_unmask(id, &who.principal.username)
        .await?
    {
        return Err(PageError::NotFound);
    }
    Ok(Redirect::to(&format!("/unmask/{id}")).into_response())
}
