//! The intake through a bus: receiving answers `queued`, workers process, and every message
//! is applied once however often its id is delivered and however many workers race on it.
//! The in-process engine needs nothing; the JetStream tests need NATS on 127.0.0.1:4222
//! (`PASSAGE_TEST_NATS_URL` for another): without it they are skipped with the reason, or fail
//! when `CI` is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;
use std::time::Duration;

use bus::{Bus, InProcess, JetStream, Names, Settings};
use intake::worker::Handled;
use intake::{Config, Intake, Outcome};
use store::{AuditQuery, MessageState, Store};

/// A simulated small day, in send-time order, without its deliberate duplicates (whichever of
/// two copies a worker takes first would be "the" original).
fn day() -> Vec<simulator::Sent> {
    let sim =
        simulator::Simulator::new(simulator::Config::new(5, simulator::Size::Small, 1)).unwrap();
    let mut sent = Vec::new();
    sim.run(|m| sent.push(m));
    sent.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.file.cmp(&b.file)));
    sent.retain(|m| !m.quirks.contains(&simulator::Quirk::Duplicate));
    sent
}

/// What processing leaves in a store that depends on each message being applied once:
/// messages by state, persons and travellers, PNR deletions audited (one per push applied).
async fn applied(store: &Store) -> (Vec<(MessageState, i64)>, store::Totals, usize) {
    let deletions = store
        .audit_search(&AuditQuery {
            actor: None,
            action: Some("pnr.deleted_on_receipt"),
            subject: None,
            from: None,
            to: None,
            category: None,
            limit: 1_000_000,
        })
        .await
        .unwrap()
        .len();
    (
        store.count_messages().await.unwrap(),
        store.totals().await.unwrap(),
        deletions,
    )
}

/// The same day processed as it is received, without a bus.
async fn inline_run(
    sent: &[simulator::Sent],
) -> (Vec<(MessageState, i64)>, store::Totals, usize, u64) {
    let intake = Intake::new(Store::open_in_memory().await.unwrap(), Config::default());
    for m in sent {
        intake.receive("http", &m.carrier, &m.bytes).await.unwrap();
    }
    let (states, totals, deletions) = applied(intake.store()).await;
    let processed = intake.counters().values().map(|c| c.processed).sum();
    (states, totals, deletions, processed)
}

