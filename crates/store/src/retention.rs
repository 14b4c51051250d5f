//! Keeping data only as long as the law allows: the statements a retention run is made of
//! (the policy and the order of the steps are the `retention` crate's). Each step works on one
//! flight (or one batch of messages) in one transaction, so a run stopped halfway leaves every
//! flight either done or untouched, and the next run takes up what is still due.
//!
//! What has an objective link (C-817/19) is kept past the periods that end without one: a
//! confirmed screening or targeting hit on the person or booking (or on the person's linked
//! API record or PNR traveller), or a legal hold on the flight, the booking or the person.
//! Nothing is kept past the last period (Directive 2016/681 Art. 12(4)), holds included.

use serde::Serialize;

use crate::{FlightRow, Store, StoreError, Tx, now};

/// What a step erased (or, in a dry run, would erase).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Erased {
    pub api_persons: u64,
    pub pnr_versions: u64,
    pub pnr_travellers: u64,
    pub links: u64,
    pub hits: u64,
    pub targeting_hits: u64,
    pub bodies: u64,
    pub messages: u64,
    pub flights: u64,
    pub holds: u64,
    pub suppressions: u64,
    /// Audit records past the audit's period (deleted behind a cut of the chain).
    pub audit_records: u64,
    /// Sealed originals of masked rows, erased with their rows.
    #[serde(default)]
    pub sealed: u64,
}

impl Erased {
    pub fn add(&mut self, o: &Erased) {
        self.api_persons += o.api_persons;
        self.pnr_versions += o.pnr_versions;
        self.pnr_travellers += o.pnr_travellers;
        self.links += o.links;
        self.hits += o.hits;
        self.targeting_hits += o.targeting_hits;
        self.bodies += o.bodies;
        self.messages += o.messages;
        self.flights += o.flights;
        self.holds += o.holds;
        self.suppressions += o.suppressions;
        self.audit_records += o.audit_records;
        self.sealed += o.sealed;
    }

    /// Each count with its name, for metrics and reports.
    pub fn named(&self) -> [(&'static str, u64); 13] {
        [
            ("api_persons", self.api_persons),
            ("pnr_versions", self.pnr_versions),
            ("pnr_travellers", self.pnr_travellers),
            ("links", self.links),
            ("hits", self.hits),
            ("targeting_hits", self.targeting_hits),
            ("bodies", self.bodies),
            ("messages", self.messages),
            ("flights", self.flights),
            ("holds", self.holds),
            ("suppressions", self.suppressions),
            ("audit_records", self.audit_records),
            ("sealed", self.sealed),
        ]
    }

    pub fn is_empty(&self) -> bool {
        self.named().iter().all(|(_, n)| *n == 0)
    }
}

/// Named counts as a reader sees them: the non-zero ones, "name n" joined by commas (empty
/// when all are zero).
pub fn counts_text(named: &[(&'static str, u64)]) -> String {
    named
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a step's writes are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Erase,
    /// Counts what would go, and rolls back.
    DryRun,
}

/// A manifest person (`m`) with an objective link.
pub(crate) const PERSON_LINKED: &str = "(
    EXISTS (SELECT 1 FROM hits h WHERE h.flight_id = m.flight_id AND h.manifest_id = m.id
            AND h.state = 'confirmed')
    OR EXISTS (SELECT 1 FROM targeting_hits t WHERE t.flight_id = m.flight_id
               AND t.manifest_id = m.id AND t.state = 'confirmed')
    OR EXISTS (SELECT 1 FROM links l JOIN hits h ON h.flight_id = m.flight_id
               AND h.locator = l.locator AND h.traveller = l.traveller
               WHERE l.manifest_id = m.id AND h.state = 'confirmed')
    OR EXISTS (SELECT 1 FROM links l JOIN targeting_hits t ON t.flight_id = m.flight_id
               AND t.locator = l.locator AND t.traveller = l.traveller
               WHERE l.manifest_id = m.id AND t.state = 'confirmed')
    OR EXISTS (SELECT 1 FROM legal_holds g WHERE g.flight_id = m.flight_id
               AND g.released_at IS NULL
               AND ((g.locator IS NULL AND g.manifest_id IS NULL) OR g.manifest_id = m.id
                    OR g.locator = m.booking)))";

/// A booking (`v.flight_id`, `v.locator`) with an objective link.
const BOOKING_LINKED: &str = "(
    EXISTS (SELECT 1 FROM hits h WHERE h.flight_id = v.flight_id AND h.locator = v.locator
            AND h.state = 'confirmed')
    OR EXISTS (SELECT 1 FROM targeting_hits t WHERE t.flight_id = v.flight_id
               AND t.locator = v.locator AND t.state = 'confirmed')
    OR EXISTS (SELECT 1 FROM links l JOIN manifest m ON m.id = l.manifest_id
               WHERE m.flight_id = v.flight_id AND l.locator = v.locator AND (
                   EXISTS (SELECT 1 FROM hits h WHERE h.flight_id = m.flight_id
                           AND h.manifest_id = m.id AND h.state = 'confirmed')
                   OR EXISTS (SELECT 1 FROM targeting_hits t WHERE t.flight_id = m.flight_id
                              AND t.manifest_id = m.id AND t.state = 'confirmed')))
    OR EXISTS (SELECT 1 FROM legal_holds g WHERE g.flight_id = v.flight_id
               AND g.released_at IS NULL
               AND ((g.locator IS NULL AND g.manifest_id IS NULL) OR g.locator = v.locator
                    OR g.manifest_id IN (SELECT l.manifest_id FROM links l
                                         WHERE l.locator = v.locator))))";

/// A legal hold: data kept past their periods for a case, until released or the last period.
#[derive(Debug, Clone)]
pub struct NewHold<'a> {
    pub flight_id: i64,
    /// A booking of the flight; with no person either, the whole flight.
    pub locator: Option<&'a str>,
    /// A person of the flight's manifest.
    pub manifest_id: Option<i64>,
    pub reason: &'a str,
    pub case_reference: &'a str,
    pub placed_by: &'a str,
}

