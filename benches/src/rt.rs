//! The async runtimes: a spawner and a join handle that cover tokio and smol.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
#[cfg(feature = "peers")]
use std::sync::Arc;

/// Spawns tasks on the runtime a cell runs on.
#[derive(Clone, Debug)]
pub enum Spawner {
    /// A tokio runtime (current- or multi-thread).
    Tokio(tokio::runtime::Handle),
    /// A smol executor.
    #[cfg(feature = "peers")]
    Smol(Arc<smol::Executor<'static>>),
}

/// A spawned task's result.
#[derive(Debug)]
pub enum Join<T> {
    /// From tokio.
    Tokio(tokio::task::JoinHandle<T>),
    /// From smol.
    #[cfg(feature = "peers")]
    Smol(smol::Task<T>),
}

impl<T> Future for Join<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match self.get_mut() {
            Join::Tokio(h) => Pin::new(h)
                .poll(cx)
                .map(|r| r.expect("benchmark task panicked")),
            #[cfg(feature = "peers")]
            Join::Smol(t) => Pin::new(t).poll(cx),
        }
    }
}

impl Spawner {
    /// Spawns `f`.
    pub fn spawn<T: Send + 'static>(&self, f: impl Future<Output = T> + Send + 'static) -> Join<T> {
        match self {
            Spawner::Tokio(h) => Join::Tokio(h.spawn(f)),
            #[cfg(feature = "peers")]
            Spawner::Smol(ex) => Join::Smol(ex.spawn(f)),
        }
    }
}

/// Runs `main` on a fresh runtime of kind `rt` (not [`Runtime::Threads`](crate::Runtime)).
pub(crate) fn block_on<F: Future>(
    rt: crate::Runtime,
    main: impl FnOnce(Spawner) -> F,
) -> F::Output {
    use crate::Runtime;
    match rt {
        Runtime::TokioCurrent | Runtime::TokioMulti => {
            let r = if rt == Runtime::TokioCurrent {
                tokio::runtime::Builder::new_current_thread().build()
            } else {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .build()
            }
            .expect("tokio runtime");
            let sp = Spawner::Tokio(r.handle().clone());
            r.block_on(main(sp))
        }
        #[cfg(feature = "peers")]
        Runtime::Smol => {
            let ex = Arc::new(smol::Executor::new());
            let sp = Spawner::Smol(ex.clone());
            smol::block_on(ex.run(main(sp)))
        }
        #[cfg(not(feature = "peers"))]
        Runtime::Smol => unreachable!("smol needs feature `peers`"),
        Runtime::Threads => unreachable!("threads have no async runtime"),
    }
}
