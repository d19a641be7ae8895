//! The workloads, once for async peers (on a runtime) and once for plain threads.

use crate::alloc::allocations;
use crate::peer::{Peer, Received, Sent, SyncPeer};
use crate::rt::{self, Join, Spawner};
use crate::{Cell, Measurement, Tally, Workload};
use core::ops::Range;
use std::time::Instant;

/// The values `1..=msgs` cut into `k` ranges (every value is non-zero, so a lost value
/// always changes the count).
fn split(msgs: u64, k: u64) -> Vec<Range<u64>> {
    let per = msgs / k;
    (0..k)
        .map(|i| {
            let start = 1 + i * per;
            let end = if i + 1 == k { msgs + 1 } else { start + per };
            start..end
        })
        .collect()
}

async fn join_all(tasks: Vec<Join<Tally>>) -> Tally {
    let mut t = Tally::default();
    for task in tasks {
        t = t.merge(task.await);
    }
    t
}

fn producer<P: Peer>(sp: &Spawner, mut tx: P::Tx, values: Range<u64>) -> Join<Tally> {
    sp.spawn(async move {
        let mut t = Tally::default();
        for v in values {
            if !P::send(&mut tx, v).await.sent() {
                break;
            }
            t.add(v);
        }
        t
    })
}

fn consumer<P: Peer>(sp: &Spawner, mut rx: P::Rx) -> Join<Tally> {
    sp.spawn(async move {
        let mut t = Tally::default();
        while let Some(v) = P::recv(&mut rx).await.value() {
            t.add(v);
        }
        t
    })
}

async fn flow<P: Peer>(sp: &Spawner, cap: usize, np: u64, nc: usize, msgs: u64) -> (Tally, Tally) {
    let (tx, rx) = P::channel(cap);
    let mut rxs: Vec<P::Rx> = (1..nc)
        .map(|_| P::clone_rx(&rx).expect("a multi-consumer channel"))
        .collect();
    rxs.push(rx);
    let prods = split(msgs, np)
        .into_iter()
        .map(|r| producer::<P>(sp, tx.clone(), r))
        .collect();
    drop(tx);
    let cons = rxs.into_iter().map(|rx| consumer::<P>(sp, rx)).collect();
    (join_all(prods).await, join_all(cons).await)
}

async fn seq<P: Peer>(sp: &Spawner, cap: usize, msgs: u64) -> (Tally, Tally) {
    sp.spawn(async move {
        let (mut tx, mut rx) = P::channel(cap);
        let (mut s, mut g) = (Tally::default(), Tally::default());
        let mut v = 1;
        while v <= msgs {
            let end = (v + cap as u64).min(msgs + 1);
            for x in v..end {
                if P::send(&mut tx, x).await.sent() {
                    s.add(x);
                }
            }
            for _ in v..end {
                if let Some(x) = P::recv(&mut rx).await.value() {
                    g.add(x);
                }
            }
            v = end;
        }
        (s, g)
    })
    .await
}

async fn ping_pong<P: Peer>(sp: &Spawner, cap: usize, msgs: u64) -> (Tally, Tally) {
    let (mut atx, mut arx) = P::channel(cap);
    let (mut btx, mut brx) = P::channel(cap);
    let pong = sp.spawn(async move {
        let (mut s, mut g) = (Tally::default(), Tally::default());
        while let Some(v) = P::recv(&mut arx).await.value() {
            g.add(v);
            if !P::send(&mut btx, v).await.sent() {
                break;
            }
            s.add(v);
        }
        (s, g)
    });
    let ping = sp.spawn(async move {
        let (mut s, mut g) = (Tally::default(), Tally::default());
        for v in 1..=msgs {
            if !P::send(&mut atx, v).await.sent() {
                break;
            }
            s.add(v);
            match P::recv(&mut brx).await.value() {
                Some(w) => g.add(w),
                None => break,
            }
        }
        (s, g)
    });
    let (s1, g1) = ping.await;
    let (s2, g2) = pong.await;
    (s1.merge(s2), g1.merge(g2))
}

async fn select_k<P: Peer>(sp: &Spawner, cap: usize, k: u64, msgs: u64) -> (Tally, Tally) {
    let mut prods = Vec::new();
    let mut rxs = Vec::new();
    for r in split(msgs, k) {
        let (tx, rx) = P::channel(cap);
        prods.push(producer::<P>(sp, tx, r));
        rxs.push(rx);
    }
    let cons = sp.spawn(P::select_recv(rxs));
    (join_all(prods).await, cons.await)
}

