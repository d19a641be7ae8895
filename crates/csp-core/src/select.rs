//! Select: complete exactly one of several operations.
//!
//! # Implementation details
//! Each operation (an *arm*) belongs to one event source guarded by a lock — for a
//! channel arm, the channel's lock. One poll of a select (the *active step*):
//! 1. takes the locks of **all** its arms, in address order (an arm on a channel that
//!    another arm already named is not locked twice);
//! 2. if a counterpart has claimed one of its operations meanwhile, finishes that one;
//! 3. otherwise tries the arms — left to right when `biased`, from a random arm round
//!    the circle otherwise — and the first that can complete does, and the selector is
//!    marked claimed for it. Nobody can claim any other arm meanwhile, because a claim
//!    needs the lock of a channel where our node waits, and we hold them all;
//! 4. if none can, returns the default when there is one, or links every arm's node,
//!    stores the waker and returns `Pending`;
//! 5. withdraws every other arm (unlinking its node and passing on any notification),
//!    releases the locks in reverse order and only then calls the wakers it gathered.
//!
//! A select that gathers more wakers than fit on its stack releases its locks, wakes,
//! and resumes where it was (its arms are claimed or not yet linked, so nothing is lost
//! meanwhile). Dropping a select withdraws every arm the same way, and an arm whose
//! operation was claimed but not yet finished gives its value back (a put) or passes it
//! on (a get), so cancellation loses nothing.
//!
//! # Invariants (for the `unsafe` here)
//! - Lock pointers have their lifetime erased (`erase`); they are used only while the
//!   arm that borrows the lock's channel is borrowed.
//! - `Held::sorted[..n]` is initialised, sorted by address and free of repeats;
//!   `Held::arm[k]` (below `n`) is an enabled arm whose lock is at `sorted[k]`. Each of
//!   those locks is held from `lock_all` until `release` or the guard's drop, which
//!   releases it exactly once, through that arm, or, when `Held::spin` says every one
//!   of them is a `SpinLock` (each arm's `ArmLock::spin_lock` returned the very object
//!   its `lock` did), through the pointer in `sorted`. `spin_lock` is sealed: only
//!   `SpinLock` answers `Some`.
//! - Arm methods run with the locks their contracts name (see [`RawArm`]).

use core::fmt;
use core::future::Future;
use core::mem::MaybeUninit;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::lock::{RawLock, Sealed, SpinLock};
use crate::state::ARM_WAKES;
use crate::sync::random;
use crate::waiter::{OwnedSelector, Selector};
use crate::wake::WakeList;

/// The arm index a select returns when its `default` branch ran.
///
/// # Examples
/// ```
/// use core::pin::pin;
/// use csp_core::{Chan, Select, DEFAULT};
/// let ch: Chan<u8> = Chan::new();
/// let mut g = pin!(ch.get());
/// # csp_core::block_on(async {
/// assert_eq!(Select::new((Some(g.as_mut()),), false, true).await, DEFAULT);
/// # });
/// ```
pub const DEFAULT: usize = usize::MAX;

/// A lock as seen by a select: taken and released through a `dyn` reference and
/// ordered by address. Every [`RawLock`] is one.
///
/// # Examples
/// ```
/// use csp_core::ArmLock;
/// use csp_core::lock::{RawLock, SpinLock};
/// let l = SpinLock::INIT;
/// let dyn_lock: &dyn ArmLock = &l;
/// dyn_lock.acquire();
/// // SAFETY: we hold the lock: `acquire` just took it.
/// unsafe { dyn_lock.release() };
/// ```
pub trait ArmLock {
    /// Acquires the lock.
    ///
    /// # Examples
    /// ```
    /// use csp_core::ArmLock;
    /// use csp_core::lock::{RawLock, SpinLock};
    /// let l = SpinLock::INIT;
    /// (&l as &dyn ArmLock).acquire();
    /// assert!(!l.try_lock()); // held
    /// // SAFETY: we hold the lock: `acquire` took it.
    /// unsafe { l.release() };
    /// ```
    fn acquire(&self);
    /// Acquires the lock without backing off (see [`RawLock::lock_eager`]); how a
    /// select takes its locks. The default is [`acquire`](Self::acquire).
    ///
    /// # Examples
    /// A [`RawLock`] is taken with its [`lock_eager`](RawLock::lock_eager); any other
    /// `ArmLock` gets [`acquire`](Self::acquire) unless it overrides this method:
    /// ```
    /// use core::cell::Cell;
    /// use csp_core::ArmLock;
    /// use csp_core::lock::{RawLock, SpinLock};
    ///
    /// let l = SpinLock::INIT;
    /// l.acquire_eager();
    /// assert!(!l.try_lock()); // held
    /// // SAFETY: we hold the lock: `acquire_eager` took it.
    /// unsafe { l.release() };
    ///
    /// /// A lock that counts how often it was taken.
    /// struct Counted(SpinLock, Cell<u32>);
    /// impl ArmLock for Counted {
    ///     fn acquire(&self) {
    ///         self.0.lock();
    ///         self.1.set(self.1.get() + 1);
    ///     }
    ///     unsafe fn release(&self) {
    ///         // SAFETY: our caller holds the lock (the contract of `release`).
    ///         unsafe { self.0.unlock() }
    ///     }
    /// }
    /// let c = Counted(SpinLock::INIT, Cell::new(0));
    /// c.acquire_eager();
    /// assert_eq!(c.1.get(), 1); // by way of `acquire`
    /// // SAFETY: we hold the lock: `acquire_eager` took it.
    /// unsafe { c.release() };
    /// ```
    fn acquire_eager(&self) {
        self.acquire()
    }
    /// Releases the lock.
    ///
    /// # Safety
    /// The caller holds the lock.
    ///
    /// # Examples
    /// ```
    /// use csp_core::ArmLock;
    /// use csp_core::lock::{RawLock, SpinLock};
    /// let l = SpinLock::INIT;
    /// let dyn_lock: &dyn ArmLock = &l;
    /// dyn_lock.acquire();
    /// // SAFETY: we hold the lock: `acquire` just took it.
    /// unsafe { dyn_lock.release() };
    /// assert!(l.try_lock()); // free again
    /// // SAFETY: we hold the lock: `try_lock` just took it.
    /// unsafe { l.unlock() };
    /// ```
    unsafe fn release(&self);

    /// This lock as a [`SpinLock`], when it is one. A select whose arms' locks all are
    /// takes and releases them through the addresses it sorted them by, without
    /// dispatching to each arm again (select2/0 915 → 898 instructions per message,
    /// select_both/0 2 221 → 2 060). Sealed: nobody outside this crate can name
    /// [`Sealed`], so only the implementation for every [`RawLock`] overrides the
    /// default, with [`RawLock::as_spin_lock`], itself sealed.
    #[doc(hidden)]
    #[inline(always)]
    fn spin_lock(&self, _: Sealed) -> Option<&SpinLock> {
        None
    }
}

impl<L: RawLock> ArmLock for L {
    #[inline(always)]
    fn spin_lock(&self, seal: Sealed) -> Option<&SpinLock> {
        self.as_spin_lock(seal)
    }
    #[inline]
    fn acquire(&self) {
        self.lock()
    }
    #[inline]
    fn acquire_eager(&self) {
        self.lock_eager()
    }
    #[inline]
    unsafe fn release(&self) {
        // SAFETY: forwarded contract.
        unsafe { self.unlock() }
    }
}

