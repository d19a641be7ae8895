//! `Chan::closed_and_drained` (aiochan's `join()`): resolves exactly when the channel is
//! closed and every value put into it has been taken, wakes its waiters when that
//! happens, and is cancel-safe.

#![cfg(not(loom))]

mod common;

use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;

use common::{counting_waker, poll_once, poll_with, registered};
use csp_core::buffer::{Buffer, Fixed, Promise};
use csp_core::{Chan, Flow, TryGetError};

/// A watcher of `ch` waits; `drain`, the step that drains the channel, wakes it exactly
/// once (`what` says which step, for the failure message); then it completes, keeping
/// no waker.
fn drain_wakes_the_watcher<T, B: Buffer<T>>(ch: &Chan<T, B>, what: &str, drain: impl FnOnce()) {
    let (c, waker) = counting_waker();
    let mut drained = pin!(ch.closed_and_drained());
    assert!(poll_with(drained.as_mut(), &waker).is_pending());
    drain();
    assert_eq!(c.count(), 1, "{what} wakes the watcher");
    assert_eq!(poll_with(drained.as_mut(), &waker), Poll::Ready(()));
    assert_eq!(registered(&c), 0, "the completed watcher keeps no waker");
}

#[test]
fn resolves_at_once_on_a_closed_empty_channel() {
    let rendezvous: Chan<u8> = Chan::new();
    rendezvous.close();
    assert_eq!(
        poll_once(pin!(rendezvous.closed_and_drained())),
        Poll::Ready(())
    );
    let buffered: Chan<u8, Fixed<u8, 2>> = Chan::with_buffer(Fixed::new());
    buffered.close();
    assert_eq!(
        poll_once(pin!(buffered.closed_and_drained())),
        Poll::Ready(())
    );
}

#[test]
fn waits_while_open_even_when_empty() {
    let ch: Chan<u8, Fixed<u8, 2>> = Chan::with_buffer(Fixed::new());
    drain_wakes_the_watcher(&ch, "the close of an empty channel", || {
        ch.close();
    });
}

#[test]
fn waits_for_the_last_buffered_value_to_be_taken() {
    let ch: Chan<u8, Fixed<u8, 2>> = Chan::with_buffer(Fixed::new());
    ch.try_put(1).unwrap();
    ch.try_put(2).unwrap();
    ch.close();
    let (c, waker) = counting_waker();
    let mut drained = pin!(ch.closed_and_drained());
    assert!(poll_with(drained.as_mut(), &waker).is_pending());
    assert_eq!(ch.try_get(), Ok(1));
    assert_eq!(c.count(), 0, "a value is still buffered");
    assert!(poll_with(drained.as_mut(), &waker).is_pending());
    // Taken by a get future, the quick path's twin, this time.
    assert_eq!(poll_once(pin!(ch.get())), Poll::Ready(Some(2)));
    assert_eq!(c.count(), 1, "the last take wakes the watcher");
    assert_eq!(poll_with(drained.as_mut(), &waker), Poll::Ready(()));
    assert_eq!(ch.try_get(), Err(TryGetError::Closed));
}

#[test]
fn a_put_queued_before_the_close_must_deliver_first() {
    let ch: Chan<u8> = Chan::new();
    let mut put = pin!(ch.put(7));
    assert!(poll_once(put.as_mut()).is_pending());
    ch.close();
    drain_wakes_the_watcher(&ch, "the take of the queued put's value", || {
        assert_eq!(ch.try_get(), Ok(7));
    });
    assert_eq!(poll_once(put.as_mut()), Poll::Ready(Ok(())));
}

#[test]
fn a_value_handed_to_a_getter_counts_until_it_is_taken() {
    let ch: Chan<u8> = Chan::new();
    let mut get = pin!(ch.get());
    assert!(poll_once(get.as_mut()).is_pending());
    ch.try_put(3).unwrap(); // handed to the waiting get, which has not taken it yet
    ch.close();
    drain_wakes_the_watcher(&ch, "the take of the handed value", || {
        assert_eq!(poll_once(get.as_mut()), Poll::Ready(Some(3)));
    });
}

#[test]
fn a_handed_value_whose_getter_goes_away_is_still_owed() {
    let ch: Chan<u8> = Chan::new();
    {
        let mut get = pin!(ch.get());
        assert!(poll_once(get.as_mut()).is_pending());
        ch.try_put(4).unwrap();
        ch.close();
    } // dropped with the value in its node: the value becomes an orphan
    drain_wakes_the_watcher(&ch, "the take of the orphan", || {
        assert_eq!(ch.try_get(), Ok(4));
    });
}

#[test]
fn a_put_withdrawn_after_the_close_drains_the_channel() {
    let ch: Chan<u8> = Chan::new();
    let mut put = pin!(ch.put(5));
    assert!(poll_once(put.as_mut()).is_pending());
    ch.close();
    drain_wakes_the_watcher(&ch, "the withdrawal, which leaves nothing,", || {
        assert_eq!(put.as_mut().take_value(), Some(5));
    });
}

