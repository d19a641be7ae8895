//! Between async tasks and plain threads: blocking puts and gets, `spawn_blocking`,
//! and `run_in_thread`.
//!
//! ```text
//! cargo run --release --example back_to_threads
//! ```
//!
//! A plain thread feeds numbers into a channel with `put_blocking`. An event loop
//! started with `run_in_thread` squares them, handing each square to a CPU-heavy step
//! that runs on the blocking pool through `spawn_blocking`, and sends the results
//! back; the main thread reads them with `get_blocking`. Nothing here knows which
//! side of the channel is async.

use std::sync::Arc;

use csp::Chan;
use csp_tokio::{go, run_in_thread, spawn_blocking};

/// Stands in for real CPU-bound work: the number of steps of the Collatz sequence.
fn collatz_steps(mut n: u64) -> u32 {
    let mut steps = 0;
    while n > 1 {
        n = if n % 2 == 0 { n / 2 } else { 3 * n + 1 };
        steps += 1;
    }
    steps
}

fn main() {
    let numbers = Arc::new(Chan::<u64, _>::fixed(4));
    let results = Arc::new(Chan::<(u64, u32)>::new());

    // 1. A plain thread produces, blocking when the buffer is full.
    let feeder = {
        let numbers = numbers.clone();
        std::thread::spawn(move || {
            for n in 1..=10 {
                numbers.put_blocking(n).unwrap();
            }
            numbers.close();
        })
    };

    // 2. An event loop on its own thread: one task per number, each handing its
    //    CPU-heavy step to the blocking pool.
    let event_loop = {
        let (numbers, results) = (numbers.clone(), results.clone());
        run_in_thread(async move {
            let mut workers = Vec::new();
            while let Some(n) = numbers.get().await {
                let results = results.clone();
                workers.push(go(async move {
                    let steps = spawn_blocking(move || collatz_steps(n * n)).await;
                    results.put((n, steps)).await.unwrap();
                }));
            }
            for w in workers {
                w.await;
            }
            results.close();
        })
    };

    // 3. The main thread consumes, blocking until each result arrives.
    let mut got = Vec::new();
    while let Some((n, steps)) = results.get_blocking() {
        got.push((n, steps));
    }
    got.sort_unstable();
    for (n, steps) in &got {
        println!("{n}^2 = {} takes {steps} Collatz steps", n * n);
    }

    feeder.join().unwrap();
    event_loop.join();
    assert_eq!(got.len(), 10);
}
