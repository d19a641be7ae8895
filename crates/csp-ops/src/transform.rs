//! One input, one output, one value at a time: map, filter, take, skip and friends.
//! None of these allocates.

use core::future::Future;

use csp_core::buffer::Buffer;
use csp_core::lock::RawLock;
use csp_core::{Chan, Closed};

use crate::options::{put_or_stop, CloseGuard, Options};

/// Puts `f(v)` into `output` for every `v` taken from `input`, until `input` is closed
/// and drained (then closes `output` unless `opts` says otherwise).
///
/// Returns `Err(Closed(v))` if `output` was closed: `v` is the value that could not be
/// delivered; the driver stops and leaves the rest of `input` where it is.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, map, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(4);
/// let output = Chan::fixed(4);
/// for i in 1..=3 { input.try_put(i).unwrap(); }
/// input.close();
/// map(&input, &output, |x| x * 10, Options::new()).await.unwrap();
/// assert_eq!(collect(&output, None).await, [10, 20, 30]);
/// # });
/// ```
pub async fn map<A, B, BA, BB, LA, LB, F>(
    input: &Chan<A, BA, LA>,
    output: &Chan<B, BB, LB>,
    mut f: F,
    opts: Options,
) -> Result<(), Closed<B>>
where
    BA: Buffer<A>,
    LA: RawLock,
    BB: Buffer<B>,
    LB: RawLock,
    F: FnMut(A) -> B,
{
    let _guard = CloseGuard::new(output, opts);
    while let Some(a) = input.get().await {
        put_or_stop(output, f(a)).await?;
    }
    Ok(())
}

/// Like [`map`], with `flatten`: `f` returns any number of values (an `IntoIterator`),
/// each put into `output` in order.
///
/// On `Err(Closed(v))` (output closed), the rest of the current iterator is dropped
/// without being read further.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, flat_map, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(4);
/// let output = Chan::fixed(8);
/// for i in 1..=3 { input.try_put(i).unwrap(); }
/// input.close();
/// flat_map(&input, &output, |x| 0..x, Options::new()).await.unwrap();
/// assert_eq!(collect(&output, None).await, [0, 0, 1, 0, 1, 2]);
/// # });
/// ```
pub async fn flat_map<A, B, BA, BB, LA, LB, F, I>(
    input: &Chan<A, BA, LA>,
    output: &Chan<B, BB, LB>,
    mut f: F,
    opts: Options,
) -> Result<(), Closed<B>>
where
    BA: Buffer<A>,
    LA: RawLock,
    BB: Buffer<B>,
    LB: RawLock,
    F: FnMut(A) -> I,
    I: IntoIterator<Item = B>,
{
    let _guard = CloseGuard::new(output, opts);
    while let Some(a) = input.get().await {
        for b in f(a) {
            put_or_stop(output, b).await?;
        }
    }
    Ok(())
}

/// Passes on the values for which `pred` returns `true`; the others are dropped.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, filter, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(8);
/// let output = Chan::fixed(8);
/// for i in 0..6 { input.try_put(i).unwrap(); }
/// input.close();
/// filter(&input, &output, |x| x % 2 == 0, Options::new()).await.unwrap();
/// assert_eq!(collect(&output, None).await, [0, 2, 4]);
/// # });
/// ```
pub async fn filter<T, BA, BB, LA, LB, P>(
    input: &Chan<T, BA, LA>,
    output: &Chan<T, BB, LB>,
    mut pred: P,
    opts: Options,
) -> Result<(), Closed<T>>
where
    BA: Buffer<T>,
    LA: RawLock,
    BB: Buffer<T>,
    LB: RawLock,
    P: FnMut(&T) -> bool,
{
    let _guard = CloseGuard::new(output, opts);
    while let Some(v) = input.get().await {
        if pred(&v) {
            put_or_stop(output, v).await?;
        }
    }
    Ok(())
}

