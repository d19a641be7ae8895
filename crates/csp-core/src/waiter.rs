//! Waiting parties: the [`Selector`] (one per waiting future) and the [`Node`] each of
//! its operations links into a channel's wait queue.
//!
//! # Implementation details
//! A *selector* is one waiting party: a plain `get`/`put` is a selector with one
//! operation, a select has several. Its `state` word says whether it still waits or
//! which operation has been *claimed*; the claim is a single compare-and-swap out of
//! "waiting", so at most one operation of a selector ever completes.
//!
//! ```text
//! state = (op + 1) << 2 | RELEASED | WOKEN   claimed: operation `op` is the one that happens
//! state =        0 << 2 |            WOKEN   waiting; WOKEN set: its waker has been taken
//! ```
//!
//! The `WOKEN` bit gives the waker a single taker without a lock: the owner stores a
//! waker and clears `WOKEN` while it holds the locks of *all* its channels; anybody who
//! wants to wake it (holding the lock of *one* of them) sets `WOKEN` and takes the waker
//! only if the bit was clear. So the waker cell is written by the owner under all its
//! locks and read by exactly one taker per registration.
//!
//! The `RELEASED` bit lets a plain put finish without its channel's lock. A channel that
//! claimed a waiting putter sets it (a `Release` store) once it is done with the node:
//! the value taken, the phase written, the node unlinked. It touches neither node nor
//! selector again. An owner that loads the state with `Acquire` and sees the bit
//! therefore owns its node outright, as after a withdrawal. Claims of getters (which the
//! claimer hands a value afterwards), claims by other event sources and selects do not
//! use the bit; they finish under the lock as before.
//!
//! # Invariants
//! - A node is linked in at most one channel list, and only while its selector waits.
//! - Every field of a [`Waiter`] except the owner's own bookkeeping before the first link
//!   is read and written only under the lock of the channel the node belongs to.
//! - The memory of a linked node and of its selector stays valid: both live in a pinned
//!   future whose `Drop` takes the channel locks and unlinks the node first.
//! - A selector never drops its waker by itself (the cell is `ManuallyDrop`): its owner
//!   does, with [`Selector::drop_waker`] or through an [`OwnedSelector`]. A plain get or
//!   put holds a waker only while its node is exposed (`ops.rs`).
//! - The state word of a plain get's or put's selector is uninitialised until its first
//!   `register`, and read only after it ([`Selector::for_plain_op`]).

use core::marker::PhantomPinned;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::ptr::NonNull;
use core::task::Waker;

use crate::list::{Link, Pointers};
use crate::sync::{const_fn, AtomicUsize, Ordering, UnsafeCell};
use crate::wake::WakeList;

/// Set while nobody may take the waker: it was taken, or none is registered.
const WOKEN: usize = 1;
/// Set by a claimer that has let go of the claimed node (see the module docs).
const RELEASED: usize = 2;
/// The claim sits above the two flag bits.
const CLAIM_SHIFT: u32 = 2;
/// What a debug build writes into a plain op's selector state before its first
/// `register` (see [`Selector::for_plain_op`]): no claim state is ever this (it would
/// claim operation 2^62 - 2; a select has at most `u32::MAX` arms).
const UNSET: usize = usize::MAX;

/// The state of a selector claimed for `op` (its waker no longer available to take).
#[inline(always)]
const fn claimed_state(op: usize) -> usize {
    ((op + 1) << CLAIM_SHIFT) | WOKEN
}

