//! `select!`: exactly one arm, priority, fairness, default, guards, mixed types.

#![cfg(not(loom))]

mod common;

use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::Poll;

use common::{counting_waker, poll_once, poll_with};
use csp_core::buffer::{Fixed, Rendezvous};
use csp_core::lock::{RawLock, SpinLock};
use csp_core::{block_on, pin_index, select, select_slice, Arm, Chan, Closed};

type Buf<T> = Chan<T, Fixed<T, 4>>;

fn buf<T>() -> Buf<T> {
    Chan::with_buffer(Fixed::new())
}

#[test]
fn biased_select_takes_the_leftmost_ready_arm() {
    let a: Buf<u8> = buf();
    let b: Buf<u8> = buf();
    a.try_put(1).unwrap();
    b.try_put(2).unwrap();
    for _ in 0..20 {
        let got = block_on(async {
            select! {
                biased;
                v = a.get() => ("a", v),
                v = b.get() => ("b", v),
            }
        });
        assert_eq!(got, ("a", Some(1)));
        a.try_put(1).unwrap();
    }
    // The losing arm took nothing.
    assert_eq!(b.len(), 1);
}

#[test]
fn unbiased_select_chooses_among_ready_arms_at_random() {
    let a: Buf<u8> = buf();
    let b: Buf<u8> = buf();
    let mut counts = [0u32; 2];
    let rounds = if cfg!(miri) { 40 } else { 400 };
    for _ in 0..rounds {
        let _ = a.try_put(0);
        let _ = b.try_put(1);
        let i = block_on(async {
            select! {
                _ = a.get() => 0,
                _ = b.get() => 1,
            }
        });
        counts[i] += 1;
    }
    assert!(
        counts[0] > rounds / 5 && counts[1] > rounds / 5,
        "unfair: {counts:?}"
    );
}

#[test]
fn default_runs_when_nothing_is_ready_and_queues_nothing() {
    let a: Chan<u8> = Chan::new();
    let got = block_on(async {
        select! {
            v = a.get() => v,
            r = a.put(3) => r.err().map(Closed::into_inner),
            default => Some(99),
        }
    });
    assert_eq!(got, Some(99));
    let s = a.stats();
    assert_eq!((s.waiting_gets, s.waiting_puts), (0, 0));
}

#[test]
fn mixed_put_and_get_arms_on_different_types_complete_exactly_one() {
    let nums: Buf<u64> = buf();
    let words: Chan<String> = Chan::new();
    // Nobody takes from `words`, so only the put into `nums` can happen.
    let got = block_on(async {
        select! {
            r = words.put("lost?".to_string()) => format!("word {r:?}"),
            r = nums.put(7) => format!("num {r:?}"),
        }
    });
    assert_eq!(got, "num Ok(())");
    assert_eq!(nums.try_get(), Ok(7));
    assert_eq!(words.stats().waiting_puts, 0, "the losing put withdrew");
}

#[test]
fn losing_put_gives_its_value_back() {
    let idle: Chan<String> = Chan::new();
    let ready: Buf<u8> = buf();
    ready.try_put(1).unwrap();
    block_on(async {
        let mut put = pin!(idle.put("mine".to_string()));
        select! {
            _ = put.as_mut() => unreachable!(),
            v = ready.get() => assert_eq!(v, Some(1)),
        }
        assert_eq!(put.as_mut().take_value().as_deref(), Some("mine"));
    });
}

#[test]
fn select_waits_then_completes_on_the_arm_that_became_ready() {
    let a: Chan<u8> = Chan::new();
    let b: Chan<&str> = Chan::new();
    let (wakes, waker) = counting_waker();
    let mut fut = pin!(async {
        select! {
            v = a.get() => format!("a {v:?}"),
            v = b.get() => format!("b {v:?}"),
        }
    });
    assert!(poll_with(fut.as_mut(), &waker).is_pending());
    assert_eq!(
        b.try_put("x"),
        Ok(()),
        "the select's get waits, so try_put hands over"
    );
    assert_eq!(wakes.count(), 1);
    assert_eq!(
        poll_with(fut.as_mut(), &waker),
        Poll::Ready("b Some(\"x\")".to_string())
    );
    // The other arm left the channel.
    assert_eq!(a.stats().waiting_gets, 0);
    assert_eq!(a.try_put(1), Err(csp_core::TryPutError::Full(1)));
}

