//! The fuzz harness for csp-core: a byte string decodes into a program over five
//! channels (one of each buffer kind) that creates, polls and cancels put, get, select
//! and `closed_and_drained` futures, runs try ops and closes channels. Every step is
//! checked against a reference model of the semantics, and at the end every value is
//! accounted for.
//!
//! # Accounting (guarantee 1, exactly once)
//! Each value is a [`Tok`] with a unique id. Dropping an original `Tok` records a
//! *fate* according to what the harness was doing at that moment ([`Ctx`]):
//! received (a get or the final drain), returned (a put's `Closed` or `take_value`),
//! cancelled (dropped inside a put future that was cancelled), discarded (dropped by a
//! buffer's policy while a put or try op ran), or remained (still in a channel when the
//! channels are dropped). At the end each id must have exactly one fate, the discarded
//! ones must match `stats().discarded` per channel, and only a promise channel may still
//! hold a value after close + drain. A value dropped twice, duplicated, or leaked fails.
//!
//! # Model checks (single thread)
//! - a get resolves to `None` only if its channel is closed and no waiting put on it
//!   still holds an undelivered value;
//! - a put resolves to `Err(Closed)` only if it was first polled after the close, and to
//!   `Ok` after a close only if it was queued before it;
//! - `try_put` fails with `Closed` exactly when closed, never with `Full` on a lossy or
//!   promise buffer, and succeeds on a fixed buffer with room;
//! - a select completes exactly one arm (or its default, only if it has one); every
//!   losing put gives its own value back;
//! - a `closed_and_drained` watcher completes only once its channel is closed, holds
//!   nothing, has no put waiting and nothing in flight (also with two threads: that
//!   state is permanent);
//! - I-W: after each step, if no pending future has a wake it has not consumed, then no
//!   pending future can complete (each is polled to prove it) — a lost wake-up fails.

use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use csp_core::buffer::{Buffer, Dropping, Fixed, Promise, Sliding};
use csp_core::{Arm, Chan, Closed, Get, Put, RawArm, Select, TryGetError, TryPutError, DEFAULT};

/// How many channels, and which kind each index is.
pub const CHANS: usize = 5;
const PROMISE: usize = 4;
const FIXED_CAP: usize = 2;

// ===== values and their fates =====

/// What the harness is doing; decides the fate of an original value dropped now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctx {
    /// Polling a future or running a try op: a drop here is a policy discard.
    Op,
    /// Consuming a received value.
    Receive,
    /// Consuming a value given back to a putter.
    Return,
    /// Dropping a cancelled future (of this task number).
    Cancel(usize),
    /// Dropping the channels at the very end.
    Final,
}

thread_local! {
    static CTX: Cell<Ctx> = const { Cell::new(Ctx::Op) };
}

fn with_ctx<R>(c: Ctx, f: impl FnOnce() -> R) -> R {
    let old = CTX.with(|x| x.replace(c));
    let r = f();
    CTX.with(|x| x.set(old));
    r
}

#[derive(Default, Debug)]
struct LedgerInner {
    /// Channel of each id.
    chan: HashMap<u32, usize>,
    /// Fates of each id, in order.
    fates: HashMap<u32, Vec<Ctx>>,
    /// Ids of put operations per task number (for cancellation checks).
    task_puts: HashMap<usize, Vec<u32>>,
    /// Ids received (originals).
    received: HashMap<u32, usize>,
    /// Ids received as promise clones.
    promise_seen: Vec<u32>,
    next: u32,
}

/// Where every value went.
#[derive(Default, Debug)]
pub struct Ledger(Mutex<LedgerInner>);

