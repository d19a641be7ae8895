//! Puts that need no task: [`put_detached`] and [`add`] (aiochan's
//! `put_nowait(v, cb, immediate_only=False)` and `add(*vals)`).
//!
//! A detached put is a `put` future driven by its own waker: it is polled once when it
//! is made, which queues it in the channel like any waiting put, and from then on
//! whenever the channel wakes it, on the thread that wakes it (csp calls wakers with no
//! lock held, and allows a waker to poll inline). No executor, no thread.
//!
//! # Invariants
//! - A [`Task`]'s future is touched (polled or dropped) only by the thread that holds the
//!   task in state `RUNNING`: the one that made it (it starts `RUNNING`) or the waker
//!   call that moved it from `IDLE` to `RUNNING`. That thread leaves `RUNNING` only to
//!   `IDLE` (after a `Pending`, with nobody's wake-up missed: a wake during the poll
//!   turned the state to `NOTIFIED`, the compare-exchange back to `IDLE` fails, and the
//!   future is polled again) or to `DONE` (after the future completed and was dropped).
//!   So at most one thread at a time reaches the future, which makes `Task: Sync`.
//! - The future's output is handed to whoever polled it to completion: the caller of
//!   `Task::start` if that was the first run, and dropped by a waker call otherwise.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::task::Wake;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU8, Ordering};
use core::task::{Context, Poll, Waker};

use csp_core::buffer::Buffer;
use csp_core::lock::RawLock;
use csp_core::{Chan, Closed};

use crate::BoxFuture;

/// Nobody polls the future; a wake-up polls it.
const IDLE: u8 = 0;
/// A thread is polling the future.
const RUNNING: u8 = 1;
/// A thread is polling the future and was asked to poll it once more.
const NOTIFIED: u8 = 2;
/// The future completed and is gone.
const DONE: u8 = 3;

/// A future that polls itself when woken (see the module docs).
struct Task<R> {
    state: AtomicU8,
    future: UnsafeCell<Option<BoxFuture<R>>>,
}

// SAFETY: the future is reached by one thread at a time, the one holding `RUNNING`
// (module invariants), and it is `Send`.
unsafe impl<R> Sync for Task<R> {}

impl<R: Send + 'static> Task<R> {
    /// Makes a task of `future` and polls it once, here: its output if it completed in
    /// that first run.
    fn start(future: BoxFuture<R>) -> Option<R> {
        let task = Arc::new(Task {
            state: AtomicU8::new(RUNNING),
            future: UnsafeCell::new(Some(future)),
        });
        task.run()
    }

    /// Polls the future until it is pending with no wake-up owed (`None`), or done (its
    /// output). The caller holds the task in state `RUNNING`.
    fn run(self: &Arc<Self>) -> Option<R> {
        let waker = Waker::from(self.clone());
        let mut cx = Context::from_waker(&waker);
        loop {
            // SAFETY: we hold `RUNNING`, so nobody else reaches the future (invariants).
            let slot = unsafe { &mut *self.future.get() };
            let Some(future) = slot.as_mut() else {
                unreachable!("csp-ops: a running detached put has its future");
            };
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                // Dropped while still `RUNNING`: the put's `Drop` and the waker clones
                // it held go before anybody can see `DONE`.
                *slot = None;
                self.state.store(DONE, Ordering::Release);
                return Some(out);
            }
            match self
                .state
                .compare_exchange(RUNNING, IDLE, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return None,
                // `NOTIFIED`: woken while polling; poll again, still ours.
                Err(_) => self.state.store(RUNNING, Ordering::Relaxed),
            }
        }
    }
}

impl<R: Send + 'static> Wake for Task<R> {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            let next = match state {
                IDLE => RUNNING,
                RUNNING => NOTIFIED,
                // Already asked, or finished.
                _ => return,
            };
            match self
                .state
                .compare_exchange_weak(state, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => {
                    if next == RUNNING {
                        // A completion here has nobody to return to (module invariants).
                        drop(self.run());
                    }
                    return;
                }
                Err(now) => state = now,
            }
        }
    }
}

