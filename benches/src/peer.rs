//! The channel crates under test, behind one small async trait ([`Peer`]) and one
//! blocking trait ([`SyncPeer`]).
//!
//! Every peer hands the workloads its own send and receive futures, unwrapped: the
//! workload awaits them in its own task and reads their outputs through [`Sent`] and
//! [`Received`], so no peer pays for a layer of future the others do not. csp has no
//! sender handles; [`CspTx`] adds a sender count that closes the channel when the last
//! clone drops, which is what the other crates do inside their handles (one atomic per
//! clone and drop, nothing per message).

// Every method spells out the `Send` bound of the trait, the same way for every peer.
#![expect(
    clippy::manual_async_fn,
    reason = "uniform `impl Future + Send` signatures"
)]

use crate::Tally;
use core::future::Future;
use core::marker::PhantomData;
use csp_core::buffer::{Buffer, DynFixed, Rendezvous};
use csp_core::Chan;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// What a send's future resolves to, as the workloads read it.
pub trait Sent {
    /// Whether the value went (false: the channel was closed).
    fn sent(self) -> bool;
}

impl<E> Sent for Result<(), E> {
    #[inline]
    fn sent(self) -> bool {
        self.is_ok()
    }
}

/// What a receive's future resolves to, as the workloads read it.
pub trait Received {
    /// The value, or `None` once the channel is closed and drained.
    fn value(self) -> Option<u64>;
}

impl Received for Option<u64> {
    #[inline]
    fn value(self) -> Option<u64> {
        self
    }
}

impl<E> Received for Result<u64, E> {
    #[inline]
    fn value(self) -> Option<u64> {
        self.ok()
    }
}

/// An async channel crate, as the workloads use it.
pub trait Peer: 'static {
    /// The name in tables.
    const NAME: &'static str;
    /// A sending handle; clones share the channel, and the channel closes for receivers
    /// when the last one drops.
    type Tx: Clone + Send + 'static;
    /// A receiving handle.
    type Rx: Send + 'static;

    /// A channel of `cap` slots, or the closest the crate has
    /// ([`Cell::note`](crate::Cell::note) says which).
    fn channel(cap: usize) -> (Self::Tx, Self::Rx);
    /// Sends `v`: the crate's own future, read with [`Sent::sent`] (false if the
    /// channel is closed).
    fn send(tx: &mut Self::Tx, v: u64) -> impl Future<Output = impl Sent> + Send + '_;
    /// Receives a value: the crate's own future, read with [`Received::value`] (`None`
    /// once the channel is closed and drained).
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = impl Received> + Send + '_;
    /// Another receiver of the same channel, or `None` for single-consumer crates.
    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx>;
    /// Closes the channel from the receiving side (senders fail from now on).
    fn close_rx(rx: Self::Rx) {
        drop(rx);
    }

    /// Sends each of `values` with a select over all of `txs` and returns the tally of
    /// what was sent; `None` if the crate has no select over sends.
    fn select_send(
        txs: Vec<Self::Tx>,
        values: core::ops::Range<u64>,
    ) -> Option<impl Future<Output = Tally> + Send + 'static> {
        let _ = (txs, values);
        None::<core::future::Ready<Tally>>
    }

    /// Receives from `rxs` (2 or 4) with a select until all are closed.
    fn select_recv(rxs: Vec<Self::Rx>) -> impl Future<Output = Tally> + Send {
        async move {
            let mut t = Tally::default();
            match <[Self::Rx; 2]>::try_from(rxs) {
                Ok([mut r0, mut r1]) => {
                    let mut open = [true; 2];
                    while open.iter().any(|o| *o) {
                        tokio::select! {
                            v = Self::recv(&mut r0), if open[0] => t.take(v.value(), &mut open[0]),
                            v = Self::recv(&mut r1), if open[1] => t.take(v.value(), &mut open[1]),
                        }
                    }
                }
                Err(rxs) => {
                    let Ok([mut r0, mut r1, mut r2, mut r3]) = <[Self::Rx; 4]>::try_from(rxs)
                    else {
                        panic!("select over 2 or 4 receivers only");
                    };
                    let mut open = [true; 4];
                    while open.iter().any(|o| *o) {
                        tokio::select! {
                            v = Self::recv(&mut r0), if open[0] => t.take(v.value(), &mut open[0]),
                            v = Self::recv(&mut r1), if open[1] => t.take(v.value(), &mut open[1]),
                            v = Self::recv(&mut r2), if open[2] => t.take(v.value(), &mut open[2]),
                            v = Self::recv(&mut r3), if open[3] => t.take(v.value(), &mut open[3]),
                        }
                    }
                }
            }
            t
        }
    }

    /// Receives from `data` until it closes, in a select that also takes from `tick`
    /// (which a ticker keeps ready), so about half of the data receives lose their
    /// race and are cancelled. Closes `tick` at the end; returns the data tally.
    fn select_cancel(mut data: Self::Rx, mut tick: Self::Rx) -> impl Future<Output = Tally> + Send {
        async move {
            let mut t = Tally::default();
            let mut ticks = Tally::default();
            let (mut open, mut tick_open) = (true, true);
            while open {
                tokio::select! {
                    v = Self::recv(&mut data) => t.take(v.value(), &mut open),
                    v = Self::recv(&mut tick), if tick_open => ticks.take(v.value(), &mut tick_open),
                }
            }
            Self::close_rx(tick);
            t
        }
    }
}

