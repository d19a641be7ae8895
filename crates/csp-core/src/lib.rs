//! CSP channels with atomic select: the `no_std`, allocation-free core of
//! [csp](https://docs.rs/csp).
//!
//! A [`Chan`] is a meeting point where puts hand values to gets. It is a rendezvous
//! by default; a [buffer] lets puts run ahead ([`Fixed`](buffer::Fixed)) or never
//! wait at all ([`Dropping`](buffer::Dropping), [`Sliding`](buffer::Sliding),
//! [`Promise`](buffer::Promise)). [`select!`] completes **exactly one** of several puts
//! and gets, on channels of different types.
//!
//! ```
//! use csp_core::{select, Chan};
//! use csp_core::buffer::Fixed;
//!
//! static JOBS: Chan<u32, Fixed<u32, 8>> = Chan::with_buffer(Fixed::new());
//! static STOP: Chan<()> = Chan::new();
//!
//! # csp_core::block_on(async {
//! JOBS.put(1).await.unwrap();
//! JOBS.put(2).await.unwrap();
//! STOP.close();
//! let mut done = 0;
//! loop {
//!     select! {
//!         biased;
//!         Some(job) = JOBS.get() => done += job,
//!         _ = STOP.get() => break,
//!     }
//! }
//! assert_eq!(done, 3);
//! # });
//! ```
//!
//! # Goals
//! - **Exactly once.** Every value put is received by exactly one get, stays in the
//!   channel, or is given back — also when any future is dropped at any moment.
//! - **Atomic select** over mixed puts and gets; a losing put delivers nothing.
//! - **No allocator, no runtime.** `#![no_std]` without `alloc`; a waiting operation's
//!   queue entry lives inside its own future; channels can be `static`. Only
//!   `core::task::Waker` is used, so any executor works.
//!
//! Non-goals: owned sender/receiver handles with counting (share a `Chan` by reference,
//! `static` or `Arc`), and unbounded buffers.
//!
//! # Closing
//! [`Chan::close`] is idempotent. New puts fail and return their value; puts already
//! waiting still deliver; gets return `None` once the channel is closed and drained.
//!
//! # Features
//! - `std` (default): blocking [`Chan::put_blocking`], [`Chan::get_blocking`],
//!   [`block_on`], [`select_blocking!`]; implies `alloc`.
//! - `alloc`: buffers with a run-time capacity ([`Chan::fixed`] and friends).
//! - `sink`: `futures_sink::Sink` for puts (`PutSink`).
//! - `critical-section`: makes the default lock a critical section, for firmware whose
//!   interrupt handlers use channels. Without it the default lock is a spin lock, which
//!   deadlocks if an interrupt handler takes it while the interrupted code holds it.
//!
//! The design and its invariants are described in `docs/design.md`.

#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs, missing_debug_implementations)]
#![deny(
    unsafe_op_in_unsafe_fn,
    clippy::undocumented_unsafe_blocks,
    clippy::missing_safety_doc
)]

#[cfg(feature = "std")]
extern crate std;

pub mod buffer;
mod chan;
mod drained;
mod error;
mod list;
pub mod lock;
mod ops;
mod select;
mod select_macro;
mod state;
mod sync;
mod waiter;
mod wake;

#[cfg(feature = "std")]
mod blocking;
#[cfg(feature = "sink")]
mod sink;

pub use chan::{Chan, Flow, Stats};
pub use drained::Drained;
pub use error::{Closed, TryGetError, TryPutError};
pub use ops::{Get, GetStream, Put};
pub use select::{pin_index, select_slice, Arm, ArmCx, ArmLock, ArmSet, RawArm, Select, DEFAULT};
pub use state::HAND_OVER_SLOTS;
pub use waiter::Selector;
pub use wake::WakeList;

#[cfg(feature = "std")]
pub use blocking::block_on;
#[cfg(feature = "sink")]
pub use sink::PutSink;

/// Support for the macros; not public API.
#[doc(hidden)]
pub mod internal {
    pub use crate::select::Select;
    use core::pin::Pin;

    use crate::buffer::Buffer;
    use crate::lock::RawLock;
    pub use crate::ops::{GetOp, PutOp};
    use crate::{Get, Put};
    use core::cell::Cell;

    /// An arm expression on its way into a `select!`. The macro calls
    /// `(&&ArmExpr::new(e)).select_arm()`: method resolution tries `&&ArmExpr<_>` first,
    /// where only a [`Get`] or a [`Put`] matches ([`IntoOpArm`]: the future becomes its
    /// op, and the select's selector serves it), and then `&ArmExpr<A>` for any other
    /// arm ([`IntoArm`]: used as it is).
    pub struct ArmExpr<A>(Cell<Option<A>>);

    impl<A> core::fmt::Debug for ArmExpr<A> {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.debug_struct("ArmExpr").finish_non_exhaustive()
        }
    }

    impl<A> ArmExpr<A> {
        #[inline(always)]
        pub fn new(a: A) -> Self {
            ArmExpr(Cell::new(Some(a)))
        }
        #[inline(always)]
        fn take(&self) -> A {
            match self.0.take() {
                Some(a) => a,
                None => unreachable!("csp::select!: an arm expression is used once"),
            }
        }
    }

    /// A `Get` or `Put` arm, run as its op.
    pub trait IntoOpArm {
        type Arm: crate::Arm;
        fn select_arm(&self) -> Self::Arm;
    }

    impl<'a, T, B: Buffer<T>, L: RawLock> IntoOpArm for &ArmExpr<Get<'a, T, B, L>> {
        type Arm = GetOp<'a, T, B, L>;
        #[inline(always)]
        fn select_arm(&self) -> Self::Arm {
            self.take().into_op()
        }
    }

    impl<'a, T, B: Buffer<T>, L: RawLock> IntoOpArm for &ArmExpr<Put<'a, T, B, L>> {
        type Arm = PutOp<'a, T, B, L>;
        #[inline(always)]
        fn select_arm(&self) -> Self::Arm {
            self.take().into_op()
        }
    }

    /// Any other arm, used as it is.
    pub trait IntoArm {
        type Arm: crate::Arm;
        fn select_arm(&self) -> Self::Arm;
    }

    impl<A: crate::Arm> IntoArm for ArmExpr<A> {
        type Arm = A;
        #[inline(always)]
        fn select_arm(&self) -> A {
            self.take()
        }
    }

    /// The winning arm's result.
    #[inline(always)]
    pub fn output<A: crate::Arm + ?Sized>(a: Option<Pin<&mut A>>) -> A::Output {
        match a {
            Some(a) => a.take_output(),
            None => unreachable!("csp::select!: a disabled arm cannot win"),
        }
    }
}
