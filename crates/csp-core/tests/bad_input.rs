//! Bad input gets a clear outcome, never a hang or a lost value: zero capacities,
//! closing twice, selects over closed channels, wakers that panic, and a custom buffer
//! that panics.
//!
//! A zero capacity of an inline buffer (`Fixed<T, 0>`, `Dropping<T, 0>`,
//! `Sliding<T, 0>`) is a compile-time error (a `const` assertion in `new`); it cannot be
//! shown here because integration tests have no `compile_fail` doctests — see
//! `docs/verification.md`.

mod common;

use core::future::Future;
use core::pin::pin;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::task::Wake;

use csp_core::buffer::{Buffer, Fixed};
use csp_core::{select, Chan, Closed, TryGetError, TryPutError};

#[derive(Default)]
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counting() -> (Arc<Count>, Waker) {
    let c = Arc::new(Count::default());
    (c.clone(), Waker::from(c))
}

fn poll<F: Future + ?Sized>(f: core::pin::Pin<&mut F>, w: &Waker) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(w))
}

// ===== wakers that panic =====

fn panicking_vtable(clone_panics: bool) -> &'static RawWakerVTable {
    unsafe fn clone_ok(p: *const ()) -> RawWaker {
        RawWaker::new(p, panicking_vtable(false))
    }
    unsafe fn clone_bad(_: *const ()) -> RawWaker {
        panic!("waker clone panics");
    }
    unsafe fn wake(_: *const ()) {
        panic!("waker wake panics");
    }
    unsafe fn noop(_: *const ()) {}
    static OK_CLONE: RawWakerVTable = RawWakerVTable::new(clone_ok, wake, wake, noop);
    static BAD_CLONE: RawWakerVTable = RawWakerVTable::new(clone_bad, wake, wake, noop);
    if clone_panics {
        &BAD_CLONE
    } else {
        &OK_CLONE
    }
}

/// A waker whose `wake` panics (and, with `clone_panics`, whose `clone` panics too).
fn panicking_waker(clone_panics: bool) -> Waker {
    // SAFETY: the vtable functions ignore the data pointer and uphold the RawWaker
    // contract (clone returns a waker with the same vtable family; drop does nothing).
    unsafe {
        Waker::from_raw(RawWaker::new(
            core::ptr::null(),
            panicking_vtable(clone_panics),
        ))
    }
}

// ===== capacities =====

#[test]
#[should_panic(expected = "capacity of at least 1")]
fn fixed_capacity_zero_panics_clearly() {
    let _ = Chan::<u32, _>::fixed(0);
}

#[test]
#[should_panic(expected = "capacity of at least 1")]
fn dropping_capacity_zero_panics_clearly() {
    let _ = Chan::<u32, _>::dropping(0);
}

#[test]
#[should_panic(expected = "capacity of at least 1")]
fn sliding_capacity_zero_panics_clearly() {
    let _ = Chan::<u32, _>::sliding(0);
}

#[test]
fn capacity_one_works() {
    let ch = Chan::<u32, _>::fixed(1);
    ch.try_put(1).unwrap();
    assert_eq!(ch.try_put(2), Err(TryPutError::Full(2)));
    assert_eq!(ch.try_get(), Ok(1));
}

// ===== polling an operation that completed =====

/// Polls `f` until it completes (`kick` runs between polls), then once more.
fn poll_after_completion<F: Future>(f: F, kick: impl Fn()) {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    while f.as_mut().poll(&mut cx).is_pending() {
        kick();
    }
    let _ = f.as_mut().poll(&mut cx);
}

#[test]
#[should_panic(expected = "csp: a get was polled after it completed")]
fn a_buffered_get_polled_after_it_completed_panics_clearly() {
    let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    ch.try_put(1).unwrap();
    poll_after_completion(ch.get(), || {});
}

