//! The audit log: who did what to which subject, why, and when; append-only (triggers refuse
//! updates and deletes), hash-chained, and sealed, so that a change made behind the database's
//! back is found by [`Store::verify_audit`]:
//!
//! - every record carries a MAC (HMAC-SHA256 of its number and hash) under the unit's key,
//!   which lives outside the database (`audit.key`, mode 0600): a record deleted or changed
//!   and the chain recomputed without the key does not verify;
//! - checkpoints of the head (records, last number, last hash, with a MAC) are appended to
//!   `audit.checkpoints` outside the database ([`Store::checkpoint_audit`], every half minute
//!   while serving): records cut off the end, or history rewritten even with the key, no longer
//!   match them.
//!
//! Records from before the key existed carry no MAC; the first checkpoint (the seal, written
//! when the key is made) says up to which record that is allowed.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// A pool of either engine.
pub(crate) type Pool<'a> = crate::engine::On<&'a sqlx::SqlitePool, &'a sqlx::PgPool>;

use crate::filter::Filtered;

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    /// What kind of record it is under Art. 13(5): told by the action, set when read.
    #[sqlx(skip)]
    pub category: AuditCategory,
    pub subject: String,
    pub purpose: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The kinds of record Directive 2016/681 Art. 13(5) names — collection, consultation,
/// disclosure, erasure — and the administration of the unit (users, criteria, lists, holds,
/// reviews). Told from the action by [`AuditCategory::of`], so that a record's kind is as
/// protected as its action (the hash chain covers the action).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditCategory {
    Collection,
    Consultation,
    Disclosure,
    Erasure,
    #[default]
    Administration,
}

impl AuditCategory {
    pub const ALL: [AuditCategory; 5] = [
        AuditCategory::Collection,
        AuditCategory::Consultation,
        AuditCategory::Disclosure,
        AuditCategory::Erasure,
        AuditCategory::Administration,
    ];

    /// The kind of a record, by its action: what a person read (`….viewed`, `….read`,
    /// `….listed`, `….searched`), what left the unit (`….disclosed`, `….sent`,
    /// `….exported`, `….unmasked`), what was deleted (`….erased`, `….deleted…`, `….cut`),
    /// what came in (`message.received`, refused deliveries, list imports); the rest is
    /// administration.
    pub fn of(action: &str) -> AuditCategory {
        let verb = action.rsplit('.').next().unwrap_or(action);
        match verb {
            "viewed" | "raw_viewed" | "diff_viewed" | "entries_viewed" | "read" | "listed"
            | "searched" => AuditCategory::Consultation,
            "disclosed" | "sent" | "exported" | "unmasked" => AuditCategory::Disclosure,
            "erased" | "deleted" | "deleted_on_receipt" | "cut" | "masked" => {
                AuditCategory::Erasure
            }
            _ => match action {
                "message.received" | "drop.refused" | "bus.refused" | "watchlist.imported" => {
                    AuditCategory::Collection
                }
                _ => AuditCategory::Administration,
            },
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuditCategory::Collection => "collection",
            AuditCategory::Consultation => "consultation",
            AuditCategory::Disclosure => "disclosure",
            AuditCategory::Erasure => "erasure",
            AuditCategory::Administration => "administration",
        }
    }

