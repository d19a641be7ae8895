//! Stress test of conservation under random timeouts and cancellations, on every
//! runtime (issue 3, item 4).
//!
//! Worker tasks do random puts, gets, try-operations and selects on six channels of
//! every buffer kind (two rendezvous channels, a const `Fixed`, a run-time `fixed`, a
//! `sliding` and a `dropping` channel). Every operation is cut short at random: a
//! select loses to the adapter's `timeout` channel, a future races the runtime's own
//! sleep and is dropped mid-wait, or it is dropped after a random number of polls (one
//! poll is the "register, then leave" pattern). Beside them, workers spawn one-shot
//! getters and putters that wait without any bound.
//!
//! Every value is a unique tag. At the end each tag must have exactly one fate: received
//! by a get, given back to its putter (`Err(Closed(v))`, `Put::take_value` after a cut
//! short or losing put, or a losing plain put arm), discarded by a lossy buffer (as many
//! as `stats().discarded` says, and only tags offered to a lossy channel), or drained
//! after the close. A tag seen twice is a duplicate; a tag with no fate is lost.
//!
//! Lost wake-ups would stay hidden behind the timeouts and the final close, so the run
//! has a *settle* stage before the close: the workers have stopped, and the coordinator
//! only adds a partner for a one-shot waiter when the channel cannot serve it by itself
//! (an empty buffer, no waiting partner). A one-shot getter that sleeps beside a value,
//! or a getter and a putter that both sleep, then hang the run, and the watchdog fails
//! the test with the stage and each channel's stats. No assertion is about speed.
//!
//! `CSP_STRESS_SCALE` (default 1) multiplies the operations per worker;
//! `CSP_STRESS_SEED` fixes the random choices (the schedule still varies).

use std::fmt;
use std::future::{pending, poll_fn, Future};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;
use std::thread;
use std::time::{Duration, Instant};

use csp::buffer::{DynDropping, DynFixed, DynSliding, Fixed};
use csp::{pin_index, select, select_slice, Arm, Chan, Closed, Stats, TryPutError};

/// Worker tasks on each runtime thread.
const WORKERS: usize = if cfg!(miri) { 2 } else { 4 };
/// Operations per worker at scale 1.
const OPS: usize = if cfg!(miri) { 20 } else { 1500 };
/// One-shot waiters each worker spawns when its operations are done.
const BURST: usize = if cfg!(miri) { 4 } else { 24 };
/// Most one-shot waiters alive at once during the work.
const ONESHOT_CAP: usize = 48;
/// How long a run may take before the watchdog calls it a hang.
const WATCHDOG: Duration = Duration::from_secs(90);
/// Number of channels.
const NCH: usize = 6;
/// Stage names, for the watchdog's message.
const STAGES: [&str; 4] = ["work", "settle", "close and drain", "finished"];

/// A small xorshift generator: no dependency, and a seed that can be printed.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// A channel number, with a third of the picks on the first rendezvous channel so
    /// that it is contended (the others share the rest).
    fn chan(&mut self) -> usize {
        if self.chance(33) {
            0
        } else {
            self.below(NCH)
        }
    }

    /// How many times to poll a future before dropping it: 0 (never polled), 1
    /// (register, then leave), a few (leave after a wake), or no limit.
    fn polls(&mut self) -> u32 {
        [0, 1, 1, 2, 3, u32::MAX, u32::MAX, u32::MAX][self.below(8)]
    }

    /// A short deadline, from "already over" to a few milliseconds.
    fn deadline(&mut self) -> Duration {
        let micros = [0, 20, 100, 300, 1000, 3000];
        Duration::from_micros(micros[self.below(micros.len())])
    }
}

/// The channels under test, one of each kind (and two rendezvous channels, so a select
/// can put on one and get from the other).
struct Chans {
    r0: Chan<u64>,
    r1: Chan<u64>,
    f2: Chan<u64, Fixed<u64, 2>>,
    d3: Chan<u64, DynFixed<u64>>,
    s4: Chan<u64, DynSliding<u64>>,
    p5: Chan<u64, DynDropping<u64>>,
}

impl Chans {
    fn new() -> Self {
        Chans {
            r0: Chan::new().with_name("r0"),
            r1: Chan::new().with_name("r1"),
            f2: Chan::with_buffer(Fixed::new()).with_name("f2"),
            d3: Chan::fixed(3).with_name("d3"),
            s4: Chan::sliding(2).with_name("s4"),
            p5: Chan::dropping(1).with_name("p5"),
        }
    }

    fn stats(&self) -> [Stats; NCH] {
        [
            self.r0.stats(),
            self.r1.stats(),
            self.f2.stats(),
            self.d3.stats(),
            self.s4.stats(),
            self.p5.stats(),
        ]
    }

