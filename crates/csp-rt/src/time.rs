//! The drivers of the timer channels, over a runtime's "sleep until" function.
//!
//! Each function returns the channel and the future that feeds it; the adapter spawns
//! that future on its runtime. The driver holds only a weak reference to the channel,
//! so dropping every handle of the channel ends the driver at its next wake-up.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use csp_core::buffer::Fixed;
use csp_core::Chan;

/// A channel that closes itself when time is up: a get on it completes with `None`
/// then (select on it to bound a wait).
///
/// # Examples
/// ```
/// use std::time::{Duration, Instant};
/// use csp_core::{select, Chan};
///
/// /// A reply, or `None` when `deadline` comes first.
/// async fn ask(replies: &Chan<u32>, deadline: &csp_rt::Timeout) -> Option<u32> {
///     select! {
///         v = replies.get() => v,
///         _ = deadline.get() => None,
///     }
/// }
///
/// // A timer that sleeps a thread (an adapter passes its runtime's sleep instead).
/// let sleep_until = |t: Instant| async move {
///     std::thread::sleep(t.saturating_duration_since(Instant::now()))
/// };
/// let start = Instant::now();
/// let (deadline, drive) = csp_rt::timeout(start + Duration::from_millis(10), sleep_until);
/// std::thread::spawn(move || csp_core::block_on(drive));
///
/// let replies = Chan::new(); // nobody answers
/// assert_eq!(csp_core::block_on(ask(&replies, &deadline)), None);
/// assert!(deadline.is_closed());
/// assert!(start.elapsed() >= Duration::from_millis(10));
/// ```
pub type Timeout = Arc<Chan<()>>;

/// A channel that yields one `Instant` (when it fired) and then closes.
///
/// # Examples
/// ```
/// use std::time::{Duration, Instant};
///
/// // A timer that sleeps a thread (an adapter passes its runtime's sleep instead).
/// let sleep_until = |t: Instant| async move {
///     std::thread::sleep(t.saturating_duration_since(Instant::now()))
/// };
/// let due = Instant::now() + Duration::from_millis(10);
/// let (ch, drive): (csp_rt::After, _) = csp_rt::after(due, sleep_until);
/// std::thread::spawn(move || csp_core::block_on(drive));
///
/// let fired = ch.get_blocking().unwrap();
/// assert!(fired >= due);
/// assert_eq!(ch.get_blocking(), None); // one value, then closed
/// ```
pub type After = Arc<Chan<Instant, Fixed<Instant, 1>>>;

/// A channel of ticks: `(n, when)`, `n` counting from 1.
///
/// # Examples
/// ```
/// use std::time::{Duration, Instant};
///
/// // A timer that sleeps a thread (an adapter passes its runtime's sleep instead).
/// let sleep_until = |t: Instant| async move {
///     std::thread::sleep(t.saturating_duration_since(Instant::now()))
/// };
/// let (start, period) = (Instant::now(), Duration::from_millis(1));
/// let (ticks, drive): (csp_rt::Ticks, _) = csp_rt::tick_tock_at(start, period, sleep_until);
/// let driver = std::thread::spawn(move || csp_core::block_on(drive));
///
/// let (n1, t1) = ticks.get_blocking().unwrap();
/// let (n2, t2) = ticks.get_blocking().unwrap();
/// assert_eq!((n1, n2), (1, 2));
/// assert!(t1 >= start && t2 >= start + period); // the second is due one period later
/// ticks.close(); // stops the driver
/// driver.join().unwrap();
/// ```
pub type Ticks = Arc<Chan<(u64, Instant)>>;

/// A [`Timeout`] channel closing at `deadline`, and its driver.
///
/// # Examples
/// ```
/// use std::time::Instant;
/// let (ch, drive) = csp_rt::timeout(Instant::now(), |_| async {});
/// assert!(!ch.is_closed());
/// csp_core::block_on(drive);
/// assert!(ch.is_closed());
/// ```
pub fn timeout<S, F>(deadline: Instant, sleep_until: S) -> (Timeout, impl Future<Output = ()>)
where
    S: FnOnce(Instant) -> F,
    F: Future<Output = ()>,
{
    let ch: Timeout = Arc::new(Chan::new());
    let weak: Weak<Chan<()>> = Arc::downgrade(&ch);
    let drive = async move {
        sleep_until(deadline).await;
        if let Some(ch) = weak.upgrade() {
            ch.close();
        }
    };
    (ch, drive)
}