async fn until_none_received(store: &Store, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if store.unprocessed().await.unwrap().is_empty() {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "messages still received after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("passage-bus-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_through_the_in_process_queue_lands_as_processed_inline() {
    let sent = day();
    let queue = InProcess::new(Settings::default());
    let intake = Arc::new(
        Intake::new(Store::open_in_memory().await.unwrap(), Config::default())
            .with_bus(Bus::InProcess(queue.clone())),
    );
    // Messages of one flight must be applied in order: one worker, as the queue delivers.
    let worker = {
        let intake = intake.clone();
        tokio::spawn(async move { intake.work().await })
    };
    for m in &sent {
        let receipt = intake.receive("http", &m.carrier, &m.bytes).await.unwrap();
        assert_eq!(receipt.outcome, Outcome::Queued);
        assert_eq!(receipt.contrl, None);
    }
    until_none_received(intake.store(), Duration::from_secs(120)).await;
    queue.close();
    worker.await.unwrap();
    let (states, totals, deletions, processed) = inline_run(&sent).await;
    assert_eq!(applied(intake.store()).await, (states, totals, deletions));
    assert!(deletions > 0, "the day has PNR deletions to count");
    let by_queue: u64 = intake.counters().values().map(|c| c.processed).sum();
    assert_eq!(by_queue, processed);
    assert_eq!(queue.pending(), 0);
}

/// A delivery repeated (an ack lost, an id published again after the de-duplication window)
/// writes nothing the second time.
#[tokio::test]
async fn a_delivery_repeated_is_skipped_without_writing() {
    let sent = day();
    let queue = InProcess::new(Settings::default());
    let bus = Bus::InProcess(queue.clone());
    let intake = Intake::new(Store::open_in_memory().await.unwrap(), Config::default())
        .with_bus(bus.clone());
    let m = sent
        .iter()
        .find(|m| m.file.contains("PNR"))
        .unwrap_or(&sent[0]);
    let receipt = intake.receive("http", &m.carrier, &m.bytes).await.unwrap();
    let first = bus.next().await.unwrap();
    assert_eq!(first.id(), receipt.message);
    assert_eq!(intake.handle(first).await, Handled::Processed);
    let records = intake
        .store()
        .audit_records(None, 1_000_000)
        .await
        .unwrap()
        .len();
    // The same id again, as JetStream would deliver it after a lost ack.
    bus.publish(receipt.message).await.unwrap();
    let again = bus.next().await.unwrap();
    assert_eq!(intake.handle(again).await, Handled::Skipped);
    assert_eq!(
        intake.process(receipt.message).await.unwrap().outcome,
        Outcome::Skipped
    );
    assert_eq!(
        intake
            .store()
            .audit_records(None, 1_000_000)
            .await
            .unwrap()
            .len(),
        records,
        "nothing written the second time"
    );
    assert_eq!(intake.counters()[&m.carrier].processed, 1, "counted once");
}

/// A one-passenger list of a synthetic flight.
const LIST: &[u8] = b"UNB+UNOA:4+XQ+PIU+261127:0900+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+XQ101+++XQ'LOC+125+AMS'DTM+189:2612011005:201'LOC+87+JFK'DTM+232:2612011240:201'NAD+FL+++SYNTH:ANNA'ATT+2++F'DTM+329:900102'NAT+2+XXA'RFF+ABO:P1'DOC+P+X1'DTM+36:301231'LOC+91+XXA'CNT+42:1'UNT+18+1'UNZ+1+1'";

/// Past its attempts a message is parked as failed with a finding, and its id put with the
/// dead letters; it is not processed.
#[tokio::test]
async fn a_message_past_its_deliveries_is_parked_and_dead_lettered() {
    let queue = InProcess::new(Settings::default());
    let bus = Bus::InProcess(queue.clone());
    let intake = Intake::new(Store::open_in_memory().await.unwrap(), Config::default())
        .with_bus(bus.clone());
    let id = intake.receive("http", "XQ", LIST).await.unwrap().message;
    // Two workers die mid-message (their deliveries dropped unanswered).
    for _ in 0..2 {
        let d = bus.next().await.unwrap();
        intake.store().start_attempt(d.id()).await.unwrap();
        drop(d);
    }
    let third = bus.next().await.unwrap();
    assert!(third.exhausted());
    assert_eq!(intake.handle(third).await, Handled::DeadLettered);
    let m = intake.store().message(id).await.unwrap().unwrap();
    assert_eq!(m.state, MessageState::Failed);
    assert_eq!(m.findings[0]["code"], "deliveries_exhausted");
    assert_eq!(
        queue.dead_letters(),
        vec![(id, "deliveries_exhausted".to_string())]
    );
    assert!(
        intake
            .store()
            .flight("XQ101/AMS-JFK/2026-12-01")
            .await
            .unwrap()
            .is_none()
    );
}

/// A carrier's messages are applied in the order received even when the worker holding the
/// earlier one stops answering: the worker holding the later one waits while the earlier
/// one's lease runs, then applies the earlier one first. Two copies of one list show the
/// order: the one applied first is processed, the other a duplicate of it.
#[tokio::test]
async fn a_carriers_messages_apply_in_receipt_order_across_a_dead_worker() {
    let settings = Settings {
        ack_wait: Duration::from_secs(1),
        ..Settings::default()
    };
    let queue = InProcess::new(settings);
    let bus = Bus::InProcess(queue.clone());
    let intake = Intake::new(Store::open_in_memory().await.unwrap(), Config::default())
        .with_bus(bus.clone());
    let first = intake.receive("http", "XQ", LIST).await.unwrap().message;
    let second = intake.receive("http", "XQ", LIST).await.unwrap().message;
    // A worker takes the first and stops there, its lease running and its delivery unanswered.
    let stuck = bus.next().await.unwrap();
    assert_eq!(stuck.id(), first);
    let now = jiff::Timestamp::now();
    let until = now + jiff::SignedDuration::from_millis(800);
    assert_eq!(
        intake.store().take_lease(first, now, until).await.unwrap(),
        store::Lease::Taken { attempts: 1 }
    );
    let later = bus.next().await.unwrap();
    assert_eq!(later.id(), second);
    let started = std::time::Instant::now();
    assert_eq!(intake.handle(later).await, Handled::Processed);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(600) && waited < Duration::from_secs(10),
        "waited {waited:?} for the earlier message's lease"
    );
    let first_state = intake.store().message(first).await.unwrap().unwrap();
    let second_state = intake.store().message(second).await.unwrap().unwrap();
    assert_eq!(first_state.state, MessageState::Processed);
    assert_eq!(second_state.state, MessageState::Duplicate);
    assert_eq!(second_state.duplicate_of, Some(first));
    // The stuck delivery comes back and finds nothing to do.
    drop(stuck);
    let again = bus.next().await.unwrap();
    assert_eq!(again.id(), first);
    assert_eq!(intake.handle(again).await, Handled::Skipped);
    assert_eq!(intake.counters()["XQ"].processed, 1);
    assert_eq!(queue.pending(), 0);
}

use bus::testing::nats_url;

/// Names of this test's own streams, and a guard that deletes them when the test ends,
/// passed or not.
fn names(url: &str, test: &str) -> (Names, bus::testing::ScratchStreams) {
    let streams = bus::testing::ScratchStreams::new(url, test);
    (streams.names.clone(), streams)
}

/// Two nodes on one store (two connections to one SQLite file) and one NATS, each with two
/// workers, every id published by both and also processed directly beside the workers: every
/// message is applied exactly once, as processing the day inline applies it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_racing_on_the_same_ids_apply_each_once() {
    let Some(url) = nats_url() else { return };
    let (names, _streams) = names(&url, "race");
    let settings = Settings {
        ack_wait: Duration::from_secs(5),
        ..Settings::default()
    };
    let dir = temp_dir("race");
    let mut nodes = Vec::new();
    for _ in 0..2 {
        let js = JetStream::connect(&url, names.clone(), settings.clone(), 2)
            .await
            .unwrap();
        let store = Store::open(&dir.join("passage.db")).await.unwrap();
        nodes.push(Arc::new(
            Intake::new(store, Config::default()).with_bus(Bus::JetStream(js)),
        ));
    }
    // PNR pushes: no series (whose parts wait in one node's memory) and each push's
    // deletions audited once per application.
    let mut sent = day();
    sent.retain(|m| m.kind == simulator::Kind::PnrPush);
    let mut ids = Vec::new();
    for m in &sent {
        let receipt = nodes[0]
            .receive("http", &m.carrier, &m.bytes)
            .await
            .unwrap();
        assert_eq!(receipt.outcome, Outcome::Queued);
        ids.push(receipt.message);
    }
    // Every id again from the other node: the stream keeps one of each.
    assert_eq!(nodes[1].publish_received().await.unwrap(), ids.len());
    let mut tasks = Vec::new();
    for node in &nodes {
        for _ in 0..2 {
            let node = node.clone();
            tasks.push(tokio::spawn(async move { node.work().await }));
        }
    }
    // And the second node processing every id directly, racing the workers.
    let direct = {
        let node = nodes[1].clone();
        let ids = ids.clone();
        tokio::spawn(async move {
            let mut skipped = 0;
            for id in ids {
                if node.process(id).await.unwrap().outcome == Outcome::Skipped {
                    skipped += 1;
                }
            }
            skipped
        })
    };
    let skipped = direct.await.unwrap();
    until_none_received(nodes[0].store(), Duration::from_secs(120)).await;
    let JetStreamOf(js) = JetStreamOf::of(&nodes[0]);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while js.pending().await.unwrap() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the bus still holds ids"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for t in &tasks {
        t.abort();
    }
    let processed: u64 = nodes
        .iter()
        .flat_map(|n| n.counters().into_values())
        .map(|c| c.processed)
        .sum();
    let (states, totals, deletions, inline_processed) = inline_run(&sent).await;
    let (got_states, got_totals, got_deletions) = applied(nodes[0].store()).await;
    assert_eq!(
        processed, inline_processed,
        "each message counted as processed once"
    );
    assert_eq!(
        got_deletions, deletions,
        "each push's deletions audited once"
    );
    assert_eq!(got_totals.messages, totals.messages);
    assert_eq!(got_totals.flights, totals.flights);
    assert!(deletions > 0, "the pushes have deletions to count");
    assert!(skipped > 0 || processed > 0);
    // Order across flights may differ from the inline run; the states per message may not.
    let count = |s: &[(MessageState, i64)], state| {
        s.iter().find(|(k, _)| *k == state).map_or(0, |(_, n)| *n)
    };
    for state in [
        MessageState::Processed,
        MessageState::Failed,
        MessageState::Received,
    ] {
        assert_eq!(
            count(&got_states, state),
            count(&states, state),
            "{state:?}"
        );
    }
    assert!(matches!(
        nodes[0].store().verify_audit().await.unwrap(),
        store::Verdict::Intact { .. }
    ));
    drop(nodes);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A carrier publishing on its subject lands in the vault (channel `nats`, the carrier from
/// the subject) and is processed; a subject that names no carrier is refused, audited and kept
/// aside with its reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_carrier_publishing_on_its_subject_lands_in_the_vault() {
    let Some(url) = nats_url() else { return };
    let (names, _streams) = names(&url, "carrier");
    let js = JetStream::connect(&url, names.clone(), Settings::default(), 1)
        .await
        .unwrap();
    let intake = Intake::new(Store::open_in_memory().await.unwrap(), Config::default())
        .with_bus(Bus::JetStream(js.clone()));
    let list = b"UNB+UNOA:4+XQ+PIU+261127:0900+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+XQ101+++XQ'LOC+125+AMS'DTM+189:2612011005:201'LOC+87+JFK'DTM+232:2612011240:201'NAD+FL+++SYNTH:ANNA'ATT+2++F'DTM+329:900102'NAT+2+XXA'RFF+ABO:P1'DOC+P+X1'DTM+36:301231'LOC+91+XXA'CNT+42:1'UNT+18+1'UNZ+1+1'";
    js.publish_as_carrier("XQ", list.to_vec()).await.unwrap();
    js.publish_as_carrier("xq", list.to_vec()).await.unwrap();
    js.publish_as_carrier("XQ", vec![b'x'; 2048]).await.unwrap();
    let kept = intake
        .take_carrier_message(js.carrier_deliveries().await, 1024)
        .await
        .unwrap();
    assert_eq!(kept.outcome, Outcome::Queued);
    let m = intake.store().message(kept.message).await.unwrap().unwrap();
    assert_eq!((m.channel.as_str(), m.carrier.as_str()), ("nats", "XQ"));
    assert_eq!(
        intake
            .store()
            .message_body(kept.message)
            .await
            .unwrap()
            .unwrap(),
        list
    );
    assert!(
        intake
            .take_carrier_message(js.carrier_deliveries().await, 1024)
            .await
            .is_none()
    );
    assert!(
        intake
            .take_carrier_message(js.carrier_deliveries().await, 1024)
            .await
            .is_none()
    );
    // The kept message's id is on the bus; a worker processes it.
    let d = Bus::JetStream(js.clone()).next().await.unwrap();
    assert_eq!(d.id(), kept.message);
    assert_eq!(intake.handle(d).await, Handled::Processed);
    assert!(
        intake
            .store()
            .flight("XQ101/AMS-JFK/2026-12-01")
            .await
            .unwrap()
            .is_some()
    );
    let dead = js.dead_letters().await.unwrap();
    let refused: Vec<(&str, Option<&str>)> = dead
        .iter()
        .map(|d| (d.reason.as_str(), d.from.as_deref()))
        .collect();
    assert_eq!(
        refused,
        vec![
            (
                "not_a_carrier_code",
                Some(names.carrier_subject("xq").as_str())
            ),
            ("too_large", Some(names.carrier_subject("XQ").as_str())),
        ]
    );
    assert_eq!(dead[0].payload, list);
    let audited = intake
        .store()
        .audit_search(&AuditQuery {
            actor: None,
            action: Some("bus.refused"),
            subject: None,
            from: None,
            to: None,
            category: None,
            limit: 10,
        })
        .await
        .unwrap();
    let mut subjects: Vec<&str> = audited.iter().map(|r| r.subject.as_str()).collect();
    subjects.sort_unstable();
    assert_eq!(subjects, vec!["carrier:XQ", "carrier:unknown"]);
}

