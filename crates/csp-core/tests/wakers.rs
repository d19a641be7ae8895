//! Every waker a future registers is dropped exactly once: none leaks, and none is kept
//! by a future that no longer waits. (A selector does not drop its waker by itself; each
//! owner does, which these tests pin down owner by owner.)

#![cfg(not(loom))]

mod common;

use std::pin::pin;
use std::task::Poll;

use common::{counting_waker, poll_with, registered};
use csp_core::buffer::Fixed;
use csp_core::{select, Chan};
use futures_core::Stream;

#[test]
fn a_waiting_get_dropped_drops_the_waker_it_registered() {
    let ch: Chan<u8> = Chan::new();
    let (c, waker) = counting_waker();
    {
        let mut get = pin!(ch.get());
        assert!(poll_with(get.as_mut(), &waker).is_pending());
        assert_eq!(registered(&c), 1);
    }
    assert_eq!(registered(&c), 0);
    assert_eq!(ch.stats().waiting_gets, 0);
}

#[test]
fn a_waiting_put_dropped_drops_the_waker_it_registered() {
    let ch: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
    ch.try_put(1).unwrap();
    let (c, waker) = counting_waker();
    {
        let mut put = pin!(ch.put(2));
        assert!(poll_with(put.as_mut(), &waker).is_pending());
        assert_eq!(registered(&c), 1);
    }
    assert_eq!(registered(&c), 0);
    assert_eq!(ch.try_get(), Ok(1));
    assert!(ch.try_get().is_err(), "the dropped put delivered nothing");
}

#[test]
fn take_value_drops_the_waker_of_a_waiting_put_at_once() {
    let ch: Chan<u8> = Chan::new();
    let (c, waker) = counting_waker();
    let mut put = pin!(ch.put(5));
    assert!(poll_with(put.as_mut(), &waker).is_pending());
    assert_eq!(registered(&c), 1);
    assert_eq!(put.as_mut().take_value(), Some(5));
    assert_eq!(
        registered(&c),
        0,
        "the put no longer waits: its waker is gone"
    );
}

#[test]
fn a_get_woken_by_a_put_keeps_no_waker() {
    let ch: Chan<u8> = Chan::new();
    let (c, waker) = counting_waker();
    let mut get = pin!(ch.get());
    assert!(poll_with(get.as_mut(), &waker).is_pending());
    ch.try_put(9).unwrap(); // claims the get, hands it 9, wakes it
    assert_eq!(c.count(), 1);
    assert_eq!(registered(&c), 0, "the wake-up took the waker");
    assert_eq!(poll_with(get.as_mut(), &waker), Poll::Ready(Some(9)));
    assert_eq!(registered(&c), 0);
}

#[test]
fn a_put_taken_by_a_get_keeps_no_waker() {
    let ch: Chan<u8> = Chan::new();
    let (c, waker) = counting_waker();
    let mut put = pin!(ch.put(4));
    assert!(poll_with(put.as_mut(), &waker).is_pending());
    assert_eq!(ch.try_get(), Ok(4));
    assert_eq!(c.count(), 1);
    assert_eq!(registered(&c), 0);
    assert_eq!(poll_with(put.as_mut(), &waker), Poll::Ready(Ok(())));
}

#[test]
fn a_get_polled_with_a_new_waker_drops_the_old_one() {
    let ch: Chan<u8> = Chan::new();
    let (old, old_waker) = counting_waker();
    let (new, new_waker) = counting_waker();
    let mut get = pin!(ch.get());
    assert!(poll_with(get.as_mut(), &old_waker).is_pending());
    assert!(poll_with(get.as_mut(), &new_waker).is_pending());
    assert_eq!(registered(&old), 0);
    assert_eq!(registered(&new), 1);
    ch.try_put(1).unwrap();
    assert_eq!(
        (old.count(), new.count()),
        (0, 1),
        "only the new waker is woken"
    );
}

#[test]
fn a_waiting_select_dropped_drops_its_waker() {
    let a: Chan<u8> = Chan::new();
    let b: Chan<u8> = Chan::new();
    let (c, waker) = counting_waker();
    {
        let mut sel = pin!(async {
            select! {
                v = a.get() => v,
                v = b.get() => v,
            }
        });
        assert!(poll_with(sel.as_mut(), &waker).is_pending());
        assert_eq!(registered(&c), 1);
    }
    assert_eq!(registered(&c), 0);
    assert_eq!((a.stats().waiting_gets, b.stats().waiting_gets), (0, 0));
}

#[test]
fn a_stream_drops_its_waker_when_it_waits_and_when_it_is_dropped() {
    let ch: Chan<u8> = Chan::new();
    let (c, waker) = counting_waker();
    {
        let mut s = pin!(ch.stream());
        let poll_next = |s: std::pin::Pin<&mut _>| {
            Stream::poll_next(s, &mut std::task::Context::from_waker(&waker))
        };
        assert!(poll_next(s.as_mut()).is_pending());
        assert_eq!(registered(&c), 1);
        ch.try_put(3).unwrap();
        assert_eq!(registered(&c), 0, "the hand-over took the waker");
        assert_eq!(poll_next(s.as_mut()), Poll::Ready(Some(3)));
        assert!(poll_next(s.as_mut()).is_pending());
        assert_eq!(registered(&c), 1);
    }
    assert_eq!(registered(&c), 0);
}

/// A get still queued, and still registered, that completes on a poll of its own (the
/// task was polled for some other reason before the channel woke it): no waker stays
/// behind in the finished future. (Found by the fuzz target `select_model`.)
#[test]
fn a_get_completing_on_a_poll_nobody_woke_it_for_keeps_no_waker() {
    let ch: Chan<u8> = Chan::new();
    let (_, w0) = counting_waker();
    let (c1, w1) = counting_waker();
    let (c2, w2) = counting_waker();
    let mut g0 = pin!(ch.get());
    let mut g1 = pin!(ch.get());
    let mut g2 = pin!(ch.get());
    assert!(poll_with(g0.as_mut(), &w0).is_pending());
    assert!(poll_with(g1.as_mut(), &w1).is_pending());
    ch.try_put(1).unwrap(); // handed to g0
    assert!(poll_with(g2.as_mut(), &w2).is_pending());
    ch.close(); // a value is still in flight: only g0 has a reason to run
    assert_eq!(poll_with(g0.as_mut(), &w0), Poll::Ready(Some(1)));
    // Taking the last value woke one waiting getter, g1; g2 waits, registered.
    assert_eq!((c1.count(), c2.count()), (1, 0), "premise");
    assert_eq!(registered(&c2), 1, "premise");
    assert_eq!(poll_with(g2.as_mut(), &w2), Poll::Ready(None));
    assert_eq!(registered(&c2), 0, "the finished get keeps no waker");
    assert_eq!(poll_with(g1.as_mut(), &w1), Poll::Ready(None));
}
