//! Where the host placed the CPUs: how long a cache line takes to go from one CPU to
//! another and back.
//!
//! On this project's 2-vCPU machines the round trip reads about 65 ns when the host
//! runs the two vCPUs close together and about 345 ns when it does not, and the
//! placement changes over minutes. Several csp cells on tokio's multi-thread runtime
//! run 1.3–1.9 × slower in the far placement (`docs/benchmarks.md`, "The cell is
//! bimodal"), so the bench probes it before every repetition of a group and reports it
//! beside the timings.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Instant;

/// Round trips above this many nanoseconds mean the far placement.
pub const FAR_NS: f64 = 200.0;

/// A counter on a cache line of its own.
#[repr(align(128))]
struct Line(AtomicU64);

/// Keeps the calling thread on CPU `cpu` (Linux; elsewhere it does nothing). A thread
/// that cannot be pinned runs where the scheduler puts it.
fn pin(cpu: usize) {
    #[cfg(target_os = "linux")]
    // SAFETY: `set` is a plain bit set, zeroed and then filled by `CPU_ZERO` and
    // `CPU_SET`; `sched_setaffinity` only reads it; pid 0 is the calling thread.
    unsafe {
        let mut set: libc::cpu_set_t = core::mem::zeroed();
        libc::CPU_ZERO(&mut set);
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, core::mem::size_of::<libc::cpu_set_t>(), &set);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cpu;
}

/// Nanoseconds per round trip of a cache line between CPU 0 and CPU 1, over
/// `round_trips` trips. Both ends run on threads of their own, pinned (on Linux) to
/// those CPUs, so the calling thread keeps its affinity. Unpinned, both threads may
/// start on one CPU, and the reading is then several times too high. It means nothing
/// while another thread keeps either CPU busy.
///
/// ```
/// let ns = csp_benches::probe::core_latency_ns(1_000);
/// assert!(ns > 0.0);
/// ```
pub fn core_latency_ns(round_trips: u64) -> f64 {
    let line = Arc::new(Line(AtomicU64::new(0)));
    let ready = Arc::new(Barrier::new(2));
    let far_end = {
        let (line, ready) = (line.clone(), ready.clone());
        std::thread::spawn(move || {
            pin(1);
            ready.wait();
            for i in 0..round_trips {
                while line.0.load(Ordering::Acquire) != 2 * i + 1 {
                    std::hint::spin_loop();
                }
                line.0.store(2 * i + 2, Ordering::Release);
            }
        })
    };
    let near_end = std::thread::spawn(move || {
        pin(0);
        ready.wait();
        let start = Instant::now();
        for i in 0..round_trips {
            line.0.store(2 * i + 1, Ordering::Release);
            while line.0.load(Ordering::Acquire) != 2 * i + 2 {
                std::hint::spin_loop();
            }
        }
        start.elapsed().as_nanos() as f64 / round_trips.max(1) as f64
    });
    far_end.join().expect("probe thread panicked");
    near_end.join().expect("probe thread panicked")
}