impl Ledger {
    fn lock(&self) -> std::sync::MutexGuard<'_, LedgerInner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn new_tok(self: &Arc<Self>, chan: usize, task: Option<usize>) -> Tok {
        let mut l = self.lock();
        let id = l.next;
        l.next += 1;
        l.chan.insert(id, chan);
        if let Some(t) = task {
            l.task_puts.entry(t).or_default().push(id);
        }
        Tok {
            id,
            orig: true,
            ledger: self.clone(),
        }
    }

    fn chan_of(&self, id: u32) -> usize {
        self.lock().chan[&id]
    }

    fn has_fate(&self, id: u32) -> bool {
        let l = self.lock();
        l.fates.get(&id).is_some_and(|f| !f.is_empty()) || l.received.contains_key(&id)
    }
}

/// A value with a unique id; its `Drop` records its fate.
#[derive(Debug)]
pub struct Tok {
    id: u32,
    /// False for the clones a promise hands out.
    orig: bool,
    ledger: Arc<Ledger>,
}

impl Clone for Tok {
    fn clone(&self) -> Self {
        Tok {
            id: self.id,
            orig: false,
            ledger: self.ledger.clone(),
        }
    }
}

impl Drop for Tok {
    fn drop(&mut self) {
        if self.orig {
            let c = CTX.with(|x| x.get());
            self.ledger.lock().fates.entry(self.id).or_default().push(c);
        }
    }
}

/// Records a received value (checks it is not received twice) and drops it.
fn receive(t: Tok, from: usize) {
    let ch = t.ledger.chan_of(t.id);
    assert_eq!(
        ch, from,
        "value {} put on channel {ch} was received from {from}",
        t.id
    );
    if from == PROMISE {
        assert!(!t.orig, "a promise hands out clones");
        t.ledger.lock().promise_seen.push(t.id);
    } else {
        assert!(t.orig);
        let prev = t.ledger.lock().received.insert(t.id, from);
        assert!(
            prev.is_none(),
            "value {} received twice (exactly once violated)",
            t.id
        );
    }
    with_ctx(Ctx::Receive, || drop(t));
}

/// Records a value given back to its putter and drops it.
fn give_back(t: Tok, id: u32) {
    assert_eq!(t.id, id, "a put gave back another put's value");
    assert!(t.orig);
    with_ctx(Ctx::Return, || drop(t));
}

// ===== the channels =====

/// One channel of each kind.
pub struct Chans {
    c0: Chan<Tok>,
    c1: Chan<Tok, Fixed<Tok, FIXED_CAP>>,
    c2: Chan<Tok, Dropping<Tok, 2>>,
    c3: Chan<Tok, Sliding<Tok, 2>>,
    c4: Chan<Tok, Promise<Tok>>,
}

impl Default for Chans {
    fn default() -> Self {
        Chans {
            c0: Chan::new(),
            c1: Chan::with_buffer(Fixed::new()),
            c2: Chan::with_buffer(Dropping::new()),
            c3: Chan::with_buffer(Sliding::new()),
            c4: Chan::with_buffer(Promise::new()),
        }
    }
}

macro_rules! on_chan {
    ($chans:expr, $k:expr, |$c:ident| $e:expr) => {
        match $k {
            0 => {
                let $c = &$chans.c0;
                $e
            }
            1 => {
                let $c = &$chans.c1;
                $e
            }
            2 => {
                let $c = &$chans.c2;
                $e
            }
            3 => {
                let $c = &$chans.c3;
                $e
            }
            _ => {
                let $c = &$chans.c4;
                $e
            }
        }
    };
}

impl Chans {
    fn stats(&self, k: usize) -> csp_core::Stats {
        on_chan!(self, k, |c| c.stats())
    }
}

// ===== select arms of mixed types =====

/// What a select arm reports after the select.
enum ArmOut {
    Got(usize, Option<Tok>),
    Put(usize, u32, Result<(), Closed<Tok>>),
    /// A losing put and what `take_value` gave back.
    LostPut(u32, Option<Tok>),
    LostGet,
}

trait FArm: RawArm {
    fn report(self: Pin<&mut Self>, won: bool) -> ArmOut;
}

struct GetArm<'a, B: Buffer<Tok>>(Get<'a, Tok, B>, usize);
struct PutArm<'a, B: Buffer<Tok>>(Put<'a, Tok, B>, usize, u32);