/// A legal hold as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HoldRow {
    pub id: i64,
    pub flight_id: i64,
    pub flight: String,
    pub locator: Option<String>,
    pub manifest_id: Option<i64>,
    pub reason: String,
    pub case_reference: String,
    pub placed_by: String,
    pub placed_at: String,
    pub released_by: Option<String>,
    pub released_at: Option<String>,
}

/// A retention run as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub policy: String,
    pub policy_sha256: String,
    /// The run's clock.
    pub now: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// What it erased, once finished (JSON of `Erased`).
    pub counts: Option<String>,
    /// What it masked, once finished (JSON of `Masked`).
    pub masked: Option<String>,
}

/// Whether a run may start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunStart {
    Started(i64),
    /// A run with a later clock was recorded before: this clock is behind.
    ClockBehind {
        last: String,
    },
}

/// One cell of the statistics kept after the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StatisticsRow {
    pub day: String,
    pub carrier: String,
    pub origin: String,
    pub destination: String,
    pub source: String,
    pub role: String,
    pub nationality: String,
    pub sex: String,
    pub age_band: String,
    pub n: i64,
}

/// The oldest data still held of each kind, for `retention status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Oldest {
    /// The oldest booking version's receipt.
    pub pnr_version: Option<String>,
    /// The earliest departure date of a flight with API persons.
    pub api_flight: Option<String>,
    /// The oldest message body's receipt.
    pub body: Option<String>,
    /// The oldest message's receipt.
    pub message: Option<String>,
    pub active_holds: i64,
    pub flights_to_count: i64,
}

