//! Broadcast: [`Dup`] (every value to every tap) and [`Pub`] (every value to the
//! subscribers of its topic). Needs `alloc` for the registries.
//!
//! # Implementation details
//! A handle (`Dup`/`Pub`, cheap to clone) and the driver (`run`) share a registry under
//! a lock, and a *signal* channel with a sliding buffer of one: every change to the
//! registry (tap, untap, close) puts `()` into it, which never waits and never piles up.
//!
//! For each value, the driver takes a snapshot of the outputs it goes to and puts a
//! clone into each of them **concurrently**, finishing only when every put has
//! completed (lockstep: a slow tap slows all). While the puts are pending it also
//! watches the signal: an output untapped meanwhile has its put cancelled (the value
//! was only that output's clone); a put refused because its output was closed removes
//! that output from the registry, and the others still get their clone. Taps added
//! meanwhile get the next value.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::future::{poll_fn, Future};
use core::task::Poll;

use csp_core::buffer::{Buffer, Sliding};
use csp_core::lock::RawLock;
use csp_core::{select, Chan};

use crate::options::panicking;
use crate::sync::{Locked, Outlet};

/// One registered output.
struct Entry<K, T> {
    /// Its topic (`()` for a `Dup`).
    key: K,
    /// The channel.
    out: Arc<dyn Outlet<T>>,
    /// Close it when the broadcast ends.
    close: bool,
}

/// What the handle and the driver share.
struct Shared<K, T> {
    /// The outputs, and whether `close` was called.
    state: Locked<(Vec<Entry<K, T>>, bool)>,
    /// Gets `()` on every change to `state`.
    signal: Chan<(), Sliding<(), 1>>,
}

impl<K, T> Shared<K, T> {
    fn new() -> Self {
        Shared {
            state: Locked::new((Vec::new(), false)),
            signal: Chan::with_buffer(Sliding::new()),
        }
    }

    fn change<R>(&self, f: impl FnOnce(&mut (Vec<Entry<K, T>>, bool)) -> R) -> R {
        let r = self.state.with(f);
        // A sliding buffer of one: never waits, never fails while open.
        let _ = self.signal.try_put(());
        r
    }

    fn add(&self, key: K, out: Arc<dyn Outlet<T>>, close: bool) {
        self.change(|(v, _)| v.push(Entry { key, out, close }));
    }

    fn remove(&self, mut pred: impl FnMut(&Entry<K, T>) -> bool) -> bool {
        self.change(|(v, _)| {
            let before = v.len();
            v.retain(|e| !pred(e));
            v.len() != before
        })
    }

    fn is_closed(&self) -> bool {
        self.state.with(|s| s.1)
    }

    fn targets(&self, key: &K) -> Vec<Arc<dyn Outlet<T>>>
    where
        K: PartialEq,
    {
        self.state.with(|(v, _)| {
            v.iter()
                .filter(|e| e.key == *key)
                .map(|e| Arc::clone(&e.out))
                .collect()
        })
    }

    fn still_there(&self, key: &K, out: &Arc<dyn Outlet<T>>) -> bool
    where
        K: PartialEq,
    {
        self.state.with(|(v, closed)| {
            !*closed
                && v.iter()
                    .any(|e| e.key == *key && e.out.addr() == out.addr())
        })
    }
}

/// Closes the outputs registered with `close` when the driver ends (all of them if
/// it ends by a panic).
struct EndGuard<'a, K, T>(&'a Shared<K, T>);

impl<K, T> Drop for EndGuard<'_, K, T> {
    fn drop(&mut self) {
        let all = panicking();
        let outs: Vec<_> = self.0.state.with(|(v, _)| {
            v.iter()
                .filter(|e| all || e.close)
                .map(|e| Arc::clone(&e.out))
                .collect()
        });
        for o in outs {
            o.close_chan();
        }
    }
}

