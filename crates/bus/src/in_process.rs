//! The queue in memory: the JetStream engine's delivery rules within one process, without NATS.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;

use crate::{BusError, Delivery, Inner, Settings};

/// A work queue of ids in memory, shared by the workers of one process.
#[derive(Debug, Clone)]
pub struct InProcess {
    shared: Arc<Shared>,
    settings: Settings,
}

#[derive(Debug, Default)]
struct Shared {
    queue: Mutex<Queue>,
    ready: Notify,
}

#[derive(Debug, Default)]
struct Queue {
    /// Ids to deliver, with how often each was delivered already.
    ready: VecDeque<(i64, u64)>,
    /// Ids queued or being processed: publishing one again is a no-op (JetStream's
    /// de-duplication by message id).
    present: HashSet<i64>,
    in_flight: u64,
    dead: Vec<(i64, String)>,
    closed: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A holder that panicked left the queue as consistent as any step of it: go on.
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn push(&self, id: i64, delivered: u64) {
        let mut q = self.lock();
        if !q.closed {
            q.ready.push_back((id, delivered));
        }
        drop(q);
        self.ready.notify_one();
    }

    /// A delivery ended without an ack: again, unless it had all its deliveries.
    fn again(self: &Arc<Self>, id: i64, delivered: u64, max_deliver: u64, delay: Duration) {
        {
            let mut q = self.lock();
            q.in_flight = q.in_flight.saturating_sub(1);
            if delivered >= max_deliver {
                q.present.remove(&id);
                tracing::error!(
                    message = id,
                    deliveries = delivered,
                    "bus: deliveries exhausted without a dead letter; the message stays received in the vault"
                );
                return;
            }
        }
        if delay.is_zero() {
            self.push(id, delivered);
        } else {
            let shared = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                shared.push(id, delivered);
            });
        }
    }
}

