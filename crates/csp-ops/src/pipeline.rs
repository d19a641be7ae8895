//! Several values in flight at once: [`async_pipe`] and [`async_pipe_unordered`] (and,
//! through [`crate::Spawn`], the parallel pipes). Needs `alloc`.
//!
//! # Implementation details
//! One driver future runs up to `n` worker futures concurrently, without a spawner: it
//! keeps a queue of *slots* in input order, each either a running worker future or its
//! finished result. Each time it is polled it (1) takes new inputs while fewer than `n`
//! slots are in use, (2) polls every running worker, (3) hands finished results to the
//! output — the front slot only, for input order, or any finished slot, for completion
//! order — one put at a time. A finished result waiting for its turn still occupies
//! its slot, so at most `n` values are running or waiting, plus the one being put
//! (back-pressure).

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use core::future::{poll_fn, Future};
use core::pin::Pin;
use core::task::Poll;

use csp_core::buffer::Buffer;
use csp_core::lock::RawLock;
use csp_core::{Chan, Closed};

use crate::options::{check_pipe_limit, CloseGuard, Options, PREALLOC_LIMIT};

/// One input value's progress.
enum Slot<Fut: Future> {
    /// The worker future, still running.
    Running(Pin<Box<Fut>>),
    /// Its result, waiting for its turn at the output.
    Done(Fut::Output),
}

/// The shared driver: `f` makes a worker per input; each worker yields an iterator of
/// outputs (one item for the non-flattening pipes).
pub(crate) async fn run_pipe<A, B, BA, BB, LA, LB, F, Fut>(
    n: usize,
    input: &Chan<A, BA, LA>,
    output: &Chan<B, BB, LB>,
    mut f: F,
    ordered: bool,
    opts: Options,
) -> Result<(), Closed<B>>
where
    BA: Buffer<A>,
    LA: RawLock,
    BB: Buffer<B>,
    LB: RawLock,
    F: FnMut(A) -> Fut,
    Fut: Future,
    Fut::Output: IntoIterator<Item = B>,
{
    // First, so that the output is closed whatever panics below.
    let _guard = CloseGuard::new(output, opts);
    // The public pipes check `n` when called; with 0 the pipe would never take a value.
    check_pipe_limit(n, "a pipe");
    // `n` may be huge (it only bounds the values in flight): reserve a little, grow.
    let mut slots: VecDeque<Slot<Fut>> = VecDeque::with_capacity(n.min(PREALLOC_LIMIT));
    let mut get = None;
    let mut put = None;
    // The results of the worker being emitted (flattened pipes put several).
    let mut current: Option<<Fut::Output as IntoIterator>::IntoIter> = None;
    let mut input_open = true;
    poll_fn(|cx| loop {
        let mut progress = false;
        // 1. Take inputs while there is room.
        while input_open && slots.len() < n {
            let g = get.get_or_insert_with(|| Box::pin(input.get()));
            match g.as_mut().poll(cx) {
                Poll::Ready(Some(a)) => {
                    get = None;
                    slots.push_back(Slot::Running(Box::pin(f(a))));
                }
                Poll::Ready(None) => {
                    get = None;
                    input_open = false;
                }
                Poll::Pending => break,
            }
        }
        // 2. Run the workers.
        for s in slots.iter_mut() {
            if let Slot::Running(w) = s {
                if let Poll::Ready(r) = w.as_mut().poll(cx) {
                    *s = Slot::Done(r);
                }
            }
        }
        // 3. Feed the output.
        if put.is_none() {
            if let Some(b) = current.as_mut().and_then(Iterator::next) {
                put = Some(Box::pin(output.put(b)));
            } else {
                current = None;
                let ready = if ordered {
                    matches!(slots.front(), Some(Slot::Done(_))).then_some(0)
                } else {
                    slots.iter().position(|s| matches!(s, Slot::Done(_)))
                };
                if let Some(Slot::Done(r)) = ready.and_then(|i| slots.remove(i)) {
                    current = Some(r.into_iter());
                    // The slot is free: take more input on the next round.
                    progress = true;
                }
            }
        }
        if let Some(p) = put.as_mut() {
            // Queued before the output was closed: withdrawn rather than left waiting for a
            // getter that may never come (see `put_or_stop`).
            match p.as_mut().poll_unless_closed(cx) {
                Poll::Ready(Ok(())) => {
                    put = None;
                    progress = true;
                }
                Poll::Ready(Err(closed)) => return Poll::Ready(Err(closed)),
                Poll::Pending => {}
            }
        }
        if !input_open && slots.is_empty() && put.is_none() && current.is_none() {
            return Poll::Ready(Ok(()));
        }
        if !progress {
            return Poll::Pending;
        }
    })
    .await
}

