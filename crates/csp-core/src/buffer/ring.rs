//! The FIFO ring every bounded buffer keeps its values in.
//!
//! One implementation over two kinds of storage: an inline array (`Fixed`, `Dropping`,
//! `Sliding`; const-constructible, so it fits a `static`) and a boxed slice allocated
//! once (`DynFixed` and friends, feature `alloc`). It exists instead of
//! `heapless::Deque`/`VecDeque` because a channel's fast path is a push and a pop under
//! the lock, and these cost a handful of instructions here: no growth check, no
//! out-of-line call, the wrap-around a compare instead of a division.
//!
//! # Invariants
//! - `len <= capacity` and `head < capacity` (or `head == 0` when the capacity is 0).
//! - The slots `(head + i) % capacity` for `i < len` hold initialized values, owned by
//!   the ring; every other slot is uninitialized. Each method below keeps this, and
//!   `Drop` drops exactly the initialized slots.

use core::mem::MaybeUninit;

/// Storage for a [`Ring`]: a fixed number of possibly uninitialized slots.
///
/// # Safety
/// `slots` returns a pointer valid for reads and writes of `capacity()` consecutive
/// slots, the same slots on every call, for as long as the storage lives unmoved or is
/// moved as a whole (the ring's values move with it).
pub(crate) unsafe trait Slots<T> {
    /// The number of slots.
    fn capacity(&self) -> usize;
    /// The first slot.
    fn slots(&mut self) -> *mut MaybeUninit<T>;
}

// SAFETY: an array's slots are its elements, `N` of them, moved with the array.
unsafe impl<T, const N: usize> Slots<T> for [MaybeUninit<T>; N] {
    #[inline(always)]
    fn capacity(&self) -> usize {
        N
    }
    #[inline(always)]
    fn slots(&mut self) -> *mut MaybeUninit<T> {
        self.as_mut_ptr()
    }
}

#[cfg(feature = "alloc")]
extern crate alloc;

// SAFETY: a boxed slice's slots are its elements, `len()` of them, on the heap: moving
// the box does not move them.
#[cfg(feature = "alloc")]
unsafe impl<T> Slots<T> for alloc::boxed::Box<[MaybeUninit<T>]> {
    #[inline(always)]
    fn capacity(&self) -> usize {
        self.len()
    }
    #[inline(always)]
    fn slots(&mut self) -> *mut MaybeUninit<T> {
        self.as_mut_ptr()
    }
}

/// A bounded FIFO in the slots of `S`.
pub(crate) struct Ring<T, S: Slots<T>> {
    head: usize,
    len: usize,
    slots: S,
    _values: core::marker::PhantomData<T>,
}

impl<T, const N: usize> Ring<T, [MaybeUninit<T>; N]> {
    /// An empty ring of `N` inline slots.
    pub(crate) const fn new() -> Self {
        Ring {
            head: 0,
            len: 0,
            slots: [const { MaybeUninit::uninit() }; N],
            _values: core::marker::PhantomData,
        }
    }
}

#[cfg(feature = "alloc")]
impl<T> Ring<T, alloc::boxed::Box<[MaybeUninit<T>]>> {
    /// An empty ring of `capacity` slots, allocated now.
    ///
    /// The caller has checked `capacity` (see `check` in `dynamic.rs`): past `isize::MAX`
    /// bytes of slots the allocation panics with std's bare "capacity overflow".
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Ring {
            head: 0,
            len: 0,
            slots: alloc::boxed::Box::new_uninit_slice(capacity),
            _values: core::marker::PhantomData,
        }
    }
}

