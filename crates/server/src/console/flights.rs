//! Flights: search by day, carrier and text; one flight's manifest with each person's API
//! status, linked booking and open hits.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State as Shared};
use serde::Deserialize;

use super::today::{countdown, flight_href};
use super::{Chrome, PageError, PageResult, audited, html, purpose_first};
use crate::State;
use crate::access::Who;
use crate::roles::PERSONAL;

#[derive(Debug, Deserialize)]
pub(crate) struct FlightsQuery {
    date: Option<String>,
    carrier: Option<String>,
    q: Option<String>,
    page: Option<usize>,
}

/// Flights a page shows: a busy day has thousands.
const PAGE: usize = 200;

#[derive(Debug)]
pub(crate) struct FlightRowView {
    pub href: String,
    pub flight: String,
    pub route: String,
    pub departure: String,
    pub arrival: String,
    pub countdown: String,
    pub status: String,
    pub persons: i64,
    pub open_hits: i64,
}

#[derive(Template)]
#[template(path = "flights.html")]
struct FlightsPage {
    c: Chrome,
    date: String,
    carrier: String,
    q: String,
    carriers: Vec<String>,
    flights: Vec<FlightRowView>,
    total: usize,
    page: usize,
    pages: usize,
    sees_manifests: bool,
}

pub(crate) async fn list(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Query(query): Query<FlightsQuery>,
) -> PageResult {
    let store = &state.store;
    let now = state.intake.now();
    let today = jiff::tz::TimeZone::UTC.to_datetime(now).date().to_string();
    let date = query
        .date
        .filter(|d| d.parse::<jiff::civil::Date>().is_ok())
        .unwrap_or(today);
    let carrier = query
        .carrier
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase();
    let q = query.q.unwrap_or_default().trim().to_ascii_uppercase();
    let all = store.flights_on(&date).await?;
    let mut carriers: Vec<String> = all.iter().map(|f| f.carrier.clone()).collect();
    carriers.sort();
    carriers.dedup();
    let matching: Vec<&store::FlightRow> = all
        .iter()
        .filter(|f| carrier.is_empty() || f.carrier == carrier)
        .filter(|f| q.is_empty() || f.key.contains(&q))
        .collect();
    let pages = matching.len().div_ceil(PAGE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let shown: Vec<&store::FlightRow> = matching
        .iter()
        .skip((page - 1) * PAGE)
        .take(PAGE)
        .copied()
        .collect();
    let ids: Vec<i64> = shown.iter().map(|f| f.id).collect();
    let sizes: HashMap<i64, i64> = store.manifest_sizes(&ids).await?.into_iter().collect();
    let mut open: HashMap<i64, i64> = HashMap::new();
    for (flight, s, n) in store.agency_hit_counts(&who.principal.agency).await? {
        if s == "open" {
            *open.entry(flight).or_default() += n;
        }
    }
    let flights = shown
        .iter()
        .map(|f| {
            let instant = f
                .departure_local
                .as_deref()
                .and_then(|l| l.parse::<jiff::civil::DateTime>().ok())
                .and_then(|l| state.intake.at_airport(&f.origin, l));
            FlightRowView {
                href: flight_href(&f.key),
                flight: format!("{}{}", f.carrier, f.number),
                route: format!("{}–{}", f.origin, f.destination),
                departure: f
                    .departure_local
                    .clone()
                    .unwrap_or_default()
                    .replace('T', " "),
                arrival: f
                    .arrival_local
                    .clone()
                    .unwrap_or_default()
                    .replace('T', " "),
                countdown: instant.map(|i| countdown(now, i)).unwrap_or_default(),
                status: f.status.clone(),
                persons: sizes.get(&f.id).copied().unwrap_or(0),
                open_hits: open.get(&f.id).copied().unwrap_or(0),
            }
        })
        .collect();
    Ok(html(&FlightsPage {
        c: Chrome::new(&who, "nav.flights", "/flights", false),
        date,
        carrier,
        q,
        carriers,
        flights,
        total: matching.len(),
        page,
        pages,
        sees_manifests: who.principal.has_any(PERSONAL),
    }))
}

#[derive(Debug)]
pub(crate) struct PersonView {
    pub href: String,
    pub name: String,
    pub birth: String,
    pub nationality: String,
    pub document: String,
    pub role: String,
    pub status: String,
    pub booking: String,
    pub linked: bool,
    pub open_hits: i64,
    pub hits: i64,
}

#[derive(Template)]
#[template(path = "flight.html")]
struct FlightPage {
    c: Chrome,
    flight: store::FlightRow,
    persons: Vec<PersonView>,
    bookings: i64,
    open_hits: i64,
}

/// "SURNAME, Given Names".
pub(crate) fn display_name(i: &model::Identity) -> String {
    if i.given_names.is_empty() {
        i.surname.clone()
    } else {
        format!("{}, {}", i.surname, i.given_names.join(" "))
    }
}

pub(crate) fn document_text(d: &model::Document) -> String {
    format!(
        "{} {} {}",
        d.kind.as_deref().unwrap_or(""),
        d.number.as_deref().unwrap_or("?"),
        d.issuing_state.as_deref().unwrap_or("")
    )
    .trim()
    .to_string()
}

pub(crate) async fn flight(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path((f, r, d)): Path<(String, String, String)>,
) -> PageResult {
    let key = format!("{f}/{r}/{d}");
    let here = flight_href(&key);
    if let Some(redirect) = purpose_first(&who, &here) {
        return Ok(redirect);
    }
    let store = &state.store;
    let flight = store.flight(&key).await?.ok_or(PageError::NotFound)?;
    let manifest = store.manifest(flight.id).await?;
    let links: HashMap<i64, store::Link> = store
        .links(flight.id)
        .await?
        .into_iter()
        .map(|l| (l.manifest_id, l))
        .collect();
    let hits = store
        .agency_hits(&who.principal.agency, None, Some(flight.id), 10_000)
        .await?;
    let mut by_person: HashMap<i64, (i64, i64)> = HashMap::new();
    for h in &hits {
        if let Some(m) = h.manifest_id {
            let e = by_person.entry(m).or_default();
            e.1 += 1;
            if h.state == "open" {
                e.0 += 1;
            }
        }
    }
    let bookings = store.booking_count(flight.id).await?;
    audited(&state, &who, "manifest.viewed", &format!("flight:{key}")).await?;
    let c = Chrome::new(&who, "nav.flights", &here, true);
    // Masked persons (Art. 12(2)) read "masked" where their values stood, never a blank.
    let masked = c.t.get("common.masked");
    let persons = manifest
        .iter()
        .map(|m| {
            let link = links.get(&m.id);
            let (open_hits, hits) = by_person.get(&m.id).copied().unwrap_or_default();
            let shown = |value: String| match m.masked_at {
                Some(_) => masked.to_string(),
                None => value,
            };
            PersonView {
                href: format!("/travellers/{}", m.id),
                name: shown(display_name(&m.identity)),
                birth: shown(
                    m.identity
                        .date_of_birth
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                ),
                nationality: shown(m.identity.nationality.clone().unwrap_or_default()),
                document: shown(
                    m.identity
                        .documents
                        .first()
                        .map(document_text)
                        .unwrap_or_default(),
                ),
                role: m.role.clone(),
                status: m.status.clone(),
                booking: link
                    .map(|l| l.locator.clone())
                    .or_else(|| m.booking.clone())
                    .unwrap_or_default(),
                linked: link.is_some(),
                open_hits,
                hits,
            }
        })
        .collect();
    let open_hits = hits.iter().filter(|h| h.state == "open").count() as i64;
    Ok(html(&FlightPage {
        c,
        flight,
        persons,
        bookings,
        open_hits,
    }))
}
