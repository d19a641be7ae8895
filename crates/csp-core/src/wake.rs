//! Wakers gathered while locks are held, called after every lock is released.
//!
//! A waker may run the woken task inline, or touch the very channel whose lock we hold,
//! so no waker is ever called under a channel lock. Operations collect the wakers they
//! owe into a [`WakeList`] on the stack (no allocation) and call them at the end.
//!
//! # Invariants
//! - The slots `wakers[..len]` hold initialised wakers, owned by the list; the slots
//!   from `len` on are uninitialised. `push` writes the slot at `len` before it counts
//!   it, and only after checking `len < WAKE_LIST_CAP`.
//! - Each initialised slot is read (`assume_init_read`) exactly once: `wake_all` lowers
//!   `len` (to 0) before it reads the slots below the old `len`, and moves its cursor
//!   past a slot before reading it, so neither a panicking waker (the rest are woken by
//!   a drop guard) nor the list's own `Drop` reads a slot twice.

use core::mem::MaybeUninit;
use core::task::Waker;

/// How many wakers one pass under the locks may gather. A single put, get or try-op
/// needs at most five; a select that would need more releases its locks, wakes what it
/// has and carries on (see `select.rs`).
pub(crate) const WAKE_LIST_CAP: usize = 8;

/// A fixed-capacity list of wakers to call once the locks are released.
///
/// # Examples
/// ```
/// use csp_core::WakeList;
/// let mut wakes = WakeList::new();
/// wakes.push(core::task::Waker::noop().clone());
/// assert_eq!(wakes.room(), 7);
/// wakes.wake_all(); // call with no lock held
/// assert_eq!(wakes.room(), 8);
/// ```
///
/// The slots are uninitialised until pushed, so making an empty list and dropping it
/// cost nothing on the hot paths that wake nobody.
pub struct WakeList {
    /// `wakers[..len]` are initialised; the rest are not.
    wakers: [MaybeUninit<Waker>; WAKE_LIST_CAP],
    len: usize,
}

impl core::fmt::Debug for WakeList {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WakeList").field("len", &self.len).finish()
    }
}

impl Default for WakeList {
    fn default() -> Self {
        Self::new()
    }
}

impl WakeList {
    /// An empty list.
    ///
    /// # Examples
    /// ```
    /// use csp_core::WakeList;
    /// let mut wakes = WakeList::new();
    /// assert_eq!(wakes.room(), 8); // empty: every slot is free
    /// wakes.wake_all(); // nothing to call
    /// ```
    #[inline]
    pub const fn new() -> Self {
        WakeList {
            wakers: [const { MaybeUninit::uninit() }; WAKE_LIST_CAP],
            len: 0,
        }
    }

    /// How many more wakers fit.
    ///
    /// # Examples
    /// Fill the list, then call the wakers to make room again:
    /// ```
    /// use core::task::Waker;
    /// use csp_core::WakeList;
    /// let mut wakes = WakeList::new();
    /// let mut pushed = 0;
    /// while wakes.room() > 0 {
    ///     wakes.push(Waker::noop().clone());
    ///     pushed += 1;
    /// }
    /// assert_eq!(pushed, 8);
    /// wakes.wake_all();
    /// assert_eq!(wakes.room(), 8);
    /// ```
    #[inline]
    pub fn room(&self) -> usize {
        WAKE_LIST_CAP - self.len
    }