    fn close_all(&self) {
        self.r0.close();
        self.r1.close();
        self.f2.close();
        self.d3.close();
        self.s4.close();
        self.p5.close();
    }
}

/// Whether channel `k` may discard values by its policy.
fn lossy(k: usize) -> bool {
    k >= 4
}

/// Runs `$body` with `$ch` bound to channel number `$k` of `$chans`.
macro_rules! with_chan {
    ($chans:expr, $k:expr, |$ch:ident| $body:expr) => {
        match $k {
            0 => {
                let $ch = &$chans.r0;
                $body
            }
            1 => {
                let $ch = &$chans.r1;
                $body
            }
            2 => {
                let $ch = &$chans.f2;
                $body
            }
            3 => {
                let $ch = &$chans.d3;
                $body
            }
            4 => {
                let $ch = &$chans.s4;
                $body
            }
            5 => {
                let $ch = &$chans.p5;
                $body
            }
            k => unreachable!("no channel {k}"),
        }
    };
}

/// What one party saw happen to tags.
#[derive(Default, Debug)]
struct Ledger {
    /// Every tag created.
    issued: Vec<u64>,
    /// Tags offered to a lossy channel at least once (the only ones that may vanish).
    lossy_offered: Vec<u64>,
    /// Tags a get (or a select's get arm) completed with.
    received: Vec<u64>,
    /// Tags given back to their putter.
    returned: Vec<u64>,
    /// Tags taken by the final drain.
    drained: Vec<u64>,
}

impl Ledger {
    fn append(&mut self, other: Ledger) {
        self.issued.extend(other.issued);
        self.lossy_offered.extend(other.lossy_offered);
        self.received.extend(other.received);
        self.returned.extend(other.returned);
        self.drained.extend(other.drained);
    }
}

/// Everything the tasks of one run share.
struct Shared {
    chans: Chans,
    seed: u64,
    ops: usize,
    workers: usize,
    workers_done: AtomicUsize,
    stage: AtomicUsize,
    finished: AtomicBool,
    next_filler: AtomicU64,
    /// One-shot waiters spawned in all, and partner getters added (for the report).
    oneshots_spawned: AtomicUsize,
    fillers_get_spawned: AtomicUsize,
    /// One-shot getters and putters spawned and not yet finished, per channel.
    oneshot_gets: [AtomicUsize; NCH],
    oneshot_puts: [AtomicUsize; NCH],
    /// The coordinator's partners not yet finished, per channel.
    filler_puts: [AtomicUsize; NCH],
    filler_gets: [AtomicUsize; NCH],
    /// Unbounded getters that saw the channel end before the close (must stay 0).
    early_ends: AtomicUsize,
    /// Channels where a put was left queued after the drain saw the end, with their
    /// stats at that moment.
    early_ends_beside_puts: Mutex<Vec<(usize, Stats)>>,
    /// Close every channel once this many worker operations are done (`usize::MAX`:
    /// only at the end, after the settle stage).
    close_after: usize,
    /// Worker operations done so far.
    ops_done: AtomicUsize,
    /// Set just before the channels close: from then on an end or a refusal is fine.
    closing: AtomicBool,
    /// Set when a task panicked (its assertion message is printed by the hook).
    panicked: AtomicBool,
    ledger: Mutex<Ledger>,
}

impl Shared {
    fn new(threads: usize, seed: u64, ops: usize, close_after: usize) -> Self {
        Shared {
            chans: Chans::new(),
            seed,
            ops,
            workers: threads * WORKERS,
            workers_done: AtomicUsize::new(0),
            stage: AtomicUsize::new(0),
            finished: AtomicBool::new(false),
            next_filler: AtomicU64::new(0),
            oneshots_spawned: AtomicUsize::new(0),
            fillers_get_spawned: AtomicUsize::new(0),
            oneshot_gets: Default::default(),
            oneshot_puts: Default::default(),
            filler_puts: Default::default(),
            filler_gets: Default::default(),
            early_ends: AtomicUsize::new(0),
            early_ends_beside_puts: Mutex::new(Vec::new()),
            close_after,
            ops_done: AtomicUsize::new(0),
            closing: AtomicBool::new(false),
            panicked: AtomicBool::new(false),
            ledger: Mutex::new(Ledger::default()),
        }
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A get may see the end, and a put be refused, only once the close has begun.
    fn assert_closing(&self) {
        assert!(
            self.closing.load(SeqCst),
            "an open channel ended or refused a put, seed {}",
            self.seed
        );
    }

    fn oneshots(&self) -> usize {
        (0..NCH)
            .map(|k| self.oneshot_gets[k].load(SeqCst) + self.oneshot_puts[k].load(SeqCst))
            .sum()
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counts = |a: &[AtomicUsize; NCH]| a.iter().map(|c| c.load(SeqCst)).collect::<Vec<_>>();
        f.debug_struct("Shared")
            .field("seed", &self.seed)
            .field("stage", &STAGES[self.stage.load(SeqCst)])
            .field("workers_done", &self.workers_done.load(SeqCst))
            .field("workers", &self.workers)
            .field("oneshot_gets", &counts(&self.oneshot_gets))
            .field("oneshot_puts", &counts(&self.oneshot_puts))
            .field("filler_puts", &counts(&self.filler_puts))
            .field("filler_gets", &counts(&self.filler_gets))
            .field("stats [r0, r1, f2, d3, s4, p5]", &self.chans.stats())
            .finish()
    }
}

/// What the stress test needs from a runtime adapter.
trait Rt: 'static {
    fn run<F: Future + Send + 'static>(fut: F) -> F::Output
    where
        F::Output: Send + 'static;
    fn spawn<F: Future<Output = ()> + Send + 'static>(fut: F);
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send;
    fn timeout(d: Duration) -> Arc<Chan<()>>;
}

