//! csp: CSP-style channels and atomic select for Rust.
//!
//! This facade re-exports [`csp_core`]: channels that are rendezvous points or buffers,
//! and `select!`, which completes exactly one of several puts and gets. Runtime
//! adapters join behind features; combinators follow as they land.
//!
//! ```
//! use csp::{select, Chan};
//! use csp::buffer::Fixed;
//!
//! # csp::block_on(async {
//! let ch: Chan<&str, Fixed<&str, 1>> = Chan::with_buffer(Fixed::new());
//! ch.put("hello").await.unwrap();
//! assert_eq!(ch.get().await, Some("hello"));
//! # });
//! ```
//!
//! # Runtimes
//! Each adapter offers the same functions: `go` (spawn), `run` (run a main future on a
//! fresh runtime on this thread, then cancel what it left running), `run_in_thread`,
//! `nop` (yield once), `sleep`, `timeout`, `after`, `tick_tock` (channels that speak
//! time) and `spawn_blocking` (the bridge to blocking code).
//!
//! | feature | module | crate |
//! |---|---|---|
//! | `tokio` (default) | [`csp::tokio`](crate::tokio) | `csp-tokio` |
//! | `smol` | `csp::smol` | `csp-smol` |
//! | `async-std` | `csp::async_std` | `csp-async-std` (async-std is discontinued upstream; prefer smol) |
//!
#![cfg_attr(feature = "tokio", doc = "```")]
#![cfg_attr(not(feature = "tokio"), doc = "```ignore")]
//! use std::sync::Arc;
//! use csp::Chan;
//! use csp::tokio::{go, run};
//!
//! let got = run(async {
//!     let ch = Arc::new(Chan::<&str>::new());
//!     let tx = ch.clone();
//!     go(async move { tx.put("ping").await });
//!     ch.get().await
//! });
//! assert_eq!(got, Some("ping"));
//! ```
//!
//! # Combinators
//! With the `ops` feature (default), [`csp::ops`](crate::ops) holds every aiochan
//! combinator — map, filter, group, merge, zip, distribute, `Dup`, `Pub`, `Mix`, the
//! async and parallel pipes — as runtime-agnostic driver futures, plus a `ChanExt`
//! that spawns them on a runtime's `Spawn`.
//!
//! # Features
//! - `std` (default): blocking operations and `block_on` (see [`csp_core`]).
//! - `alloc`: buffers with a run-time capacity.
//! - `sink`: `futures_sink::Sink` for puts.
//! - `ops` (default): the combinators (`csp::ops`).
//! - `tokio` (default), `smol`, `async-std`: the runtime adapters above; each implies
//!   `std`, and gives `csp::ops` that runtime's `Spawn`.
//! - `critical-section`: an interrupt-safe default lock for single-core firmware.
//!
//! With default features off, csp is `no_std` and needs no allocator.

#![no_std]

pub use csp_core::*;

/// The combinators ([`csp_ops`]): `csp::ops::{map, merge, Dup, ...}`.
#[cfg(feature = "ops")]
pub use csp_ops as ops;

/// The tokio adapter ([`csp_tokio`]): `csp::tokio::{go, run, timeout, ...}`.
#[cfg(feature = "tokio")]
pub use csp_tokio as tokio;

/// The smol adapter ([`csp_smol`]): `csp::smol::{go, run, timeout, ...}`.
#[cfg(feature = "smol")]
pub use csp_smol as smol;

/// The async-std adapter ([`csp_async_std`]): `csp::async_std::{go, run, timeout, ...}`.
///
/// async-std is discontinued upstream (its authors point to smol); prefer
/// [`csp::smol`](https://docs.rs/csp-smol) for new code.
#[cfg(feature = "async-std")]
pub use csp_async_std as async_std;
