//! Pluggable raw locks that guard a channel's state.
//!
//! A channel is generic over its lock `L: RawLock`. The lock is held only for a few
//! dozen instructions at a time, never across an `await`, and no waker is ever called
//! while it is held, so a spin lock is a good default. Choices:
//!
//! | lock | strength | use it for |
//! |---|---|---|
//! | [`SpinLock`] | mutual exclusion between threads and cores | the default; any executor |
//! | `CriticalSectionLock` (feature `critical-section`) | also excludes interrupt handlers, by taking a critical section | single-core firmware whose interrupt handlers call `try_put`/`try_get` |
//!
//! With the `critical-section` feature, [`DefaultLock`] is the critical-section lock,
//! so `static` channels written as `Chan<T>` become interrupt-safe without edits.
//!
//! # Caveat
//! A spin lock taken by an interrupt handler that interrupted the holder on the same
//! core deadlocks. That is why firmware that touches a channel from an interrupt must
//! enable the `critical-section` feature (or name `CriticalSectionLock`).
//!
//! # Invariants
//! - [`RawLock`] is an `unsafe trait` because every state guarded by a lock (a channel's
//!   `UnsafeCell`, and csp-ops' registries) relies on its contract: between a return
//!   from `lock`, `lock_eager` or a successful `try_lock` and the matching `unlock`, no
//!   other context acquires the same lock. `unlock` is `unsafe`: only the holder calls
//!   it. Callers take each lock at most once, several in increasing address order, and
//!   release them in reverse order; an implementation may rely on that nesting.
//! - [`SpinLock`]'s word is 0 (free) or `HELD`. It is taken only by a successful
//!   compare-exchange from 0 to `HELD` with `Acquire`, and freed only by its holder's
//!   `Release` store of 0, which cannot undo anybody else's write (every other write is
//!   a compare-exchange from 0, which fails while it is held). So the holder is alone,
//!   and sees every write its predecessor made under the lock.
//! - `CriticalSectionLock` holds the lock for as long as it holds a critical section:
//!   `lock` enters one and keeps its restore state in a `Cell`; `unlock` takes that
//!   state back out and releases the section with it. The `Cell` is touched only inside
//!   the section, so one context at a time (hence its `unsafe impl Sync`), and the
//!   reverse-order release is the nesting `critical_section::release` requires. A
//!   critical section can be re-entered by the context that holds it, so this lock
//!   excludes other contexts only: it relies on callers never taking a lock they
//!   already hold.

use crate::sync::{spin_hint, AtomicU8, Ordering};

mod seal {
    /// The parameter that seals `RawLock::as_spin_lock` and `ArmLock::spin_lock`:
    /// public in a private module, so no other crate can name it, and so none can
    /// override those methods.
    #[derive(Debug, Clone, Copy)]
    pub struct Sealed;
}
pub(crate) use seal::Sealed;

/// A lock without a guard: `lock` and `unlock` are separate calls, so a select can
/// hold the locks of several channels at once.
///
/// # Examples
/// Naming the lock of a channel:
/// ```
/// use csp_core::Chan;
/// use csp_core::buffer::Fixed;
/// use csp_core::lock::SpinLock;
/// static CH: Chan<u8, Fixed<u8, 2>, SpinLock> = Chan::with_lock(Fixed::new());
/// CH.try_put(1).unwrap();
/// ```
///
/// # Safety
/// Implementations must provide mutual exclusion: between a return from `lock` and
/// the matching `unlock`, no other call to `lock` on the same value returns, whatever
/// thread or interrupt context makes it. Locks are taken in address order and released
/// in the reverse order; an implementation may rely on that nesting.
pub unsafe trait RawLock {
    /// An unlocked lock, for `const` (and so `static`) channels.
    ///
    /// # Examples
    /// ```
    /// use csp_core::lock::{RawLock, SpinLock};
    /// static L: SpinLock = SpinLock::INIT;
    /// assert!(L.try_lock()); // it starts unlocked
    /// // SAFETY: the `try_lock` above acquired it.
    /// unsafe { L.unlock() };
    /// ```
    #[cfg(not(loom))]
    const INIT: Self;

    /// An unlocked lock (loom's atomics have no `const` constructor).
    #[cfg(loom)]
    fn new() -> Self;

    /// Acquires the lock, waiting as long as needed.
    ///
    /// # Examples
    /// ```
    /// use csp_core::lock::{RawLock, SpinLock};
    /// let l = SpinLock::INIT;
    /// l.lock();
    /// assert!(!l.try_lock()); // held
    /// // SAFETY: we hold the lock.
    /// unsafe { l.unlock() };
    /// ```
    fn lock(&self);

