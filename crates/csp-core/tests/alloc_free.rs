//! Zero heap allocations per put, get and select in steady state.

#![cfg(not(loom))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use csp_core::buffer::Fixed;
use csp_core::{block_on, select, Chan};

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

std::thread_local! {
    /// Whether allocations on this thread count: only the threads doing channel
    /// operations count, after their warm-up (so the test harness's own threads,
    /// which may allocate at any time, do not).
    static COUNTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

// SAFETY: forwards to the system allocator, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(|c| c.get()) {
            ALLOCS.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: forwarded contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn steady_state_operations_allocate_nothing() {
    static R: Chan<u64> = Chan::new();
    static F: Chan<u64, Fixed<u64, 16>> = Chan::with_buffer(Fixed::new());
    let n = if cfg!(miri) { 50 } else { 5000 };
    std::thread::scope(|s| {
        // Warm up: the thread-local parker of each thread is made once.
        s.spawn(|| {
            R.put_blocking(0).unwrap();
            COUNTING.with(|c| c.set(true));
            for i in 0..n {
                R.put_blocking(i).unwrap();
                F.put_blocking(i).unwrap();
                block_on(async {
                    select! {
                        r = F.put(i) => r.unwrap(),
                        r = R.put(i) => r.unwrap(),
                    }
                });
            }
            R.close();
            F.close();
            COUNTING.with(|c| c.set(false));
        });
        assert_eq!(R.get_blocking(), Some(0));
        COUNTING.with(|c| c.set(true));
        let mut got = 0;
        loop {
            let done = block_on(async {
                select! {
                    v = R.get() => v.is_none(),
                    v = F.get() => v.is_none() && R.is_closed() && R.try_get().is_err(),
                }
            });
            if done {
                break;
            }
            got += 1;
        }
        while F.try_get().is_ok() {
            got += 1;
        }
        COUNTING.with(|c| c.set(false));
        assert!(got >= 2 * n, "received {got}");
        assert_eq!(
            ALLOCS.load(Ordering::SeqCst),
            0,
            "allocations during {got} operations"
        );
    });
}
