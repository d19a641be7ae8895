//! The channel: [`Chan`], its public operations and [`Stats`].
//!
//! # Invariants
//! - A channel's `state` (an `UnsafeCell`) is reached only with its `lock` held: through
//!   `with_state`/`with_state_by`, which take the lock and release it with an `Unlock`
//!   guard (also when unwinding), or `with_state_locked`, whose caller holds it and does
//!   not call it again from inside. So each `&mut State` made from the cell is the only
//!   one; the state's own invariants are in `state.rs`.
//! - `unsafe impl Send/Sync for Chan` rest on that and on the [`RawLock`] contract:
//!   every thread reaches the state and the buffer one at a time, under the lock. Values
//!   of `T` move between threads through the channel, hence `T: Send` (and `B: Send`,
//!   which holds them). The raw pointers in the state point at nodes of waiting
//!   futures, which the state reaches only under the same lock (the nodes' own rules
//!   are in `waiter.rs` and `ops.rs`).
//! - An `Unlock` guard is made only by the lock's holder, right after taking it.
//! - `slack` is a hint outside that protocol: an atomic written (`Relaxed`) only by the
//!   lock's holder and read without the lock. It only chooses how a blocking call's
//!   retry waits for the lock (politely or eagerly), never what is done under it, so a
//!   stale value costs time, not correctness.

use core::fmt;

use crate::buffer::{Buffer, Rendezvous};
use crate::drained::Drained;
use crate::error::{TryGetError, TryPutError};
use crate::lock::{polite_lock_slow, DefaultLock, RawLock};
use crate::ops::{Get, GetStream, Put};
use crate::state::{PutOutcome, State};
use crate::sync::{const_fn, HintU8, Ordering, UnsafeCell};
use crate::wake::WakeList;

/// Releases a lock when dropped (also when unwinding out of a critical section).
pub(crate) struct Unlock<'a, L: RawLock>(pub(crate) &'a L);

impl<L: RawLock> Drop for Unlock<'_, L> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: an `Unlock` is made right after taking the lock, by its holder.
        unsafe { self.0.unlock() }
    }
}

/// A CSP channel: a meeting point where puts hand values to gets.
///
/// `B` is the buffer policy ([`Rendezvous`] by default: every put waits for a getter;
/// see [`buffer`](crate::buffer) for the others) and `L` the lock ([`DefaultLock`]).
/// A channel needs no allocation and no handle counting: make it a `static`, keep it on
/// the stack, or share it in an `Arc`. Any number of tasks and threads may put and get
/// at once; waiters queue in FIFO order inside their own futures.
///
/// # Closing
/// [`close`](Chan::close) is idempotent. After it, new puts fail and give their value
/// back; puts that were already waiting still deliver; gets drain what is left and then
/// return `None`.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_core::buffer::Fixed;
///
/// static CH: Chan<u32, Fixed<u32, 4>> = Chan::with_buffer(Fixed::new());
///
/// # csp_core::block_on(async {
/// CH.put(1).await.unwrap();
/// CH.put(2).await.unwrap();
/// CH.close();
/// assert_eq!(CH.get().await, Some(1));
/// assert_eq!(CH.get().await, Some(2));
/// assert_eq!(CH.get().await, None);
/// # });
/// ```
// `repr(C)`, the state first: at offset 0, a pointer to the channel is a pointer to its
// state. The compiler's own field order stopped giving that once `State` grew past 240
// bytes, which cost one instruction per operation (2-11 per message in the gate's cells).
#[repr(C)]
pub struct Chan<T, B = Rendezvous, L = DefaultLock> {
    /// Guarded by `lock`.
    state: UnsafeCell<State<T, B>>,
    pub(crate) lock: L,
    name: Option<&'static str>,
    /// Whether the last contended retry of a blocking call left the buffer with slack
    /// (1) or not (0); see [`Locking::Retry`]. A hint, no part of the protocol: written
    /// under the lock, read while someone else holds it.
    slack: HintU8,
}

/// How many values, and how many free slots, a buffer needs for slack (see
/// [`Locking::Retry`]).
const SPARE: usize = 2;

