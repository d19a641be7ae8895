//! Loom model of the default [`SpinLock`] itself (the protocol models use a loom mutex,
//! see `loom_support`): mutual exclusion, and the holder's writes visible to the next
//! holder, through every way in — `lock` (whose slow path backs off), `lock_eager` and
//! `try_lock` — and `unlock`.
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p csp-core --release --test loom_lock`.

#![cfg(loom)]

mod loom_support;

use csp_core::lock::{RawLock, SpinLock};
use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;
use loom_support::model;

struct Counter {
    lock: SpinLock,
    n: UnsafeCell<u32>,
}

// SAFETY: `n` is touched only while `lock` is held (what the model checks).
unsafe impl Sync for Counter {}

impl Counter {
    /// Adds one under the lock; loom fails the model on a data race on `n`.
    fn bump(&self) {
        // SAFETY: the lock is held.
        self.n.with_mut(|n| unsafe { *n += 1 });
    }
}

/// Two threads add to a counter under the lock, three times between them with `lock`
/// and once each with `lock_eager` and `try_lock` (falling back to `lock`); the sum is
/// exact and loom sees no race on the counter.
#[test]
fn spin_lock_excludes_and_publishes() {
    model("spin_lock_excludes_and_publishes", 3, || {
        let c = Arc::new(Counter {
            lock: SpinLock::new(),
            n: UnsafeCell::new(0),
        });
        let c2 = c.clone();
        let t = thread::spawn(move || {
            for _ in 0..2 {
                c2.lock.lock();
                c2.bump();
                // SAFETY: we hold it.
                unsafe { c2.lock.unlock() };
            }
        });
        c.lock.lock_eager();
        c.bump();
        // SAFETY: we hold it.
        unsafe { c.lock.unlock() };
        if !c.lock.try_lock() {
            c.lock.lock();
        }
        c.bump();
        // SAFETY: we hold it.
        unsafe { c.lock.unlock() };
        t.join().unwrap();
        c.lock.lock();
        // SAFETY: the lock is held.
        assert_eq!(c.n.with(|n| unsafe { *n }), 4);
        // SAFETY: we hold it.
        unsafe { c.lock.unlock() };
    });
}
