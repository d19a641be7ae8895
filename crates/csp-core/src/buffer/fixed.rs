//! The fixed-size FIFO buffer: puts wait when it is full.

use core::mem::MaybeUninit;

use super::ring::Ring;
use super::Buffer;

/// A FIFO of up to `N` values stored inline (no allocation). A put waits while it is
/// full. `N = 0` is rejected at compile time.
///
/// # Examples
/// ```
/// use csp_core::{Chan, TryPutError};
/// use csp_core::buffer::Fixed;
///
/// static CH: Chan<u32, Fixed<u32, 2>> = Chan::with_buffer(Fixed::new());
/// CH.try_put(1).unwrap();
/// CH.try_put(2).unwrap();
/// assert!(matches!(CH.try_put(3), Err(TryPutError::Full(3))));
/// assert_eq!(CH.try_get(), Ok(1));
/// ```
pub struct Fixed<T, const N: usize> {
    queue: Ring<T, [MaybeUninit<T>; N]>,
}

impl<T, const N: usize> Fixed<T, N> {
    /// An empty buffer.
    ///
    /// # Examples
    /// ```
    /// use csp_core::buffer::{Buffer, Fixed};
    /// let b: Fixed<u8, 4> = Fixed::new();
    /// assert!(b.is_empty());
    /// assert_eq!(b.capacity(), 4);
    /// ```
    pub const fn new() -> Self {
        const {
            assert!(
                N > 0,
                "csp: a Fixed buffer needs a capacity of at least 1; use Rendezvous for 0"
            )
        };
        Fixed { queue: Ring::new() }
    }
}

impl<T, const N: usize> Default for Fixed<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, const N: usize> core::fmt::Debug for Fixed<T, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Fixed")
            .field("len", &self.queue.len())
            .field("capacity", &N)
            .finish()
    }
}

impl<T, const N: usize> Buffer<T> for Fixed<T, N> {
    const DIRECT_HAND_OVER: bool = true;
    #[inline]
    fn can_add(&self) -> bool {
        !self.queue.is_full()
    }
    #[inline]
    fn add(&mut self, value: T) -> Option<T> {
        self.queue.push_back(value).err()
    }
    queue_reads!(|_| N);
}
