//! What screening keeps: watchlist versions, hits waiting for review with their explanation,
//! and remembered false alarms. The store does not know the matcher: versions and explanations
//! arrive as JSON.

use serde::Serialize;

use crate::columns::Json;
use crate::filter::Filtered;
use crate::{Store, StoreError, Tx, now};

/// A watchlist version to keep.
#[derive(Debug, Clone)]
pub struct NewListVersion<'a> {
    pub list: &'a str,
    pub number: i64,
    pub format: &'a str,
    pub source_sha256: &'a str,
    pub published: Option<&'a str>,
    pub imported_by: &'a str,
    pub entries: i64,
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
    /// JSON of the whole version.
    pub version: &'a str,
}

/// A kept watchlist version, without its entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ListVersionRow {
    pub id: i64,
    pub list: String,
    pub number: i64,
    pub format: String,
    pub source_sha256: String,
    pub published: Option<String>,
    pub imported_at: String,
    pub imported_by: String,
    pub entries: i64,
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
}

/// Who a hit is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HitSubject {
    /// A person of an API manifest.
    Api { manifest_id: i64 },
    /// A traveller of a PNR, by booking locator and TIF reference.
    Pnr { locator: String, traveller: String },
}

impl HitSubject {
    fn key(&self) -> String {
        match self {
            HitSubject::Api { manifest_id } => format!("api:{manifest_id}"),
            HitSubject::Pnr { locator, traveller } => format!("pnr:{locator}/{traveller}"),
        }
    }
}

/// A hit to keep.
#[derive(Debug, Clone)]
pub struct NewHit {
    pub flight_id: i64,
    pub subject: HitSubject,
    pub message_id: i64,
    pub list: String,
    pub list_version: i64,
    pub entry_id: String,
    pub score: f64,
    /// JSON of the explanation.
    pub explanation: String,
    pub fingerprint: String,
    /// The remembered false alarm that suppresses this hit, if any.
    pub suppression: Option<i64>,
}

/// A kept hit.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct HitRow {
    pub id: i64,
    pub flight_id: i64,
    pub flight: String,
    pub subject: String,
    pub manifest_id: Option<i64>,
    pub locator: Option<String>,
    pub traveller: Option<String>,
    pub message_id: i64,
    pub list: String,
    pub list_version: i64,
    pub entry_id: String,
    pub score: f64,
    /// JSON of the explanation (`screening::StoredExplanation` reads it).
    #[sqlx(try_from = "Json")]
    pub explanation: serde_json::Value,
    pub fingerprint: String,
    pub state: String,
    pub suppression_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub note: Option<String>,
    /// When the traveller's side was masked (Art. 12(2)); the note is sealed with it.
    pub masked_at: Option<String>,
}

/// A remembered false alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SuppressionRow {
    pub id: i64,
    pub fingerprint: String,
    pub list: String,
    pub entry_id: String,
    pub reason: String,
    pub who: String,
    pub created_at: String,
    pub expires_on: Option<String>,
}

/// Which kind of hit a review is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reviewed {
    Hit,
    TargetingHit,
}

/// How an analyst decided a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    Confirmed,
    FalseAlarm,
    NeedsInformation,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Confirmed => "confirmed",
            Disposition::FalseAlarm => "false_alarm",
            Disposition::NeedsInformation => "needs_information",
        }
    }
}

/// A PNR traveller's hit that repeats their linked API person's (same flight, list, entry and
/// state) is shown and counted with that one, not as a second line to review.
const NOT_A_TWIN: &str = "NOT (h.manifest_id IS NULL AND EXISTS (SELECT 1 FROM links l JOIN hits a \
     ON a.flight_id = h.flight_id AND a.subject = 'api:' || l.manifest_id \
     AND a.list = h.list AND a.entry_id = h.entry_id AND a.state = h.state \
     WHERE l.locator = h.locator AND l.traveller = h.traveller))";

/// The hits an agency may see and decide: those of the lists it owns and of the lists no
/// agency owns (the unit's own). Binds the agency's code once.
const OF_AGENCY: &str =
    "NOT EXISTS (SELECT 1 FROM list_owners o WHERE o.list = h.list AND o.agency <> $1)";