#[test]
fn every_watcher_hears_the_news_in_turn() {
    // More watchers than a wake list holds (8): each completing one wakes the next.
    let ch: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
    ch.try_put(1).unwrap();
    ch.close();
    let (c, waker) = counting_waker();
    let mut watchers: Vec<_> = (0..20).map(|_| Box::pin(ch.closed_and_drained())).collect();
    for w in &mut watchers {
        assert!(poll_with(w.as_mut(), &waker).is_pending());
    }
    assert_eq!(ch.try_get(), Ok(1));
    for (i, w) in watchers.iter_mut().enumerate() {
        assert_eq!(
            c.count(),
            i + 1,
            "watcher {i} is woken once the one before completes"
        );
        assert_eq!(poll_with(w.as_mut(), &waker), Poll::Ready(()));
    }
    assert_eq!(c.count(), 20);
    assert_eq!(registered(&c), 0);
}

#[test]
fn a_woken_watcher_that_goes_away_passes_the_news_on() {
    let ch: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
    ch.try_put(1).unwrap();
    ch.close();
    let (first, w1) = counting_waker();
    let (second, w2) = counting_waker();
    let mut a = Box::pin(ch.closed_and_drained());
    let mut b = pin!(ch.closed_and_drained());
    assert!(poll_with(a.as_mut(), &w1).is_pending());
    assert!(poll_with(b.as_mut(), &w2).is_pending());
    assert_eq!(ch.try_get(), Ok(1));
    assert_eq!((first.count(), second.count()), (1, 0));
    drop(a);
    assert_eq!(
        second.count(),
        1,
        "the dropped watcher's news goes to the next one"
    );
    assert_eq!(poll_with(b.as_mut(), &w2), Poll::Ready(()));
    assert_eq!(registered(&first) + registered(&second), 0);
}

#[test]
fn a_waiting_watcher_dropped_leaves_the_channel_as_it_was() {
    let ch: Chan<u8, Fixed<u8, 2>> = Chan::with_buffer(Fixed::new());
    let (c, waker) = counting_waker();
    {
        let mut drained = pin!(ch.closed_and_drained());
        assert!(poll_with(drained.as_mut(), &waker).is_pending());
        assert_eq!(registered(&c), 1);
    }
    assert_eq!(registered(&c), 0, "the dropped watcher dropped its waker");
    // The channel works as before: quick puts and gets, nobody counted as waiting.
    ch.try_put(1).unwrap();
    assert_eq!(ch.stats().flow, Flow::Fluent);
    assert_eq!(ch.try_get(), Ok(1));
    ch.close();
    assert_eq!(poll_once(pin!(ch.closed_and_drained())), Poll::Ready(()));
}

#[test]
fn a_watcher_is_not_a_getter() {
    let ch: Chan<u8, Fixed<u8, 2>> = Chan::with_buffer(Fixed::new());
    let (c, waker) = counting_waker();
    let mut drained = pin!(ch.closed_and_drained());
    assert!(poll_with(drained.as_mut(), &waker).is_pending());
    let stats = ch.stats();
    assert_eq!((stats.flow, stats.waiting_gets), (Flow::Fluent, 0));
    // Values still flow, in order, and no put hands one to the watcher.
    for round in 0..3u8 {
        ch.try_put(round).unwrap();
        ch.try_put(round + 10).unwrap();
        assert_eq!(ch.try_get(), Ok(round));
        assert_eq!(ch.try_get(), Ok(round + 10));
    }
    let rendezvous: Chan<u8> = Chan::new();
    let mut watch = pin!(rendezvous.closed_and_drained());
    assert!(poll_with(watch.as_mut(), &waker).is_pending());
    assert!(
        rendezvous.try_put(1).unwrap_err().is_full(),
        "nobody takes it"
    );
    assert_eq!(c.count(), 0);
}

#[test]
fn a_promise_holding_its_value_is_never_drained() {
    let ch: Chan<u8, Promise<u8>> = Chan::with_buffer(Promise::new());
    ch.try_put(9).unwrap();
    ch.close();
    let mut drained = pin!(ch.closed_and_drained());
    assert!(poll_once(drained.as_mut()).is_pending());
    assert_eq!(ch.try_get(), Ok(9));
    assert!(
        poll_once(drained.as_mut()).is_pending(),
        "every get takes a copy"
    );
}

#[test]
fn a_producer_waits_for_its_consumer_thread() {
    let ch: Arc<Chan<u32, Fixed<u32, 4>>> = Arc::new(Chan::with_buffer(Fixed::new()));
    let consumer = {
        let ch = ch.clone();
        std::thread::spawn(move || {
            let mut sum = 0;
            while let Some(v) = ch.get_blocking() {
                sum += v;
            }
            sum
        })
    };
    // The watcher on a thread of its own, so that a lost wake-up fails the test (after
    // a generous timeout) instead of hanging it.
    let (done, finished) = std::sync::mpsc::channel();
    {
        let ch = ch.clone();
        std::thread::spawn(move || {
            csp_core::block_on(ch.closed_and_drained());
            done.send(ch.try_get()).unwrap();
        });
    }
    for v in 1..=100 {
        ch.put_blocking(v).unwrap();
    }
    ch.close();
    let after = finished.recv_timeout(std::time::Duration::from_secs(20));
    assert_eq!(
        after,
        Ok(Err(TryGetError::Closed)),
        "the watcher completes once drained"
    );
    assert_eq!(consumer.join().unwrap(), 5050);
}
