//! Channel operations, buffers, closing, try-ops, stats and streams.

#![cfg(not(loom))]

mod common;

use std::pin::pin;
use std::task::Poll;

use common::{counting_waker, poll_once, poll_with};
use csp_core::buffer::{
    Buffer, Dropping, DynDropping, DynFixed, DynSliding, Fixed, Promise, Sliding,
};
use csp_core::{block_on, Chan, Closed, Flow, TryGetError, TryPutError, HAND_OVER_SLOTS};

#[test]
fn rendezvous_put_waits_for_a_getter() {
    let ch: Chan<u32> = Chan::new();
    let mut put = pin!(ch.put(1));
    assert!(poll_once(put.as_mut()).is_pending());
    assert_eq!(ch.stats().flow, Flow::PendingPuts);
    assert_eq!(ch.try_get(), Ok(1));
    assert_eq!(poll_once(put.as_mut()), Poll::Ready(Ok(())));
}

#[test]
fn rendezvous_get_waits_for_a_putter_and_is_woken() {
    let ch: Chan<u32> = Chan::new();
    let (wakes, waker) = counting_waker();
    let mut get = pin!(ch.get());
    assert!(poll_with(get.as_mut(), &waker).is_pending());
    assert_eq!(ch.stats().flow, Flow::PendingGets);
    // A getter waits, so try_put can hand the value over.
    assert_eq!(ch.try_put(9), Ok(()));
    assert_eq!(wakes.count(), 1);
    assert_eq!(poll_with(get.as_mut(), &waker), Poll::Ready(Some(9)));
}

#[test]
fn rendezvous_try_put_without_getter_is_full() {
    let ch: Chan<u32> = Chan::new();
    assert_eq!(ch.try_put(1), Err(TryPutError::Full(1)));
    assert_eq!(ch.try_get(), Err(TryGetError::Empty));
}

#[test]
fn fixed_buffer_is_fifo_and_applies_back_pressure() {
    let ch: Chan<u32, Fixed<u32, 2>> = Chan::with_buffer(Fixed::new());
    block_on(async {
        ch.put(1).await.unwrap();
        ch.put(2).await.unwrap();
    });
    let mut third = pin!(ch.put(3));
    assert!(
        poll_once(third.as_mut()).is_pending(),
        "full: the put waits"
    );
    assert_eq!(ch.try_get(), Ok(1));
    // The waiting put was moved into the buffer by the get (refill).
    assert_eq!(poll_once(third.as_mut()), Poll::Ready(Ok(())));
    assert_eq!(ch.try_get(), Ok(2));
    assert_eq!(ch.try_get(), Ok(3));
}

#[test]
fn dropping_buffer_discards_new_values() {
    // The tutorial's dropping buffer: put 1 2 3 4 into capacity 2, get prints 1 2.
    let ch: Chan<u32, Dropping<u32, 2>> = Chan::with_buffer(Dropping::new());
    for v in 1..=4 {
        block_on(ch.put(v)).unwrap();
    }
    ch.close();
    let got: Vec<u32> = std::iter::from_fn(|| ch.try_get().ok()).collect();
    assert_eq!(got, [1, 2]);
    assert_eq!(ch.stats().discarded, 2);
}

#[test]
fn sliding_buffer_discards_oldest_values() {
    // The tutorial's sliding buffer: put 1 2 3 into capacity 2, get prints 2 3.
    let ch: Chan<u32, Sliding<u32, 2>> = Chan::with_buffer(Sliding::new());
    for v in 1..=3 {
        block_on(ch.put(v)).unwrap();
    }
    ch.close();
    let got: Vec<u32> = std::iter::from_fn(|| ch.try_get().ok()).collect();
    assert_eq!(got, [2, 3]);
}

#[test]
fn promise_keeps_first_value_for_every_get_even_after_close() {
    let ch: Chan<String, Promise<String>> = Chan::with_buffer(Promise::new());
    let (wakes, waker) = counting_waker();
    let mut g1 = pin!(ch.get());
    let mut g2 = pin!(ch.get());
    let mut g3 = pin!(ch.get());
    for g in [g1.as_mut(), g2.as_mut(), g3.as_mut()] {
        assert!(poll_with(g, &waker).is_pending());
    }
    ch.try_put("first".into()).unwrap();
    ch.try_put("second".into()).unwrap();
    // Every waiting getter gets the value, each completion waking the next.
    assert_eq!(
        poll_with(g1.as_mut(), &waker),
        Poll::Ready(Some("first".into()))
    );
    assert_eq!(
        poll_with(g2.as_mut(), &waker),
        Poll::Ready(Some("first".into()))
    );
    assert_eq!(
        poll_with(g3.as_mut(), &waker),
        Poll::Ready(Some("first".into()))
    );
    assert!(wakes.count() >= 3, "each waiting getter was woken");
    ch.close();
    assert_eq!(ch.try_get(), Ok("first".into()));
}