/// [`OF_AGENCY`] up to its value, for a built query (closed with `)` after the value).
const OF_AGENCY_OPEN: &str =
    "NOT EXISTS (SELECT 1 FROM list_owners o WHERE o.list = h.list AND o.agency <> ";

/// [`Store::hits`]: the state and the flight, when given, each served by its index
/// (`hits_state`, `hits_flight`).
fn hits_query(state: Option<&str>, flight: Option<i64>, limit: i64) -> Filtered {
    let mut f = Filtered::from_parts(&[
        "SELECT ",
        HIT_COLUMNS,
        " FROM hits h JOIN flights f ON f.id = h.flight_id",
    ]);
    f.eq("h.state", state)
        .eq("h.flight_id", flight)
        .then_bind("ORDER BY h.id DESC LIMIT ", limit);
    f
}

/// Hits of a flight in a state.
#[derive(sqlx::FromRow)]
struct HitCount {
    flight_id: i64,
    state: String,
    hits: i64,
}

impl HitCount {
    fn into_tuple(self) -> (i64, String, i64) {
        (self.flight_id, self.state, self.hits)
    }
}

const HIT_COLUMNS: &str = "h.id, h.flight_id, f.key AS flight, h.subject, h.manifest_id, h.locator, h.traveller, h.message_id, h.list, \
     h.list_version, h.entry_id, h.score, h.explanation, h.fingerprint, h.state, h.suppression_id, h.created_at, \
     h.updated_at, h.reviewed_by, h.reviewed_at, h.note, h.masked_at";

const VERSION_COLUMNS: &str = "id, list, number, format, source_sha256, published, imported_at, imported_by, entries, added, changed, removed";

