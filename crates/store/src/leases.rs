//! Leases: which worker, on any node, is applying a received message now, and until when.
//!
//! A carrier's messages are applied in the order they were received (a close-out applied
//! before its list leaves the manifest wrong), while workers on several nodes take ids from
//! the bus in parallel. A worker holding a later message waits while an earlier one is
//! leased, and takes the earlier one over once its lease ran out (the worker holding it
//! died) or when no worker has taken it yet. The claim (`Tx::claim`) still decides who
//! writes; the lease only decides who works, so that nobody waits for a dead worker longer
//! than a lease and no two live workers read the same message.
//!
//! Leases are written with the worker's clock, in milliseconds since the epoch: nodes keep
//! their clocks by NTP, well within a lease (the bus's ack wait, 30 s by default).

use jiff::Timestamp;

use crate::{Store, StoreError};

/// What taking a lease on a message found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lease {
    /// Ours until the time asked for; `attempts` counts this start of processing (committed
    /// before processing starts, so a worker dying during it is remembered).
    Taken { attempts: i64 },
    /// Another worker holds it until then.
    Held { until: Timestamp },
    /// Not received any more: applied (or parked) by someone.
    Done,
}

/// The earliest message of a carrier not applied yet, and its lease when it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Earlier {
    pub id: i64,
    pub lease_until: Option<Timestamp>,
}

impl Earlier {
    /// Whether a live worker holds it at `now`.
    pub fn leased_at(&self, now: Timestamp) -> bool {
        self.lease_until.is_some_and(|until| until > now)
    }
}

#[derive(sqlx::FromRow)]
struct EarlierRow {
    id: i64,
    lease_until: Option<i64>,
}

fn millis(at: Timestamp) -> i64 {
    at.as_millisecond()
}

fn timestamp(ms: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(ms)
        .map_err(|e| StoreError::Corrupt(format!("a lease's time out of range: {e}")))
}

impl Store {
    /// Takes the lease on applying message `id` until `until`, when nobody holds it at `now`
    /// and the message is still received; counts one more attempt when taken.
    pub async fn take_lease(
        &self,
        id: i64,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<Lease, StoreError> {
        let mut tx = self.begin().await?;
        let taken: Option<i64> = on!(tx.conn()?, |db| sqlx::query_scalar(
            "UPDATE messages SET attempts = attempts + 1, lease_until = $2 \
             WHERE id = $1 AND state = 'received' AND (lease_until IS NULL OR lease_until <= $3) \
             RETURNING attempts",
        )
        .bind(id)
        .bind(millis(until))
        .bind(millis(now))
        .fetch_optional(db)
        .await)?;
        let lease = match taken {
            Some(attempts) => Lease::Taken { attempts },
            None => {
                let held: Option<Option<i64>> = on!(tx.conn()?, |db| sqlx::query_scalar(
                    "SELECT lease_until FROM messages WHERE id = $1 AND state = 'received'",
                )
                .bind(id)
                .fetch_optional(db)
                .await)?;
                match held {
                    None => Lease::Done,
                    Some(Some(until)) => Lease::Held {
                        until: timestamp(until)?,
                    },
                    Some(None) => {
                        return Err(StoreError::Corrupt(format!(
                            "message {id} is received, not leased, and its lease was refused"
                        )));
                    }
                }
            }
        };
        tx.commit().await?;
        Ok(lease)
    }

    /// Extends a lease this worker holds (the message still received) until `until`.
    pub async fn renew_lease(&self, id: i64, until: Timestamp) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on!(tx.conn()?, |db| sqlx::query(
            "UPDATE messages SET lease_until = $2 WHERE id = $1 AND state = 'received'"
        )
        .bind(id)
        .bind(millis(until))
        .execute(db)
        .await
        .map(|_| ()))?;
        tx.commit().await
    }

