//! Running a main future: [`run`] on this thread, [`run_in_thread`] on a new one.

use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread;

/// Runs `fut` to completion on a fresh executor on this thread, then cancels every task
/// it spawned that is still running, and returns `fut`'s output (aiochan's `run`).
///
/// Tasks spawned with [`go`](crate::go) inside `run` all run on this thread, between
/// the awaits of the main future, as on an asyncio event loop. Cancelling a task drops
/// its future. Closures started with [`spawn_blocking`](crate::spawn_blocking) cannot be
/// cancelled; they finish in the background and `run` does not wait for them.
///
/// # Panics
/// If `fut` panics. A spawned task's panic goes to whoever awaits its
/// [`Task`](crate::Task) instead.
///
/// # Examples
/// ```
/// use std::time::Duration;
///
/// let out = csp_async_std::run(async {
///     csp_async_std::go(csp_async_std::sleep(Duration::from_secs(3600))); // cancelled at the end
///     "main is done"
/// });
/// assert_eq!(out, "main is done");
/// ```
pub fn run<F: Future>(fut: F) -> F::Output {
    let ex = Arc::new(async_executor::Executor::new());
    let out = {
        let _enter = crate::task::enter(ex.clone());
        async_std::task::block_on(ex.run(fut))
    };
    // `ex` is now the only handle: dropping the executor drops every task still alive.
    drop(ex);
    out
}

/// Runs `fut` with [`run`] on a new thread and returns a handle to its result (aiochan's
/// `run_in_thread`). Join it from plain code with [`ThreadTask::join`], or `.await` it.
///
/// # Examples
/// ```
/// let t = csp_async_std::run_in_thread(async { csp_async_std::go(async { 1 + 1 }).await });
/// assert_eq!(t.join(), 2);
/// ```
pub fn run_in_thread<F>(fut: F) -> ThreadTask<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let shared = Arc::new(Shared {
        slot: Mutex::new(Slot::default()),
        done: Condvar::new(),
    });
    let writer = shared.clone();
    let thread = thread::Builder::new()
        .name("csp-async-std-run".into())
        .spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(|| run(fut)));
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
        .expect("csp-async-std: cannot spawn a thread");
    ThreadTask {
        shared,
        thread: Some(thread),
    }
}

/// The result slot shared by a [`run_in_thread`] thread and its handle.
struct Shared<T> {
    /// The outcome and the waker of the task awaiting it.
    slot: Mutex<Slot<T>>,
    /// Signalled once `slot.result` is set.
    done: Condvar,
}

struct Slot<T> {
    /// `Some` once the thread's `run` has returned or panicked.
    result: Option<thread::Result<T>>,
    /// The waker of the last poll of the handle, if it had to wait.
    waker: Option<Waker>,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot {
            result: None,
            waker: None,
        }
    }
}

/// The handle [`run_in_thread`] returns. [`join`](ThreadTask::join) blocks for the
/// result; `.await` waits for it without blocking. Dropping it detaches the thread.
///
/// # Panics
/// Joining or awaiting re-raises the panic of the thread's future.
///
/// # Examples
/// ```
/// let t = csp_async_std::run_in_thread(async { "from a thread" });
/// let s = csp_async_std::run(async move { t.await });
/// assert_eq!(s, "from a thread");
/// ```
pub struct ThreadTask<T> {
    shared: Arc<Shared<T>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl<T> ThreadTask<T> {
    /// Blocks this thread until the future has finished, and returns its output.
    ///
    /// # Blocking
    /// Do not call it from async code; `.await` the handle there.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(csp_async_std::run_in_thread(async { 3 }).join(), 3);
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

    /// Whether the future has finished.
    ///
    /// # Examples
    /// ```
    /// let t = csp_async_std::run_in_thread(async {});
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
