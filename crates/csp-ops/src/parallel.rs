//! Blocking or CPU-heavy functions on a runtime's blocking pool: [`parallel_pipe`],
//! [`parallel_pipe_unordered`] and their flattening forms. The driver is an ordinary
//! future (the n-slot pipe of [`crate::async_pipe`]); each value's work is a job given to
//! [`Spawn::spawn_blocking`], so up to `n` jobs run on as many threads at once.

use alloc::sync::Arc;
use core::future::Future;

use csp_core::buffer::Buffer;
use csp_core::lock::RawLock;
use csp_core::{Chan, Closed};

use crate::options::check_pipe_limit;
use crate::pipeline::run_pipe;
use crate::{Options, Spawn};

/// The shared driver: jobs on the blocking pool, results through `wrap`.
#[allow(clippy::too_many_arguments)]
async fn run_parallel<A, B, BA, BB, LA, LB, S, F, R, I>(
    n: usize,
    input: &Chan<A, BA, LA>,
    output: &Chan<B, BB, LB>,
    spawner: &S,
    f: F,
    wrap: fn(R) -> I,
    ordered: bool,
    opts: Options,
) -> Result<(), Closed<B>>
where
    A: Send + 'static,
    BA: Buffer<A>,
    LA: RawLock,
    BB: Buffer<B>,
    LB: RawLock,
    S: Spawn + ?Sized,
    F: Fn(A) -> R + Send + Sync + 'static,
    R: Send + 'static,
    I: IntoIterator<Item = B>,
{
    let f = Arc::new(f);
    let job = |a: A| {
        let f = Arc::clone(&f);
        let done = spawner.spawn_blocking(move || f(a));
        async move { wrap(done.await) }
    };
    run_pipe(n, input, output, job, ordered, opts).await
}

/// Runs the blocking function `f` on up to `n` values at once, each on the
/// spawner's blocking pool, and puts the results **in input order** (aiochan's
/// `parallel_pipe`). Use it for CPU-heavy or blocking work.
///
/// A panic in `f` resumes in this driver, which closes `output` on the way out;
/// results still in flight at that moment are dropped.
///
/// `n` may be as large as you like (`usize::MAX` for no limit of its own; the
/// spawner's pool still bounds the jobs that really run at once): room for at most
/// 1024 values in flight is reserved up front, and more as they come.
///
/// # Panics
/// At the call, before the driver future is returned, if `n` is 0 (with the message
/// "csp-ops: parallel_pipe needs a concurrency limit `n` of at least 1"). While it runs, if
/// `f` panics (after closing `output`).
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, parallel_pipe, Options, Smol};
///
/// # smol::block_on(async {
/// let input = Chan::fixed(8);
/// let output = Chan::fixed(8);
/// for i in 0..6u64 { input.try_put(i).unwrap(); }
/// input.close();
/// parallel_pipe(2, &input, &output, &Smol, |x| x * x, Options::new()).await.unwrap();
/// assert_eq!(collect(&output, None).await, [0, 1, 4, 9, 16, 25]);
/// # });
/// ```
#[track_caller]
pub fn parallel_pipe<'a, A, B, BA, BB, LA, LB, S, F>(
    n: usize,
    input: &'a Chan<A, BA, LA>,
    output: &'a Chan<B, BB, LB>,
    spawner: &'a S,
    f: F,
    opts: Options,
) -> impl Future<Output = Result<(), Closed<B>>> + use<'a, A, B, BA, BB, LA, LB, S, F>
where
    A: Send + 'static,
    BA: Buffer<A>,
    LA: RawLock,
    BB: Buffer<B>,
    LB: RawLock,
    S: Spawn + ?Sized,
    F: Fn(A) -> B + Send + Sync + 'static,
    B: Send + 'static,
{
    check_pipe_limit(n, "parallel_pipe");
    run_parallel(n, input, output, spawner, f, core::iter::once, true, opts)
}