    pub fn parse(text: &str) -> Option<AuditCategory> {
        AuditCategory::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// Records with their kind told.
fn classified(mut records: Vec<AuditRecord>) -> Vec<AuditRecord> {
    for r in &mut records {
        r.category = AuditCategory::of(&r.action);
    }
    records
}

/// What the data protection officer searches the log for; `None` matches anything.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery<'a> {
    pub actor: Option<&'a str>,
    pub action: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    /// Only records of this kind.
    pub category: Option<AuditCategory>,
    pub limit: i64,
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Verdict {
    /// Every record's hash holds and links to the one before, every MAC holds, and every
    /// checkpoint finds the records it vouched for. `unsealed` records come from before the key
    /// was made and are checked by their hash chain only; `anchored` records are covered by the
    /// latest checkpoint (those written after it could still be cut off unseen).
    Intact {
        records: i64,
        unsealed: i64,
        anchored: i64,
    },
    /// The first record whose content, link or MAC does not hold, or the last record a
    /// checkpoint vouched for that is no longer as it was.
    Broken {
        at: i64,
        records: i64,
        reason: Breach,
    },
    /// Records at the end are missing: a checkpoint vouched for `expected`.
    Truncated { records: i64, expected: i64 },
    /// The checkpoints kept outside the database are missing or were altered: truncation can
    /// no longer be told.
    Unanchored { records: i64, reason: Breach },
}

/// Why a chain does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Breach {
    /// A record's content or its link to the one before does not match its hash.
    Hash,
    /// A record's MAC is wrong, or missing on a record written after the seal.
    Mac,
    /// The records up to a checkpoint differ from what it recorded (count or last hash).
    Checkpoint,
    /// No seal (the first checkpoint, written when the key was made) is found.
    NoSeal,
    /// A checkpoint line does not carry a valid MAC.
    ForgedCheckpoint,
}

/// The head of the log at a moment, as written outside the database with its MAC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    /// `seal` for the first one, written when the key was made; `head` for the others.
    pub kind: String,
    /// Records in the log up to and including `last`.
    pub records: i64,
    /// The number of the last record (0: none).
    pub last: i64,
    pub hash: String,
    pub at: String,
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The audit key's file, beside the database.
pub const KEY_FILE: &str = "audit.key";
/// The checkpoints' file, beside the database.
pub const CHECKPOINT_FILE: &str = "audit.checkpoints";

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
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// HMAC-SHA256 (RFC 2104) of the parts one after the other, under a key of at most 64 bytes.
fn hmac(key: &[u8], parts: &[&[u8]]) -> String {
    let mut block = [0u8; 64];
    for (b, k) in block.iter_mut().zip(key) {
        *b = *k;
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    for p in parts {
        inner.update(p);
    }
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    hex(&outer.finalize())
}

/// Compares two strings in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// What seals the log: the unit's key (never in the database) and where checkpoints go.
pub(crate) struct Seal {
    key: [u8; 32],
    /// The checkpoint file; `None` keeps them in memory (a database in memory).
    file: Option<PathBuf>,
    memory: Mutex<Vec<String>>,
    /// Records and last number of the last checkpoint this process wrote.
    written: Mutex<Option<(i64, i64)>>,
}

impl std::fmt::Debug for Seal {
    // The key is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seal").field("file", &self.file).finish()
    }
}

fn seal_error(what: impl std::fmt::Display) -> StoreError {
    StoreError::Seal(what.to_string())
}

impl Seal {
    /// The key of the database at `db`, from `audit.key` beside it, made (mode 0600) at the
    /// first open together with the seal. A key that group or others may read is refused, and
    /// so is a missing key for a log already sealed: a new key would fail every record.
    pub(crate) async fn beside(dir: &Path, pool: Pool<'_>) -> Result<Seal, StoreError> {
        let key_path = dir.join(KEY_FILE);
        let file = dir.join(CHECKPOINT_FILE);
        let (key, made) = match crate::keys::read(&key_path, "audit key").map_err(seal_error)? {
            Some(key) => (key, false),
            None => {
                let sealed = on!(pool, |db| sqlx::query(
                    "SELECT 1 FROM audit WHERE mac IS NOT NULL LIMIT 1"
                )
                .fetch_optional(db)
                .await
                .map(|r| r.is_some()))?;
                // Sealed by another process that made the key since it was read here.
                let made_meanwhile = if sealed || file.exists() {
                    crate::keys::read(&key_path, "audit key").map_err(seal_error)?
                } else {
                    None
                };
                if let Some(key) = made_meanwhile {
                    (key, false)
                } else if sealed || file.exists() {
                    return Err(seal_error(format!(
                        "the audit key {} is missing but the audit log was sealed with one; \
                         restore it from the backup (a new key would fail every record)",
                        key_path.display()
                    )));
                } else {
                    match crate::keys::make(&key_path).map_err(seal_error)? {
                        Some(key) => (key, true),
                        // Another process made it first.
                        None => (
                            crate::keys::read(&key_path, "audit key")
                                .map_err(seal_error)?
                                .ok_or_else(|| seal_error("the audit key vanished while read"))?,
                            false,
                        ),
                    }
                }
            }
        };
        let seal = Seal {
            key,
            file: Some(file),
            memory: Mutex::default(),
            written: Mutex::default(),
        };
        if made {
            seal.checkpoint(pool, "seal").await?;
        }
        Ok(seal)
    }