#[test]
fn runtime_capacity_buffers_behave_like_const_ones() {
    let f = Chan::<u8, _>::fixed(1);
    f.try_put(1).unwrap();
    assert_eq!(f.try_put(2), Err(TryPutError::Full(2)));
    let d: Chan<u8, DynDropping<u8>> = Chan::dropping(1);
    d.try_put(1).unwrap();
    d.try_put(2).unwrap();
    assert_eq!(d.try_get(), Ok(1));
    let s: Chan<u8, DynSliding<u8>> = Chan::sliding(1);
    s.try_put(1).unwrap();
    s.try_put(2).unwrap();
    assert_eq!(s.try_get(), Ok(2));
    let f2: Chan<u8, DynFixed<u8>> = Chan::fixed(3);
    assert_eq!(f2.capacity(), 3);
}

#[test]
#[should_panic(expected = "capacity of at least 1")]
fn runtime_capacity_zero_panics_clearly() {
    let _ = Chan::<u8, _>::fixed(0);
}

#[test]
fn put_after_close_returns_the_value() {
    let ch: Chan<String, Fixed<String, 1>> = Chan::with_buffer(Fixed::new());
    ch.close();
    assert_eq!(block_on(ch.put("v".into())), Err(Closed("v".to_string())));
    assert_eq!(ch.try_put("w".into()), Err(TryPutError::Closed("w".into())));
}

#[test]
fn queued_puts_still_deliver_after_close() {
    let ch: Chan<u32> = Chan::new();
    let mut p1 = pin!(ch.put(1));
    let mut p2 = pin!(ch.put(2));
    assert!(poll_once(p1.as_mut()).is_pending());
    assert!(poll_once(p2.as_mut()).is_pending());
    ch.close();
    // Re-polled after the close, a queued put stays queued: it does not fail.
    assert!(poll_once(p1.as_mut()).is_pending());
    assert_eq!(ch.try_get(), Ok(1));
    assert_eq!(block_on(ch.get()), Some(2));
    assert_eq!(poll_once(p1.as_mut()), Poll::Ready(Ok(())));
    assert_eq!(poll_once(p2.as_mut()), Poll::Ready(Ok(())));
    assert_eq!(block_on(ch.get()), None);
}

#[test]
fn close_wakes_every_waiting_getter_with_none() {
    let ch: Chan<u32> = Chan::new();
    let (wakes, waker) = counting_waker();
    let mut gets: Vec<_> = (0..20).map(|_| Box::pin(ch.get())).collect();
    for g in &mut gets {
        assert!(poll_with(g.as_mut(), &waker).is_pending());
    }
    assert!(ch.close());
    assert!(!ch.close(), "close is idempotent");
    // Poll in order of wake-ups: each completion passes the news on.
    for g in &mut gets {
        assert_eq!(poll_with(g.as_mut(), &waker), Poll::Ready(None));
    }
    assert!(wakes.count() >= 1);
    assert!(ch.is_closed());
}

#[test]
fn close_wake_chain_reaches_the_last_getter() {
    // Only woken getters are polled: if any getter were left asleep, the loop stops.
    let ch: Chan<u32> = Chan::new();
    let n = 30;
    let counters: Vec<_> = (0..n).map(|_| counting_waker()).collect();
    let mut gets: Vec<_> = (0..n).map(|_| Box::pin(ch.get())).collect();
    for (g, (_, w)) in gets.iter_mut().zip(&counters) {
        assert!(poll_with(g.as_mut(), w).is_pending());
    }
    ch.close();
    let mut done = vec![false; n];
    let mut seen = [0usize; 30];
    loop {
        let mut progressed = false;
        for i in 0..n {
            let (c, w) = &counters[i];
            if !done[i] && c.count() > seen[i] {
                seen[i] = c.count();
                assert_eq!(poll_with(gets[i].as_mut(), w), Poll::Ready(None));
                done[i] = true;
                progressed = true;
            }
        }
        if !progressed {
            break;
        }
    }
    assert!(done.iter().all(|&d| d), "every getter was woken: {done:?}");
}

