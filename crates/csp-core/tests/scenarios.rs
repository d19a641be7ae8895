//! The scenarios of `docs/design.md` ("Scenarios that broke simpler readings"), one test
//! each, driven step by step on one thread with wakers that record their wakes.
//!
//! A test never polls a future that was not woken, except to *prove* it was not
//! forgotten: [`quiesce`] polls woken tasks until nobody is woken, and
//! [`assert_nothing_forgotten`] then polls every pending task once more and fails if
//! one of them completes — that would be a party that could act but was never woken
//! (a lost wake-up, guarantee 3).
//!
//! Several scenarios need a put that finds getters waiting and still has to queue
//! because the channel cannot hand over one more value. Only a build without `alloc`
//! has that limit ([`HAND_OVER_SLOTS`] values in flight); with `alloc` a put hands over
//! to every claimable waiting getter. Those scenarios run without `alloc`:
//! `cargo test -p csp-core --no-default-features --test scenarios` (in `.ci/run`).

use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::task::{Context, Poll, Waker};
use std::sync::Arc;
use std::task::Wake;

use csp_core::buffer::{Buffer, Fixed, Promise};
#[cfg(not(feature = "alloc"))]
use csp_core::HAND_OVER_SLOTS;
use csp_core::{select, Chan, Closed, TryPutError};

// ===== a tiny manual executor =====

/// Counts the wakes of one task.
#[derive(Default)]
struct Flag(AtomicUsize);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// One future with its own recording waker.
struct Task<'a, O> {
    name: &'static str,
    fut: Option<Pin<Box<dyn Future<Output = O> + 'a>>>,
    flag: Arc<Flag>,
    waker: Waker,
    out: Option<O>,
}

impl<'a, O> Task<'a, O> {
    fn new(name: &'static str, fut: impl Future<Output = O> + 'a) -> Self {
        let flag = Arc::new(Flag::default());
        Task {
            name,
            fut: Some(Box::pin(fut)),
            waker: Waker::from(flag.clone()),
            flag,
            out: None,
        }
    }

    /// Polls once (clearing the recorded wakes); returns whether it is now complete.
    fn poll(&mut self) -> bool {
        let Some(f) = self.fut.as_mut() else {
            return self.out.is_some();
        };
        self.flag.0.store(0, Ordering::SeqCst);
        let mut cx = Context::from_waker(&self.waker);
        if let Poll::Ready(o) = f.as_mut().poll(&mut cx) {
            self.out = Some(o);
            self.fut = None;
            return true;
        }
        false
    }

    /// Whether a wake arrived since the last poll.
    fn woken(&self) -> bool {
        self.flag.0.load(Ordering::SeqCst) > 0
    }

    fn pending(&self) -> bool {
        self.fut.is_some()
    }

    /// Cancels the task (drops the future).
    fn cancel(&mut self) {
        self.fut = None;
    }

    fn take(&mut self) -> O {
        match self.out.take() {
            Some(o) => o,
            None => panic!("task {} has no output", self.name),
        }
    }
}

/// Something [`quiesce`] can drive.
trait Drive {
    fn name(&self) -> &'static str;
    fn poll(&mut self) -> bool;
    fn woken(&self) -> bool;
    fn pending(&self) -> bool;
}

impl<O> Drive for Task<'_, O> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn poll(&mut self) -> bool {
        Task::poll(self)
    }
    fn woken(&self) -> bool {
        Task::woken(self)
    }
    fn pending(&self) -> bool {
        Task::pending(self)
    }
}

/// Polls woken pending tasks until no pending task is woken (bounded).
fn quiesce(tasks: &mut [&mut dyn Drive]) {
    for _ in 0..1000 {
        let mut any = false;
        for t in tasks.iter_mut() {
            if t.pending() && t.woken() {
                t.poll();
                any = true;
            }
        }
        if !any {
            return;
        }
    }
    panic!("tasks keep waking each other");
}