impl Tx {
    /// Keeps a watchlist version; returns its row id.
    pub async fn put_list_version(&mut self, v: &NewListVersion<'_>) -> Result<i64, StoreError> {
        let id = on!(self.conn()?, |db| {
            sqlx::query_scalar(
            "INSERT INTO watchlist_versions (list, number, format, source_sha256, published, imported_at, imported_by,
             entries, added, changed, removed, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(v.list)
        .bind(v.number)
        .bind(v.format)
        .bind(v.source_sha256)
        .bind(v.published)
        .bind(now())
        .bind(v.imported_by)
        .bind(v.entries)
        .bind(v.added)
        .bind(v.changed)
        .bind(v.removed)
        .bind(v.version)
        .fetch_one(db)
.await
        })?;
        self.moved(crate::generations::Kind::Lists).await?;
        Ok(id)
    }

    /// Keeps hits: a traveller already hit by the same entry gets the new score, explanation
    /// and list version; its review stays. Returns how many rows were new.
    pub async fn put_hits(&mut self, hits: &[NewHit]) -> Result<u64, StoreError> {
        let at = now();
        let mut new = 0;
        for h in hits {
            let (manifest_id, locator, traveller) = match &h.subject {
                HitSubject::Api { manifest_id } => (Some(*manifest_id), None, None),
                HitSubject::Pnr { locator, traveller } => {
                    (None, Some(locator.as_str()), Some(traveller.as_str()))
                }
            };
            let inserted: bool = on!(self.conn()?, |db| {
                sqlx::query_scalar(
                "INSERT INTO hits (flight_id, manifest_id, locator, traveller, subject, message_id, list, list_version,
                 entry_id, score, explanation, fingerprint, state, suppression_id, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                 ON CONFLICT (flight_id, subject, list, entry_id) DO UPDATE SET
                     message_id = excluded.message_id, list_version = excluded.list_version,
                     score = excluded.score, explanation = excluded.explanation,
                     fingerprint = excluded.fingerprint, updated_at = excluded.updated_at,
                     suppression_id = excluded.suppression_id, masked_at = NULL,
                     state = CASE WHEN hits.state IN ('open', 'suppressed') THEN excluded.state ELSE hits.state END
                 RETURNING created_at = updated_at AS inserted",
            )
            .bind(h.flight_id)
            .bind(manifest_id)
            .bind(locator)
            .bind(traveller)
            .bind(h.subject.key())
            .bind(h.message_id)
            .bind(&h.list)
            .bind(h.list_version)
            .bind(&h.entry_id)
            .bind(h.score)
            .bind(&h.explanation)
            .bind(&h.fingerprint)
            .bind(if h.suppression.is_some() {
                "suppressed"
            } else {
                "open"
            })
            .bind(h.suppression)
            .bind(&at)
            .bind(&at)
            .fetch_one(db)
.await
            })?;
            new += u64::from(inserted);
        }
        Ok(new)
    }

    /// The manifest row of the person with `reference` on a flight.
    pub async fn manifest_id(
        &mut self,
        flight: i64,
        reference: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(on!(self.conn()?, |db| sqlx::query_scalar(
            "SELECT id FROM manifest WHERE flight_id = $1 AND reference = $2"
        )
        .bind(flight)
        .bind(reference)
        .fetch_optional(db)
        .await)?)
    }

    /// The latest manifest row written by `message` for a person without a reference.
    pub async fn manifest_id_unreferenced(
        &mut self,
        flight: i64,
        message: i64,
        surname: &str,
        given_names: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(on!(self.conn()?, |db| {
            sqlx::query_scalar(
            "SELECT MAX(id) AS id FROM manifest WHERE flight_id = $1 AND last_message = $2 AND reference IS NULL
             AND surname = $3 AND given_names = $4",
        )
        .bind(flight)
        .bind(message)
        .bind(surname)
        .bind(given_names)
        .fetch_one(db)
.await
        })?)
    }

    /// Records an analyst's disposition of a hit, and an audit record of it.
    pub async fn review_hit(
        &mut self,
        hit: i64,
        disposition: Disposition,
        who: &str,
        note: &str,
    ) -> Result<bool, StoreError> {
        self.review(Reviewed::Hit, hit, disposition, who, note)
            .await
    }

    /// The hits on the same entry of the same person seen through the other message: for an
    /// API person's hit, the hit of their linked PNR traveller; for a PNR traveller's, the
    /// linked API person's. (id, fingerprint, state) of each.
    pub async fn twin_hits(&mut self, hit: i64) -> Result<Vec<(i64, String, String)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Twin {
            id: i64,
            fingerprint: String,
            state: String,
        }
        let rows = on!(self.conn()?, |db| {
            sqlx::query_as::<_, Twin>(
            "SELECT t.id, t.fingerprint, t.state FROM hits h
             JOIN links l ON (h.manifest_id IS NOT NULL AND l.manifest_id = h.manifest_id)
                          OR (h.manifest_id IS NULL AND l.locator = h.locator AND l.traveller = h.traveller)
             JOIN hits t ON t.flight_id = h.flight_id AND t.list = h.list AND t.entry_id = h.entry_id
                        AND t.subject = CASE WHEN h.manifest_id IS NULL
                                             THEN 'api:' || l.manifest_id
                                             ELSE 'pnr:' || l.locator || '/' || l.traveller END
             WHERE h.id = $1",
        )
        .bind(hit)
        .fetch_all(db)
.await
        })?;
        Ok(rows
            .into_iter()
            .map(|t| (t.id, t.fingerprint, t.state))
            .collect())
    }

    /// Records a person's disposition of a screening or targeting hit, audited; false when
    /// there is no such hit.
    pub(crate) async fn review(
        &mut self,
        what: Reviewed,
        hit: i64,
        disposition: Disposition,
        who: &str,
        note: &str,
    ) -> Result<bool, StoreError> {
        let (table, kind) = match what {
            Reviewed::Hit => ("hits", "hit"),
            Reviewed::TargetingHit => ("targeting_hits", "targeting_hit"),
        };
        // The table name is one of two constants above, never input.
        let done = on!(self.conn()?, |db| {
            sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET state = $1, reviewed_by = $2, reviewed_at = $3, note = $4 WHERE id = $5"
        )))
        .bind(disposition.as_str())
        .bind(who)
        .bind(now())
        .bind(note)
        .bind(hit)
        .execute(db)
.await.map(|r| r.rows_affected())
        })?;
        if done == 0 {
            return Ok(false);
        }
        self.audit(&crate::AuditEntry {
            actor: who,
            action: &format!("{kind}.reviewed"),
            subject: &format!("{kind}:{hit}"),
            purpose: None,
            detail: &format!("disposition={}", disposition.as_str()),
        })
        .await?;
        Ok(true)
    }

    /// Remembers that an identity is not an entry; audited. Returns the suppression's id.
    pub async fn put_suppression(
        &mut self,
        fingerprint: &str,
        list: &str,
        entry_id: &str,
        reason: &str,
        who: &str,
        expires_on: Option<&str>,
    ) -> Result<i64, StoreError> {
        let id: i64 = on!(self.conn()?, |db| {
            sqlx::query_scalar(
            "INSERT INTO suppressions (fingerprint, list, entry_id, reason, who, created_at, expires_on)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (fingerprint, list, entry_id) DO UPDATE SET reason = excluded.reason,
                 who = excluded.who, created_at = excluded.created_at, expires_on = excluded.expires_on
             RETURNING id",
        )
        .bind(fingerprint)
        .bind(list)
        .bind(entry_id)
        .bind(reason)
        .bind(who)
        .bind(now())
        .bind(expires_on)
        .fetch_one(db)
.await
        })?;
        self.moved(crate::generations::Kind::Lists).await?;
        self.audit(&crate::AuditEntry {
            actor: who,
            action: "suppression.created",
            subject: &format!("suppression:{id}"),
            purpose: None,
            detail: &format!(
                "list={list} entry={entry_id} expires={}",
                expires_on.unwrap_or("never")
            ),
        })
        .await?;
        Ok(id)
    }
}