async fn select_both<P: Peer>(sp: &Spawner, cap: usize, msgs: u64) -> (Tally, Tally) {
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..4).map(|_| P::channel(cap)).unzip();
    let mut prods = Vec::new();
    for r in split(msgs, 4) {
        let fut = P::select_send(txs.clone(), r).expect("a select over sends");
        prods.push(sp.spawn(fut));
    }
    drop(txs);
    let cons = (0..4)
        .map(|_| {
            let mine = rxs
                .iter()
                .map(|rx| P::clone_rx(rx).expect("multi-consumer"))
                .collect();
            sp.spawn(P::select_recv(mine))
        })
        .collect();
    drop(rxs);
    (join_all(prods).await, join_all(cons).await)
}

async fn select_cancel<P: Peer>(sp: &Spawner, cap: usize, msgs: u64) -> (Tally, Tally) {
    let (dtx, drx) = P::channel(cap);
    let (mut ttx, trx) = P::channel(cap);
    let ticker = sp.spawn(async move {
        while P::send(&mut ttx, 0).await.sent() {}
        Tally::default()
    });
    let prod = producer::<P>(sp, dtx, 1..msgs + 1);
    let cons = sp.spawn(P::select_cancel(drx, trx));
    let sent = prod.await;
    let got = cons.await;
    ticker.await;
    (sent, got)
}

pub(crate) fn run_async<P: Peer>(cell: Cell, msgs: u64) -> Measurement {
    rt::block_on(cell.runtime, |sp| async move {
        let cap = cell.cap;
        let start = Start::now();
        let tallies = match cell.workload {
            Workload::Seq => seq::<P>(&sp, cap, msgs).await,
            Workload::Spsc => flow::<P>(&sp, cap, 1, 1, msgs).await,
            Workload::Mpsc => flow::<P>(&sp, cap, 4, 1, msgs).await,
            Workload::Mpmc => flow::<P>(&sp, cap, 4, 4, msgs).await,
            Workload::Contended => flow::<P>(&sp, cap, 64, 64, msgs).await,
            Workload::PingPong => ping_pong::<P>(&sp, cap, msgs).await,
            Workload::Select2 => select_k::<P>(&sp, cap, 2, msgs).await,
            Workload::Select4 => select_k::<P>(&sp, cap, 4, msgs).await,
            Workload::SelectBoth => select_both::<P>(&sp, cap, msgs).await,
            Workload::SelectCancel => select_cancel::<P>(&sp, cap, msgs).await,
        };
        start.finish(msgs, tallies)
    })
}

fn sync_flow<S: SyncPeer>(cap: usize, np: u64, nc: usize, msgs: u64) -> (Tally, Tally) {
    let (tx, rx) = S::channel(cap);
    std::thread::scope(|s| {
        let prods: Vec<_> = split(msgs, np)
            .into_iter()
            .map(|r| {
                let tx = tx.clone();
                s.spawn(move || sync_produce::<S>(&tx, r))
            })
            .collect();
        drop(tx);
        let cons: Vec<_> = (0..nc)
            .map(|_| {
                let rx = rx.clone();
                s.spawn(move || {
                    let mut t = Tally::default();
                    while let Some(v) = S::recv(&rx) {
                        t.add(v);
                    }
                    t
                })
            })
            .collect();
        drop(rx);
        (join_threads(prods), join_threads(cons))
    })
}

fn sync_produce<S: SyncPeer>(tx: &S::Tx, values: Range<u64>) -> Tally {
    let mut t = Tally::default();
    for v in values {
        if !S::send(tx, v) {
            break;
        }
        t.add(v);
    }
    t
}

fn join_threads(hs: Vec<std::thread::ScopedJoinHandle<'_, Tally>>) -> Tally {
    hs.into_iter().fold(Tally::default(), |t, h| {
        t.merge(h.join().expect("benchmark thread"))
    })
}

fn sync_seq<S: SyncPeer>(cap: usize, msgs: u64) -> (Tally, Tally) {
    let (tx, rx) = S::channel(cap);
    let (mut s, mut g) = (Tally::default(), Tally::default());
    let mut v = 1;
    while v <= msgs {
        let end = (v + cap as u64).min(msgs + 1);
        for x in v..end {
            if S::send(&tx, x) {
                s.add(x);
            }
        }
        for _ in v..end {
            if let Some(x) = S::recv(&rx) {
                g.add(x);
            }
        }
        v = end;
    }
    (s, g)
}