/// Guarantee 3: after quiescence, no pending task can complete (else it was forgotten).
fn assert_nothing_forgotten(tasks: &mut [&mut dyn Drive]) {
    quiesce(tasks);
    for t in tasks.iter_mut() {
        if t.pending() {
            let name = t.name();
            assert!(
                !t.poll(),
                "{name} could complete but was never woken (lost wake-up)"
            );
        }
    }
}

// ===== the scenarios =====

#[cfg(not(feature = "alloc"))]
/// Takes all hand-over slots of `ch` but one, so a scenario about "the hand-over slot
/// is busy" plays out with one more hand-over: `HAND_OVER_SLOTS - 1` getters wait and
/// are each handed a value (1000, 1001, ...), not taken yet. Make them before the
/// scenario's own getters, and check them with [`drain_fillers`] at the end.
fn fill_slots_but_one<B: Buffer<u32>>(ch: &Chan<u32, B>) -> Vec<Task<'_, Option<u32>>> {
    (0..HAND_OVER_SLOTS - 1)
        .map(|i| {
            let mut t = Task::new("filler", ch.get());
            assert!(!t.poll());
            assert_eq!(ch.try_put(1000 + i as u32), Ok(()));
            assert!(t.woken(), "filler {i} was handed its value");
            t
        })
        .collect()
}

/// A rendezvous channel with every hand-over busy: the fillers, then `g1`, which was
/// handed 1, and `g2`, which waits.
#[cfg(not(feature = "alloc"))]
#[allow(clippy::type_complexity)]
fn every_hand_over_busy(
    ch: &Chan<u32>,
) -> (
    Vec<Task<'_, Option<u32>>>,
    Task<'_, Option<u32>>,
    Task<'_, Option<u32>>,
) {
    let fillers = fill_slots_but_one(ch);
    let mut g1 = Task::new("g1", ch.get());
    let mut g2 = Task::new("g2", ch.get());
    assert!(!g1.poll() && !g2.poll());
    assert_eq!(
        ch.try_put(1),
        Ok(()),
        "handed to g1: every hand-over is busy now"
    );
    (fillers, g1, g2)
}

/// Each filler takes the value it was handed.
#[cfg(not(feature = "alloc"))]
fn drain_fillers(fillers: Vec<Task<'_, Option<u32>>>) {
    for (i, mut f) in fillers.into_iter().enumerate() {
        assert!(f.poll());
        assert_eq!(f.take(), Some(1000 + i as u32));
    }
}

/// 1. *Refill wakes nobody.* A get that refills the buffer from a queued put must
///    notify another waiting getter, or that getter sleeps beside the refilled value.
#[cfg(not(feature = "alloc"))]
#[test]
fn s01_refill_notifies_the_next_getter() {
    let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    let fillers = fill_slots_but_one(&ch);
    let mut g1 = Task::new("g1", ch.get());
    let mut g2 = Task::new("g2", ch.get());
    let mut g3 = Task::new("g3", ch.get());
    assert!(!g1.poll() && !g2.poll() && !g3.poll());
    let mut p1 = Task::new("p1", ch.put(1));
    let mut p2 = Task::new("p2", ch.put(2));
    let mut p3 = Task::new("p3", ch.put(3));
    // p1 fills the buffer; p2 and p3 either hand over or queue.
    assert!(p1.poll());
    p2.poll();
    p3.poll();
    assert!(g1.woken(), "the first value notifies the first getter");
    // Some put must be waiting now (buffer of one, one hand-over slot, three puts):
    assert!(p2.pending() || p3.pending());
    // Drive only woken tasks: every getter must get a value, through refills.
    assert_nothing_forgotten(&mut [&mut g1, &mut g2, &mut g3, &mut p1, &mut p2, &mut p3]);
    let mut got = vec![g1.take(), g2.take(), g3.take()];
    got.sort();
    assert_eq!(got, vec![Some(1), Some(2), Some(3)]);
    assert!(!p2.pending() && !p3.pending());
    assert_eq!(p2.take(), Ok(()));
    assert_eq!(p3.take(), Ok(()));
    drain_fillers(fillers);
}

