//! A token bucket per carrier: a carrier may burst, then send at a steady rate; beyond that the
//! intake answers 429 with the seconds to wait.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Requests per second and burst size per carrier; `None` leaves the intake unlimited.
#[derive(Debug)]
pub struct RateLimit {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimit {
    pub fn new(per_second: f64, burst: f64) -> RateLimit {
        RateLimit {
            per_second: per_second.max(0.001),
            burst: burst.max(1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `carrier`; `Err(seconds)` says how long to wait when none is left.
    pub fn take(&self, carrier: &str) -> Result<(), u64> {
        // A lock poisoned by a panic elsewhere still holds sound buckets: keep limiting rather
        // than let every carrier through.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        let (tokens, at) = buckets
            .entry(carrier.to_string())
            .or_insert((self.burst, now));
        *tokens =
            (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.per_second).ceil() as u64)
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
    fn a_poisoned_lock_still_limits() {
        let r = std::sync::Arc::new(RateLimit::new(0.001, 1.0));
        assert!(r.take("XQ").is_ok());
        let poisoner = r.clone();
        let _ = std::thread::spawn(move || {
            let _guard = poisoner.buckets.lock().unwrap();
            panic!("poison the lock");
        })
        .join();
        assert!(r.buckets.is_poisoned());
        assert!(r.take("XQ").is_err(), "the spent burst stays spent");
    }
}
