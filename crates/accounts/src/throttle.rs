//! What keeps password checks bounded: a token bucket of sign-in attempts per source address,
//! one password check at a time per account, a bound on argon2 work in flight over the whole
//! process (on blocking threads, never on the async runtime), and the tally of refusals that
//! are counted rather than audited one by one.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use tokio::sync::{OwnedMutexGuard, Semaphore};

use crate::AccountsError;

/// Sources remembered at most; past this, buckets that have refilled are forgotten, and when
/// none has, new sources are refused (failing closed) until some have.
const MAX_SOURCES: usize = 65_536;

/// Where an attempt comes from: the peer's address, or a shared bucket when unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Address(IpAddr),
    /// No address (a command line, a test): all such attempts share one bucket.
    Unknown,
}

impl Source {
    /// IPv6 clients usually hold a whole /64: the bucket is the /64, not the address.
    fn key(self) -> Source {
        match self {
            Source::Address(IpAddr::V6(a)) if a.to_ipv4_mapped().is_none() => {
                let s = a.segments();
                let prefix = [s[0], s[1], s[2], s[3], 0, 0, 0, 0];
                Source::Address(IpAddr::V6(prefix.into()))
            }
            Source::Address(IpAddr::V6(a)) => a
                .to_ipv4_mapped()
                .map_or(Source::Unknown, |v4| Source::Address(IpAddr::V4(v4))),
            other => other,
        }
    }
}

/// Why a sign-in was refused, as counted for metrics and the aggregated audit record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    UnknownUser,
    WrongPassword,
    Locked,
    Disabled,
    TooLong,
    RateLimited,
}

impl Reason {
    pub const ALL: [Reason; 6] = [
        Reason::UnknownUser,
        Reason::WrongPassword,
        Reason::Locked,
        Reason::Disabled,
        Reason::TooLong,
        Reason::RateLimited,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::UnknownUser => "unknown_user",
            Reason::WrongPassword => "wrong_password",
            Reason::Locked => "locked",
            Reason::Disabled => "disabled",
            Reason::TooLong => "too_long",
            Reason::RateLimited => "rate_limited",
        }
    }

    fn index(self) -> usize {
        match self {
            Reason::UnknownUser => 0,
            Reason::WrongPassword => 1,
            Reason::Locked => 2,
            Reason::Disabled => 3,
            Reason::TooLong => 4,
            Reason::RateLimited => 5,
        }
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Refusals not audited one by one since the last aggregated record.
#[derive(Debug, Default)]
struct Pending {
    counts: [u64; 6],
    last_record: Option<Timestamp>,
}

#[derive(Debug)]
pub(crate) struct Throttle {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<Source, Bucket>>,
    turns: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    hashing: Arc<Semaphore>,
    totals: [AtomicU64; 6],
    pending: Mutex<Pending>,
}

/// This account's turn to have a password checked; the next waits until it is dropped.
#[derive(Debug)]
pub(crate) struct Turn {
    id: i64,
    guard: Option<OwnedMutexGuard<()>>,
    throttle: Arc<Throttle>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        drop(self.guard.take());
        // Forget the account's lock when nobody waits for it, so the map stays small.
        if let Ok(mut turns) = self.throttle.turns.lock()
            && turns
                .get(&self.id)
                .is_some_and(|m| Arc::strong_count(m) == 1)
        {
            turns.remove(&self.id);
        }
    }
}

fn poisoned() -> AccountsError {
    AccountsError::Unavailable("sign-in limits")
}

impl Throttle {
    pub(crate) fn new(burst: u32, refill: Duration) -> Throttle {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Throttle {
            burst: f64::from(burst.max(1)),
            per_second: 1.0 / refill.as_secs_f64().max(0.001),
            buckets: Mutex::new(HashMap::new()),
            turns: Mutex::new(HashMap::new()),
            // Half the cores at most hash passwords: the intake keeps the rest.
            hashing: Arc::new(Semaphore::new((cores / 2).max(1))),
            totals: Default::default(),
            pending: Mutex::new(Pending::default()),
        }
    }

