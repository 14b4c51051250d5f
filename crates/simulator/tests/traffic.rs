//! The simulator's promises: everything it emits parses with Passage's readers, the findings are
//! exactly the quirks it injected, the same seed gives the same bytes, and the ground truth holds.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{BTreeSet, HashMap};

use simulator::*;

fn small_day(seed: u64) -> (Simulator, Vec<Sent>, simulator::Outcome) {
    let sim = Simulator::new(Config::new(seed, Size::Small, 1)).unwrap();
    let mut sent = Vec::new();
    let outcome = sim.run(|m| sent.push(m));
    (sim, sent, outcome)
}

/// Every finding code a message gives when read by the reader of its type.
fn finding_codes(bytes: &[u8]) -> (BTreeSet<String>, usize) {
    let parsed = edifact::parse(bytes);
    let mut codes = BTreeSet::new();
    let mut messages = 0;
    for f in parsed.findings_outside_messages() {
        codes.insert(f.code.to_string());
    }
    for (x, m) in parsed.messages() {
        messages += 1;
        let findings = if m.header.message_type == "PNRGOV" {
            pnrgov::read_message(&parsed, x, m).findings
        } else {
            paxlst::read_message(&parsed, x, m).findings
        };
        for f in findings {
            // Sensitive SSRs are marked on purpose in every push with a meal or medical request.
            if f.code != "sensitive_data" {
                codes.insert(f.code.to_string());
            }
        }
    }
    (codes, messages)
}

