//! Targeting criteria over their life, stored: a draft is checked and kept as a new version
//! (never edited), moved through submit → approve (a different person, supervisor) → activate →
//! retire by the rules of `targeting::Lifecycle`, every move an event and an audit record. When
//! a version becomes active, the criterion's previous active version is retired, and the
//! criteria in force are reloaded. A draft can be back-tested over the stored bookings of a
//! period before anyone approves it.

use std::collections::HashSet;
use std::time::Instant;

use jiff::civil::Date;
use model::FlightKey;
use serde::Serialize;
use store::{AuditEntry, CriterionMove, CriterionVersionRow, NewCriterionVersion, StoreError};
use targeting::{Action, Actor, CheckError, CriteriaSet, Criterion, LifecycleError, Role, Version};

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use store::Store;

use crate::Clock;
use crate::target::{self, Targeter};

/// Why a criteria operation was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum CriteriaError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("criterion version {0} does not exist")]
    NotFound(i64),
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    #[error("the criterion does not pass the checker:\n{0}")]
    Check(CheckError),
    #[error("the version changed state meanwhile; read it again")]
    Conflict,
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
}

/// A draft to keep.
#[derive(Debug, Clone)]
pub struct Draft<'a> {
    pub criterion: &'a str,
    pub text: &'a str,
    pub weight: f64,
    pub justification: &'a str,
    pub review_by: Date,
}

/// What a back-test found.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestReport {
    /// The criterion in canonical form.
    pub text: String,
    pub from: Date,
    pub to: Date,
    /// What was evaluated: flights, booking versions, distinct travellers.
    pub flights: usize,
    pub booking_versions: usize,
    pub travellers: usize,
    /// Distinct travellers (flight × booking × traveller) hit by any version of their booking.
    pub travellers_hit: usize,
    pub bookings_hit: usize,
    pub flights_hit: usize,
    /// Up to 20 hits with their explanation.
    pub sample: Vec<BacktestHit>,
    pub elapsed_ms: u128,
}

/// One back-test hit.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestHit {
    pub flight: String,
    pub locator: String,
    pub traveller: String,
    pub explanation: targeting::Explanation,
}

const SAMPLE: usize = 20;

/// The lifecycle's view of a stored version.
fn version(row: &CriterionVersionRow) -> Result<Version, CriteriaError> {
    let json = serde_json::json!({
        "criterion": row.criterion,
        "number": row.number,
        "text": row.text,
        "weight": row.weight,
        "justification": row.justification,
        "review_by": row.review_by,
        "author": row.author,
        "state": row.state,
        "approved_by": row.approved_by,
        "history": [],
    });
    serde_json::from_value(json).map_err(|e| CriteriaError::Corrupt(e.to_string()))
}

fn role_name(actor: &Actor) -> &'static str {
    if actor.has(Role::Supervisor) {
        "supervisor"
    } else {
        "analyst"
    }
}

/// The targeting service: criteria kept through their lifecycle, the active ones compiled into
/// the targeter the pipeline evaluates every PNR traveller with, and back-tests of drafts over
/// the stored bookings.
pub struct Criteria {
    store: Store,
    clock: Clock,
    /// The targeting criteria in force; `None` until loaded (nothing is evaluated then).
    targeter: std::sync::RwLock<Option<Arc<Targeter>>>,
    /// The store's generation of criteria the targeter in force was built at (`-1`: none
    /// yet); a move on another node moves it, and [`Criteria::sync`] rebuilds.
    generation: AtomicI64,
}

impl std::fmt::Debug for Criteria {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Criteria")
            .field("in_force", &self.targeter().map(|t| t.len()))
            .finish_non_exhaustive()
    }
}

impl Criteria {
    pub fn new(store: Store, clock: Clock) -> Criteria {
        Criteria {
            store,
            clock,
            targeter: std::sync::RwLock::new(None),
            generation: AtomicI64::new(-1),
        }
    }

    fn store(&self) -> &Store {
        &self.store
    }

    fn today(&self) -> Date {
        crate::utc_date((self.clock)())
    }

    /// The criteria in force, if loaded.
    pub fn targeter(&self) -> Option<Arc<Targeter>> {
        crate::sync::read(&self.targeter).clone()
    }

    /// Puts criteria in force for the messages processed from now on.
    pub fn set_targeter(&self, targeter: Targeter) {
        *crate::sync::write(&self.targeter) = Some(Arc::new(targeter));
    }

    /// Compiles the active versions and puts them in force. Returns how many.
    pub async fn load(&self) -> Result<usize, CriteriaError> {
        // Read before the versions: a move committed meanwhile moves it again.
        let generation = self.store().generations().await?.criteria;
        let active = self.store().active_criterion_versions().await?;
        let targeter = Targeter::build(&active);
        let n = targeter.len();
        self.set_targeter(targeter);
        self.generation.store(generation, Ordering::Relaxed);
        Ok(n)
    }

    /// Rebuilds the targeter when a criterion moved in the store since it was built — on
    /// this node or another one sharing the store. Returns whether it rebuilt.
    pub async fn sync(&self) -> Result<bool, CriteriaError> {
        let now = self.store().generations().await?.criteria;
        if now == self.generation.load(Ordering::Relaxed) {
            return Ok(false);
        }
        self.load().await?;
        Ok(true)
    }