/// The buffers csp uses here: [`Rendezvous`] for capacity 0, [`DynFixed`] otherwise.
pub trait CspBuffer: Buffer<u64> + Send + Sync + 'static {
    /// A channel of capacity `cap`.
    fn make(cap: usize) -> Chan<u64, Self>
    where
        Self: Sized;
}

impl CspBuffer for Rendezvous {
    fn make(cap: usize) -> Chan<u64, Self> {
        assert_eq!(cap, 0);
        Chan::new()
    }
}

impl CspBuffer for DynFixed<u64> {
    fn make(cap: usize) -> Chan<u64, Self> {
        Chan::fixed(cap)
    }
}

/// A csp channel with a count of [`CspTx`] handles.
#[derive(Debug)]
pub struct CspShared<B: CspBuffer> {
    /// The channel.
    pub chan: Chan<u64, B>,
    senders: AtomicUsize,
}

/// A counted sending handle of a csp channel: the last one to drop closes the channel.
#[derive(Debug)]
pub struct CspTx<B: CspBuffer>(pub Arc<CspShared<B>>);

impl<B: CspBuffer> Clone for CspTx<B> {
    fn clone(&self) -> Self {
        self.0.senders.fetch_add(1, Ordering::Relaxed);
        Self(self.0.clone())
    }
}

impl<B: CspBuffer> Drop for CspTx<B> {
    fn drop(&mut self) {
        if self.0.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.chan.close();
        }
    }
}

/// csp with buffer `B` ([`Csp0`] rendezvous, [`CspN`] fixed).
#[derive(Debug)]
pub struct Csp<B>(PhantomData<B>);
/// csp, rendezvous.
pub type Csp0 = Csp<Rendezvous>;
/// csp, fixed buffer of run-time capacity.
pub type CspN = Csp<DynFixed<u64>>;

/// A csp channel with one counted sender.
pub fn csp_channel<B: CspBuffer>(cap: usize) -> (CspTx<B>, Arc<CspShared<B>>) {
    let shared = Arc::new(CspShared {
        chan: B::make(cap),
        senders: AtomicUsize::new(1),
    });
    (CspTx(shared.clone()), shared)
}

fn csp_take(t: &mut Tally, v: Option<u64>, open: &mut bool) {
    t.take(v, open)
}

