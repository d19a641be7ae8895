//! A run-to-completion executor for a fixed set of futures, in a few lines.
//!
//! Each task has a `static` ready flag; its waker sets the flag (from a task or from an
//! interrupt handler alike: it is one atomic store). The loop polls every task whose
//! flag is set, round robin, and sleeps with `wfi` when none is. The flags are checked
//! with interrupts masked just before `wfi`, so a wake-up that lands between the check
//! and the sleep is not lost: `wfi` returns at once for an interrupt that is pending,
//! masked or not, and the handler runs as soon as the mask is lifted.

use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

/// How many tasks [`run`] accepts.
pub const MAX_TASKS: usize = 4;

/// One ready flag per task slot; `'static` so a waker stays valid wherever it is kept.
static READY: [AtomicBool; MAX_TASKS] = [const { AtomicBool::new(false) }; MAX_TASKS];

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake, drop_waker);

/// A task's waker; `data` points to its `'static` ready flag.
fn clone(data: *const ()) -> RawWaker {
    RawWaker::new(data, &VTABLE)
}

fn wake(data: *const ()) {
    // SAFETY: every waker of this vtable was made by `waker` from a `&'static AtomicBool`.
    let flag = unsafe { &*data.cast::<AtomicBool>() };
    flag.store(true, Ordering::Release);
}

fn drop_waker(_: *const ()) {}

fn waker(flag: &'static AtomicBool) -> Waker {
    let raw = RawWaker::new(core::ptr::from_ref(flag).cast(), &VTABLE);
    // SAFETY: the vtable's functions uphold `RawWaker`'s contract: the data is a shared
    // reference to a `'static` atomic, so cloning copies it, dropping does nothing, and
    // waking (from any context) is one atomic store.
    unsafe { Waker::from_raw(raw) }
}

/// Polls `tasks` until all of them have completed, sleeping while none can progress.
///
/// # Panics
/// If there are more than [`MAX_TASKS`] tasks.
pub fn run(tasks: &mut [Pin<&mut dyn Future<Output = ()>>]) {
    let n = tasks.len();
    assert!(n <= MAX_TASKS, "executor: at most {MAX_TASKS} tasks");
    let mut done = [false; MAX_TASKS];
    let mut left = n;
    for flag in &READY[..n] {
        flag.store(true, Ordering::Relaxed);
    }
    while left > 0 {
        let mut polled = false;
        for (i, task) in tasks.iter_mut().enumerate() {
            if done[i] || !READY[i].swap(false, Ordering::Acquire) {
                continue;
            }
            polled = true;
            let waker = waker(&READY[i]);
            if let Poll::Ready(()) = task.as_mut().poll(&mut Context::from_waker(&waker)) {
                done[i] = true;
                left -= 1;
            }
        }
        if !polled {
            cortex_m::interrupt::free(|_| {
                if !(0..n).any(|i| !done[i] && READY[i].load(Ordering::Relaxed)) {
                    cortex_m::asm::wfi();
                }
            });
        }
    }
}
