//! Loom models of the rendezvous protocol: hand-over, close racing put and get, and
//! getters dropped after being woken or after being handed a value.
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p csp-core --release --test loom_rendezvous`
//! (see `.ci/loom.sh` and `docs/verification.md` for the bounds). Every model asserts
//! conservation — each value put is received exactly once or given back — and loom
//! itself fails a model in which every thread sleeps for ever (a lost wake-up).

#![cfg(loom)]

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use csp_core::buffer::Rendezvous;
use csp_core::lock::RawLock;
use csp_core::Closed;

/// `loom::future::block_on`, failing a model in which one future is polled more than
/// `MAX_POLLS` times (a livelock: woken again and again without progress).
fn block_on<F: Future>(fut: F) -> F::Output {
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
use loom::sync::Arc;
use loom::thread;

/// The models' lock: a loom `Mutex` whose guard is kept inside the lock between
/// `lock` and `unlock`.
///
/// The default `SpinLock` spins with yields, and every yield is a branch of the model:
/// contended models exceed loom's branch limit and explode its state space. A loom
/// mutex parks the waiting thread instead, so the models explore the protocol rather
/// than the spinning. (The spin lock itself is a plain test-and-set lock; it is
/// exercised by the thread stress tests and under miri.)
struct LoomLock {
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

/// A rendezvous channel with the models' lock.
type Chan<T> = csp_core::Chan<T, Rendezvous, LoomLock>;

fn chan() -> Arc<Chan<u32>> {
    Arc::new(Chan::with_lock(Rendezvous))
}

/// Runs `f` under loom with preemption bound `bound` (`LOOM_MAX_PREEMPTIONS` overrides
/// it) and prints how many executions it explored and how long that took.
fn model(name: &str, bound: usize, f: impl Fn() + Sync + Send + 'static) {
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
fn poll_then_drop<F: Future>(fut: F, polls: usize) -> Option<F::Output> {
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

/// One putter, one getter: the value crosses exactly once and both complete.
#[test]
fn put_meets_get() {
    model("put_meets_get", 2, || {
        let ch = chan();
        let c = ch.clone();
        let t = thread::spawn(move || block_on(c.put(1)));
        assert_eq!(block_on(ch.get()), Some(1));
        assert_eq!(t.join().unwrap(), Ok(()));
    });
}

/// Two putters, one getter taking twice: both values arrive, each once.
#[test]
fn two_putters_one_getter() {
    model("two_putters_one_getter", 2, || {
        let ch = chan();
        let ts: Vec<_> = [1, 2]
            .map(|v| {
                let c = ch.clone();
                thread::spawn(move || block_on(c.put(v)))
            })
            .into();
        let mut got = [block_on(ch.get()), block_on(ch.get())];
        got.sort();
        assert_eq!(got, [Some(1), Some(2)]);
        for t in ts {
            assert_eq!(t.join().unwrap(), Ok(()));
        }
    });
}

/// One putter, two getters, then a close: exactly one getter gets the value, the other
/// sees the end.
#[test]
fn one_putter_two_getters_then_close() {
    model("one_putter_two_getters_then_close", 2, || {
        let ch = chan();
        let c = ch.clone();
        let g = thread::spawn(move || block_on(c.get()));
        block_on(ch.put(1)).unwrap();
        ch.close();
        let mine = block_on(ch.get());
        let theirs = g.join().unwrap();
        let mut got = [mine, theirs];
        got.sort();
        assert_eq!(got, [None, Some(1)]);
    });
}

/// `try_put` races a getter: either it finds the getter waiting and hands over, or it
/// is refused and a blocking put delivers.
#[test]
fn try_put_races_get() {
    model("try_put_races_get", 2, || {
        let ch = chan();
        let c = ch.clone();
        let g = thread::spawn(move || block_on(c.get()));
        if let Err(e) = ch.try_put(1) {
            assert!(e.is_full());
            block_on(ch.put(e.into_inner())).unwrap();
        }
        assert_eq!(g.join().unwrap(), Some(1));
    });
}

/// Close races a put and a get. A put that succeeded was received; a put refused by
/// the close got its value back; nobody waits for ever.
#[test]
fn close_races_put_and_get() {
    model("close_races_put_and_get", 2, || {
        let ch = chan();
        let (c1, c2) = (ch.clone(), ch.clone());
        let p = thread::spawn(move || block_on(c1.put(1)));
        let k = thread::spawn(move || {
            c2.close();
        });
        let got = block_on(ch.get());
        let put = p.join().unwrap();
        k.join().unwrap();
        match (put, got) {
            (Ok(()), Some(1)) | (Err(Closed(1)), None) => {}
            other => panic!("value not conserved: {other:?}"),
        }
    });
}

/// A getter that owns the hand-over slot is dropped: the value passes to the other
/// getter, or stays as an orphan that getter takes. Never lost, never doubled.
#[test]
fn drop_of_a_slot_owning_getter() {
    model("drop_of_a_slot_owning_getter", 2, || {
        let ch = chan();
        let (c1, c2) = (ch.clone(), ch.clone());
        // g1 registers, may be handed the value, and is then dropped.
        let g1 = thread::spawn(move || poll_then_drop(c1.get(), 2));
        let g2 = thread::spawn(move || block_on(c2.get()));
        block_on(ch.put(7)).unwrap();
        ch.close();
        let a = g1.join().unwrap().flatten();
        let b = g2.join().unwrap();
        let got: Vec<u32> = [a, b].into_iter().flatten().collect();
        assert_eq!(got, vec![7], "g1 got {a:?}, g2 got {b:?}");
    });
}

/// A getter woken by a queued putter while a hand-over is in flight, then dropped,
/// passes its wake on: the other getter (which drains until the end) still gets every
/// value the dropped one did not take.
#[test]
fn drop_of_a_woken_getter() {
    model("drop_of_a_woken_getter", 2, || {
        let ch = chan();
        let (c1, c2, c3) = (ch.clone(), ch.clone(), ch.clone());
        let g1 = thread::spawn(move || poll_then_drop(c1.get(), 2));
        let g2 = thread::spawn(move || {
            let mut got = Vec::new();
            while let Some(v) = block_on(c2.get()) {
                got.push(v);
            }
            got
        });
        let p = thread::spawn(move || block_on(c3.put(2)));
        block_on(ch.put(1)).unwrap();
        p.join().unwrap().unwrap();
        ch.close();
        let mut got = g2.join().unwrap();
        got.extend(g1.join().unwrap().flatten());
        got.sort();
        assert_eq!(got, vec![1, 2]);
    });
}

/// A put cancelled while waiting gives its value back through `take_value` unless a
/// getter took it first: exactly one of the two has it.
#[test]
fn cancelled_put_gives_its_value_back() {
    model("cancelled_put_gives_its_value_back", 2, || {
        let ch = chan();
        let c = ch.clone();
        let p = thread::spawn(move || {
            let mut put = pin!(c.put(3));
            let mut cx = Context::from_waker(Waker::noop());
            match put.as_mut().poll(&mut cx) {
                Poll::Ready(r) => {
                    r.unwrap();
                    None
                }
                Poll::Pending => {
                    thread::yield_now();
                    put.as_mut().take_value()
                }
            }
        });
        let got = ch.try_get().ok();
        let back = p.join().unwrap();
        ch.close();
        let late = ch.try_get().ok();
        let all: Vec<u32> = [got, back, late].into_iter().flatten().collect();
        assert_eq!(all, vec![3], "got {got:?}, back {back:?}, late {late:?}");
    });
}