/// The shared part of one waiting party (a plain get/put, or a whole select): its
/// claim state and its waker.
///
/// Event sources other than channels meet it through [`RawArm`](crate::RawArm): while
/// one of its arms waits on a source, the source may [`try_claim`](Selector::try_claim)
/// it for that arm (completing the arm's operation on its behalf) or
/// [`notify`](Selector::notify) it (wake it to look again). See `tests/custom_arm.rs`
/// for a complete event source.
///
/// # Examples
/// A select waits on a channel and a flag until the flag claims it. `Flag` and
/// `FlagArm` are the one-shot flag of the [`RawArm`](crate::RawArm) example, whose
/// `Flag::set_with(f)` sets the flag and runs `f` on the selector and index of the arm
/// waiting on the flag, if any, holding the flag's lock:
/// ```
/// use core::future::Future;
/// use core::pin::pin;
/// use core::task::{Context, Poll};
/// use csp_core::{select, Chan};
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
/// use std::task::{Wake, Waker};
/// # mod flag { include!("doc_flag.rs"); } use flag::*;
///
/// let flag = Flag::new();
/// let ch: Chan<u32> = Chan::new();
/// # struct Count(AtomicUsize);
/// # impl Wake for Count {
/// #     fn wake(self: Arc<Self>) {
/// #         self.0.fetch_add(1, Ordering::Relaxed);
/// #     }
/// # }
/// let count = Arc::new(Count(AtomicUsize::new(0)));
/// let waker = Waker::from(count.clone());
/// let mut cx = Context::from_waker(&waker);
/// let mut fut = pin!(async {
///     select! {
///         v = ch.get() => v,
///         _ = FlagArm(&flag, false) => None,
///     }
/// });
/// assert!(fut.as_mut().poll(&mut cx).is_pending()); // the select waits on both
/// let claimed = flag.set_with(|sel, op, wakes| {
///     // SAFETY: `set_with` runs this holding the flag's lock, where the arm waits.
///     unsafe { sel.try_claim(op, wakes) }
/// });
/// assert_eq!(claimed, Some(true)); // the flag arm is the select's one completion
/// assert_eq!(count.0.load(Ordering::Relaxed), 1); // and the select was woken
/// assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(None));
/// ```
pub struct Selector {
    /// `(claimed op + 1) << 2 | RELEASED | WOKEN`; see the module docs. Claims are
    /// CAS'ed under the lock of the claimed node's channel; the owner writes it under
    /// all its locks. Uninitialised in the selector of a plain get or put until its
    /// first [`register`](Self::register) (see [`for_plain_op`](Self::for_plain_op)).
    state: MaybeUninit<AtomicUsize>,
    /// The owner's waker. Written by the owner holding all its channel locks with
    /// `WOKEN` set; taken by whoever turns `WOKEN` on.
    ///
    /// Not dropped with the selector: its owner drops it
    /// ([`drop_waker`](Self::drop_waker)), so that a plain get or put, whose cell is
    /// empty whenever its node is in no queue, pays no test for it when it is dropped
    /// (see `Get`'s `Drop`). A select, a stream and a sink own an [`OwnedSelector`].
    waker: UnsafeCell<ManuallyDrop<Option<Waker>>>,
    /// The selector is `!Unpin`: nodes point at it while they are linked.
    _pin: PhantomPinned,
}

// SAFETY: the waker cell is only touched under the protocol in the module docs (one
// writer holding all locks, or the single winner of the WOKEN bit); the state is atomic.
unsafe impl Sync for Selector {}
// SAFETY: `Waker` is `Send`; nothing else is thread-bound.
unsafe impl Send for Selector {}

impl core::fmt::Debug for Selector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let s = self.st().load(Ordering::Relaxed);
        f.debug_struct("Selector")
            .field("claimed", &(s >> CLAIM_SHIFT).checked_sub(1))
            .field("woken", &(s & WOKEN != 0))
            .field("released", &(s & RELEASED != 0))
            .finish()
    }
}

impl Default for Selector {
    fn default() -> Self {
        Self::new()
    }
}

impl Selector {
    const_fn! {
        /// A selector that waits, with no waker registered.
        pub(crate) fn new() -> Self {
            Selector {
                state: MaybeUninit::new(AtomicUsize::new(WOKEN)),
                waker: UnsafeCell::new(ManuallyDrop::new(None)),
                _pin: PhantomPinned,
            }
        }
    }

    const_fn! {
        /// The selector of a plain [`Get`](crate::Get) or [`Put`](crate::Put): its state
        /// is left uninitialised until its first [`register`](Self::register), which
        /// saves a store on every `get()` and `put(v)` (seq/1024: 151 → 149
        /// instructions per message), most of which never wait.
        ///
        /// Nothing reads the state before that register: a plain op links its node and
        /// registers in one critical section, and the state is read only by a party that
        /// reaches the selector through that linked node (a claim, a notification, under
        /// the lock) or by the owner once the node is exposed (the released put). Such a
        /// selector is never handed out (`ArmCx` carries a select's).
        pub(crate) fn for_plain_op() -> Self {
            Selector {
                #[cfg(not(any(loom, all(debug_assertions, not(miri)))))]
                state: MaybeUninit::uninit(),
                // Debug builds write a value no selector ever holds, which `st` checks
                // for (so the tests and the fuzz targets built with `-a` would catch a
                // read before the first `register`). Not under Miri, which reports any
                // read of the uninitialised word itself.
                #[cfg(all(debug_assertions, not(loom), not(miri)))]
                state: MaybeUninit::new(AtomicUsize::new(UNSET)),
                // Loom's atomics must be made (registered with the model) before use.
                #[cfg(loom)]
                state: MaybeUninit::new(AtomicUsize::new(WOKEN)),
                waker: UnsafeCell::new(ManuallyDrop::new(None)),
                _pin: PhantomPinned,
            }
        }
    }