/// What an arm method gets to work with: the selector it belongs to, its index, and
/// the list where it leaves the wakers it owes. See `tests/custom_arm.rs` for an event
/// source built on it.
///
/// # Examples
/// A select makes one for every call of a [`RawArm`] method. An event source that is
/// always ready, and that owes a wake-up to an observer when it completes:
/// ```
/// use core::cell::Cell;
/// use core::pin::{pin, Pin};
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
/// use std::task::{Wake, Waker};
/// use csp_core::lock::{RawLock, SpinLock};
/// use csp_core::{ArmCx, ArmLock, Chan, RawArm, Select};
///
/// struct Ready<'a> {
///     /// The source's lock: outside the arm (see `RawArm`'s safety contract).
///     lock: &'a SpinLock,
///     observer: Waker,
///     /// The index it completed as.
///     op: Cell<Option<usize>>,
/// }
///
/// // SAFETY: it completes only in `try_complete`, never waits (so it keeps no
/// // selector), and pushes one waker; its lock is not part of the arm.
/// unsafe impl RawArm for Ready<'_> {
///     fn lock(&self) -> &dyn ArmLock {
///         self.lock
///     }
///     unsafe fn try_complete(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) -> bool {
///         assert!(!cx.selector().is_claimed());
///         self.op.set(Some(cx.op()));
///         cx.wakes().push(self.observer.clone());
///         true
///     }
///     unsafe fn wait(self: Pin<&mut Self>, _: &mut ArmCx<'_>) {}
///     unsafe fn finish(self: Pin<&mut Self>, _: &mut ArmCx<'_>) {}
///     unsafe fn withdraw(self: Pin<&mut Self>, _: &mut ArmCx<'_>) {}
/// }
///
/// struct Count(AtomicUsize);
/// impl Wake for Count {
///     fn wake(self: Arc<Self>) {
///         self.0.fetch_add(1, Ordering::Relaxed);
///     }
/// }
///
/// let woken = Arc::new(Count(AtomicUsize::new(0)));
/// let ch: Chan<u8> = Chan::new();
/// let mut get = pin!(ch.get());
/// let lock = SpinLock::INIT;
/// let mut ready = pin!(Ready {
///     lock: &lock,
///     observer: Waker::from(woken.clone()),
///     op: Cell::new(None),
/// });
/// let sel = Select::new((Some(get.as_mut()), Some(ready.as_mut())), true, false);
/// assert_eq!(sel.try_now(), Some(1));
/// assert_eq!(ready.op.get(), Some(1));
/// assert_eq!(woken.0.load(Ordering::Relaxed), 1);
/// ```
pub struct ArmCx<'a> {
    selector: &'a Selector,
    op: usize,
    wakes: &'a mut WakeList,
}

impl fmt::Debug for ArmCx<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArmCx")
            .field("op", &self.op)
            .finish_non_exhaustive()
    }
}

impl<'a> ArmCx<'a> {
    pub(crate) fn new(selector: &'a Selector, op: usize, wakes: &'a mut WakeList) -> Self {
        ArmCx {
            selector,
            op,
            wakes,
        }
    }

    /// The waiting party this arm belongs to. Store a pointer to it in the wait queue
    /// entry; it stays valid until [`RawArm::withdraw`] or [`RawArm::finish`] returns.
    ///
    /// # Examples
    /// An event source that never completes, whose wait entry is a `Cell`: all arms of
    /// a select wait for the same selector, and `withdraw` sees the one `wait` stored.
    /// ```
    /// use core::cell::Cell;
    /// use core::future::Future;
    /// use core::pin::{pin, Pin};
    /// use core::ptr;
    /// use core::task::{Context, Waker};
    /// use csp_core::lock::{RawLock, SpinLock};
    /// use csp_core::{ArmCx, ArmLock, RawArm, Select, Selector};
    ///
    /// struct Never<'a> {
    ///     /// The source's lock: outside the arm (see `RawArm`'s safety contract).
    ///     lock: &'a SpinLock,
    ///     entry: &'a Cell<*const Selector>,
    /// }
    ///
    /// // SAFETY: it never completes and nobody claims it; `withdraw` empties the entry,
    /// // the only place that keeps the selector; it pushes no wakers; its lock is not
    /// // part of the arm.
    /// unsafe impl RawArm for Never<'_> {
    ///     fn lock(&self) -> &dyn ArmLock {
    ///         self.lock
    ///     }
    ///     unsafe fn try_complete(self: Pin<&mut Self>, _: &mut ArmCx<'_>) -> bool {
    ///         false
    ///     }
    ///     unsafe fn wait(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
    ///         self.entry.set(cx.selector());
    ///     }
    ///     unsafe fn finish(self: Pin<&mut Self>, _: &mut ArmCx<'_>) {
    ///         unreachable!("nobody claims it");
    ///     }
    ///     unsafe fn withdraw(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
    ///         assert!(ptr::eq(self.entry.replace(ptr::null()), cx.selector()));
    ///     }
    /// }
    ///
    /// let (a, b) = (Cell::new(ptr::null()), Cell::new(ptr::null()));
    /// let (lock_a, lock_b) = (SpinLock::INIT, SpinLock::INIT);
    /// {
    ///     let mut x = pin!(Never { lock: &lock_a, entry: &a });
    ///     let mut y = pin!(Never { lock: &lock_b, entry: &b });
    ///     let mut sel = pin!(Select::new((Some(x.as_mut()), Some(y.as_mut())), false, false));
    ///     assert!(sel.as_mut().poll(&mut Context::from_waker(Waker::noop())).is_pending());
    ///     assert!(!a.get().is_null() && ptr::eq(a.get(), b.get()));
    /// } // dropping the select withdraws both arms
    /// assert!(a.get().is_null() && b.get().is_null());
    /// ```
    pub fn selector(&self) -> &'a Selector {
        self.selector
    }
    /// This arm's index in its select.
    ///
    /// # Examples
    /// An event source that is always ready and reports the index it completed as:
    /// ```
    /// use core::cell::Cell;
    /// use core::pin::{pin, Pin};
    /// use csp_core::lock::{RawLock, SpinLock};
    /// use csp_core::{ArmCx, ArmLock, Chan, RawArm, Select};
    ///
    /// /// An arm on a source with lock `.0` (outside the arm, see `RawArm`'s safety
    /// /// contract) that records its index in `.1`.
    /// struct Ready<'a>(&'a SpinLock, &'a Cell<Option<usize>>);
    ///
    /// // SAFETY: it completes only in `try_complete`, never waits (so it keeps no
    /// // selector), and pushes no wakers; its lock is not part of the arm.
    /// unsafe impl RawArm for Ready<'_> {
    ///     fn lock(&self) -> &dyn ArmLock {
    ///         self.0
    ///     }
    ///     unsafe fn try_complete(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) -> bool {
    ///         self.1.set(Some(cx.op()));
    ///         true
    ///     }
    ///     unsafe fn wait(self: Pin<&mut Self>, _: &mut ArmCx<'_>) {}
    ///     unsafe fn finish(self: Pin<&mut Self>, _: &mut ArmCx<'_>) {}
    ///     unsafe fn withdraw(self: Pin<&mut Self>, _: &mut ArmCx<'_>) {}
    /// }
    ///
    /// let ch: Chan<u8> = Chan::new();
    /// let op = Cell::new(None);
    /// let (mut g0, mut g1) = (pin!(ch.get()), pin!(ch.get()));
    /// let lock = SpinLock::INIT;
    /// let mut ready = pin!(Ready(&lock, &op));
    /// let arms = (Some(g0.as_mut()), Some(g1.as_mut()), Some(ready.as_mut()));
    /// assert_eq!(Select::new(arms, true, false).try_now(), Some(2));
    /// assert_eq!(op.get(), Some(2));
    /// ```
    pub fn op(&self) -> usize {
        self.op
    }
    /// Where to put wakers to be called once every lock is released. An arm method may
    /// push at most four.
    ///
    /// # Examples
    /// An event source that is always ready and owes `observer` a wake-up when it
    /// completes; the observer finds the source's lock free when it is woken:
    /// ```
    /// use core::pin::{pin, Pin};
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::sync::Arc;
    /// use std::task::{Wake, Waker};
    /// use csp_core::lock::{RawLock, SpinLock};
    /// use csp_core::{ArmCx, ArmLock, RawArm, Select};
    ///
    /// static LOCK: SpinLock = SpinLock::INIT;
    ///
    /// struct Ready {
    ///     observer: Waker,
    /// }
    ///
    /// // SAFETY: it completes only in `try_complete`, never waits (so it keeps no
    /// // selector), and pushes one waker.
    /// unsafe impl RawArm for Ready {
    ///     fn lock(&self) -> &dyn ArmLock {
    ///         &LOCK
    ///     }
    ///     unsafe fn try_complete(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) -> bool {
    ///         cx.wakes().push(self.observer.clone()); // not called here: we hold `LOCK`
    ///         true
    ///     }
    ///     unsafe fn wait(self: Pin<&mut Self>, _: &mut ArmCx<'_>) {}
    ///     unsafe fn finish(self: Pin<&mut Self>, _: &mut ArmCx<'_>) {}
    ///     unsafe fn withdraw(self: Pin<&mut Self>, _: &mut ArmCx<'_>) {}
    /// }
    ///
    /// /// Set when woken with `LOCK` free.
    /// struct Observer(AtomicBool);
    /// impl Wake for Observer {
    ///     fn wake(self: Arc<Self>) {
    ///         if LOCK.try_lock() {
    ///             // SAFETY: we hold the lock: `try_lock` just took it.
    ///             unsafe { LOCK.unlock() };
    ///             self.0.store(true, Ordering::Relaxed);
    ///         }
    ///     }
    /// }
    ///
    /// let observer = Arc::new(Observer(AtomicBool::new(false)));
    /// let mut ready = pin!(Ready { observer: Waker::from(observer.clone()) });
    /// assert_eq!(Select::new((Some(ready.as_mut()),), false, false).try_now(), Some(0));
    /// assert!(observer.0.load(Ordering::Relaxed));
    /// ```
    pub fn wakes(&mut self) -> &mut WakeList {
        self.wakes
    }
}

