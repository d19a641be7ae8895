//! The operation futures: [`Get`] and [`Put`]. Each is a one-arm select with its own
//! [`Selector`], and also an arm that a [`select!`](crate::select!) can use.
//!
//! # Invariants
//! - Each future embeds its wait-queue node; the node is linked only while the future
//!   (or the select using it) waits, and the future's `Drop` — or the select's — unlinks
//!   it under the channel lock before the memory can go away. That `Drop` is where
//!   soundness is restored after a cancellation.
//! - The node's fields are touched only under the channel's lock, except when the node
//!   is in no list and no claim is pending (phases `Idle`, `Done`, `Closed`, `Taken`),
//!   when the future owns it outright.
//! - A put's node holds its value while it is `Idle`: taking the value back
//!   (`take_value`) finishes the put. The put's quick path adds the value without
//!   looking. A put's first poll (a rendezvous put's, or a buffered put's whose quick
//!   path missed: `take_fresh_value`) marks the node `Taken` before it takes the value
//!   out to offer it, and a put left waiting puts the value back before it links the
//!   node, so no way out, a panic included, leaves an `Idle` node without it.
//! - A plain `Get`'s or `Put`'s own selector holds a waker only while the node is
//!   exposed, so their `Drop` tests `exposed` alone (see `drop_plain!`).

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll};

use crate::buffer::{unbuffered, Buffer};
use crate::chan::{Chan, Unlock};
use crate::error::Closed;
use crate::lock::RawLock;
use crate::select::{erase, Arm, ArmCx, ArmLock, RawArm, ReleaseOnDrop};
use crate::state::{PutOutcome, State};
use crate::waiter::{Node, OwnedSelector, Phase, Selector, Waiter};
use crate::wake::WakeList;

/// Withdraws an operation's arm in a critical section of its own (for `Drop` and
/// `take_value`), then calls the wakers it owes.
///
/// `withdraw` reads nothing from the selector of its [`ArmCx`] (the node records its
/// own), so a fresh one stands in for whichever selector linked the node.
#[cold]
#[inline(never)]
fn withdraw_alone<A: RawArm + ?Sized>(arm: Pin<&mut A>) {
    let sel = Selector::new();
    let sel = &sel;
    let mut wakes = WakeList::new();
    {
        let lock = erase(arm.lock());
        // SAFETY: the lock lives in the channel, which outlives the arm's borrow of it.
        unsafe { (*lock).acquire() };
        let _release = ReleaseOnDrop(lock);
        let cx = &mut ArmCx::new(sel, 0, &mut wakes);
        // SAFETY: the arm's lock is held; `withdraw` accepts any phase.
        unsafe { arm.withdraw(cx) };
    }
    wakes.wake_all();
}

/// The end of an arm's `try_complete` for a node that is neither idle nor linked: a
/// completed `what` ("get" or "put") stays complete; any other phase is a bug.
#[inline(always)]
fn already_complete(phase: Phase, what: &str) -> bool {
    match phase {
        Phase::Done | Phase::Closed => true,
        Phase::Claimed => unreachable!("csp: a claimed {what} is finished, not retried"),
        _ => panic!("csp: a {what} was polled after it completed"),
    }
}

// ===== impl GetOp =====

/// The arm part of a get: the channel and the node, without a selector of its own.
///
/// This is what an inline `ch.get()` arm of [`select!`](crate::select!) becomes: the
/// select's selector is the only one it needs. Not public API (its constructor is
/// crate-private); it is public only so the macro can name it.
#[doc(hidden)]
pub struct GetOp<'a, T, B: Buffer<T>, L: RawLock> {
    chan: &'a Chan<T, B, L>,
    node: Node<T>,
}

impl<'a, T, B: Buffer<T>, L: RawLock> GetOp<'a, T, B, L> {
    pub(crate) const fn new(chan: &'a Chan<T, B, L>) -> Self {
        GetOp {
            chan,
            node: Node::new(None),
        }
    }

    /// The node's phase, read under the lock (a claimer may write it at any time).
    fn phase(&self) -> Phase {
        let node = self.node.ptr();
        // SAFETY: the lock is held, so the node's fields are ours to read.
        self.chan.with_state(|_| unsafe { (*node.as_ptr()).phase })
    }

    /// The poll of a plain get, with its own selector `sel`: one lock, no dynamic
    /// dispatch, the value returned directly. On a buffered channel the common case is
    /// inlined into the caller (a fresh get that finds a value and nobody waiting), and
    /// everything else runs out of line in [`poll_locked`](Self::poll_locked) (or, for
    /// a fresh get, which no put can have handed a value, in
    /// [`poll_rest_fresh`](Self::poll_rest_fresh)), so the quick path pays for no wake
    /// list and no register spills. A rendezvous get has no quick path to protect: all
    /// of it is inlined, which saves the out-of-line function's prologue and epilogue on
    /// every poll (with `Put`'s likewise: spsc/0 692 → 635 instructions per message,
    /// ping-pong 1 378 → 1 299).
    #[inline(always)]
    fn poll_plain(&mut self, sel: &Selector, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let w = self.node.ptr().as_ptr();
        // In a register: read through `self` after the lock's atomic, the compiler would
        // load it again.
        let chan = self.chan;
        chan.lock.lock();
        // Released here if the buffer panics; handed on to the slow path otherwise.
        let unlock = Unlock(&chan.lock);
        if unbuffered::<T, B>() {
            // SAFETY: we hold the lock (taken above), so the node's flags are ours to
            // read (see the buffered case below).
            if unsafe { Waiter::idle_and_unexposed(w) } {
                core::mem::forget(unlock);
                // SAFETY: we hold the lock (taken above); `poll_fresh` releases it; the
                // node is idle and in no queue.
                return unsafe { self.poll_fresh(sel, cx) };
            }
            // (A buffered get that was handed a value is left to `poll_locked`: testing
            // for it there made the buffered quick path below cost 15 instructions more,
            // and saved nothing on the buffered cells.)
            // SAFETY: we hold the lock (taken above).
            if let Some(v) = unsafe { self.take_handed_quick(chan) } {
                drop(unlock);
                return Poll::Ready(Some(v));
            }
            core::mem::forget(unlock);
            // SAFETY: we hold the lock (taken above); `poll_body` releases it.
            return unsafe { self.poll_body(sel, cx) };
        } else {
            // SAFETY: we hold the lock (taken above), so the node's flags are ours to
            // read. `exposed` is owner-only; while it is false the node is in no queue and
            // holds no claim, so its phase is ours to write without the lock.
            let fresh = unsafe { Waiter::idle_and_unexposed(w) };
            if fresh {
                // SAFETY: we hold the lock (taken above).
                if let Some(v) = unsafe { chan.with_state_locked(|st| st.take_quick()) } {
                    drop(unlock);
                    // SAFETY: as above: the node is ours (not exposed).
                    unsafe { (*w).phase = Phase::Taken };
                    return Poll::Ready(Some(v));
                }
                // A fresh get was handed nothing: skip `poll_locked`'s look for a
                // handed value and its call, and `step`'s tests of the phase.
                core::mem::forget(unlock);
                // SAFETY: we hold the lock (taken above); `poll_rest_fresh` releases it;
                // the node is idle and not exposed.
                return unsafe { self.poll_rest_fresh(sel, cx) };
            }
        }
        core::mem::forget(unlock);
        // SAFETY: we hold the lock (taken above); `poll_locked` releases it.
        unsafe { self.poll_locked(sel, cx) }
    }