/// 1b. The refill proper: a getter that arrives while a put is queued behind a full
///     buffer takes the front, moves the queued value in, and the next waiting getter
///     is told.
#[test]
fn s01b_refill_by_an_arriving_get_notifies_a_waiting_getter() {
    let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    ch.try_put(1).unwrap();
    let mut p2 = Task::new("p2", ch.put(2));
    assert!(!p2.poll(), "buffer full, nobody waits: the put queues");
    let mut p3 = Task::new("p3", ch.put(3));
    assert!(!p3.poll());
    // A getter that takes 1 refills 2 from p2 and wakes p2.
    assert_eq!(ch.try_get(), Ok(1));
    assert!(p2.woken(), "the refilled putter is woken");
    // Now a waiting getter: the refill done by the next get must notify it.
    let mut g = Task::new("g", ch.get());
    // `g` finds 2 at once and refills 3.
    assert!(g.poll());
    assert_eq!(g.take(), Some(2));
    let mut g2 = Task::new("g2", ch.get());
    assert!(g2.poll());
    assert_eq!(g2.take(), Some(3));
    assert_nothing_forgotten(&mut [&mut p2, &mut p3]);
    assert_eq!((p2.take(), p3.take()), (Ok(()), Ok(())));
}

/// 2. *Double wake.* Two values arriving for two waiting getters must notify both,
///    not the first getter twice.
#[test]
fn s02_two_values_notify_two_getters() {
    let ch: Chan<u32, Fixed<u32, 2>> = Chan::with_buffer(Fixed::new());
    let mut g1 = Task::new("g1", ch.get());
    let mut g2 = Task::new("g2", ch.get());
    assert!(!g1.poll() && !g2.poll());
    ch.try_put(1).unwrap();
    ch.try_put(2).unwrap();
    assert!(g1.woken(), "g1 notified by the first value");
    assert!(g2.woken(), "g2 notified by the second value, not g1 twice");
    assert!(g1.poll() && g2.poll());
    assert_eq!((g1.take(), g2.take()), (Some(1), Some(2)));
}

/// 3. *Promise.* One value that never runs out: every waiting getter gets it, each
///    completion passing the notification on.
#[test]
fn s03_promise_wakes_every_getter() {
    let ch: Chan<u32, Promise<u32>> = Chan::promise();
    let mut gs: Vec<Task<'_, Option<u32>>> =
        ["g1", "g2", "g3"].map(|n| Task::new(n, ch.get())).into();
    for g in &mut gs {
        assert!(!g.poll());
    }
    ch.try_put(5).unwrap();
    assert!(gs[0].woken());
    {
        let mut ds: Vec<&mut dyn Drive> = gs.iter_mut().map(|g| g as &mut dyn Drive).collect();
        assert_nothing_forgotten(&mut ds);
    }
    for g in &mut gs {
        assert_eq!(g.take(), Some(5));
    }
    // Later puts are discarded by the policy and counted.
    ch.try_put(6).unwrap();
    assert_eq!(ch.try_get(), Ok(5));
    assert_eq!(ch.stats().discarded, 1);
}

/// Two getters on `ch`; a put hands 7 to the first, the channel closes, and the second,
/// polled after the close, must wait: the end is not seen while 7 is in flight.
fn handed_then_closed<B: Buffer<u32>>(
    ch: &Chan<u32, B>,
) -> (Task<'_, Option<u32>>, Task<'_, Option<u32>>) {
    let mut g1 = Task::new("g1", ch.get());
    let mut g2 = Task::new("g2", ch.get());
    assert!(!g1.poll());
    assert_eq!(
        ch.try_put(7),
        Ok(()),
        "a waiting getter takes the hand-over"
    );
    assert!(ch.stats().in_flight);
    ch.close();
    assert!(
        !g2.poll(),
        "the end is not seen while a hand-over is in flight"
    );
    (g1, g2)
}

