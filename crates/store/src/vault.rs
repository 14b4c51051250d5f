//! The vault: every received message with its hash, carrier, channel and time, and its
//! processing state. The bytes are kept as received, except what the law does not let the unit
//! keep (taken out once, when the message is read: `Tx::keep_filtered`); the SHA-256 and size
//! are always those of the message as received.

use crate::columns::Json;
use crate::engine::{Conn, On};
use crate::filter::Filtered;
use crate::packing::Packed;
use crate::{Store, StoreError, now};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A message as it arrives.
#[derive(Debug, Clone)]
pub struct Received<'a> {
    pub channel: &'a str,
    pub carrier: &'a str,
    pub body: &'a [u8],
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// Kept, not yet read.
    Received,
    /// Read and applied.
    Processed,
    /// A part of a series waiting for the other parts.
    Waiting,
    /// Could not be read; kept with its findings.
    Failed,
    /// Identical to one processed before.
    Duplicate,
}

impl TryFrom<String> for MessageState {
    type Error = StoreError;

    fn try_from(s: String) -> Result<MessageState, StoreError> {
        MessageState::parse(&s)
    }
}

impl MessageState {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Received => "received",
            MessageState::Processed => "processed",
            MessageState::Waiting => "waiting",
            MessageState::Failed => "failed",
            MessageState::Duplicate => "duplicate",
        }
    }

    fn parse(s: &str) -> Result<MessageState, StoreError> {
        Ok(match s {
            "received" => MessageState::Received,
            "processed" => MessageState::Processed,
            "waiting" => MessageState::Waiting,
            "failed" => MessageState::Failed,
            "duplicate" => MessageState::Duplicate,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "unknown message state '{other}'"
                )));
            }
        })
    }
}

/// Row counts of what the store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Totals {
    pub messages: i64,
    pub flights: i64,
    /// Persons on API manifests (passengers and crew).
    pub api_persons: i64,
    /// Travellers of the latest versions of PNR bookings.
    pub pnr_travellers: i64,
}

/// A message in the vault, without its body.
#[derive(Debug, Clone, Serialize)]
pub struct StoredMessage {
    pub id: i64,
    pub received_at: String,
    pub channel: String,
    pub carrier: String,
    pub sha256: String,
    pub size: i64,
    pub state: MessageState,
    pub message_type: Option<String>,
    pub findings: serde_json::Value,
    pub duplicate_of: Option<i64>,
    /// What the vault holds of its bytes.
    pub body: BodyKept,
}

/// What the vault holds of a message's bytes. `sha256` and `size` are always those of the
/// message as received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKept {
    /// Every byte as received: the law took nothing out.
    AsReceived,
    /// The message without the segments the law does not let the unit keep (Directive
    /// 2016/681 Art. 13(4)), deleted on receipt.
    Filtered,
    /// Sealed when its flight's data were masked (Directive 2016/681 Art. 12(2)): readable
    /// only for a disclosure an independent authority approved.
    Sealed,
    /// Deleted when its retention period ended.
    Erased,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a body, in hex.
pub fn digest(body: &[u8]) -> String {
    hex(&Sha256::digest(body))
}

impl Store {
    /// Keeps a message. When this returns the receipt is committed to disk: only then may it
    /// be acknowledged.
    pub async fn receive(&self, m: &Received<'_>) -> Result<i64, StoreError> {
        let ids = self.receive_many(std::slice::from_ref(m)).await?;
        ids.first()
            .copied()
            .ok_or_else(|| StoreError::Corrupt("a receipt returned no id".into()))
    }

