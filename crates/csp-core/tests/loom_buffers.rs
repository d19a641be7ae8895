//! Loom models of the buffered channels: refill from queued puts, one value per waiting
//! getter (no double wake), the promise, sliding and dropping buffers under contention,
//! and close with values still buffered.
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p csp-core --release --test loom_buffers`.

#![cfg(loom)]

mod loom_support;

use csp_core::buffer::{Buffer, Dropping, Fixed, Promise, Sliding};
use loom::sync::Arc;
use loom::thread;
use loom_support::{block_on, model, Chan};

/// Refill: puts queue behind a full `Fixed<1>`; each get takes the front and moves a
/// queued value in. Every value arrives once.
#[test]
fn refill_from_queued_puts() {
    model("refill_from_queued_puts", 2, || {
        let ch: Arc<Chan<u32, Fixed<u32, 1>>> = Arc::new(Chan::with_lock(Fixed::new()));
        let (c1, c2) = (ch.clone(), ch.clone());
        let p1 = thread::spawn(move || {
            block_on(c1.put(1)).unwrap();
            block_on(c1.put(2)).unwrap();
        });
        let p2 = thread::spawn(move || block_on(c2.put(3)).unwrap());
        let mut got = vec![block_on(ch.get()), block_on(ch.get()), block_on(ch.get())];
        p1.join().unwrap();
        p2.join().unwrap();
        got.sort();
        assert_eq!(got, vec![Some(1), Some(2), Some(3)]);
    });
}

/// Refill wakes the next getter: two getters wait on a `Fixed<1>` while three values
/// arrive; both getters complete and the third value stays buffered.
#[test]
fn refill_wakes_the_next_getter() {
    model("refill_wakes_the_next_getter", 3, || {
        let ch: Arc<Chan<u32, Fixed<u32, 1>>> = Arc::new(Chan::with_lock(Fixed::new()));
        let gs: Vec<_> = (0..2)
            .map(|_| {
                let c = ch.clone();
                thread::spawn(move || block_on(c.get()))
            })
            .collect();
        for v in 1..=3 {
            block_on(ch.put(v)).unwrap();
        }
        let mut got: Vec<u32> = gs.into_iter().map(|g| g.join().unwrap().unwrap()).collect();
        got.push(ch.try_get().unwrap());
        got.sort();
        assert_eq!(got, vec![1, 2, 3]);
    });
}

/// Two values for two waiting getters of a `Fixed<2>`: both getters are woken.
#[test]
fn two_values_wake_two_getters() {
    model("two_values_wake_two_getters", 3, || {
        let ch: Arc<Chan<u32, Fixed<u32, 2>>> = Arc::new(Chan::with_lock(Fixed::new()));
        let gs: Vec<_> = (0..2)
            .map(|_| {
                let c = ch.clone();
                thread::spawn(move || block_on(c.get()))
            })
            .collect();
        ch.try_put(1).unwrap();
        ch.try_put(2).unwrap();
        let mut got: Vec<u32> = gs.into_iter().map(|g| g.join().unwrap().unwrap()).collect();
        got.sort();
        assert_eq!(got, vec![1, 2]);
    });
}

/// A promise: every waiting getter gets the first value; the second is discarded.
#[test]
fn promise_serves_every_getter() {
    model("promise_serves_every_getter", 3, || {
        let ch: Arc<Chan<u32, Promise<u32>>> = Arc::new(Chan::with_lock(Promise::new()));
        let gs: Vec<_> = (0..2)
            .map(|_| {
                let c = ch.clone();
                thread::spawn(move || block_on(c.get()))
            })
            .collect();
        ch.try_put(5).unwrap();
        ch.try_put(6).unwrap();
        for g in gs {
            assert_eq!(g.join().unwrap(), Some(5));
        }
        assert_eq!(ch.stats().discarded, 1);
    });
}

/// Two putters on a lossy buffer of one (`make` builds it) and a getter: every value is
/// received, still buffered, or counted as discarded — exactly once.
fn lossy_under_contention<B>(name: &str, make: fn() -> B)
where
    B: Buffer<u32> + Send + Sync + 'static,
{
    model(name, 3, move || {
        let ch: Arc<Chan<u32, B>> = Arc::new(Chan::with_lock(make()));
        let ps: Vec<_> = [1, 2]
            .map(|v| {
                let c = ch.clone();
                thread::spawn(move || block_on(c.put(v)).unwrap())
            })
            .into();
        let first = block_on(ch.get()).unwrap();
        for p in ps {
            p.join().unwrap();
        }
        let rest = ch.try_get().ok();
        let received = 1 + usize::from(rest.is_some());
        assert_eq!(received + ch.stats().discarded, 2);
        assert_ne!(Some(first), rest, "no value twice");
    });
}

/// Two putters on a `Sliding<1>` and a getter (see [`lossy_under_contention`]).
#[test]
fn sliding_under_contention() {
    lossy_under_contention("sliding_under_contention", Sliding::<u32, 1>::new);
}

/// Two putters on a `Dropping<1>` and a getter (see [`lossy_under_contention`]).
#[test]
fn dropping_under_contention() {
    lossy_under_contention("dropping_under_contention", Dropping::<u32, 1>::new);
}

/// A thread that gets from `ch` until the end, returning what it got.
fn drain_on_a_thread(ch: &Arc<Chan<u32, Fixed<u32, 1>>>) -> thread::JoinHandle<Vec<u32>> {
    let c = ch.clone();
    thread::spawn(move || {
        let mut got = Vec::new();
        while let Some(v) = block_on(c.get()) {
            got.push(v);
        }
        got
    })
}

/// Close with a value buffered and a put queued, racing a getter that drains: the
/// getter sees both values before the end.
#[test]
fn close_with_values_buffered() {
    model("close_with_values_buffered", 3, || {
        let ch: Arc<Chan<u32, Fixed<u32, 1>>> = Arc::new(Chan::with_lock(Fixed::new()));
        let g = drain_on_a_thread(&ch);
        block_on(ch.put(1)).unwrap();
        block_on(ch.put(2)).unwrap();
        ch.close();
        assert_eq!(g.join().unwrap(), vec![1, 2]);
    });
}

/// `closed_and_drained` against a getter draining a buffered channel and the close:
/// the watcher completes (no lost wake-up), and only once nothing is left to take.
#[test]
fn closed_and_drained_after_the_last_take() {
    model("closed_and_drained_after_the_last_take", 2, || {
        let ch: Arc<Chan<u32, Fixed<u32, 1>>> = Arc::new(Chan::with_lock(Fixed::new()));
        let g = drain_on_a_thread(&ch);
        let c = ch.clone();
        let w = thread::spawn(move || {
            block_on(c.closed_and_drained());
            // Drained stays drained: nothing can be taken any more.
            c.try_get()
        });
        block_on(ch.put(1)).unwrap();
        ch.close();
        assert_eq!(w.join().unwrap(), Err(csp_core::TryGetError::Closed));
        assert_eq!(g.join().unwrap(), vec![1]);
    });
}
