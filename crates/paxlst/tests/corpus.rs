//! Conformance over the real public messages in `../shared/corpus/messages/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use paxlst::series::{Series, SeriesStatus};
use paxlst::*;
use support::{all_messages, load};

fn codes(m: &Message) -> Vec<&str> {
    m.findings.iter().map(|f| f.code.as_ref()).collect()
}

#[test]
fn every_corpus_message_is_read_and_typed() {
    let all = all_messages();
    if all.is_empty() {
        return;
    }
    let (mut lists, mut responses, mut pnr) = (0, 0, 0);
    for (name, bytes) in &all {
        let reading = read(bytes);
        assert_eq!(reading.messages.len(), 1, "{name}: one message per file");
        let m = &reading.messages[0];
        match &m.body {
            Body::PassengerList(l) => {
                lists += 1;
                assert!(!l.legs.is_empty(), "{name}: a flight");
                assert!(
                    !m.has_errors() || name.contains("test2"),
                    "{name}: {:?}",
                    m.findings
                );
            }
            Body::Response(r) => {
                responses += 1;
                assert!(!r.decisions.is_empty(), "{name}: decisions");
                assert!(!m.has_errors(), "{name}: {:?}", m.findings);
            }
            Body::Unsupported => {
                assert_eq!(m.message_type, "PNRGOV", "{name}");
                pnr += 1;
            }
        }
    }
    assert_eq!((lists, responses, pnr), (30, 22, 1));
}

#[test]
fn guide_example_5_1_single_passenger() {
    let Some(bytes) =
        load("guide-examples/PAXLST_D15B_guide_example_5.1_single_sector_passenger.edi")
    else {
        return;
    };
    let reading = read(&bytes);
    assert!(reading.findings.is_empty(), "{:?}", reading.findings);
    let m = &reading.messages[0];
    assert_eq!(m.version, "D:15B");
    assert_eq!(m.interchange.as_ref().unwrap().sender, "ZZAIRLINE");
    let l = m.passenger_list().unwrap();
    assert_eq!(l.kind, DocumentKind::Passengers);
    assert_eq!(l.transaction_reference.as_deref(), Some("1234567890"));
    let sender = l.sender.as_ref().unwrap();
    assert_eq!(sender.name.as_deref(), Some("DAVIDSON ROBERT"));
    assert_eq!(sender.contacts.len(), 3);
    assert_eq!(sender.contacts[2].number, "DAVIDSONR.AT. IATA.ORG");
    assert_eq!(sender.contacts[2].kind, "EM");

    let leg = &l.legs[0];
    assert_eq!(
        (
            leg.flight.as_str(),
            leg.carrier.as_deref(),
            leg.number.as_deref()
        ),
        ("ZZ123", Some("ZZ"), Some("123"))
    );
    assert_eq!(leg.origin().unwrap().airport, "SYD");
    assert_eq!(
        leg.origin().unwrap().departure.unwrap().to_string(),
        "2013-06-21T09:00"
    );
    assert_eq!(leg.destination().unwrap().airport, "HNL");
    assert_eq!(
        leg.destination().unwrap().arrival.unwrap().to_string(),
        "2013-06-21T22:00"
    );

    let p = &l.persons[0];
    assert_eq!(p.role, PersonRole::Passenger);
    assert_eq!(p.surname.as_deref(), Some("WILLIAMS"));
    assert_eq!(p.given_names, ["JOHN", "DONALD"]);
    let a = p.address.as_ref().unwrap();
    assert_eq!(a.street.as_deref(), Some("235 WESTERN ROAD SUITE 203"));
    assert_eq!(a.city.as_deref(), Some("SLEAFORD"));
    assert_eq!(a.region.as_deref(), Some("LINCS"));
    assert_eq!(a.postal_code.as_deref(), Some("PE224T5"));
    assert_eq!(a.country.as_deref(), Some("GBR"));
    assert_eq!(p.sex, Some(Sex::Male));
    assert_eq!(p.date_of_birth.unwrap().to_string(), "1972-09-07");
    assert_eq!(p.baggage.count, Some(2));
    assert_eq!(p.baggage.tags[0].first, "ZZ012345");
    assert_eq!(p.baggage.tags[0].consecutive, Some(3));
    assert_eq!(p.verified, Some(false));
    assert_eq!(p.clearance.as_deref(), Some("HNL"));
    assert_eq!(p.residence.as_deref(), Some("GBR"));
    assert_eq!(p.embarkation.as_deref(), Some("SYD"));
    assert_eq!(p.debarkation.as_deref(), Some("HNL"));
    assert_eq!(p.place_of_birth.as_deref(), Some("AMBER HILL GBR"));
    assert_eq!(p.contacts[0].number, "44 188 84 14151");
    assert_eq!(p.nationality.as_deref(), Some("GBR"));
    assert_eq!(p.booking_locator(), Some("TYR123"));
    assert_eq!(p.passenger_reference(), Some("ABC123"));
    let d = &p.documents[0];
    assert_eq!(
        (d.kind.as_str(), d.number.as_deref()),
        ("P", Some("MB140241"))
    );
    assert_eq!(d.expiry.unwrap().to_string(), "2015-12-31");
    assert_eq!(d.issuing_state.as_deref(), Some("GBR"));
    assert_eq!(l.declared.passengers, Some(160));
    // The guide prints a stray blank in `DTM+232: 1306212200`, and declares 160 passengers
    // for the flight while listing one.
    assert_eq!(codes(m), ["blanks_in_value", "count_mismatch"]);
}