impl Store {
    /// The versions of every list (or of one), newest first.
    pub async fn list_versions(
        &self,
        list: Option<&str>,
    ) -> Result<Vec<ListVersionRow>, StoreError> {
        Ok(
            Filtered::from_parts(&["SELECT ", VERSION_COLUMNS, " FROM watchlist_versions"])
                .eq("list", list)
                .then("ORDER BY list, number DESC")
                .fetch_all::<ListVersionRow, _, _>(self.reader())
                .await?,
        )
    }

    /// The JSON of a list's version (`None`: its latest).
    pub async fn list_version_json(
        &self,
        list: &str,
        number: Option<i64>,
    ) -> Result<Option<String>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Version {
            version: String,
        }
        Ok(Filtered::new("SELECT version FROM watchlist_versions")
            .eq("list", Some(list))
            .eq("number", number)
            .then("ORDER BY number DESC LIMIT 1")
            .fetch_all::<Version, _, _>(self.reader())
            .await?
            .into_iter()
            .next()
            .map(|v| v.version))
    }

    /// The latest version of every list, as JSON, for building the matcher at start.
    pub async fn latest_list_versions(&self) -> Result<Vec<String>, StoreError> {
        Ok(on!(self.reader(), |db| {
            sqlx::query_scalar(
            "SELECT v.version FROM watchlist_versions v
             WHERE v.number = (SELECT MAX(number) FROM watchlist_versions w WHERE w.list = v.list) ORDER BY v.list",
        )
        .fetch_all(db)
.await
        })?)
    }

    /// Hits in a state (all when `None`), newest first.
    pub async fn hits(
        &self,
        state: Option<&str>,
        flight: Option<i64>,
        limit: i64,
    ) -> Result<Vec<HitRow>, StoreError> {
        Ok(hits_query(state, flight, limit)
            .fetch_all::<HitRow, _, _>(self.reader())
            .await?)
    }

    /// Hits in a state (all when `None`) that `agency` may see (see [`OF_AGENCY`]), newest
    /// first.
    pub async fn agency_hits(
        &self,
        agency: &str,
        state: Option<&str>,
        flight: Option<i64>,
        limit: i64,
    ) -> Result<Vec<HitRow>, StoreError> {
        Ok(Filtered::from_parts(&[
            "SELECT ",
            HIT_COLUMNS,
            " FROM hits h JOIN flights f ON f.id = h.flight_id",
        ])
        .always_bind(OF_AGENCY_OPEN, agency.to_string(), ")")
        .eq("h.state", state)
        .eq("h.flight_id", flight)
        .then_bind("ORDER BY h.id DESC LIMIT ", limit)
        .fetch_all::<HitRow, _, _>(self.reader())
        .await?)
    }

    /// One hit, when `agency` may see it; `None` for another agency's as for a missing one.
    pub async fn agency_hit(&self, agency: &str, id: i64) -> Result<Option<HitRow>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
                "SELECT {HIT_COLUMNS} FROM hits h JOIN flights f ON f.id = h.flight_id
             WHERE {OF_AGENCY} AND h.id = $2"
            ))
        )
        .bind(agency)
        .bind(id)
        .fetch_optional(db)
        .await)?)
    }

    /// An agency's review queue: hits in a state that `agency` may see, of the given lists
    /// (all when `None`), with a score
    /// in `[min, max)`; the highest score band first, then the oldest (what has waited
    /// longest). With the count of all that match, so the page can say when it shows only the
    /// first `limit`.
    pub async fn hit_queue(
        &self,
        agency: &str,
        state: &str,
        lists: Option<&[String]>,
        min_score: f64,
        max_score: f64,
        limit: i64,
    ) -> Result<(Vec<HitRow>, i64), StoreError> {
        let filter = |q: &mut Filtered| {
            q.push(" WHERE h.state = ")
                .push_bind(state)
                .push(" AND NOT EXISTS (SELECT 1 FROM list_owners o WHERE o.list = h.list AND o.agency <> ")
                .push_bind(agency)
                .push(")")
                .push(" AND ")
                .push(NOT_A_TWIN)
                .push(" AND h.score >= ")
                .push_bind(min_score)
                .push(" AND h.score < ")
                .push_bind(max_score);
            if let Some(lists) = lists {
                q.push(" AND h.list IN (SELECT NULL");
                for l in lists {
                    q.push(" UNION ALL SELECT ").push_bind(l);
                }
                q.push(")");
            }
        };
        let mut q = Filtered::from_parts(&[
            "SELECT ",
            HIT_COLUMNS,
            " FROM hits h JOIN flights f ON f.id = h.flight_id",
        ]);
        filter(&mut q);
        q.push(
            " ORDER BY CASE WHEN h.score >= 0.95 THEN 0 WHEN h.score >= 0.88 THEN 1 ELSE 2 END, \
             h.created_at, h.id LIMIT ",
        )
        .push_bind(limit);
        let rows = q.fetch_all::<HitRow, _, _>(self.reader()).await?;
        #[derive(sqlx::FromRow)]
        struct Total {
            hits: i64,
        }
        let mut count = Filtered::new("SELECT COUNT(*) AS hits FROM hits h");
        filter(&mut count);
        let total = count
            .fetch_all::<Total, _, _>(self.reader())
            .await?
            .first()
            .map_or(0, |t| t.hits);
        Ok((rows, total))
    }

    /// The lists that have hits in a state that `agency` may see.
    pub async fn hit_lists(&self, agency: &str, state: &str) -> Result<Vec<String>, StoreError> {
        Ok(on!(self.reader(), |db| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT h.list FROM hits h WHERE {OF_AGENCY} AND h.state = $2 ORDER BY h.list"
        )))
        .bind(agency)
        .bind(state)
        .fetch_all(db)