#[test]
fn select_on_a_closed_channel_completes_with_none() {
    let work: Chan<u8> = Chan::new();
    let stop: Chan<()> = Chan::new();
    stop.close();
    let got = block_on(async {
        select! {
            v = work.get() => format!("work {v:?}"),
            v = stop.get() => format!("stop {v:?}"),
        }
    });
    assert_eq!(got, "stop None");
}

#[test]
fn new_put_on_a_closed_channel_in_a_select_fails_with_its_value() {
    let ch: Chan<String> = Chan::new();
    let never: Chan<u8> = Chan::new();
    ch.close();
    let got = block_on(async {
        select! {
            r = ch.put("back".to_string()) => r,
            _ = never.get() => unreachable!(),
        }
    });
    assert_eq!(got, Err(Closed("back".to_string())));
}

#[test]
fn guard_disables_an_arm_without_evaluating_it() {
    let a: Buf<u8> = buf();
    a.try_put(1).unwrap();
    let b: Buf<u8> = buf();
    b.try_put(2).unwrap();
    let mut evaluated = false;
    let got = block_on(async {
        select! {
            biased;
            v = { evaluated = true; a.get() }, if false => v,
            v = b.get() => v,
        }
    });
    assert_eq!(got, Some(2));
    assert!(!evaluated);
    assert_eq!(a.len(), 1);
}

#[test]
#[should_panic(expected = "every arm disabled and no default")]
fn all_arms_disabled_without_default_panics() {
    let a: Chan<u8> = Chan::new();
    block_on(async {
        select! {
            v = a.get(), if false => v,
        }
    });
}

#[test]
fn refutable_pattern_disables_the_arm_and_selects_again() {
    let jobs: Buf<u32> = buf();
    let stop: Chan<()> = Chan::new();
    jobs.close();
    let mut pending = pin!(async {
        select! {
            Some(j) = jobs.get() => format!("job {j}"),
            _ = stop.get() => "stopped".to_string(),
        }
    });
    // `jobs` is closed: its arm yields None, which does not match; the select waits on `stop`.
    assert!(poll_once(pending.as_mut()).is_pending());
    stop.close();
    assert_eq!(
        poll_once(pending.as_mut()),
        Poll::Ready("stopped".to_string())
    );
}

#[test]
fn same_channel_in_two_arms_never_matches_itself() {
    // A select that both puts to and gets from one rendezvous channel must not hand the
    // value to itself (scenario 6): alone, it waits.
    let ch: Chan<u8> = Chan::new();
    let mut fut = pin!(async {
        select! {
            v = ch.get() => format!("got {v:?}"),
            r = ch.put(1) => format!("put {r:?}"),
        }
    });
    assert!(poll_once(fut.as_mut()).is_pending());
    assert!(poll_once(fut.as_mut()).is_pending());
    // Another party takes the put.
    assert_eq!(ch.try_get(), Ok(1));
    assert_eq!(
        poll_once(fut.as_mut()),
        Poll::Ready("put Ok(())".to_string())
    );
    assert_eq!(ch.stats().waiting_gets, 0);
}

#[test]
fn select_against_select_on_two_rendezvous_channels() {
    let a: Chan<u32> = Chan::new();
    let b: Chan<u32> = Chan::new();
    let n = if cfg!(miri) { 20 } else { 2000 };
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..n {
                block_on(async {
                    select! {
                        r = a.put(i) => r.unwrap(),
                        r = b.put(i) => r.unwrap(),
                    }
                });
            }
            a.close();
            b.close();
        });
        let mut got = Vec::new();
        let (mut ao, mut bo) = (true, true);
        while ao || bo {
            block_on(async {
                select! {
                    v = a.get(), if ao => match v { Some(v) => got.push(v), None => ao = false },
                    v = b.get(), if bo => match v { Some(v) => got.push(v), None => bo = false },
                }
            });
        }
        assert_eq!(
            got,
            (0..n).collect::<Vec<_>>(),
            "one put, in order, exactly once each"
        );
    });
}

