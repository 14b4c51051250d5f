//! The pure half of processing a message: bytes in, everything the store will need out —
//! findings, the CONTRL, the duplicate key, the lists, and the PNR bookings already through the
//! legal filters and serialised. No I/O, so a batch can read one message while the store writes
//! the previous one.

use edifact::{Finding, Record};
use model::FlightKey;
use screening::normalise::{
    MAX_NAME_PART_BYTES, MAX_NAME_TOKENS, MAX_TOKEN_BYTES, name_within_limits,
};
use sha2::{Digest, Sha256};

use crate::screen::{self, Screener, TravellerHits};
use crate::target::{TargetHit, Targeter};
use crate::{Config, Deletions, api_flight_key, legal, link, pnr_flight_key};

/// A message read and prepared for the store.
#[derive(Debug)]
pub(crate) struct Reading {
    pub id: i64,
    pub carrier: String,
    pub contrl: Option<String>,
    pub findings: usize,
    pub findings_json: serde_json::Value,
    pub has_errors: bool,
    pub message_type: Option<String>,
    /// The duplicate key (carrier, flight, payload hash); `None` when nothing could be read.
    pub key: Option<String>,
    /// Each list with what screening found for its persons (`None`: screened when applied).
    pub lists: Vec<(paxlst::Message, Option<Vec<TravellerHits>>)>,
    pub pushes: Vec<PreparedPush>,
    /// The bytes the vault keeps in place of those received, when the legal filters took
    /// segments out (`None`: every byte may be kept).
    pub kept: Option<Vec<u8>>,
}

/// A PNR push ready to keep: the flight, and each booking filtered under the law.
#[derive(Debug)]
pub(crate) struct PreparedPush {
    pub key: FlightKey,
    pub departure: Option<String>,
    pub arrival: Option<String>,
    /// The scheduled local departure, for timing.
    pub departure_at: Option<jiff::civil::DateTime>,
    pub bookings: Vec<store::NewBooking>,
    pub deleted: Deletions,
    /// What screening found for the bookings' travellers.
    pub hits: Vec<TravellerHits>,
    /// What the targeting criteria in force found for them.
    pub targets: Vec<TargetHit>,
}

/// Findings as they are stored. Should they not serialise, the message says so with an error
/// finding, rather than being stored with none.
pub(crate) fn findings_json(findings: &[Finding]) -> serde_json::Value {
    serde_json::to_value(findings).unwrap_or_else(|e| {
        serde_json::json!([{
            "code": "findings_unwritable",
            "severity": "error",
            "text": format!("the findings could not be written: {e}"),
        }])
    })
}

/// How many findings were found: those kept and those only counted past the cap.
fn counted(findings: &[Finding]) -> usize {
    findings.iter().map(|f| f.omitted.unwrap_or(1)).sum()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A message to read, as it came.
pub(crate) struct Incoming<'a> {
    pub id: i64,
    pub carrier: &'a str,
    pub body: &'a [u8],
    /// The intake's time when reading starts.
    pub now: jiff::Timestamp,
    /// Whether the message may act only on the sender's own flights.
    pub senders_flights_only: bool,
}