/// 4. *Close during a hand-over.* A value handed to a getter that is then dropped must
///    not be stranded by a close: the next getter gets it before seeing the end.
#[test]
fn s04_close_during_hand_over_keeps_the_value() {
    let ch: Chan<u32> = Chan::new();
    let (mut g1, mut g2) = handed_then_closed(&ch);
    g1.cancel();
    assert!(g2.woken(), "the abandoned value is passed to g2");
    assert!(g2.poll());
    assert_eq!(g2.take(), Some(7));
    assert_eq!(ch.try_get(), Err(csp_core::TryGetError::Closed));
}

/// 4c. Same, but the getter takes its value: taking the last value in flight shows
///     the end to the getter still waiting, which must be woken to see it.
#[test]
fn s04c_taking_the_last_value_in_flight_wakes_a_getter_for_the_end() {
    taking_the_last_value_in_flight_wakes_a_getter_for_the_end(&Chan::new());
}

/// 4d. Same as 4c on a buffered channel, where a put hands a value straight to a getter
///     waiting beside the empty buffer.
#[test]
fn s04d_a_buffered_getter_taking_the_last_value_in_flight_wakes_a_getter_for_the_end() {
    let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    taking_the_last_value_in_flight_wakes_a_getter_for_the_end(&ch);
    assert_eq!(ch.stats().handed_over, 1, "handed over, not buffered");
}

fn taking_the_last_value_in_flight_wakes_a_getter_for_the_end<B: Buffer<u32>>(ch: &Chan<u32, B>) {
    let (mut g1, mut g2) = handed_then_closed(ch);
    assert!(g1.woken() && g1.poll());
    assert_eq!(g1.take(), Some(7));
    assert!(g2.woken(), "g1's take left the channel drained: g2 is told");
    assert!(g2.poll());
    assert_eq!(g2.take(), None);
}

/// 4b. Same, with nobody else waiting: the dropped getter's value becomes an orphan
///     that the next get takes before the end.
#[test]
fn s04b_orphan_is_taken_before_the_end() {
    let ch: Chan<u32> = Chan::new();
    let mut g1 = Task::new("g1", ch.get());
    assert!(!g1.poll());
    ch.try_put(7).unwrap();
    ch.close();
    g1.cancel();
    assert_eq!(ch.try_get(), Ok(7));
    assert_eq!(ch.try_get(), Err(csp_core::TryGetError::Closed));
}

/// 5. *Queued put re-polled after close* still delivers.
#[test]
fn s05_queued_put_delivers_after_close() {
    let ch: Chan<u32> = Chan::new();
    let mut p = Task::new("p", ch.put(1));
    assert!(!p.poll());
    ch.close();
    assert!(
        !p.poll(),
        "a queued put keeps waiting after close, it does not fail"
    );
    let mut g = Task::new("g", ch.get());
    assert!(g.poll());
    assert_eq!(g.take(), Some(1));
    assert!(p.woken());
    assert!(p.poll());
    assert_eq!(p.take(), Ok(()));
    // And a new put fails with its value back.
    let mut p2 = Task::new("p2", ch.put(2));
    assert!(p2.poll());
    assert_eq!(p2.take(), Err(Closed(2)));
}

/// 5b. Same on a buffered channel: the queued put refills after close.
#[test]
fn s05b_queued_put_refills_after_close() {
    let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    ch.try_put(1).unwrap();
    let mut p = Task::new("p", ch.put(2));
    assert!(!p.poll());
    ch.close();
    assert!(!p.poll());
    assert_eq!(ch.try_get(), Ok(1));
    assert_eq!(ch.try_get(), Ok(2));
    assert_eq!(ch.try_get(), Err(csp_core::TryGetError::Closed));
    assert!(p.woken() && p.poll());
    assert_eq!(p.take(), Ok(()));
}

