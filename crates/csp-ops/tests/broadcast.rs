//! `Dup` and `Pub` behaviours not covered elsewhere: `untap_all`, `Pub::close`, the
//! lockstep back-pressure (a slow tap slows all), a tap added during a delivery, and
//! `unsub_all` of one topic.
//!
//! Most tests poll the driver by hand with a waker that counts its wakes: everything
//! runs in this thread, so what the driver has taken and delivered after each poll is
//! exact, and no sleep is needed.

#[macro_use]
mod common;

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use common::{feed, join3, yield_now};
use csp_core::{Chan, TryGetError};
use csp_ops::{collect, Dup, Pub};

/// A waker that counts its wakes.
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls a driver with a counting waker; `wakes()` says how often it was woken.
struct Poller {
    count: Arc<Count>,
    waker: Waker,
}

impl Poller {
    fn new() -> Self {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&count));
        Poller { count, waker }
    }
    fn poll<F: Future<Output = ()>>(&self, f: Pin<&mut F>) -> Poll<()> {
        f.poll(&mut Context::from_waker(&self.waker))
    }
    fn wakes(&self) -> usize {
        self.count.0.load(Ordering::SeqCst)
    }
}

/// `untap_all` removes every tap: a put waiting on a tap ends at once (as `untap`
/// promises: "a put to it in progress is cancelled"), later values reach no tap, and
/// the untapped channels are not closed (`untap`: "not closing it"), not even at the
/// end of the broadcast although they were tapped with `close = true`.
#[test]
fn untap_all_ends_a_waiting_put_and_leaves_the_taps_open_and_unfed() {
    let input = Chan::fixed(4);
    let (stuck, buffered) = (Arc::new(Chan::new()), Arc::new(Chan::fixed(2)));
    let dup = Dup::new();
    dup.tap(Arc::clone(&stuck), true); // rendezvous, never read: its put waits
    dup.tap(Arc::clone(&buffered), true);
    input.try_put(0u32).unwrap();
    let p = Poller::new();
    let mut driver = pin!(dup.run(&input));
    assert!(p.poll(driver.as_mut()).is_pending(), "waits on `stuck`");
    assert_eq!(buffered.len(), 1);
    let before = p.wakes();
    dup.untap_all();
    assert!(p.wakes() > before, "untap_all wakes the waiting driver");
    assert!(format!("{dup:?}").contains("taps: 0"), "{dup:?}");
    assert!(p.poll(driver.as_mut()).is_pending(), "waits for input now");
    // The waiting put ended: the driver takes the next value at once...
    input.try_put(1).unwrap();
    assert!(p.poll(driver.as_mut()).is_pending());
    assert!(
        input.is_empty(),
        "1 was taken: the put of 0 no longer holds the driver"
    );
    // ...and gives it to nobody; the cancelled put left nothing behind.
    assert_eq!(
        stuck.try_get(),
        Err(TryGetError::Empty),
        "put of 0 withdrawn"
    );
    assert_eq!(buffered.try_get(), Ok(0));
    assert_eq!(buffered.try_get(), Err(TryGetError::Empty), "1 was dropped");
    input.close();
    assert!(p.poll(driver.as_mut()).is_ready(), "the input ended");
    assert!(
        !stuck.is_closed() && !buffered.is_closed(),
        "untapped: not closed"
    );
    assert_eq!(
        buffered.try_put(7),
        Ok(()),
        "still an ordinary open channel"
    );
}