    /// Gives a lease up (the worker failed and lets the message come back).
    pub async fn release_lease(&self, id: i64) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on!(tx.conn()?, |db| sqlx::query(
            "UPDATE messages SET lease_until = NULL WHERE id = $1"
        )
        .bind(id)
        .execute(db)
        .await
        .map(|_| ()))?;
        tx.commit().await
    }

    /// The earliest message of `carrier` received before message `before` and not applied
    /// yet: what a worker applies (or waits for) before `before`.
    pub async fn earliest_unprocessed(
        &self,
        carrier: &str,
        before: i64,
    ) -> Result<Option<Earlier>, StoreError> {
        let row: Option<EarlierRow> = on!(self.reader(), |db| sqlx::query_as(
            "SELECT id, lease_until FROM messages \
             WHERE state = 'received' AND carrier = $1 AND id < $2 ORDER BY id LIMIT 1",
        )
        .bind(carrier)
        .bind(before)
        .fetch_optional(db)
        .await)?;
        row.map(|r| {
            Ok(Earlier {
                id: r.id,
                lease_until: r.lease_until.map(timestamp).transpose()?,
            })
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MessageState, Received};
    use jiff::SignedDuration;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).unwrap()
    }

    async fn received(store: &Store, n: u8) -> i64 {
        let body = format!("UNB+UNOA:4+XQ+PIU+261201:1000+{n}'UNZ+0+{n}'");
        store
            .receive(&Received {
                channel: "http",
                carrier: "XQ",
                body: body.as_bytes(),
            })
            .await
            .unwrap()
    }

    crate::engines! {
    /// One worker holds a lease at a time; it runs out at its time, and a message applied
    /// is nobody's to take.
    async fn a_lease_is_held_by_one_worker_until_it_runs_out(store: Store) {
        let id = received(&store, 1).await;
        assert_eq!(
            store.take_lease(id, at(0), at(30)).await.unwrap(),
            Lease::Taken { attempts: 1 }
        );
        assert_eq!(
            store.take_lease(id, at(10), at(40)).await.unwrap(),
            Lease::Held { until: at(30) }
        );
        store.renew_lease(id, at(50)).await.unwrap();
        assert_eq!(
            store.take_lease(id, at(40), at(70)).await.unwrap(),
            Lease::Held { until: at(50) }
        );
        // Its worker died: the lease ran out, the next worker takes it, a second attempt.
        assert_eq!(
            store.take_lease(id, at(50), at(80)).await.unwrap(),
            Lease::Taken { attempts: 2 }
        );
        store.release_lease(id).await.unwrap();
        assert_eq!(
            store.take_lease(id, at(51), at(81)).await.unwrap(),
            Lease::Taken { attempts: 3 }
        );
        let mut tx = store.begin().await.unwrap();
        assert!(tx.claim(id, MessageState::Received).await.unwrap());
        tx.finish(id, MessageState::Processed, None, &serde_json::json!([]), None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            store.take_lease(id, at(200), at(230)).await.unwrap(),
            Lease::Done
        );
    }
    }

    crate::engines! {
    /// The earliest of a carrier's messages not applied, before a given one, with its lease.
    async fn the_earliest_unprocessed_message_of_a_carrier_is_found(store: Store) {
        let first = received(&store, 1).await;
        let second = received(&store, 2).await;
        let third = received(&store, 3).await;
        assert_eq!(store.earliest_unprocessed("XQ", first).await.unwrap(), None);
        assert_eq!(store.earliest_unprocessed("YY", third).await.unwrap(), None);
        let earlier = store.earliest_unprocessed("XQ", third).await.unwrap().unwrap();
        assert_eq!(earlier, Earlier { id: first, lease_until: None });
        assert!(!earlier.leased_at(at(0)));
        store.take_lease(first, at(0), at(30)).await.unwrap();
        let earlier = store.earliest_unprocessed("XQ", third).await.unwrap().unwrap();
        assert_eq!(earlier.lease_until, Some(at(30)));
        assert!(earlier.leased_at(at(29)));
        assert!(!earlier.leased_at(at(0) + SignedDuration::from_secs(30)));
        let mut tx = store.begin().await.unwrap();
        assert!(tx.claim(first, MessageState::Received).await.unwrap());
        tx.finish(first, MessageState::Processed, None, &serde_json::json!([]), None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            store.earliest_unprocessed("XQ", third).await.unwrap().map(|e| e.id),
            Some(second)
        );
    }
    }
}