#[test]
fn try_get_distinguishes_empty_from_closed() {
    let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    assert_eq!(ch.try_get(), Err(TryGetError::Empty));
    ch.try_put(5).unwrap();
    ch.close();
    assert_eq!(ch.try_get(), Ok(5));
    assert_eq!(ch.try_get(), Err(TryGetError::Closed));
}

#[test]
fn stats_report_flow_and_counters() {
    let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    assert_eq!(ch.stats().flow, Flow::Fluent);
    ch.try_put(1).unwrap();
    let mut p = pin!(ch.put(2));
    assert!(poll_once(p.as_mut()).is_pending());
    let s = ch.stats();
    assert_eq!(
        (s.flow, s.len, s.capacity, s.waiting_puts),
        (Flow::PendingPuts, 1, 1, 1)
    );
    assert_eq!(ch.try_get(), Ok(1));
    assert_eq!(ch.stats().buffered, 2, "1 from the put, 1 from the refill");
    let r: Chan<u32> = Chan::new();
    let mut g = pin!(r.get());
    assert!(poll_once(g.as_mut()).is_pending());
    assert_eq!(r.stats().flow, Flow::PendingGets);
    r.try_put(3).unwrap();
    assert_eq!(r.stats().handed_over, 1);
    assert!(r.stats().in_flight);
    assert_eq!(poll_once(g.as_mut()), Poll::Ready(Some(3)));
    assert!(!r.stats().in_flight);
}

#[test]
fn stats_tell_immediate_from_queued_hand_overs() {
    let r: Chan<u32> = Chan::new();
    // A put meets a waiting get: aiochan's "immediate".
    let mut g = pin!(r.get());
    assert!(poll_once(g.as_mut()).is_pending());
    r.try_put(1).unwrap();
    assert_eq!(poll_once(g.as_mut()), Poll::Ready(Some(1)));
    // A get meets a waiting put, twice: "queued".
    for v in [2, 3] {
        let mut p = pin!(r.put(v));
        assert!(poll_once(p.as_mut()).is_pending());
        assert_eq!(r.try_get(), Ok(v));
    }
    let s = r.stats();
    assert_eq!(
        (
            s.to_waiting_gets,
            s.from_waiting_puts,
            s.handed_over,
            s.buffered
        ),
        (1, 2, 3, 0)
    );
}

#[test]
fn stream_yields_until_closed_and_drained() {
    use futures_core::Stream;
    let ch: Chan<u32, Fixed<u32, 8>> = Chan::with_buffer(Fixed::new());
    for v in 0..5 {
        ch.try_put(v).unwrap();
    }
    ch.close();
    let mut s = pin!(ch.stream());
    let mut got = vec![];
    block_on(std::future::poll_fn(|cx| loop {
        match s.as_mut().poll_next(cx) {
            Poll::Ready(Some(v)) => got.push(v),
            Poll::Ready(None) => return Poll::Ready(()),
            Poll::Pending => return Poll::Pending,
        }
    }));
    assert_eq!(got, [0, 1, 2, 3, 4]);
}

#[test]
fn debug_shows_name_and_state_without_needing_debug_values() {
    struct Opaque;
    let ch: Chan<Opaque, Fixed<Opaque, 2>> = Chan::with_buffer(Fixed::new()).with_name("jobs");
    let _ = ch.try_put(Opaque);
    let s = format!("{ch:?}");
    assert!(
        s.contains("jobs") && s.contains("len: 1") && s.contains("capacity: 2"),
        "{s}"
    );
    let e = TryPutError::Full(Opaque);
    assert_eq!(format!("{e:?}"), "Full(..)");
    assert_eq!(e.to_string(), "channel full: the put would wait");
    assert_eq!(Closed(Opaque).to_string(), "put on a closed channel");
    assert_eq!(
        TryGetError::Closed.to_string(),
        "channel closed and drained"
    );
    fn is_error<E: std::error::Error>(_: &E) {}
    is_error(&e);
    is_error(&TryGetError::Empty);
}

#[test]
fn blocking_put_and_get_cross_threads() {
    let ch: Chan<u64> = Chan::new();
    let n = if cfg!(miri) { 20 } else { 2000 };
    std::thread::scope(|s| {
        s.spawn(|| {
            for v in 0..n {
                ch.put_blocking(v).unwrap();
            }
            ch.close();
        });
        let mut sum = 0;
        while let Some(v) = ch.get_blocking() {
            sum += v;
        }
        assert_eq!(sum, n * (n - 1) / 2);
    });
}