/// The driver shared by `Dup` and `Pub`.
async fn broadcast<K, T, B, L, F>(shared: &Shared<K, T>, input: &Chan<T, B, L>, mut topic: F)
where
    K: PartialEq,
    T: Clone,
    B: Buffer<T>,
    L: RawLock,
    F: FnMut(&T) -> K,
{
    let _guard = EndGuard(shared);
    loop {
        // Wait for a value, or for `close`.
        let v = loop {
            if shared.is_closed() {
                return;
            }
            select! {
                biased;
                _ = shared.signal.get() => continue,
                v = input.get() => break v,
            }
        };
        let Some(v) = v else { return };
        let key = topic(&v);
        let targets = shared.targets(&key);
        if targets.is_empty() {
            continue; // nobody listens: aiochan drops the value too
        }
        // Lockstep delivery: one clone per target, all puts at once.
        let mut value = Some(v);
        let last = targets.len() - 1;
        let mut puts: Vec<_> = targets
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let x = if i == last {
                    value.take().expect("moved once")
                } else {
                    value.clone().expect("still here")
                };
                Some(o.put_boxed(x))
            })
            .collect();
        let mut signal = alloc::boxed::Box::pin(shared.signal.get());
        poll_fn(|cx| loop {
            let mut changed = false;
            if signal.as_mut().poll(cx).is_ready() {
                signal = alloc::boxed::Box::pin(shared.signal.get());
                changed = true;
                // Cancel the puts to outputs no longer registered (or all, if closed).
                for (i, p) in puts.iter_mut().enumerate() {
                    if p.is_some() && !shared.still_there(&key, &targets[i]) {
                        *p = None;
                    }
                }
            }
            for (i, p) in puts.iter_mut().enumerate() {
                let Some(fut) = p.as_mut() else { continue };
                match fut.as_mut().poll(cx) {
                    Poll::Ready(Ok(())) => *p = None,
                    Poll::Ready(Err(_refused_clone)) => {
                        // Closed mid-stream: forget it; the others still get theirs.
                        *p = None;
                        let addr = targets[i].addr();
                        shared.remove(|e| e.out.addr() == addr);
                    }
                    Poll::Pending => {}
                }
            }
            if puts.iter().all(Option::is_none) {
                return Poll::Ready(());
            }
            if !changed {
                return Poll::Pending;
            }
        })
        .await;
    }
}

// ===== impl Dup =====

/// Broadcasts every value of an input channel to all its *taps*, in lockstep (aiochan's
/// `Dup`): each value goes to every tap, and the next value is taken only when all taps
/// have theirs. With no taps, values are taken and dropped.
///
/// The handle is cheap to clone; [`run`](Dup::run) is the driver. A tap that is closed
/// mid-stream is removed, and the others still get the value. When the input ends (or
/// [`close`](Dup::close) is called, or the driver panics) the taps registered with
/// `close = true` are closed.
///
/// # Examples
/// ```
/// use std::sync::Arc;
/// use csp_core::Chan;
/// use csp_ops::{collect, Dup};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(4);
/// let (a, b) = (Arc::new(Chan::fixed(4)), Arc::new(Chan::fixed(4)));
/// let dup = Dup::new();
/// dup.tap(Arc::clone(&a), true);
/// dup.tap(Arc::clone(&b), true);
/// for i in 0..3 { input.try_put(i).unwrap(); }
/// input.close();
/// dup.run(&input).await;
/// assert_eq!(collect(&*a, None).await, [0, 1, 2]);
/// assert_eq!(collect(&*b, None).await, [0, 1, 2]);
/// # });
/// ```
pub struct Dup<T> {
    shared: Arc<Shared<(), T>>,
}

impl<T> Clone for Dup<T> {
    fn clone(&self) -> Self {
        Dup {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> fmt::Debug for Dup<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let taps = self.shared.state.with(|(v, _)| v.len());
        f.debug_struct("Dup").field("taps", &taps).finish()
    }
}

impl<T: Clone + Send + 'static> Default for Dup<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Clone + Send + 'static> Dup<T> {
    /// A broadcaster with no taps.
    ///
    /// # Examples
    /// ```
    /// let dup = csp_ops::Dup::<u32>::new();
    /// # let _ = dup;
    /// ```
    pub fn new() -> Self {
        Dup {
            shared: Arc::new(Shared::new()),
        }
    }

    /// Adds `out` as a tap; from the next value on it gets every value. With `close`,
    /// it is closed when the broadcast ends.
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// let dup = csp_ops::Dup::new();
    /// dup.tap(Arc::new(csp_core::Chan::<u32>::new()), true);
    /// ```
    pub fn tap<B, L>(&self, out: Arc<Chan<T, B, L>>, close: bool)
    where
        B: Buffer<T> + Send + 'static,
        L: RawLock + Send + Sync + 'static,
    {
        self.shared.add((), out, close);
    }