    /// Checks a draft and keeps it as the criterion's next version (canonical text).
    pub async fn draft(
        &self,
        draft: &Draft<'_>,
        author: &Actor,
    ) -> Result<CriterionVersionRow, CriteriaError> {
        let compiled =
            Criterion::compile(draft.text, draft.weight).map_err(CriteriaError::Check)?;
        let review_by = draft.review_by.to_string();
        let mut tx = self.store().begin().await?;
        let (id, _) = tx
            .put_criterion_version(&NewCriterionVersion {
                criterion: draft.criterion,
                text: compiled.text(),
                weight: draft.weight,
                justification: draft.justification,
                review_by: &review_by,
                author: &author.id,
                role: role_name(author),
            })
            .await?;
        tx.commit().await?;
        self.store()
            .criterion_version(id)
            .await?
            .ok_or(CriteriaError::NotFound(id))
    }

    /// Moves a version by an action of `actor` under the lifecycle's rules. Activating retires
    /// the criterion's previous active version; activating and retiring reload the criteria in
    /// force.
    pub async fn act(
        &self,
        version_id: i64,
        action: Action,
        actor: &Actor,
        note: &str,
    ) -> Result<CriterionVersionRow, CriteriaError> {
        let row = self
            .store()
            .criterion_version(version_id)
            .await?
            .ok_or(CriteriaError::NotFound(version_id))?;
        let current = version(&row)?;
        let next = current.apply(action, actor, self.today())?;
        let mut tx = self.store().begin().await?;
        if action == Action::Activate {
            for previous in tx.criterion_version_in(&row.criterion, "active").await? {
                tx.move_criterion(&CriterionMove {
                    version_id: previous,
                    action: "retire",
                    actor: &actor.id,
                    role: role_name(actor),
                    from: "active",
                    to: "retired",
                    approved_by: None,
                    note: &format!("replaced by version {}", row.number),
                })
                .await?;
            }
        }
        let moved = tx
            .move_criterion(&CriterionMove {
                version_id,
                action: action.name(),
                actor: &actor.id,
                role: role_name(actor),
                from: current.state().name(),
                to: next.state().name(),
                approved_by: (action == Action::Approve).then_some(actor.id.as_str()),
                note,
            })
            .await?;
        if !moved {
            return Err(CriteriaError::Conflict);
        }
        tx.commit().await?;
        if matches!(action, Action::Activate | Action::Retire) {
            self.load().await?;
        }
        self.store()
            .criterion_version(version_id)
            .await?
            .ok_or(CriteriaError::NotFound(version_id))
    }

    /// Evaluates a criterion over every stored version of every booking of the flights departing
    /// from `from` to `to` (inclusive): how many travellers and flights it would have hit, with a
    /// sample. Audited (it reads stored personal data); counts only in the record.
    pub async fn backtest(
        &self,
        text: &str,
        from: Date,
        to: Date,
        who: &str,
    ) -> Result<BacktestReport, CriteriaError> {
        let started = Instant::now();
        let compiled = Criterion::compile(text, 1.0).map_err(CriteriaError::Check)?;
        let canonical = compiled.text().to_string();
        let mut set = CriteriaSet::new();
        set.insert("draft", compiled.clone());
        let rows = self
            .store()
            .booking_versions_departing(&from.to_string(), &to.to_string())
            .await?;
        let mut report = BacktestReport {
            text: canonical,
            from,
            to,
            flights: 0,
            booking_versions: rows.len(),
            travellers: 0,
            travellers_hit: 0,
            bookings_hit: 0,
            flights_hit: 0,
            sample: Vec::new(),
            elapsed_ms: 0,
        };
        let mut flights = HashSet::new();
        let mut travellers = HashSet::new();
        let mut hit = HashSet::new();
        let mut bookings_hit = HashSet::new();
        let mut flights_hit = HashSet::new();
        for row in &rows {
            // Both written by the intake: a key or a booking that does not read is corrupt
            // storage, and a back-test that skipped it would under-count.
            let key = row.flight.parse::<FlightKey>().map_err(|_| {
                CriteriaError::Corrupt(format!("flight {} has an unreadable key", row.flight_id))
            })?;
            flights.insert(row.flight_id);
            let booking = pnrgov::stored::read(row.format, &row.booking).map_err(|e| {
                CriteriaError::Corrupt(format!(
                    "booking version {} of flight {}: {e}",
                    row.version, row.flight_id
                ))
            })?;
            let subjects = target::subjects(&booking, &key, row.departure_local.as_deref());
            for (reference, subject) in &subjects {
                let id = (row.flight_id, row.locator.clone(), reference.clone());
                travellers.insert(id.clone());
                if set.count_matches(subject) == 0 {
                    continue;
                }
                bookings_hit.insert((row.flight_id, row.locator.clone()));
                flights_hit.insert(row.flight_id);
                if hit.insert(id) && report.sample.len() < SAMPLE {
                    report.sample.push(BacktestHit {
                        flight: row.flight.clone(),
                        locator: row.locator.clone(),
                        traveller: reference.clone(),
                        explanation: compiled.evaluate(subject).explanation,
                    });
                }
            }
        }
        report.flights = flights.len();
        report.travellers = travellers.len();
        report.travellers_hit = hit.len();
        report.bookings_hit = bookings_hit.len();
        report.flights_hit = flights_hit.len();
        report.elapsed_ms = started.elapsed().as_millis();
        let mut tx = self.store().begin().await?;
        tx.audit(&AuditEntry {
            actor: who,
            action: "criterion.backtested",
            subject: &format!("bookings:{from}..{to}"),
            purpose: None,
            detail: &format!(
                "booking_versions={} travellers={} travellers_hit={} flights_hit={}",
                report.booking_versions,
                report.travellers,
                report.travellers_hit,
                report.flights_hit
            ),
        })
        .await?;
        tx.commit().await?;
        Ok(report)
    }
}
