//! How long the searches with optional filters take on a store with a realistic volume: the
//! audit of a busy unit (300,000 records: 120 users reading, the system's own records) and a
//! day of hits. A measurement, not a check: `cargo test --release -p store --test
//! search_volume -- --ignored --nocapture`; the plans themselves are held by unit tests
//! (`EXPLAIN QUERY PLAN`) that run every time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::Instant;

use store::*;

const RECORDS: usize = 300_000;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::test]
#[ignore = "a measurement: run in release with --ignored --nocapture"]
async fn audit_search_on_a_busy_unit() {
    let dir = std::env::temp_dir().join(format!("passage-search-volume-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&dir.join("passage.db")).await.unwrap();
    let started = Instant::now();
    let actions = [
        "traveller.viewed",
        "manifest.viewed",
        "hit.read",
        "hits.listed",
        "bookings.viewed",
        "message.received",
        "message.processed",
    ];
    for chunk in 0..RECORDS / 10_000 {
        let mut tx = store.begin().await.unwrap();
        for j in 0..10_000 {
            let i = chunk * 10_000 + j;
            // The system writes most records; users 0..120 the reads.
            let (actor, action) = if i % 3 == 0 {
                (format!("user-{}", (i / 3) % 120), actions[(i / 360) % 5])
            } else {
                ("system".to_string(), actions[5 + i % 2])
            };
            tx.audit(&AuditEntry {
                actor: &actor,
                action,
                subject: &format!("traveller:{}", i * 7 % 250_000),
                purpose: Some("case 1"),
                detail: "",
            })
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    eprintln!("{RECORDS} audit records written in {:?}", started.elapsed());
    // The day of the last record written (not the clock's: the test does not depend on today).
    let last = store.audit_records(None, 1).await.unwrap();
    let today = last[0].at.get(..10).unwrap().to_string();
    let searches: [(&str, AuditQuery); 5] = [
        (
            "actor (one user)",
            AuditQuery {
                actor: Some("user-7"),
                action: None,
                subject: None,
                from: None,
                to: None,
                category: None,
                limit: 200,
            },
        ),
        (
            "action prefix (hit.)",
            AuditQuery {
                actor: None,
                action: Some("hit."),
                subject: None,
                from: None,
                to: None,
                category: None,
                limit: 200,
            },
        ),
        (
            "subject (one traveller)",
            AuditQuery {
                actor: None,
                action: None,
                subject: Some("traveller:12345"),
                from: None,
                to: None,
                category: None,
                limit: 200,
            },
        ),
        (
            "period (today)",
            AuditQuery {
                actor: None,
                action: None,
                subject: None,
                from: Some(&today),
                to: Some(&today),
                category: None,
                limit: 200,
            },
        ),
        (
            "user and action",
            AuditQuery {
                actor: Some("user-7"),
                action: Some("traveller."),
                subject: None,
                from: None,
                to: None,
                category: None,
                limit: 200,
            },
        ),
    ];
    for (name, q) in &searches {
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..15 {
            let t = Instant::now();
            found = store.audit_search(q).await.unwrap().len();
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        eprintln!(
            "audit search by {name}: {found} records, median {:.2} ms, max {:.2} ms",
            median(times.clone()),
            times.iter().cloned().fold(0.0, f64::max)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
