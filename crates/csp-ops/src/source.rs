//! Channels fed from plain Rust values: [`from_iter`] and [`from_range`]. No allocation.

use core::future::Future;
use core::ops::Add;

use csp_core::buffer::Buffer;
use csp_core::lock::RawLock;
use csp_core::{Chan, Closed};

use crate::options::{put_or_stop, CloseGuard, Options};

/// Puts the items of `iter` into `output` in order, then closes it (unless told not to).
/// The iterator may be infinite: the driver then runs until `output` is closed, and
/// returns `Err(Closed(v))` with the item that was refused.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, from_iter, Options};
///
/// # csp_core::block_on(async {
/// let output = Chan::fixed(4);
/// from_iter(["a", "b"], &output, Options::new()).await.unwrap();
/// assert_eq!(collect(&output, None).await, ["a", "b"]);
/// # });
/// ```
pub async fn from_iter<I, B, L>(
    iter: I,
    output: &Chan<I::Item, B, L>,
    opts: Options,
) -> Result<(), Closed<I::Item>>
where
    I: IntoIterator,
    B: Buffer<I::Item>,
    L: RawLock,
{
    let _guard = CloseGuard::new(output, opts);
    for v in iter {
        put_or_stop(output, v).await?;
    }
    Ok(())
}

/// Puts `start`, `start + step`, `start + 2 * step`, … into `output`, up to but not
/// including `end` (for ever when `end` is `None`: the driver then runs until `output` is
/// closed). As aiochan's `from_range(start, end, step)`. A negative `step` counts down
/// (the range ends when a value is at or below `end`).
///
/// # Panics
/// At the call, before the driver future is returned, if `step` is zero (with the
/// message "csp-ops: from_range needs a non-zero `step`").
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_ops::{collect, from_range, Options};
///
/// # csp_core::block_on(async {
/// let output = Chan::fixed(8);
/// from_range(10, Some(0), -3, &output, Options::new()).await.unwrap();
/// assert_eq!(collect(&output, None).await, [10, 7, 4, 1]);
/// # });
/// ```
#[track_caller]
pub fn from_range<'a, T, B, L>(
    start: T,
    end: Option<T>,
    step: T,
    output: &'a Chan<T, B, L>,
    opts: Options,
) -> impl Future<Output = Result<(), Closed<T>>> + use<'a, T, B, L>
where
    T: Copy + PartialOrd + Add<Output = T> + Default,
    B: Buffer<T>,
    L: RawLock,
{
    assert!(
        step != T::default(),
        "csp-ops: from_range needs a non-zero `step`"
    );
    async move {
        // First, so that the output is closed whatever panics below (`T`'s operators
        // are user code).
        let _guard = CloseGuard::new(output, opts);
        let up = step > T::default();
        let mut v = start;
        loop {
            if let Some(end) = end {
                if (up && v >= end) || (!up && v <= end) {
                    return Ok(());
                }
            }
            put_or_stop(output, v).await?;
            v = v + step;
        }
    }
}
