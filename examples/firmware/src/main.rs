//! csp on bare metal: a Cortex-M3 (QEMU's LM3S6965 board), no allocator, no OS.
//!
//! ```text
//!  SysTick ──try_put──▶ TICKS (Sliding<4>) ──get──▶ forwarder ──put──▶ WORK (rendezvous)
//!                                                       │                   │
//!                                                    close ──▶ STOP ──▶ consumer (select!)
//!                                                                           │
//!                                                            BATCHES (Fixed<5>) ◀──put
//! ```
//!
//! - The SysTick handler produces 1, 2, 3, … with `try_put` into a sliding channel: it
//!   never waits, and when the buffer is full the oldest value is discarded.
//! - The forwarder task takes them, checks they strictly increase, and hands
//!   [`VALUES`] of them through a rendezvous channel. Once it stalls on purpose for
//!   more ticks than the buffer holds, so some values must slide out. Then it closes
//!   `STOP` (and `TICKS`).
//! - The consumer task `select!`s between the rendezvous channel and `STOP`, and sums
//!   each batch of values into a fixed-capacity channel.
//!
//! At the end, `main` checks the accounting: every value the interrupt produced was
//! forwarded, discarded by the sliding policy, or is still in the buffer; every
//! forwarded value was received exactly once, in order; the consumer left through the
//! stop arm. It prints the results over semihosting and exits QEMU with success only
//! when all of that holds.
//!
//! The channels are ordinary `static`s: with csp-core's `critical-section` feature
//! the default lock is a critical section (cortex-m's single-core implementation), so
//! the interrupt handler may use them too.

#![no_std]
#![no_main]

use core::mem::{size_of, size_of_val};
use core::pin::pin;
use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception};
use cortex_m_semihosting::hprintln;
use csp_core::buffer::{Fixed, Rendezvous, Sliding};
use csp_core::lock::SpinLock;
use csp_core::{select, Chan, TryGetError, TryPutError};

use csp_firmware_example::{executor, finish};

/// Values handed through the rendezvous channel.
const VALUES: u32 = 40;
/// Values summed into one batch.
const BATCH: u32 = 8;
/// Batches, so the capacity of `BATCHES`.
const BATCHES_N: usize = (VALUES / BATCH) as usize;
/// The sliding buffer's capacity.
const TICKS_CAP: usize = 4;
/// After this many values the forwarder stalls for `STALL_TICKS` ticks.
const STALL_AT: u32 = 10;
const STALL_TICKS: u32 = 3 * TICKS_CAP as u32;
/// SysTick reload: 100 µs at the board's 12 MHz core clock. Fast enough that ticks
/// regularly land while a task holds a channel's lock: built with csp-core's spin lock
/// instead of the critical-section one, this program deadlocks in the handler every
/// time (at 1 ms it usually got through, proving nothing).
const TICK_RELOAD: u32 = 1_200 - 1;

/// Interrupt → forwarder. Sliding: the interrupt never waits; the oldest value goes.
static TICKS: Chan<u32, Sliding<u32, TICKS_CAP>> = Chan::with_buffer(Sliding::new());
/// Forwarder → consumer, rendezvous: a put completes when a get takes the value.
static WORK: Chan<u32> = Chan::new();
/// Consumer → main: one sum per batch, in a fixed-capacity buffer.
static BATCHES: Chan<u32, Fixed<u32, BATCHES_N>> = Chan::with_buffer(Fixed::new());
/// Closed by the forwarder to stop the consumer.
static STOP: Chan<()> = Chan::new();

/// Written by the SysTick handler only; read by the tasks and `main`.
static NEXT: AtomicU32 = AtomicU32::new(1);
static TICK_COUNT: AtomicU32 = AtomicU32::new(0);
static PRODUCED: AtomicU32 = AtomicU32::new(0);
static REJECTED_CLOSED: AtomicU32 = AtomicU32::new(0);
static REJECTED_FULL: AtomicU32 = AtomicU32::new(0);