.await
        })?)
    }

    /// [`Store::hit_counts`] of the hits `agency` may see.
    pub async fn agency_hit_counts(
        &self,
        agency: &str,
    ) -> Result<Vec<(i64, String, i64)>, StoreError> {
        let rows = on!(self.reader(), |db| {
            sqlx::query_as::<_, HitCount>(sqlx::AssertSqlSafe(format!(
            "SELECT h.flight_id, h.state, COUNT(*) AS hits FROM hits h WHERE {OF_AGENCY} AND {NOT_A_TWIN}
             GROUP BY h.flight_id, h.state"
        )))
        .bind(agency)
        .fetch_all(db)
.await
        })?;
        Ok(rows.into_iter().map(HitCount::into_tuple).collect())
    }

    /// Hits per state and per flight: (flight id, state, count), for queues and manifests;
    /// a PNR twin of an API hit in the same state is not counted again.
    pub async fn hit_counts(&self) -> Result<Vec<(i64, String, i64)>, StoreError> {
        let rows = on!(self.reader(), |db| sqlx::query_as::<_, HitCount>(
            sqlx::AssertSqlSafe(format!(
                "SELECT h.flight_id, h.state, COUNT(*) AS hits FROM hits h WHERE {NOT_A_TWIN}
             GROUP BY h.flight_id, h.state"
            ))
        )
        .fetch_all(db)
        .await)?;
        Ok(rows.into_iter().map(HitCount::into_tuple).collect())
    }

    pub async fn hit(&self, id: i64) -> Result<Option<HitRow>, StoreError> {
        Ok(on!(self.reader(), |db| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {HIT_COLUMNS} FROM hits h JOIN flights f ON f.id = h.flight_id WHERE h.id = $1"
        )))
        .bind(id)
        .fetch_optional(db)