macro_rules! adapter {
    ($name:ident, $krate:ident) => {
        struct $name;

        impl Rt for $name {
            fn run<F: Future + Send + 'static>(fut: F) -> F::Output
            where
                F::Output: Send + 'static,
            {
                $krate::run(fut)
            }
            fn spawn<F: Future<Output = ()> + Send + 'static>(fut: F) {
                // Dropping the handle detaches the task.
                drop($krate::go(fut));
            }
            fn sleep(d: Duration) -> impl Future<Output = ()> + Send {
                $krate::sleep(d)
            }
            fn timeout(d: Duration) -> Arc<Chan<()>> {
                $krate::timeout(d)
            }
        }
    };
}

adapter!(Tokio, csp_tokio);

/// tokio's multi-threaded scheduler with 2 workers: tasks move between threads.
struct TokioMt;

impl Rt for TokioMt {
    fn run<F: Future + Send + 'static>(fut: F) -> F::Output
    where
        F::Output: Send + 'static,
    {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_time()
            .build()
            .expect("a tokio runtime");
        let out = rt.block_on(fut);
        // Like `run` of the adapters: what is left running is cancelled.
        rt.shutdown_timeout(Duration::ZERO);
        out
    }
    fn spawn<F: Future<Output = ()> + Send + 'static>(fut: F) {
        drop(tokio::spawn(fut));
    }
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(d)
    }
    fn timeout(d: Duration) -> Arc<Chan<()>> {
        csp_tokio::timeout(d)
    }
}
adapter!(Smol, csp_smol);
adapter!(AsyncStd, csp_async_std);

