//! What every driver is told ([`Options`]) and the guard that closes its outputs.

use csp_core::buffer::Buffer;
use csp_core::lock::RawLock;

use csp_core::{Chan, Closed};

/// How a driver treats its output channel(s) when it ends.
///
/// The default (from [`Options::new`]) closes the output once the input is exhausted,
/// as aiochan's `close=True`. [`keep_open`](Options::keep_open) leaves it open, so that
/// several drivers can feed one channel.
///
/// Whatever the options say, a driver **closes its outputs when a user function panics**
/// (with `std`; without `std` a panic aborts on the usual firmware targets), so that the
/// tasks downstream see the end instead of waiting for ever. A driver that is dropped
/// before it finishes (cancelled) closes its outputs only when `close` is set.
///
/// # Examples
/// ```
/// use csp_ops::Options;
///
/// assert!(Options::new().closes());
/// assert!(!Options::new().keep_open().closes());
/// assert_eq!(Options::default(), Options::new());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    close: bool,
}

impl Options {
    /// Close the output(s) when the input is exhausted (the default).
    ///
    /// # Examples
    /// ```
    /// assert!(csp_ops::Options::new().closes());
    /// ```
    pub const fn new() -> Self {
        Options { close: true }
    }

    /// Leave the output(s) open when the input is exhausted.
    ///
    /// # Examples
    /// ```
    /// assert!(!csp_ops::Options::new().keep_open().closes());
    /// ```
    #[must_use]
    pub const fn keep_open(self) -> Self {
        Options { close: false }
    }

    /// Sets whether the output(s) are closed when the input is exhausted.
    ///
    /// # Examples
    /// ```
    /// assert!(!csp_ops::Options::new().close(false).closes());
    /// ```
    #[must_use]
    pub const fn close(self, close: bool) -> Self {
        Options { close }
    }

    /// Whether the output(s) are closed when the input is exhausted.
    ///
    /// # Examples
    /// ```
    /// assert!(csp_ops::Options::default().closes());
    /// ```
    pub const fn closes(&self) -> bool {
        self.close
    }
}

impl Default for Options {
    fn default() -> Self {
        Options::new()
    }
}

/// Whether the current thread is unwinding from a panic (always `false` without `std`,
/// where firmware panics abort).
#[inline]
pub(crate) fn panicking() -> bool {
    #[cfg(feature = "std")]
    {
        std::thread::panicking()
    }
    #[cfg(not(feature = "std"))]
    {
        false
    }
}

/// Closes a channel when dropped, if asked to or if we are unwinding from a panic in a
/// user function. Every driver holds one per output, so that the end of the driver —
/// normal, cancelled or panicking — is seen downstream.
pub(crate) struct CloseGuard<'a, T, B: Buffer<T>, L: RawLock> {
    /// The channel to close.
    chan: &'a Chan<T, B, L>,
    /// Close on every drop (not only when panicking).
    close: bool,
}

impl<'a, T, B: Buffer<T>, L: RawLock> CloseGuard<'a, T, B, L> {
    pub(crate) fn new(chan: &'a Chan<T, B, L>, opts: Options) -> Self {
        CloseGuard {
            chan,
            close: opts.close,
        }
    }
}

impl<T, B: Buffer<T>, L: RawLock> Drop for CloseGuard<'_, T, B, L> {
    fn drop(&mut self) {
        if self.close || panicking() {
            self.chan.close();
        }
    }
}

/// The most elements a driver reserves room for up front when the size comes from
/// the caller (a batch, a number of values in flight): a larger size is legal and
/// works, the buffer grows as values arrive, but nothing huge is allocated (or
/// overflows) before the first value.
#[cfg(feature = "alloc")]
pub(crate) const PREALLOC_LIMIT: usize = 1024;

/// Panics with a clear message, at the caller, if the batch size `n` of `func` is 0.
#[cfg(feature = "alloc")]
#[track_caller]
pub(crate) fn check_batch_size(n: usize, func: &str) {
    if n == 0 {
        panic!("csp-ops: {func} needs a batch size `n` of at least 1");
    }
}

/// Panics with a clear message, at the caller, if the concurrency limit `n` of the
/// pipe `func` is 0.
#[cfg(feature = "alloc")]
#[track_caller]
pub(crate) fn check_pipe_limit(n: usize, func: &str) {
    if n == 0 {
        panic!("csp-ops: {func} needs a concurrency limit `n` of at least 1");
    }
}

/// `output.put(v)`, except that a put still waiting when `output` is found closed is
/// withdrawn and fails with its value, instead of staying queued for a getter that
/// may never come (a plain put queued before a close still delivers, by the core's
/// rules). The check runs each time the put is polled while waiting.
pub(crate) async fn put_or_stop<T, B: Buffer<T>, L: RawLock>(
    output: &Chan<T, B, L>,
    v: T,
) -> Result<(), Closed<T>> {
    let mut put = core::pin::pin!(output.put(v));
    core::future::poll_fn(|cx| put.as_mut().poll_unless_closed(cx)).await
}