    /// The state word, for reading or read-modify-write.
    #[inline(always)]
    fn st(&self) -> &AtomicUsize {
        // SAFETY: initialised, except in a plain op's selector before its first
        // `register`, and nobody calls this on one before that (see `for_plain_op`).
        let state = unsafe { self.state.assume_init_ref() };
        debug_assert_ne!(
            state.load(Ordering::Relaxed),
            UNSET,
            "csp: a plain op's selector state read before its first register"
        );
        state
    }

    /// The claimed operation, if any.
    ///
    /// # Examples
    /// With `Flag` and `FlagArm` from the [`RawArm`](crate::RawArm) example, whose
    /// `Flag::set_with(f)` sets the flag and runs `f` on the selector and index of the
    /// arm waiting on the flag, if any, holding the flag's lock:
    /// ```
    /// use core::future::Future;
    /// use core::pin::pin;
    /// use core::task::{Context, Waker};
    /// use csp_core::{select, Chan};
    /// # mod flag { include!("doc_flag.rs"); } use flag::*;
    ///
    /// let flag = Flag::new();
    /// let ch: Chan<u32> = Chan::new();
    /// let mut fut = pin!(async {
    ///     select! {
    ///         v = ch.get() => v,
    ///         _ = FlagArm(&flag, false) => None,
    ///     }
    /// });
    /// assert!(fut.as_mut().poll(&mut Context::from_waker(Waker::noop())).is_pending());
    /// let seen = flag.set_with(|sel, op, wakes| {
    ///     let before = sel.claimed();
    ///     // SAFETY: `set_with` runs this holding the flag's lock, where the arm waits.
    ///     unsafe { sel.try_claim(op, wakes) };
    ///     (before, sel.claimed())
    /// });
    /// assert_eq!(seen, Some((None, Some(1)))); // arm 1, the flag's
    /// ```
    #[inline]
    pub fn claimed(&self) -> Option<usize> {
        (self.st().load(Ordering::Acquire) >> CLAIM_SHIFT).checked_sub(1)
    }

    /// Whether some operation has been claimed.
    ///
    /// # Examples
    /// With `Flag` and `FlagArm` from the [`RawArm`](crate::RawArm) example, whose
    /// `Flag::set_with(f)` sets the flag and runs `f` on the selector and index of the
    /// arm waiting on the flag, if any, holding the flag's lock:
    /// ```
    /// use core::future::Future;
    /// use core::pin::pin;
    /// use core::task::{Context, Poll, Waker};
    /// use csp_core::{select, Chan};
    /// # mod flag { include!("doc_flag.rs"); } use flag::*;
    ///
    /// let flag = Flag::new();
    /// let ch: Chan<u32> = Chan::new();
    /// let mut fut = pin!(async {
    ///     select! {
    ///         v = ch.get() => v,
    ///         _ = FlagArm(&flag, false) => None,
    ///     }
    /// });
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(fut.as_mut().poll(&mut cx).is_pending());
    /// let seen = flag.set_with(|sel, op, wakes| {
    ///     let before = sel.is_claimed();
    ///     // SAFETY: `set_with` runs this holding the flag's lock, where the arm waits.
    ///     unsafe { sel.try_claim(op, wakes) };
    ///     (before, sel.is_claimed())
    /// });
    /// assert_eq!(seen, Some((false, true)));
    /// assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(None));
    /// ```
    #[inline]
    pub fn is_claimed(&self) -> bool {
        self.st().load(Ordering::Acquire) >> CLAIM_SHIFT != 0
    }

    /// Whether the channel that claimed this selector has let go of the claimed node:
    /// its writes to the node and the selector happen before this returns `true`, and
    /// it touches neither again (see the module docs).
    #[inline]
    pub(crate) fn is_released(&self) -> bool {
        self.st().load(Ordering::Acquire) & RELEASED != 0
    }

