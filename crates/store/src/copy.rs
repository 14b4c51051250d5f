//! Moving a unit from one store to another — from the embedded store to PostgreSQL when it
//! outgrows one machine. Every table is copied row by row, column by column by name, in an
//! order that keeps every reference valid; each value keeps its kind (integer, real, text,
//! bytes; the one flag becomes PostgreSQL's boolean). The target must be empty. Afterwards the
//! row counts of both are compared and the target's numbering continues after the copied rows;
//! the audit verifies on the target with the same key (copied beside it by the operator).

use futures_util::TryStreamExt;
use sqlx::{Column, Row, TypeInfo, ValueRef};

use crate::engine::On;
use crate::{Store, StoreError};

/// Every table of the schema, each after the tables it refers to.
pub(crate) const TABLES: [&str; 29] = [
    "agencies",
    "users",
    "messages",
    "message_bodies",
    "processed_keys",
    "audit",
    "audit_cuts",
    "flights",
    "manifest",
    "pnr_versions",
    "links",
    "pnr_travellers",
    "watchlist_versions",
    "suppressions",
    "hits",
    "carrier_counts",
    "criteria_versions",
    "criteria_events",
    "targeting_hits",
    "sessions",
    "api_tokens",
    "list_owners",
    "generations",
    "message_flights",
    "legal_holds",
    "retention_runs",
    "statistics",
    "sealed",
    "unmask_requests",
];

/// Rows copied per table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(&'static str, i64)>,
}

impl CopyReport {
    pub fn rows(&self) -> i64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// One value as read from the source.
enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Store {
    /// How many rows each table holds.
    pub async fn table_counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        let mut out = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let n: i64 = on!(self.reader(), |db| sqlx::query_scalar(sqlx::AssertSqlSafe(
                sql.clone()
            ))
            .fetch_one(db)
            .await)?;
            out.push((table, n));
        }
        Ok(out)
    }

    /// Copies every row of `from` (the embedded store) into this store, which must be a
    /// PostgreSQL store holding no data; then checks that both hold the same number of rows.
    pub async fn copy_from(&self, from: &Store) -> Result<CopyReport, StoreError> {
        let held: i64 = self
            .table_counts()
            .await?
            .iter()
            .filter(|(t, _)| *t != "generations")
            .map(|(_, n)| n)
            .sum();
        if held > 0 {
            return Err(StoreError::Setup(format!(
                "the target store already holds {held} rows: a unit is copied into an empty one"
            )));
        }
        let On::Sqlite(source) = from.reader() else {
            return Err(StoreError::Setup(
                "a unit is copied from the embedded store".into(),
            ));
        };
        let mut tx = self.begin().await?;
        // The vault's partitions of every month the copy brings (PostgreSQL keeps a month's
        // bytes apart: store/src/partitions.rs).
        let span: (Option<String>, Option<String>) =
            sqlx::query_as("SELECT MIN(received_at), MAX(received_at) FROM messages")
                .fetch_one(source)
                .await?;
        if let (Some(first), Some(last)) = span {
            let (first, last) = (
                crate::partitions::month_of(&first)?,
                crate::partitions::month_of(&last)?,
            );
            crate::partitions::ensure_between(tx.conn_mut()?, first, last).await?;
        }
        let mut tables = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let kinds = self.column_kinds(table).await?;
            let select = format!("SELECT * FROM {table}");
            // Streamed: the vault's bodies of a year do not fit in memory at once.
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch(source);
            let mut copied = 0i64;
            let mut statement: Option<(Vec<String>, String)> = None;
            while let Some(row) = rows.try_next().await? {
                let (columns, sql) = statement.get_or_insert_with(|| insert_for(table, &row));
                let mut q = sqlx::query::<sqlx::Postgres>(sqlx::AssertSqlSafe(sql.clone()));
                for name in columns.iter() {
                    let value = read(&row, name)?;
                    let kind = kinds
                        .iter()
                        .find(|(c, _)| c == name)
                        .map(|(_, k)| k.as_str())
                        .ok_or_else(|| {
                            StoreError::Setup(format!("the target has no column {table}.{name}"))
                        })?;
                    // The value as the target column keeps it: SQLite's 0/1 flag as a boolean,
                    // a document kept as text before packing as bytes, a null of the column's type.
                    q = match (value, kind) {
                        (Value::Int(n), "boolean") => q.bind(n != 0),
                        (Value::Null, "boolean") => q.bind(None::<bool>),
                        (Value::Null, "bigint") => q.bind(None::<i64>),
                        (Value::Null, "double precision") => q.bind(None::<f64>),
                        (Value::Null, "bytea") => q.bind(None::<Vec<u8>>),
                        (Value::Null, _) => q.bind(None::<String>),
                        (Value::Text(s), "bytea") => q.bind(s.into_bytes()),
                        (Value::Int(n), _) => q.bind(n),
                        (Value::Real(x), _) => q.bind(x),
                        (Value::Text(s), _) => q.bind(s),
                        (Value::Bytes(b), _) => q.bind(b),
                    };
                }
                match tx.conn()? {
                    On::Postgres(db) => q.execute(db).await?,
                    On::Sqlite(_) => {
                        return Err(StoreError::Setup(
                            "a unit is copied into a PostgreSQL store".into(),
                        ));
                    }
                };
                copied += 1;
            }
            // Numbering continues after the copied rows.
            if copied > 0 && kinds.iter().any(|(c, _)| c == "id") {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))
                     WHERE pg_get_serial_sequence('{table}', 'id') IS NOT NULL"
                );
                if let On::Postgres(db) = tx.conn()? {
                    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(db).await?;
                }
            }
            tables.push((table, copied));
        }
        tx.commit().await?;
        // Statistics for the planner: without them the searches of a freshly loaded database
        // are planned as if its tables were empty (bench/RESULTS.md: up to 30× slower).
        if let On::Postgres(db) = self.reader() {
            sqlx::query("ANALYZE").execute(db).await?;
        }
        let (source_counts, target_counts) =
            (from.table_counts().await?, self.table_counts().await?);
        if source_counts != target_counts {
            return Err(StoreError::Corrupt(format!(
                "the copy holds other row counts than its source: {target_counts:?} for {source_counts:?}"
            )));
        }
        Ok(CopyReport { tables })
    }

    /// The columns of `table` in the target and the type PostgreSQL keeps each as.
    async fn column_kinds(&self, table: &str) -> Result<Vec<(String, String)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Column {
            name: String,
            kind: String,
        }
        match self.reader() {
            On::Postgres(db) => Ok(sqlx::query_as::<_, Column>(
                "SELECT column_name::text AS name, data_type::text AS kind
                 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1",
            )
            .bind(table)
            .fetch_all(db)
            .await?
            .into_iter()
            .map(|c| (c.name, c.kind))
            .collect()),
            On::Sqlite(_) => Err(StoreError::Setup(
                "a unit is copied into a PostgreSQL store".into(),
            )),
        }
    }
}