/// How an operation takes the channel's lock.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Locking {
    /// [`RawLock::lock`], which may back off from a hot lock: `try_put`, `try_get`.
    Lazy,
    /// A retry of a blocking call. If the lock is held, and the last contended retry
    /// left the buffer with slack (at least [`SPARE`] values and as many free slots),
    /// neither side waits for the other: it waits politely ([`polite_lock_slow`]),
    /// letting the holder go on with its next operations while the cache line is the
    /// holder's. Otherwise it takes the lock eagerly ([`RawLock::lock_eager`]): with
    /// the buffer about empty, a getter waits for the very value the holder may be
    /// putting (a getter polite whenever it had room to spare made ping-pong over
    /// capacity 1024 1.6 x slower), and about full, a putter for the room. After a
    /// contended retry it records the slack.
    // Blocking calls come with the `std` feature.
    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    Retry,
}

// SAFETY: all shared state is behind `lock` (a `RawLock`, which provides mutual
// exclusion); values of `T` move between threads through it, hence `T: Send`. The raw
// pointers inside `State` point at nodes of futures whose owners follow the same lock.
unsafe impl<T: Send, B: Send, L: RawLock + Sync> Sync for Chan<T, B, L> {}
// SAFETY: as above; moving the channel moves its values, which are `Send`.
unsafe impl<T: Send, B: Send, L: RawLock + Send> Send for Chan<T, B, L> {}

impl<T> Chan<T> {
    const_fn! {
        /// A rendezvous channel: each put waits until a get takes its value.
        ///
        /// # Examples
        /// ```
        /// use csp_core::Chan;
        /// static PINGS: Chan<&str> = Chan::new();
        /// assert_eq!(PINGS.capacity(), 0);
        /// ```
        pub fn new() -> Self {
            Self::with_buffer(Rendezvous)
        }
    }
}

impl<T> Default for Chan<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, B: Buffer<T>> Chan<T, B> {
    const_fn! {
        /// A channel with the given buffer (and the default lock).
        ///
        /// # Examples
        /// ```
        /// use csp_core::Chan;
        /// use csp_core::buffer::Sliding;
        /// static LATEST: Chan<u16, Sliding<u16, 1>> = Chan::with_buffer(Sliding::new());
        /// LATEST.try_put(1).unwrap();
        /// LATEST.try_put(2).unwrap();
        /// assert_eq!(LATEST.try_get(), Ok(2));
        /// ```
        pub fn with_buffer(buffer: B) -> Self {
            Self::with_lock(buffer)
        }
    }
}

impl<T, B: Buffer<T>, L: RawLock> Chan<T, B, L> {
    const_fn! {
        /// A channel with the given buffer and the lock named by its type `L`.
        ///
        /// # Examples
        /// ```
        /// use csp_core::Chan;
        /// use csp_core::buffer::Rendezvous;
        /// use csp_core::lock::SpinLock;
        /// static CH: Chan<u8, Rendezvous, SpinLock> = Chan::with_lock(Rendezvous);
        /// assert!(!CH.is_closed());
        /// ```
        pub fn with_lock(buffer: B) -> Self {
            Chan {
                #[cfg(not(loom))]
                lock: L::INIT,
                #[cfg(loom)]
                lock: L::new(),
                state: UnsafeCell::new(State::new(buffer)),
                name: None,
                slack: HintU8::new(0),
            }
        }
    }

    const_fn! {
        /// Names the channel, for `Debug` output; usable in a `static`.
        ///
        /// # Examples
        /// ```
        /// use csp_core::Chan;
        /// static JOBS: Chan<u8> = Chan::new().with_name("jobs");
        /// assert_eq!(JOBS.name(), Some("jobs"));
        /// assert!(format!("{JOBS:?}").contains("jobs"));
        /// ```
        pub fn with_name(mut self, name: &'static str) -> Self {
            self.name = Some(name);
            self
        }
    }

