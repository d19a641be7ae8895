//! Buffers whose capacity is chosen at run time (feature `alloc`).

extern crate alloc;
use alloc::boxed::Box;
use core::mem::MaybeUninit;

use super::ring::Ring;
use super::Buffer;

/// Checks `capacity` for a buffer of `T` named `what`, before anything is allocated: at
/// least 1, and few enough values of `T` for one allocation (at most `isize::MAX`
/// bytes; past that `Box::new_uninit_slice` would panic with a bare "capacity
/// overflow").
fn check<T>(capacity: usize, what: &str) {
    assert!(
        capacity > 0,
        "csp: a {what} buffer needs a capacity of at least 1 (got 0); use a rendezvous channel for 0"
    );
    let size = core::mem::size_of::<T>();
    assert!(
        capacity
            .checked_mul(size)
            .is_some_and(|bytes| bytes <= isize::MAX as usize),
        "csp: a {what} buffer is too large: capacity {capacity} of {size}-byte values would take more than isize::MAX bytes"
    );
}

/// A run-time-capacity buffer type: its doc comment, name, `new`'s doc comment after the
/// `# Panics` section (`new_doc`: its examples), and its put policy.
macro_rules! dynamic_buffer {
    ($(#[$doc:meta])* $name:ident, $what:literal, new_doc = { $(#[$new_doc:meta])* }, can_add = |$q:ident, $cap:ident| $can_add:expr, add = |$aq:ident, $acap:ident, $v:ident| $add:expr) => {
        $(#[$doc])*
        pub struct $name<T> {
            queue: Ring<T, Box<[MaybeUninit<T>]>>,
        }

        impl<T> $name<T> {
            /// An empty buffer holding up to `capacity` values (allocated up front).
            ///
            /// # Panics
            /// If `capacity` is 0, or so large that `capacity` values of `T` would take
            /// more than `isize::MAX` bytes. A capacity below that which the allocator
            /// cannot provide does not panic: as with `Vec::with_capacity`, it calls
            /// [`handle_alloc_error`](alloc::alloc::handle_alloc_error), which aborts
            /// by default.
            ///
            $(#[$new_doc])*
            pub fn new(capacity: usize) -> Self {
                check::<T>(capacity, $what);
                $name {
                    queue: Ring::with_capacity(capacity),
                }
            }
        }

        impl<T> core::fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct($what)
                    .field("len", &self.queue.len())
                    .field("capacity", &self.queue.capacity())
                    .finish()
            }
        }

        impl<T> Buffer<T> for $name<T> {
            const DIRECT_HAND_OVER: bool = true;
            #[inline]
            fn can_add(&self) -> bool {
                let ($q, $cap) = (&self.queue, self.queue.capacity());
                $can_add
            }
            #[inline]
            fn add(&mut self, $v: T) -> Option<T> {
                let $acap = self.queue.capacity();
                let $aq = &mut self.queue;
                $add
            }
            queue_reads!(|b| b.queue.capacity());
        }
    };
}

dynamic_buffer!(
    /// [`Fixed`](super::Fixed) with a run-time capacity.
    ///
    /// # Examples
    /// ```
    /// use csp_core::buffer::DynFixed;
    /// use csp_core::Chan;
    /// let ch: Chan<u8, DynFixed<u8>> = Chan::fixed(3);
    /// assert_eq!(ch.capacity(), 3);
    /// ```
    DynFixed, "DynFixed",
    new_doc = {
        /// # Examples
        /// ```
        /// use csp_core::Chan;
        /// use csp_core::buffer::{Buffer, DynFixed};
        /// let b: DynFixed<u8> = DynFixed::new(2);
        /// assert_eq!((b.len(), b.capacity()), (0, 2));
        /// let ch: Chan<u8, _> = Chan::with_buffer(b);
        /// ch.try_put(1).unwrap();
        /// ch.try_put(2).unwrap();
        /// assert!(ch.try_put(3).unwrap_err().is_full()); // a put waits for room
        /// ```
        /// A capacity of 0 panics (use a rendezvous channel, [`Chan::new`](crate::Chan::new)):
        /// ```should_panic
        /// use csp_core::buffer::DynFixed;
        /// // panics with "csp: a DynFixed buffer needs a capacity of at least 1 (got 0); ..."
        /// let _ = DynFixed::<u8>::new(0);
        /// ```
    },
    can_add = |q, cap| q.len() < cap,
    add = |q, _cap, v| q.push_back(v).err()
);

dynamic_buffer!(
    /// [`Dropping`](super::Dropping) with a run-time capacity.
    ///
    /// # Examples
    /// ```
    /// use csp_core::Chan;
    /// let ch = Chan::dropping(1);
    /// ch.try_put(1).unwrap();
    /// ch.try_put(2).unwrap(); // dropped
    /// assert_eq!(ch.try_get(), Ok(1));
    /// ```
    DynDropping, "DynDropping",
    new_doc = {
        /// # Examples
        /// ```
        /// use csp_core::Chan;
        /// use csp_core::buffer::{Buffer, DynDropping};
        /// let b: DynDropping<u8> = DynDropping::new(2);
        /// assert_eq!((b.len(), b.capacity()), (0, 2));
        /// let ch: Chan<u8, _> = Chan::with_buffer(b);
        /// for v in 1..=3 { ch.try_put(v).unwrap(); } // 3 is dropped
        /// assert_eq!(ch.try_get(), Ok(1));
        /// assert_eq!(ch.try_get(), Ok(2));
        /// ```
        /// A capacity of 0 panics (use a rendezvous channel, [`Chan::new`](crate::Chan::new)):
        /// ```should_panic
        /// use csp_core::buffer::DynDropping;
        /// // panics with "csp: a DynDropping buffer needs a capacity of at least 1 (got 0); ..."
        /// let _ = DynDropping::<u8>::new(0);
        /// ```
    },
    can_add = |_q, _cap| true,
    add = |q, _cap, v| q.push_back(v).err()
);

dynamic_buffer!(
    /// [`Sliding`](super::Sliding) with a run-time capacity.
    ///
    /// # Examples
    /// ```
    /// use csp_core::Chan;
    /// let ch = Chan::sliding(1);
    /// ch.try_put(1).unwrap();
    /// ch.try_put(2).unwrap(); // 1 slides out
    /// assert_eq!(ch.try_get(), Ok(2));
    /// ```
    DynSliding, "DynSliding",
    new_doc = {
        /// # Examples
        /// ```
        /// use csp_core::Chan;
        /// use csp_core::buffer::{Buffer, DynSliding};
        /// let b: DynSliding<u8> = DynSliding::new(2);
        /// assert_eq!((b.len(), b.capacity()), (0, 2));
        /// let ch: Chan<u8, _> = Chan::with_buffer(b);
        /// for v in 1..=3 { ch.try_put(v).unwrap(); } // 1 slides out
        /// assert_eq!(ch.try_get(), Ok(2));
        /// assert_eq!(ch.try_get(), Ok(3));
        /// ```
        /// A capacity of 0 panics (use a rendezvous channel, [`Chan::new`](crate::Chan::new)):
        /// ```should_panic
        /// use csp_core::buffer::DynSliding;
        /// // panics with "csp: a DynSliding buffer needs a capacity of at least 1 (got 0); ..."
        /// let _ = DynSliding::<u8>::new(0);
        /// ```
    },
    can_add = |_q, _cap| true,
    add = |q, cap, v| {
        let oldest = if q.len() >= cap { q.pop_front() } else { None };
        // Cannot fail: there is room now.
        let _ = q.push_back(v);
        oldest
    }
);

#[cfg(test)]
mod tests {
    use super::{DynDropping, DynFixed, DynSliding};
    use crate::buffer::Buffer;

    #[test]
    #[should_panic(expected = "csp: a DynFixed buffer is too large: capacity ")]
    fn a_capacity_past_isize_max_bytes_panics_with_a_csp_message() {
        // `usize::MAX` one-byte values: the byte count fits a `usize`, not an `isize`.
        let _ = DynFixed::<u8>::new(usize::MAX);
    }

    #[test]
    #[should_panic(expected = "csp: a DynSliding buffer is too large: capacity ")]
    fn a_capacity_whose_byte_count_overflows_panics_with_a_csp_message() {
        let _ = DynSliding::<u64>::new(usize::MAX / 4);
    }

    #[test]
    fn zero_sized_values_take_any_capacity() {
        let mut b = DynDropping::<()>::new(usize::MAX);
        assert_eq!((b.len(), b.capacity()), (0, usize::MAX));
        assert_eq!(b.add(()), None);
        assert_eq!(b.take(), Some(()));
    }
}
