//! A `futures_sink::Sink` for puts (feature `sink`).
//!
//! # Invariants
//! - `pending` and `selector` are structurally pinned: the unsafe `get_unchecked_mut`
//!   calls never move them out of the pinned sink. `pending` is written only when it is
//!   `None` (`start_send`) or once its put has completed, so its node is in no wait
//!   queue (`drive`); a put still pending is dropped in place with the sink, and its
//!   `Drop` withdraws its node. It is declared before `selector`, so it drops first:
//!   no node points at the selector when the selector goes away.
//! - `selector` waits for one put at a time, and is reset (`Selector::reset`) only after
//!   that put completed and was dropped, when none of its nodes is linked anywhere.
//!   Being an `OwnedSelector`, it drops the waker it holds when the sink goes away.

use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};

use futures_sink::Sink;

use crate::buffer::Buffer;
use crate::chan::Chan;
use crate::error::Closed;
use crate::lock::RawLock;
use crate::ops::PutOp;
use crate::waiter::OwnedSelector;

/// A [`Sink`] that puts each item into a channel, one at a time: an item is accepted
/// by `start_send` and delivered by the next `poll_ready`/`poll_flush`. `poll_close`
/// delivers the last item and then closes the channel.
///
/// Errors are [`Closed`], carrying the item that could not be delivered.
///
/// # Examples
/// ```
/// use core::future::poll_fn;
/// use core::pin::pin;
/// use futures_sink::Sink;
/// use csp_core::{Chan, PutSink};
/// use csp_core::buffer::Fixed;
///
/// # csp_core::block_on(async {
/// let ch: Chan<u8, Fixed<u8, 4>> = Chan::with_buffer(Fixed::new());
/// let mut sink = pin!(PutSink::new(&ch));
/// for v in [1, 2] {
///     poll_fn(|cx| sink.as_mut().poll_ready(cx)).await.unwrap();
///     sink.as_mut().start_send(v).unwrap();
/// }
/// poll_fn(|cx| sink.as_mut().poll_close(cx)).await.unwrap();
/// assert_eq!(ch.try_get(), Ok(1));
/// assert_eq!(ch.try_get(), Ok(2));
/// assert!(ch.is_closed());
/// # });
/// ```
pub struct PutSink<
    'a,
    T,
    B: Buffer<T> = crate::buffer::Rendezvous,
    L: RawLock = crate::lock::DefaultLock,
> {
    chan: &'a Chan<T, B, L>,
    /// The item being delivered. Its node may be linked while it waits, so it is
    /// pinned with the sink; it is replaced only once delivered, and its `Drop`
    /// withdraws it from the queue if the sink goes away first.
    pending: Option<PutOp<'a, T, B, L>>,
    selector: OwnedSelector,
}

impl<'a, T, B: Buffer<T>, L: RawLock> PutSink<'a, T, B, L> {
    /// A sink into `chan`.
    ///
    /// # Examples
    /// ```
    /// use core::future::poll_fn;
    /// use core::pin::pin;
    /// use futures_sink::Sink;
    /// use csp_core::{Chan, PutSink};
    /// use csp_core::buffer::Fixed;
    ///
    /// static CH: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
    /// # csp_core::block_on(async {
    /// let mut sink = pin!(PutSink::new(&CH));
    /// poll_fn(|cx| sink.as_mut().poll_ready(cx)).await.unwrap();
    /// sink.as_mut().start_send(7).unwrap();
    /// poll_fn(|cx| sink.as_mut().poll_flush(cx)).await.unwrap();
    /// assert_eq!(CH.try_get(), Ok(7));
    /// # });
    /// ```
    pub fn new(chan: &'a Chan<T, B, L>) -> Self {
        PutSink {
            chan,
            pending: None,
            selector: OwnedSelector::new(),
        }
    }

    /// Drives the pending item, if any, to delivery.
    fn drive(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Closed<T>>> {
        // SAFETY: `pending` is structurally pinned: it is only replaced once it is in no
        // wait queue (after it completed), and dropped in place.
        let this = unsafe { self.get_unchecked_mut() };
        let Some(op) = this.pending.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        match op.poll_plain(&this.selector, cx) {
            Poll::Ready(out) => {
                this.pending = None;
                // SAFETY: the completed node is in no list.
                unsafe { this.selector.reset() };
                Poll::Ready(out)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T, B: Buffer<T>, L: RawLock> Sink<T> for PutSink<'_, T, B, L> {
    type Error = Closed<T>;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Closed<T>>> {
        self.drive(cx)
    }

    fn start_send(self: Pin<&mut Self>, item: T) -> Result<(), Closed<T>> {
        // SAFETY: we only replace `pending` when it is `None`.
        let this = unsafe { self.get_unchecked_mut() };
        assert!(
            this.pending.is_none(),
            "csp: PutSink::start_send called without poll_ready returning Ready(Ok(()))"
        );
        if this.chan.is_closed() {
            return Err(Closed(item));
        }
        this.pending = Some(PutOp::new(this.chan, item));
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Closed<T>>> {
        self.drive(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Closed<T>>> {
        let out = core::task::ready!(self.as_mut().drive(cx));
        self.chan.close();
        Poll::Ready(out)
    }
}

impl<T, B: Buffer<T>, L: RawLock> fmt::Debug for PutSink<'_, T, B, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PutSink")
            .field("pending", &self.pending.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, feature = "std", not(loom)))]
mod tests {
    use super::PutSink;
    use crate::Chan;
    use core::pin::pin;
    use core::task::{Context, Poll, Waker};
    use futures_sink::Sink;

    #[derive(Default)]
    struct Nop;
    impl std::task::Wake for Nop {
        fn wake(self: std::sync::Arc<Self>) {}
    }

    /// A sink dropped while its item waits in the queue takes the item out of the
    /// queue: the channel forgets it, and nothing is delivered. The waker it registered
    /// is dropped with it (a selector does not drop its waker by itself).
    #[test]
    fn a_sink_dropped_while_its_item_waits_unlinks_it_and_drops_its_waker() {
        let ch: Chan<u8> = Chan::new();
        let count = std::sync::Arc::new(Nop);
        let waker = Waker::from(count.clone());
        let mut cx = Context::from_waker(&waker);
        {
            let mut sink = pin!(PutSink::new(&ch));
            assert!(matches!(
                sink.as_mut().poll_ready(&mut cx),
                Poll::Ready(Ok(()))
            ));
            sink.as_mut().start_send(7).unwrap();
            assert!(sink.as_mut().poll_flush(&mut cx).is_pending());
            assert_eq!(ch.stats().waiting_puts, 1);
            assert_eq!(std::sync::Arc::strong_count(&count), 3, "registered");
        }
        assert_eq!(ch.stats().waiting_puts, 0);
        assert!(ch.try_get().is_err(), "the dropped item was not delivered");
        assert_eq!(
            std::sync::Arc::strong_count(&count),
            2,
            "dropped with the sink"
        );
    }
}