macro_rules! forward_raw_arm {
    ($t:ident) => {
        // SAFETY: forwards every method to the pinned inner operation.
        unsafe impl<B: Buffer<Tok>> RawArm for $t<'_, B> {
            fn lock(&self) -> &dyn csp_core::ArmLock {
                self.0.lock()
            }
            unsafe fn try_complete(self: Pin<&mut Self>, cx: &mut csp_core::ArmCx<'_>) -> bool {
                // SAFETY: structural pinning; forwarded contract.
                unsafe { self.map_unchecked_mut(|s| &mut s.0).try_complete(cx) }
            }
            unsafe fn wait(self: Pin<&mut Self>, cx: &mut csp_core::ArmCx<'_>) {
                // SAFETY: as above.
                unsafe { self.map_unchecked_mut(|s| &mut s.0).wait(cx) }
            }
            unsafe fn finish(self: Pin<&mut Self>, cx: &mut csp_core::ArmCx<'_>) {
                // SAFETY: as above.
                unsafe { self.map_unchecked_mut(|s| &mut s.0).finish(cx) }
            }
            unsafe fn withdraw(self: Pin<&mut Self>, cx: &mut csp_core::ArmCx<'_>) {
                // SAFETY: as above.
                unsafe { self.map_unchecked_mut(|s| &mut s.0).withdraw(cx) }
            }
        }
    };
}
forward_raw_arm!(GetArm);
forward_raw_arm!(PutArm);

impl<B: Buffer<Tok>> FArm for GetArm<'_, B> {
    fn report(self: Pin<&mut Self>, won: bool) -> ArmOut {
        let ch = self.1;
        // SAFETY: structural pinning of the inner get.
        let inner = unsafe { self.map_unchecked_mut(|s| &mut s.0) };
        if won {
            ArmOut::Got(ch, inner.take_output())
        } else {
            ArmOut::LostGet
        }
    }
}

impl<B: Buffer<Tok>> FArm for PutArm<'_, B> {
    fn report(self: Pin<&mut Self>, won: bool) -> ArmOut {
        let (ch, id) = (self.1, self.2);
        // SAFETY: structural pinning of the inner put.
        let inner = unsafe { self.map_unchecked_mut(|s| &mut s.0) };
        if won {
            ArmOut::Put(ch, id, inner.take_output())
        } else {
            ArmOut::LostPut(id, inner.take_value())
        }
    }
}

/// An arm to build: get or put, on which channel, and whether it is enabled.
#[derive(Clone, Copy, Debug)]
struct ArmSpec {
    put: bool,
    ch: usize,
    enabled: bool,
}

fn make_arm<'a>(chans: &'a Chans, spec: ArmSpec, tok: Option<Tok>) -> Pin<Box<dyn FArm + 'a>> {
    match tok {
        None => on_chan!(chans, spec.ch, |c| Box::pin(GetArm(c.get(), spec.ch))
            as Pin<Box<dyn FArm + 'a>>),
        Some(t) => {
            let id = t.id;
            on_chan!(chans, spec.ch, |c| Box::pin(PutArm(c.put(t), spec.ch, id))
                as Pin<Box<dyn FArm + 'a>>)
        }
    }
}

// ===== tasks =====

enum Out {
    Get(usize, Option<Tok>),
    /// A `closed_and_drained` watcher of the channel completed.
    Drained(usize),
    Put(usize, u32, Result<(), Closed<Tok>>),
    Sel {
        winner: usize,
        has_default: bool,
        arms: Vec<ArmOut>,
    },
}

#[derive(Default)]
struct Flag(AtomicUsize);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

struct Task<'a> {
    no: usize,
    fut: Pin<Box<dyn Future<Output = Out> + 'a>>,
    flag: Arc<Flag>,
    waker: Waker,
    /// Step of the first poll.
    first_poll: Option<u64>,
    /// Channels of put arms with their ids.
    puts: Vec<(usize, u32)>,
    /// A plain operation or a select of one arm (no other arm can win instead).
    single: bool,
    /// The channels it gets from (once every channel is closed it must complete).
    gets: Vec<usize>,
}

