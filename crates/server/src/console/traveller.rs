//! One traveller: the API person and the linked PNR traveller side by side, documents,
//! itinerary, co-travellers of the booking, contacts and payments (what the legal filters
//! kept), previous trips, hits, and the person's segments of the message as received with
//! their findings. Opening it needs a purpose and is audited.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State as Shared};

use super::flights::{display_name, document_text};
use super::today::flight_href;
use super::{Chrome, PageError, PageResult, audited, flat, html, purpose_first, stored_findings};
use crate::State;
use crate::access::Who;

#[derive(Debug, Default)]
pub(crate) struct PnrView {
    pub locator: String,
    pub version: i64,
    pub received_at: String,
    pub name: String,
    pub documents: Vec<String>,
    pub itinerary: Vec<String>,
    pub contacts: Vec<String>,
    pub payments: Vec<String>,
    pub co_travellers: Vec<(String, Option<String>)>,
    pub agreed: String,
    /// When the booking was masked (Art. 12(2)): what it masked reads "masked".
    pub masked: Option<String>,
}

#[derive(Debug)]
pub(crate) struct SegmentLine {
    pub index: usize,
    pub text: String,
    pub findings: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct HitLine {
    pub href: String,
    pub list: String,
    pub entry: String,
    pub score: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "traveller.html")]
struct TravellerPage {
    c: Chrome,
    flight: store::FlightRow,
    flight_href: String,
    person: store::ManifestRow,
    name: String,
    surname: String,
    given_names: String,
    birth: String,
    sex: String,
    nationality: String,
    documents: Vec<String>,
    /// When the person's data were masked (Art. 12(2)).
    masked: Option<String>,
    pnr: Option<PnrView>,
    trips: Vec<(String, store::Trip)>,
    hits: Vec<HitLine>,
    messages: Vec<(i64, Vec<SegmentLine>)>,
    /// When this traveller's data leave the unit, as the policy in force says.
    kept: Vec<KeptLine>,
}

/// One line of "kept until": what, and the text saying until when.
#[derive(Debug)]
pub(crate) struct KeptLine {
    pub what: &'static str,
    pub until: String,
}

pub(crate) fn minute(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// When the person's API data and their booking leave the unit (or are masked), under the
/// policy in force: what the data protection rules promise the traveller, shown beside the data.
pub(crate) async fn kept_lines(
    state: &State,
    flight: &store::FlightRow,
    person: &store::ManifestRow,
    booking: Option<(&str, &str)>,
) -> Result<Vec<KeptLine>, PageError> {
    let Some(retention) = state.retention.as_ref() else {
        return Ok(Vec::new());
    };
    let mut lines = Vec::new();
    let last = |received: jiff::Timestamp| retention.pnr_due(received).1;
    let received_of = |m: Option<store::StoredMessage>| {
        m.and_then(|m| m.received_at.parse::<jiff::Timestamp>().ok())
    };
    let api_received = received_of(state.store.message(person.last_message).await?);
    if state.store.person_linked(person.id).await? {
        if let Some(r) = api_received {
            if person.masked_at.is_none() {
                lines.push(KeptLine {
                    what: "traveller.kept_masked",
                    until: minute(retention.masked_from(r)),
                });
            }
            lines.push(KeptLine {
                what: "traveller.kept_api_linked",
                until: minute(last(r)),
            });
        }
    } else if let Some(due) = retention.api_due(flight) {
        lines.push(KeptLine {
            what: "traveller.kept_api",
            until: minute(due),
        });
    }
    if let Some((locator, received)) = booking
        && let Ok(received) = received.parse::<jiff::Timestamp>()
    {
        let (unlinked, last) = retention.pnr_due(received);
        if state.store.booking_linked(flight.id, locator).await? {
            lines.push(KeptLine {
                what: "traveller.kept_pnr_linked",
                until: minute(last),
            });
        } else {
            lines.push(KeptLine {
                what: "traveller.kept_pnr",
                until: minute(unlinked),
            });
        }
    }
    Ok(lines)
}

/// A booking's text values joined, the absent ones left out.
fn joined<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn contact_line(c: &pnrgov::Contact) -> String {
    joined([
        c.street.as_deref(),
        c.city.as_deref(),
        c.region.as_deref(),
        c.postal_code.as_deref(),
        c.country.as_deref(),
        c.phone.as_deref(),
        c.email.as_deref(),
    ])
}

pub(crate) fn payment_line(p: &pnrgov::Payment) -> String {
    joined([
        p.kind.as_deref(),
        p.vendor.as_deref(),
        p.account.as_deref(),
        p.expiry.as_deref(),
        p.amount.as_deref(),
    ])
}

pub(crate) fn pnr_name(t: &pnrgov::Traveller) -> String {
    match t.given_name.as_deref().filter(|g| !g.is_empty()) {
        Some(given) => format!("{}, {given}", t.surname),
        None => t.surname.to_string(),
    }
}

pub(crate) fn pnr_document(d: &pnrgov::TravelDocument) -> String {
    let mut parts = vec![format!(
        "{} {} {}",
        d.kind.as_deref().unwrap_or_default(),
        d.number.as_deref().unwrap_or_default(),
        d.issuing_state.as_deref().unwrap_or_default(),
    )];
    let born = d.date_of_birth.map(|d| d.to_string());
    let expires = d.expiry.map(|d| d.to_string());
    for (value, label) in [
        (d.nationality.as_deref(), "nationality"),
        (born.as_deref(), "born"),
        (expires.as_deref(), "expires"),
    ] {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            parts.push(format!("{label} {v}"));
        }
    }
    parts.join(" · ")
}