/// The JetStream engine of an intake.
struct JetStreamOf(JetStream);

impl JetStreamOf {
    fn of(intake: &Intake) -> JetStreamOf {
        match intake.bus() {
            Bus::JetStream(js) => JetStreamOf(js.clone()),
            other => panic!("not a JetStream bus: {other:?}"),
        }
    }
}

/// NATS away: the receipt is still durable and answered `kept` (never "send it again") within
/// the publication timeout; a node with NATS publishes what is still received at its start,
/// and a worker processes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_nats_receipts_are_kept_and_published_later() {
    let dir = temp_dir("away");
    let settings = Settings {
        publish_timeout: Duration::from_millis(300),
        ..Settings::default()
    };
    // Nothing listens on port 1.
    let away = JetStream::connect("nats://127.0.0.1:1", Names::under("t-away"), settings, 1)
        .await
        .unwrap();
    let cut_off = Intake::new(
        Store::open(&dir.join("passage.db")).await.unwrap(),
        Config::default(),
    )
    .with_bus(Bus::JetStream(away));
    let list = b"UNB+UNOA:4+XQ+PIU+261127:0900+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+XQ101+++XQ'LOC+125+AMS'DTM+189:2612011005:201'LOC+87+JFK'DTM+232:2612011240:201'NAD+FL+++SYNTH:ANNA'ATT+2++F'DTM+329:900102'NAT+2+XXA'RFF+ABO:P1'DOC+P+X1'DTM+36:301231'LOC+91+XXA'CNT+42:1'UNT+18+1'UNZ+1+1'";
    let started = std::time::Instant::now();
    let receipt = cut_off.receive("http", "XQ", list).await.unwrap();
    assert_eq!(receipt.outcome, Outcome::Kept);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        cut_off.store().unprocessed().await.unwrap(),
        vec![receipt.message]
    );
    assert_eq!(cut_off.bus().status().await.state, "waiting_for_nats");
    // Still away: the sweep fails to publish and keeps the id for the next one.
    assert_eq!(cut_off.sweep_bus().await.unwrap(), 0);

    let Some(url) = nats_url() else { return };
    let (names, _streams) = names(&url, "away");
    let js = JetStream::connect(&url, names, Settings::default(), 1)
        .await
        .unwrap();
    let back = Intake::new(
        Store::open(&dir.join("passage.db")).await.unwrap(),
        Config::default(),
    )
    .with_bus(Bus::JetStream(js.clone()));
    assert_eq!(back.publish_received().await.unwrap(), 1);
    let d = Bus::JetStream(js).next().await.unwrap();
    assert_eq!(d.id(), receipt.message);
    assert_eq!(back.handle(d).await, Handled::Processed);
    assert!(back.store().unprocessed().await.unwrap().is_empty());
    drop((cut_off, back));
    let _ = std::fs::remove_dir_all(&dir);
}
