//! Requests to read masked data again (Directive 2016/681 Art. 12(3)): after the
//! depersonalisation period the full data of a person or booking are disclosed only on a duly
//! reasoned request approved by a judicial or other independent authority — never by the unit
//! itself (C-817/19) — with the data protection officer informed and reviewing afterwards.
//!
//! The store keeps each request with its decision and makes the rules that decide whether the
//! originals may be opened hold in one place: an approval comes from another agency than the
//! requester's and another person; a grant opens only the requester's own approved request,
//! only until it ends, only for its scope. Every step is an audit record in the same
//! transaction.

use serde::Serialize;

use crate::{AuditEntry, Store, StoreError};

/// What a request asks to read: a person of a flight's manifest (with the booking they are
/// linked to) or a booking of a flight.
#[derive(Debug, Clone)]
pub struct NewUnmaskRequest<'a> {
    pub flight_id: i64,
    pub manifest_id: Option<i64>,
    pub locator: Option<&'a str>,
    pub case_reference: &'a str,
    /// Why the full data are needed: the request's reasons, for the authority.
    pub grounds: &'a str,
    pub requested_by: &'a str,
    pub agency: &'a str,
}

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct UnmaskRequestRow {
    pub id: i64,
    pub flight_id: i64,
    pub flight: String,
    pub manifest_id: Option<i64>,
    pub locator: Option<String>,
    pub case_reference: String,
    pub grounds: String,
    pub requested_by: String,
    pub agency: String,
    pub requested_at: String,
    /// `pending`, `approved` or `refused`.
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_agency: Option<String>,
    pub decided_at: Option<String>,
    /// The authority's reasons.
    pub decision: Option<String>,
    /// An approval's end (UTC, RFC 3339).
    pub valid_until: Option<String>,
    pub dpo_reviewed_by: Option<String>,
    pub dpo_reviewed_at: Option<String>,
}

impl UnmaskRequestRow {
    /// Whether `user` may read the originals at `now`: their own request, approved, not ended.
    pub fn grants(&self, user: &str, now: jiff::Timestamp) -> bool {
        self.state == "approved"
            && self.requested_by == user
            && self
                .valid_until
                .as_deref()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .is_some_and(|until| now < until)
    }
}

/// An authority's decision.
#[derive(Debug, Clone)]
pub struct UnmaskDecision<'a> {
    pub approve: bool,
    /// The authority's reasons.
    pub decision: &'a str,
    /// For an approval: until when the originals may be read.
    pub valid_until: Option<jiff::Timestamp>,
    pub by: &'a str,
    pub agency: &'a str,
}

/// What came of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    Done,
    /// There is no such request.
    NotFound,
    /// Decided already.
    NotPending,
    /// The decider belongs to the requester's agency: the unit may not approve its own
    /// access (C-817/19).
    SameAgency,
    /// The decider is the requester.
    OwnRequest,
}

const REQUEST_COLUMNS: &str = "SELECT r.id, r.flight_id, f.key AS flight, r.manifest_id, \
     r.locator, r.case_reference, r.grounds, r.requested_by, r.agency, r.requested_at, r.state, \
     r.decided_by, r.decided_agency, r.decided_at, r.decision, r.valid_until, r.dpo_reviewed_by, \
     r.dpo_reviewed_at FROM unmask_requests r JOIN flights f ON f.id = r.flight_id";

