//! How long a cache line takes to go to the other core and back: two threads pass a
//! counter back and forth through one atomic. Prints the median nanoseconds per round
//! trip of five rounds of `N` round trips (default 100 000): `core_latency [N]`.
//!
//! On a virtual machine this depends on where the host placed the virtual CPUs: on this
//! project's 2-vCPU machines it reads about 65 ns or about 345 ns, and moves between
//! the two over minutes. `benches/scripts/placement.sh` runs it around benchmark cells
//! to sort their timings by placement (`docs/benchmarks.md`, "The cell is bimodal").
//! On Linux the two threads are pinned to CPUs 0 and 1. With another busy process the
//! numbers mean nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// A counter on a cache line of its own.
#[repr(align(128))]
struct Line(AtomicU64);

/// Keeps the calling thread on CPU `cpu` (Linux; elsewhere a no-op).
fn pin(cpu: usize) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `set` is a plain bit set that `CPU_ZERO`/`CPU_SET` initialise, and
        // `sched_setaffinity` only reads it; pid 0 is the calling thread.
        let ok = unsafe {
            let mut set: libc::cpu_set_t = core::mem::zeroed();
            libc::CPU_ZERO(&mut set);
            libc::CPU_SET(cpu, &mut set);
            libc::sched_setaffinity(0, core::mem::size_of::<libc::cpu_set_t>(), &set) == 0
        };
        if !ok {
            eprintln!("core_latency: could not pin a thread to CPU {cpu}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cpu;
}

/// Nanoseconds per round trip over `n` round trips.
fn round_trips(n: u64) -> f64 {
    let line = Arc::new(Line(AtomicU64::new(0)));
    let other = {
        let line = line.clone();
        std::thread::spawn(move || {
            pin(1);
            for i in 0..n {
                while line.0.load(Ordering::Acquire) != 2 * i + 1 {
                    std::hint::spin_loop();
                }
                line.0.store(2 * i + 2, Ordering::Release);
            }
        })
    };
    pin(0);
    let start = Instant::now();
    for i in 0..n {
        line.0.store(2 * i + 1, Ordering::Release);
        while line.0.load(Ordering::Acquire) != 2 * i + 2 {
            std::hint::spin_loop();
        }
    }
    let ns = start.elapsed().as_nanos() as f64 / n as f64;
    other.join().expect("the other thread panicked");
    ns
}

fn main() {
    let n: u64 = match std::env::args().nth(1) {
        Some(a) => a.parse().unwrap_or_else(|_| {
            eprintln!("usage: core_latency [N]");
            std::process::exit(2)
        }),
        None => 100_000,
    };
    let mut v: Vec<f64> = (0..5).map(|_| round_trips(n)).collect();
    v.sort_by(f64::total_cmp);
    println!("{:.1}", v[2]);
}