/// An operation that can take part in a select: the object-safe part.
///
/// Channels' [`Get`](crate::Get) and [`Put`](crate::Put) implement it; other event
/// sources can too, provided they follow the protocol of `docs/design.md`: keep a wait
/// entry that points at the [`Selector`], and complete an operation on behalf of a
/// waiting select only after winning [`Selector::try_claim`] under their lock.
///
/// # Safety
/// Implementations must:
/// - return the same lock from every call to [`lock`](RawArm::lock), and guard all state
///   that `try_complete`, `wait`, `finish` and `withdraw` touch with it;
/// - keep that lock outside the arm's own memory, in the event source the arm refers to
///   (as a channel's [`Get`](crate::Get) and [`Put`](crate::Put) refer to their
///   channel): a select holds the reference `lock` returned while it calls the arm's
///   `Pin<&mut Self>` methods, and a `&mut` to the arm must not cover it;
/// - complete (make their output available) only in `try_complete` returning `true` or in
///   `finish`, never otherwise;
/// - after `withdraw` returns, hold no pointer to the selector;
/// - push at most four wakers per call.
///
/// # Examples
/// A one-shot flag that a select can wait on, next to a channel (a shorter
/// `tests/custom_arm.rs`):
/// ```
#[doc = include_str!("doc_flag.rs")]
///
/// use core::future::Future;
/// use core::pin::pin;
/// use core::task::{Context, Poll, Waker};
/// use csp_core::buffer::Fixed;
/// use csp_core::{select, Chan};
///
/// let flag = Flag::new();
/// let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
/// let mut fut = pin!(async {
///     select! {
///         _ = FlagArm(&flag, false) => "flag",
///         v = ch.get() => if v.is_some() { "value" } else { "closed" },
///     }
/// });
/// let mut cx = Context::from_waker(Waker::noop());
/// assert!(fut.as_mut().poll(&mut cx).is_pending()); // both arms wait
/// assert_eq!(flag.waiter(), Some(0));
/// flag.set(); // claims the select for the flag arm...
/// ch.try_put(5).unwrap(); // ...so its channel arm takes nothing
/// assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready("flag"));
/// assert_eq!(ch.try_get(), Ok(5));
/// ```
pub unsafe trait RawArm {
    /// The lock of the event source.
    ///
    /// # Examples
    /// Every operation on a channel names the channel's lock, and only that:
    /// ```
    /// use csp_core::{Chan, RawArm};
    /// let a: Chan<u8> = Chan::new();
    /// let b: Chan<u8> = Chan::new();
    /// let (get_a, get_b) = (a.get(), b.get());
    /// assert!(core::ptr::addr_eq(get_a.lock(), a.get().lock()));
    /// assert!(core::ptr::addr_eq(get_a.lock(), a.put(1).lock()));
    /// assert!(!core::ptr::addr_eq(get_a.lock(), get_b.lock()));
    /// ```
    ///
    /// The `lock` of `FlagArm` in the [`RawArm`] example is its flag's lock:
    /// `&self.0.lock`.
    fn lock(&self) -> &dyn ArmLock;

    /// Completes the operation now if it can; returns whether it did.
    ///
    /// # Safety
    /// The lock is held; the selector is not claimed.
    ///
    /// # Examples
    /// With `Flag` and `FlagArm` from the [`RawArm`] example, whose `try_complete` reads
    /// the flag:
    /// ```
    /// use core::pin::pin;
    /// use csp_core::{Chan, Select};
    ///
    /// # mod flag { include!("doc_flag.rs"); } use flag::*;
    ///
    /// let flag = Flag::new();
    /// let ch: Chan<u32> = Chan::new();
    /// let (mut get, mut arm) = (pin!(ch.get()), pin!(FlagArm(&flag, false)));
    /// let sel = Select::new((Some(get.as_mut()), Some(arm.as_mut())), true, false);
    /// assert_eq!(sel.try_now(), None); // not set: cannot complete
    /// assert!(!arm.1);
    /// flag.set();
    /// let sel = Select::new((Some(get.as_mut()), Some(arm.as_mut())), true, false);
    /// assert_eq!(sel.try_now(), Some(1)); // set: completes at once
    /// assert!(arm.1);
    /// ```
    unsafe fn try_complete(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) -> bool;

