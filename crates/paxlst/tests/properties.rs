//! Properties: a list written by Passage reads back to the same list, under any separators and
//! with names full of separator and release characters.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use edifact::{InterchangeHeader, Separators};
use jiff::civil::Date;
use paxlst::write::{ListEnvelope, passenger_list};
use paxlst::*;
use proptest::prelude::*;

fn separators() -> impl Strategy<Value = Separators> {
    Just(b":+.?*'()-!|#".to_vec())
        .prop_shuffle()
        .prop_map(|p| Separators::from_una([p[0], p[1], p[2], p[3], p[4], p[5]]))
}

fn name() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            4 => proptest::char::range('A', 'Z'),
            1 => proptest::sample::select(vec!['\'', '-', ':', '+', '?', '*', '(', ')', '!', 'Ö', 'Ł']),
        ],
        1..16,
    )
    .prop_map(|c| c.into_iter().collect::<String>())
    // The reader trims blanks at the ends of values; names do not start or end with them.
    .prop_filter("no blank ends", |s: &String| s.trim() == s)
}

fn birth() -> impl Strategy<Value = Date> {
    (1930i16..2026, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

fn person() -> impl Strategy<Value = (String, Vec<String>, Date, bool, String)> {
    (
        name(),
        proptest::collection::vec(name(), 0..3),
        birth(),
        any::<bool>(),
        "[A-Z0-9]{6,9}",
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn written_lists_read_back(seps in separators(), people in proptest::collection::vec(person(), 1..6)) {
        let mut leg = Leg::for_flight("XX1");
        leg.stops = vec![
            Stop { role: StopRole::Departure, airport: "AAA".into(), departure: Some(LocalDateTime { date: Date::new(2026, 11, 28).unwrap(), time: Some(jiff::civil::time(10, 5, 0, 0)) }), arrival: None },
            Stop { role: StopRole::Arrival, airport: "BBB".into(), departure: None, arrival: Some(LocalDateTime { date: Date::new(2026, 11, 28).unwrap(), time: Some(jiff::civil::time(13, 10, 0, 0)) }) },
        ];
        let persons: Vec<Person> = people
            .iter()
            .map(|(surname, given, dob, female, number)| {
                let mut p = Person::with_role(PersonRole::Passenger);
                p.surname = Some(surname.into());
                p.given_names = given.iter().map(Text::from).collect();
                p.date_of_birth = Some(*dob);
                p.sex = Some(if *female { Sex::Female } else { Sex::Male });
                p.nationality = Some("XXA".into());
                p.references.push(Reference { qualifier: "ABO".into(), value: number.into() });
                p.documents.push(TravelDocument {
                    kind: "P".into(),
                    number: Some(number.into()),
                    issuing_state: Some("XXA".into()),
                    expiry: Some(Date::new(2031, 2, 28).unwrap()),
                    ..TravelDocument::default()
                });
                p
            })
            .collect();
        let mut list = PassengerList {
            kind: DocumentKind::Passengers,
            change: None,
            transaction_reference: Some("T1".into()),
            sender: None,
            legs: vec![leg],
            persons,
            declared: DeclaredCounts { passengers: Some(people.len() as u32), crew: None },
        };
        let header = InterchangeHeader {
            syntax_identifier: "UNOW".into(),
            syntax_version: Some("4".into()),
            sender: "XX".into(),
            recipient: "PIU".into(),
            date: "261127".into(),
            time: "0930".into(),
            control_reference: "1".into(),
            ..Default::default()
        };
        let bytes = passenger_list(&list, &ListEnvelope {
            interchange: &header,
            separators: seps,
            group_reference: Some("G1"),
            message_reference: "M1",
            release: "05B",
            common_access_reference: None,
            series: None,
        });
        let reading = read(&bytes);
        prop_assert!(reading.findings.is_empty(), "{:?}", reading.findings);
        let m = &reading.messages[0];
        prop_assert!(m.findings.is_empty(), "{:?}", m.findings);
        let mut back = m.passenger_list().unwrap().clone();
        for p in back.persons.iter_mut() {
            p.segment = 0;
            for d in &mut p.documents { d.segment = 0; }
        }
        list.legs[0] = back.legs[0].clone();
        prop_assert_eq!(back.legs[0].origin.as_deref(), Some("AAA"));
        prop_assert_eq!(back, list);
    }
}