fn sync_ping_pong<S: SyncPeer>(cap: usize, msgs: u64) -> (Tally, Tally) {
    let (atx, arx) = S::channel(cap);
    let (btx, brx) = S::channel(cap);
    std::thread::scope(|sc| {
        let pong = sc.spawn(move || {
            let (mut s, mut g) = (Tally::default(), Tally::default());
            while let Some(v) = S::recv(&arx) {
                g.add(v);
                if !S::send(&btx, v) {
                    break;
                }
                s.add(v);
            }
            (s, g)
        });
        let (mut s, mut g) = (Tally::default(), Tally::default());
        for v in 1..=msgs {
            if !S::send(&atx, v) {
                break;
            }
            s.add(v);
            match S::recv(&brx) {
                Some(w) => g.add(w),
                None => break,
            }
        }
        drop(atx);
        let (s2, g2) = pong.join().expect("pong thread");
        (s.merge(s2), g.merge(g2))
    })
}

fn sync_select_k<S: SyncPeer>(cap: usize, k: u64, msgs: u64) -> (Tally, Tally) {
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..k).map(|_| S::channel(cap)).unzip();
    std::thread::scope(|s| {
        let prods = txs
            .into_iter()
            .zip(split(msgs, k))
            .map(|(tx, r)| s.spawn(move || sync_produce::<S>(&tx, r)))
            .collect();
        let got = s
            .spawn(move || S::select_recv(&rxs))
            .join()
            .expect("select thread");
        (join_threads(prods), got)
    })
}

fn sync_select_both<S: SyncPeer>(cap: usize, msgs: u64) -> (Tally, Tally) {
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..4).map(|_| S::channel(cap)).unzip();
    std::thread::scope(|s| {
        let prods = split(msgs, 4)
            .into_iter()
            .map(|r| {
                let txs = txs.clone();
                s.spawn(move || S::select_send(&txs, r))
            })
            .collect();
        drop(txs);
        let cons = (0..4)
            .map(|_| {
                let rxs = rxs.clone();
                s.spawn(move || S::select_recv(&rxs))
            })
            .collect();
        drop(rxs);
        (join_threads(prods), join_threads(cons))
    })
}

fn sync_select_cancel<S: SyncPeer>(cap: usize, msgs: u64) -> (Tally, Tally) {
    let (dtx, drx) = S::channel(cap);
    let (ttx, trx) = S::channel(cap);
    std::thread::scope(|s| {
        s.spawn(move || while S::send(&ttx, 0) {});
        let prod = s.spawn(move || sync_produce::<S>(&dtx, 1..msgs + 1));
        let got = S::select_cancel(&drx, trx);
        (prod.join().expect("producer thread"), got)
    })
}

pub(crate) fn run_sync<S: SyncPeer>(cell: Cell, msgs: u64) -> Measurement {
    let cap = cell.cap;
    let start = Start::now();
    let tallies = match cell.workload {
        Workload::Seq => sync_seq::<S>(cap, msgs),
        Workload::Spsc => sync_flow::<S>(cap, 1, 1, msgs),
        Workload::Mpsc => sync_flow::<S>(cap, 4, 1, msgs),
        Workload::Mpmc => sync_flow::<S>(cap, 4, 4, msgs),
        Workload::Contended => sync_flow::<S>(cap, 64, 64, msgs),
        Workload::PingPong => sync_ping_pong::<S>(cap, msgs),
        Workload::Select2 => sync_select_k::<S>(cap, 2, msgs),
        Workload::Select4 => sync_select_k::<S>(cap, 4, msgs),
        Workload::SelectBoth => sync_select_both::<S>(cap, msgs),
        Workload::SelectCancel => sync_select_cancel::<S>(cap, msgs),
    };
    start.finish(msgs, tallies)
}

/// Where a measurement starts: the allocation count and the time.
struct Start {
    a0: u64,
    t0: Instant,
}

impl Start {
    fn now() -> Self {
        let a0 = allocations();
        Start {
            a0,
            t0: Instant::now(),
        }
    }

    /// The measurement of `messages` that ended now, with what was sent and received.
    fn finish(self, messages: u64, (sent, got): (Tally, Tally)) -> Measurement {
        let elapsed = self.t0.elapsed();
        let allocs = allocations() - self.a0;
        Measurement {
            messages,
            elapsed,
            allocs,
            sent,
            got,
        }
    }
}