impl Store {
    /// Places a legal hold and audits it, in one transaction.
    pub async fn place_hold(&self, h: &NewHold<'_>) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id: i64 = on!(tx.conn()?, |db| sqlx::query_scalar(
            "INSERT INTO legal_holds (flight_id, locator, manifest_id, reason, case_reference, \
             placed_by, placed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        )
        .bind(h.flight_id)
        .bind(h.locator)
        .bind(h.manifest_id)
        .bind(h.reason)
        .bind(h.case_reference)
        .bind(h.placed_by)
        .bind(now())
        .fetch_one(db)
        .await)?;
        tx.audit(&crate::AuditEntry {
            actor: h.placed_by,
            action: "retention.hold_placed",
            subject: &format!("hold:{id}"),
            purpose: Some(h.reason),
            detail: &format!(
                "flight {} {} case {}",
                h.flight_id,
                match (h.locator, h.manifest_id) {
                    (_, Some(m)) => format!("person api:{m}"),
                    (Some(_), None) => "booking".to_string(),
                    (None, None) => "whole flight".to_string(),
                },
                h.case_reference
            ),
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Releases a hold (the data it kept become due as their periods say); false when there
    /// is no such active hold.
    pub async fn release_hold(&self, id: i64, by: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let changed = on!(tx.conn()?, |db| sqlx::query(
            "UPDATE legal_holds SET released_by = $1, released_at = $2 \
             WHERE id = $3 AND released_at IS NULL"
        )
        .bind(by)
        .bind(now())
        .bind(id)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        if changed == 1 {
            tx.audit(&crate::AuditEntry {
                actor: by,
                action: "retention.hold_released",
                subject: &format!("hold:{id}"),
                purpose: None,
                detail: "",
            })
            .await?;
        }
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// Legal holds, newest first; only those in force when `active`.
    pub async fn holds(&self, active: bool) -> Result<Vec<HoldRow>, StoreError> {
        let sql: &'static str = if active {
            "SELECT g.id, g.flight_id, f.key AS flight, g.locator, g.manifest_id, g.reason, \
             g.case_reference, g.placed_by, g.placed_at, g.released_by, g.released_at \
             FROM legal_holds g JOIN flights f ON f.id = g.flight_id \
             WHERE g.released_at IS NULL ORDER BY g.id DESC"
        } else {
            "SELECT g.id, g.flight_id, f.key AS flight, g.locator, g.manifest_id, g.reason, \
             g.case_reference, g.placed_by, g.placed_at, g.released_by, g.released_at \
             FROM legal_holds g JOIN flights f ON f.id = g.flight_id ORDER BY g.id DESC"
        };
        Ok(on!(self.reader(), |db| sqlx::query_as::<_, HoldRow>(sql)
            .fetch_all(db)
            .await)?)
    }

    /// Records the start of a run at clock `at`, unless a run with a later clock was recorded
    /// (a clock gone back would keep data the last run judged due, or judge them twice).
    pub async fn start_retention_run(
        &self,
        policy: &str,
        policy_sha256: &str,
        at: jiff::Timestamp,
    ) -> Result<RunStart, StoreError> {
        let mut tx = self.begin().await?;
        let last: Option<String> = on!(tx.conn()?, |db| sqlx::query_scalar(
            "SELECT MAX(now) FROM retention_runs"
        )
        .fetch_one(db)
        .await)?;
        if let Some(last) = last {
            let previous: jiff::Timestamp = last
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("a retention run's clock: {e}")))?;
            if at < previous {
                tx.rollback().await?;
                return Ok(RunStart::ClockBehind { last });
            }
        }
        let id: i64 = on!(tx.conn()?, |db| sqlx::query_scalar(
            "INSERT INTO retention_runs (policy, policy_sha256, now, started_at) \
             VALUES ($1, $2, $3, $4) RETURNING id"
        )
        .bind(policy)
        .bind(policy_sha256)
        .bind(at.to_string())
        .bind(now())
        .fetch_one(db)
        .await)?;
        tx.commit().await?;
        Ok(RunStart::Started(id))
    }

    /// Brings the planner's statistics up to date before a run (PostgreSQL): a day taken in
    /// since autovacuum last looked is planned as nearly empty tables, and every per-flight
    /// statement then scans whole tables (a medium day's PNR step took 191 s instead of 9).
    pub async fn prepare_retention(&self) -> Result<(), StoreError> {
        let mut conn = self.acquire_writer().await?;
        if let crate::engine::On::Postgres(db) = conn.on() {
            sqlx::query(
                "ANALYZE flights, manifest, links, pnr_versions, pnr_travellers, hits, \
                 targeting_hits, legal_holds, message_flights, messages, sealed",
            )
            .execute(db)
            .await?;
        }
        Ok(())
    }

    /// Records what a run erased, with its Art. 13 erasure record in the audit.
    pub async fn finish_retention_run(
        &self,
        id: i64,
        erased: &Erased,
        masked: &crate::Masked,
    ) -> Result<(), StoreError> {
        let counts = serde_json::to_string(erased)
            .map_err(|e| StoreError::Corrupt(format!("retention counts: {e}")))?;
        let masked_counts = serde_json::to_string(masked)
            .map_err(|e| StoreError::Corrupt(format!("retention counts: {e}")))?;
        let mut tx = self.begin().await?;
        on!(tx.conn()?, |db| sqlx::query(
            "UPDATE retention_runs SET finished_at = $1, counts = $2, masked = $3 WHERE id = $4"
        )
        .bind(now())
        .bind(&counts)
        .bind(&masked_counts)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ()))?;
        if masked.rows() > 0 {
            tx.audit(&crate::AuditEntry {
                actor: "system",
                action: "retention.masked",
                subject: &format!("retention:{id}"),
                purpose: Some("retention policy"),
                detail: &masked_counts,
            })
            .await?;
        }
        tx.audit(&crate::AuditEntry {
            actor: "system",
            action: "retention.erased",
            subject: &format!("retention:{id}"),
            purpose: Some("retention policy"),
            detail: &counts,
        })
        .await?;
        tx.commit().await
    }

