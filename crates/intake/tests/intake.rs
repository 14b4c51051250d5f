//! The intake end to end on each engine of the store: a simulated day in send-time order, series,
//! duplicates, garbage, recovery, and no sensitive data left anywhere in the store.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use intake::{Config, Intake, Outcome};
use store::{MessageState, Received, Store, Verdict};

fn intake(store: Store) -> Intake {
    Intake::new(store, Config::default())
}

store::engines! {
async fn a_simulated_day_lands_in_the_store_without_sensitive_data(store: Store) {
    let sim =
        simulator::Simulator::new(simulator::Config::new(3, simulator::Size::Small, 1)).unwrap();
    let mut sent = Vec::new();
    let outcome = sim.run(|m| sent.push(m));
    sent.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.file.cmp(&b.file)));
    let intake = intake(store);
    let mut duplicates = 0;
    let mut ids = Vec::new();
    for m in &sent {
        let receipt = intake.receive("http", &m.carrier, &m.bytes).await.unwrap();
        ids.push(receipt.message);
        assert_ne!(receipt.outcome, Outcome::Failed, "{}", m.file);
        if m.quirks.contains(&simulator::Quirk::Duplicate) {
            assert!(
                matches!(receipt.outcome, Outcome::Duplicate { .. }),
                "{}",
                m.file
            );
            duplicates += 1;
        }
        assert!(
            receipt
                .contrl
                .as_deref()
                .is_some_and(|c| c.contains("UCI+"))
        );
    }
    assert!(duplicates > 0);
    let store = intake.store();

    // Every flight is there; a flight that was closed has boarded and not-boarded travellers.
    let flights = store.flights_on("2026-12-01").await.unwrap();
    assert_eq!(flights.len(), outcome.flights.len());
    let closed = outcome
        .flights
        .iter()
        .find(|f| !f.no_closure && f.status == simulator::schedule::FlightStatus::OnTime)
        .unwrap();
    let row = store.flight(&closed.key).await.unwrap().unwrap();
    assert_eq!(row.status, "closed");
    let manifest = store.manifest(row.id).await.unwrap();
    let passengers: Vec<_> = manifest.iter().filter(|m| m.role == "passenger").collect();
    assert!(
        passengers.iter().all(|m| m.status == "boarded"),
        "everyone checked in boarded"
    );
    assert!(manifest.iter().any(|m| m.role == "crew"));
    // The close-out speaks of passengers: the crew stay as their list reported them.
    assert!(
        manifest
            .iter()
            .filter(|m| m.role == "crew")
            .all(|m| m.status == "reported")
    );
    assert!(passengers.len() <= closed.travellers);

    // API persons are linked to their PNR travellers, with what agreed.
    let links = store.links(row.id).await.unwrap();
    assert!(
        links.len() * 10 >= passengers.len() * 9,
        "{} of {}",
        links.len(),
        passengers.len()
    );
    assert!(
        links
            .iter()
            .all(|l| l.agreed.contains(&"surname".to_string()))
    );
    assert!(
        links
            .iter()
            .filter(|l| l.agreed.contains(&"document".to_string()))
            .count()
            * 2
            > links.len()
    );

    // PNR versions: three pushes per flight that closed, and no sensitive SSR or remark kept.
    let bookings = store.bookings(row.id).await.unwrap();
    assert!(!bookings.is_empty());
    // Three pushes (T-48 h, T-24 h, closure); a booking pushed again unchanged (only its
    // segment positions differ) is no new version, while the closure adds check-ins.
    assert!(
        bookings.iter().any(|b| b.version >= 2),
        "check-in at closure"
    );
    assert!(
        bookings.iter().filter(|b| b.version == 3).count() * 2 < bookings.len(),
        "an unchanged booking is not a new version"
    );
    for f in &flights {
        for b in store.bookings(f.id).await.unwrap() {
            let text = b.booking.to_string();
            for code in [
                "MOML", "KSML", "HNML", "JNML", "VJML", "WCHR", "WCHS", "WCHC", "MEDA", "BLND",
                "VGML", "DBML", "GFML",
            ] {
                assert!(
                    !text.contains(&format!("\"{code}\"")),
                    "{code} kept in {}",
                    b.locator
                );
            }
        }
    }
    // The vault keeps each message as the law allows from its first write on: the bytes of a
    // push that carried sensitive SSRs read again with none (the reader's own table says so),
    // duplicates included; the digest and size stay those of what was received.
    let (mut filtered, mut as_received) = (0, 0);
    for (m, id) in sent.iter().zip(&ids) {
        let kept = store.message_body(*id).await.unwrap().unwrap();
        let row = store.message(*id).await.unwrap().unwrap();
        let digest: String = {
            use sha2::Digest;
            sha2::Sha256::digest(&m.bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        assert_eq!(row.sha256, digest, "{}", m.file);
        assert_eq!(row.size, m.bytes.len() as i64);
        let sensitive = |bytes: &[u8]| {
            pnrgov::read(bytes)
                .messages
                .iter()
                .filter_map(|x| x.push())
                .flat_map(|p| &p.bookings)
                .map(|b| {
                    let ssrs = b.ssrs.iter().chain(b.travellers.iter().flat_map(|t| &t.ssrs));
                    let remarks = b.remarks.iter().chain(b.travellers.iter().flat_map(|t| &t.remarks));
                    ssrs.filter(|s| s.sensitive.is_some()).count()
                        + remarks.filter(|r| r.sensitive.is_some()).count()
                })
                .sum::<usize>()
        };
        assert_eq!(sensitive(&kept), 0, "{}", m.file);
        if sensitive(&m.bytes) > 0 {
            assert_eq!(row.body, store::BodyKept::Filtered, "{}", m.file);
            assert!(kept.len() < m.bytes.len());
            filtered += 1;
        } else if kept == m.bytes {
            assert_eq!(row.body, store::BodyKept::AsReceived, "{}", m.file);
            as_received += 1;
        }
        // What is kept reads as an interchange whose counts agree.
        if row.body == store::BodyKept::Filtered {
            let parsed = edifact::parse(&kept);
            assert!(
                parsed
                    .findings
                    .iter()
                    .all(|f| !f.code.contains("count")),
                "{}: {:?}",
                m.file,
                parsed.findings
            );
        }
    }
    assert!(filtered > 10 && as_received > 10, "{filtered} {as_received}");

    let counters = intake.counters();
    assert!(counters.values().map(|c| c.sensitive_deleted).sum::<u64>() > 0);
    let deletions = store.audit_records(None, 100_000).await.unwrap();
    assert!(
        deletions
            .iter()
            .any(|r| r.action == "pnr.deleted_on_receipt" && r.detail.contains("religion"))
    );
    assert!(
        deletions.iter().all(|r| !r.detail.contains("MOML")),
        "audit says the category, not the content"
    );
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        Verdict::Intact { .. }
    ));
}
}

