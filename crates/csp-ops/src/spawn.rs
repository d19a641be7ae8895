//! [`Spawn`]: the little a combinator needs from a runtime, and its implementations
//! for tokio, async-std and smol (each behind its feature).

use alloc::boxed::Box;
use core::future::Future;
use core::pin::Pin;

/// A boxed, `Send` future: what [`Spawn::spawn_blocking`] returns.
///
/// # Examples
/// ```
/// use csp_ops::{BoxFuture, Smol, Spawn};
///
/// let job: BoxFuture<u32> = Smol.spawn_blocking(|| 6 * 7);
/// assert_eq!(csp_core::block_on(job), 42);
///
/// // Any `Send + 'static` future boxes into one (as a `Spawn` implementation does).
/// let ready: BoxFuture<&str> = Box::pin(async { "done" });
/// assert_eq!(csp_core::block_on(ready), "done");
/// ```
pub type BoxFuture<R> = Pin<Box<dyn Future<Output = R> + Send + 'static>>;

/// Starts tasks on a runtime: detached async tasks, and blocking closures on a thread
/// pool meant for blocking or CPU-heavy work.
///
/// Implemented for `Tokio`, `AsyncStd` and `Smol` behind the features of the same names; implement it for any
/// other executor.
///
/// # Examples
/// A spawner that runs everything on new threads:
/// ```
/// use core::future::Future;
/// use csp_ops::{BoxFuture, Spawn};
///
/// #[derive(Debug)]
/// struct Threads;
///
/// impl Spawn for Threads {
///     fn spawn<F: Future<Output = ()> + Send + 'static>(&self, fut: F) {
///         std::thread::spawn(move || csp_core::block_on(fut));
///     }
///     fn spawn_blocking<R, F>(&self, f: F) -> BoxFuture<R>
///     where
///         R: Send + 'static,
///         F: FnOnce() -> R + Send + 'static,
///     {
///         let (tx, rx) = std::sync::mpsc::channel();
///         std::thread::spawn(move || tx.send(f()));
///         // Waiting for the thread blocks the caller: fine for an example only.
///         Box::pin(async move { rx.recv().expect("the job panicked") })
///     }
/// }
///
/// let job = Threads.spawn_blocking(|| 6 * 7);
/// assert_eq!(csp_core::block_on(job), 42);
/// ```
pub trait Spawn {
    /// Runs `fut` to completion in the background (detached).
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// use csp_core::Chan;
    /// use csp_ops::{collect, Smol, Spawn};
    ///
    /// let ch: Arc<Chan<u32>> = Arc::new(Chan::new()); // rendezvous
    /// let tx = Arc::clone(&ch);
    /// Smol.spawn(async move {
    ///     for i in 1..=3 { tx.put(i).await.unwrap(); }
    ///     tx.close();
    /// });
    /// // `spawn` has returned; the task runs on its own, and nobody awaits it.
    /// assert_eq!(csp_core::block_on(collect(&*ch, None)), [1, 2, 3]);
    /// ```
    fn spawn<F>(&self, fut: F)
    where
        F: Future<Output = ()> + Send + 'static;

    /// Runs the blocking function `f` on a thread meant for blocking work and returns a
    /// future of its result. A panic in `f` resumes when the future is awaited.
    ///
    /// # Examples
    /// ```
    /// use std::panic::{catch_unwind, AssertUnwindSafe};
    /// use csp_ops::{Smol, Spawn};
    ///
    /// let job = Smol.spawn_blocking(|| (1..=10u32).sum::<u32>());
    /// assert_eq!(csp_core::block_on(job), 55);
    ///
    /// let job = Smol.spawn_blocking(|| -> u32 { panic!("boom") });
    /// let awaited = catch_unwind(AssertUnwindSafe(|| csp_core::block_on(job)));
    /// assert!(awaited.is_err()); // the panic came back to the awaiter
    /// ```
    fn spawn_blocking<R, F>(&self, f: F) -> BoxFuture<R>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static;
}

impl<S: Spawn + ?Sized> Spawn for &S {
    fn spawn<F>(&self, fut: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        (**self).spawn(fut)
    }
    fn spawn_blocking<R, F>(&self, f: F) -> BoxFuture<R>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        (**self).spawn_blocking(f)
    }
}

/// Spawns on a tokio runtime (`tokio::spawn` and `spawn_blocking` on its handle).
///
/// # Examples
/// ```
/// use csp_ops::{Spawn, Tokio};
///
/// let rt = tokio::runtime::Runtime::new().unwrap();
/// let sp = Tokio::from(rt.handle().clone());
/// assert_eq!(rt.block_on(sp.spawn_blocking(|| 1 + 1)), 2);
/// ```
#[cfg(feature = "tokio")]
#[derive(Clone, Debug)]
pub struct Tokio {
    handle: tokio::runtime::Handle,
}

#[cfg(feature = "tokio")]
impl Tokio {
    /// The runtime we are running on.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    ///
    /// # Examples
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let sp = csp_ops::Tokio::current();
    /// # let _ = sp; });
    /// ```
    pub fn current() -> Self {
        Tokio {
            handle: tokio::runtime::Handle::current(),
        }
    }
}

#[cfg(feature = "tokio")]
impl From<tokio::runtime::Handle> for Tokio {
    fn from(handle: tokio::runtime::Handle) -> Self {
        Tokio { handle }
    }
}

#[cfg(feature = "tokio")]
impl Spawn for Tokio {
    fn spawn<F>(&self, fut: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        drop(self.handle.spawn(fut));
    }
    fn spawn_blocking<R, F>(&self, f: F) -> BoxFuture<R>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        let job = self.handle.spawn_blocking(f);
        Box::pin(async move {
            match job.await {
                Ok(r) => r,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(e) => panic!("csp-ops: blocking job did not finish: {e}"),
            }
        })
    }
}

/// Spawns on smol's global executor (`smol::spawn(..).detach()`) and its blocking pool
/// (`smol::unblock`).
///
/// # Examples
/// ```
/// use csp_ops::{Smol, Spawn};
///
/// assert_eq!(smol::block_on(Smol.spawn_blocking(|| 1 + 1)), 2);
/// ```
#[cfg(feature = "smol")]
#[derive(Clone, Copy, Debug, Default)]
pub struct Smol;

#[cfg(feature = "smol")]
impl Spawn for Smol {
    fn spawn<F>(&self, fut: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        smol::spawn(fut).detach();
    }
    fn spawn_blocking<R, F>(&self, f: F) -> BoxFuture<R>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        Box::pin(smol::unblock(f))
    }
}

/// Spawns on async-std's executor (`async_std::task::spawn`, `spawn_blocking`).
/// async-std is discontinued upstream; prefer `Smol` in new code.
///
/// # Examples
/// ```
/// use csp_ops::{AsyncStd, Spawn};
///
/// assert_eq!(async_std::task::block_on(AsyncStd.spawn_blocking(|| 1 + 1)), 2);
/// ```
#[cfg(feature = "async-std")]
#[derive(Clone, Copy, Debug, Default)]
pub struct AsyncStd;

#[cfg(feature = "async-std")]
impl Spawn for AsyncStd {
    fn spawn<F>(&self, fut: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        drop(async_std::task::spawn(fut));
    }
    fn spawn_blocking<R, F>(&self, f: F) -> BoxFuture<R>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        Box::pin(async_std::task::spawn_blocking(f))
    }
}
