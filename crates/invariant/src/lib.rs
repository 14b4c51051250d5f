//! States that cannot happen, surfaced when they do.
//!
//! Readers of untrusted bytes never panic: what they cannot read becomes a finding. Everywhere
//! else, a state the code believes impossible (an index past a posting list it built itself, a
//! value that does not serialise, a row the schema says exists) is a bug, and a bug must not pass
//! silently as an empty value. [`never!`] reports it: in tests and debug builds it panics, so the
//! test that reached it fails; in release it logs an error and counts it
//! (`broken_count`, which `/metrics` publishes as `passage_invariant_broken_total`), and the
//! caller recovers the way it names at the call site.
//!
//! What to do when the state would change a legal or security outcome (a legal table, the
//! screener, a rate limit, an access rule) is not this macro's business: such a caller returns an
//! error and stops the operation; `never!` is for the states where recovering is safe.
//!
//! The message must name code facts only (sizes, positions, tags, kinds): never personal data.

use std::sync::atomic::{AtomicU64, Ordering};

static BROKEN: AtomicU64 = AtomicU64::new(0);

/// The name of the counter of broken invariants in the metrics.
pub const METRIC: &str = "passage_invariant_broken_total";

/// Reports a state that cannot happen.
///
/// `never!("what happened {}", n)` reports and returns `()`; `never!(condition => "what…")`
/// reports when `condition` holds and returns it, so that `if never!(a > b => "…") { return … }`
/// reads as the check it is.
#[macro_export]
macro_rules! never {
    ($cond:expr => $fmt:literal $($arg:tt)*) => {{
        let holds: bool = $cond;
        if holds {
            $crate::broken(::core::format_args!($fmt $($arg)*), ::core::file!(), ::core::line!());
        }
        holds
    }};
    ($fmt:literal $($arg:tt)*) => {
        $crate::broken(::core::format_args!($fmt $($arg)*), ::core::file!(), ::core::line!())
    };
}

/// What [`never!`] calls: panics in debug builds, logs and counts in release.
#[cold]
#[inline(never)]
pub fn broken(what: std::fmt::Arguments<'_>, file: &str, line: u32) {
    BROKEN.fetch_add(1, Ordering::Relaxed);
    tracing::error!(target: "invariant", file, line, "invariant broken: {what}");
    if cfg!(debug_assertions) {
        // The one place outside tests that panics on purpose: a debug build or a test that
        // reaches an impossible state must fail where it happened.
        #[allow(clippy::panic)]
        {
            panic!("invariant broken at {file}:{line}: {what}");
        }
    }
}

/// How many invariants this process has found broken since it started.
pub fn broken_count() -> u64 {
    BROKEN.load(Ordering::Relaxed)
}

/// A value that must be there, or a reported bug and the fallback the caller names.
pub trait Surely<T> {
    /// The value; when absent, [`never!`] with `what` and `fallback`.
    fn surely_or(self, fallback: T, what: &str) -> T;
}

impl<T> Surely<T> for Option<T> {
    fn surely_or(self, fallback: T, what: &str) -> T {
        match self {
            Some(v) => v,
            None => {
                never!("{what}: absent");
                fallback
            }
        }
    }
}

impl<T, E: std::fmt::Display> Surely<T> for Result<T, E> {
    fn surely_or(self, fallback: T, what: &str) -> T {
        match self {
            Ok(v) => v,
            Err(e) => {
                never!("{what}: {e}");
                fallback
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    #[test]
    fn a_false_condition_is_not_reported() {
        assert!(!never!(1 > 2 => "one is not more than two"));
        assert_eq!(Some(3).surely_or(0, "a value"), 3);
        assert_eq!(Ok::<_, String>(4).surely_or(0, "a value"), 4);
    }

    #[test]
    fn a_broken_invariant_fails_a_debug_build() {
        let before = broken_count();
        let caught = std::panic::catch_unwind(|| never!(2 > 1 => "two is more than {}", 1));
        let message = caught.unwrap_err();
        let text = message.downcast_ref::<String>().unwrap();
        assert!(text.contains("two is more than 1"), "{text}");
        assert!(text.contains("invariant/src/lib.rs"), "{text}");
        assert!(broken_count() > before, "counted");
    }

    #[test]
    fn an_absent_value_is_reported_with_its_fallback_named() {
        let caught = std::panic::catch_unwind(|| None::<u8>.surely_or(7, "the posting range"));
        let message = caught.unwrap_err();
        let text = message.downcast_ref::<String>().unwrap();
        assert!(text.contains("the posting range: absent"), "{text}");
        let caught = std::panic::catch_unwind(|| Err::<u8, _>("bad").surely_or(7, "a write"));
        assert!(
            caught
                .unwrap_err()
                .downcast_ref::<String>()
                .unwrap()
                .contains("a write: bad")
        );
    }
}