    /// The channel's name, if it has one.
    ///
    /// # Examples
    /// ```
    /// use csp_core::Chan;
    /// static JOBS: Chan<u8> = Chan::new().with_name("jobs");
    /// static ANON: Chan<u8> = Chan::new();
    /// assert_eq!(JOBS.name(), Some("jobs"));
    /// assert_eq!(ANON.name(), None);
    /// ```
    pub fn name(&self) -> Option<&'static str> {
        self.name
    }

    /// Runs `f` on the state under the lock.
    #[inline]
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&mut State<T, B>) -> R) -> R {
        self.with_state_by(Locking::Lazy, f)
    }

    /// [`with_state`](Self::with_state), taking the lock as `how` says (and, for a
    /// blocking call's retry, recording the buffer's slack before unlocking).
    #[inline]
    pub(crate) fn with_state_by<R>(
        &self,
        how: Locking,
        f: impl FnOnce(&mut State<T, B>) -> R,
    ) -> R {
        let contended = match how {
            Locking::Lazy => {
                self.lock.lock();
                false
            }
            Locking::Retry => {
                !self.lock.try_lock() && {
                    if self.slack.load(Ordering::Relaxed) != 0 {
                        polite_lock_slow(&self.lock);
                    } else {
                        self.lock.lock_eager();
                    }
                    true
                }
            }
        };
        let _unlock = Unlock(&self.lock);
        self.state.with_mut(|s| {
            // SAFETY: we hold the lock, so we are the only one touching the state.
            let st = unsafe { &mut *s };
            let out = f(st);
            // Only after contention: uncontended, nobody waits for the lock, and the
            // hint would cost every operation (135 -> 167 instructions per message in
            // the one-thread `seq` cell).
            if contended {
                self.note_slack(st);
            }
            out
        })
    }

    /// Records in [`slack`](Self::slack) whether the buffer has slack. Lock held (the
    /// caller has `st`).
    #[inline]
    fn note_slack(&self, st: &State<T, B>) {
        let len = st.buffer.len();
        let slack = u8::from(len >= SPARE && st.buffer.capacity() >= len + SPARE);
        // Written only on a change: the line is ours while we hold the lock, but a
        // store is still a store.
        if self.slack.load(Ordering::Relaxed) != slack {
            self.slack.store(slack, Ordering::Relaxed);
        }
    }

    /// What [`slack`](Self::slack) holds now.
    #[cfg(all(test, feature = "std", not(loom)))]
    fn slack(&self) -> u8 {
        self.slack.load(Ordering::Relaxed)
    }

    /// Runs `f` on the state; the caller holds the lock.
    ///
    /// # Safety
    /// The caller holds `self.lock`, and does not call this re-entrantly from `f`.
    #[inline]
    pub(crate) unsafe fn with_state_locked<R>(&self, f: impl FnOnce(&mut State<T, B>) -> R) -> R {
        // SAFETY: the lock is held (caller), so we are the only one touching the state.
        self.state.with_mut(|s| f(unsafe { &mut *s }))
    }

    /// Puts `value`, waiting for room or a getter. Resolves to `Err(Closed(value))` if
    /// the channel is closed before the put is queued (a queued put still delivers after
    /// a close). The returned future is also a [`select!`](crate::select!) arm.
    ///
    /// # Examples
    /// ```
    /// # use csp_core::{Chan, Closed};
    /// # use csp_core::buffer::Fixed;
    /// # csp_core::block_on(async {
    /// let ch: Chan<i32, Fixed<i32, 1>> = Chan::with_buffer(Fixed::new());
    /// assert_eq!(ch.put(5).await, Ok(()));
    /// ch.close();
    /// assert_eq!(ch.put(6).await, Err(Closed(6)));
    /// # });
    /// ```
    #[inline]
    pub fn put(&self, value: T) -> Put<'_, T, B, L> {
        Put::new(self, value)
    }

    /// Gets a value, waiting for one. Resolves to `None` once the channel is closed and
    /// drained. The returned future is also a [`select!`](crate::select!) arm.
    ///
    /// # Examples
    /// ```
    /// # use csp_core::Chan;
    /// # use csp_core::buffer::Fixed;
    /// # csp_core::block_on(async {
    /// let ch: Chan<i32, Fixed<i32, 1>> = Chan::with_buffer(Fixed::new());
    /// ch.try_put(5).unwrap();
    /// assert_eq!(ch.get().await, Some(5));
    /// ch.close();
    /// assert_eq!(ch.get().await, None);
    /// # });
    /// ```
    #[inline]
    pub fn get(&self) -> Get<'_, T, B, L> {
        Get::new(self)
    }

    /// A [`Stream`](futures_core::Stream) of the channel's values, ending when the
    /// channel is closed and drained.
    ///
    /// # Examples
    /// ```
    /// # use csp_core::Chan;
    /// # use csp_core::buffer::Fixed;
    /// use core::future::poll_fn;
    /// use core::pin::pin;
    /// use futures_core::Stream;
    /// # csp_core::block_on(async {
    /// let ch: Chan<u8, Fixed<u8, 4>> = Chan::with_buffer(Fixed::new());
    /// for v in [1, 2, 3] { ch.try_put(v).unwrap(); }
    /// ch.close();
    /// let mut s = pin!(ch.stream());
    /// let mut sum = 0;
    /// while let Some(v) = poll_fn(|cx| s.as_mut().poll_next(cx)).await { sum += v; }
    /// assert_eq!(sum, 6);
    /// # });
    /// ```
    pub fn stream(&self) -> GetStream<'_, T, B, L> {
        GetStream::new(self)
    }

    /// Puts `value` only if that can happen now: the buffer has room, or a getter waits
    /// (and, without the `alloc` feature, fewer than
    /// [`HAND_OVER_SLOTS`](crate::HAND_OVER_SLOTS) values are in flight). Otherwise
    /// gives the value back in the error.
    /// Never waits, so interrupt handlers may call it (with an interrupt-safe lock).
    ///
    /// # Examples
    /// ```
    /// # use csp_core::{Chan, TryPutError};
    /// # use csp_core::buffer::Fixed;
    /// let ch: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
    /// assert_eq!(ch.try_put(1), Ok(()));
    /// assert_eq!(ch.try_put(2), Err(TryPutError::Full(2)));
    /// ch.close();
    /// assert_eq!(ch.try_put(3), Err(TryPutError::Closed(3)));
    /// ```
    pub fn try_put(&self, value: T) -> Result<(), TryPutError<T>> {
        self.try_put_by(value, Locking::Lazy)
    }

    /// [`try_put`](Self::try_put), taking the lock as `how` says (for the retries of a
    /// blocking put).
    #[inline]
    pub(crate) fn try_put_by(&self, value: T, how: Locking) -> Result<(), TryPutError<T>> {
        let mut wakes = WakeList::new();
        let put = |st: &mut State<T, B>| {
            let mut value = Some(value);
            // SAFETY: the closure runs holding the lock, and `value` is `Some`. The
            // uncontended case inline: room in the buffer and nobody waiting (`value`
            // keeps what a lossy buffer discarded).
            if unsafe { st.add_quick(&mut value) } {
                return PutOutcome::Done(value);
            }
            let Some(value) = value else {
                unreachable!("csp: add_quick keeps the value it does not add")
            };
            // SAFETY: as above; the list has room.
            unsafe { st.try_put_now(value, &mut wakes) }
        };
        let out = self.with_state_by(how, put);
        wakes.wake_all();
        // Emptied: skip the drop's second look at the length (see `WakeList`'s `Drop`).
        core::mem::forget(wakes);
        match out {
            PutOutcome::Done(discarded) => {
                drop(discarded);
                Ok(())
            }
            PutOutcome::Closed(v) => Err(TryPutError::Closed(v)),
            PutOutcome::Wait(v) => Err(TryPutError::Full(v)),
        }
    }

    /// Takes a value only if one is there now.
    ///
    /// # Examples
    /// ```
    /// # use csp_core::{Chan, TryGetError};
    /// # use csp_core::buffer::Fixed;
    /// let ch: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
    /// assert_eq!(ch.try_get(), Err(TryGetError::Empty));
    /// ch.try_put(1).unwrap();
    /// ch.close();
    /// assert_eq!(ch.try_get(), Ok(1));
    /// assert_eq!(ch.try_get(), Err(TryGetError::Closed));
    /// ```
    pub fn try_get(&self) -> Result<T, TryGetError> {
        self.try_get_by(Locking::Lazy)
    }

    /// [`try_get`](Self::try_get), taking the lock as `how` says (see
    /// [`try_put_by`](Self::try_put_by)).
    #[inline]
    pub(crate) fn try_get_by(&self, how: Locking) -> Result<T, TryGetError> {
        let mut wakes = WakeList::new();
        let get = |st: &mut State<T, B>| {
            // SAFETY: the closure runs holding the lock. The uncontended case inline:
            // a buffered value and nobody waiting.
            if let Some(v) = unsafe { st.take_quick() } {
                return Some(Some(v));
            }
            // SAFETY: as above; the list has room.
            unsafe { st.try_get_now(&mut wakes) }
        };
        let out = self.with_state_by(how, get);
        wakes.wake_all();
        // Emptied: skip the drop's second look at the length (see `WakeList`'s `Drop`).
        core::mem::forget(wakes);
        match out {
            Some(Some(v)) => Ok(v),
            Some(None) => Err(TryGetError::Closed),
            None => Err(TryGetError::Empty),
        }
    }

    /// Closes the channel; returns whether this call closed it (false if it was
    /// already closed). Waiting gets that can see the end are woken. Waiting puts stay
    /// queued and still deliver; each is woken once so that its owner can notice the
    /// close (and, say, take its value back with [`Put::take_value`]).
    ///
    /// # Examples
    /// ```
    /// # use csp_core::Chan;
    /// let ch: Chan<u8> = Chan::new();
    /// assert!(ch.close());
    /// assert!(!ch.close());
    /// assert!(ch.is_closed());
    /// ```
    pub fn close(&self) -> bool {
        let mut wakes = WakeList::new();
        // SAFETY: `with_state` holds the lock.
        let closed = self.with_state(|st| unsafe { st.close(&mut wakes) });
        wakes.wake_all();
        if closed {
            // Waiting putters are told in batches, the lock released between them.
            // SAFETY: `with_state` holds the lock.
            while self.with_state(|st| unsafe { st.tell_putters_closed(&mut wakes) }) {
                wakes.wake_all();
            }
            wakes.wake_all();
        }
        closed
    }

    /// Whether [`close`](Chan::close) was called.
    ///
    /// # Examples
    /// ```
    /// use csp_core::Chan;
    /// let ch: Chan<u8> = Chan::new();
    /// assert!(!ch.is_closed());
    /// ch.close();
    /// assert!(ch.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.with_state(|st| st.closed())
    }

    /// Waits until the channel is closed and drained (aiochan's `join()`): closed, and
    /// every value put into it taken by a getter — nothing buffered, no put still
    /// queued (a put that was waiting when the channel closed still delivers), no value
    /// handed to a getter that has not taken it yet.
    ///
    /// A producer that closes its channel can await this to know that its consumers
    /// have everything. It resolves at once on a channel that is closed and drained
    /// already, and never on a promise channel that holds its value (every get takes a
    /// copy). Any number of tasks may wait on it; dropping the future is cancel-safe
    /// (see [`Drained`]).
    ///
    /// # Examples
    /// ```
    /// use csp_core::Chan;
    /// use csp_core::buffer::Fixed;
    /// # csp_core::block_on(async {
    /// let ch: Chan<u8, Fixed<u8, 4>> = Chan::with_buffer(Fixed::new());
    /// ch.put(1).await.unwrap();
    /// ch.close();
    /// assert_eq!(ch.get().await, Some(1)); // a consumer takes the last value...
    /// ch.closed_and_drained().await; // ...so the channel is closed and drained
    /// # });
    /// ```
    pub fn closed_and_drained(&self) -> Drained<'_, T, B, L> {
        Drained::new(self)
    }

    /// The number of values in the buffer.
    ///
    /// # Examples
    /// ```
    /// # use csp_core::Chan;
    /// # use csp_core::buffer::Fixed;
    /// let ch: Chan<u8, Fixed<u8, 3>> = Chan::with_buffer(Fixed::new());
    /// ch.try_put(1).unwrap();
    /// assert_eq!(ch.len(), 1);
    /// assert!(!ch.is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.with_state(|st| st.buffer.len())
    }

    /// Whether the buffer holds no value.
    ///
    /// # Examples
    /// ```
    /// use csp_core::Chan;
    /// use csp_core::buffer::Fixed;
    /// let ch: Chan<u8, Fixed<u8, 2>> = Chan::with_buffer(Fixed::new());
    /// assert!(ch.is_empty());
    /// ch.try_put(1).unwrap();
    /// assert!(!ch.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The buffer's capacity (0 for a rendezvous channel).
    ///
    /// # Examples
    /// ```
    /// use csp_core::Chan;
    /// use csp_core::buffer::Fixed;
    /// let ch: Chan<u8, Fixed<u8, 3>> = Chan::with_buffer(Fixed::new());
    /// assert_eq!(ch.capacity(), 3);
    /// assert_eq!(Chan::<u8>::new().capacity(), 0);
    /// ```
    pub fn capacity(&self) -> usize {
        self.with_state(|st| st.buffer.capacity())
    }

    /// A snapshot of the channel's state and counters (aiochan's `stats()`).
    ///
    /// # Examples
    /// ```
    /// # use csp_core::{Chan, Flow};
    /// # use csp_core::buffer::Fixed;
    /// let ch: Chan<u8, Fixed<u8, 2>> = Chan::with_buffer(Fixed::new());
    /// ch.try_put(1).unwrap();
    /// let s = ch.stats();
    /// assert_eq!(s.flow, Flow::Fluent);
    /// assert_eq!((s.len, s.capacity, s.buffered), (1, 2, 1));
    /// ```
    pub fn stats(&self) -> Stats {
        self.with_state(|st| {
            // Counted once: it walks the watcher queue, under the lock.
            let waiting_gets = st.waiting_getters();
            Stats {
                flow: if st.n_putters > 0 {
                    Flow::PendingPuts
                } else if waiting_gets > 0 {
                    Flow::PendingGets
                } else {
                    Flow::Fluent
                },
                len: st.buffer.len(),
                capacity: st.buffer.capacity(),
                waiting_puts: st.n_putters,
                waiting_gets,
                in_flight: st.in_flight(),
                closed: st.closed(),
                buffered: st.counters.buffered,
                handed_over: st
                    .counters
                    .to_waiting_gets
                    .wrapping_add(st.counters.from_waiting_puts),
                to_waiting_gets: st.counters.to_waiting_gets,
                from_waiting_puts: st.counters.from_waiting_puts,
                discarded: st.counters.discarded,
            }
        })
    }
}

