//! A channel's state under its lock, and the protocol that moves values.
//!
//! # Implementation details
//! [`State`] holds the buffer, a FIFO of waiting get-nodes, a FIFO of waiting
//! put-nodes, the closed flag and [`HAND_OVER_SLOTS`] *hand-over slots*. Every method here runs with
//! the channel's lock held (that is the `# Safety` contract of each `unsafe fn`).
//!
//! **Who may move a value where.**
//! - A get takes, in this order: the oldest *orphan* in the hand-over slots (a value whose getter
//!   went away); the buffer's front, then refills the buffer from the first claimable
//!   waiting putters; the value of the first claimable waiting putter.
//! - A put adds to the buffer if it has room (and then serves a waiting getter through
//!   a free slot). Otherwise, only while a slot is free and the buffer is empty, it may
//!   claim the first claimable waiting getter and leave the value in that slot, owned by
//!   that getter. Otherwise it waits, holding its value in its node.
//! - A getter that owns a slot takes the value when polled; if it goes away first it
//!   passes ownership to the next claimable getter, or leaves an orphan.
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
//! - A slot's owner is non-null only while the slot holds a value, and then points at a
//!   node in phase `Claimed` that is in no list and owns no other slot (see
//!   [`HandOver`]).
//! - `n_*` and `notified_*` count the linked nodes (and the notified ones) of each list.
//! - Every linked node is in phase `Linked`, belongs to a live selector, and is reached
//!   only under this lock.

use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use crate::buffer::Buffer;
use crate::list::{next, List};
use crate::waiter::{Phase, Selector, Waiter};
use crate::wake::WakeList;

/// The most wakers one arm operation pushes (a refill may take more, while room lasts).
pub(crate) const ARM_WAKES: usize = 4;

/// Counters behind [`Stats`](crate::Stats).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Counters {
    pub(crate) buffered: usize,
    pub(crate) handed_over: usize,
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

/// The lock-protected part of a channel.
pub(crate) struct State<T, B> {
    pub(crate) buffer: B,
    getters: List<Waiter<T>>,
    putters: List<Waiter<T>>,
    /// Values handed to claimed getters that have not taken them yet, and orphans.
    hand_over: HandOver<T>,
    pub(crate) closed: bool,
    pub(crate) n_getters: usize,
    pub(crate) n_putters: usize,
    notified_getters: usize,
    /// Where `notify_getter` starts its walk: every getter linked before this one is
    /// notified (null: start at the head). Saves walking past the notified getters at the
    /// front of a long queue on every new value.
    getter_hint: *const Waiter<T>,
    notified_putters: usize,
    pub(crate) counters: Counters,
}

impl<T, B> State<T, B> {
    pub(crate) const fn new(buffer: B) -> Self {
        State {
            buffer,
            getters: List::new(),
            putters: List::new(),
            hand_over: HandOver::new(),
            closed: false,
            n_getters: 0,
            n_putters: 0,
            notified_getters: 0,
            getter_hint: ptr::null(),
            notified_putters: 0,
            counters: Counters {
                buffered: 0,
                handed_over: 0,
                discarded: 0,
            },
        }
    }

    /// Whether a value is in a hand-over slot (owned or orphaned).
    pub(crate) fn in_flight(&self) -> bool {
        !self.hand_over.is_empty()
    }
}

/// How many values a channel can have *in flight* at once: handed by a put to a waiting
/// getter that has not run yet to take it (or left behind by such a getter that went
/// away, for the next get to take first).
///
/// While a slot is free, a put that finds a getter waiting (and nothing buffered)
/// completes at once, and so does [`Chan::try_put`](crate::Chan::try_put); once all are
/// busy, a put waits in the queue and a getter is woken to come and take it, and
/// `try_put` reports `Full`. Several slots let several waiting getters be served back to
/// back, each woken once. The slots are all the storage a channel without an allocator
/// has for a value whose getter may vanish, so their number is fixed.
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
/// for v in 0..HAND_OVER_SLOTS {
///     assert_eq!(ch.try_put(v), Ok(())); // handed to the first getters
/// }
/// assert_eq!(ch.try_put(9), Err(TryPutError::Full(9)), "every slot is in flight");
/// ```
pub const HAND_OVER_SLOTS: usize = 4;