    /// Removes the tap `out` (not closing it); a put to it in progress is cancelled.
    /// Returns whether it was a tap.
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// let dup = csp_ops::Dup::new();
    /// let out = Arc::new(csp_core::Chan::<u32>::new());
    /// dup.tap(Arc::clone(&out), true);
    /// assert!(dup.untap(&out));
    /// assert!(!dup.untap(&out));
    /// ```
    pub fn untap<B, L>(&self, out: &Chan<T, B, L>) -> bool
    where
        B: Buffer<T>,
        L: RawLock,
    {
        let addr = out as *const Chan<T, B, L> as *const ();
        self.shared.remove(|e| e.out.addr() == addr)
    }

    /// Removes every tap.
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// let dup = csp_ops::Dup::new();
    /// dup.tap(Arc::new(csp_core::Chan::<u32>::new()), true);
    /// dup.untap_all();
    /// assert!(format!("{dup:?}").contains("taps: 0"));
    /// ```
    pub fn untap_all(&self) {
        self.shared.remove(|_| true);
    }

    /// Stops the driver: it takes no more values (a delivery in progress is cancelled)
    /// and closes the taps registered with `close`. The input is not closed.
    ///
    /// # Examples
    /// ```
    /// let dup = csp_ops::Dup::<u32>::new();
    /// let input: csp_core::Chan<u32> = csp_core::Chan::new(); // never closed
    /// dup.close();
    /// csp_core::block_on(dup.run(&input)); // returns at once
    /// ```
    pub fn close(&self) {
        self.shared.change(|s| s.1 = true);
    }

    /// The driver: broadcasts the values of `input` until it is closed and drained or
    /// [`close`](Dup::close) is called.
    ///
    /// # Examples
    /// The driver runs beside the code that feeds it, until `close`:
    /// ```
    /// use std::sync::Arc;
    /// use csp_core::Chan;
    /// use csp_ops::Dup;
    ///
    /// # csp_core::block_on(async {
    /// let input: Chan<u32> = Chan::new(); // stays open
    /// let tap = Arc::new(Chan::fixed(4));
    /// let dup = Dup::new();
    /// dup.tap(Arc::clone(&tap), true);
    /// let feed = async {
    ///     input.put(1).await.unwrap();
    ///     input.put(2).await.unwrap();
    ///     assert_eq!(tap.get().await, Some(1));
    ///     assert_eq!(tap.get().await, Some(2));
    ///     dup.close();
    /// };
    /// futures_lite::future::zip(dup.run(&input), feed).await;
    /// assert!(tap.is_closed()); // tapped with `close = true`
    /// assert!(!input.is_closed());
    /// # });
    /// ```
    pub async fn run<B, L>(&self, input: &Chan<T, B, L>)
    where
        B: Buffer<T>,
        L: RawLock,
    {
        broadcast(&self.shared, input, |_| ()).await
    }
}

// ===== impl Pub =====

/// Publish/subscribe (aiochan's `Pub`): each value of the input goes, in lockstep, to
/// the subscribers of its topic (computed by the driver's topic function). Values of a
/// topic nobody subscribes to are dropped.
///
/// Otherwise it behaves as [`Dup`]: closed subscribers are removed without loss for
/// the others, and subscribers registered with `close` are closed at the end.
///
/// # Examples
/// ```
/// use std::sync::Arc;
/// use csp_core::Chan;
/// use csp_ops::{collect, Pub};
///
/// # csp_core::block_on(async {
/// let input = Chan::fixed(8);
/// let (even, odd) = (Arc::new(Chan::fixed(8)), Arc::new(Chan::fixed(8)));
/// let publisher = Pub::new();
/// publisher.sub(true, Arc::clone(&even), true);
/// publisher.sub(false, Arc::clone(&odd), true);
/// for i in 0..5 { input.try_put(i).unwrap(); }
/// input.close();
/// publisher.run(&input, |x| x % 2 == 0).await;
/// assert_eq!(collect(&*even, None).await, [0, 2, 4]);
/// assert_eq!(collect(&*odd, None).await, [1, 3]);
/// # });
/// ```
pub struct Pub<K, T> {
    shared: Arc<Shared<K, T>>,
}

impl<K, T> Clone for Pub<K, T> {
    fn clone(&self) -> Self {
        Pub {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<K, T> fmt::Debug for Pub<K, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subs = self.shared.state.with(|(v, _)| v.len());
        f.debug_struct("Pub").field("subscriptions", &subs).finish()
    }
}

impl<K: PartialEq + Send + 'static, T: Clone + Send + 'static> Default for Pub<K, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: PartialEq + Send + 'static, T: Clone + Send + 'static> Pub<K, T> {
    /// A publisher with no subscribers.
    ///
    /// # Examples
    /// ```
    /// let p = csp_ops::Pub::<&str, u32>::new();
    /// # let _ = p;
    /// ```
    pub fn new() -> Self {
        Pub {
            shared: Arc::new(Shared::new()),
        }
    }

