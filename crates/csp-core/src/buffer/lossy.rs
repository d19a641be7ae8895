//! The lossy buffers: puts never wait; when full, a value is discarded by policy.

use core::mem::MaybeUninit;

use super::ring::Ring;
use super::Buffer;

/// Up to `N` values inline; when full, a put completes and its **new** value is
/// discarded (aiochan's `'d'` buffer). `N = 0` is rejected at compile time.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_core::buffer::Dropping;
///
/// let ch: Chan<u32, Dropping<u32, 2>> = Chan::with_buffer(Dropping::new());
/// for v in 1..=3 { ch.try_put(v).unwrap(); }   // 3 is dropped
/// assert_eq!(ch.try_get(), Ok(1));
/// assert_eq!(ch.try_get(), Ok(2));
/// assert!(ch.try_get().is_err());
/// ```
pub struct Dropping<T, const N: usize> {
    queue: Ring<T, [MaybeUninit<T>; N]>,
}

/// Up to `N` values inline; when full, a put completes and the **oldest** value is
/// discarded (aiochan's `'s'` buffer). `N = 0` is rejected at compile time.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_core::buffer::Sliding;
///
/// let ch: Chan<u32, Sliding<u32, 2>> = Chan::with_buffer(Sliding::new());
/// for v in 1..=3 { ch.try_put(v).unwrap(); }   // 1 slides out
/// assert_eq!(ch.try_get(), Ok(2));
/// assert_eq!(ch.try_get(), Ok(3));
/// ```
pub struct Sliding<T, const N: usize> {
    queue: Ring<T, [MaybeUninit<T>; N]>,
}

/// `new`, `Default` and `Debug` for a lossy buffer; `new_doc` holds the rest of `new`'s
/// doc comment (its examples, which differ by policy).
macro_rules! lossy_common {
    ($name:ident, $what:literal, new_doc = { $(#[$new_doc:meta])* }) => {
        impl<T, const N: usize> $name<T, N> {
            /// An empty buffer.
            ///
            $(#[$new_doc])*
            pub const fn new() -> Self {
                const {
                    assert!(
                        N > 0,
                        concat!("csp: a ", $what, " buffer needs a capacity of at least 1")
                    )
                };
                $name { queue: Ring::new() }
            }
        }

        impl<T, const N: usize> Default for $name<T, N> {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<T, const N: usize> core::fmt::Debug for $name<T, N> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct($what)
                    .field("len", &self.queue.len())
                    .field("capacity", &N)
                    .finish()
            }
        }
    };
}

lossy_common!(
    Dropping,
    "Dropping",
    new_doc = {
        /// # Examples
        /// When it is full, the value being added is discarded (and returned):
        /// ```
        /// use csp_core::buffer::{Buffer, Dropping};
        /// let mut b: Dropping<u8, 2> = Dropping::new();
        /// assert!(b.is_empty());
        /// b.add(1);
        /// b.add(2);
        /// assert_eq!(b.add(3), Some(3)); // the newest value is dropped
        /// assert_eq!((b.take(), b.take()), (Some(1), Some(2)));
        /// ```
    }
);
lossy_common!(
    Sliding,
    "Sliding",
    new_doc = {
        /// # Examples
        /// When it is full, the oldest value is discarded (and returned) to make room:
        /// ```
        /// use csp_core::buffer::{Buffer, Sliding};
        /// let mut b: Sliding<u8, 2> = Sliding::new();
        /// assert!(b.is_empty());
        /// b.add(1);
        /// b.add(2);
        /// assert_eq!(b.add(3), Some(1)); // the oldest value slides out
        /// assert_eq!((b.take(), b.take()), (Some(2), Some(3)));
        /// ```
    }
);

impl<T, const N: usize> Buffer<T> for Dropping<T, N> {
    const DIRECT_HAND_OVER: bool = true;
    #[inline]
    fn can_add(&self) -> bool {
        true
    }
    #[inline]
    fn add(&mut self, value: T) -> Option<T> {
        self.queue.push_back(value).err()
    }
    queue_reads!(|_| N);
}

impl<T, const N: usize> Buffer<T> for Sliding<T, N> {
    const DIRECT_HAND_OVER: bool = true;
    #[inline]
    fn can_add(&self) -> bool {
        true
    }
    #[inline]
    fn add(&mut self, value: T) -> Option<T> {
        let oldest = if self.queue.is_full() {
            self.queue.pop_front()
        } else {
            None
        };
        // Cannot fail: there is room now.
        let _ = self.queue.push_back(value);
        oldest
    }
    queue_reads!(|_| N);
}