impl<B: CspBuffer> Peer for Csp<B> {
    const NAME: &'static str = "csp";
    type Tx = CspTx<B>;
    type Rx = Arc<CspShared<B>>;

    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        csp_channel(cap)
    }
    fn send(tx: &mut Self::Tx, v: u64) -> impl Future<Output = impl Sent> + Send + '_ {
        tx.0.chan.put(v)
    }
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = impl Received> + Send + '_ {
        rx.chan.get()
    }
    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx> {
        Some(rx.clone())
    }
    fn select_send(
        txs: Vec<Self::Tx>,
        values: core::ops::Range<u64>,
    ) -> Option<impl Future<Output = Tally> + Send + 'static> {
        Some(async move { csp_select_send(&txs, values).await })
    }

    fn select_recv(rxs: Vec<Self::Rx>) -> impl Future<Output = Tally> + Send {
        async move {
            let mut t = Tally::default();
            if let [r0, r1] = &rxs[..] {
                let mut open = [true; 2];
                while open[0] || open[1] {
                    csp_core::select! {
                        v = r0.chan.get(), if open[0] => csp_take(&mut t, v, &mut open[0]),
                        v = r1.chan.get(), if open[1] => csp_take(&mut t, v, &mut open[1]),
                    }
                }
            } else if let [r0, r1, r2, r3] = &rxs[..] {
                let mut open = [true; 4];
                while open.iter().any(|o| *o) {
                    csp_core::select! {
                        v = r0.chan.get(), if open[0] => csp_take(&mut t, v, &mut open[0]),
                        v = r1.chan.get(), if open[1] => csp_take(&mut t, v, &mut open[1]),
                        v = r2.chan.get(), if open[2] => csp_take(&mut t, v, &mut open[2]),
                        v = r3.chan.get(), if open[3] => csp_take(&mut t, v, &mut open[3]),
                    }
                }
            } else {
                panic!("select over 2 or 4 receivers only");
            }
            t
        }
    }

    fn select_cancel(data: Self::Rx, tick: Self::Rx) -> impl Future<Output = Tally> + Send {
        async move {
            let mut t = Tally::default();
            let mut ticks = Tally::default();
            let (mut open, mut tick_open) = (true, true);
            while open {
                csp_core::select! {
                    v = data.chan.get() => csp_take(&mut t, v, &mut open),
                    v = tick.chan.get(), if tick_open => csp_take(&mut ticks, v, &mut tick_open),
                }
            }
            // A put already waiting when the channel closes still delivers (csp's close
            // semantics), so take it: the ticker may be blocked in it.
            tick.chan.close();
            while tick.chan.get().await.is_some() {}
            t
        }
    }
}

/// kanal (async API).
#[cfg(feature = "peers")]
#[derive(Debug)]
pub struct Kanal;
#[cfg(feature = "peers")]
impl Peer for Kanal {
    const NAME: &'static str = "kanal";
    type Tx = kanal::AsyncSender<u64>;
    type Rx = kanal::AsyncReceiver<u64>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        kanal::bounded_async(cap)
    }
    fn send(tx: &mut Self::Tx, v: u64) -> impl Future<Output = impl Sent> + Send + '_ {
        tx.send(v)
    }
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = impl Received> + Send + '_ {
        rx.recv()
    }
    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx> {
        Some(rx.clone())
    }
}

/// flume (async API).
#[cfg(feature = "peers")]
#[derive(Debug)]
pub struct Flume;
#[cfg(feature = "peers")]
impl Peer for Flume {
    const NAME: &'static str = "flume";
    type Tx = flume::Sender<u64>;
    type Rx = flume::Receiver<u64>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        flume::bounded(cap)
    }
    fn send(tx: &mut Self::Tx, v: u64) -> impl Future<Output = impl Sent> + Send + '_ {
        tx.send_async(v)
    }
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = impl Received> + Send + '_ {
        rx.recv_async()
    }
    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx> {
        Some(rx.clone())
    }
}

/// async-channel (no rendezvous: capacity 0 runs as 1).
#[cfg(feature = "peers")]
#[derive(Debug)]
pub struct AsyncChannel;
#[cfg(feature = "peers")]
impl Peer for AsyncChannel {
    const NAME: &'static str = "async-channel";
    type Tx = async_channel::Sender<u64>;
    type Rx = async_channel::Receiver<u64>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        async_channel::bounded(cap.max(1))
    }
    fn send(tx: &mut Self::Tx, v: u64) -> impl Future<Output = impl Sent> + Send + '_ {
        tx.send(v)
    }
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = impl Received> + Send + '_ {
        rx.recv()
    }
    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx> {
        Some(rx.clone())
    }
}