/// The column names of `table` as a row of it shows them, and the insert of one row.
fn insert_for(table: &str, row: &sqlx::sqlite::SqliteRow) -> (Vec<String>, String) {
    let columns: Vec<String> = row.columns().iter().map(|c| c.name().to_string()).collect();
    let marks: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
    let conflict = if table == "generations" {
        " ON CONFLICT (kind) DO UPDATE SET n = excluded.n"
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({}){conflict}",
        columns.join(", "),
        marks.join(", ")
    );
    (columns, sql)
}

/// Column `name` of an SQLite row, as the kind of value it holds.
fn read(row: &sqlx::sqlite::SqliteRow, name: &str) -> Result<Value, StoreError> {
    let raw = row.try_get_raw(name)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let kind = raw.type_info().name().to_string();
    Ok(match kind.as_str() {
        "INTEGER" | "BOOLEAN" => Value::Int(row.try_get(name)?),
        "REAL" => Value::Real(row.try_get(name)?),
        "TEXT" => Value::Text(row.try_get(name)?),
        "BLOB" => Value::Bytes(row.try_get(name)?),
        other => {
            return Err(StoreError::Corrupt(format!(
                "a stored value of kind {other} cannot be copied"
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::engines! {
        /// Every table of the schema is copied: a table added by a migration and forgotten
        /// here fails this test on both engines.
        async fn every_table_is_copied(store: Store) {
            let sql = match store.engine() {
                crate::Engine::Sqlite => {
                    "SELECT name FROM sqlite_master WHERE type = 'table'
                     AND name NOT LIKE 'sqlite%' AND name <> '_sqlx_migrations' ORDER BY name"
                }
                crate::Engine::Postgres => {
                    "SELECT table_name::text FROM information_schema.tables
                     WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'
                     AND table_name NOT IN (SELECT c.relname FROM pg_inherits i
                                            JOIN pg_class c ON c.oid = i.inhrelid)
                     ORDER BY table_name"
                }
            };
            let tables: Vec<String> = on!(store.reader(), |db| sqlx::query_scalar(sql)
                .fetch_all(db)
                .await)
            .unwrap();
            let mut known: Vec<&str> = TABLES.to_vec();
            known.sort_unstable();
            assert_eq!(tables, known);
        }
    }
}
