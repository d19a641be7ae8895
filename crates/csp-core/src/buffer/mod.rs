//! Channel buffers: where values wait when no getter is ready.
//!
//! | buffer | a put when full | storage |
//! |---|---|---|
//! | [`Rendezvous`] (the default) | waits for a getter: every put is a hand-over | none |
//! | [`Fixed<T, N>`] | waits for room | `N` slots, inline |
//! | [`Dropping<T, N>`] | completes; the **new** value is discarded | `N` slots, inline |
//! | [`Sliding<T, N>`] | completes; the **oldest** value is discarded | `N` slots, inline |
//! | [`Promise<T>`] | completes; ignored: the first value is kept and every get clones it | one slot |
//!
//! With the `alloc` feature, [`DynFixed`], [`DynDropping`] and [`DynSliding`] take their
//! capacity at run time. Any type implementing [`Buffer`] can serve as a custom buffer;
//! one that is a plain first-in-first-out queue should also declare
//! [`Buffer::DIRECT_HAND_OVER`], so that a put hands its value straight to a waiting
//! getter instead of passing it through the buffer.
//!
//! A capacity of zero makes no sense for these buffers (use [`Rendezvous`]): the inline
//! ones reject it at compile time, the run-time ones panic with a clear message.

/// The reading half of a `Buffer` impl for a buffer that keeps its values in a
/// `queue` field (a deque with `is_empty`, `pop_front` and `len`), with its capacity
/// given by `$cap`.
macro_rules! queue_reads {
    ($cap:expr) => {
        #[inline]
        fn can_take(&self) -> bool {
            !self.queue.is_empty()
        }
        #[inline]
        fn take(&mut self) -> Option<T> {
            self.queue.pop_front()
        }
        #[inline]
        fn len(&self) -> usize {
            self.queue.len()
        }
        #[inline]
        fn capacity(&self) -> usize {
            let capacity: fn(&Self) -> usize = $cap;
            capacity(self)
        }
    };
}

mod fixed;
mod lossy;
mod promise;
mod ring;

#[cfg(feature = "alloc")]
mod dynamic;

pub use fixed::Fixed;
pub use lossy::{Dropping, Sliding};
pub use promise::Promise;

#[cfg(feature = "alloc")]
pub use dynamic::{DynDropping, DynFixed, DynSliding};

/// The storage policy of a channel, modelled on aiochan's `AbstractBuffer`.
///
/// The channel calls these methods while holding its lock, so they must be quick and
/// must not touch the channel. The channel calls [`add`](Buffer::add) only when
/// [`can_add`](Buffer::can_add) is true and [`take`](Buffer::take) only when
/// [`can_take`](Buffer::can_take) is true.
///
/// # Examples
/// A buffer that keeps only even numbers (odd ones are discarded by its policy):
/// ```
/// use csp_core::buffer::{Buffer, Fixed};
/// use csp_core::Chan;
///
/// #[derive(Debug, Default)]
/// struct Evens(Fixed<u32, 4>);
///
/// impl Buffer<u32> for Evens {
///     fn can_add(&self) -> bool { self.0.can_add() }
///     fn add(&mut self, v: u32) -> Option<u32> {
///         if v % 2 == 0 { self.0.add(v) } else { Some(v) }
///     }
///     fn can_take(&self) -> bool { self.0.can_take() }
///     fn take(&mut self) -> Option<u32> { self.0.take() }
///     fn len(&self) -> usize { self.0.len() }
///     fn capacity(&self) -> usize { self.0.capacity() }
/// }
///
/// let ch: Chan<u32, Evens> = Chan::with_buffer(Evens::default());
/// for v in 1..=4 { ch.try_put(v).unwrap(); }
/// assert_eq!(ch.try_get(), Ok(2));
/// assert_eq!(ch.try_get(), Ok(4));
/// ```
pub trait Buffer<T> {
    /// Whether a put may complete now without waiting.
    ///
    /// # Examples
    /// ```
    /// use csp_core::buffer::{Buffer, Fixed};
    /// let mut b: Fixed<u8, 1> = Fixed::new();
    /// assert!(b.can_add());
    /// b.add(1);
    /// assert!(!b.can_add()); // full: a put would wait
    /// ```
    fn can_add(&self) -> bool;

    /// Stores `value`. A lossy buffer may discard a value here (the new one, or an old
    /// one) and returns it; the channel drops it after releasing its lock.
    ///
    /// # Examples
    /// ```
    /// use csp_core::buffer::{Buffer, Fixed, Sliding};
    /// let mut b: Fixed<u8, 2> = Fixed::new();
    /// assert_eq!(b.add(1), None); // stored, nothing discarded
    /// let mut s: Sliding<u8, 1> = Sliding::new();
    /// s.add(1);
    /// assert_eq!(s.add(2), Some(1)); // a lossy buffer returns what it discards
    /// ```
    fn add(&mut self, value: T) -> Option<T>;

