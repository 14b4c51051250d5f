//! One traveller: the API person and the linked PNR traveller side by side, documents,
//! itinerary, co-travellers of the booking, contacts and payments (what the legal filters
//! kept), previous trips, hits, and the person's segments of the message as received with
//! their findings. Opening it needs a purpose and is audited.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State as Shared};
use serde_json::Value;

use super::flights::{display_name, document_text};
use super::today::flight_href;
use super::{Chrome, PageError, PageResult, audited, flat, html, json_text as text, purpose_first};
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
    birth: String,
    sex: String,
    documents: Vec<String>,
    pnr: Option<PnrView>,
    trips: Vec<(String, store::Trip)>,
    hits: Vec<HitLine>,
    messages: Vec<(i64, Vec<SegmentLine>)>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().map(flat).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default()
}

fn pnr_name(t: &Value) -> String {
    let given = text(t, "given_name");
    if given.is_empty() {
        text(t, "surname")
    } else {
        format!("{}, {given}", text(t, "surname"))
    }
}

fn pnr_document(d: &Value) -> String {
    let mut parts = vec![format!(
        "{} {} {}",
        text(d, "kind"),
        text(d, "number"),
        text(d, "issuing_state")
    )];
    for (key, label) in [
        ("nationality", "nationality"),
        ("date_of_birth", "born"),
        ("expiry", "expires"),
    ] {
        let v = text(d, key);
        if !v.is_empty() {
            parts.push(format!("{label} {v}"));
        }
    }
    parts.join(" · ")
}

fn itinerary_line(segment: &Value) -> String {
    let f = segment.get("flight").cloned().unwrap_or(Value::Null);
    format!(
        "{}{} {}–{} {} {}",
        text(&f, "carrier"),
        text(&f, "number"),
        text(&f, "origin"),
        text(&f, "destination"),
        f.get("departure").map(flat).unwrap_or_default(),
        text(segment, "status"),
    )
    .trim()
    .to_string()
}

/// The segments of the person in a PAXLST: their NAD group (to the next NAD, CNT or UNT),
/// found by their RFF+ABO reference or else by `SURNAME:GIVEN` (close-outs list only references), so the
/// page shows this traveller's data, not the whole flight's.
fn person_segments(
    body: &[u8],
    name_key: &str,
    reference: Option<&str>,
    findings: &Value,
) -> Vec<SegmentLine> {
    let tokens = edifact::tokenize(body);
    let mut by_segment: HashMap<usize, Vec<String>> = HashMap::new();
    for f in findings.as_array().into_iter().flatten() {
        if let Some(i) = f.get("segment").and_then(Value::as_u64) {
            by_segment.entry(i as usize).or_default().push(format!(
                "{} ({}): {}",
                text(f, "code"),
                text(f, "severity"),
                text(f, "text")
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
    audited(&state, &who, "traveller.viewed", &format!("traveller:{id}")).await?;
    let links = store.links(flight.id).await?;
    let link = links.iter().find(|l| l.manifest_id == id);
    let pnr = match link {
        Some(link) => {
            let latest = store.booking(flight.id, &link.locator).await?;
            latest.as_ref().map(|b| {
                let travellers = b.booking.get("travellers").and_then(Value::as_array);
                let me = travellers
                    .and_then(|ts| ts.iter().find(|t| text(t, "reference") == link.traveller));
                let linked_to: HashMap<&str, i64> = links
                    .iter()
                    .filter(|l| l.locator == link.locator)
                    .map(|l| (l.traveller.as_str(), l.manifest_id))
                    .collect();
                let mut contacts = strings(b.booking.get("contacts"));
                if let Some(me) = me {
                    contacts.extend(strings(me.get("contacts")));
                }
                PnrView {
                    locator: b.locator.clone(),
                    version: b.version,
                    received_at: b.received_at.clone(),
                    name: me.map(pnr_name).unwrap_or_default(),
                    documents: me
                        .and_then(|m| m.get("documents"))
                        .and_then(Value::as_array)
                        .map(|a| a.iter().map(pnr_document).collect())
                        .unwrap_or_default(),
                    itinerary: b
                        .booking
                        .get("itinerary")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().map(itinerary_line).collect())
                        .unwrap_or_default(),
                    contacts,
                    payments: me.map(|m| strings(m.get("payments"))).unwrap_or_default(),
                    co_travellers: travellers
                        .map(|ts| {
                            ts.iter()
                                .filter(|t| text(t, "reference") != link.traveller)
                                .map(|t| {
                                    let href = linked_to
                                        .get(text(t, "reference").as_str())
                                        .map(|m| format!("/travellers/{m}"));
                                    (pnr_name(t), href)
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    agreed: link.agreed.join(", "),
                }
            })
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
    let mut ids = vec![person.first_message, person.last_message];
    ids.dedup();
    for message_id in ids {
        if let (Some(body), Some(m)) = (
            store.message_body(message_id).await?,
            store.message(message_id).await?,
        ) {
            let name_key = match person.identity.given_names.first() {
                Some(g) => format!("{}:{g}", person.identity.surname),
                None => person.identity.surname.clone(),
            };
            let segments =
                person_segments(&body, &name_key, person.reference.as_deref(), &m.findings);
            messages.push((message_id, segments));
        }
    }
    let i = &person.identity;
    Ok(html(&TravellerPage {
        c: Chrome::new(&who, "nav.flights", &here, true),
        flight_href: flight_href(&flight.key),
        name: display_name(i),
        birth: i.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
        sex: i
            .sex
            .and_then(|s| serde_json::to_value(s).ok())
            .map(|v| flat(&v))
            .unwrap_or_default(),
        documents: i.documents.iter().map(document_text).collect(),
        flight,
        person,
        pnr,
        trips,
        hits,
        messages,
    }))
}
