// The `Flag` event source of the `RawArm` example. Not a module of the crate: that
// example shows this file through `include_str!`, and other doctests in select.rs and
// waiter.rs compile it through `include!` inside a `mod` (hence the `pub`s).
use core::cell::UnsafeCell;
use core::pin::Pin;
use csp_core::lock::{RawLock, SpinLock};
use csp_core::{Arm, ArmCx, ArmLock, RawArm, Selector, WakeList};

/// Set once; a select arm on it completes once it is set. One waiting select at a time.
pub struct Flag {
    lock: SpinLock,
    /// Guarded by `lock`: whether set, and the waiting arm (its selector and index).
    state: UnsafeCell<(bool, Option<(*const Selector, usize)>)>,
}

// SAFETY: `state` is only touched with `lock` held.
unsafe impl Sync for Flag {}

impl Flag {
    pub fn new() -> Self {
        Flag {
            lock: SpinLock::INIT,
            state: UnsafeCell::new((false, None)),
        }
    }

    /// Sets the flag and claims the waiting select, if any, for its flag arm.
    pub fn set(&self) {
        self.set_with(|sel, op, wakes| {
            // SAFETY: `set_with` runs this holding the lock under which the arm entered
            // in `wait` and leaves in `withdraw`, so the selector is alive. Claiming it
            // completes the arm on its select's behalf (the select then calls `finish`).
            unsafe { sel.try_claim(op, wakes) };
        });
    }

    /// Sets the flag; if an arm waits here, runs `f` on its selector and index, holding
    /// the lock, and returns what `f` returns.
    pub fn set_with<R>(&self, f: impl FnOnce(&Selector, usize, &mut WakeList) -> R) -> Option<R> {
        let mut wakes = WakeList::new();
        self.lock.lock();
        // SAFETY: `lock` is held.
        let (set, waiter) = unsafe { &mut *self.state.get() };
        *set = true;
        // SAFETY: we hold the lock the arm waits under, so the selector is alive.
        let r = waiter
            .take()
            .map(|(sel, op)| f(unsafe { &*sel }, op, &mut wakes));
        // SAFETY: we took the lock above.
        unsafe { self.lock.unlock() };
        wakes.wake_all(); // with no lock held
        r
    }

    /// The index of the arm waiting here, if any.
    pub fn waiter(&self) -> Option<usize> {
        self.lock.lock();
        // SAFETY: `lock` is held.
        let op = unsafe { (*self.state.get()).1.map(|(_, op)| op) };
        // SAFETY: we took the lock above.
        unsafe { self.lock.unlock() };
        op
    }
}

/// An arm on a flag; the `bool` says whether it completed.
pub struct FlagArm<'a>(pub &'a Flag, pub bool);

// SAFETY: all state is guarded by the flag's lock; the arm completes only in
// `try_complete` and `finish`; `withdraw` forgets the selector; no wakers are pushed.
unsafe impl RawArm for FlagArm<'_> {
    fn lock(&self) -> &dyn ArmLock {
        &self.0.lock
    }
    unsafe fn try_complete(mut self: Pin<&mut Self>, _: &mut ArmCx<'_>) -> bool {
        // SAFETY: the lock is held (method contract).
        self.1 = unsafe { (*self.0.state.get()).0 };
        self.1
    }
    unsafe fn wait(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
        // SAFETY: the lock is held (method contract).
        unsafe { (*self.0.state.get()).1 = Some((cx.selector(), cx.op())) };
    }
    unsafe fn finish(mut self: Pin<&mut Self>, _: &mut ArmCx<'_>) {
        self.1 = true; // claimed by `set` (or by `set_with`'s `f`)
    }
    unsafe fn withdraw(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
        // SAFETY: the lock is held (method contract).
        let waiter = unsafe { &mut (*self.0.state.get()).1 };
        if waiter.is_some_and(|(sel, _)| core::ptr::eq(sel, cx.selector())) {
            *waiter = None;
        }
    }
}

impl Arm for FlagArm<'_> {
    type Output = ();
    fn take_output(self: Pin<&mut Self>) {
        assert!(self.1, "the flag arm did not complete");
    }
}