    /// Marks the claim for `op` as released: the claimer is done with the node.
    ///
    /// # Safety
    /// The caller holds the lock of the channel where it claimed this selector for `op`
    /// (with [`try_claim`](Self::try_claim)), has finished every write to the claimed
    /// node, and touches neither the node nor the selector afterwards. A plain store
    /// suffices: once claimed, the state changes only by `notify` setting `WOKEN`, which
    /// a claimed state has already.
    #[inline]
    pub(crate) unsafe fn release_claim(&self, op: usize) {
        self.st()
            .store(claimed_state(op) | RELEASED, Ordering::Release);
    }

    /// Marks `op` as the operation that happened, by the owner itself.
    ///
    /// # Safety
    /// The caller is the owner and holds the locks of all the selector's channels, and
    /// the selector is not claimed.
    #[inline]
    pub(crate) unsafe fn set_claimed(&self, op: usize) {
        self.st().store(claimed_state(op), Ordering::Release);
    }

    /// Makes the selector wait again (for reuse by a stream), dropping any old claim.
    ///
    /// # Safety
    /// No node of this selector is linked anywhere.
    #[inline]
    pub(crate) unsafe fn reset(&self) {
        self.st().store(WOKEN, Ordering::Relaxed);
    }

    /// Stores `waker` (unless an equivalent one is there) and opens the selector to
    /// wake-ups.
    ///
    /// # Safety
    /// The caller is the owner, holds the locks of all the selector's channels, and the
    /// selector is not claimed.
    #[inline]
    pub(crate) unsafe fn register(&self, waker: &Waker) {
        self.waker.with_mut(|w| {
            // SAFETY: nobody else touches the cell: `WOKEN` is set (not cleared until
            // below) and every would-be taker needs a lock we hold.
            match unsafe { &mut **w } {
                Some(old) if old.will_wake(waker) => {}
                Some(old) => *old = waker.clone(),
                // The usual case: whoever woke us took the waker. Written without an
                // assignment, whose drop of the old `None` would load the cell again
                // after the clone (an opaque call).
                // SAFETY: the cell holds `None`, which owns nothing to drop.
                None => unsafe { w.write(ManuallyDrop::new(Some(waker.clone()))) },
            }
        });
        #[cfg(not(loom))]
        // SAFETY: the pointer is to our own, aligned state word, valid as long as we are;
        // the store initialises it if this is a plain op's first registration (see
        // `for_plain_op`), and nobody accesses it at the same time: every other access
        // needs a lock we hold, or is the owner's (the caller).
        let state = unsafe { AtomicUsize::from_ptr(self.state.as_ptr().cast_mut().cast()) };
        #[cfg(loom)]
        let state = self.st();
        state.store(0, Ordering::Release);
    }

    /// Drops the registered waker, if any: the cell is not dropped with the selector.
    ///
    /// # Safety
    /// The caller is the owner, and nobody else can reach the cell: it holds the locks
    /// of all the selector's channels, or no node of the selector is linked or claimed
    /// and not yet finished.
    #[inline]
    pub(crate) unsafe fn drop_waker(&self) {
        // SAFETY: nobody else touches the cell (caller); `take` leaves `None`, so a
        // second call drops nothing.
        self.waker.with_mut(|w| drop(unsafe { (*w).take() }));
    }

    /// Notifies the selector on its owner's behalf, handing a registered waker to
    /// `wakes`: for an owner whose operation completed on its own poll while its node
    /// was still queued and registered (a poll that came from elsewhere, before the
    /// channel claimed or notified it). The wake-up that follows is spurious, which a
    /// waker may always get; dropping the waker here instead would run its drop under
    /// the lock.
    ///
    /// As [`notify`](Self::notify), except that the usual case — the selector was
    /// notified already — costs a load, not a read-modify-write: nobody else can
    /// change the state meanwhile.
    ///
    /// # Safety
    /// As for [`register`](Self::register): the caller is the owner and holds the locks
    /// of all the selector's channels.
    #[inline]
    pub(crate) unsafe fn give_up_waker(&self, wakes: &mut WakeList) {
        // Every other party that writes the state needs a lock we hold (caller).
        if self.st().load(Ordering::Relaxed) & WOKEN == 0 {
            self.st().fetch_or(WOKEN, Ordering::Relaxed);
            // SAFETY: we turned WOKEN on, so we are the one taker.
            unsafe { self.take_waker(wakes) };
        }
    }

