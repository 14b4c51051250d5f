//! The data protection officer's answer to a data subject's request: everything the unit holds
//! about one person, found by surname and birth date or by document number — their API records
//! and PNR travellers with where each came from (carrier, channel, time), the hits about them,
//! when each will be masked and deleted under the policy in force, and every record of the
//! audit about them (who consulted, disclosed or erased what, when and why). The search itself
//! is a consultation, recorded with the DPO's purpose.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State as Shared};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::traveller::{KeptLine, kept_lines};
use super::{Chrome, PageError, PageResult, audited, html, purpose_first};
use crate::State;
use crate::access::Who;

/// What the DPO searches by.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct Search {
    #[serde(default)]
    surname: String,
    #[serde(default)]
    birth: String,
    #[serde(default)]
    document: String,
}

impl Search {
    /// The search as a query string, to come back to the same report.
    fn query(&self) -> String {
        format!(
            "surname={}&birth={}&document={}",
            crate::access::urlencode(self.surname.trim()),
            crate::access::urlencode(self.birth.trim()),
            crate::access::urlencode(self.document.trim()),
        )
    }
}

/// The record just erased, for the report to say so.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct Shown {
    #[serde(default)]
    erased: Option<i64>,
}

#[derive(Debug)]
struct Received {
    message: i64,
    at: String,
    carrier: String,
    channel: String,
}

#[derive(Debug)]
struct ApiRecord {
    manifest_id: i64,
    flight: String,
    departure_date: String,
    name: String,
    role: String,
    status: String,
    received: Vec<Received>,
    hits: Vec<store::HitAbout>,
    kept: Vec<KeptLine>,
}

#[derive(Debug)]
struct PnrRecord {
    flight: String,
    departure_date: String,
    locator: String,
    name: String,
    versions: i64,
    first_received: String,
    hits: Vec<store::HitAbout>,
    kept: Vec<KeptLine>,
}

#[derive(Template)]
#[template(path = "data_subjects.html")]
struct SubjectPage {
    c: Chrome,
    surname: String,
    birth: String,
    document: String,
    searched: bool,
    api: Vec<ApiRecord>,
    pnr: Vec<PnrRecord>,
    accesses: Vec<store::AuditRecord>,
    sealed: i64,
    erased: Option<i64>,
    /// The search as a query string, for the erasure forms to come back to.
    query: String,
    /// A list reached the report's limit: more are held than shown.
    capped: bool,
}

/// Most records of each kind in one report.
const LIMIT: i64 = 500;

