//! How long a cache line takes to go to the other CPU and back
//! ([`csp_benches::probe::core_latency_ns`]): `core_latency [N]` prints the median
//! nanoseconds per round trip of five rounds of `N` round trips (default 100 000).
//!
//! On this project's 2-vCPU machines it reads about 65 ns or about 345 ns, depending on
//! where the host placed the vCPUs, and moves between the two over minutes.
//! `benches/scripts/placement.sh` runs it around benchmark cells to sort their timings
//! by placement (`docs/benchmarks.md`, "The cell is bimodal"). Run it on an otherwise
//! idle machine.

use csp_benches::probe::core_latency_ns;
use csp_benches::report::median;

fn main() {
    let n: u64 = match std::env::args().nth(1) {
        Some(a) => a.parse().unwrap_or_else(|_| {
            eprintln!("usage: core_latency [N]");
            std::process::exit(2)
        }),
        None => 100_000,
    };
    println!(
        "{:.1}",
        median((0..5).map(|_| core_latency_ns(n)).collect())
    );
}
