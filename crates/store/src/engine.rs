//! The two engines behind one [`Store`]: embedded SQLite (the default) and PostgreSQL.
//!
//! Where they differ in what the product relies on, the difference is stated here:
//!
//! - **Write lock.** SQLite has one writer at a time (`BEGIN IMMEDIATE` takes the lock); every
//!   method that reads then writes in a transaction (the audit chain's next number, a booking's
//!   next version, a flight found or made) relies on that. PostgreSQL lets transactions write at
//!   once, so a write transaction there begins by taking one transaction-level advisory lock
//!   ([`WRITE_LOCK`]): writers from every node queue for it as SQLite's do for its lock, and the
//!   same code stays correct (one audit chain, no fork, when two nodes append at once). Reads
//!   never take it.
//! - **Durability.** SQLite commits receipts with a full sync and derived data at checkpoints;
//!   PostgreSQL commits everything durably (`synchronous_commit` as the server is set).
//! - **Text order.** Prefix searches are ranges in code-point order, SQLite's binary collation.
//!   A PostgreSQL database must therefore use the `C` collation (checked at open; see the
//!   README for `CREATE DATABASE … LC_COLLATE 'C'`).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection};

use crate::StoreError;
use crate::audit::Seal;
use crate::sealing::Sealer;

/// The advisory lock every PostgreSQL write transaction holds (`pg_advisory_xact_lock`): the
/// number spells "PASSAGE" in ASCII, so that it does not collide with another application's.
pub const WRITE_LOCK: i64 = 0x0050_4153_5341_4745;

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        })
    }
}

/// Where a unit's store is, and where the audit's key and checkpoints live beside it.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// The embedded database file; the key and checkpoints beside it.
    Embedded(PathBuf),
    /// A PostgreSQL database (`postgres://…`); the key and checkpoints in `dir`, this node's
    /// data directory (every node of a unit holds a copy of the same key).
    Postgres { url: String, dir: PathBuf },
}

impl std::fmt::Debug for Location {
    // A URL may carry a password: only the engine and the directory are printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Embedded(path) => f.debug_tuple("Embedded").field(path).finish(),
            Location::Postgres { dir, .. } => f
                .debug_struct("Postgres")
                .field("url", &"…")
                .field("dir", dir)
                .finish(),
        }
    }
}

impl Location {
    /// The store named by `--store` / `PASSAGE_STORE` (a `postgres://` or `postgresql://` URL,
    /// or a path to an SQLite file), or by default the embedded database in `data`.
    pub fn parse(store: Option<&str>, data: &Path) -> Result<Location, String> {
        match store.map(str::trim) {
            None | Some("") => Ok(Location::Embedded(data.join("passage.db"))),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Location::Postgres {
                    url: url.to_string(),
                    dir: data.to_path_buf(),
                })
            }
            Some(other) if other.contains("://") => {
                Err("the store is a postgres:// URL or the path of an SQLite database file".into())
            }
            Some(path) => Ok(Location::Embedded(PathBuf::from(path))),
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Location::Embedded(_) => Engine::Sqlite,
            Location::Postgres { .. } => Engine::Postgres,
        }
    }
}

/// Where a store's schema stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Schema {
    /// The number of the latest migration applied (engine-specific: each folder numbers its
    /// own).
    pub version: i64,
    pub applied: i64,
}

/// One value per engine: an executor, a connection, a statement. [`on!`] runs the same code on
/// whichever it holds.
#[derive(Clone, Copy)]
pub(crate) enum On<S, P> {
    Sqlite(S),
    Postgres(P),
}

#[derive(Debug, Clone)]
enum Db {
    Sqlite {
        /// Connections that read.
        read: SqlitePool,
        /// The connection that writes.
        write: SqlitePool,
    },
    Postgres(PgPool),
}

/// Passage's store, on either engine.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    /// The audit's key and checkpoints, kept outside the database.
    seal: Arc<Seal>,
    /// The key that seals the originals of masked data, kept outside the database.
    sealer: Arc<crate::sealing::Sealer>,
    /// The key of person keys and fingerprints, kept outside the database.
    identity: crate::IdentityKey,
}

/// A connection taken from a pool for a write transaction.
#[derive(Debug)]
pub(crate) enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl Conn {
    pub(crate) fn on(&mut self) -> On<&mut SqliteConnection, &mut PgConnection> {
        match self {
            Conn::Sqlite(c) => On::Sqlite(&mut **c),
            Conn::Postgres(c) => On::Postgres(&mut **c),
        }
    }

    pub(crate) fn engine(&self) -> Engine {
        match self {
            Conn::Sqlite(_) => Engine::Sqlite,
            Conn::Postgres(_) => Engine::Postgres,
        }
    }

    /// Closes the connection when it is dropped instead of returning it to its pool.
    pub(crate) fn close_on_drop(&mut self) {
        match self {
            Conn::Sqlite(c) => c.close_on_drop(),
            Conn::Postgres(c) => c.close_on_drop(),
        }
    }
}