#[test]
#[should_panic(expected = "csp: a get was polled after it completed")]
fn a_rendezvous_get_polled_after_it_completed_panics_clearly() {
    let ch: Chan<u32> = Chan::new();
    poll_after_completion(ch.get(), || ch.try_put(1).unwrap());
}

#[test]
#[should_panic(expected = "csp: a put was polled after it completed")]
fn a_buffered_put_polled_after_it_completed_panics_clearly() {
    let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    poll_after_completion(ch.put(1), || {});
}

#[test]
#[should_panic(expected = "csp: a put was polled after it completed")]
fn a_rendezvous_put_polled_after_it_completed_panics_clearly() {
    let ch: Chan<u32> = Chan::new();
    poll_after_completion(ch.put(1), || assert_eq!(ch.try_get(), Ok(1)));
}

#[test]
#[should_panic(expected = "csp: a put was polled after it completed")]
fn a_buffered_put_polled_after_its_value_was_taken_back_panics_clearly() {
    // Room in the buffer: without the check, the put's quick path would try to add a
    // value that is no longer there.
    let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    let mut put = pin!(ch.put(1));
    assert_eq!(put.as_mut().take_value(), Some(1));
    let _ = put.poll(&mut Context::from_waker(Waker::noop()));
}

// ===== closing =====

#[test]
fn closing_twice_is_idempotent() {
    let ch: Chan<u32, Fixed<u32, 2>> = Chan::with_buffer(Fixed::new());
    ch.try_put(1).unwrap();
    assert!(ch.close());
    assert!(!ch.close(), "the second close reports it did nothing");
    assert!(ch.is_closed());
    assert_eq!(ch.try_put(2), Err(TryPutError::Closed(2)));
    assert_eq!(
        ch.try_get(),
        Ok(1),
        "values buffered before the close are kept"
    );
    assert!(!ch.close());
    assert_eq!(ch.try_get(), Err(TryGetError::Closed));
}

#[test]
fn select_over_only_closed_channels_completes_at_once() {
    let a: Chan<u32> = Chan::new();
    let b: Chan<String, Fixed<String, 1>> = Chan::with_buffer(Fixed::new());
    a.close();
    b.close();
    let r = csp_core::block_on(async {
        select! {
            v = a.get() => format!("a {v:?}"),
            v = b.get() => format!("b {v:?}"),
        }
    });
    assert!(r == "a None" || r == "b None", "{r}");
    // Put arms on closed channels complete too, giving the value back.
    let r = csp_core::block_on(async {
        select! {
            r = a.put(5) => r.map_err(Closed::into_inner).map_err(|v| v.to_string()),
            r = b.put("x".to_string()) => r.map_err(Closed::into_inner),
        }
    });
    assert!(
        r == Err("5".to_string()) || r == Err("x".to_string()),
        "{r:?}"
    );
}

#[test]
fn put_into_a_closed_channel_inside_a_select_returns_the_value() {
    let closed: Chan<String> = Chan::new();
    let open: Chan<u32> = Chan::new();
    closed.close();
    let mut put = pin!(closed.put("kept".to_string()));
    let r = csp_core::block_on(async {
        select! {
            r = put.as_mut() => r,
            v = open.get() => panic!("nothing was put on `open`: {v:?}"),
        }
    });
    assert_eq!(r.unwrap_err().into_inner(), "kept");
    // The put completed (refused), so nothing is left to take back.
    assert_eq!(put.as_mut().take_value(), None);
    // `open` was not disturbed: no getter stays registered there.
    assert_eq!(open.stats().waiting_gets, 0);
}

// ===== wakers that panic =====

