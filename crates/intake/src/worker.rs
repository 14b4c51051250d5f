//! Processing through the bus: receiving publishes the id of what it kept, workers on every
//! node take ids and process them, and a node publishes again what the vault still holds as
//! received. The vault is the truth, the bus a list of what to do: an id published twice,
//! delivered twice or lost by the bus changes nothing, because processing claims the message
//! in its write transaction (`Tx::claim`) and a message no longer `received` is skipped.
//!
//! Carriers that deliver by message queue are taken here too: a message published on a
//! carrier's subject is kept in the vault (channel `nats`) and only then acknowledged.

use std::time::Duration;

use bus::{CarrierDelivery, Delivery, JetStream};
use invariant::Surely;
use store::{AuditEntry, Lease, MessageState};

use crate::{Intake, IntakeError, MAX_RECOVERY_ATTEMPTS, Outcome, Parked, Receipt};

/// How long a delivery that failed (the store could not write) waits before it comes back.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// How long a carrier's earlier message may wait for a worker of its own before a worker
/// holding a later one takes it over (its id waits in the bus behind the later one, or was
/// lost between the vault and the bus).
const ORDER_WAIT: Duration = Duration::from_secs(2);

/// How often a worker looks again at an earlier message it waits for.
const POLL: Duration = Duration::from_millis(20);

/// What a worker did with one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// Processed (whatever the outcome: processed, failed with findings, waiting, duplicate).
    Processed,
    /// Already applied, by this node or another: acknowledged without writing.
    Skipped,
    /// Parked as failed and put with the dead letters.
    DeadLettered,
    /// Not done now (the store failed): delivered again later.
    Retried,
}

/// What came of applying a delivered message in its carrier's order.
enum Step {
    /// Applied by another worker meanwhile: nothing to do.
    Done,
    /// Processed here.
    Applied(Receipt),
    /// Past its attempts: parked, not processed.
    Exhausted { attempts: i64 },
}

/// A wait that is told in the log once per `every` (a lease's length) while it lasts.
struct Waiting {
    since: tokio::time::Instant,
    every: Duration,
    told: Duration,
}

impl Waiting {
    fn new(every: Duration) -> Waiting {
        Waiting {
            since: tokio::time::Instant::now(),
            every,
            told: Duration::ZERO,
        }
    }

    /// Whether another `every` has passed since the wait began or was last told.
    fn due(&mut self) -> bool {
        let waited = self.since.elapsed();
        let due = waited >= self.told + self.every;
        if due {
            self.told = waited;
        }
        due
    }
}

/// The messages whose leases a worker holds now (the delivered one, and an earlier one of its
/// carrier while it applies that first).
#[derive(Default)]
struct Held(std::sync::Mutex<Vec<i64>>);

impl Intake {
    /// Publishes a kept message's id; the carrier's answer. When the bus cannot be reached the
    /// receipt is still durable: the answer is `kept` and the id is published again later.
    pub(crate) async fn queue(&self, id: i64) -> Receipt {
        let outcome = match self.bus.publish(id).await {
            Ok(()) => Outcome::Queued,
            Err(e) => {
                tracing::warn!(message = id, error = %e, "bus: a kept message waits to be published");
                crate::sync::lock(&self.unpublished).insert(id);
                Outcome::Kept
            }
        };
        Receipt {
            message: id,
            outcome,
            findings: 0,
            contrl: None,
        }
    }

    /// Takes ids from the bus and processes them, one at a time, until the bus closes (never,
    /// for NATS). Run as many as the node should process at once.
    pub async fn work(&self) {
        while let Some(d) = self.bus.next().await {
            self.handle(d).await;
        }
    }