/// An [`After`] channel firing at `deadline`, and its driver.
///
/// # Examples
/// ```
/// use std::time::Instant;
/// let (ch, drive) = csp_rt::after(Instant::now(), |_| async {});
/// csp_core::block_on(drive);
/// assert!(ch.try_get().is_ok());
/// assert!(ch.is_closed());
/// ```
pub fn after<S, F>(deadline: Instant, sleep_until: S) -> (After, impl Future<Output = ()>)
where
    S: FnOnce(Instant) -> F,
    F: Future<Output = ()>,
{
    let ch: After = Arc::new(Chan::with_buffer(Fixed::new()));
    let weak = Arc::downgrade(&ch);
    let drive = async move {
        sleep_until(deadline).await;
        if let Some(ch) = weak.upgrade() {
            // The buffer has room for this one value; a full or closed channel means
            // someone else put or closed, and then there is nothing to do.
            let _ = ch.try_put(Instant::now());
            ch.close();
        }
    };
    (ch, drive)
}

/// A [`Ticks`] channel whose first tick is due at `first` and the next ones every
/// `period`, and its driver. It stops when the channel is closed (or dropped).
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
/// use std::time::{Duration, Instant};
/// let (ticks, drive) = csp_rt::tick_tock_at(Instant::now(), Duration::from_millis(1), |_| async {});
/// let reader = async {
///     let first = ticks.get().await;
///     ticks.close();
///     first.map(|(n, _)| n)
/// };
/// // Drive both on one thread: the driver puts, the reader takes and closes.
/// let n = csp_core::block_on(async {
///     let mut drive = std::pin::pin!(drive);
///     let mut reader = std::pin::pin!(reader);
///     std::future::poll_fn(|cx| {
///         let _ = drive.as_mut().poll(cx);
///         reader.as_mut().poll(cx)
///     })
///     .await
/// });
/// assert_eq!(n, Some(1));
/// # use std::future::Future;
/// ```
#[track_caller]
pub fn tick_tock_at<S, F>(
    first: Instant,
    period: Duration,
    mut sleep_until: S,
) -> (Ticks, impl Future<Output = ()>)
where
    S: FnMut(Instant) -> F,
    F: Future<Output = ()>,
{
    assert!(!period.is_zero(), "csp: tick_tock needs a non-zero period");
    let ch: Ticks = Arc::new(Chan::new());
    let weak = Arc::downgrade(&ch);
    let drive = async move {
        let mut due = first;
        let mut n = 0u64;
        loop {
            sleep_until(due).await;
            let Some(ch) = weak.upgrade() else { return };
            n += 1;
            // A plain put already waiting when the channel closes stays queued and still
            // delivers (the core's rule): with nobody left to take the tick, the driver
            // would wait for ever. This one gives the tick up when the close wakes it.
            let mut put = pin!(ch.put((n, Instant::now())));
            if poll_fn(|cx| put.as_mut().poll_unless_closed(cx))
                .await
                .is_err()
            {
                return; // closed
            }
            due += period;
            let now = Instant::now();
            if due < now {
                due = now + period;
            }
        }
    };
    (ch, drive)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::{Context, Waker};

    /// The consumer closes the tick channel while the driver's put waits (nobody takes
    /// the tick): the driver ends instead of waiting for a getter for ever.
    #[test]
    fn closing_ticks_ends_a_driver_whose_put_waits() {
        let (ticks, drive) = tick_tock_at(Instant::now(), Duration::from_secs(1), |_| async {});
        let mut drive = pin!(drive);
        let mut cx = Context::from_waker(Waker::noop());
        assert!(drive.as_mut().poll(&mut cx).is_pending());
        assert_eq!(
            ticks.stats().waiting_puts,
            1,
            "the first tick waits for a getter"
        );
        ticks.close();
        assert!(
            drive.as_mut().poll(&mut cx).is_ready(),
            "the close ends the driver"
        );
        assert_eq!(ticks.stats().waiting_puts, 0, "and its put is withdrawn");
    }
}
