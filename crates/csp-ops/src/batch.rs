//! Operators that gather several values into one: [`group`], [`group_by`], [`collect`].
//! They need `alloc` (the batches are `Vec`s).

use alloc::vec::Vec;
use core::future::Future;

use csp_core::buffer::Buffer;
use csp_core::lock::RawLock;
use csp_core::{Chan, Closed};

use crate::options::{check_batch_size, put_or_stop, CloseGuard, Options, PREALLOC_LIMIT};

/// Puts the values in batches of `n` (the last one shorter if the input ends
/// mid-batch; no empty batch is ever put).
///
/// `n` may be as large as you like (`usize::MAX` gathers everything until the input
/// ends): room for at most 1024 values is reserved up front, and a batch
/// grows as its values arrive.
///
/// # Panics
/// At the call, before the driver future is returned, if `n` is 0 (with the message
/// "csp-ops: group needs a batch size `n` of at least 1").
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, group, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(16);
/// let output = Chan::fixed(4);
/// for i in 0..10 { input.try_put(i).unwrap(); }
/// input.close();
/// group(&input, &output, 3, Options::new()).await.unwrap();
/// assert_eq!(collect(&output, None).await, [vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8], vec![9]]);
/// # });
/// ```
#[track_caller]
pub fn group<'a, T, BA, BB, LA, LB>(
    input: &'a Chan<T, BA, LA>,
    output: &'a Chan<Vec<T>, BB, LB>,
    n: usize,
    opts: Options,
) -> impl Future<Output = Result<(), Closed<Vec<T>>>> + use<'a, T, BA, BB, LA, LB>
where
    BA: Buffer<T>,
    LA: RawLock,
    BB: Buffer<Vec<T>>,
    LB: RawLock,
{
    check_batch_size(n, "group");
    async move {
        // First, so that the output is closed whatever panics below.
        let _guard = CloseGuard::new(output, opts);
        let room = n.min(PREALLOC_LIMIT);
        let mut batch = Vec::with_capacity(room);
        while let Some(v) = input.get().await {
            batch.push(v);
            if batch.len() == n {
                let full = core::mem::replace(&mut batch, Vec::with_capacity(room));
                put_or_stop(output, full).await?;
            }
        }
        if !batch.is_empty() {
            put_or_stop(output, batch).await?;
        }
        Ok(())
    }
}

/// Puts each run of consecutive values with equal keys as `(key, values)`.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, group_by, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(16);
/// let output = Chan::fixed(4);
/// for w in ["ant", "ape", "bee", "cat", "cow"] { input.try_put(w).unwrap(); }
/// input.close();
/// group_by(&input, &output, |w| w.as_bytes()[0], Options::new()).await.unwrap();
/// assert_eq!(
///     collect(&output, None).await,
///     [(b'a', vec!["ant", "ape"]), (b'b', vec!["bee"]), (b'c', vec!["cat", "cow"])]
/// );
/// # });
/// ```
pub async fn group_by<T, K, BA, BB, LA, LB, F>(
    input: &Chan<T, BA, LA>,
    output: &Chan<(K, Vec<T>), BB, LB>,
    mut key: F,
    opts: Options,
) -> Result<(), Closed<(K, Vec<T>)>>
where
    K: PartialEq,
    BA: Buffer<T>,
    LA: RawLock,
    BB: Buffer<(K, Vec<T>)>,
    LB: RawLock,
    F: FnMut(&T) -> K,
{
    let _guard = CloseGuard::new(output, opts);
    let mut run: Option<(K, Vec<T>)> = None;
    while let Some(v) = input.get().await {
        let k = key(&v);
        match &mut run {
            Some((rk, items)) if *rk == k => items.push(v),
            _ => {
                let mut items = Vec::new();
                items.push(v);
                if let Some(done) = run.replace((k, items)) {
                    put_or_stop(output, done).await?;
                }
            }
        }
    }
    if let Some(done) = run {
        put_or_stop(output, done).await?;
    }
    Ok(())
}

/// Takes values until `input` is closed and drained, or until `limit` values were
/// taken, and returns them (aiochan's `collect(n=None)`).
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::collect;
///
/// # csp_core::block_on(async {
/// let ch = Chan::fixed(8);
/// for i in 0..5 { ch.try_put(i).unwrap(); }
/// assert_eq!(collect(&ch, Some(2)).await, [0, 1]);
/// ch.close();
/// assert_eq!(collect(&ch, None).await, [2, 3, 4]);
/// # });
/// ```
pub async fn collect<T, B, L>(input: &Chan<T, B, L>, limit: Option<usize>) -> Vec<T>
where
    B: Buffer<T>,
    L: RawLock,
{
    let mut out = Vec::new();
    while limit.is_none_or(|n| out.len() < n) {
        match input.get().await {
            Some(v) => out.push(v),
            None => break,
        }
    }
    out
}