    /// Processes one delivery and answers the bus: ack after the processing committed (or
    /// when there was nothing to do), retry when the store failed, dead letter past the
    /// attempts (the message parked as failed first).
    pub async fn handle(&self, d: Delivery) -> Handled {
        let id = d.id();
        let meta = match self.store.message(id).await {
            Ok(Some(meta)) => meta,
            Ok(None) => {
                tracing::error!(message = id, "bus: an id not in the vault");
                return self.answer(
                    id,
                    d.dead_letter("not_in_the_vault").await,
                    Handled::DeadLettered,
                );
            }
            Err(e) => {
                tracing::warn!(message = id, error = %e, "bus: reading a message's state");
                return self.answer(id, d.retry(RETRY_AFTER).await, Handled::Retried);
            }
        };
        // Done before (an ack lost, an id published again) or by another node.
        if meta.state != MessageState::Received {
            return self.answer(id, d.ack().await, Handled::Skipped);
        }
        let held = Held::default();
        let step = self
            .beating(&d, &held, self.apply_in_order(&d, &meta.carrier, &held))
            .await;
        match step {
            Ok(Step::Done) => self.answer(id, d.ack().await, Handled::Skipped),
            Ok(Step::Applied(receipt)) if receipt.outcome == Outcome::Skipped => {
                self.answer(id, d.ack().await, Handled::Skipped)
            }
            Ok(Step::Applied(_)) => self.answer(id, d.ack().await, Handled::Processed),
            Ok(Step::Exhausted { attempts }) => {
                let attempts_over = u64::try_from(attempts - 1).unwrap_or(0);
                let deliveries = (d.attempt() - 1).max(attempts_over);
                let parked = self
                    .park(
                        id,
                        &meta.carrier,
                        Parked::Undelivered(deliveries),
                        MessageState::Received,
                    )
                    .await;
                match parked {
                    Ok(_) => self.answer(
                        id,
                        d.dead_letter("deliveries_exhausted").await,
                        Handled::DeadLettered,
                    ),
                    Err(e) => {
                        tracing::warn!(message = id, error = %e, "bus: parking a message");
                        self.release(id).await;
                        self.answer(id, d.retry(RETRY_AFTER).await, Handled::Retried)
                    }
                }
            }
            Err(e) => {
                tracing::error!(message = id, error = %e, "bus: processing a message");
                self.release(id).await;
                self.answer(id, d.retry(RETRY_AFTER).await, Handled::Retried)
            }
        }
    }

    /// Takes the lease on the delivered message, applies the carrier's earlier messages that
    /// no live worker holds, then the message itself.
    async fn apply_in_order(
        &self,
        d: &Delivery,
        carrier: &str,
        held: &Held,
    ) -> Result<Step, IntakeError> {
        let id = d.id();
        let Some(attempts) = self.lease(id, held).await? else {
            return Ok(Step::Done);
        };
        if d.exhausted() || attempts > MAX_RECOVERY_ATTEMPTS {
            return Ok(Step::Exhausted { attempts });
        }
        self.after_earlier(carrier, id, held).await?;
        Ok(Step::Applied(self.process(id).await?))
    }

