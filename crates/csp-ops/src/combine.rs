//! Several inputs or several outputs: [`merge`], [`zip`], [`combine_latest`],
//! [`distribute`]. Each round is a select over a run-time number of channels
//! ([`csp_core::select_slice`]), so these need `alloc`.
//!
//! # Implementation details
//! A round builds a boxed slice of the operations still open (gets for `merge` and
//! `combine_latest`, puts for `distribute`), pins it, and runs one unbiased select over
//! it; the arms that lost are withdrawn by the select and dropped with the slice, so a
//! losing get takes nothing and a losing put delivers nothing. This allocates one slice
//! per value moved, which we accept for these many-channel operators.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::pin::Pin;

use csp_core::buffer::Buffer;
use csp_core::lock::RawLock;
use csp_core::{pin_index, select_slice, Arm, Chan, Closed};

use crate::options::{panicking, put_or_stop, CloseGuard, Options};

/// Closes every channel of a slice on drop (see [`CloseGuard`]).
struct CloseAll<'a, 'c, T, B: Buffer<T>, L: RawLock> {
    /// The channels.
    chans: &'a [&'c Chan<T, B, L>],
    /// Close on every drop, not only when panicking.
    close: bool,
}

impl<T, B: Buffer<T>, L: RawLock> Drop for CloseAll<'_, '_, T, B, L> {
    fn drop(&mut self) {
        if self.close || panicking() {
            for c in self.chans {
                c.close();
            }
        }
    }
}

/// Waits for the first of `inputs[i]` (for `i` in `open`) to deliver; returns the
/// position in `open` and what the get returned.
async fn select_get<T, B: Buffer<T>, L: RawLock>(
    inputs: &[&Chan<T, B, L>],
    open: &[usize],
) -> (usize, Option<T>) {
    let gets: Vec<_> = open.iter().map(|&i| inputs[i].get()).collect();
    let mut gets: Pin<Box<[_]>> = Box::into_pin(gets.into_boxed_slice());
    let k = select_slice(gets.as_mut(), false).await;
    let v = pin_index(gets.as_mut(), k).take_output();
    (k, v)
}

/// Puts every value from every input into `output`, in the order they come (a fair,
/// random choice when several are ready at once). Ends when all inputs are closed and
/// drained.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, merge, Options};
///
/// # csp_core::block_on(async {
/// let (a, b) = (Chan::fixed(4), Chan::fixed(4));
/// let out = Chan::fixed(8);
/// for i in 0..3 { a.try_put(i).unwrap(); b.try_put(10 + i).unwrap(); }
/// a.close();
/// b.close();
/// merge(&[&a, &b], &out, Options::new()).await.unwrap();
/// let mut all = collect(&out, None).await;
/// all.sort();
/// assert_eq!(all, [0, 1, 2, 10, 11, 12]);
/// # });
/// ```
pub async fn merge<T, B, L, BO, LO>(
    inputs: &[&Chan<T, B, L>],
    output: &Chan<T, BO, LO>,
    opts: Options,
) -> Result<(), Closed<T>>
where
    B: Buffer<T>,
    L: RawLock,
    BO: Buffer<T>,
    LO: RawLock,
{
    let _guard = CloseGuard::new(output, opts);
    let mut open: Vec<usize> = (0..inputs.len()).collect();
    while !open.is_empty() {
        match select_get(inputs, &open).await {
            (_, Some(v)) => put_or_stop(output, v).await?,
            (k, None) => {
                open.remove(k);
            }
        }
    }
    Ok(())
}

/// Lockstep: takes one value from each input, in order, and puts them together as a
/// `Vec` (aiochan's `zip_chans`). A closed input contributes `None`; the driver ends
/// when every input is closed and drained (that last, all-`None` round is not put).
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, zip, Options};
///
/// # csp_core::block_on(async {
/// let (a, b) = (Chan::fixed(4), Chan::fixed(4));
/// let out = Chan::fixed(8);
/// for i in 0..2 { a.try_put(i).unwrap(); }
/// b.try_put(10).unwrap();
/// a.close();
/// b.close();
/// zip(&[&a, &b], &out, Options::new()).await.unwrap();
/// assert_eq!(collect(&out, None).await, [vec![Some(0), Some(10)], vec![Some(1), None]]);
/// # });
/// ```
pub async fn zip<T, B, L, BO, LO>(
    inputs: &[&Chan<T, B, L>],
    output: &Chan<Vec<Option<T>>, BO, LO>,
    opts: Options,
) -> Result<(), Closed<Vec<Option<T>>>>
where
    B: Buffer<T>,
    L: RawLock,
    BO: Buffer<Vec<Option<T>>>,
    LO: RawLock,
{
    let _guard = CloseGuard::new(output, opts);
    loop {
        let mut row = Vec::with_capacity(inputs.len());
        for c in inputs {
            row.push(c.get().await);
        }
        if row.iter().all(Option::is_none) {
            return Ok(());
        }
        put_or_stop(output, row).await?;
    }
}

