//! Combinators for [csp](https://docs.rs/csp) channels: every operator of aiochan
//! (map, filter, group, merge, zip, dup, pub, parallel pipes, …) plus core.async's
//! `mix` and `split`, for any executor.
//!
//! Each combinator is a **driver**: a plain future that moves values from its input
//! channel(s) to its output channel(s) until the input ends. Run it on any executor —
//! spawn it, join it with other futures, or `block_on` it in a test:
//!
//! ```
//! use csp_core::Chan;
//! use csp_ops::{collect, filter, map, Options};
//!
//! # csp_core::block_on(async {
//! let (numbers, evens, squares) = (Chan::fixed(8), Chan::fixed(8), Chan::fixed(8));
//! for i in 0..6 { numbers.try_put(i).unwrap(); }
//! numbers.close();
//! filter(&numbers, &evens, |x| x % 2 == 0, Options::new()).await.unwrap();
//! map(&evens, &squares, |x| x * x, Options::new()).await.unwrap();
//! assert_eq!(collect(&squares, None).await, [0, 4, 16]);
//! # });
//! ```
//!
//! With a [`Spawn`] implementation (features `tokio`, `async-std`, `smol`), the
//! [`ChanExt`] extension trait gives aiochan's short form, `ch.map(&spawner, f)`, which
//! creates the output channel and spawns the driver.
//!
//! # Inputs, outputs and options
//! Drivers borrow their channels (`&Chan<T, B, L>`, any buffer and lock), so channels
//! can be `static`, locals, or in an `Arc`. [`Options`] follows aiochan's `close=`:
//! by default a driver closes its output(s) when its input is closed and drained.
//!
//! **When an output is closed**, the driver stops and returns `Err(Closed(v))` with the
//! value it could not deliver: nothing is dropped silently. Values not yet taken stay in
//! the input. Drivers that feed several outputs (`distribute`, `Dup`, `Pub`) instead
//! drop the closed output and carry on with the others.
//!
//! A put that was already waiting when its output was closed is withdrawn (and its
//! value returned) the next time the driver is polled — and closing a channel wakes
//! each of its waiting putters once, so that happens at once: a consumer that leaves
//! only has to close its channel. With [`Dup`] and [`Pub`], [`Dup::untap`] /
//! [`Pub::unsub`] also end a waiting put at once.
//!
//! **When a user function panics**, the panic goes on unwinding through the driver, and
//! the driver closes its outputs on the way out (even with `keep_open`), so the tasks
//! downstream see the end rather than waiting for ever. The input is left as it is.
//!
//! # Which combinators allocate
//! - No allocation (`#![no_std]` without `alloc`, usable on firmware): [`map`],
//!   [`flat_map`], [`filter`], [`take`], [`skip`], [`take_while`], [`skip_while`],
//!   [`distinct`], [`reduce`], [`scan`], [`split`], [`zip2`], [`pipe`], [`async_apply`],
//!   [`from_iter`], [`from_range`].
//! - Feature `alloc`: [`group`], [`group_by`], [`collect`] (they build `Vec`s),
//!   [`merge`], [`zip`], [`combine_latest`], [`distribute`] (a select over a run-time
//!   number of channels), [`async_pipe`], [`async_pipe_unordered`] (a queue of futures),
//!   the registries of [`Dup`], [`Pub`] and [`Mix`], and the detached puts
//!   [`put_detached`] and [`add`] (aiochan's `put_nowait` with a callback and `add`:
//!   puts queued at once and driven by their own wakers, with no task or executor).
//! - Feature `std`: [`to_iterable`], and [`parallel_pipe`] and friends (with a
//!   [`Spawn`]er).
//!
//! # Features
//! - `std` (default): blocking iteration, panic-aware closing; implies `alloc`.
//! - `alloc`: the combinators listed above.
//! - `tokio`, `async-std`, `smol`: a [`Spawn`] implementation for that runtime
//!   (`Tokio`, `AsyncStd`, `Smol`). async-std is discontinued upstream (its
//!   authors point to smol); the implementation is kept for the users who remain.

#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs, missing_debug_implementations)]
#![deny(
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks,
    clippy::missing_safety_doc
)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

mod options;
mod source;
mod transform;

#[cfg(feature = "alloc")]
mod batch;

pub use options::Options;
pub use source::{from_iter, from_range};
pub use transform::{
    async_apply, distinct, filter, flat_map, map, pipe, reduce, scan, skip, skip_while, split,
    take, take_while, zip2,
};

#[cfg(feature = "alloc")]
pub use batch::{collect, group, group_by};

#[cfg(feature = "alloc")]
mod combine;
#[cfg(feature = "std")]
mod iter;
#[cfg(feature = "alloc")]
mod parallel;
#[cfg(feature = "alloc")]
mod pipeline;
#[cfg(feature = "alloc")]
mod spawn;

#[cfg(feature = "alloc")]
pub use combine::{combine_latest, distribute, merge, zip};
#[cfg(feature = "std")]
pub use iter::{to_iterable, BlockingIter};
#[cfg(feature = "alloc")]
pub use parallel::{
    parallel_pipe, parallel_pipe_flat, parallel_pipe_unordered, parallel_pipe_unordered_flat,
};
#[cfg(feature = "alloc")]
pub use pipeline::{async_pipe, async_pipe_unordered};
#[cfg(feature = "async-std")]
pub use spawn::AsyncStd;
#[cfg(feature = "smol")]
pub use spawn::Smol;
#[cfg(feature = "tokio")]
pub use spawn::Tokio;
#[cfg(feature = "alloc")]
pub use spawn::{BoxFuture, Spawn};

#[cfg(feature = "alloc")]
mod broadcast;
#[cfg(feature = "alloc")]
mod detached;
#[cfg(feature = "alloc")]
mod ext;
#[cfg(feature = "alloc")]
mod mix;
#[cfg(feature = "alloc")]
mod sync;

#[cfg(feature = "alloc")]
pub use broadcast::{Dup, Pub};
#[cfg(feature = "alloc")]
pub use detached::{add, put_detached};
#[cfg(feature = "alloc")]
pub use ext::ChanExt;
#[cfg(feature = "alloc")]
pub use mix::{Mix, Mode, SoloMode};
