//! Passage's storage, embedded SQLite by default: the vault of every message received (byte for
//! byte, durable before anything is acknowledged), flights and their manifests, and the audit
//! log, append-only and hash-chained.
//!
//! Two engines, one behaviour: the embedded SQLite store (the default, one machine) and
//! PostgreSQL (units that outgrow one machine, several Passage nodes on one database). Every
//! method runs the same statement on either engine where the two dialects agree — `$N`
//! placeholders (SQLite reads `$N` as parameter N), `ON CONFLICT … DO NOTHING / DO UPDATE`,
//! `RETURNING`, `TRUE`/`FALSE` — and states the difference where they do not (`engine.rs`:
//! how a write transaction takes the write lock; the two migration folders, each in its own
//! dialect: `RAISE(ABORT)` triggers and `WITHOUT ROWID` in SQLite, PL/pgSQL trigger functions,
//! identities and `BYTEA` in PostgreSQL). The conformance suite (`tests/conformance.rs` and
//! the unit tests written with `engines!`) runs every behaviour on both.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

/// Runs `$body` on whichever engine `$target` (an [`engine::On`]) holds, with `$db` bound to
/// that engine's executor and `Db` to its `sqlx::Database`: the body is written once and
/// type-checked for each engine.
macro_rules! on {
    ($target:expr, |$db:ident| $body:expr) => {
        match $target {
            $crate::engine::On::Sqlite($db) => {
                #[allow(dead_code)]
                type Db = sqlx::Sqlite;
                $body
            }
            $crate::engine::On::Postgres($db) => {
                #[allow(dead_code)]
                type Db = sqlx::Postgres;
                $body
            }
        }
    };
}

mod accounts;
mod audit;
mod bookings;
mod claims;
mod columns;
mod copy;
mod counts;
mod criteria;
mod engine;
mod filter;
mod flights;
mod generations;
mod identity;
mod keys;
mod leases;
mod links;
mod packing;
mod partitions;
mod retention;
mod screening;
mod sealing;
mod series;
mod subjects;
pub mod testing;
mod tx;
mod unmask;
mod vault;

pub use accounts::{AgencyRow, NewUser, SessionRow, TokenRow, UserRow};
pub use audit::{
    AuditCategory, AuditCut, AuditEntry, AuditQuery, AuditRecord, Breach, CHECKPOINT_FILE,
    Checkpoint, KEY_FILE, Verdict,
};
pub use bookings::{BookingVersion, NewBooking};
pub use copy::CopyReport;
pub use counts::{CountRow, FlightDelivery};
pub use criteria::{
    CriterionEventRow, CriterionMove, CriterionStats, CriterionVersionRow, NewCriterionVersion,
    NewTargetingHit, StoredBooking, TargetingHitFilter, TargetingHitRow,
};
pub use engine::Store;
pub use engine::{Engine, Location, Schema, WRITE_LOCK};
pub use flights::{
    FlightRow, FoundPerson, ManifestRow, PersonSearch, PersonUpdate, Trip, person_key,
};
pub use generations::Generations;
pub use identity::{IdentityKey, KEY_FILE as IDENTITY_KEY_FILE};
pub use leases::{Earlier, Lease};
pub use links::{Link, LinkPerson, PnrTraveller};
pub use partitions::{MONTHS_AHEAD, Made, Partition};
pub use retention::{
    Erased, HoldRow, Mode, NewHold, Oldest, PersonFacts, RunRow, RunStart, StatisticsRow,
    counts_text,
};
pub use screening::{
    Disposition, HitRow, HitSubject, ListVersionRow, NewHit, NewListVersion, ScreenAgainApi,
    ScreenAgainPnr, SuppressionRow,
};
pub use sealing::{
    FlightMask, KEY_FILE as SEALING_KEY_FILE, Masked, SealedBookingVersion, SealedExplanation,
    SealedKind, SealedPerson, SealedPnrTraveller, ToMask,
};
pub use subjects::{FoundTraveller, HitAbout, SubjectErasure};
pub use tx::Tx;
pub use unmask::{Decided, NewUnmaskRequest, UnmaskDecision, UnmaskRequestRow};
pub use vault::{BodyKept, MessageState, Received, StoredMessage, Totals};