#[cfg(feature = "alloc")]
mod alloc_ctors {
    use super::*;
    use crate::buffer::{DynDropping, DynFixed, DynSliding};

    impl<T> Chan<T, DynFixed<T>> {
        /// A channel with a fixed buffer of `capacity`, chosen at run time.
        ///
        /// # Panics
        /// If `capacity` is 0 (use [`Chan::new`] for a rendezvous channel), or so large
        /// that `capacity` values of `T` would take more than `isize::MAX` bytes.
        ///
        /// # Examples
        /// ```
        /// # use csp_core::Chan;
        /// let ch = Chan::<u8, _>::fixed(2);
        /// assert_eq!(ch.capacity(), 2);
        /// ```
        pub fn fixed(capacity: usize) -> Self {
            Self::with_buffer(DynFixed::new(capacity))
        }
    }

    impl<T> Chan<T, DynDropping<T>> {
        /// A channel with a dropping buffer of `capacity` (new values are discarded
        /// when full).
        ///
        /// # Panics
        /// If `capacity` is 0, or so large that `capacity` values of `T` would take more
        /// than `isize::MAX` bytes.
        ///
        /// # Examples
        /// ```
        /// # use csp_core::Chan;
        /// let ch = Chan::<u8, _>::dropping(1);
        /// assert_eq!(ch.capacity(), 1);
        /// ```
        pub fn dropping(capacity: usize) -> Self {
            Self::with_buffer(DynDropping::new(capacity))
        }
    }

