//! Pluggable raw locks that guard a channel's state.
//!
//! A channel is generic over its lock `L: RawLock`. The lock is held only for a few
//! dozen instructions at a time, never across an `await`, and no waker is ever called
//! while it is held, so a spin lock is a good default. Choices:
//!
//! | lock | strength | use it for |
//! |---|---|---|
//! | [`SpinLock`] | mutual exclusion between threads and cores | the default; any executor |
//! | [`CriticalSectionLock`] (feature `critical-section`) | also excludes interrupt handlers, by taking a critical section | single-core firmware whose interrupt handlers call `try_put`/`try_get` |
//!
//! With the `critical-section` feature, [`DefaultLock`] is the critical-section lock,
//! so `static` channels written as `Chan<T>` become interrupt-safe without edits.
//!
//! # Caveat
//! A spin lock taken by an interrupt handler that interrupted the holder on the same
//! core deadlocks. That is why firmware that touches a channel from an interrupt must
//! enable the `critical-section` feature (or name [`CriticalSectionLock`]).

use crate::sync::{spin_hint, AtomicBool, Ordering};

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
    #[cfg(not(loom))]
    const INIT: Self;

    /// An unlocked lock (loom's atomics have no `const` constructor).
    #[cfg(loom)]
    fn new() -> Self;

    /// Acquires the lock, waiting as long as needed.
    fn lock(&self);

    /// Acquires the lock if it is free now; returns whether it did.
    fn try_lock(&self) -> bool;

    /// Releases the lock.
    ///
    /// # Safety
    /// The caller holds the lock: it called `lock` and has not called `unlock` since.
    unsafe fn unlock(&self);
}

/// A test-and-test-and-set spin lock with a short exponential back-off.
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
/// Under `std`, after a few hundred spins it yields the thread to the OS scheduler so
/// that a preempted holder can run. Critical sections in this crate are short (no
/// allocation, no waker calls, no user code except `Buffer` methods), so contention is
/// brief.
pub struct SpinLock {
    locked: AtomicBool,
}

impl core::fmt::Debug for SpinLock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SpinLock")
            .field("locked", &self.locked.load(Ordering::Relaxed))
            .finish()
    }
}

// SAFETY: `lock` returns only after a successful `false -> true` compare-exchange with
// Acquire ordering, and `unlock` stores `false` with Release ordering; so exactly one
// caller at a time is between `lock` and `unlock`, and each sees the writes of the last.
unsafe impl RawLock for SpinLock {
    #[cfg(not(loom))]
    const INIT: Self = SpinLock {
        locked: AtomicBool::new(false),
    };

    #[cfg(loom)]
    fn new() -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
        }
    }

    #[inline]
    fn lock(&self) {
        if self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return;
        }
        self.lock_contended();
    }

    #[inline]
    fn try_lock(&self) -> bool {
        self.locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    #[inline]
    unsafe fn unlock(&self) {
        self.locked.store(false, Ordering::Release);
    }
}

impl SpinLock {
    #[cold]
    fn lock_contended(&self) {
        let mut spins: u32 = 0;
        loop {
            // Wait until it looks free before trying again (test-and-test-and-set).
            while self.locked.load(Ordering::Relaxed) {
                if spins < 6 {
                    for _ in 0..(1u32 << spins) {
                        spin_hint();
                    }
                } else {
                    spin_hint();
                    #[cfg(all(feature = "std", not(loom)))]
                    if spins > 64 {
                        std::thread::yield_now();
                    }
                }
                spins = spins.saturating_add(1);
            }
            if self
                .locked
                .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }
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
#[cfg(not(feature = "critical-section"))]
pub type DefaultLock = SpinLock;

/// The lock that `Chan<T>` uses when none is named: [`SpinLock`], or the
/// critical-section lock when the `critical-section` feature is on.
#[cfg(feature = "critical-section")]
pub type DefaultLock = CriticalSectionLock;