store::engines! {
async fn a_series_waits_for_its_parts(store: Store) {
    let Some(parts) = ["test7_part2.edi", "test7_part3.edi", "test7_part1.edi"]
        .iter()
        .map(|f| test_corpus::read(&format!("messages/astra/apis_edi_file_d02b/{f}")))
        .collect::<Option<Vec<Vec<u8>>>>()
    else {
        return;
    };
    let intake = intake(store);
    let outcomes: Vec<_> = {
        let mut o = Vec::new();
        for p in &parts {
            o.push(intake.receive("folder", "OK", p).await.unwrap().outcome);
        }
        o
    };
    assert_eq!(
        outcomes,
        [Outcome::Waiting, Outcome::Waiting, Outcome::Processed]
    );
    let flight = intake
        .store()
        .flight("OK688/PRG-BCN/2007-10-08")
        .await
        .unwrap()
        .unwrap();
    let manifest = intake.store().manifest(flight.id).await.unwrap();
    let names: Vec<_> = manifest
        .iter()
        .map(|m| m.identity.surname.clone())
        .collect();
    assert_eq!(names, ["STRANSKY", "KOVACS", "LESKA", "PUTIN", "PUTINA"]);
    for id in 1..=3 {
        assert_eq!(
            intake.store().message(id).await.unwrap().unwrap().state,
            MessageState::Processed
        );
    }
}
}

