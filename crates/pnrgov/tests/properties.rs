//! Properties: what Passage writes, Passage reads back the same; no input makes the reader panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use edifact::InterchangeHeader;
use edifact::date::LocalDateTime;
use jiff::civil::{date, time};
use pnrgov::write::{PushEnvelope, push};
use pnrgov::*;
use proptest::prelude::*;

fn header() -> InterchangeHeader {
    InterchangeHeader {
        syntax_identifier: "IATA".into(),
        syntax_version: Some("1".into()),
        sender: "XQ".into(),
        recipient: "PIU".into(),
        date: "261127".into(),
        time: "0900".into(),
        control_reference: "1".into(),
        ..Default::default()
    }
}

fn write(p: &Push) -> Vec<u8> {
    push(
        p,
        &PushEnvelope {
            interchange: &header(),
            group_reference: Some("1"),
            message_reference: "1",
            version: "13:1",
            common_access_reference: Some("281126/1005/XQ/101"),
            series: None,
        },
    )
}

/// The push as JSON without segment indexes, which differ between an input and its rewrite.
fn comparable(p: &Push) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                map.remove("segment");
                map.remove("raw");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(p).unwrap();
    strip(&mut v);
    v
}

fn read_one(bytes: &[u8]) -> Push {
    let reading = read(bytes);
    assert!(reading.findings.is_empty(), "{:?}", reading.findings);
    let m = &reading.messages[0];
    assert!(!m.has_errors(), "{:?}", m.findings);
    m.push().unwrap().clone()
}
/// Every group of the message, with synthetic values (`tests/fixtures/full_push.edi`).
const FULL: &str = include_str!("fixtures/full_push.edi");

#[test]
fn a_full_booking_survives_a_rewrite() {
    let first = read(FULL.as_bytes())
        .messages
        .remove(0)
        .push()
        .unwrap()
        .clone();
    let again = read(&write(&first))
        .messages
        .remove(0)
        .push()
        .unwrap()
        .clone();
    assert_eq!(comparable(&again), comparable(&first));
}

/// Found by fuzzing: segments kept as sent came with other separators than the ones written.
#[test]
fn segments_kept_as_sent_are_rewritten_for_the_new_separators() {
    let input = b"UNA:+.?*~UNB+IATA:1+XQ+PIU+261127:0900+1~UNH+1+PNRGOV:13:1:IA~MSG+:22~TVL+281126:1005:281126:1310+AAA+BBB+XQ+101~EQN+1~SRC~RCI+XQ:ABC'DEF~ZZZ+IT'S:UNH+1~TIF+SYNTH+ANNA:A:1~UNT+10+1~UNZ+1+1~";
    let first = read(input).messages.remove(0).push().unwrap().clone();
    assert_eq!(
        first.bookings[0].unread[0].elements,
        [vec!["IT'S", "UNH"], vec!["1"]]
    );
    assert_eq!(first.bookings[0].locator(), Some("ABC'DEF"));
    let written = write(&first);
    let again = read(&written);
    assert_eq!(again.messages.len(), 1);
    let again = again.messages[0].push().unwrap().clone();
    assert_eq!(comparable(&again), comparable(&first));
}

/// Found by fuzzing: a garbled tag (`UN`, control characters, `H`) cleaned into `UNH` must not
/// start a new message when written back.
#[test]
fn kept_segments_with_envelope_or_malformed_tags_are_not_written() {
    let mut p = read(FULL.as_bytes())
        .messages
        .remove(0)
        .push()
        .unwrap()
        .clone();
    for tag in ["UNH", "UNZ", "U\u{0}N", "TOOLONG"] {
        p.unread.push(RawSegment {
            tag: tag.into(),
            elements: vec![vec!["1".into()]],
            segment: 0,
        });
    }
    let again = read(&write(&p));
    assert_eq!(again.messages.len(), 1);
    assert!(again.findings.is_empty(), "{:?}", again.findings);
}

#[test]
fn the_guide_example_survives_a_rewrite() {
    let Some(bytes) =
        test_corpus::read("messages/guide-examples/PNRGOV_11.1_guide_appendixB_example1.edi")
    else {
        return;
    };
    let first = read_one(&bytes);
    let again = read_one(&write(&first));
    assert_eq!(comparable(&again), comparable(&first));
}

fn name() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            5 => proptest::char::range('A', 'Z'),
            // The IATA repertoire is ASCII: other characters would be written as `?`.
            1 => proptest::sample::select(vec!['\'', '-', ':', '+', '?', '*', '.']),
        ],
        1..14,
    )
    .prop_map(|c| c.into_iter().collect::<String>())
}

prop_compose! {
    fn traveller()(surname in name(), given in name(), reference in 1u32..9, infant in any::<bool>(),
                   number in "[A-Z0-9]{6,9}", remark in name()) -> Traveller {
        let docs = format!("/P/XXA/{number}/XXA/02JAN90/F/31DEC30/{surname}/{given}/");
        Traveller {
            surname: surname.clone().into(),
            given_name: Some(given.into()),
            title: None,
            kind: if infant { TravellerKind::Infant } else { TravellerKind::Adult },
            reference: Some(reference.to_string().into()),
            with_infant: false,
            infant_of: None,
            frequent_flyer: vec![],
            references: vec![],
            documents: vec![],
            other_documents: vec![],
            contacts: vec![],
            identifications: vec![],
            ssrs: vec![Ssr {
                code: "DOCS".into(), status: Some("HK".into()), quantity: Some(1),
                airline: Some("XQ".into()), board_point: None, off_point: None,
                text: Some(docs.into()), traveller: None, sensitive: None, segment: 0,
            }],
            remarks: vec![Remark {
                qualifier: "4:28".into(), airline: None, text: remark.into(), sensitive: None, segment: 0,
            }],
            excess_baggage: vec![],
            fare: None,
            tickets: vec![],
            payments: vec![],
            segment: 0,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn written_pushes_read_back(travellers in proptest::collection::vec(traveller(), 1..5), locator in "[A-Z0-9]{6}") {
        let at = LocalDateTime { date: date(2026, 11, 28), time: Some(time(10, 5, 0, 0)) };
        let flight = Flight {
            departure: Some(LocalTime { at, place: "AAA".into() }),
            origin: Some("AAA".into()),
            destination: Some("BBB".into()),
            carrier: Some("XQ".into()),
            number: Some("101".into()),
            ..Flight::default()
        };
        let booking = Booking {
            locators: vec![RecordLocator { system: "XQ".into(), locator: locator.into(), created: None }],
            travellers,
            itinerary: vec![ItinerarySegment { flight: flight.clone(), ..ItinerarySegment::default() }],
            ..Booking::default()
        };
        let original = Push {
            function: Some("22".into()),
            flight: Some(flight),
            declared_bookings: Some(1),
            bookings: vec![booking],
            ..Push::default()
        };
        // What the reader derives (documents from DOCS) is compared after one read.
        let first = read_one(&write(&original));
        let names: Vec<_> = first.bookings[0].travellers.iter().map(|t| t.surname.clone()).collect();
        let expected: Vec<_> = original.bookings[0].travellers.iter().map(|t| t.surname.clone()).collect();
        prop_assert_eq!(names, expected);
        let again = read_one(&write(&first));
        prop_assert_eq!(comparable(&again), comparable(&first));
        let t = &first.bookings[0].travellers[0];
        prop_assert_eq!(&t.remarks[0].text, &original.bookings[0].travellers[0].remarks[0].text);
    }

    #[test]
    fn any_bytes_are_read_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = read(&bytes);
    }
}
