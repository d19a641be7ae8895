//! csp: CSP-style channels and atomic select for Rust.
//!
//! This facade re-exports [`csp_core`]: channels that are rendezvous points or buffers,
//! and `select!`, which completes exactly one of several puts and gets. Runtime
//! adapters and combinators join behind features as they land.
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

#![no_std]

pub use csp_core::*;