/// What went wrong in the store. Never carries personal data.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// A write the schema refuses (a unique key taken, a missing referenced row, a check or
    /// not-null rule): the request is wrong or out of date, the store is fine.
    #[error("{0} violated: {1}")]
    Constraint(Constraint, String),
    #[error("schema migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    /// The audit's key or checkpoints outside the database (a missing key, a key others may
    /// read, a checkpoint file that cannot be written).
    #[error("audit seal: {0}")]
    Seal(String),
    /// The key that seals masked originals, outside the database (missing while originals are
    /// sealed, or others may read it).
    #[error("sealing key: {0}")]
    SealingKey(String),
    /// The key of person keys and fingerprints, outside the database (missing while keyed
    /// values are stored, or others may read it).
    #[error("identity key: {0}")]
    IdentityKey(String),
    /// The database is not set up as Passage needs it (e.g. a PostgreSQL collation).
    #[error("store setup: {0}")]
    Setup(String),
    /// A transaction used after it ended: a defect, surfaced rather than written elsewhere.
    #[error("a write transaction was used after it ended")]
    Ended,
}

/// Which rule of the schema a refused write broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    Unique,
    ForeignKey,
    NotNull,
    Check,
}

impl std::fmt::Display for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Constraint::Unique => "unique constraint",
            Constraint::ForeignKey => "foreign key",
            Constraint::NotNull => "not-null constraint",
            Constraint::Check => "check constraint",
        })
    }
}

impl From<sqlx::Error> for StoreError {
    /// A constraint violation is told apart by the driver's error kind (SQLite's extended
    /// result codes); the message names the constraint (table and column), never a value.
    fn from(e: sqlx::Error) -> StoreError {
        use sqlx::error::ErrorKind;
        let kind = match &e {
            sqlx::Error::Database(d) => match d.kind() {
                ErrorKind::UniqueViolation => Some(Constraint::Unique),
                ErrorKind::ForeignKeyViolation => Some(Constraint::ForeignKey),
                ErrorKind::NotNullViolation => Some(Constraint::NotNull),
                ErrorKind::CheckViolation => Some(Constraint::Check),
                _ => None,
            },
            _ => None,
        };
        match (kind, &e) {
            (Some(kind), sqlx::Error::Database(d)) => {
                StoreError::Constraint(kind, d.message().to_string())
            }
            _ => StoreError::Database(e),
        }
    }
}

/// Now, as stored: UTC, RFC 3339.
pub(crate) fn now() -> String {
    jiff::Timestamp::now().to_string()
}

#[cfg(test)]
mod constraint_tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    /// Each kind of refused write is told apart from a store that cannot answer.
    async fn run(store: &Store, sql: &'static str) -> Result<u64, sqlx::Error> {
        on!(store.write_pool(), |db| sqlx::query(sql)
            .execute(db)
            .await
            .map(|r| r.rows_affected()))
    }

    crate::engines! {
    async fn constraint_violations_are_their_own_kind(store: Store) {
        run(
            &store,
            "CREATE TABLE t (id INTEGER PRIMARY KEY, u TEXT UNIQUE, n TEXT NOT NULL,
                 c INTEGER CHECK (c > 0), f INTEGER REFERENCES t(id))",
        )
        .await
        .unwrap();
        run(&store, "INSERT INTO t (id, u, n, c) VALUES (1, 'a', 'x', 1)")
            .await
            .unwrap();
        for (sql, expected) in [
            (
                "INSERT INTO t (id, u, n, c) VALUES (2, 'a', 'x', 1)",
                Constraint::Unique,
            ),
            ("INSERT INTO t (id, n) VALUES (1, 'x')", Constraint::Unique),
            (
                "INSERT INTO t (id, u, n, c, f) VALUES (3, 'b', 'x', 1, 99)",
                Constraint::ForeignKey,
            ),
            ("INSERT INTO t (id, u, c) VALUES (4, 'c', 1)", Constraint::NotNull),
            (
                "INSERT INTO t (id, u, n, c) VALUES (5, 'd', 'x', 0)",
                Constraint::Check,
            ),
        ] {
            let e = StoreError::from(run(&store, sql).await.unwrap_err());
            match e {
                StoreError::Constraint(kind, _) => assert_eq!(kind, expected, "{sql}"),
                other => panic!("{sql}: {other}"),
            }
        }
        let e = StoreError::from(run(&store, "SELECT * FROM no_such_table").await.unwrap_err());
        assert!(matches!(e, StoreError::Database(_)), "{e}");
    }
    }
}