impl Store {
    /// Files a request, recorded in the audit; its number.
    pub async fn request_unmask(&self, r: &NewUnmaskRequest<'_>) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id: i64 = on!(tx.conn()?, |db| sqlx::query_scalar(
            "INSERT INTO unmask_requests (flight_id, manifest_id, locator, case_reference, \
             grounds, requested_by, agency, requested_at, state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending') RETURNING id"
        )
        .bind(r.flight_id)
        .bind(r.manifest_id)
        .bind(r.locator)
        .bind(r.case_reference)
        .bind(r.grounds)
        .bind(r.requested_by)
        .bind(r.agency)
        .bind(crate::now())
        .fetch_one(db)
        .await)?;
        tx.audit(&AuditEntry {
            actor: r.requested_by,
            action: "unmask.requested",
            subject: &format!("unmask:{id}"),
            purpose: Some(r.case_reference),
            detail: &scope_detail(r.flight_id, r.manifest_id, r.locator),
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One request.
    pub async fn unmask_request(&self, id: i64) -> Result<Option<UnmaskRequestRow>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as::<
            _,
            UnmaskRequestRow,
        >(sqlx::AssertSqlSafe(
            format!("{REQUEST_COLUMNS} WHERE r.id = $1")
        ))
        .bind(id)
        .fetch_optional(db)
        .await)?)
    }

    /// Requests, newest first: all of them, or those filed by `requested_by`.
    pub async fn unmask_requests(
        &self,
        requested_by: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UnmaskRequestRow>, StoreError> {
        Ok(match requested_by {
            Some(user) => on!(self.reader(), |db| sqlx::query_as::<_, UnmaskRequestRow>(
                sqlx::AssertSqlSafe(format!(
                    "{REQUEST_COLUMNS} WHERE r.requested_by = $1 ORDER BY r.id DESC LIMIT $2"
                ))
            )
            .bind(user)
            .bind(limit)
            .fetch_all(db)
            .await)?,
            None => on!(self.reader(), |db| sqlx::query_as::<_, UnmaskRequestRow>(
                sqlx::AssertSqlSafe(format!("{REQUEST_COLUMNS} ORDER BY r.id DESC LIMIT $1"))
            )
            .bind(limit)
            .fetch_all(db)
            .await)?,
        })
    }

    /// Requests the data protection officer has not reviewed yet.
    pub async fn unmask_requests_to_review(&self) -> Result<i64, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_scalar(
            "SELECT COUNT(*) FROM unmask_requests WHERE dpo_reviewed_at IS NULL"
        )
        .fetch_one(db)
        .await)?)
    }

    /// An authority decides a pending request, unless it is of the requester's agency or the
    /// requester; recorded in the audit.
    pub async fn decide_unmask(
        &self,
        id: i64,
        d: &UnmaskDecision<'_>,
    ) -> Result<Decided, StoreError> {
        let mut tx = self.begin().await?;
        let row = on!(tx.conn()?, |db| sqlx::query_as::<
            _,
            (String, String, String, String),
        >(
            "SELECT state, requested_by, agency, case_reference FROM unmask_requests WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(db)
        .await)?;
        let Some((state, requested_by, agency, case_reference)) = row else {
            tx.rollback().await?;
            return Ok(Decided::NotFound);
        };
        let refused = if state != "pending" {
            Some(Decided::NotPending)
        } else if requested_by == d.by {
            Some(Decided::OwnRequest)
        } else if agency.eq_ignore_ascii_case(d.agency) {
            Some(Decided::SameAgency)
        } else {
            None
        };
        if let Some(refused) = refused {
            tx.rollback().await?;
            return Ok(refused);
        }
        let (new_state, valid_until) = match (d.approve, d.valid_until) {
            (true, Some(until)) => ("approved", Some(until.to_string())),
            (true, None) => {
                tx.rollback().await?;
                return Err(StoreError::Corrupt(
                    "an approval without an end was asked for".into(),
                ));
            }
            (false, _) => ("refused", None),
        };
        on!(tx.conn()?, |db| sqlx::query(
            "UPDATE unmask_requests SET state = $1, decided_by = $2, decided_agency = $3, \
             decided_at = $4, decision = $5, valid_until = $6 WHERE id = $7 AND state = 'pending'"
        )
        .bind(new_state)
        .bind(d.by)
        .bind(d.agency)
        .bind(crate::now())
        .bind(d.decision)
        .bind(&valid_until)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ()))?;
        tx.audit(&AuditEntry {
            actor: d.by,
            action: if d.approve {
                "unmask.approved"
            } else {
                "unmask.refused"
            },
            subject: &format!("unmask:{id}"),
            purpose: Some(&case_reference),
            detail: &match &valid_until {
                Some(until) => format!("until={until}"),
                None => String::new(),
            },
        })
        .await?;
        tx.commit().await?;
        Ok(Decided::Done)
    }

    /// The data protection officer has reviewed a request; recorded in the audit. False when
    /// there is no such request or it was reviewed already.
    pub async fn review_unmask(&self, id: i64, by: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let n = on!(tx.conn()?, |db| sqlx::query(
            "UPDATE unmask_requests SET dpo_reviewed_by = $1, dpo_reviewed_at = $2 \
             WHERE id = $3 AND dpo_reviewed_at IS NULL"
        )
        .bind(by)
        .bind(crate::now())
        .bind(id)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        if n == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.audit(&AuditEntry {
            actor: by,
            action: "unmask.reviewed",
            subject: &format!("unmask:{id}"),
            purpose: Some("data protection review"),
            detail: "",
        })
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

fn scope_detail(flight: i64, manifest_id: Option<i64>, locator: Option<&str>) -> String {
    match (manifest_id, locator) {
        (Some(m), _) => format!("flight={flight} person={m}"),
        (None, Some(l)) => format!("flight={flight} booking={l}"),
        (None, None) => format!("flight={flight}"),
    }
}
