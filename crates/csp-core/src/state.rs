//! A channel's state under its lock, and the protocol that moves values.
//!
//! # Implementation details
//! [`State`] holds the buffer, a FIFO of waiting get-nodes, a FIFO of waiting
//! put-nodes, the closed flag and the values *in flight* ([`HandOver`]): handed by a
//! put to a claimed getter, in that getter's node, or *orphans* (a value whose getter
//! went away before taking it) in [`HAND_OVER_SLOTS`] slots (and, with `alloc`, on the
//! heap beyond them). Every method here runs with the channel's lock held (that is the
//! `# Safety` contract of each `unsafe fn`).
//!
//! **Who may move a value where.**
//! - A get takes, in this order: the oldest orphan; the buffer's front, then refills the
//!   buffer from the first claimable waiting putters; the value of the first claimable
//!   waiting putter.
//! - A put adds to the buffer if it has room (and then serves a waiting getter with the
//!   buffer's front). Otherwise, only while the buffer is empty (and, without `alloc`,
//!   while fewer than [`HAND_OVER_SLOTS`] values are in flight), it may claim the first
//!   claimable waiting getter and move the value into that getter's node. Otherwise it
//!   waits, holding its value in its node.
//! - A getter that was handed a value takes it when polled; if it goes away first it
//!   passes the value to the next claimable getter, or leaves an orphan.
//!
//! To *claim* a waiting node is to win the compare-and-swap of its selector out of
//! "waiting" (see `waiter.rs`); the claimer then unlinks the node. A failed claim means the
//! node's selector completed elsewhere: the node is skipped and its owner unlinks it.
//!
//! **Wake duty (I-W).** Whenever the channel holds something a waiting getter could take
//! (an orphan, a buffered value, a claimable putter of another selector, or the end of a
//! closed and drained channel) at least one such getter is *notified*: woken and not yet
//! polled. Likewise for putters and buffer room. It is kept by three rules:
//! 1. each value that arrives (buffered, or a putter that starts to wait) notifies one
//!    more un-notified getter;
//! 2. after any other change ([`State::settle`]), if nobody is notified but someone could
//!    act, the first such waiter is notified;
//! 3. a notified node that leaves, or that polls and finds nothing, gives up its
//!    notification (counted in `notified_*`), so rule 2 passes it on.
//!
//! # Invariants
//! - The values in flight are as [`HandOver`] states: each claimed getter that was
//!   handed a value holds it in its node, in no list, until it takes it or passes it on.
//! - `n_*` and `notified_*` count the linked nodes (and the notified ones) of each list,
//!   except that `n_getters` counts the watchers too (linked getters plus linked watchers;
//!   see `link_watcher`).
//! - `gate` is `CLOSED` once closed, plus (buffered channels only) `BUSY` times
//!   `n_getters + n_putters + (1 if any orphan)`: the quick paths, which skip wakes,
//!   refills and orphans, run only while it is 0. Debug builds check it there.
//! - Every linked node is in phase `Linked`, belongs to a live selector, and is reached
//!   only under this lock.

use core::mem::MaybeUninit;

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "alloc")]
use alloc::vec::Vec;
use core::ptr::{self, NonNull};

use crate::buffer::{unbuffered, Buffer};
use crate::list::{next, List};
use crate::waiter::{Phase, Selector, Waiter};
use crate::wake::WakeList;

/// The most wakers one arm operation pushes (a refill may take more, while room lasts).
pub(crate) const ARM_WAKES: usize = 4;

/// Counters behind [`Stats`](crate::Stats).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Counters {
    pub(crate) buffered: usize,
    /// Values a put handed straight to a getter that was waiting.
    pub(crate) to_waiting_gets: usize,
    /// Values a get took from a putter that was waiting.
    pub(crate) from_waiting_puts: usize,
    pub(crate) discarded: usize,
}

/// What a put attempt did.
pub(crate) enum PutOutcome<T> {
    /// Delivered (into the buffer or to a getter). Holds a value the buffer's policy
    /// discarded, to be dropped once the lock is released.
    Done(Option<T>),
    /// The channel is closed and the put was not queued before: the value comes back.
    Closed(T),
    /// Cannot complete now: the value comes back to wait in the node.
    Wait(T),
}

/// [`State::gate`]'s closed flag.
const CLOSED: usize = 1;
/// One unit of [`State::gate`]'s count.
const BUSY: usize = 2;

/// The lock-protected part of a channel.
pub(crate) struct State<T, B> {
    pub(crate) buffer: B,
    getters: List<Waiter<T>>,
    putters: List<Waiter<T>>,
    /// Values handed to claimed getters that have not taken them yet, and orphans.
    hand_over: HandOver<T>,
    pub(crate) n_getters: usize,
    pub(crate) n_putters: usize,
    notified_getters: usize,
    /// Where `notify_getter` starts its walk: every getter linked before this one is
    /// notified (null: start at the head). Saves walking past the notified getters at the
    /// front of a long queue on every new value.
    getter_hint: *const Waiter<T>,
    notified_putters: usize,
    /// The closed flag ([`CLOSED`]) and, above it, the quick paths' count: the linked
    /// getters, putters and watchers plus one while orphans wait, in steps of [`BUSY`].
    /// [`take_quick`](Self::take_quick) and [`add_quick`](Self::add_quick) run only
    /// while the whole word is 0: one test where there were three. Only buffered
    /// channels keep the count (see [`busy_add`](Self::busy_add)).
    gate: usize,
    pub(crate) counters: Counters,
    /// Watchers waiting for the channel to be closed and drained
    /// ([`Chan::closed_and_drained`](crate::Chan::closed_and_drained)): a third queue,
    /// apart from the values' protocol. A watcher's `notified` flag says that it was
    /// woken for the drained channel and has not polled since.
    watchers: List<Waiter<T>>,
}

impl<T, B> State<T, B> {
    pub(crate) const fn new(buffer: B) -> Self {
        State {
            buffer,
            getters: List::new(),
            putters: List::new(),
            hand_over: HandOver::new(),
            n_getters: 0,
            n_putters: 0,
            notified_getters: 0,
            getter_hint: ptr::null(),
            notified_putters: 0,
            gate: 0,
            counters: Counters {
                buffered: 0,
                to_waiting_gets: 0,
                from_waiting_puts: 0,
                discarded: 0,
            },
            watchers: List::new(),
        }
    }