    /// Claims the selector for operation `op` if it still waits, queueing its waker.
    /// Returns whether the claim succeeded; a failed claim means another operation of
    /// the selector was claimed first.
    ///
    /// # Safety
    /// The caller holds the lock of an event source (a channel) in which this selector
    /// waits — that is, between the arm's [`RawArm::wait`](crate::RawArm::wait) and its
    /// `withdraw`/`finish` — so the selector is alive and its owner is not inside its
    /// locked step.
    ///
    /// # Examples
    /// With `Flag` and `FlagArm` from the [`RawArm`](crate::RawArm) example, whose
    /// `Flag::set_with(f)` sets the flag and runs `f` on the selector and index of the
    /// arm waiting on the flag, if any, holding the flag's lock:
    /// ```
    /// use core::future::Future;
    /// use core::pin::pin;
    /// use core::task::{Context, Poll, Waker};
    /// use csp_core::{select, Selector, WakeList};
    /// # mod flag { include!("doc_flag.rs"); } use flag::*;
    ///
    /// let (a, b) = (Flag::new(), Flag::new());
    /// let mut fut = pin!(async {
    ///     select! {
    ///         _ = FlagArm(&a, false) => "a",
    ///         _ = FlagArm(&b, false) => "b",
    ///     }
    /// });
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(fut.as_mut().poll(&mut cx).is_pending()); // waits on both flags
    /// let claim = |sel: &Selector, op, wakes: &mut WakeList| {
    ///     // SAFETY: `set_with` runs this holding its flag's lock, where the arm waits.
    ///     unsafe { sel.try_claim(op, wakes) }
    /// };
    /// assert_eq!(b.set_with(claim), Some(true)); // `b` completes the select's arm 1...
    /// assert_eq!(a.set_with(claim), Some(false)); // ...so `a` cannot complete arm 0 as well
    /// assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready("b"));
    /// ```
    #[inline]
    pub unsafe fn try_claim(&self, op: usize, wakes: &mut WakeList) -> bool {
        // First guess the usual state of a waiting selector, 0 (waiting, waker in place):
        // one CAS, no load before it. A wrong guess returns the state to go on from.
        let mut s = 0;
        loop {
            match self.st().compare_exchange_weak(
                s,
                claimed_state(op),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    if s & WOKEN == 0 {
                        // SAFETY: we turned WOKEN on, so we are the one taker.
                        unsafe { self.take_waker(wakes) };
                    }
                    return true;
                }
                Err(now) => {
                    if now >> CLAIM_SHIFT != 0 {
                        return false;
                    }
                    s = now;
                }
            }
        }
    }

    /// Wakes the selector (if nobody has yet) without claiming it.
    ///
    /// # Safety
    /// As for [`try_claim`](Self::try_claim).
    ///
    /// # Examples
    /// With `Flag` and `FlagArm` from the [`RawArm`](crate::RawArm) example, whose
    /// `Flag::set_with(f)` sets the flag and runs `f` on the selector and index of the
    /// arm waiting on the flag, if any, holding the flag's lock:
    /// ```
    /// use core::future::Future;
    /// use core::pin::pin;
    /// use core::task::{Context, Poll};
    /// use csp_core::{select, Chan};
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use std::task::{Wake, Waker};
    /// # mod flag { include!("doc_flag.rs"); } use flag::*;
    ///
    /// let flag = Flag::new();
    /// let ch: Chan<u32> = Chan::new();
    /// # struct Count(AtomicUsize);
    /// # impl Wake for Count {
    /// #     fn wake(self: Arc<Self>) {
    /// #         self.0.fetch_add(1, Ordering::Relaxed);
    /// #     }
    /// # }
    /// let count = Arc::new(Count(AtomicUsize::new(0)));
    /// let waker = Waker::from(count.clone());
    /// let mut cx = Context::from_waker(&waker);
    /// let mut fut = pin!(async {
    ///     select! {
    ///         v = ch.get() => v,
    ///         _ = FlagArm(&flag, false) => None,
    ///     }
    /// });
    /// assert!(fut.as_mut().poll(&mut cx).is_pending());
    /// let claimed = flag.set_with(|sel, _, wakes| {
    ///     // SAFETY: `set_with` runs this holding the flag's lock, where the arm waits.
    ///     unsafe { sel.notify(wakes) };
    ///     sel.is_claimed()
    /// });
    /// assert_eq!(claimed, Some(false)); // woken, not claimed...
    /// assert_eq!(count.0.load(Ordering::Relaxed), 1);
    /// assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(None)); // ...so it looks again
    /// ```
    #[inline]
    pub unsafe fn notify(&self, wakes: &mut WakeList) {
        if self.st().fetch_or(WOKEN, Ordering::AcqRel) & WOKEN == 0 {
            // SAFETY: we turned WOKEN on, so we are the one taker.
            unsafe { self.take_waker(wakes) };
        }
    }

    /// # Safety
    /// The caller turned `WOKEN` on for the current registration.
    #[inline]
    unsafe fn take_waker(&self, wakes: &mut WakeList) {
        // SAFETY: the caller is the single taker; the owner writes only with WOKEN set.
        if let Some(w) = self.waker.with_mut(|w| unsafe { (*w).take() }) {
            wakes.push(w);
        }
    }
}