.await
        })?)
    }

    /// Every remembered false alarm not expired on `today` (ISO date).
    pub async fn suppressions(&self, today: &str) -> Result<Vec<SuppressionRow>, StoreError> {
        Ok(on!(self.reader(), |db| {
            sqlx::query_as(
            "SELECT id, fingerprint, list, entry_id, reason, who, created_at, expires_on FROM suppressions
             WHERE expires_on IS NULL OR expires_on >= $1 ORDER BY id",
        )
        .bind(today)
        .fetch_all(db)
.await
        })?)
    }
}

/// An API person to screen again after a list changed.
#[derive(Debug, Clone)]
pub struct ScreenAgainApi {
    pub manifest_id: i64,
    pub flight_id: i64,
    pub last_message: i64,
    pub identity: model::Identity,
}

/// A PNR traveller to screen again after a list changed.
#[derive(Debug, Clone)]
pub struct ScreenAgainPnr {
    pub flight_id: i64,
    pub message_id: i64,
    pub traveller: crate::PnrTraveller,
}

impl Store {
    /// The API persons of flights departing on or after `since` (ISO date), still on the manifest.
    pub async fn api_persons_since(&self, since: &str) -> Result<Vec<ScreenAgainApi>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            manifest_id: i64,
            flight_id: i64,
            last_message: i64,
            identity: Json<model::Identity>,
        }
        let rows = on!(self.reader(), |db| {
            sqlx::query_as::<_, Row>(
            "SELECT m.id AS manifest_id, m.flight_id, m.last_message, m.identity FROM manifest m JOIN flights f ON f.id = m.flight_id
             WHERE f.departure_date >= $1 AND m.status NOT IN ('removed', 'cancelled') ORDER BY m.id",
        )
        .bind(since)
        .fetch_all(db)
.await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| ScreenAgainApi {
                manifest_id: r.manifest_id,
                flight_id: r.flight_id,
                last_message: r.last_message,
                identity: r.identity.0,
            })
            .collect())
    }

    /// The PNR travellers of flights departing on or after `since` (ISO date), with the message
    /// of their booking's latest version.
    pub async fn pnr_travellers_since(
        &self,
        since: &str,
    ) -> Result<Vec<ScreenAgainPnr>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            flight_id: i64,
            message_id: i64,
            #[sqlx(flatten)]
            traveller: crate::links::TravellerColumns,
        }
        let rows = on!(self.reader(), |db| {
            sqlx::query_as::<_, Row>(
            "SELECT t.flight_id, t.locator, t.reference, t.surname, t.given_name, t.birth_dates, t.documents,
                    (SELECT MAX(v.message_id) FROM pnr_versions v WHERE v.flight_id = t.flight_id AND v.locator = t.locator)
                    AS message_id
             FROM pnr_travellers t JOIN flights f ON f.id = t.flight_id
             WHERE f.departure_date >= $1 ORDER BY t.flight_id, t.locator, t.reference",
        )
        .bind(since)
        .fetch_all(db)
.await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| ScreenAgainPnr {
                flight_id: r.flight_id,
                message_id: r.message_id,
                traveller: r.traveller.into(),
            })
            .collect())
    }
}

#[cfg(test)]
mod plans {
    use super::*;

    /// The hit list by state or by flight searches through the index of what it filters by.
    #[tokio::test]
    async fn hit_filters_use_their_index() {
        let store = Store::open_in_memory().await.unwrap();
        for (name, mut q, index) in [
            ("state", hits_query(Some("open"), None, 50), "hits_state"),
            ("flight", hits_query(None, Some(7), 50), "hits_flight"),
        ] {
            let plan = crate::filter::plan(store.sqlite_reader(), &mut q).await;
            assert!(
                plan.iter()
                    .any(|p| p.starts_with("SEARCH h USING ") && p.contains(index)),
                "{name}: {plan:?}"
            );
            assert!(
                !plan.iter().any(|p| p.starts_with("SCAN h")),
                "{name}: {plan:?}"
            );
        }
    }
}
