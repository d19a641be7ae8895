//! [smol](https://github.com/smol-rs/smol) adapter for csp channels: spawn tasks, run a main future,
//! yield, and make channels that speak time.
//!
#![doc = include_str!("../README.md")]
//!
//! # What each function does
//! | function | behaviour |
//! |---|---|
//! | [`go`] | spawn a task; awaiting the returned [`Task`] gives its result |
//! | [`run`] | run a future on a fresh runtime on this thread, then cancel leftovers |
//! | [`run_in_thread`] | the same on a new thread; returns a [`ThreadTask`] |
//! | [`nop`] | yield to the scheduler once |
//! | [`sleep`] | wait for a duration |
//! | [`timeout`] | a channel that closes itself after a duration |
//! | [`after`] | a channel that yields one [`Instant`](std::time::Instant) after a duration |
//! | [`tick_tock`], [`tick_tock_at`] | a channel yielding `(n, Instant)` every period, `n` from 1 |
//! | [`spawn_blocking`] | run a blocking closure on smol's blocking pool |
//!
//! # How `run` cancels leftovers
//! [`run`] makes a fresh `smol::Executor`, installs it as this thread's current
//! executor (so [`go`] spawns on it), and drives it together with the main future with
//! `smol::block_on`. When the main future returns, the executor is dropped, which drops
//! every task still alive (their futures are dropped, and any value a cancelled put was
//! holding is dropped with it, never delivered). Closures started by [`spawn_blocking`]
//! cannot be interrupted: they run to completion in the background.
//!
//! Outside `run`, [`go`] and the time channels use smol's global executor.

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

mod task;
mod thread;
mod time;

pub use task::{go, nop, spawn_blocking, Task};
pub use thread::{run, run_in_thread, ThreadTask};
pub use time::{after, sleep, tick_tock, tick_tock_at, timeout, After, Ticks, Timeout};