/// A [`Selector`] that drops its waker when it goes away: for the owners whose waker
/// may outlive their nodes' time in a queue (a select, a stream, a sink).
pub(crate) struct OwnedSelector(Selector);

impl OwnedSelector {
    const_fn! {
        pub(crate) fn new() -> Self {
            OwnedSelector(Selector::new())
        }
    }
}

impl core::ops::Deref for OwnedSelector {
    type Target = Selector;
    #[inline(always)]
    fn deref(&self) -> &Selector {
        &self.0
    }
}

impl Drop for OwnedSelector {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: we are dropped, so our owner's nodes are in no queue any more (each
        // owner withdraws them first) and nobody else can reach the cell, which is
        // dropped once, here (not `drop_waker`, whose write-back of `None` would be a
        // store for nothing).
        self.0
            .waker
            .with_mut(|w| unsafe { ManuallyDrop::drop(&mut *w) })
    }
}

impl core::fmt::Debug for OwnedSelector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a node is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Phase {
    /// Not linked; not finished. Zero: see [`Waiter::idle_and_unexposed`].
    Idle = 0,
    /// In the channel's getter or putter queue.
    Linked,
    /// A counterpart claimed it and unlinked it: a put's value is gone; a get holds
    /// the value a put handed it, in `value`. The owner finishes it on its next poll.
    Claimed,
    /// Completed: a put delivered; a get holds its value in `value`.
    Done,
    /// Completed by the channel being closed: a put keeps its value, a get got nothing.
    Closed,
    /// The output was taken.
    Taken,
}

/// The mutable part of a node; see the module invariants for who may touch it when.
///
/// `repr(C)` keeps `value` last. With the default layout the compiler put the payload of
/// a get's `value: None` (undefined bytes) between defined fields, built the node in a
/// stack temporary and copied it into the future with 16-byte loads that straddled the
/// temporary's separate stores: two failed store-to-load forwards per `get()`, which
/// made a buffered get in a runtime's task 2× slower (seq/1024 on tokio current-thread:
/// 25 → 15 ns per message) without a single extra instruction.
#[derive(Debug)]
#[repr(C)]
pub(crate) struct Waiter<T> {
    /// Queue links (channel lock).
    pointers: Pointers<Waiter<T>>,
    /// The selector this node belongs to; set before linking.
    pub(crate) selector: *const Selector,
    /// Which of the selector's operations this node is (a select has at most
    /// `u32::MAX` arms; `u32` keeps the node small). Read only to claim the node; once
    /// a get node is claimed and handed a value it holds the hand-over's ticket instead
    /// (see `HandOver` in `state.rs`), until the node is linked again.
    pub(crate) op: u32,
    /// Life-cycle stage.
    pub(crate) phase: Phase,
    /// Woken by this channel and not yet polled again (the wake duty I-W).
    pub(crate) notified: bool,
    /// A waiting putter that was woken by the channel's close (each is told once).
    pub(crate) told_closed: bool,
    /// Owner-only: whether the node may be in a queue or hold a claim, so its owner
    /// must withdraw it under the lock before the memory goes away. Set by the owner
    /// when it links the node, cleared by the owner once it has seen the node leave
    /// (completed or withdrawn). Counterparts never touch it, so the owner may read it
    /// without the lock (unlike `phase`, which a claimer writes).
    pub(crate) exposed: bool,
    /// A put's value until delivered; a get's value once handed over or received.
    pub(crate) value: Option<T>,
}