    /// The operation cannot complete now: enter (or stay in) the wait queue.
    ///
    /// # Safety
    /// The lock is held; `try_complete` just returned false with this selector.
    ///
    /// # Examples
    /// With `Flag` and `FlagArm` from the [`RawArm`] example, whose `wait` puts the arm
    /// in the flag's single wait entry:
    /// ```
    /// use core::future::Future;
    /// use core::pin::pin;
    /// use core::task::{Context, Poll, Waker};
    /// use csp_core::{select, Chan};
    ///
    /// # mod flag { include!("doc_flag.rs"); } use flag::*;
    ///
    /// let flag = Flag::new();
    /// let ch: Chan<u32> = Chan::new();
    /// let mut fut = pin!(async {
    ///     select! {
    ///         _ = ch.get() => "value",
    ///         _ = FlagArm(&flag, false) => "flag",
    ///     }
    /// });
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(fut.as_mut().poll(&mut cx).is_pending()); // nothing is ready: every arm waits
    /// assert_eq!(flag.waiter(), Some(1)); // arm 1 is in the flag's wait entry...
    /// flag.set(); // ...where `set` finds it
    /// assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready("flag"));
    /// ```
    unsafe fn wait(self: Pin<&mut Self>, cx: &mut ArmCx<'_>);

    /// A counterpart claimed this arm: complete it.
    ///
    /// # Safety
    /// The lock is held; the selector is claimed for this arm.
    ///
    /// # Examples
    /// With `Flag` and `FlagArm` from the [`RawArm`] example: `Flag::set` claims the
    /// waiting select for the flag arm, and the select's next poll calls `finish`:
    /// ```
    /// use core::future::Future;
    /// use core::pin::pin;
    /// use core::task::{Context, Poll, Waker};
    /// use csp_core::{Chan, Select};
    ///
    /// # mod flag { include!("doc_flag.rs"); } use flag::*;
    ///
    /// let flag = Flag::new();
    /// let ch: Chan<u32> = Chan::new();
    /// let mut arm = pin!(FlagArm(&flag, false));
    /// let mut get = pin!(ch.get());
    /// {
    ///     let mut sel = pin!(Select::new((Some(get.as_mut()), Some(arm.as_mut())), false, false));
    ///     let mut cx = Context::from_waker(Waker::noop());
    ///     assert!(sel.as_mut().poll(&mut cx).is_pending());
    ///     flag.set(); // claims the waiting select for arm 1...
    ///     assert_eq!(sel.as_mut().poll(&mut cx), Poll::Ready(1)); // ...which it finishes
    /// }
    /// assert!(arm.1);
    /// ```
    unsafe fn finish(self: Pin<&mut Self>, cx: &mut ArmCx<'_>);

    /// Leave the wait queue without completing (or hand back a claim that will never be
    /// finished). Called for every arm that did not win, and for all arms of a select
    /// dropped before it completed.
    ///
    /// # Safety
    /// The lock is held.
    ///
    /// # Examples
    /// With `Flag` and `FlagArm` from the [`RawArm`] example, whose `withdraw` empties
    /// the flag's wait entry if this select is in it:
    /// ```
    /// use core::future::Future;
    /// use core::pin::pin;
    /// use core::task::{Context, Poll, Waker};
    /// use csp_core::{select, Chan};
    ///
    /// # mod flag { include!("doc_flag.rs"); } use flag::*;
    ///
    /// let flag = Flag::new();
    /// let ch: Chan<u32> = Chan::new();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// {
    ///     let mut fut = pin!(async {
    ///         select! { v = ch.get() => v, _ = FlagArm(&flag, false) => None }
    ///     });
    ///     assert!(fut.as_mut().poll(&mut cx).is_pending());
    ///     assert_eq!(flag.waiter(), Some(1));
    /// } // dropped while it waits: every arm is withdrawn
    /// assert_eq!(flag.waiter(), None);
    ///
    /// let mut fut = pin!(async {
    ///     select! { v = ch.get() => v, _ = FlagArm(&flag, false) => None }
    /// });
    /// assert!(fut.as_mut().poll(&mut cx).is_pending());
    /// assert_eq!(flag.waiter(), Some(1));
    /// ch.try_put(7).unwrap(); // the channel arm wins...
    /// assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(Some(7)));
    /// assert_eq!(flag.waiter(), None); // ...and the flag arm was withdrawn
    /// ```
    unsafe fn withdraw(self: Pin<&mut Self>, cx: &mut ArmCx<'_>);
}

/// An operation that can take part in a select, with its typed result.
///
/// # Examples
/// ```
/// use core::pin::pin;
/// use csp_core::{select_slice, Arm, Chan};
/// use csp_core::buffer::Fixed;
/// let ch: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
/// ch.try_put(9).unwrap();
/// let mut arms = pin!([ch.get()]);
/// # csp_core::block_on(async {
/// let i = select_slice(arms.as_mut(), true).await;
/// assert_eq!(csp_core::pin_index(arms.as_mut(), i).take_output(), Some(9));
/// # });
/// ```
pub trait Arm: RawArm {
    /// The result of the operation.
    type Output;

    /// Takes the result after the operation completed.
    ///
    /// # Panics
    /// If the operation has not completed, or its result was already taken.
    ///
    /// # Examples
    /// ```
    /// use core::panic::AssertUnwindSafe;
    /// use core::pin::pin;
    /// use csp_core::buffer::Fixed;
    /// use csp_core::{Arm, Chan, Select};
    ///
    /// let ch: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
    /// ch.try_put(3).unwrap();
    /// let mut get = pin!(ch.get());
    /// assert_eq!(Select::new((Some(get.as_mut()),), false, false).try_now(), Some(0));
    /// assert_eq!(get.as_mut().take_output(), Some(3));
    /// // Taken already: a second take panics.
    /// let again = std::panic::catch_unwind(AssertUnwindSafe(|| get.as_mut().take_output()));
    /// assert!(again.is_err());
    /// ```
    fn take_output(self: Pin<&mut Self>) -> Self::Output;
}

/// A set of arms a select chooses from: tuples of `Option<Pin<&mut A>>` (what
/// [`select!`](crate::select!) builds; `None` disables an arm), arrays of
/// `Option<Pin<&mut dyn RawArm>>`, and pinned slices of one arm type.
///
/// # Examples
/// ```
/// use core::pin::pin;
/// use csp_core::{ArmSet, Chan};
/// let ch: Chan<u8> = Chan::new();
/// let mut g = pin!(ch.get());
/// let set = (Some(g.as_mut()), None::<core::pin::Pin<&mut csp_core::Get<'_, u8>>>);
/// assert_eq!(set.len(), 2);
/// ```
pub trait ArmSet {
    /// How many arms (enabled or not).
    ///
    /// # Examples
    /// ```
    /// use core::pin::{pin, Pin};
    /// use csp_core::{ArmSet, Chan, RawArm};
    /// let ch: Chan<u8> = Chan::new();
    /// let mut gets = pin!([ch.get(), ch.get(), ch.get()]);
    /// let slice: Pin<&mut [_]> = gets.as_mut();
    /// assert_eq!(ArmSet::len(&slice), 3);
    /// let mut g = pin!(ch.get());
    /// let array: [Option<Pin<&mut dyn RawArm>>; 2] = [None, Some(g.as_mut())];
    /// assert_eq!(ArmSet::len(&array), 2); // disabled arms count too
    /// ```
    fn len(&self) -> usize;
    /// Whether there are no arms at all.
    ///
    /// # Examples
    /// ```
    /// use core::pin::{pin, Pin};
    /// use csp_core::{ArmSet, Get};
    /// let none: Pin<&mut [Get<'_, u8>]> = pin!([]);
    /// assert!(ArmSet::is_empty(&none));
    /// let one_disabled = (None::<Pin<&mut Get<'_, u8>>>,);
    /// assert!(!one_disabled.is_empty()); // a disabled arm is still an arm
    /// ```
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Runs `f` on arm `i`; `None` when the arm is disabled. Implementations call `f`
    /// with the concrete arm, so after inlining the calls are static.
    ///
    /// # Examples
    /// ```
    /// use core::pin::{pin, Pin};
    /// use csp_core::{ArmSet, Chan, Get, RawArm};
    /// let ch: Chan<u8> = Chan::new();
    /// let mut g = pin!(ch.get());
    /// let mut set = (None::<Pin<&mut Get<'_, u8>>>, Some(g.as_mut()));
    /// assert_eq!(set.with_arm(0, |_| "enabled"), None);
    /// let other = ch.put(1);
    /// let same_lock = set.with_arm(1, |arm| core::ptr::addr_eq(arm.lock(), other.lock()));
    /// assert_eq!(same_lock, Some(true)); // `f` got the get on `ch`
    /// ```
    fn with_arm<R>(&mut self, i: usize, f: impl FnOnce(Pin<&mut dyn RawArm>) -> R) -> Option<R>;
}

impl<const N: usize> ArmSet for [Option<Pin<&mut dyn RawArm>>; N] {
    #[inline]
    fn len(&self) -> usize {
        N
    }
    #[inline]
    fn with_arm<R>(&mut self, i: usize, f: impl FnOnce(Pin<&mut dyn RawArm>) -> R) -> Option<R> {
        self[i].as_mut().map(|a| f(a.as_mut()))
    }
}

/// Tuples of optional pinned arms (`None`: disabled), as `select!` builds them. A tuple
/// keeps each arm's concrete type, so the select future is `Send` exactly when its
/// arms are; the `dyn` view is made only for the duration of each call.
macro_rules! tuple_arm_set {
    ($($idx:tt $A:ident),+) => {
        impl<'a, $($A: RawArm),+> ArmSet for ($(Option<Pin<&'a mut $A>>,)+) {
            #[inline]
            fn len(&self) -> usize {
                [$($idx),+].len()
            }
            #[inline(always)]
            fn with_arm<R>(
                &mut self,
                i: usize,
                f: impl FnOnce(Pin<&mut dyn RawArm>) -> R,
            ) -> Option<R> {
                match i {
                    $($idx => self.$idx.as_mut().map(|a| f(a.as_mut() as Pin<&mut dyn RawArm>)),)+
                    _ => None,
                }
            }
        }
    };
}

tuple_arm_set!(0 A0);
tuple_arm_set!(0 A0, 1 A1);
tuple_arm_set!(0 A0, 1 A1, 2 A2);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16, 17 A17);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16, 17 A17, 18 A18);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16, 17 A17, 18 A18, 19 A19);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16, 17 A17, 18 A18, 19 A19, 20 A20);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16, 17 A17, 18 A18, 19 A19, 20 A20, 21 A21);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16, 17 A17, 18 A18, 19 A19, 20 A20, 21 A21, 22 A22);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16, 17 A17, 18 A18, 19 A19, 20 A20, 21 A21, 22 A22, 23 A23);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16, 17 A17, 18 A18, 19 A19, 20 A20, 21 A21, 22 A22, 23 A23, 24 A24);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16, 17 A17, 18 A18, 19 A19, 20 A20, 21 A21, 22 A22, 23 A23, 24 A24, 25 A25);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16, 17 A17, 18 A18, 19 A19, 20 A20, 21 A21, 22 A22, 23 A23, 24 A24, 25 A25, 26 A26);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16, 17 A17, 18 A18, 19 A19, 20 A20, 21 A21, 22 A22, 23 A23, 24 A24, 25 A25, 26 A26, 27 A27);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16, 17 A17, 18 A18, 19 A19, 20 A20, 21 A21, 22 A22, 23 A23, 24 A24, 25 A25, 26 A26, 27 A27, 28 A28);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16, 17 A17, 18 A18, 19 A19, 20 A20, 21 A21, 22 A22, 23 A23, 24 A24, 25 A25, 26 A26, 27 A27, 28 A28, 29 A29);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16, 17 A17, 18 A18, 19 A19, 20 A20, 21 A21, 22 A22, 23 A23, 24 A24, 25 A25, 26 A26, 27 A27, 28 A28, 29 A29, 30 A30);
tuple_arm_set!(0 A0, 1 A1, 2 A2, 3 A3, 4 A4, 5 A5, 6 A6, 7 A7, 8 A8, 9 A9, 10 A10, 11 A11, 12 A12, 13 A13, 14 A14, 15 A15, 16 A16, 17 A17, 18 A18, 19 A19, 20 A20, 21 A21, 22 A22, 23 A23, 24 A24, 25 A25, 26 A26, 27 A27, 28 A28, 29 A29, 30 A30, 31 A31);

