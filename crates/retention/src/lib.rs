//! Keeping data only as long as the law allows. A [`Policy`] holds the periods of the unit's
//! law (the EU's by default); a run of [`Retention`] at a clock `now` applies them, in an
//! order that never loses what a later step needs:
//!
//! 1. statistics: each flight's counts are kept before anything of it is erased;
//! 2. API data (border-control regime): a flight's persons 24 hours after its arrival, with
//!    their hits, links and the bytes of the lists that brought them;
//! 3. PNR data: booking versions received more than 6 months ago, with a booking's last
//!    version its travellers, hits and links; the bytes of the pushes;
//! 4. the bytes of messages applied to no flight, after their short period;
//! 5. masking: what is still held of a flight 6 months after its data were transferred is
//!    depersonalised (Art. 12(2)): names, contacts, payment, frequent flyer, remarks and API
//!    data taken out of the rows, the originals sealed under a key outside the database;
//! 6. the last period (5 years): everything of a flight, objective links and holds included;
//! 7. the records of each message's collection, after the audit's period;
//! 8. remembered false alarms whose hits are gone;
//! 9. audit records past the audit's period, behind a cut of the chain that keeps what remains
//!    verifiable.
//!
//! Steps 2 and 3 keep what has an objective link (a confirmed hit, a legal hold: the store's
//! `retention.rs`). Every flight is erased in one transaction, so a run killed halfway resumes
//! where it stopped; a run is refused when its clock is behind the last run's.

#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

mod masking;
mod policy;
pub mod statistics;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use model::airports::AirportZones;
use serde::Serialize;
use store::{Erased, FlightRow, Masked, Mode, RunStart, Store, StoreError};

pub use policy::{ApiRegime, EU_2016_681, EXAMPLE_THIRD_COUNTRY, Period, Policy, PolicyError};

/// Flights (or messages) read per page.
const PAGE: i64 = 500;

/// Goes through what `$fetch` gives page after page (each page after the `$key` of the last
/// item of the one before), `$body` for each item in turn, telling `$progress` how many were
/// judged. (A macro: async closures borrowing the run are not `Send` for every lifetime, and
/// `serve` runs retention on a spawned task.)
macro_rules! paged {
    ($step:expr, $progress:expr, |$after:ident| $fetch:expr, |$k:ident| $key:expr, |$item:ident| $body:block) => {{
        let (mut $after, mut judged) = (0i64, 0u64);
        loop {
            let page = $fetch;
            let Some($k) = page.last() else { break };
            $after = $key;
            for $item in page {
                judged += 1;
                $body
            }
            $progress($step, judged);
        }
    }};
}

/// Keeps a flight's statistics unless kept already; true when it counted them now.
async fn count(store: &Store, flight: &FlightRow) -> Result<bool, RetentionError> {
    if store.is_counted(flight.id).await? {
        return Ok(false);
    }
    let cells = statistics::flight_cells(store, flight).await?;
    Ok(store.count_flight(flight.id, &cells).await?)
}

/// Counts `flights` at once, one task each; how many were counted now.
async fn count_together(store: &Store, flights: Vec<FlightRow>) -> Result<u64, RetentionError> {
    let mut tasks = tokio::task::JoinSet::new();
    for flight in flights {
        let store = store.clone();
        tasks.spawn(async move { count(&store, &flight).await });
    }
    let mut counted = 0;
    while let Some(done) = tasks.join_next().await {
        let now =
            done.map_err(|e| RetentionError::Stored(format!("counting a flight stopped: {e}")))??;
        counted += u64::from(now);
    }
    Ok(counted)
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "the clock ({now}) is behind the last retention run's ({last}): refused, so that \
         nothing the last run judged is judged again under an earlier clock"
    )]
    ClockBehind { now: String, last: String },
    #[error("stored data do not read: {0}")]
    Stored(String),
}