    /// Acquires the lock if it is free now; returns whether it did.
    ///
    /// # Examples
    /// ```
    /// use csp_core::lock::{RawLock, SpinLock};
    /// let l = SpinLock::INIT;
    /// assert!(l.try_lock()); // it was free: now we hold it
    /// assert!(!l.try_lock()); // held: not acquired
    /// // SAFETY: the first `try_lock` acquired it.
    /// unsafe { l.unlock() };
    /// ```
    fn try_lock(&self) -> bool;

    /// Acquires the lock, waiting eagerly: a lock that backs off under contention (as
    /// [`SpinLock`] does when it runs hot) should not do so here. A select takes its
    /// channels' locks this way: it may hold other locks, which would be held through
    /// the back-off, and it is usually the one taker that a channel's putters all wait
    /// for. The default is [`lock`](Self::lock).
    ///
    /// # Examples
    /// ```
    /// use csp_core::lock::{RawLock, SpinLock};
    /// let l = SpinLock::INIT;
    /// l.lock_eager();
    /// assert!(!l.try_lock()); // held, as after `lock`
    /// // SAFETY: we hold the lock.
    /// unsafe { l.unlock() };
    /// ```
    #[inline]
    fn lock_eager(&self) {
        self.lock()
    }

    /// This lock as a [`SpinLock`], when it is one: `SpinLock` returns itself, every
    /// other implementation `None` (sealed: only this crate can name [`Sealed`], so
    /// nobody else can override the default). See `ArmLock::spin_lock`.
    #[doc(hidden)]
    #[inline(always)]
    fn as_spin_lock(&self, _: Sealed) -> Option<&SpinLock> {
        None
    }

    /// Releases the lock.
    ///
    /// # Safety
    /// The caller holds the lock: it called `lock` and has not called `unlock` since.
    ///
    /// # Examples
    /// ```
    /// use csp_core::lock::{RawLock, SpinLock};
    /// let l = SpinLock::INIT;
    /// l.lock();
    /// // SAFETY: we hold the lock.
    /// unsafe { l.unlock() };
    /// assert!(l.try_lock()); // free again
    /// # unsafe { l.unlock() };
    /// ```
    unsafe fn unlock(&self);
}

/// A test-and-test-and-set spin lock whose waiters back off.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_core::buffer::Rendezvous;
/// use csp_core::lock::{RawLock, SpinLock};
/// static CH: Chan<u8, Rendezvous, SpinLock> = Chan::with_lock(Rendezvous);
/// let l = SpinLock::INIT;
/// l.lock();
/// assert!(!l.try_lock());
/// unsafe { l.unlock() }; // we hold it
/// ```
///
/// A waiter that finds the lock held stays away for a random 64–191 spin hints before
/// it looks again, so the holder goes on to take the lock again and again with its
/// cache lines at hand instead of handing them to another core on every operation.
/// On a multi-threaded runtime, with the channel's tasks on two cores, that is what
/// makes busy channels fast: 1.5–2.5 × against a lock that spins until the holder lets
/// go, and, against a lock that backed off only once its contention score ran hot,
/// 0.74–1.00 × with the two CPUs near each other and 0.55–0.74 × with them far apart
/// (`docs/benchmarks.md`, "The lock backs off from the first wait").
///
/// Two kinds of waiter never back off, because the back-off would stall the very
/// progress it waits for: a select ([`lock_eager`](RawLock::lock_eager): it may hold
/// other locks, and is usually the taker everyone waits for), and a blocking call
/// (`block_on`, `put_blocking`, `get_blocking`: its partners are
/// usually threads too, which may need the core it would spin on). The one exception
/// is a blocking call's retry on a buffered channel whose last contended retry left
/// slack (two values and two free slots): its partners can go on without it, and it
/// waits politely, a shorter 16–47 hints between looks, whatever the lock is.
///
/// Under `std`, a waiter that keeps finding the lock held yields its thread to the OS
/// scheduler, so that a preempted holder can run. Critical sections in this crate are
/// short (no allocation, no waker calls, no user code except `Buffer` methods).
pub struct SpinLock {
    /// `HELD` while held, else 0.
    word: AtomicU8,
}

/// The held bit of the lock word.
const HELD: u8 = 1;

impl core::fmt::Debug for SpinLock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SpinLock")
            .field("locked", &(self.word.load(Ordering::Relaxed) & HELD != 0))
            .finish()
    }
}

