//! Running a main future: [`run`] on this thread, [`run_in_thread`] on a new one.

use std::future::Future;
use std::sync::Arc;

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
        let _enter = csp_rt::enter(&crate::task::CURRENT, ex.clone());
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
    csp_rt::spawn_thread("csp-async-std-run", move || run(fut))
}

/// The handle [`run_in_thread`] returns: [`join`](ThreadTask::join) blocks for the
/// result; `.await` waits for it without blocking; dropping it detaches the thread.
/// Joining or awaiting re-raises the panic of the thread's future.
pub use csp_rt::ThreadTask;
