//! Synthetic PNRGOV pushes for benchmarks: realistic bookings written by `pnrgov::write`.

use edifact::InterchangeHeader;
use edifact::date::LocalDateTime;
use jiff::civil::{Date, Time};
use pnrgov::write::{PushEnvelope, push};
use pnrgov::*;

use crate::{AIRPORTS, ALNUM, CARRIERS, COUNTRIES, DIGITS, GIVEN_NAMES, SURNAMES, SplitMix64};

fn at(rng: &mut SplitMix64, day: i8) -> LocalDateTime {
    LocalDateTime {
        date: Date::new(2026, 11, day).unwrap_or_default(),
        time: Time::new(
            i8::try_from(rng.below(24)).unwrap_or(0),
            i8::try_from(rng.below(60)).unwrap_or(0),
            0,
            0,
        )
        .ok(),
    }
}

fn ssr(code: &str, text: Option<String>, traveller: Option<&str>) -> Ssr {
    Ssr {
        code: code.into(),
        status: Some("HK".into()),
        quantity: Some(1),
        airline: Some("XQ".into()),
        board_point: None,
        off_point: None,
        text: text.map(Into::into),
        traveller: traveller.map(Into::into),
        sensitive: None,
        segment: 0,
    }
}

fn traveller(rng: &mut SplitMix64, surname: &str, reference: usize) -> Traveller {
    let given = rng.pick(GIVEN_NAMES);
    let title = if rng.chance(50) { "MR" } else { "MRS" };
    let country = rng.pick(COUNTRIES);
    let number = rng.code(ALNUM, 9);
    let docs = format!(
        "/P/{country}/{number}/{country}/{:02}JAN{:02}/{}/{:02}DEC{:02}/{surname}/{given}/",
        rng.between(1, 28),
        rng.between(40, 99),
        if title == "MR" { "M" } else { "F" },
        rng.between(1, 28),
        rng.between(27, 35),
    );
    let mut ssrs = vec![ssr("DOCS", Some(docs), None)];
    if rng.chance(20) {
        ssrs.push(ssr("CTCM", Some(rng.code(DIGITS, 11)), None));
    }
    if rng.chance(8) {
        ssrs.push(ssr(
            if rng.chance(50) { "VGML" } else { "MOML" },
            None,
            None,
        ));
    }
    Traveller {
        surname: surname.into(),
        given_name: Some(format!("{given} {title}").into()),
        title: None,
        kind: TravellerKind::Adult,
        reference: Some(reference.to_string().into()),
        with_infant: false,
        infant_of: None,
        frequent_flyer: if rng.chance(30) {
            vec![FrequentFlyer {
                airline: "XQ".into(),
                number: rng.code(DIGITS, 10).into(),
                tier: None,
            }]
        } else {
            vec![]
        },
        references: vec![rng.code(ALNUM, 16).into()],
        documents: vec![],
        other_documents: vec![],
        contacts: vec![],
        identifications: vec![],
        ssrs,
        remarks: vec![],
        excess_baggage: vec![],
        fare: None,
        tickets: vec![Ticket {
            number: Some(format!("999{}", rng.code(DIGITS, 10)).into()),
            kind: Some("T".into()),
            booklets: Some("1".into()),
            amounts: vec![Amount {
                qualifier: "T".into(),
                value: format!("{}.00", rng.between(90, 2400)).into(),
                currency: Some("XXD".into()),
            }],
            ..Ticket::default()
        }],
        payments: vec![Payment {
            kind: Some("CC".into()),
            vendor: Some("VI".into()),
            account: Some(format!("XXXXXXXXXXXX{}", rng.code(DIGITS, 4)).into()),
            expiry: Some("1229".into()),
            ..Payment::default()
        }],
        segment: 0,
    }
}

