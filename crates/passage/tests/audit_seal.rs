//! The audit's seal as `passage serve` keeps it: a key beside the database (mode 0600), a
//! checkpoint of the head soon after the start, and records cut off the end while the server
//! was down reported by the API and the console's audit view.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

mod common;

use common::{data_dir, get_as, serve};

fn lines(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[test]
fn records_cut_off_while_the_server_was_down_are_reported() {
    let data = data_dir("audit-seal");
    let mut server = serve(&data, &[]);
    let key = data.join("audit.key");
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // The seal (first open) and the server's first checkpoint of the head.
    let checkpoints = data.join("audit.checkpoints");
    let deadline = Instant::now() + Duration::from_secs(20);
    while lines(&checkpoints) < 2 {
        assert!(Instant::now() < deadline, "no checkpoint after the start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (status, verdict) = get_as("dpo-1", &format!("{}/api/v1/audit/verify", server.url));
    assert_eq!(status, 200);
    assert_eq!(verdict["result"], "intact", "{verdict}");
    let anchored = verdict["anchored"].as_i64().unwrap();
    assert!(anchored >= 6, "the users' records are anchored: {verdict}");
    assert_eq!(verdict["unsealed"], 0);
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    // Behind the database's back, the last five records go.
    let db = data.join("passage.db");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        for sql in [
            "DROP TRIGGER audit_no_delete",
            "DELETE FROM audit WHERE id > (SELECT max(id) - 5 FROM audit)",
        ] {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    });

    let server = serve(&data, &[]);
    let (_, verdict) = get_as("dpo-1", &format!("{}/api/v1/audit/verify", server.url));
    assert_eq!(verdict["result"], "truncated", "{verdict}");
    assert!(verdict["expected"].as_i64().unwrap() >= anchored);
    assert!(verdict["records"].as_i64().unwrap() < verdict["expected"].as_i64().unwrap());
    let dpo = server.bearer("dpo-1");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let page = agent
        .get(format!("{}/audit", server.url))
        .header("Authorization", &dpo)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(
        page.contains("Records are missing at the end of the log"),
        "{page}"
    );
}