    /// Takes the value a put handed this get, if it was claimed and handed one and
    /// `step`'s `settle` would owe nothing; completes the node as `step` does. Leaves
    /// everything as it was otherwise.
    ///
    /// `chan` is `self.chan`, passed in so that a caller that holds it in a register
    /// need not load it again.
    ///
    /// # Safety
    /// The caller holds the channel's lock (so the state and the node are ours: a
    /// claimed node is in no queue, and once its value is taken it holds no claim).
    #[inline(always)]
    unsafe fn take_handed_quick(&mut self, chan: &Chan<T, B, L>) -> Option<T> {
        let node = self.node.ptr();
        let w = node.as_ptr();
        // SAFETY: as above.
        unsafe {
            chan.with_state_locked(|st| {
                if (*w).phase == Phase::Claimed && st.settled_after_handed() {
                    let v = st.take_handed(node);
                    (*w).phase = Phase::Taken;
                    (*w).exposed = false;
                    Some(v)
                } else {
                    None
                }
            })
        }
    }

    /// The rest of [`poll_plain`](Self::poll_plain) for a buffered get that is not
    /// fresh.
    ///
    /// # Safety
    /// The caller holds the channel's lock; this releases it.
    #[inline(never)]
    unsafe fn poll_locked(&mut self, sel: &Selector, cx: &mut Context<'_>) -> Poll<Option<T>> {
        debug_assert!(
            !unbuffered::<T, B>(),
            "a rendezvous get runs `poll_body` inline"
        );
        // A buffered get that a put handed a value directly (an empty buffer, the get
        // waiting): taken here, in a function small enough to save few registers, as
        // `poll_plain` does for a rendezvous get. (In `poll_plain` itself the test made
        // the quick path 15 instructions dearer.)
        // SAFETY: we hold the lock (caller).
        if let Some(v) = unsafe { self.take_handed_quick(self.chan) } {
            // SAFETY: we hold the lock (caller) and are done with the state.
            unsafe { self.chan.lock.unlock() };
            return Poll::Ready(Some(v));
        }
        // SAFETY: forwarded contract.
        unsafe { self.poll_rest(sel, cx) }
    }

    /// The rest of a buffered get's poll after [`poll_locked`](Self::poll_locked)'s look
    /// for a handed value, in a function of its own: with this body inlined there, the
    /// handed get's short path paid its register saves (ping-pong/1 1 442 → 1 480
    /// instructions per round trip).
    ///
    /// # Safety
    /// The caller holds the channel's lock; this releases it.
    #[inline(never)]
    unsafe fn poll_rest(&mut self, sel: &Selector, cx: &mut Context<'_>) -> Poll<Option<T>> {
        // SAFETY: forwarded contract.
        unsafe { self.poll_body(sel, cx) }
    }

    /// The rest of [`poll_plain`](Self::poll_plain) for a fresh buffered get that found
    /// nothing to take quickly: [`poll_fresh`](Self::poll_fresh), out of line.
    ///
    /// # Safety
    /// As for `poll_fresh`.
    #[inline(never)]
    unsafe fn poll_rest_fresh(&mut self, sel: &Selector, cx: &mut Context<'_>) -> Poll<Option<T>> {
        // SAFETY: forwarded contract.
        unsafe { self.poll_fresh(sel, cx) }
    }

    /// The locked body of a get's poll: in [`poll_rest`](Self::poll_rest) for a buffered
    /// get, inlined into [`poll_plain`](Self::poll_plain) for a rendezvous one.
    ///
    /// # Safety
    /// The caller holds the channel's lock; this releases it.
    #[inline(always)]
    unsafe fn poll_body(&mut self, sel: &Selector, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let node = self.node.ptr();
        let me: *const Selector = sel;
        let mut wakes = WakeList::new();
        let out = {
            // Released on every way out, a panic included (the caller took it).
            let _unlock = Unlock(&self.chan.lock);
            // SAFETY: we hold the lock (caller), so the state and our node are ours; the
            // node is pinned inside the future and unlinked by its `Drop`.
            unsafe {
                self.chan
                    .with_state_locked(|st| Self::step(st, node, me, sel, cx, &mut wakes))
            }
        };
        wakes.wake_all();
        // Emptied: skip the drop's second look at the length (see `WakeList`'s `Drop`).
        core::mem::forget(wakes);
        out
    }

    /// The first poll of a rendezvous get: [`poll_body`](Self::poll_body) for a node
    /// known to be idle, without `step`'s tests of its phase (spsc/0 619 → 617
    /// instructions per message, ping-pong/0 1 271 → 1 265). See `PutOp::poll_fresh`
    /// for why this is not `poll_body` with a parameter.
    ///
    /// # Safety
    /// The caller holds the channel's lock; this releases it. The node is idle and not
    /// exposed.
    #[inline(always)]
    unsafe fn poll_fresh(&mut self, sel: &Selector, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let node = self.node.ptr();
        let mut wakes = WakeList::new();
        let out = {
            // Released on every way out, a panic included (the caller took it).
            let _unlock = Unlock(&self.chan.lock);
            // SAFETY: we hold the lock (caller), so the state and our node are ours.
            unsafe {
                self.chan
                    .with_state_locked(|st| Self::seek(st, node, false, sel, sel, cx, &mut wakes))
            }
        };
        wakes.wake_all();
        // Emptied: skip the drop's second look at the length (see `WakeList`'s `Drop`).
        core::mem::forget(wakes);
        out
    }

