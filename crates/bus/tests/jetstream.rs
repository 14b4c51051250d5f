//! The JetStream engine against the real NATS on 127.0.0.1:4222 (`PASSAGE_TEST_NATS_URL` for
//! another): each test on streams of its own, deleted at the end. Without NATS the tests are
//! skipped with the reason, or fail when `CI` is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Duration;

use bus::{Bus, BusError, JetStream, Names, Settings};

use bus::testing::nats_url;

/// Names of this test's own streams, and a guard that deletes them when the test ends,
/// passed or not.
fn names(url: &str, test: &str) -> (Names, bus::testing::ScratchStreams) {
    let streams = bus::testing::ScratchStreams::new(url, test);
    (streams.names.clone(), streams)
}

fn quick() -> Settings {
    Settings {
        ack_wait: Duration::from_secs(1),
        ..Settings::default()
    }
}

async fn node(url: &str, names: &Names, settings: Settings) -> (Bus, JetStream) {
    let js = JetStream::connect(url, names.clone(), settings, 1)
        .await
        .unwrap();
    (Bus::JetStream(js.clone()), js)
}

/// Waits for the next delivery at most `within`.
async fn next_within(bus: &Bus, within: Duration) -> Option<bus::Delivery> {
    tokio::time::timeout(within, bus.next())
        .await
        .ok()
        .flatten()
}

#[tokio::test]
async fn published_ids_are_delivered_once_and_leave_when_acked() {
    let Some(url) = nats_url() else { return };
    let (names, _streams) = names(&url, "ack");
    let (bus, js) = node(&url, &names, Settings::default()).await;
    for id in [11, 12, 13, 12] {
        bus.publish(id).await.unwrap();
    }
    assert_eq!(
        js.pending().await.unwrap(),
        3,
        "the id published twice is queued once"
    );
    let mut got = Vec::new();
    for _ in 0..3 {
        let d = next_within(&bus, Duration::from_secs(10)).await.unwrap();
        assert_eq!((d.attempt(), d.exhausted()), (1, false));
        got.push(d.id());
        d.ack().await.unwrap();
    }
    assert_eq!(got, vec![11, 12, 13]);
    assert_eq!(js.pending().await.unwrap(), 0);
    let status = bus.status().await;
    assert_eq!(
        (status.engine, status.state, status.pending),
        ("nats", "connected", Some(0))
    );
}

/// A node that dies holding a delivery (its connection gone, no ack): after the ack wait
/// another node gets the id, as its second delivery.
#[tokio::test]
async fn an_id_held_by_a_node_that_died_goes_to_another() {
    let Some(url) = nats_url() else { return };
    let (names, _streams) = names(&url, "redeliver");
    let (first, first_js) = node(&url, &names, quick()).await;
    first.publish(21).await.unwrap();
    let held = next_within(&first, Duration::from_secs(10)).await.unwrap();
    assert_eq!(held.id(), 21);
    // The node dies: its delivery unanswered, its connection closed.
    std::mem::forget(held);
    drop(first);
    drop(first_js);
    let (second, second_js) = node(&url, &names, quick()).await;
    let again = next_within(&second, Duration::from_secs(10)).await.unwrap();
    assert_eq!((again.id(), again.attempt()), (21, 2));
    again.ack().await.unwrap();
    assert_eq!(second_js.pending().await.unwrap(), 0);
}

/// While a worker tells progress the id is not given to another, however long it takes
/// (here 5 s, two and a half ack waits).
#[tokio::test]
async fn progress_keeps_a_delivery_with_its_worker() {
    let Some(url) = nats_url() else { return };
    let (names, _streams) = names(&url, "progress");
    // Progress every 0.3 s against an ack wait of 2 s: room for a loaded machine.
    let settings = Settings {
        ack_wait: Duration::from_secs(2),
        ..Settings::default()
    };
    let (worker, js) = node(&url, &names, settings.clone()).await;
    let (other, other_js) = node(&url, &names, settings).await;
    worker.publish(31).await.unwrap();
    let d = next_within(&worker, Duration::from_secs(10)).await.unwrap();
    let watcher = tokio::spawn(async move {
        next_within(&other, Duration::from_secs(5))
            .await
            .map(|d| d.id())
    });
    for _ in 0..17 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        d.progress().await.unwrap();
    }
    assert_eq!(
        watcher.await.unwrap(),
        None,
        "given to another worker while in progress"
    );
    d.ack().await.unwrap();
    assert_eq!(js.pending().await.unwrap(), 0);
    drop(other_js);
}