    impl<T> Chan<T, DynSliding<T>> {
        /// A channel with a sliding buffer of `capacity` (the oldest value is discarded
        /// when full).
        ///
        /// # Panics
        /// If `capacity` is 0, or so large that `capacity` values of `T` would take more
        /// than `isize::MAX` bytes.
        ///
        /// # Examples
        /// ```
        /// # use csp_core::Chan;
        /// let ch = Chan::<u8, _>::sliding(1);
        /// assert_eq!(ch.capacity(), 1);
        /// ```
        pub fn sliding(capacity: usize) -> Self {
            Self::with_buffer(DynSliding::new(capacity))
        }
    }
}

impl<T: Clone> Chan<T, crate::buffer::Promise<T>> {
    const_fn! {
        /// A promise channel: the first value put is kept, and every get returns a clone.
        ///
        /// # Examples
        /// ```
        /// # use csp_core::Chan;
        /// let answer = Chan::<u32, _>::promise();
        /// answer.try_put(42).unwrap();
        /// assert_eq!(answer.try_get(), Ok(42));
        /// assert_eq!(answer.try_get(), Ok(42));
        /// ```
        pub fn promise() -> Self {
            Self::with_buffer(crate::buffer::Promise::new())
        }
    }
}

impl<T, B: Buffer<T>, L: RawLock> fmt::Debug for Chan<T, B, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Chan");
        if let Some(name) = self.name {
            d.field("name", &name);
        }
        if self.lock.try_lock() {
            let _unlock = Unlock(&self.lock);
            // SAFETY: we hold the lock.
            let (closed, len, cap, gets, puts) = unsafe {
                self.with_state_locked(|st| {
                    (
                        st.closed(),
                        st.buffer.len(),
                        st.buffer.capacity(),
                        st.waiting_getters(),
                        st.n_putters,
                    )
                })
            };
            d.field("closed", &closed)
                .field("len", &len)
                .field("capacity", &cap)
                .field("waiting_gets", &gets)
                .field("waiting_puts", &puts);
        } else {
            d.field("state", &format_args!("<locked>"));
        }
        d.finish()
    }
}

