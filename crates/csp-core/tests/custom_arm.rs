//! Another event source joins a select through the public arm traits: a one-shot
//! latch with a single waiting slot, guarded by its own lock.

#![cfg(not(loom))]

use std::cell::UnsafeCell;
use std::future::Future;
use std::pin::{pin, Pin};
use std::task::Poll;

use csp_core::buffer::Fixed;
use csp_core::lock::{RawLock, SpinLock};
use csp_core::{select, Arm, ArmCx, ArmLock, Chan, RawArm, Selector, WakeList};

/// A latch: `set` once; a select arm on it completes when it is set.
struct Latch {
    lock: SpinLock,
    /// Guarded by `lock`: whether set, and the one waiting arm (selector, op).
    state: UnsafeCell<(bool, Option<(*const Selector, usize)>)>,
}

// SAFETY: `state` is only touched with `lock` held.
unsafe impl Sync for Latch {}

impl Latch {
    fn new() -> Self {
        Latch {
            lock: SpinLock::INIT,
            state: UnsafeCell::new((false, None)),
        }
    }

    fn set(&self) {
        let mut wakes = WakeList::new();
        self.lock.lock();
        // SAFETY: lock held.
        let st = unsafe { &mut *self.state.get() };
        st.0 = true;
        if let Some((sel, op)) = st.1.take() {
            // SAFETY: the waiter registered under this lock and withdraws under it, so
            // it is alive; we hold the lock. Completing on its behalf = claiming it.
            unsafe { (*sel).try_claim(op, &mut wakes) };
        }
        // SAFETY: taken above.
        unsafe { self.lock.unlock() };
        wakes.wake_all();
    }

    fn wait(&self) -> LatchArm<'_> {
        LatchArm {
            latch: self,
            done: false,
        }
    }
}

struct LatchArm<'a> {
    latch: &'a Latch,
    done: bool,
}

// SAFETY: all state is guarded by the latch's lock; output appears only in
// try_complete/finish; withdraw forgets the selector; at most one waker is pushed.
unsafe impl RawArm for LatchArm<'_> {
    fn lock(&self) -> &dyn ArmLock {
        &self.latch.lock
    }
    unsafe fn try_complete(mut self: Pin<&mut Self>, _cx: &mut ArmCx<'_>) -> bool {
        // SAFETY: lock held (contract).
        let set = unsafe { (*self.latch.state.get()).0 };
        self.done |= set;
        set
    }
    unsafe fn wait(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
        // SAFETY: lock held (contract).
        unsafe { (*self.latch.state.get()).1 = Some((cx.selector(), cx.op())) };
    }
    unsafe fn finish(mut self: Pin<&mut Self>, _cx: &mut ArmCx<'_>) {
        self.done = true;
    }
    unsafe fn withdraw(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
        // SAFETY: lock held (contract).
        let w = unsafe { &mut (*self.latch.state.get()).1 };
        if matches!(w, Some((s, _)) if std::ptr::eq(*s, cx.selector())) {
            *w = None;
        }
    }
}

impl Arm for LatchArm<'_> {
    type Output = ();
    fn take_output(self: Pin<&mut Self>) {
        assert!(self.done, "latch not set");
    }
}

#[test]
fn a_custom_event_source_wins_a_select_and_the_channel_arm_takes_nothing() {
    let latch = Latch::new();
    let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
    let mut fut = pin!(async {
        select! {
            _ = latch.wait() => "latch",
            v = ch.get() => if v.is_some() { "value" } else { "closed" },
        }
    });
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    assert!(fut.as_mut().poll(&mut cx).is_pending());
    latch.set(); // claims the select for the latch arm
    ch.try_put(5).unwrap(); // buffered: the select's get must not take it
    assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready("latch"));
    assert_eq!(ch.try_get(), Ok(5));
}

#[test]
fn a_ready_custom_event_source_completes_at_once() {
    let latch = Latch::new();
    latch.set();
    let ch: Chan<u32> = Chan::new();
    let got = csp_core::block_on(async {
        select! {
            _ = latch.wait() => 1,
            _ = ch.get() => 2,
        }
    });
    assert_eq!(got, 1);
}
