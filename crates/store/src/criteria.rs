//! What targeting keeps: criterion versions (never edited; only their state moves), the events
//! of their lifecycle, and the hits they produced, each naming its version, waiting for review.
//! The store does not know the criteria language: texts are stored as checked, explanations
//! arrive as JSON. The lifecycle rules are `targeting::Lifecycle`'s; the store only refuses to
//! move a version from a state it is no longer in.

use serde::Serialize;

use crate::filter::Filtered;
use crate::{Disposition, HitSubject, Store, StoreError, Tx, now};

/// A criterion version to keep (as a draft).
#[derive(Debug, Clone)]
pub struct NewCriterionVersion<'a> {
    pub criterion: &'a str,
    /// Canonical text, as the checker wrote it.
    pub text: &'a str,
    pub weight: f64,
    pub justification: &'a str,
    /// ISO date.
    pub review_by: &'a str,
    pub author: &'a str,
    /// The author's role (for the event).
    pub role: &'a str,
}

/// A kept criterion version.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct CriterionVersionRow {
    pub id: i64,
    pub criterion: String,
    pub number: i64,
    pub text: String,
    pub weight: f64,
    pub justification: String,
    pub review_by: String,
    pub author: String,
    pub state: String,
    pub approved_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// One event of a version's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CriterionEventRow {
    pub id: i64,
    pub version_id: i64,
    pub action: String,
    pub actor: String,
    pub role: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub at: String,
    pub note: String,
}

/// A move of a version from one state to another, by someone.
#[derive(Debug, Clone)]
pub struct CriterionMove<'a> {
    pub version_id: i64,
    pub action: &'a str,
    pub actor: &'a str,
    pub role: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    /// Set on approval.
    pub approved_by: Option<&'a str>,
    pub note: &'a str,
}

/// A targeting hit to keep.
#[derive(Debug, Clone)]
pub struct NewTargetingHit {
    pub flight_id: i64,
    pub subject: HitSubject,
    pub message_id: i64,
    pub version_id: i64,
    pub score: f64,
    /// JSON of the explanation.
    pub explanation: String,
}

/// A kept targeting hit, with its criterion version.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct TargetingHitRow {
    pub id: i64,
    pub flight_id: i64,
    pub flight: String,
    pub subject: String,
    pub manifest_id: Option<i64>,
    pub locator: Option<String>,
    pub traveller: Option<String>,
    pub message_id: i64,
    pub version_id: i64,
    pub criterion: String,
    pub criterion_version: i64,
    pub score: f64,
    /// JSON of the explanation (`targeting::StoredExplanation` reads it).
    #[sqlx(try_from = "crate::columns::Json")]
    pub explanation: serde_json::Value,
    pub state: String,
    pub created_at: String,
    pub updated_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub note: Option<String>,
    /// When the traveller's side was masked (Art. 12(2)); the note is sealed with it.
    pub masked_at: Option<String>,
}

/// What a criterion version has produced since it was activated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CriterionStats {
    pub version_id: i64,
    pub hits: i64,
    pub open: i64,
    /// Decided by a person (confirmed, false alarm or needs information).
    pub reviewed: i64,
    pub confirmed: i64,
    pub false_alarm: i64,
    pub needs_information: i64,
}

/// Filters of [`Store::targeting_hits`].
#[derive(Debug, Clone, Default)]
pub struct TargetingHitFilter<'a> {
    pub state: Option<&'a str>,
    pub flight_id: Option<i64>,
    pub version_id: Option<i64>,
    pub criterion: Option<&'a str>,
}

/// The stored version of a booking on a flight, for back-testing.
#[derive(Debug, Clone)]
pub struct StoredBooking {
    pub flight_id: i64,
    pub flight: String,
    pub departure_date: String,
    pub departure_local: Option<String>,
    pub locator: String,
    pub version: i64,
    pub message_id: i64,
    /// The format of `booking` (`pnrgov::stored` reads it).
    pub format: i64,
    /// JSON of the booking after the legal filters.
    pub booking: String,
}