/// Puts `value` without waiting and without a task (aiochan's
/// `put_nowait(v, cb, immediate_only=False)`): the put is queued in the channel at once,
/// like a waiting [`put`](Chan::put), and `delivered` runs once a getter has taken the
/// value (at once, here, if the put could complete right away).
///
/// Returns `Err(Closed(value))` if the channel is closed already: nothing is queued and
/// `delivered` does not run. A put queued before a close still delivers (as every
/// waiting put does), so a queued detached put never fails.
///
/// `delivered` runs on the thread whose get took the value, inside that get's poll: keep
/// it short, and do not let it panic (the panic would unwind into that getter's task).
/// A detached put that no getter ever takes keeps its value, and the channel, alive.
///
/// # Examples
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
/// use csp_core::{Chan, Closed};
/// use csp_ops::put_detached;
///
/// let ch: Arc<Chan<&str>> = Arc::new(Chan::new()); // rendezvous: nobody takes yet
/// let done = Arc::new(AtomicBool::new(false));
/// let d = done.clone();
/// put_detached(&ch, "hello", move || d.store(true, Ordering::SeqCst)).unwrap();
/// assert!(!done.load(Ordering::SeqCst)); // queued, waiting for a getter
/// assert_eq!(ch.try_get(), Ok("hello")); // a getter takes it...
/// assert!(done.load(Ordering::SeqCst)); // ...and the callback ran
///
/// ch.close();
/// assert_eq!(put_detached(&ch, "late", || ()), Err(Closed("late")));
/// ```
pub fn put_detached<T, B, L, F>(
    ch: &Arc<Chan<T, B, L>>,
    value: T,
    delivered: F,
) -> Result<(), Closed<T>>
where
    T: Send + 'static,
    B: Buffer<T> + Send + 'static,
    L: RawLock + Send + Sync + 'static,
    F: FnOnce() + Send + 'static,
{
    let ch = ch.clone();
    // The future's output is the value a closed channel refused. Only a put's first
    // poll can find the channel closed (a queued put still delivers), and that poll is
    // `start`'s, here, so the value comes back through `start`.
    let refused = Task::start(Box::pin(async move {
        match ch.put(value).await {
            Ok(()) => {
                delivered();
                None
            }
            Err(Closed(v)) => Some(v),
        }
    }));
    match refused.flatten() {
        Some(v) => Err(Closed(v)),
        None => Ok(()),
    }
}

/// Queues a put of every value, in order, without waiting and without a task (aiochan's
/// `add(*vals)`): each is a [`put_detached`]. Returns the channel, for chaining
/// (`add(&ch, [1, 2])?.close()`: puts queued before a close still deliver).
///
/// If the channel is closed, stops there and returns, in order, every value it did not
/// queue, in `Closed`.
///
/// # Examples
/// ```
/// use std::sync::Arc;
/// use csp_core::{Chan, Closed, TryGetError};
/// use csp_ops::add;
///
/// let ch: Arc<Chan<u32>> = Arc::new(Chan::new());
/// add(&ch, [1, 2, 3]).unwrap().close(); // three puts queued, then closed
/// assert_eq!(ch.try_get(), Ok(1));
/// assert_eq!(ch.try_get(), Ok(2));
/// assert_eq!(ch.try_get(), Ok(3));
/// assert_eq!(ch.try_get(), Err(TryGetError::Closed));
/// assert_eq!(add(&ch, [4, 5]).unwrap_err(), Closed(vec![4, 5]));
/// ```
// The result type is spelled out so that the docs show it whole.
#[allow(clippy::type_complexity)]
pub fn add<T, B, L, I>(
    ch: &Arc<Chan<T, B, L>>,
    values: I,
) -> Result<&Arc<Chan<T, B, L>>, Closed<Vec<T>>>
where
    T: Send + 'static,
    B: Buffer<T> + Send + 'static,
    L: RawLock + Send + Sync + 'static,
    I: IntoIterator<Item = T>,
{
    let mut values = values.into_iter();
    while let Some(v) = values.next() {
        if let Err(Closed(v)) = put_detached(ch, v, || ()) {
            let mut left = Vec::new();
            left.push(v);
            left.extend(values);
            return Err(Closed(left));
        }
    }
    Ok(ch)
}

#[cfg(test)]
mod tests {
    use super::Task;
    use alloc::boxed::Box;
    use alloc::sync::Arc;
    use core::future::poll_fn;
    use core::sync::atomic::{AtomicUsize, Ordering};
    use core::task::Poll;

    /// A future woken while it is being polled (its own waker, called inside `poll`,
    /// as a put completed from its own poll hands back its waker) is polled again.
    #[test]
    fn a_wake_during_the_poll_polls_again() {
        let polls = Arc::new(AtomicUsize::new(0));
        let p = polls.clone();
        let out = Task::start(Box::pin(poll_fn(move |cx| {
            if p.fetch_add(1, Ordering::SeqCst) == 0 {
                cx.waker().wake_by_ref(); // while RUNNING
                Poll::Pending
            } else {
                Poll::Ready(7)
            }
        })));
        assert_eq!(polls.load(Ordering::SeqCst), 2);
        assert_eq!(
            out,
            Some(7),
            "completed in the first run: its output comes back"
        );
    }

    /// A future left pending is polled by the next wake-up, and not after it completed.
    #[test]
    fn a_wake_after_the_poll_polls_on_the_waking_thread() {
        let polls = Arc::new(AtomicUsize::new(0));
        let stash: Arc<std::sync::Mutex<Option<core::task::Waker>>> = Arc::default();
        let (p, s) = (polls.clone(), stash.clone());
        let out = Task::start(Box::pin(poll_fn(move |cx| {
            if p.fetch_add(1, Ordering::SeqCst) == 0 {
                *s.lock().unwrap() = Some(cx.waker().clone());
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })));
        assert_eq!((polls.load(Ordering::SeqCst), out), (1, None));
        let waker = stash.lock().unwrap().take().unwrap();
        std::thread::spawn(move || {
            waker.wake_by_ref();
            waker.wake(); // finished: nothing more happens
        })
        .join()
        .unwrap();
        assert_eq!(polls.load(Ordering::SeqCst), 2);
    }
}
