//! Spawning: [`go`], [`spawn_blocking`], the [`Task`] handle, and [`nop`]; and the
//! per-thread "current executor" that [`run`](crate::run) installs.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use async_executor::Executor;

thread_local! {
    /// The executor of the innermost [`run`](crate::run) on this thread. Tasks of that
    /// executor are only ever polled on this thread (inside `run`), so they see it too.
    pub(crate) static CURRENT: RefCell<Option<Arc<Executor<'static>>>> = const { RefCell::new(None) };
}

/// A spawned task. Awaiting it gives the task's result; dropping it detaches the task,
/// which keeps running.
///
/// # Panics
/// Awaiting panics if the task panicked (with the task's panic payload) or if it was
/// cancelled because the [`run`](crate::run) that owned it returned.
///
/// # Examples
/// ```
/// let n = csp_async_std::run(async { csp_async_std::go(async { 6 * 7 }).await });
/// assert_eq!(n, 42);
/// ```
pub struct Task<T> {
    inner: Inner<T>,
}

/// Where a [`Task`] runs.
enum Inner<T> {
    /// On the executor of a [`run`](crate::run); `None` only after detaching in `drop`.
    Run(Option<async_task::FallibleTask<T>>),
    /// On async-std's global executor or blocking pool; dropping detaches it. The flag
    /// is set when the task's work has returned (async-std's handle cannot tell).
    Global(async_std::task::JoinHandle<T>, Arc<AtomicBool>),
}

impl<T> Task<T> {
    fn run(task: async_task::Task<T>) -> Self {
        Task {
            inner: Inner::Run(Some(task.fallible())),
        }
    }

    fn global(handle: async_std::task::JoinHandle<T>, finished: Arc<AtomicBool>) -> Self {
        Task {
            inner: Inner::Global(handle, finished),
        }
    }

    /// Whether the task has finished (returned, panicked or been cancelled).
    ///
    /// # Examples
    /// ```
    /// csp_async_std::run(async {
    ///     let t = csp_async_std::go(async {});
    ///     while !t.is_finished() {
    ///         csp_async_std::nop().await;
    ///     }
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        match &self.inner {
            Inner::Run(t) => t.as_ref().is_none_or(|t| t.is_finished()),
            Inner::Global(_, finished) => finished.load(Ordering::Acquire),
        }
    }
}

impl<T> Future for Task<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match &mut self.inner {
            Inner::Run(t) => {
                let task = t.as_mut().expect("csp-async-std: Task polled after drop");
                match ready!(Pin::new(task).poll(cx)) {
                    Some(v) => Poll::Ready(v),
                    None => panic!("csp-async-std: the task was cancelled (its run returned)"),
                }
            }
            Inner::Global(h, _) => Pin::new(h).poll(cx),
        }
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        if let Inner::Run(t) = &mut self.inner {
            if let Some(t) = t.take() {
                t.detach();
            }
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
/// returns. Elsewhere it goes to async-std's global executor (`async_std::task::spawn`).
///
/// # Examples
/// ```
/// use std::sync::Arc;
/// use csp_core::Chan;
///
/// csp_async_std::run(async {
///     let ch = Arc::new(Chan::<&str>::new());
///     let tx = ch.clone();
///     csp_async_std::go(async move { tx.put("hi").await });
///     assert_eq!(ch.get().await, Some("hi"));
/// });
/// ```
pub fn go<F>(fut: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let ex = csp_rt::current(&CURRENT);
    match ex {
        Some(ex) => Task::run(ex.spawn(fut)),
        None => {
            let finished = Arc::new(AtomicBool::new(false));
            let flag = finished.clone();
            let handle = async_std::task::spawn(async move {
                let _set = SetOnDrop(flag);
                fut.await
            });
            Task::global(handle, finished)
        }
    }
}

/// Runs the blocking closure `f` on async-std's blocking thread pool
/// (`async_std::task::spawn_blocking`) and
/// returns a handle whose `.await` gives its result: the bridge from async code to
/// CPU-heavy or blocking work.
///
/// The closure may use blocking channel operations
/// ([`Chan::put_blocking`](csp_core::Chan::put_blocking), `get_blocking`) to talk to
/// async tasks. It cannot be cancelled once started.
///
/// # Examples
/// ```
/// let sum = csp_async_std::run(async {
///     csp_async_std::spawn_blocking(|| (1..=10u64).sum::<u64>()).await
/// });
/// assert_eq!(sum, 55);
/// ```
pub fn spawn_blocking<F, T>(f: F) -> Task<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let finished = Arc::new(AtomicBool::new(false));
    let flag = finished.clone();
    let handle = async_std::task::spawn_blocking(move || {
        let _set = SetOnDrop(flag);
        f()
    });
    Task::global(handle, finished)
}

/// Sets its flag when dropped: when the work returns, panics or is dropped.
struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// Yields to the scheduler once, letting other ready tasks run (aiochan's `nop`).
///
/// # Examples
/// ```
/// csp_async_std::run(async {
///     let t = csp_async_std::go(async { "done" });
///     csp_async_std::nop().await; // the spawned task runs here
///     assert!(t.is_finished());
/// });
/// ```
pub async fn nop() {
    async_std::task::yield_now().await;
}