#[exception]
fn SysTick() {
    TICK_COUNT.fetch_add(1, Ordering::Relaxed);
    // Only the non-waiting operations belong in an interrupt handler.
    let v = NEXT.load(Ordering::Relaxed);
    match TICKS.try_put(v) {
        Ok(()) => {
            NEXT.store(v + 1, Ordering::Relaxed);
            PRODUCED.fetch_add(1, Ordering::Relaxed);
        }
        Err(TryPutError::Closed(_)) => {
            REJECTED_CLOSED.fetch_add(1, Ordering::Relaxed);
        }
        // A sliding buffer always takes the value.
        Err(TryPutError::Full(_)) => {
            REJECTED_FULL.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// What the forwarder saw.
#[derive(Debug, Default)]
struct Forwarded {
    count: u32,
    sum: u32,
    last: u32,
    increasing: bool,
    batch_sums: [u32; BATCHES_N],
}

/// What the consumer saw.
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
        let v = TICKS.get().await.expect("TICKS is open until we close it");
        if v <= out.last {
            out.increasing = false;
        }
        out.last = v;
        if out.count == STALL_AT {
            // Busy for longer than the sliding buffer lasts: the interrupt keeps
            // producing, and the buffer keeps only the newest TICKS_CAP values.
            let until = TICK_COUNT.load(Ordering::Relaxed) + STALL_TICKS;
            while TICK_COUNT.load(Ordering::Relaxed) < until {
                cortex_m::asm::nop();
            }
        }
        WORK.put(v).await.expect("WORK is never closed");
        out.batch_sums[(out.count / BATCH) as usize] += v;
        out.count += 1;
        out.sum += v;
    }
    STOP.close();
    TICKS.close();
}

async fn consumer(out: &mut Consumed) {
    out.in_order = true;
    let mut last = 0;
    let mut batch = 0;
    loop {
        select! {
            Some(v) = WORK.get() => {
                out.in_order &= v > last;
                last = v;
                out.count += 1;
                out.sum += v;
                batch += v;
                if out.count % BATCH == 0 {
                    BATCHES.put(batch).await.expect("BATCHES is never closed");
                    batch = 0;
                }
            }
            _ = STOP.get() => {
                out.stopped = true;
                break;
            }
        }
    }
}

fn print_sizes() {
    hprintln!(
        "size_of Chan<u32> (rendezvous)      = {} B",
        size_of::<Chan<u32>>()
    );
    hprintln!(
        "size_of Chan<u32, _, SpinLock>      = {} B",
        size_of::<Chan<u32, Rendezvous, SpinLock>>()
    );
    hprintln!(
        "size_of Chan<u32, Sliding<u32, 4>>  = {} B",
        size_of_val(&TICKS)
    );
    hprintln!(
        "size_of Chan<u32, Fixed<u32, 5>>    = {} B",
        size_of_val(&BATCHES)
    );
    hprintln!(
        "size_of Chan<(), Rendezvous>        = {} B",
        size_of_val(&STOP)
    );
    // Futures are inert until polled: making them here to measure them does nothing.
    hprintln!(
        "size_of Put<u32> future             = {} B",
        size_of_val(&WORK.put(0))
    );
    hprintln!(
        "size_of Get<u32> future             = {} B",
        size_of_val(&WORK.get())
    );
    let sel = async {
        select! {
            Some(v) = WORK.get() => v,
            _ = STOP.get() => 0,
        }
    };
    hprintln!(
        "size_of 2-arm select! future        = {} B",
        size_of_val(&sel)
    );
}

#[entry]
fn main() -> ! {
    hprintln!("csp firmware: lm3s6965evb, no allocator, critical-section lock");
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

    // Sliding path: every produced value was forwarded, slid out, or is left over.
    let produced = PRODUCED.load(Ordering::Relaxed);
    let ticks = TICKS.stats();
    let mut left = 0;
    let mut left_increasing = true;
    let mut prev = fwd.last;
    loop {
        match TICKS.try_get() {
            Ok(v) => {
                left += 1;
                left_increasing &= v > prev;
                prev = v;
            }
            Err(TryGetError::Closed) => break,
            Err(TryGetError::Empty) => {
                left_increasing = false;
                break;
            }
        }
    }
    let discarded = ticks.discarded as u32;
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
        "sliding: try_put never reported Full",
        REJECTED_FULL.load(Ordering::Relaxed) == 0,
    );

    // Rendezvous path: each value received exactly once, in order.
    let work = WORK.stats();
    hprintln!(
        "rendezvous: forwarded {} (sum {}), received {} (sum {}), handed over {}",
        fwd.count,
        fwd.sum,
        con.count,
        con.sum,
        // Printed as u32: formatting a u64 would pull 1 KiB of 64-bit division into
        // .text, which the size comparison with embassy-sync should not count.
        u32::try_from(work.handed_over).unwrap_or(u32::MAX)
    );
    check(
        "rendezvous: all values received",
        fwd.count == VALUES && con.count == VALUES,
    );
    check(
        "rendezvous: exactly once (sums and hand-overs match)",
        con.sum == fwd.sum && work.handed_over == VALUES as usize && work.buffered == 0,
    );
    check("rendezvous: in order", con.in_order);

    // Fixed path: the consumer's batch sums, in order.
    let mut batches = 0;
    let mut batches_match = true;
    while let Ok(s) = BATCHES.try_get() {
        batches_match &= fwd.batch_sums.get(batches) == Some(&s);
        batches += 1;
    }
    hprintln!("fixed: {} batch sums {:?}", batches, fwd.batch_sums);
    check(
        "fixed: one sum per batch, all equal to the forwarder's",
        batches == BATCHES_N && batches_match,
    );

    // Stop: the consumer left through the stop arm, and nobody waits any more.
    check(
        "stop: the consumer left through the stop arm",
        con.stopped && STOP.is_closed(),
    );
    check(
        "stop: no waiter left behind",
        work.waiting_gets == 0 && work.waiting_puts == 0 && ticks.waiting_gets == 0,
    );

    finish(ok)
}