impl InProcess {
    pub fn new(settings: Settings) -> InProcess {
        InProcess {
            shared: Arc::default(),
            settings,
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub(crate) fn publish(&self, id: i64) -> Result<(), BusError> {
        let mut q = self.shared.lock();
        if q.closed {
            return Err(BusError::Closed);
        }
        if !q.present.insert(id) {
            return Ok(());
        }
        drop(q);
        self.shared.push(id, 0);
        Ok(())
    }

    pub(crate) async fn next(&self) -> Option<Delivery> {
        loop {
            let ready = self.shared.ready.notified();
            {
                let mut q = self.shared.lock();
                if let Some((id, delivered)) = q.ready.pop_front() {
                    q.in_flight += 1;
                    let more = !q.ready.is_empty();
                    drop(q);
                    // One wake-up per publication may have been folded into one permit.
                    if more {
                        self.shared.ready.notify_one();
                    }
                    let attempt = delivered + 1;
                    return Some(Delivery {
                        id,
                        attempt,
                        attempts: self.settings.attempts,
                        inner: Inner::InProcess(Ticket {
                            shared: self.shared.clone(),
                            id,
                            delivered: attempt,
                            max_deliver: self.settings.max_deliver(),
                            answered: false,
                        }),
                    });
                }
                if q.closed {
                    return None;
                }
            }
            ready.await;
        }
    }

    /// Ids waiting or being processed.
    pub fn pending(&self) -> u64 {
        let q = self.shared.lock();
        q.ready.len() as u64 + q.in_flight
    }

    /// The ids put with the dead letters, with their reasons.
    pub fn dead_letters(&self) -> Vec<(i64, String)> {
        self.shared.lock().dead.clone()
    }

    /// Stops deliveries: waiting workers get `None`; ids still queued are dropped (the vault
    /// keeps their messages as received).
    pub fn close(&self) {
        let mut q = self.shared.lock();
        q.closed = true;
        q.ready.clear();
        drop(q);
        self.shared.ready.notify_waiters();
    }
}

/// The worker's hold on a delivery: dropped unanswered, the id is delivered again.
#[derive(Debug)]
pub(crate) struct Ticket {
    shared: Arc<Shared>,
    id: i64,
    delivered: u64,
    max_deliver: u64,
    answered: bool,
}

impl Ticket {
    pub(crate) fn ack(mut self) {
        self.answered = true;
        let mut q = self.shared.lock();
        q.in_flight = q.in_flight.saturating_sub(1);
        q.present.remove(&self.id);
    }

    pub(crate) fn retry(mut self, delay: Duration) {
        self.answered = true;
        self.shared
            .again(self.id, self.delivered, self.max_deliver, delay);
    }

    pub(crate) fn dead_letter(mut self, id: i64, reason: &str) {
        self.answered = true;
        let mut q = self.shared.lock();
        q.in_flight = q.in_flight.saturating_sub(1);
        q.present.remove(&id);
        q.dead.push((id, reason.to_string()));
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if !self.answered {
            self.shared
                .again(self.id, self.delivered, self.max_deliver, Duration::ZERO);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Bus;

    fn bus() -> (Bus, InProcess) {
        let q = InProcess::new(Settings::default());
        (Bus::InProcess(q.clone()), q)
    }

    #[tokio::test]
    async fn an_acked_id_leaves_the_queue() {
        let (bus, q) = bus();
        bus.publish(7).await.unwrap();
        bus.publish(7).await.unwrap();
        bus.publish(8).await.unwrap();
        assert_eq!(q.pending(), 2, "the same id published twice is queued once");
        let d = bus.next().await.unwrap();
        assert_eq!((d.id(), d.attempt(), d.exhausted()), (7, 1, false));
        d.ack().await.unwrap();
        let d = bus.next().await.unwrap();
        assert_eq!(d.id(), 8);
        d.ack().await.unwrap();
        assert_eq!(q.pending(), 0);
    }

    /// A worker that dies mid-message (its delivery dropped) does not lose the id; after the
    /// attempts, the next delivery is exhausted and goes to the dead letters.
    #[tokio::test]
    async fn a_dropped_delivery_comes_back_until_exhausted() {
        let (bus, q) = bus();
        bus.publish(5).await.unwrap();
        for attempt in 1..=2 {
            let d = bus.next().await.unwrap();
            assert_eq!((d.id(), d.attempt(), d.exhausted()), (5, attempt, false));
            drop(d);
        }
        let d = bus.next().await.unwrap();
        assert_eq!((d.attempt(), d.exhausted()), (3, true));
        d.dead_letter("deliveries_exhausted").await.unwrap();
        assert_eq!(
            q.dead_letters(),
            vec![(5, "deliveries_exhausted".to_string())]
        );
        assert_eq!(q.pending(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_retry_waits_its_delay() {
        let (bus, q) = bus();
        bus.publish(9).await.unwrap();
        let d = bus.next().await.unwrap();
        d.retry(Duration::from_secs(5)).await.unwrap();
        assert_eq!(q.pending(), 0, "not ready before its delay");
        let again = tokio::time::timeout(Duration::from_secs(6), bus.next())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((again.id(), again.attempt()), (9, 2));
    }

    #[tokio::test]
    async fn workers_waiting_all_get_work() {
        let (bus, q) = bus();
        let mut workers = Vec::new();
        for _ in 0..4 {
            let bus = bus.clone();
            workers.push(tokio::spawn(async move {
                let d = bus.next().await.unwrap();
                let id = d.id();
                d.ack().await.unwrap();
                id
            }));
        }
        tokio::task::yield_now().await;
        for id in 1..=4 {
            bus.publish(id).await.unwrap();
        }
        let mut got = Vec::new();
        for w in workers {
            got.push(w.await.unwrap());
        }
        got.sort_unstable();
        assert_eq!(got, vec![1, 2, 3, 4]);
        q.close();
        assert!(bus.next().await.is_none());
    }
}