impl Task<'_> {
    fn woken(&self) -> bool {
        self.flag.0.load(Ordering::SeqCst) > 0
    }
}

// ===== the program =====

/// One actor: a set of tasks over the shared channels, and the model's view.
struct Actor<'a> {
    chans: &'a Chans,
    ledger: Arc<Ledger>,
    tasks: Vec<Task<'a>>,
    next_task: usize,
    step: u64,
    /// Step at which each channel was closed (single-thread model only).
    closed_at: [Option<u64>; CHANS],
    /// Whether the model may assume it sees every operation (one thread).
    alone: bool,
    /// Task numbers offset (distinct per thread).
    base: usize,
}

const MAX_TASKS: usize = 12;

impl<'a> Actor<'a> {
    fn new(chans: &'a Chans, ledger: Arc<Ledger>, alone: bool, base: usize) -> Self {
        Actor {
            chans,
            ledger,
            tasks: Vec::new(),
            next_task: base,
            step: 0,
            closed_at: [None; CHANS],
            alone,
            base,
        }
    }

    fn add_task(
        &mut self,
        fut: Pin<Box<dyn Future<Output = Out> + 'a>>,
        no: usize,
        puts: Vec<(usize, u32)>,
        single: bool,
        gets: Vec<usize>,
    ) {
        let flag = Arc::new(Flag::default());
        self.tasks.push(Task {
            no,
            fut,
            waker: Waker::from(flag.clone()),
            flag,
            first_poll: None,
            gets,
            puts,
            single,
        });
    }