#[test]
fn guide_example_5_2_crew_with_its_count_mismatch() {
    let Some(bytes) = load("guide-examples/PAXLST_D15B_guide_example_5.2_crew.edi") else {
        return;
    };
    let m = &read(&bytes).messages[0];
    let l = m.passenger_list().unwrap();
    assert_eq!(l.kind, DocumentKind::Crew);
    assert_eq!(l.sender.as_ref().unwrap().id.as_deref(), Some("USD090746"));
    let p = &l.persons[0];
    assert_eq!(p.role, PersonRole::Crew);
    assert_eq!(
        (p.surname.as_deref(), p.given_names.as_slice()),
        (Some("CLARK"), &["MICHAEL".into()][..])
    );
    assert_eq!(p.address.as_ref().unwrap().city.as_deref(), Some("LAHAINA"));
    assert_eq!(p.nationality.as_deref(), Some("CAN"));
    assert_eq!(p.documents[0].expiry.unwrap().to_string(), "2015-10-21");
    assert_eq!(l.declared.crew, Some(8));
    let mismatch = m
        .findings
        .iter()
        .find(|f| f.code == "segment_count_mismatch")
        .unwrap();
    assert_eq!(mismatch.text, "UNT declares 20 segments but 21 were found");
    assert_eq!(mismatch.segment, Some(22));
    assert!(codes(m).contains(&"count_mismatch"));
}

#[test]
fn guide_example_5_3_progressive_two_sectors() {
    let Some(bytes) =
        load("guide-examples/PAXLST_D15B_guide_example_5.3_progressive_two_sectors.edi")
    else {
        return;
    };
    let m = &read(&bytes).messages[0];
    assert!(m.findings.is_empty(), "{:?}", m.findings);
    let l = m.passenger_list().unwrap();
    assert_eq!(l.transaction_reference.as_deref(), Some("BART34567890"));
    assert_eq!(l.legs.len(), 2);
    let route: Vec<_> = l
        .legs
        .iter()
        .map(|leg| {
            (
                leg.flight.as_str(),
                leg.origin().unwrap().airport.as_str(),
                leg.destination().unwrap().airport.as_str(),
            )
        })
        .collect();
    assert_eq!(route, [("XZ877", "BCN", "IAD"), ("ZX877", "IAD", "SFO")]);
    assert_eq!(
        l.legs[1].origin().unwrap().departure.unwrap().to_string(),
        "2014-07-08T19:30"
    );
    assert_eq!(
        l.legs[1]
            .destination()
            .unwrap()
            .arrival
            .unwrap()
            .to_string(),
        "2014-07-08T23:30"
    );
    let names: Vec<_> = l.persons.iter().map(|p| p.given_names.join(" ")).collect();
    assert_eq!(names, ["JULIO XAVIER", "SORINA MARIA"]);
    assert_eq!(
        l.persons[1].date_of_birth.unwrap().to_string(),
        "1969-06-06"
    );
    assert_eq!(
        l.persons[1].documents[0].number.as_deref(),
        Some("TRQWE9980")
    );
    assert_eq!(
        l.persons[1].documents[0].expiry.unwrap().to_string(),
        "2017-09-16"
    );
    assert_eq!(l.declared.passengers, Some(2));
}