    /// The latest runs, newest first.
    pub async fn retention_runs(&self, limit: i64) -> Result<Vec<RunRow>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as::<_, RunRow>(
            "SELECT id, policy, policy_sha256, now, started_at, finished_at, counts, masked \
             FROM retention_runs ORDER BY id DESC LIMIT $1"
        )
        .bind(limit)
        .fetch_all(db)
        .await)?)
    }

    /// The oldest data of each kind still held.
    pub async fn oldest_held(&self) -> Result<Oldest, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as::<_, Oldest>(
            "SELECT (SELECT MIN(received_at) FROM pnr_versions) AS pnr_version, \
             (SELECT MIN(f.departure_date) FROM flights f \
              WHERE EXISTS (SELECT 1 FROM manifest m WHERE m.flight_id = f.id)) AS api_flight, \
             (SELECT MIN(received_at) FROM message_bodies) AS body, \
             (SELECT MIN(received_at) FROM messages) AS message, \
             (SELECT COUNT(*) FROM legal_holds WHERE released_at IS NULL) AS active_holds, \
             (SELECT COUNT(*) FROM flights WHERE counted_at IS NULL) AS flights_to_count"
        )
        .fetch_one(db)
        .await)?)
    }

    /// Flights departed on or before `date` whose statistics are not kept yet, after `after`.
    pub async fn flights_to_count(
        &self,
        date: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<FlightRow>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as::<_, FlightRow>(
            "SELECT id, key, carrier, number, origin, destination, departure_date, \
             departure_local, arrival_local, status FROM flights \
             WHERE counted_at IS NULL AND departure_date <= $1 AND id > $2 ORDER BY id LIMIT $3"
        )
        .bind(date)
        .bind(after)
        .bind(limit)
        .fetch_all(db)
        .await)?)
    }

    /// The manifest of a flight as statistics count it: role, nationality, sex, birth date.
    pub async fn manifest_facts(&self, flight: i64) -> Result<Vec<PersonFacts>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as::<_, PersonFacts>(
            "SELECT role, nationality, sex, date_of_birth FROM manifest WHERE flight_id = $1"
        )
        .bind(flight)
        .fetch_all(db)
        .await)?)
    }

    /// Adds a flight's counts to the statistics and marks it counted, once: a flight counted
    /// already (another node, a run before) adds nothing.
    pub async fn count_flight(
        &self,
        flight: i64,
        rows: &[StatisticsRow],
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let marked = on!(tx.conn()?, |db| sqlx::query(
            "UPDATE flights SET counted_at = $1 WHERE id = $2 AND counted_at IS NULL"
        )
        .bind(now())
        .bind(flight)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        if marked == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        for r in rows {
            on!(tx.conn()?, |db| sqlx::query(
                "INSERT INTO statistics (day, carrier, origin, destination, source, role, \
                 nationality, sex, age_band, n) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (day, carrier, origin, destination, source, role, nationality, sex, \
                 age_band) DO UPDATE SET n = statistics.n + excluded.n"
            )
            .bind(&r.day)
            .bind(&r.carrier)
            .bind(&r.origin)
            .bind(&r.destination)
            .bind(&r.source)
            .bind(&r.role)
            .bind(&r.nationality)
            .bind(&r.sex)
            .bind(&r.age_band)
            .bind(r.n)
            .execute(db)
            .await
            .map(|_| ()))?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The statistics of the days `from..=to`.
    pub async fn statistics(&self, from: &str, to: &str) -> Result<Vec<StatisticsRow>, StoreError> {
        Ok(on!(self.reader(), |db| {
            sqlx::query_as::<_, StatisticsRow>(
            "SELECT day, carrier, origin, destination, source, role, nationality, sex, age_band, n \
             FROM statistics WHERE day >= $1 AND day <= $2 \
             ORDER BY day, carrier, origin, destination, source, role, nationality, sex, age_band"
        )
        .bind(from)
        .bind(to)
        .fetch_all(db)
        .await
        })?)
    }

    /// Flights departed on or before `date` whose API data were not judged since their last
    /// change, or that still hold persons (an objective link kept them: a hold released or a
    /// hit reviewed again since makes them due), after `after`.
    pub async fn flights_with_api_to_judge(
        &self,
        date: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<FlightRow>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as::<_, FlightRow>(
            "SELECT id, key, carrier, number, origin, destination, departure_date, \
             departure_local, arrival_local, status FROM flights \
             WHERE departure_date <= $1 AND id > $2 \
             AND (api_erased_at IS NULL OR api_erased_at < updated_at \
                  OR EXISTS (SELECT 1 FROM manifest m WHERE m.flight_id = flights.id)) \
             ORDER BY id LIMIT $3"
        )
        .bind(date)
        .bind(after)
        .bind(limit)
        .fetch_all(db)
        .await)?)
    }

    /// Erases the API data of a flight whose period ended: its persons (those with an
    /// objective link kept), their hits, targeting hits and links, and the bytes of the
    /// non-PNR messages that brought them.
    pub async fn erase_api(&self, flight: i64, mode: Mode) -> Result<Erased, StoreError> {
        let mut tx = self.begin().await?;
        let mut erased = Erased::default();
        // The persons without an objective link, judged once; then their rows by number.
        let sql =
            format!("SELECT m.id FROM manifest m WHERE m.flight_id = $1 AND NOT {PERSON_LINKED}");
        let persons: Vec<i64> = on!(tx.conn()?, |db| sqlx::query_scalar(sqlx::AssertSqlSafe(
            sql
        ))
        .bind(flight)
        .fetch_all(db)
        .await)?;
        for chunk in persons.chunks(ID_CHUNK) {
            let list = placeholders(2, chunk.len());
            let with_flight = |head: &str| {
                let mut values = vec![flight];
                values.extend_from_slice(chunk);
                (format!("{head} IN ({list})"), values)
            };
            let (sql, values) =
                with_flight("DELETE FROM hits WHERE flight_id = $1 AND manifest_id");
            erased.hits += tx.execute_with(&sql, &values).await?;
            let (sql, values) =
                with_flight("DELETE FROM targeting_hits WHERE flight_id = $1 AND manifest_id");
            erased.targeting_hits += tx.execute_with(&sql, &values).await?;
            let list = placeholders(1, chunk.len());
            erased.links += tx
                .execute_with(
                    &format!("DELETE FROM links WHERE manifest_id IN ({list})"),
                    chunk,
                )
                .await?;
            erased.api_persons += tx
                .execute_with(&format!("DELETE FROM manifest WHERE id IN ({list})"), chunk)
                .await?;
        }
        erased.bodies = tx
            .execute_for(
                "DELETE FROM message_bodies WHERE message_id IN (
                     SELECT mf.message_id FROM message_flights mf JOIN messages ms
                     ON ms.id = mf.message_id
                     WHERE mf.flight_id = $1 AND ms.message_type <> 'PNRGOV')",
                flight,
            )
            .await?;
        erased.sealed = tx
            .execute_for(
                "DELETE FROM sealed WHERE kind = 'body' AND flight_id = $1 AND row_key IN (
                     SELECT CAST(mf.message_id AS TEXT) FROM message_flights mf JOIN messages ms
                     ON ms.id = mf.message_id
                     WHERE mf.flight_id = $1 AND ms.message_type <> 'PNRGOV')",
                flight,
            )
            .await?
            + tx.erase_sealed_gone(flight).await?;
        tx.execute_for(
            "UPDATE flights SET api_erased_at = updated_at WHERE id = $1",
            flight,
        )
        .await?;
        tx.end(mode).await?;
        Ok(erased)
    }

    /// Flights holding booking versions received before `before`, after `after`.
    pub async fn flights_with_versions_before(
        &self,
        before: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_scalar(
            "SELECT DISTINCT flight_id FROM pnr_versions WHERE received_at < $1 AND flight_id > $2 \
             ORDER BY flight_id LIMIT $3"
        )
        .bind(before)
        .bind(after)
        .bind(limit)
        .fetch_all(db)
        .await)?)
    }

    /// Erases a flight's booking versions received before `before` (those of bookings with an
    /// objective link kept), and with a booking's last version its travellers, hits, targeting
    /// hits and links.
    pub async fn erase_pnr(
        &self,
        flight: i64,
        before: &str,
        mode: Mode,
    ) -> Result<Erased, StoreError> {
        let mut tx = self.begin().await?;
        let mut erased = Erased::default();
        // The versions without an objective link, judged once; then deleted by number. One
        // DELETE … IN (SELECT …) let PostgreSQL plan a scan of every version per flight. A
        // flight with no confirmed hit and no hold in force (most) links no booking: its
        // versions are not judged one by one.
        let linked: bool = on!(tx.conn()?, |db| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM hits WHERE flight_id = $1 AND state = 'confirmed') \
             OR EXISTS (SELECT 1 FROM targeting_hits WHERE flight_id = $1 \
                        AND state = 'confirmed') \
             OR EXISTS (SELECT 1 FROM legal_holds WHERE flight_id = $1 AND released_at IS NULL)"
        )
        .bind(flight)
        .fetch_one(db)
        .await)?;
        let sql = if linked {
            format!(
                "SELECT v.id FROM pnr_versions v \
                 WHERE v.flight_id = $1 AND v.received_at < $2 AND NOT {BOOKING_LINKED}"
            )
        } else {
            "SELECT v.id FROM pnr_versions v WHERE v.flight_id = $1 AND v.received_at < $2"
                .to_string()
        };
        let versions: Vec<i64> = on!(tx.conn()?, |db| sqlx::query_scalar(sqlx::AssertSqlSafe(
            sql
        ))
        .bind(flight)
        .bind(before)
        .fetch_all(db)
        .await)?;
        if versions.is_empty() {
            tx.rollback().await?;
            return Ok(erased);
        }
        for chunk in versions.chunks(ID_CHUNK) {
            let list = placeholders(1, chunk.len());
            erased.pnr_versions += tx
                .execute_with(
                    &format!("DELETE FROM pnr_versions WHERE id IN ({list})"),
                    chunk,
                )
                .await?;
        }
        erased.add(&tx.erase_bookings_gone(flight).await?);
        erased.sealed += tx.erase_sealed_gone(flight).await?;
        tx.end(mode).await?;
        Ok(erased)
    }

    /// Erases the bytes of messages received before `before` of the given type (all types
    /// when `None`) that spoke of a flight; and of finished messages that spoke of none (not
    /// read, refused, duplicates) received before `unapplied_before`. At most `limit`; the
    /// count erased.
    pub async fn erase_bodies(
        &self,
        message_type: Option<&str>,
        before: &str,
        unapplied_before: &str,
        limit: i64,
        mode: Mode,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let applied: u64 = match message_type {
            Some(kind) => on!(tx.conn()?, |db| sqlx::query(
                "DELETE FROM message_bodies WHERE message_id IN (SELECT b.message_id \
                 FROM message_bodies b JOIN messages ms ON ms.id = b.message_id \
                 WHERE b.received_at < $1 AND ms.message_type = $2 \
                 AND EXISTS (SELECT 1 FROM message_flights mf WHERE mf.message_id = ms.id) \
                 LIMIT $3)"
            )
            .bind(before)
            .bind(kind)
            .bind(limit)
            .execute(db)
            .await
            .map(|r| r.rows_affected()))?,
            None => on!(tx.conn()?, |db| sqlx::query(
                "DELETE FROM message_bodies WHERE message_id IN (SELECT b.message_id \
                 FROM message_bodies b WHERE b.received_at < $1 \
                 AND EXISTS (SELECT 1 FROM message_flights mf WHERE mf.message_id = b.message_id) \
                 LIMIT $2)"
            )
            .bind(before)
            .bind(limit)
            .execute(db)
            .await
            .map(|r| r.rows_affected()))?,
        };
        let unapplied: u64 = on!(tx.conn()?, |db| sqlx::query(
            "DELETE FROM message_bodies WHERE message_id IN (SELECT b.message_id \
             FROM message_bodies b JOIN messages ms ON ms.id = b.message_id \
             WHERE b.received_at < $1 AND ms.state IN ('processed', 'failed', 'duplicate') \
             AND NOT EXISTS (SELECT 1 FROM message_flights mf WHERE mf.message_id = ms.id) \
             LIMIT $2)"
        )
        .bind(unapplied_before)
        .bind(limit)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        // Bytes sealed when their flight was masked go at the same time.
        let sealed: u64 = match message_type {
            Some(kind) => on!(tx.conn()?, |db| {
                sqlx::query(
                "DELETE FROM sealed WHERE kind = 'body' AND row_key IN (SELECT CAST(ms.id AS TEXT) \
                 FROM messages ms WHERE ms.received_at < $1 AND ms.message_type = $2)"
            )
            .bind(before)
            .bind(kind)
            .execute(db)
            .await
            .map(|r| r.rows_affected())
            })?,
            None => on!(tx.conn()?, |db| {
                sqlx::query(
                "DELETE FROM sealed WHERE kind = 'body' AND row_key IN (SELECT CAST(ms.id AS TEXT) \
                 FROM messages ms WHERE ms.received_at < $1)"
            )
            .bind(before)
            .execute(db)
            .await
            .map(|r| r.rows_affected())
            })?,
        };
        tx.end(mode).await?;
        Ok(applied + unapplied + sealed)
    }

    /// Flights whose every message was received before `before` and that departed on or
    /// before `date`, after `after`: their last period has ended.
    pub async fn flights_past_last_period(
        &self,
        date: &str,
        before: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_scalar(
            "SELECT f.id FROM flights f WHERE f.departure_date <= $1 AND f.id > $2 \
             AND NOT EXISTS (SELECT 1 FROM message_flights mf JOIN messages ms \
                             ON ms.id = mf.message_id \
                             WHERE mf.flight_id = f.id AND ms.received_at >= $3) \
             ORDER BY f.id LIMIT $4"
        )
        .bind(date)
        .bind(after)
        .bind(before)
        .bind(limit)
        .fetch_all(db)
        .await)?)
    }

    /// Erases everything of a flight whose last period has ended, objective links and holds
    /// included (Art. 12(4)), and the flight itself. The statistics stay.
    pub async fn erase_flight(&self, flight: i64, mode: Mode) -> Result<Erased, StoreError> {
        let mut tx = self.begin().await?;
        // Requests to unmask go with what they asked for; the audit keeps their records.
        tx.execute_for("DELETE FROM unmask_requests WHERE flight_id = $1", flight)
            .await?;
        // Fields are evaluated in the order written: what refers to a row goes before it.
        let erased = Erased {
            hits: tx
                .execute_for("DELETE FROM hits WHERE flight_id = $1", flight)
                .await?,
            targeting_hits: tx
                .execute_for("DELETE FROM targeting_hits WHERE flight_id = $1", flight)
                .await?,
            links: tx
                .execute_for(
                    "DELETE FROM links WHERE manifest_id IN \
                     (SELECT id FROM manifest WHERE flight_id = $1)",
                    flight,
                )
                .await?,
            api_persons: tx
                .execute_for("DELETE FROM manifest WHERE flight_id = $1", flight)
                .await?,
            pnr_versions: tx
                .execute_for("DELETE FROM pnr_versions WHERE flight_id = $1", flight)
                .await?,
            pnr_travellers: tx
                .execute_for("DELETE FROM pnr_travellers WHERE flight_id = $1", flight)
                .await?,
            holds: tx
                .execute_for("DELETE FROM legal_holds WHERE flight_id = $1", flight)
                .await?,
            bodies: tx
                .execute_for(
                    "DELETE FROM message_bodies WHERE message_id IN \
                     (SELECT message_id FROM message_flights WHERE flight_id = $1)",
                    flight,
                )
                .await?,
            messages: 0,
            audit_records: 0,
            sealed: tx
                .execute_for("DELETE FROM sealed WHERE flight_id = $1", flight)
                .await?,
            flights: {
                tx.execute_for("DELETE FROM message_flights WHERE flight_id = $1", flight)
                    .await?;
                tx.execute_for("DELETE FROM flights WHERE id = $1", flight)
                    .await?
            },
            suppressions: 0,
        };
        tx.end(mode).await?;
        Ok(erased)
    }

    /// Erases at most `limit` messages received before `before` (their records of
    /// collection: carrier, time, digest, findings) that nothing refers to any more.
    pub async fn erase_messages(
        &self,
        before: &str,
        limit: i64,
        mode: Mode,
    ) -> Result<Erased, StoreError> {
        let mut tx = self.begin().await?;
        let mut erased = Erased::default();
        // A message whose data were applied to a flight keeps its `message_flights` row until
        // the flight is erased: every row referring to it (manifest, versions, hits) is gone by
        // then (a foreign key would refuse the delete otherwise, and the run would stop).
        let due = "SELECT ms.id FROM messages ms WHERE ms.received_at < $1 \
             AND ms.state IN ('processed', 'failed', 'duplicate') \
             AND NOT EXISTS (SELECT 1 FROM message_flights mf WHERE mf.message_id = ms.id) \
             AND NOT EXISTS (SELECT 1 FROM messages d WHERE d.duplicate_of = ms.id) \
             ORDER BY ms.id LIMIT $2";
        let ids: Vec<i64> = on!(tx.conn()?, |db| sqlx::query_scalar(sqlx::AssertSqlSafe(
            due
        ))
        .bind(before)
        .bind(limit)
        .fetch_all(db)
        .await)?;
        for chunk in ids.chunks(ID_CHUNK) {
            let list = placeholders(1, chunk.len());
            erased.bodies += tx
                .execute_with(
                    &format!("DELETE FROM message_bodies WHERE message_id IN ({list})"),
                    chunk,
                )
                .await?;
            tx.execute_with(
                &format!("DELETE FROM processed_keys WHERE message_id IN ({list})"),
                chunk,
            )
            .await?;
            erased.messages += tx
                .execute_with(&format!("DELETE FROM messages WHERE id IN ({list})"), chunk)
                .await?;
        }
        tx.end(mode).await?;
        Ok(erased)
    }

    /// Erases the audit records written before `before` behind a cut of the chain
    /// (`cut_audit`); in a dry run counts them.
    pub async fn erase_audit(&self, before: &str, mode: Mode) -> Result<Erased, StoreError> {
        let audit_records = match mode {
            Mode::Erase => self
                .cut_audit(before)
                .await?
                .map_or(0, |c| c.removed as u64),
            Mode::DryRun => {
                let n: i64 = on!(self.reader(), |db| sqlx::query_scalar(
                    "SELECT COUNT(*) FROM audit WHERE at < $1"
                )
                .bind(before)
                .fetch_one(db)
                .await)?;
                n as u64
            }
        };
        Ok(Erased {
            audit_records,
            ..Erased::default()
        })
    }

    /// Booking versions received, and API persons last reported, before `before` and not
    /// masked: the data past the depersonalisation period that the next run masks.
    pub async fn held_since_before(&self, before: &str) -> Result<(i64, i64), StoreError> {
        #[derive(sqlx::FromRow)]
        struct Held {
            versions: i64,
            persons: i64,
        }
        let held = on!(self.reader(), |db| sqlx::query_as::<_, Held>(
            "SELECT (SELECT COUNT(*) FROM pnr_versions WHERE received_at < $1 \
                     AND masked_at IS NULL) AS versions, \
             (SELECT COUNT(*) FROM manifest m JOIN messages ms ON ms.id = m.last_message \
              WHERE ms.received_at < $1 AND m.masked_at IS NULL) AS persons"
        )
        .bind(before)
        .fetch_one(db)
        .await)?;
        Ok((held.versions, held.persons))
    }

    /// Whether a manifest person has an objective link (a confirmed hit on them or their
    /// linked PNR traveller, a legal hold on them, their booking or their flight).
    pub async fn person_linked(&self, manifest_id: i64) -> Result<bool, StoreError> {
        let sql = format!("SELECT m.id FROM manifest m WHERE m.id = $1 AND {PERSON_LINKED}");
        let found: Option<i64> = on!(self.reader(), |db| sqlx::query_scalar(sqlx::AssertSqlSafe(
            sql
        ))
        .bind(manifest_id)
        .fetch_optional(db)
        .await)?;
        Ok(found.is_some())
    }

    /// Whether a booking of a flight has an objective link.
    pub async fn booking_linked(&self, flight: i64, locator: &str) -> Result<bool, StoreError> {
        let sql = format!(
            "SELECT v.id FROM pnr_versions v WHERE v.flight_id = $1 AND v.locator = $2 \
             AND {BOOKING_LINKED} LIMIT 1"
        );
        let found: Option<i64> = on!(self.reader(), |db| sqlx::query_scalar(sqlx::AssertSqlSafe(
            sql
        ))
        .bind(flight)
        .bind(locator)
        .fetch_optional(db)
        .await)?;
        Ok(found.is_some())
    }

    /// Whether a flight's statistics are kept already.
    pub async fn is_counted(&self, flight: i64) -> Result<bool, StoreError> {
        let at: Option<Option<String>> = on!(self.reader(), |db| sqlx::query_scalar(
            "SELECT counted_at FROM flights WHERE id = $1"
        )
        .bind(flight)
        .fetch_optional(db)
        .await)?;
        Ok(matches!(at, Some(Some(_))))
    }

    /// After erasing: on the embedded store, the write-ahead log is copied into the database
    /// file and truncated, so the pages that held erased data (zeroed there: `secure_delete`)
    /// are not left in the log either. PostgreSQL reuses the space of erased rows after its
    /// vacuum (autovacuum, or `VACUUM` by the operator).
    pub async fn flush_erased(&self) -> Result<(), StoreError> {
        let mut conn = self.acquire_writer().await?;
        if let crate::engine::On::Sqlite(db) = conn.on() {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(db)
                .await?;
        }
        Ok(())
    }

    /// Erases remembered false alarms whose hits are all gone: a reviewed false alarm is
    /// remembered while its data exist (Art. 12(5)).
    pub async fn erase_orphan_suppressions(&self, mode: Mode) -> Result<Erased, StoreError> {
        let mut tx = self.begin().await?;
        let suppressions = on!(tx.conn()?, |db| sqlx::query(
            "DELETE FROM suppressions WHERE \
             NOT EXISTS (SELECT 1 FROM hits h WHERE h.fingerprint = suppressions.fingerprint) \
             AND NOT EXISTS (SELECT 1 FROM hits h WHERE h.suppression_id = suppressions.id)"
        )
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        tx.end(mode).await?;
        Ok(Erased {
            suppressions,
            ..Erased::default()
        })
    }
}

