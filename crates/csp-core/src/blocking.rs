//! Blocking operations for plain threads (feature `std`): no runtime needed.
//!
//! [`block_on`] polls a future on the calling thread. While it waits it first spins
//! briefly — handing a value to a thread that is still awake costs tens of nanoseconds,
//! waking a parked one tens of microseconds — then yields its core to other threads a
//! while, and then parks the thread until woken.

// Under loom, `block_on` is loom's own, so the parker goes unused there.
#![cfg_attr(loom, allow(dead_code, unused_imports))]

extern crate std;

use core::cell::Cell;
use core::future::Future;
use core::pin::pin;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll, Waker};
use std::sync::Arc;
use std::task::Wake;
use std::thread::{self, Thread};

use crate::buffer::{unbuffered, Buffer};
use crate::chan::{Chan, Locking};
use crate::error::{Closed, TryGetError, TryPutError};
use crate::lock::RawLock;

/// How many times a waiting thread checks for a wake-up before it parks.
const SPINS: u32 = 200;

/// Of those checks, how many spin (for 1, 2, 4, ... spin hints: 255 in all, a few
/// microseconds) before the rest yield. Spinning 16 hints on each of the first 100
/// checks (1 600 hints, some 40 µs here) kept a core from the threads that would make
/// progress: 0.71-0.80 x the time per message in the rendezvous cells and 0.70 x in
/// mpsc 4->1 with capacity 1024 (`docs/benchmarks.md`, plain threads).
const SPIN_CHECKS: u32 = 8;

/// How many times a blocking put or get retries without waiting before it queues.
const TRY_SPINS: u32 = 8;

/// Spins a little longer after each failed try (exponential, capped).
#[inline]
fn backoff(step: u32) {
    for _ in 0..(2u32 << step.min(5)) {
        core::hint::spin_loop();
    }
}

struct Parker {
    thread: Thread,
    notified: AtomicBool,
}

impl Wake for Parker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if !self.notified.swap(true, Ordering::Release) {
            self.thread.unpark();
        }
    }
}

impl Parker {
    fn new() -> (Arc<Parker>, Waker) {
        let parker = Arc::new(Parker {
            thread: thread::current(),
            notified: AtomicBool::new(false),
        });
        let waker = Waker::from(parker.clone());
        (parker, waker)
    }

    /// Waits until woken: spins a little, yields a while, then parks.
    fn wait(&self) {
        for i in 0..SPINS {
            if self.notified.swap(false, Ordering::Acquire) {
                return;
            }
            if i < SPIN_CHECKS {
                for _ in 0..1u32 << i {
                    core::hint::spin_loop();
                }
            } else {
                thread::yield_now();
            }
        }
        while !self.notified.swap(false, Ordering::Acquire) {
            thread::park();
        }
    }
}

std::thread_local! {
    /// One parker per thread, made on first use, so blocking calls allocate nothing in
    /// steady state.
    static PARKER: (Arc<Parker>, Waker) = Parker::new();
    /// Whether this thread is inside `block_on` (a nested call gets its own parker).
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

/// Runs a future to completion on the current thread, blocking it while the future
/// waits. This is the way from plain threads into csp (and how doc examples run).
///
/// # Blocking
/// Do not call it from async code: it blocks the executor's thread.
///
/// # Examples
/// ```
/// use csp_core::{block_on, Chan};
/// use csp_core::buffer::Fixed;
/// let ch: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
/// block_on(ch.put(1)).unwrap();
/// assert_eq!(block_on(ch.get()), Some(1));
/// ```
pub fn block_on<F: Future>(fut: F) -> F::Output {
    #[cfg(loom)]
    {
        loom::future::block_on(fut)
    }
    #[cfg(not(loom))]
    {
        let nested = BUSY.with(|b| b.replace(true));
        struct Reset(bool);
        impl Drop for Reset {
            fn drop(&mut self) {
                BUSY.with(|b| b.set(self.0));
            }
        }
        let _reset = Reset(nested);
        if nested {
            let (parker, waker) = Parker::new();
            run(fut, &parker, &waker)
        } else {
            PARKER.with(|(parker, waker)| run(fut, parker, waker))
        }
    }
}

/// Whether this thread is inside [`block_on`]: a thread that has nothing else to run and
/// whose partners are usually threads too, on cores it may share with them, so a hot
/// lock does not make it back off (see [`SpinLock`](crate::lock::SpinLock)).
#[cfg(not(loom))]
#[inline]
pub(crate) fn in_block_on() -> bool {
    BUSY.with(|b| b.get())
}

#[cfg(not(loom))]
fn run<F: Future>(fut: F, parker: &Parker, waker: &Waker) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(waker);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        parker.wait();
    }
}

impl<T, B: Buffer<T>, L: RawLock> Chan<T, B, L> {
    /// [`put`](Chan::put), blocking the thread until it completes (feature `std`).
    ///
    /// # Blocking
    /// Call it from plain threads, not from async code.
    ///
    /// # Examples
    /// ```
    /// use csp_core::Chan;
    /// let ch: Chan<u32> = Chan::new();
    /// std::thread::scope(|s| {
    ///     s.spawn(|| ch.put_blocking(7).unwrap());
    ///     assert_eq!(ch.get_blocking(), Some(7));
    /// });
    /// ```
    pub fn put_blocking(&self, value: T) -> Result<(), Closed<T>> {
        let mut value = value;
        // A buffered channel: retry a little before queueing. The getter is usually
        // about to make room, and a put that never queues costs the getter no wake-up.
        // A retry takes the lock eagerly, as every wait of a blocking call does (see
        // `SpinLock`), unless the buffer has slack (see `Locking::Retry`).
        for step in 0..if unbuffered::<T, B>() { 0 } else { TRY_SPINS } {
            match self.try_put_by(value, Locking::Retry) {
                Ok(()) => return Ok(()),
                Err(TryPutError::Closed(v)) => return Err(Closed(v)),
                Err(TryPutError::Full(v)) => value = v,
            }
            backoff(step);
        }
        block_on(self.put(value))
    }

    /// [`get`](Chan::get), blocking the thread until it completes (feature `std`).
    ///
    /// # Blocking
    /// Call it from plain threads, not from async code.
    ///
    /// # Examples
    /// ```
    /// use csp_core::Chan;
    /// let ch: Chan<u32> = Chan::new();
    /// ch.close();
    /// assert_eq!(ch.get_blocking(), None);
    /// ```
    pub fn get_blocking(&self) -> Option<T> {
        // A buffered channel: retry a little before queueing (see `put_blocking`); a
        // retry waits politely for a held lock if the buffer has slack.
        for step in 0..if unbuffered::<T, B>() { 0 } else { TRY_SPINS } {
            match self.try_get_by(Locking::Retry) {
                Ok(v) => return Some(v),
                Err(TryGetError::Closed) => return None,
                Err(TryGetError::Empty) => {}
            }
            backoff(step);
        }
        block_on(self.get())
    }
}