impl<A: RawArm> ArmSet for Pin<&mut [A]> {
    #[inline]
    fn len(&self) -> usize {
        (**self).len()
    }
    #[inline]
    fn with_arm<R>(&mut self, i: usize, f: impl FnOnce(Pin<&mut dyn RawArm>) -> R) -> Option<R> {
        // SAFETY: the slice is pinned, so each element is pinned too (we never move one).
        Some(f(unsafe { self.as_mut().map_unchecked_mut(|s| &mut s[i]) }))
    }
}

/// A lock pointer with its lifetime erased; see `Held`.
pub(crate) type LockPtr = *const (dyn ArmLock + 'static);

/// How many distinct locks `Held` remembers inline; larger sets are scanned instead.
const SMALL: usize = 8;

/// The locks of an arm set, held; released in reverse order when dropped.
///
/// For up to [`SMALL`] distinct locks the sorted lock addresses are kept inline, with
/// the arm each one belongs to, so each arm is asked for its lock once per pass.
/// Larger sets are locked by repeated scans for the next higher address (no storage
/// needed).
struct Held<'s, S: ArmSet + ?Sized> {
    arms: &'s mut S,
    /// The locks, sorted by address and distinct; valid below `n` when `n <= SMALL`.
    sorted: [MaybeUninit<*const ()>; SMALL],
    /// `arm[k]` is an enabled arm whose lock is at `sorted[k]` (valid likewise). Unless
    /// they are all `SpinLock`s (`spin`), locks are taken and released through their
    /// arm, where its concrete type is known:
    /// calls through a `dyn ArmLock` pointer, a `memmove` of those pointers as they
    /// were sorted, and a release out of line cost select2/0 10, select_both/0 88
    /// instructions per message.
    arm: [MaybeUninit<usize>; SMALL],
    /// Distinct locks held; more than `SMALL` means "use the scan".
    n: usize,
    /// Address of the highest lock taken (for the scan), or 0 when none is held.
    top: usize,
    /// Whether every lock in `sorted` is a [`SpinLock`], taken and released through
    /// its pointer there rather than through its arm (only when `n <= SMALL`).
    spin: bool,
}