    /// Keeps several messages in one commit (group commit: one wait for the disk for all of
    /// them). When this returns every receipt is on disk; the ids come in the order given.
    pub async fn receive_many(&self, messages: &[Received<'_>]) -> Result<Vec<i64>, StoreError> {
        let mut conn = self.acquire_writer().await?;
        let sqlite = conn.engine() == crate::Engine::Sqlite;
        let result = async {
            // This commit, and only this one, waits for the disk on SQLite: the receipt must
            // survive a power cut before the carrier is told it arrived. (PostgreSQL commits
            // every transaction durably.)
            if let On::Sqlite(db) = conn.on() {
                sqlx::query("PRAGMA synchronous = FULL").execute(db).await?;
            }
            let ids = receive_on(&mut conn, self.seal(), messages).await?;
            if let On::Sqlite(db) = conn.on() {
                sqlx::query("PRAGMA synchronous = NORMAL")
                    .execute(db)
                    .await?;
            }
            Ok(ids)
        }
        .await;
        if result.is_err() {
            // A failed commit (a full disk) may leave the connection inside its transaction
            // and with the wrong durability: rolled back and reset before it is reused.
            let reset: &'static [&'static str] = if sqlite {
                &["PRAGMA synchronous = NORMAL"]
            } else {
                &[]
            };
            crate::tx::release_after_failure(conn, reset);
        }
        result
    }

    /// Records how a message was processed. A `key` is recorded only with a success, so that a
    /// message that failed can be sent again and processed.
    pub async fn finish(
        &self,
        id: i64,
        state: MessageState,
        message_type: Option<&str>,
        findings: &serde_json::Value,
        key: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.finish(id, state, message_type, findings, key).await?;
        tx.commit().await
    }

    /// Marks a message as a duplicate of an earlier one processed under the same key.
    pub async fn mark_duplicate(&self, id: i64, of: i64) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.mark_duplicate(id, of).await?;
        tx.commit().await
    }

    /// The message processed under `key`, if any.
    pub async fn processed_under(&self, key: &str) -> Result<Option<i64>, StoreError> {
        let mut tx = self.begin().await?;
        let found = tx.processed_under(key).await?;
        tx.commit().await?;
        Ok(found)
    }
}

