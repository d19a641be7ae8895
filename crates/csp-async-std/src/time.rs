//! Channels that speak time: [`timeout`], [`after`], [`tick_tock`], and [`sleep`].

use std::time::{Duration, Instant};

pub use csp_rt::{After, Ticks, Timeout};

/// Waits for `d` (`async_std::task::sleep`).
///
/// # Examples
/// ```
/// csp_async_std::run(csp_async_std::sleep(std::time::Duration::from_millis(1)));
/// ```
pub async fn sleep(d: Duration) {
    async_std::task::sleep(d).await;
}

/// Returns a channel that closes itself after `d` (aiochan's `timeout`): select on its
/// get to bound a wait.
///
/// A background task holds only a weak reference, so dropping every handle before the
/// deadline frees the channel; the task ends at the deadline either way.
///
/// # Examples
/// ```
/// use std::time::Duration;
/// use csp_core::{select, Chan};
///
/// csp_async_std::run(async {
///     let never = Chan::<u32>::new();
///     let t = csp_async_std::timeout(Duration::from_millis(10));
///     let got = select! {
///         v = never.get() => v,
///         _ = t.get() => None, // closed: time is up
///     };
///     assert_eq!(got, None);
///     assert!(t.is_closed());
/// });
/// ```
pub fn timeout(d: Duration) -> Timeout {
    let (ch, drive) = csp_rt::timeout(Instant::now() + d, sleep_until);
    crate::go(drive);
    ch
}

/// Returns a channel that yields one value, the [`Instant`] it fired, after `d`, and then
/// closes (like Go's `time.After`).
///
/// # Examples
/// ```
/// use std::time::{Duration, Instant};
///
/// csp_async_std::run(async {
///     let start = Instant::now();
///     let a = csp_async_std::after(Duration::from_millis(5));
///     let fired = a.get().await.unwrap();
///     assert!(fired >= start);
///     assert_eq!(a.get().await, None); // one value only
/// });
/// ```
pub fn after(d: Duration) -> After {
    let (ch, drive) = csp_rt::after(Instant::now() + d, sleep_until);
    crate::go(drive);
    ch
}

/// Returns a channel that yields `(n, when)` every `period`, with `n` counting from 1
/// (aiochan's `tick_tock`). Close the channel to stop it.
///
/// The channel is a rendezvous: a tick waits until someone takes it, and the next tick
/// is due one `period` after the previous one was due, or one `period` after it was
/// taken if the getter was late (ticks are delayed, never bunched up).
///
/// # Panics
/// If `period` is zero.
///
/// # Examples
/// ```
/// use std::time::Duration;
///
/// csp_async_std::run(async {
///     let ticks = csp_async_std::tick_tock(Duration::from_millis(2));
///     let (n1, t1) = ticks.get().await.unwrap();
///     let (n2, t2) = ticks.get().await.unwrap();
///     assert_eq!((n1, n2), (1, 2));
///     assert!(t2 > t1);
///     ticks.close();
/// });
/// ```
pub fn tick_tock(period: Duration) -> Ticks {
    tick_tock_at(Instant::now() + period, period)
}

/// Like [`tick_tock`], with the first tick due at `first` (aiochan's `start_at`); a
/// `first` in the past ticks at once.
///
/// # Panics
/// If `period` is zero.
///
/// # Examples
/// ```
/// use std::time::{Duration, Instant};
///
/// csp_async_std::run(async {
///     let ticks = csp_async_std::tick_tock_at(Instant::now(), Duration::from_secs(3600));
///     assert_eq!(ticks.get().await.map(|(n, _)| n), Some(1)); // at once
///     ticks.close();
/// });
/// ```
pub fn tick_tock_at(first: Instant, period: Duration) -> Ticks {
    let (ch, drive) = csp_rt::tick_tock_at(first, period, sleep_until);
    crate::go(drive);
    ch
}

/// Waits until `deadline` (at once if it has passed).
async fn sleep_until(deadline: Instant) {
    let left = deadline.saturating_duration_since(Instant::now());
    if !left.is_zero() {
        async_std::task::sleep(left).await;
    }
}