    fn new_get(&mut self, ch: usize) {
        let no = self.next_task;
        self.next_task += 1;
        let fut: Pin<Box<dyn Future<Output = Out> + 'a>> = on_chan!(self.chans, ch, |c| {
            let g = c.get();
            Box::pin(async move { Out::Get(ch, g.await) })
        });
        self.add_task(fut, no, Vec::new(), true, vec![ch]);
    }

    /// A `closed_and_drained` watcher: no value, no arm; it must complete exactly when
    /// the channel is closed and drained (the wake duty's check covers the "when").
    fn new_watch(&mut self, ch: usize) {
        let no = self.next_task;
        self.next_task += 1;
        let fut: Pin<Box<dyn Future<Output = Out> + 'a>> = on_chan!(self.chans, ch, |c| {
            let d = c.closed_and_drained();
            Box::pin(async move {
                d.await;
                Out::Drained(ch)
            })
        });
        self.add_task(fut, no, Vec::new(), true, Vec::new());
    }

    fn new_put(&mut self, ch: usize) {
        let no = self.next_task;
        self.next_task += 1;
        let t = self.ledger.new_tok(ch, Some(no));
        let id = t.id;
        let fut: Pin<Box<dyn Future<Output = Out> + 'a>> = on_chan!(self.chans, ch, |c| {
            let p = c.put(t);
            Box::pin(async move { Out::Put(ch, id, p.await) })
        });
        self.add_task(fut, no, vec![(ch, id)], true, Vec::new());
    }

    fn new_select(&mut self, specs: Vec<ArmSpec>, biased: bool, has_default: bool) {
        let no = self.next_task;
        self.next_task += 1;
        let chans = self.chans;
        let mut puts = Vec::new();
        let mut arms: Vec<Option<Pin<Box<dyn FArm + 'a>>>> = Vec::new();
        for s in &specs {
            if !s.enabled {
                arms.push(None);
                continue;
            }
            let tok = if s.put {
                let t = self.ledger.new_tok(s.ch, Some(no));
                puts.push((s.ch, t.id));
                Some(t)
            } else {
                None
            };
            arms.push(Some(make_arm(chans, *s, tok)));
        }
        let fut = Box::pin(async move {
            let mut arms = arms;
            let winner = {
                let mut it = arms.iter_mut();
                let mut next = || -> Option<Pin<&mut dyn RawArm>> {
                    match it.next() {
                        Some(Some(a)) => Some(a.as_mut() as Pin<&mut dyn RawArm>),
                        _ => None,
                    }
                };
                let set = [next(), next(), next()];
                Select::new(set, biased, has_default).await
            };
            let mut outs = Vec::new();
            for (i, a) in arms.iter_mut().enumerate() {
                if let Some(a) = a {
                    outs.push(a.as_mut().report(i == winner));
                }
            }
            Out::Sel {
                winner,
                has_default,
                arms: outs,
            }
        });
        let single = specs.iter().filter(|s| s.enabled).count() == 1 && !has_default;
        let gets = specs
            .iter()
            .filter(|s| s.enabled && !s.put)
            .map(|s| s.ch)
            .collect();
        self.add_task(fut, no, puts, single, gets);
    }

    /// Polls task `i`; handles its output if it completed. Returns whether it did.
    fn poll(&mut self, i: usize) -> bool {
        let t = &mut self.tasks[i];
        t.flag.0.store(0, Ordering::SeqCst);
        if t.first_poll.is_none() {
            t.first_poll = Some(self.step);
        }
        let mut cx = Context::from_waker(&t.waker);
        let r = with_ctx(Ctx::Op, || t.fut.as_mut().poll(&mut cx));
        match r {
            Poll::Ready(out) => {
                let t = self.tasks.remove(i);
                self.check_out(out, &t);
                true
            }
            Poll::Pending => false,
        }
    }

    fn cancel(&mut self, i: usize) {
        let t = self.tasks.remove(i);
        let no = t.no;
        with_ctx(Ctx::Cancel(no), || drop(t));
    }

    /// Whether some pending put (not a select that another arm may have won) still
    /// holds an undelivered value for channel `ch`.
    fn undelivered_put_waits(&self, ch: usize) -> bool {
        self.tasks.iter().any(|t| {
            t.single
                && t.first_poll.is_some()
                && t.puts
                    .iter()
                    .any(|&(c, id)| c == ch && !self.ledger.has_fate(id))
        })
    }

    fn check_get_none(&self, ch: usize) {
        if self.alone {
            assert!(
                self.closed_at[ch].is_some(),
                "get on channel {ch} returned None while open"
            );
            assert!(
                !self.undelivered_put_waits(ch),
                "get on channel {ch} saw the end while a queued put still holds a value"
            );
        } else {
            assert!(
                on_chan!(self.chans, ch, |c| c.is_closed()),
                "get returned None on an open channel"
            );
        }
    }

    fn check_put_result(
        &self,
        ch: usize,
        id: u32,
        r: Result<(), Closed<Tok>>,
        first_poll: Option<u64>,
    ) {
        match r {
            Ok(()) => {
                if self.alone {
                    if let (Some(c), Some(f)) = (self.closed_at[ch], first_poll) {
                        assert!(
                            f < c,
                            "a put first polled after the close of channel {ch} succeeded"
                        );
                    }
                }
            }
            Err(Closed(t)) => {
                if self.alone {
                    let c = self.closed_at[ch].expect("put refused as closed on an open channel");
                    assert!(
                        first_poll.unwrap() > c,
                        "a put queued before the close was refused"
                    );
                } else {
                    assert!(on_chan!(self.chans, ch, |c| c.is_closed()));
                }
                give_back(t, id);
            }
        }
    }

    fn check_out(&mut self, out: Out, t: &Task<'_>) {
        match out {
            Out::Get(ch, Some(v)) => receive(v, ch),
            Out::Get(ch, None) => self.check_get_none(ch),
            Out::Drained(ch) => {
                TOTALS.with(|t| {
                    let mut x = t.get();
                    x.drained += 1;
                    t.set(x);
                });
                // Closed and drained stays so, so this holds with two threads too.
                let s = self.chans.stats(ch);
                assert!(
                    s.closed && s.len == 0 && s.waiting_puts == 0 && !s.in_flight,
                    "a watcher of channel {ch} completed before it was closed and drained: {s:?}"
                );
                if self.alone {
                    assert!(
                        !self.undelivered_put_waits(ch),
                        "a watcher of channel {ch} completed while a queued put holds a value"
                    );
                }
            }
            Out::Put(ch, id, r) => self.check_put_result(ch, id, r, t.first_poll),
            Out::Sel {
                winner,
                has_default,
                arms,
            } => {
                if winner == DEFAULT {
                    assert!(has_default, "a select without default returned the default");
                }
                let mut won = 0;
                for a in arms {
                    match a {
                        ArmOut::Got(ch, Some(v)) => {
                            won += 1;
                            receive(v, ch);
                        }
                        ArmOut::Got(ch, None) => {
                            won += 1;
                            self.check_get_none(ch);
                        }
                        ArmOut::Put(ch, id, r) => {
                            won += 1;
                            self.check_put_result(ch, id, r, t.first_poll);
                        }
                        ArmOut::LostPut(id, back) => match back {
                            Some(v) => give_back(v, id),
                            None => {
                                panic!("a losing put arm delivered its value (select not atomic)")
                            }
                        },
                        ArmOut::LostGet => {}
                    }
                }
                assert_eq!(
                    won,
                    usize::from(winner != DEFAULT),
                    "a select completed {won} arms"
                );
            }
        }
    }

    fn try_put(&mut self, ch: usize) {
        let len_before = self.chans.stats(ch).len;
        let t = self.ledger.new_tok(ch, None);
        let id = t.id;
        let r = with_ctx(Ctx::Op, || on_chan!(self.chans, ch, |c| c.try_put(t)));
        let closed = on_chan!(self.chans, ch, |c| c.is_closed());
        match r {
            Ok(()) => assert!(
                !closed || !self.alone,
                "try_put succeeded on a closed channel"
            ),
            Err(TryPutError::Closed(t)) => {
                assert!(closed, "try_put said Closed on an open channel");
                give_back(t, id);
            }
            Err(TryPutError::Full(t)) => {
                if self.alone {
                    assert!(!closed, "try_put said Full on a closed channel");
                    assert!(
                        ch <= 1,
                        "try_put said Full on a lossy or promise channel {ch}"
                    );
                    if ch == 1 {
                        assert!(
                            len_before >= FIXED_CAP,
                            "try_put said Full with room in the buffer"
                        );
                    }
                }
                give_back(t, id);
            }
        }
    }

    fn try_get(&mut self, ch: usize) {
        let r = with_ctx(Ctx::Op, || on_chan!(self.chans, ch, |c| c.try_get()));
        match r {
            Ok(v) => receive(v, ch),
            Err(TryGetError::Closed) => self.check_get_none(ch),
            Err(TryGetError::Empty) => {}
        }
    }

    fn close(&mut self, ch: usize) {
        let first = with_ctx(Ctx::Op, || on_chan!(self.chans, ch, |c| c.close()));
        if self.alone {
            assert_eq!(
                first,
                self.closed_at[ch].is_none(),
                "close() must say whether it closed"
            );
            if first {
                self.closed_at[ch] = Some(self.step);
            }
        }
    }

    fn poll_woken(&mut self) {
        let mut i = 0;
        while i < self.tasks.len() {
            if self.tasks[i].woken() && self.poll(i) {
                continue;
            }
            i += 1;
        }
    }

    /// I-W: if no pending task has an unconsumed wake, none can complete.
    fn check_wake_duty(&mut self) {
        if !self.alone || self.tasks.iter().any(Task::woken) {
            return;
        }
        for i in 0..self.tasks.len() {
            if self.tasks[i].first_poll.is_none() {
                continue; // never polled, so never registered: nobody owes it a wake
            }
            let no = self.tasks[i].no;
            assert!(
                !self.poll(i),
                "lost wake-up: task {no} could complete but no pending task was woken"
            );
        }
    }

    /// Polls woken tasks until nobody is woken, then checks nothing is forgotten.
    fn quiesce(&mut self) {
        for _ in 0..10_000 {
            if !self.tasks.iter().any(Task::woken) {
                self.check_wake_duty();
                return;
            }
            self.poll_woken();
        }
        panic!("tasks keep waking each other without progress");
    }

    /// Runs the program in `data`.
    fn run(&mut self, data: &[u8]) {
        let mut it = data.iter().copied();
        let mut steps = 0;
        while let Some(op) = it.next() {
            steps += 1;
            if steps > 256 {
                break;
            }
            self.step += 1;
            let arg = it.next().unwrap_or(0);
            let ch = usize::from(arg) % CHANS;
            match op % 12 {
                0 if self.tasks.len() < MAX_TASKS => self.new_get(ch),
                1 if self.tasks.len() < MAX_TASKS => self.new_put(ch),
                2 if self.tasks.len() < MAX_TASKS => {
                    let flags = it.next().unwrap_or(0);
                    let n = 1 + usize::from(arg % 3);
                    let mut specs = Vec::new();
                    for _ in 0..n {
                        let b = it.next().unwrap_or(0);
                        specs.push(ArmSpec {
                            put: b & 1 != 0,
                            ch: usize::from(b >> 1) % CHANS,
                            enabled: b & 0x80 == 0,
                        });
                    }
                    let has_default = flags & 2 != 0;
                    if has_default || specs.iter().any(|s| s.enabled) {
                        self.new_select(specs, flags & 1 != 0, has_default);
                    }
                }
                3 | 4 if !self.tasks.is_empty() => {
                    let i = usize::from(arg) % self.tasks.len();
                    self.poll(i);
                }
                5 => self.poll_woken(),
                6 if !self.tasks.is_empty() => {
                    let i = usize::from(arg) % self.tasks.len();
                    self.cancel(i);
                }
                7 => self.try_put(ch),
                8 => self.try_get(ch),
                9 if arg & 0x30 == 0x30 => self.close(ch),
                10 => self.quiesce(),
                11 if self.tasks.len() < MAX_TASKS => self.new_watch(ch),
                _ => {}
            }
            self.check_wake_duty();
        }
    }

    /// Cancels every task still pending.
    fn cancel_all(&mut self) {
        while !self.tasks.is_empty() {
            self.cancel(self.tasks.len() - 1);
        }
    }
}