impl crate::Tx {
    /// Records how a message was processed. A `key` is recorded only with a success, so that a
    /// message that failed can be sent again and processed.
    pub async fn finish(
        &mut self,
        id: i64,
        state: MessageState,
        message_type: Option<&str>,
        findings: &serde_json::Value,
        key: Option<&str>,
    ) -> Result<(), StoreError> {
        on!(self.conn()?, |db| {
            sqlx::query(
            "UPDATE messages SET state = $1, message_type = $2, findings = $3, processed_at = $4 WHERE id = $5",
        )
        .bind(state.as_str())
        .bind(message_type)
        .bind(findings.to_string())
        .bind(now())
        .bind(id)
        .execute(db)
.await.map(|r| r.rows_affected())
        })?;
        if let (Some(key), MessageState::Processed) = (key, state) {
            on!(self.conn()?, |db| {
                sqlx::query(
                "INSERT INTO processed_keys (key, message_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING"
            )
            .bind(key)
            .bind(id)
            .execute(db)
            .await
            .map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }

    /// Keeps `kept` in place of the bytes received: the message as the law lets the unit keep
    /// it (Directive 2016/681 Art. 13(4)). Done once, when the message is read; the database
    /// refuses any other change of a body. The message's `sha256` and `size` stay those of
    /// what was received.
    pub async fn keep_filtered(&mut self, id: i64, kept: &[u8]) -> Result<(), StoreError> {
        let packed = crate::packing::pack(kept);
        let changed = on!(self.conn()?, |db| {
            sqlx::query(
                "UPDATE message_bodies SET body = $1, filtered = TRUE WHERE message_id = $2 \
                 AND received_at = (SELECT received_at FROM messages WHERE id = $2)",
            )
            .bind(&packed)
            .bind(id)
            .execute(db)
            .await
            .map(|r| r.rows_affected())
        })?;
        if changed != 1 {
            return Err(StoreError::Corrupt(format!(
                "message {id}: {changed} bodies to filter, not one"
            )));
        }
        Ok(())
    }

    /// Marks a message as a duplicate of an earlier one processed under the same key.
    pub async fn mark_duplicate(&mut self, id: i64, of: i64) -> Result<(), StoreError> {
        on!(self.conn()?, |db| {
            sqlx::query("UPDATE messages SET state = 'duplicate', duplicate_of = $1, processed_at = $2 WHERE id = $3")
            .bind(of)
            .bind(now())
            .bind(id)
            .execute(db)
.await.map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// The message processed under `key`, if any.
    pub async fn processed_under(&mut self, key: &str) -> Result<Option<i64>, StoreError> {
        Ok(on!(self.conn()?, |db| sqlx::query_scalar(
            "SELECT message_id FROM processed_keys WHERE key = $1"
        )
        .bind(key)
        .fetch_optional(db)
        .await)?)
    }
}

impl Store {
    /// How much the store holds: for summaries and throughput reports.
    pub async fn totals(&self) -> Result<Totals, StoreError> {
        Ok(on!(self.reader(), |db| {
            sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM messages) AS messages, (SELECT COUNT(*) FROM flights) AS flights,
                    (SELECT COUNT(*) FROM manifest) AS api_persons,
                    (SELECT COUNT(*) FROM pnr_travellers) AS pnr_travellers",
        )
        .fetch_one(db)
.await
        })?)
    }

    /// Messages received but not processed (after a crash, these are processed again).
    pub async fn unprocessed(&self) -> Result<Vec<i64>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_scalar(
            "SELECT id FROM messages WHERE state = 'received' ORDER BY id"
        )
        .fetch_all(db)
        .await)?)
    }

    /// Parts of series kept as waiting for the others, oldest first: rebuilt at start.
    pub async fn waiting(&self) -> Result<Vec<i64>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_scalar(
            "SELECT id FROM messages WHERE state = 'waiting' ORDER BY id"
        )
        .fetch_all(db)
        .await)?)
    }

    /// Counts one more start of processing message `id` by recovery; returns the count
    /// (committed before the processing starts, so a crash during it is remembered).
    pub async fn start_attempt(&self, id: i64) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let attempts: i64 = on!(tx.conn()?, |db| sqlx::query_scalar(
            "UPDATE messages SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts",
        )
        .bind(id)
        .fetch_one(db)
        .await)?;
        tx.commit().await?;
        Ok(attempts)
    }

    pub async fn message(&self, id: i64) -> Result<Option<StoredMessage>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as::<_, MessageColumns>(
            SELECT_MESSAGE_BY_ID
        )
        .bind(id)
        .fetch_optional(db)
        .await)?
        .map(StoredMessage::from))
    }

    pub async fn message_body(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        let body: Option<Packed> = on!(self.reader(), |db| sqlx::query_scalar(
            // The receipt time names the partition (PostgreSQL): one month's index is read.
            "SELECT body FROM message_bodies WHERE message_id = $1 \
             AND received_at = (SELECT received_at FROM messages WHERE id = $1)"
        )
        .bind(id)
        .fetch_optional(db)
        .await)?;
        body.map(|b| Ok(b.bytes()?.into_owned())).transpose()
    }

    /// Messages, newest first, optionally of one carrier or in one state.
    pub async fn messages(
        &self,
        carrier: Option<&str>,
        state: Option<MessageState>,
        message_type: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        let rows = Filtered::from_parts(&[MESSAGE_COLUMNS])
            .eq("carrier", carrier)
            .eq("state", state.map(MessageState::as_str))
            .eq("message_type", message_type)
            .then_bind("ORDER BY id DESC LIMIT ", limit)
            .then_bind("OFFSET ", offset)
            .fetch_all::<MessageColumns, _, _>(self.reader())
            .await?;
        Ok(rows.into_iter().map(StoredMessage::from).collect())
    }

    /// How many messages the vault holds, by state.
    pub async fn count_messages(&self) -> Result<Vec<(MessageState, i64)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Count {
            #[sqlx(try_from = "String")]
            state: MessageState,
            messages: i64,
        }
        let rows = on!(self.reader(), |db| sqlx::query_as::<_, Count>(
            "SELECT state, COUNT(*) AS messages FROM messages GROUP BY state ORDER BY state",
        )
        .fetch_all(db)
        .await)?;
        Ok(rows.into_iter().map(|c| (c.state, c.messages)).collect())
    }
}

/// The columns of a [`StoredMessage`], up to where a WHERE clause starts.
const MESSAGE_COLUMNS: &str = "SELECT id, received_at, channel, carrier, sha256, size, state, message_type, findings, duplicate_of, \
     (SELECT b.filtered FROM message_bodies b WHERE b.message_id = messages.id AND b.received_at = messages.received_at) AS body_filtered, \
     EXISTS (SELECT 1 FROM sealed s WHERE s.kind = 'body' AND s.row_key = CAST(messages.id AS TEXT)) AS body_sealed \
     FROM messages";

