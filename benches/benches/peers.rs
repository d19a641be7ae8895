//! `cargo bench -p csp-benches --bench peers [-- OPTIONS]`: every peer in one process.
//!
//! Repetitions are interleaved across the cells of one (workload, capacity) group, so
//! drift of the machine hits all peers alike; each cell reports the median of the reps.
//!
//! Options (also after `--`):
//! - `--quick` (or `CSP_BENCH_QUICK=1`): 20k messages per cell instead of 1M.
//! - `--n N` (or `CSP_BENCH_N=N`): N messages per cell (ping-pong: N/5 round trips).
//! - `--n-buffered N`: N messages per cell of capacity 1024 instead (default: as
//!   `--n`). For the plain-thread run, whose rendezvous cells take crossbeam ~20 µs
//!   per message: `--n 200000 --n-buffered 1000000` keeps those short while the
//!   buffered cells, 8–60 ns per message, run long enough to leave their start behind
//!   (at 200 000 messages their start, threads filling the buffer and parking, moved
//!   csp's mpsc4x1/1024 from 20–24 to 23–38 ns).
//! - `--reps R`: repetitions per cell (default 5).
//! - `--filter TERMS`: comma-separated terms that must all occur in a cell's name,
//!   `"<workload> cap=<cap> <runtime> <peer>"`, e.g. `--filter "select2,tokio-ct"`.
//! - `--skip TERMS`: leave out the cells whose name contains any of these terms.
//! - `--timeout S`: if one run takes longer than S seconds (default 600, 60 with
//!   `--quick`), write what was measured so far, name the cell, and exit 3 (a hang).
//!
//! Before each repetition of a group it probes where the host placed the CPUs
//! (`csp_benches::probe`; a few milliseconds), and reports the median beside the
//! group's timings (the CSV's `core_latency_ns`, a line under the markdown tables).
//!
//! Writes `benches/out/peers.csv` and `benches/out/peers.md`.

use csp_benches::report::{self, Summary};
use csp_benches::{probe, run_cell};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Round trips per placement probe: 1.3–7 ms at 65–345 ns each.
const PROBE_ROUND_TRIPS: u64 = 20_000;

struct Opts {
    n: u64,
    n_buffered: Option<u64>,
    reps: usize,
    filter: Vec<String>,
    skip: Vec<String>,
    timeout: Option<u64>,
}

fn terms(s: String) -> Vec<String> {
    s.split(',')
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

fn opts() -> Opts {
    let mut o = Opts {
        n: 1_000_000,
        n_buffered: None,
        reps: 5,
        filter: Vec::new(),
        skip: Vec::new(),
        timeout: None,
    };
    if std::env::var("CSP_BENCH_QUICK").is_ok_and(|v| v != "0") {
        o.n = 20_000;
    }
    if let Some(n) = std::env::var("CSP_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        o.n = n;
    }
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| {
            args.next()
                .unwrap_or_else(|| panic!("{name} needs a value"))
        };
        match a.as_str() {
            "--quick" => o.n = 20_000,
            "--n" => o.n = val("--n").parse().expect("--n N"),
            "--n-buffered" => {
                o.n_buffered = Some(val("--n-buffered").parse().expect("--n-buffered N"));
            }
            "--reps" => o.reps = val("--reps").parse().expect("--reps R"),
            "--timeout" => o.timeout = Some(val("--timeout").parse().expect("--timeout S")),
            "--filter" => o.filter = terms(val("--filter")),
            "--skip" => o.skip = terms(val("--skip")),
            _ => {} // cargo passes --bench; libtest options do not apply
        }
    }
    o
}

fn write_outputs(results: &[Summary]) {
    let md = report::markdown(results);
    println!("{md}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("out");
    std::fs::create_dir_all(&dir).expect("create benches/out");
    std::fs::write(dir.join("peers.csv"), report::csv(results)).expect("write peers.csv");
    std::fs::write(dir.join("peers.md"), md).expect("write peers.md");
    eprintln!("wrote {}", dir.join("peers.csv").display());
}

fn main() {
    let o = opts();
    let timeout = o.timeout.unwrap_or(if o.n <= 100_000 { 60 } else { 600 });
    let started = Arc::new(AtomicU64::new(0));
    let current = Arc::new(Mutex::new(String::new()));
    let results: Arc<Mutex<Vec<Summary>>> = Arc::default();
    let epoch = Instant::now();
    {
        let (started, current, results) = (started.clone(), current.clone(), results.clone());
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_secs(1));
            let s = started.load(Ordering::Relaxed);
            if s != 0 && epoch.elapsed().as_secs().saturating_sub(s) > timeout {
                let cell = current.lock().unwrap().clone();
                eprintln!(
                    "peers: {cell} ran longer than {timeout} s: a hang; writing what was measured"
                );
                write_outputs(&results.lock().unwrap());
                std::process::exit(3);
            }
        });
    }

    for group in report::groups() {
        let cells: Vec<_> = group
            .into_iter()
            .filter(|c| {
                let name = c.to_string();
                o.filter.iter().all(|t| name.contains(t.as_str()))
                    && !o.skip.iter().any(|t| name.contains(t.as_str()))
            })
            .collect();
        if cells.is_empty() {
            continue;
        }
        let mut runs = vec![Vec::new(); cells.len()];
        let mut probes = Vec::with_capacity(o.reps);
        for rep in 0..o.reps {
            // Where the host has the CPUs now (a few ms): see `probe`.
            probes.push(probe::core_latency_ns(PROBE_ROUND_TRIPS));
            // Rotate the order each rep so no peer always runs first.
            for k in 0..cells.len() {
                let i = (k + rep) % cells.len();
                *current.lock().unwrap() = cells[i].to_string();
                started.store(epoch.elapsed().as_secs().max(1), Ordering::Relaxed);
                let n = match o.n_buffered {
                    Some(n) if cells[i].cap >= 1024 => n,
                    _ => o.n,
                };
                let m = run_cell(cells[i], n).expect("only applicable cells are listed");
                started.store(0, Ordering::Relaxed);
                runs[i].push(m);
            }
        }
        let probe_ns = report::median(probes);
        for (cell, runs) in cells.iter().zip(&runs) {
            let mut s = Summary::of(*cell, runs);
            s.core_latency_ns = Some(probe_ns);
            eprintln!(
                "{:<40} {:>9.1} ns/msg {:>7.3} allocs/msg lost {} dup {} (probe {:.0} ns)",
                cell.to_string(),
                s.ns_per_msg,
                s.allocs_per_msg,
                s.lost,
                s.duplicated,
                probe_ns
            );
            results.lock().unwrap().push(s);
        }
    }
    write_outputs(&results.lock().unwrap());
}
