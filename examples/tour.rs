//! A tour of csp: every example of the aiochan tutorial, in order, in Rust.
//!
//! ```text
//! cargo run --release --example tour [-- --runtime tokio|async-std|smol] [--scale F]
//! ```
//!
//! Each section prints a `=== id: title` header and then what the tutorial's example
//! prints. Sleeps are the tutorial's times the `--scale` factor (0.1 by default, so the
//! tour takes two to three seconds); `--scale 1` gives the tutorial's own timing. Lines
//! in parentheses are ours: they state a property the example demonstrates (say, how
//! many workers ever held a lock at once), which the tutorial leaves to the reader's eye.
//!
//! The tutorial's later chapters (functional operators, channel combinations,
//! parallelism, back to normal code) are headings without examples; the sections after
//! `tick-tock` fill them with `csp::ops`, printing what aiochan's operators print for
//! the same inputs.
//!
//! The same code runs on each runtime through the small [`Rt`] trait below;
//! `tests/tour.rs` runs it on all three and checks the output. docs/tutorial.md tells
//! the story around each section.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use csp::buffer::{DynFixed, Fixed};
use csp::ops::{self, ChanExt, Dup, Options, Pub, Spawn};
use csp::{select, Chan};

/// A boxed, sendable future: what the runtime-neutral [`Rt`] functions return.
pub type BoxFut<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A spawned task: `.await` gives its result, dropping it lets the task run on (like
/// each adapter's `Task`, and unlike a bare future, which does nothing unless polled).
pub struct Handle<T>(BoxFut<T>);

impl<T> Future for Handle<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<T> {
        self.0.as_mut().poll(cx)
    }
}

impl<T> std::fmt::Debug for Handle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handle { .. }")
    }
}

/// The runtime functions the tour needs, so that one body runs on every runtime.
/// Each adapter crate offers these (and more) as plain functions.
pub trait Rt: 'static {
    /// The runtime's name, as given to `--runtime`.
    const NAME: &'static str;
    /// `run`: a fresh runtime on this thread; leftover tasks are cancelled.
    fn run<F: Future>(fut: F) -> F::Output;
    /// `go`: spawn; the handle's `.await` gives the result; dropping it detaches.
    fn go<F>(fut: F) -> Handle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;
    /// `nop`: yield once.
    fn nop() -> BoxFut<()>;
    /// `sleep`.
    fn sleep(d: Duration) -> BoxFut<()>;
    /// `timeout`: a channel that closes itself after `d`.
    fn timeout(d: Duration) -> Arc<Chan<()>>;
    /// `tick_tock`: `(n, when)` every `period`, n from 1.
    fn tick_tock(period: Duration) -> Arc<Chan<(u64, Instant)>>;
    /// `spawn_blocking`: run `f` on the runtime's blocking pool.
    fn spawn_blocking<T, F>(f: F) -> Handle<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static;
}

macro_rules! runtime {
    ($ty:ident, $krate:ident, $name:literal) => {
        #[doc = concat!("The ", $name, " runtime, through `", stringify!($krate), "`.")]
        #[derive(Debug)]
        pub struct $ty;

        impl Rt for $ty {
            const NAME: &'static str = $name;
            fn run<F: Future>(fut: F) -> F::Output {
                $krate::run(fut)
            }
            fn go<F>(fut: F) -> Handle<F::Output>
            where
                F: Future + Send + 'static,
                F::Output: Send + 'static,
            {
                Handle(Box::pin($krate::go(fut)))
            }
            fn nop() -> BoxFut<()> {
                Box::pin($krate::nop())
            }
            fn sleep(d: Duration) -> BoxFut<()> {
                Box::pin($krate::sleep(d))
            }
            fn timeout(d: Duration) -> Arc<Chan<()>> {
                $krate::timeout(d)
            }
            fn tick_tock(period: Duration) -> Arc<Chan<(u64, Instant)>> {
                $krate::tick_tock(period)
            }
            fn spawn_blocking<T, F>(f: F) -> Handle<T>
            where
                T: Send + 'static,
                F: FnOnce() -> T + Send + 'static,
            {
                Handle(Box::pin($krate::spawn_blocking(f)))
            }
        }
    };
}

runtime!(Tokio, csp_tokio, "tokio");
runtime!(Smol, csp_smol, "smol");
runtime!(AsyncStd, csp_async_std, "async-std");

/// The combinators' [`Spawn`] for any [`Rt`]: tasks go to [`Rt::go`] (so `run` cancels
/// those still running when it returns) and blocking jobs to [`Rt::spawn_blocking`].
///
/// `csp::ops` also has `Tokio`, `Smol` and `AsyncStd` spawners, one per runtime feature
/// of `csp`; this one works whichever features are on, and keeps the tour generic.
pub struct Spawner<R>(PhantomData<fn() -> R>);

impl<R> Spawner<R> {
    /// The spawner of runtime `R`.
    pub const fn new() -> Self {
        Spawner(PhantomData)
    }
}