store::engines! {
async fn garbage_is_kept_and_reported(store: Store) {
    let intake = intake(store);
    let receipt = intake
        .receive("http", "XQ", b"\x00\xffnot a message at all")
        .await
        .unwrap();
    assert_eq!(receipt.outcome, Outcome::Failed);
    let m = intake
        .store()
        .message(receipt.message)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.state, MessageState::Failed);
    assert!(
        m.findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "no_message")
    );
    assert_eq!(
        intake
            .store()
            .message_body(receipt.message)
            .await
            .unwrap()
            .unwrap(),
        b"\x00\xffnot a message at all"
    );
    assert_eq!(intake.counters()["XQ"].failed, 1);
}
}

store::engines! {
async fn what_was_kept_before_a_crash_is_processed_on_recovery(store: Store) {
    let intake = intake(store);
    let list = b"UNB+UNOA:4+XQ+PIU+261127:0900+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+XQ101+++XQ'LOC+125+AMS'DTM+189:2612011005:201'LOC+87+JFK'DTM+232:2612011240:201'NAD+FL+++SYNTH:ANNA'ATT+2++F'DTM+329:900102'NAT+2+XXA'RFF+ABO:P1'DOC+P+X1'DTM+36:301231'LOC+91+XXA'CNT+42:1'UNT+18+1'UNZ+1+1'";
    // Kept in the vault, then the process dies before reading it.
    let id = keep(intake.store(), list).await;
    assert_eq!(intake.recover().await.unwrap().processed, 1);
    assert_eq!(
        intake.store().message(id).await.unwrap().unwrap().state,
        MessageState::Processed
    );
    let flight = intake
        .store()
        .flight("XQ101/AMS-JFK/2026-12-01")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(intake.store().manifest(flight.id).await.unwrap().len(), 1);
    assert_eq!(intake.recover().await.unwrap(), intake::Recovery::default());
    // The same message again is a duplicate of the one processed.
    let again = intake.receive("http", "XQ", list).await.unwrap();
    assert_eq!(again.outcome, Outcome::Duplicate { of: id });
}
}

#[tokio::test]
async fn a_batch_lands_as_the_same_messages_one_by_one() {
    let sim =
        simulator::Simulator::new(simulator::Config::new(4, simulator::Size::Small, 1)).unwrap();
    let mut sent = Vec::new();
    sim.run(|m| sent.push(m));
    sent.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.file.cmp(&b.file)));
    let sent: Vec<_> = sent.into_iter().take(120).collect();

    let one_by_one = intake(Store::open_in_memory().await.unwrap());
    let mut outcomes = Vec::new();
    for m in &sent {
        outcomes.push(
            one_by_one
                .receive("file", "XQ", &m.bytes)
                .await
                .unwrap()
                .outcome,
        );
    }
    let batched = intake(Store::open_in_memory().await.unwrap());
    let mut batch_outcomes = Vec::new();
    for chunk in sent.chunks(32) {
        let bodies = chunk.iter().map(|m| m.bytes.clone()).collect();
        for r in batched.receive_batch("file", "XQ", bodies).await.unwrap() {
            batch_outcomes.push(r.outcome);
        }
    }
    assert_eq!(batch_outcomes, outcomes);
    let (a, b) = (
        one_by_one.store().totals().await.unwrap(),
        batched.store().totals().await.unwrap(),
    );
    assert_eq!(a, b);
    assert!(a.api_persons > 0 && a.pnr_travellers > 0, "{a:?}");
    assert_eq!(
        batched.store().verify_audit().await.unwrap(),
        one_by_one.store().verify_audit().await.unwrap()
    );
}

