//! What the unit holds about one person, for the data protection officer answering a data
//! subject's request (GDPR Art. 15 / LED Art. 14 as Directive 2016/681 Art. 13(1) applies them):
//! the API records and PNR travellers that name them (by name and birth date, or document), the
//! hits about them, and who consulted or disclosed those records (the audit). Masked records
//! name nobody any more and are not found by name: the report says how many sealed records
//! exist, for the DPO to ask the authority for.

use serde::Serialize;

use crate::{AuditRecord, Store, StoreError};

/// A PNR traveller found by name, birth date or document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FoundTraveller {
    pub flight_id: i64,
    pub flight: String,
    pub departure_date: String,
    pub locator: String,
    pub reference: String,
    pub surname: String,
    pub given_name: String,
    pub birth_dates: String,
    pub documents: String,
    /// The first and last version's receipt.
    pub first_received: Option<String>,
    pub last_received: Option<String>,
    pub versions: i64,
}

/// A hit about a person, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HitAbout {
    pub id: i64,
    /// `screening` or `targeting`.
    pub kind: String,
    /// The list, or the criterion.
    pub source: String,
    pub state: String,
    pub reviewed_by: Option<String>,
    pub created_at: String,
}

impl Store {
    /// PNR travellers with this surname (exact, upper case) and, when given, this birth date;
    /// or holding this document number.
    pub async fn find_pnr_travellers(
        &self,
        surname: Option<&str>,
        date_of_birth: Option<&str>,
        document: Option<&str>,
        limit: i64,
    ) -> Result<Vec<FoundTraveller>, StoreError> {
        const COLUMNS: &str = "SELECT t.flight_id, f.key AS flight, f.departure_date, t.locator, \
             t.reference, t.surname, t.given_name, t.birth_dates, t.documents, \
             (SELECT MIN(v.received_at) FROM pnr_versions v WHERE v.flight_id = t.flight_id \
              AND v.locator = t.locator) AS first_received, \
             (SELECT MAX(v.received_at) FROM pnr_versions v WHERE v.flight_id = t.flight_id \
              AND v.locator = t.locator) AS last_received, \
             (SELECT COUNT(*) FROM pnr_versions v WHERE v.flight_id = t.flight_id \
              AND v.locator = t.locator) AS versions \
             FROM pnr_travellers t JOIN flights f ON f.id = t.flight_id";
        // The birth date narrows a name in the query, before the limit: a traveller without
        // one stays (it may be them).
        let born = date_of_birth.map(|d| format!("%{}%", d.trim()));
        Ok(match (surname, document) {
            (Some(surname), _) => on!(self.reader(), |db| sqlx::query_as::<_, FoundTraveller>(
                sqlx::AssertSqlSafe(format!(
                    "{COLUMNS} WHERE t.surname = $1 \
                     AND ($2 IS NULL OR t.birth_dates = '' OR t.birth_dates LIKE $2) \
                     ORDER BY f.departure_date DESC LIMIT $3"
                ))
            )
            .bind(surname.trim().to_uppercase())
            .bind(&born)
            .bind(limit)
            .fetch_all(db)
            .await)?,
            (None, Some(document)) => {
                on!(self.reader(), |db| sqlx::query_as::<_, FoundTraveller>(
                    sqlx::AssertSqlSafe(format!(
                        "{COLUMNS} WHERE ' ' || t.documents || ' ' LIKE $1 \
                 AND ($2 IS NULL OR t.birth_dates = '' OR t.birth_dates LIKE $2) \
                 ORDER BY f.departure_date DESC LIMIT $3"
                    ))
                )
                .bind(format!("% {} %", document.trim().to_uppercase()))
                .bind(&born)
                .bind(limit)
                .fetch_all(db)
                .await)?
            }
            (None, None) => Vec::new(),
        })
    }

    /// The screening and targeting hits about an API person (their own and their linked
    /// PNR traveller's), or about a PNR traveller.
    pub async fn hits_about(
        &self,
        flight: i64,
        manifest_id: Option<i64>,
        traveller: Option<(&str, &str)>,
    ) -> Result<Vec<HitAbout>, StoreError> {
        let (locator, reference) = traveller.unzip();
        Ok(on!(self.reader(), |db| sqlx::query_as::<_, HitAbout>(
            "SELECT h.id, 'screening' AS kind, h.list AS source, h.state, h.reviewed_by, \
             h.created_at FROM hits h WHERE h.flight_id = $1 \
             AND (h.manifest_id = $2 OR (h.locator = $3 AND h.traveller = $4)) \
             UNION ALL \
             SELECT t.id, 'targeting' AS kind, c.criterion AS source, t.state, t.reviewed_by, \
             t.created_at FROM targeting_hits t JOIN criteria_versions c ON c.id = t.version_id \
             WHERE t.flight_id = $1 \
             AND (t.manifest_id = $2 OR (t.locator = $3 AND t.traveller = $4)) \
             ORDER BY created_at"
        )
        .bind(flight)
        .bind(manifest_id)
        .bind(locator)
        .bind(reference)
        .fetch_all(db)
        .await)?)
    }