#[test]
fn d02b_list_without_envelope() {
    let Some(bytes) = load("astra/apis_edi_file_d02b/test1.edi") else {
        return;
    };
    let reading = read(&bytes);
    let m = &reading.messages[0];
    assert!(m.interchange.is_none());
    assert_eq!(m.version, "D:02B");
    assert_eq!(
        m.common_access_reference.as_deref(),
        Some("OK688/071008/1310")
    );
    let l = m.passenger_list().unwrap();
    assert_eq!(l.legs[0].carrier.as_deref(), Some("OK"));
    assert_eq!(l.legs[0].number.as_deref(), Some("688"));
    assert_eq!(
        l.legs[0].origin().unwrap().departure.unwrap().to_string(),
        "2007-10-08T10:45"
    );
    let people: Vec<_> = l
        .persons
        .iter()
        .map(|p| {
            (
                p.surname.clone().unwrap(),
                p.date_of_birth.unwrap().to_string(),
                p.documents[0].kind.clone(),
                p.documents[0].number.clone().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        people,
        [
            (
                "STRANSKY".into(),
                "1967-06-10".into(),
                "I".into(),
                "102865098".into()
            ),
            (
                "KOVACS".into(),
                "1969-12-09".into(),
                "P".into(),
                "35485167".into()
            ),
            (
                "LESKA".into(),
                "1976-05-02".into(),
                "P".into(),
                "34356146".into()
            ),
        ]
    );
    assert_eq!(
        l.persons[1].documents[0].expiry.unwrap().to_string(),
        "2008-09-11"
    );
    assert_eq!(l.persons[0].given_names, ["JAROSLAV VICTOROVICH"]);
    // No UNB; persons lacking expiry or issuing state are reported, not dropped.
    // UNE without UNG, as the D02B bodies come.
    assert_eq!(
        reading
            .findings
            .iter()
            .map(|f| f.code.as_ref())
            .collect::<Vec<_>>(),
        ["missing_envelope_element"]
    );
    assert_eq!(
        codes(m),
        [
            "missing_interchange_header",
            "missing_mandatory",
            "missing_mandatory",
            "missing_mandatory"
        ]
    );
}

#[test]
fn d02b_minimal_list_reports_what_is_missing() {
    let Some(bytes) = load("astra/apis_edi_file_d02b/test2.edi") else {
        return;
    };
    let m = &read(&bytes).messages[0];
    let l = m.passenger_list().unwrap();
    assert_eq!(l.persons.len(), 1);
    assert_eq!(l.persons[0].surname.as_deref(), Some("STRANSKY"));
    let texts: Vec<_> = m
        .findings
        .iter()
        .map(|f| (f.code.as_ref(), f.segment, f.text.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            (
                "missing_interchange_header",
                Some(0),
                "message without an interchange header (UNB)"
            ),
            (
                "missing_mandatory",
                Some(3),
                "TDT has no flight identification"
            ),
            (
                "missing_mandatory",
                Some(8),
                "person lacks core API data: date of birth, nationality, travel document"
            ),
            ("missing_mandatory", Some(10), "DTM 329 has no date"),
        ]
    );
}

#[test]
fn d02b_truncation_case_reports_overlong_and_bad_codes() {
    let Some(bytes) = load("astra/apis_edi_file_d02b/test3_field_truncation.edi") else {
        return;
    };
    let m = &read(&bytes).messages[0];
    let l = m.passenger_list().unwrap();
    assert_eq!(l.persons.len(), 3);
    assert_eq!(l.persons[0].documents[0].kind, "IXX");
    // Every value was cut to its D02B maximum of 35: at the limit, not beyond it.
    assert!(!codes(m).contains(&"too_long"));
    assert_eq!(
        l.persons[2].surname.as_deref(),
        Some("LESKAXXXXXXXXXXXXXXXXXXXXXDXXXXXXXX")
    );
    assert_eq!(
        l.persons[2].address.as_ref().unwrap().city.as_deref(),
        Some("MOSCOWXXXXXXXXXXXXXXXXXXXXXXXXXXXXX")
    );
    // What the padding broke is reported, placed by segment: airports, document types, sex.
    let bad: Vec<_> = m
        .findings
        .iter()
        .filter(|f| f.code == "bad_code_value")
        .map(|f| f.segment.unwrap())
        .collect();
    assert_eq!(bad, [5, 7, 12, 13, 15, 17, 19, 20, 23, 26, 28, 29, 32]);
}

#[test]
fn three_part_series_out_of_order() {
    let parts: Vec<_> = ["test7_part3.edi", "test7_part1.edi", "test7_part2.edi"]
        .iter()
        .filter_map(|f| load(&format!("astra/apis_edi_file_d02b/{f}")))
        .collect();
    if parts.len() != 3 {
        return;
    }
    let mut series = Series::new();
    let mut statuses = Vec::new();
    for bytes in &parts {
        let m = read(bytes).messages.remove(0);
        assert!(m.is_series_part());
        // CNT in a part is the flight total, so parts alone are not checked against it.
        assert!(!codes(&m).contains(&"count_mismatch"));
        series.add(m);
        statuses.push(series.status());
    }
    assert_eq!(
        statuses,
        [
            SeriesStatus::Incomplete {
                received: vec![3],
                missing: vec![1, 2],
                last_known: true
            },
            SeriesStatus::Incomplete {
                received: vec![1, 3],
                missing: vec![2],
                last_known: true
            },
            SeriesStatus::Complete { parts: 3 },
        ]
    );
    let (list, findings) = series.merge().unwrap();
    assert!(findings.is_empty(), "{findings:?}");
    let names: Vec<_> = list
        .persons
        .iter()
        .map(|p| p.surname.clone().unwrap())
        .collect();
    assert_eq!(names, ["STRANSKY", "KOVACS", "LESKA", "PUTIN", "PUTINA"]);
    assert_eq!(list.declared.passengers, Some(5));
}

#[test]
fn incomplete_series_says_what_is_missing() {
    let Some(bytes) = load("astra/apis_edi_file_d02b/test7_part1.edi") else {
        return;
    };
    let mut series = Series::new();
    series.add(read(&bytes).messages.remove(0));
    let (list, findings) = series.merge().unwrap();
    assert_eq!(list.persons.len(), 2);
    assert_eq!(findings[0].code, "series_incomplete");
    assert_eq!(
        findings[0].text,
        "the final part of the series never arrived"
    );
}

#[test]
fn series_part_numbers_beyond_99_are_not_trusted() {
    let Some(bytes) = load("astra/apis_edi_file_d02b/test7_part1.edi") else {
        return;
    };
    let text = String::from_utf8_lossy(&bytes).replace("+01:C'", "+102865098'");
    let mut series = Series::new();
    series.add(read(text.as_bytes()).messages.remove(0));
    assert_eq!(
        series.status(),
        SeriesStatus::Incomplete {
            received: vec![],
            missing: vec![],
            last_known: false
        }
    );
    let (list, findings) = series.merge().unwrap();
    assert_eq!(list.persons.len(), 2);
    assert_eq!(findings[0].code, "series_incomplete");
}

#[test]
fn iapi_request_with_vendor_syntax_identifier() {
    let Some(bytes) = load("astra/iapi_china/01_PAXLST_745_OUT_L419.edi") else {
        return;
    };
    let reading = read(&bytes);
    let m = &reading.messages[0];
    let f = reading
        .findings
        .iter()
        .find(|f| f.code == "unknown_syntax_identifier")
        .unwrap();
    assert_eq!(
        (f.segment, f.element, f.component),
        (Some(0), Some(1), Some(1))
    );
    assert!(m.findings.is_empty(), "{:?}", m.findings);
    let info = m.interchange.as_ref().unwrap();
    assert_eq!(
        (
            info.syntax_identifier.as_str(),
            info.application_reference.as_deref()
        ),
        ("SIRE", Some("IAPI"))
    );
    let l = m.passenger_list().unwrap();
    assert_eq!(l.transaction_reference.as_deref(), Some("0000100"));
    assert_eq!(
        l.legs[0].origin().unwrap().departure.unwrap().to_string(),
        "2026-11-27T16:20"
    );
    let p = &l.persons[1];
    assert_eq!(
        (p.surname.as_deref(), p.given_names.as_slice()),
        (Some("ONE"), &["UBE WI".into()][..])
    );
    assert_eq!(p.date_of_birth.unwrap().to_string(), "1996-01-12");
    assert_eq!(p.verified, Some(true));
    assert_eq!(p.reference("YZY"), Some("7842836432722C2"));
    assert_eq!(p.passenger_reference(), Some("1000000012"));
    let d = &p.documents[0];
    assert_eq!(
        (
            d.kind.as_str(),
            d.number.as_deref(),
            d.issuing_state.as_deref()
        ),
        ("P", Some("E6397444756"), Some("CHN"))
    );
    assert_eq!(d.expiry.unwrap().to_string(), "2027-09-09");
}

#[test]
fn infant_born_last_year_is_not_placed_a_century_later() {
    let Some(bytes) = load("astra/iapi_china/25_PAXLST_745_OUT_L2196.edi") else {
        return;
    };
    let l = read(&bytes).messages.remove(0);
    let l = l.passenger_list().unwrap();
    assert_eq!(
        l.persons[1].date_of_birth.unwrap().to_string(),
        "2025-04-12"
    );
    assert_eq!(
        l.persons[0].date_of_birth.unwrap().to_string(),
        "1956-06-20"
    );
}

#[test]
fn change_list_and_multi_leg_request() {
    let Some(cp) = load("astra/iapi_china/07_PAXLST_745-CP_OUT_L859.edi") else {
        return;
    };
    let l = read(&cp).messages.remove(0);
    let l = l.passenger_list().unwrap();
    assert_eq!(l.change, Some(ListChange::ChangePassengerData));
    assert_eq!(l.persons[0].documents[0].kind, "T");
    let Some(multi) = load("astra/iapi_china/23_PAXLST_745_OUT_L2021.edi") else {
        return;
    };
    let l = read(&multi).messages.remove(0);
    let l = l.passenger_list().unwrap();
    let legs: Vec<_> = l
        .legs
        .iter()
        .map(|g| {
            (
                g.origin().unwrap().airport.clone(),
                g.destination().unwrap().airport.clone(),
            )
        })
        .collect();
    assert_eq!(
        legs,
        [("CAN".into(), "PEK".into()), ("PEK".into(), "ICN".into())]
    );
    assert_eq!(
        l.legs[1]
            .destination()
            .unwrap()
            .arrival
            .unwrap()
            .to_string(),
        "2026-11-28T04:35"
    );
}

#[test]
fn cusres_answers_unsolicited_changes_and_acknowledgements() {
    let (Some(answer), Some(no_board), Some(unsolicited), Some(ack)) = (
        load("astra/iapi_china/02_CUSRES_962_IN_L463.edi"),
        load("astra/iapi_china/14_CUSRES_962_IN_L1563.edi"),
        load("astra/iapi_china/17_CUSRES_132_IN_L1721.edi"),
        load("astra/iapi_china/18_CUSRES_312_OUT_L1740.edi"),
    ) else {
        return;
    };
    let m = read(&answer).messages.remove(0);
    let r = m.response().unwrap();
    assert_eq!(r.kind, ResponseKind::Answer);
    let f = r.flight.as_ref().unwrap();
    assert_eq!(
        (
            f.flight.as_str(),
            f.departure_airport.as_deref(),
            f.arrival_airport.as_deref()
        ),
        ("CA339", Some("ICN"), Some("CAN"))
    );
    assert_eq!(f.departure.unwrap().to_string(), "2026-11-27T16:20");
    let d: Vec<_> = r
        .decisions
        .iter()
        .map(|d| {
            (
                d.passenger_reference.clone().unwrap(),
                d.code.clone(),
                d.texts.join("|"),
            )
        })
        .collect();
    assert_eq!(
        d,
        [
            (
                "1000000011".into(),
                DecisionCode::OkToBoard,
                "OK TO BOARD".into()
            ),
            (
                "1000000012".into(),
                DecisionCode::OkToBoard,
                "OK TO BOARD".into()
            ),
        ]
    );
    let m = read(&no_board).messages.remove(0);
    let r = m.response().unwrap();
    assert_eq!(r.decisions[1].code, DecisionCode::NoBoard);
    assert!(!r.decisions[1].code.allows_boarding());
    assert!(r.decisions[1].texts[0].starts_with("NO BOARD, if there is a question"));
    let r = read(&unsolicited).messages.remove(0);
    let r = r.response().unwrap();
    assert_eq!(
        (r.kind.clone(), r.decisions[0].code.clone()),
        (ResponseKind::Unsolicited, DecisionCode::NoBoard)
    );
    assert_eq!(r.decisions[0].booking_locator.as_deref(), Some("NY7HZZ"));
    let r = read(&ack).messages.remove(0);
    assert_eq!(r.response().unwrap().kind, ResponseKind::Acknowledgement);
    assert_eq!(r.version, "D:05B");
}

#[test]
fn decision_codes_across_all_cusres() {
    let all = all_messages();
    if all.is_empty() {
        return;
    }
    let mut ok = 0;
    let mut no = 0;
    for (_, bytes) in &all {
        for m in read(bytes).messages {
            if let Some(r) = m.response() {
                ok += r
                    .decisions
                    .iter()
                    .filter(|d| d.code == DecisionCode::OkToBoard)
                    .count();
                no += r
                    .decisions
                    .iter()
                    .filter(|d| d.code == DecisionCode::NoBoard)
                    .count();
            }
        }
    }
    assert_eq!((ok, no), (33, 6));
}

#[test]
fn cusres_written_by_passage_reads_back_to_the_same_decisions() {
    let all = all_messages();
    let mut checked = 0;
    for (name, bytes) in &all {
        let reading = read(bytes);
        let m = &reading.messages[0];
        let Some(r) = m.response() else { continue };
        let header = edifact::parse(bytes).interchanges[0]
            .header
            .clone()
            .unwrap();
        let written = cusres::write(
            r,
            &cusres::ResponseEnvelope {
                interchange: &header,
                group_reference: Some("1"),
                message_reference: &m.reference,
                common_access_reference: m.common_access_reference.as_deref(),
            },
        );
        let again = read(&written);
        assert!(
            again.messages[0].findings.is_empty(),
            "{name}: {:?}",
            again.messages[0].findings
        );
        assert!(
            again
                .findings
                .iter()
                .all(|f| f.code == "unknown_syntax_identifier"),
            "{name}"
        );
        assert_eq!(again.messages[0].response(), Some(r), "{name}");
        checked += 1;
    }
    if !all.is_empty() {
        assert_eq!(checked, 22);
    }
}

#[test]
fn paxlst_written_by_passage_reads_back_the_same() {
    let all = all_messages();
    let mut checked = 0;
    for (name, bytes) in &all {
        let reading = read(bytes);
        let m = &reading.messages[0];
        let Some(l) = m.passenger_list() else {
            continue;
        };
        let header = edifact::InterchangeHeader {
            syntax_identifier: "UNOC".into(),
            syntax_version: Some("4".into()),
            sender: "ZZ".into(),
            recipient: "PIU".into(),
            date: "261127".into(),
            time: "0930".into(),
            control_reference: "1".into(),
            ..Default::default()
        };
        let written = write::passenger_list(
            l,
            &write::ListEnvelope {
                interchange: &header,
                separators: edifact::Separators::default(),
                group_reference: None,
                message_reference: "1",
                release: "05B",
                common_access_reference: None,
                series: None,
            },
        );
        let again = read(&written);
        let mut l2 = again.messages[0].passenger_list().unwrap().clone();
        // Segment positions differ between the original and the rewrite.
        let mut l1 = l.clone();
        for p in l1.persons.iter_mut().chain(l2.persons.iter_mut()) {
            p.segment = 0;
            for d in &mut p.documents {
                d.segment = 0;
            }
        }
        if name.contains("test3") {
            continue; // bad codes are kept as sent but rewritten values are re-checked
        }
        assert_eq!(l2, l1, "{name}");
        checked += 1;
    }
    if !all.is_empty() {
        assert!(checked >= 28, "{checked}");
    }
}