store::engines! {
async fn carriers_timing_is_judged_against_the_push_windows_and_kept_per_day(store: Store) {
    let sim =
        simulator::Simulator::new(simulator::Config::new(6, simulator::Size::Small, 1)).unwrap();
    let mut sent = Vec::new();
    sim.run(|m| sent.push(m));
    sent.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.file.cmp(&b.file)));
    let mut zones = intake::timing::AirportZones::default();
    for a in &sim.data().airports {
        let offset = jiff::tz::Offset::from_seconds(a.utc_offset_minutes * 60).unwrap();
        zones.insert(&a.iata, jiff::tz::TimeZone::fixed(offset));
    }
    // The intake's clock is the simulated send time of the message being taken in.
    let clock = intake::SetClock::new(sent[0].at);
    let intake = Intake::new(
        store,
        Config {
            airports: zones,
            ..Config::default()
        },
    )
    .with_clock(clock.clock());
    for m in &sent {
        clock.set(m.at);
        intake.receive("http", &m.carrier, &m.bytes).await.unwrap();
    }
    let late = |kind: simulator::traffic::Kind| {
        sent.iter()
            .filter(|m| m.kind == kind)
            .filter(|m| m.quirks.contains(&simulator::Quirk::Late))
            .filter(|m| !m.quirks.contains(&simulator::Quirk::Duplicate))
            .count() as u64
    };
    let all: intake::CarrierCounters =
        intake
            .counters()
            .values()
            .fold(intake::CarrierCounters::default(), |mut a, c| {
                a.api_late += c.api_late;
                a.closeout_late += c.closeout_late;
                a.pnr_early += c.pnr_early;
                a.pnr_late += c.pnr_late;
                a.timing_unknown += c.timing_unknown;
                a
            });
    // A close-out sent 90 minutes or more after departure is late; PNR pushes at T-48 h and
    // T-24 h stay inside their windows even when sent hours late; every airport has a zone.
    let late_closeouts = late(simulator::traffic::Kind::CloseOut);
    assert!(late_closeouts > 0, "the day has late close-outs");
    assert!(
        all.closeout_late >= late_closeouts,
        "{all:?} vs {late_closeouts}"
    );
    assert_eq!((all.pnr_early, all.timing_unknown), (0, 0), "{all:?}");

    // The counters are kept per carrier and day, for the scorecard.
    let rows = intake
        .store()
        .carrier_counts(None, "2026-11-01", "2026-12-31")
        .await
        .unwrap();
    let kept: i64 = rows
        .iter()
        .filter(|r| r.name == "closeout_late")
        .map(|r| r.n)
        .sum();
    assert_eq!(kept as u64, all.closeout_late);
    let received: i64 = rows
        .iter()
        .filter(|r| r.name == "received")
        .map(|r| r.n)
        .sum();
    assert_eq!(received as usize, sent.len());
}
}