/// A step of a run, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Statistics,
    Api,
    Pnr,
    Bodies,
    Mask,
    LastPeriod,
    Messages,
    Suppressions,
    Audit,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Statistics => "statistics",
            Step::Api => "API data",
            Step::Pnr => "PNR data",
            Step::Bodies => "message bytes",
            Step::Mask => "masking",
            Step::LastPeriod => "last period",
            Step::Messages => "message records",
            Step::Suppressions => "remembered false alarms",
            Step::Audit => "audit records",
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// The run's number (none for a dry run, which is not recorded).
    pub run: Option<i64>,
    pub now: String,
    pub dry_run: bool,
    /// Flights whose statistics were taken.
    pub counted: u64,
    /// What each step erased. A dry run judges each step as if it ran alone: the last
    /// period's step may count data an earlier step would erase first.
    pub steps: Vec<(Step, Erased)>,
    /// The sum of the steps.
    pub erased: Erased,
    /// What the masking step depersonalised.
    pub masked: Masked,
    /// How long each step took, in seconds.
    pub seconds: Vec<(Step, f64)>,
}

/// What is due and when, for `retention status` and the DPO's page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub policy: String,
    pub policy_sha256: String,
    pub now: String,
    pub oldest: store::Oldest,
    /// When the oldest data of each kind fall due (none: nothing of that kind is held).
    pub next_pnr_due: Option<String>,
    pub next_body_due: Option<String>,
    pub next_last_period_due: Option<String>,
    pub last_runs: Vec<store::RunRow>,
    /// Booking versions and API persons past the depersonalisation period still held
    /// unmasked (a run masks them).
    pub past_depersonalisation: (i64, i64),
    /// Originals sealed at masking, by kind.
    pub sealed: Vec<(String, i64)>,
    /// What a run now would erase (a dry run).
    pub due_now: Report,
}

/// Retention over one store under one policy.
#[derive(Debug, Clone)]
pub struct Retention {
    store: Store,
    policy: Policy,
    airports: AirportZones,
}