/// A waker whose `clone` panics, met while a get registers: the poll panics, but the
/// channel is not left locked and loses nothing.
#[test]
fn waker_clone_panic_leaves_the_channel_usable() {
    let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    let bad = panicking_waker(true);
    {
        let mut g = pin!(ch.get());
        let r = catch_unwind(AssertUnwindSafe(|| poll(g.as_mut(), &bad)));
        assert!(r.is_err(), "the panic reaches the caller");
        // The same future can still be used with a good waker.
        let (count, good) = counting();
        assert!(poll(g.as_mut(), &good).is_pending());
        ch.try_put(4).unwrap();
        assert!(count.0.load(Ordering::SeqCst) > 0);
        assert_eq!(poll(g.as_mut(), &good), Poll::Ready(Some(4)));
    }
    ch.try_put(5).unwrap();
    assert_eq!(ch.try_get(), Ok(5));
}

/// Same inside a select over two channels: both locks are released by the unwinding.
#[test]
fn waker_clone_panic_in_a_select_releases_every_lock() {
    let a: Chan<u32> = Chan::new();
    let b: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    let bad = panicking_waker(true);
    {
        let mut s = pin!(async {
            select! {
                v = a.get() => v,
                v = b.get() => v,
            }
        });
        let r = catch_unwind(AssertUnwindSafe(|| poll(s.as_mut(), &bad)));
        assert!(r.is_err());
        // The select future is dropped here, after a panic in its poll.
    }
    // Neither channel is locked, and no stale waiter is left behind.
    b.try_put(1).unwrap();
    assert_eq!(b.try_get(), Ok(1));
    assert_eq!(
        a.try_put(2),
        Err(TryPutError::Full(2)),
        "no getter is left waiting on `a`"
    );
    assert_eq!(a.stats().waiting_gets, 0);
    assert_eq!(b.stats().waiting_gets, 0);
}

/// A waker whose `wake` panics: the put that woke it panics after delivering, and the
/// value is still received.
#[test]
fn waker_wake_panic_loses_no_value() {
    let ch: Chan<u32> = Chan::new();
    let bad = panicking_waker(false);
    let mut g = pin!(ch.get());
    assert!(poll(g.as_mut(), &bad).is_pending());
    let r = catch_unwind(AssertUnwindSafe(|| ch.try_put(9)));
    assert!(
        r.is_err(),
        "the waker's panic reaches the caller of try_put"
    );
    // The put happened before the wake: the getter has the value.
    let (_, good) = counting();
    assert_eq!(poll(g.as_mut(), &good), Poll::Ready(Some(9)));
    assert_eq!(ch.try_get(), Err(TryGetError::Empty));
}

/// A waker that panics must not stop the other wake-ups gathered in the same step:
/// `close` wakes two getters; the first one's waker panics; the second must still be
/// woken, or it sleeps for ever beside a closed channel.
#[test]
fn waker_wake_panic_does_not_swallow_other_wakes() {
    let ch: Chan<u32> = Chan::new();
    let bad = panicking_waker(false);
    let (count, good) = counting();
    let mut g1 = pin!(ch.get());
    let mut g2 = pin!(ch.get());
    assert!(poll(g1.as_mut(), &bad).is_pending());
    assert!(poll(g2.as_mut(), &good).is_pending());
    let r = catch_unwind(AssertUnwindSafe(|| ch.close()));
    assert!(r.is_err());
    assert!(
        count.0.load(Ordering::SeqCst) > 0,
        "g2 was never woken after the close"
    );
    assert_eq!(poll(g2.as_mut(), &good), Poll::Ready(None));
}

// ===== a buffer that panics =====

/// The number a [`Touchy`] buffer looks at.
trait Number {
    fn number(&self) -> u32;
}
impl Number for u32 {
    fn number(&self) -> u32 {
        *self
    }
}
impl Number for Arc<u32> {
    fn number(&self) -> u32 {
        **self
    }
}

/// `Fixed<T, 2>` that panics when asked to store 13 or to hand out 99.
#[derive(Debug, Default)]
struct Touchy<T>(Fixed<T, 2>);

impl<T: Number> Buffer<T> for Touchy<T> {
    common::wrapped_buffer_reads!();
    fn add(&mut self, v: T) -> Option<T> {
        assert_ne!(v.number(), 13, "Touchy refuses 13");
        self.0.add(v)
    }
    fn take(&mut self) -> Option<T> {
        let v = self.0.take();
        assert_ne!(
            v.as_ref().map(T::number),
            Some(99),
            "Touchy will not hand out 99"
        );
        v
    }
}

