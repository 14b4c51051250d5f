//! Services failing under a running `passage serve`: PostgreSQL restarting and NATS going
//! away, each seen through a TCP link the test cuts and restores (the machine's services keep
//! running for the other tests). Nothing acknowledged is lost, the node says what it waits
//! for (`/ready`, `/health`), and it takes its work up again when the service is back, without
//! a restart. Needs PostgreSQL (`PASSAGE_TEST_POSTGRES_URL`) and NATS (127.0.0.1:4222, or
//! `PASSAGE_TEST_NATS_URL`): skipped with the reason without them, failed when `CI` is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::{Duration, Instant};

use common::link::Link;
use common::{data_dir, get, serve};

/// Sends one message as its carrier: the status and the receipt (202, or 422 for a message
/// kept with the findings that stop it).
fn send(url: &str, carrier: &str, body: &[u8]) -> (u16, serde_json::Value) {
    common::post(
        &format!("{url}/api/v1/messages"),
        &[("X-Passage-Carrier", carrier)],
        body,
    )
}

/// Polls `check` every 200 ms until it holds; fails after `within`.
fn until(within: Duration, what: &str, mut check: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < within, "{what}: not after {within:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    started.elapsed()
}

/// The messages the node holds in `state`.
fn in_state(url: &str, state: &str) -> usize {
    let (status, page) = get(&format!("{url}/api/v1/messages?state={state}&limit=1000"));
    assert_eq!(status, 200, "{page}");
    page["messages"].as_array().unwrap().len()
}

/// `host:port` of a URL such as `postgres://user@host:port/db`.
fn authority(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").unwrap().1;
    let hostport = rest.split('/').next().unwrap();
    let hostport = hostport.rsplit_once('@').map_or(hostport, |(_, h)| h);
    let start = url.find(hostport).unwrap();
    (hostport, &url[..start])
}

/// PostgreSQL restarts under a node (connections closed, the port refusing): `/ready` says the
/// store fails within its second, a message sent meanwhile is refused with 503 (never
/// acknowledged) within the pool's 10 s, and once PostgreSQL is back the node answers and
/// processes again by itself. Every message acknowledged before and after is processed once,
/// and the audit is one intact chain.
#[test]
fn postgres_restarting_under_a_node_loses_nothing_acknowledged() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(scratch) = runtime.block_on(store::testing::ScratchPostgres::create()) else {
        return;
    };
    let (hostport, scheme_user) = authority(scratch.url());
    let mut link = Link::to(hostport);
    let through = scratch
        .url()
        .replacen(hostport, &format!("127.0.0.1:{}", link.port()), 1);
    assert!(through.starts_with(scheme_user));
    let data = data_dir("pg-restart");
    common::use_store(&data, &through);
    let server = serve(&data, &["--open-intake"]);
    let mut day = common::small_day_without_duplicates().into_iter();

    let mut acknowledged = 0;
    for (carrier, body) in day.by_ref().take(20) {
        let (status, receipt) = send(&server.url, &carrier, &body);
        assert!(status == 202 || status == 422, "{status} {receipt}");
        acknowledged += 1;
    }

    link.cut();
    let started = Instant::now();
    let (status, ready) = get(&format!("{}/ready", server.url));
    assert_eq!(status, 503, "{ready}");
    assert!(
        ready["store"] == "failing" || ready["store"] == "slow",
        "{ready}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let (carrier, body) = day.next().unwrap();
    let started = Instant::now();
    let (status, refused) = send(&server.url, &carrier, &body);
    assert_eq!(
        status, 503,
        "not acknowledged while the store is away: {refused}"
    );
    assert_eq!(refused["error"]["code"], "intake_unavailable", "{refused}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "refused after {:?}",
        started.elapsed()
    );

    link.restore();
    let back = until(Duration::from_secs(30), "ready again", || {
        get(&format!("{}/ready", server.url)).0 == 200
    });
    eprintln!("ready {back:?} after PostgreSQL came back");
    // The carrier sends the refused message again, and the day goes on.
    for (carrier, body) in std::iter::once((carrier, body)).chain(day.take(20)) {
        let (status, receipt) = send(&server.url, &carrier, &body);
        assert!(status == 202 || status == 422, "{status} {receipt}");
        assert_ne!(receipt["outcome"], "kept", "{receipt}");
        acknowledged += 1;
    }
    assert_eq!(in_state(&server.url, "received"), 0);
    let (_, all) = get(&format!("{}/api/v1/messages?limit=1000", server.url));
    assert_eq!(
        all["messages"].as_array().unwrap().len(),
        acknowledged,
        "every acknowledged message kept once, the refused one not kept"
    );
    let (_, verdict) = common::get_as("dpo-1", &format!("{}/api/v1/audit/verify", server.url));
    assert_eq!(verdict["result"], "intact", "{verdict}");
}