/// Closes and drains every channel, checks the discard counts, drops the channels and
/// checks that every value has exactly one fate.
fn finish(chans: Chans, ledger: &Arc<Ledger>) {
    for ch in 0..CHANS {
        on_chan!(chans, ch, |c| c.close());
        if ch == PROMISE {
            continue;
        }
        loop {
            match with_ctx(Ctx::Op, || on_chan!(chans, ch, |c| c.try_get())) {
                Ok(v) => receive(v, ch),
                Err(TryGetError::Closed) => break,
                Err(TryGetError::Empty) => {
                    panic!("channel {ch} closed, nobody waits, yet not drained")
                }
            }
        }
        let s = chans.stats(ch);
        assert_eq!(
            (s.len, s.in_flight, s.waiting_gets, s.waiting_puts),
            (0, false, 0, 0)
        );
    }
    let discarded: Vec<u64> = (0..CHANS)
        .map(|k| chans.stats(k).discarded as u64)
        .collect();
    with_ctx(Ctx::Final, || drop(chans));
    let l = ledger.lock();
    add_totals(&l);
    let mut per_chan = [0u64; CHANS];
    for id in 0..l.next {
        let fates = l.fates.get(&id).map(Vec::as_slice).unwrap_or(&[]);
        assert_eq!(
            fates.len(),
            1,
            "value {id} has fates {fates:?} (exactly once violated)"
        );
        let ch = l.chan[&id];
        match fates[0] {
            Ctx::Op => per_chan[ch] += 1,
            Ctx::Cancel(task) => assert!(
                l.task_puts.get(&task).is_some_and(|p| p.contains(&id)),
                "value {id} was dropped by cancelling task {task}, which did not own it"
            ),
            Ctx::Final => assert_eq!(
                ch, PROMISE,
                "value {id} stayed in channel {ch} after the drain"
            ),
            Ctx::Receive | Ctx::Return => {}
        }
    }
    assert_eq!(
        per_chan.to_vec(),
        discarded,
        "values dropped by puts vs stats().discarded"
    );
    // A promise hands out one value only: the one it kept.
    if let Some(&first) = l.promise_seen.first() {
        assert!(
            l.promise_seen.iter().all(|&i| i == first),
            "a promise changed its value"
        );
        assert_eq!(
            l.fates[&first],
            vec![Ctx::Final],
            "the promised value was consumed"
        );
    }
}

