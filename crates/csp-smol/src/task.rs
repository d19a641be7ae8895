//! Spawning: [`go`], [`spawn_blocking`], the [`Task`] handle, and [`nop`]; and the
//! per-thread "current executor" that [`run`](crate::run) installs.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use smol::Executor;

thread_local! {
    /// The executor of the innermost [`run`](crate::run) on this thread. Tasks of that
    /// executor are only ever polled on this thread (inside `run`), so they see it too.
    pub(crate) static CURRENT: RefCell<Option<Arc<Executor<'static>>>> = const { RefCell::new(None) };
}

/// A spawned task. Awaiting it gives the task's result; dropping it detaches the task,
/// which keeps running (unlike a bare `smol::Task`, which is cancelled on drop).
///
/// # Panics
/// Awaiting panics if the task panicked (with the task's panic payload) or if it was
/// cancelled because the [`run`](crate::run) that owned it returned.
///
/// # Examples
/// ```
/// let n = csp_smol::run(async { csp_smol::go(async { 6 * 7 }).await });
/// assert_eq!(n, 42);
/// ```
pub struct Task<T> {
    /// `None` only after detaching in `drop`.
    inner: Option<async_task::FallibleTask<T>>,
}

impl<T> Task<T> {
    fn new(task: smol::Task<T>) -> Self {
        Task {
            inner: Some(task.fallible()),
        }
    }

    /// Whether the task has finished (returned, panicked or been cancelled).
    ///
    /// # Examples
    /// ```
    /// csp_smol::run(async {
    ///     let t = csp_smol::go(async {});
    ///     while !t.is_finished() {
    ///         csp_smol::nop().await;
    ///     }
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.inner.as_ref().is_none_or(|t| t.is_finished())
    }
}

impl<T> Future for Task<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let task = self
            .inner
            .as_mut()
            .expect("csp-smol: Task polled after drop");
        match ready!(Pin::new(task).poll(cx)) {
            Some(v) => Poll::Ready(v),
            None => panic!("csp-smol: the task was cancelled (its run returned)"),
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        if let Some(t) = self.inner.take() {
            t.detach();
        }
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// Spawns `fut` as a new task and returns its handle without waiting (aiochan's `go`).
///
/// Inside [`run`](crate::run) the task goes to that run's executor: it runs on the
/// run's thread, not before the spawning task yields, and is cancelled when `run`
/// returns. Elsewhere it goes to smol's global executor (`smol::spawn`).
///
/// # Examples
/// ```
/// use std::sync::Arc;
/// use csp_core::Chan;
///
/// csp_smol::run(async {
///     let ch = Arc::new(Chan::<&str>::new());
///     let tx = ch.clone();
///     csp_smol::go(async move { tx.put("hi").await });
///     assert_eq!(ch.get().await, Some("hi"));
/// });
/// ```
pub fn go<F>(fut: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let ex = csp_rt::current(&CURRENT);
    Task::new(match ex {
        Some(ex) => ex.spawn(fut),
        None => smol::spawn(fut),
    })
}

/// Runs the blocking closure `f` on smol's blocking thread pool (`smol::unblock`) and
/// returns a handle whose `.await` gives its result: the bridge from async code to
/// CPU-heavy or blocking work.
///
/// The closure may use blocking channel operations
/// ([`Chan::put_blocking`](csp_core::Chan::put_blocking), `get_blocking`) to talk to
/// async tasks. It cannot be cancelled once started.
///
/// # Examples
/// ```
/// let sum = csp_smol::run(async {
///     csp_smol::spawn_blocking(|| (1..=10u64).sum::<u64>()).await
/// });
/// assert_eq!(sum, 55);
/// ```
pub fn spawn_blocking<F, T>(f: F) -> Task<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Task::new(smol::unblock(f))
}

/// Yields to the scheduler once, letting other ready tasks run (aiochan's `nop`).
///
/// # Examples
/// ```
/// csp_smol::run(async {
///     let t = csp_smol::go(async { "done" });
///     csp_smol::nop().await; // the spawned task runs here
///     assert!(t.is_finished());
/// });
/// ```
pub async fn nop() {
    smol::future::yield_now().await;
}