    /// One step of a plain get under the lock.
    ///
    /// # Safety
    /// The lock is held; `node` is this op's node and `me` its selector `sel`.
    #[inline(always)]
    unsafe fn step(
        st: &mut State<T, B>,
        node: NonNull<Waiter<T>>,
        me: *const Selector,
        sel: &Selector,
        cx: &mut Context<'_>,
        wakes: &mut WakeList,
    ) -> Poll<Option<T>> {
        // SAFETY: the caller holds the lock, so the state and the node are ours.
        unsafe {
            let w = node.as_ptr();
            let phase = (*w).phase;
            // Tested in turn rather than matched: the match became a jump table, an
            // indirect jump on every poll.
            let out = if phase == Phase::Claimed {
                let v = st.take_handed(node);
                (*w).phase = Phase::Taken;
                st.settle(wakes);
                Poll::Ready(Some(v))
            } else if matches!(phase, Phase::Idle | Phase::Linked) {
                Self::seek(st, node, phase == Phase::Linked, me, sel, cx, wakes)
            } else if matches!(phase, Phase::Done | Phase::Closed) {
                (*w).phase = Phase::Taken;
                Poll::Ready((*w).value.take())
            } else {
                panic!("csp: a get was polled after it completed")
            };
            if out.is_ready() {
                // Completed: the node is in no queue and holds no claim.
                (*w).exposed = false;
            }
            out
        }
    }

    /// Looks for a value for the idle (`linked` false) or queued get `node`: takes it,
    /// or queues the node (if idle) and registers the waker.
    ///
    /// # Safety
    /// As for [`step`](Self::step).
    #[inline(always)]
    unsafe fn seek(
        st: &mut State<T, B>,
        node: NonNull<Waiter<T>>,
        linked: bool,
        me: *const Selector,
        sel: &Selector,
        cx: &mut Context<'_>,
        wakes: &mut WakeList,
    ) -> Poll<Option<T>> {
        // SAFETY: the caller holds the lock, so the state and the node are ours.
        unsafe {
            match st.try_get(me, wakes) {
                Some(got) => {
                    if linked {
                        st.unlink_getter(node);
                        // Completed from the queue on a poll of our own: a waker still
                        // registered must not outlive the node's exposure (see `Get`'s
                        // `Drop`).
                        sel.give_up_waker(wakes);
                    }
                    (*node.as_ptr()).phase = Phase::Taken;
                    st.settle(wakes);
                    Poll::Ready(got)
                }
                None => {
                    if !linked {
                        st.link_getter(node, me, 0);
                    } else if st.clear_notified(node, true) {
                        st.settle(wakes);
                    }
                    sel.register(cx.waker());
                    Poll::Pending
                }
            }
        }
    }

    /// The rest of [`RawArm::try_complete`].
    ///
    /// # Safety
    /// As for [`RawArm::try_complete`]: the lock is held.
    #[inline(never)]
    unsafe fn try_complete_slow(&mut self, cx: &mut ArmCx<'_>) -> bool {
        let node = self.node.ptr();
        let me = cx.selector() as *const Selector;
        // SAFETY: the lock is held (caller), so the state and our node are ours.
        let done = unsafe {
            self.chan.with_state_locked(|st| {
                let w = node.as_ptr();
                let phase = (*w).phase;
                // Tested in turn rather than matched, as in `step`.
                if matches!(phase, Phase::Idle | Phase::Linked) {
                    match st.try_get(me, cx.wakes()) {
                        Some(got) => {
                            if (*w).phase == Phase::Linked {
                                st.unlink_getter(node);
                            }
                            (*w).phase = if got.is_some() {
                                Phase::Done
                            } else {
                                Phase::Closed
                            };
                            (*w).value = got;
                            st.settle(cx.wakes());
                            true
                        }
                        None => {
                            if (*w).phase == Phase::Linked && st.clear_notified(node, true) {
                                st.settle(cx.wakes());
                            }
                            false
                        }
                    }
                } else {
                    already_complete(phase, "get")
                }
            })
        };
        if done {
            // SAFETY: owner-only field (see `Waiter::exposed`).
            unsafe { (*node.as_ptr()).exposed = false };
        }
        done
    }

    /// Makes a completed op reusable (for the stream).
    fn reset(&mut self) {
        // SAFETY: completed, so in no list: we own the node.
        unsafe { (*self.node.ptr().as_ptr()).phase = Phase::Idle };
    }
}

// SAFETY: the chan's lock guards all state we touch; output appears only in
// `try_complete`/`finish`; `withdraw` unlinks the node, after which the channel holds no
// pointer to the selector; each method pushes at most four wakers (see `state.rs`).
unsafe impl<T, B: Buffer<T>, L: RawLock> RawArm for GetOp<'_, T, B, L> {
    #[inline]
    fn lock(&self) -> &dyn ArmLock {
        &self.chan.lock
    }

    #[inline]
    unsafe fn try_complete(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) -> bool {
        let w = self.node.ptr().as_ptr();
        // SAFETY: the lock is held (caller), so the state and our node are ours. The
        // common case first, in few registers: a buffered value and nobody else
        // involved; the rest runs out of line.
        unsafe {
            if (*w).phase == Phase::Idle {
                if !unbuffered::<T, B>() {
                    if let Some(v) = self.chan.with_state_locked(|st| st.take_quick()) {
                        (*w).value = Some(v);
                        (*w).phase = Phase::Done;
                        (*w).exposed = false;
                        return true;
                    }
                }
                // A get in no queue that finds nothing to take fails without side
                // effects: decide that here, not in a call (a select that goes on to
                // wait tries each arm twice).
                if self.chan.with_state_locked(|st| st.get_must_wait()) {
                    return false;
                }
            }
            self.get_unchecked_mut().try_complete_slow(cx)
        }
    }

    #[inline]
    unsafe fn wait(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
        let node = self.node.ptr();
        // SAFETY: lock held; the node is pinned inside `self` and unlinked by `withdraw`
        // (called by our `Drop` or the select's) before it can move or be freed.
        unsafe {
            self.chan.with_state_locked(|st| {
                if (*node.as_ptr()).phase == Phase::Idle {
                    st.link_getter(node, cx.selector(), cx.op());
                }
            })
        }
    }

    #[inline]
    unsafe fn finish(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
        let node = self.node.ptr();
        // SAFETY: lock held; claimed for us, so the value handed over is ours.
        unsafe {
            self.chan.with_state_locked(|st| {
                let w = node.as_ptr();
                debug_assert_eq!((*w).phase, Phase::Claimed);
                // The value a put handed us is in our node already: our output.
                st.keep_handed(node);
                (*w).phase = Phase::Done;
                (*w).exposed = false;
                st.settle(cx.wakes());
            })
        }
    }

    #[inline]
    unsafe fn withdraw(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
        let node = self.node.ptr();
        // SAFETY: lock held.
        unsafe {
            self.chan.with_state_locked(|st| {
                let w = node.as_ptr();
                match (*w).phase {
                    Phase::Linked => {
                        st.unlink_getter(node);
                        (*w).phase = Phase::Idle;
                        st.settle(cx.wakes());
                    }
                    Phase::Claimed => {
                        // A put handed us a value that we will never take: pass it
                        // on, or leave it as an orphan for the next get.
                        st.abandon_handed(node, cx.wakes());
                        (*w).phase = Phase::Idle;
                        st.settle(cx.wakes());
                    }
                    _ => {}
                }
                (*w).exposed = false;
            })
        }
    }
}

