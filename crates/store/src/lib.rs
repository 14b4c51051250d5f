//! Passage's storage, embedded SQLite by default: the vault of every message received (byte for
//! byte, durable before anything is acknowledged), flights and their manifests, and the audit
//! log, append-only and hash-chained.
//!
//! The SQL is SQLite's: `?` placeholders, `INSERT OR IGNORE`, `BEGIN IMMEDIATE`, triggers that
//! `RAISE`, `strftime`. A PostgreSQL engine (a later issue) will need its own statements and
//! migrations behind the same methods; nothing here is portable as it stands.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

mod accounts;
mod audit;
mod bookings;
mod claims;
mod columns;
mod counts;
mod criteria;
mod filter;
mod flights;
mod links;
mod packing;
mod screening;
mod tx;
mod vault;

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use accounts::{AgencyRow, NewUser, SessionRow, TokenRow, UserRow};
pub use audit::{AuditEntry, AuditQuery, AuditRecord, Breach, Checkpoint, Verdict};
pub use bookings::{BookingVersion, NewBooking};
pub use counts::{CountRow, FlightDelivery};
pub use criteria::{
    CriterionEventRow, CriterionMove, CriterionStats, CriterionVersionRow, NewCriterionVersion,
    NewTargetingHit, StoredBooking, TargetingHitFilter, TargetingHitRow,
};
pub use flights::{
    FlightRow, FoundPerson, ManifestRow, PersonSearch, PersonUpdate, Trip, person_key,
};
pub use links::{Link, LinkPerson, PnrTraveller};
pub use screening::{
    Disposition, HitRow, HitSubject, ListVersionRow, NewHit, NewListVersion, ScreenAgainApi,
    ScreenAgainPnr, SuppressionRow,
};
pub use tx::Tx;
pub use vault::{MessageState, Received, StoredMessage, Totals};

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

/// The embedded store.
#[derive(Debug, Clone)]
pub struct Store {
    /// Connections that read.
    pool: SqlitePool,
    /// The connection that writes.
    writer: SqlitePool,
    /// The audit's key and checkpoints, kept outside the database.
    seal: std::sync::Arc<audit::Seal>,
}

impl Store {
    /// Opens (creating when needed) the database at `path`: WAL journal. Receipts are committed
    /// with a full sync (they survive a power cut once `receive` returns); what processing
    /// derives from them is synced at checkpoints (it survives a crash of the process and can
    /// be derived again from the vault).
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10))
            // Statement journals (multi-row upserts, audit triggers) in memory, not temp files.
            .pragma("temp_store", "MEMORY")
            // 64 MiB of page cache and reads through mmap: manifests and bookings are re-read
            // while a day's traffic arrives.
            .pragma("cache_size", "-65536")
            .pragma("mmap_size", "268435456")
            // Checkpoint every ~16 MiB of WAL: pages rewritten between checkpoints (manifests,
            // flights) are copied back once.
            .pragma("wal_autocheckpoint", "4000");
        // One connection writes (SQLite has one writer at a time; writes queue for it in the
        // pool, not in SQLite's busy loop); three read beside it (WAL), so that a read never
        // waits behind a queue of messages being taken in.
        let writer = Store::connect(options.clone(), 1).await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(3)
            .connect_with(options.read_only(true))
            .await?;
        // The audit key and checkpoints live beside the database (`audit.key`, mode 0600,
        // made at the first open; `audit.checkpoints`).
        let seal = audit::Seal::beside(path, &writer).await?;
        Ok(Store {
            pool,
            writer,
            seal: std::sync::Arc::new(seal),
        })
    }

    /// A private in-memory database, for tests and one-off reading.
    pub async fn open_in_memory() -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        // One connection: every connection to `:memory:` is a database of its own.
        let pool = Store::connect(options, 1).await?;
        // A key for this database's life; checkpoints in memory.
        let seal = audit::Seal::in_memory(&pool).await?;
        Ok(Store {
            writer: pool.clone(),
            pool,
            seal: std::sync::Arc::new(seal),
        })
    }

    async fn connect(
        options: SqliteConnectOptions,
        connections: u32,
    ) -> Result<SqlitePool, StoreError> {
        let pool = SqlitePoolOptions::new()
            .max_connections(connections)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(pool)
    }

    /// The connections that read.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The connection that writes (the same as the readers' for an in-memory database).
    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    pub(crate) fn seal(&self) -> &audit::Seal {
        &self.seal
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
    #[tokio::test]
    async fn constraint_violations_are_their_own_kind() {
        let store = Store::open_in_memory().await.unwrap();
        let pool = store.pool();
        sqlx::query(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, u TEXT UNIQUE, n TEXT NOT NULL,
                 c INTEGER CHECK (c > 0), f INTEGER REFERENCES t(id))",
        )
        .execute(pool)
        .await
        .unwrap();
        sqlx::query("INSERT INTO t (id, u, n, c) VALUES (1, 'a', 'x', 1)")
            .execute(pool)
            .await
            .unwrap();
        for (sql, expected) in [
            (
                "INSERT INTO t (u, n, c) VALUES ('a', 'x', 1)",
                Constraint::Unique,
            ),
            ("INSERT INTO t (id, n) VALUES (1, 'x')", Constraint::Unique),
            (
                "INSERT INTO t (u, n, c, f) VALUES ('b', 'x', 1, 99)",
                Constraint::ForeignKey,
            ),
            ("INSERT INTO t (u, c) VALUES ('c', 1)", Constraint::NotNull),
            (
                "INSERT INTO t (u, n, c) VALUES ('d', 'x', 0)",
                Constraint::Check,
            ),
        ] {
            let e = StoreError::from(sqlx::query(sql).execute(pool).await.unwrap_err());
            match e {
                StoreError::Constraint(kind, _) => assert_eq!(kind, expected, "{sql}"),
                other => panic!("{sql}: {other}"),
            }
        }
        let e = StoreError::from(
            sqlx::query("SELECT * FROM no_such_table")
                .execute(pool)
                .await
                .unwrap_err(),
        );
        assert!(matches!(e, StoreError::Database(_)), "{e}");
    }
}