pub(crate) fn erase(l: &dyn ArmLock) -> LockPtr {
    // SAFETY: only the lifetime changes; `Held` uses the pointer while the arm that
    // borrows the lock's channel is borrowed, so the lock outlives every use.
    unsafe { core::mem::transmute::<*const (dyn ArmLock + '_), LockPtr>(l) }
}

impl<'s, S: ArmSet + ?Sized> Held<'s, S> {
    /// A guard that holds nothing yet; [`lock_all`](Self::lock_all) fills it in place.
    #[inline(always)]
    fn new(arms: &'s mut S) -> Self {
        Held {
            arms,
            // SAFETY: an array of `MaybeUninit` needs no initialisation.
            sorted: unsafe {
                MaybeUninit::<[MaybeUninit<*const ()>; SMALL]>::uninit().assume_init()
            },
            // SAFETY: as for `sorted`.
            arm: unsafe { MaybeUninit::<[MaybeUninit<usize>; SMALL]>::uninit().assume_init() },
            n: 0,
            top: 0,
            spin: false,
        }
    }

    /// Takes the lock of every enabled arm, each lock once, in increasing address order.
    ///
    /// It fills the guard in place, `sorted` uninitialised beyond the prefix in use:
    /// initialising and moving a guard of 128 bytes of lock pointers cost a rendezvous
    /// select about 25 instructions per message.
    #[inline]
    fn lock_all(&mut self) {
        debug_assert_eq!(self.n, 0);
        let held = self;
        let len = held.arms.len();
        let (sorted, arm) = (&mut held.sorted, &mut held.arm);
        let mut n = 0usize;
        // Whether every enabled arm's lock is a `SpinLock`: the arm's `lock` and
        // `spin_lock` name the same object. Known at compile time for `select!`'s
        // tuples, where every arm's type is.
        let mut spin = true;
        for i in 0..len {
            let Some((l, is_spin)) = held.arms.with_arm(i, |a| {
                let l = a.lock();
                // (The address test costs nothing where the types are known.)
                let is_spin = l
                    .spin_lock(Sealed)
                    .is_some_and(|s| core::ptr::addr_eq(s, l));
                (erase(l), is_spin)
            }) else {
                continue;
            };
            spin &= is_spin;
            if n >= SMALL {
                n += 1;
                continue;
            }
            // The address of entry `k`, which must be below `n`.
            let at = |k: usize| {
                debug_assert!(k < n);
                // SAFETY: the entries below `n` are initialised, and callers pass `k < n`.
                unsafe { sorted[k].assume_init().addr() }
            };
            let a = addr(l);
            // Insertion into the sorted prefix, skipping a lock already there.
            let mut k = n;
            while k > 0 && at(k - 1) > a {
                k -= 1;
            }
            if k > 0 && at(k - 1) == a {
                continue;
            }
            // Make room at `k` one entry at a time: `copy_within` became a call to
            // `memmove` on every pass, even with nothing to move.
            let mut j = n;
            while j > k {
                sorted[j] = sorted[j - 1];
                arm[j] = arm[j - 1];
                j -= 1;
            }
            sorted[k] = MaybeUninit::new(l as *const ());
            arm[k] = MaybeUninit::new(i);
            n += 1;
        }
        if n <= SMALL {
            if spin {
                for p in &sorted[..n] {
                    // SAFETY: initialised below `n`; each is the lock of an enabled arm,
                    // a `SpinLock` (`spin`), alive while the arms are borrowed.
                    unsafe { (*p.assume_init().cast::<SpinLock>()).lock_eager() };
                }
            } else {
                for i in &arm[..n] {
                    // SAFETY: initialised below `n`, each an enabled arm (see `arm`).
                    let i = unsafe { i.assume_init() };
                    held.arms.with_arm(i, |a| a.lock().acquire_eager());
                }
            }
            if n > 0 {
                // SAFETY: initialised (below `n`).
                held.top = unsafe { sorted[n - 1].assume_init().addr() };
            }
            held.n = n;
            held.spin = spin;
        } else {
            held.lock_scan(n);
        }
    }

    /// `lock_all` for more than [`SMALL`] distinct locks (`n` of them, counted).
    #[cold]
    #[inline(never)]
    fn lock_scan(&mut self, n: usize) {
        let held = self;
        let len = held.arms.len();
        let mut last = 0usize;
        loop {
            let mut next: Option<LockPtr> = None;
            for i in 0..len {
                if let Some(l) = held.arms.with_arm(i, |a| erase(a.lock())) {
                    if addr(l) > last && next.is_none_or(|m| addr(l) < addr(m)) {
                        next = Some(l);
                    }
                }
            }
            let Some(l) = next else { break };
            // SAFETY: valid while the arms are borrowed.
            unsafe { (*l).acquire_eager() };
            last = addr(l);
            (held.n, held.top) = (n, last);
        }
    }

    /// Whether no lock is held (every arm disabled).
    fn is_empty(&self) -> bool {
        self.top == 0
    }
}

impl<S: ArmSet + ?Sized> Held<'_, S> {
    /// Releases every lock now. Unlike `drop(held)` this does not move the guard (a
    /// `memcpy` of its 150 bytes); `Drop` then finds nothing left to release.
    #[inline]
    fn release(&mut self) {
        self.release_all();
        self.n = 0;
        self.top = 0;
    }

    #[inline(always)]
    fn release_all(&mut self) {
        if self.n <= SMALL && self.spin {
            for p in self.sorted[..self.n].iter().rev() {
                // SAFETY: initialised below `n` by `lock_all`, which took each of these
                // distinct `SpinLock`s once (`spin`); `release` empties the set after
                // releasing them.
                unsafe { (*p.assume_init().cast::<SpinLock>()).unlock() };
            }
        } else if self.n <= SMALL {
            for i in self.arm[..self.n].iter().rev() {
                // SAFETY: initialised below `n` by `lock_all`.
                let i = unsafe { i.assume_init() };
                // SAFETY: `lock_all` took this arm's lock once (the locks are distinct),
                // and `release` empties the set after releasing them.
                self.arms.with_arm(i, |a| unsafe { a.lock().release() });
            }
        } else {
            self.release_scan();
        }
    }

    /// `release_all` for more than [`SMALL`] distinct locks.
    #[cold]
    #[inline(never)]
    fn release_scan(&mut self) {
        let len = self.arms.len();
        let mut bound = self.top;
        // Release from the highest address down (the reverse of acquisition).
        while bound != 0 {
            let mut cur: Option<LockPtr> = None;
            for i in 0..len {
                if let Some(l) = self.arms.with_arm(i, |a| erase(a.lock())) {
                    if addr(l) <= bound && cur.is_none_or(|m| addr(l) > addr(m)) {
                        cur = Some(l);
                    }
                }
            }
            let Some(l) = cur else { break };
            // SAFETY: `lock_all` took every enabled arm's lock, and we release each
            // distinct address once.
            unsafe { (*l).release() };
            bound = addr(l) - 1;
        }
    }
}

impl<S: ArmSet + ?Sized> Drop for Held<'_, S> {
    #[inline]
    fn drop(&mut self) {
        self.release_all();
    }
}

/// Releases one lock when dropped (also on unwinding).
pub(crate) struct ReleaseOnDrop(pub(crate) LockPtr);

impl Drop for ReleaseOnDrop {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: made right after acquiring this lock, which outlives the guard.
        unsafe { (*self.0).release() }
    }
}

/// A lock's address, by which locks are ordered.
#[inline(always)]
fn addr(l: LockPtr) -> usize {
    l as *const () as usize
}

/// The state a select keeps between polls (beyond its arms).
#[derive(Debug)]
struct Progress {
    /// The arm that completed, once known.
    winner: Option<usize>,
    /// Arms below this index were withdrawn after the winner was known.
    withdrawn: usize,
    /// Whether the result was returned (then `Drop` has nothing to do).
    finished: bool,
    /// Whether any arm may have linked a node (then every pass must hold all locks).
    exposed: bool,
}