impl<R> Default for Spawner<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R> Clone for Spawner<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for Spawner<R> {}

impl<R: Rt> std::fmt::Debug for Spawner<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Spawner({})", R::NAME)
    }
}

impl<R: Rt> Spawn for Spawner<R> {
    fn spawn<F>(&self, fut: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        drop(R::go(fut)); // detached: dropping the handle lets the task run on
    }
    fn spawn_blocking<T, F>(&self, f: F) -> ops::BoxFuture<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        Box::pin(R::spawn_blocking(f))
    }
}

/// Where the tour prints: stdout (unless quiet) and a transcript the tests read.
#[derive(Clone, Debug)]
pub struct Out {
    lines: Arc<Mutex<Vec<String>>>,
    echo: bool,
}

impl Out {
    /// A new transcript; `echo` also prints each line.
    pub fn new(echo: bool) -> Self {
        Out {
            lines: Arc::default(),
            echo,
        }
    }

    /// Prints one line (the tutorial's `print`).
    pub fn say(&self, line: impl Into<String>) {
        let line = line.into();
        if self.echo {
            println!("{line}");
        }
        self.lines.lock().unwrap().push(line);
    }

    /// Starts a section.
    fn section(&self, id: &str, title: &str) {
        if self.echo {
            println!();
        }
        self.say(format!("=== {id}: {title}"));
    }

    /// Everything printed so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

/// The tutorial's seconds, scaled.
#[derive(Clone, Copy, Debug)]
pub struct Time {
    scale: f64,
}

impl Time {
    /// `scale` multiplies every duration of the tutorial.
    pub fn new(scale: f64) -> Self {
        Time { scale }
    }

