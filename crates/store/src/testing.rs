//! For tests of every crate: a store on each engine, so that one behaviour is one test run on
//! both (the conformance pattern). SQLite always; PostgreSQL when `PASSAGE_TEST_POSTGRES_URL`
//! names a server (an administrative URL, e.g. `postgres://postgres@127.0.0.1:5432/postgres`):
//! each test gets a database of its own, created with the `C` collation and dropped when the
//! test ends. In CI (`CI` set) the variable is required: a conformance run that silently
//! skipped PostgreSQL would prove nothing.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::{Engine, Location, Store, StoreError};

/// The variable naming the PostgreSQL server tests may use.
pub const POSTGRES_URL_VAR: &str = "PASSAGE_TEST_POSTGRES_URL";

/// A database of its own on the test server, dropped (with its connections) when this is
/// dropped, and a directory for the audit's key and checkpoints.
#[derive(Debug)]
pub struct ScratchPostgres {
    admin: String,
    name: String,
    url: String,
    dir: PathBuf,
}

static NEXT: AtomicU64 = AtomicU64::new(0);

impl ScratchPostgres {
    /// A new empty database, or `None` when no server is named and this is not CI.
    ///
    /// # Panics
    /// When the variable is missing in CI, or the server refuses: a test must not pass
    /// without running.
    #[allow(clippy::panic, clippy::expect_used)]
    pub async fn create() -> Option<ScratchPostgres> {
        let Some(admin) = std::env::var(POSTGRES_URL_VAR)
            .ok()
            .filter(|u| !u.is_empty())
        else {
            if std::env::var_os("CI").is_some() {
                panic!("{POSTGRES_URL_VAR} is not set: CI runs every store test on PostgreSQL");
            }
            eprintln!("{POSTGRES_URL_VAR} is not set: the PostgreSQL half of this test is skipped");
            return None;
        };
        let name = format!(
            "passage_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            jiff::Timestamp::now().as_microsecond() % 1_000_000_000
        );
        let mut conn = PgConnectOptions::from_str(&admin)
            .expect("PASSAGE_TEST_POSTGRES_URL is a PostgreSQL URL")
            .connect()
            .await
            .expect("the test PostgreSQL server answers");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
        )))
        .execute(&mut conn)
        .await
        .expect("a test database can be created");
        let _ = conn.close().await;
        let url = with_database(&admin, &name);
        let dir = std::env::temp_dir().join(&name);
        std::fs::create_dir_all(&dir).expect("a directory for the audit key");
        Some(ScratchPostgres {
            admin,
            name,
            url,
            dir,
        })
    }

    /// The database's URL (for `passage --store`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Where the audit's key and checkpoints of a store on it live.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    pub fn location(&self) -> Location {
        Location::Postgres {
            url: self.url.clone(),
            dir: self.dir.clone(),
        }
    }

    /// The store on this database (its schema made at the first open).
    pub async fn open(&self) -> Result<Store, StoreError> {
        Store::open_postgres(&self.url, &self.dir).await
    }
}

impl Drop for ScratchPostgres {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let name = self.name.clone();
        let _ = std::fs::remove_dir_all(&self.dir);
        // Dropped from inside a runtime or not: a thread of its own with its own runtime.
        let dropping = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                let Ok(options) = PgConnectOptions::from_str(&admin) else {
                    return;
                };
                if let Ok(mut conn) = options.connect().await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await;
                    let _ = conn.close().await;
                }
            });
        });
        let _ = dropping.join();
    }
}

/// `admin` with its database replaced by `name`.
fn with_database(admin: &str, name: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin, None),
    };
    // After the scheme's `//`, the first `/` starts the database name.
    let cut = base
        .find("//")
        .map(|s| s + 2)
        .and_then(|from| base[from..].find('/').map(|i| from + i));
    let host = match cut {
        Some(i) => &base[..i],
        None => base,
    };
    match query {
        Some(q) => format!("{host}/{name}?{q}"),
        None => format!("{host}/{name}"),
    }
}

/// A store on one engine for one test, with what keeps it alive.
#[derive(Debug)]
pub struct TestStore {
    pub store: Store,
    /// The PostgreSQL database, dropped with this.
    pub scratch: Option<ScratchPostgres>,
}

impl TestStore {
    pub fn engine(&self) -> Engine {
        self.store.engine()
    }
}

/// The store of a test on `engine`: SQLite in memory, or a scratch PostgreSQL database
/// (`None` when none is configured outside CI).
#[allow(clippy::expect_used)]
pub async fn store_on(engine: Engine) -> Option<TestStore> {
    match engine {
        Engine::Sqlite => Some(TestStore {
            store: Store::open_in_memory()
                .await
                .expect("an in-memory store opens"),
            scratch: None,
        }),
        Engine::Postgres => {
            let scratch = ScratchPostgres::create().await?;
            let store = scratch.open().await.expect("the scratch database opens");
            Some(TestStore {
                store,
                scratch: Some(scratch),
            })
        }
    }
}

/// Where a test's store lives on `engine` (a file in a directory of its own, or a scratch
/// PostgreSQL database), for tests that open it more than once; removed when dropped.
#[derive(Debug)]
pub struct TestLocation {
    pub location: Location,
    scratch: Option<ScratchPostgres>,
    dir: Option<PathBuf>,
}

impl TestLocation {
    /// The audit key's and checkpoints' directory of this location.
    pub fn dir(&self) -> PathBuf {
        match &self.location {
            Location::Embedded(path) => path
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default(),
            Location::Postgres { dir, .. } => dir.clone(),
        }
    }

