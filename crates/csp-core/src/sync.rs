//! The one place where atomics and cells are chosen: `core`'s normally, `loom`'s
//! under `cfg(loom)`, so that the model checker sees every access the protocol makes.
//!
//! Everything else in the crate imports atomics and `UnsafeCell` from here, never from
//! `core` directly.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU8, AtomicUsize};

#[cfg(not(loom))]
pub(crate) use core::sync::atomic::{AtomicU8, AtomicUsize};

pub(crate) use core::sync::atomic::Ordering;

/// An atomic for hints that are no part of the protocol (what a channel's last blocking
/// retry saw): `core`'s even under loom, which need not explore them.
pub(crate) use core::sync::atomic::AtomicU8 as HintU8;

/// Defines a function that is `const` normally and non-`const` under loom, whose
/// atomics and cells have no `const` constructors.
macro_rules! const_fn {
    ($(#[$m:meta])* $vis:vis fn $name:ident $($rest:tt)*) => {
        #[cfg(not(loom))]
        $(#[$m])* $vis const fn $name $($rest)*
        #[cfg(loom)]
        $(#[$m])* $vis fn $name $($rest)*
    };
}
pub(crate) use const_fn;

/// Spin-loop hint; under loom, a yield so the model can schedule the lock holder.
#[inline]
pub(crate) fn spin_hint() {
    #[cfg(loom)]
    loom::thread::yield_now();
    #[cfg(not(loom))]
    core::hint::spin_loop();
}

/// An `UnsafeCell` with closure access, so loom can check each access for races.
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(
    #[cfg(not(loom))] core::cell::UnsafeCell<T>,
    #[cfg(loom)] loom::cell::UnsafeCell<T>,
);

impl<T> UnsafeCell<T> {
    const_fn! {
        pub(crate) fn new(value: T) -> Self {
            #[cfg(not(loom))]
            { Self(core::cell::UnsafeCell::new(value)) }
            #[cfg(loom)]
            { Self(loom::cell::UnsafeCell::new(value)) }
        }
    }

    /// Gives exclusive access to the contents for the duration of `f`.
    #[inline(always)]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        #[cfg(not(loom))]
        {
            f(self.0.get())
        }
        #[cfg(loom)]
        {
            self.0.with_mut(f)
        }
    }
}

/// A tiny PRNG: a number below `bound`, for a select's fair start and a hot lock's
/// back-off. Races on the seed only make it more random. Under loom always 0, so the
/// models stay deterministic.
#[inline]
pub(crate) fn random(bound: usize) -> usize {
    #[cfg(loom)]
    {
        let _ = bound;
        0
    }
    #[cfg(not(loom))]
    {
        // Not loom's atomics: the seed is no part of the protocol.
        use core::sync::atomic::AtomicU32;
        // A Weyl sequence, mixed once: cheap, and equidistributed enough here.
        static SEED: AtomicU32 = AtomicU32::new(0x2545_f491);
        let x = SEED.load(Ordering::Relaxed).wrapping_add(0x9e37_79b9);
        SEED.store(x, Ordering::Relaxed);
        let x = (x ^ (x >> 16)).wrapping_mul(0x7feb_352d);
        ((x as u64 * bound as u64) >> 32) as usize
    }
}