/// 6. *Self-match.* A select with a get and a put on the same rendezvous channel must
///    never hand its own value to itself, however often it is polled.
#[test]
fn s06_select_never_matches_itself() {
    let ch: Chan<u32> = Chan::new();
    let mut s = Task::new("s", async {
        select! {
            v = ch.get() => Err(v),
            r = ch.put(1) => Ok(r),
        }
    });
    for _ in 0..5 {
        assert!(!s.poll(), "the select must not meet itself");
    }
    // A real getter takes the select's put.
    let mut g = Task::new("g", ch.get());
    assert!(g.poll());
    assert_eq!(g.take(), Some(1));
    assert!(s.woken() && s.poll());
    assert_eq!(s.take(), Ok(Ok(())));
}

/// 6b. Two selects, each with a get and a put on the same channel: they must meet
///     each other (exactly once), never themselves.
#[test]
fn s06b_two_self_selects_meet_each_other() {
    let ch: Chan<u32> = Chan::new();
    let mk = |v: u32| {
        let ch = &ch;
        async move {
            select! {
                g = ch.get() => (None, g),
                r = ch.put(v) => (Some(r), None),
            }
        }
    };
    let mut a = Task::new("a", mk(1));
    let mut b = Task::new("b", mk(2));
    assert!(!a.poll());
    assert!(b.poll(), "b meets a at once");
    assert_nothing_forgotten(&mut [&mut a, &mut b]);
    let (ra, rb) = (a.take(), b.take());
    // One put and one get happened, between a and b.
    match (ra, rb) {
        ((Some(Ok(())), None), (None, Some(1))) | ((None, Some(2)), (Some(Ok(())), None)) => {}
        other => panic!("not exactly one exchange between the two selects: {other:?}"),
    }
}

/// 7. *Dropped woken getter* passes its notification to the next getter.
#[test]
fn s07_dropped_woken_getter_passes_the_wake_on() {
    let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    let mut g1 = Task::new("g1", ch.get());
    let mut g2 = Task::new("g2", ch.get());
    assert!(!g1.poll() && !g2.poll());
    ch.try_put(1).unwrap();
    assert!(g1.woken() && !g2.woken());
    g1.cancel();
    assert!(g2.woken(), "g1's notification passes to g2");
    assert!(g2.poll());
    assert_eq!(g2.take(), Some(1));
}

/// 7b. Rendezvous: a getter woken by a queued putter (not claimed) and then dropped
///     passes the wake to the next getter, which takes the value from the putter.
#[cfg(not(feature = "alloc"))]
#[test]
fn s07b_dropped_woken_rendezvous_getter() {
    let ch: Chan<u32> = Chan::new();
    let fillers = fill_slots_but_one(&ch);
    let mut g1 = Task::new("g1", ch.get());
    let mut g2 = Task::new("g2", ch.get());
    let mut g3 = Task::new("g3", ch.get());
    assert!(!g1.poll() && !g2.poll() && !g3.poll());
    // p1 hands over to g1 (the slot is now in flight); p2 must queue and wake g2.
    let mut p1 = Task::new("p1", ch.put(1));
    assert!(p1.poll());
    let mut p2 = Task::new("p2", ch.put(2));
    assert!(!p2.poll());
    assert!(
        g2.woken(),
        "a queued putter wakes a getter to come and claim it"
    );
    g2.cancel();
    assert!(g3.woken(), "the dropped g2 passes its wake to g3");
    assert_nothing_forgotten(&mut [&mut g1, &mut g3, &mut p2]);
    assert_eq!(
        (g1.take(), g3.take(), p2.take()),
        (Some(1), Some(2), Ok(()))
    );
    drain_fillers(fillers);
}

/// Drop of a slot-owning getter: the value it was handed passes to the next getter.
#[test]
fn s07c_dropped_slot_owner_passes_the_value_on() {
    let ch: Chan<u32> = Chan::new();
    let mut g1 = Task::new("g1", ch.get());
    let mut g2 = Task::new("g2", ch.get());
    assert!(!g1.poll() && !g2.poll());
    let mut p = Task::new("p", ch.put(9));
    assert!(p.poll(), "handed to g1");
    assert!(g1.woken());
    g1.cancel();
    assert!(g2.woken(), "the slot passes to g2");
    assert!(g2.poll());
    assert_eq!(g2.take(), Some(9));
}