impl<T, B: Buffer<T>, L: RawLock> Arm for GetOp<'_, T, B, L> {
    type Output = Option<T>;

    fn take_output(self: Pin<&mut Self>) -> Option<T> {
        // SAFETY: completed, so the node is in no list: we own it.
        unsafe {
            let w = self.node.ptr().as_ptr();
            match (*w).phase {
                Phase::Done | Phase::Closed => {
                    (*w).phase = Phase::Taken;
                    (*w).value.take()
                }
                _ => panic!("csp: the get has no result to take"),
            }
        }
    }
}

/// The ops own their nodes, so their `Drop` is where soundness is restored after a
/// cancellation: a node the channel may still point at is unlinked under its lock. A
/// select withdraws its arms before they drop, so there it finds nothing to do.
macro_rules! drop_withdraws {
    ($op:ident) => {
        impl<T, B: Buffer<T>, L: RawLock> $op<'_, T, B, L> {
            /// Withdraws the node in a critical section of its own if the channel may
            /// still point at it (for `Drop` and `take_value`).
            #[inline]
            fn withdraw_exposed(&mut self) {
                if self.node.is_exposed() {
                    // SAFETY: the op stays in place: it was pinned (in its future or
                    // select) from the moment its node could be exposed.
                    withdraw_alone(unsafe { Pin::new_unchecked(self) });
                }
            }
        }

        impl<T, B: Buffer<T>, L: RawLock> Drop for $op<'_, T, B, L> {
            #[inline]
            fn drop(&mut self) {
                self.withdraw_exposed();
            }
        }

        impl<T, B: Buffer<T>, L: RawLock> fmt::Debug for $op<'_, T, B, L> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($op))
                    .field("phase", &self.phase())
                    .finish_non_exhaustive()
            }
        }
    };
}

drop_withdraws!(GetOp);
drop_withdraws!(PutOp);

// ===== impl Get =====

/// The future of [`Chan::get`]: resolves to `Some(value)`, or `None` once the channel
/// is closed and drained. Also an arm of [`select!`](crate::select!).
///
/// Cancel-safe: dropping it at any moment takes nothing from the channel; a value that
/// was already handed to it passes on to the next getter.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_core::buffer::Fixed;
/// let ch: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
/// let get = ch.get();           // nothing happens until it is polled
/// ch.try_put(3).unwrap();
/// assert_eq!(csp_core::block_on(get), Some(3));
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Get<'a, T, B = crate::buffer::Rendezvous, L = crate::lock::DefaultLock>
where
    B: Buffer<T>,
    L: RawLock,
{
    op: GetOp<'a, T, B, L>,
    selector: Selector,
}

impl<'a, T, B: Buffer<T>, L: RawLock> Get<'a, T, B, L> {
    pub(crate) fn new(chan: &'a Chan<T, B, L>) -> Self {
        Get {
            op: GetOp::new(chan),
            selector: Selector::for_plain_op(),
        }
    }

    fn project(self: Pin<&mut Self>) -> (Pin<&mut GetOp<'a, T, B, L>>, &Selector) {
        // SAFETY: structural pinning of `op`; `selector` is only ever used by reference.
        unsafe {
            let this = self.get_unchecked_mut();
            (Pin::new_unchecked(&mut this.op), &this.selector)
        }
    }
}

impl<T, B: Buffer<T>, L: RawLock> Future for Get<'_, T, B, L> {
    type Output = Option<T>;

    // Always inlined: a rendezvous get's whole poll is inlined (see `poll_plain`), and
    // the compiler would otherwise keep that as a function of its own.
    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        // SAFETY: the node and selector stay in place; `poll_plain` never moves them.
        let this = unsafe { self.get_unchecked_mut() };
        this.op.poll_plain(&this.selector, cx)
    }
}

/// `Get` and `Put` are arms by forwarding to their `GetOp`/`PutOp`.
macro_rules! forward_arm {
    ($fut:ident, $op:literal, $out:ty) => {
        // SAFETY: every method forwards to the inner op, which upholds the contract.
        unsafe impl<T, B: Buffer<T>, L: RawLock> RawArm for $fut<'_, T, B, L> {
            fn lock(&self) -> &dyn ArmLock {
                self.op.lock()
            }
            unsafe fn try_complete(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) -> bool {
                // SAFETY: forwarded contract.
                unsafe { self.project().0.try_complete(cx) }
            }
            unsafe fn wait(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
                // SAFETY: forwarded contract.
                unsafe { self.project().0.wait(cx) }
            }
            unsafe fn finish(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
                // SAFETY: forwarded contract.
                unsafe { self.project().0.finish(cx) }
            }
            unsafe fn withdraw(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
                // SAFETY: forwarded contract.
                unsafe { self.project().0.withdraw(cx) }
            }
        }

        impl<T, B: Buffer<T>, L: RawLock> Arm for $fut<'_, T, B, L> {
            type Output = $out;
            fn take_output(self: Pin<&mut Self>) -> $out {
                self.project().0.take_output()
            }
        }
    };
}

forward_arm!(Get, "GetOp", Option<T>);

