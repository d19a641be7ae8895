//! The registries of `Dup`, `Pub` and `Mix`: a value under the crate's default lock,
//! plus the type-erased channel handles they store.
//!
//! # Invariants
//! - A `Locked` value is reached only through `Locked::with`, which holds `lock` for
//!   the whole access (and releases it through a guard, also when `f` panics), so the
//!   `&mut` it makes from the `UnsafeCell` is the only reference to the value. Hence
//!   `Locked<T>` is `Sync` when `T: Send`, like a mutex.
//! - `f` never calls `with` on the same `Locked` (no caller nests them): a spin lock
//!   would deadlock, and a critical section, which the context holding it may enter
//!   again, would hand out a second `&mut` to the value.
//! - `Mapped` forwards every `RawArm` method to its boxed arm and keeps no state the
//!   select protocol sees: `lock` returns the arm's lock, and each `unsafe` method passes
//!   its caller's contract on unchanged. The arm is pinned in its own `Box`, so moving
//!   the `Mapped` (it is `Unpin`, whence the safe `get_mut`) never moves the arm.

use alloc::boxed::Box;
use core::cell::UnsafeCell;
use core::fmt;
use core::future::Future;
use core::pin::Pin;

use csp_core::buffer::Buffer;
use csp_core::lock::{DefaultLock, RawLock};
use csp_core::{Arm, ArmCx, ArmLock, Chan, Closed, RawArm};

/// A value behind [`DefaultLock`] (a spin lock, or a critical section with the
/// `critical-section` feature of csp-core). Critical sections here are a few `Vec`
/// operations and never run user code or wake anyone.
pub(crate) struct Locked<T> {
    /// Guards `value`.
    lock: DefaultLock,
    /// Only touched while `lock` is held (inside [`Locked::with`]).
    value: UnsafeCell<T>,
}

// SAFETY: the value is only reached through `with`, which holds the lock for the
// whole access, so sharing a `Locked` across threads is like sharing a mutex.
unsafe impl<T: Send> Sync for Locked<T> {}

impl<T> Locked<T> {
    pub(crate) fn new(value: T) -> Self {
        Locked {
            lock: DefaultLock::INIT,
            value: UnsafeCell::new(value),
        }
    }

    /// Runs `f` on the value with the lock held. `f` must not call `with` on the same
    /// `Locked` (the lock is not reentrant).
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        /// Releases the lock even if `f` panics.
        struct Unlock<'a>(&'a DefaultLock);
        impl Drop for Unlock<'_> {
            fn drop(&mut self) {
                // SAFETY: `with` took the lock just before creating this guard and
                // nothing else releases it.
                unsafe { self.0.unlock() }
            }
        }
        self.lock.lock();
        let _unlock = Unlock(&self.lock);
        // SAFETY: we hold the lock, so no other `with` call can reach the value until
        // `_unlock` drops, after `f` returns.
        f(unsafe { &mut *self.value.get() })
    }
}

/// A boxed put future.
pub(crate) type PutFuture<'a, T> = Pin<Box<dyn Future<Output = Result<(), Closed<T>>> + Send + 'a>>;
/// A boxed get, usable as a select arm.
pub(crate) type GetArm<'a, T> = Pin<Box<dyn Arm<Output = Option<T>> + Send + 'a>>;

/// A channel of `T`, whatever its buffer and lock: where a `Dup` or `Pub` sends.
pub(crate) trait Outlet<T>: Send + Sync {
    /// `put(v)`, boxed, giving up if the channel is closed while it waits.
    fn put_boxed(&self, v: T) -> PutFuture<'_, T>;
    /// `close()`.
    fn close_chan(&self);
    /// The channel's address, its identity in a registry.
    fn addr(&self) -> *const ();
}

/// A channel of `T`, whatever its buffer and lock: what a `Mix` reads.
pub(crate) trait Inlet<T>: Send + Sync {
    /// `get()`, boxed as a select arm.
    fn get_arm(&self) -> GetArm<'_, T>;
    /// The channel's address, its identity in a registry.
    fn addr(&self) -> *const ();
}