fn subject_key(s: &HitSubject) -> String {
    match s {
        HitSubject::Api { manifest_id } => format!("api:{manifest_id}"),
        HitSubject::Pnr { locator, traveller } => format!("pnr:{locator}/{traveller}"),
    }
}

const VERSION_COLUMNS: &str = "id, criterion, number, text, weight, justification, review_by, author, state, approved_by, created_at, updated_at";

const HIT_COLUMNS: &str = "h.id, h.flight_id, f.key AS flight, h.subject, h.manifest_id, h.locator, h.traveller, h.message_id, h.version_id, \
     c.criterion, c.number AS criterion_version, h.score, h.explanation, h.state, h.created_at, h.updated_at, h.reviewed_by, h.reviewed_at, h.note, h.masked_at";

const HIT_FROM: &str = "targeting_hits h JOIN flights f ON f.id = h.flight_id JOIN criteria_versions c ON c.id = h.version_id";

impl Tx {
    /// Keeps a new version of a criterion as a draft (number: one more than the criterion's
    /// last), with its creation event, audited. Returns the row id and the number.
    pub async fn put_criterion_version(
        &mut self,
        v: &NewCriterionVersion<'_>,
    ) -> Result<(i64, i64), StoreError> {
        let at = now();
        #[derive(sqlx::FromRow)]
        struct Created {
            id: i64,
            number: i64,
        }
        let Created { id, number } = on!(self.conn()?, |db| {
            sqlx::query_as::<_, Created>(
            "INSERT INTO criteria_versions (criterion, number, text, weight, justification, review_by, author, state,
             created_at, updated_at)
             VALUES ($1, (SELECT COALESCE(MAX(number), 0) + 1 FROM criteria_versions WHERE criterion = $1),
                     $2, $3, $4, $5, $6, 'draft', $7, $7)
             RETURNING id, number",
        )
        .bind(v.criterion)
        .bind(v.text)
        .bind(v.weight)
        .bind(v.justification)
        .bind(v.review_by)
        .bind(v.author)
        .bind(&at)
        .fetch_one(db)
.await
        })?;
        on!(self.conn()?, |db| {
            sqlx::query(
            "INSERT INTO criteria_events (version_id, action, actor, role, from_state, to_state, at, note)
             VALUES ($1, 'create', $2, $3, NULL, 'draft', $4, '')",
        )
        .bind(id)
        .bind(v.author)
        .bind(v.role)
        .bind(&at)
        .execute(db)
.await.map(|r| r.rows_affected())
        })?;
        self.audit(&crate::AuditEntry {
            actor: v.author,
            action: "criterion.created",
            subject: &format!("criterion:{}/{number}", v.criterion),
            purpose: None,
            detail: &format!("version_id={id} weight={}", v.weight),
        })
        .await?;
        Ok((id, number))
    }

    /// Moves a version from `from` to `to` with its event, audited. False (nothing written)
    /// when the version is no longer in `from`.
    pub async fn move_criterion(&mut self, m: &CriterionMove<'_>) -> Result<bool, StoreError> {
        let at = now();
        let done = on!(self.conn()?, |db| sqlx::query(
            "UPDATE criteria_versions SET state = $1, updated_at = $2,
                 approved_by = CASE WHEN $3 IS NULL THEN approved_by ELSE $3 END
             WHERE id = $4 AND state = $5",
        )
        .bind(m.to)
        .bind(&at)
        .bind(m.approved_by)
        .bind(m.version_id)
        .bind(m.from)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Ok(false);
        }
        self.moved(crate::generations::Kind::Criteria).await?;
        on!(self.conn()?, |db| {
            sqlx::query(
            "INSERT INTO criteria_events (version_id, action, actor, role, from_state, to_state, at, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(m.version_id)
        .bind(m.action)
        .bind(m.actor)
        .bind(m.role)
        .bind(m.from)
        .bind(m.to)
        .bind(&at)
        .bind(m.note)
        .execute(db)
.await.map(|r| r.rows_affected())
        })?;
        self.audit(&crate::AuditEntry {
            actor: m.actor,
            action: &format!("criterion.{}", m.action),
            subject: &format!("criterion_version:{}", m.version_id),
            purpose: None,
            detail: &format!("role={} from={} to={}", m.role, m.from, m.to),
        })
        .await?;
        Ok(true)
    }

    /// Keeps targeting hits: a traveller already hit by the same version on the same flight gets
    /// the new explanation and message; its review stays. Returns how many rows were new.
    pub async fn put_targeting_hits(
        &mut self,
        hits: &[NewTargetingHit],
    ) -> Result<u64, StoreError> {
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
                "INSERT INTO targeting_hits (flight_id, manifest_id, locator, traveller, subject, message_id, version_id,
                 score, explanation, state, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11)
                 ON CONFLICT (flight_id, subject, version_id) DO UPDATE SET
                     message_id = excluded.message_id, score = excluded.score,
                     explanation = excluded.explanation, updated_at = excluded.updated_at,
                     masked_at = NULL
                 RETURNING created_at = updated_at AS inserted",
            )
            .bind(h.flight_id)
            .bind(manifest_id)
            .bind(locator)
            .bind(traveller)
            .bind(subject_key(&h.subject))
            .bind(h.message_id)
            .bind(h.version_id)
            .bind(h.score)
            .bind(&h.explanation)
            .bind(&at)
            .bind(&at)
            .fetch_one(db)