/// A manifest person as the statistics see them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonFacts {
    pub role: String,
    pub nationality: Option<String>,
    pub sex: Option<String>,
    pub date_of_birth: Option<String>,
}

/// Row numbers bound per statement (well under both engines' limits on parameters).
const ID_CHUNK: usize = 1000;

/// `$from, $from+1, …` for `n` values.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Tx {
    /// Runs one statement with `values` bound in order as `$1, $2, …`; the rows it changed.
    pub(crate) async fn execute_with(
        &mut self,
        sql: &str,
        values: &[i64],
    ) -> Result<u64, StoreError> {
        let sql = sql.to_string();
        Ok(on!(self.conn()?, |db| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for v in values {
                q = q.bind(*v);
            }
            q.execute(db).await.map(|r| r.rows_affected())
        })?)
    }

    /// Runs one statement whose only parameter is `$1`; the rows it changed.
    pub(crate) async fn execute_for(&mut self, sql: &str, value: i64) -> Result<u64, StoreError> {
        let sql = sql.to_string();
        Ok(on!(self.conn()?, |db| sqlx::query(sqlx::AssertSqlSafe(
            sql
        ))
        .bind(value)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?)
    }

    /// Commits, or rolls back in a dry run.
    pub(crate) async fn end(self, mode: Mode) -> Result<(), StoreError> {
        match mode {
            Mode::Erase => self.commit().await,
            Mode::DryRun => self.rollback().await,
        }
    }

    /// The sealed originals of a flight's rows that were erased.
    async fn erase_sealed_gone(&mut self, flight: i64) -> Result<u64, StoreError> {
        self.execute_for(
            "DELETE FROM sealed WHERE flight_id = $1 AND (
                 (kind = 'person' AND row_key NOT IN
                     (SELECT CAST(id AS TEXT) FROM manifest WHERE flight_id = $1))
                 OR (kind = 'pnr_traveller' AND row_key NOT IN
                     (SELECT locator || '/' || reference FROM pnr_travellers
                      WHERE flight_id = $1))
                 OR (kind = 'booking_version' AND row_key NOT IN
                     (SELECT CAST(id AS TEXT) FROM pnr_versions WHERE flight_id = $1))
                 OR (kind = 'hit' AND row_key NOT IN
                     (SELECT CAST(id AS TEXT) FROM hits WHERE flight_id = $1))
                 OR (kind = 'targeting_hit' AND row_key NOT IN
                     (SELECT CAST(id AS TEXT) FROM targeting_hits WHERE flight_id = $1)))",
            flight,
        )
        .await
    }

    /// After versions of a flight's bookings were erased: the travellers, hits, targeting hits
    /// and links of the bookings that have no version left.
    async fn erase_bookings_gone(&mut self, flight: i64) -> Result<Erased, StoreError> {
        const GONE: &str = "NOT EXISTS (SELECT 1 FROM pnr_versions v \
             WHERE v.flight_id = $1 AND v.locator = ";
        Ok(Erased {
            pnr_travellers: self
                .execute_for(
                    &format!(
                        "DELETE FROM pnr_travellers WHERE flight_id = $1 \
                         AND {GONE}pnr_travellers.locator)"
                    ),
                    flight,
                )
                .await?,
            hits: self
                .execute_for(
                    &format!(
                        "DELETE FROM hits WHERE flight_id = $1 AND locator IS NOT NULL \
                         AND manifest_id IS NULL AND {GONE}hits.locator)"
                    ),
                    flight,
                )
                .await?,
            targeting_hits: self
                .execute_for(
                    &format!(
                        "DELETE FROM targeting_hits WHERE flight_id = $1 AND locator IS NOT NULL \
                         AND manifest_id IS NULL AND {GONE}targeting_hits.locator)"
                    ),
                    flight,
                )
                .await?,
            links: self
                .execute_for(
                    &format!(
                        "DELETE FROM links WHERE manifest_id IN \
                         (SELECT id FROM manifest WHERE flight_id = $1) AND {GONE}links.locator)"
                    ),
                    flight,
                )
                .await?,
            ..Erased::default()
        })
    }
}
