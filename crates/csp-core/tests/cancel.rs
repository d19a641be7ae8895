//! Dropping futures at every interesting moment loses and duplicates nothing.

#![cfg(not(loom))]

mod common;

use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;

use common::{counting_waker, poll_once, poll_with, Tracked};
use csp_core::buffer::Fixed;
use csp_core::{select, Chan, Get, Put};
use std::pin::Pin;

type Buf = Fixed<Tracked, 2>;

#[test]
fn put_dropped_before_first_poll_delivers_nothing() {
    let drops = Arc::new(AtomicUsize::new(0));
    let ch: Chan<Tracked> = Chan::new();
    drop(ch.put(Tracked::new(1, &drops)));
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the value dropped with the future"
    );
    assert!(ch.try_get().is_err());
}

#[test]
fn put_dropped_while_queued_withdraws_and_its_value_can_be_taken_back() {
    let drops = Arc::new(AtomicUsize::new(0));
    let ch: Chan<Tracked> = Chan::new();
    let mut put = pin!(ch.put(Tracked::new(1, &drops)));
    assert!(poll_once(put.as_mut()).is_pending());
    let back = put.as_mut().take_value().expect("not delivered");
    assert_eq!(back.id, 1);
    assert_eq!(ch.stats().waiting_puts, 0);
    assert!(ch.try_get().is_err());
    drop(back);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn put_taken_by_a_getter_before_it_is_polled_again_counts_as_delivered() {
    let drops = Arc::new(AtomicUsize::new(0));
    let ch: Chan<Tracked> = Chan::new();
    let mut put = pin!(ch.put(Tracked::new(7, &drops)));
    assert!(poll_once(put.as_mut()).is_pending());
    let got = ch.try_get().unwrap();
    assert_eq!(got.id, 7);
    assert!(
        put.as_mut().take_value().is_none(),
        "claimed: delivered, nothing to give back"
    );
    drop(got);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn boxed_get_dropped_after_hand_over_leaves_an_orphan_for_the_next_get() {
    let ch: Chan<u32> = Chan::new();
    let (w, waker) = counting_waker();
    let mut g1 = Box::pin(ch.get());
    assert!(poll_with(g1.as_mut(), &waker).is_pending());
    ch.try_put(5).unwrap();
    assert_eq!(w.count(), 1);
    drop(g1); // nobody else waits: the value becomes an orphan
    assert!(ch.stats().in_flight);
    // Not drained while the orphan is there, even if closed.
    ch.close();
    assert_eq!(ch.try_get(), Ok(5));
    assert_eq!(ch.try_get(), Err(csp_core::TryGetError::Closed));
}

#[test]
fn an_orphan_of_a_buffered_channel_comes_before_the_values_buffered_after_it() {
    // A put hands its value straight to a getter waiting beside an empty buffer, and the
    // getter goes away without it. Values put afterwards wait in the buffer; the
    // orphan, the oldest value, must still come first, also to a get that would
    // otherwise take the buffer's front on its quick path.
    let ch: Chan<u32, Fixed<u32, 4>> = Chan::with_buffer(Fixed::new());
    let (_, waker) = counting_waker();
    let mut g = Box::pin(ch.get());
    assert!(poll_with(g.as_mut(), &waker).is_pending());
    ch.try_put(1).unwrap(); // handed to `g`
    drop(g); // an orphan now
    assert!(poll_once(pin!(ch.put(2))).is_ready());
    ch.try_put(3).unwrap();
    assert_eq!(poll_once(pin!(ch.get())), Poll::Ready(Some(1)));
    // The orphan gone, the quick paths are open again, in order.
    assert_eq!(poll_once(pin!(ch.get())), Poll::Ready(Some(2)));
    assert!(poll_once(pin!(ch.put(4))).is_ready());
    assert_eq!(ch.try_get(), Ok(3));
    assert_eq!(ch.try_get(), Ok(4));
    assert_eq!(ch.stats().buffered, 3, "2, 3 and 4 went through the buffer");
}

#[test]
fn boxed_get_dropped_after_hand_over_passes_ownership_to_a_waiting_getter() {
    let ch: Chan<u32> = Chan::new();
    let (_, waker) = counting_waker();
    let (w2, waker2) = counting_waker();
    let mut g1 = Box::pin(ch.get());
    let mut g2 = Box::pin(ch.get());
    assert!(poll_with(g1.as_mut(), &waker).is_pending());
    assert!(poll_with(g2.as_mut(), &waker2).is_pending());
    ch.try_put(8).unwrap();
    drop(g1);
    assert_eq!(w2.count(), 1);
    assert_eq!(poll_with(g2.as_mut(), &waker2), Poll::Ready(Some(8)));
}

#[test]
fn woken_getter_dropped_passes_its_notification_on() {
    // Scenario 7: a getter woken for a buffered value and then dropped must not leave
    // the next getter asleep beside the value.
    let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    let (w1, waker1) = counting_waker();
    let (w2, waker2) = counting_waker();
    let mut g1 = Box::pin(ch.get());
    let mut g2 = Box::pin(ch.get());
    assert!(poll_with(g1.as_mut(), &waker1).is_pending());
    assert!(poll_with(g2.as_mut(), &waker2).is_pending());
    ch.try_put(1).unwrap();
    assert_eq!((w1.count(), w2.count()), (1, 0));
    drop(g1);
    assert_eq!(w2.count(), 1, "the notification passed to g2");
    assert_eq!(poll_with(g2.as_mut(), &waker2), Poll::Ready(Some(1)));
}

#[test]
fn select_dropped_after_being_claimed_gives_values_back() {
    let drops = Arc::new(AtomicUsize::new(0));
    let a: Chan<Tracked> = Chan::new();
    let b: Chan<u8> = Chan::new();
    let (_, waker) = counting_waker();
    {
        let mut put = pin!(a.put(Tracked::new(1, &drops)));
        let got;
        {
            let mut sel = Box::pin(async {
                select! {
                    r = put.as_mut() => r.is_ok(),
                    _ = b.get() => false,
                }
            });
            assert!(poll_with(sel.as_mut(), &waker).is_pending());
            // A getter claims the select's put...
            got = a.try_get().unwrap();
            // ...and the select is dropped before it sees that.
        }
        assert_eq!(got.id, 1);
        assert!(
            put.as_mut().take_value().is_none(),
            "delivered, so not given back"
        );
        assert_eq!(b.stats().waiting_gets, 0);
        drop(got);
    }
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "exactly one drop: no duplicate, no loss"
    );
}

#[test]
fn select_dropped_after_its_get_was_handed_a_value_passes_it_on() {
    let a: Chan<u32> = Chan::new();
    let b: Chan<u32> = Chan::new();
    let (_, waker) = counting_waker();
    let mut sel = Box::pin(async {
        select! {
            v = a.get() => v,
            v = b.get() => v,
        }
    });
    assert!(poll_with(sel.as_mut(), &waker).is_pending());
    a.try_put(4).unwrap(); // handed to the select's get arm
    drop(sel);
    assert_eq!(a.try_get(), Ok(4), "orphaned value taken by the next get");
    assert_eq!(b.stats().waiting_gets, 0);
}

#[test]
fn every_value_is_dropped_exactly_once_under_random_cancellation() {
    let drops = Arc::new(AtomicUsize::new(0));
    let made = 600u64;
    let created;
    {
        let ch: Chan<Tracked, Buf> = Chan::with_buffer(Fixed::new());
        let mut received = 0u64;
        let mut seed = 7u32;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        let mut puts: Vec<Pin<Box<Put<'_, Tracked, Buf>>>> = vec![];
        let mut gets: Vec<Pin<Box<Get<'_, Tracked, Buf>>>> = vec![];
        let mut next = 0;
        for _ in 0..(if cfg!(miri) { 200 } else { 3000 }) {
            match rnd() % 6 {
                0 if next < made => {
                    puts.push(Box::pin(ch.put(Tracked::new(next, &drops))));
                    next += 1;
                }
                1 => gets.push(Box::pin(ch.get())),
                2 if !puts.is_empty() => {
                    let i = rnd() as usize % puts.len();
                    if poll_once(puts[i].as_mut()).is_ready() {
                        drop(puts.swap_remove(i));
                    }
                }
                3 if !gets.is_empty() => {
                    let i = rnd() as usize % gets.len();
                    if let Poll::Ready(v) = poll_once(gets[i].as_mut()) {
                        assert!(v.is_some());
                        received += 1;
                        drop(v);
                        drop(gets.swap_remove(i));
                    }
                }
                4 if !puts.is_empty() => {
                    let i = rnd() as usize % puts.len();
                    drop(puts.swap_remove(i)); // cancel: value dropped with the put, or delivered
                }
                5 if !gets.is_empty() => {
                    let i = rnd() as usize % gets.len();
                    drop(gets.swap_remove(i)); // cancel: a handed-over value moves on
                }
                _ => {}
            }
        }
        drop(puts);
        drop(gets);
        ch.close();
        while let Ok(v) = ch.try_get() {
            received += 1;
            drop(v);
        }
        assert!(received > 0);
        created = next;
    }
    // Each value made was dropped exactly once: received, dropped with its put, or
    // drained at the end. Drop counting catches duplicates (double drop) and leaks.
    assert!(created > if cfg!(miri) { 10 } else { 100 });
    assert_eq!(drops.load(Ordering::SeqCst) as u64, created);
}