pub(crate) async fn page(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Query(q): Query<Search>,
    Query(shown): Query<Shown>,
) -> PageResult {
    let query = q.query();
    let (surname, birth, document) = (q.surname.trim(), q.birth.trim(), q.document.trim());
    let searched = !surname.is_empty() || !document.is_empty();
    let here = "/data-subjects";
    if searched && let Some(redirect) = purpose_first(&who, here) {
        return Ok(redirect);
    }
    let c = Chrome::new(&who, "nav.subjects", here, searched);
    let mut page = SubjectPage {
        c,
        surname: surname.to_string(),
        birth: birth.to_string(),
        document: document.to_string(),
        searched,
        api: Vec::new(),
        pnr: Vec::new(),
        accesses: Vec::new(),
        sealed: 0,
        erased: shown.erased,
        query,
        capped: false,
    };
    if !searched {
        return Ok(html(&page));
    }
    let store = &state.store;
    audited(&state, &who, "subject.searched", "subject:request").await?;
    let none_if_empty = |s: &str| Some(s).filter(|s| !s.is_empty()).map(str::to_string);
    let (surname, birth, document) = (
        none_if_empty(surname),
        none_if_empty(birth),
        none_if_empty(document),
    );
    let mut subjects = Vec::new();
    let found = store
        .search_persons(&store::PersonSearch {
            surname: surname.as_deref(),
            given: None,
            date_of_birth: birth.as_deref(),
            document: document.as_deref(),
            limit: LIMIT,
        })
        .await?;
    page.capped |= found.len() as i64 >= LIMIT;
    for p in found {
        let Some((flight, person)) = store.manifest_person(p.manifest_id).await? else {
            continue;
        };
        let mut received = Vec::new();
        let mut ids = vec![person.first_message, person.last_message];
        ids.dedup();
        for id in ids {
            if let Some(m) = store.message(id).await? {
                received.push(Received {
                    message: id,
                    at: m.received_at,
                    carrier: m.carrier,
                    channel: m.channel,
                });
            }
            subjects.push(format!("message:{id}"));
        }
        let hits = store.hits_about(flight.id, Some(person.id), None).await?;
        for h in &hits {
            subjects.push(match h.kind.as_str() {
                "targeting" => format!("targeting_hit:{}", h.id),
                _ => format!("hit:{}", h.id),
            });
        }
        subjects.push(format!("traveller:{}", person.id));
        subjects.push(format!("flight:{}", flight.key));
        let kept = kept_lines(&state, &flight, &person, None).await?;
        page.api.push(ApiRecord {
            manifest_id: person.id,
            flight: flight.key.clone(),
            departure_date: flight.departure_date.clone(),
            name: format!("{}, {}", p.surname, p.given_names),
            role: person.role.clone(),
            status: person.status.clone(),
            received,
            hits,
            kept,
        });
    }
    let travellers = store
        .find_pnr_travellers(
            surname.as_deref(),
            birth.as_deref(),
            document.as_deref(),
            LIMIT,
        )
        .await?;
    page.capped |= travellers.len() as i64 >= LIMIT;
    for t in travellers {
        let hits = store
            .hits_about(t.flight_id, None, Some((&t.locator, &t.reference)))
            .await?;
        for h in &hits {
            subjects.push(match h.kind.as_str() {
                "targeting" => format!("targeting_hit:{}", h.id),
                _ => format!("hit:{}", h.id),
            });
        }
        subjects.push(format!("flight:{}", t.flight));
        let kept = match (&state.retention, &t.first_received) {
            (Some(retention), Some(first)) => match first.parse::<jiff::Timestamp>() {
                Ok(received) => {
                    let (unlinked, last) = retention.pnr_due(received);
                    let linked = store.booking_linked(t.flight_id, &t.locator).await?;
                    vec![KeptLine {
                        what: if linked {
                            "traveller.kept_pnr_linked"
                        } else {
                            "traveller.kept_pnr"
                        },
                        until: super::traveller::minute(if linked { last } else { unlinked }),
                    }]
                }
                Err(_) => Vec::new(),
            },
            _ => Vec::new(),
        };
        page.pnr.push(PnrRecord {
            flight: t.flight.clone(),
            departure_date: t.departure_date.clone(),
            locator: t.locator.clone(),
            name: format!("{}, {}", t.surname, t.given_name),
            versions: t.versions,
            first_received: t.first_received.clone().unwrap_or_default(),
            hits,
            kept,
        });
    }
    subjects.sort();
    subjects.dedup();
    // A record erased on this request is found no more; its erasure is still part of the answer.
    if let Some(id) = shown.erased {
        subjects.push(format!("traveller:{id}"));
    }
    page.accesses = store.audit_about(&subjects, LIMIT).await?;
    page.capped |= page.accesses.len() as i64 >= LIMIT;
    page.sealed = store
        .sealed_counts()
        .await?
        .iter()
        .filter(|(kind, _)| kind == "person" || kind == "pnr_traveller")
        .map(|(_, n)| n)
        .sum();
    Ok(html(&page))
}

#[derive(Debug, Deserialize)]
pub(crate) struct EraseForm {
    traveller: i64,
    reason: String,
}

/// Erases one API record on the data subject's request (LED Art. 16(2)), with the request's
/// reference (the DPO's purpose) and a reason; refused while an objective link keeps it.
/// Back to the same report (its search in the query), which says what was erased.
pub(crate) async fn erase(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Query(search): Query<Search>,
    axum::Form(f): axum::Form<EraseForm>,
) -> PageResult {
    let back = format!("/data-subjects?{}", search.query());
    if let Some(redirect) = purpose_first(&who, &back) {
        return Ok(redirect);
    }
    let Some(request) = who.purpose.as_deref() else {
        return Err(PageError::Refused("subjects.erase_purpose"));
    };
    let reason = f.reason.trim();
    if reason.is_empty() || reason.len() > 500 {
        return Err(PageError::Refused("subjects.erase_needs_reason"));
    }
    match state
        .store
        .erase_api_subject(f.traveller, &who.principal.username, request, reason)
        .await?
    {
        store::SubjectErasure::Erased(_) => {
            Ok(Redirect::to(&format!("{back}&erased={}", f.traveller)).into_response())
        }
        store::SubjectErasure::Linked => Err(PageError::Refused("subjects.erase_linked")),
        store::SubjectErasure::NotFound => Err(PageError::NotFound),
    }
}
