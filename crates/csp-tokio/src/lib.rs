//! [Tokio](https://tokio.rs) adapter for csp channels: spawn tasks, run a main future,
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
//! | [`spawn_blocking`] | run a blocking closure on tokio's blocking pool |
//!
//! # How `run` cancels leftovers
//! [`run`] builds a current-thread runtime, drives the main future with
//! `Runtime::block_on`, then shuts the runtime down. Shutting down drops every task
//! still alive (so their futures are dropped, and any value a cancelled put was holding
//! is dropped with it, never delivered). Closures started by [`spawn_blocking`] cannot
//! be interrupted: they run to completion in the background, `run` does not wait.

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

mod task;
mod thread;
mod time;

pub use task::{go, nop, spawn_blocking, Task};
pub use thread::{run, run_in_thread, ThreadTask};
pub use time::{after, sleep, tick_tock, tick_tock_at, timeout, After, Ticks, Timeout};