/// Reads a message.
pub(crate) fn read(
    config: &Config,
    screener: Option<&Screener>,
    targeter: Option<&Targeter>,
    incoming: &Incoming<'_>,
) -> Reading {
    let &Incoming {
        id,
        carrier,
        body,
        now,
        senders_flights_only,
    } = incoming;
    let today = crate::utc_date(now);
    let parsed = edifact::parse(body);
    let contrl = contrl_of(config, id, &parsed, now);
    let mut reading = Reading {
        id,
        carrier: carrier.to_string(),
        contrl,
        findings: 0,
        findings_json: serde_json::Value::Null,
        has_errors: false,
        message_type: None,
        key: None,
        lists: Vec::new(),
        pushes: Vec::new(),
        kept: None,
    };
    if parsed.interchanges.iter().all(|x| x.messages.is_empty()) {
        reading.findings = counted(&parsed.findings);
        reading.findings_json = findings_json(&parsed.findings);
        return reading;
    }

    let mut findings: Vec<Finding> = parsed.findings_outside_messages();
    let mut flight_key = String::new();
    let mut over_limits = 0;
    // A carrier acts only on flights it operates or markets.
    let mut foreign = false;
    // Segments the law does not let the vault keep.
    let mut excised = std::collections::BTreeSet::new();
    for (x, m) in parsed.messages() {
        reading
            .message_type
            .get_or_insert_with(|| m.header.message_type.clone());
        if m.header.message_type == "PNRGOV" {
            let read = pnrgov::read_message(&parsed, x, m);
            findings.record_all(read.findings.iter().cloned());
            if let Some(push) = read.push() {
                if let Some(f) = &push.flight {
                    let names = [f.operating_carrier.as_deref(), f.carrier.as_deref()];
                    foreign |= !names.contains(&Some(carrier));
                }
                over_limits += push
                    .bookings
                    .iter()
                    .flat_map(|b| &b.travellers)
                    .filter(|t| !name_within_limits(&t.surname, t.given_name.as_deref()))
                    .count();
            }
            if let Some(push) = read.push() {
                let mut deleted = legal::filter_push(push);
                let bookings: Vec<pnrgov::Booking> = push
                    .bookings
                    .iter()
                    .map(|b| {
                        let mut booking = b.clone();
                        deleted.add(legal::filter_booking(&config.regime, &mut booking));
                        booking
                    })
                    .collect();
                excised.extend(deleted.segments.iter().copied());
                let filtered = Filtered { bookings, deleted };
                if let Some(prepared) = prepare_push(screener, targeter, push, filtered, today) {
                    flight_key = prepared.key.to_string();
                    reading.pushes.push(prepared);
                }
            }
        } else {
            let read = paxlst::read_message(&parsed, x, m);
            if let Some(k) = read.passenger_list().and_then(api_flight_key) {
                flight_key = k.to_string();
            }
            findings.record_all(read.findings.iter().cloned());
            if let Some(list) = read.passenger_list() {
                if let Some(leg) = list.legs.first() {
                    foreign |= leg.carrier.as_deref() != Some(carrier);
                }
                over_limits += list
                    .persons
                    .iter()
                    .filter(|p| {
                        let given = p.given_names.iter().map(|g| &**g);
                        !name_within_limits(p.surname.as_deref().unwrap_or_default(), given)
                    })
                    .count();
            }
            let hits = match (screener, read.passenger_list()) {
                (Some(s), Some(list)) if !read.is_series_part() => {
                    Some(screen::screen_list(s, list, today))
                }
                _ => None,
            };
            reading.lists.push((read, hits));
        }
    }
    if over_limits > 0 {
        findings.record(Finding::warning(
            "name_over_limits",
            format!(
                "{over_limits} traveller name(s) longer than screening reads ({MAX_NAME_PART_BYTES} \
                 bytes a part, {MAX_NAME_TOKENS} words, {MAX_TOKEN_BYTES} letters a word): \
                 screened on the part that fits"
            ),
        ));
    }
    if foreign && senders_flights_only {
        findings.record(Finding::error(
            "not_senders_flight",
            "the message names a flight the sending carrier neither operates nor markets: kept, \
             not applied",
        ));
        reading.lists.clear();
        reading.pushes.clear();
    }
    if !excised.is_empty() {
        reading.kept = Some(edifact::excise::without_segments(&parsed, &excised));
    }
    reading.has_errors = findings.iter().any(Finding::is_error);
    reading.findings = counted(&findings);
    reading.findings_json = findings_json(&findings);

    // Duplicates: the same carrier, flight and payload (the envelope's references and dates
    // differ between sendings of the same message).
    let payload = parsed
        .messages()
        .filter_map(|(_, m)| {
            let first = parsed.tokens.segment(m.first_segment)?.offset();
            let last = parsed.tokens.segment(m.end_segment.saturating_sub(1))?;
            body.get(first..last.offset() + last.raw().len())
        })
        .fold(Sha256::new(), |mut h, bytes| {
            h.update(bytes);
            h
        })
        .finalize();
    if foreign && senders_flights_only {
        // no key: the message is finished as failed, with its findings
        return reading;
    }
    reading.key = Some(format!("{carrier}|{flight_key}|{}", hex(&payload)));
    reading
}