impl<T, S: Slots<T>> Ring<T, S> {
    /// The number of values held.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The number of slots.
    #[inline(always)]
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))]
    pub(crate) fn capacity(&self) -> usize {
        self.slots.capacity()
    }

    /// Whether no value is held.
    #[inline(always)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether every slot holds a value.
    #[inline(always)]
    pub(crate) fn is_full(&self) -> bool {
        self.len >= self.slots.capacity()
    }

    /// Appends `value`, or hands it back if the ring is full.
    #[inline(always)]
    pub(crate) fn push_back(&mut self, value: T) -> Result<(), T> {
        let capacity = self.slots.capacity();
        if self.len >= capacity {
            return Err(value);
        }
        // `head < capacity` and `len < capacity`, so one subtraction wraps the sum.
        let mut at = self.head + self.len;
        if at >= capacity {
            at -= capacity;
        }
        // SAFETY: `at < capacity`, so the slot is in bounds (`Slots` contract); it is
        // outside the initialized run (invariants), so nothing is overwritten. It becomes
        // part of the run by the increment below.
        unsafe { (*self.slots.slots().add(at)).write(value) };
        self.len += 1;
        Ok(())
    }

    /// Removes and returns the oldest value.
    #[inline(always)]
    pub(crate) fn pop_front(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let at = self.head;
        // SAFETY: `len > 0`, so the slot at `head` is initialized (invariants); it leaves
        // the initialized run by the updates below, so it is read exactly once.
        let value = unsafe { (*self.slots.slots().add(at)).assume_init_read() };
        self.head = if at + 1 >= self.slots.capacity() {
            0
        } else {
            at + 1
        };
        self.len -= 1;
        Some(value)
    }
}

impl<T, S: Slots<T>> Drop for Ring<T, S> {
    fn drop(&mut self) {
        // Drops the values in FIFO order; a panicking `T::drop` leaks the rest, never
        // double-drops (each value leaves the ring before it is dropped).
        while self.pop_front().is_some() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::Cell;

    #[test]
    fn fifo_order_survives_many_wrap_arounds() {
        let mut r: Ring<u32, [MaybeUninit<u32>; 3]> = Ring::new();
        let (mut next_in, mut next_out) = (0, 0);
        // Fill to 1, 2, 3 values and drain again, so head visits every slot many times.
        for round in 0..30 {
            for _ in 0..(round % 3 + 1) {
                assert_eq!(r.push_back(next_in), Ok(()));
                next_in += 1;
            }
            assert_eq!(r.len(), round % 3 + 1);
            while let Some(v) = r.pop_front() {
                assert_eq!(v, next_out);
                next_out += 1;
            }
            assert!(r.is_empty());
        }
        assert_eq!(next_out, next_in);
    }

    #[test]
    fn full_ring_hands_the_value_back() {
        let mut r: Ring<&str, [MaybeUninit<&str>; 2]> = Ring::new();
        assert_eq!(r.push_back("a"), Ok(()));
        assert_eq!(r.push_back("b"), Ok(()));
        assert!(r.is_full());
        assert_eq!(r.push_back("c"), Err("c"));
        assert_eq!(r.pop_front(), Some("a"));
        assert_eq!(r.push_back("c"), Ok(()));
        assert_eq!(r.pop_front(), Some("b"));
        assert_eq!(r.pop_front(), Some("c"));
        assert_eq!(r.pop_front(), None);
    }

    struct Counted<'a>(&'a Cell<usize>);
    impl Drop for Counted<'_> {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }

    #[test]
    fn drop_drops_exactly_the_held_values() {
        let drops = Cell::new(0);
        {
            let mut r: Ring<Counted<'_>, [MaybeUninit<Counted<'_>>; 4]> = Ring::new();
            for _ in 0..4 {
                assert!(r.push_back(Counted(&drops)).is_ok());
            }
            drop(r.pop_front()); // head moves: the held run now wraps after two pushes
            drop(r.pop_front());
            assert!(r.push_back(Counted(&drops)).is_ok());
            assert_eq!(drops.get(), 2);
        }
        assert_eq!(drops.get(), 5);
    }

    #[test]
    fn zero_sized_values_are_counted() {
        let mut r: Ring<(), [MaybeUninit<()>; 2]> = Ring::new();
        assert_eq!(r.push_back(()), Ok(()));
        assert_eq!(r.push_back(()), Ok(()));
        assert_eq!(r.push_back(()), Err(()));
        assert_eq!(r.pop_front(), Some(()));
        assert_eq!(r.len(), 1);
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn boxed_slots_behave_like_inline_ones() {
        let drops = Cell::new(0);
        {
            let mut r = Ring::with_capacity(3);
            assert_eq!(r.capacity(), 3);
            assert!(r.push_back((0, Counted(&drops))).is_ok());
            assert!(r.push_back((1, Counted(&drops))).is_ok());
            for i in 2..10 {
                assert!(r.push_back((i, Counted(&drops))).is_ok());
                assert!(r.is_full());
                assert_eq!(r.pop_front().map(|(v, _)| v), Some(i - 2));
            }
            assert_eq!(r.len(), 2);
            assert_eq!(drops.get(), 8);
        }
        assert_eq!(drops.get(), 10);
    }
}