    /// The audit's records about any of `subjects`, oldest first.
    pub async fn audit_about(
        &self,
        subjects: &[String],
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let mut out = Vec::new();
        for subject in subjects {
            out.extend(self.audit_records(Some(subject), limit).await?);
        }
        out.sort_by_key(|r| r.id);
        out.dedup_by_key(|r| r.id);
        Ok(out)
    }
}

/// What a data subject's request to erase one API record came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectErasure {
    /// Erased now: the record, its hits, targeting hits and links, its sealed original, and
    /// the bytes of the messages that brought it (their SHA-256 and size stay).
    Erased(crate::Erased),
    /// Kept: an objective link (a confirmed hit, a legal hold) keeps it under the law until
    /// the link ends; nothing was erased.
    Linked,
    NotFound,
}

/// A manifest person's flight and the messages that brought them.
#[derive(sqlx::FromRow)]
struct ErasedPerson {
    flight_id: i64,
    first_message: i64,
    last_message: i64,
    linked: bool,
}

impl Store {
    /// Erases one API record on a data subject's request (LED Art. 16(2): data processed
    /// unlawfully, or that must be erased to comply with a legal obligation), in one
    /// transaction with its audit record (`subject.erased`, an erasure under Art. 13(5), with
    /// the request's reference as purpose and the DPO's reason). A record an objective link
    /// keeps is refused: the link is judged under the write lock, so a hit confirmed
    /// meanwhile keeps it.
    pub async fn erase_api_subject(
        &self,
        manifest_id: i64,
        by: &str,
        request: &str,
        reason: &str,
    ) -> Result<SubjectErasure, StoreError> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "SELECT m.flight_id, m.first_message, m.last_message, {} AS linked \
             FROM manifest m WHERE m.id = $1",
            crate::retention::PERSON_LINKED
        );
        let found = on!(tx.conn()?, |db| sqlx::query_as::<_, ErasedPerson>(
            sqlx::AssertSqlSafe(sql)
        )
        .bind(manifest_id)
        .fetch_optional(db)
        .await)?;
        let Some(person) = found else {
            tx.rollback().await?;
            return Ok(SubjectErasure::NotFound);
        };
        if person.linked {
            tx.rollback().await?;
            return Ok(SubjectErasure::Linked);
        }
        let flight = person.flight_id;
        let mut erased = crate::Erased::default();
        let pair = [flight, manifest_id];
        erased.hits = tx
            .execute_with(
                "DELETE FROM hits WHERE flight_id = $1 AND manifest_id = $2",
                &pair,
            )
            .await?;
        erased.targeting_hits = tx
            .execute_with(
                "DELETE FROM targeting_hits WHERE flight_id = $1 AND manifest_id = $2",
                &pair,
            )
            .await?;
        erased.links = tx
            .execute_for("DELETE FROM links WHERE manifest_id = $1", manifest_id)
            .await?;
        erased.api_persons = tx
            .execute_for("DELETE FROM manifest WHERE id = $1", manifest_id)
            .await?;
        // The lists that named them: every API message of the flight from the one that
        // brought them to the last that did.
        let span = [flight, person.first_message, person.last_message];
        erased.bodies = tx
            .execute_with(
                "DELETE FROM message_bodies WHERE message_id IN (
                     SELECT mf.message_id FROM message_flights mf JOIN messages ms
                     ON ms.id = mf.message_id
                     WHERE mf.flight_id = $1 AND ms.message_type <> 'PNRGOV'
                     AND ms.id >= $2 AND ms.id <= $3)",
                &span,
            )
            .await?;
        let key = manifest_id.to_string();
        erased.sealed = on!(tx.conn()?, |db| sqlx::query(
            "DELETE FROM sealed WHERE kind = 'person' AND flight_id = $1 AND row_key = $2"
        )
        .bind(flight)
        .bind(&key)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?
            + tx.execute_with(
                "DELETE FROM sealed WHERE kind = 'body' AND flight_id = $1 AND row_key IN (
                         SELECT CAST(mf.message_id AS TEXT) FROM message_flights mf
                         JOIN messages ms ON ms.id = mf.message_id
                         WHERE mf.flight_id = $1 AND ms.message_type <> 'PNRGOV'
                         AND ms.id >= $2 AND ms.id <= $3)",
                &span,
            )
            .await?;
        let detail = format!("reason={reason} {}", crate::counts_text(&erased.named()));
        tx.audit(&crate::AuditEntry {
            actor: by,
            action: "subject.erased",
            subject: &format!("traveller:{manifest_id}"),
            purpose: Some(request),
            detail: &detail,
        })
        .await?;
        tx.commit().await?;
        Ok(SubjectErasure::Erased(erased))
    }
}