/// Which side is waiting (aiochan's channel states).
///
/// # Examples
/// ```
/// use core::pin::pin;
/// use csp_core::{Chan, Flow};
/// let ch: Chan<u8> = Chan::new();
/// let mut put = pin!(ch.put(1));
/// let _ = put.as_mut().poll(&mut core::task::Context::from_waker(core::task::Waker::noop()));
/// # use core::future::Future;
/// assert_eq!(ch.stats().flow, Flow::PendingPuts);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flow {
    /// Puts are waiting for getters (or buffer room).
    PendingPuts,
    /// Gets are waiting for values.
    PendingGets,
    /// Nobody waits.
    Fluent,
}

/// A snapshot from [`Chan::stats`]. The counters are `usize` and wrap around on
/// overflow (so a 32-bit microcontroller pays for 32-bit counters only).
///
/// # Examples
/// ```
/// use csp_core::buffer::Sliding;
/// use csp_core::Chan;
/// let ch: Chan<u8, Sliding<u8, 1>> = Chan::with_buffer(Sliding::new());
/// ch.try_put(1).unwrap();
/// ch.try_put(2).unwrap();
/// assert_eq!(ch.stats().discarded, 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Who waits now.
    pub flow: Flow,
    /// Values in the buffer.
    pub len: usize,
    /// The buffer's capacity.
    pub capacity: usize,
    /// Puts waiting in the queue.
    pub waiting_puts: usize,
    /// Gets waiting in the queue.
    pub waiting_gets: usize,
    /// Whether a value is in flight: handed to a getter that has not taken it yet, or
    /// left behind by one that went away (an orphan, which the next get takes).
    pub in_flight: bool,
    /// Whether the channel is closed.
    pub closed: bool,
    /// Values that went into the buffer (from puts or from waiting putters).
    pub buffered: usize,
    /// Values handed from a put to a get without the buffer: the sum of the next two.
    pub handed_over: usize,
    /// Of those, values a put handed straight to a get that was waiting (aiochan's
    /// "immediate" deliveries).
    pub to_waiting_gets: usize,
    /// Of those, values a get took from a put that was waiting in the queue (aiochan's
    /// "queued" deliveries). A queued put's value that moves into the buffer when a get
    /// makes room counts in `buffered` instead.
    pub from_waiting_puts: usize,
    /// Values the buffer's policy discarded (dropping, sliding, promise buffers).
    pub discarded: usize,
}