/// Passes on the first `n` values, then stops (closing `output` unless told not to).
/// Values after the `n`th stay in `input`, which is not closed.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, take, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(8);
/// let output = Chan::fixed(8);
/// for i in 0..6 { input.try_put(i).unwrap(); }
/// take(&input, &output, 2, Options::new()).await.unwrap();
/// assert_eq!(collect(&output, None).await, [0, 1]);
/// assert_eq!(input.try_get(), Ok(2)); // the rest is still there
/// # });
/// ```
pub async fn take<T, BA, BB, LA, LB>(
    input: &Chan<T, BA, LA>,
    output: &Chan<T, BB, LB>,
    n: usize,
    opts: Options,
) -> Result<(), Closed<T>>
where
    BA: Buffer<T>,
    LA: RawLock,
    BB: Buffer<T>,
    LB: RawLock,
{
    let _guard = CloseGuard::new(output, opts);
    for _ in 0..n {
        match input.get().await {
            Some(v) => put_or_stop(output, v).await?,
            None => break,
        }
    }
    Ok(())
}

/// Drops the first `n` values, then passes on the rest (aiochan's `drop`; named after
/// [`Iterator::skip`] so that it does not shadow [`core::mem::drop`]).
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, skip, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(8);
/// let output = Chan::fixed(8);
/// for i in 0..6 { input.try_put(i).unwrap(); }
/// input.close();
/// skip(&input, &output, 4, Options::new()).await.unwrap();
/// assert_eq!(collect(&output, None).await, [4, 5]);
/// # });
/// ```
#[doc(alias = "drop")]
pub async fn skip<T, BA, BB, LA, LB>(
    input: &Chan<T, BA, LA>,
    output: &Chan<T, BB, LB>,
    n: usize,
    opts: Options,
) -> Result<(), Closed<T>>
where
    BA: Buffer<T>,
    LA: RawLock,
    BB: Buffer<T>,
    LB: RawLock,
{
    let _guard = CloseGuard::new(output, opts);
    let mut skipped = 0;
    while let Some(v) = input.get().await {
        if skipped < n {
            skipped += 1;
        } else {
            put_or_stop(output, v).await?;
        }
    }
    Ok(())
}

/// Passes on values while `pred` holds, then stops.
///
/// Returns `Ok(Some(v))` with the first value for which `pred` was `false` (it was
/// taken from `input` and not passed on, so it comes back to the caller), `Ok(None)` if
/// `input` ended first.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, take_while, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(8);
/// let output = Chan::fixed(8);
/// for i in [1, 2, 5, 1] { input.try_put(i).unwrap(); }
/// input.close();
/// let stopper = take_while(&input, &output, |x| *x < 3, Options::new()).await.unwrap();
/// assert_eq!(stopper, Some(5));
/// assert_eq!(collect(&output, None).await, [1, 2]);
/// # });
/// ```
pub async fn take_while<T, BA, BB, LA, LB, P>(
    input: &Chan<T, BA, LA>,
    output: &Chan<T, BB, LB>,
    mut pred: P,
    opts: Options,
) -> Result<Option<T>, Closed<T>>
where
    BA: Buffer<T>,
    LA: RawLock,
    BB: Buffer<T>,
    LB: RawLock,
    P: FnMut(&T) -> bool,
{
    let _guard = CloseGuard::new(output, opts);
    while let Some(v) = input.get().await {
        if !pred(&v) {
            return Ok(Some(v));
        }
        put_or_stop(output, v).await?;
    }
    Ok(None)
}

/// Drops values while `pred` holds, then passes on every value from the first one for
/// which it does not (aiochan's `drop_while`).
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, skip_while, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(8);
/// let output = Chan::fixed(8);
/// for i in [1, 2, 5, 1] { input.try_put(i).unwrap(); }
/// input.close();
/// skip_while(&input, &output, |x| *x < 3, Options::new()).await.unwrap();
/// assert_eq!(collect(&output, None).await, [5, 1]);
/// # });
/// ```
#[doc(alias = "drop_while")]
pub async fn skip_while<T, BA, BB, LA, LB, P>(
    input: &Chan<T, BA, LA>,
    output: &Chan<T, BB, LB>,
    mut pred: P,
    opts: Options,
) -> Result<(), Closed<T>>
where
    BA: Buffer<T>,
    LA: RawLock,
    BB: Buffer<T>,
    LB: RawLock,
    P: FnMut(&T) -> bool,
{
    let _guard = CloseGuard::new(output, opts);
    let mut skipping = true;
    while let Some(v) = input.get().await {
        if skipping && pred(&v) {
            continue;
        }
        skipping = false;
        put_or_stop(output, v).await?;
    }
    Ok(())
}