    /// A key of its own for a database in memory, sealed at once.
    pub(crate) async fn in_memory(pool: Pool<'_>) -> Result<Seal, StoreError> {
        let key = crate::keys::random().map_err(seal_error)?;
        let seal = Seal {
            key,
            file: None,
            memory: Mutex::default(),
            written: Mutex::default(),
        };
        seal.checkpoint(pool, "seal").await?;
        Ok(seal)
    }

    fn record_mac(&self, id: i64, hash: &str) -> String {
        hmac(
            &self.key,
            &[
                b"passage-audit-record\n",
                &id.to_be_bytes(),
                hash.as_bytes(),
            ],
        )
    }

    fn cut_mac(&self, upto: i64, hash: &str, records: i64) -> String {
        hmac(
            &self.key,
            &[
                b"passage-audit-cut\n",
                &upto.to_be_bytes(),
                hash.as_bytes(),
                &records.to_be_bytes(),
            ],
        )
    }

    fn line_mac(&self, line: &str) -> String {
        hmac(&self.key, &[b"passage-audit-checkpoint\n", line.as_bytes()])
    }

    /// Writes a checkpoint of the head unless it is the one this process wrote last.
    async fn checkpoint(
        &self,
        pool: Pool<'_>,
        kind: &str,
    ) -> Result<Option<Checkpoint>, StoreError> {
        let before = *self
            .written
            .lock()
            .map_err(|_| seal_error("checkpoint lock poisoned"))?;
        // Counted from the last checkpoint on (the whole log only once per process); one
        // statement, so count and head are of the same moment.
        // Behind the latest cut, the records it removed count as they were.
        let cut = on!(pool, |db| sqlx::query_as::<_, (i64, i64, String)>(
            "SELECT upto, records, hash FROM audit_cuts ORDER BY upto DESC LIMIT 1"
        )
        .fetch_optional(db)
        .await)?;
        let (since, base) = match (before, &cut) {
            (Some((_, last)), Some((upto, records, _))) if *upto > last => (*upto, *records),
            (Some((records, last)), _) => (last, records),
            (None, Some((upto, records, _))) => (*upto, *records),
            (None, None) => (0, 0),
        };
        #[derive(sqlx::FromRow)]
        struct Head {
            records: i64,
            id: i64,
            hash: String,
        }
        let head = on!(pool, |db| sqlx::query_as::<_, Head>(
            "SELECT (SELECT count(*) FROM audit WHERE id > $1) AS records, id, hash FROM audit
             ORDER BY id DESC LIMIT 1",
        )
        .bind(since)
        .fetch_optional(db)
        .await)?;
        let (records, last, hash) = match (head, cut) {
            (Some(h), _) => (base + h.records, h.id, h.hash),
            (None, Some((upto, records, hash))) => (records, upto, hash),
            (None, None) => (0, 0, GENESIS.to_string()),
        };
        if kind != "seal" {
            match before {
                Some((_, l)) if l == last => return Ok(None),
                // Fewer records than vouched for: never overwritten by a smaller head; the
                // verification reports it.
                Some((_, l)) if last < l => {
                    return Err(seal_error(
                        "the audit log is shorter than its last checkpoint",
                    ));
                }
                _ => {}
            }
        }
        let c = Checkpoint {
            kind: kind.to_string(),
            records,
            last,
            hash,
            at: crate::now(),
        };
        let line = format!("v1 {} {} {} {} {}", c.kind, c.records, c.last, c.hash, c.at);
        let line = format!("{line} {}\n", self.line_mac(&line));
        match &self.file {
            Some(path) => {
                let mut f = std::fs::OpenOptions::new()
                    .append(true)
                    .create(true)
                    .mode(0o600)
                    .open(path)
                    .map_err(|e| seal_error(format!("writing {}: {e}", path.display())))?;
                // One write of the whole line: lines of several processes do not interleave.
                f.write_all(line.as_bytes())
                    .and_then(|()| f.sync_data())
                    .map_err(|e| seal_error(format!("writing {}: {e}", path.display())))?;
            }
            None => self
                .memory
                .lock()
                .map_err(|_| seal_error("checkpoint lock poisoned"))?
                .push(line),
        }
        *self
            .written
            .lock()
            .map_err(|_| seal_error("checkpoint lock poisoned"))? = Some((c.records, c.last));
        Ok(Some(c))
    }

