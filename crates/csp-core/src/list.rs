//! An intrusive, doubly linked FIFO list.
//!
//! The list knows nothing about channels, wakers or values. It links nodes that live
//! somewhere else (for us, inside pinned futures) through [`Pointers`] embedded in each
//! node; the [`Link`] trait tells it where those pointers are.
//!
//! # Invariants
//! - `head` is `None` exactly when `tail` is `None`; otherwise `tail` has no `next`, and
//!   following `next` from `head` reaches `tail`, visiting every linked node once; the
//!   `prev` of every node but the head is the mirror of `next`. The head's `prev` is
//!   never read, and may be stale (see [`List::remove`]).
//! - A node is in at most one list at a time; its pointers are only read or written by
//!   the owner of that list (for us: while holding the channel's lock).
//! - A linked node stays at the same address until it is removed (it is pinned, and its
//!   owner removes it in `Drop` before the memory goes away).

use core::ptr::NonNull;

/// The links of a node. Embedded in the node; reached only through raw pointers, so
/// that holding a reference to the node never claims its neighbours.
#[derive(Debug)]
pub(crate) struct Pointers<N> {
    prev: Option<NonNull<N>>,
    next: Option<NonNull<N>>,
}

impl<N> Pointers<N> {
    pub(crate) const fn new() -> Self {
        Pointers {
            prev: None,
            next: None,
        }
    }
}

/// Where a node's [`Pointers`] are.
///
/// # Safety
/// `pointers` must return a pointer to a `Pointers<Self>` inside the node that `node`
/// points to, valid for as long as the node is.
pub(crate) unsafe trait Link: Sized {
    /// Returns the pointers embedded in the node.
    ///
    /// # Safety
    /// `node` points to a live node.
    unsafe fn pointers(node: NonNull<Self>) -> NonNull<Pointers<Self>>;
}

/// The list head: first and last node.
pub(crate) struct List<N: Link> {
    head: Option<NonNull<N>>,
    tail: Option<NonNull<N>>,
}

impl<N: Link> core::fmt::Debug for List<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("List")
            .field("head", &self.head)
            .field("tail", &self.tail)
            .finish()
    }
}

/// Reads the `next` pointer of a node.
///
/// # Safety
/// `node` is live and the caller may access the list it is in.
#[inline]
pub(crate) unsafe fn next<N: Link>(node: NonNull<N>) -> Option<NonNull<N>> {
    // SAFETY: the caller guarantees `node` is live and its links are ours to read.
    unsafe { (*N::pointers(node).as_ptr()).next }
}