.await
            })?;
            new += u64::from(inserted);
        }
        Ok(new)
    }

    /// Records a person's disposition of a targeting hit, audited.
    pub async fn review_targeting_hit(
        &mut self,
        hit: i64,
        disposition: Disposition,
        who: &str,
        note: &str,
    ) -> Result<bool, StoreError> {
        self.review(
            crate::screening::Reviewed::TargetingHit,
            hit,
            disposition,
            who,
            note,
        )
        .await
    }

    /// The version in a state of a criterion (e.g. the active one), inside the transaction.
    pub async fn criterion_version_in(
        &mut self,
        criterion: &str,
        state: &str,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(on!(self.conn()?, |db| sqlx::query_scalar(
            "SELECT id FROM criteria_versions WHERE criterion = $1 AND state = $2 ORDER BY number",
        )
        .bind(criterion)
        .bind(state)
        .fetch_all(db)
        .await)?)
    }
}

impl Store {
    /// Every version of every criterion (or of one), by criterion and number.
    pub async fn criterion_versions(
        &self,
        criterion: Option<&str>,
    ) -> Result<Vec<CriterionVersionRow>, StoreError> {
        Ok(
            Filtered::from_parts(&["SELECT ", VERSION_COLUMNS, " FROM criteria_versions"])
                .eq("criterion", criterion)
                .then("ORDER BY criterion, number")
                .fetch_all::<CriterionVersionRow, _, _>(self.reader())
                .await?,
        )
    }

    pub async fn criterion_version(
        &self,
        id: i64,
    ) -> Result<Option<CriterionVersionRow>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
                "SELECT {VERSION_COLUMNS} FROM criteria_versions WHERE id = $1"
            ))
        )
        .bind(id)
        .fetch_optional(db)
        .await)?)
    }

    /// The versions in force.
    pub async fn active_criterion_versions(&self) -> Result<Vec<CriterionVersionRow>, StoreError> {
        Ok(on!(self.reader(), |db| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS} FROM criteria_versions WHERE state = 'active' ORDER BY criterion, number"
        )))
        .fetch_all(db)