// The slots are tracked in a `u8` bit mask.
const _: () = assert!(HAND_OVER_SLOTS >= 1 && HAND_OVER_SLOTS <= 8);

/// The hand-over slots.
///
/// Invariants (every method keeps them; `Drop` relies on them):
/// - `order[..used]` lists the full slots, each once, oldest hand-over first; a slot's
///   bit is set in `full` exactly when it is listed there, and then `values[i]` is
///   initialised and owned by the channel; every other slot is uninitialised.
/// - `owners[i]` of a full slot is its owner — a getter node in phase `Claimed`, in no
///   list, owning no other slot — or null for an orphan; `orphans` counts those.
struct HandOver<T> {
    values: [MaybeUninit<T>; HAND_OVER_SLOTS],
    owners: [*const Waiter<T>; HAND_OVER_SLOTS],
    order: [u8; HAND_OVER_SLOTS],
    full: u8,
    used: u8,
    orphans: u8,
}

impl<T> HandOver<T> {
    const fn new() -> Self {
        HandOver {
            values: [const { MaybeUninit::uninit() }; HAND_OVER_SLOTS],
            owners: [ptr::null(); HAND_OVER_SLOTS],
            order: [0; HAND_OVER_SLOTS],
            full: 0,
            used: 0,
            orphans: 0,
        }
    }

    #[inline(always)]
    fn is_empty(&self) -> bool {
        self.used == 0
    }

    #[inline(always)]
    fn has_room(&self) -> bool {
        (self.used as usize) < HAND_OVER_SLOTS
    }

    #[inline(always)]
    fn has_orphan(&self) -> bool {
        self.orphans != 0
    }

    /// Puts `v` in a free slot, owned by `owner`. The caller checked `has_room`.
    #[inline(always)]
    fn give(&mut self, v: T, owner: *const Waiter<T>) {
        let i = (!self.full).trailing_zeros() as usize;
        assert!(i < HAND_OVER_SLOTS, "csp: a hand-over without a free slot");
        self.values[i].write(v);
        self.owners[i] = owner;
        self.order[self.used as usize] = i as u8;
        self.used += 1;
        self.full |= 1 << i;
    }

    /// Takes the value out of the full slot listed at `order[k]`.
    #[inline(always)]
    fn take_at(&mut self, k: usize) -> T {
        let used = self.used as usize;
        let i = self.order[k] as usize;
        // At most three bytes to move; a loop, not a `memmove` call.
        for j in k + 1..used {
            self.order[j - 1] = self.order[j];
        }
        self.used -= 1;
        self.full &= !(1 << i);
        self.owners[i] = ptr::null();
        // SAFETY: slot `i` was listed in `order[..used]`, so it was full: initialised
        // (invariants). It is no longer listed nor marked full, so it is read only once.
        unsafe { self.values[i].assume_init_read() }
    }

    /// Where in `order` the slot owned by `owner` is listed.
    #[inline(always)]
    fn position_of(&self, owner: *const Waiter<T>) -> usize {
        // The common case: one value in flight.
        if self.used == 1 && self.owners[self.order[0] as usize] == owner && !owner.is_null() {
            return 0;
        }
        let used = self.used as usize;
        match self.order[..used]
            .iter()
            .position(|&i| self.owners[i as usize] == owner)
        {
            Some(k) if !owner.is_null() => k,
            _ => unreachable!("csp: a claimed getter owns a hand-over slot"),
        }
    }

    /// Takes the value owned by `owner`.
    fn take_owned(&mut self, owner: *const Waiter<T>) -> T {
        let k = self.position_of(owner);
        self.take_at(k)
    }

    /// Takes the oldest orphan, if any.
    #[inline(always)]
    fn take_orphan(&mut self) -> Option<T> {
        if self.orphans == 0 {
            return None;
        }
        self.take_oldest_orphan()
    }

    #[inline(never)]
    fn take_oldest_orphan(&mut self) -> Option<T> {
        let used = self.used as usize;
        let k = self.order[..used]
            .iter()
            .position(|&i| self.owners[i as usize].is_null())?;
        self.orphans -= 1;
        Some(self.take_at(k))
    }