/// The `select_model` target: one thread, full model checks.
pub fn run_single(data: &[u8]) {
    let ledger = Arc::new(Ledger::default());
    let chans = Chans::default();
    {
        let mut a = Actor::new(&chans, ledger.clone(), true, 0);
        a.run(data);
        // Close everything and let the waiting tasks see it; nothing may stay stuck
        // except puts on channels nobody reads.
        a.quiesce();
        for ch in 0..CHANS {
            a.close(ch);
            a.check_wake_duty();
        }
        a.quiesce();
        // Every channel is closed: whatever gets (or selects a get) has completed,
        // once it was polled at all.
        for t in &a.tasks {
            assert!(
                !(!t.gets.is_empty() && t.first_poll.is_some()),
                "task {} still waits to get although every channel is closed",
                t.no
            );
        }
        a.cancel_all();
    }
    finish(chans, &ledger);
}

/// The `select_threads` target: the program split between two threads.
pub fn run_threads(data: &[u8]) {
    let ledger = Arc::new(Ledger::default());
    let chans = Chans::default();
    let mid = data.len() / 2;
    let (left, right) = data.split_at(mid);
    std::thread::scope(|s| {
        for (k, part) in [left, right].into_iter().enumerate() {
            let (chans, ledger) = (&chans, ledger.clone());
            s.spawn(move || {
                let mut a = Actor::new(chans, ledger, false, k * 1_000_000);
                a.run(part);
                for _ in 0..3 {
                    a.poll_woken();
                    std::thread::yield_now();
                }
                a.cancel_all();
                // Keep `base` meaningful in Debug output of task numbers.
                let _ = a.base;
            });
        }
    });
    finish(chans, &ledger);
}

