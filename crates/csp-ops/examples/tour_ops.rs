//! csp-ops on its own, without the `csp` facade: the two forms of a combinator side by
//! side, on smol.
//!
//! The aiochan tutorial's later sections (functional operators, channel combinations,
//! parallelism, back to plain code) run in the workspace's main tour, on every runtime:
//! `cargo run --release --example tour` at the workspace root, told in
//! `docs/tutorial.md`. This example only shows how the crate is used directly.
//!
//! Run with `cargo run -p csp-ops --example tour_ops --features smol`.

use std::sync::Arc;

use csp_core::Chan;
use csp_ops::{collect, from_range, group, ChanExt, Options, Smol};

fn main() {
    smol::block_on(async {
        // The method form: each call spawns its driver on smol and returns the output.
        let numbers = Arc::new(Chan::new());
        let src = Arc::clone(&numbers);
        smol::spawn(async move {
            let _ = from_range(0u64, Some(20), 1, &*src, Options::new()).await;
        })
        .detach();
        let odd_squares = numbers.filter(&Smol, |x| x % 2 == 1).map(&Smol, |x| x * x);

        // The driver form: borrow the channels and await the driver where you are.
        let batches = Chan::fixed(4);
        group(&*odd_squares, &batches, 3, Options::new())
            .await
            .expect("nobody closes `batches` early");
        for batch in collect(&batches, None).await {
            println!("{batch:?}"); // [1, 9, 25] [49, 81, 121] [169, 225, 289] [361]
        }
    });
}
