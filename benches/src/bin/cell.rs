//! Runs ONE benchmark cell once, for exact instruction counts under valgrind
//! (see `benches/scripts/instr.sh`).
//!
//! `cell PEER WORKLOAD CAP N [RUNTIME]`, e.g. `cell csp spsc 0 100000` (runtime
//! defaults to `tokio-ct`). Prints one line: `messages allocs lost duplicated ns_per_msg`.
//! Exits 1 if the cell lost or duplicated values, 2 on bad arguments.

use csp_benches::{run_cell, Cell, PeerId, Runtime, Workload};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || -> ! {
        eprintln!("usage: cell PEER WORKLOAD CAP N [RUNTIME]");
        std::process::exit(2)
    };
    if args.len() < 4 {
        usage();
    }
    let peer = PeerId::parse(&args[0]).unwrap_or_else(|| usage());
    let workload = Workload::parse(&args[1]).unwrap_or_else(|| usage());
    let cap: usize = args[2].parse().unwrap_or_else(|_| usage());
    let n: u64 = args[3].parse().unwrap_or_else(|_| usage());
    let runtime = match args.get(4) {
        Some(r) => Runtime::parse(r).unwrap_or_else(|| usage()),
        None => Runtime::TokioCurrent,
    };
    let cell = Cell {
        workload,
        cap,
        runtime,
        peer,
    };
    let Some(m) = run_cell(cell, n) else {
        eprintln!("cell: {cell} does not apply");
        std::process::exit(2)
    };
    println!(
        "{} {} {} {} {:.1}",
        m.messages,
        m.allocs,
        m.lost(),
        m.duplicated(),
        m.ns_per_msg()
    );
    if m.lost() + m.duplicated() > 0 {
        std::process::exit(1);
    }
}