/// `Pub::close` stops the driver at once, cancelling a delivery in progress; the
/// subscribers registered with `close = true` are closed (without the cancelled
/// value), those with `close = false` stay open with what they had, and the input is
/// neither closed nor drained further.
#[test]
fn pub_close_cancels_the_delivery_and_closes_only_close_true_subscribers() {
    let input = Chan::fixed(4);
    for v in [1u32, 0, 2] {
        input.try_put(v).unwrap();
    }
    let (even, odd) = (Arc::new(Chan::new()), Arc::new(Chan::fixed(4)));
    let publisher = Pub::new();
    publisher.sub(0, Arc::clone(&even), true); // rendezvous, never read
    publisher.sub(1, Arc::clone(&odd), false);
    let p = Poller::new();
    let mut driver = pin!(publisher.run(&input, |v| v % 2));
    assert!(
        p.poll(driver.as_mut()).is_pending(),
        "waits to hand 0 to `even`"
    );
    assert_eq!((odd.len(), input.len()), (1, 1));
    let before = p.wakes();
    publisher.close();
    assert!(p.wakes() > before, "close wakes the waiting driver");
    assert!(p.poll(driver.as_mut()).is_ready(), "the driver ended");
    assert!(even.is_closed(), "close = true: closed");
    assert_eq!(
        even.try_get(),
        Err(TryGetError::Closed),
        "0 was not delivered"
    );
    assert!(!odd.is_closed(), "close = false: left open");
    assert_eq!(odd.try_get(), Ok(1));
    assert!(!input.is_closed(), "the input is not closed");
    assert_eq!(input.try_get(), Ok(2), "no value taken after close");
}

/// A slow tap slows all: the driver puts each value to every tap before it takes the
/// next. With a fast tap that has room for everything and a slow tap with room for
/// `C` that nobody reads, the driver takes exactly `C + 1` values (`C` buffered in the
/// slow tap, one waiting on it) and the source keeps the rest. Each value then taken
/// from the slow tap lets exactly one more through, and in the end both taps have
/// everything, in order.
#[test]
fn a_slow_tap_holds_back_the_fast_tap_and_the_source_exactly() {
    const N: usize = 8;
    const C: usize = 2;
    let input = Chan::fixed(N);
    for v in 0..N {
        input.try_put(v).unwrap();
    }
    let (fast, slow) = (Arc::new(Chan::fixed(N)), Arc::new(Chan::fixed(C)));
    let dup = Dup::new();
    dup.tap(Arc::clone(&fast), true);
    dup.tap(Arc::clone(&slow), true);
    let p = Poller::new();
    let mut driver = pin!(dup.run(&input));
    for _ in 0..3 {
        assert!(p.poll(driver.as_mut()).is_pending());
        assert_eq!(fast.len(), C + 1, "the fast tap is held back");
        assert_eq!(slow.len(), C);
        assert_eq!(input.len(), N - (C + 1), "the source is not drained");
    }
    let mut from_slow = Vec::new();
    for j in 1..=N {
        let before = p.wakes();
        from_slow.push(slow.try_get().unwrap());
        if C + j <= N {
            assert!(p.wakes() > before, "a put was waiting: the get wakes it");
        }
        assert!(p.poll(driver.as_mut()).is_pending(), "the input stays open");
        let taken = (C + 1 + j).min(N);
        assert_eq!(
            fast.len(),
            taken,
            "one more value per value taken from slow"
        );
        assert_eq!(input.len(), N - taken);
    }
    input.close();
    assert!(p.poll(driver.as_mut()).is_ready());
    assert_eq!(from_slow, (0..N).collect::<Vec<_>>());
    let from_fast: Vec<_> = std::iter::from_fn(|| fast.try_get().ok()).collect();
    assert_eq!(from_fast, (0..N).collect::<Vec<_>>());
    assert!(fast.is_closed() && slow.is_closed());
}