/// `Get` and `Put` drop their selector's waker only when the node is exposed: a waker is
/// registered only while the node is exposed, and every way a plain poll ends its
/// exposure leaves the cell empty (a claim or a notification takes the waker; an op that
/// completes from the queue on a poll of its own gives it up, see `give_up_waker`;
/// `take_value` drops it). So the common drop, of an op that completed, tests one byte.
/// Used as an arm of a select, the op waits on the select's selector, never on its own.
macro_rules! drop_plain {
    ($fut:ident, $op:ident) => {
        impl<'a, T, B: Buffer<T>, L: RawLock> $fut<'a, T, B, L> {
            /// The future without its selector: how an inline `select!` arm runs, on the
            /// select's selector alone.
            #[inline(always)]
            pub(crate) fn into_op(self) -> $op<'a, T, B, L> {
                let this = core::mem::ManuallyDrop::new(self);
                // SAFETY: `this` is neither used nor dropped again, so `op` moves out
                // once. The selector left behind has nothing to drop: a future held by
                // value was never polled (it is `!Unpin`), so no waker was registered.
                unsafe { core::ptr::read(&this.op) }
            }

            /// The rest of `Drop`: withdraws the node, then drops the waker it
            /// registered.
            #[cold]
            #[inline(never)]
            fn drop_exposed(&mut self) {
                self.op.withdraw_exposed();
                // SAFETY: the node is in no queue any more, so nobody else reaches the
                // selector.
                unsafe { self.selector.drop_waker() };
            }
        }

        impl<T, B: Buffer<T>, L: RawLock> Drop for $fut<'_, T, B, L> {
            #[inline]
            fn drop(&mut self) {
                if self.op.node.is_exposed() {
                    self.drop_exposed();
                }
            }
        }
    };
}

drop_plain!(Get, GetOp);

impl<T, B: Buffer<T>, L: RawLock> fmt::Debug for Get<'_, T, B, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Get")
            .field("phase", &self.op.phase())
            .finish_non_exhaustive()
    }
}

// ===== impl PutOp =====

/// The arm part of a put: the channel and the node holding the value, without a
/// selector of its own (see [`GetOp`]).
#[doc(hidden)]
pub struct PutOp<'a, T, B: Buffer<T>, L: RawLock> {
    chan: &'a Chan<T, B, L>,
    node: Node<T>,
}

impl<'a, T, B: Buffer<T>, L: RawLock> PutOp<'a, T, B, L> {
    pub(crate) const fn new(chan: &'a Chan<T, B, L>, value: T) -> Self {
        PutOp {
            chan,
            node: Node::new(Some(value)),
        }
    }

    /// The node's phase, read under the lock (a claimer may write it at any time).
    fn phase(&self) -> Phase {
        let node = self.node.ptr();
        // SAFETY: the lock is held, so the node's fields are ours to read.
        self.chan.with_state(|_| unsafe { (*node.as_ptr()).phase })
    }

    /// The poll of a plain put, with its own selector `sel`: one lock, no dynamic
    /// dispatch, the result returned directly. On a buffered channel the uncontended
    /// case (a fresh put, room in the buffer, nobody waiting) is inlined into the
    /// caller and everything else runs out of line in
    /// [`poll_locked`](Self::poll_locked); a rendezvous put is inlined whole (see
    /// `GetOp::poll_plain`).
    #[inline(always)]
    pub(crate) fn poll_plain(
        &mut self,
        sel: &Selector,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), Closed<T>>> {
        let w = self.node.ptr().as_ptr();
        // SAFETY: `exposed` is owner-only (see `Waiter::exposed`); read once, as the
        // lock below would make the compiler read it again.
        let exposed = unsafe { (*w).exposed };
        if exposed && sel.is_released() {
            // Woken by the get that took our value. It has let go of the node (unlinked,
            // phase written, value taken) and its writes happen before the `Acquire`
            // load above, so the node is ours again without the channel's lock.
            // SAFETY: as just said; nobody else touches a released node.
            unsafe {
                debug_assert!((*w).phase == Phase::Claimed && (*w).value.is_none());
                (*w).phase = Phase::Taken;
                (*w).exposed = false;
            }
            return Poll::Ready(Ok(()));
        }
        // (Not copied into a local as in `GetOp::poll_plain`: here that cost a register
        // and 2 instructions per buffered put.)
        if unbuffered::<T, B>() {
            // SAFETY: `exposed` is false, so the node is in no queue and holds no claim:
            // its fields are ours without the lock, and an idle put holds its value.
            if !exposed && unsafe { (*w).phase == Phase::Idle } {
                // The first poll, the common case: the value is offered without `step`'s
                // tests of the phase and of whether the node is queued (spsc/0 635 → 619
                // instructions per message, ping-pong/0 1 299 → 1 271).
                // SAFETY: as just said: ours, and idle.
                let v = unsafe { self.take_fresh_value() };
                self.chan.lock.lock();
                // SAFETY: we hold the lock (taken above); `poll_fresh` releases it.
                return unsafe { self.poll_fresh(v, sel, cx) };
            }
            self.chan.lock.lock();
            // SAFETY: we hold the lock (taken above); `poll_body` releases it.
            return unsafe { self.poll_body(sel, cx) };
        }
        self.chan.lock.lock();
        // Released here if the buffer panics; handed on to the slow path otherwise.
        let unlock = Unlock(&self.chan.lock);
        // SAFETY: `exposed` is owner-only; while it is false the node is in no queue and
        // holds no claim, so its fields are ours, and an idle put holds its value (see
        // `take_value`). The lock is held for `add_quick`. A value the buffer's policy
        // discarded stays in the node, dropped with the future.
        unsafe {
            if !exposed && (*w).phase == Phase::Idle {
                if self
                    .chan
                    .with_state_locked(|st| st.add_quick(&mut (*w).value))
                {
                    drop(unlock);
                    (*w).phase = Phase::Taken;
                    return Poll::Ready(Ok(()));
                }
                core::mem::forget(unlock);
                // SAFETY: we hold the lock; `poll_fresh_locked` releases it; the node is
                // idle, not exposed, and holds its value (`add_quick` keeps a value it
                // does not add).
                return self.poll_fresh_locked(sel, cx);
            }
        }
        core::mem::forget(unlock);
        // SAFETY: we hold the lock (taken above); `poll_locked` releases it.
        unsafe { self.poll_locked(sel, cx) }
    }

    /// The rest of [`poll_plain`](Self::poll_plain) for a fresh buffered put whose quick
    /// path did not add it: its value offered as a rendezvous put's first poll offers
    /// it ([`poll_fresh`](Self::poll_fresh)), without `step`'s tests of the phase.
    ///
    /// # Safety
    /// The caller holds the channel's lock; this releases it. The node is idle, not
    /// exposed, and holds its value.
    #[inline(never)]
    unsafe fn poll_fresh_locked(
        &mut self,
        sel: &Selector,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), Closed<T>>> {
        // SAFETY: the node is ours and idle (caller).
        let v = unsafe { self.take_fresh_value() };
        // SAFETY: forwarded contract; `v` is the node's value.
        unsafe { self.poll_fresh(v, sel, cx) }
    }

