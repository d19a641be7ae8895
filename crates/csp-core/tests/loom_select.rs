//! Loom models of select: select against select on two shared channels, crossing
//! selects, a select naming one channel twice or putting to and getting from the same
//! channel, close during a select, and a select dropped after it may have been claimed.
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p csp-core --release --test loom_select`.
//! Under loom a select tries its arms from arm 0 (no random start), so models list
//! arms in both orders where the order matters.

#![cfg(loom)]

mod loom_support;

use core::pin::pin;

use csp_core::buffer::Rendezvous;
use csp_core::select;
use loom::sync::Arc;
use loom::thread;
use loom_support::{block_on, model, poll_then_drop, Chan};

fn chan() -> Arc<Chan<u32>> {
    Arc::new(Chan::with_lock(Rendezvous))
}

/// A select of two puts meets a select of two gets on the same two channels: exactly
/// one value crosses, and the losing put gives its value back.
#[test]
fn select_puts_vs_select_gets() {
    model("select_puts_vs_select_gets", 3, || {
        let (a, b) = (chan(), chan());
        let (a2, b2) = (a.clone(), b.clone());
        let putter = thread::spawn(move || {
            block_on(async {
                let mut pa = pin!(a2.put(1));
                let mut pb = pin!(b2.put(2));
                let won = select! {
                    r = pa.as_mut() => { r.unwrap(); 1 }
                    r = pb.as_mut() => { r.unwrap(); 2 }
                };
                let back = pa.as_mut().take_value().or(pb.as_mut().take_value());
                (won, back)
            })
        });
        let got = block_on(async {
            select! {
                v = b.get() => v,
                v = a.get() => v,
            }
        });
        let (won, back) = putter.join().unwrap();
        assert_eq!(
            got,
            Some(won),
            "the getter received the winning put's value"
        );
        assert_eq!(back, Some(3 - won), "the losing put kept its value");
    });
}

/// Two selects, each putting to one channel and getting from the other: exactly one
/// exchange happens, and neither waits for ever.
#[test]
fn crossing_selects() {
    model("crossing_selects", 3, || {
        let (a, b) = (chan(), chan());
        let (a2, b2) = (a.clone(), b.clone());
        let t = thread::spawn(move || {
            block_on(async {
                select! {
                    r = a2.put(1) => { r.unwrap(); None }
                    v = b2.get() => v,
                }
            })
        });
        let mine = block_on(async {
            select! {
                v = a.get() => v,
                r = b.put(2) => { r.unwrap(); None }
            }
        });
        let theirs = t.join().unwrap();
        match (mine, theirs) {
            (Some(1), None) | (None, Some(2)) => {}
            other => panic!("not exactly one exchange: {other:?}"),
        }
    });
}

/// A select naming one channel in two arms takes one value, once.
#[test]
fn same_channel_in_two_arms() {
    model("same_channel_in_two_arms", 3, || {
        let a = chan();
        let a2 = a.clone();
        let t = thread::spawn(move || block_on(a2.put(7)));
        let got = block_on(async {
            select! {
                v = a.get() => (0, v),
                v = a.get() => (1, v),
            }
        });
        assert_eq!(got.1, Some(7));
        t.join().unwrap().unwrap();
        assert!(a.try_get().is_err(), "nothing else was taken or left");
    });
}

/// A select that puts to and gets from the same channel never meets itself: a plain
/// getter takes its value.
#[test]
fn select_does_not_meet_itself() {
    model("select_does_not_meet_itself", 3, || {
        let a = chan();
        let a2 = a.clone();
        let t = thread::spawn(move || {
            block_on(async {
                select! {
                    v = a2.get() => Err(v),
                    r = a2.put(1) => Ok(r.is_ok()),
                }
            })
        });
        assert_eq!(block_on(a.get()), Some(1));
        assert_eq!(t.join().unwrap(), Ok(true));
    });
}

/// Close during a select: the select either sees the end of `a` or takes the value a
/// racing `try_put` hands it on `b`; a refused value comes back.
#[test]
fn close_during_select() {
    model("close_during_select", 3, || {
        let (a, b) = (chan(), chan());
        let (a2, b2, a3) = (a.clone(), b.clone(), a.clone());
        let t = thread::spawn(move || {
            block_on(async {
                select! {
                    v = a2.get() => ('a', v),
                    v = b2.get() => ('b', v),
                }
            })
        });
        let k = thread::spawn(move || {
            a3.close();
        });
        let sent = b.try_put(5).is_ok();
        k.join().unwrap();
        let got = t.join().unwrap();
        if sent {
            assert_eq!(got, ('b', Some(5)));
        } else {
            assert_eq!(got, ('a', None));
        }
    });
}

/// A select is dropped after a poll or two, possibly after a putter claimed one of its
/// arms: the value it was handed passes to the other getter, never lost or doubled.
#[test]
fn claimed_select_is_dropped() {
    model("claimed_select_is_dropped", 2, || {
        let (a, b) = (chan(), chan());
        let (a2, b2, a3) = (a.clone(), b.clone(), a.clone());
        let s = thread::spawn(move || {
            poll_then_drop(
                async move {
                    select! {
                        v = a2.get() => v,
                        v = b2.get() => v,
                    }
                },
                2,
            )
        });
        let g = thread::spawn(move || {
            let mut got = Vec::new();
            while let Some(v) = block_on(a3.get()) {
                got.push(v);
            }
            got
        });
        block_on(a.put(1)).unwrap();
        a.close();
        let mut got = g.join().unwrap();
        got.extend(s.join().unwrap().flatten());
        assert_eq!(got, vec![1]);
        drop(b);
    });
}

/// A select waits on two rendezvous channels while two threads put, one on each. The
/// put that loses the race finds the select's other node dead (its selector claimed)
/// and unlinks it (pruning), then waits as a putter of its own; a second select takes
/// that value. Every value arrives once, and neither channel keeps a waiter.
#[test]
fn losing_arm_pruned_by_the_other_put() {
    model("losing_arm_pruned_by_the_other_put", 2, || {
        let (a, b) = (chan(), chan());
        let (a2, b2) = (a.clone(), b.clone());
        let pa = thread::spawn(move || block_on(a2.put(1)).unwrap());
        let pb = thread::spawn(move || block_on(b2.put(2)).unwrap());
        let mut got = Vec::new();
        for _ in 0..2 {
            got.push(block_on(async {
                select! {
                    v = a.get() => v,
                    v = b.get() => v,
                }
            }));
        }
        pa.join().unwrap();
        pb.join().unwrap();
        got.sort();
        assert_eq!(got, vec![Some(1), Some(2)]);
        assert_eq!(a.stats().waiting_gets + b.stats().waiting_gets, 0);
        assert_eq!(a.stats().waiting_puts + b.stats().waiting_puts, 0);
    });
}