    /// Moves the value owned by `from` to `to` (or makes it an orphan if `to` is null).
    fn pass_on(&mut self, from: *const Waiter<T>, to: *const Waiter<T>) {
        let i = self.order[self.position_of(from)] as usize;
        self.owners[i] = to;
        if to.is_null() {
            self.orphans += 1;
        }
    }
}

impl<T> Drop for HandOver<T> {
    fn drop(&mut self) {
        // Orphans left in a channel that goes away are dropped with it (a getter that
        // owns a slot borrows the channel, so only orphans can be left here).
        while self.used > 0 {
            drop(self.take_at(0));
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
                self.counters.handed_over = self.counters.handed_over.wrapping_add(1);
                return Some(Some(v));
            }
        }
        if self.closed && self.hand_over.is_empty() {
            return Some(None);
        }
        None
    }

    /// Claims the first waiting putter that is not `me`'s and takes its value.
    ///
    /// # Safety
    /// Lock held; `wakes` has room for one.
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
                if (*sel).try_claim((*p.as_ptr()).op as usize, wakes) {
                    let v = (*p.as_ptr()).value.take();
                    debug_assert!(v.is_some(), "a waiting put holds its value");
                    (*p.as_ptr()).phase = Phase::Claimed;
                    self.unlink_putter(p);
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
    #[inline(never)]
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

    /// Takes the value out of the slot owned by `g` (a claimed getter being finished).
    ///
    /// # Safety
    /// Lock held; `g` owns a slot.
    pub(crate) unsafe fn take_slot(&mut self, g: NonNull<Waiter<T>>) -> T {
        self.hand_over.take_owned(g.as_ptr())
    }

    /// `g`, a claimed getter that owns a slot, goes away without taking the value:
    /// pass the value to the next claimable getter, or leave it as an orphan.
    ///
    /// # Safety
    /// Lock held; `g` owns a slot; `wakes` has room for one.
    pub(crate) unsafe fn abandon_slot(&mut self, g: NonNull<Waiter<T>>, wakes: &mut WakeList) {
        // SAFETY: lock held (caller).
        let next = unsafe { self.claim_getter(|_, _| false, wakes) };
        let to = next.map_or(ptr::null(), |n| n.as_ptr() as *const Waiter<T>);
        self.hand_over.pass_on(g.as_ptr(), to);
    }

    /// Claims the first waiting getter that `skip` does not rule out and unlinks it;
    /// the caller gives it a hand-over slot.
    ///
    /// # Safety
    /// Lock held; `wakes` has room for one.
    #[inline]
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
        if self.n_getters | self.n_putters != 0 || self.hand_over.has_orphan() {
            return None;
        }
        self.buffer.take()
    }

    // ===== putting =====

    /// The uncontended put: moves `*value` into a buffer with room when nobody waits and
    /// the buffer's policy discards nothing. Returns whether it did (then `*value` is
    /// `None`); otherwise leaves `*value` alone for `try_put`.
    ///
    /// # Safety
    /// Lock held.
    #[inline(always)]
    pub(crate) unsafe fn add_quick(&mut self, value: &mut Option<T>) -> bool {
        if self.closed || self.n_getters | self.n_putters != 0 || !self.buffer.can_add() {
            return false;
        }
        let Some(v) = value.take() else {
            return false;
        };
        self.counters.buffered = self.counters.buffered.wrapping_add(1);
        if let Some(discarded) = self.buffer.add(v) {
            // A lossy buffer discarded a value: hand it back to be dropped outside the lock.
            self.counters.discarded = self.counters.discarded.wrapping_add(1);
            *value = Some(discarded);
        }
        true
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
        if self.closed && !queued {
            return PutOutcome::Closed(v);
        }
        if self.buffer.can_add() {
            let discarded = self.buffer.add(v);
            self.counters.buffered = self.counters.buffered.wrapping_add(1);
            if discarded.is_some() {
                self.counters.discarded = self.counters.discarded.wrapping_add(1);
            }
            if self.n_getters != 0 {
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
                self.hand_over.give(v, g.as_ptr());
                self.counters.handed_over = self.counters.handed_over.wrapping_add(1);
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

    /// A value just went into the buffer and getters wait: reserve the buffer's front
    /// for the first claimable one (through a hand-over slot), as Go and core.async
    /// hand a value to a waiting taker. Without this, the putter (or any newcomer) could
    /// take the value back before the woken getter runs. Falls back to rule 1 (notify
    /// one more getter) when every slot is busy or no getter can be claimed.
    ///
    /// # Safety
    /// Lock held; `wakes` has room for one.
    unsafe fn serve_waiting_getter(&mut self, me: *const Selector, wakes: &mut WakeList) {
        if self.hand_over.has_room() && self.buffer.can_take() {
            // SAFETY: lock held (caller).
            if let Some(g) = unsafe { self.claim_getter(|_, sel| sel == me, wakes) } {
                if let Some(v) = self.buffer.take() {
                    self.hand_over.give(v, g.as_ptr());
                }
                return;
            }
        }
        // Rule 1: a new value, one more getter to notify.
        // SAFETY: lock held.
        unsafe { self.notify_getter(ptr::null(), false, wakes) };
    }

    // ===== queues =====

    /// Links a getter node at the back of the getter queue.
    ///
    /// # Safety
    /// Lock held; `g` is live, unlinked, pinned until unlinked, owned by `sel`.
    pub(crate) unsafe fn link_getter(
        &mut self,
        g: NonNull<Waiter<T>>,
        sel: *const Selector,
        op: usize,
    ) {
        // SAFETY: caller.
        unsafe {
            let w = g.as_ptr();
            (*w).selector = sel;
            (*w).op = op as u32;
            (*w).phase = Phase::Linked;
            (*w).notified = false;
            (*w).exposed = true;
            self.getters.push_back(g);
        }
        self.n_getters += 1;
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
            let w = p.as_ptr();
            debug_assert!((*w).value.is_some());
            (*w).selector = sel;
            (*w).op = op as u32;
            (*w).phase = Phase::Linked;
            (*w).notified = false;
            (*w).told_closed = false;
            (*w).exposed = true;
            self.putters.push_back(p);
        }
        self.n_putters += 1;
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
        self.closed && self.hand_over.is_empty()
    }

    /// Notifies the first un-notified, unclaimed getter not of selector `exclude`
    /// (and, with `check`, only one that could complete now). Returns whether one was.
    ///
    /// # Safety
    /// Lock held; `wakes` has room for one.
    unsafe fn notify_getter(
        &mut self,
        exclude: *const Selector,
        check: bool,
        wakes: &mut WakeList,
    ) -> bool {
        if self.notified_getters >= self.n_getters {
            // Every waiting getter is notified already.
            return false;
        }
        if check && !self.hand_over.has_orphan() && !self.buffer.can_take() && self.n_putters == 0 {
            // Nothing any getter could take: no orphan, nothing buffered, no putter
            // (`has_for_getter` is false for every getter), unless it is the end.
            if !(self.closed && self.hand_over.is_empty()) {
                return false;
            }
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
        // The common cases — nobody waiting, or somebody already notified on each side
        // that has waiters — cost a few loads.
        if (self.n_getters != 0 && self.notified_getters == 0)
            || (self.n_putters != 0 && self.notified_putters == 0)
        {
            // SAFETY: forwarded.
            unsafe { self.settle_waiters(wakes) };
        }
    }

    /// # Safety
    /// As for [`settle`](Self::settle).
    #[inline(never)]
    unsafe fn settle_waiters(&mut self, wakes: &mut WakeList) {
        if self.n_getters > 0 && self.notified_getters == 0 {
            // SAFETY: lock held, room for one.
            unsafe { self.notify_getter(ptr::null(), true, wakes) };
        }
        if self.n_putters > 0 && self.notified_putters == 0 && self.buffer.can_add() {
            // SAFETY: lock held, room for one.
            unsafe { self.notify_putter(wakes) };
        }
    }

    /// Closes the channel. Returns whether this call closed it.
    ///
    /// # Safety
    /// Lock held.
    pub(crate) unsafe fn close(&mut self, wakes: &mut WakeList) -> bool {
        if self.closed {
            return false;
        }
        self.closed = true;
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
