//! Back to plain code: [`to_iterable`] reads a channel from an ordinary thread.

use core::fmt;
use core::ops::Deref;

use csp_core::buffer::Buffer;
use csp_core::lock::RawLock;
use csp_core::Chan;

/// Consumes a channel from ordinary (non-async) code as an [`Iterator`] that blocks
/// the calling thread on each `next` ([`Chan::get_blocking`]) and ends when the
/// channel is closed and drained (aiochan's `to_iterable`).
///
/// `ch` is anything that dereferences to a channel: `&Chan`, `Arc<Chan>`, `&'static
/// Chan`.
///
/// # Blocking
/// Do not iterate inside an async task: it blocks the executor's thread. Use it from a
/// plain thread (or `spawn_blocking`).
///
/// # Examples
/// ```
/// use std::sync::Arc;
/// use csp_core::Chan;
/// use csp_ops::to_iterable;
///
/// let ch: Arc<Chan<u32>> = Arc::new(Chan::new());
/// let producer = {
///     let ch = Arc::clone(&ch);
///     std::thread::spawn(move || {
///         for i in 0..3 { ch.put_blocking(i).unwrap(); }
///         ch.close();
///     })
/// };
/// let got: Vec<u32> = to_iterable(ch).collect();
/// assert_eq!(got, [0, 1, 2]);
/// # producer.join().unwrap();
/// ```
pub fn to_iterable<C, T, B, L>(ch: C) -> BlockingIter<C>
where
    C: Deref<Target = Chan<T, B, L>>,
    B: Buffer<T>,
    L: RawLock,
{
    BlockingIter { ch }
}

/// The iterator of [`to_iterable`].
///
/// # Examples
/// A plain thread sums what arrives, until the channel is closed:
/// ```
/// use std::sync::Arc;
/// use std::thread;
/// use csp_core::Chan;
/// use csp_ops::{to_iterable, BlockingIter};
///
/// fn summer(values: BlockingIter<Arc<Chan<u32>>>) -> thread::JoinHandle<u32> {
///     thread::spawn(move || values.sum())
/// }
///
/// let ch = Arc::new(Chan::new()); // rendezvous: each `next` waits for a put
/// let total = summer(to_iterable(Arc::clone(&ch)));
/// for i in 1..=4 { ch.put_blocking(i).unwrap(); }
/// ch.close(); // ends the iteration
/// assert_eq!(total.join().unwrap(), 10);
/// ```
pub struct BlockingIter<C> {
    /// The channel read from.
    ch: C,
}

impl<C, T, B, L> Iterator for BlockingIter<C>
where
    C: Deref<Target = Chan<T, B, L>>,
    B: Buffer<T>,
    L: RawLock,
{
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.ch.get_blocking()
    }
}

impl<C> fmt::Debug for BlockingIter<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingIter").finish_non_exhaustive()
    }
}
