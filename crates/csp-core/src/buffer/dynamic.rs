//! Buffers whose capacity is chosen at run time (feature `alloc`).

extern crate alloc;
use alloc::boxed::Box;
use core::mem::MaybeUninit;

use super::ring::Ring;
use super::Buffer;

fn check(capacity: usize, what: &str) {
    assert!(
        capacity > 0,
        "csp: a {what} buffer needs a capacity of at least 1 (got 0); use a rendezvous channel for 0"
    );
}

macro_rules! dynamic_buffer {
    ($(#[$doc:meta])* $name:ident, $what:literal, can_add = |$q:ident, $cap:ident| $can_add:expr, add = |$aq:ident, $acap:ident, $v:ident| $add:expr) => {
        $(#[$doc])*
        pub struct $name<T> {
            queue: Ring<T, Box<[MaybeUninit<T>]>>,
        }

        impl<T> $name<T> {
            /// An empty buffer holding up to `capacity` values (allocated up front).
            ///
            /// # Panics
            /// If `capacity` is 0.
            pub fn new(capacity: usize) -> Self {
                check(capacity, $what);
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
    can_add = |_q, _cap| true,
    add = |q, cap, v| {
        let oldest = if q.len() >= cap { q.pop_front() } else { None };
        // Cannot fail: there is room now.
        let _ = q.push_back(v);
        oldest
    }
);