    /// The checkpoints with a valid MAC, in order; a line without one is a breach. A last
    /// line without its line end (a write cut short) is left out.
    fn checkpoints(&self) -> Result<Vec<Checkpoint>, Breach> {
        let text = match &self.file {
            Some(path) => match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(_) => return Err(Breach::ForgedCheckpoint),
            },
            None => self
                .memory
                .lock()
                .map(|m| m.concat())
                .map_err(|_| Breach::ForgedCheckpoint)?,
        };
        let whole = match text.rfind('\n') {
            Some(end) => text.get(..end).unwrap_or(""),
            None => "",
        };
        let mut out = Vec::new();
        for line in whole.lines().filter(|l| !l.trim().is_empty()) {
            let Some((body, mac)) = line.rsplit_once(' ') else {
                return Err(Breach::ForgedCheckpoint);
            };
            if !same(mac, &self.line_mac(body)) {
                return Err(Breach::ForgedCheckpoint);
            }
            let f: Vec<&str> = body.split(' ').collect();
            let [v, kind, records, last, hash, at] = f.as_slice() else {
                return Err(Breach::ForgedCheckpoint);
            };
            let (Ok(records), Ok(last)) = (records.parse::<i64>(), last.parse::<i64>()) else {
                return Err(Breach::ForgedCheckpoint);
            };
            if *v != "v1" {
                return Err(Breach::ForgedCheckpoint);
            }
            out.push(Checkpoint {
                kind: kind.to_string(),
                records,
                last,
                hash: hash.to_string(),
                at: at.to_string(),
            });
        }
        Ok(out)
    }
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
        Ok(classified(
            Filtered::new(RECORD)
                .eq("subject", subject)
                .then_bind("ORDER BY id DESC LIMIT ", limit)
                .fetch_all::<AuditRecord, _, _>(self.reader())
                .await?,
        ))
    }

    /// Records matching a search, newest first: exact actor, action prefix (`traveller.`),
    /// subject prefix, and a period of days (inclusive, YYYY-MM-DD).
    pub async fn audit_search(&self, q: &AuditQuery<'_>) -> Result<Vec<AuditRecord>, StoreError> {
        // A kind is the actions of that kind the log holds (a few dozen, read from the
        // action index alone).
        let actions = match q.category {
            Some(category) => {
                let all: Vec<String> = on!(self.reader(), |db| sqlx::query_scalar(
                    "SELECT DISTINCT action FROM audit"
                )
                .fetch_all(db)
                .await)?;
                let of_kind: Vec<String> = all
                    .into_iter()
                    .filter(|a| AuditCategory::of(a) == category)
                    .collect();
                if of_kind.is_empty() {
                    return Ok(Vec::new());
                }
                Some(of_kind)
            }
            None => None,
        };
        Ok(classified(
            audit_search(q, actions.as_deref())
                .fetch_all::<AuditRecord, _, _>(self.reader())
                .await?,
        ))
    }

    /// Writes a checkpoint of the log's head outside the database, unless nothing was added
    /// since this process wrote the last one. `serve` calls it periodically; records written
    /// after the latest checkpoint can be cut off without a trace until the next one.
    pub async fn checkpoint_audit(&self) -> Result<Option<Checkpoint>, StoreError> {
        self.seal().checkpoint(self.reader(), "head").await
    }

    /// Recomputes every hash in order, checks every link and MAC, then holds the records
    /// against every checkpoint.
    pub async fn verify_audit(&self) -> Result<Verdict, StoreError> {
        let seal = self.seal();
        // Read first: records written after them are simply not yet vouched for.
        let checkpoints = seal.checkpoints();
        #[derive(sqlx::FromRow)]
        struct Sealed {
            #[sqlx(flatten)]
            record: AuditRecord,
            mac: Option<String>,
        }
        let rows = on!(self.reader(), |db| {
            sqlx::query_as::<_, Sealed>(
            "SELECT id, at, actor, action, subject, purpose, detail, prev_hash, hash, mac FROM audit ORDER BY id",
        )
        .fetch_all(db)
.await
        })?;
        let records = rows.len() as i64;
        // The chain starts after the latest cut (records older than the audit's period were
        // deleted behind it), whose MAC must hold.
        let cut = on!(self.reader(), |db| sqlx::query_as::<_, CutRow>(
            "SELECT upto, hash, records, mac FROM audit_cuts ORDER BY upto DESC LIMIT 1"
        )
        .fetch_optional(db)
        .await)?;
        if let Some(c) = &cut
            && !same(&c.mac, &seal.cut_mac(c.upto, &c.hash, c.records))
        {
            return Ok(Verdict::Broken {
                at: c.upto,
                records,
                reason: Breach::Mac,
            });
        }
        let (cut_upto, cut_records) = cut.as_ref().map_or((0, 0), |c| (c.upto, c.records));
        // Records without a MAC are allowed only up to the seal.
        let sealed_after = match &checkpoints {
            Ok(c) => c.iter().find(|c| c.kind == "seal").map(|c| c.last),
            Err(_) => None,
        };
        let mut prev = cut.map_or_else(|| GENESIS.to_string(), |c| c.hash);
        let mut unsealed = 0;
        // (number, hash) of every record, in order.
        let mut heads: Vec<(i64, String)> = Vec::with_capacity(rows.len());
        for Sealed { record: r, mac } in rows {
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
                    records,
                    reason: Breach::Hash,
                });
            }
            let mac_holds = match mac {
                Some(m) => same(&m, &seal.record_mac(r.id, &r.hash)),
                None => {
                    unsealed += 1;
                    sealed_after.is_none_or(|s| r.id <= s)
                }
            };
            if !mac_holds {
                return Ok(Verdict::Broken {
                    at: r.id,
                    records,
                    reason: Breach::Mac,
                });
            }
            heads.push((r.id, r.hash.clone()));
            prev = r.hash;
        }
        let checkpoints = match checkpoints {
            Ok(c) => c,
            Err(reason) => return Ok(Verdict::Unanchored { records, reason }),
        };
        if sealed_after.is_none() {
            return Ok(Verdict::Unanchored {
                records,
                reason: Breach::NoSeal,
            });
        }
        let mut broken: Option<i64> = None;
        let mut expected = 0;
        for c in &checkpoints {
            // Nothing to hold: no record yet, or only records cut since.
            if c.last == 0 || c.last <= cut_upto {
                continue;
            }
            match heads.binary_search_by_key(&c.last, |(id, _)| *id) {
                Ok(i) => {
                    let holds = cut_records + i as i64 + 1 == c.records
                        && heads.get(i).is_some_and(|(_, h)| *h == c.hash);
                    if !holds {
                        broken = Some(broken.map_or(c.last, |b| b.min(c.last)));
                    }
                }
                // Past the last record: cut off the end.
                Err(i) if i == heads.len() => expected = expected.max(c.records),
                // A record it vouched for is gone from the middle.
                Err(_) => broken = Some(broken.map_or(c.last, |b| b.min(c.last))),
            }
        }
        if let Some(at) = broken {
            return Ok(Verdict::Broken {
                at,
                records,
                reason: Breach::Checkpoint,
            });
        }
        if expected > cut_records + records {
            return Ok(Verdict::Truncated {
                records: cut_records + records,
                expected,
            });
        }
        let anchored = checkpoints.iter().map(|c| c.records).max().unwrap_or(0);
        Ok(Verdict::Intact {
            records,
            unsealed,
            anchored,
        })
    }
}