    pub fn engine(&self) -> Engine {
        self.location.engine()
    }

    /// Runs `sql` on the database directly, behind the store's back (what a tampering
    /// administrator could do); the rows it changed.
    pub async fn raw(&self, sql: &str) -> Result<u64, sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match &self.location {
            Location::Embedded(path) => {
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                        .await?;
                let r = sqlx::query(sql).execute(&mut c).await?;
                let _ = c.close().await;
                Ok(r.rows_affected())
            }
            Location::Postgres { url, .. } => {
                let mut c = sqlx::PgConnection::connect(url).await?;
                let r = sqlx::query(sql).execute(&mut c).await?;
                let _ = c.close().await;
                Ok(r.rows_affected())
            }
        }
    }

    /// `DROP TRIGGER` in the engine's dialect.
    pub fn drop_trigger(&self, trigger: &str, table: &str) -> String {
        match self.engine() {
            Engine::Sqlite => format!("DROP TRIGGER {trigger}"),
            Engine::Postgres => format!("DROP TRIGGER {trigger} ON {table}"),
        }
    }

    /// The scratch database, on PostgreSQL.
    pub fn scratch(&self) -> Option<&ScratchPostgres> {
        self.scratch.as_ref()
    }
}

impl Drop for TestLocation {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A fresh location on `engine` (`None`: PostgreSQL not configured outside CI).
#[allow(clippy::expect_used)]
pub async fn location_on(engine: Engine) -> Option<TestLocation> {
    match engine {
        Engine::Sqlite => {
            let dir = std::env::temp_dir().join(format!(
                "passage-test-{}-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed),
                jiff::Timestamp::now().as_microsecond() % 1_000_000_000
            ));
            std::fs::create_dir_all(&dir).expect("a test directory");
            Some(TestLocation {
                location: Location::Embedded(dir.join("passage.db")),
                scratch: None,
                dir: Some(dir),
            })
        }
        Engine::Postgres => {
            let scratch = ScratchPostgres::create().await?;
            Some(TestLocation {
                location: scratch.location(),
                scratch: Some(scratch),
                dir: None,
            })
        }
    }
}

/// Writes a store test once, run on each engine: `engines! { async fn name(store: Store) {…} }`
/// gives a module `name` with the tests `sqlite` and `postgres`;
/// `engines! { async fn name(at: TestLocation) {…} }` the same with a location to open (and
/// open again) with `Store::open_at(&at.location)`.
#[macro_export]
macro_rules! engines {
    ($(#[$meta:meta])* async fn $name:ident($at:ident : TestLocation) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($at: &$crate::testing::TestLocation) $body

            #[tokio::test]
            async fn sqlite() {
                if let Some(at) = $crate::testing::location_on($crate::Engine::Sqlite).await {
                    body(&at).await;
                }
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(at) = $crate::testing::location_on($crate::Engine::Postgres).await {
                    body(&at).await;
                }
            }
        }
    };
    ($(#[$meta:meta])* async fn $name:ident($store:ident : Store) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[allow(unused_mut)]
            async fn body(mut $store: $crate::Store) $body

            #[tokio::test]
            async fn sqlite() {
                if let Some(t) = $crate::testing::store_on($crate::Engine::Sqlite).await {
                    body(t.store.clone()).await;
                }
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(t) = $crate::testing::store_on($crate::Engine::Postgres).await {
                    body(t.store.clone()).await;
                    t.store.close().await;
                }
            }
        }
    };
}

/// Every value the database at `location` holds, table by table and column by column, as
/// bytes, with packed (compressed) values unpacked: what a search for a name must look
/// through, since a compressed value may hold a name no byte of the file shows.
pub async fn every_value(location: &Location) -> Result<Vec<Vec<u8>>, sqlx::Error> {
    let mut values = Vec::new();
    match location {
        Location::Embedded(path) => {
            let mut c =
                sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await?;
            let tables: Vec<String> =
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .fetch_all(&mut c)
                    .await?;
            for table in tables {
                let columns: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT name FROM pragma_table_info('{table}')"
                )))
                .fetch_all(&mut c)
                .await?;
                for column in columns {
                    let rows: Vec<Option<Vec<u8>>> = sqlx::query_scalar(sqlx::AssertSqlSafe(
                        format!("SELECT CAST(\"{column}\" AS BLOB) FROM \"{table}\""),
                    ))
                    .fetch_all(&mut c)
                    .await?;
                    values.extend(rows.into_iter().flatten());
                }
            }
            let _ = c.close().await;
        }
        Location::Postgres { url, .. } => {
            let mut c = sqlx::PgConnection::connect(url).await?;
            let columns: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT table_name::text, column_name::text, data_type::text \
                 FROM information_schema.columns WHERE table_schema = current_schema()",
            )
            .fetch_all(&mut c)
            .await?;
            for (table, column, kind) in columns {
                let select = if kind == "bytea" {
                    format!("SELECT \"{column}\" FROM \"{table}\"")
                } else {
                    format!("SELECT convert_to(\"{column}\"::text, 'UTF8') FROM \"{table}\"")
                };
                let rows: Vec<Option<Vec<u8>>> = sqlx::query_scalar(sqlx::AssertSqlSafe(select))
                    .fetch_all(&mut c)
                    .await?;
                values.extend(rows.into_iter().flatten());
            }
            let _ = c.close().await;
        }
    }
    Ok(values
        .into_iter()
        .map(|v| match crate::packing::unpack(&v) {
            Ok(unpacked) => unpacked.into_owned(),
            Err(_) => v,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scratch_database_replaces_the_admin_one() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "t3"), "postgres://h/t3");
    }
}