/// The four one-byte fields from `phase` to `exposed`, read as one word.
const FLAGS: usize = core::mem::offset_of!(Waiter<()>, phase);
const _: () = {
    assert!(core::mem::offset_of!(Waiter<()>, notified) == FLAGS + 1);
    assert!(core::mem::offset_of!(Waiter<()>, told_closed) == FLAGS + 2);
    assert!(core::mem::offset_of!(Waiter<()>, exposed) == FLAGS + 3);
};

impl<T> Waiter<T> {
    /// `!exposed && phase == Idle`, tested as one word (a buffered get's quick path
    /// asks this on every message; two byte tests cost two more instructions).
    ///
    /// # Safety
    /// `w` is live, and the caller may read all four bytes: it holds the channel's lock
    /// (other parties write `phase`, `notified` and `told_closed` only under it).
    #[inline(always)]
    pub(crate) unsafe fn idle_and_unexposed(w: *const Self) -> bool {
        // `phase` is byte 0 of the word and `exposed` byte 3, whatever the endianness.
        const MASK: u32 = u32::from_ne_bytes([0xff, 0, 0, 0xff]);
        // SAFETY: the four bytes are initialised fields of one live `Waiter` (offsets
        // checked above, the layout is `repr(C)`) that the caller may read; the read is
        // unaligned-safe. `Phase::Idle` is 0 and `false` is 0.
        let word = unsafe { (w as *const u8).add(FLAGS).cast::<u32>().read_unaligned() };
        word & MASK == 0
    }
}

// SAFETY: `pointers` returns the address of the `pointers` field of the node.
unsafe impl<T> Link for Waiter<T> {
    #[inline]
    unsafe fn pointers(node: NonNull<Self>) -> NonNull<Pointers<Self>> {
        // SAFETY: `node` is live (caller); `addr_of_mut!` creates no reference.
        unsafe { NonNull::new_unchecked(core::ptr::addr_of_mut!((*node.as_ptr()).pointers)) }
    }
}

/// A wait-queue node, embedded in an operation future.
pub(crate) struct Node<T> {
    cell: core::cell::UnsafeCell<Waiter<T>>,
    /// Linked nodes are pointed at by their channel: they must not move.
    _pin: PhantomPinned,
}

// SAFETY: a node's fields are reached from other threads only under its channel's lock
// (module invariants), and what moves between threads through it is a `T: Send`.
unsafe impl<T: Send> Send for Node<T> {}
// SAFETY: as above: shared access from other threads happens only under the lock.
unsafe impl<T: Send> Sync for Node<T> {}

impl<T> Node<T> {
    pub(crate) const fn new(value: Option<T>) -> Self {
        Node {
            cell: core::cell::UnsafeCell::new(Waiter {
                pointers: Pointers::new(),
                selector: core::ptr::null(),
                op: 0,
                phase: Phase::Idle,
                notified: false,
                told_closed: false,
                exposed: false,
                value,
            }),
            _pin: PhantomPinned,
        }
    }

    /// Raw pointer to the node's fields; dereference only under the rules above.
    #[inline]
    pub(crate) fn ptr(&self) -> NonNull<Waiter<T>> {
        // SAFETY: `UnsafeCell::get` never returns null.
        unsafe { NonNull::new_unchecked(self.cell.get()) }
    }

    /// Whether the node may be linked or claimed (its owner must withdraw it under the
    /// lock before it goes away). Only the owner may ask.
    #[inline]
    pub(crate) fn is_exposed(&self) -> bool {
        // SAFETY: `exposed` is owner-only: nobody but the owner writes it.
        unsafe { (*self.ptr().as_ptr()).exposed }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::Waiter;
    use core::mem::{offset_of, size_of};

    /// The layout the `Waiter` docs explain: `value` is the last field, so a node with
    /// `value: None` has its undefined bytes at the end (a wall-clock matter that the
    /// instruction-count gate cannot see).
    #[test]
    fn a_nodes_value_is_its_last_field() {
        fn check<T>() {
            let end = offset_of!(Waiter<T>, value) + size_of::<Option<T>>();
            assert!(
                size_of::<Waiter<T>>() - end < core::mem::align_of::<Waiter<T>>(),
                "value is not last in Waiter<{}>",
                core::any::type_name::<T>()
            );
            assert!(offset_of!(Waiter<T>, value) >= offset_of!(Waiter<T>, exposed));
        }
        check::<u64>();
        check::<u8>();
        check::<[u64; 4]>();
        check::<&str>();
    }
}