/// Drops consecutive duplicates: a value equal to the one passed on just before it is
/// not passed on again.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, distinct, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(8);
/// let output = Chan::fixed(8);
/// for i in [1, 1, 2, 2, 1] { input.try_put(i).unwrap(); }
/// input.close();
/// distinct(&input, &output, Options::new()).await.unwrap();
/// assert_eq!(collect(&output, None).await, [1, 2, 1]);
/// # });
/// ```
pub async fn distinct<T, BA, BB, LA, LB>(
    input: &Chan<T, BA, LA>,
    output: &Chan<T, BB, LB>,
    opts: Options,
) -> Result<(), Closed<T>>
where
    T: PartialEq + Clone,
    BA: Buffer<T>,
    LA: RawLock,
    BB: Buffer<T>,
    LB: RawLock,
{
    let _guard = CloseGuard::new(output, opts);
    let mut last: Option<T> = None;
    while let Some(v) = input.get().await {
        if last.as_ref() == Some(&v) {
            continue;
        }
        last = Some(v.clone());
        put_or_stop(output, v).await?;
    }
    Ok(())
}

/// Folds every value into an accumulator and puts the result, once, when `input` ends
/// (`init` itself if `input` had no values).
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{reduce, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(8);
/// let output = Chan::fixed(1);
/// for i in 1..=4 { input.try_put(i).unwrap(); }
/// input.close();
/// reduce(&input, &output, 0, |acc, x| acc + x, Options::new()).await.unwrap();
/// assert_eq!(output.get().await, Some(10));
/// assert_eq!(output.get().await, None);
/// # });
/// ```
pub async fn reduce<A, B, BA, BB, LA, LB, F>(
    input: &Chan<A, BA, LA>,
    output: &Chan<B, BB, LB>,
    init: B,
    mut f: F,
    opts: Options,
) -> Result<(), Closed<B>>
where
    BA: Buffer<A>,
    LA: RawLock,
    BB: Buffer<B>,
    LB: RawLock,
    F: FnMut(B, A) -> B,
{
    let _guard = CloseGuard::new(output, opts);
    let mut acc = init;
    while let Some(a) = input.get().await {
        acc = f(acc, a);
    }
    put_or_stop(output, acc).await
}

/// Like [`reduce`], but puts every running accumulation (not `init` itself).
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, scan, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(8);
/// let output = Chan::fixed(8);
/// for i in 1..=4 { input.try_put(i).unwrap(); }
/// input.close();
/// scan(&input, &output, 0, |acc, x| acc + x, Options::new()).await.unwrap();
/// assert_eq!(collect(&output, None).await, [1, 3, 6, 10]);
/// # });
/// ```
pub async fn scan<A, B, BA, BB, LA, LB, F>(
    input: &Chan<A, BA, LA>,
    output: &Chan<B, BB, LB>,
    init: B,
    mut f: F,
    opts: Options,
) -> Result<(), Closed<B>>
where
    B: Clone,
    BA: Buffer<A>,
    LA: RawLock,
    BB: Buffer<B>,
    LB: RawLock,
    F: FnMut(B, A) -> B,
{
    let _guard = CloseGuard::new(output, opts);
    let mut acc = init;
    while let Some(a) = input.get().await {
        acc = f(acc, a);
        put_or_stop(output, acc.clone()).await?;
    }
    Ok(())
}

/// Routes each value to `yes` if `pred` holds for it, to `no` otherwise (core.async's
/// `split`). Both outputs are closed at the end unless `opts` says otherwise.
///
/// Stops with `Err(Closed(v))` as soon as the output a value is routed to is closed.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, split, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(8);
/// let (even, odd) = (Chan::fixed(8), Chan::fixed(8));
/// for i in 0..6 { input.try_put(i).unwrap(); }
/// input.close();
/// split(&input, &even, &odd, |x| x % 2 == 0, Options::new()).await.unwrap();
/// assert_eq!(collect(&even, None).await, [0, 2, 4]);
/// assert_eq!(collect(&odd, None).await, [1, 3, 5]);
/// # });
/// ```
pub async fn split<T, BA, BY, BN, LA, LY, LN, P>(
    input: &Chan<T, BA, LA>,
    yes: &Chan<T, BY, LY>,
    no: &Chan<T, BN, LN>,
    mut pred: P,
    opts: Options,
) -> Result<(), Closed<T>>
where
    BA: Buffer<T>,
    LA: RawLock,
    BY: Buffer<T>,
    LY: RawLock,
    BN: Buffer<T>,
    LN: RawLock,
    P: FnMut(&T) -> bool,
{
    let _g1 = CloseGuard::new(yes, opts);
    let _g2 = CloseGuard::new(no, opts);
    while let Some(v) = input.get().await {
        if pred(&v) {
            put_or_stop(yes, v).await?;
        } else {
            put_or_stop(no, v).await?;
        }
    }
    Ok(())
}

/// Applies an async function to every value: `f(v).await` is put into `output`, one
/// value at a time (see [`async_pipe`](crate::async_pipe) for several at once).
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, pipe, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(4);
/// let output = Chan::fixed(4);
/// for i in 1..=3 { input.try_put(i).unwrap(); }
/// input.close();
/// pipe(&input, &output, |x| async move { x + 1 }, Options::new()).await.unwrap();
/// assert_eq!(collect(&output, None).await, [2, 3, 4]);
/// # });
/// ```
pub async fn pipe<A, B, BA, BB, LA, LB, F, Fut>(
    input: &Chan<A, BA, LA>,
    output: &Chan<B, BB, LB>,
    mut f: F,
    opts: Options,
) -> Result<(), Closed<B>>
where
    BA: Buffer<A>,
    LA: RawLock,
    BB: Buffer<B>,
    LB: RawLock,
    F: FnMut(A) -> Fut,
    Fut: Future<Output = B>,
{
    let _guard = CloseGuard::new(output, opts);
    while let Some(a) = input.get().await {
        put_or_stop(output, f(a).await).await?;
    }
    Ok(())
}

/// aiochan's `async_apply`: calls `f(v, output)` for every value; `f` is an async
/// function that may put any number of results into `output` itself. A
/// `Err(Closed(_))` returned by `f` (typically from `output.put(..)?`) stops the driver
/// and is returned.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{async_apply, collect, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(4);
/// let output: Chan<u32, _> = Chan::fixed(8);
/// for i in 1..=2 { input.try_put(i).unwrap(); }
/// input.close();
/// async_apply(&input, &output, |x, out| async move {
///     out.put(x).await?;
///     out.put(x * 100).await
/// }, Options::new()).await.unwrap();
/// assert_eq!(collect(&output, None).await, [1, 100, 2, 200]);
/// # });
/// ```
pub async fn async_apply<'o, A, B, BA, BB, LA, LB, F, Fut>(
    input: &Chan<A, BA, LA>,
    output: &'o Chan<B, BB, LB>,
    mut f: F,
    opts: Options,
) -> Result<(), Closed<B>>
where
    BA: Buffer<A>,
    LA: RawLock,
    BB: Buffer<B>,
    LB: RawLock,
    F: FnMut(A, &'o Chan<B, BB, LB>) -> Fut,
    Fut: Future<Output = Result<(), Closed<B>>>,
{
    let _guard = CloseGuard::new(output, opts);
    while let Some(a) = input.get().await {
        f(a, output).await?;
    }
    Ok(())
}

/// [`zip`](crate::zip) for two inputs of different types, without allocation: puts
/// `(a, b)` pairs in lockstep, `None` for an input that is closed and drained; ends when
/// both are.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, zip2, Options};
///
/// # csp_core::block_on(async {
/// let (a, b) = (Chan::fixed(4), Chan::fixed(4));
/// let out = Chan::fixed(4);
/// for i in 0..2 { a.try_put(i).unwrap(); }
/// b.try_put('x').unwrap();
/// a.close();
/// b.close();
/// zip2(&a, &b, &out, Options::new()).await.unwrap();
/// assert_eq!(collect(&out, None).await, [(Some(0), Some('x')), (Some(1), None)]);
/// # });
/// ```
#[allow(clippy::type_complexity)]
pub async fn zip2<A, B, BA, BB, BO, LA, LB, LO>(
    a: &Chan<A, BA, LA>,
    b: &Chan<B, BB, LB>,
    output: &Chan<(Option<A>, Option<B>), BO, LO>,
    opts: Options,
) -> Result<(), Closed<(Option<A>, Option<B>)>>
where
    BA: Buffer<A>,
    LA: RawLock,
    BB: Buffer<B>,
    LB: RawLock,
    BO: Buffer<(Option<A>, Option<B>)>,
    LO: RawLock,
{
    let _guard = CloseGuard::new(output, opts);
    loop {
        let row = (a.get().await, b.get().await);
        if row.0.is_none() && row.1.is_none() {
            return Ok(());
        }
        put_or_stop(output, row).await?;
    }
}