#[test]
fn everything_parses_and_the_findings_are_the_injected_quirks() {
    let (_, sent, outcome) = small_day(11);
    assert!(sent.len() > 150, "{}", sent.len());
    assert_eq!(outcome.messages, sent.len());
    let mut seen_quirks = BTreeSet::new();
    for m in &sent {
        let (codes, messages) = finding_codes(&m.bytes);
        assert_eq!(messages, 1, "{}", m.file);
        let expected: BTreeSet<String> = m
            .quirks
            .iter()
            .filter_map(|q| q.finding())
            .map(String::from)
            .collect();
        assert_eq!(codes, expected, "{} {:?}", m.file, m.quirks);
        seen_quirks.extend(m.quirks.iter().map(|q| format!("{q:?}")));
    }
    for q in ["TypeBSeparators", "TypeBFraming", "Duplicate", "Late"] {
        assert!(
            seen_quirks.contains(q),
            "no {q} in a small day: {seen_quirks:?}"
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let (_, a, _) = small_day(5);
    let (_, b, _) = small_day(5);
    let (_, c, _) = small_day(6);
    assert_eq!(a.len(), b.len());
    assert!(
        a.iter()
            .zip(&b)
            .all(|(x, y)| x.bytes == y.bytes && x.file == y.file && x.at == y.at)
    );
    assert_ne!(
        a.iter().map(|m| m.bytes.len()).sum::<usize>(),
        c.iter().map(|m| m.bytes.len()).sum::<usize>()
    );
}

#[test]
fn traffic_looks_like_a_day_of_flights() {
    let (sim, sent, outcome) = small_day(3);
    assert_eq!(outcome.flights.len(), 40);
    let travellers: usize = outcome.flights.iter().map(|f| f.travellers).sum();
    assert!((3_000..20_000).contains(&travellers), "{travellers}");
    let mut kinds: HashMap<String, usize> = HashMap::new();
    for m in &sent {
        *kinds.entry(format!("{:?}", m.kind)).or_default() += 1;
    }
    assert!(kinds["PnrPush"] >= 2 * 40, "{kinds:?}");
    assert!(kinds["PassengerList"] >= 38, "{kinds:?}");
    // Names from many cultures, as carriers write them, and valid passports.
    let reading: Vec<_> = sent
        .iter()
        .filter(|m| m.kind == Kind::PassengerList)
        .flat_map(|m| paxlst::read(&m.bytes).messages)
        .collect();
    let surnames: BTreeSet<String> = reading
        .iter()
        .filter_map(|m| m.passenger_list())
        .flat_map(|l| {
            l.persons
                .iter()
                .filter_map(|p| p.surname.as_ref().map(|s| s.to_string()))
        })
        .collect();
    assert!(surnames.len() > 100, "{}", surnames.len());
    let pnr_travellers: usize = sent
        .iter()
        .filter(|m| m.kind == Kind::PnrPush)
        .flat_map(|m| pnrgov::read(&m.bytes).messages)
        .filter_map(|m| {
            m.push()
                .map(|p| p.bookings.iter().map(|b| b.travellers.len()).sum::<usize>())
        })
        .sum();
    assert!(pnr_travellers > travellers, "three pushes a flight");
    assert_eq!(sim.watchlist().len(), 300);
}

#[test]
fn sensitive_requests_appear_at_a_realistic_share() {
    let (_, sent, outcome) = small_day(8);
    let travellers: usize = outcome.flights.iter().map(|f| f.travellers).sum();
    let pushes: Vec<_> = sent.iter().filter(|m| m.kind == Kind::PnrPush).collect();
    let mut sensitive = 0;
    let mut seen = 0;
    for m in pushes {
        for msg in pnrgov::read(&m.bytes).messages {
            if let Some(p) = msg.push() {
                for t in p.bookings.iter().flat_map(|b| &b.travellers) {
                    seen += 1;
                    if t.ssrs.iter().any(|s| s.sensitive.is_some()) {
                        sensitive += 1;
                    }
                }
            }
        }
    }
    let share = sensitive as f64 / seen as f64;
    assert!(
        (0.02..0.10).contains(&share),
        "{share} of {seen} ({travellers} travellers)"
    );
}

#[test]
fn ground_truth_points_at_real_travellers() {
    let sim = Simulator::new(Config {
        planted_share: 0.5,
        ..Config::new(21, Size::Small, 1)
    })
    .unwrap();
    let mut sent = Vec::new();
    let outcome = sim.run(|m| sent.push(m));
    assert!(outcome.truth.len() >= 20, "{}", outcome.truth.len());
    let entries: HashMap<&str, &Entry> =
        sim.watchlist().iter().map(|e| (e.id.as_str(), e)).collect();
    let lists: Vec<paxlst::PassengerList> = sent
        .iter()
        .filter(|m| m.kind == Kind::PassengerList && !m.quirks.contains(&Quirk::Duplicate))
        .flat_map(|m| paxlst::read(&m.bytes).messages)
        .filter_map(|m| m.passenger_list().cloned())
        .collect();
    let mut found = 0;
    for t in &outcome.truth {
        let entry = entries[t.entry.as_str()];
        let Some(person) = lists
            .iter()
            .flat_map(|l| &l.persons)
            .find(|p| p.passenger_reference() == Some(t.passenger_reference.as_str()))
        else {
            continue; // a no-show: booked, never checked in
        };
        found += 1;
        let surname = person.surname.as_deref().unwrap();
        match t.relation {
            Relation::Listed(Variation::Exact) | Relation::Listed(Variation::YearOnlyBirth) => {
                assert_eq!(surname, entry.surname);
                assert_eq!(person.given_names[0], entry.given_names[0]);
            }
            Relation::Listed(Variation::SwappedOrder) => {
                assert_eq!(person.given_names[0], entry.surname)
            }
            Relation::Listed(Variation::DocumentKeyingError) => {
                assert_ne!(
                    person.documents[0].number.as_deref(),
                    entry.document.as_deref().or(Some(""))
                );
            }
            Relation::LookAlike => {
                assert_eq!(surname, entry.surname);
                assert_ne!(
                    person.nationality.as_deref(),
                    Some(entry.nationality.as_str())
                );
            }
            _ => {}
        }
    }
    assert!(
        found * 10 >= outcome.truth.len() * 8,
        "{found} of {}",
        outcome.truth.len()
    );
}
