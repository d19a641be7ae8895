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
//! # Features
//! - `std` (default): blocking operations and `block_on` (see [`csp_core`]).
//! - `alloc`: buffers with a run-time capacity.
//! - `sink`: `futures_sink::Sink` for puts.
//! - `tokio` (default), `smol`, `async-std`: the runtime adapters above; each implies
//!   `std`. With default features off, csp is `no_std` and needs no allocator.

#![no_std]

pub use csp_core::*;

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