    /// Whether the channel is closed.
    #[inline(always)]
    pub(crate) fn closed(&self) -> bool {
        self.gate & CLOSED != 0
    }

    /// Whether a value is in flight: handed to a getter that has not taken it, or orphaned.
    pub(crate) fn in_flight(&self) -> bool {
        !self.hand_over.is_empty()
    }
}

/// How many values a channel keeps for getters that went away after a put handed them
/// a value: the *orphans*, which the next gets take first. Without the `alloc` feature
/// this is also how many values a channel can have *in flight* at once (handed by a
/// put to a waiting getter that has not run yet to take it, or orphaned).
///
/// A value handed over waits in its getter's own node, so any number of waiting
/// getters can be served back to back, each woken once. But a getter may be dropped
/// before it takes its value, and the value must then stay in the channel: these slots
/// are where. Without an allocator they are all the storage there is, so a put hands
/// over only while every value in flight would fit in them: once that many are in
/// flight, a put waits in the queue and a getter is woken to come and take it, and
/// [`Chan::try_put`](crate::Chan::try_put) reports `Full`. With the `alloc` feature
/// (implied by `std`) orphans beyond the slots go to the heap, so hand-overs are not
/// limited.
///
/// # Examples
/// ```
/// use core::future::Future;
/// use core::task::{Context, Waker};
/// use csp_core::{Chan, TryPutError, HAND_OVER_SLOTS};
///
/// let ch: Chan<usize> = Chan::new();
/// let mut cx = Context::from_waker(Waker::noop());
/// let mut getters: Vec<_> = (0..HAND_OVER_SLOTS + 1).map(|_| Box::pin(ch.get())).collect();
/// for g in getters.iter_mut() {
///     assert!(g.as_mut().poll(&mut cx).is_pending()); // all wait
/// }
/// for v in 0..HAND_OVER_SLOTS + 1 {
///     assert_eq!(ch.try_put(v), Ok(())); // handed to the getters (needs `alloc`)
/// }
/// assert_eq!(ch.try_put(9), Err(TryPutError::Full(9)), "nobody waits now");
/// drop(getters); // the values become orphans: more than the slots hold
/// let got: Vec<usize> = (0..HAND_OVER_SLOTS + 1).map(|_| ch.try_get().unwrap()).collect();
/// assert_eq!(got, (0..HAND_OVER_SLOTS + 1).collect::<Vec<_>>());
/// ```
pub const HAND_OVER_SLOTS: usize = 4;

// The slots are indexed by `u8`s.
const _: () = assert!(HAND_OVER_SLOTS >= 1 && HAND_OVER_SLOTS <= 8);

/// The values in flight: how many wait in claimed getters' nodes, and the orphans.
///
/// Every hand-over draws a *ticket* (a wrapping `u32` count), kept in the claimed
/// getter's node (in `op`, which a claimed node no longer needs) and with an orphan, so
/// that orphans are taken in the order they were put, whatever the order their getters
/// went away in.
///
/// Invariants (every method keeps them; `Drop` relies on them):
/// - `owned` is the number of getter nodes on this channel in phase `Claimed` that were
///   handed a value; each holds it (`Some`) in its node with its ticket in `op`, is in no
///   list, and is reached only under the channel's lock.
/// - A slot's bit is set in `full` exactly when `values[i]` is initialised and owned by
///   the channel (an orphan, with ticket `tickets[i]`); every other slot is
///   uninitialised.
/// - `overflow` (with `alloc`) holds orphans too, and is empty unless every slot is
///   full.
/// - Without `alloc`, `owned + (orphans in slots) <= HAND_OVER_SLOTS`: every owned value
///   fits in a slot if its getter goes away.
struct HandOver<T> {
    values: [MaybeUninit<T>; HAND_OVER_SLOTS],
    tickets: [u32; HAND_OVER_SLOTS],
    owned: usize,
    next_ticket: u32,
    full: u8,
    #[cfg(feature = "alloc")]
    overflow: Vec<(u32, T)>,
}