/// tokio::sync::mpsc (single consumer; no rendezvous: capacity 0 runs as 1).
#[cfg(feature = "peers")]
#[derive(Debug)]
pub struct TokioMpsc;
#[cfg(feature = "peers")]
impl Peer for TokioMpsc {
    const NAME: &'static str = "tokio-mpsc";
    type Tx = tokio::sync::mpsc::Sender<u64>;
    type Rx = tokio::sync::mpsc::Receiver<u64>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        tokio::sync::mpsc::channel(cap.max(1))
    }
    fn send(tx: &mut Self::Tx, v: u64) -> impl Future<Output = impl Sent> + Send + '_ {
        tx.send(v)
    }
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = impl Received> + Send + '_ {
        rx.recv()
    }
    fn clone_rx(_: &Self::Rx) -> Option<Self::Rx> {
        None
    }
}

/// futures::channel::mpsc (single consumer; its capacity is `cap` plus one slot per
/// sender, so capacity 0 is one slot per sender).
#[cfg(feature = "peers")]
#[derive(Debug)]
pub struct FuturesMpsc;
#[cfg(feature = "peers")]
impl Peer for FuturesMpsc {
    const NAME: &'static str = "futures-mpsc";
    type Tx = futures::channel::mpsc::Sender<u64>;
    type Rx = futures::channel::mpsc::Receiver<u64>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        futures::channel::mpsc::channel(cap)
    }
    fn send(tx: &mut Self::Tx, v: u64) -> impl Future<Output = impl Sent> + Send + '_ {
        futures::SinkExt::send(tx, v)
    }
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = impl Received> + Send + '_ {
        futures::StreamExt::next(rx)
    }
    fn clone_rx(_: &Self::Rx) -> Option<Self::Rx> {
        None
    }
    fn close_rx(mut rx: Self::Rx) {
        rx.close();
    }
}

/// A channel crate used from plain threads.
pub trait SyncPeer: 'static {
    /// The name in tables.
    const NAME: &'static str;
    /// A sending handle (the last clone to drop closes the channel).
    type Tx: Clone + Send + 'static;
    /// A receiving handle.
    type Rx: Clone + Send + 'static;
    /// A channel of `cap` slots (0: rendezvous).
    fn channel(cap: usize) -> (Self::Tx, Self::Rx);
    /// Sends `v`, blocking; false if closed.
    fn send(tx: &Self::Tx, v: u64) -> bool;
    /// Receives, blocking; `None` once closed and drained.
    fn recv(rx: &Self::Rx) -> Option<u64>;
    /// Receives from all of `rxs` with a select until all are closed.
    fn select_recv(rxs: &[Self::Rx]) -> Tally;
    /// Sends `values` one by one, each with a select over all of `txs`; the tally of
    /// what was sent.
    fn select_send(txs: &[Self::Tx], values: core::ops::Range<u64>) -> Tally;
    /// As [`Peer::select_cancel`].
    fn select_cancel(data: &Self::Rx, tick: Self::Rx) -> Tally;
}

/// crossbeam-channel, the reference for plain threads.
#[cfg(feature = "peers")]
#[derive(Debug)]
pub struct Crossbeam;
#[cfg(feature = "peers")]
impl SyncPeer for Crossbeam {
    const NAME: &'static str = "crossbeam";
    type Tx = crossbeam_channel::Sender<u64>;
    type Rx = crossbeam_channel::Receiver<u64>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        crossbeam_channel::bounded(cap)
    }
    fn send(tx: &Self::Tx, v: u64) -> bool {
        tx.send(v).is_ok()
    }
    fn recv(rx: &Self::Rx) -> Option<u64> {
        rx.recv().ok()
    }
    fn select_recv(rxs: &[Self::Rx]) -> Tally {
        let mut t = Tally::default();
        let mut sel = crossbeam_channel::Select::new();
        for r in rxs {
            sel.recv(r);
        }
        let mut open = rxs.len();
        while open > 0 {
            let op = sel.select();
            let i = op.index();
            match op.recv(&rxs[i]) {
                Ok(v) => t.add(v),
                Err(_) => {
                    sel.remove(i);
                    open -= 1;
                }
            }
        }
        t
    }
    fn select_send(txs: &[Self::Tx], values: core::ops::Range<u64>) -> Tally {
        let mut t = Tally::default();
        let mut sel = crossbeam_channel::Select::new();
        for s in txs {
            sel.send(s);
        }
        for v in values {
            let op = sel.select();
            let i = op.index();
            if op.send(&txs[i], v).is_ok() {
                t.add(v);
            }
        }
        t
    }
    fn select_cancel(data: &Self::Rx, tick: Self::Rx) -> Tally {
        let mut t = Tally::default();
        let mut tick_open = true;
        loop {
            let never = crossbeam_channel::never();
            let tick_rx = if tick_open { &tick } else { &never };
            crossbeam_channel::select! {
                recv(data) -> v => match v {
                    Ok(v) => t.add(v),
                    Err(_) => break,
                },
                recv(tick_rx) -> v => tick_open = v.is_ok(),
            }
        }
        drop(tick);
        t
    }
}