.await
        })?)
    }

    /// The events of a version, oldest first.
    pub async fn criterion_events(
        &self,
        version_id: i64,
    ) -> Result<Vec<CriterionEventRow>, StoreError> {
        Ok(on!(self.reader(), |db| {
            sqlx::query_as(
            "SELECT id, version_id, action, actor, role, from_state, to_state, at, note FROM criteria_events
             WHERE version_id = $1 ORDER BY id",
        )
        .bind(version_id)
        .fetch_all(db)
.await
        })?)
    }

    /// Targeting hits matching the filter, newest first.
    pub async fn targeting_hits(
        &self,
        filter: &TargetingHitFilter<'_>,
        limit: i64,
    ) -> Result<Vec<TargetingHitRow>, StoreError> {
        Ok(
            Filtered::from_parts(&["SELECT ", HIT_COLUMNS, " FROM ", HIT_FROM])
                .eq("h.state", filter.state)
                .eq("h.flight_id", filter.flight_id)
                .eq("h.version_id", filter.version_id)
                .eq("c.criterion", filter.criterion)
                .then_bind("ORDER BY h.id DESC LIMIT ", limit)
                .fetch_all::<TargetingHitRow, _, _>(self.reader())
                .await?,
        )
    }

    /// How many targeting hits are in a state, without reading them.
    pub async fn targeting_hit_count(&self, state: &str) -> Result<i64, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_scalar(
            "SELECT COUNT(*) AS hits FROM targeting_hits WHERE state = $1"
        )
        .bind(state)
        .fetch_one(db)
        .await)?)
    }

    pub async fn targeting_hit(&self, id: i64) -> Result<Option<TargetingHitRow>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
                "SELECT {HIT_COLUMNS} FROM {HIT_FROM} WHERE h.id = $1"
            ))
        )
        .bind(id)
        .fetch_optional(db)
        .await)?)
    }

    /// Hits and their reviews per criterion version (every version when `None`).
    pub async fn criterion_stats(
        &self,
        version_id: Option<i64>,
    ) -> Result<Vec<CriterionStats>, StoreError> {
        Ok(Filtered::new(
            "SELECT c.id AS version_id, COUNT(h.id) AS hits,
                    COUNT(h.id) FILTER (WHERE h.state = 'open') AS open,
                    COUNT(h.id) FILTER (WHERE h.state IN ('confirmed', 'false_alarm', 'needs_information')) AS reviewed,
                    COUNT(h.id) FILTER (WHERE h.state = 'confirmed') AS confirmed,
                    COUNT(h.id) FILTER (WHERE h.state = 'false_alarm') AS false_alarm,
                    COUNT(h.id) FILTER (WHERE h.state = 'needs_information') AS needs_information
             FROM criteria_versions c LEFT JOIN targeting_hits h ON h.version_id = c.id",
        )
        .eq("c.id", version_id)
        .then("GROUP BY c.id ORDER BY c.id")
        .fetch_all::<CriterionStats, _, _>(self.reader())
        .await?)
    }

    /// Every stored version of every booking of the flights departing from `from` to `to`
    /// (ISO dates, inclusive), for back-testing, by flight, locator and version.
    pub async fn booking_versions_departing(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<StoredBooking>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            flight_id: i64,
            flight: String,
            departure_date: String,
            departure_local: Option<String>,
            locator: String,
            version: i64,
            message_id: i64,
            format: i64,
            booking: crate::packing::Packed,
        }
        on!(self.reader(), |db| sqlx::query_as::<_, Row>(
            "SELECT v.flight_id, f.key AS flight, f.departure_date, f.departure_local, v.locator, v.version,
                    v.message_id, v.format, v.booking
             FROM pnr_versions v JOIN flights f ON f.id = v.flight_id
             WHERE f.departure_date >= $1 AND f.departure_date <= $2
             ORDER BY v.flight_id, v.locator, v.version",
        )
        .bind(from)
        .bind(to)
        .fetch_all(db)
.await)?
        .into_iter()
        .map(|r| {
            Ok(StoredBooking {
                flight_id: r.flight_id,
                flight: r.flight,
                departure_date: r.departure_date,
                departure_local: r.departure_local,
                locator: r.locator,
                version: r.version,
                message_id: r.message_id,
                format: r.format,
                booking: r.booking.text()?,
            })
        })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store_with_flight(store: Store) -> (Store, i64, i64) {
        let id = store
            .receive(&crate::Received {
                channel: "test",
                carrier: "XQ",
                body: b"UNA",
            })
            .await
            .unwrap();
        let mut tx = store.begin().await.unwrap();
        let key: model::FlightKey = "XQ101/AAA-BBB/2026-12-01".parse().unwrap();
        let flight = tx.flight_id(&key, None, None).await.unwrap();
        tx.commit().await.unwrap();
        (store, flight, id)
    }

    fn draft<'a>(criterion: &'a str, text: &'a str) -> NewCriterionVersion<'a> {
        NewCriterionVersion {
            criterion,
            text,
            weight: 10.0,
            justification: "cases 1 and 2",
            review_by: "2027-01-01",
            author: "ana",
            role: "analyst",
        }
    }

    crate::engines! {
    async fn versions_are_numbered_kept_and_never_edited(store: Store) {
        let (store, _, _) = store_with_flight(store).await;
        let mut tx = store.begin().await.unwrap();
        let (a, n1) = tx
            .put_criterion_version(&draft("courier", "payment.cash"))
            .await
            .unwrap();
        let (_, n2) = tx
            .put_criterion_version(&draft("courier", "payment.cash and itinerary.one_way"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!((n1, n2), (1, 2));

        // The content cannot change, nor can a version be deleted.
        let edit = on!(store.write_pool(), |db| sqlx::query(
            "UPDATE criteria_versions SET text = 'x' WHERE id = $1"
        )
        .bind(a)
        .execute(db)
        .await
        .map(|r| r.rows_affected()));
        assert!(edit.is_err());
        let delete = on!(store.write_pool(), |db| sqlx::query(
            "DELETE FROM criteria_versions WHERE id = $1"
        )
        .bind(a)
        .execute(db)
        .await
        .map(|r| r.rows_affected()));
        assert!(delete.is_err());

        // A move from a state the version is not in does nothing.
        let mut tx = store.begin().await.unwrap();
        let m = CriterionMove {
            version_id: a,
            action: "submit",
            actor: "ana",
            role: "analyst",
            from: "draft",
            to: "submitted",
            approved_by: None,
            note: "",
        };
        assert!(tx.move_criterion(&m).await.unwrap());
        assert!(!tx.move_criterion(&m).await.unwrap());
        tx.commit().await.unwrap();
        let events = store.criterion_events(a).await.unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["create", "submit"]);
        assert_eq!(
            store.criterion_version(a).await.unwrap().unwrap().state,
            "submitted"
        );
        assert!(matches!(
            store.verify_audit().await.unwrap(),
            crate::Verdict::Intact { .. }
        ));
    }
    }

    crate::engines! {
    async fn hits_keep_their_review_and_count_per_version(store: Store) {
        let (store, flight, message) = store_with_flight(store).await;
        let mut tx = store.begin().await.unwrap();
        let (v, _) = tx
            .put_criterion_version(&draft("courier", "payment.cash"))
            .await
            .unwrap();
        let hit = |t: &str| NewTargetingHit {
            flight_id: flight,
            subject: HitSubject::Pnr {
                locator: "ABC123".into(),
                traveller: t.into(),
            },
            message_id: message,
            version_id: v,
            score: 10.0,
            explanation: r#"{"steps":[]}"#.into(),
        };
        assert_eq!(
            tx.put_targeting_hits(&[hit("1"), hit("2")]).await.unwrap(),
            2
        );
        tx.commit().await.unwrap();
        let rows = store
            .targeting_hits(&TargetingHitFilter::default(), 10)
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].criterion, "courier");
        assert_eq!(rows[0].criterion_version, 1);
        let first = rows[1].id;

        let mut tx = store.begin().await.unwrap();
        assert!(
            tx.review_targeting_hit(first, Disposition::FalseAlarm, "rev", "no")
                .await
                .unwrap()
        );
        // The same traveller again: updated, not added, review kept.
        assert_eq!(tx.put_targeting_hits(&[hit("1")]).await.unwrap(), 0);
        tx.commit().await.unwrap();
        let again = store.targeting_hit(first).await.unwrap().unwrap();
        assert_eq!(again.state, "false_alarm");

        let stats = store.criterion_stats(Some(v)).await.unwrap();
        assert_eq!(
            stats,
            vec![CriterionStats {
                version_id: v,
                hits: 2,
                open: 1,
                reviewed: 1,
                confirmed: 0,
                false_alarm: 1,
                needs_information: 0,
            }]
        );
        let filtered = store
            .targeting_hits(
                &TargetingHitFilter {
                    state: Some("open"),
                    version_id: Some(v),
                    ..TargetingHitFilter::default()
                },
                10,
            )
            .await
            .unwrap();
        assert_eq!(filtered.len(), 1);
    }
    }
}