    /// Takes one attempt from the source's bucket; `Err(seconds)` to wait when empty (or when
    /// no bucket can be kept for it).
    pub(crate) fn attempt(&self, source: Source) -> Result<(), u64> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Err(60);
        };
        let now = Instant::now();
        let key = source.key();
        if !buckets.contains_key(&key) && buckets.len() >= MAX_SOURCES {
            let (burst, rate) = (self.burst, self.per_second);
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
            if buckets.len() >= MAX_SOURCES {
                return Err(60);
            }
        }
        let b = buckets.entry(key).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        b.tokens =
            (b.tokens + now.duration_since(b.at).as_secs_f64() * self.per_second).min(self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / self.per_second).ceil().max(1.0) as u64)
        }
    }

    /// Waits for this account's turn: one password check at a time per account, so that each
    /// check sees the failures counted by the one before.
    pub(crate) async fn turn(self: &Arc<Self>, user_id: i64) -> Result<Turn, AccountsError> {
        let lock = self
            .turns
            .lock()
            .map_err(|_| poisoned())?
            .entry(user_id)
            .or_default()
            .clone();
        let guard = lock.lock_owned().await;
        Ok(Turn {
            id: user_id,
            guard: Some(guard),
            throttle: self.clone(),
        })
    }

    /// Runs argon2 work on a blocking thread, within the process-wide bound.
    pub(crate) async fn hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AccountsError> {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(|_| AccountsError::Unavailable("password hashing"))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AccountsError::Hashing(e.to_string()))
    }

    /// Counts a refusal (for metrics).
    pub(crate) fn count(&self, reason: Reason) {
        if let Some(t) = self.totals.get(reason.index()) {
            t.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Refusals since start, by reason.
    pub(crate) fn totals(&self) -> Vec<(Reason, u64)> {
        Reason::ALL
            .iter()
            .map(|r| {
                let n = self
                    .totals
                    .get(r.index())
                    .map_or(0, |t| t.load(Ordering::Relaxed));
                (*r, n)
            })
            .collect()
    }

    /// Adds a refusal to the aggregate; when the last aggregated record is a minute old (or
    /// there is none), returns the counts to record now and starts again.
    pub(crate) fn aggregate(
        &self,
        reason: Reason,
        now: Timestamp,
    ) -> Result<Option<Vec<(Reason, u64)>>, AccountsError> {
        let mut p = self.pending.lock().map_err(|_| poisoned())?;
        if let Some(n) = p.counts.get_mut(reason.index()) {
            *n += 1;
        }
        let due = p
            .last_record
            .is_none_or(|t| now.duration_since(t) >= jiff::SignedDuration::from_mins(1));
        if !due {
            return Ok(None);
        }
        p.last_record = Some(now);
        let counts = std::mem::take(&mut p.counts);
        Ok(Some(
            Reason::ALL
                .iter()
                .map(|r| (*r, counts.get(r.index()).copied().unwrap_or(0)))
                .filter(|(_, n)| *n > 0)
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_gets_its_burst_then_waits() {
        let t = Throttle::new(3, Duration::from_secs(6));
        let a = Source::Address("192.0.2.1".parse().unwrap());
        let b = Source::Address("192.0.2.2".parse().unwrap());
        assert!(t.attempt(a).is_ok() && t.attempt(a).is_ok() && t.attempt(a).is_ok());
        assert_eq!(t.attempt(a), Err(6));
        assert!(t.attempt(b).is_ok(), "buckets are per source");
    }

    #[test]
    fn an_ipv6_client_is_one_bucket_per_64() {
        let t = Throttle::new(1, Duration::from_secs(60));
        let one = Source::Address("2001:db8:1:2::1".parse().unwrap());
        let other = Source::Address("2001:db8:1:2::ffff".parse().unwrap());
        assert!(t.attempt(one).is_ok());
        assert!(t.attempt(other).is_err());
        let mapped = Source::Address("::ffff:192.0.2.9".parse().unwrap());
        let v4 = Source::Address("192.0.2.9".parse().unwrap());
        assert!(t.attempt(mapped).is_ok());
        assert!(t.attempt(v4).is_err(), "a mapped address is its IPv4 one");
    }

    #[test]
    fn refusals_are_aggregated_at_most_once_a_minute() {
        let t = Throttle::new(1, Duration::from_secs(1));
        let t0: Timestamp = "2026-11-27T08:00:00Z".parse().unwrap();
        let first = t.aggregate(Reason::UnknownUser, t0).unwrap().unwrap();
        assert_eq!(first, vec![(Reason::UnknownUser, 1)]);
        for s in 1..30 {
            let at = t0 + jiff::SignedDuration::from_secs(s);
            assert!(t.aggregate(Reason::Locked, at).unwrap().is_none());
        }
        let at = t0 + jiff::SignedDuration::from_secs(61);
        let next = t.aggregate(Reason::UnknownUser, at).unwrap().unwrap();
        assert_eq!(next, vec![(Reason::UnknownUser, 1), (Reason::Locked, 29)]);
    }
}