/// The latest cut of the log.
#[derive(sqlx::FromRow)]
struct CutRow {
    upto: i64,
    hash: String,
    records: i64,
    mac: String,
}

/// What a cut of the log removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AuditCut {
    /// The last record removed.
    pub upto: i64,
    /// Records removed by this cut.
    pub removed: i64,
}

impl Store {
    /// Deletes the records written before `before` (the audit's period has ended for them),
    /// after recording the cut: the last record removed, its hash and how many records the
    /// log had held up to it, with a MAC under the unit's key, so that what remains still
    /// verifies from there (and checkpoints of later heads still hold). The cut is itself
    /// recorded (`audit.cut`). None when nothing is due.
    pub async fn cut_audit(&self, before: &str) -> Result<Option<AuditCut>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Last {
            id: i64,
            hash: String,
        }
        let mut tx = self.begin().await?;
        let last = on!(tx.conn()?, |db| sqlx::query_as::<_, Last>(
            "SELECT id, hash FROM audit WHERE at < $1 ORDER BY id DESC LIMIT 1"
        )
        .bind(before)
        .fetch_optional(db)
        .await)?;
        let Some(last) = last else {
            tx.rollback().await?;
            return Ok(None);
        };
        let previous: Option<i64> = on!(tx.conn()?, |db| sqlx::query_scalar(
            "SELECT MAX(records) FROM audit_cuts"
        )
        .fetch_one(db)
        .await)?;
        let removed: i64 = on!(tx.conn()?, |db| sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit WHERE id <= $1"
        )
        .bind(last.id)
        .fetch_one(db)
        .await)?;
        let records = previous.unwrap_or(0) + removed;
        let mac = self.seal().cut_mac(last.id, &last.hash, records);
        on!(tx.conn()?, |db| sqlx::query(
            "INSERT INTO audit_cuts (upto, hash, records, at, mac) VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(last.id)
        .bind(&last.hash)
        .bind(records)
        .bind(now())
        .bind(&mac)
        .execute(db)
        .await
        .map(|_| ()))?;
        on!(tx.conn()?, |db| sqlx::query(
            "DELETE FROM audit WHERE id <= $1"
        )
        .bind(last.id)
        .execute(db)
        .await
        .map(|_| ()))?;
        tx.audit(&AuditEntry {
            actor: "system",
            action: "audit.cut",
            subject: &format!("audit:{}", last.id),
            purpose: Some("retention policy"),
            detail: &format!("{removed} records up to {} erased", last.id),
        })
        .await?;
        tx.commit().await?;
        Ok(Some(AuditCut {
            upto: last.id,
            removed,
        }))
    }
}