/// A select future over an [`ArmSet`]: resolves to the index of the arm that
/// completed, or [`DEFAULT`]. Built by [`select!`](crate::select!) and by
/// [`select_slice`]; read the winner's result with [`Arm::take_output`].
///
/// # Examples
/// A non-blocking select from plain code:
/// ```
/// use core::pin::pin;
/// use csp_core::{Chan, Select, Arm, RawArm};
/// use csp_core::buffer::Fixed;
///
/// let a: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
/// let b: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
/// b.try_put(2).unwrap();
/// let mut ga = pin!(a.get());
/// let mut gb = pin!(b.get());
/// let won = Select::new((Some(ga.as_mut()), Some(gb.as_mut())), true, false).try_now();
/// assert_eq!(won, Some(1));
/// assert_eq!(gb.as_mut().take_output(), Some(2));
/// ```
pub struct Select<S: ArmSet> {
    arms: S,
    selector: OwnedSelector,
    biased: bool,
    has_default: bool,
    progress: Progress,
}

impl<S: ArmSet> fmt::Debug for Select<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Select")
            .field("arms", &self.arms.len())
            .field("biased", &self.biased)
            .field("has_default", &self.has_default)
            .field("winner", &self.progress.winner)
            .finish()
    }
}

impl<S: ArmSet> Select<S> {
    /// A select over `arms`; `biased` picks the leftmost ready arm (otherwise a random
    /// one), `has_default` returns [`DEFAULT`] at once when no arm is ready.
    ///
    /// # Panics
    /// When polled, if every arm is disabled and there is no default: such a select
    /// could never complete, which is a bug in the caller.
    ///
    /// # Examples
    /// ```
    /// use core::pin::pin;
    /// use csp_core::buffer::Fixed;
    /// use csp_core::{Chan, Select, DEFAULT};
    ///
    /// let a: Chan<u8, Fixed<u8, 4>> = Chan::with_buffer(Fixed::new());
    /// let b: Chan<u8, Fixed<u8, 4>> = Chan::with_buffer(Fixed::new());
    /// # csp_core::block_on(async {
    /// for _ in 0..4 {
    ///     a.try_put(1).unwrap();
    ///     b.try_put(2).unwrap();
    ///     // Both ready, biased: the leftmost arm wins every time.
    ///     let (mut ga, mut gb) = (pin!(a.get()), pin!(b.get()));
    ///     let biased = Select::new((Some(ga.as_mut()), Some(gb.as_mut())), true, false);
    ///     assert_eq!(biased.await, 0);
    ///     assert_eq!(b.try_get(), Ok(2));
    /// }
    /// // Nothing ready, with a default: `DEFAULT` at once.
    /// let (mut ga, mut gb) = (pin!(a.get()), pin!(b.get()));
    /// let with_default = Select::new((Some(ga.as_mut()), Some(gb.as_mut())), false, true);
    /// assert_eq!(with_default.await, DEFAULT);
    /// # });
    /// ```
    pub fn new(arms: S, biased: bool, has_default: bool) -> Self {
        Select {
            arms,
            selector: OwnedSelector::new(),
            biased,
            has_default,
            progress: Progress {
                winner: None,
                withdrawn: 0,
                finished: false,
                exposed: false,
            },
        }
    }

    /// Runs the select without waiting: `Some(i)` if arm `i` completed now, `None` if
    /// none could (nothing is queued then). For code outside async contexts.
    ///
    /// # Examples
    /// ```
    /// use core::pin::pin;
    /// use csp_core::buffer::Fixed;
    /// use csp_core::{Arm, Chan, Select};
    ///
    /// let ch: Chan<u8> = Chan::new(); // rendezvous
    /// let mut get = pin!(ch.get());
    /// assert_eq!(Select::new((Some(get.as_mut()),), false, false).try_now(), None);
    /// // The get did not stay queued, so a put finds no getter.
    /// assert!(ch.try_put(1).unwrap_err().is_full());
    ///
    /// let buffered: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
    /// buffered.try_put(2).unwrap();
    /// let mut get = pin!(ch.get());
    /// let mut from_buffer = pin!(buffered.get());
    /// let arms = (Some(get.as_mut()), Some(from_buffer.as_mut()));
    /// assert_eq!(Select::new(arms, false, false).try_now(), Some(1));
    /// assert_eq!(from_buffer.as_mut().take_output(), Some(2));
    /// ```
    pub fn try_now(self) -> Option<usize> {
        let mut me = self;
        me.has_default = true;
        let mut s = core::pin::pin!(me);
        let waker = noop_waker();
        let mut cx = Context::from_waker(&waker);
        match s.as_mut().poll(&mut cx) {
            Poll::Ready(DEFAULT) | Poll::Pending => None,
            Poll::Ready(i) => Some(i),
        }
    }
}

fn noop_waker() -> core::task::Waker {
    core::task::Waker::noop().clone()
}

impl<S: ArmSet> Future for Select<S> {
    type Output = usize;

    // Always inlined into the future that awaits the select, usually the only place a
    // given `Select<S>` is polled from: as a function of its own, its register saves
    // and restores ran on each of the 1.3 polls per message (select2/1 737 → 715,
    // select_both/0 2 300 → 2 221 instructions per message; the firmware example's
    // code shrank by 24 bytes).
    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        // SAFETY: we never move `arms` or `selector` out of the pinned select.
        let this = unsafe { self.get_unchecked_mut() };
        assert!(
            !this.progress.finished,
            "csp: select polled after completion"
        );
        let sel = &this.selector;
        let n = this.arms.len();
        let mut wakes = WakeList::new();
        // Resume the round robin at a random arm, unless biased.
        let start = if this.biased || n < 2 { 0 } else { random(n) };
        if !this.progress.exposed {
            // The fast pass: no node of ours is linked anywhere yet, so nobody can claim
            // us, and an arm may complete under its own channel's lock alone. (A select
            // that finds nothing here goes on to the full pass, which decides `default`
            // and waiting on a consistent view of all its channels.)
            for k in 0..n {
                let i = if start + k >= n {
                    start + k - n
                } else {
                    start + k
                };
                let done = this.arms.with_arm(i, |a| {
                    let lock = erase(a.lock());
                    // SAFETY: the lock lives in the channel the arm borrows.
                    unsafe { (*lock).acquire_eager() };
                    let _release = ReleaseOnDrop(lock);
                    let cx = &mut ArmCx {
                        selector: sel,
                        op: i,
                        wakes: &mut wakes,
                    };
                    // SAFETY: the arm's lock is held; no node of ours is linked, so the
                    // selector cannot be claimed and this arm's channel is all it needs.
                    unsafe { a.try_complete(cx) }
                });
                if wakes.room() < ARM_WAKES {
                    wakes.wake_all();
                }
                if done == Some(true) {
                    wakes.wake_all();
                    // Emptied: skip the drop's second look at the length.
                    core::mem::forget(wakes);
                    this.progress.winner = Some(i);
                    this.progress.finished = true;
                    return Poll::Ready(i);
                }
            }
            this.progress.exposed = true;
        }
        let mut next_wait = 0;
        loop {
            let mut held = Held::new(&mut this.arms);
            held.lock_all();
            if held.is_empty() && !this.has_default {
                held.release();
                panic!("csp: select! with every arm disabled and no default can never complete");
            }
            let arms = &mut *held.arms;
            macro_rules! cx {
                ($i:expr) => {
                    &mut ArmCx {
                        selector: sel,
                        op: $i,
                        wakes: &mut wakes,
                    }
                };
            }
            'flush: {
                if this.progress.winner.is_none() {
                    if let Some(op) = sel.claimed() {
                        // SAFETY: all locks held; claimed for `op`.
                        arms.with_arm(op, |a| unsafe { a.finish(cx!(op)) });
                        this.progress.winner = Some(op);
                    } else {
                        for k in 0..n {
                            let i = if start + k >= n {
                                start + k - n
                            } else {
                                start + k
                            };
                            if wakes.room() < ARM_WAKES {
                                break 'flush;
                            }
                            // SAFETY: all locks held; not claimed.
                            if arms.with_arm(i, |a| unsafe { a.try_complete(cx!(i)) }) == Some(true)
                            {
                                // SAFETY: owner, all locks held, not claimed.
                                unsafe { sel.set_claimed(i) };
                                this.progress.winner = Some(i);
                                break;
                            }
                        }
                        if this.progress.winner.is_none() {
                            if this.has_default {
                                this.progress.winner = Some(DEFAULT);
                            } else {
                                while next_wait < n {
                                    if wakes.room() < ARM_WAKES {
                                        break 'flush;
                                    }
                                    let i = next_wait;
                                    // SAFETY: all locks held; every try failed.
                                    arms.with_arm(i, |a| unsafe { a.wait(cx!(i)) });
                                    next_wait += 1;
                                }
                                // SAFETY: owner, all locks held, not claimed.
                                unsafe { sel.register(cx.waker()) };
                                held.release();
                                wakes.wake_all();
                                core::mem::forget(wakes);
                                return Poll::Pending;
                            }
                        }
                    }
                }
                let winner = this.progress.winner.unwrap_or(DEFAULT);
                while this.progress.withdrawn < n {
                    let i = this.progress.withdrawn;
                    if i != winner {
                        if wakes.room() < ARM_WAKES {
                            break 'flush;
                        }
                        // SAFETY: all locks held.
                        arms.with_arm(i, |a| unsafe { a.withdraw(cx!(i)) });
                    }
                    this.progress.withdrawn += 1;
                }
                held.release();
                wakes.wake_all();
                core::mem::forget(wakes);
                this.progress.finished = true;
                return Poll::Ready(winner);
            }
            // Out of room for wakers: release, wake, and carry on where we were.
            held.release();
            wakes.wake_all();
        }
    }
}