impl Store {
    /// Opens the store at `location`, creating or upgrading its schema.
    pub async fn open_at(location: &Location) -> Result<Store, StoreError> {
        match location {
            Location::Embedded(path) => Store::open(path).await,
            Location::Postgres { url, dir } => Store::open_postgres(url, dir).await,
        }
    }

    /// Opens (creating when needed) the embedded database at `path`: WAL journal. Receipts are
    /// committed with a full sync (they survive a power cut once `receive` returns); what
    /// processing derives from them is synced at checkpoints (it survives a crash of the
    /// process and can be derived again from the vault).
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
            .pragma("wal_autocheckpoint", "4000")
            // Deleted and rewritten content is overwritten, not left in free space: what the
            // law says to delete or mask is gone from the file, not only from the tables.
            .pragma("secure_delete", "ON");
        // One connection writes (SQLite has one writer at a time; writes queue for it in the
        // pool, not in SQLite's busy loop); three read beside it (WAL), so that a read never
        // waits behind a queue of messages being taken in.
        let write = Store::connect_sqlite(options.clone(), 1, Some(path)).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(3)
            .connect_with(options.read_only(true))
            .await?;
        let dir = path.parent().unwrap_or(Path::new(""));
        let db = Db::Sqlite { read, write };
        let seal = Seal::beside(dir, Store::on_pool(&db, true)).await?;
        let sealer = Sealer::beside(dir, Store::on_pool(&db, true)).await?;
        let identity = crate::IdentityKey::beside(dir, Store::on_pool(&db, true)).await?;
        let store = Store {
            db,
            seal: Arc::new(seal),
            sealer: Arc::new(sealer),
            identity,
        };
        store.key_unkeyed_values().await?;
        Ok(store)
    }

    /// A private in-memory database, for tests and one-off reading.
    pub async fn open_in_memory() -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        // One connection: every connection to `:memory:` is a database of its own.
        let pool = Store::connect_sqlite(options, 1, None).await?;
        let db = Db::Sqlite {
            read: pool.clone(),
            write: pool,
        };
        // A key for this database's life; checkpoints in memory.
        let seal = Seal::in_memory(Store::on_pool(&db, true)).await?;
        Ok(Store {
            db,
            seal: Arc::new(seal),
            sealer: Arc::new(Sealer::in_memory()?),
            identity: crate::IdentityKey::in_memory()?,
        })
    }

    /// Opens a PostgreSQL database (which must exist, with the `C` collation), creating or
    /// upgrading its schema; the audit's key and checkpoints are kept in `dir`. Nodes that
    /// start at once migrate one after the other (sqlx holds an advisory lock while migrating).
    pub async fn open_postgres(url: &str, dir: &Path) -> Result<Store, StoreError> {
        let options = PgConnectOptions::from_str(url)?.application_name("passage");
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // While PostgreSQL restarts, a request waits this long for it (sqlx retries a
            // refused connection), then fails: a carrier told to send again in 10 s rather
            // than held for 30, as the write lock's `lock_timeout`.
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect_with(options)
            .await?;
        check_collation(&pool).await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let db = Db::Postgres(pool);
        let seal = Seal::beside(dir, Store::on_pool(&db, true)).await?;
        let sealer = Sealer::beside(dir, Store::on_pool(&db, true)).await?;
        let identity = crate::IdentityKey::beside(dir, Store::on_pool(&db, true)).await?;
        let store = Store {
            db,
            seal: Arc::new(seal),
            sealer: Arc::new(sealer),
            identity,
        };
        store.key_unkeyed_values().await?;
        // The vault's partitions for this month and the next ones (store/src/partitions.rs).
        let today = jiff::Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date();
        let made = store.ensure_partitions(today).await?;
        // Receipts of those months are kept in the default partition meanwhile: the node
        // serves, and says so (each hour while serving too).
        for name in &made.blocked {
            tracing::error!(
                partition = %name,
                "receipts of this month sit in the vault's default partition; its partition is not made"
            );
        }
        Ok(store)
    }

    /// Connects and migrates. Two processes opening one new database file at once (a server
    /// and an administrator's command) would both apply the first migration: they take turns
    /// through a lock on a file beside it (PostgreSQL's migrations take an advisory lock).
    async fn connect_sqlite(
        options: SqliteConnectOptions,
        connections: u32,
        file: Option<&Path>,
    ) -> Result<SqlitePool, StoreError> {
        let pool = SqlitePoolOptions::new()
            .max_connections(connections)
            .connect_with(options)
            .await?;
        let turn = match file {
            Some(path) => {
                let mut name = path.as_os_str().to_owned();
                name.push(".migrating");
                let lock = std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(PathBuf::from(name))
                    .map_err(|e| StoreError::Setup(format!("the migration lock: {e}")))?;
                let lock = tokio::task::spawn_blocking(move || lock.lock().map(|()| lock))
                    .await
                    .map_err(|e| StoreError::Setup(format!("the migration lock: {e}")))?
                    .map_err(|e| StoreError::Setup(format!("the migration lock: {e}")))?;
                Some(lock)
            }
            None => None,
        };
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        // The lock ends with the file's closing.
        drop(turn);
        Ok(pool)
    }

    /// Which engine this store runs on.
    pub fn engine(&self) -> Engine {
        match self.db {
            Db::Sqlite { .. } => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    fn on_pool(db: &Db, write: bool) -> On<&SqlitePool, &PgPool> {
        match db {
            Db::Sqlite { write: w, .. } if write => On::Sqlite(w),
            Db::Sqlite { read, .. } => On::Sqlite(read),
            Db::Postgres(pool) => On::Postgres(pool),
        }
    }

    /// The connections that read.
    pub(crate) fn reader(&self) -> On<&SqlitePool, &PgPool> {
        Store::on_pool(&self.db, false)
    }

    /// The connections that write (SQLite's one writer; the same as the readers for an
    /// in-memory database or PostgreSQL).
    #[cfg(test)]
    pub(crate) fn write_pool(&self) -> On<&SqlitePool, &PgPool> {
        Store::on_pool(&self.db, true)
    }

    /// A connection for a write transaction.
    pub(crate) async fn acquire_writer(&self) -> Result<Conn, StoreError> {
        Ok(match &self.db {
            Db::Sqlite { write, .. } => Conn::Sqlite(write.acquire().await?),
            Db::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
        })
    }

    /// The SQLite readers, for tests of SQLite's query plans.
    #[cfg(test)]
    pub(crate) fn sqlite_reader(&self) -> &SqlitePool {
        match &self.db {
            Db::Sqlite { read, .. } => read,
            Db::Postgres(_) => panic!("a plan test runs on SQLite"),
        }
    }

    pub(crate) fn seal(&self) -> &Seal {
        &self.seal
    }

    pub(crate) fn seal_handle(&self) -> Arc<Seal> {
        self.seal.clone()
    }

    pub(crate) fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    /// The unit's identity key, for what the intake keys before storing.
    pub fn identity_key(&self) -> &crate::IdentityKey {
        &self.identity
    }

    /// The schema as migrated: the latest migration applied and how many were.
    pub async fn schema_version(&self) -> Result<Schema, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as::<_, Schema>(
            "SELECT COALESCE(MAX(version), 0) AS version, COUNT(*) AS applied
             FROM _sqlx_migrations WHERE success"
        )
        .fetch_one(db)
        .await)?)
    }

    /// Closes every connection (waits for those in use to come back).
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// Begins a write transaction on `conn`, holding the engine's write lock until it ends.
pub(crate) async fn begin_on(conn: &mut Conn) -> Result<(), StoreError> {
    match conn {
        Conn::Sqlite(c) => {
            // It takes the write lock at once: a deferred one that reads first could not
            // upgrade after another connection's commit (SQLITE_BUSY_SNAPSHOT).
            sqlx::query("BEGIN IMMEDIATE").execute(&mut **c).await?;
        }
        Conn::Postgres(c) => {
            sqlx::query("BEGIN").execute(&mut **c).await?;
            // As SQLite's busy timeout: a writer that waits longer for the lock fails (503)
            // rather than hanging behind a stuck one.
            sqlx::query("SET LOCAL lock_timeout = '10s'")
                .execute(&mut **c)
                .await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(WRITE_LOCK)
                .execute(&mut **c)
                .await?;
        }
    }
    Ok(())
}

