//! `passage serve --bus nats://…` end to end: carriers' messages over HTTP are kept and
//! answered `queued`, workers process them through NATS JetStream, and a server killed with
//! SIGKILL mid-stream and started again processes every acknowledged message exactly once.
//! Needs NATS on 127.0.0.1:4222 (`PASSAGE_TEST_NATS_URL` for another): skipped with the reason
//! without it, failed when `CI` is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use common::{data_dir, get, serve};

use bus::testing::{ScratchStreams, nats_url};

/// Waits until the vault holds no message still `received`.
fn until_processed(url: &str, within: Duration) {
    let deadline = std::time::Instant::now() + within;
    loop {
        let (status, page) = get(&format!("{url}/api/v1/messages?state=received&limit=1"));
        assert_eq!(status, 200, "{page}");
        if page["messages"].as_array().unwrap().is_empty() {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "messages still received after {within:?}: {page}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_killed_node_on_the_bus_processes_every_acknowledged_message_once() {
    let Some(nats) = nats_url() else { return };
    let streams = ScratchStreams::new(&nats, "e2e");
    let prefix = streams.prefix.clone();
    let args = [
        "--open-intake",
        "--bus",
        nats.as_str(),
        "--bus-prefix",
        prefix.as_str(),
        "--bus-ack-wait",
        "2",
    ];
    let data = data_dir("bus-crash");
    let bodies = common::small_day_without_duplicates();

    let mut server = serve(&data, &args);
    let (_, health) = get(&format!("{}/health", server.url));
    assert_eq!(health["bus"]["engine"], "nats", "{health}");
    // SIGKILL in the middle of the traffic, workers holding deliveries.
    let acknowledged = common::send_and_kill(&mut server, bodies, 60, Some("queued"));

    let server = serve(&data, &args);
    until_processed(&server.url, Duration::from_secs(180));
    let (_, listed) = get(&format!("{}/api/v1/messages?limit=1000", server.url));
    let listed = listed["messages"].as_array().unwrap();
    for (id, sha) in &acknowledged {
        let (status, m) = get(&format!("{}/api/v1/messages/{id}", server.url));
        assert_eq!(status, 200, "acknowledged message {id} lost");
        assert_eq!(m["sha256"].as_str(), Some(sha.as_str()));
        assert_ne!(m["state"], "received", "message {id} not processed");
        let copies = listed
            .iter()
            .filter(|x| x["sha256"].as_str() == Some(sha.as_str()))
            .count();
        assert_eq!(copies, 1, "message {id} kept more than once");
    }

    // Exactly once: a message applied twice would be marked a duplicate of itself (its key is
    // taken by its own first application) and have its PNR deletions audited twice.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (self_duplicates, audited_twice, processed) = runtime.block_on(async {
        let db = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(data.join("passage.db"))
                    .read_only(true),
            )
            .await
            .unwrap();
        let self_duplicates: i64 =
            sqlx::query_scalar("SELECT COUNT(*) AS n FROM messages WHERE duplicate_of = id")
                .fetch_one(&db)
                .await
                .unwrap();
        let audited_twice: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) AS n FROM (SELECT subject FROM audit WHERE action = 'pnr.deleted_on_receipt'
                 GROUP BY subject HAVING COUNT(*) > 1)",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        let processed: i64 =
            sqlx::query_scalar("SELECT COUNT(*) AS n FROM messages WHERE state = 'processed'")
                .fetch_one(&db)
                .await
                .unwrap();
        (self_duplicates, audited_twice, processed)
    });
    assert_eq!(
        self_duplicates, 0,
        "a message taken as a duplicate of itself"
    );
    assert_eq!(audited_twice, 0, "a push's deletions audited twice");
    assert!(processed >= 60, "{processed}");

    let (_, health) = get(&format!("{}/health", server.url));
    assert_eq!(health["bus"]["state"], "connected", "{health}");
    let (_, verdict) = common::get_as("dpo-1", &format!("{}/api/v1/audit/verify", server.url));
    assert_eq!(verdict["result"], "intact");
}
