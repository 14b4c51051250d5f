//! Locks that a panic elsewhere cannot turn off. A poisoned lock only says that some thread
//! panicked while holding it; the values kept here (the screener and targeter in force,
//! counters, queues of receipts) stay usable, and skipping them instead would fail open —
//! nothing screened, receipts never answered, counts lost. The poisoning is logged.

use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

fn poisoned<G>(e: PoisonError<G>) -> G {
    tracing::error!("a lock was poisoned by a panic; its value is used as it was left");
    e.into_inner()
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(poisoned)
}

pub(crate) fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(poisoned)
}

pub(crate) fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(poisoned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poisoned_lock_still_gives_its_value() {
        let m = std::sync::Arc::new(Mutex::new(vec![1]));
        let held = m.clone();
        let _ = std::thread::spawn(move || {
            let _guard = held.lock().unwrap();
            panic!("poisoning on purpose");
        })
        .join();
        assert!(m.is_poisoned());
        lock(&m).push(2);
        assert_eq!(*lock(&m), [1, 2]);
        let l = std::sync::Arc::new(RwLock::new(Some(7)));
        let held = l.clone();
        let _ = std::thread::spawn(move || {
            let _guard = held.write().unwrap();
            panic!("poisoning on purpose");
        })
        .join();
        *write(&l) = Some(8);
        assert_eq!(*read(&l), Some(8));
    }
}