/// Polls `fut` at most `polls` times, and until `deadline` fires; `None` if it was cut
/// short (then `fut` is dropped before this returns, unless it is a `Pin<&mut _>`).
async fn bounded<F: Future>(
    fut: F,
    polls: u32,
    deadline: impl Future<Output = ()>,
) -> Option<F::Output> {
    let mut fut = pin!(fut);
    let mut deadline = pin!(deadline);
    let mut n = 0;
    poll_fn(move |cx| {
        if n == polls {
            return Poll::Ready(None);
        }
        n += 1;
        if let Poll::Ready(out) = fut.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        if n == polls || deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}

/// How a worker's select ended.
enum Won {
    Got(Option<u64>),
    Put(Result<(), Closed<u64>>),
    Nothing,
}

/// Raises `Shared::panicked` if the task holding it unwinds, so that a failed
/// assertion inside a task fails the test at once instead of as a hang.
struct PanicFlag(Arc<Shared>);

impl Drop for PanicFlag {
    fn drop(&mut self) {
        if thread::panicking() {
            self.0.panicked.store(true, SeqCst);
        }
    }
}

/// One worker: `sh.ops` random operations, each bounded by a timeout or a poll limit.
async fn worker<R: Rt>(sh: Arc<Shared>, id: u64) {
    let _flag = PanicFlag(sh.clone());
    let mut rng = Rng::new(sh.seed ^ (id + 1).wrapping_mul(0xA24B_AED4_963E_E407));
    let mut led = Ledger::default();
    let mut seq = 0u64;
    let mut tag = |led: &mut Ledger, k: usize| {
        seq += 1;
        let v = (id + 1) << 40 | seq;
        led.issued.push(v);
        if lossy(k) {
            led.lossy_offered.push(v);
        }
        v
    };
    let ch = &sh.chans;
    for _ in 0..sh.ops {
        sh.ops_done.fetch_add(1, SeqCst);
        match rng.below(20) {
            // A put, dropped mid-wait or after a few polls; the value comes back.
            0..=3 => {
                let k = rng.chan();
                let v = tag(&mut led, k);
                let (polls, d) = (rng.polls(), rng.deadline());
                with_chan!(ch, k, |c| {
                    let mut p = pin!(c.put(v));
                    match bounded(p.as_mut(), polls, R::sleep(d)).await {
                        Some(Ok(())) => {}
                        Some(Err(Closed(back))) => led.returned.push(back),
                        None => led.returned.extend(p.as_mut().take_value()),
                    }
                    // A completed or withdrawn put has nothing left to give back.
                    assert_eq!(p.as_mut().take_value(), None, "put gave its value twice");
                });
            }
            // A get, dropped mid-wait or after a few polls (one poll: register, leave).
            4..=7 => {
                let k = rng.chan();
                let (polls, d) = (rng.polls(), rng.deadline());
                let got = with_chan!(ch, k, |c| bounded(c.get(), polls, R::sleep(d)).await);
                match got {
                    Some(Some(v)) => led.received.push(v),
                    Some(None) => sh.assert_closing(),
                    None => {}
                }
            }
            // try_put / try_get.
            8 => {
                let k = rng.chan();
                let v = tag(&mut led, k);
                let r = with_chan!(ch, k, |c| c.try_put(v));
                match r {
                    Ok(()) => {}
                    Err(TryPutError::Full(back)) => led.returned.push(back),
                    Err(TryPutError::Closed(back)) => {
                        sh.assert_closing();
                        led.returned.push(back);
                    }
                }
            }
            9 => {
                let k = rng.chan();
                led.received.extend(with_chan!(ch, k, |c| c.try_get().ok()));
            }
            // A put on one rendezvous channel against a get on one (maybe the same),
            // and the adapter's timeout channel; the whole select may be dropped.
            10..=11 => {
                let (a, b) = (rng.below(2), rng.below(2));
                let v = tag(&mut led, a);
                let (pa, gb) = ([&ch.r0, &ch.r1][a], [&ch.r0, &ch.r1][b]);
                let t = R::timeout(rng.deadline());
                let mut p = pin!(pa.put(v));
                let polls = rng.polls();
                let biased = rng.chance(50);
                let won = bounded(
                    async {
                        if biased {
                            select! {
                                biased;
                                x = gb.get() => Won::Got(x),
                                r = p.as_mut() => Won::Put(r),
                                _ = t.get() => Won::Nothing,
                            }
                        } else {
                            select! {
                                x = gb.get() => Won::Got(x),
                                r = p.as_mut() => Won::Put(r),
                                x = gb.get() => Won::Got(x),
                                _ = t.get() => Won::Nothing,
                            }
                        }
                    },
                    polls,
                    pending(),
                )
                .await;
                record(&sh, &mut led, won);
                led.returned.extend(p.as_mut().take_value());
            }
            // Puts and gets over buffered and lossy channels, some arms switched off,
            // with a default or a timeout, maybe dropped.
            12..=13 => {
                let v1 = tag(&mut led, 3);
                let v2 = tag(&mut led, 5);
                let mut p1 = pin!(ch.d3.put(v1));
                let mut p2 = pin!(ch.p5.put(v2));
                let on: [bool; 4] = std::array::from_fn(|_| rng.chance(70));
                let with_default = rng.chance(50);
                let t = R::timeout(rng.deadline());
                let polls = rng.polls();
                let won = bounded(
                    async {
                        if with_default {
                            select! {
                                x = ch.f2.get(), if on[0] => Won::Got(x),
                                r = p1.as_mut(), if on[1] => Won::Put(r),
                                x = ch.s4.get(), if on[2] => Won::Got(x),
                                r = p2.as_mut(), if on[3] => Won::Put(r),
                                default => Won::Nothing,
                            }
                        } else {
                            select! {
                                x = ch.f2.get(), if on[0] => Won::Got(x),
                                r = p1.as_mut(), if on[1] => Won::Put(r),
                                x = ch.s4.get(), if on[2] => Won::Got(x),
                                r = p2.as_mut(), if on[3] => Won::Put(r),
                                x = ch.r0.get() => Won::Got(x),
                                _ = t.get() => Won::Nothing,
                            }
                        }
                    },
                    polls,
                    pending(),
                )
                .await;
                record(&sh, &mut led, won);
                led.returned.extend(p1.as_mut().take_value());
                led.returned.extend(p2.as_mut().take_value());
            }
            // Plain (unpinned) put arms, run to completion: the losers' values are
            // given back by atomicity, so a losing arm that delivered is a duplicate.
            14 => {
                let v1 = tag(&mut led, 1);
                let v2 = tag(&mut led, 2);
                let v3 = tag(&mut led, 4);
                let t = R::timeout(rng.deadline());
                let won = select! {
                    r = ch.r1.put(v1) => r.map(|()| v1),
                    r = ch.f2.put(v2) => r.map(|()| v2),
                    r = ch.s4.put(v3), if rng.chance(50) => r.map(|()| v3),
                    x = ch.r0.get() => {
                        match x {
                            Some(x) => led.received.push(x),
                            None => sh.assert_closing(),
                        }
                        Ok(0)
                    }
                    _ = t.get() => Ok(0),
                };
                let delivered = won.unwrap_or_else(|Closed(back)| {
                    sh.assert_closing();
                    assert!([v1, v2, v3].contains(&back), "Closed gave back a stranger");
                    0
                });
                led.returned
                    .extend([v1, v2, v3].into_iter().filter(|&v| v != delivered));
            }
            // Gets from every channel at once, maybe dropped after one poll.
            15 => {
                let t = R::timeout(rng.deadline());
                let polls = rng.polls();
                let got = bounded(
                    async {
                        select! {
                            x = ch.r0.get() => x,
                            x = ch.r1.get() => x,
                            x = ch.f2.get() => x,
                            x = ch.d3.get() => x,
                            x = ch.s4.get() => x,
                            x = ch.p5.get() => x,
                            _ = t.get() => Some(0),
                        }
                    },
                    polls,
                    pending(),
                )
                .await;
                match got {
                    Some(Some(0)) | None => {}
                    Some(Some(v)) => led.received.push(v),
                    Some(None) => sh.assert_closing(),
                }
            }
            // A run-time sized select: three puts on the rendezvous channels, raced
            // against the runtime's sleep.
            16 => {
                let vs = [tag(&mut led, 0), tag(&mut led, 1), tag(&mut led, 0)];
                let mut puts = pin!([ch.r0.put(vs[0]), ch.r1.put(vs[1]), ch.r0.put(vs[2])]);
                let biased = rng.chance(50);
                let d = rng.deadline();
                let won = bounded(select_slice(puts.as_mut(), biased), u32::MAX, R::sleep(d)).await;
                if let Some(i) = won {
                    // The winner delivered, or was refused by the close.
                    if let Err(Closed(back)) = pin_index(puts.as_mut(), i).take_output() {
                        sh.assert_closing();
                        led.returned.push(back);
                    }
                }
                let mut gone = 0;
                for i in 0..3 {
                    match pin_index(puts.as_mut(), i).take_value() {
                        Some(_) if won == Some(i) => panic!("the winning put kept its value"),
                        Some(back) => led.returned.push(back),
                        None if won.is_some() && won != Some(i) => {
                            panic!("a losing put delivered its value")
                        }
                        None => gone += 1,
                    }
                }
                // A select dropped after a getter claimed one of its puts (before it
                // was polled again) has delivered that one: never more than one.
                assert!(gone <= 1, "a select delivered {gone} puts");
            }
            // One-shot waiters with no bound; the settle stage checks they all end.
            _ => {
                if sh.oneshots() >= ONESHOT_CAP {
                    R::sleep(Duration::from_micros(50)).await;
                    continue;
                }
                let k = rng.chan();
                if rng.chance(60) {
                    spawn_oneshot_get::<R>(&sh, k);
                } else {
                    spawn_oneshot_put::<R>(&sh, k, tag(&mut led, k));
                }
            }
        }
    }
    // A last burst of unbounded one-shot waiters, with gets that register and leave
    // at once beside them; the settle stage then checks that every waiter ends.
    for _ in 0..BURST {
        let k = rng.chan();
        if rng.chance(50) {
            spawn_oneshot_get::<R>(&sh, k);
        } else {
            spawn_oneshot_put::<R>(&sh, k, tag(&mut led, k));
        }
        let j = rng.chan();
        if let Some(Some(v)) = with_chan!(ch, j, |c| bounded(c.get(), 1, pending()).await) {
            led.received.push(v);
        }
    }
    sh.ledger().append(led);
    sh.workers_done.fetch_add(1, SeqCst);
}

/// Spawns a get on channel `k` that waits without a bound.
fn spawn_oneshot_get<R: Rt>(sh: &Arc<Shared>, k: usize) {
    sh.oneshots_spawned.fetch_add(1, SeqCst);
    sh.oneshot_gets[k].fetch_add(1, SeqCst);
    let sh = sh.clone();
    R::spawn(async move {
        let _flag = PanicFlag(sh.clone());
        match with_chan!(sh.chans, k, |c| c.get().await) {
            Some(v) => sh.ledger().received.push(v),
            None if sh.closing.load(SeqCst) => {}
            None => {
                sh.early_ends.fetch_add(1, SeqCst);
            }
        }
        sh.oneshot_gets[k].fetch_sub(1, SeqCst);
    });
}

/// Spawns a put of `v` on channel `k` that waits without a bound.
fn spawn_oneshot_put<R: Rt>(sh: &Arc<Shared>, k: usize, v: u64) {
    sh.oneshots_spawned.fetch_add(1, SeqCst);
    sh.oneshot_puts[k].fetch_add(1, SeqCst);
    let sh = sh.clone();
    R::spawn(async move {
        let _flag = PanicFlag(sh.clone());
        if let Err(Closed(back)) = with_chan!(sh.chans, k, |c| c.put(v).await) {
            sh.ledger().returned.push(back);
        }
        sh.oneshot_puts[k].fetch_sub(1, SeqCst);
    });
}

/// Books the outcome of a select whose puts are pinned (their values are recovered
/// with `take_value` afterwards).
fn record(sh: &Shared, led: &mut Ledger, won: Option<Won>) {
    match won {
        Some(Won::Got(Some(v))) => led.received.push(v),
        Some(Won::Got(None)) => sh.assert_closing(),
        Some(Won::Put(Err(Closed(back)))) => led.returned.push(back),
        Some(Won::Put(Ok(())) | Won::Nothing) | None => {}
    }
}

/// Waits a millisecond (the coordinator's polling pace; not a measurement).
async fn tick<R: Rt>() {
    R::sleep(Duration::from_millis(1)).await;
}

/// Spawns an unbounded put of a fresh tag on channel `k` (a partner for a one-shot
/// getter that the channel cannot serve by itself).
fn filler_put<R: Rt>(sh: &Arc<Shared>, k: usize) {
    let v = (0xFFFF << 40) | sh.next_filler.fetch_add(1, SeqCst);
    {
        let mut led = sh.ledger();
        led.issued.push(v);
        if lossy(k) {
            led.lossy_offered.push(v);
        }
    }
    sh.filler_puts[k].fetch_add(1, SeqCst);
    let sh = sh.clone();
    R::spawn(async move {
        let _flag = PanicFlag(sh.clone());
        if let Err(Closed(back)) = with_chan!(sh.chans, k, |c| c.put(v).await) {
            sh.ledger().returned.push(back);
        }
        sh.filler_puts[k].fetch_sub(1, SeqCst);
    });
}

/// Spawns an unbounded get on channel `k` (a partner for a one-shot putter).
fn filler_get<R: Rt>(sh: &Arc<Shared>, k: usize) {
    sh.fillers_get_spawned.fetch_add(1, SeqCst);
    sh.filler_gets[k].fetch_add(1, SeqCst);
    let sh = sh.clone();
    R::spawn(async move {
        let _flag = PanicFlag(sh.clone());
        if let Some(v) = with_chan!(sh.chans, k, |c| c.get().await) {
            sh.ledger().received.push(v);
        }
        sh.filler_gets[k].fetch_sub(1, SeqCst);
    });
}

/// Thread 0's extra task: waits for the workers, settles the one-shot waiters, closes
/// and drains every channel, waits for every helper task, then ends the run.
async fn coordinate<R: Rt>(sh: Arc<Shared>) {
    let _flag = PanicFlag(sh.clone());
    if sh.close_after != usize::MAX {
        return close_early::<R>(sh).await;
    }
    while sh.workers_done.load(SeqCst) < sh.workers {
        tick::<R>().await;
    }

    // Settle: only the one-shot waiters (and partners we add) are left, and nothing
    // bounds their waits. Add a partner only where the channel cannot serve a waiter
    // by itself; a waiter that sleeps although it could complete hangs here.
    sh.stage.store(1, SeqCst);
    while sh.oneshots() > 0 {
        let stats = sh.chans.stats();
        for (k, st) in stats.iter().enumerate() {
            let gets = sh.oneshot_gets[k].load(SeqCst);
            let puts = sh.oneshot_puts[k].load(SeqCst);
            if gets > 0 && puts == 0 && st.len == 0 && sh.filler_puts[k].load(SeqCst) < gets {
                filler_put::<R>(&sh, k);
            }
            if puts > 0
                && gets == 0
                && st.len == st.capacity
                && sh.filler_gets[k].load(SeqCst) < puts
            {
                filler_get::<R>(&sh, k);
            }
        }
        tick::<R>().await;
    }

    // Close and drain. Puts queued before the close still deliver, to the drain or
    // to a partner still waiting.
    sh.stage.store(2, SeqCst);
    sh.closing.store(true, SeqCst);
    sh.chans.close_all();
    drain_all(&sh).await;
    while (0..NCH).any(|k| sh.filler_puts[k].load(SeqCst) + sh.filler_gets[k].load(SeqCst) > 0) {
        if stranded_puts(&sh) {
            break;
        }
        tick::<R>().await;
    }
    sh.stage.store(3, SeqCst);
    sh.finished.store(true, SeqCst);
}

/// Gets from every (closed) channel until it reports its end.
async fn drain_all(sh: &Shared) {
    let mut drained = Vec::new();
    for k in 0..NCH {
        while let Some(v) = with_chan!(sh.chans, k, |c| c.get().await) {
            drained.push(v);
        }
    }
    sh.ledger().drained.extend(drained);
}

/// After the close, the drain and the end of the workers, the only parties left are
/// unbounded waiters. A put still queued on a channel where no getter is left will
/// wait for ever: the drain saw the end beside it (guarantee 6 says a put queued
/// before the close still delivers). Records such channels, so that the run ends with
/// that diagnosis instead of a hang.
fn stranded_puts(sh: &Shared) -> bool {
    let stats = sh.chans.stats();
    let stranded: Vec<(usize, Stats)> = (0..NCH)
        .filter(|&k| {
            stats[k].waiting_puts > 0
                && sh.oneshot_gets[k].load(SeqCst) == 0
                && sh.filler_gets[k].load(SeqCst) == 0
        })
        .map(|k| (k, stats[k]))
        .collect();
    let found = !stranded.is_empty();
    sh.early_ends_beside_puts
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .extend(stranded);
    found
}

/// The coordinator of a run that closes the channels while the workers are busy:
/// their puts must then be refused or still deliver, their gets end only when a
/// channel is drained, and every waiter must finish without any partner added.
async fn close_early<R: Rt>(sh: Arc<Shared>) {
    let _flag = PanicFlag(sh.clone());
    while sh.ops_done.load(SeqCst) < sh.close_after {
        R::sleep(Duration::from_micros(100)).await;
    }
    sh.closing.store(true, SeqCst);
    sh.stage.store(2, SeqCst);
    sh.chans.close_all();
    // Drain beside the workers: puts queued before the close still deliver.
    drain_all(&sh).await;
    while sh.workers_done.load(SeqCst) < sh.workers {
        tick::<R>().await;
    }
    while sh.oneshots() > 0 {
        if stranded_puts(&sh) {
            break;
        }
        tick::<R>().await;
    }
    sh.stage.store(3, SeqCst);
    sh.finished.store(true, SeqCst);
}

/// One runtime thread: its workers, and on thread 0 the coordinator.
async fn group<R: Rt>(sh: Arc<Shared>, tid: usize) {
    for w in 0..WORKERS {
        R::spawn(worker::<R>(sh.clone(), (tid * WORKERS + w) as u64));
    }
    if tid == 0 {
        coordinate::<R>(sh).await;
    } else {
        while !sh.finished.load(SeqCst) {
            tick::<R>().await;
        }
    }
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Runs the stress on `threads` threads, each with its own `R` runtime, sharing the
/// channels, under a watchdog; then checks every tag's fate.
fn stress<R: Rt>(name: &str, threads: usize, close_early: bool) {
    let seed = env_or("CSP_STRESS_SEED", {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        t ^ u64::from(std::process::id())
    });
    let ops = OPS * env_or("CSP_STRESS_SCALE", 1) as usize;
    // Closing early: once half of all the workers' operations are done.
    let close_after = if close_early {
        threads * WORKERS * ops / 2
    } else {
        usize::MAX
    };
    let sh = Arc::new(Shared::new(threads, seed, ops, close_after));
    let handles: Vec<_> = (0..threads)
        .map(|tid| {
            let sh = sh.clone();
            thread::Builder::new()
                .name(format!("{name}-{tid}"))
                .spawn(move || R::run(group::<R>(sh, tid)))
                .expect("spawn a runtime thread")
        })
        .collect();

    // The watchdog: a hang fails the test with what every channel looked like.
    let start = Instant::now();
    while !handles.iter().all(|h| h.is_finished()) {
        assert!(
            !sh.panicked.load(SeqCst),
            "{name}: a task panicked (message above), seed {seed}"
        );
        assert!(
            start.elapsed() < WATCHDOG,
            "{name}: hang (no progress for {WATCHDOG:?}): {sh:#?}"
        );
        thread::sleep(Duration::from_millis(5));
    }
    for h in handles {
        if let Err(e) = h.join() {
            eprintln!("{name}: a runtime thread panicked, seed {seed}");
            std::panic::resume_unwind(e);
        }
    }

    check(name, &sh);
}

/// Every tag has exactly one fate; only lossy channels lose tags, as many as they say.
fn check(name: &str, sh: &Shared) {
    let seed = sh.seed;
    let stats = sh.chans.stats();
    for (k, st) in stats.iter().enumerate() {
        assert!(
            st.closed
                && st.len == 0
                && st.waiting_gets == 0
                && st.waiting_puts == 0
                && !st.in_flight,
            "{name}: channel {k} not empty at the end, seed {seed}: {st:?}"
        );
        if !lossy(k) {
            assert_eq!(st.discarded, 0, "{name}: channel {k} discarded values");
        }
    }
    assert_eq!(
        sh.early_ends.load(SeqCst),
        0,
        "{name}: a one-shot getter saw the end before the close, seed {seed}"
    );
    {
        let early = sh
            .early_ends_beside_puts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        assert!(
            early.is_empty(),
            "{name}: the drain saw the end of a closed channel while a put was still \
             queued, and no getter is left for it (channel, stats): {early:?}, seed {seed}"
        );
    }
    let led = sh.ledger();
    let mut issued = led.issued.clone();
    issued.sort_unstable();
    let n = issued.len();
    issued.dedup();
    assert_eq!(issued.len(), n, "{name}: a tag was issued twice (test bug)");

    let mut fates: Vec<(u64, &str)> = Vec::new();
    fates.extend(led.received.iter().map(|&v| (v, "received")));
    fates.extend(led.returned.iter().map(|&v| (v, "returned")));
    fates.extend(led.drained.iter().map(|&v| (v, "drained")));
    fates.sort_unstable();
    for w in fates.windows(2) {
        assert!(
            w[0].0 != w[1].0,
            "{name}: tag {:#x} duplicated ({} and {}), seed {seed}",
            w[0].0,
            w[0].1,
            w[1].1
        );
    }
    for (v, how) in &fates {
        assert!(
            issued.binary_search(v).is_ok(),
            "{name}: {how} tag {v:#x} that nobody issued, seed {seed}"
        );
    }
    let mut lossy_offered = led.lossy_offered.clone();
    lossy_offered.sort_unstable();
    let missing: Vec<u64> = issued
        .iter()
        .copied()
        .filter(|v| fates.binary_search_by_key(v, |f| f.0).is_err())
        .collect();
    for v in &missing {
        assert!(
            lossy_offered.binary_search(v).is_ok(),
            "{name}: tag {v:#x} lost (never offered to a lossy channel), seed {seed}"
        );
    }
    let discarded: usize = (0..NCH)
        .filter(|&k| lossy(k))
        .map(|k| stats[k].discarded)
        .sum();
    assert_eq!(
        missing.len(),
        discarded,
        "{name}: {} tags without a fate but the lossy channels discarded {discarded}, seed {seed}",
        missing.len()
    );
    eprintln!(
        "{name}: {n} tags: {} received, {} returned, {} drained, {discarded} discarded; \
         {} one-shot waiters, {} partners added while settling; seed {seed}",
        led.received.len(),
        led.returned.len(),
        led.drained.len(),
        sh.oneshots_spawned.load(SeqCst),
        sh.next_filler.load(SeqCst) + sh.fillers_get_spawned.load(SeqCst) as u64,
    );
}

/// One tokio runtime: tasks interleave on one thread.
#[test]
fn tokio_one_thread() {
    stress::<Tokio>("tokio-1", 1, false);
}

/// Two tokio runtimes on two threads share the channels: wakes cross threads.
#[test]
fn tokio_two_threads() {
    stress::<Tokio>("tokio-2", 2, false);
}

/// As above, with the channels closed halfway through the work.
#[test]
fn tokio_two_threads_close_midway() {
    stress::<Tokio>("tokio-2-close", 2, true);
}

/// One smol runtime: tasks interleave on one thread.
#[test]
fn tokio_multi_thread() {
    stress::<TokioMt>("tokio-mt", 1, false);
}

#[test]
fn tokio_multi_thread_close_midway() {
    stress::<TokioMt>("tokio-mt-close", 1, true);
}

#[test]
fn smol_one_thread() {
    stress::<Smol>("smol-1", 1, false);
}

/// Two smol runtimes on two threads share the channels: wakes cross threads.
#[test]
fn smol_two_threads() {
    stress::<Smol>("smol-2", 2, false);
}

/// As above, with the channels closed halfway through the work.
#[test]
fn smol_two_threads_close_midway() {
    stress::<Smol>("smol-2-close", 2, true);
}

/// One async-std runtime: tasks interleave on one thread.
#[test]
fn async_std_one_thread() {
    stress::<AsyncStd>("async-std-1", 1, false);
}

/// Two async-std runtimes on two threads share the channels: wakes cross threads.
#[test]
fn async_std_two_threads() {
    stress::<AsyncStd>("async-std-2", 2, false);
}

/// As above, with the channels closed halfway through the work.
#[test]
fn async_std_two_threads_close_midway() {
    stress::<AsyncStd>("async-std-2-close", 2, true);
}
