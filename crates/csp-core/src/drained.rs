//! The future of [`Chan::closed_and_drained`]: waits until a channel is closed and every
//! value put into it has been taken.
//!
//! # Invariants
//! - The future's node is in its channel's watcher queue exactly while the node's
//!   `exposed` flag is set. Only the owner links and unlinks it, always under the
//!   channel's lock (no counterpart claims a watcher), and the future's `Drop` unlinks it
//!   before the memory can go away.
//! - The selector's waker is registered under the lock, after the node is linked in the
//!   same critical section; while the node is linked it is taken only by
//!   `State::notify_watcher` (under the lock, through [`Selector::notify`]); once the
//!   node is unlinked, only the owner touches the cell, and drops what is left in it.
//! - A closed and drained channel stays so (see `State::drained`), so a watcher woken for
//!   it completes on its next poll.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::buffer::Buffer;
use crate::chan::Chan;
use crate::lock::RawLock;
use crate::waiter::{Node, Selector};
use crate::wake::WakeList;

/// The future of [`Chan::closed_and_drained`]: resolves once the channel is closed and
/// drained (aiochan's `join()`).
///
/// Cancel-safe: dropping it takes nothing from the channel; if it had been woken for the
/// drained channel, the next waiting `closed_and_drained` is woken instead.
///
/// # Examples
/// ```
/// use core::future::Future;
/// use core::pin::pin;
/// use core::task::{Context, Waker};
/// use csp_core::Chan;
/// use csp_core::buffer::Fixed;
///
/// let ch: Chan<u8, Fixed<u8, 2>> = Chan::with_buffer(Fixed::new());
/// let mut cx = Context::from_waker(Waker::noop());
/// let mut drained = pin!(ch.closed_and_drained());
/// assert!(drained.as_mut().poll(&mut cx).is_pending()); // open
/// ch.try_put(1).unwrap();
/// ch.close();
/// assert!(drained.as_mut().poll(&mut cx).is_pending()); // closed, but 1 is buffered
/// assert_eq!(ch.try_get(), Ok(1));
/// assert!(drained.as_mut().poll(&mut cx).is_ready()); // closed and drained
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Drained<'a, T, B = crate::buffer::Rendezvous, L = crate::lock::DefaultLock>
where
    B: Buffer<T>,
    L: RawLock,
{
    chan: &'a Chan<T, B, L>,
    node: Node<T>,
    selector: Selector,
}

impl<'a, T, B: Buffer<T>, L: RawLock> Drained<'a, T, B, L> {
    pub(crate) fn new(chan: &'a Chan<T, B, L>) -> Self {
        Drained {
            chan,
            node: Node::new(None),
            selector: Selector::for_plain_op(),
        }
    }

    /// Unlinks the node (it was exposed) and drops the waker; for `Drop`.
    #[cold]
    #[inline(never)]
    fn withdraw(&mut self) {
        let node = self.node.ptr();
        let mut wakes = WakeList::new();
        self.chan.with_state(|st| {
            // SAFETY: we hold the lock (`with_state`); the node is exposed, so linked in
            // the watcher queue (module invariants), and the list has room.
            unsafe {
                st.unlink_watcher(node, &mut wakes);
                (*node.as_ptr()).exposed = false;
            }
        });
        wakes.wake_all();
        // SAFETY: the node is in no queue any more, so nobody else reaches the selector.
        unsafe { self.selector.drop_waker() };
    }
}

impl<T, B: Buffer<T>, L: RawLock> Future for Drained<'_, T, B, L> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: the node and the selector stay in place: nothing here moves them.
        let this = unsafe { self.get_unchecked_mut() };
        let node = this.node.ptr();
        let sel: *const Selector = &this.selector;
        let mut wakes = WakeList::new();
        let done = this.chan.with_state(|st| {
            // SAFETY: we hold the lock (`with_state`), so the state and our node are
            // ours; the node is pinned in this future and unlinked by its `Drop`; the
            // selector is ours, never claimed, and registered right after the link.
            unsafe {
                let w = node.as_ptr();
                if st.drained() {
                    if (*w).exposed {
                        // Passes the news on to the next watcher.
                        st.unlink_watcher(node, &mut wakes);
                        (*w).exposed = false;
                    }
                    true
                } else {
                    if !(*w).exposed {
                        st.link_watcher(node, sel);
                    }
                    (*sel).register(cx.waker());
                    false
                }
            }
        });
        wakes.wake_all();
        if done {
            // SAFETY: the node is in no queue, so nobody else reaches the selector.
            unsafe { this.selector.drop_waker() };
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl<T, B: Buffer<T>, L: RawLock> Drop for Drained<'_, T, B, L> {
    #[inline]
    fn drop(&mut self) {
        if self.node.is_exposed() {
            self.withdraw();
        }
    }
}

impl<T, B: Buffer<T>, L: RawLock> fmt::Debug for Drained<'_, T, B, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Drained")
            .field("waiting", &self.node.is_exposed())
            .finish_non_exhaustive()
    }
}