    /// Takes a fresh put's value out of its node, for [`poll_fresh`](Self::poll_fresh)
    /// to offer. The node is marked `Taken` first: were a panic to unwind before the
    /// value is delivered or back in the node, the future must not be left idle without
    /// its value (every way out of `offer` writes the phase). That is what lets the take
    /// be unchecked, 1 instruction where a checked one cost 4.
    ///
    /// # Safety
    /// The node is ours (not exposed: in no queue and holding no claim) and idle, so it
    /// holds its value.
    #[inline(always)]
    unsafe fn take_fresh_value(&mut self) -> T {
        let w = self.node.ptr().as_ptr();
        // SAFETY: the node is ours (caller); an idle put holds its value.
        unsafe {
            (*w).phase = Phase::Taken;
            (*w).value.take().unwrap_unchecked()
        }
    }

    /// The rest of [`poll_plain`](Self::poll_plain).
    ///
    /// # Safety
    /// The caller holds the channel's lock; this releases it.
    #[inline(never)]
    unsafe fn poll_locked(
        &mut self,
        sel: &Selector,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), Closed<T>>> {
        // SAFETY: forwarded contract.
        unsafe { self.poll_body(sel, cx) }
    }

    /// The body of [`poll_locked`](Self::poll_locked), inlined where it is the common case.
    ///
    /// # Safety
    /// The caller holds the channel's lock; this releases it.
    #[inline(always)]
    unsafe fn poll_body(
        &mut self,
        sel: &Selector,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), Closed<T>>> {
        let node = self.node.ptr();
        let me: *const Selector = sel;
        let mut wakes = WakeList::new();
        let (out, discarded) = {
            // Released on every way out, a panic included (the caller took it).
            let _unlock = Unlock(&self.chan.lock);
            // SAFETY: we hold the lock (caller), so the state and our node are ours; the
            // node is pinned inside the future and unlinked by its `Drop`.
            unsafe {
                self.chan
                    .with_state_locked(|st| Self::step(st, node, me, sel, cx, &mut wakes))
            }
        };
        wakes.wake_all();
        // Emptied: skip the drop's second look at the length (see `WakeList`'s `Drop`).
        core::mem::forget(wakes);
        // A value the buffer's policy discarded is dropped outside the lock.
        drop(discarded);
        out
    }

    /// The first poll of a put (a buffered one's after its quick path), with its value
    /// `v` already taken out of the node: [`poll_body`](Self::poll_body) without `step`'s
    /// tests of the phase.
    ///
    /// (Its own function, not `poll_body` with a parameter: one closure calling both
    /// `offer` and `step` under the lock was too big for the compiler to inline, and
    /// spsc/0 went to 719 instructions per message.)
    ///
    /// # Safety
    /// The caller holds the channel's lock; this releases it. The node is idle and not
    /// exposed, and `v` is the value it held.
    #[inline(always)]
    unsafe fn poll_fresh(
        &mut self,
        v: T,
        sel: &Selector,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), Closed<T>>> {
        let node = self.node.ptr();
        let mut wakes = WakeList::new();
        let (out, discarded) = {
            // Released on every way out, a panic included (the caller took it).
            let _unlock = Unlock(&self.chan.lock);
            // SAFETY: we hold the lock (caller), so the state and our node are ours.
            unsafe {
                self.chan.with_state_locked(|st| {
                    Self::offer(st, node, v, false, sel, sel, cx, &mut wakes)
                })
            }
        };
        wakes.wake_all();
        // Emptied: skip the drop's second look at the length (see `WakeList`'s `Drop`).
        core::mem::forget(wakes);
        drop(discarded);
        out
    }

    /// One step of a plain put under the lock; returns the outcome and a value the
    /// buffer's policy discarded.
    ///
    /// # Safety
    /// The lock is held; `node` is this op's node and `me` its selector `sel`.
    #[inline(always)]
    unsafe fn step(
        st: &mut State<T, B>,
        node: NonNull<Waiter<T>>,
        me: *const Selector,
        sel: &Selector,
        cx: &mut Context<'_>,
        wakes: &mut WakeList,
    ) -> (Poll<Result<(), Closed<T>>>, Option<T>) {
        // SAFETY: the caller holds the lock, so the state and the node are ours.
        unsafe {
            let w = node.as_ptr();
            let phase = (*w).phase;
            // Tested in turn rather than matched, as in `GetOp::step`.
            let out = if matches!(phase, Phase::Idle | Phase::Linked) {
                let queued = phase == Phase::Linked;
                let Some(v) = (*w).value.take() else {
                    unreachable!("csp: an idle or queued put holds its value");
                };
                Self::offer(st, node, v, queued, me, sel, cx, wakes)
            } else if matches!(phase, Phase::Claimed | Phase::Done) {
                (*w).phase = Phase::Taken;
                (Poll::Ready(Ok(())), (*w).value.take())
            } else if phase == Phase::Closed {
                (*w).phase = Phase::Taken;
                match (*w).value.take() {
                    Some(v) => (Poll::Ready(Err(Closed(v))), None),
                    None => unreachable!("csp: a put that failed keeps its value"),
                }
            } else {
                panic!("csp: a put was polled after it completed")
            };
            if out.0.is_ready() {
                // Completed: the node is in no queue and holds no claim.
                (*w).exposed = false;
            }
            out
        }
    }

    /// Offers `v`, the value of the idle (`queued` false) or queued put `node`, to the
    /// channel.
    ///
    /// # Safety
    /// As for [`step`](Self::step); `v` was taken out of the node.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn offer(
        st: &mut State<T, B>,
        node: NonNull<Waiter<T>>,
        v: T,
        queued: bool,
        me: *const Selector,
        sel: &Selector,
        cx: &mut Context<'_>,
        wakes: &mut WakeList,
    ) -> (Poll<Result<(), Closed<T>>>, Option<T>) {
        let w = node.as_ptr();
        // SAFETY: the caller holds the lock, so the state and the node are ours.
        unsafe {
            match st.try_put(v, me, queued, wakes) {
                PutOutcome::Done(discarded) => {
                    if queued {
                        st.unlink_putter(node);
                        // As in `GetOp::step` (see `Put`'s `Drop`).
                        sel.give_up_waker(wakes);
                    }
                    (*w).phase = Phase::Taken;
                    st.settle(wakes);
                    (Poll::Ready(Ok(())), discarded)
                }
                // (Only a put that was not queued: a queued one still delivers.)
                PutOutcome::Closed(v) => {
                    (*w).phase = Phase::Taken;
                    (Poll::Ready(Err(Closed(v))), None)
                }
                PutOutcome::Wait(v) => {
                    (*w).value = Some(v);
                    if !queued {
                        st.link_putter(node, me, 0, wakes);
                    } else if st.clear_notified(node, false) {
                        st.settle(wakes);
                    }
                    sel.register(cx.waker());
                    (Poll::Pending, None)
                }
            }
        }
    }

    /// The value, if it was not delivered (withdrawing a waiting put first). A put whose
    /// value is taken back is finished (`Taken`): an idle put always holds its value,
    /// which its quick path relies on.
    fn take_value(&mut self) -> Option<T> {
        self.withdraw_exposed();
        // SAFETY: after the withdrawal the node is in no list: we own it.
        unsafe {
            let w = self.node.ptr().as_ptr();
            match (*w).phase {
                Phase::Idle | Phase::Closed => {
                    (*w).phase = Phase::Taken;
                    (*w).value.take()
                }
                _ => None,
            }
        }
    }
}

