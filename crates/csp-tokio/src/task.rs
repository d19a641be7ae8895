//! Spawning: [`go`], [`spawn_blocking`], the [`Task`] handle, and [`nop`].

use std::fmt;
use std::future::Future;
use std::panic::resume_unwind;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// A spawned task. Awaiting it gives the task's result; dropping it detaches the task,
/// which keeps running.
///
/// # Panics
/// Awaiting panics if the task panicked (with the task's panic payload) or if it was
/// cancelled because its runtime shut down (for example after [`run`](crate::run)
/// returned).
///
/// # Examples
/// ```
/// let n = csp_tokio::run(async { csp_tokio::go(async { 6 * 7 }).await });
/// assert_eq!(n, 42);
/// ```
pub struct Task<T> {
    handle: tokio::task::JoinHandle<T>,
}

impl<T> Task<T> {
    /// Whether the task has finished (returned, panicked or been cancelled).
    ///
    /// # Examples
    /// ```
    /// csp_tokio::run(async {
    ///     let t = csp_tokio::go(async {});
    ///     while !t.is_finished() {
    ///         csp_tokio::nop().await;
    ///     }
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }
}

impl<T> Future for Task<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match ready!(Pin::new(&mut self.handle).poll(cx)) {
            Ok(v) => Poll::Ready(v),
            Err(e) if e.is_panic() => resume_unwind(e.into_panic()),
            Err(_) => panic!("csp-tokio: the task was cancelled (its runtime shut down)"),
        }
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("id", &self.handle.id())
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// Spawns `fut` as a new task and returns its handle without waiting (aiochan's `go`).
///
/// The task starts when the scheduler gets to it: inside [`run`](crate::run), not
/// before the spawning task yields.
///
/// # Panics
/// Outside a tokio runtime (use it inside [`run`](crate::run), [`run_in_thread`](crate::run_in_thread)
/// or your own runtime).
///
/// # Examples
/// ```
/// use std::sync::Arc;
/// use csp_core::Chan;
///
/// csp_tokio::run(async {
///     let ch = Arc::new(Chan::<&str>::new());
///     let tx = ch.clone();
///     csp_tokio::go(async move { tx.put("hi").await });
///     assert_eq!(ch.get().await, Some("hi"));
/// });
/// ```
#[track_caller]
pub fn go<F>(fut: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Task {
        handle: tokio::spawn(fut),
    }
}

/// Runs the blocking closure `f` on tokio's blocking thread pool and returns a handle
/// whose `.await` gives its result: the bridge from async code to CPU-heavy or
/// blocking work.
///
/// The closure may use blocking channel operations
/// ([`Chan::put_blocking`](csp_core::Chan::put_blocking), `get_blocking`) to talk to
/// async tasks. It cannot be cancelled once started.
///
/// # Panics
/// Outside a tokio runtime.
///
/// # Examples
/// ```
/// let sum = csp_tokio::run(async {
///     csp_tokio::spawn_blocking(|| (1..=10u64).sum::<u64>()).await
/// });
/// assert_eq!(sum, 55);
/// ```
#[track_caller]
pub fn spawn_blocking<F, T>(f: F) -> Task<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Task {
        handle: tokio::task::spawn_blocking(f),
    }
}

/// Yields to the scheduler once, letting other ready tasks run (aiochan's `nop`).
///
/// # Examples
/// ```
/// csp_tokio::run(async {
///     let t = csp_tokio::go(async { "done" });
///     csp_tokio::nop().await; // the spawned task runs here
///     assert!(t.is_finished());
/// });
/// ```
pub async fn nop() {
    tokio::task::yield_now().await;
}
