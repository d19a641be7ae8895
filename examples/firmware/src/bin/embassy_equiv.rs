//! The same firmware as `src/main.rs`, written with embassy-sync's `Channel`, to
//! compare code size (see docs/embedded.md). Same executor, same checks, same output.
//!
//! embassy-sync has neither a sliding buffer, nor a rendezvous channel, nor `close`, so
//! this twin emulates them the usual way:
//! - sliding: the interrupt handler calls `try_send`, and when the channel is full
//!   discards the oldest value with `try_receive` and sends again;
//! - rendezvous: a channel of capacity 1 (a send completes when the value is buffered,
//!   not when it is taken);
//! - close: an `AtomicBool` for the ticks, and a `()` message on a stop channel;
//! - `select!`: `embassy_futures::select::select`, which polls its first future first.

#![no_std]
#![no_main]

use core::mem::{size_of, size_of_val};
use core::pin::pin;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception};
use cortex_m_semihosting::hprintln;
use embassy_futures::select::{select, Either};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex as Cs;
use embassy_sync::channel::{Channel, TrySendError};

use csp_firmware_example::{executor, finish};

const VALUES: u32 = 40;
const BATCH: u32 = 8;
const BATCHES_N: usize = (VALUES / BATCH) as usize;
const TICKS_CAP: usize = 4;
const STALL_AT: u32 = 10;
const STALL_TICKS: u32 = 3 * TICKS_CAP as u32;
const TICK_RELOAD: u32 = 1_200 - 1;

static TICKS: Channel<Cs, u32, TICKS_CAP> = Channel::new();
static TICKS_CLOSED: AtomicBool = AtomicBool::new(false);
static WORK: Channel<Cs, u32, 1> = Channel::new();
static BATCHES: Channel<Cs, u32, BATCHES_N> = Channel::new();
static STOP: Channel<Cs, (), 1> = Channel::new();

static NEXT: AtomicU32 = AtomicU32::new(1);
static TICK_COUNT: AtomicU32 = AtomicU32::new(0);
static PRODUCED: AtomicU32 = AtomicU32::new(0);
static DISCARDED: AtomicU32 = AtomicU32::new(0);
static REJECTED_CLOSED: AtomicU32 = AtomicU32::new(0);
static REJECTED_FULL: AtomicU32 = AtomicU32::new(0);
static HANDED_OVER: AtomicU32 = AtomicU32::new(0);

