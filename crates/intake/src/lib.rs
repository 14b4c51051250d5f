//! The intake: how a message travels from a channel into the store.
//!
//! 1. the bytes are kept in the vault, committed before anything is acknowledged;
//! 2. they are read (`edifact`, then `paxlst` or `pnrgov`), every finding kept with them;
//! 3. a message already processed (same carrier, flight and payload) is a duplicate;
//! 4. parts of a series wait for the others (or a timeout);
//! 5. lists, changes and close-outs move the flight's manifest; PNR pushes become booking
//!    versions after the legal filters, every deletion audited by category;
//! 6. a CONTRL answers the interchange; counters feed the carrier scorecard.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod clock;
pub mod criteria;
pub mod folder;
pub mod legal;
pub mod link;
mod read;
mod receipts;
pub mod screen;
mod sync;
pub mod target;
pub mod timing;
pub mod watchlists;
pub mod worker;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use model::{Capacity, Document, FlightKey, Identity, Sex, Status};
use paxlst::series::{Series, SeriesKey};
use paxlst::{ListChange, PassengerList};
use serde::Serialize;
use store::{AuditEntry, MessageState, Received, Store, StoreError, Tx};

pub use criteria::Criteria;
pub use legal::{Deletions, Regime};
use read::{PreparedPush, Reading};
pub use screen::Screener;
use screen::{Traveller, TravellerHits};
use std::sync::Arc;
pub use watchlists::Watchlists;

/// What went wrong while taking a message in. The message itself is never lost: an error here
/// leaves it in the vault in state `received`, and recovery processes it again.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("message {0} is not in the vault")]
    Unknown(i64),
    #[error(transparent)]
    List(#[from] screening::ImportError),
    #[error(transparent)]
    Receipt(#[from] receipts::ReceiptError),
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
}

/// How the intake behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long parts of a series wait for the others before they are processed as incomplete.
    pub series_timeout: Duration,
    pub regime: Regime,
    /// Passage's own identifier as the sender of CONTRL messages.
    pub identity: String,
    /// Matcher settings (thresholds and modes per list).
    pub screening: screening::Config,
    /// When a list changes, flights that departed up to this many days ago are screened again
    /// too (flights not yet gone always are).
    pub rescreen_days: i64,
    /// The push windows carriers are held to.
    pub windows: timing::PushWindows,
    /// Airport time zones, to judge timing (schedules are local).
    pub airports: timing::AirportZones,
    /// The most time reading one message may take (parsing, legal filters, screening,
    /// targeting); a message that takes longer is parked as failed with a finding.
    pub read_budget: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            series_timeout: Duration::from_secs(10 * 60),
            regime: Regime::eu_pnr_directive(),
            identity: "PIU".into(),
            // A PNR traveller without SSR DOCS is known by name alone: only a strong name on
            // a name not common hits, so the analysts do not get every namesake.
            screening: screening::Config {
                name_only: Some(screening::NameOnly::STRICT),
                ..screening::Config::default()
            },
            rescreen_days: 2,
            windows: timing::PushWindows::default(),
            airports: timing::AirportZones::default(),
            read_budget: Duration::from_secs(60),
        }
    }
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Processed,
    Duplicate {
        of: i64,
    },
    /// A part of a series, kept until the others arrive.
    Waiting,
    /// Could not be read: kept in the vault with its findings.
    Failed,
    /// Kept in the vault, but could not be processed now (the store failed, or the bus could
    /// not be reached): it is processed later. Not to be sent again.
    Kept,
    /// Kept in the vault and queued on the bus: a worker (of this node or another) processes
    /// it. Not to be sent again.
    Queued,
    /// Nothing done: another processing of the same message applied it first (a delivery
    /// repeated by the bus, two workers on one id), or it is no longer where this processing
    /// started. Never an answer to a carrier.
    Skipped,
}

/// The answer to a carrier.
#[derive(Debug, Clone, Serialize)]
pub struct Receipt {
    pub message: i64,
    #[serde(flatten)]
    pub outcome: Outcome,
    pub findings: usize,
    /// The CONTRL for the interchange, as EDIFACT text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contrl: Option<String>,
}

/// Whether a channel's messages may act only on the sender's own flights: every carrier-facing
/// channel; not the administrator's bulk import of files (`passage ingest`).
fn senders_flights_only(channel: &str) -> bool {
    channel != "file"
}

/// How often recovery starts processing a message before parking it.
pub const MAX_RECOVERY_ATTEMPTS: i64 = 2;

/// What recovery did at a start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Recovery {
    /// Parts of series put back to wait for their others.
    pub series_parts: usize,
    pub processed: usize,
    /// Unreadable: kept with findings.
    pub failed: usize,
    /// Stopped the unit before: parked as failed, not processed again.
    pub parked: usize,
    /// Could not be processed now (the store failed); still kept, processed at the next start.
    pub errors: usize,
}

/// What reading a message would find (`Intake::preview`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// Read far enough to be applied (not failed, not refused).
    pub readable: bool,
    pub findings: usize,
    pub lists: usize,
    pub bookings: usize,
    /// Screening hits on the travellers.
    pub hits: usize,
    pub targeting_hits: usize,
}

/// Why a message was parked.
enum Parked {
    OverBudget,
    ReaderPanicked,
    Interrupted(i64),
    /// Delivered by the bus this many times without its processing finishing.
    Undelivered(u64),
}

/// What became of a part of a series.
enum Part {
    Waiting,
    Applied,
    Duplicate(i64),
}

/// Per-carrier counters for the compliance scorecard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CarrierCounters {
    pub received: u64,
    pub processed: u64,
    pub duplicates: u64,
    pub failed: u64,
    pub with_errors: u64,
    pub incomplete_series: u64,
    pub persons_missing_fields: u64,
    pub sensitive_deleted: u64,
    /// PNR pushes earlier than the window allows.
    pub pnr_early: u64,
    /// First PNR pushes of a flight later than the window.
    pub pnr_late: u64,
    /// Passenger or crew lists after departure.
    pub api_late: u64,
    /// Close-outs later than the window after departure.
    pub closeout_late: u64,
    /// Messages whose timing could not be judged (departure airport's zone unknown).
    pub timing_unknown: u64,
}