/// The columns of an [`AuditRecord`], up to where a WHERE clause starts.
const RECORD: &str =
    "SELECT id, at, actor, action, subject, purpose, detail, prev_hash, hash FROM audit";

/// The audit search: only the filters given, newest first by time, then number (records are
/// appended in time order under the write lock). The filters pick record numbers from an index
/// alone (`audit_actor`, `audit_action`, `audit_subject_at` and `audit_at` all end in `at`, and
/// SQLite keeps the row number in every index), so a filter matching many records sorts small
/// index entries, not whole records, and the actor and period indexes give the newest first and
/// stop at the limit; then only the records shown are read.
fn audit_search(q: &AuditQuery<'_>, actions: Option<&[String]>) -> Filtered {
    // The last day is inclusive: everything before the next day's first instant ('T' < '9').
    let to_next_day = q.to.map(|d| format!("{d}T99"));
    let mut f = Filtered::new(
        "SELECT id, at, actor, action, subject, purpose, detail, prev_hash, hash FROM audit
         WHERE id IN (SELECT id FROM audit",
    );
    f.eq("actor", q.actor)
        .prefix("action", q.action)
        .prefix("subject", q.subject)
        .any_of("action", actions)
        .cmp("at", ">=", q.from)
        .cmp("at", "<", to_next_day)
        .then_bind("ORDER BY at DESC, id DESC LIMIT ", q.limit)
        .then(") ORDER BY at DESC, id DESC");
    f
}

/// Appends a record inside a transaction (which holds the write lock, so the chain stays
/// linear), with its MAC.
pub(crate) async fn append(
    conn: &mut crate::engine::Conn,
    seal: &Seal,
    e: &AuditEntry<'_>,
) -> Result<i64, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Last {
        id: i64,
        hash: String,
    }
    let last = match on!(conn.on(), |db| sqlx::query_as::<_, Last>(
        "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1"
    )
    .fetch_optional(db)
    .await)?
    {
        Some(l) => Some(l),
        // Every record cut: the chain goes on from the cut.
        None => on!(conn.on(), |db| sqlx::query_as::<_, Last>(
            "SELECT upto AS id, hash FROM audit_cuts ORDER BY upto DESC LIMIT 1"
        )
        .fetch_optional(db)
        .await)?,
    };
    let (last, prev) = last.map_or_else(|| (0, GENESIS.to_string()), |l| (l.id, l.hash));
    // The number is part of the MAC, so it is chosen here (the write lock is held).
    let id = last + 1;
    let at = now();
    let hash = chain_hash(&prev, &at, e);
    let mac = seal.record_mac(id, &hash);
    on!(conn.on(), |db| {
        sqlx::query(
        "INSERT INTO audit (id, at, actor, action, subject, purpose, detail, prev_hash, hash, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(&at)
    .bind(e.actor)
    .bind(e.action)
    .bind(e.subject)
    .bind(e.purpose)
    .bind(e.detail)
    .bind(&prev)
    .bind(&hash)
    .bind(&mac)
    .execute(db)
.await.map(|r| r.rows_affected())
    })?;
    Ok(id)
}

impl crate::Tx {
    /// Appends a record in this transaction (which holds the write lock, so the chain stays
    /// linear).
    pub async fn audit(&mut self, e: &AuditEntry<'_>) -> Result<i64, StoreError> {
        let seal = self.seal.clone();
        append(self.conn_mut()?, &seal, e).await
    }
}

#[cfg(test)]
mod tests {
    /// Each filter of the audit search, alone, is served by an index: the plan searches the
    /// table through it and never scans it.
    #[tokio::test]
    async fn each_audit_filter_alone_uses_an_index() {
        let store = Store::open_in_memory().await.unwrap();
        let none = AuditQuery {
            limit: 50,
            ..AuditQuery::default()
        };
        let cases = [
            (
                "actor",
                AuditQuery {
                    actor: Some("analyst-1"),
                    ..none.clone()
                },
                "audit_actor",
            ),
            (
                "action",
                AuditQuery {
                    action: Some("traveller."),
                    ..none.clone()
                },
                "audit_action",
            ),
            (
                "subject",
                AuditQuery {
                    subject: Some("flight:XQ101"),
                    ..none.clone()
                },
                "audit_subject_at",
            ),
            (
                "from",
                AuditQuery {
                    from: Some("2026-12-01"),
                    ..none.clone()
                },
                "audit_at",
            ),
            (
                "to",
                AuditQuery {
                    to: Some("2026-12-01"),
                    ..none.clone()
                },
                "audit_at",
            ),
        ];
        let kind = ["traveller.viewed".to_string(), "hit.read".to_string()];
        for (name, q, actions, index) in cases
            .into_iter()
            .map(|(n, q, i)| (n, q, None, i))
            .chain([("kind", none.clone(), Some(&kind[..]), "audit_action")])
        {
            let plan =
                crate::filter::plan(store.sqlite_reader(), &mut audit_search(&q, actions)).await;
            assert!(
                plan.iter().any(|p| p.starts_with("SEARCH audit USING ")
                    && p.contains(&format!("INDEX {index} ("))),
                "{name}: {plan:?}"
            );
            assert!(
                !plan.iter().any(|p| p.starts_with("SCAN audit")),
                "{name}: {plan:?}"
            );
        }
        // The records it finds are the ones asked for.
        for (actor, action, subject) in [
            ("analyst-1", "traveller.viewed", "traveller:1"),
            ("analyst-2", "traveller.viewed", "traveller:2"),
            ("analyst-1", "hit.read", "hit:3"),
        ] {
            store
                .audit(&AuditEntry {
                    actor,
                    action,
                    subject,
                    purpose: None,
                    detail: "",
                })
                .await
                .unwrap();
        }
        let found = |q: AuditQuery<'static>| {
            let store = store.clone();
            async move {
                store
                    .audit_search(&q)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|r| r.subject)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            found(AuditQuery {
                actor: Some("analyst-1"),
                ..none.clone()
            })
            .await,
            ["hit:3", "traveller:1"]
        );
        assert_eq!(
            found(AuditQuery {
                action: Some("traveller."),
                ..none.clone()
            })
            .await,
            ["traveller:2", "traveller:1"]
        );
        assert_eq!(
            found(AuditQuery {
                subject: Some("hit:"),
                ..none.clone()
            })
            .await,
            ["hit:3"]
        );
        assert_eq!(
            found(AuditQuery {
                actor: Some("analyst-1"),
                action: Some("traveller."),
                ..none.clone()
            })
            .await,
            ["traveller:1"]
        );
        // A prefix is a prefix, not a pattern: `_` and `%` are themselves.
        assert!(
            found(AuditQuery {
                action: Some("hit_"),
                ..none.clone()
            })
            .await
            .is_empty()
        );
        assert_eq!(
            store.audit_records(Some("hit:3"), 10).await.unwrap().len(),
            1
        );
        assert_eq!(store.audit_records(None, 10).await.unwrap().len(), 3);
    }

    use super::*;

    #[test]
    fn hmac_is_rfc_4231() {
        // RFC 4231, test cases 1 and 2.
        assert_eq!(
            hmac(&[0x0b; 20], &[b"Hi There"]),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hmac(b"Jefe", &[b"what do ya want ", b"for nothing?"]),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