store::engines! {
async fn a_list_arriving_after_the_close_out_does_not_unsettle_the_manifest(store: Store) {
    let sim =
        simulator::Simulator::new(simulator::Config::new(3, simulator::Size::Small, 1)).unwrap();
    let mut sent = Vec::new();
    let outcome = sim.run(|m| sent.push(m));
    sent.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.file.cmp(&b.file)));
    let intake = intake(store);
    for m in &sent {
        intake.receive("http", &m.carrier, &m.bytes).await.unwrap();
    }
    let closed = outcome
        .flights
        .iter()
        .find(|f| !f.no_closure && f.status == simulator::schedule::FlightStatus::OnTime)
        .unwrap();
    let row = intake.store().flight(&closed.key).await.unwrap().unwrap();
    let before = intake.store().manifest(row.id).await.unwrap();
    assert!(before.iter().any(|p| p.status == "boarded"));

    // The flight's passenger list sent again after the close-out, with one person added.
    let list_message = sent
        .iter()
        .find(|m| m.flight == closed.key && m.kind == simulator::traffic::Kind::PassengerList)
        .unwrap();
    let reading = paxlst::read(&list_message.bytes);
    let message = &reading.messages[0];
    let mut list = message.passenger_list().unwrap().clone();
    let mut late = list.persons[0].clone();
    late.surname = Some("LATECOMER".into());
    late.references.retain(|r| r.qualifier != "ABO");
    late.references.push(paxlst::Reference {
        qualifier: "ABO".into(),
        value: "LATE0001".into(),
    });
    list.persons.push(late);
    let interchange = edifact::InterchangeHeader {
        syntax_identifier: "UNOA".into(),
        syntax_version: Some("4".into()),
        sender: "XQ".into(),
        sender_qualifier: None,
        sender_routing: None,
        recipient: "PIU".into(),
        recipient_qualifier: None,
        date: "261201".into(),
        time: "2300".into(),
        control_reference: "LATE1".into(),
        application_reference: None,
        priority: None,
        acknowledgement_requested: false,
        test: false,
        segment: 0,
    };
    let bytes = paxlst::write::passenger_list(
        &list,
        &paxlst::write::ListEnvelope {
            interchange: &interchange,
            separators: edifact::Separators::default(),
            group_reference: None,
            message_reference: "LATE1",
            release: "05B",
            common_access_reference: None,
            series: None,
        },
    );
    let receipt = intake
        .receive("http", &list_message.carrier, &bytes)
        .await
        .unwrap();
    assert_eq!(receipt.outcome, Outcome::Processed);
    let after = intake.store().manifest(row.id).await.unwrap();
    for p in &before {
        let now = after.iter().find(|a| a.id == p.id).unwrap();
        assert_eq!(now.status, p.status, "a settled person stays settled");
    }
    let newcomer = after
        .iter()
        .find(|p| p.reference.as_deref() == Some("LATE0001"))
        .unwrap();
    assert_eq!(newcomer.status, "not_boarded");
}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_receipts_are_each_kept_once_with_their_own_id() {
    let dir = std::env::temp_dir().join(format!("passage-group-commit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&dir.join("passage.db")).await.unwrap();
    let intake = std::sync::Arc::new(Intake::new(store, Config::default()));
    let mut tasks = Vec::new();
    for i in 0..64 {
        let intake = intake.clone();
        tasks.push(tokio::spawn(async move {
            let body = format!("not edifact {i}");
            intake
                .receive("http", "XQ", body.as_bytes())
                .await
                .unwrap()
                .message
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 64, "each receipt has its own id");
    let store = intake.store();
    for id in &ids {
        let body = store.message_body(*id).await.unwrap().unwrap();
        assert!(body.starts_with(b"not edifact "));
    }
    assert_eq!(store.totals().await.unwrap().messages, 64);
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        Verdict::Intact { .. }
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

store::engines! {
/// Without a bus, a message kept while the store failed to process it is processed by the
/// sweep a minute later, without waiting for a restart; a message kept since the previous
/// sweep is left to the task that received it.
async fn what_was_kept_but_not_processed_is_swept_a_minute_later(store: Store) {
    let intake = intake(store);
    let list = b"UNB+UNOA:4+XQ+PIU+261127:0900+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+XQ101+++XQ'LOC+125+AMS'DTM+189:2612011005:201'LOC+87+JFK'DTM+232:2612011240:201'NAD+FL+++SYNTH:ANNA'ATT+2++F'DTM+329:900102'NAT+2+XXA'RFF+ABO:P1'DOC+P+X1'DTM+36:301231'LOC+91+XXA'CNT+42:1'UNT+18+1'UNZ+1+1'";
    let id = keep(intake.store(), list).await;
    // The first sweep only marks what it found.
    assert_eq!(intake.sweep_kept().await.unwrap(), intake::Recovery::default());
    let later = keep(intake.store(), list).await;
    let swept = intake.sweep_kept().await.unwrap();
    assert_eq!(swept.processed, 1);
    assert_eq!(
        intake.store().message(id).await.unwrap().unwrap().state,
        MessageState::Processed
    );
    assert_eq!(
        intake.store().message(later).await.unwrap().unwrap().state,
        MessageState::Received,
        "kept since the previous sweep: not this sweep's"
    );
    // The next sweep takes it (a duplicate of the first), the one after finds nothing.
    assert_eq!(intake.sweep_kept().await.unwrap().processed, 1);
    assert_eq!(intake.sweep_kept().await.unwrap(), intake::Recovery::default());
    assert!(intake.store().unprocessed().await.unwrap().is_empty());
}
}

/// Keeps a message in the vault without processing it (as if the processing failed).
async fn keep(store: &Store, body: &[u8]) -> i64 {
    store
        .receive(&Received {
            channel: "http",
            carrier: "XQ",
            body,
        })
        .await
        .unwrap()
}

store::engines! {
async fn a_late_part_of_a_list_is_not_taken_for_a_part_of_the_close_out(store: Store) {
    // Carriers give a flight's passenger list and its close-out the same common access
    // reference. The passenger list's second part arrives late, after the close-out's first
    // part: each part goes to its own document, none waits for ever, none is dropped.
    let sim =
        simulator::Simulator::new(simulator::Config::new(9, simulator::Size::Small, 1)).unwrap();
    let mut sent = Vec::new();
    sim.run(|m| sent.push(m));
    let parts = |flight: &str, kind: simulator::Kind| -> Vec<Vec<u8>> {
        let mut p: Vec<&simulator::Sent> = sent
            .iter()
            .filter(|m| m.flight == flight && m.kind == kind)
            .filter(|m| !m.quirks.contains(&simulator::Quirk::Duplicate))
            .collect();
        p.sort_by(|a, b| a.file.cmp(&b.file));
        p.into_iter().map(|m| m.bytes.clone()).collect()
    };
    let flight = sent
        .iter()
        .map(|m| m.flight.clone())
        .find(|f| {
            parts(f, simulator::Kind::PassengerList).len() == 2
                && parts(f, simulator::Kind::CloseOut).len() == 2
        })
        .expect("a flight whose list and close-out come in two parts each");
    let list = parts(&flight, simulator::Kind::PassengerList);
    let close_out = parts(&flight, simulator::Kind::CloseOut);
    let first_part = |bytes: &[u8]| -> bool {
        let read = paxlst::read(bytes);
        read.messages[0].series.as_ref().and_then(|s| s.number) == Some(1)
    };
    let (first, last) = if first_part(&list[0]) {
        (&list[0], &list[1])
    } else {
        (&list[1], &list[0])
    };
    let (close_first, close_last) = if first_part(&close_out[0]) {
        (&close_out[0], &close_out[1])
    } else {
        (&close_out[1], &close_out[0])
    };
    let intake = intake(store);
    let mut outcomes = Vec::new();
    for body in [first, close_first, last, close_last] {
        outcomes.push(
            intake
                .receive("folder", &flight[..2], body)
                .await
                .unwrap()
                .outcome,
        );
    }
    assert_eq!(
        outcomes,
        [
            Outcome::Waiting,
            Outcome::Waiting,
            Outcome::Processed,
            Outcome::Processed
        ]
    );
    for id in 1..=4 {
        let m = intake.store().message(id).await.unwrap().unwrap();
        assert_eq!(m.state, MessageState::Processed, "message {id}");
        assert!(
            !m.findings.to_string().contains("series_duplicate_part"),
            "message {id}: {}",
            m.findings
        );
    }
}
}