const SELECT_MESSAGE_BY_ID: &str = "SELECT id, received_at, channel, carrier, sha256, size, state, message_type, findings, duplicate_of, \
     (SELECT b.filtered FROM message_bodies b WHERE b.message_id = messages.id AND b.received_at = messages.received_at) AS body_filtered, \
     EXISTS (SELECT 1 FROM sealed s WHERE s.kind = 'body' AND s.row_key = CAST(messages.id AS TEXT)) AS body_sealed \
     FROM messages WHERE id = $1";

/// A `messages` row as stored: a state that is not one of ours, or findings that do not parse,
/// fail the read.
#[derive(sqlx::FromRow)]
struct MessageColumns {
    id: i64,
    received_at: String,
    channel: String,
    carrier: String,
    sha256: String,
    size: i64,
    #[sqlx(try_from = "String")]
    state: MessageState,
    message_type: Option<String>,
    /// None until the message is read.
    findings: Option<Json>,
    duplicate_of: Option<i64>,
    /// None when the body is no longer kept.
    body_filtered: Option<bool>,
    /// Whether the body was sealed when its flight was masked.
    body_sealed: bool,
}

impl From<MessageColumns> for StoredMessage {
    fn from(m: MessageColumns) -> StoredMessage {
        StoredMessage {
            id: m.id,
            received_at: m.received_at,
            channel: m.channel,
            carrier: m.carrier,
            sha256: m.sha256,
            size: m.size,
            state: m.state,
            message_type: m.message_type,
            // A message not read yet has no findings: shown as null, as before.
            findings: m.findings.map_or(serde_json::Value::Null, |f| f.0),
            duplicate_of: m.duplicate_of,
            body: match (m.body_filtered, m.body_sealed) {
                (Some(false), _) => BodyKept::AsReceived,
                (Some(true), _) => BodyKept::Filtered,
                (None, true) => BodyKept::Sealed,
                (None, false) => BodyKept::Erased,
            },
        }
    }
}

/// Keeps the messages and their audit records in one transaction.
async fn receive_on(
    conn: &mut Conn,
    seal: &crate::audit::Seal,
    messages: &[Received<'_>],
) -> Result<Vec<i64>, StoreError> {
    // Plain statements, not sqlx's transaction: see `tx.rs` for why.
    crate::engine::begin_on(conn).await?;
    let mut ids = Vec::with_capacity(messages.len());
    for m in messages {
        ids.push(receive_one(conn, seal, m).await?);
    }
    on!(conn.on(), |db| sqlx::query("COMMIT")
        .execute(db)
        .await
        .map(|_| ()))?;
    Ok(ids)
}

async fn receive_one(
    tx: &mut Conn,
    seal: &crate::audit::Seal,
    m: &Received<'_>,
) -> Result<i64, StoreError> {
    let at = now();
    let id: i64 = on!(tx.on(), |db| {
        sqlx::query_scalar(
        "INSERT INTO messages (received_at, channel, carrier, sha256, size) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&at)
    .bind(m.channel)
    .bind(m.carrier)
    .bind(digest(m.body))
    .bind(m.body.len() as i64)
    .fetch_one(db)
.await
    })?;
    on!(tx.on(), |db| sqlx::query(
        "INSERT INTO message_bodies (message_id, received_at, body) VALUES ($1, $2, $3)"
    )
    .bind(id)
    .bind(&at)
    .bind(crate::packing::pack(m.body))
    .execute(db)
    .await
    .map(|r| r.rows_affected()))?;
    let detail = format!(
        "channel={} carrier={} bytes={}",
        m.channel,
        m.carrier,
        m.body.len()
    );
    crate::audit::append(
        tx,
        seal,
        &crate::AuditEntry {
            actor: "system",
            action: "message.received",
            subject: &format!("message:{id}"),
            purpose: None,
            detail: &detail,
        },
    )
    .await?;
    Ok(id)
}
