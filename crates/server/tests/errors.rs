//! Errors answered by kind through real routes: what is missing is 404, a write the schema
//! refuses is 409 (not 503), a store that cannot write is 503.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use server::{Credentials, Limits};
use sqlx::Connection;

use store::Engine;
use store::testing::TestLocation;

/// A fresh store location on `engine` (`None`: PostgreSQL not configured outside CI).
fn location_on(engine: Engine) -> Option<TestLocation> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(store::testing::location_on(engine))
}

fn code(a: &common::Answer) -> String {
    a.json()["error"]["code"].as_str().unwrap_or("").to_string()
}

#[test]
fn missing_things_are_404() {
    let s = common::start(Limits::default(), Credentials::open());
    for path in [
        "/api/v1/messages/424242",
        "/api/v1/messages/424242/raw",
        "/api/v1/criteria/424242",
        "/api/v1/hits/424242",
        "/api/v1/targeting/hits/424242",
        "/api/v1/flights/XQ101/AMS-JFK/2026-12-01",
    ] {
        let a = s.get(path);
        assert_eq!((a.status, code(&a).as_str()), (404, "not_found"), "{path}");
    }
    let a = s.post_json(
        "/api/v1/targeting/hits/424242/review",
        &serde_json::json!({ "disposition": "confirmed" }),
    );
    assert_eq!((a.status, code(&a).as_str()), (404, "not_found"));
}

#[test]
fn a_write_the_schema_refuses_is_409_not_503() {
    schema_refusal_on(Engine::Sqlite);
}

#[test]
fn a_write_the_schema_refuses_is_409_not_503_on_postgres() {
    schema_refusal_on(Engine::Postgres);
}

fn schema_refusal_on(engine: Engine) {
    let Some(at) = location_on(engine) else {
        return;
    };
    let s = common::start_at(Some(&at.location), Limits::default(), Credentials::open());
    assert_eq!(s.get("/api/v1/hits").status, 200);
    // One audit record per reader, action and subject: the second listing's audit record
    // breaks a unique index, as a write racing another on a natural key would.
    s.runtime
        .block_on(at.raw("CREATE UNIQUE INDEX test_one_read ON audit (actor, action, subject)"))
        .unwrap();
    let a = s.get("/api/v1/hits");
    assert_eq!(
        (a.status, code(&a).as_str()),
        (409, "constraint_violated"),
        "{}",
        a.body
    );
    // The answer names no table, column or value.
    assert!(!a.body.contains("audit") && !a.body.contains("UNIQUE") && !a.body.contains("unique"));
}

#[test]
fn a_store_that_cannot_write_is_503() {
    cannot_write_on(Engine::Sqlite);
}

#[test]
fn a_store_that_cannot_write_is_503_on_postgres() {
    cannot_write_on(Engine::Postgres);
}

fn cannot_write_on(engine: Engine) {
    let Some(at) = location_on(engine) else {
        return;
    };
    let s = common::start_at(Some(&at.location), Limits::default(), Credentials::open());
    // Another process holds the write lock past the store's busy timeout (10 s): SQLite's
    // file lock, or on PostgreSQL the advisory lock every writer of every node takes.
    let mut side = s.runtime.block_on(Side::hold_write_lock(&at.location));
    let started = std::time::Instant::now();
    let ready = s.get_with("/ready", &[]);
    assert_eq!(ready.status, 503, "{}", ready.body);
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    let a = s.post_json(
        "/api/v1/criteria",
        &serde_json::json!({
            "criterion": "test-locked",
            "text": "payment.cash",
            "weight": 1.0,
            "justification": "a test",
        }),
    );
    assert_eq!(
        (a.status, code(&a).as_str()),
        (503, "store_unavailable"),
        "{}",
        a.body
    );
    s.runtime.block_on(side.release());
}

/// A connection of another process to the store, holding its write lock.
enum Side {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Side {
    async fn hold_write_lock(location: &store::Location) -> Side {
        match location {
            store::Location::Embedded(path) => {
                let url = format!("sqlite://{}", path.display());
                let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
                sqlx::query("BEGIN EXCLUSIVE")
                    .execute(&mut c)
                    .await
                    .unwrap();
                Side::Sqlite(c)
            }
            store::Location::Postgres { url, .. } => {
                let mut c = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query("BEGIN").execute(&mut c).await.unwrap();
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(store::WRITE_LOCK)
                    .execute(&mut c)
                    .await
                    .unwrap();
                Side::Postgres(c)
            }
        }
    }

    async fn release(&mut self) {
        match self {
            Side::Sqlite(c) => sqlx::query("ROLLBACK").execute(c).await.map(|_| ()),
            Side::Postgres(c) => sqlx::query("ROLLBACK").execute(c).await.map(|_| ()),
        }
        .unwrap();
    }
}

#[test]
fn framework_refusals_answer_in_the_api_error_form() {
    let s = common::start(Limits::default(), Credentials::open());
    let bearer = s.bearer();
    for (path, content_type, body, status, expected) in [
        (
            "/api/v1/criteria/check",
            "application/json",
            &b"{not json"[..],
            400,
            "bad_request",
        ),
        (
            "/api/v1/criteria/check",
            "text/plain",
            &b"{}"[..],
            415,
            "unsupported_media_type",
        ),
        (
            "/api/v1/criteria/check",
            "application/json",
            &b"{\"weight\": 2}"[..],
            422,
            "body_not_understood",
        ),
    ] {
        let a = s.post_with(
            path,
            &[
                ("authorization", &bearer),
                ("x-passage-purpose", "test case 1"),
                ("content-type", content_type),
            ],
            body,
        );
        assert_eq!(
            (a.status, code(&a).as_str()),
            (status, expected),
            "{}",
            a.body
        );
        assert!(
            a.header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
    }
    let a = s.get("/api/v1/messages/not-a-number");
    assert_eq!(
        (a.status, code(&a).as_str()),
        (400, "bad_request"),
        "{}",
        a.body
    );
    // The security headers stay on a rewritten answer.
    assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
}

#[test]
fn a_carrier_over_its_rate_gets_429_with_retry_after() {
    let limits = Limits {
        rate: Some(server::RateLimit::new(0.5, 1.0)),
        ..Limits::default()
    };
    let s = common::start(limits, Credentials::open());
    let send = |carrier: &str| {
        s.post_with(
            "/api/v1/messages",
            &[("x-passage-carrier", carrier)],
            b"not a message",
        )
    };
    assert_eq!(
        send("XQ").status,
        422,
        "the burst of one: read, not readable"
    );
    let refused = send("XQ");
    assert_eq!(
        (refused.status, code(&refused).as_str()),
        (429, "rate_limited")
    );
    // One message per 2 s: the next token is under 2 s away, counted in whole seconds.
    assert_eq!(refused.header("retry-after"), Some("2"));
    assert_eq!(send("ZQ").status, 422, "another carrier has its own bucket");
}