#[exception]
fn SysTick() {
    TICK_COUNT.fetch_add(1, Ordering::Relaxed);
    if TICKS_CLOSED.load(Ordering::Relaxed) {
        REJECTED_CLOSED.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let v = NEXT.load(Ordering::Relaxed);
    let sent = match TICKS.try_send(v) {
        Ok(()) => true,
        Err(TrySendError::Full(v)) => {
            // Slide: drop the oldest value, then send again.
            if TICKS.try_receive().is_ok() {
                DISCARDED.fetch_add(1, Ordering::Relaxed);
            }
            TICKS.try_send(v).is_ok()
        }
    };
    if sent {
        NEXT.store(v + 1, Ordering::Relaxed);
        PRODUCED.fetch_add(1, Ordering::Relaxed);
    } else {
        REJECTED_FULL.fetch_add(1, Ordering::Relaxed);
    }
}

#[derive(Debug, Default)]
struct Forwarded {
    count: u32,
    sum: u32,
    last: u32,
    increasing: bool,
    batch_sums: [u32; BATCHES_N],
}

#[derive(Debug, Default)]
struct Consumed {
    count: u32,
    sum: u32,
    in_order: bool,
    stopped: bool,
}

async fn forwarder(out: &mut Forwarded) {
    out.increasing = true;
    while out.count < VALUES {
        let v = TICKS.receive().await;
        if v <= out.last {
            out.increasing = false;
        }
        out.last = v;
        if out.count == STALL_AT {
            let until = TICK_COUNT.load(Ordering::Relaxed) + STALL_TICKS;
            while TICK_COUNT.load(Ordering::Relaxed) < until {
                cortex_m::asm::nop();
            }
        }
        WORK.send(v).await;
        out.batch_sums[(out.count / BATCH) as usize] += v;
        out.count += 1;
        out.sum += v;
    }
    STOP.send(()).await;
    TICKS_CLOSED.store(true, Ordering::Relaxed);
}

async fn consumer(out: &mut Consumed) {
    out.in_order = true;
    let mut last = 0;
    let mut batch = 0;
    loop {
        match select(WORK.receive(), STOP.receive()).await {
            Either::First(v) => {
                HANDED_OVER.fetch_add(1, Ordering::Relaxed);
                out.in_order &= v > last;
                last = v;
                out.count += 1;
                out.sum += v;
                batch += v;
                if out.count % BATCH == 0 {
                    BATCHES.send(batch).await;
                    batch = 0;
                }
            }
            Either::Second(()) => {
                out.stopped = true;
                break;
            }
        }
    }
}

fn print_sizes() {
    hprintln!(
        "size_of Channel<Cs, u32, 1>         = {} B",
        size_of::<Channel<Cs, u32, 1>>()
    );
    hprintln!(
        "size_of Channel<Cs, u32, 4>         = {} B",
        size_of_val(&TICKS)
    );
    hprintln!(
        "size_of Channel<Cs, u32, 5>         = {} B",
        size_of_val(&BATCHES)
    );
    hprintln!(
        "size_of Channel<Cs, (), 1>          = {} B",
        size_of_val(&STOP)
    );
    hprintln!(
        "size_of SendFuture<u32>             = {} B",
        size_of_val(&WORK.send(0))
    );
    hprintln!(
        "size_of ReceiveFuture<u32>          = {} B",
        size_of_val(&WORK.receive())
    );
    let sel = async {
        match select(WORK.receive(), STOP.receive()).await {
            Either::First(v) => v,
            Either::Second(()) => 0,
        }
    };
    hprintln!(
        "size_of 2-way select future         = {} B",
        size_of_val(&sel)
    );
}

#[entry]
fn main() -> ! {
    hprintln!("embassy-sync twin: lm3s6965evb, no allocator, critical-section mutex");
    print_sizes();

    let mut cp = cortex_m::Peripherals::take().expect("first and only take");
    cp.SYST.set_clock_source(SystClkSource::Core);
    cp.SYST.set_reload(TICK_RELOAD);
    cp.SYST.clear_current();
    cp.SYST.enable_interrupt();
    cp.SYST.enable_counter();

    let mut fwd = Forwarded::default();
    let mut con = Consumed::default();
    {
        let a = pin!(forwarder(&mut fwd));
        let b = pin!(consumer(&mut con));
        hprintln!(
            "task futures: forwarder {} B, consumer {} B",
            size_of_val(&*a),
            size_of_val(&*b)
        );
        executor::run(&mut [a, b]);
    }
    cp.SYST.disable_interrupt();
    cp.SYST.disable_counter();

    let mut ok = true;
    let mut check = |what: &str, good: bool| {
        hprintln!("  [{}] {}", if good { "ok" } else { "FAILED" }, what);
        ok &= good;
    };

    let produced = PRODUCED.load(Ordering::Relaxed);
    let mut left = 0;
    let mut left_increasing = true;
    let mut prev = fwd.last;
    while let Ok(v) = TICKS.try_receive() {
        left += 1;
        left_increasing &= v > prev;
        prev = v;
    }
    let discarded = DISCARDED.load(Ordering::Relaxed);
    hprintln!(
        "sliding: {} ticks, produced {}, forwarded {}, discarded {}, left {}, rejected after close {}",
        TICK_COUNT.load(Ordering::Relaxed),
        produced,
        fwd.count,
        discarded,
        left,
        REJECTED_CLOSED.load(Ordering::Relaxed),
    );
    check(
        "sliding: values strictly increase",
        fwd.increasing && left_increasing,
    );
    check(
        "sliding: produced = forwarded + discarded + left",
        produced == fwd.count + discarded + left,
    );
    check(
        "sliding: the stall made the oldest values slide out",
        discarded >= STALL_TICKS - TICKS_CAP as u32,
    );
    check(
        "sliding: try_send never failed after sliding",
        REJECTED_FULL.load(Ordering::Relaxed) == 0,
    );

    let handed_over = HANDED_OVER.load(Ordering::Relaxed);
    hprintln!(
        "rendezvous: forwarded {} (sum {}), received {} (sum {}), handed over {}",
        fwd.count,
        fwd.sum,
        con.count,
        con.sum,
        handed_over
    );
    check(
        "rendezvous: all values received",
        fwd.count == VALUES && con.count == VALUES,
    );
    check(
        "rendezvous: exactly once (sums and hand-overs match)",
        con.sum == fwd.sum && handed_over == VALUES && WORK.is_empty(),
    );
    check("rendezvous: in order", con.in_order);

    let mut batches = 0;
    let mut batches_match = true;
    while let Ok(s) = BATCHES.try_receive() {
        batches_match &= fwd.batch_sums.get(batches) == Some(&s);
        batches += 1;
    }
    hprintln!("fixed: {} batch sums {:?}", batches, fwd.batch_sums);
    check(
        "fixed: one sum per batch, all equal to the forwarder's",
        batches == BATCHES_N && batches_match,
    );

    check(
        "stop: the consumer left through the stop arm",
        con.stopped && STOP.is_empty(),
    );
    finish(ok)
}