fn booking(rng: &mut SplitMix64, flight: &Flight) -> Booking {
    let surname = rng.pick(SURNAMES);
    let party = usize::try_from(rng.between(1, 4)).unwrap_or(1);
    let travellers: Vec<Traveller> = (1..=party).map(|r| traveller(rng, surname, r)).collect();
    let check_ins = (1..=party)
        .map(|r| CheckIn {
            sequence: Some(
                format!(
                    "{}-{:03}",
                    flight.origin.as_deref().unwrap_or("AAA"),
                    rng.below(400)
                )
                .into(),
            ),
            traveller: Some(r.to_string().into()),
            surname: Some(surname.into()),
            seat: Some(
                format!(
                    "{:02}{}",
                    rng.between(1, 40),
                    char::from(b'A' + rng.below(6) as u8)
                )
                .into(),
            ),
            cabin: Some("Y".into()),
            bags: Some(Bags {
                count: Some(1),
                weight: Some(rng.between(8, 23).to_string().into()),
                unit: Some("700".into()),
                pool: None,
                tags: vec![BagTag {
                    carrier: Some("0999".into()),
                    number: rng.code(DIGITS, 10).into(),
                    consecutive: Some(1),
                    destination: flight.destination.clone(),
                }],
            }),
            at: Some(at(rng, 28)),
            by: None,
            segment: 0,
        })
        .collect();
    Booking {
        locators: vec![RecordLocator {
            system: "XQ".into(),
            locator: rng.code(ALNUM, 6).into(),
            created: Some(at(rng, 2)),
        }],
        last_change: Some(at(rng, 26)),
        contacts: vec![Contact {
            purpose: Some("702".into()),
            phone: Some(rng.code(DIGITS, 10).into()),
            ..Contact::default()
        }],
        travellers,
        itinerary: vec![ItinerarySegment {
            flight: flight.clone(),
            party_size: u32::try_from(party).ok(),
            status: Some("HK".into()),
            equipment: Some("32N".into()),
            check_ins,
            ..ItinerarySegment::default()
        }],
        history: vec![HistoryEntry {
            lines: vec![RawSegment {
                tag: "LTS".into(),
                elements: vec![vec![
                    format!(
                        "0/O/SS/XQ{}/{party}",
                        flight.number.as_deref().unwrap_or("1")
                    )
                    .into(),
                ]],
                segment: 0,
            }],
            ..HistoryEntry::default()
        }],
        ..Booking::default()
    }
}

/// Deterministic synthetic PNRGOV traffic of at least `target_bytes`: whole interchanges, one
/// push per flight with 60 to 180 bookings of one to four travellers each (DOCS, tickets,
/// payments, itinerary, check-in with seats and bags, history).
pub fn generate_pnrgov(target_bytes: usize, seed: u64) -> Vec<u8> {
    let mut rng = SplitMix64(seed);
    let mut out = Vec::with_capacity(target_bytes.saturating_add(512 * 1024));
    let mut number = 0u64;
    while out.len() < target_bytes {
        number += 1;
        let carrier = rng.pick(CARRIERS);
        let (from, to) = loop {
            let a = rng.pick(AIRPORTS);
            let b = rng.pick(AIRPORTS);
            if a != b {
                break (a, b);
            }
        };
        let departure = at(&mut rng, 28);
        let flight = Flight {
            departure: Some(LocalTime {
                at: departure,
                place: from.into(),
            }),
            arrival: Some(LocalTime {
                at: at(&mut rng, 28),
                place: to.into(),
            }),
            origin: Some(from.into()),
            destination: Some(to.into()),
            carrier: Some(carrier.into()),
            number: Some(rng.between(1, 9999).to_string().into()),
            booking_class: Some("Y".into()),
            ..Flight::default()
        };
        let n = rng.between(60, 180);
        let bookings = (0..n).map(|_| booking(&mut rng, &flight)).collect();
        let header = InterchangeHeader {
            syntax_identifier: "IATA".into(),
            syntax_version: Some("1".into()),
            sender: carrier.into(),
            recipient: "PIU".into(),
            date: "261127".into(),
            time: "0900".into(),
            control_reference: format!("{number:09}"),
            ..Default::default()
        };
        let p = Push {
            function: Some("22".into()),
            flight: Some(flight),
            declared_bookings: u32::try_from(n).ok(),
            bookings,
            ..Push::default()
        };
        out.extend_from_slice(&push(
            &p,
            &PushEnvelope {
                interchange: &header,
                group_reference: Some("1"),
                message_reference: "1",
                version: "13:1",
                common_access_reference: None,
                series: None,
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_without_error_and_is_deterministic() {
        let bytes = generate_pnrgov(300_000, 9);
        assert_eq!(bytes, generate_pnrgov(300_000, 9));
        let reading = pnrgov::read(&bytes);
        assert!(reading.findings.is_empty(), "{:?}", reading.findings);
        assert!(!reading.messages.is_empty());
        for m in &reading.messages {
            assert!(!m.has_errors(), "{:?}", m.findings);
            let push = m.push().unwrap();
            assert_eq!(push.declared_bookings, Some(push.bookings.len() as u32));
            assert!(
                push.bookings
                    .iter()
                    .all(|b| b.travellers.iter().all(|t| t.documents.len() == 1))
            );
        }
    }
}