/// Runs up to `n` calls of the async function `f` at once and puts their results **in
/// input order** (aiochan's `async_pipe`). All of them run inside this one future, so no
/// spawner is needed; use it for I/O-bound work. A slow value holds back the ones after
/// it, and at most `n` values are in flight.
///
/// On `Err(Closed(v))` (output closed), `v` comes back, and the values still in flight
/// (up to `n`, already taken from `input`) are dropped with their workers.
///
/// `n` may be as large as you like (`usize::MAX` for no limit): room for at most 1024
/// values in flight is reserved up front, and more as they come.
///
/// # Panics
/// At the call, before the driver future is returned, if `n` is 0 (with the message
/// "csp-ops: async_pipe needs a concurrency limit `n` of at least 1").
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{async_pipe, collect, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(8);
/// let output = Chan::fixed(8);
/// for i in 0..5 { input.try_put(i).unwrap(); }
/// input.close();
/// async_pipe(3, &input, &output, |x| async move { x * 2 }, Options::new()).await.unwrap();
/// assert_eq!(collect(&output, None).await, [0, 2, 4, 6, 8]);
/// # });
/// ```
#[track_caller]
pub fn async_pipe<'a, A, B, BA, BB, LA, LB, F, Fut>(
    n: usize,
    input: &'a Chan<A, BA, LA>,
    output: &'a Chan<B, BB, LB>,
    mut f: F,
    opts: Options,
) -> impl Future<Output = Result<(), Closed<B>>> + use<'a, A, B, BA, BB, LA, LB, F, Fut>
where
    BA: Buffer<A>,
    LA: RawLock,
    BB: Buffer<B>,
    LB: RawLock,
    F: FnMut(A) -> Fut,
    Fut: Future<Output = B>,
{
    check_pipe_limit(n, "async_pipe");
    let once = move |a| {
        let w = f(a);
        async move { core::iter::once(w.await) }
    };
    run_pipe(n, input, output, once, true, opts)
}

/// Like [`async_pipe`], but puts results **in completion order**: a slow value does not
/// hold back the others.
///
/// # Panics
/// At the call, before the driver future is returned, if `n` is 0 (with the message
/// "csp-ops: async_pipe_unordered needs a concurrency limit `n` of at least 1").
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{async_pipe_unordered, collect, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(8);
/// let output = Chan::fixed(8);
/// for i in 0..5 { input.try_put(i).unwrap(); }
/// input.close();
/// async_pipe_unordered(3, &input, &output, |x| async move { x * 2 }, Options::new())
///     .await
///     .unwrap();
/// let mut all = collect(&output, None).await;
/// all.sort();
/// assert_eq!(all, [0, 2, 4, 6, 8]);
/// # });
/// ```
#[track_caller]
pub fn async_pipe_unordered<'a, A, B, BA, BB, LA, LB, F, Fut>(
    n: usize,
    input: &'a Chan<A, BA, LA>,
    output: &'a Chan<B, BB, LB>,
    mut f: F,
    opts: Options,
) -> impl Future<Output = Result<(), Closed<B>>> + use<'a, A, B, BA, BB, LA, LB, F, Fut>
where
    BA: Buffer<A>,
    LA: RawLock,
    BB: Buffer<B>,
    LB: RawLock,
    F: FnMut(A) -> Fut,
    Fut: Future<Output = B>,
{
    check_pipe_limit(n, "async_pipe_unordered");
    let once = move |a| {
        let w = f(a);
        async move { core::iter::once(w.await) }
    };
    run_pipe(n, input, output, once, false, opts)
}