/// A push's bookings through the legal filters, and what the filters took out.
struct Filtered {
    bookings: Vec<pnrgov::Booking>,
    deleted: Deletions,
}

/// A push's filtered bookings ready to keep, with their travellers for linking.
fn prepare_push(
    screener: Option<&Screener>,
    targeter: Option<&Targeter>,
    push: &pnrgov::Push,
    filtered: Filtered,
    today: jiff::civil::Date,
) -> Option<PreparedPush> {
    let flight = push.flight.as_ref()?;
    let key = pnr_flight_key(flight)?;
    let Filtered {
        bookings: filtered,
        deleted,
    } = filtered;
    let mut bookings = Vec::with_capacity(filtered.len());
    let mut to_screen = Vec::new();
    let mut targets = Vec::new();
    let departure = flight.departure.as_ref().map(|t| t.at.to_string());
    for booking in filtered {
        let locator = booking.locator().unwrap_or("?").to_string();
        if screener.is_some() {
            // screened together below, on every core
            to_screen.extend(screen::booking_travellers(&locator, &booking));
        }
        let travellers = booking
            .travellers
            .iter()
            .map(|t| link::pnr_traveller(&locator, t))
            .collect();
        // The model's own JSON: serde of plain structs with string keys does not fail.
        let json = match pnrgov::stored::write(&booking) {
            Ok(json) => json,
            Err(e) => {
                invariant::never!("a filtered booking does not serialise: {e}");
                continue;
            }
        };
        if let Some(t) = targeter.filter(|t| !t.is_empty()) {
            // The booking as it will be stored (and as the back-test reads it back).
            targets.extend(t.evaluate(&booking, &key, departure.as_deref()));
        }
        bookings.push(store::NewBooking {
            content_hash: content_hash(&json),
            json,
            format: pnrgov::stored::FORMAT,
            locator,
            travellers,
        });
    }
    let hits = match screener {
        Some(s) => s.screen_all(to_screen, today),
        None => Vec::new(),
    };
    Some(PreparedPush {
        key,
        departure,
        arrival: flight.arrival.as_ref().map(|t| t.at.to_string()),
        departure_at: flight.departure.as_ref().map(|t| t.at.datetime()),
        bookings,
        deleted,
        hits,
        targets,
    })
}

/// What a booking says, hashed without where it stood in its message: a booking pushed again
/// unchanged sits at other segment positions, and is not a new version for that. The JSON comes
/// from serde_json (no whitespace), so each position reads `"segment":<digits>`.
fn content_hash(json: &str) -> String {
    const KEY: &str = "\"segment\":";
    let mut h = Sha256::new();
    let mut rest = json;
    while let Some(at) = rest.find(KEY) {
        let (before, after) = rest.split_at(at);
        h.update(before.as_bytes());
        let after = after.get(KEY.len()..).unwrap_or_default();
        rest = after.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    h.update(rest.as_bytes());
    hex(&h.finalize())
}

/// The CONTRL answering message `id` as parsed, written at `now` (control reference `C{id}`,
/// the same however often it is written); `None` when the interchange asks for none.
pub(crate) fn contrl_of(
    config: &Config,
    id: i64,
    parsed: &edifact::Parsed<'_>,
    now: jiff::Timestamp,
) -> Option<String> {
    edifact::contrl::assess(parsed, 0, &[]).map(|report| {
        let date = now.strftime("%y%m%d").to_string();
        let time = now.strftime("%H%M").to_string();
        let reference = format!("C{id}");
        String::from_utf8_lossy(&edifact::contrl::write(
            &report,
            &edifact::contrl::Reply {
                sender: &config.identity,
                control_reference: &reference,
                date: &date,
                time: &time,
            },
        ))
        .into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_positions_do_not_change_the_content_hash() {
        let a = r#"{"segment":92,"travellers":[{"surname":"SYNTH","segment":97}],"x":1}"#;
        let b = r#"{"segment":116,"travellers":[{"surname":"SYNTH","segment":121}],"x":1}"#;
        let c = r#"{"segment":116,"travellers":[{"surname":"OTHER","segment":121}],"x":1}"#;
        assert_eq!(content_hash(a), content_hash(b));
        assert_ne!(content_hash(b), content_hash(c));
    }
}