    /// `s` tutorial seconds.
    fn secs(self, s: f64) -> Duration {
        Duration::from_secs_f64(s * self.scale)
    }
}

/// A tracker of how many workers hold a lock at once.
#[derive(Default)]
struct Occupancy {
    now: AtomicUsize,
    max: AtomicUsize,
}

impl Occupancy {
    fn enter(&self) {
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(n, Ordering::SeqCst);
    }
    fn leave(&self) {
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
    fn max(&self) -> usize {
        self.max.load(Ordering::SeqCst)
    }
}

type Ch = Arc<Chan<String>>;

fn chan() -> Ch {
    Arc::new(Chan::new())
}

/// Runs every section, in the tutorial's order.
pub fn tour<R: Rt>(out: &Out, t: Time) {
    csp_basics(out);
    tasks::<R>(out, t);
    channels::<R>(out, t);
    selecting::<R>(out, t);
    buffering::<R>(out, t);
    time_channels::<R>(out, t);
    functional_operators::<R>(out);
    combinations::<R>(out, t);
    parallelism::<R>(out, t);
    back_to_plain_code::<R>(out);
}

// ===== What is CSP =====

fn csp_basics(out: &Out) {
    out.section("sequential", "a sequential computation");
    let mut x = 10;
    x += 10;
    x *= 2;
    x -= 7;
    out.say(x.to_string());

    out.section(
        "shared-state",
        "the same in a function that reads shared state",
    );
    // Python's global becomes a local here: Rust would not let two processes share a
    // mutable global without a lock, which is the tutorial's point.
    let f = |x: &mut i32| {
        out.say(format!("we start with the value {x}"));
        *x += 10;
        *x *= 2;
        *x -= 7;
        *x
    };
    let mut x = 10;
    out.say(f(&mut x).to_string());
}

// ===== Coroutines and event loops =====

async fn silly(out: Out, x: i32) -> i32 {
    out.say(format!("executing silly with {x}"));
    x + 1
}

async fn count<R: Rt>(out: Out, t: Time, tag: &'static str) {
    for i in 1..=3 {
        R::sleep(t.secs(0.5)).await;
        out.say(format!("{tag} {i}"));
    }
}

fn tasks<R: Rt>(out: &Out, t: Time) {
    out.section("run", "run a future to get its result");
    let r = R::run(silly(out.clone(), 2));
    out.say(r.to_string());

    out.section("count", "await suspends");
    R::run(count::<R>(out.clone(), t, "counter:"));

    out.section("count-twice", "awaiting one counter, then another");
    let o = out.clone();
    R::run(async move {
        count::<R>(o.clone(), t, "counter a:").await;
        count::<R>(o, t, "counter b:").await;
    });

    out.section("go", "go runs a counter while we await the other");
    let o = out.clone();
    R::run(async move {
        R::go(count::<R>(o.clone(), t, "counter a:"));
        count::<R>(o, t, "counter b:").await;
    });

    out.section(
        "no-go",
        "a future that is never spawned nor awaited does nothing",
    );
    let o = out.clone();
    R::run(async move {
        #[allow(clippy::let_underscore_future)]
        let _ = count::<R>(o.clone(), t, "counter a:"); // never polled
        count::<R>(o, t, "counter b:").await;
    });

    out.section(
        "go-and-leave",
        "main returns at once: run cancels both counters",
    );
    let o = out.clone();
    R::run(async move {
        R::go(count::<R>(o.clone(), t, "counter a:"));
        R::go(count::<R>(o, t, "counter b:"));
    });

    out.section("go-and-sleep", "main sleeps while both counters count");
    let o = out.clone();
    R::run(async move {
        R::go(count::<R>(o.clone(), t, "counter a:"));
        R::go(count::<R>(o, t, "counter b:"));
        R::sleep(t.secs(3.0)).await;
    });

    out.section(
        "no-break-without-await",
        "a spawned task waits for the spawner to yield",
    );
    let o = out.clone();
    R::run(async move {
        let o2 = o.clone();
        o.say("before");
        let work = R::go(async move { o2.say("do work") });
        o.say("after");
        // aiochan's run lets the task print after main returns; ours cancels leftovers,
        // so we wait for it explicitly.
        work.await;
    });

    out.section("nop", "nop yields to the scheduler once");
    let o = out.clone();
    R::run(async move {
        let o2 = o.clone();
        o.say("before");
        R::go(async move { o2.say("do work") });
        R::nop().await;
        o.say("after");
    });

    out.section("appendix-task", "a spawned task's handle, then its result");
    let o = out.clone();
    R::run(async move {
        let task = R::go(silly(o.clone(), 2));
        o.say("the result is a pending task");
        let r = task.await;
        o.say(r.to_string());
    });
}

// ===== Channels =====

/// Produces every 0.1 s until the channel is closed (In [3] and later).
async fn producer<R: Rt>(out: Out, t: Time, c: Ch, tag: Option<String>, interval: f64) {
    let mut i = 0;
    loop {
        R::sleep(t.secs(interval)).await;
        i += 1;
        let product = match &tag {
            Some(tag) => format!("product {i} from {tag}"),
            None => format!("product {i}"),
        };
        if c.put(product).await.is_err() {
            match &tag {
                Some(tag) => out.say(format!("producer {tag} goes home")),
                None => out.say("producer goes home"),
            }
            break;
        }
    }
}

/// Consumes until the channel is closed and drained.
async fn consumer(out: Out, c: Ch, tag: Option<String>) {
    while let Some(product) = c.get().await {
        match &tag {
            Some(tag) => out.say(format!("{tag} obtained: {product}")),
            None => out.say(format!("obtained: {product}")),
        }
    }
    match &tag {
        Some(tag) => out.say(format!("consumer {tag} goes home")),
        None => out.say("consumer goes home"),
    }
}

fn channels<R: Rt>(out: &Out, t: Time) {
    out.section("chan", "a channel");
    out.say(format!("{:?}", Chan::<String>::new().with_name("c")));

    out.section("rendezvous", "a producer and a consumer meet on a channel");
    let o = out.clone();
    R::run(async move {
        let c = chan();
        let (o1, c1) = (o.clone(), c.clone());
        R::go(async move {
            let mut i = 0;
            loop {
                R::sleep(t.secs(0.1)).await;
                i += 1;
                let _ = c1.put(format!("product {i}")).await;
            }
        });
        R::go(async move {
            loop {
                let product = c.get().await;
                o1.say(format!("obtained: {}", product.unwrap_or_default()));
            }
        });
        R::sleep(t.secs(0.6)).await;
        o.say("It is late, let us call it a day.");
    });

    out.section("close", "closing the channel sends everyone home");
    let o = out.clone();
    R::run(async move {
        let c = chan();
        R::go(producer::<R>(o.clone(), t, c.clone(), None, 0.1));
        let (o1, c1) = (o.clone(), c.clone());
        R::go(async move {
            loop {
                match c1.get().await {
                    Some(product) => o1.say(format!("obtained: {product}")),
                    None => {
                        o1.say("consumer goes home");
                        break;
                    }
                }
            }
        });
        R::sleep(t.secs(0.6)).await;
        o.say("It is late, let us call it a day.");
        c.close();
        R::sleep(t.secs(0.2)).await; // time for the producer to notice
    });

    out.section(
        "iterate",
        "the consumer loops until the channel is closed and drained",
    );
    let o = out.clone();
    R::run(async move {
        let c = chan();
        R::go(producer::<R>(o.clone(), t, c.clone(), None, 0.1));
        R::go(consumer(o.clone(), c.clone(), None));
        R::sleep(t.secs(0.6)).await;
        o.say("It is late, let us call it a day.");
        c.close();
        R::sleep(t.secs(0.2)).await;
    });

    out.section(
        "first-class",
        "a producer that makes and returns its channel",
    );
    async fn producing<R: Rt>(out: Out, t: Time) -> Ch {
        let c = chan();
        R::go(producer::<R>(out, t, c.clone(), None, 0.1));
        c
    }
    let o = out.clone();
    R::run(async move {
        let c = producing::<R>(o.clone(), t).await;
        R::go(consumer(o.clone(), c.clone(), None));
        R::sleep(t.secs(0.6)).await;
        o.say("It is late, let us call it a day.");
        c.close();
        R::sleep(t.secs(0.2)).await;
    });

    out.section("fan-in", "three producers, one consumer");
    let o = out.clone();
    R::run(async move {
        let c = chan();
        for i in 0..3 {
            R::go(producer::<R>(
                o.clone(),
                t,
                c.clone(),
                Some(format!("p{i}")),
                0.1,
            ));
        }
        R::go(consumer(o.clone(), c.clone(), None));
        R::sleep(t.secs(0.6)).await;
        o.say("It is late, let us call it a day.");
        c.close();
        R::sleep(t.secs(0.2)).await;
    });

    out.section("fan-out", "three producers, three consumers");
    let o = out.clone();
    R::run(async move {
        let c = chan();
        for i in 0..3 {
            R::go(producer::<R>(
                o.clone(),
                t,
                c.clone(),
                Some(format!("p{i}")),
                0.1,
            ));
        }
        for i in 0..3 {
            R::go(consumer(o.clone(), c.clone(), Some(format!("c{i}"))));
        }
        R::sleep(t.secs(0.6)).await;
        o.say("It is late, let us call it a day.");
        c.close();
        R::sleep(t.secs(0.2)).await;
    });

    out.section(
        "rates",
        "producers at different rates, consumers share the work",
    );
    let o = out.clone();
    R::run(async move {
        let c = chan();
        for i in 0..3 {
            let interval = f64::from(i + 1) * 0.1;
            R::go(producer::<R>(
                o.clone(),
                t,
                c.clone(),
                Some(format!("p{i}")),
                interval,
            ));
        }
        for i in 0..3 {
            R::go(consumer(o.clone(), c.clone(), Some(format!("c{i}"))));
        }
        R::sleep(t.secs(1.0)).await;
        o.say("It is late, let us call it a day.");
        c.close();
        R::sleep(t.secs(0.2)).await;
    });
}

// ===== select =====

fn selecting<R: Rt>(out: &Out, t: Time) {
    out.section("select-get", "select completes exactly one get");
    let o = out.clone();
    R::run(async move {
        // As aiochan's `add(...).close()`: `ops::add` queues puts on these rendezvous
        // channels without waiting (no task drives them), and puts queued before the
        // close still deliver.
        let c1 = Arc::new(Chan::<i32>::new().with_name("c1"));
        let c2 = Arc::new(Chan::<&str>::new().with_name("c2"));
        let c3 = Arc::new(Chan::<&str>::new().with_name("c3"));
        ops::add(&c1, [1, 2, 3]).unwrap().close();
        ops::add(&c2, ["a", "b", "c"]).unwrap().close();
        ops::add(&c3, ["x", "y", "z"]).unwrap().close();
        let (result, from) = select! {
            v = c1.get() => (v.unwrap().to_string(), "c1"),
            v = c2.get() => (v.unwrap().to_string(), "c2"),
            v = c3.get() => (v.unwrap().to_string(), "c3"),
        };
        o.say(format!("the result is {result}"));
        o.say(format!("the result is from {from}"));
        while let Some(v) = c1.get().await {
            o.say(format!("c1 still has value: {v}"));
        }
        while let Some(v) = c2.get().await {
            o.say(format!("c2 still has value: {v}"));
        }
        while let Some(v) = c3.get().await {
            o.say(format!("c3 still has value: {v}"));
        }
    });

    out.section("select-put", "select completes exactly one put");
    let o = out.clone();
    R::run(async move {
        let c1 = Arc::new(Chan::<&str>::new().with_name("c1"));
        let c2 = Arc::new(Chan::<&str>::new().with_name("c2"));
        for c in [c1.clone(), c2.clone()] {
            let o = o.clone();
            R::go(async move {
                let r = c.get().await.unwrap_or_default();
                o.say(format!("received {r} on {}", c.name().unwrap_or("?")));
            });
        }
        // Without this nop neither receiver has started, so the select queues both
        // puts, and the first receiver to start (c1's) takes its value.
        R::nop().await;
        let chan = select! {
            _ = c1.put("A") => "c1",
            _ = c2.put("B") => "c2",
        };
        o.say(format!("select completes on {chan}"));
        // Let the woken receiver print before run cancels what is left.
        R::nop().await;
    });

    out.section(
        "stop-workers",
        "closing one channel stops every worker at once",
    );
    let o = out.clone();
    R::run(async move {
        let c = chan();
        let stop = Arc::new(Chan::<()>::new());
        for i in 0..3 {
            let (o, c, stop) = (o.clone(), c.clone(), stop.clone());
            R::go(async move {
                let tag = format!("worker{i}");
                let mut i = 0;
                loop {
                    i += 1;
                    R::sleep(t.secs(0.1)).await;
                    select! {
                        biased;
                        _ = stop.get() => {
                            o.say(format!("{tag} stopped"));
                            break;
                        }
                        _ = c.put(format!("{tag}-{i}")) => {}
                    }
                }
            });
        }
        let (o2, stop2) = (o.clone(), stop.clone());
        R::go(async move {
            loop {
                select! {
                    biased;
                    _ = stop2.get() => {
                        o2.say("consumer stopped");
                        break;
                    }
                    v = c.get() => o2.say(format!("received {}", v.unwrap_or_default())),
                }
            }
        });
        R::sleep(t.secs(0.6)).await;
        stop.close();
        R::sleep(t.secs(0.2)).await;
    });

    out.section(
        "select-default",
        "default: give up unless an operation is ready now",
    );
    let o = out.clone();
    R::run(async move {
        let ch = Chan::<&str>::new();
        select! {
            _ = ch.put("value") => {}
            default => {
                o.say("giveup");
                o.say("put cannot complete immediately and was given up");
            }
        }
    });
}

// ===== Buffering =====

async fn lock_worker<R: Rt>(
    out: Out,
    t: Time,
    lock: Arc<Chan<bool, Fixed<bool, 2>>>,
    tag: usize,
    occ: Arc<Occupancy>,
) {
    loop {
        lock.get().await;
        occ.enter();
        out.say(format!("{tag} is now working"));
        R::sleep(t.secs(0.1)).await;
        occ.leave();
        // The put hands the token to the worker that waits longest (as aiochan does,
        // hence its 0, 1, 2, ... order): asking again at once cannot take it back.
        if lock.put(true).await.is_err() {
            return;
        }
    }
}

fn buffering<R: Rt>(out: &Out, t: Time) {
    out.section("buffer", "a buffered put completes with nobody there");
    let o = out.clone();
    R::run(async move {
        let c: Chan<&str, Fixed<&str, 1>> = Chan::with_buffer(Fixed::new());
        c.put("a").await.unwrap();
        let result = c.get().await.unwrap();
        o.say(format!("result {result}"));
    });

    out.section(
        "back-pressure",
        "a fixed buffer keeps the producer a little ahead",
    );
    let o = out.clone();
    R::run(async move {
        let c: Arc<Chan<u32, Fixed<u32, 3>>> = Arc::new(Chan::with_buffer(Fixed::new()));
        let (o1, c1) = (o.clone(), c.clone());
        R::go(async move {
            let mut i = 0;
            loop {
                i += 1;
                R::sleep(t.secs(0.05)).await;
                o1.say(format!("producing {i}"));
                let _ = c1.put(i).await;
            }
        });
        R::go(async move {
            loop {
                R::sleep(t.secs(0.2)).await;
                let result = c.get().await.unwrap_or_default();
                o.say(format!("consuming {result}"));
            }
        });
        R::sleep(t.secs(1.0)).await;
    });

    out.section(
        "dropping",
        "a dropping buffer discards new values when full",
    );
    let o = out.clone();
    R::run(async move {
        let c = Chan::<i32, _>::dropping(2);
        c.put(1).await.unwrap();
        c.put(2).await.unwrap();
        c.put(3).await.unwrap();
        c.close();
        while let Some(v) = c.get().await {
            o.say(v.to_string());
        }
    });

    out.section(
        "sliding",
        "a sliding buffer discards the oldest value when full",
    );
    let o = out.clone();
    R::run(async move {
        let c = Chan::<i32, _>::sliding(2);
        c.put(1).await.unwrap();
        c.put(2).await.unwrap();
        c.put(3).await.unwrap();
        c.close();
        while let Some(v) = c.get().await {
            o.say(v.to_string());
        }
    });

    for (id, title, tokens) in [
        ("lock", "a buffered channel holding one token is a lock", 1),
        ("semaphore", "two tokens make a semaphore", 2),
    ] {
        out.section(id, title);
        let o = out.clone();
        R::run(async move {
            let lock: Arc<Chan<bool, Fixed<bool, 2>>> = Arc::new(Chan::with_buffer(Fixed::new()));
            for _ in 0..tokens {
                lock.try_put(true).unwrap();
            }
            let occ = Arc::new(Occupancy::default());
            for i in 0..10 {
                R::go(lock_worker::<R>(o.clone(), t, lock.clone(), i, occ.clone()));
            }
            R::sleep(t.secs(1.0)).await;
            o.say(format!("(at most {} worked at a time)", occ.max()));
        });
    }

    out.section("select-locks", "select over three locks");
    let o = out.clone();
    R::run(async move {
        let locks: Arc<[Chan<bool, Fixed<bool, 1>>; 3]> = Arc::new([
            Chan::with_buffer(Fixed::new()).with_name("lock0"),
            Chan::with_buffer(Fixed::new()).with_name("lock1"),
            Chan::with_buffer(Fixed::new()).with_name("lock2"),
        ]);
        for l in locks.iter() {
            l.try_put(true).unwrap();
        }
        let occ = Arc::new(Occupancy::default());
        for i in 0..3 {
            let (o, locks, occ) = (o.clone(), locks.clone(), occ.clone());
            R::go(async move {
                loop {
                    let k = select! {
                        _ = locks[0].get() => 0,
                        _ = locks[1].get() => 1,
                        _ = locks[2].get() => 2,
                    };
                    occ.enter();
                    o.say(format!("worker-{i} working"));
                    R::sleep(t.secs(0.1)).await;
                    occ.leave();
                    if locks[k].put(true).await.is_err() {
                        return;
                    }
                }
            });
        }
        R::sleep(t.secs(0.5)).await;
        o.say(format!("(at most {} worked at a time)", occ.max()));
    });
}

// ===== Time (under the tutorial's "Time operators" heading, which it leaves empty) =====

fn time_channels<R: Rt>(out: &Out, t: Time) {
    out.section("timeout", "select on a timeout channel to bound a wait");
    let o = out.clone();
    R::run(async move {
        let never = Chan::<String>::new();
        o.say("waiting for a value that never comes");
        let timeout = R::timeout(t.secs(0.1));
        select! {
            v = never.get() => o.say(format!("got {v:?}")),
            _ = timeout.get() => o.say("timed out"),
        }
    });

    out.section("tick-tock", "a channel that ticks");
    let o = out.clone();
    R::run(async move {
        let ticks = R::tick_tock(t.secs(0.1));
        for _ in 0..3 {
            let (n, _when) = ticks.get().await.unwrap();
            o.say(format!("tick {n}"));
        }
        ticks.close();
    });
}

// ===== Functional operators =====

/// aiochan's `from_iter`: a channel that yields `items` and then closes, fed by a task.
fn from_iter<R: Rt, T: Send + 'static>(items: Vec<T>) -> Arc<Chan<T>> {
    let ch = Arc::new(Chan::new());
    let out = ch.clone();
    drop(R::go(async move {
        let _ = ops::from_iter(items, &*out, Options::new()).await;
    }));
    ch
}

/// A closed channel that already holds `items` in its buffer.
fn filled<T>(items: impl IntoIterator<Item = T>) -> Chan<T, DynFixed<T>> {
    let items: Vec<T> = items.into_iter().collect();
    let ch = Chan::fixed(items.len().max(1));
    for v in items {
        if ch.try_put(v).is_err() {
            unreachable!("the buffer holds every item");
        }
    }
    ch.close();
    ch
}

/// A row of `zip` or `combine_latest` as Python prints it: `[1, None]`.
fn row<T: std::fmt::Display>(row: &[Option<T>]) -> String {
    let items: Vec<String> = row
        .iter()
        .map(|v| v.as_ref().map_or("None".to_string(), T::to_string))
        .collect();
    format!("[{}]", items.join(", "))
}

fn functional_operators<R: Rt>(out: &Out) {
    let sp = Spawner::<R>::new();

    out.section(
        "map-filter-take",
        "odd squares: filter, map and take over an endless range",
    );
    let o = out.clone();
    R::run(async move {
        let numbers = Arc::new(Chan::new());
        let src = numbers.clone();
        R::go(async move {
            // 0, 1, 2, ... until the channel is closed.
            let _ = ops::from_range(0u64, None, 1, &*src, Options::new()).await;
        });
        let odd_squares = numbers
            .filter(&sp, |x| x % 2 == 1)
            .map(&sp, |x| x * x)
            .take(&sp, 5);
        o.say(format!("{:?}", ops::collect(&*odd_squares, None).await));
        numbers.close(); // stops the endless source
    });

    out.section("flat-map", "map with flatten: each value becomes several");
    let o = out.clone();
    R::run(async move {
        let spread = from_iter::<R, u32>(vec![1, 2, 3]).flat_map(&sp, |x| vec![x; x as usize]);
        o.say(format!("{:?}", ops::collect(&*spread, None).await));
    });

    out.section("take-drop", "take, drop, take_while, drop_while");
    let o = out.clone();
    R::run(async move {
        let upto6 = || from_iter::<R, u32>((0..6).collect());
        let taken = ops::collect(&*upto6().take(&sp, 2), None).await;
        o.say(format!("take(2): {taken:?}"));
        let dropped = ops::collect(&*upto6().skip(&sp, 2), None).await;
        o.say(format!("drop(2): {dropped:?}"));
        let taken = ops::collect(&*upto6().take_while(&sp, |x| *x < 3), None).await;
        o.say(format!("take_while(x < 3): {taken:?}"));
        let dropped = ops::collect(&*upto6().skip_while(&sp, |x| *x < 3), None).await;
        o.say(format!("drop_while(x < 3): {dropped:?}"));
    });

    out.section("group", "batches of three, the last one shorter");
    let o = out.clone();
    R::run(async move {
        let batches = from_iter::<R, u32>((0..10).collect()).group(&sp, 3);
        while let Some(batch) = batches.get().await {
            o.say(format!("{batch:?}"));
        }
    });

    out.section("group-by", "runs of values with the same key");
    let o = out.clone();
    R::run(async move {
        let words = vec![
            "apple",
            "avocado",
            "banana",
            "blueberry",
            "cherry",
            "apricot",
        ];
        let runs = from_iter::<R, &str>(words).group_by(&sp, |w| w.chars().next());
        while let Some((key, run)) = runs.get().await {
            o.say(format!("{} {run:?}", key.unwrap_or('?')));
        }
    });

    out.section("distinct", "distinct drops consecutive duplicates");
    let o = out.clone();
    R::run(async move {
        let values = from_iter::<R, u32>(vec![1, 1, 2, 2, 1]).distinct(&sp);
        while let Some(v) = values.get().await {
            o.say(v.to_string());
        }
    });

    out.section("reduce-scan", "reduce gives the total, scan every subtotal");
    let o = out.clone();
    R::run(async move {
        let total = from_iter::<R, u32>(vec![1, 2, 3, 4]).reduce(&sp, 0, |a, x| a + x);
        o.say(format!(
            "reduce(+): {}",
            total.get().await.unwrap_or_default()
        ));
        let running = from_iter::<R, u32>(vec![1, 2, 3, 4]).scan(&sp, 0, |a, x| a + x);
        o.say(format!(
            "scan(+): {:?}",
            ops::collect(&*running, None).await
        ));
    });
}

// ===== Channel combinations =====

fn combinations<R: Rt>(out: &Out, t: Time) {
    let sp = Spawner::<R>::new();

    out.section("merge", "everything from every input, as it comes");
    let o = out.clone();
    R::run(async move {
        let (a, b) = (filled([0, 1, 2]), filled([10, 11, 12]));
        let merged = Chan::fixed(6);
        let _ = ops::merge(&[&a, &b], &merged, Options::new()).await;
        while let Some(v) = merged.get().await {
            o.say(format!("merged {v}"));
        }
    });

    out.section("zip", "one value from each input per row");
    let o = out.clone();
    R::run(async move {
        let (a, b, c) = (filled([0, 1, 2]), filled([10, 11]), filled([20, 21, 22]));
        let rows = Chan::fixed(4);
        let _ = ops::zip(&[&a, &b, &c], &rows, Options::new()).await;
        while let Some(r) = rows.get().await {
            o.say(row(&r));
        }
    });

    out.section(
        "combine-latest",
        "the latest of every input, on each new value",
    );
    let o = out.clone();
    R::run(async move {
        let (a, b) = (Arc::new(Chan::new()), Arc::new(Chan::new()));
        let latest = Arc::new(Chan::new());
        let (a2, b2, l2) = (a.clone(), b.clone(), latest.clone());
        R::go(async move {
            let _ = ops::combine_latest(&[&*a2, &*b2], &*l2, Options::new()).await;
        });
        // Each put is taken only when the previous row has been read, so the rows come
        // out in this order.
        for (ch, v) in [(&a, 1), (&b, 10), (&a, 2), (&b, 20)] {
            ch.put(v).await.unwrap();
            o.say(row(&latest.get().await.unwrap_or_default()));
        }
        a.close();
        b.close();
        if latest.get().await.is_none() {
            o.say("(closed once every input was)");
        }
    });

    out.section("distribute", "each value to whichever worker is free");
    let o = out.clone();
    R::run(async move {
        let workers: Vec<Arc<Chan<u32>>> = (0..3).map(|_| Arc::new(Chan::new())).collect();
        from_iter::<R, u32>((0..9).collect()).distribute(&sp, workers.clone());
        let mut handles = Vec::new();
        for (i, w) in workers.into_iter().enumerate() {
            let o = o.clone();
            handles.push(R::go(async move {
                while let Some(v) = w.get().await {
                    o.say(format!("worker-{i} got {v}"));
                    // A slower worker takes fewer values.
                    R::sleep(t.secs(0.05 * (i as f64 + 1.0))).await;
                }
            }));
        }
        for h in handles {
            h.await;
        }
    });

    out.section("dup", "every value to every tap");
    let o = out.clone();
    R::run(async move {
        let news = Arc::new(Chan::new());
        let dup: Dup<&str> = news.dup(&sp);
        let (tap_a, tap_b) = (Arc::new(Chan::fixed(4)), Arc::new(Chan::fixed(4)));
        dup.tap(tap_a.clone(), true);
        dup.tap(tap_b.clone(), true);
        for n in ["rain", "sun", "snow"] {
            news.put(n).await.unwrap();
        }
        news.close(); // the taps close too, as asked
        o.say(format!("tap a: {:?}", ops::collect(&*tap_a, None).await));
        o.say(format!("tap b: {:?}", ops::collect(&*tap_b, None).await));
    });

    out.section("pub-sub", "every value to the subscribers of its topic");
    let o = out.clone();
    R::run(async move {
        let events = Arc::new(Chan::new());
        let topics: Pub<&str, (&str, &str)> = events.publish(&sp, |(topic, _)| *topic);
        let (sports, weather) = (Arc::new(Chan::fixed(4)), Arc::new(Chan::fixed(4)));
        topics.sub("sports", sports.clone(), true);
        topics.sub("weather", weather.clone(), true);
        for e in [
            ("sports", "goal"),
            ("weather", "rain"),
            ("markets", "up"), // nobody subscribes: dropped
            ("sports", "foul"),
        ] {
            events.put(e).await.unwrap();
        }
        events.close();
        for (name, sub) in [("sports", sports), ("weather", weather)] {
            let got: Vec<&str> = ops::collect(&*sub, None)
                .await
                .into_iter()
                .map(|(_, what)| what)
                .collect();
            o.say(format!("{name}: {got:?}"));
        }
    });
}

// ===== Parallelism =====

fn parallelism<R: Rt>(out: &Out, t: Time) {
    let sp = Spawner::<R>::new();

    out.section(
        "async-pipe",
        "three async calls at a time, in input order or not",
    );
    let o = out.clone();
    R::run(async move {
        for ordered in [true, false] {
            let occ = Arc::new(Occupancy::default());
            let occ2 = occ.clone();
            // Early values take longest, so completion order differs from input order.
            let call = move |x: u32| {
                let occ = occ2.clone();
                async move {
                    occ.enter();
                    R::sleep(t.secs(0.05 * f64::from(8 - x))).await;
                    occ.leave();
                    x * 10
                }
            };
            let input = from_iter::<R, u32>((0..8).collect());
            let results = if ordered {
                input.async_pipe(&sp, 3, call)
            } else {
                input.async_pipe_unordered(&sp, 3, call)
            };
            let got = ops::collect(&*results, None).await;
            let name = if ordered { "ordered" } else { "unordered" };
            o.say(format!("{name}: {got:?}"));
            o.say(format!("(at most {} calls at a time)", occ.max()));
        }
    });

    out.section(
        "parallel-pipe",
        "blocking jobs on the blocking pool, four at a time",
    );
    let o = out.clone();
    R::run(async move {
        let loop_thread = std::thread::current().id();
        for ordered in [true, false] {
            let occ = Arc::new(Occupancy::default());
            let on_loop = Arc::new(AtomicUsize::new(0));
            let (occ2, on_loop2) = (occ.clone(), on_loop.clone());
            // A plain blocking function: it sleeps the thread it runs on.
            let job = move |x: u64| {
                if std::thread::current().id() == loop_thread {
                    on_loop2.fetch_add(1, Ordering::SeqCst);
                }
                occ2.enter();
                std::thread::sleep(t.secs(0.05 * (8 - x) as f64));
                occ2.leave();
                x * x
            };
            let input = from_iter::<R, u64>((0..8).collect());
            let results = if ordered {
                input.parallel_pipe(&sp, 4, job)
            } else {
                input.parallel_pipe_unordered(&sp, 4, job)
            };
            let got = ops::collect(&*results, None).await;
            let name = if ordered { "ordered" } else { "unordered" };
            o.say(format!("{name}: {got:?}"));
            o.say(format!("(at most {} jobs at a time)", occ.max()));
            o.say(format!(
                "({} jobs ran on the event loop's thread)",
                on_loop.load(Ordering::SeqCst)
            ));
        }
    });
}

// ===== Back to plain code =====

fn back_to_plain_code<R: Rt>(out: &Out) {
    out.section(
        "to-iterable",
        "a plain thread reads an event loop's channel as an iterator",
    );
    let squares: Arc<Chan<u32>> = Arc::new(Chan::new());
    let tx = squares.clone();
    // The event loop runs on its own thread (aiochan's run_in_thread) ...
    let event_loop = std::thread::spawn(move || {
        R::run(async move {
            let numbers = Arc::new(Chan::new());
            let src = numbers.clone();
            R::go(async move {
                let _ = ops::from_range(0u32, Some(5), 1, &*src, Options::new()).await;
            });
            let _ = ops::map(&*numbers, &*tx, |x| x * x, Options::new()).await;
        })
    });
    // ... and this thread, plain code with no runtime, blocks on each value.
    let mut total = 0;
    for v in ops::to_iterable(squares) {
        out.say(format!("got {v}"));
        total += v;
    }
    out.say(format!("total {total}"));
    event_loop.join().expect("the event loop thread");
}

/// Runs the tour on the runtime called `name`; `None` if there is no such runtime.
pub fn tour_on(name: &str, out: &Out, t: Time) -> Option<()> {
    match name {
        "tokio" => tour::<Tokio>(out, t),
        "smol" => tour::<Smol>(out, t),
        "async-std" => tour::<AsyncStd>(out, t),
        _ => return None,
    }
    Some(())
}

fn main() {
    let mut runtime = String::from("tokio");
    let mut scale = 0.1;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runtime" => runtime = args.next().unwrap_or_default(),
            "--scale" => {
                scale = args.next().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
            }
            _ => {
                eprintln!("usage: tour [--runtime tokio|async-std|smol] [--scale F]");
                std::process::exit(2);
            }
        }
    }
    if !scale.is_finite() || scale <= 0.0 {
        eprintln!("--scale needs a positive number");
        std::process::exit(2);
    }
    println!("csp tour on {runtime} (tutorial seconds x {scale})");
    if tour_on(&runtime, &Out::new(true), Time::new(scale)).is_none() {
        eprintln!("unknown runtime {runtime:?}: use tokio, async-std or smol");
        std::process::exit(2);
    }
}