/// 8. *Select woken on one arm that completes on another* passes the first arm's
///    notification on to the next getter of that channel.
#[cfg(not(feature = "alloc"))]
#[test]
fn s08_select_completing_elsewhere_passes_the_wake_on() {
    let a: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    let b: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    let fillers = fill_slots_but_one(&a);
    let mut s = Task::new("s", async {
        select! {
            biased;
            v = b.get() => ('b', v),
            v = a.get() => ('a', v),
        }
    });
    // g0 waits first, so the first put on `a` is handed to it (the slot is then busy)
    // and the second value can only be announced: it notifies s, the next getter.
    let mut g0 = Task::new("g0", a.get());
    assert!(!g0.poll());
    let mut g = Task::new("g", a.get());
    assert!(!s.poll());
    assert!(!g.poll());
    a.try_put(0).unwrap(); // handed to g0
    assert!(g0.woken());
    a.try_put(1).unwrap(); // buffered; notifies s (the first free getter on a)
    assert!(s.woken() && !g.woken());
    b.try_put(2).unwrap();
    assert!(s.poll());
    assert_eq!(s.take(), ('b', Some(2)));
    assert!(
        g.woken(),
        "s won on b: its notification on a must pass to g"
    );
    assert!(g.poll());
    assert_eq!(g.take(), Some(1));
    drain_fillers(fillers);
}

/// 9. *try_put while a hand-over is in flight* is `Full` even though a second getter
///    waits; a blocking put in that position queues and wakes the second getter.
#[cfg(not(feature = "alloc"))]
#[test]
fn s09_try_put_is_full_while_a_hand_over_is_in_flight() {
    let ch: Chan<u32> = Chan::new();
    let (fillers, mut g1, mut g2) = every_hand_over_busy(&ch);
    assert_eq!(
        ch.try_put(2),
        Err(TryPutError::Full(2)),
        "one hand-over at a time"
    );
    let mut p = Task::new("p", ch.put(2));
    assert!(!p.poll(), "the put queues");
    assert!(g2.woken(), "and wakes g2 to claim it");
    assert!(g2.poll());
    assert_eq!(g2.take(), Some(2));
    assert!(p.woken() && p.poll());
    assert_eq!(p.take(), Ok(()));
    assert!(g1.poll());
    assert_eq!(g1.take(), Some(1));
    drain_fillers(fillers);
}

/// 10. *All arms disabled by guards, no default*: a clear panic, not a hang.
#[cfg(feature = "std")]
#[test]
#[should_panic(expected = "every arm disabled and no default")]
fn s10_all_arms_disabled_without_default_panics() {
    let a: Chan<u32> = Chan::new();
    let b: Chan<u32> = Chan::new();
    let off = false;
    csp_core::block_on(async {
        select! {
            v = a.get(), if off => v,
            v = b.get(), if off => v,
        }
    });
}

/// 10b. With a default, all-disabled arms simply run the default.
#[cfg(feature = "std")]
#[test]
fn s10b_all_arms_disabled_with_default_runs_default() {
    let a: Chan<u32> = Chan::new();
    let off = false;
    let r = csp_core::block_on(async {
        select! {
            v = a.get(), if off => v,
            default => Some(99),
        }
    });
    assert_eq!(r, Some(99));
}

// ===== beyond the ten: properties found while writing them =====

/// One producer, one consumer, a buffered channel: values arrive in the order put.
/// A waiting getter is notified by the first value; a second value put before that
/// getter runs must queue behind the first, not overtake it through the hand-over slot.
#[test]
fn fifo_order_is_kept_with_a_waiting_getter() {
    let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    let mut g = Task::new("g", ch.get());
    assert!(!g.poll());
    ch.try_put(1).unwrap(); // buffered; g is notified
    let _ = ch.try_put(2); // must not overtake 1
    assert!(g.poll());
    assert_eq!(g.take(), Some(1), "the consumer must see 1 first");
}

