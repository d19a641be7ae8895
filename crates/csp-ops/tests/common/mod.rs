//! Shared test helpers: a spawner made of plain threads (for `csp_core::block_on`), a
//! yield, a join of three futures, and the macro that runs a test on every runtime.

#![allow(dead_code)]

use std::future::{poll_fn, Future};
use std::sync::Arc;
use std::task::Poll;

use csp_core::Chan;
use csp_ops::{BoxFuture, Spawn};

/// Spawns on plain threads; blocking jobs hand their result back through a channel.
#[derive(Clone, Copy, Debug)]
pub struct Threads;

impl Spawn for Threads {
    fn spawn<F: Future<Output = ()> + Send + 'static>(&self, fut: F) {
        std::thread::spawn(move || csp_core::block_on(fut));
    }
    fn spawn_blocking<R, F>(&self, f: F) -> BoxFuture<R>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        let ch: Arc<Chan<R, _>> = Arc::new(Chan::fixed(1));
        let tx = Arc::clone(&ch);
        std::thread::spawn(move || {
            // If `f` panics, `tx` is dropped without a put; close so the future ends.
            struct CloseOnDrop<R>(Arc<Chan<R, csp_core::buffer::DynFixed<R>>>);
            impl<R> Drop for CloseOnDrop<R> {
                fn drop(&mut self) {
                    self.0.close();
                }
            }
            let guard = CloseOnDrop(tx);
            let r = f();
            let _ = guard.0.put_blocking(r);
        });
        Box::pin(async move { ch.get().await.expect("the blocking job panicked") })
    }
}

/// Returns `Pending` `n` times (waking itself each time), then `Ready`.
pub async fn yield_now(n: usize) {
    let mut left = n;
    poll_fn(|cx| {
        if left == 0 {
            Poll::Ready(())
        } else {
            left -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await
}

/// Runs three futures concurrently in this task.
pub async fn join3<A: Future, B: Future, C: Future>(
    a: A,
    b: B,
    c: C,
) -> (A::Output, B::Output, C::Output) {
    let ((x, y), z) = futures_lite::future::zip(futures_lite::future::zip(a, b), c).await;
    (x, y, z)
}

/// Puts every item (panicking if the channel is closed), then closes the channel.
pub async fn feed<T, B, L>(ch: &Chan<T, B, L>, items: impl IntoIterator<Item = T>)
where
    B: csp_core::buffer::Buffer<T>,
    L: csp_core::lock::RawLock,
{
    for v in items {
        assert!(ch.put(v).await.is_ok(), "feed: channel closed early");
    }
    ch.close();
}

/// Defines a module with one `#[test]` per runtime, each running `$body` (an async
/// block body) with `$sp` bound to that runtime's spawner: `csp_core::block_on` with
/// plain threads, tokio (multi-threaded), smol and async-std. The body runs as a task
/// of the runtime (so on a worker thread), and everything it joins runs in that task.
macro_rules! on_every_runtime {
    ($(#[$m:meta])* $name:ident, |$sp:ident| $body:block) => {
        $(#[$m])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn block_on() {
                #[allow(unused_variables)]
                let $sp = crate::common::Threads;
                csp_core::block_on(async move $body)
            }

            #[test]
            fn tokio() {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap();
                let task = rt.spawn(async move {
                    #[allow(unused_variables)]
                    let $sp = csp_ops::Tokio::current();
                    $body
                });
                rt.block_on(task).unwrap()
            }

            #[test]
            fn smol() {
                #[allow(unused_variables)]
                let $sp = csp_ops::Smol;
                smol::block_on(smol::spawn(async move $body))
            }

            #[test]
            fn async_std() {
                #[allow(unused_variables)]
                let $sp = csp_ops::AsyncStd;
                async_std::task::block_on(async_std::task::spawn(async move $body))
            }
        }
    };
}
