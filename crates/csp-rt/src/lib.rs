//! Runtime-independent support for the csp runtime adapters.
//!
//! The adapters (`csp-tokio`, `csp-smol`, `csp-async-std`) each offer `run_in_thread`
//! and the timer channels `timeout`, `after` and `tick_tock`. What those need from a
//! runtime is small — a way to run a future on a fresh thread, a way to sleep until an
//! instant, a way to spawn — so the logic lives here once: [`ThreadTask`] and
//! [`spawn_thread`], and the [`timeout`], [`after`] and [`tick_tock_at`] drivers, which
//! return the channel together with the future that feeds it; the adapter spawns that
//! future on its runtime. [`enter`] and [`current`] keep the per-thread "current
//! executor" that the smol and async-std adapters' `run` installs for `go`.
//!
//! ```
//! use std::time::{Duration, Instant};
//! let (ch, drive) = csp_rt::timeout(Instant::now(), |_| async {});
//! csp_core::block_on(drive);
//! assert!(ch.is_closed());
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

mod current;
mod thread;
mod time;

pub use current::{current, enter, Enter};
pub use thread::{spawn_thread, ThreadTask};
pub use time::{after, tick_tock_at, timeout, After, Ticks, Timeout};