fn itinerary_line(segment: &pnrgov::ItinerarySegment) -> String {
    let f = &segment.flight;
    let departure = f
        .departure
        .as_ref()
        .map(|d| format!("{} {}", d.at, d.place));
    format!(
        "{}{} {}–{} {} {}",
        f.carrier.as_deref().unwrap_or_default(),
        f.number.as_deref().unwrap_or_default(),
        f.origin.as_deref().unwrap_or_default(),
        f.destination.as_deref().unwrap_or_default(),
        departure.as_deref().unwrap_or_default(),
        segment.status.as_deref().unwrap_or_default(),
    )
    .trim()
    .to_string()
}

/// What the page shows of the booking a person is linked to, read through the stored form.
fn pnr_view(
    b: &store::BookingVersion,
    link: &store::Link,
    links: &[store::Link],
    masked: &str,
) -> Result<PnrView, PageError> {
    let booking = pnrgov::stored::read(b.format, &b.booking)?;
    let masked_at = booking.masked.as_ref().map(|m| m.at.to_string());
    // What masking took reads "masked", never a blank.
    let shown = |value: String| match masked_at {
        Some(_) => masked.to_string(),
        None => value,
    };
    let shown_all = |values: Vec<String>| match masked_at {
        Some(_) => vec![masked.to_string()],
        None => values,
    };
    let me = booking
        .travellers
        .iter()
        .find(|t| t.reference.as_deref().unwrap_or_default() == link.traveller);
    let linked_to: HashMap<&str, i64> = links
        .iter()
        .filter(|l| l.locator == link.locator)
        .map(|l| (l.traveller.as_str(), l.manifest_id))
        .collect();
    let contacts = booking
        .contacts
        .iter()
        .chain(me.iter().flat_map(|m| &m.contacts))
        .map(contact_line)
        .filter(|c| !c.is_empty())
        .collect();
    Ok(PnrView {
        locator: b.locator.clone(),
        version: b.version,
        received_at: b.received_at.clone(),
        name: shown(me.map(pnr_name).unwrap_or_default()),
        documents: shown_all(
            me.map(|m| m.documents.iter().map(pnr_document).collect())
                .unwrap_or_default(),
        ),
        itinerary: booking.itinerary.iter().map(itinerary_line).collect(),
        contacts: shown_all(contacts),
        payments: shown_all(
            me.map(|m| {
                m.payments
                    .iter()
                    .map(payment_line)
                    .filter(|p| !p.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        ),
        co_travellers: booking
            .travellers
            .iter()
            .filter(|t| t.reference.as_deref().unwrap_or_default() != link.traveller)
            .map(|t| {
                let href = linked_to
                    .get(t.reference.as_deref().unwrap_or_default())
                    .map(|m| format!("/travellers/{m}"));
                (shown(pnr_name(t)), href)
            })
            .collect(),
        agreed: link.agreed.join(", "),
        masked: masked_at,
    })
}

/// The segments of the person in a PAXLST: their NAD group (to the next NAD, CNT or UNT),
/// found by their RFF+ABO reference or else by `SURNAME:GIVEN` (close-outs list only references), so the
/// page shows this traveller's data, not the whole flight's.
fn person_segments(
    body: &[u8],
    name_key: &str,
    reference: Option<&str>,
    findings: &[edifact::Finding],
) -> Vec<SegmentLine> {
    let tokens = edifact::tokenize(body);
    let mut by_segment: HashMap<usize, Vec<String>> = HashMap::new();
    for f in findings {
        if let Some(i) = f.segment {
            by_segment.entry(i).or_default().push(format!(
                "{} ({}): {}",
                f.code,
                super::messages::severity_name(f.severity),
                f.text
            ));
        }
    }
    let reference_text = reference.map(|r| format!("ABO:{r}"));
    let mut out = Vec::new();
    let mut group: Vec<SegmentLine> = Vec::new();
    let mut mine = false;
    let close = |group: &mut Vec<SegmentLine>, mine: bool, out: &mut Vec<SegmentLine>| {
        if mine {
            out.append(group);
        }
        group.clear();
    };
    for s in tokens.segments() {
        let tag = s.tag();
        if matches!(tag, "NAD" | "CNT" | "UNT") {
            close(&mut group, mine, &mut out);
            mine = false;
        }
        let raw = s.raw_text();
        let in_group = tag == "NAD" || !group.is_empty();
        if !in_group {
            continue;
        }
        // By reference when the person has one (names repeat on a flight), else by name.
        let found = match &reference_text {
            Some(r) => tag == "RFF" && raw.contains(r.as_str()),
            None => tag == "NAD" && !name_key.is_empty() && raw.contains(name_key),
        };
        if found {
            mine = true;
        }
        group.push(SegmentLine {
            index: s.index(),
            text: raw.into_owned(),
            findings: by_segment.remove(&s.index()).unwrap_or_default(),
        });
        if group.len() > 60 {
            group.clear();
        }
    }
    close(&mut group, mine, &mut out);
    out
}

pub(crate) async fn page(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(id): Path<i64>,
) -> PageResult {
    let here = format!("/travellers/{id}");
    if let Some(redirect) = purpose_first(&who, &here) {
        return Ok(redirect);
    }
    let store = &state.store;
    let (flight, person) = store
        .manifest_person(id)
        .await?
        .ok_or(PageError::NotFound)?;
    let c = Chrome::new(&who, "nav.flights", &here, true);
    let masked = c.t.get("common.masked");
    audited(&state, &who, "traveller.viewed", &format!("traveller:{id}")).await?;
    let links = store.links(flight.id).await?;
    let link = links.iter().find(|l| l.manifest_id == id);
    let pnr = match link {
        Some(link) => {
            let latest = store.booking(flight.id, &link.locator).await?;
            latest
                .as_ref()
                .map(|b| pnr_view(b, link, &links, masked))
                .transpose()?
        }
        None => None,
    };
    let trips = store
        .trips(id)
        .await?
        .into_iter()
        .filter(|t| t.manifest_id != id)
        .map(|t| (flight_href(&t.flight), t))
        .collect();
    let hits = store
        .agency_hits(&who.principal.agency, None, Some(flight.id), 10_000)
        .await?
        .into_iter()
        .filter(|h| h.manifest_id == Some(id))
        .map(|h| HitLine {
            href: format!("/hits/{}", h.id),
            list: h.list,
            entry: h.entry_id,
            score: format!("{:.2}", h.score),
            state: h.state,
        })
        .collect();
    let mut messages = Vec::new();
    // The messages that named them: a list sent in parts names its last part, so the
    // person's segments are looked for in every part (and shown where found).
    let mut ids = vec![person.first_message, person.last_message];
    for id in [person.first_message, person.last_message] {
        ids.extend(store.series_parts(id, 100).await?);
    }
    ids.sort_unstable();
    ids.dedup();
    let named = [person.first_message, person.last_message];
    for message_id in ids {
        if let (Some(body), Some(m)) = (
            store.message_body(message_id).await?,
            store.message(message_id).await?,
        ) {
            let name_key = match person.identity.given_names.first() {
                Some(g) => format!("{}:{g}", person.identity.surname),
                None => person.identity.surname.clone(),
            };
            let segments = person_segments(
                &body,
                &name_key,
                person.reference.as_deref(),
                &stored_findings(&m.findings)?,
            );
            if !segments.is_empty() || named.contains(&message_id) {
                messages.push((message_id, segments));
            }
        }
    }
    let kept = kept_lines(
        &state,
        &flight,
        &person,
        pnr.as_ref()
            .map(|p| (p.locator.as_str(), p.received_at.as_str())),
    )
    .await?;
    let i = &person.identity;
    // Masked (Art. 12(2)): every value the person was known by reads "masked".
    let shown = |value: String| match person.masked_at {
        Some(_) => masked.to_string(),
        None => value,
    };
    Ok(html(&TravellerPage {
        flight_href: flight_href(&flight.key),
        name: shown(display_name(i)),
        surname: shown(i.surname.clone()),
        given_names: shown(i.given_names.join(" ")),
        birth: shown(i.date_of_birth.map(|d| d.to_string()).unwrap_or_default()),
        sex: shown(
            i.sex
                .and_then(|s| serde_json::to_value(s).ok())
                .map(|v| flat(&v))
                .unwrap_or_default(),
        ),
        nationality: shown(i.nationality.clone().unwrap_or_default()),
        documents: match person.masked_at {
            Some(_) => vec![masked.to_string()],
            None => i.documents.iter().map(document_text).collect(),
        },
        masked: person.masked_at.clone(),
        c,
        flight,
        person,
        pnr,
        trips,
        hits,
        messages,
        kept,
    }))
}