impl<S: ArmSet> Drop for Select<S> {
    #[inline]
    fn drop(&mut self) {
        if !self.progress.finished {
            self.withdraw_all();
        }
    }
}

impl<S: ArmSet> Select<S> {
    #[cold]
    #[inline(never)]
    fn withdraw_all(&mut self) {
        // Dropped before completing: withdraw every arm. A claimed arm that was never
        // finished hands its claim back (see `RawArm::withdraw`). This is where the
        // arms' nodes stop pointing at our selector, so it must run before it goes away.
        let n = self.arms.len();
        let mut i = 0;
        let mut wakes = WakeList::new();
        while i < n {
            {
                let mut held = Held::new(&mut self.arms);
                held.lock_all();
                while i < n && wakes.room() >= ARM_WAKES {
                    let cx = &mut ArmCx {
                        selector: &self.selector,
                        op: i,
                        wakes: &mut wakes,
                    };
                    // SAFETY: all locks held.
                    held.arms.with_arm(i, |a| unsafe { a.withdraw(cx) });
                    i += 1;
                }
            }
            wakes.wake_all();
        }
    }
}

/// A select over a pinned slice of same-typed arms, for a set whose size is known only
/// at run time (merging many channels, say). Resolves to the index of the arm that
/// completed; read its result with [`Arm::take_output`] on that element (see
/// [`pin_index`]), and get a losing put's value back with
/// [`Put::take_value`](crate::Put::take_value). With `biased`, the lowest ready index
/// wins; otherwise a random ready one.
///
/// # Examples
/// ```
/// use core::pin::pin;
/// use csp_core::{pin_index, select_slice, Arm, Chan};
/// use csp_core::buffer::Fixed;
///
/// let chans: [Chan<u32, Fixed<u32, 1>>; 3] = core::array::from_fn(|_| Chan::with_buffer(Fixed::new()));
/// chans[2].try_put(7).unwrap();
/// # csp_core::block_on(async {
/// let mut gets = pin!([chans[0].get(), chans[1].get(), chans[2].get()]);
/// let i = select_slice(gets.as_mut(), false).await;
/// assert_eq!(i, 2);
/// assert_eq!(pin_index(gets.as_mut(), i).take_output(), Some(7));
/// # });
/// ```
///
/// A set built at run time (feature `alloc`): pin a boxed slice.
/// ```
/// # use csp_core::{pin_index, select_slice, Arm, Chan};
/// # use csp_core::buffer::Fixed;
/// let chans: Vec<Chan<u32, Fixed<u32, 1>>> = (0..5).map(|_| Chan::with_buffer(Fixed::new())).collect();
/// chans[4].try_put(9).unwrap();
/// let gets: Vec<_> = chans.iter().map(|c| c.get()).collect();
/// let mut gets = Box::into_pin(gets.into_boxed_slice());
/// # csp_core::block_on(async {
/// let i = select_slice(gets.as_mut(), true).await;
/// assert_eq!((i, pin_index(gets.as_mut(), i).take_output()), (4, Some(9)));
/// # });
/// ```
pub fn select_slice<A: RawArm>(arms: Pin<&mut [A]>, biased: bool) -> Select<Pin<&mut [A]>> {
    Select::new(arms, biased, false)
}

/// Element `i` of a pinned slice, pinned.
///
/// # Panics
/// If `i` is out of bounds.
///
/// # Examples
/// ```
/// use core::pin::pin;
/// let mut xs = pin!([1, 2, 3]);
/// assert_eq!(*csp_core::pin_index(xs.as_mut(), 1), 2);
/// ```
pub fn pin_index<A>(slice: Pin<&mut [A]>, i: usize) -> Pin<&mut A> {
    // SAFETY: projecting a pinned slice to one element keeps it in place.
    unsafe { slice.map_unchecked_mut(|s| &mut s[i]) }
}

// ===== impl RawArm for Pin<P> =====

// SAFETY: every method forwards to the pinned target, which upholds the contract.
unsafe impl<P> RawArm for Pin<P>
where
    P: core::ops::DerefMut + Unpin,
    P::Target: RawArm,
{
    fn lock(&self) -> &dyn ArmLock {
        (**self).lock()
    }
    unsafe fn try_complete(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) -> bool {
        // SAFETY: forwarded contract.
        unsafe { self.get_mut().as_mut().try_complete(cx) }
    }
    unsafe fn wait(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
        // SAFETY: forwarded contract.
        unsafe { self.get_mut().as_mut().wait(cx) }
    }
    unsafe fn finish(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
        // SAFETY: forwarded contract.
        unsafe { self.get_mut().as_mut().finish(cx) }
    }
    unsafe fn withdraw(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
        // SAFETY: forwarded contract.
        unsafe { self.get_mut().as_mut().withdraw(cx) }
    }
}

impl<P> Arm for Pin<P>
where
    P: core::ops::DerefMut + Unpin,
    P::Target: Arm,
{
    type Output = <P::Target as Arm>::Output;
    fn take_output(self: Pin<&mut Self>) -> Self::Output {
        self.get_mut().as_mut().take_output()
    }
}
