//! Shared pieces of the loom models (`tests/loom_*.rs`): a loom-friendly lock, a
//! `block_on` that fails on livelock, a bounded model runner that reports its numbers,
//! and a way to cancel an operation after a few polls.

#![allow(dead_code)]

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use csp_core::lock::RawLock;
use loom::thread;

/// A channel with the models' lock.
pub type Chan<T, B = csp_core::buffer::Rendezvous> = csp_core::Chan<T, B, LoomLock>;

/// `loom::future::block_on`, failing a model in which one future is polled more than
/// `MAX_POLLS` times (a livelock: woken again and again without progress).
pub fn block_on<F: Future>(fut: F) -> F::Output {
    const MAX_POLLS: usize = 40;
    let mut fut = Box::pin(fut);
    let mut polls = 0;
    loom::future::block_on(core::future::poll_fn(move |cx| {
        polls += 1;
        assert!(
            polls <= MAX_POLLS,
            "livelock: polled {polls} times without completing"
        );
        fut.as_mut().poll(cx)
    }))
}

/// The models' lock: a loom `Mutex` whose guard is kept inside the lock between
/// `lock` and `unlock`.
///
/// The default `SpinLock` spins with yields, and every yield is a branch of the model:
/// contended models exceed loom's branch limit and explode its state space. A loom
/// mutex parks the waiting thread instead, so the models explore the protocol rather
/// than the spinning. (The spin lock itself has a small model of its own,
/// `loom_lock.rs`, and runs in the thread stress tests and under miri.)
pub struct LoomLock {
    mutex: loom::sync::Mutex<()>,
    /// The guard of the current holder; touched only by the holder.
    guard: core::cell::UnsafeCell<Option<loom::sync::MutexGuard<'static, ()>>>,
}

impl core::fmt::Debug for LoomLock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("LoomLock")
    }
}

// SAFETY: `guard` is written by the thread that just acquired `mutex` and read by the
// same holder in `unlock`; no two threads touch it at once.
unsafe impl Sync for LoomLock {}
// SAFETY: the guard cell is empty whenever the lock can move (nobody holds it then).
unsafe impl Send for LoomLock {}

impl LoomLock {
    fn keep(&self, g: loom::sync::MutexGuard<'_, ()>) {
        // SAFETY: the guard borrows `self.mutex`, which outlives it: the lock lives in a
        // channel that is neither moved nor dropped while locked, and `unlock` drops the
        // guard before anyone else can lock.
        let g: loom::sync::MutexGuard<'static, ()> = unsafe { core::mem::transmute(g) };
        // SAFETY: we hold the mutex, so we are the only one touching `guard`.
        unsafe { *self.guard.get() = Some(g) };
    }
}

// SAFETY: mutual exclusion comes from the loom mutex: `lock` returns holding it, and
// `unlock` releases it by dropping its guard.
unsafe impl RawLock for LoomLock {
    fn new() -> Self {
        LoomLock {
            mutex: loom::sync::Mutex::new(()),
            guard: core::cell::UnsafeCell::new(None),
        }
    }
    fn lock(&self) {
        self.keep(self.mutex.lock().unwrap());
    }
    fn try_lock(&self) -> bool {
        match self.mutex.try_lock() {
            Ok(g) => {
                self.keep(g);
                true
            }
            Err(_) => false,
        }
    }
    unsafe fn unlock(&self) {
        // SAFETY: the caller holds the lock, so the guard is ours to drop.
        drop(unsafe { (*self.guard.get()).take() });
    }
}

/// Runs `f` under loom with preemption bound `bound` (`LOOM_MAX_PREEMPTIONS` overrides
/// it) and prints how many executions it explored and how long that took.
pub fn model(name: &str, bound: usize, f: impl Fn() + Sync + Send + 'static) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let mut b = loom::model::Builder::new();
    if b.preemption_bound.is_none() {
        b.preemption_bound = Some(bound);
    }
    let start = std::time::Instant::now();
    RUNS.store(0, Ordering::Relaxed);
    b.check(move || {
        RUNS.fetch_add(1, Ordering::Relaxed);
        f();
    });
    eprintln!(
        "loom model {name}: {} executions, preemption bound {:?}, {:.1?}",
        RUNS.load(Ordering::Relaxed),
        b.preemption_bound,
        start.elapsed()
    );
}

/// Polls `fut` `polls` times with a no-op waker (yielding to loom in between), then
/// drops it: a cancelled operation. Returns its output if it completed.
pub fn poll_then_drop<F: Future>(fut: F, polls: usize) -> Option<F::Output> {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    for i in 0..polls {
        if i > 0 {
            thread::yield_now();
        }
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return Some(v);
        }
    }
    None
}