/// Totals over runs, to show what a campaign exercised.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    /// Values created.
    pub values: u64,
    /// Values received by a get, select or drain.
    pub received: u64,
    /// Values given back to putters.
    pub returned: u64,
    /// Values dropped with cancelled puts.
    pub cancelled: u64,
    /// Values discarded by a buffer's policy.
    pub discarded: u64,
    /// `closed_and_drained` watchers that completed.
    pub drained: u64,
}

thread_local! {
    static TOTALS: Cell<Totals> = Cell::new(Totals::default());
}

/// The totals of every run on this thread so far.
pub fn totals() -> Totals {
    TOTALS.with(Cell::get)
}

fn add_totals(l: &LedgerInner) {
    TOTALS.with(|t| {
        let mut x = t.get();
        x.values += u64::from(l.next);
        for f in l.fates.values().flatten() {
            match f {
                Ctx::Receive => x.received += 1,
                Ctx::Return => x.returned += 1,
                Ctx::Cancel(_) => x.cancelled += 1,
                Ctx::Op => x.discarded += 1,
                Ctx::Final => {}
            }
        }
        t.set(x);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random programs from a fixed seed: the harness runs clean and exercises every
    /// fate (a harness that checked nothing would show zeros here).
    #[test]
    fn random_programs_run_clean_and_cover_every_fate() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let len = 16 + (x % 200) as usize;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            run_single(&data);
        }
        let t = totals();
        eprintln!("{t:?}");
        assert!(
            t.received > 0 && t.returned > 0 && t.cancelled > 0 && t.discarded > 0 && t.drained > 0,
            "{t:?}"
        );
    }
}