#[test]
fn panicking_buffer_add_unlocks_and_keeps_other_values() {
    let ch: Chan<u32, Touchy<u32>> = Chan::with_buffer(Touchy::default());
    ch.try_put(1).unwrap();
    let r = catch_unwind(AssertUnwindSafe(|| ch.try_put(13)));
    let msg = r.unwrap_err();
    assert_eq!(
        msg.downcast_ref::<String>()
            .map(String::as_str)
            .unwrap_or(""),
        { "assertion `left != right` failed: Touchy refuses 13\n  left: 13\n right: 13" }
    );
    // The channel is not left locked, and the value before is still there.
    ch.try_put(2).unwrap();
    assert_eq!(ch.try_get(), Ok(1));
    assert_eq!(ch.try_get(), Ok(2));
    // The same through an async put and a select.
    let r = catch_unwind(AssertUnwindSafe(|| csp_core::block_on(ch.put(13))));
    assert!(r.is_err());
    let r = catch_unwind(AssertUnwindSafe(|| {
        csp_core::block_on(async {
            select! {
                r = ch.put(13) => r.is_ok(),
                default => false,
            }
        })
    }));
    assert!(r.is_err());
    ch.try_put(3).unwrap();
    assert_eq!(ch.try_get(), Ok(3));
}

#[test]
fn a_value_a_panicking_buffer_took_is_dropped_once() {
    // The uncontended put moves the value into `add` by a bitwise read and clears its
    // own copy only afterwards; if `add` unwinds, that copy must not be dropped too.
    let ch: Chan<Arc<u32>, Touchy<Arc<u32>>> = Chan::with_buffer(Touchy::default());
    let thirteen = Arc::new(13);
    let r = catch_unwind(AssertUnwindSafe(|| ch.try_put(Arc::clone(&thirteen))));
    assert!(r.is_err());
    assert_eq!(
        Arc::strong_count(&thirteen),
        1,
        "dropped once, by the buffer's panic"
    );
    let r = catch_unwind(AssertUnwindSafe(|| {
        csp_core::block_on(ch.put(Arc::clone(&thirteen)))
    }));
    assert!(r.is_err());
    assert_eq!(Arc::strong_count(&thirteen), 1, "the future's put, too");
    // The channel still works, and holds nothing of 13.
    ch.try_put(Arc::new(1)).unwrap();
    assert_eq!(ch.try_get().as_deref(), Ok(&1));
    assert!(ch.try_get().is_err());
}

#[test]
fn panicking_buffer_take_unlocks_the_channel() {
    let ch: Chan<u32, Touchy<u32>> = Chan::with_buffer(Touchy::default());
    ch.try_put(99).unwrap();
    ch.try_put(1).unwrap();
    let r = catch_unwind(AssertUnwindSafe(|| ch.try_get()));
    assert!(r.is_err(), "the buffer's panic reaches the caller");
    // 99 was taken out by the buffer and dropped in its panic; 1 is still there.
    assert_eq!(ch.try_get(), Ok(1));
    let (_, w) = counting();
    let other: Chan<u32> = Chan::new();
    ch.try_put(99).unwrap();
    let r = catch_unwind(AssertUnwindSafe(|| {
        let mut s = pin!(async {
            select! {
                v = ch.get() => v,
                v = other.get() => v,
            }
        });
        poll(s.as_mut(), &w)
    }));
    assert!(r.is_err());
    // Both channels are unlocked and hold no stale waiter.
    assert_eq!(other.try_put(1), Err(TryPutError::Full(1)));
    assert_eq!(other.stats().waiting_gets, 0);
    ch.try_put(7).unwrap();
    assert_eq!(ch.try_get(), Ok(7));
}