#[test]
fn a_put_into_a_buffer_goes_to_the_getter_that_waits() {
    // The tutorial's lock: a worker that puts the token back and asks again at once
    // must not take it back from a worker that was already waiting.
    let lock: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
    lock.try_put(1).unwrap();
    assert_eq!(lock.try_get(), Ok(1)); // worker a holds the lock
    let mut b = pin!(lock.get()); // worker b waits for it
    assert!(poll_once(b.as_mut()).is_pending());
    lock.try_put(1).unwrap(); // a releases...
    assert_eq!(
        lock.try_get(),
        Err(TryGetError::Empty),
        "...and cannot take it back"
    );
    assert_eq!(poll_once(b.as_mut()), Poll::Ready(Some(1)), "b has it");
}

/// A getter waits on an empty buffered channel (`ch`, capacity 2): a put hands its value
/// over past the buffer, a second put (nobody waits now) is buffered behind it.
fn hand_over_past_an_empty_buffer<B: Buffer<u32>>(ch: &Chan<u32, B>) {
    let mut g = pin!(ch.get());
    assert!(poll_once(g.as_mut()).is_pending());
    ch.try_put(1).unwrap();
    let s = ch.stats();
    assert_eq!(
        (s.handed_over, s.buffered, s.len, s.in_flight),
        (1, 0, 0, true),
        "handed to the waiting getter, not buffered"
    );
    ch.try_put(2).unwrap();
    assert_eq!((ch.stats().buffered, ch.stats().len), (1, 1));
    assert_eq!(poll_once(g.as_mut()), Poll::Ready(Some(1)));
    assert_eq!(ch.try_get(), Ok(2));
    assert_eq!(ch.try_get(), Err(TryGetError::Empty));
}

#[test]
fn a_put_hands_over_past_an_empty_buffer_to_a_waiting_getter() {
    hand_over_past_an_empty_buffer::<Fixed<u32, 2>>(&Chan::with_buffer(Fixed::new()));
    hand_over_past_an_empty_buffer::<Dropping<u32, 2>>(&Chan::with_buffer(Dropping::new()));
    hand_over_past_an_empty_buffer::<Sliding<u32, 2>>(&Chan::with_buffer(Sliding::new()));
    hand_over_past_an_empty_buffer::<DynFixed<u32>>(&Chan::fixed(2));
    hand_over_past_an_empty_buffer::<DynDropping<u32>>(&Chan::dropping(2));
    hand_over_past_an_empty_buffer::<DynSliding<u32>>(&Chan::sliding(2));
}

/// Keeps only even values, and does not claim `DIRECT_HAND_OVER`.
#[derive(Debug, Default)]
struct Evens(Fixed<u32, 2>);

impl Buffer<u32> for Evens {
    common::wrapped_buffer_reads!();
    fn add(&mut self, v: u32) -> Option<u32> {
        if v % 2 == 0 {
            self.0.add(v)
        } else {
            Some(v)
        }
    }
    fn take(&mut self) -> Option<u32> {
        self.0.take()
    }
}

#[test]
fn a_buffer_without_direct_hand_over_applies_its_policy_for_waiting_getters() {
    let ch: Chan<u32, Evens> = Chan::with_buffer(Evens::default());
    let mut g = pin!(ch.get());
    assert!(poll_once(g.as_mut()).is_pending());
    ch.try_put(1).unwrap();
    assert_eq!(ch.stats().discarded, 1, "the odd value went to the policy");
    assert!(poll_once(g.as_mut()).is_pending(), "and not to the getter");
    ch.try_put(2).unwrap();
    assert_eq!(poll_once(g.as_mut()), Poll::Ready(Some(2)));
    let s = ch.stats();
    assert_eq!((s.buffered, s.handed_over), (2, 0), "through the buffer");
}

/// Rendezvous: puts hand values to waiting getters until one cannot (with `alloc`:
/// every getter was served; without: the hand-over limit was reached); returns the
/// getters (with their wake counters), how many were handed a value, and the put that
/// had to queue.
#[allow(clippy::type_complexity)]
fn hand_over_until_a_put_waits(
    ch: &Chan<u32>,
    getters: usize,
) -> (
    Vec<(
        std::sync::Arc<common::Counter>,
        std::task::Waker,
        std::pin::Pin<Box<csp_core::Get<'_, u32>>>,
    )>,
    u32,
    std::pin::Pin<Box<csp_core::Put<'_, u32>>>,
) {
    let mut gs: Vec<_> = (0..getters)
        .map(|_| {
            let (c, w) = counting_waker();
            (c, w, Box::pin(ch.get()))
        })
        .collect();
    for (_, w, g) in gs.iter_mut() {
        assert!(poll_with(g.as_mut(), w).is_pending());
    }
    let mut handed = 0;
    loop {
        let mut p = Box::pin(ch.put(handed));
        if poll_once(p.as_mut()).is_ready() {
            handed += 1;
            continue;
        }
        return (gs, handed, p);
    }
}

