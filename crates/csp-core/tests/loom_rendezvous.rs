//! Loom models of the rendezvous protocol: hand-over, close racing put and get, and
//! getters dropped after being woken or after being handed a value.
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p csp-core --release --test loom_rendezvous`
//! (see `.ci/loom.sh` and `docs/verification.md` for the bounds). Every model asserts
//! conservation — each value put is received exactly once or given back — and loom
//! itself fails a model in which every thread sleeps for ever (a lost wake-up).

#![cfg(loom)]

mod loom_support;

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use csp_core::buffer::Rendezvous;
use csp_core::Closed;
use loom::sync::Arc;
use loom::thread;
use loom_support::{block_on, model, poll_then_drop, Chan};

fn chan() -> Arc<Chan<u32>> {
    Arc::new(Chan::with_lock(Rendezvous))
}

/// One putter, one getter: the value crosses exactly once and both complete.
#[test]
fn put_meets_get() {
    model("put_meets_get", 3, || {
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
    model("two_putters_one_getter", 3, || {
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
    model("one_putter_two_getters_then_close", 3, || {
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
    model("try_put_races_get", 3, || {
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
    model("close_races_put_and_get", 3, || {
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

/// A getter that was handed the value (it waits in the getter's node) is dropped: the
/// value passes to the other getter, or stays as an orphan that getter takes. Never
/// lost, never doubled.
#[test]
fn drop_of_a_getter_handed_a_value() {
    model("drop_of_a_getter_handed_a_value", 3, || {
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

/// Two hand-overs in flight at once: two getters may each be handed a value by
/// back-to-back puts, and both are dropped after one poll, in either order. Every value
/// reaches exactly one of them or stays behind as an orphan, and orphans come out in
/// the order they were put (the hand-over tickets), whichever getter went first.
#[test]
fn two_getters_handed_values_dropped() {
    model("two_getters_handed_values_dropped", 3, || {
        let ch = chan();
        let (c1, c2) = (ch.clone(), ch.clone());
        let g1 = thread::spawn(move || poll_then_drop(c1.get(), 1));
        let g2 = thread::spawn(move || poll_then_drop(c2.get(), 1));
        // Puts that find no getter waiting give up (a put that would queue must not
        // block the model for ever once both getters are gone).
        let mut put = Vec::new();
        for v in [1, 2] {
            if ch.try_put(v).is_ok() {
                put.push(v);
            }
        }
        let a = g1.join().unwrap().flatten();
        let b = g2.join().unwrap().flatten();
        let mut left = Vec::new();
        while let Ok(v) = ch.try_get() {
            left.push(v);
        }
        let mut sorted = left.clone();
        sorted.sort();
        assert_eq!(left, sorted, "orphans oldest first");
        let mut got: Vec<u32> = [a, b].into_iter().flatten().chain(left).collect();
        got.sort();
        assert_eq!(got, put, "g1 got {a:?}, g2 got {b:?}");
    });
}

/// A getter woken by a queued putter while a hand-over is in flight, then dropped,
/// passes its wake on: the other getter (which drains until the end) still gets every
/// value the dropped one did not take.
#[test]
fn drop_of_a_woken_getter() {
    model("drop_of_a_woken_getter", 1, || {
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
    model("cancelled_put_gives_its_value_back", 3, || {
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

/// A put polled again and again (no waiting for a wake-up) while a getter takes its
/// value: a poll may come between the getter's claim and its release of the node
/// (`Selector::is_released`). The put completes exactly once, with the value delivered.
#[test]
fn put_polled_while_its_getter_claims_it() {
    model("put_polled_while_its_getter_claims_it", 3, || {
        let ch = chan();
        let c = ch.clone();
        let p = thread::spawn(move || {
            let mut put = pin!(c.put(4));
            let mut cx = Context::from_waker(Waker::noop());
            loop {
                if let Poll::Ready(r) = put.as_mut().poll(&mut cx) {
                    return r;
                }
                thread::yield_now();
            }
        });
        assert_eq!(block_on(ch.get()), Some(4));
        assert_eq!(p.join().unwrap(), Ok(()));
    });
}

/// `closed_and_drained` against a put that may still be queued at the close and the get
/// that takes it: the watcher completes, and only after the value was taken.
#[test]
fn closed_and_drained_waits_for_the_queued_put() {
    model("closed_and_drained_waits_for_the_queued_put", 2, || {
        let ch = chan();
        let c = ch.clone();
        let p = thread::spawn(move || {
            let r = block_on(c.put(1));
            c.close();
            r
        });
        let c = ch.clone();
        let w = thread::spawn(move || {
            block_on(c.closed_and_drained());
            c.try_get()
        });
        assert_eq!(block_on(ch.get()), Some(1));
        assert_eq!(p.join().unwrap(), Ok(()));
        assert_eq!(w.join().unwrap(), Err(csp_core::TryGetError::Closed));
    });
}