/// A select whose put and get arms are on two different channels is claimed by at most
/// one counterpart: after a getter on one and a putter on the other have both acted,
/// exactly one of them met the select.
#[test]
fn select_is_claimed_once_by_two_counterparts() {
    let a: Chan<u32> = Chan::new();
    let b: Chan<u32> = Chan::new();
    let mut s = Task::new("s", async {
        select! {
            r = a.put(1) => ('p', r.is_ok(), None),
            v = b.get() => ('g', true, v),
        }
    });
    assert!(!s.poll());
    // A getter on `a` claims the put arm; a putter on `b` must then not claim the get.
    let mut g = Task::new("g", a.get());
    assert!(g.poll());
    assert_eq!(g.take(), Some(1));
    assert_eq!(
        b.try_put(5),
        Err(TryPutError::Full(5)),
        "the select is already taken"
    );
    assert!(s.poll());
    assert_eq!(s.take(), ('p', true, None));
}

/// A registered get dropped on one thread while a putter on another claims it: the
/// drop must not read the node's phase while the claimer writes it (a data race, which
/// Miri reports as undefined behaviour), and the value must pass on or stay.
#[test]
fn drop_of_a_registered_get_races_a_claim() {
    let rounds = if cfg!(miri) { 200 } else { 2000 };
    for _ in 0..rounds {
        let ch: Chan<u32> = Chan::new();
        std::thread::scope(|s| {
            let ch = &ch;
            let g = s.spawn(move || {
                let mut g = core::pin::pin!(ch.get());
                let mut cx = Context::from_waker(Waker::noop());
                let first = g.as_mut().poll(&mut cx);
                std::thread::yield_now();
                // Dropped here, possibly while the putter claims it.
                first
            });
            let sent = ch.try_put(1).is_ok();
            let first = g.join().unwrap();
            // Exactly once: taken by the getter, or orphaned and still in the channel,
            // or never sent.
            let left = ch.try_get().ok();
            match (sent, first, left) {
                (true, Poll::Pending, Some(1)) | (false, Poll::Pending, None) => {}
                other => panic!("value not conserved: {other:?}"),
            }
        });
    }
}

/// Found by the fuzzer (`select_model`): with a put queued (and a getter woken to take
/// it) a closed channel is not drained, so a get must not report the end: an arriving
/// get takes the queued put, and the woken getter then sees the end.
#[cfg(not(feature = "alloc"))]
#[test]
fn closed_channel_with_a_queued_put_is_not_drained() {
    let ch: Chan<u32> = Chan::new();
    let (fillers, mut g1, mut g2) = every_hand_over_busy(&ch);
    let mut p = Task::new("p", ch.put(2));
    assert!(!p.poll(), "the slot is busy: the put queues");
    assert!(g2.woken(), "and wakes g2 to take it");
    assert!(g1.poll());
    assert_eq!(g1.take(), Some(1));
    ch.close();
    // A queued put still delivers after close: not the end, but its value.
    assert_eq!(
        ch.try_get(),
        Ok(2),
        "try_get saw the end beside a queued put"
    );
    // The values in flight to the fillers are theirs; until they take them the
    // channel is not drained either.
    drain_fillers(fillers);
    assert_nothing_forgotten(&mut [&mut g2, &mut p]);
    assert_eq!(g2.take(), None, "now the channel is closed and drained");
    assert_eq!(p.take(), Ok(()));
}

