//! Test support: a waker that counts its wakes, and polling helpers.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// A waker that counts how often it was woken.
#[derive(Default)]
pub struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A counting waker and its counter.
pub fn counting_waker() -> (Arc<Counter>, Waker) {
    let c = Arc::new(Counter::default());
    (c.clone(), Waker::from(c))
}

impl Counter {
    /// Wakes so far.
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Polls once with `waker`.
/// References to a counting waker's counter held outside the test's own two (the `Arc`
/// and the `Waker` of [`counting_waker`]): the clones registered somewhere.
pub fn registered(c: &Arc<Counter>) -> usize {
    Arc::strong_count(c) - 2
}

pub fn poll_with<F: Future + ?Sized>(fut: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(waker))
}

/// Polls once with a no-op waker.
pub fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(Waker::noop()))
}

/// A value that counts its drops, to check every value is dropped exactly once.
#[derive(Debug)]
pub struct Tracked {
    pub id: u64,
    drops: Arc<AtomicUsize>,
}

impl Tracked {
    pub fn new(id: u64, drops: &Arc<AtomicUsize>) -> Self {
        Tracked {
            id,
            drops: drops.clone(),
        }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

/// `can_add`, `can_take`, `len` and `capacity` for a test buffer that wraps another
/// buffer in its field `.0` and changes only `add` and `take` (which it writes itself).
#[allow(unused_macros)] // used by the test crates that define buffers
macro_rules! wrapped_buffer_reads {
    () => {
        fn can_add(&self) -> bool {
            self.0.can_add()
        }
        fn can_take(&self) -> bool {
            self.0.can_take()
        }
        fn len(&self) -> usize {
            self.0.len()
        }
        fn capacity(&self) -> usize {
            self.0.capacity()
        }
    };
}
#[allow(unused_imports)] // used by the test crates that define buffers
pub(crate) use wrapped_buffer_reads;