#[cfg(all(test, feature = "std", not(loom)))]
mod tests {
    use crate::buffer::Fixed;
    use crate::lock::{RawLock, SpinLock};
    use crate::Chan;
    use core::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    /// Holds `ch`'s lock while `op` runs on another thread, and lets go of it a while
    /// after that thread has started `op`, so that `op`'s first look finds it held.
    fn contend<T: Send, B: crate::buffer::Buffer<T> + Send, R: Send>(
        ch: &Chan<T, B, SpinLock>,
        op: impl FnOnce() -> R + Send,
    ) -> R {
        let started = AtomicBool::new(false);
        ch.lock.lock();
        std::thread::scope(|s| {
            let t = s.spawn(|| {
                started.store(true, Ordering::Release);
                op()
            });
            while !started.load(Ordering::Acquire) {
                std::thread::yield_now();
            }
            // Longer than a polite retry's looks (16 of at most 47 spin hints each).
            std::thread::sleep(Duration::from_millis(50));
            // SAFETY: taken above, on this thread.
            unsafe { ch.lock.unlock() };
            t.join().unwrap()
        })
    }

    /// A blocking put or get that finds the lock held records whether the buffer has
    /// slack after it (two values and two free slots); a retry that finds slack waits
    /// politely, and still takes the lock once it is free, however long it was held.
    #[test]
    fn a_contended_blocking_retry_records_the_buffers_slack() {
        // The spin lock named: under the `critical-section` feature the default lock's
        // `try_lock` waits for the critical section, so nothing would be contended.
        let ch: Chan<u32, Fixed<u32, 8>, SpinLock> = Chan::with_lock(Fixed::new());
        ch.try_put(0).unwrap();
        assert_eq!(ch.slack(), 0, "uncontended calls record nothing");
        contend(&ch, || ch.put_blocking(1)).unwrap();
        assert_eq!(ch.slack(), 1, "2 of 8");
        contend(&ch, || ch.put_blocking(2)).unwrap();
        assert_eq!(ch.slack(), 1, "3 of 8, after a polite wait");
        for v in 3..6 {
            ch.try_put(v).unwrap();
        }
        contend(&ch, || ch.put_blocking(6)).unwrap();
        assert_eq!(ch.slack(), 0, "7 of 8: one free slot");
        assert_eq!(contend(&ch, || ch.get_blocking()), Some(0));
        assert_eq!(ch.slack(), 1, "6 of 8");
        for v in 1..6 {
            assert_eq!(ch.try_get(), Ok(v));
        }
        assert_eq!(contend(&ch, || ch.get_blocking()), Some(6));
        assert_eq!(ch.slack(), 0, "empty");
    }

    /// With a capacity under four there is never slack: contended retries stay eager.
    #[test]
    fn a_capacity_under_four_never_has_slack() {
        let ch: Chan<u32, Fixed<u32, 3>, SpinLock> = Chan::with_lock(Fixed::new());
        for v in 0..2 {
            contend(&ch, || ch.put_blocking(v)).unwrap();
            assert_eq!(ch.slack(), 0);
        }
        assert_eq!(contend(&ch, || ch.get_blocking()), Some(0));
        assert_eq!(ch.slack(), 0);
    }
}
