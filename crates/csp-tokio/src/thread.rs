//! Running a main future: [`run`] on this thread, [`run_in_thread`] on a new one.

use std::future::Future;
use std::time::Duration;

/// Runs `fut` to completion on a fresh current-thread runtime on this thread, then
/// cancels every task it spawned that is still running, and returns `fut`'s output
/// (aiochan's `run`).
///
/// Tasks spawned with [`go`](crate::go) inside `run` all run on this thread, between
/// the awaits of the main future, as on an asyncio event loop. Cancelling a task drops
/// its future. Closures started with [`spawn_blocking`](crate::spawn_blocking) cannot be
/// cancelled; they finish in the background and `run` does not wait for them.
///
/// # Panics
/// If called from inside a tokio runtime (tokio forbids blocking a runtime thread on
/// another runtime; spawn with [`go`](crate::go) or use [`run_in_thread`] instead), if
/// the runtime cannot be built, or if `fut` panics.
///
/// # Examples
/// ```
/// use std::time::Duration;
///
/// let out = csp_tokio::run(async {
///     csp_tokio::go(csp_tokio::sleep(Duration::from_secs(3600))); // cancelled at the end
///     "main is done"
/// });
/// assert_eq!(out, "main is done");
/// ```
pub fn run<F: Future>(fut: F) -> F::Output {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("csp-tokio: cannot build a tokio runtime");
    let out = rt.block_on(fut);
    // Drops every task still alive, on this thread, before returning; blocking-pool
    // threads are left to finish on their own.
    rt.shutdown_timeout(Duration::ZERO);
    out
}

/// Runs `fut` with [`run`] on a new thread and returns a handle to its result (aiochan's
/// `run_in_thread`). Join it from plain code with [`ThreadTask::join`], or `.await` it.
///
/// # Examples
/// ```
/// let t = csp_tokio::run_in_thread(async { csp_tokio::go(async { 1 + 1 }).await });
/// assert_eq!(t.join(), 2);
/// ```
pub fn run_in_thread<F>(fut: F) -> ThreadTask<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    csp_rt::spawn_thread("csp-tokio-run", move || run(fut))
}

/// The handle [`run_in_thread`] returns: [`join`](ThreadTask::join) blocks for the
/// result; `.await` waits for it without blocking; dropping it detaches the thread.
/// Joining or awaiting re-raises the panic of the thread's future.
pub use csp_rt::ThreadTask;
