//! A token bucket per carrier (`governor`'s generic cell rate algorithm, keyed by carrier): a
//! carrier may burst, then send at a steady rate; beyond that the intake answers 429 with the
//! seconds to wait.
//!
//! It fails closed by construction: `governor` keeps its state in atomics and a lock-free map,
//! so there is no poisoned lock and no error path that could let every carrier through; a
//! limit that cannot be represented is clamped to the nearest one that can.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Requests per second and burst size per carrier; `None` leaves the intake unlimited.
#[derive(Debug)]
pub struct RateLimit {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl RateLimit {
    /// At least one message per 1000 s and a burst of at least one; a rate too high to
    /// represent is one message per nanosecond.
    pub fn new(per_second: f64, burst: f64) -> RateLimit {
        let per_second = per_second.max(0.001);
        let period = Duration::try_from_secs_f64(1.0 / per_second)
            .unwrap_or(Duration::from_secs(1000))
            .max(Duration::from_nanos(1));
        let burst = NonZeroU32::new(burst.max(1.0).min(f64::from(u32::MAX)).floor() as u32)
            .unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period)
            .unwrap_or(Quota::per_second(NonZeroU32::MAX))
            .allow_burst(burst);
        let clock = DefaultClock::default();
        RateLimit {
            limiter: RateLimiter::dashmap_with_clock(quota, clock.clone()),
            clock,
        }
    }

    /// Takes a token for `carrier`; `Err(seconds)` says how long to wait when none is left
    /// (at least one: `Retry-After` counts whole seconds).
    pub fn take(&self, carrier: &str) -> Result<(), u64> {
        match self.limiter.check_key(&carrier.to_string()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                Err(secs.max(1))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_a_refusal_then_a_refill() {
        let r = RateLimit::new(1000.0, 3.0);
        assert!(r.take("XQ").is_ok() && r.take("XQ").is_ok() && r.take("XQ").is_ok());
        assert_eq!(r.take("XQ"), Err(1));
        assert!(r.take("ZQ").is_ok(), "buckets are per carrier");
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(r.take("XQ").is_ok());
    }

    #[test]
    fn the_wait_is_the_time_to_the_next_token_in_whole_seconds() {
        // One message per 10 s, burst 2: after the burst the next token is 10 s away.
        let r = RateLimit::new(0.1, 2.0);
        assert!(r.take("XQ").is_ok() && r.take("XQ").is_ok());
        assert_eq!(r.take("XQ"), Err(10));
        // A refusal does not spend anything: the wait does not grow.
        assert_eq!(r.take("XQ"), Err(10));
    }

    #[test]
    fn limits_out_of_range_still_limit() {
        for (rate, burst) in [(0.0, 0.0), (-5.0, -1.0), (f64::NAN, f64::NAN)] {
            let r = RateLimit::new(rate, burst);
            assert!(r.take("XQ").is_ok(), "{rate} {burst}: a burst of one");
            assert_eq!(r.take("XQ"), Err(1000), "{rate} {burst}: one per 1000 s");
        }
        let r = RateLimit::new(f64::INFINITY, f64::INFINITY);
        assert!((0..1000).all(|_| r.take("XQ").is_ok()));
    }
}