impl Retention {
    pub fn new(store: Store, policy: Policy, airports: AirportZones) -> Retention {
        Retention {
            store,
            policy,
            airports,
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Applies the policy at `now`; in a dry run counts what would go and keeps everything.
    /// `progress` hears each step and how many flights or messages it has judged.
    pub async fn run(
        &self,
        now: Timestamp,
        mode: Mode,
        progress: &mut (dyn FnMut(Step, u64) + Send),
    ) -> Result<Report, RetentionError> {
        let run = match mode {
            Mode::Erase => match self
                .store
                .start_retention_run(&self.policy.name, &self.policy.sha256, now)
                .await?
            {
                RunStart::Started(id) => Some(id),
                RunStart::ClockBehind { last } => {
                    return Err(RetentionError::ClockBehind {
                        now: now.to_string(),
                        last,
                    });
                }
            },
            Mode::DryRun => {
                if let Some(last) = self
                    .store
                    .retention_runs(1)
                    .await?
                    .into_iter()
                    .next()
                    .filter(|r| r.now.parse::<Timestamp>().is_ok_and(|t| now < t))
                {
                    return Err(RetentionError::ClockBehind {
                        now: now.to_string(),
                        last: last.now,
                    });
                }
                None
            }
        };
        let mut report = Report {
            run,
            now: now.to_string(),
            dry_run: mode == Mode::DryRun,
            ..Report::default()
        };
        let today = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        let started = std::time::Instant::now();
        self.store.prepare_retention().await?;
        report.counted += self.count_all(today, mode, progress).await?;
        report
            .seconds
            .push((Step::Statistics, started.elapsed().as_secs_f64()));
        let audit_before = self.policy.audit_kept.before(now).to_string();
        for step in [
            Step::Api,
            Step::Pnr,
            Step::Bodies,
            Step::Mask,
            Step::LastPeriod,
            Step::Messages,
            Step::Suppressions,
            Step::Audit,
        ] {
            let started = std::time::Instant::now();
            let erased = match step {
                Step::Statistics => {
                    invariant::never!("statistics are kept before the erasing steps");
                    Erased::default()
                }
                Step::Api => self.api(now, today, mode, progress).await?,
                Step::Pnr => self.pnr(now, mode, progress).await?,
                Step::Bodies => self.bodies(now, mode, progress).await?,
                Step::Mask => {
                    report.masked = self.mask(now, mode, progress).await?;
                    Erased::default()
                }
                Step::LastPeriod => self.last_period(now, mode, progress).await?,
                Step::Messages => self.messages(now, mode, progress).await?,
                Step::Suppressions => self.store.erase_orphan_suppressions(mode).await?,
                Step::Audit => self.store.erase_audit(&audit_before, mode).await?,
            };
            report.seconds.push((step, started.elapsed().as_secs_f64()));
            report.erased.add(&erased);
            report.steps.push((step, erased));
        }
        if let Some(id) = run {
            self.store
                .finish_retention_run(id, &report.erased, &report.masked)
                .await?;
            for (kind, n) in report.erased.named() {
                metrics::counter!("passage_retention_erased_total", "kind" => kind).increment(n);
            }
            for (kind, n) in report.masked.named() {
                metrics::counter!("passage_retention_masked_total", "kind" => kind).increment(n);
            }
            metrics::gauge!("passage_retention_last_run_timestamp_seconds")
                .set(now.as_second() as f64);
            tracing::info!(run = id, erased = ?report.erased, "retention run finished");
        }
        self.store.flush_erased().await?;
        Ok(report)
    }

    /// What is due when, and what a run now would erase.
    pub async fn status(&self, now: Timestamp) -> Result<Status, RetentionError> {
        let mut status = self.summary(now).await?;
        status.due_now = self.run(now, Mode::DryRun, &mut |_, _| {}).await?;
        Ok(status)
    }

    /// What is held and when it falls due, without the dry run (a page's cost).
    pub async fn summary(&self, now: Timestamp) -> Result<Status, RetentionError> {
        let oldest = self.store.oldest_held().await?;
        let due = |at: &Option<String>, period: &Period| {
            at.as_deref()
                .and_then(|t| t.parse::<Timestamp>().ok())
                .map(|t| period.after(t).to_string())
        };
        let next_pnr_due = due(&oldest.pnr_version, &self.policy.unlinked_kept);
        let next_body_due = due(&oldest.body, &self.policy.unapplied_kept);
        let next_last_period_due = due(&oldest.message, &self.policy.deleted_after);
        let past_depersonalisation = self
            .store
            .held_since_before(&self.policy.depersonalise_after.before(now).to_string())
            .await?;
        Ok(Status {
            policy: self.policy.name.clone(),
            policy_sha256: self.policy.sha256.clone(),
            now: now.to_string(),
            oldest,
            next_pnr_due,
            next_body_due,
            next_last_period_due,
            last_runs: self.store.retention_runs(10).await?,
            past_depersonalisation,
            sealed: self.store.sealed_counts().await?,
            due_now: Report::default(),
        })
    }

    /// Keeps the statistics of every flight departed two days before `today` or earlier not
    /// counted yet: late lists and close-outs are in by then. (A flight whose data fall due
    /// sooner is counted right before they are erased.)
    async fn count_all(
        &self,
        today: Date,
        mode: Mode,
        progress: &mut (dyn FnMut(Step, u64) + Send),
    ) -> Result<u64, RetentionError> {
        let settled = today
            .checked_sub(jiff::Span::new().days(2))
            .map_err(|e| RetentionError::Stored(format!("a date out of range: {e}")))?;
        let settled = settled.to_string();
        if mode == Mode::DryRun {
            return Ok(0);
        }
        // A flight at a time on each core: reading its bookings is most of the cost.
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let (mut counted, mut batch) = (0, Vec::with_capacity(cores));
        paged!(
            Step::Statistics,
            progress,
            |after| self.store.flights_to_count(&settled, after, PAGE).await?,
            |f| f.id,
            |flight| {
                batch.push(flight);
                if batch.len() == cores {
                    counted += count_together(&self.store, std::mem::take(&mut batch)).await?;
                }
            }
        );
        counted += count_together(&self.store, batch).await?;
        Ok(counted)
    }

    /// Keeps the statistics of the flight numbered `flight` before it is erased from.
    async fn count_id(&self, flight: i64, mode: Mode) -> Result<(), RetentionError> {
        if mode == Mode::Erase
            && let Some(row) = self.store.flight_by_id(flight).await?
        {
            self.count(&row).await?;
        }
        Ok(())
    }

    /// Keeps a flight's statistics unless kept already; true when it counted them now.
    async fn count(&self, flight: &FlightRow) -> Result<bool, RetentionError> {
        count(&self.store, flight).await
    }

    /// When a flight's API data without an objective link are erased.
    pub fn api_due(&self, flight: &FlightRow) -> Option<Timestamp> {
        let period = match self.policy.api_regime {
            ApiRegime::BorderControl => self.policy.api_deleted_after_arrival,
            ApiRegime::Pnr => self.policy.unlinked_kept,
        };
        self.api_clock(flight).map(|clock| period.after(clock))
    }

    /// When data received at `received` are erased: without an objective link (PNR), and at
    /// the last period whatever links them.
    pub fn pnr_due(&self, received: Timestamp) -> (Timestamp, Timestamp) {
        (
            self.policy.unlinked_kept.after(received),
            self.policy.deleted_after.after(received),
        )
    }

    /// When what an objective link keeps of data received at `received` is masked.
    pub fn masked_from(&self, received: Timestamp) -> Timestamp {
        self.policy.depersonalise_after.after(received)
    }

    /// The instant from which a flight's API period runs: its arrival under the border-control
    /// regime (its departure when the arrival is not known), its departure under the PNR
    /// regime (API data are sent by then). Local times become instants in the airport's zone,
    /// or at the earliest instant they can be when the zone is not known, so that no period
    /// ends late.
    fn api_clock(&self, flight: &FlightRow) -> Option<Timestamp> {
        let local = |t: &Option<String>| t.as_deref().and_then(|t| t.parse::<DateTime>().ok());
        let departure = local(&flight.departure_local)
            .map(|d| (flight.origin.as_str(), d))
            .or_else(|| {
                let date: Date = flight.departure_date.parse().ok()?;
                Some((
                    flight.origin.as_str(),
                    date.to_datetime(jiff::civil::time(0, 0, 0, 0)),
                ))
            });
        let arrival = local(&flight.arrival_local).map(|a| (flight.destination.as_str(), a));
        let (airport, at) = match self.policy.api_regime {
            ApiRegime::BorderControl => arrival.or(departure)?,
            ApiRegime::Pnr => departure?,
        };
        self.airports.instant_or_earliest(airport, at)
    }

    async fn api(
        &self,
        now: Timestamp,
        today: Date,
        mode: Mode,
        progress: &mut (dyn FnMut(Step, u64) + Send),
    ) -> Result<Erased, RetentionError> {
        let mut erased = Erased::default();
        let period = match self.policy.api_regime {
            ApiRegime::BorderControl => self.policy.api_deleted_after_arrival,
            ApiRegime::Pnr => self.policy.unlinked_kept,
        };
        let today = today.to_string();
        paged!(
            Step::Api,
            progress,
            |after| {
                self.store
                    .flights_with_api_to_judge(&today, after, PAGE)
                    .await?
            },
            |f| f.id,
            |flight| {
                let Some(clock) = self.api_clock(&flight) else {
                    invariant::never!("a stored flight has no readable departure date");
                    continue;
                };
                if period.after(clock) <= now {
                    if mode == Mode::Erase {
                        self.count(&flight).await?;
                    }
                    erased.add(&self.store.erase_api(flight.id, mode).await?);
                }
            }
        );
        Ok(erased)
    }

    async fn pnr(
        &self,
        now: Timestamp,
        mode: Mode,
        progress: &mut (dyn FnMut(Step, u64) + Send),
    ) -> Result<Erased, RetentionError> {
        let mut erased = Erased::default();
        let before = self.policy.unlinked_kept.before(now).to_string();
        paged!(
            Step::Pnr,
            progress,
            |after| {
                self.store
                    .flights_with_versions_before(&before, after, PAGE)
                    .await?
            },
            |id| *id,
            |flight| {
                self.count_id(flight, mode).await?;
                erased.add(&self.store.erase_pnr(flight, &before, mode).await?);
            }
        );
        Ok(erased)
    }

    async fn bodies(
        &self,
        now: Timestamp,
        mode: Mode,
        progress: &mut (dyn FnMut(Step, u64) + Send),
    ) -> Result<Erased, RetentionError> {
        let mut erased = Erased::default();
        let before = self.policy.unlinked_kept.before(now).to_string();
        let unapplied = self.policy.unapplied_kept.before(now).to_string();
        // Under the border-control regime the lists' bytes went with their flights' API data.
        let kind = match self.policy.api_regime {
            ApiRegime::BorderControl => Some("PNRGOV"),
            ApiRegime::Pnr => None,
        };
        loop {
            let n = self
                .store
                .erase_bodies(kind, &before, &unapplied, PAGE, mode)
                .await?;
            erased.bodies += n;
            progress(Step::Bodies, erased.bodies);
            // A dry run rolls back: the same page would come again.
            if n == 0 || mode == Mode::DryRun {
                break;
            }
        }
        Ok(erased)
    }

    async fn mask(
        &self,
        now: Timestamp,
        mode: Mode,
        progress: &mut (dyn FnMut(Step, u64) + Send),
    ) -> Result<Masked, RetentionError> {
        let before = self.policy.depersonalise_after.before(now).to_string();
        if mode == Mode::DryRun {
            // Counted, not sealed and rolled back: the DPO's page asks often.
            return Ok(self.store.count_to_mask(&before).await?);
        }
        // Flights with nothing left to mask (the unlinked data went at the same age) are
        // marked at once rather than read one by one.
        let mut masked = Masked {
            flights: self.store.mark_nothing_to_mask(&before, mode).await?,
            ..Masked::default()
        };
        let at = now.to_string();
        paged!(
            Step::Mask,
            progress,
            |after| self.store.flights_to_mask(&before, after, PAGE).await?,
            |id| *id,
            |flight| {
                let to_mask = self.store.to_mask(flight).await?;
                let at = at.clone();
                // Reading and writing bookings is CPU work: off the async runtime.
                let mask =
                    tokio::task::spawn_blocking(move || masking::masks(flight, to_mask, &at))
                        .await
                        .map_err(|e| {
                            RetentionError::Stored(format!("masking a flight stopped: {e}"))
                        })??;
                masked.add(&self.store.mask_flight(&mask, now, mode).await?);
            }
        );
        Ok(masked)
    }

    async fn last_period(
        &self,
        now: Timestamp,
        mode: Mode,
        progress: &mut (dyn FnMut(Step, u64) + Send),
    ) -> Result<Erased, RetentionError> {
        let mut erased = Erased::default();
        let before = self.policy.deleted_after.before(now);
        // A flight departs at most a few days after its first message (PNR from 48 hours
        // before): flights departed later cannot have all their messages before `before`.
        let latest_departure = before
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date()
            .checked_add(jiff::Span::new().days(7))
            .map_err(|e| RetentionError::Stored(format!("a date out of range: {e}")))?;
        let (latest_departure, before) = (latest_departure.to_string(), before.to_string());
        paged!(
            Step::LastPeriod,
            progress,
            |after| {
                self.store
                    .flights_past_last_period(&latest_departure, &before, after, PAGE)
                    .await?
            },
            |id| *id,
            |flight| {
                self.count_id(flight, mode).await?;
                erased.add(&self.store.erase_flight(flight, mode).await?);
            }
        );
        Ok(erased)
    }

    async fn messages(
        &self,
        now: Timestamp,
        mode: Mode,
        progress: &mut (dyn FnMut(Step, u64) + Send),
    ) -> Result<Erased, RetentionError> {
        let mut erased = Erased::default();
        let before = self.policy.audit_kept.before(now).to_string();
        loop {
            let page = self.store.erase_messages(&before, PAGE, mode).await?;
            erased.add(&page);
            progress(Step::Messages, erased.messages);
            if page.messages == 0 || mode == Mode::DryRun {
                break;
            }
        }
        Ok(erased)
    }
}