impl<T, B, L> Outlet<T> for Chan<T, B, L>
where
    T: Send,
    B: Buffer<T> + Send,
    L: RawLock + Send + Sync,
{
    fn put_boxed(&self, v: T) -> PutFuture<'_, T> {
        Box::pin(crate::options::put_or_stop(self, v))
    }
    fn close_chan(&self) {
        self.close();
    }
    fn addr(&self) -> *const () {
        self as *const Self as *const ()
    }
}

impl<T, B, L> Inlet<T> for Chan<T, B, L>
where
    T: Send,
    B: Buffer<T> + Send,
    L: RawLock + Send + Sync,
{
    fn get_arm(&self) -> GetArm<'_, T> {
        Box::pin(self.get())
    }
    fn addr(&self) -> *const () {
        self as *const Self as *const ()
    }
}

/// A select arm whose output goes through `f`: lets arms of different types share one
/// slice (`select_slice` needs one element type).
pub(crate) struct Mapped<A: ?Sized, F> {
    /// The operation.
    pub(crate) arm: Pin<Box<A>>,
    /// Applied to its output.
    pub(crate) f: F,
}

impl<A: ?Sized, F> fmt::Debug for Mapped<A, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mapped").finish_non_exhaustive()
    }
}

// SAFETY: every method forwards to the boxed arm, which upholds the contract; `Mapped`
// adds no state that the protocol sees.
unsafe impl<A: RawArm + ?Sized, F: Unpin> RawArm for Mapped<A, F> {
    fn lock(&self) -> &dyn ArmLock {
        self.arm.lock()
    }
    unsafe fn try_complete(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) -> bool {
        // SAFETY: forwarded contract.
        unsafe { self.get_mut().arm.as_mut().try_complete(cx) }
    }
    unsafe fn wait(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
        // SAFETY: forwarded contract.
        unsafe { self.get_mut().arm.as_mut().wait(cx) }
    }
    unsafe fn finish(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
        // SAFETY: forwarded contract.
        unsafe { self.get_mut().arm.as_mut().finish(cx) }
    }
    unsafe fn withdraw(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
        // SAFETY: forwarded contract.
        unsafe { self.get_mut().arm.as_mut().withdraw(cx) }
    }
}

impl<A, F, O> Arm for Mapped<A, F>
where
    A: Arm + ?Sized,
    F: FnMut(A::Output) -> O + Unpin,
{
    type Output = O;
    fn take_output(self: Pin<&mut Self>) -> O {
        let this = self.get_mut();
        (this.f)(this.arm.as_mut().take_output())
    }
}

#[cfg(test)]
mod tests {
    use std::string::String;
    use std::vec::Vec;
    use std::{format, vec};

    use super::*;
    use csp_core::buffer::Fixed;
    use csp_core::{pin_index, select_slice};

    #[test]
    fn locked_gives_exclusive_access_and_unlocks_after_a_panic() {
        let l = Locked::new(1);
        assert_eq!(
            l.with(|v| {
                *v += 1;
                *v
            }),
            2
        );
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            l.with(|_| panic!("inside"))
        }));
        assert!(r.is_err());
        // The guard released the lock on the way out.
        assert_eq!(l.with(|v| *v), 2);
    }

    #[test]
    fn mapped_arms_of_different_types_share_one_select() {
        let a: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
        let b: Chan<&str, Fixed<&str, 1>> = Chan::with_buffer(Fixed::new());
        b.try_put("hi").unwrap();
        type Slot<'a> = Pin<Box<dyn Arm<Output = String> + Send + 'a>>;
        let mut arms: Vec<Slot<'_>> = vec![
            Box::pin(Mapped {
                arm: Box::pin(a.get()),
                f: |v: Option<u8>| format!("a:{v:?}"),
            }),
            Box::pin(Mapped {
                arm: Box::pin(b.get()),
                f: |v: Option<&str>| format!("b:{v:?}"),
            }),
        ];
        let mut arms = Pin::new(&mut arms[..]);
        let k = csp_core::block_on(select_slice(arms.as_mut(), false));
        assert_eq!(k, 1);
        assert_eq!(pin_index(arms.as_mut(), k).take_output(), "b:Some(\"hi\")");
        // The losing get took nothing.
        a.try_put(7).unwrap();
        assert_eq!(a.try_get(), Ok(7));
    }
}
