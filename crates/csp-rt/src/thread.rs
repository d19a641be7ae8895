//! A closure run on a thread of its own, with a handle that can be joined or awaited.

use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread;

/// Runs `f` on a new thread called `name` and returns a handle to its result (what
/// the adapters' `run_in_thread` is made of: `f` runs a future on a fresh runtime).
///
/// # Panics
/// If the thread cannot be spawned.
///
/// # Examples
/// ```
/// let t = csp_rt::spawn_thread("worker", || 6 * 7);
/// assert_eq!(t.join(), 42);
/// ```
pub fn spawn_thread<F, T>(name: &str, f: F) -> ThreadTask<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let shared = Arc::new(Shared {
        slot: Mutex::new(Slot {
            result: None,
            waker: None,
        }),
        done: Condvar::new(),
    });
    let writer = shared.clone();
    let thread = thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(f));
            let waker = {
                let mut slot = writer.slot.lock().unwrap_or_else(PoisonError::into_inner);
                slot.result = Some(result);
                slot.waker.take()
            };
            writer.done.notify_all();
            if let Some(w) = waker {
                w.wake();
            }
        })
        .unwrap_or_else(|e| panic!("csp: cannot spawn the thread {name:?}: {e}"));
    ThreadTask {
        shared,
        thread: Some(thread),
    }
}

/// The result slot shared by a thread and its handle.
struct Shared<T> {
    /// The outcome and the waker of the task awaiting it.
    slot: Mutex<Slot<T>>,
    /// Signalled once `slot.result` is set.
    done: Condvar,
}

struct Slot<T> {
    /// `Some` once the closure has returned or panicked.
    result: Option<thread::Result<T>>,
    /// The waker of the last poll of the handle, if it had to wait.
    waker: Option<Waker>,
}

/// The handle of a thread started by [`spawn_thread`] (and the adapters'
/// `run_in_thread`). [`join`](ThreadTask::join) blocks for the result; `.await` waits
/// for it without blocking. Dropping it detaches the thread.
///
/// # Panics
/// Joining or awaiting re-raises the panic of the thread.
///
/// # Examples
/// ```
/// let t = csp_rt::spawn_thread("worker", || "from a thread");
/// assert_eq!(csp_core::block_on(t), "from a thread");
/// ```
pub struct ThreadTask<T> {
    shared: Arc<Shared<T>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl<T> ThreadTask<T> {
    /// Blocks this thread until the thread's work has finished, and returns its output.
    ///
    /// # Blocking
    /// Do not call it from async code; `.await` the handle there.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(csp_rt::spawn_thread("three", || 3).join(), 3);
    /// ```
    pub fn join(mut self) -> T {
        let result = {
            let mut slot = self
                .shared
                .slot
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            loop {
                if let Some(r) = slot.result.take() {
                    break r;
                }
                slot = self
                    .shared
                    .done
                    .wait(slot)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        };
        if let Some(t) = self.thread.take() {
            // The thread only signals and returns after storing the result.
            let _ = t.join();
        }
        match result {
            Ok(v) => v,
            Err(payload) => resume_unwind(payload),
        }
    }

    /// Whether the thread's work has finished.
    ///
    /// # Examples
    /// ```
    /// let t = csp_rt::spawn_thread("quick", || ());
    /// while !t.is_finished() {
    ///     std::thread::yield_now();
    /// }
    /// ```
    pub fn is_finished(&self) -> bool {
        let slot = self
            .shared
            .slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        slot.result.is_some()
    }
}

impl<T> Future for ThreadTask<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut slot = self
            .shared
            .slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match slot.result.take() {
            Some(Ok(v)) => Poll::Ready(v),
            Some(Err(payload)) => {
                drop(slot);
                resume_unwind(payload)
            }
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl<T> fmt::Debug for ThreadTask<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadTask")
            .field("finished", &self.is_finished())
            .finish()
    }
}