    /// Adds a waker to call later.
    ///
    /// # Panics
    /// If the list is full. Every caller in this crate checks [`room`](Self::room)
    /// first, so a panic here is a bug in csp.
    ///
    /// # Examples
    /// A pushed waker is kept, not called, until [`wake_all`](Self::wake_all):
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use std::task::{Wake, Waker};
    /// use csp_core::WakeList;
    ///
    /// struct Count(AtomicUsize);
    /// impl Wake for Count {
    ///     fn wake(self: Arc<Self>) {
    ///         self.0.fetch_add(1, Ordering::Relaxed);
    ///     }
    /// }
    /// let count = Arc::new(Count(AtomicUsize::new(0)));
    /// let mut wakes = WakeList::new();
    /// let room = wakes.room();
    /// wakes.push(Waker::from(count.clone()));
    /// assert_eq!(wakes.room(), room - 1);
    /// assert_eq!(count.0.load(Ordering::Relaxed), 0); // not yet
    /// wakes.wake_all();
    /// assert_eq!(count.0.load(Ordering::Relaxed), 1);
    /// ```
    #[inline]
    pub fn push(&mut self, waker: Waker) {
        assert!(self.len < WAKE_LIST_CAP, "csp: internal wake list overflow");
        self.wakers[self.len].write(waker);
        self.len += 1;
    }

    /// Calls every waker gathered so far and empties the list. Call with no lock held.
    ///
    /// # Examples
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use std::task::{Wake, Waker};
    /// use csp_core::WakeList;
    ///
    /// struct Count(AtomicUsize);
    /// impl Wake for Count {
    ///     fn wake(self: Arc<Self>) {
    ///         self.0.fetch_add(1, Ordering::Relaxed);
    ///     }
    /// }
    /// let count = Arc::new(Count(AtomicUsize::new(0)));
    /// let mut wakes = WakeList::new();
    /// let room = wakes.room();
    /// for _ in 0..3 {
    ///     wakes.push(Waker::from(count.clone()));
    /// }
    /// wakes.wake_all();
    /// assert_eq!(count.0.load(Ordering::Relaxed), 3); // each once
    /// assert_eq!(wakes.room(), room); // empty again
    /// wakes.wake_all();
    /// assert_eq!(count.0.load(Ordering::Relaxed), 3); // nothing left to call
    /// ```
    #[inline]
    pub fn wake_all(&mut self) {
        match self.len {
            0 => {}
            // The common case of a hand-over: one waker, called inline.
            1 => {
                self.len = 0;
                // SAFETY: initialised by `push` (below the old `len`); read once, as
                // `len` is already 0.
                unsafe { self.wakers[0].assume_init_read() }.wake();
            }
            _ => self.wake_all_slow(),
        }
    }

    #[inline(never)]
    fn wake_all_slow(&mut self) {
        /// Wakes the wakers not reached yet if one of them panics, so one bad waker
        /// cannot leave the others asleep.
        struct Rest<'a> {
            wakers: &'a mut [MaybeUninit<Waker>],
            next: usize,
        }
        impl Drop for Rest<'_> {
            fn drop(&mut self) {
                while self.next < self.wakers.len() {
                    let i = self.next;
                    self.next += 1;
                    // SAFETY: initialised (below the old `len`) and read once: `next`
                    // moved past it first.
                    let waker = unsafe { self.wakers[i].assume_init_read() };
                    waker.wake();
                }
            }
        }
        // Take the count first, so nothing else reads these slots again.
        let n = core::mem::replace(&mut self.len, 0);
        let mut rest = Rest {
            wakers: &mut self.wakers[..n],
            next: 0,
        };
        while rest.next < n {
            let i = rest.next;
            rest.next += 1;
            // SAFETY: initialised by `push` (below the old `len`), read once: `next`
            // moved past it first.
            let waker = unsafe { rest.wakers[i].assume_init_read() };
            waker.wake();
        }
    }
}

impl Drop for WakeList {
    #[inline]
    fn drop(&mut self) {
        // Reached with wakers left only when unwinding out of a critical section (a
        // panicking `Buffer` method): wake them anyway so nobody sleeps for ever.
        //
        // The hot paths `mem::forget` a list once `wake_all` has emptied it: when the
        // list's address has gone to an out-of-line call (`wake_all_slow`), the
        // compiler cannot see that the length is zero after a waker ran, and this drop
        // reloaded and tested it (2–8 instructions per operation). A consuming
        // `wake_all_done(self)` would say it once, but moving the 136-byte list into it
        // is a copy, even inlined (30–200 instructions per operation, measured).
        self.wake_all();
    }
}