impl<N: Link> List<N> {
    pub(crate) const fn new() -> Self {
        List {
            head: None,
            tail: None,
        }
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    #[inline]
    pub(crate) fn head(&self) -> Option<NonNull<N>> {
        self.head
    }

    /// Appends `node` at the back.
    ///
    /// # Safety
    /// `node` is live, is in no list, and stays at its address until removed.
    pub(crate) unsafe fn push_back(&mut self, node: NonNull<N>) {
        // SAFETY: the caller guarantees `node` is live and unlinked; `tail`, if any, is a
        // live member of this list (list invariant).
        unsafe {
            let ptrs = N::pointers(node).as_ptr();
            (*ptrs).next = None;
            (*ptrs).prev = self.tail;
            match self.tail {
                Some(tail) => (*N::pointers(tail).as_ptr()).next = Some(node),
                None => self.head = Some(node),
            }
        }
        self.tail = Some(node);
    }

    /// Unlinks `node`.
    ///
    /// The head's `prev` is never read, so unlinking the head leaves the new head's
    /// `prev` stale instead of writing it: removing the head, which is how most waiters
    /// leave a queue (the first claimable one is served), touches no other node. On a
    /// multi-threaded runtime the next node usually sits in another task's future, last
    /// written on another core, and the write cost a transfer of that cache line
    /// inside the channel's critical section. The removed node's own pointers are left
    /// as they were: `push_back` writes both before they are read again.
    ///
    /// # Safety
    /// `node` is live and is a member of this list.
    pub(crate) unsafe fn remove(&mut self, node: NonNull<N>) {
        // SAFETY: `node` is a member (caller), so its neighbours are live members too,
        // and a member other than the head has a valid `prev` (list invariant).
        unsafe {
            let ptrs = N::pointers(node).as_ptr();
            let next = (*ptrs).next;
            if self.head == Some(node) {
                self.head = next;
                if next.is_none() {
                    debug_assert_eq!(self.tail, Some(node));
                    self.tail = None;
                }
                return;
            }
            let Some(prev) = (*ptrs).prev else {
                unreachable!("csp: a list member other than the head has a predecessor")
            };
            debug_assert_eq!((*N::pointers(prev).as_ptr()).next, Some(node));
            (*N::pointers(prev).as_ptr()).next = next;
            match next {
                Some(n) => {
                    debug_assert_eq!((*N::pointers(n).as_ptr()).prev, Some(node));
                    (*N::pointers(n).as_ptr()).prev = Some(prev);
                }
                None => {
                    debug_assert_eq!(self.tail, Some(node));
                    self.tail = Some(prev);
                }
            }
        }
    }
}

impl<N: Link> Drop for List<N> {
    fn drop(&mut self) {
        // Every node removes itself before it goes away, and a channel cannot be
        // dropped while a future borrowing it is alive.
        debug_assert!(self.is_empty(), "list dropped with nodes still linked");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::boxed::Box;
    use std::collections::VecDeque;
    use std::vec::Vec;

    struct Item {
        ptrs: Pointers<Item>,
        id: usize,
    }

    // SAFETY: `pointers` projects to the `ptrs` field of the pointed-to `Item`.
    unsafe impl Link for Item {
        unsafe fn pointers(node: NonNull<Self>) -> NonNull<Pointers<Self>> {
            // SAFETY: `node` is live (caller); `addr_of_mut!` makes no reference.
            unsafe { NonNull::new_unchecked(core::ptr::addr_of_mut!((*node.as_ptr()).ptrs)) }
        }
    }

    fn collect(list: &List<Item>) -> Vec<usize> {
        let mut out = Vec::new();
        let mut cur = list.head();
        while let Some(n) = cur {
            // SAFETY: every node in the list is a live `Box` owned by the test.
            unsafe {
                out.push((*n.as_ptr()).id);
                cur = next(n);
            }
        }
        out
    }

    /// A list driven by a pseudo-random program agrees with a `VecDeque` model.
    #[test]
    fn matches_a_vecdeque_model() {
        let nodes: Vec<NonNull<Item>> = (0..16)
            .map(|id| {
                NonNull::from(Box::leak(Box::new(Item {
                    ptrs: Pointers::new(),
                    id,
                })))
            })
            .collect();
        let mut linked = [false; 16];
        let mut list = List::<Item>::new();
        let mut model: VecDeque<usize> = VecDeque::new();
        let mut seed: u32 = 0x9e37_79b9;
        let steps = if cfg!(miri) { 300 } else { 20_000 };
        for _ in 0..steps {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let id = (seed >> 8) as usize % 16;
            // SAFETY: nodes are live boxes; `linked` tracks membership exactly.
            unsafe {
                if linked[id] {
                    list.remove(nodes[id]);
                    model.retain(|&x| x != id);
                } else {
                    list.push_back(nodes[id]);
                    model.push_back(id);
                }
            }
            linked[id] = !linked[id];
            assert_eq!(collect(&list), model.iter().copied().collect::<Vec<_>>());
            assert_eq!(list.is_empty(), model.is_empty());
        }
        for (id, &n) in nodes.iter().enumerate() {
            // SAFETY: as above; each box is freed once, after it is unlinked.
            unsafe {
                if linked[id] {
                    list.remove(n);
                }
                drop(Box::from_raw(n.as_ptr()));
            }
        }
    }
}
