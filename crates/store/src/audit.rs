//! The audit log: who did what to which subject, why, and when; append-only (triggers refuse
//! updates and deletes) and hash-chained, so that a change made behind the database's back is
//! found by [`Store::verify_audit`].

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Store, StoreError, now};

/// What to record. `detail` names categories and identifiers, never personal data.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    /// A user name, or `system` for what Passage does on its own.
    pub actor: &'a str,
    /// e.g. `message.received`, `traveller.viewed`, `sensitive.deleted`.
    pub action: &'a str,
    /// e.g. `message:42`, `flight:XQ101/AMS-JFK/2026-12-01`.
    pub subject: &'a str,
    /// The purpose or case reference a person gave, when the action needs one.
    pub purpose: Option<&'a str>,
    pub detail: &'a str,
}

/// A record of the log as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub purpose: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What the data protection officer searches the log for; `None` matches anything.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery<'a> {
    pub actor: Option<&'a str>,
    pub action: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub limit: i64,
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Verdict {
    /// Every record's hash holds and links to the one before.
    Intact { records: i64 },
    /// The first record whose content or link does not match its hash.
    Broken { at: i64, records: i64 },
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn chain_hash(prev: &str, at: &str, e: &AuditEntry<'_>) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        at,
        e.actor,
        e.action,
        e.subject,
        e.purpose.unwrap_or(""),
        e.detail,
    ] {
        // Length-prefixed, so that no two different records hash alike by moving a boundary.
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// Appends a record, chained to the last one. Serialised by SQLite's write lock.
    pub async fn audit(&self, e: &AuditEntry<'_>) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id = tx.audit(e).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records about one subject (or all, newest first), for the data protection officer.
    pub async fn audit_records(
        &self,
        subject: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, subject, purpose, detail, prev_hash, hash FROM audit
             WHERE (?1 IS NULL OR subject = ?1) ORDER BY id DESC LIMIT ?2",
        )
        .bind(subject)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(record).collect()
    }

    /// Records matching a search, newest first: exact actor, action prefix (`traveller.`),
    /// subject prefix, and a period of days (inclusive, YYYY-MM-DD).
    pub async fn audit_search(&self, q: &AuditQuery<'_>) -> Result<Vec<AuditRecord>, StoreError> {
        let to_next_day = q.to.map(|d| format!("{d}T99"));
        let rows = sqlx::query(
            "SELECT id, at, actor, action, subject, purpose, detail, prev_hash, hash FROM audit
             WHERE (?1 IS NULL OR actor = ?1)
               AND (?2 IS NULL OR substr(action, 1, length(?2)) = ?2)
               AND (?3 IS NULL OR substr(subject, 1, length(?3)) = ?3)
               AND (?4 IS NULL OR at >= ?4)
               AND (?5 IS NULL OR at < ?5)
             ORDER BY id DESC LIMIT ?6",
        )
        .bind(q.actor)
        .bind(q.action)
        .bind(q.subject)
        .bind(q.from)
        .bind(to_next_day)
        .bind(q.limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(record).collect()
    }

    /// Recomputes every hash in order and checks every link.
    pub async fn verify_audit(&self) -> Result<Verdict, StoreError> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, subject, purpose, detail, prev_hash, hash FROM audit ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut prev = GENESIS.to_string();
        let mut count = 0;
        for row in &rows {
            let r = record(row)?;
            count += 1;
            let expected = chain_hash(
                &prev,
                &r.at,
                &AuditEntry {
                    actor: &r.actor,
                    action: &r.action,
                    subject: &r.subject,
                    purpose: r.purpose.as_deref(),
                    detail: &r.detail,
                },
            );
            if r.prev_hash != prev || r.hash != expected {
                return Ok(Verdict::Broken {
                    at: r.id,
                    records: rows.len() as i64,
                });
            }
            prev = r.hash;
        }
        Ok(Verdict::Intact { records: count })
    }
}

fn record(r: &sqlx::sqlite::SqliteRow) -> Result<AuditRecord, StoreError> {
    Ok(AuditRecord {
        id: r.try_get(0)?,
        at: r.try_get(1)?,
        actor: r.try_get(2)?,
        action: r.try_get(3)?,
        subject: r.try_get(4)?,
        purpose: r.try_get(5)?,
        detail: r.try_get(6)?,
        prev_hash: r.try_get(7)?,
        hash: r.try_get(8)?,
    })
}

/// Appends a record inside a transaction (which holds the write lock, so the chain stays
/// linear).
pub(crate) async fn append(
    conn: &mut sqlx::SqliteConnection,
    e: &AuditEntry<'_>,
) -> Result<i64, StoreError> {
    let prev: String = sqlx::query("SELECT hash FROM audit ORDER BY id DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get::<String, _>(0))
        .transpose()?
        .unwrap_or_else(|| GENESIS.to_string());
    let at = now();
    let hash = chain_hash(&prev, &at, e);
    let id = sqlx::query(
        "INSERT INTO audit (at, actor, action, subject, purpose, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&at)
    .bind(e.actor)
    .bind(e.action)
    .bind(e.subject)
    .bind(e.purpose)
    .bind(e.detail)
    .bind(&prev)
    .bind(&hash)
    .fetch_one(&mut *conn)
    .await?
    .try_get::<i64, _>(0)?;
    Ok(id)
}

impl crate::Tx {
    /// Appends a record in this transaction (which holds the write lock, so the chain stays
    /// linear).
    pub async fn audit(&mut self, e: &AuditEntry<'_>) -> Result<i64, StoreError> {
        append(self.conn(), e).await
    }
}