/// Whether ticket `a` was drawn before ticket `b` (wrapping: fewer than 2³¹ apart).
#[inline]
fn earlier(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

impl<T> HandOver<T> {
    const fn new() -> Self {
        HandOver {
            values: [const { MaybeUninit::uninit() }; HAND_OVER_SLOTS],
            tickets: [0; HAND_OVER_SLOTS],
            owned: 0,
            next_ticket: 0,
            full: 0,
            #[cfg(feature = "alloc")]
            overflow: Vec::new(),
        }
    }

    /// Nothing in flight: no owned value, no orphan.
    #[inline(always)]
    fn is_empty(&self) -> bool {
        self.owned == 0 && self.full == 0
    }

    /// Whether a put may hand one more value to a getter.
    #[inline(always)]
    fn has_room(&self) -> bool {
        #[cfg(feature = "alloc")]
        {
            true
        }
        #[cfg(not(feature = "alloc"))]
        {
            self.owned + (self.full.count_ones() as usize) < HAND_OVER_SLOTS
        }
    }

    #[inline(always)]
    fn has_orphan(&self) -> bool {
        self.full != 0
    }

    /// Hands `v` to `g`, a getter node just claimed, with a new ticket. The caller
    /// checked `has_room`.
    ///
    /// # Safety
    /// Lock held; `g` is claimed (phase `Claimed`) and unlinked, so its fields are ours.
    #[inline(always)]
    unsafe fn give(&mut self, v: T, g: NonNull<Waiter<T>>) {
        let ticket = self.next_ticket;
        self.next_ticket = ticket.wrapping_add(1);
        // SAFETY: forwarded.
        unsafe { self.give_ticket(v, ticket, g) };
        self.owned += 1;
    }

    /// Puts `v` and its ticket in `g`'s node.
    ///
    /// # Safety
    /// As for [`give`](Self::give).
    #[inline(always)]
    unsafe fn give_ticket(&mut self, v: T, ticket: u32, g: NonNull<Waiter<T>>) {
        // SAFETY: caller.
        unsafe {
            let w = g.as_ptr();
            debug_assert!((*w).value.is_none());
            (*w).op = ticket;
            (*w).value = Some(v);
        }
    }

    /// Takes the value handed to `g`.
    ///
    /// # Safety
    /// Lock held; `g` was given a value that it has not taken.
    #[inline(always)]
    unsafe fn take_owned(&mut self, g: NonNull<Waiter<T>>) -> T {
        self.owned -= 1;
        // SAFETY: caller; an owned value is `Some` (invariants), so its tag needs no
        // test (this is on the path of most rendezvous gets).
        unsafe {
            let slot = &mut (*g.as_ptr()).value;
            debug_assert!(slot.is_some(), "csp: a claimed getter holds its value");
            slot.take().unwrap_unchecked()
        }
    }

    /// Takes the oldest orphan (the earliest ticket), if any.
    #[inline(always)]
    fn take_orphan(&mut self) -> Option<T> {
        if self.full == 0 {
            return None;
        }
        Some(self.take_oldest_orphan())
    }

    #[inline(never)]
    fn take_oldest_orphan(&mut self) -> T {
        let mut best: Option<usize> = None;
        for i in 0..HAND_OVER_SLOTS {
            if self.full & (1 << i) != 0
                && best.is_none_or(|b| earlier(self.tickets[i], self.tickets[b]))
            {
                best = Some(i);
            }
        }
        let Some(i) = best else {
            unreachable!("csp: an orphan in a full slot");
        };
        #[cfg(feature = "alloc")]
        {
            // An overflowing orphan may be older than every slotted one.
            let mut oldest: Option<usize> = None;
            let mut ticket = self.tickets[i];
            for (k, o) in self.overflow.iter().enumerate() {
                if earlier(o.0, ticket) {
                    (oldest, ticket) = (Some(k), o.0);
                }
            }
            if let Some(k) = oldest {
                return self.overflow.swap_remove(k).1;
            }
        }
        self.full &= !(1 << i);
        // SAFETY: slot `i` was full, so initialised (invariants); it is marked free now,
        // so it is read only once.
        let v = unsafe { self.values[i].assume_init_read() };
        // Overflow is kept only while every slot is full (invariants): one moves in.
        #[cfg(feature = "alloc")]
        if let Some((t, o)) = self.overflow.pop() {
            self.push_slot(t, o);
        }
        v
    }

    /// Adds `v`, handed over with `ticket`, to the orphans.
    fn push_orphan(&mut self, ticket: u32, v: T) {
        #[cfg(feature = "alloc")]
        if self.full.count_ones() as usize == HAND_OVER_SLOTS {
            self.overflow.push((ticket, v));
            return;
        }
        self.push_slot(ticket, v);
    }

    fn push_slot(&mut self, ticket: u32, v: T) {
        let i = (!self.full).trailing_zeros() as usize;
        assert!(i < HAND_OVER_SLOTS, "csp: an orphan without a free slot");
        self.values[i].write(v);
        self.tickets[i] = ticket;
        self.full |= 1 << i;
    }

    /// `g`'s owned value leaves it, with its ticket: to `to` (a getter node just
    /// claimed) or, if `to` is `None`, to the orphans.
    ///
    /// # Safety
    /// Lock held; `g` owns a value; `to`, if any, is claimed and unlinked.
    unsafe fn pass_on(&mut self, g: NonNull<Waiter<T>>, to: Option<NonNull<Waiter<T>>>) {
        // SAFETY: caller.
        let (ticket, v) = unsafe { ((*g.as_ptr()).op, self.take_owned(g)) };
        match to {
            Some(to) => {
                // SAFETY: caller; the value moves from one claimed getter to another.
                unsafe { self.give_ticket(v, ticket, to) };
                self.owned += 1;
            }
            // Without `alloc` this fits: `owned` went down by one (invariants).
            None => self.push_orphan(ticket, v),
        }
    }
}

impl<T> Drop for HandOver<T> {
    fn drop(&mut self) {
        // Orphans left in a channel that goes away are dropped with it (a getter that
        // was handed a value borrows the channel, so only orphans can be left here).
        while let Some(v) = self.take_orphan() {
            drop(v);
        }
    }
}

/// The selector of a node.
///
/// # Safety
/// `n` is live and we hold the lock of its channel.
#[inline(always)]
unsafe fn sel_of<T>(n: NonNull<Waiter<T>>) -> *const Selector {
    // SAFETY: caller.
    unsafe { (*n.as_ptr()).selector }
}

impl<T, B: Buffer<T>> State<T, B> {
    /// Counts one more (`up`) or one less in [`gate`](Self::gate). A rendezvous
    /// channel never takes the quick paths, so it keeps no count and pays nothing for it
    /// on its link and unlink.
    #[inline(always)]
    fn busy_add(&mut self, up: bool) {
        if !unbuffered::<T, B>() {
            self.gate = if up {
                self.gate + BUSY
            } else {
                self.gate - BUSY
            };
        }
    }

    /// Whether the quick paths may run: nobody waits, the channel is open and no orphan
    /// waits.
    #[inline(always)]
    fn quiet(&self) -> bool {
        let waiting = self.n_getters + self.n_putters + usize::from(self.hand_over.has_orphan());
        if unbuffered::<T, B>() {
            // No count kept (and nothing to take or add quickly anyway).
            return waiting == 0 && !self.closed();
        }
        debug_assert_eq!(
            self.gate / BUSY,
            waiting,
            "csp: the quick paths' gate is out of step"
        );
        self.gate == 0
    }

    // ===== getting =====

    /// Tries to complete a get for selector `me` right now: `Some(Some(v))` took `v`,
    /// `Some(None)` found the channel closed and drained, `None` must wait.
    ///
    /// # Safety
    /// Lock held; `wakes` has room for [`ARM_WAKES`].
    #[inline(always)]
    pub(crate) unsafe fn try_get(
        &mut self,
        me: *const Selector,
        wakes: &mut WakeList,
    ) -> Option<Option<T>> {
        if let Some(v) = self.hand_over.take_orphan() {
            if !self.hand_over.has_orphan() {
                self.busy_add(false);
            }
            return Some(Some(v));
        }
        if let Some(v) = self.buffer.take() {
            if self.n_putters != 0 {
                // SAFETY: lock held (caller).
                unsafe { self.refill(me, wakes) };
            }
            return Some(Some(v));
        }
        if self.n_putters != 0 {
            // A get that arrives may take a waiting putter even while another getter was
            // woken for it: across threads, waiting for the woken one to run costs a
            // thread wake-up (tens of µs) per value. The woken getter then finds
            // nothing and waits again; nothing is lost.
            // SAFETY: lock held (caller).
            if let Some(v) = unsafe { self.claim_putter(me, wakes) } {
                self.counters.from_waiting_puts = self.counters.from_waiting_puts.wrapping_add(1);
                return Some(Some(v));
            }
        }
        if self.closed() && self.hand_over.is_empty() {
            return Some(None);
        }
        None
    }

    /// Claims the first waiting putter that is not `me`'s and takes its value.
    ///
    /// # Safety
    /// Lock held; `wakes` has room for one.
    // Always inlined, like `claim_getter`: out of line it cost every get that takes from
    // a waiting putter about 10 instructions (spsc/0 766 → 756 per message).
    #[inline(always)]
    unsafe fn claim_putter(&mut self, me: *const Selector, wakes: &mut WakeList) -> Option<T> {
        let mut cur = self.putters.head();
        while let Some(p) = cur {
            // SAFETY: `p` is linked here, so live, and we hold the lock (caller).
            unsafe {
                cur = next(p);
                let sel = sel_of(p);
                if sel == me {
                    continue;
                }
                let op = (*p.as_ptr()).op as usize;
                if (*sel).try_claim(op, wakes) {
                    let v = (*p.as_ptr()).value.take();
                    debug_assert!(v.is_some(), "a waiting put holds its value");
                    (*p.as_ptr()).phase = Phase::Claimed;
                    self.unlink_putter(p);
                    // The last touch of `p` and `sel`: from here a plain put may finish
                    // without the lock (see `Selector::is_released`).
                    (*sel).release_claim(op);
                    return v;
                }
                if !(*p.as_ptr()).notified {
                    // SAFETY (of the call): lock held; dead and not notified.
                    self.prune(p, false);
                }
            }
        }
        None
    }

    /// Moves values of waiting putters into the buffer while it has room.
    ///
    /// # Safety
    /// Lock held.
    // Always inlined: with capacity 1 every get refills, and the call cost 5–13
    // instructions per message (mpsc4x1/1 718 → 709, select_both/1 1 769 → 1 756).
    #[inline(always)]
    unsafe fn refill(&mut self, me: *const Selector, wakes: &mut WakeList) {
        while self.n_putters > 0 && self.buffer.can_add() && wakes.room() > ARM_WAKES - 1 {
            // SAFETY: lock held (caller); room checked.
            let Some(v) = (unsafe { self.claim_putter(me, wakes) }) else {
                break;
            };
            self.counters.buffered = self.counters.buffered.wrapping_add(1);
            if let Some(discarded) = self.buffer.add(v) {
                // Only a custom buffer discards while putters wait; documented on
                // `Buffer::add`: such a value is dropped under the lock.
                self.counters.discarded = self.counters.discarded.wrapping_add(1);
                drop(discarded);
            }
        }
    }

    /// Takes the value a put handed to `g` (a claimed getter being finished) out of
    /// `g`'s node.
    ///
    /// # Safety
    /// Lock held; `g` was handed a value that it has not taken.
    #[inline(always)]
    pub(crate) unsafe fn take_handed(&mut self, g: NonNull<Waiter<T>>) -> T {
        // SAFETY: caller.
        unsafe { self.hand_over.take_owned(g) }
    }

    /// Whether [`settle`](Self::settle) is sure to owe nothing once a claimed getter
    /// has taken its handed value: on each side, nobody waits, somebody is notified
    /// already, or nothing could be acted on. (A close counts as "could act" for the
    /// getters: the take may leave nothing in flight.)
    #[inline(always)]
    pub(crate) fn settled_after_handed(&self) -> bool {
        let getters = self.n_getters == 0
            || self.notified_getters != 0
            || !(self.n_putters != 0
                || self.buffer.can_take()
                || self.hand_over.has_orphan()
                || self.closed());
        let putters = self.n_putters == 0 || self.notified_putters != 0 || !self.buffer.can_add();
        getters && putters
    }

    /// The value handed to `g` (a claimed select arm being finished) stays in `g`'s
    /// node as its output: the channel no longer counts it as in flight.
    ///
    /// # Safety
    /// Lock held; `g` was handed a value that it has not taken.
    pub(crate) unsafe fn keep_handed(&mut self, g: NonNull<Waiter<T>>) {
        // SAFETY: caller.
        debug_assert!(unsafe { (*g.as_ptr()).value.is_some() });
        self.hand_over.owned -= 1;
    }

    /// `g`, a claimed getter that was handed a value, goes away without taking it:
    /// pass the value to the next claimable getter, or leave it as an orphan.
    ///
    /// # Safety
    /// Lock held; `g` was handed a value that it has not taken; `wakes` has room for one.
    pub(crate) unsafe fn abandon_handed(&mut self, g: NonNull<Waiter<T>>, wakes: &mut WakeList) {
        // SAFETY: lock held (caller).
        let next = unsafe { self.claim_getter(|_, _| false, wakes) };
        let had_orphan = self.hand_over.has_orphan();
        // SAFETY: lock held; `g` owns a value (caller); `next` was just claimed.
        unsafe { self.hand_over.pass_on(g, next) };
        if !had_orphan && self.hand_over.has_orphan() {
            self.busy_add(true);
        }
    }

    /// Claims the first waiting getter that `skip` does not rule out and unlinks it;
    /// the caller hands it a value.
    ///
    /// # Safety
    /// Lock held; `wakes` has room for one.
    // Always inlined: with two callers in `try_put`, plain `#[inline]` left it out of
    // line, at about 19 instructions per call more (ping-pong over a buffered channel:
    // 1 739 against 1 701 per round trip).
    #[inline(always)]
    unsafe fn claim_getter(
        &mut self,
        mut skip: impl FnMut(*mut Waiter<T>, *const Selector) -> bool,
        wakes: &mut WakeList,
    ) -> Option<NonNull<Waiter<T>>> {
        let mut cur = self.getters.head();
        while let Some(g) = cur {
            // SAFETY: linked, so live; lock held (caller).
            unsafe {
                cur = next(g);
                let sel = sel_of(g);
                if skip(g.as_ptr(), sel) {
                    continue;
                }
                if (*sel).try_claim((*g.as_ptr()).op as usize, wakes) {
                    (*g.as_ptr()).phase = Phase::Claimed;
                    self.unlink_getter(g);
                    return Some(g);
                }
                if !(*g.as_ptr()).notified {
                    // SAFETY (of the call): lock held; the claim failed, so the node is
                    // dead (see `prune`), and it carries no notification.
                    self.prune(g, true);
                }
            }
        }
        None
    }

    /// Unlinks `n`, a *dead* node: its selector was claimed through another of its
    /// operations, so nothing ever completes here, and its owner would only withdraw it
    /// on its next poll. Until then every put or get on this channel would see a
    /// waiter and leave its fast path (a select over several channels leaves such a
    /// node on each channel it lost). The owner's withdrawal finds the node `Idle` and
    /// does nothing; a put node keeps its value for its owner.
    ///
    /// Only nodes without a notification are pruned, so the notified counts, and with
    /// them the wake duty, do not change: a notified dead node passes its notification
    /// on when its owner withdraws it, as before.
    ///
    /// # Safety
    /// Lock held; `n` is linked in the queue named by `getter`, is not notified, and its
    /// selector is claimed (a claim needs the lock of a channel where a node of the
    /// selector is linked, and only a node claimed here would be unlinked by it, so the
    /// claimed operation is not `n`'s).
    #[cold]
    unsafe fn prune(&mut self, n: NonNull<Waiter<T>>, getter: bool) {
        // SAFETY: caller.
        unsafe {
            debug_assert!(!(*n.as_ptr()).notified && (*sel_of(n)).is_claimed());
            (*n.as_ptr()).phase = Phase::Idle;
            if getter {
                self.unlink_getter(n);
            } else {
                self.unlink_putter(n);
            }
        }
    }

    /// The uncontended get: takes the buffer's front when nobody waits and nothing is
    /// in flight, so no refill, hand-over or wake-up is owed. `None`: use `try_get`.
    ///
    /// # Safety
    /// Lock held.
    #[inline(always)]
    pub(crate) unsafe fn take_quick(&mut self) -> Option<T> {
        if !self.quiet() {
            return None;
        }
        self.buffer.take()
    }

    /// Whether `try_get` would find nothing at all: no orphan, nothing buffered, no
    /// putter waiting, not closed. (A get in no queue then only has to wait.)
    ///
    /// This is `!getters_could_act()` except that any closed channel counts as "may
    /// act" and goes to the slow path. Spelled out, not derived: calling
    /// `getters_could_act` here cost select2/1024 20 instructions per message (296 →
    /// 317) and select2/1 30.
    ///
    /// # Safety
    /// Lock held.
    #[inline(always)]
    pub(crate) unsafe fn get_must_wait(&self) -> bool {
        self.n_putters == 0
            && !self.closed()
            && !self.hand_over.has_orphan()
            && !self.buffer.can_take()
    }

    // ===== putting =====

    /// The uncontended put: moves `*value` into a buffer with room when nobody waits.
    /// Returns whether it did; then `*value` holds what the buffer's policy discarded,
    /// if anything, and otherwise `None` — or, for a `T` without drop glue, possibly a
    /// stale copy of the value added, which the caller may drop but must not use.
    /// Otherwise leaves `*value` alone for `try_put`.
    ///
    /// # Safety
    /// Lock held; `*value` is `Some`.
    #[inline(always)]
    pub(crate) unsafe fn add_quick(&mut self, value: &mut Option<T>) -> bool {
        if !self.quiet() || !self.buffer.can_add() {
            return false;
        }
        // Moved out by a bitwise read, and `*value` overwritten only after `add`: a store
        // to `*value` (which may alias the state, as far as the compiler knows) before
        // `add` made it load and check the buffer's room a second time (5 instructions
        // per buffered message on tokio's current-thread runtime).
        let slot: *mut Option<T> = value;
        // SAFETY: `*slot` is `Some` (the caller's contract). From here until it is
        // overwritten below (or by `Vacate` if `add` unwinds), the bits left in `*slot` are
        // a stale copy that is never read or dropped.
        let v = unsafe { ptr::read(slot).unwrap_unchecked() };
        /// Empties the slot if `add` unwinds, so that the stale copy is not dropped.
        struct Vacate<T>(*mut Option<T>);
        impl<T> Drop for Vacate<T> {
            fn drop(&mut self) {
                // SAFETY: the slot holds a stale copy of the value `add` took; it is
                // overwritten without being dropped.
                unsafe { ptr::write(self.0, None) };
            }
        }
        let vacate = Vacate(slot);
        let discarded = self.buffer.add(v);
        core::mem::forget(vacate);
        self.counters.buffered = self.counters.buffered.wrapping_add(1);
        // SAFETY: as above: the stale copy is overwritten without being dropped.
        unsafe {
            match discarded {
                // A type without drop glue may keep its stale copy: the caller finishes
                // the put (`Taken`), which nothing reads the value of, and dropping the
                // copy would do nothing (one store less per buffered put).
                None if !core::mem::needs_drop::<T>() => {}
                // Spelled out: writing `discarded` itself stored the stale payload too.
                None => ptr::write(slot, None),
                Some(d) => {
                    // A lossy buffer discarded a value: hand it back to be dropped outside
                    // the lock.
                    self.counters.discarded = self.counters.discarded.wrapping_add(1);
                    ptr::write(slot, Some(d));
                }
            }
        }
        true
    }

    /// Whether `try_put` would leave a put that is in no queue waiting: the channel is
    /// open, the buffer has no room and no getter waits.
    ///
    /// # Safety
    /// Lock held.
    #[inline(always)]
    pub(crate) unsafe fn put_must_wait(&self) -> bool {
        self.n_getters == 0 && !self.closed() && !self.buffer.can_add()
    }

    /// Tries to deliver `v` for selector `me` right now. `queued` says whether the put
    /// was waiting in the queue before (such a put still delivers after a close).
    ///
    /// # Safety
    /// Lock held; `wakes` has room for [`ARM_WAKES`].
    #[inline(always)]
    pub(crate) unsafe fn try_put(
        &mut self,
        v: T,
        me: *const Selector,
        queued: bool,
        wakes: &mut WakeList,
    ) -> PutOutcome<T> {
        if self.closed() && !queued {
            return PutOutcome::Closed(v);
        }
        if self.buffer.can_add() {
            // A getter waits beside an empty buffer that passes values through: hand the
            // value over directly (what `serve_waiting_getter` would do, without the
            // trip through the buffer).
            let direct = B::DIRECT_HAND_OVER
                && self.n_getters != 0
                && self.hand_over.has_room()
                && !self.buffer.can_take();
            if direct {
                // SAFETY: lock held (caller).
                if let Some(g) = unsafe { self.claim_getter(|_, sel| sel == me, wakes) } {
                    // SAFETY: lock held; `g` was just claimed and unlinked.
                    unsafe { self.hand_over.give(v, g) };
                    self.counters.to_waiting_gets = self.counters.to_waiting_gets.wrapping_add(1);
                    return PutOutcome::Done(None);
                }
            }
            let discarded = self.buffer.add(v);
            self.counters.buffered = self.counters.buffered.wrapping_add(1);
            if discarded.is_some() {
                self.counters.discarded = self.counters.discarded.wrapping_add(1);
            }
            if direct {
                // No getter could be claimed: rule 1, one more getter to notify.
                // SAFETY: lock held.
                unsafe { self.notify_getter(ptr::null(), false, wakes) };
            } else if self.n_getters != 0 {
                // SAFETY: lock held.
                unsafe { self.serve_waiting_getter(me, wakes) };
            }
            return PutOutcome::Done(discarded);
        }
        // Hand over directly only when nothing is buffered (a getter that waits beside a
        // full buffer must get the buffered values first), and without overtaking
        // putters that already wait (a notified getter was woken to take one of those).
        if self.n_getters != 0 && self.hand_over.has_room() && !self.buffer.can_take() {
            // SAFETY: lock held (caller).
            let getter = unsafe {
                self.claim_getter(|w, sel| sel == me || (!queued && (*w).notified), wakes)
            };
            if let Some(g) = getter {
                // SAFETY: lock held; `g` was just claimed and unlinked.
                unsafe { self.hand_over.give(v, g) };
                self.counters.to_waiting_gets = self.counters.to_waiting_gets.wrapping_add(1);
                return PutOutcome::Done(None);
            }
        }
        PutOutcome::Wait(v)
    }

    /// The non-waiting put: [`try_put`](Self::try_put) with nobody to skip.
    ///
    /// # Safety
    /// Lock held; `wakes` has room for [`ARM_WAKES`].
    pub(crate) unsafe fn try_put_now(&mut self, v: T, wakes: &mut WakeList) -> PutOutcome<T> {
        // SAFETY: caller.
        let out = unsafe { self.try_put(v, ptr::null(), false, wakes) };
        // SAFETY: lock held.
        unsafe { self.settle(wakes) };
        out
    }

    /// A value just went into the buffer and getters wait (`try_put` hands it over
    /// directly instead when the buffer was empty and passes values through, see
    /// [`Buffer::DIRECT_HAND_OVER`]): reserve the buffer's front
    /// for the first claimable one (hand it over), as Go and core.async hand a value to
    /// a waiting taker. Without this, the putter (or any newcomer) could take the value
    /// back before the woken getter runs. Falls back to rule 1 (notify one more getter)
    /// when no more can be in flight (without `alloc`) or no getter can be claimed.
    ///
    /// # Safety
    /// Lock held; `wakes` has room for one.
    unsafe fn serve_waiting_getter(&mut self, me: *const Selector, wakes: &mut WakeList) {
        if self.hand_over.has_room() && self.buffer.can_take() {
            // SAFETY: lock held (caller).
            if let Some(g) = unsafe { self.claim_getter(|_, sel| sel == me, wakes) } {
                if let Some(v) = self.buffer.take() {
                    // SAFETY: lock held; `g` was just claimed and unlinked.
                    unsafe { self.hand_over.give(v, g) };
                }
                return;
            }
        }
        // Rule 1: a new value, one more getter to notify.
        // SAFETY: lock held.
        unsafe { self.notify_getter(ptr::null(), false, wakes) };
    }

    // ===== queues =====

    /// Marks `w` as linked for operation `op` of selector `sel`, for any of the three
    /// queues. (`told_closed` is written even where it is never set, a getter's or a
    /// watcher's, so that the four flag bytes are one store.)
    ///
    /// # Safety
    /// Lock held; `w` is live and about to be linked.
    #[inline(always)]
    unsafe fn mark_linked(w: *mut Waiter<T>, sel: *const Selector, op: usize) {
        // SAFETY: caller.
        unsafe {
            (*w).selector = sel;
            (*w).op = op as u32;
            (*w).phase = Phase::Linked;
            (*w).notified = false;
            (*w).told_closed = false;
            (*w).exposed = true;
        }
    }

    /// Links a getter node at the back of the getter queue.
    ///
    /// # Safety
    /// Lock held; `g` is live, unlinked, pinned until unlinked, owned by `sel`.
    #[inline(always)]
    pub(crate) unsafe fn link_getter(
        &mut self,
        g: NonNull<Waiter<T>>,
        sel: *const Selector,
        op: usize,
    ) {
        // SAFETY: caller.
        unsafe {
            Self::mark_linked(g.as_ptr(), sel, op);
            self.getters.push_back(g);
        }
        self.n_getters += 1;
        self.busy_add(true);
    }

    /// Links a putter node (holding its value) and notifies a getter that may take it.
    ///
    /// # Safety
    /// As for [`link_getter`](Self::link_getter); `wakes` has room for one.
    pub(crate) unsafe fn link_putter(
        &mut self,
        p: NonNull<Waiter<T>>,
        sel: *const Selector,
        op: usize,
        wakes: &mut WakeList,
    ) {
        // SAFETY: caller.
        unsafe {
            debug_assert!((*p.as_ptr()).value.is_some());
            Self::mark_linked(p.as_ptr(), sel, op);
            self.putters.push_back(p);
        }
        self.n_putters += 1;
        self.busy_add(true);
        // Rule 1: a putter that waits is a value for any getter but its own select's.
        // SAFETY: lock held.
        unsafe { self.notify_getter(sel, false, wakes) };
    }

    /// # Safety
    /// Lock held; `g` is in the getter queue.
    pub(crate) unsafe fn unlink_getter(&mut self, g: NonNull<Waiter<T>>) {
        // SAFETY: caller.
        unsafe {
            if ptr::eq(self.getter_hint, g.as_ptr()) {
                // Everything before `g` is notified, so everything before its successor
                // is once `g` is gone.
                self.getter_hint = next(g).map_or(ptr::null(), |n| n.as_ptr() as *const _);
            }
            self.getters.remove(g);
            if core::mem::replace(&mut (*g.as_ptr()).notified, false) {
                self.notified_getters -= 1;
            }
        }
        self.n_getters -= 1;
        self.busy_add(false);
    }

    /// # Safety
    /// Lock held; `p` is in the putter queue.
    pub(crate) unsafe fn unlink_putter(&mut self, p: NonNull<Waiter<T>>) {
        // SAFETY: caller.
        unsafe {
            self.putters.remove(p);
            if core::mem::replace(&mut (*p.as_ptr()).notified, false) {
                self.notified_putters -= 1;
            }
        }
        self.n_putters -= 1;
        self.busy_add(false);
    }

    /// A linked node polled and found nothing: it is no longer "notified" (rule 3).
    ///
    /// # Safety
    /// Lock held; `n` is linked in the queue named by `getter`.
    /// Returns whether it was notified.
    pub(crate) unsafe fn clear_notified(&mut self, n: NonNull<Waiter<T>>, getter: bool) -> bool {
        // SAFETY: caller.
        let was = unsafe { core::mem::replace(&mut (*n.as_ptr()).notified, false) };
        if was {
            if getter {
                // `n` may be before the hint: walk from the head next time.
                self.getter_hint = ptr::null();
                self.notified_getters -= 1;
            } else {
                self.notified_putters -= 1;
            }
        }
        was
    }

    // ===== watchers =====

    /// Whether the channel is closed and drained: closed, nothing buffered, no putter
    /// waiting (a queued put still delivers after the close), nothing in flight. Once
    /// true it stays true: a closed channel takes no new value, and a value can come
    /// back (as an orphan) only from a getter that was handed it, which counts as in
    /// flight until it takes it.
    #[inline]
    pub(crate) fn drained(&self) -> bool {
        self.closed() && self.n_putters == 0 && self.hand_over.is_empty() && !self.buffer.can_take()
    }

    /// How many getters wait (the watchers, which `n_getters` counts too, left out).
    #[inline]
    pub(crate) fn waiting_getters(&self) -> usize {
        let mut watchers = 0;
        let mut cur = self.watchers.head();
        while let Some(w) = cur {
            watchers += 1;
            // SAFETY: linked, so live; lock held (`&self` is the locked state).
            cur = unsafe { next(w) };
        }
        self.n_getters - watchers
    }

    /// Links a watcher node (see [`watchers`](Self::watchers)).
    ///
    /// # Safety
    /// Lock held; `w` is live, unlinked, pinned until unlinked, owned by `sel`, whose
    /// waker the caller registers in this critical section.
    pub(crate) unsafe fn link_watcher(&mut self, w: NonNull<Waiter<T>>, sel: *const Selector) {
        // SAFETY: caller.
        unsafe {
            Self::mark_linked(w.as_ptr(), sel, 0);
            self.watchers.push_back(w);
        }
        // A watcher counts as a waiting getter that takes nothing: the wake duty's rule 2
        // then covers it (a channel that turns drained has a getter that "could act", so
        // `settle` goes on to `settle_waiters`), at no cost to the paths that test
        // `n_getters` already; a put that looks for a getter to hand its value to walks
        // the getter queue, finds none, and carries on.
        self.n_getters += 1;
        self.busy_add(true);
    }

    /// Unlinks a watcher node; if it had been woken for the drained channel and goes
    /// without the news being passed on, the next watcher is woken instead.
    ///
    /// # Safety
    /// Lock held; `w` is in the watcher queue; `wakes` has room for one.
    pub(crate) unsafe fn unlink_watcher(&mut self, w: NonNull<Waiter<T>>, wakes: &mut WakeList) {
        // SAFETY: caller.
        unsafe {
            self.watchers.remove(w);
            (*w.as_ptr()).phase = Phase::Idle;
            (*w.as_ptr()).notified = false;
        }
        self.n_getters -= 1;
        self.busy_add(false);
        // SAFETY: lock held; room for one (caller).
        unsafe { self.notify_watcher(wakes) };
    }

    /// If the channel is drained, wakes the first watcher unless it was woken already,
    /// so that each watcher, when it completes or goes away, passes the news to the
    /// next one (as getters pass on the end of a closed channel). Does nothing while
    /// `wakes` is full.
    ///
    /// # Safety
    /// Lock held.
    #[inline(never)]
    pub(crate) unsafe fn notify_watcher(&mut self, wakes: &mut WakeList) {
        if !self.drained() || wakes.room() == 0 {
            return;
        }
        // The news travels down the queue in order, so only the head can be owed it: a
        // woken head passes it on when it polls (a drained channel stays drained, so it
        // completes) or goes away.
        if let Some(w) = self.watchers.head() {
            // SAFETY: linked, so live, and its selector registered (`link_watcher`);
            // lock held; room checked above.
            unsafe {
                if !(*w.as_ptr()).notified {
                    (*w.as_ptr()).notified = true;
                    (*(*w.as_ptr()).selector).notify(wakes);
                }
            }
        }
    }

    // ===== the wake duty =====

    /// Whether a getter of selector `sel` could complete now.
    ///
    /// # Safety
    /// Lock held.
    unsafe fn has_for_getter(&self, sel: *const Selector) -> bool {
        if self.hand_over.has_orphan() || self.buffer.can_take() {
            return true;
        }
        let mut cur = self.putters.head();
        while let Some(p) = cur {
            // SAFETY: linked, so live; lock held.
            unsafe {
                cur = next(p);
                let ps = sel_of(p);
                if ps != sel && !(*ps).is_claimed() {
                    return true;
                }
            }
        }
        self.closed() && self.hand_over.is_empty()
    }

    /// Notifies the first un-notified, unclaimed getter not of selector `exclude`
    /// (and, with `check`, only one that could complete now). Returns whether one was.
    ///
    /// # Safety
    /// Lock held; `wakes` has room for one.
    #[inline(always)]
    unsafe fn notify_getter(
        &mut self,
        exclude: *const Selector,
        check: bool,
        wakes: &mut WakeList,
    ) -> bool {
        if self.notified_getters >= self.n_getters {
            // Every waiting getter is notified already (or none waits): the common case
            // of a putter that starts to wait, decided without a call.
            return false;
        }
        // SAFETY: forwarded.
        unsafe { self.notify_getter_walk(exclude, check, wakes) }
    }

    /// The rest of [`notify_getter`](Self::notify_getter): some getter is not notified.
    ///
    /// # Safety
    /// As for [`notify_getter`](Self::notify_getter).
    #[inline(never)]
    unsafe fn notify_getter_walk(
        &mut self,
        exclude: *const Selector,
        check: bool,
        wakes: &mut WakeList,
    ) -> bool {
        if check && !self.getters_could_act() {
            // `has_for_getter` is false for every getter.
            return false;
        }
        // Every getter before the hint is notified, so the walk may start there. While
        // every getter seen so far is notified (`prefix`), the hint follows the walk.
        let mut cur = match NonNull::new(self.getter_hint as *mut Waiter<T>) {
            Some(h) => Some(h),
            None => self.getters.head(),
        };
        let mut prefix = true;
        while let Some(g) = cur {
            // SAFETY: linked, so live (the hint is unset or moved when its node is
            // unlinked); lock held.
            unsafe {
                cur = next(g);
                let w = g.as_ptr();
                if (*w).notified {
                    if prefix {
                        if let Some(n) = cur {
                            self.getter_hint = n.as_ptr();
                        }
                    }
                    continue;
                }
                let sel = (*w).selector;
                if sel == exclude || (*sel).is_claimed() || (check && !self.has_for_getter(sel)) {
                    prefix = false;
                    continue;
                }
                (*w).notified = true;
                self.notified_getters += 1;
                if prefix {
                    self.getter_hint = cur.map_or(w as *const _, |n| n.as_ptr() as *const _);
                }
                (*sel).notify(wakes);
                return true;
            }
        }
        false
    }

    /// Notifies the first un-notified, unclaimed putter.
    ///
    /// # Safety
    /// Lock held; `wakes` has room for one.
    unsafe fn notify_putter(&mut self, wakes: &mut WakeList) {
        if self.notified_putters >= self.n_putters {
            return;
        }
        let mut cur = self.putters.head();
        while let Some(p) = cur {
            // SAFETY: linked, so live; lock held.
            unsafe {
                cur = next(p);
                let w = p.as_ptr();
                let sel = (*w).selector;
                if (*w).notified || (*sel).is_claimed() {
                    continue;
                }
                (*w).notified = true;
                self.notified_putters += 1;
                (*sel).notify(wakes);
                return;
            }
        }
    }

    /// Rule 2: after a change, make sure someone who could act is notified.
    ///
    /// # Safety
    /// Lock held; `wakes` has room for two.
    #[inline(always)]
    pub(crate) unsafe fn settle(&mut self, wakes: &mut WakeList) {
        // The common cases — nobody waiting, somebody already notified on each side that
        // has waiters, or nothing the un-notified side could act on — cost a few loads
        // and no call. A putter can act only on buffer room (which a rendezvous channel
        // never has).
        let getters = self.n_getters != 0 && self.notified_getters == 0 && self.getters_could_act();
        let putters = self.n_putters != 0 && self.notified_putters == 0 && self.buffer.can_add();
        if getters || putters {
            // SAFETY: forwarded.
            unsafe { self.settle_waiters(getters, putters, wakes) };
        }
    }

    /// Notifies a getter if `getters`, a putter if `putters` (as `settle` decided).
    ///
    /// # Safety
    /// As for [`settle`](Self::settle).
    #[inline(never)]
    unsafe fn settle_waiters(&mut self, getters: bool, putters: bool, wakes: &mut WakeList) {
        if getters {
            // SAFETY: lock held, room for one.
            unsafe { self.notify_getter(ptr::null(), true, wakes) };
            if !self.watchers.is_empty() {
                // Watchers count as getters (see `link_watcher`), so this is where a
                // drained channel's news reaches them. SAFETY: lock held; a drained
                // channel has no putter to notify, so a slot is left.
                unsafe { self.notify_watcher(wakes) };
            }
        }
        if putters {
            // SAFETY: lock held, room for one. (Notifying a getter changed nothing
            // `settle` read for the putters.)
            unsafe { self.notify_putter(wakes) };
        }
    }

    /// Whether some getter could act at all: a waiting putter, a buffered value or an
    /// orphan to take, or the end of a closed channel with nothing in flight. When this
    /// is false, `has_for_getter` is false for every getter.
    #[inline(always)]
    fn getters_could_act(&self) -> bool {
        self.n_putters != 0
            || self.buffer.can_take()
            || self.hand_over.has_orphan()
            || (self.closed() && self.hand_over.is_empty())
    }

    /// Closes the channel. Returns whether this call closed it.
    ///
    /// # Safety
    /// Lock held.
    pub(crate) unsafe fn close(&mut self, wakes: &mut WakeList) -> bool {
        if self.closed() {
            return false;
        }
        self.gate |= CLOSED;
        // A watcher first, while the list has room: the close may have drained the
        // channel already.
        if !self.watchers.is_empty() {
            // SAFETY: lock held; the list is fresh (caller), so it has room.
            unsafe { self.notify_watcher(wakes) };
        }
        // Getters that can now see the end: wake as many as fit at once; each of them,
        // when it completes, passes the news on (rule 2), so none is left asleep.
        // SAFETY: lock held; room checked.
        while wakes.room() > 0 && unsafe { self.notify_getter(ptr::null(), true, wakes) } {}
        true
    }

    /// Wakes waiting putters that have not heard of the close yet, as many as fit in
    /// `wakes`; returns whether some are left to tell. The wake is spurious — a queued
    /// put still delivers after a close — but it lets a putter (a combinator's driver,
    /// say) notice the close and decide to withdraw.
    ///
    /// # Safety
    /// Lock held.
    pub(crate) unsafe fn tell_putters_closed(&mut self, wakes: &mut WakeList) -> bool {
        let mut cur = self.putters.head();
        while let Some(p) = cur {
            // SAFETY: linked, so live; lock held.
            unsafe {
                cur = next(p);
                let w = p.as_ptr();
                if (*w).told_closed {
                    continue;
                }
                if wakes.room() == 0 {
                    return true;
                }
                (*w).told_closed = true;
                (*(*w).selector).notify(wakes);
            }
        }
        false
    }

    /// Takes a value without waiting (for `try_get`).
    ///
    /// # Safety
    /// Lock held; `wakes` has room for [`ARM_WAKES`].
    pub(crate) unsafe fn try_get_now(&mut self, wakes: &mut WakeList) -> Option<Option<T>> {
        // SAFETY: caller.
        let out = unsafe { self.try_get(ptr::null(), wakes) };
        if out.is_some() {
            // SAFETY: lock held.
            unsafe { self.settle(wakes) };
        }
        out
    }
}