/// Like [`parallel_pipe`], but puts results **in completion order**.
///
/// # Panics
/// At the call, before the driver future is returned, if `n` is 0 (with the message
/// "csp-ops: parallel_pipe_unordered needs a concurrency limit `n` of at least 1"). While
/// it runs, if `f` panics (after closing `output`).
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, parallel_pipe_unordered, Options, Smol};
///
/// # smol::block_on(async {
/// let input = Chan::fixed(8);
/// let output = Chan::fixed(8);
/// for i in 0..6u64 { input.try_put(i).unwrap(); }
/// input.close();
/// parallel_pipe_unordered(2, &input, &output, &Smol, |x| x + 1, Options::new())
///     .await
///     .unwrap();
/// let mut all = collect(&output, None).await;
/// all.sort();
/// assert_eq!(all, [1, 2, 3, 4, 5, 6]);
/// # });
/// ```
#[track_caller]
pub fn parallel_pipe_unordered<'a, A, B, BA, BB, LA, LB, S, F>(
    n: usize,
    input: &'a Chan<A, BA, LA>,
    output: &'a Chan<B, BB, LB>,
    spawner: &'a S,
    f: F,
    opts: Options,
) -> impl Future<Output = Result<(), Closed<B>>> + use<'a, A, B, BA, BB, LA, LB, S, F>
where
    A: Send + 'static,
    BA: Buffer<A>,
    LA: RawLock,
    BB: Buffer<B>,
    LB: RawLock,
    S: Spawn + ?Sized,
    F: Fn(A) -> B + Send + Sync + 'static,
    B: Send + 'static,
{
    check_pipe_limit(n, "parallel_pipe_unordered");
    run_parallel(n, input, output, spawner, f, core::iter::once, false, opts)
}

/// [`parallel_pipe`] with `flatten`: `f` returns any number of results (an
/// `IntoIterator`), put one by one, in input order.
///
/// # Panics
/// At the call, before the driver future is returned, if `n` is 0 (with the message
/// "csp-ops: parallel_pipe_flat needs a concurrency limit `n` of at least 1"). While it
/// runs, if `f` panics (after closing `output`).
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, parallel_pipe_flat, Options, Smol};
///
/// # smol::block_on(async {
/// let input = Chan::fixed(8);
/// let output = Chan::fixed(8);
/// for i in 1..4u64 { input.try_put(i).unwrap(); }
/// input.close();
/// parallel_pipe_flat(2, &input, &output, &Smol, |x| vec![x; x as usize], Options::new())
///     .await
///     .unwrap();
/// assert_eq!(collect(&output, None).await, [1, 2, 2, 3, 3, 3]);
/// # });
/// ```
#[track_caller]
pub fn parallel_pipe_flat<'a, A, B, BA, BB, LA, LB, S, F, R>(
    n: usize,
    input: &'a Chan<A, BA, LA>,
    output: &'a Chan<B, BB, LB>,
    spawner: &'a S,
    f: F,
    opts: Options,
) -> impl Future<Output = Result<(), Closed<B>>> + use<'a, A, B, BA, BB, LA, LB, S, F, R>
where
    A: Send + 'static,
    BA: Buffer<A>,
    LA: RawLock,
    BB: Buffer<B>,
    LB: RawLock,
    S: Spawn + ?Sized,
    F: Fn(A) -> R + Send + Sync + 'static,
    R: IntoIterator<Item = B> + Send + 'static,
{
    check_pipe_limit(n, "parallel_pipe_flat");
    run_parallel(n, input, output, spawner, f, |r: R| r, true, opts)
}

/// [`parallel_pipe_unordered`] with `flatten`: each job's results are put together,
/// jobs in completion order.
///
/// # Panics
/// At the call, before the driver future is returned, if `n` is 0 (with the message
/// "csp-ops: parallel_pipe_unordered_flat needs a concurrency limit `n` of at least 1").
/// While it runs, if `f` panics (after closing `output`).
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, parallel_pipe_unordered_flat, Options, Smol};
///
/// # smol::block_on(async {
/// let input = Chan::fixed(8);
/// let output = Chan::fixed(8);
/// for i in 1..4u64 { input.try_put(i).unwrap(); }
/// input.close();
/// parallel_pipe_unordered_flat(2, &input, &output, &Smol, |x| [x, x * 10], Options::new())
///     .await
///     .unwrap();
/// let mut all = collect(&output, None).await;
/// all.sort();
/// assert_eq!(all, [1, 2, 3, 10, 20, 30]);
/// # });
/// ```
#[track_caller]
pub fn parallel_pipe_unordered_flat<'a, A, B, BA, BB, LA, LB, S, F, R>(
    n: usize,
    input: &'a Chan<A, BA, LA>,
    output: &'a Chan<B, BB, LB>,
    spawner: &'a S,
    f: F,
    opts: Options,
) -> impl Future<Output = Result<(), Closed<B>>> + use<'a, A, B, BA, BB, LA, LB, S, F, R>
where
    A: Send + 'static,
    BA: Buffer<A>,
    LA: RawLock,
    BB: Buffer<B>,
    LB: RawLock,
    S: Spawn + ?Sized,
    F: Fn(A) -> R + Send + Sync + 'static,
    R: IntoIterator<Item = B> + Send + 'static,
{
    check_pipe_limit(n, "parallel_pipe_unordered_flat");
    run_parallel(n, input, output, spawner, f, |r: R| r, false, opts)
}
