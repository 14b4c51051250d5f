//! Passage's storage, embedded SQLite by default: the vault of every message received (byte for
//! byte, durable before anything is acknowledged), flights and their manifests, and the audit
//! log, append-only and hash-chained.
//!
//! The SQL is kept to what PostgreSQL also speaks, so that the server back end (a later issue)
//! implements the same methods over the same schema.
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
    Database(#[from] sqlx::Error),
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