impl CarrierCounters {
    /// Each counter by its stable name.
    pub fn named(&self) -> [(&'static str, u64); 13] {
        [
            ("received", self.received),
            ("processed", self.processed),
            ("duplicates", self.duplicates),
            ("failed", self.failed),
            ("with_errors", self.with_errors),
            ("incomplete_series", self.incomplete_series),
            ("persons_missing_fields", self.persons_missing_fields),
            ("sensitive_deleted", self.sensitive_deleted),
            ("pnr_early", self.pnr_early),
            ("pnr_late", self.pnr_late),
            ("api_late", self.api_late),
            ("closeout_late", self.closeout_late),
            ("timing_unknown", self.timing_unknown),
        ]
    }

    fn add(&mut self, other: &CarrierCounters) {
        self.received += other.received;
        self.processed += other.processed;
        self.duplicates += other.duplicates;
        self.failed += other.failed;
        self.with_errors += other.with_errors;
        self.incomplete_series += other.incomplete_series;
        self.persons_missing_fields += other.persons_missing_fields;
        self.sensitive_deleted += other.sensitive_deleted;
        self.pnr_early += other.pnr_early;
        self.pnr_late += other.pnr_late;
        self.api_late += other.api_late;
        self.closeout_late += other.closeout_late;
        self.timing_unknown += other.timing_unknown;
    }
}

pub use clock::{Clock, SetClock};

/// A series some of whose parts this node holds: the parts (message, duplicate key, the part
/// as read), the sender, and since when this node waits. The store is the truth of which parts
/// still wait (another node may have received some, or applied the series); this is what this
/// node read of them.
struct Pending {
    parts: Vec<(i64, String, paxlst::Message)>,
    carrier: String,
    since: Instant,
}

impl Pending {
    fn series(&self) -> Series {
        let mut series = Series::new();
        for (_, _, m) in &self.parts {
            series.add(m.clone());
        }
        series
    }
}

/// A series' key as the store keeps it beside its waiting parts.
fn series_name(key: &SeriesKey) -> String {
    // Length-prefixed: no sender, document and reference run into another's.
    format!(
        "{}:{}/{}:{}/{}",
        key.sender.len(),
        key.sender,
        key.document.len(),
        key.document,
        key.reference
    )
}

/// The intake over a store.
pub struct Intake {
    store: Store,
    config: Arc<Config>,
    series: tokio::sync::Mutex<HashMap<SeriesKey, Pending>>,
    counters: std::sync::Mutex<BTreeMap<String, CarrierCounters>>,
    /// The screening service: the screener each message is screened with.
    watchlists: Arc<Watchlists>,
    /// The targeting service: the criteria each PNR traveller is evaluated against.
    criteria: Arc<Criteria>,
    /// Counter increments not yet written to the store, by carrier and day.
    unsaved: std::sync::Mutex<BTreeMap<(String, String), CarrierCounters>>,
    clock: Clock,
    receipts: receipts::GroupCommit,
    /// Messages read at once, one per core: under a flood the CPU work waits here (cheaply),
    /// not in hundreds of threads that would starve the server's other answers.
    read_slots: Arc<tokio::sync::Semaphore>,
    /// Between receiving and processing: none by default (the receiving task processes).
    bus: bus::Bus,
    /// Ids kept in the vault whose publication on the bus failed: published again by
    /// `sweep_bus` once the bus answers.
    unpublished: std::sync::Mutex<BTreeSet<i64>>,
    /// The highest id still `received` at the previous `sweep_bus`.
    swept_mark: std::sync::Mutex<Option<i64>>,
}

impl std::fmt::Debug for Intake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Intake")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Intake {
    /// The pipeline over a store, with its screening and targeting services (empty until
    /// loaded), on the wall clock.
    pub fn new(store: Store, config: Config) -> Intake {
        let clock = clock::wall();
        Intake {
            watchlists: Arc::new(Watchlists::new(
                store.clone(),
                config.screening.clone(),
                config.rescreen_days,
                clock.clone(),
            )),
            criteria: Arc::new(Criteria::new(store.clone(), clock.clone())),
            store,
            config: Arc::new(config),
            series: tokio::sync::Mutex::new(HashMap::new()),
            counters: std::sync::Mutex::new(BTreeMap::new()),
            unsaved: std::sync::Mutex::new(BTreeMap::new()),
            clock,
            receipts: receipts::GroupCommit::default(),
            read_slots: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            )),
            bus: bus::Bus::Inline,
            unpublished: std::sync::Mutex::new(BTreeSet::new()),
            swept_mark: std::sync::Mutex::new(None),
        }
    }

    /// Puts a bus between receiving and processing: receiving keeps the message, publishes
    /// its id and answers `queued`; `work` processes what the bus delivers. A step of
    /// construction.
    pub fn with_bus(mut self, bus: bus::Bus) -> Intake {
        self.bus = bus;
        self
    }

    /// The bus between receiving and processing.
    pub fn bus(&self) -> &bus::Bus {
        &self.bus
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The screening service (lists in force, imports, re-screening), shared with the faces.
    pub fn watchlists(&self) -> &Arc<Watchlists> {
        &self.watchlists
    }

    /// The targeting service (criteria, their lifecycle, back-tests), shared with the faces.
    pub fn criteria(&self) -> &Arc<Criteria> {
        &self.criteria
    }

    fn screener(&self) -> Option<Arc<Screener>> {
        self.watchlists.screener()
    }

    fn targeter(&self) -> Option<Arc<target::Targeter>> {
        self.criteria.targeter()
    }

    /// Counters per carrier since start.
    pub fn counters(&self) -> BTreeMap<String, CarrierCounters> {
        sync::lock(&self.counters).clone()
    }

    /// Runs on another clock (the demo's simulated one): timing, counter days, re-screening
    /// and criteria reviews follow it. A step of construction: the services are made anew on
    /// that clock, so call it before loading lists or criteria.
    pub fn with_clock(mut self, clock: Clock) -> Intake {
        invariant::never!(
            self.watchlists.screener().is_some() || self.criteria.targeter().is_some()
                => "with_clock after loading drops the lists and criteria loaded"
        );
        self.watchlists = Arc::new(Watchlists::new(
            self.store.clone(),
            self.config.screening.clone(),
            self.config.rescreen_days,
            clock.clone(),
        ));
        self.criteria = Arc::new(Criteria::new(self.store.clone(), clock.clone()));
        self.clock = clock;
        self
    }

    /// The airports' time zones the intake judges timing with.
    pub fn airports(&self) -> &timing::AirportZones {
        &self.config.airports
    }

    /// The intake's time: the wall clock, or the demo's simulated one. The only source of
    /// "now" for reading, timing, re-screening and expiry, so tests can set it.
    pub fn now(&self) -> jiff::Timestamp {
        (self.clock)()
    }

    /// The intake's today, in UTC.
    pub fn today(&self) -> jiff::civil::Date {
        utc_date(self.now())
    }

    /// A local time at an airport as an instant, when the airport's zone is known.
    pub fn at_airport(
        &self,
        airport: &str,
        local: jiff::civil::DateTime,
    ) -> Option<jiff::Timestamp> {
        self.config.airports.instant(airport, local)
    }

    fn count(&self, carrier: &str, f: impl FnOnce(&mut CarrierCounters)) {
        let mut delta = CarrierCounters::default();
        f(&mut delta);
        sync::lock(&self.counters)
            .entry(carrier.to_string())
            .or_default()
            .add(&delta);
        let day = jiff::tz::TimeZone::UTC
            .to_datetime(self.now())
            .date()
            .to_string();
        sync::lock(&self.unsaved)
            .entry((carrier.to_string(), day))
            .or_default()
            .add(&delta);
    }

    /// Writes the counter increments so far in the caller's transaction.
    async fn save_counts(&self, tx: &mut Tx) -> Result<(), IntakeError> {
        let unsaved = std::mem::take(&mut *sync::lock(&self.unsaved));
        for ((carrier, day), c) in &unsaved {
            let named: Vec<(&str, i64)> = c
                .named()
                .iter()
                .map(|(k, v)| (*k, i64::try_from(*v).unwrap_or(i64::MAX)))
                .collect();
            tx.add_counts(carrier, day, &named).await?;
        }
        Ok(())
    }

    fn count_timing(&self, carrier: &str, timing: timing::Timing, late: fn(&mut CarrierCounters)) {
        match timing {
            timing::Timing::OnTime => {}
            timing::Timing::Early => self.count(carrier, |c| c.pnr_early += 1),
            timing::Timing::Late => self.count(carrier, late),
            timing::Timing::Unknown => self.count(carrier, |c| c.timing_unknown += 1),
        }
    }

    /// Keeps a message, then processes it. The receipt is durable before this returns, whatever
    /// processing does.
    pub async fn receive(
        &self,
        channel: &str,
        carrier: &str,
        body: &[u8],
    ) -> Result<Receipt, IntakeError> {
        let id = self
            .receipts
            .receive(&self.store, channel, carrier, body)
            .await?;
        // The store audited the receipt in the same transaction.
        self.count(carrier, |c| c.received += 1);
        if self.bus.queues() {
            return Ok(self.queue(id).await);
        }
        match self
            .process_body(id, channel, carrier, body, MessageState::Received)
            .await
        {
            Ok(receipt) => Ok(receipt),
            Err(e) => {
                // The message is kept: the sender must not be told to send it again (a
                // message that cannot be processed would come back for ever).
                tracing::error!(message = id, error = %e, "processing a kept message");
                Ok(Receipt {
                    message: id,
                    outcome: Outcome::Kept,
                    findings: 0,
                    contrl: None,
                })
            }
        }
    }

    /// The CONTRL for a kept message, written now from its bytes: what a carrier whose receipt
    /// was `queued` (processing on a worker) asks for later. `None` when the interchange asks
    /// for none; `Unknown` when the vault has no such message. Parsed on a blocking thread.
    pub async fn contrl(&self, id: i64) -> Result<Option<String>, IntakeError> {
        let body = self
            .store
            .message_body(id)
            .await?
            .ok_or(IntakeError::Unknown(id))?;
        let (config, now) = (self.config.clone(), self.now());
        tokio::task::spawn_blocking(move || {
            read::contrl_of(&config, id, &edifact::parse(&body), now)
        })
        .await
        .map_err(|e| IntakeError::Corrupt(format!("writing a CONTRL stopped: {e}")))
    }

    /// Keeps several messages of one channel and carrier in one commit (one wait for the disk),
    /// then processes them in order in one write transaction, reading the next message on a
    /// blocking thread while the store writes the previous one. Every receipt is durable before
    /// the first is processed; if processing fails, the batch stays in the vault unprocessed and
    /// `recover` takes it up.
    pub async fn receive_batch(
        &self,
        channel: &str,
        carrier: &str,
        bodies: Vec<Vec<u8>>,
    ) -> Result<Vec<Receipt>, IntakeError> {
        let received: Vec<Received<'_>> = bodies
            .iter()
            .map(|body| Received {
                channel,
                carrier,
                body,
            })
            .collect();
        let ids = self.store.receive_many(&received).await?;
        drop(received);
        self.count(carrier, |c| c.received += ids.len() as u64);
        if self.bus.queues() {
            let mut receipts = Vec::with_capacity(ids.len());
            for id in ids {
                receipts.push(self.queue(id).await);
            }
            return Ok(receipts);
        }
        let (send, mut readings) = tokio::sync::mpsc::channel(8);
        let config = self.config.clone();
        let screener = self.screener();
        let targeter = self.targeter();
        let reader_carrier = carrier.to_string();
        let reader_ids = ids.clone();
        let clock = self.clock.clone();
        let only_own = senders_flights_only(channel);
        let reader = tokio::task::spawn_blocking(move || {
            for (id, body) in reader_ids.into_iter().zip(&bodies) {
                if send
                    .blocking_send(read::read(
                        &config,
                        screener.as_deref(),
                        targeter.as_deref(),
                        &read::Incoming {
                            id,
                            carrier: &reader_carrier,
                            body,
                            now: clock(),
                            senders_flights_only: only_own,
                        },
                    ))
                    .is_err()
                {
                    break;
                }
            }
        });
        let mut receipts = Vec::with_capacity(ids.len());
        let mut tx = self.store.begin().await?;
        while let Some(reading) = readings.recv().await {
            receipts.push(self.apply(&mut tx, reading, MessageState::Received).await?);
        }
        self.save_counts(&mut tx).await?;
        tx.commit().await?;
        // The reader has sent everything (the channel closed); a panic in it would show as
        // fewer receipts, and those messages stay in the vault for `recover`.
        let _ = reader.await;
        Ok(receipts)
    }

    /// After a start: rebuilds the series whose parts wait for others (their state is kept,
    /// the waiting is in memory), then processes every message kept but not processed. A
    /// message whose processing was already started `MAX_RECOVERY_ATTEMPTS` times (it stopped
    /// the unit each time) is parked as failed instead. One message failing does not stop the
    /// others.
    pub async fn recover(&self) -> Result<Recovery, IntakeError> {
        let mut report = Recovery::default();
        let (parts, errors) = self.restore().await?;
        report.series_parts = parts;
        report.errors = errors;
        for id in self.store.unprocessed().await? {
            self.recover_one(id, &mut report).await?;
        }
        Ok(report)
    }

    /// Without a bus, about once a minute: processes the messages that were kept but still
    /// not processed at the previous sweep (the store failed between keeping and processing
    /// them, e.g. while PostgreSQL restarted), as a start's recovery would. Messages kept
    /// since the previous sweep are left to the task that received them. Returns what was
    /// done; with a bus, nothing (its sweep publishes them again).
    pub async fn sweep_kept(&self) -> Result<Recovery, IntakeError> {
        let mut report = Recovery::default();
        if self.bus.queues() {
            return Ok(report);
        }
        for id in self.received_since_last_sweep().await? {
            self.recover_one(id, &mut report).await?;
        }
        if report.processed + report.failed + report.parked > 0 {
            tracing::warn!(
                processed = report.processed,
                failed = report.failed,
                parked = report.parked,
                "kept messages processed late"
            );
        }
        Ok(report)
    }

    /// The messages still `received` that were already `received` at the previous sweep (none
    /// at the first): what no task took up in a minute. Remembers this sweep's mark; the two
    /// sweeps (`sweep_kept` without a bus, `sweep_bus` with one) share it, one per node.
    pub(crate) async fn received_since_last_sweep(&self) -> Result<Vec<i64>, IntakeError> {
        let received = self.store.unprocessed().await?;
        let mark = sync::lock(&self.swept_mark).replace(received.last().copied().unwrap_or(0));
        Ok(match mark {
            Some(mark) => received.into_iter().filter(|id| *id <= mark).collect(),
            None => Vec::new(),
        })
    }

    /// Processes one message kept but not processed, or parks it when its processing was
    /// started `MAX_RECOVERY_ATTEMPTS` times already; counts what it did in `report`.
    async fn recover_one(&self, id: i64, report: &mut Recovery) -> Result<(), IntakeError> {
        let attempts = self.store.start_attempt(id).await?;
        match self.resume(id, None, attempts).await {
            Ok(None) => report.parked += 1,
            Ok(Some(r)) if r.outcome == Outcome::Failed => report.failed += 1,
            Ok(Some(_)) => report.processed += 1,
            // Parking failed: the store is in trouble, the caller stops.
            Err(e) if attempts > MAX_RECOVERY_ATTEMPTS => return Err(e),
            Err(e) => {
                tracing::error!(message = id, error = %e, "recovering a message");
                report.errors += 1;
            }
        }
        Ok(())
    }

    /// Takes up a message whose processing starts for the `attempts`-th time, its earlier
    /// starts interrupted (a crash, a worker gone): processes it, or parks it as failed past
    /// `MAX_RECOVERY_ATTEMPTS` (`None`). `carrier` is looked up when not given.
    pub(crate) async fn resume(
        &self,
        id: i64,
        carrier: Option<&str>,
        attempts: i64,
    ) -> Result<Option<Receipt>, IntakeError> {
        if attempts <= MAX_RECOVERY_ATTEMPTS {
            return self.process(id).await.map(Some);
        }
        let carrier = match carrier {
            Some(c) => c.to_string(),
            None => {
                self.store
                    .message(id)
                    .await?
                    .ok_or(IntakeError::Unknown(id))?
                    .carrier
            }
        };
        self.park(
            id,
            &carrier,
            Parked::Interrupted(attempts - 1),
            MessageState::Received,
        )
        .await?;
        Ok(None)
    }

    /// Puts the parts of series kept as waiting back to wait for their others (the waiting is
    /// in memory): the first step of `recover`, and all of it with a bus, whose workers take
    /// the received messages. Returns how many parts were restored.
    pub async fn restore_series(&self) -> Result<usize, IntakeError> {
        Ok(self.restore().await?.0)
    }

    /// Restores the waiting parts: how many were, and how many failed.
    async fn restore(&self) -> Result<(usize, usize), IntakeError> {
        let (mut parts, mut errors) = (0, 0);
        for id in self.store.waiting().await? {
            match self.process_from(id, MessageState::Waiting).await {
                Ok(_) => parts += 1,
                Err(e) => {
                    tracing::error!(message = id, error = %e, "restoring a series part");
                    errors += 1;
                }
            }
        }
        Ok((parts, errors))
    }

    /// What reading a message would find, keeping and writing nothing: the whole read phase
    /// (parsing, legal filters, screening, targeting) with the lists and criteria in force, on
    /// the calling thread. What the read-phase fuzz target drives.
    pub fn preview(&self, channel: &str, carrier: &str, body: &[u8]) -> Preview {
        let screener = self.screener();
        let targeter = self.targeter();
        let reading = read::read(
            &self.config,
            screener.as_deref(),
            targeter.as_deref(),
            &read::Incoming {
                id: 0,
                carrier,
                body,
                now: self.now(),
                senders_flights_only: senders_flights_only(channel),
            },
        );
        let screened = |hits: &[TravellerHits]| hits.iter().map(|t| t.hits.len()).sum::<usize>();
        Preview {
            readable: reading.key.is_some(),
            findings: reading.findings,
            lists: reading.lists.len(),
            bookings: reading.pushes.iter().map(|p| p.bookings.len()).sum(),
            hits: reading
                .lists
                .iter()
                .filter_map(|(_, hits)| hits.as_deref())
                .map(screened)
                .sum::<usize>()
                + reading
                    .pushes
                    .iter()
                    .map(|p| screened(&p.hits))
                    .sum::<usize>(),
            targeting_hits: reading.pushes.iter().map(|p| p.targets.len()).sum(),
        }
    }

    /// Parks a message as failed, with a finding saying why; it is not processed again by
    /// itself (an administrator sees it among the failed messages). Claimed from `from`, like
    /// processing: a message another worker applied meanwhile is left as it is (`Skipped`).
    async fn park(
        &self,
        id: i64,
        carrier: &str,
        why: Parked,
        from: MessageState,
    ) -> Result<Receipt, IntakeError> {
        let finding = match why {
            Parked::OverBudget => edifact::Finding::error(
                "read_budget_exceeded",
                format!(
                    "reading took longer than {} s: parked, not processed",
                    self.config.read_budget.as_secs()
                ),
            ),
            Parked::ReaderPanicked => edifact::Finding::error(
                "reader_failed",
                "the reader stopped on this message (a defect): parked, not processed",
            ),
            Parked::Interrupted(times) => edifact::Finding::error(
                "processing_interrupted",
                format!(
                    "the unit stopped {times} times while processing this message: parked, \
                     not processed again"
                ),
            ),
            Parked::Undelivered(deliveries) => edifact::Finding::error(
                "deliveries_exhausted",
                format!(
                    "the bus delivered this message {deliveries} times without its processing \
                     finishing: parked, not processed again"
                ),
            ),
        };
        let findings = serde_json::to_value([finding])
            .map_err(|e| IntakeError::Corrupt(format!("a finding as JSON: {e}")))?;
        let mut tx = self.store.begin().await?;
        if !tx.claim(id, from).await? {
            return Ok(Receipt {
                message: id,
                outcome: Outcome::Skipped,
                findings: 0,
                contrl: None,
            });
        }
        tx.finish(id, MessageState::Failed, None, &findings, None)
            .await?;
        tx.commit().await?;
        self.count(carrier, |c| c.failed += 1);
        Ok(Receipt {
            message: id,
            outcome: Outcome::Failed,
            findings: 1,
            contrl: None,
        })
    }

    /// Processes a message of the vault received and not processed yet. A message processed
    /// already (or being processed by another worker, which commits first) is `Skipped`:
    /// processing is idempotent by message id.
    pub async fn process(&self, id: i64) -> Result<Receipt, IntakeError> {
        self.process_from(id, MessageState::Received).await
    }

    /// Processes a message of the vault that is in state `from` (`received`, or `waiting`
    /// for a part of a series restored at start); in any other state it is `Skipped`.
    async fn process_from(&self, id: i64, from: MessageState) -> Result<Receipt, IntakeError> {
        let meta = self
            .store
            .message(id)
            .await?
            .ok_or(IntakeError::Unknown(id))?;
        if meta.state != from {
            return Ok(Receipt {
                message: id,
                outcome: Outcome::Skipped,
                findings: 0,
                contrl: None,
            });
        }
        let body = self
            .store
            .message_body(id)
            .await?
            .ok_or(IntakeError::Unknown(id))?;
        self.process_body(id, &meta.channel, &meta.carrier, &body, from)
            .await
    }

    /// Processes message `id` of the vault, in state `from`, whose carrier and bytes the
    /// caller holds. The reading (CPU work: parsing, legal filters, screening, targeting) runs
    /// on a blocking thread, within the read budget; a message that exceeds it is parked as
    /// failed.
    async fn process_body(
        &self,
        id: i64,
        channel: &str,
        carrier: &str,
        body: &[u8],
        from: MessageState,
    ) -> Result<Receipt, IntakeError> {
        let senders_flights_only = senders_flights_only(channel);
        let config = self.config.clone();
        let screener = self.screener();
        let targeter = self.targeter();
        let owned_carrier = carrier.to_string();
        let owned_body = body.to_vec();
        let now = self.now();
        let slot = self
            .read_slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| IntakeError::Corrupt("the read slots were closed".into()))?;
        let reader = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            read::read(
                &config,
                screener.as_deref(),
                targeter.as_deref(),
                &read::Incoming {
                    id,
                    carrier: &owned_carrier,
                    body: &owned_body,
                    now,
                    senders_flights_only,
                },
            )
        });
        let reading = match tokio::time::timeout(self.config.read_budget, reader).await {
            Ok(Ok(reading)) => reading,
            Ok(Err(_panicked)) => {
                // A reader must never panic; if one did, the message is kept and shown.
                tracing::error!(message = id, "reading a message panicked");
                return self.park(id, carrier, Parked::ReaderPanicked, from).await;
            }
            Err(_elapsed) => {
                tracing::error!(message = id, "reading a message exceeded its budget");
                return self.park(id, carrier, Parked::OverBudget, from).await;
            }
        };
        // Everything the message changes is written in one transaction.
        let mut tx = self.store.begin().await?;
        let receipt = self.apply(&mut tx, reading, from).await?;
        self.save_counts(&mut tx).await?;
        tx.commit().await?;
        Ok(receipt)
    }

    /// Writes what a reading of a message changes, in the caller's transaction, once the
    /// message is claimed from state `from` (else nothing: `Skipped`).
    async fn apply(
        &self,
        tx: &mut Tx,
        reading: Reading,
        from: MessageState,
    ) -> Result<Receipt, IntakeError> {
        let Reading {
            id,
            carrier,
            contrl,
            findings,
            findings_json,
            has_errors,
            message_type,
            key,
            lists,
            pushes,
            kept,
        } = reading;
        let receipt = |outcome| Receipt {
            message: id,
            outcome,
            findings,
            contrl: contrl.clone(),
        };
        // First, under the write lock: whoever applies a message applies it once.
        if !tx.claim(id, from).await? {
            return Ok(Receipt {
                message: id,
                outcome: Outcome::Skipped,
                findings: 0,
                contrl: None,
            });
        }
        // What the law does not let the unit keep leaves the vault with the message's first
        // write, whatever becomes of the message (applied, duplicate, refused).
        if let Some(kept) = &kept {
            tx.keep_filtered(id, kept).await?;
        }
        let Some(key) = key else {
            tx.finish(id, MessageState::Failed, None, &findings_json, None)
                .await?;
            self.count(&carrier, |c| c.failed += 1);
            return Ok(receipt(Outcome::Failed));
        };
        if has_errors {
            self.count(&carrier, |c| c.with_errors += 1);
        }
        if let Some(of) = tx.processed_under(&key).await? {
            tx.mark_duplicate(id, of).await?;
            self.count(&carrier, |c| c.duplicates += 1);
            return Ok(receipt(Outcome::Duplicate { of }));
        }

        let mut waiting = false;
        for (m, hits) in lists {
            if m.is_series_part() {
                match self.add_part(tx, id, &key, m).await? {
                    Part::Waiting => waiting = true,
                    Part::Applied => {}
                    Part::Duplicate(of) => {
                        tx.mark_duplicate(id, of).await?;
                        self.count(&carrier, |c| c.duplicates += 1);
                        return Ok(receipt(Outcome::Duplicate { of }));
                    }
                }
            } else if let Some(list) = m.passenger_list() {
                self.apply_list(tx, list, id, &carrier, hits).await?;
            }
        }
        for push in pushes {
            self.apply_push(tx, push, id, &carrier).await?;
        }
        let state = if waiting {
            MessageState::Waiting
        } else {
            MessageState::Processed
        };
        tx.finish(
            id,
            state,
            message_type.as_deref(),
            &findings_json,
            (!waiting).then_some(key.as_str()),
        )
        .await?;
        if !waiting {
            self.count(&carrier, |c| c.processed += 1);
        }
        Ok(receipt(if waiting {
            Outcome::Waiting
        } else {
            Outcome::Processed
        }))
    }

    /// Adds a part to its series; applies the merged list when the series is complete.
    async fn add_part(
        &self,
        tx: &mut Tx,
        id: i64,
        key: &str,
        m: paxlst::Message,
    ) -> Result<Part, IntakeError> {
        let series_key = SeriesKey::of(&m);
        let name = series_name(&series_key);
        let carrier = m
            .interchange
            .as_ref()
            .map(|i| i.sender.clone())
            .unwrap_or_default();
        // Under the write lock: the parts waiting in the store are those no node has applied,
        // wherever they were received.
        let waiting: Vec<i64> = tx
            .waiting_in_series(&name)
            .await?
            .into_iter()
            .filter(|w| *w != id)
            .collect();
        let known: Vec<i64> = self
            .series
            .lock()
            .await
            .get(&series_key)
            .map(|p| p.parts.iter().map(|(id, _, _)| *id).collect())
            .unwrap_or_default();
        let unread: Vec<i64> = waiting
            .iter()
            .copied()
            .filter(|w| !known.contains(w))
            .collect();
        let others = self.read_parts(&series_key, &unread).await?;
        let complete = {
            let mut all = self.series.lock().await;
            let pending = all.entry(series_key.clone()).or_insert_with(|| Pending {
                parts: Vec::new(),
                carrier: carrier.clone(),
                since: Instant::now(),
            });
            pending.parts.retain(|(p, _, _)| waiting.contains(p));
            pending.parts.extend(others);
            // A part sent again while its series waits.
            if let Some((of, _, _)) = pending.parts.iter().find(|(_, k, _)| k == key) {
                return Ok(Part::Duplicate(*of));
            }
            pending.parts.push((id, key.to_string(), m));
            if pending.series().is_complete() {
                all.remove(&series_key)
            } else {
                None
            }
        };
        let Some(done) = complete else {
            tx.set_series(id, &name).await?;
            return Ok(Part::Waiting);
        };
        self.apply_series(tx, done).await?;
        Ok(Part::Applied)
    }

    /// Parts of a series this node has not read (another node received them), read again
    /// from the vault.
    async fn read_parts(
        &self,
        series: &SeriesKey,
        ids: &[i64],
    ) -> Result<Vec<(i64, String, paxlst::Message)>, IntakeError> {
        let mut out = Vec::new();
        for &id in ids {
            let (Some(meta), Some(body)) = (
                self.store.message(id).await?,
                self.store.message_body(id).await?,
            ) else {
                invariant::never!("a waiting part {id} is not in the vault");
                continue;
            };
            // Parts are small (one list each): read here, without screening, which ran when
            // the part was received and runs again on the merged list.
            let reading = read::read(
                &self.config,
                None,
                None,
                &read::Incoming {
                    id,
                    carrier: &meta.carrier,
                    body: &body,
                    now: self.now(),
                    senders_flights_only: senders_flights_only(&meta.channel),
                },
            );
            let Some(key) = reading.key else {
                invariant::never!("a waiting part {id} no longer reads");
                continue;
            };
            for (m, _) in reading.lists {
                if m.is_series_part() && SeriesKey::of(&m) == *series {
                    out.push((id, key.clone(), m));
                }
            }
        }
        Ok(out)
    }

    async fn apply_series(&self, tx: &mut Tx, done: Pending) -> Result<(), IntakeError> {
        let carrier = done.carrier.as_str();
        if let Some((list, findings)) = done.series().merge() {
            if findings
                .iter()
                .any(|f| f.code == paxlst::code::SERIES_INCOMPLETE)
            {
                self.count(carrier, |c| c.incomplete_series += 1);
            }
            let last = done
                .parts
                .iter()
                .map(|(id, _, _)| *id)
                .max()
                .unwrap_or_default();
            let flight = self.apply_list(tx, &list, last, carrier, None).await?;
            let findings = read::findings_json(&findings);
            // Every part keeps its series' name, the completing one too: a person's record
            // names the last part, and the console finds their segments in the others.
            let name = done
                .parts
                .first()
                .map(|(_, _, m)| series_name(&SeriesKey::of(m)));
            for (part, key, _) in &done.parts {
                if let Some(flight) = flight {
                    tx.message_flight(*part, flight).await?;
                }
                if let Some(name) = &name {
                    tx.set_series(*part, name).await?;
                }
                tx.finish(
                    *part,
                    MessageState::Processed,
                    Some("PAXLST"),
                    &findings,
                    Some(key),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Processes, as incomplete, the series that have waited longer than the timeout.
    pub async fn flush_series(&self) -> Result<usize, IntakeError> {
        let timeout = self.config.series_timeout;
        let expired: Vec<(SeriesKey, Pending)> = {
            let mut all = self.series.lock().await;
            let keys: Vec<SeriesKey> = all
                .iter()
                .filter(|(_, p)| p.since.elapsed() >= timeout)
                .map(|(k, _)| k.clone())
                .collect();
            keys.into_iter()
                .filter_map(|k| all.remove(&k).map(|p| (k, p)))
                .collect()
        };
        let mut n = 0;
        for (key, mut done) in expired {
            let mut tx = self.store.begin().await?;
            // Under the write lock: only the parts still waiting (another node may have
            // applied the series, or received parts this node has not read).
            let waiting = tx.waiting_in_series(&series_name(&key)).await?;
            done.parts.retain(|(p, _, _)| waiting.contains(p));
            let unread: Vec<i64> = waiting
                .iter()
                .copied()
                .filter(|w| !done.parts.iter().any(|(p, _, _)| p == w))
                .collect();
            done.parts.extend(self.read_parts(&key, &unread).await?);
            if done.parts.is_empty() {
                continue;
            }
            self.apply_series(&mut tx, done).await?;
            self.save_counts(&mut tx).await?;
            tx.commit().await?;
            n += 1;
        }
        Ok(n)
    }

    /// Moves a flight's manifest as a list, change or close-out says.
    async fn apply_list(
        &self,
        tx: &mut Tx,
        list: &PassengerList,
        message: i64,
        carrier: &str,
        hits: Option<Vec<TravellerHits>>,
    ) -> Result<Option<i64>, IntakeError> {
        let Some(key) = api_flight_key(list) else {
            return Ok(None);
        };
        let first = list.legs.first();
        let last = list.legs.last();
        let departure = first.and_then(|l| l.departure).map(|d| d.to_string());
        let arrival = last.and_then(|l| l.arrival).map(|d| d.to_string());
        let flight = tx
            .flight_id(&key, departure.as_deref(), arrival.as_deref())
            .await?;
        tx.message_flight(message, flight).await?;
        let departs = first
            .and_then(|l| l.departure)
            .and_then(|d| self.config.airports.instant(&key.origin, d.datetime()));
        let closeout = matches!(
            list.change,
            Some(ListChange::ClosedOnBoard | ListChange::ClosedNotOnBoard | ListChange::Closed)
        );
        if list.change.is_none() || closeout {
            let timing = timing::api_list(&self.config.windows, departs, self.now(), closeout);
            if closeout {
                self.count_timing(carrier, timing, |c| c.closeout_late += 1);
            } else {
                self.count_timing(carrier, timing, |c| c.api_late += 1);
            }
        }
        let references: Vec<&str> = list
            .persons
            .iter()
            .filter_map(|p| p.passenger_reference())
            .collect();
        let store = tx;
        match &list.change {
            Some(ListChange::FlightCancelled) => {
                store.set_flight_status(flight, "cancelled").await?;
                store
                    .set_statuses(flight, None, Status::Cancelled, message)
                    .await?;
            }
            Some(ListChange::ClosedOnBoard) => {
                store
                    .set_persons_status(flight, &references, Status::Boarded, message)
                    .await?;
                store
                    .set_passenger_statuses(flight, Status::Reported, Status::NotBoarded, message)
                    .await?;
                store.set_flight_status(flight, "closed").await?;
            }
            Some(ListChange::ClosedNotOnBoard) => {
                // The list names who did not board: everyone else reported did.
                store
                    .set_persons_status(flight, &references, Status::NotBoarded, message)
                    .await?;
                store
                    .set_passenger_statuses(flight, Status::Reported, Status::Boarded, message)
                    .await?;
                store.set_flight_status(flight, "closed").await?;
            }
            Some(ListChange::Closed) => store.set_flight_status(flight, "closed").await?,
            Some(ListChange::CancelReservation | ListChange::ReductionInParty) => {
                store
                    .set_persons_status(flight, &references, Status::Removed, message)
                    .await?;
            }
            _ => {
                let identities: Vec<Identity> = list.persons.iter().map(identity).collect();
                let missing = identities
                    .iter()
                    .filter(|i| i.date_of_birth.is_none() || i.documents.is_empty())
                    .count() as u64;
                if missing > 0 {
                    self.count(carrier, |c| c.persons_missing_fields += missing);
                }
                let updates: Vec<store::PersonUpdate<'_>> = list
                    .persons
                    .iter()
                    .zip(&identities)
                    .map(|(p, identity)| store::PersonUpdate {
                        reference: p.passenger_reference(),
                        booking: p.booking_locator(),
                        role: if p.role.is_crew() {
                            Capacity::Crew
                        } else {
                            Capacity::Passenger
                        },
                        status: Status::Reported,
                        identity,
                        message,
                    })
                    .collect();
                store.put_persons(flight, &updates).await?;
                // A list arriving after the close-out: who was settled stays settled (the upsert
                // keeps boarded and not-boarded), and whoever the close-out did not list as on
                // board did not board.
                if store.flight_status(flight).await? == "closed" {
                    store
                        .set_passenger_statuses(
                            flight,
                            Status::Reported,
                            Status::NotBoarded,
                            message,
                        )
                        .await?;
                }
                let mut locators: Vec<String> = list
                    .persons
                    .iter()
                    .filter_map(|p| p.booking_locator().map(String::from))
                    .collect();
                locators.sort_unstable();
                locators.dedup();
                relink(store, flight, &locators).await?;
                let hits = match (hits, self.screener()) {
                    (Some(hits), _) => hits,
                    (None, Some(s)) => screen::screen_list(&s, list, self.today()),
                    (None, None) => Vec::new(),
                };
                self.keep_hits(store, flight, message, &hits).await?;
            }
        }
        Ok(Some(flight))
    }

    /// Keeps what screening found on a flight's travellers.
    async fn keep_hits(
        &self,
        tx: &mut Tx,
        flight: i64,
        message: i64,
        found: &[TravellerHits],
    ) -> Result<(), IntakeError> {
        let Some(screener) = self.screener().filter(|_| !found.is_empty()) else {
            return Ok(());
        };
        let mut rows = Vec::new();
        for f in found {
            let subject = match &f.traveller {
                Traveller::Api {
                    reference: Some(reference),
                    ..
                } => tx
                    .manifest_id(flight, reference)
                    .await?
                    .map(|manifest_id| store::HitSubject::Api { manifest_id }),
                Traveller::Api {
                    reference: None,
                    surname,
                    given_names,
                } => tx
                    .manifest_id_unreferenced(flight, message, surname, given_names)
                    .await?
                    .map(|manifest_id| store::HitSubject::Api { manifest_id }),
                Traveller::Pnr { locator, reference } => Some(store::HitSubject::Pnr {
                    locator: locator.clone(),
                    traveller: reference.clone(),
                }),
            };
            if let Some(subject) = subject {
                rows.extend(screener.rows(f, flight, subject, message));
            }
        }
        tx.put_hits(&rows).await?;
        Ok(())
    }

    /// Keeps each booking of a push as a new version (the legal filters already applied),
    /// audits what the filters deleted, and relinks the changed bookings.
    async fn apply_push(
        &self,
        tx: &mut Tx,
        push: PreparedPush,
        message: i64,
        carrier: &str,
    ) -> Result<(), IntakeError> {
        let flight = tx
            .flight_id(
                &push.key,
                push.departure.as_deref(),
                push.arrival.as_deref(),
            )
            .await?;
        tx.message_flight(message, flight).await?;
        let first = !tx.has_bookings(flight).await?;
        let departs = push
            .departure_at
            .and_then(|d| self.config.airports.instant(&push.key.origin, d));
        let timing = timing::pnr_push(&self.config.windows, departs, self.now(), first);
        self.count_timing(carrier, timing, |c| c.pnr_late += 1);
        let (_, changed) = tx
            .put_booking_versions(flight, message, &push.bookings)
            .await?;
        let travellers: usize = push.bookings.iter().map(|b| b.travellers.len()).sum();
        self.watchlists.saw_pnr_travellers(travellers as u64);
        relink(tx, flight, &changed).await?;
        self.keep_hits(tx, flight, message, &push.hits).await?;
        if !push.targets.is_empty() {
            let rows: Vec<_> = push
                .targets
                .iter()
                .map(|t| t.row(flight, message))
                .collect();
            tx.put_targeting_hits(&rows).await?;
        }
        if !push.deleted.is_empty() {
            let sensitive: u64 = push.deleted.sensitive.values().map(|v| *v as u64).sum();
            self.count(carrier, |c| c.sensitive_deleted += sensitive);
            let detail = format!(
                "regime={} sensitive={:?} not_allowed={:?}",
                self.config.regime.name, push.deleted.sensitive, push.deleted.not_allowed
            );
            tx.audit(&AuditEntry {
                actor: "system",
                action: "pnr.deleted_on_receipt",
                subject: &format!("message:{message}"),
                purpose: None,
                detail: &detail,
            })
            .await?;
        }
        Ok(())
    }
}

/// The UTC date of an instant: the day by which remembered false alarms expire and
/// re-screening reaches back.
pub(crate) fn utc_date(at: jiff::Timestamp) -> jiff::civil::Date {
    jiff::tz::TimeZone::UTC.to_datetime(at).date()
}

/// Links the persons of the given bookings on a flight to the flight's PNR travellers, replacing
/// their earlier links.
async fn relink(tx: &mut Tx, flight: i64, locators: &[String]) -> Result<(), IntakeError> {
    let persons = tx.link_persons(flight, Some(locators)).await?;
    if persons.is_empty() {
        return Ok(());
    }
    let travellers = tx.pnr_travellers(flight).await?;
    let links = link::link(&persons, &travellers);
    let considered: Vec<i64> = persons.iter().map(|p| p.manifest_id).collect();
    tx.put_links(&considered, &links).await?;
    Ok(())
}

/// The flight key of a list: carrier, number, first origin, last destination, first departure
/// date.
pub fn api_flight_key(list: &PassengerList) -> Option<FlightKey> {
    let first = list.legs.first()?;
    let last = list.legs.last()?;
    Some(FlightKey {
        carrier: first.carrier.as_deref()?.to_string(),
        number: first.number.as_deref()?.to_string(),
        origin: first.origin.as_deref()?.to_string(),
        destination: last.destination.as_deref()?.to_string(),
        date: first.departure.or(first.arrival)?.date,
    })
}

/// The flight key of a PNR push's flight.
pub fn pnr_flight_key(f: &pnrgov::Flight) -> Option<FlightKey> {
    Some(FlightKey {
        carrier: f
            .operating_carrier
            .as_deref()
            .or(f.carrier.as_deref())?
            .to_string(),
        number: f.number.as_deref()?.to_string(),
        origin: f.origin.as_deref()?.to_string(),
        destination: f.destination.as_deref()?.to_string(),
        date: f.departure.as_ref()?.at.date,
    })
}

/// A PAXLST person as the canonical identity.
pub fn identity(p: &paxlst::Person) -> Identity {
    Identity {
        surname: p.surname.as_deref().unwrap_or_default().to_string(),
        given_names: p.given_names.iter().map(|g| g.to_string()).collect(),
        sex: p.sex.map(|s| match s {
            paxlst::Sex::Male => Sex::Male,
            paxlst::Sex::Female => Sex::Female,
            paxlst::Sex::Unspecified => Sex::Unspecified,
            paxlst::Sex::Other => Sex::Other,
        }),
        date_of_birth: p.date_of_birth,
        nationality: p.nationality.as_deref().map(String::from),
        documents: p
            .documents
            .iter()
            .map(|d| Document {
                kind: Some(d.kind.to_string()),
                number: d.number.as_deref().map(String::from),
                issuing_state: d.issuing_state.as_deref().map(String::from),
                expiry: d.expiry,
            })
            .collect(),
    }
}