/// Whenever any input delivers a value, puts the latest value of every input (`None`
/// for an input that has not delivered yet). Ends when all inputs are closed and
/// drained; a closed input keeps its last value in later rows.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, combine_latest, Options};
///
/// # csp_core::block_on(async {
/// let (a, b) = (Chan::fixed(4), Chan::fixed(4));
/// let out = Chan::fixed(8);
/// a.try_put(1).unwrap();
/// b.try_put(2).unwrap();
/// a.close();
/// b.close();
/// combine_latest(&[&a, &b], &out, Options::new()).await.unwrap();
/// let rows = collect(&out, None).await;
/// assert_eq!(rows.len(), 2); // one row per value; the first has a `None`
/// assert!(rows[0].contains(&None));
/// assert_eq!(rows[1], [Some(1), Some(2)]);
/// # });
/// ```
pub async fn combine_latest<T, B, L, BO, LO>(
    inputs: &[&Chan<T, B, L>],
    output: &Chan<Vec<Option<T>>, BO, LO>,
    opts: Options,
) -> Result<(), Closed<Vec<Option<T>>>>
where
    T: Clone,
    B: Buffer<T>,
    L: RawLock,
    BO: Buffer<Vec<Option<T>>>,
    LO: RawLock,
{
    let _guard = CloseGuard::new(output, opts);
    let mut latest: Vec<Option<T>> = (0..inputs.len()).map(|_| None).collect();
    let mut open: Vec<usize> = (0..inputs.len()).collect();
    while !open.is_empty() {
        match select_get(inputs, &open).await {
            (k, Some(v)) => {
                latest[open[k]] = Some(v);
                put_or_stop(output, latest.clone()).await?;
            }
            (k, None) => {
                open.remove(k);
            }
        }
    }
    Ok(())
}

/// Sends each value to whichever output can take it first (a select over puts to all
/// open outputs). An output found closed is removed and the value goes to another one;
/// when every output is closed the driver returns `Err(Closed(v))` with the value in
/// hand. Closes every output at the end unless told not to.
///
/// Each round puts a clone of the value on every open output and the select completes
/// exactly one of them; the other clones are dropped undelivered.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{distribute, Options};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(8);
/// let (a, b) = (Chan::fixed(8), Chan::fixed(8));
/// b.close(); // closed outputs are skipped: nothing is lost to them
/// for i in 0..4 { input.try_put(i).unwrap(); }
/// input.close();
/// distribute(&input, &[&a, &b], Options::new()).await.unwrap();
/// assert_eq!(csp_ops::collect(&a, None).await, [0, 1, 2, 3]);
/// # });
/// ```
pub async fn distribute<T, BI, LI, B, L>(
    input: &Chan<T, BI, LI>,
    outputs: &[&Chan<T, B, L>],
    opts: Options,
) -> Result<(), Closed<T>>
where
    T: Clone,
    BI: Buffer<T>,
    LI: RawLock,
    B: Buffer<T>,
    L: RawLock,
{
    let _guard = CloseAll {
        chans: outputs,
        close: opts.closes(),
    };
    let mut open: Vec<usize> = (0..outputs.len()).collect();
    while let Some(mut v) = input.get().await {
        loop {
            if open.is_empty() {
                return Err(Closed(v));
            }
            let last = open.len() - 1;
            let mut v_opt = Some(v);
            let puts: Vec<_> = open
                .iter()
                .enumerate()
                .map(|(j, &i)| {
                    let x = if j == last {
                        v_opt.take().expect("moved once")
                    } else {
                        v_opt.clone().expect("still here")
                    };
                    outputs[i].put(x)
                })
                .collect();
            let mut puts: Pin<Box<[_]>> = Box::into_pin(puts.into_boxed_slice());
            let k = select_slice(puts.as_mut(), false).await;
            match pin_index(puts.as_mut(), k).take_output() {
                Ok(()) => break,
                Err(Closed(back)) => {
                    open.remove(k);
                    v = back;
                }
            }
        }
    }
    Ok(())
}