// SAFETY: as for `GetOp`.
unsafe impl<T, B: Buffer<T>, L: RawLock> RawArm for PutOp<'_, T, B, L> {
    #[inline]
    fn lock(&self) -> &dyn ArmLock {
        &self.chan.lock
    }

    #[inline]
    unsafe fn try_complete(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) -> bool {
        let node = self.node.ptr();
        let me = cx.selector() as *const Selector;
        // SAFETY: the lock is held (caller), so the state and our node are ours.
        let done = unsafe {
            self.chan.with_state_locked(|st| {
                let w = node.as_ptr();
                if (*w).phase == Phase::Idle && st.put_must_wait() {
                    // In no queue and nowhere to go: fail without touching the value.
                    return false;
                }
                let phase = (*w).phase;
                // Tested in turn rather than matched, as in `step`.
                if matches!(phase, Phase::Idle | Phase::Linked) {
                    let queued = phase == Phase::Linked;
                    let Some(v) = (*w).value.take() else {
                        unreachable!("csp: an idle or queued put holds its value");
                    };
                    match st.try_put(v, me, queued, cx.wakes()) {
                        PutOutcome::Done(discarded) => {
                            if queued {
                                st.unlink_putter(node);
                            }
                            // A value the buffer's policy discarded waits here to be
                            // dropped outside the lock, with the future.
                            (*w).value = discarded;
                            (*w).phase = Phase::Done;
                            st.settle(cx.wakes());
                            true
                        }
                        PutOutcome::Closed(v) => {
                            (*w).value = Some(v);
                            (*w).phase = Phase::Closed;
                            true
                        }
                        PutOutcome::Wait(v) => {
                            (*w).value = Some(v);
                            if queued && st.clear_notified(node, false) {
                                st.settle(cx.wakes());
                            }
                            false
                        }
                    }
                } else {
                    already_complete(phase, "put")
                }
            })
        };
        if done {
            // SAFETY: owner-only field (see `Waiter::exposed`).
            unsafe { (*node.as_ptr()).exposed = false };
        }
        done
    }

    #[inline]
    unsafe fn wait(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
        let node = self.node.ptr();
        // SAFETY: lock held; pinned node, unlinked by `withdraw` before it goes away.
        unsafe {
            self.chan.with_state_locked(|st| {
                if (*node.as_ptr()).phase == Phase::Idle {
                    st.link_putter(node, cx.selector(), cx.op(), cx.wakes());
                }
            })
        }
    }

    #[inline]
    unsafe fn finish(self: Pin<&mut Self>, _cx: &mut ArmCx<'_>) {
        // SAFETY: lock held; the claimer already moved the value and unlinked us.
        unsafe {
            let w = self.node.ptr().as_ptr();
            debug_assert_eq!((*w).phase, Phase::Claimed);
            (*w).phase = Phase::Done;
            (*w).exposed = false;
        }
    }

    #[inline]
    unsafe fn withdraw(self: Pin<&mut Self>, cx: &mut ArmCx<'_>) {
        let node = self.node.ptr();
        // SAFETY: lock held.
        unsafe {
            self.chan.with_state_locked(|st| {
                let w = node.as_ptr();
                match (*w).phase {
                    Phase::Linked => {
                        st.unlink_putter(node);
                        (*w).phase = Phase::Idle;
                        st.settle(cx.wakes());
                    }
                    // Claimed: the value was delivered; the put did happen.
                    Phase::Claimed => (*w).phase = Phase::Done,
                    _ => {}
                }
                (*w).exposed = false;
            })
        }
    }
}

impl<T, B: Buffer<T>, L: RawLock> Arm for PutOp<'_, T, B, L> {
    type Output = Result<(), Closed<T>>;

    fn take_output(self: Pin<&mut Self>) -> Result<(), Closed<T>> {
        // SAFETY: completed, so the node is in no list: we own it.
        unsafe {
            let w = self.node.ptr().as_ptr();
            match (*w).phase {
                Phase::Done => {
                    (*w).phase = Phase::Taken;
                    // Drop a value the buffer's policy discarded (outside any lock).
                    drop((*w).value.take());
                    Ok(())
                }
                Phase::Closed => {
                    (*w).phase = Phase::Taken;
                    match (*w).value.take() {
                        Some(v) => Err(Closed(v)),
                        None => unreachable!("csp: a put that failed keeps its value"),
                    }
                }
                _ => panic!("csp: the put has no result to take"),
            }
        }
    }
}

// ===== impl Put =====

/// The future of [`Chan::put`]: resolves to `Ok(())` once a getter (or the buffer) has
/// the value, or `Err(Closed(value))` if the channel was closed before the put queued.
/// Also an arm of [`select!`](crate::select!).
///
/// Cancel-safe: dropping it before it completes delivers nothing (the value is dropped
/// with the future); [`take_value`](Put::take_value) gets the value back instead.
///
/// # Examples
/// ```
/// use csp_core::Chan;
/// use csp_core::buffer::Fixed;
/// let ch: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
/// csp_core::block_on(ch.put(1)).unwrap();
/// drop(ch.put(2)); // never polled: delivers nothing
/// assert_eq!(ch.len(), 1);
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Put<'a, T, B = crate::buffer::Rendezvous, L = crate::lock::DefaultLock>
where
    B: Buffer<T>,
    L: RawLock,
{
    op: PutOp<'a, T, B, L>,
    selector: Selector,
}