    /// Subscribes `out` to `topic`. With `close`, `out` is closed when the publisher
    /// ends.
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// let p = csp_ops::Pub::new();
    /// p.sub("news", Arc::new(csp_core::Chan::<u32>::new()), true);
    /// ```
    pub fn sub<B, L>(&self, topic: K, out: Arc<Chan<T, B, L>>, close: bool)
    where
        B: Buffer<T> + Send + 'static,
        L: RawLock + Send + Sync + 'static,
    {
        self.shared.add(topic, out, close);
    }

    /// Unsubscribes `out` from `topic` (not closing it). Returns whether it was
    /// subscribed.
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// let p = csp_ops::Pub::new();
    /// let out = Arc::new(csp_core::Chan::<u32>::new());
    /// p.sub("news", Arc::clone(&out), true);
    /// assert!(!p.unsub(&"sports", &out));
    /// assert!(p.unsub(&"news", &out));
    /// ```
    pub fn unsub<B, L>(&self, topic: &K, out: &Chan<T, B, L>) -> bool
    where
        B: Buffer<T>,
        L: RawLock,
    {
        let addr = out as *const Chan<T, B, L> as *const ();
        self.shared
            .remove(|e| e.key == *topic && e.out.addr() == addr)
    }

    /// Removes every subscription of `topic`, or of every topic when `topic` is
    /// `None`.
    ///
    /// # Examples
    /// ```
    /// use std::sync::Arc;
    /// let p = csp_ops::Pub::new();
    /// p.sub("news", Arc::new(csp_core::Chan::<u32>::new()), true);
    /// p.unsub_all(Some(&"news"));
    /// p.unsub_all(None);
    /// assert!(format!("{p:?}").contains("subscriptions: 0"));
    /// ```
    pub fn unsub_all(&self, topic: Option<&K>) {
        self.shared.remove(|e| topic.is_none_or(|t| e.key == *t));
    }

    /// Stops the driver (as [`Dup::close`]).
    ///
    /// # Examples
    /// ```
    /// let p = csp_ops::Pub::<bool, u32>::new();
    /// let input: csp_core::Chan<u32> = csp_core::Chan::new();
    /// p.close();
    /// csp_core::block_on(p.run(&input, |x| x % 2 == 0));
    /// ```
    pub fn close(&self) {
        self.shared.change(|s| s.1 = true);
    }

    /// The driver: publishes the values of `input` under `topic(&value)` until `input`
    /// is closed and drained or [`close`](Pub::close) is called.
    ///
    /// # Examples
    /// Topics by first letter; values of a topic nobody subscribes to are dropped:
    /// ```
    /// use std::sync::Arc;
    /// use csp_core::Chan;
    /// use csp_ops::{collect, Pub};
    ///
    /// # csp_core::block_on(async {
    /// let input = Chan::fixed(4);
    /// for w in ["apple", "kiwi", "avocado", "fig"] { input.try_put(w).unwrap(); }
    /// input.close();
    /// let a_words = Arc::new(Chan::fixed(4));
    /// let publisher = Pub::new();
    /// publisher.sub('a', Arc::clone(&a_words), true);
    /// publisher.run(&input, |w| w.chars().next().unwrap()).await; // input drained
    /// assert_eq!(collect(&*a_words, None).await, ["apple", "avocado"]);
    /// # });
    /// ```
    pub async fn run<B, L, F>(&self, input: &Chan<T, B, L>, topic: F)
    where
        B: Buffer<T>,
        L: RawLock,
        F: FnMut(&T) -> K,
    {
        broadcast(&self.shared, input, topic).await
    }
}