// SAFETY: `lock` and `try_lock` return holding the lock only after a compare-exchange
// (Acquire) from 0 to `HELD`, and `unlock` stores 0 with Release; nobody else writes the
// word while it is `HELD` (every other write is a CAS from 0, which fails), so the store
// cannot undo anybody else's change. Exactly one caller at a time is between `lock` and
// `unlock`, and each sees the writes of the last.
unsafe impl RawLock for SpinLock {
    #[cfg(not(loom))]
    const INIT: Self = SpinLock {
        word: AtomicU8::new(0),
    };

    #[cfg(loom)]
    fn new() -> Self {
        SpinLock {
            word: AtomicU8::new(0),
        }
    }

    #[inline]
    fn lock(&self) {
        self.acquire(true);
    }

    #[inline]
    fn lock_eager(&self) {
        self.acquire(false);
    }

    #[inline(always)]
    fn as_spin_lock(&self, _: Sealed) -> Option<&SpinLock> {
        Some(self)
    }

    #[inline]
    fn try_lock(&self) -> bool {
        // One compare-exchange, without a load first: the callers (a polite retry of a
        // blocking call, `Debug`) back off or give up when it fails, rather than spin on
        // the word. On plain threads the lone CAS measured a little faster than a load
        // first in the buffered cells (0.88-1.01 x, median 0.98).
        self.word
            .compare_exchange(0, HELD, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    #[inline]
    unsafe fn unlock(&self) {
        self.word.store(0, Ordering::Release);
    }
}

impl SpinLock {
    /// `lock` (`may_back_off`) or `lock_eager`.
    #[inline(always)]
    fn acquire(&self, may_back_off: bool) {
        // A free lock: the common case, one CAS.
        if self
            .word
            .compare_exchange_weak(0, HELD, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return;
        }
        self.lock_slow(may_back_off);
    }

    /// The lock was held: waits until it is free, backing off between looks if
    /// `may_back_off` (and the thread is not in a blocking call), spinning a short
    /// exponential back-off otherwise.
    #[cold]
    fn lock_slow(&self, may_back_off: bool) {
        let back_off_ok = may_back_off && !blocking_thread();
        let mut rounds: u32 = 0;
        loop {
            // One more look first: the holder's critical section is short.
            if self.word.load(Ordering::Relaxed) == 0
                && self
                    .word
                    .compare_exchange_weak(0, HELD, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            {
                return;
            }
            if back_off_ok {
                back_off(BACK_OFF);
            } else {
                for _ in 0..1u32 << rounds.min(5) {
                    spin_hint();
                }
            }
            rounds = rounds.saturating_add(1);
            #[cfg(all(feature = "std", not(loom)))]
            if rounds > 64 {
                std::thread::yield_now();
            }
        }
    }
}

/// Whether the calling thread is in a blocking call (`block_on`): it never backs off.
#[inline]
fn blocking_thread() -> bool {
    #[cfg(all(feature = "std", not(loom)))]
    {
        crate::blocking::in_block_on()
    }
    #[cfg(not(all(feature = "std", not(loom))))]
    {
        false
    }
}

/// Stays away from a held lock for a random `base` to `3 * base - 1` spin hints (one
/// under loom, whose spin hint is a yield to the model's scheduler: the model needs the
/// waiter to yield, and more yields would only multiply its branches). A spin hint
/// takes some 25 ns on this project's machines.
#[inline(never)]
fn back_off(base: usize) {
    #[cfg(not(loom))]
    for _ in 0..base + crate::sync::random(2 * base) {
        spin_hint();
    }
    #[cfg(loom)]
    {
        let _ = base;
        spin_hint();
    }
}

/// The back-off of [`SpinLock`]'s `lock`: 64–191 spin hints. Shorter ones measured
/// worse on tokio's multi-thread runtime (16–47: 1.03–1.15 x the time per message).
const BACK_OFF: usize = 64;

/// The back-off of [`polite_lock_slow`]: 16–47 spin hints. On plain threads it measured
/// better than [`BACK_OFF`] (`docs/benchmarks.md`), and far better than a few hints,
/// which gave the holder no time to go on.
const POLITE_BACK_OFF: usize = 16;

/// How many looks [`polite_lock_slow`] takes before it waits eagerly.
const POLITE_LOOKS: u32 = 16;

/// Takes `lock`, held a moment ago, for a blocking call's retry that can afford to
/// wait (see `Locking::Retry`): stays away a short random while between looks, whatever
/// lock it is and whatever thread calls; after [`POLITE_LOOKS`] looks it waits with
/// [`RawLock::lock_eager`].
#[cold]
#[inline(never)]
pub(crate) fn polite_lock_slow<L: RawLock>(lock: &L) {
    for _ in 1..POLITE_LOOKS {
        back_off(POLITE_BACK_OFF);
        if lock.try_lock() {
            return;
        }
    }
    lock.lock_eager();
}

#[cfg(feature = "critical-section")]
pub use cs::CriticalSectionLock;

#[cfg(feature = "critical-section")]
mod cs {
    use super::RawLock;
    use core::cell::Cell;

    /// A lock that takes a critical section (see the `critical-section` crate): on a
    /// single-core microcontroller, interrupts are masked while it is held, so interrupt
    /// handlers may use the channel too.
    ///
    /// It serialises with every other critical section in the program, which is what
    /// makes it interrupt-safe and also why it is not the default on multi-core hosts.
    ///
    /// # Examples
    /// ```
    /// use csp_core::Chan;
    /// use csp_core::buffer::Fixed;
    /// use csp_core::lock::CriticalSectionLock;
    /// # // The program must provide a critical-section implementation: on firmware its
    /// # // HAL or `cortex-m` does; this doctest gets the `std` one that csp-core's tests
    /// # // link (a dev-dependency).
    /// # extern crate critical_section;
    ///
    /// // Safe to share with interrupt handlers on a single-core microcontroller:
    /// static EVENTS: Chan<u8, Fixed<u8, 4>, CriticalSectionLock> = Chan::with_lock(Fixed::new());
    /// EVENTS.try_put(1).unwrap(); // e.g. from an interrupt handler
    /// assert_eq!(EVENTS.try_get(), Ok(1));
    /// ```
    pub struct CriticalSectionLock {
        /// The state to restore on release. Written only by the holder of the critical
        /// section, so no other context observes it mid-write.
        restore: Cell<critical_section::RestoreState>,
    }

    impl core::fmt::Debug for CriticalSectionLock {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str("CriticalSectionLock")
        }
    }

    // SAFETY: `restore` is only touched between `acquire` and `release` of a critical
    // section, during which no other thread or interrupt runs code that takes one.
    unsafe impl Sync for CriticalSectionLock {}

    // SAFETY: `lock` enters a critical section, which excludes every other context that
    // takes one (the `critical-section` crate's contract), until `unlock` releases it.
    // Our callers nest these in address order and release them in reverse order, which
    // is the nesting `critical_section::release` requires.
    unsafe impl RawLock for CriticalSectionLock {
        const INIT: Self = CriticalSectionLock {
            restore: Cell::new(critical_section::RestoreState::invalid()),
        };

        #[inline]
        fn lock(&self) {
            // SAFETY: released by the matching `unlock`, in reverse order of acquisition.
            let state = unsafe { critical_section::acquire() };
            self.restore.set(state);
        }

        #[inline]
        fn try_lock(&self) -> bool {
            self.lock();
            true
        }

        #[inline]
        unsafe fn unlock(&self) {
            let state = self
                .restore
                .replace(critical_section::RestoreState::invalid());
            // SAFETY: the caller holds the lock, so `state` came from the `acquire` that
            // took it, and locks are released in reverse order of acquisition.
            unsafe { critical_section::release(state) };
        }
    }
}

/// The lock that `Chan<T>` uses when none is named: [`SpinLock`], or the
/// critical-section lock when the `critical-section` feature is on.
///
/// # Examples
/// ```
/// use core::any::TypeId;
/// use csp_core::Chan;
/// use csp_core::buffer::Rendezvous;
/// use csp_core::lock::{DefaultLock, SpinLock};
/// static CH: Chan<u8, Rendezvous, DefaultLock> = Chan::new();
/// let _: &Chan<u8> = &CH; // the same type: `Chan<u8>` uses the default lock
/// assert_eq!(TypeId::of::<DefaultLock>(), TypeId::of::<SpinLock>());
/// ```
#[cfg(not(feature = "critical-section"))]
pub type DefaultLock = SpinLock;

/// The lock that `Chan<T>` uses when none is named: [`SpinLock`], or the
/// critical-section lock when the `critical-section` feature is on.
///
/// # Examples
/// ```
/// use core::any::TypeId;
/// use csp_core::Chan;
/// use csp_core::buffer::Rendezvous;
/// use csp_core::lock::{CriticalSectionLock, DefaultLock};
/// static CH: Chan<u8, Rendezvous, DefaultLock> = Chan::new();
/// let _: &Chan<u8> = &CH; // the same type: `Chan<u8>` uses the default lock
/// assert_eq!(TypeId::of::<DefaultLock>(), TypeId::of::<CriticalSectionLock>());
/// ```
#[cfg(feature = "critical-section")]
pub type DefaultLock = CriticalSectionLock;