impl<'a, T, B: Buffer<T>, L: RawLock> Put<'a, T, B, L> {
    pub(crate) fn new(chan: &'a Chan<T, B, L>, value: T) -> Self {
        Put {
            op: PutOp::new(chan, value),
            selector: Selector::for_plain_op(),
        }
    }

    fn project(self: Pin<&mut Self>) -> (Pin<&mut PutOp<'a, T, B, L>>, &Selector) {
        // SAFETY: structural pinning of `op`; `selector` is only ever used by reference.
        unsafe {
            let this = self.get_unchecked_mut();
            (Pin::new_unchecked(&mut this.op), &this.selector)
        }
    }

    /// Cancels the put if it has not happened and returns its value: `Some(v)` when
    /// the value was not delivered (never polled, lost a select, waiting, or refused by a
    /// closed channel), `None` when it was delivered or already taken back.
    ///
    /// This is how a losing put of a select gives its value back: pin the put, pass
    /// `put.as_mut()` as the arm, and call `take_value` after the select.
    ///
    /// # Examples
    /// ```
    /// use core::pin::pin;
    /// use csp_core::{select, Chan};
    /// use csp_core::buffer::Fixed;
    ///
    /// # csp_core::block_on(async {
    /// let full: Chan<String> = Chan::new(); // nobody takes from it
    /// let ready: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
    /// ready.try_put(1).unwrap();
    /// let mut put = pin!(full.put("precious".to_string()));
    /// select! {
    ///     r = put.as_mut() => unreachable!("no getter: {r:?}"),
    ///     v = ready.get() => assert_eq!(v, Some(1)),
    /// }
    /// assert_eq!(put.as_mut().take_value().as_deref(), Some("precious"));
    /// # });
    /// ```
    pub fn take_value(self: Pin<&mut Self>) -> Option<T> {
        // SAFETY: `take_value` withdraws (unlinks) before touching the node; nothing moves.
        let this = unsafe { self.get_unchecked_mut() };
        let v = this.op.take_value();
        // SAFETY: withdrawn, so nobody else reaches the selector; the put is finished,
        // so no waker will be registered again (see `Put`'s `Drop`).
        unsafe { this.selector.drop_waker() };
        v
    }

    /// Polls the put, except that a put still waiting when its channel is found closed
    /// is withdrawn and fails with its value (`Ok(())` if it was delivered just before).
    ///
    /// A plain put that is already waiting when the channel closes stays queued and still
    /// delivers; a producer whose consumer closed the channel to stop it would wait for a
    /// getter that never comes. The close wakes the waiting put, so polling it this way
    /// notices the close at once.
    ///
    /// # Examples
    /// ```
    /// use core::future::poll_fn;
    /// use core::pin::pin;
    /// use core::task::{Context, Poll, Waker};
    /// use csp_core::{Chan, Closed};
    ///
    /// let ch: Chan<u8> = Chan::new();
    /// let mut put = pin!(ch.put(7));
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(put.as_mut().poll_unless_closed(&mut cx).is_pending()); // waits for a getter
    /// ch.close(); // the consumer stops
    /// assert_eq!(put.as_mut().poll_unless_closed(&mut cx), Poll::Ready(Err(Closed(7))));
    ///
    /// // In a producer: `poll_fn` turns it into a future.
    /// let ch: Chan<u8> = Chan::new();
    /// ch.close();
    /// let mut put = pin!(ch.put(8));
    /// let r = csp_core::block_on(poll_fn(|cx| put.as_mut().poll_unless_closed(cx)));
    /// assert_eq!(r, Err(Closed(8)));
    /// ```
    pub fn poll_unless_closed(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), Closed<T>>> {
        match self.as_mut().poll(cx) {
            Poll::Pending if self.op.chan.is_closed() => Poll::Ready(match self.take_value() {
                Some(v) => Err(Closed(v)),
                // Delivered after all, just before it was withdrawn.
                None => Ok(()),
            }),
            other => other,
        }
    }
}

impl<T, B: Buffer<T>, L: RawLock> Future for Put<'_, T, B, L> {
    type Output = Result<(), Closed<T>>;

    // Always inlined, as `Get::poll`: a rendezvous put's poll was a function of its own,
    // whose register saves and restores cost 27 instructions per message in spsc/0.
    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: the node and selector stay in place; `poll_plain` never moves them.
        let this = unsafe { self.get_unchecked_mut() };
        this.op.poll_plain(&this.selector, cx)
    }
}

forward_arm!(Put, "PutOp", Result<(), Closed<T>>);
drop_plain!(Put, PutOp);

impl<T, B: Buffer<T>, L: RawLock> fmt::Debug for Put<'_, T, B, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Put")
            .field("phase", &self.op.phase())
            .finish_non_exhaustive()
    }
}

// ===== impl GetStream =====

/// The stream of [`Chan::stream`]: yields every value until the channel is closed and
/// drained. Cancel-safe like [`Get`].
///
/// # Examples
/// ```
/// use futures_core::FusedStream;
/// use csp_core::Chan;
/// let ch: Chan<u8> = Chan::new();
/// let s = ch.stream();
/// assert!(!s.is_terminated());
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct GetStream<'a, T, B = crate::buffer::Rendezvous, L = crate::lock::DefaultLock>
where
    B: Buffer<T>,
    L: RawLock,
{
    op: GetOp<'a, T, B, L>,
    selector: OwnedSelector,
    ended: bool,
}

impl<'a, T, B: Buffer<T>, L: RawLock> GetStream<'a, T, B, L> {
    pub(crate) fn new(chan: &'a Chan<T, B, L>) -> Self {
        GetStream {
            op: GetOp::new(chan),
            selector: OwnedSelector::new(),
            ended: false,
        }
    }
}

impl<T, B: Buffer<T>, L: RawLock> futures_core::Stream for GetStream<'_, T, B, L> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        // SAFETY: structural pinning of `op`; nothing is moved.
        let this = unsafe { self.get_unchecked_mut() };
        if this.ended {
            return Poll::Ready(None);
        }
        match this.op.poll_plain(&this.selector, cx) {
            Poll::Ready(item) => {
                // Completed: the node is in no list; make both reusable.
                this.op.reset();
                // SAFETY: no node of this selector is linked.
                unsafe { this.selector.reset() };
                this.ended = item.is_none();
                Poll::Ready(item)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T, B: Buffer<T>, L: RawLock> futures_core::FusedStream for GetStream<'_, T, B, L> {
    fn is_terminated(&self) -> bool {
        self.ended
    }
}

impl<T, B: Buffer<T>, L: RawLock> fmt::Debug for GetStream<'_, T, B, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetStream")
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}
