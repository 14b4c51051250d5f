//! Hostile and broken input must never take the unit down: one message's cost is bounded,
//! what cannot be processed is parked with a finding, and nothing acknowledged is lost across
//! a restart (series parts included).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::{Duration, Instant};

use intake::{Config, Intake, Outcome};
use screening::Format;
use store::{MessageState, Received, Store};

const HEADER: &str = "UNB+UNOA:4+XQ+PIU+261127:0900+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+XQ101+++XQ'LOC+125+AMS'DTM+189:2612011005:201'LOC+87+JFK'DTM+232:2612011240:201'";

fn list_with_name(surname: &str, given: &str) -> Vec<u8> {
    let reference = surname.len() + given.len();
    format!(
        "{HEADER}NAD+FL+++{surname}:{given}'ATT+2++F'DTM+329:900102'NAT+2+XXA'RFF+ABO:P{reference}'DOC+P+X1'DTM+36:301231'LOC+91+XXA'CNT+42:1'UNT+18+1'UNZ+1+1'"
    )
    .into_bytes()
}

/// An intake with the simulator's national list in force, so every name is screened.
async fn screening_intake(store: Store) -> Intake {
    let sim =
        simulator::Simulator::new(simulator::Config::new(11, simulator::Size::Small, 1)).unwrap();
    let csv = simulator::truth::watchlist_csv(sim.watchlist());
    let intake = Intake::new(store, Config::default());
    intake
        .watchlists()
        .import("national", Format::Csv, csv.as_bytes(), "test-admin")
        .await
        .unwrap();
    intake
}

fn codes(findings: &serde_json::Value) -> Vec<String> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// A kept message: its state and the codes of its findings.
async fn kept(intake: &Intake, id: i64) -> (MessageState, Vec<String>) {
    let m = intake.store().message(id).await.unwrap().unwrap();
    (m.state, codes(&m.findings))
}

/// The codes of the findings of a message answered and kept as failed.
async fn failed_with(intake: &Intake, receipt: &intake::Receipt) -> Vec<String> {
    assert_eq!(receipt.outcome, Outcome::Failed);
    let (state, codes) = kept(intake, receipt.message).await;
    assert_eq!(state, MessageState::Failed);
    codes
}

/// A 16,384-letter surname once held a worker for more than five minutes (the fuzzy lookup's
/// cost is cubic in a word's length). Now it is read within a second, kept as sent, screened
/// on what fits, and the carrier is told.
#[tokio::test]
async fn a_sixteen_thousand_letter_name_is_screened_in_bounded_time() {
    let intake = screening_intake(Store::open_in_memory().await.unwrap()).await;
    let letters: String = (0..16_384)
        .map(|i| char::from(b'A' + (i * 7 % 26) as u8))
        .collect();
    let words: String = (0..2_000).map(|i| format!("W{i} ")).collect();
    for (surname, given) in [(letters.as_str(), "ANNA"), ("SMITH", words.as_str())] {
        let started = Instant::now();
        let receipt = intake
            .receive("http", "XQ", &list_with_name(surname, given))
            .await
            .unwrap();
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "took {took:?}");
        assert_eq!(receipt.outcome, Outcome::Processed);
        let (_, codes) = kept(&intake, receipt.message).await;
        assert!(codes.contains(&"name_over_limits".to_string()), "{codes:?}");
    }
    // The name is kept as sent: screening reads a bounded part, the manifest has it all.
    let flight = intake
        .store()
        .flight("XQ101/AMS-JFK/2026-12-01")
        .await
        .unwrap()
        .unwrap();
    let manifest = intake.store().manifest(flight.id).await.unwrap();
    assert!(manifest.iter().any(|p| p.identity.surname.len() == 16_384));
}

/// A megabyte of empty segments gave a million findings (1.76 GB in memory, 140 MB stored):
/// now the first thousand are kept and the rest counted in one finding.
#[tokio::test]
async fn a_million_empty_segments_keep_a_thousand_findings_and_a_count() {
    let intake = Intake::new(Store::open_in_memory().await.unwrap(), Config::default());
    let mut body = HEADER.as_bytes().to_vec();
    body.extend(std::iter::repeat_n(b'\'', 1 << 20));
    body.extend_from_slice(b"UNT+8+1'UNZ+1+1'");
    let started = Instant::now();
    let receipt = intake.receive("http", "XQ", &body).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(
        receipt.findings >= 1 << 20,
        "every finding counted: {}",
        receipt.findings
    );
    let kept = intake
        .store()
        .message(receipt.message)
        .await
        .unwrap()
        .unwrap();
    let all = kept.findings.as_array().unwrap();
    assert!(
        all.len() <= 3 * (edifact::MAX_FINDINGS + 1),
        "{} kept",
        all.len()
    );
    let omitted: u64 = all.iter().filter_map(|f| f["omitted"].as_u64()).sum();
    assert!(
        omitted >= (1 << 20) - 3 * edifact::MAX_FINDINGS as u64,
        "{omitted}"
    );
}