on_every_runtime!(
    /// The same lockstep on every runtime, with a rendezvous input and fast tap and a
    /// slow tap of one slot: while the slow tap is not read, an eager reader of the fast
    /// tap gets exactly 2 values however long it polls (a bounded number of yields);
    /// once the slow tap is read, everything flows to both.
    a_slow_tap_slows_all_on_every_runtime,
    |sp| {
        const N: u32 = 20;
        let input = Chan::new();
        let (fast, slow) = (Arc::new(Chan::new()), Arc::new(Chan::fixed(1)));
        let dup = Dup::new();
        dup.tap(Arc::clone(&fast), true);
        dup.tap(Arc::clone(&slow), true);
        let check = async {
            let mut early = Vec::new();
            for _ in 0..500 {
                if let Ok(v) = fast.try_get() {
                    early.push(v);
                }
                yield_now(1).await;
            }
            let (rest, s) =
                futures_lite::future::zip(collect(&*fast, None), collect(&*slow, None)).await;
            (early, rest, s)
        };
        let (_, (), (early, rest, s)) = join3(feed(&input, 0..N), dup.run(&input), check).await;
        assert_eq!(early, [0, 1], "held back by the unread slow tap");
        assert_eq!([early, rest].concat(), (0..N).collect::<Vec<_>>());
        assert_eq!(s, (0..N).collect::<Vec<_>>());
    }
);

/// A tap added while a value is being delivered does not get that value; it gets
/// every value from the next on ("Taps added meanwhile get the next value").
#[test]
fn a_tap_added_during_a_delivery_gets_the_next_value_on() {
    let input = Chan::fixed(4);
    for v in [0u32, 1, 2] {
        input.try_put(v).unwrap();
    }
    let (slow, first) = (Arc::new(Chan::new()), Arc::new(Chan::fixed(4)));
    let dup = Dup::new();
    dup.tap(Arc::clone(&first), true);
    dup.tap(Arc::clone(&slow), true); // rendezvous: read by hand below
    let p = Poller::new();
    let mut driver = pin!(dup.run(&input));
    assert!(
        p.poll(driver.as_mut()).is_pending(),
        "waits to hand 0 to `slow`"
    );
    let late = Arc::new(Chan::fixed(4));
    dup.tap(Arc::clone(&late), true);
    assert!(p.poll(driver.as_mut()).is_pending());
    assert!(late.is_empty(), "0 was taken before `late` was a tap");
    for v in [0, 1, 2] {
        assert_eq!(slow.try_get(), Ok(v));
        assert!(p.poll(driver.as_mut()).is_pending());
    }
    input.close();
    assert!(p.poll(driver.as_mut()).is_ready());
    let got = |c: &Chan<u32, _>| std::iter::from_fn(|| c.try_get().ok()).collect::<Vec<_>>();
    assert_eq!(got(&late), [1, 2], "every value from the next on");
    assert_eq!(got(&first), [0, 1, 2]);
}

on_every_runtime!(
    /// `unsub_all(Some(topic))` removes the subscriptions of that topic only: its
    /// former subscribers get nothing more and are not closed at the end, while the
    /// other topics are still published (and closed at the end).
    pub_unsub_all_of_one_topic_leaves_the_other_topics,
    |sp| {
        let input = Chan::new();
        let (a1, a2) = (Arc::new(Chan::fixed(8)), Arc::new(Chan::fixed(8)));
        let b = Arc::new(Chan::new());
        let publisher = Pub::new();
        publisher.sub('a', Arc::clone(&a1), true);
        publisher.sub('a', Arc::clone(&a2), true);
        publisher.sub('b', Arc::clone(&b), true);
        publisher.unsub_all(Some(&'a'));
        assert!(
            format!("{publisher:?}").contains("subscriptions: 1"),
            "{publisher:?}"
        );
        let words = ["ant", "bee", "asp", "bat"];
        let topic = |w: &&str| w.chars().next().unwrap();
        let (_, (), got_b) = join3(
            feed(&input, words),
            publisher.run(&input, topic),
            collect(&*b, None),
        )
        .await;
        assert_eq!(got_b, ["bee", "bat"]);
        assert!(b.is_closed());
        for a in [&a1, &a2] {
            assert_eq!(a.try_get(), Err(TryGetError::Empty), "got nothing, still open");
        }
    }
);