#[test]
fn select_slice_over_a_runtime_sized_set() {
    let chans: Vec<Buf<usize>> = (0..5).map(|_| buf()).collect();
    chans[3].try_put(33).unwrap();
    block_on(async {
        let mut gets = pin!([
            chans[0].get(),
            chans[1].get(),
            chans[2].get(),
            chans[3].get(),
            chans[4].get()
        ]);
        let i = select_slice(gets.as_mut(), true).await;
        assert_eq!(i, 3);
        assert_eq!(pin_index(gets.as_mut(), i).take_output(), Some(33));
    });
    assert!(chans.iter().all(|c| c.stats().waiting_gets == 0));
}

/// An inline `ch.get()`/`ch.put(v)` arm drops its future's own selector and runs on
/// the select's (smaller, and nothing to build or drop); a pinned future used through
/// `as_mut()` stays itself, so `take_value` still works on it afterwards. The type
/// annotations are the assertion: the wrong conversion does not compile.
#[test]
#[allow(clippy::needless_borrow)] // `&&` is how `select!` picks the conversion
fn inline_arms_run_as_their_ops_and_pinned_arms_as_they_are() {
    use csp_core::internal::{ArmExpr, GetOp, IntoArm as _, IntoOpArm as _, PutOp};
    use csp_core::{Get, Put};
    let ch: Buf<u8> = buf();
    let get: GetOp<'_, u8, _, _> = (&&ArmExpr::new(ch.get())).select_arm();
    let put: PutOp<'_, u8, _, _> = (&&ArmExpr::new(ch.put(1))).select_arm();
    assert!(std::mem::size_of_val(&get) < std::mem::size_of::<Get<'_, u8, Fixed<u8, 4>>>());
    assert!(std::mem::size_of_val(&put) < std::mem::size_of::<Put<'_, u8, Fixed<u8, 4>>>());
    let mut pinned = pin!(ch.put(2));
    let _same: std::pin::Pin<&mut Put<'_, u8, _>> = (&&ArmExpr::new(pinned.as_mut())).select_arm();
    assert_eq!(pinned.as_mut().take_value(), Some(2));
}

#[test]
fn dropping_a_waiting_select_withdraws_every_arm() {
    let a: Chan<u8> = Chan::new();
    let b: Chan<u8> = Chan::new();
    {
        let mut fut = pin!(async {
            select! {
                v = a.get() => v,
                r = b.put(1) => r.ok().map(|_| 0),
            }
        });
        assert!(poll_once(fut.as_mut()).is_pending());
        assert_eq!((a.stats().waiting_gets, b.stats().waiting_puts), (1, 1));
    }
    assert_eq!((a.stats().waiting_gets, b.stats().waiting_puts), (0, 0));
    assert_eq!(
        b.try_get(),
        Err(csp_core::TryGetError::Empty),
        "the dropped put delivered nothing"
    );
}

#[test]
fn block_bodies_may_be_followed_by_commas() {
    let a: Buf<u8> = buf();
    let b: Buf<u8> = buf();
    b.try_put(1).unwrap();
    let mut hit = 0;
    block_on(async {
        select! {
            _ = a.get() => {},
            _ = b.get() => { hit = 2; },
        }
    });
    assert_eq!(hit, 2);
    let d = block_on(async {
        select! {
            _ = a.get(), if true => { 1 },
            default => { 9 },
        }
    });
    assert_eq!(d, 9);
}

#[test]
fn a_losing_get_arm_is_unlinked_by_the_next_put_on_its_channel() {
    let a: Buf<u8> = buf();
    let b: Buf<u8> = buf();
    let (woken, waker) = counting_waker();
    let mut fut = pin!(async {
        select! {
            v = a.get() => ("a", v),
            v = b.get() => ("b", v),
        }
    });
    assert!(poll_with(fut.as_mut(), &waker).is_pending());
    // A put on `a` completes the select (it is claimed) before the select runs again.
    a.try_put(1).unwrap();
    assert_eq!(woken.count(), 1);
    assert_eq!(
        b.stats().waiting_gets,
        1,
        "the lost arm is still linked on b"
    );
    // The next put on `b` finds that dead getter, unlinks it and keeps its value: it is
    // not handed to the select, whose other arm already won.
    b.try_put(2).unwrap();
    assert_eq!(b.stats().waiting_gets, 0, "the dead getter was pruned");
    b.try_put(3).unwrap();
    assert_eq!(woken.count(), 1, "nobody was woken for b's values");
    // The select completes with a's value; withdrawing the pruned arm changes nothing.
    assert_eq!(poll_with(fut.as_mut(), &waker), Poll::Ready(("a", Some(1))));
    assert_eq!((b.try_get(), b.try_get()), (Ok(2), Ok(3)));
    assert_eq!(a.stats().waiting_gets + b.stats().waiting_gets, 0);
}

#[test]
fn a_losing_put_arm_is_unlinked_by_the_next_get_and_keeps_its_value() {
    let a: Chan<u8> = Chan::new();
    let b: Chan<u8> = Chan::new();
    let (woken, waker) = counting_waker();
    let mut fut = pin!(async {
        select! {
            r = a.put(1) => ("a", r.is_ok()),
            r = b.put(2) => ("b", r.is_ok()),
        }
    });
    assert!(poll_with(fut.as_mut(), &waker).is_pending());
    assert_eq!(a.try_get(), Ok(1));
    assert_eq!(woken.count(), 1);
    assert_eq!(
        b.stats().waiting_puts,
        1,
        "the lost arm is still linked on b"
    );
    // A get on `b` finds the dead putter: it takes nothing from it and unlinks it.
    assert_eq!(b.try_get(), Err(csp_core::TryGetError::Empty));
    assert_eq!(b.stats().waiting_puts, 0, "the dead putter was pruned");
    assert_eq!(poll_with(fut.as_mut(), &waker), Poll::Ready(("a", true)));
    assert_eq!(
        b.try_get(),
        Err(csp_core::TryGetError::Empty),
        "2 was never delivered"
    );
}

/// A select takes each distinct lock once, in address order, however its arms name the
/// channels: kept inline (up to 8 distinct locks; here also with repeats, in scrambled
/// order) or found by scanning (more). Each case waits, completes on the arm whose
/// channel became ready, and leaves every channel unlocked and without waiters (a lock
/// left held would hang the `try_put` that follows).
#[test]
fn select_locks_each_channel_once_however_its_arms_name_them() {
    fn case<const N: usize>(chans: &[Buf<usize>], order: [usize; N], ready: usize) {
        let (wakes, waker) = counting_waker();
        let mut gets = pin!(core::array::from_fn::<_, N, _>(|k| chans[order[k]].get()));
        let i = {
            let mut sel = pin!(select_slice(gets.as_mut(), false));
            assert!(poll_with(sel.as_mut(), &waker).is_pending());
            assert_eq!(chans[ready].try_put(ready), Ok(()));
            assert_eq!(wakes.count(), 1, "{order:?}: one wake-up");
            let Poll::Ready(i) = poll_with(sel.as_mut(), &waker) else {
                panic!("{order:?}: a value was handed to the select");
            };
            i
        };
        assert_eq!(order[i], ready, "{order:?}");
        assert_eq!(pin_index(gets.as_mut(), i).take_output(), Some(ready));
        for (k, c) in chans.iter().enumerate() {
            assert_eq!(c.stats().waiting_gets, 0, "{order:?}: channel {k}");
            assert_eq!(c.try_put(k), Ok(()));
            assert_eq!(c.try_get(), Ok(k));
        }
    }
    let chans: Vec<Buf<usize>> = (0..12).map(|_| buf()).collect();
    case(&chans, [3, 1, 3, 0, 4, 1, 2], 4); // 5 distinct, repeats
    case(&chans, [7, 6, 5, 4, 3, 2, 1, 0], 0); // 8 distinct, descending
    case(&chans, [8, 0, 7, 1, 6, 2, 5, 3, 4], 5); // 9 distinct: the scan
    case(&chans, [11, 0, 7, 3, 9, 1, 10, 2, 8, 4, 6, 5, 0], 9); // 12 distinct, a repeat
}

/// Times a select took [`Counted`] (eagerly, as selects do), and whether it is held.
static COUNTED_TAKEN: AtomicUsize = AtomicUsize::new(0);
static COUNTED_HELD: AtomicBool = AtomicBool::new(false);

/// A lock of another type than the default `SpinLock`: a select whose arms are not all
/// on spin locks takes each lock through its own type.
struct Counted(SpinLock);

// SAFETY: every method forwards to a `SpinLock`, which provides the exclusion.
unsafe impl RawLock for Counted {
    const INIT: Self = Counted(SpinLock::INIT);
    fn lock(&self) {
        self.0.lock();
        COUNTED_HELD.store(true, Ordering::Relaxed);
    }
    fn lock_eager(&self) {
        self.0.lock_eager();
        COUNTED_TAKEN.fetch_add(1, Ordering::Relaxed);
        COUNTED_HELD.store(true, Ordering::Relaxed);
    }
    fn try_lock(&self) -> bool {
        let taken = self.0.try_lock();
        if taken {
            COUNTED_HELD.store(true, Ordering::Relaxed);
        }
        taken
    }
    unsafe fn unlock(&self) {
        COUNTED_HELD.store(false, Ordering::Relaxed);
        // SAFETY: our caller holds the lock, so we hold the inner one.
        unsafe { self.0.unlock() }
    }
}

/// Selects whose arms all use `SpinLock`s take and release them by address; one arm on
/// a channel with another lock type sends the whole select back to taking each lock
/// through its arm. That select still takes the odd lock on every pass, waits, completes
/// on the arm that became ready, and releases every lock.
#[test]
fn a_select_takes_a_lock_of_another_type_through_that_type() {
    let plain: Chan<u8> = Chan::new();
    let counted: Chan<u8, Rendezvous, Counted> = Chan::with_lock(Rendezvous);
    let taken = || COUNTED_TAKEN.load(Ordering::Relaxed);
    let held = || COUNTED_HELD.load(Ordering::Relaxed);

    // Nothing ready, with a default: the fast pass and the full pass each take it once.
    let before = taken();
    let got = block_on(async {
        select! {
            v = plain.get() => v,
            v = counted.get() => v,
            default => None,
        }
    });
    assert_eq!(got, None);
    assert_eq!(taken() - before, 2, "one eager take per pass");
    assert!(!held(), "released");

    // Waiting on both; a put on the counted channel completes that arm.
    let (wakes, waker) = counting_waker();
    let mut sel = pin!(async {
        select! {
            v = plain.get() => (0, v),
            v = counted.get() => (1, v),
        }
    });
    assert!(poll_with(sel.as_mut(), &waker).is_pending());
    assert!(!held(), "released while waiting");
    assert_eq!(counted.try_put(7), Ok(()));
    assert_eq!(wakes.count(), 1);
    assert_eq!(poll_with(sel.as_mut(), &waker), Poll::Ready((1, Some(7))));
    assert!(!held(), "released after completing");
    // Neither channel keeps a waiter, and neither lock is left held (a held lock would
    // hang these calls).
    assert_eq!(plain.stats().waiting_gets, 0);
    assert_eq!(counted.stats().waiting_gets, 0);
    assert!(plain.try_put(1).unwrap_err().is_full());
    assert!(counted.try_put(2).unwrap_err().is_full());
}