#[test]
fn every_waiting_getter_is_served_back_to_back_each_woken_once() {
    let ch: Chan<u32> = Chan::new();
    let (mut gs, handed, mut queued) = hand_over_until_a_put_waits(&ch, 8);
    assert_eq!(handed, 8, "a put hands over to every waiting getter");
    for (i, (c, _, _)) in gs.iter().enumerate() {
        assert_eq!(c.count(), 1, "served getter {i} woken once");
    }
    for (i, (c, w, g)) in gs.iter_mut().enumerate() {
        assert_eq!(poll_with(g.as_mut(), w), Poll::Ready(Some(i as u32)));
        assert_eq!(c.count(), 1, "no second wake-up for getter {i}");
    }
    assert!(!ch.stats().in_flight);
    // Nobody waited for the ninth put: it queued, and the next get takes it.
    assert_eq!(ch.try_get(), Ok(8));
    assert_eq!(poll_once(queued.as_mut()), Poll::Ready(Ok(())));
}

#[test]
fn values_of_served_getters_that_go_away_are_taken_oldest_first() {
    let ch: Chan<u32> = Chan::new();
    // More getters than the channel has slots: the orphans beyond them go to the heap.
    let (mut gs, handed, queued) = hand_over_until_a_put_waits(&ch, HAND_OVER_SLOTS + 3);
    drop(queued);
    assert_eq!(handed as usize, HAND_OVER_SLOTS + 3);
    // Drop the served getters newest first; with no getter left to pass them to, their
    // values become orphans, which later gets take in the order they were put.
    while let Some((_, _, g)) = gs.pop() {
        drop(g);
    }
    assert!(ch.stats().in_flight);
    for v in 0..handed {
        assert_eq!(ch.try_get(), Ok(v), "orphans in FIFO order");
    }
    assert!(!ch.stats().in_flight);
    assert_eq!(ch.try_get(), Err(TryGetError::Empty));
}

#[test]
fn orphans_left_in_a_dropped_channel_are_dropped_once() {
    let token = std::sync::Arc::new(());
    {
        let ch: Chan<std::sync::Arc<()>> = Chan::new();
        let mut gs: Vec<_> = (0..3).map(|_| Box::pin(ch.get())).collect();
        for g in gs.iter_mut() {
            assert!(poll_once(g.as_mut()).is_pending());
        }
        for _ in 0..3 {
            ch.try_put(token.clone()).unwrap(); // handed to a waiting getter
        }
        assert_eq!(std::sync::Arc::strong_count(&token), 4);
        drop(gs); // nobody left to pass the values to: three orphans
        assert!(ch.stats().in_flight);
        assert_eq!(std::sync::Arc::strong_count(&token), 4, "orphans are kept");
    }
    assert_eq!(
        std::sync::Arc::strong_count(&token),
        1,
        "and dropped with the channel"
    );
}

#[test]
fn close_wakes_waiting_putters_once_and_they_still_deliver() {
    let ch: Chan<u32> = Chan::new();
    let counters: Vec<_> = (0..20).map(|_| counting_waker()).collect();
    let mut puts: Vec<_> = (0..20).map(|i| Box::pin(ch.put(i))).collect();
    for (p, (_, w)) in puts.iter_mut().zip(&counters) {
        assert!(poll_with(p.as_mut(), w).is_pending());
    }
    ch.close();
    assert!(
        counters.iter().all(|(c, _)| c.count() == 1),
        "each putter told once"
    );
    // Still queued: re-polled, they wait; a get takes the first.
    for (p, (_, w)) in puts.iter_mut().zip(&counters) {
        assert!(poll_with(p.as_mut(), w).is_pending());
    }
    assert_eq!(ch.try_get(), Ok(0));
    assert_eq!(
        poll_with(puts[0].as_mut(), &counters[0].1),
        Poll::Ready(Ok(()))
    );
    assert!(
        counters[1..].iter().all(|(c, _)| c.count() == 1),
        "no wake storm"
    );
}