impl<B: CspBuffer> SyncPeer for Csp<B> {
    const NAME: &'static str = "csp";
    type Tx = CspTx<B>;
    type Rx = Arc<CspShared<B>>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        csp_channel(cap)
    }
    fn send(tx: &Self::Tx, v: u64) -> bool {
        tx.0.chan.put_blocking(v).is_ok()
    }
    fn recv(rx: &Self::Rx) -> Option<u64> {
        rx.chan.get_blocking()
    }
    fn select_recv(rxs: &[Self::Rx]) -> Tally {
        let mut t = Tally::default();
        if let [r0, r1] = rxs {
            let mut open = [true; 2];
            while open[0] || open[1] {
                csp_core::select_blocking! {
                    v = r0.chan.get(), if open[0] => csp_take(&mut t, v, &mut open[0]),
                    v = r1.chan.get(), if open[1] => csp_take(&mut t, v, &mut open[1]),
                }
            }
        } else if let [r0, r1, r2, r3] = rxs {
            let mut open = [true; 4];
            while open.iter().any(|o| *o) {
                csp_core::select_blocking! {
                    v = r0.chan.get(), if open[0] => csp_take(&mut t, v, &mut open[0]),
                    v = r1.chan.get(), if open[1] => csp_take(&mut t, v, &mut open[1]),
                    v = r2.chan.get(), if open[2] => csp_take(&mut t, v, &mut open[2]),
                    v = r3.chan.get(), if open[3] => csp_take(&mut t, v, &mut open[3]),
                }
            }
        } else {
            panic!("select over 2 or 4 receivers only");
        }
        t
    }
    fn select_send(txs: &[Self::Tx], values: core::ops::Range<u64>) -> Tally {
        csp_core::block_on(csp_select_send(txs, values))
    }
    fn select_cancel(data: &Self::Rx, tick: Self::Rx) -> Tally {
        let mut t = Tally::default();
        let mut ticks = Tally::default();
        let (mut open, mut tick_open) = (true, true);
        while open {
            csp_core::select_blocking! {
                v = data.chan.get() => csp_take(&mut t, v, &mut open),
                v = tick.chan.get(), if tick_open => csp_take(&mut ticks, v, &mut tick_open),
            }
        }
        // As in the async version: a waiting put still delivers after the close.
        tick.chan.close();
        while tick.chan.get_blocking().is_some() {}
        t
    }
}

/// Sends `values` one by one, each with a `select!` over the 4 channels of `txs`.
pub async fn csp_select_send<B: CspBuffer>(
    txs: &[CspTx<B>],
    values: core::ops::Range<u64>,
) -> Tally {
    let [a, b, c, d] = txs else {
        panic!("select_both uses 4 channels")
    };
    let mut t = Tally::default();
    for v in values {
        let ok = csp_core::select! {
            r = a.0.chan.put(v) => r.is_ok(),
            r = b.0.chan.put(v) => r.is_ok(),
            r = c.0.chan.put(v) => r.is_ok(),
            r = d.0.chan.put(v) => r.is_ok(),
        };
        if ok {
            t.add(v);
        }
    }
    t
}