/// Rule 1 in a long queue: with every hand-over slot busy, each new value notifies the
/// *first* getter not yet notified, in queue order — also after a notified getter
/// polled, found nothing (another get took the value first) and gave its notification
/// up: it is the first un-notified one again, ahead of every later getter.
#[cfg(not(feature = "alloc"))]
#[test]
fn each_value_notifies_the_first_unnotified_getter_in_queue_order() {
    let ch: Chan<u32, Fixed<u32, 16>> = Chan::with_buffer(Fixed::new());
    let mut gs: Vec<_> = (0..10).map(|_| Task::new("g", ch.get())).collect();
    for g in gs.iter_mut() {
        assert!(!g.poll());
    }
    let served = HAND_OVER_SLOTS;
    for v in 0..served as u32 {
        ch.try_put(v).unwrap();
    }
    assert!(
        gs[..served].iter().all(|g| g.woken()),
        "served through the slots"
    );
    for k in served..8 {
        ch.try_put(k as u32).unwrap();
        let woken: Vec<usize> = (served..10).filter(|&i| gs[i].woken()).collect();
        assert_eq!(woken, (served..=k).collect::<Vec<_>>(), "value {k}");
    }
    // Newcomers take every buffered value before the notified getters run.
    let mut taken = Vec::new();
    while let Ok(v) = ch.try_get() {
        taken.push(v);
    }
    assert_eq!(taken, (served as u32..8).collect::<Vec<_>>());
    let first = served;
    assert!(
        !gs[first].poll(),
        "nothing left: it waits again, no longer notified"
    );
    ch.try_put(100).unwrap();
    assert!(
        gs[first].woken(),
        "the first un-notified getter is notified again"
    );
    assert!(!gs[8].woken() && !gs[9].woken(), "not a later one");
    assert!(gs[first].poll());
    assert_eq!(gs[first].take(), Some(100));
    for (i, g) in gs.iter_mut().enumerate().take(served) {
        assert!(g.poll());
        assert_eq!(g.take(), Some(i as u32));
    }
}

/// Rendezvous without `alloc`: with every hand-over busy, a put queues and the next
/// waiting getter is woken to take it, but a getter that arrives first takes it at once
/// (across threads, waiting for the woken one would cost a thread wake-up per value).
/// The woken getter then finds nothing and waits again; nothing is lost or duplicated.
#[cfg(not(feature = "alloc"))]
#[test]
fn an_arriving_getter_may_take_a_putter_a_woken_getter_was_sent_for() {
    let ch: Chan<u32> = Chan::new();
    let (fillers, mut g1, mut g2) = every_hand_over_busy(&ch);
    let mut p = Task::new("p", ch.put(2));
    assert!(!p.poll(), "the put queues");
    assert!(g2.woken(), "the next getter is woken for the queued put");
    assert_eq!(
        ch.try_get(),
        Ok(2),
        "the arriving getter takes the queued put"
    );
    assert!(p.woken() && p.poll());
    assert_eq!(p.take(), Ok(()));
    assert!(!g2.poll(), "the woken getter finds nothing: it waits again");
    assert!(g1.poll());
    assert_eq!(g1.take(), Some(1));
    ch.try_put(99).unwrap();
    assert!(g2.woken() && g2.poll());
    assert_eq!(g2.take(), Some(99));
    drain_fillers(fillers);
}

/// With `alloc` a put hands over to every claimable waiting getter, however many
/// values are in flight already: `try_put` succeeds while a getter waits (scenario 9's
/// `Full` is the limit of a build without `alloc`).
#[cfg(feature = "alloc")]
#[test]
fn s09_with_alloc_try_put_hands_over_to_each_waiting_getter() {
    let ch: Chan<u32> = Chan::new();
    let mut gs: Vec<_> = (0..3 * 4).map(|_| Task::new("g", ch.get())).collect();
    for g in gs.iter_mut() {
        assert!(!g.poll());
    }
    for v in 0..gs.len() as u32 {
        assert_eq!(ch.try_put(v), Ok(()), "getter {v} waits: handed over");
    }
    assert_eq!(
        ch.try_put(99),
        Err(TryPutError::Full(99)),
        "nobody waits now"
    );
    for (i, g) in gs.iter_mut().enumerate() {
        assert!(g.woken() && g.poll());
        assert_eq!(g.take(), Some(i as u32));
    }
    assert!(!ch.stats().in_flight);
}
