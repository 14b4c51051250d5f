//! What tells the intake the time. The wall clock in service; a clock that is set, for the
//! demo's simulated day and for tests, so that no outcome depends on the real date.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The intake's source of "now".
pub type Clock = Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>;

/// The wall clock.
pub fn wall() -> Clock {
    Arc::new(jiff::Timestamp::now)
}

/// A clock that shows what it was last set to (to the microsecond). Lock-free, so reading it
/// can neither block nor fail.
#[derive(Debug, Clone)]
pub struct SetClock {
    micros: Arc<AtomicI64>,
}

impl SetClock {
    pub fn new(at: jiff::Timestamp) -> SetClock {
        SetClock {
            micros: Arc::new(AtomicI64::new(at.as_microsecond())),
        }
    }

    pub fn set(&self, at: jiff::Timestamp) {
        self.micros.store(at.as_microsecond(), Ordering::Relaxed);
    }

    pub fn get(&self) -> jiff::Timestamp {
        let micros = self.micros.load(Ordering::Relaxed);
        // Every value stored came from a valid timestamp, so this cannot fail.
        jiff::Timestamp::from_microsecond(micros).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }

    /// The intake's clock reading this one.
    pub fn clock(&self) -> Clock {
        let this = self.clone();
        Arc::new(move || this.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_clock_shows_what_it_was_set_to() {
        let at: jiff::Timestamp = "2026-12-01T10:15:30.123456Z".parse().unwrap();
        let clock = SetClock::new(at);
        let read = clock.clock();
        assert_eq!(read(), at);
        let later: jiff::Timestamp = "2031-01-02T00:00:00Z".parse().unwrap();
        clock.set(later);
        assert_eq!(read(), later);
    }
}
