//! `passage demo`: what Passage reads today, shown on a small synthetic flight.
//!
//! A carrier sends a passenger list in three parts over a Type B-safe separator set, out of
//! order, then a close-out; an interactive request gets its CUSRES answer; every interchange gets
//! its CONTRL. Everything is synthetic and written by Passage's own writers.

use std::process::ExitCode;

use edifact::{InterchangeHeader, Separators, SeriesPosition};
use jiff::civil::{Date, date, time};
use paxlst::cusres::{self, ResponseEnvelope};
use paxlst::series::Series;
use paxlst::write::{ListEnvelope, passenger_list};
use paxlst::*;

const NAMES: [(&str, &str, bool, i16); 6] = [
    ("AL-RASHID", "MARYAM", true, 1984),
    ("O'CONNOR", "SEAN PATRICK", false, 1979),
    ("NGUYEN", "THI LAN", true, 1992),
    ("OKONKWO", "CHIDI", false, 1967),
    ("IVANOVA", "YELENA", true, 2001),
    ("GARCIA LOPEZ", "JOSE", false, 2019),
];

fn header(reference: &str) -> InterchangeHeader {
    InterchangeHeader {
        syntax_identifier: "UNOA".into(),
        syntax_version: Some("4".into()),
        sender: "XQ".into(),
        recipient: "PIU".into(),
        date: "261128".into(),
        time: "0615".into(),
        control_reference: reference.into(),
        ..Default::default()
    }
}

fn flight() -> Leg {
    let mut leg = Leg::for_flight("XQ101");
    let day = date(2026, 11, 28);
    leg.stops = vec![
        Stop {
            role: StopRole::Departure,
            airport: "AAA".into(),
            departure: Some(LocalDateTime {
                date: day,
                time: Some(time(9, 40, 0, 0)),
            }),
            arrival: None,
        },
        Stop {
            role: StopRole::Arrival,
            airport: "BBB".into(),
            departure: None,
            arrival: Some(LocalDateTime {
                date: day,
                time: Some(time(13, 5, 0, 0)),
            }),
        },
    ];
    leg
}

fn person(i: usize) -> Person {
    let (surname, given, female, year) = NAMES
        .iter()
        .cycle()
        .nth(i)
        .copied()
        .unwrap_or(("?", "?", false, 1970));
    let mut p = Person::with_role(PersonRole::Passenger);
    p.surname = Some(surname.into());
    p.given_names = vec![given.into()];
    p.sex = Some(if female { Sex::Female } else { Sex::Male });
    p.date_of_birth = Date::new(year, (i % 12 + 1) as i8, (i % 27 + 1) as i8).ok();
    p.nationality = Some("XXA".into());
    p.references = vec![
        Reference {
            qualifier: "AVF".into(),
            value: format!("Q{i:05}").into(),
        },
        Reference {
            qualifier: "ABO".into(),
            value: format!("P{i:04}").into(),
        },
    ];
    p.documents = vec![TravelDocument {
        kind: "P".into(),
        number: Some(format!("X{:08}", 1_000_003 * (i + 7)).into()),
        issuing_state: Some("XXA".into()),
        expiry: Some(date(2030, 6, 30)),
        ..TravelDocument::default()
    }];
    p
}

fn list(persons: Vec<Person>, change: Option<ListChange>) -> PassengerList {
    PassengerList {
        kind: if change.as_ref().is_some_and(ListChange::is_close_out) {
            DocumentKind::FlightStatus
        } else {
            DocumentKind::Passengers
        },
        change,
        transaction_reference: None,
        sender: Some(Sender {
            id: None,
            name: Some("XQ DEPARTURE CONTROL".into()),
            contacts: Vec::new(),
        }),
        legs: vec![flight()],
        persons,
        declared: DeclaredCounts {
            passengers: Some(NAMES.len() as u32),
            crew: None,
        },
    }
}

pub fn run() -> anyhow::Result<ExitCode> {
    println!("Passage demo: one synthetic flight, XQ101 AAA -> BBB\n");
    let type_b = Separators::from_una(*b":(.) -");
    let parts: Vec<Vec<u8>> = (0..3)
        .map(|part| {
            let persons = (part * 2..part * 2 + 2).map(person).collect();
            let position = SeriesPosition {
                number: Some(part as u32 + 1),
                marker: match part {
                    0 => Some('C'),
                    2 => Some('F'),
                    _ => None,
                },
            };
            passenger_list(
                &list(persons, None),
                &ListEnvelope {
                    interchange: &header(&format!("10{part}")),
                    separators: type_b,
                    group_reference: None,
                    message_reference: "1",
                    release: "05B",
                    common_access_reference: Some("XQ101/261128"),
                    series: Some(&position),
                },
            )
        })
        .collect();

    println!("The carrier sends the list in three parts, in the order 2, 3, 1:");
    let mut series = Series::new();
    for part in [1, 2, 0] {
        let Some(bytes) = parts.get(part) else {
            continue;
        };
        let reading = read(bytes);
        let parsed = edifact::parse(bytes);
        for m in reading.messages {
            let n = m.passenger_list().map_or(0, |l| l.persons.len());
            println!(
                "  part {} received: {n} persons, {} findings",
                part + 1,
                m.findings.len()
            );
            series.add(m);
        }
        println!(
            "    series now: {}",
            serde_json::to_string(&series.status())?
        );
        if let Some(report) = edifact::contrl::assess(&parsed, 0, &[]) {
            let contrl = edifact::contrl::write(
                &report,
                &edifact::contrl::Reply {
                    sender: "PIU",
                    control_reference: "9001",
                    date: "261128",
                    time: "0616",
                },
            );
            let line = String::from_utf8_lossy(&contrl);
            let uci = line.lines().find(|l| l.starts_with("UCI")).unwrap_or("");
            println!("    CONTRL back to the carrier: {uci}");
        }
    }
    if let Some((merged, findings)) = series.merge() {
        println!(
            "\nMerged manifest: {} passengers, declared {} ({} findings)",
            merged.persons.len(),
            merged.declared.passengers.unwrap_or(0),
            findings.len()
        );
        for p in &merged.persons {
            println!(
                "  {:<14} {:<14} {} {} {}",
                p.surname.as_deref().unwrap_or("?"),
                p.given_names.join(" "),
                p.sex.map_or("?", Sex::code),
                p.date_of_birth.map(|d| d.to_string()).unwrap_or_default(),
                p.passenger_reference().unwrap_or("?")
            );
        }
    }

    println!("\nAn interactive request for one traveller, and the answer Passage would write:");
    let answer = Response {
        kind: ResponseKind::Answer,
        transaction_reference: Some("T0001".into()),
        flight: None,
        decisions: vec![Decision {
            level: DecisionLevel::Passenger,
            booking_locator: Some("Q00003".into()),
            passenger_reference: Some("P0003".into()),
            code: DecisionCode::OkToBoard,
            texts: vec!["OK TO BOARD".into()],
        }],
    };
    let mut reply_header = header("7001");
    reply_header.sender = "PIU".into();
    reply_header.recipient = "XQ".into();
    let bytes = cusres::write(
        &answer,
        &ResponseEnvelope {
            interchange: &reply_header,
            group_reference: None,
            message_reference: "1",
            common_access_reference: None,
        },
    );
    print!("{}", String::from_utf8_lossy(&bytes));
    println!(
        "\nNext: `passage parse --json FILE` reads real files; the server, store and screening arrive with the following issues."
    );
    Ok(ExitCode::SUCCESS)
}