    /// Whether a get may take a value now.
    ///
    /// # Examples
    /// ```
    /// use csp_core::buffer::{Buffer, Fixed};
    /// let mut b: Fixed<u8, 2> = Fixed::new();
    /// assert!(!b.can_take());
    /// b.add(1);
    /// assert!(b.can_take());
    /// ```
    fn can_take(&self) -> bool;

    /// Takes the next value (a clone, for a promise). `None` only if `can_take` is false.
    ///
    /// # Examples
    /// ```
    /// use csp_core::buffer::{Buffer, Fixed};
    /// let mut b: Fixed<u8, 2> = Fixed::new();
    /// b.add(1);
    /// b.add(2);
    /// assert_eq!((b.take(), b.take(), b.take()), (Some(1), Some(2), None)); // FIFO
    /// ```
    fn take(&mut self) -> Option<T>;

    /// The number of values held.
    ///
    /// # Examples
    /// ```
    /// use csp_core::buffer::{Buffer, Fixed};
    /// let mut b: Fixed<u8, 2> = Fixed::new();
    /// b.add(1);
    /// assert_eq!(b.len(), 1);
    /// ```
    fn len(&self) -> usize;

    /// Whether no value is held.
    ///
    /// # Examples
    /// ```
    /// use csp_core::buffer::{Buffer, Fixed};
    /// let mut b: Fixed<u8, 2> = Fixed::new();
    /// assert!(b.is_empty());
    /// b.add(1);
    /// assert!(!b.is_empty());
    /// ```
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of values it can hold (0 for a rendezvous).
    ///
    /// # Examples
    /// ```
    /// use csp_core::buffer::{Buffer, Fixed, Rendezvous};
    /// let b: Fixed<u8, 2> = Fixed::new();
    /// assert_eq!(b.capacity(), 2);
    /// assert_eq!(Buffer::<u8>::capacity(&Rendezvous), 0);
    /// ```
    fn capacity(&self) -> usize;

    /// Whether the channel may hand a put's value straight to a waiting getter while
    /// this buffer is empty, instead of adding the value and taking it back out, as Go
    /// hands a send to a waiting receiver.
    ///
    /// `true` promises that for an *empty* buffer, `add(v)` discards nothing and the
    /// next `take()` returns `v` and leaves the buffer empty again: the buffer is a
    /// first-in-first-out queue as far as a waiting getter can tell. The default,
    /// `false`, is always correct; `true` saves the pass through the buffer (52
    /// instructions per round trip of a ping-pong over buffered channels). Every buffer
    /// of this module says `true` except [`Promise`], which keeps its value, and
    /// [`Rendezvous`], which has no room to pass through.
    ///
    /// # Examples
    /// A filtering buffer must keep the default: a direct hand-over would skip its
    /// policy.
    /// ```
    /// use csp_core::buffer::{Buffer, Fixed};
    ///
    /// struct Evens(Fixed<u32, 4>);
    ///
    /// impl Buffer<u32> for Evens {
    ///     // DIRECT_HAND_OVER stays false: `add` discards odd values.
    ///     fn can_add(&self) -> bool { self.0.can_add() }
    ///     fn add(&mut self, v: u32) -> Option<u32> {
    ///         if v % 2 == 0 { self.0.add(v) } else { Some(v) }
    ///     }
    ///     fn can_take(&self) -> bool { self.0.can_take() }
    ///     fn take(&mut self) -> Option<u32> { self.0.take() }
    ///     fn len(&self) -> usize { self.0.len() }
    ///     fn capacity(&self) -> usize { self.0.capacity() }
    /// }
    ///
    /// assert!(!<Evens as Buffer<u32>>::DIRECT_HAND_OVER);
    /// assert!(<Fixed<u32, 4> as Buffer<u32>>::DIRECT_HAND_OVER);
    /// ```
    const DIRECT_HAND_OVER: bool = false;
}

/// No storage at all: every put waits for a getter, which takes the value from the
/// putter directly. The buffer of `Chan<T>`.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// let ch: Chan<u8> = Chan::new();
/// assert_eq!(ch.capacity(), 0);
/// assert!(ch.try_put(1).is_err()); // nobody is waiting to take it
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rendezvous;

impl<T> Buffer<T> for Rendezvous {
    #[inline]
    fn can_add(&self) -> bool {
        false
    }
    #[inline]
    fn add(&mut self, value: T) -> Option<T> {
        Some(value)
    }
    #[inline]
    fn can_take(&self) -> bool {
        false
    }
    #[inline]
    fn take(&mut self) -> Option<T> {
        None
    }
    #[inline]
    fn len(&self) -> usize {
        0
    }
    #[inline]
    fn capacity(&self) -> usize {
        0
    }
}

/// Whether buffer `B` is (very likely) one that never holds a value, like
/// [`Rendezvous`]: a zero-sized buffer has nowhere to keep one. Only a performance
/// hint: such channels skip the buffered fast paths (they could never succeed) and the
/// blocking operations' retries (two threads retrying a rendezvous would never meet).
#[inline(always)]
pub(crate) const fn unbuffered<T, B: Buffer<T>>() -> bool {
    core::mem::size_of::<B>() == 0
}