    /// Runs `work` while telling the bus the delivery is in hand and renewing the leases held,
    /// so that neither the bus nor a worker of another node takes the messages meanwhile. The
    /// two run side by side: a renewal waiting for the store's write lock never stops `work`,
    /// which may be holding it.
    async fn beating<T>(
        &self,
        d: &Delivery,
        held: &Held,
        work: impl std::future::Future<Output = T>,
    ) -> T {
        let beat = (self.lease_length() / 3).max(Duration::from_millis(100));
        let heartbeat = async {
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + beat, beat);
            loop {
                ticks.tick().await;
                if let Err(e) = d.progress().await {
                    tracing::warn!(message = d.id(), error = %e, "bus: telling progress");
                }
                let ids: Vec<i64> = crate::sync::lock(&held.0).clone();
                for id in ids {
                    if let Err(e) = self.store.renew_lease(id, self.lease_end()).await {
                        tracing::warn!(message = id, error = %e, "bus: renewing a lease");
                    }
                }
            }
        };
        tokio::pin!(work);
        tokio::select! {
            r = &mut work => r,
            // The heartbeat never ends; were it to, the work finishes without it.
            () = heartbeat => work.await,
        }
    }

    /// Takes the lease on message `id` for this worker, waiting while another worker holds
    /// it (a worker applying it as an earlier message of its carrier). `None` when it was
    /// applied meanwhile; otherwise the attempts counted, this one included.
    async fn lease(&self, id: i64, held: &Held) -> Result<Option<i64>, IntakeError> {
        let mut waiting = Waiting::new(self.lease_length());
        loop {
            let now = jiff::Timestamp::now();
            match self.store.take_lease(id, now, self.lease_end()).await? {
                Lease::Taken { attempts } => {
                    crate::sync::lock(&held.0).push(id);
                    return Ok(Some(attempts));
                }
                Lease::Done => return Ok(None),
                Lease::Held { until } => {
                    if waiting.due() {
                        tracing::warn!(message = id, "bus: waiting for another worker's lease");
                    }
                    let left = until.duration_since(now).unsigned_abs();
                    tokio::time::sleep(left.clamp(POLL, Duration::from_secs(1))).await;
                }
            }
        }
    }

    /// Applies, in receipt order, the carrier's messages received before `id` and not applied
    /// yet: waits while a live worker holds one (its lease runs), and takes one over when no
    /// worker has held it for [`ORDER_WAIT`] (its delivery waits in the bus behind this one,
    /// or the worker holding it died). Workers read in parallel, and a close-out applied
    /// before its list (or a change before the list it changes) would leave the manifest
    /// wrong.
    async fn after_earlier(&self, carrier: &str, id: i64, held: &Held) -> Result<(), IntakeError> {
        let mut waiting = Waiting::new(self.lease_length());
        while let Some(earlier) = self.store.earliest_unprocessed(carrier, id).await? {
            let now = jiff::Timestamp::now();
            if earlier.leased_at(now) || waiting.since.elapsed() < ORDER_WAIT {
                if waiting.due() {
                    tracing::warn!(
                        message = id,
                        earlier = earlier.id,
                        "bus: waiting for an earlier message of the carrier"
                    );
                }
                tokio::time::sleep(POLL).await;
                continue;
            }
            let Lease::Taken { attempts } = self
                .store
                .take_lease(earlier.id, now, self.lease_end())
                .await?
            else {
                continue;
            };
            tracing::info!(
                message = id,
                earlier = earlier.id,
                "bus: applying an earlier message no worker holds"
            );
            crate::sync::lock(&held.0).push(earlier.id);
            let applied = self.resume(earlier.id, Some(carrier), attempts).await;
            crate::sync::lock(&held.0).retain(|h| *h != earlier.id);
            if applied.is_err() {
                self.release(earlier.id).await;
            }
            applied?;
        }
        Ok(())
    }

    /// How long a lease lasts: the bus's ack wait, after which the bus gives an unanswered
    /// delivery to another worker too.
    fn lease_length(&self) -> Duration {
        self.bus.settings().ack_wait
    }

    fn lease_end(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
            .saturating_add(self.lease_length())
            .surely_or(jiff::Timestamp::MAX, "a lease's end")
    }

    /// Gives a lease up after a failure, so that the next delivery need not wait for it.
    async fn release(&self, id: i64) {
        if let Err(e) = self.store.release_lease(id).await {
            tracing::warn!(message = id, error = %e, "bus: releasing a lease");
        }
    }

    /// Logs an answer the bus did not take (it delivers the id again; the claim makes that
    /// harmless) and returns what was done.
    fn answer(&self, id: i64, sent: Result<(), bus::BusError>, done: Handled) -> Handled {
        if let Err(e) = sent {
            tracing::warn!(message = id, error = %e, "bus: answering a delivery");
        }
        done
    }

    /// Publishes every message still `received` (at a start: whatever the bus lost or never
    /// had). Returns how many were published; stops at the first failure (the sweep goes on
    /// later).
    pub async fn publish_received(&self) -> Result<usize, IntakeError> {
        if !self.bus.queues() {
            return Ok(0);
        }
        let ids = self.store.unprocessed().await?;
        self.publish_all(&ids).await
    }

    async fn publish_all(&self, ids: &[i64]) -> Result<usize, IntakeError> {
        let mut published = 0;
        for &id in ids {
            if let Err(e) = self.bus.publish(id).await {
                tracing::warn!(error = %e, "bus: publishing again; the rest waits for the next sweep");
                crate::sync::lock(&self.unpublished).extend(ids.iter().copied());
                return Ok(published);
            }
            crate::sync::lock(&self.unpublished).remove(&id);
            published += 1;
        }
        Ok(published)
    }

    /// Publishes the ids whose publication failed (NATS was away when they were kept); called
    /// every few seconds, so that once NATS is back they are processed within seconds.
    /// Returns how many were published.
    pub async fn publish_unpublished(&self) -> Result<usize, IntakeError> {
        let failed: Vec<i64> = crate::sync::lock(&self.unpublished)
            .iter()
            .copied()
            .collect();
        if failed.is_empty() {
            return Ok(0);
        }
        let published = self.publish_all(&failed).await?;
        if published > 0 {
            tracing::info!(
                published,
                "bus: kept messages published after the bus came back"
            );
        }
        Ok(published)
    }

    /// Called about once a minute with a bus: publishes the ids whose publication failed, and,
    /// when the bus has nothing queued or in hand, the messages that were already `received`
    /// at the previous sweep (an id lost between the vault and the bus: a node stopped there,
    /// or NATS lost it). Returns how many were published.
    pub async fn sweep_bus(&self) -> Result<usize, IntakeError> {
        if !self.bus.queues() {
            return Ok(0);
        }
        let mut published = self.publish_unpublished().await?;
        let lost = self.received_since_last_sweep().await?;
        let idle = self.bus.status().await.pending == Some(0);
        if idle && !lost.is_empty() {
            tracing::warn!(
                messages = lost.len(),
                "bus: received messages no worker holds; published again"
            );
            published += self.publish_all(&lost).await?;
        }
        Ok(published)
    }

    /// Takes the carriers' messages from their subjects, for ever: each is kept in the vault
    /// (channel `nats`) and queued like one received over HTTP, then acknowledged; one the
    /// vault cannot take now comes back. A subject whose carrier is not a carrier code (2–3
    /// of `A-Z0-9`, as the drop folder's), an empty message or one over `max_bytes` is refused:
    /// audited, and kept aside with its reason in the bus's dead stream.
    pub async fn take_from_carriers(&self, js: &JetStream, max_bytes: usize) {
        loop {
            let d = js.carrier_deliveries().await;
            self.take_carrier_message(d, max_bytes).await;
        }
    }

    /// Keeps or refuses one carrier's message; returns the receipt when kept.
    pub async fn take_carrier_message(
        &self,
        d: CarrierDelivery,
        max_bytes: usize,
    ) -> Option<Receipt> {
        let refusal = if !crate::folder::is_carrier_code(d.carrier()) {
            Some("not_a_carrier_code")
        } else if d.body().is_empty() {
            Some("empty")
        } else if d.body().len() > max_bytes {
            Some("too_large")
        } else {
            None
        };
        if let Some(reason) = refusal {
            // The subject's token is the sender's choice: named in the audit only when it is
            // a carrier code.
            let carrier = if crate::folder::is_carrier_code(d.carrier()) {
                d.carrier().to_string()
            } else {
                "unknown".to_string()
            };
            tracing::warn!(carrier, reason, "bus: a carrier's message was refused");
            let audited = self
                .store
                .audit(&AuditEntry {
                    actor: "system",
                    action: "bus.refused",
                    subject: &format!("carrier:{carrier}"),
                    purpose: None,
                    detail: &format!("channel=nats reason={reason} bytes={}", d.body().len()),
                })
                .await;
            let sent = match audited {
                Ok(_) => d.refuse(reason).await,
                Err(e) => {
                    tracing::warn!(error = %e, "bus: auditing a refusal");
                    d.retry(RETRY_AFTER).await
                }
            };
            if let Err(e) = sent {
                tracing::warn!(error = %e, "bus: answering a carrier's message");
            }
            return None;
        }
        let carrier = d.carrier().to_string();
        match self.receive("nats", &carrier, d.body()).await {
            Ok(receipt) => {
                // Kept: a lost ack brings the message again, kept twice and processed as a
                // duplicate, never lost.
                if let Err(e) = d.ack().await {
                    tracing::warn!(carrier, error = %e, "bus: acknowledging a carrier's message");
                }
                Some(receipt)
            }
            Err(e) => {
                tracing::warn!(carrier, error = %e, "bus: keeping a carrier's message");
                if let Err(e) = d.retry(RETRY_AFTER).await {
                    tracing::warn!(error = %e, "bus: answering a carrier's message");
                }
                None
            }
        }
    }
}