/// Text is compared in code-point order by every search (SQLite's binary collation): a
/// database that sorts otherwise would answer prefix searches wrongly, so it is refused.
async fn check_collation(pool: &PgPool) -> Result<(), StoreError> {
    #[derive(sqlx::FromRow)]
    struct Collation {
        collate: String,
        ctype: String,
    }
    let c: Collation = sqlx::query_as(
        "SELECT datcollate::text AS collate, datctype::text AS ctype FROM pg_database
         WHERE datname = current_database()",
    )
    .fetch_one(pool)
    .await?;
    let plain = |s: &str| matches!(s, "C" | "POSIX" | "C.UTF-8" | "C.utf8");
    if plain(&c.collate) && plain(&c.ctype) {
        Ok(())
    } else {
        Err(StoreError::Setup(format!(
            "the PostgreSQL database sorts text as '{}' (character classes '{}'); Passage needs \
             code-point order: create it with TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'",
            c.collate, c.ctype
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_is_named_by_url_or_path() {
        let data = Path::new("/var/lib/passage");
        assert_eq!(
            Location::parse(None, data).unwrap(),
            Location::Embedded(data.join("passage.db"))
        );
        assert_eq!(
            Location::parse(Some("postgres://u@db/passage"), data)
                .unwrap()
                .engine(),
            Engine::Postgres
        );
        assert_eq!(
            Location::parse(Some("/srv/unit.db"), data).unwrap(),
            Location::Embedded(PathBuf::from("/srv/unit.db"))
        );
        assert!(Location::parse(Some("mysql://x"), data).is_err());
        // a password in the URL never reaches a log through Debug
        let printed = format!(
            "{:?}",
            Location::parse(Some("postgres://u:secret@db/p"), data).unwrap()
        );
        assert!(!printed.contains("secret"), "{printed}");
    }
}
