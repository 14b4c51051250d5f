//! The booking as stored: a booking of every stored format reads back to its typed value
//! (the fixture of format 1 was written by the intake before this reader existed), every
//! booking the reader makes survives the trip to the disk unchanged, and a renamed field, an
//! unknown format or a missing field is an error, not an empty booking.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use jiff::civil::date;
use pnrgov::stored::{self, FORMAT, StoredError};
use pnrgov::{Booking, TravellerKind};

/// Format 1, as the intake stored the first booking of `fixtures/full_push.edi` (after the
/// legal filters) before the stored form had a reader of its own.
const FORMAT_1: &str = include_str!("fixtures/stored_booking_format1.json");

#[test]
fn a_booking_of_format_1_reads_back_to_its_values() {
    let b = stored::read(1, FORMAT_1).unwrap();
    assert_eq!(b.locator(), Some("QZX123"));
    assert_eq!(b.locators[1].system, "1A");
    assert_eq!(b.last_change.unwrap().to_string(), "2026-11-26T08:15");
    let pos = b.point_of_sale.as_ref().unwrap();
    assert_eq!(pos.agency.as_deref(), Some("12345675"));
    assert_eq!(pos.originator_type.as_deref(), Some("T"));
    assert_eq!(b.travellers.len(), 4);
    let anna = &b.travellers[0];
    assert_eq!(anna.surname, "SYNTH");
    assert_eq!(anna.given_name.as_deref(), Some("ANNA MRS"));
    assert_eq!(anna.title.as_deref(), Some("MRS"));
    assert_eq!(anna.kind, TravellerKind::Adult);
    assert!(anna.with_infant);
    assert_eq!(anna.documents[0].date_of_birth, Some(date(1990, 1, 2)));
    assert_eq!(anna.documents[0].expiry, Some(date(2030, 12, 31)));
    assert_eq!(anna.documents[0].given_names, ["ANNA", "MARIA"]);
    assert_eq!(anna.frequent_flyer[0].tier.as_deref(), Some("GOLD"));
    assert_eq!(anna.payments[0].kind.as_deref(), Some("CC"));
    assert_eq!(
        anna.tickets[0].issued.unwrap().to_string(),
        "2026-11-26T08:30"
    );
    assert_eq!(anna.contacts.len(), 3);
    let ben = &b.travellers[1];
    assert_eq!(ben.kind, TravellerKind::Infant);
    assert_eq!(ben.infant_of.as_deref(), Some("1"));
    assert!(ben.documents[0].infant);
    assert_eq!(b.travellers[2].kind, TravellerKind::Child);
    // Absent lists are empty, absent values none: DORA has neither documents nor contacts.
    assert!(b.travellers[3].documents.is_empty());
    assert_eq!(b.travellers[3].title, None);
    let leg = &b.itinerary[0];
    assert_eq!(leg.flight.operating_carrier.as_deref(), Some("ZY"));
    assert_eq!(
        leg.flight.departure.as_ref().unwrap().at.to_string(),
        "2026-11-28T10:05"
    );
    assert_eq!(leg.party_size, Some(4));
    let check_in = &leg.check_ins[0];
    assert_eq!(check_in.seat.as_deref(), Some("012A"));
    let bags = check_in.bags.as_ref().unwrap();
    assert_eq!((bags.count, bags.weight.as_deref()), (Some(1), Some("23")));
    assert_eq!(bags.tags[0].consecutive, Some(1));
    assert_eq!(b.split.as_ref().unwrap().travellers, Some(1));
    assert_eq!(b.history.len(), 1);
    assert_eq!(b.history[0].lines[3].text(), "LTS+0/O/SS/XQ101");
    assert_eq!(b.non_air[0].kind.as_deref(), Some("71"));
    // What the legal filters deleted stays deleted: no remarks on the booking.
    assert!(b.remarks.is_empty());
    // Written again, it says the same (as JSON values: key order is not meaning).
    let again: serde_json::Value = serde_json::from_str(&stored::write(&b).unwrap()).unwrap();
    let before: serde_json::Value = serde_json::from_str(FORMAT_1).unwrap();
    assert_eq!(again, before);
}

/// Every booking of every fixture and of the guide's example, written and read back, is the
/// same typed value.
#[test]
fn every_booking_survives_the_trip_to_the_disk() {
    let mut files: Vec<Vec<u8>> = std::fs::read_dir("tests/fixtures")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "edi"))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert!(!files.is_empty());
    if let Some(guide) =
        test_corpus::read("messages/guide-examples/PNRGOV_11.1_guide_appendixB_example1.edi")
    {
        files.push(guide);
    }
    let mut bookings = 0;
    for bytes in &files {
        for message in pnrgov::read(bytes).messages {
            let Some(push) = message.push() else { continue };
            for b in &push.bookings {
                let json = stored::write(b).unwrap();
                let back: Booking = stored::read(FORMAT, &json).unwrap();
                assert_eq!(&back, b);
                bookings += 1;
            }
        }
    }
    assert!(bookings >= 2, "{bookings} bookings");
}

#[test]
fn a_renamed_field_is_an_error_not_an_empty_value() {
    // As if the model had renamed `given_name`: the old JSON no longer reads.
    let renamed = FORMAT_1.replace("\"given_name\":", "\"given_names_as_sent\":");
    let e = stored::read(1, &renamed).unwrap_err();
    assert_eq!(
        e,
        StoredError::Unreadable {
            what: "booking",
            reason: "unknown field `given_names_as_sent`".into()
        }
    );
    // A required field gone is an error too.
    let missing = FORMAT_1.replace("\"surname\":\"SYNTH\",\"tickets\"", "\"tickets\"");
    assert_ne!(missing, FORMAT_1);
    let e = stored::read(1, &missing).unwrap_err();
    assert_eq!(
        e,
        StoredError::Unreadable {
            what: "booking",
            reason: "missing field `surname`".into()
        }
    );
    // A wrong type says where, not what the value was.
    let wrong = FORMAT_1.replace("\"party_size\":4", "\"party_size\":\"SYNTH\"");
    let e = stored::read(1, &wrong).unwrap_err().to_string();
    assert!(!e.contains("SYNTH"), "{e}");
    assert!(e.contains("column"), "{e}");
}

#[test]
fn an_unknown_format_is_an_error() {
    for format in [0, FORMAT + 1] {
        assert_eq!(
            stored::read(format, FORMAT_1).unwrap_err(),
            StoredError::UnknownVersion {
                what: "booking",
                version: format,
                reads: 1..=FORMAT
            }
        );
    }
}