/// NATS goes away under a node on the bus: a message sent meanwhile is kept and answered
/// `kept` at once, `/health` says the bus waits for NATS, and once NATS is back the kept
/// messages are published and processed within seconds, without a restart.
#[test]
fn nats_away_under_a_node_keeps_messages_and_processes_them_when_back() {
    let Some(nats) = bus::testing::nats_url() else {
        return;
    };
    let streams = bus::testing::ScratchStreams::new(&nats, "away-e2e");
    let (hostport, _) = authority(&nats);
    let mut link = Link::to(hostport);
    let through = format!("nats://127.0.0.1:{}", link.port());
    let data = data_dir("nats-away");
    let server = serve(
        &data,
        &[
            "--open-intake",
            "--bus",
            &through,
            "--bus-prefix",
            &streams.prefix,
        ],
    );
    let mut day = common::small_day_without_duplicates().into_iter();
    for (carrier, body) in day.by_ref().take(10) {
        let (status, receipt) = send(&server.url, &carrier, &body);
        assert_eq!(status, 202, "{receipt}");
        assert_eq!(receipt["outcome"], "queued", "{receipt}");
    }
    until(Duration::from_secs(30), "processed through the bus", || {
        in_state(&server.url, "received") == 0
    });

    link.cut();
    let mut kept = 0;
    for (carrier, body) in day.by_ref().take(5) {
        let started = Instant::now();
        let (status, receipt) = send(&server.url, &carrier, &body);
        assert_eq!(status, 202, "{receipt}");
        assert_eq!(receipt["outcome"], "kept", "{receipt}");
        assert!(started.elapsed() < Duration::from_secs(5));
        kept += 1;
    }
    until(Duration::from_secs(10), "the bus reported waiting", || {
        get(&format!("{}/health", server.url)).1["bus"]["state"] == "waiting_for_nats"
    });
    assert_eq!(in_state(&server.url, "received"), kept);

    link.restore();
    let back = until(Duration::from_secs(60), "kept messages processed", || {
        in_state(&server.url, "received") == 0
    });
    eprintln!("kept messages processed {back:?} after NATS came back");
    let (_, health) = get(&format!("{}/health", server.url));
    assert_eq!(health["bus"]["state"], "connected", "{health}");
    for (carrier, body) in day.take(5) {
        let (status, receipt) = send(&server.url, &carrier, &body);
        assert_eq!(status, 202, "{receipt}");
        assert_eq!(receipt["outcome"], "queued", "{receipt}");
    }
    until(Duration::from_secs(30), "processed after", || {
        in_state(&server.url, "received") == 0
    });
    let (_, all) = get(&format!("{}/api/v1/messages?limit=1000", server.url));
    assert_eq!(all["messages"].as_array().unwrap().len(), 20);

    // A queued answer carries no CONTRL: the carrier asks for its receipt once the message
    // is read. An interchange whose trailer miscounts its messages gets its error report.
    let miscounted =
        b"UNB+UNOA:4+XQ+PIU+261127:0900+R77'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'UNT+2+1'UNZ+5+R77'";
    let (status, queued) = send(&server.url, "XQ", miscounted);
    assert_eq!(status, 202, "{queued}");
    assert_eq!(queued["outcome"], "queued", "{queued}");
    assert!(queued["contrl"].is_null(), "{queued}");
    let id = queued["message"].as_i64().unwrap();
    let receipt_url = format!("{}/api/v1/receipts/{id}", server.url);
    let as_carrier =
        |carrier: &str| common::get_with(&receipt_url, &[("X-Passage-Carrier", carrier)]);
    until(Duration::from_secs(30), "the message read", || {
        as_carrier("XQ").1["state"] != "received"
    });
    let (status, receipt) = as_carrier("XQ");
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["message"], id);
    let contrl = receipt["contrl"].as_str().unwrap();
    assert!(
        contrl.contains("CONTRL") && contrl.contains("UCI+R77+XQ+PIU"),
        "{contrl}"
    );
    // Another carrier's message does not exist for it.
    let (status, other) = as_carrier("YY");
    assert_eq!(status, 404, "{other}");
}