/// Deliveries are bounded: after the processing attempts the delivery is exhausted, and the
/// id goes to the dead letters with its reason. An entry that is not an id goes there at once.
#[tokio::test]
async fn an_id_past_its_attempts_is_a_dead_letter() {
    let Some(url) = nats_url() else { return };
    let (names, _streams) = names(&url, "dead");
    let (bus, js) = node(&url, &names, quick()).await;
    bus.publish(41).await.unwrap();
    js.publish_raw(b"not an id".to_vec()).await.unwrap();
    for attempt in 1..=2 {
        let d = next_within(&bus, Duration::from_secs(10)).await.unwrap();
        assert_eq!((d.id(), d.attempt(), d.exhausted()), (41, attempt, false));
        d.retry(Duration::ZERO).await.unwrap();
    }
    let last = next_within(&bus, Duration::from_secs(10)).await.unwrap();
    assert_eq!((last.id(), last.attempt(), last.exhausted()), (41, 3, true));
    last.dead_letter("deliveries_exhausted").await.unwrap();
    let dead = js.dead_letters().await.unwrap();
    let seen: Vec<(&str, &str, &[u8])> = dead
        .iter()
        .map(|d| (d.subject.as_str(), d.reason.as_str(), d.payload.as_slice()))
        .collect();
    let subject = names.dead_subject("intake");
    assert_eq!(
        seen,
        vec![
            (
                subject.as_str(),
                "not_a_message_id",
                b"not an id".as_slice()
            ),
            (subject.as_str(), "deliveries_exhausted", b"41".as_slice()),
        ]
    );
    assert_eq!(js.pending().await.unwrap(), 0);
}

/// Without an answer at all the consumer stops delivering after `max_deliver`.
#[tokio::test]
async fn redelivery_stops_at_max_deliver() {
    let Some(url) = nats_url() else { return };
    let (names, _streams) = names(&url, "max");
    let settings = Settings {
        ack_wait: Duration::from_millis(500),
        attempts: 1,
        dead_letter_tries: 1,
        ..Settings::default()
    };
    let (bus, _js) = node(&url, &names, settings).await;
    bus.publish(51).await.unwrap();
    for attempt in 1..=2 {
        let d = next_within(&bus, Duration::from_secs(10)).await.unwrap();
        assert_eq!(d.attempt(), attempt);
        std::mem::forget(d);
    }
    assert!(next_within(&bus, Duration::from_secs(2)).await.is_none());
}

/// A carrier's message on its subject comes with the subject's carrier and its bytes.
#[tokio::test]
async fn a_carrier_subject_delivers_bytes_with_the_carrier() {
    let Some(url) = nats_url() else { return };
    let (names, _streams) = names(&url, "carrier");
    let (_, js) = node(&url, &names, Settings::default()).await;
    js.publish_as_carrier("XQ", b"UNA:+.? 'UNB+UNOA:4+XQ'".to_vec())
        .await
        .unwrap();
    let d = tokio::time::timeout(Duration::from_secs(10), js.carrier_deliveries())
        .await
        .unwrap();
    assert_eq!(d.carrier(), "XQ");
    assert_eq!(d.subject(), names.carrier_subject("XQ"));
    assert_eq!(d.body(), b"UNA:+.? 'UNB+UNOA:4+XQ'");
    d.ack().await.unwrap();
}

/// NATS away: the node starts, says it waits for NATS, and a publication fails within its
/// timeout instead of hanging. Needs no NATS.
#[tokio::test]
async fn without_nats_the_bus_says_so_and_publishing_fails_in_time() {
    let settings = Settings {
        publish_timeout: Duration::from_millis(300),
        ..Settings::default()
    };
    // Nothing listens on port 1.
    let js = JetStream::connect("nats://127.0.0.1:1", Names::under("t-away"), settings, 1)
        .await
        .unwrap();
    let bus = Bus::JetStream(js.clone());
    let status = bus.status().await;
    assert_eq!((status.state, status.pending), ("waiting_for_nats", None));
    let started = std::time::Instant::now();
    assert!(matches!(
        bus.publish(1).await,
        Err(BusError::Unreachable(_))
    ));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(!js.connected());
}

/// `/health` asks the bus for its status while workers wait for deliveries: the answer must
/// not wait behind them.
#[tokio::test]
async fn status_answers_while_workers_wait_for_deliveries() {
    let Some(url) = nats_url() else { return };
    let (names, _streams) = names(&url, "status");
    let (bus, _js) = node(&url, &names, Settings::default()).await;
    let waiting = {
        let bus = bus.clone();
        tokio::spawn(async move { bus.next().await.map(|d| d.id()) })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let status = tokio::time::timeout(Duration::from_secs(1), bus.status())
        .await
        .expect("status waited behind a worker");
    assert_eq!((status.state, status.pending), ("connected", Some(0)));
    bus.publish(61).await.unwrap();
    let got = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, Some(61));
}