/// A part of a series acknowledged as waiting lived only in memory: a restart lost it. The
/// waiting is rebuilt from the vault at start, and the series completes after the restart.
#[tokio::test]
async fn a_series_part_waiting_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("passage-hostile-series-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("passage.db");
    let part = |n: u8, of: &str, person: &str| {
        format!(
            "UNB+UNOA:4+XQ+PIU+261127:0900+{n}'UNH+1+PAXLST:D:05B:UN:IATA+XQ101SERIES+0{n}:{of}'BGM+745'TDT+20+XQ101+++XQ'LOC+125+AMS'DTM+189:2612011005:201'LOC+87+JFK'DTM+232:2612011240:201'NAD+FL+++SYNTH:{person}'ATT+2++F'DTM+329:900102'NAT+2+XXA'RFF+ABO:P{n}'DOC+P+X{n}'DTM+36:301231'LOC+91+XXA'CNT+42:2'UNT+18+1'UNZ+1+{n}'"
        )
        .into_bytes()
    };
    {
        let intake = Intake::new(Store::open(&path).await.unwrap(), Config::default());
        let first = intake
            .receive("http", "XQ", &part(1, "C", "ANNA"))
            .await
            .unwrap();
        assert_eq!(first.outcome, Outcome::Waiting);
    }
    // The process stops; a new one opens the same store.
    let intake = Intake::new(Store::open(&path).await.unwrap(), Config::default());
    let recovery = intake.recover().await.unwrap();
    assert_eq!(recovery.series_parts, 1, "{recovery:?}");
    let second = intake
        .receive("http", "XQ", &part(2, "F", "BERT"))
        .await
        .unwrap();
    assert_eq!(second.outcome, Outcome::Processed);
    let flight = intake
        .store()
        .flight("XQ101/AMS-JFK/2026-12-01")
        .await
        .unwrap()
        .unwrap();
    let mut names: Vec<String> = intake
        .store()
        .manifest(flight.id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.identity.given_names.join(" "))
        .collect();
    names.sort();
    assert_eq!(names, ["ANNA", "BERT"]);
    drop(intake);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A message whose processing stopped the unit twice (say the memory killer) is parked as
/// failed with a finding at the next start, never retried by itself; the others go on.
#[tokio::test]
async fn a_message_that_stopped_the_unit_twice_is_parked() {
    let intake = Intake::new(Store::open_in_memory().await.unwrap(), Config::default());
    let keep = |body: &'static [u8]| Received {
        channel: "http",
        carrier: "XQ",
        body,
    };
    let poison = intake
        .store()
        .receive(&keep(b"UNB+UNOA:4+XQ+PIU+261127:0900+1'"))
        .await
        .unwrap();
    let fine = list_with_name("SYNTH", "ANNA");
    let fine: &'static [u8] = Box::leak(fine.into_boxed_slice());
    let good = intake.store().receive(&keep(fine)).await.unwrap();
    // Two starts that died while processing the poison message.
    for _ in 0..intake::MAX_RECOVERY_ATTEMPTS {
        intake.store().start_attempt(poison).await.unwrap();
    }
    let recovery = intake.recover().await.unwrap();
    assert_eq!(
        (recovery.parked, recovery.processed),
        (1, 1),
        "{recovery:?}"
    );
    let (state, codes) = kept(&intake, poison).await;
    assert_eq!(
        (state, codes.as_slice()),
        (
            MessageState::Failed,
            &["processing_interrupted".to_string()][..]
        )
    );
    assert_eq!(kept(&intake, good).await.0, MessageState::Processed);
    // Nothing is left for the next start.
    assert_eq!(intake.recover().await.unwrap(), intake::Recovery::default());
}

/// A message that takes longer than the read budget is parked as failed; the sender is told
/// (422 with the finding), not asked to send it again.
#[tokio::test]
async fn a_message_over_the_read_budget_is_parked() {
    let intake = Intake::new(
        Store::open_in_memory().await.unwrap(),
        Config {
            read_budget: Duration::from_millis(1),
            ..Config::default()
        },
    );
    // a megabyte of segments takes far more than a millisecond to read
    let mut body = HEADER.as_bytes().to_vec();
    body.extend(std::iter::repeat_n(&b"FTX+AAA'"[..], 1 << 17).flatten());
    body.extend_from_slice(b"UNT+8+1'UNZ+1+1'");
    let receipt = intake.receive("http", "XQ", &body).await.unwrap();
    assert_eq!(
        failed_with(&intake, &receipt).await,
        ["read_budget_exceeded"]
    );
}

/// Carrier XQ's credential once cancelled another airline's flight. A carrier's message acts
/// only on flights it operates or markets: anything else is kept, refused with a finding and
/// counted against the sender; the administrator's bulk import of files is not a carrier.
#[tokio::test]
async fn a_carrier_cannot_act_on_another_carriers_flight() {
    let intake = Intake::new(Store::open_in_memory().await.unwrap(), Config::default());
    let list = list_with_name("SYNTH", "ANNA");
    let refused = intake.receive("http", "JX", &list).await.unwrap();
    assert!(
        failed_with(&intake, &refused)
            .await
            .contains(&"not_senders_flight".to_string())
    );
    assert!(
        intake
            .store()
            .flight("XQ101/AMS-JFK/2026-12-01")
            .await
            .unwrap()
            .is_none(),
        "nothing of the flight was applied"
    );
    assert_eq!(intake.counters()["JX"].failed, 1);
    // The operating carrier itself, and an administrator's import, act on it.
    let own = intake.receive("folder", "XQ", &list).await.unwrap();
    assert_eq!(own.outcome, Outcome::Processed);
    let imported = intake
        .receive("file", "JX", &list_with_name("OTHER", "BERT"))
        .await
        .unwrap();
    assert_eq!(imported.outcome, Outcome::Processed);
}
