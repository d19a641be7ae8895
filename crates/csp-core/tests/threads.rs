//! Values cross threads exactly once, with selects and cancellation in the mix.

#![cfg(not(loom))]

use std::collections::HashSet;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use csp_core::buffer::{Buffer, Fixed};
use csp_core::{block_on, select, Chan};

fn scale(n: u64) -> u64 {
    if cfg!(miri) {
        n / 200
    } else {
        n
    }
}

/// Polls `fut` up to `polls` times with a no-op waker, then drops it (a cancellation).
fn poll_a_little<F: Future>(fut: F, polls: usize) -> Option<F::Output> {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..polls {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return Some(v);
        }
        std::thread::yield_now();
    }
    None
}

fn run_mpmc<B: Buffer<u64> + Send>(
    chan: &Chan<u64, B>,
    producers: u64,
    consumers: usize,
    per: u64,
) {
    let seen = Mutex::new(HashSet::new());
    let done = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for p in 0..producers {
            let chan = &chan;
            let done = &done;
            s.spawn(move || {
                for i in 0..per {
                    let mut v = p * per + i;
                    // Some puts are tried with cancellation first; the value comes back.
                    if i % 3 == 0 {
                        let mut put = pin!(chan.put(v));
                        let mut cx = Context::from_waker(Waker::noop());
                        match put.as_mut().poll(&mut cx) {
                            Poll::Ready(r) => {
                                r.unwrap();
                                continue;
                            }
                            Poll::Pending => match put.as_mut().take_value() {
                                Some(back) => v = back,
                                None => continue, // delivered meanwhile
                            },
                        }
                    }
                    chan.put_blocking(v).unwrap();
                }
                if done.fetch_add(1, Ordering::AcqRel) + 1 == producers as usize {
                    chan.close();
                }
            });
        }
        for c in 0..consumers {
            let chan = &chan;
            let seen = &seen;
            s.spawn(move || {
                let mut mine = Vec::new();
                let mut k = 0u64;
                loop {
                    k += 1;
                    // Every other get is a short-lived future that may be cancelled.
                    let got = if (k + c as u64) % 2 == 0 {
                        match poll_a_little(chan.get(), 3) {
                            Some(v) => v,
                            None => continue,
                        }
                    } else {
                        chan.get_blocking()
                    };
                    match got {
                        Some(v) => mine.push(v),
                        None => break,
                    }
                }
                let mut seen = seen.lock().unwrap();
                for v in mine {
                    assert!(seen.insert(v), "value {v} received twice");
                }
            });
        }
    });
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.len() as u64, producers * per, "values lost");
}

#[test]
fn rendezvous_mpmc_with_cancellation_conserves_values() {
    let chan: Chan<u64> = Chan::new();
    run_mpmc(&chan, 3, 3, scale(4000));
}

#[test]
fn fixed_mpmc_with_cancellation_conserves_values() {
    let chan: Chan<u64, Fixed<u64, 4>> = Chan::with_buffer(Fixed::new());
    run_mpmc(&chan, 3, 3, scale(4000));
}

/// Producers select-put over two channels (one rendezvous, one buffered); consumers
/// select-get over both. Every value arrives exactly once, and no losing put delivers.
#[test]
fn select_put_against_select_get_is_atomic() {
    let a: Chan<u64> = Chan::new();
    let b: Chan<u64, Fixed<u64, 2>> = Chan::with_buffer(Fixed::new());
    let per = scale(3000);
    let producers = 2u64;
    let seen = Mutex::new(HashSet::new());
    let done = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for p in 0..producers {
            let (a, b, done) = (&a, &b, &done);
            s.spawn(move || {
                for i in 0..per {
                    let v = p * per + i;
                    block_on(async {
                        let mut pa = pin!(a.put(v));
                        let mut pb = pin!(b.put(v));
                        select! {
                            r = pa.as_mut() => r.unwrap(),
                            r = pb.as_mut() => r.unwrap(),
                        }
                        // Exactly one arm happened: the other still holds `v`.
                        let back = pa.as_mut().take_value().or(pb.as_mut().take_value());
                        assert_eq!(back, Some(v), "the losing put must keep its value");
                    });
                }
                if done.fetch_add(1, Ordering::AcqRel) + 1 == producers as usize {
                    a.close();
                    b.close();
                }
            });
        }
        for _ in 0..2 {
            let (a, b, seen) = (&a, &b, &seen);
            s.spawn(move || {
                let mut mine = Vec::new();
                let (mut a_open, mut b_open) = (true, true);
                while a_open || b_open {
                    block_on(async {
                        select! {
                            v = a.get(), if a_open => match v { Some(v) => mine.push(v), None => a_open = false },
                            v = b.get(), if b_open => match v { Some(v) => mine.push(v), None => b_open = false },
                        }
                    });
                }
                let mut seen = seen.lock().unwrap();
                for v in mine {
                    assert!(seen.insert(v), "value {v} received twice");
                }
            });
        }
    });
    assert_eq!(seen.into_inner().unwrap().len() as u64, producers * per);
}

/// The blocking operations on a small buffer (they retry before they queue): every
/// value arrives once and in order per producer, across threads.
fn blocking_flow<B: Buffer<u64> + Send>(ch: &Chan<u64, B>, producers: u64, per: u64) {
    let got = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for p in 0..producers {
            s.spawn(move || {
                for i in 0..per {
                    ch.put_blocking(p * per + i).unwrap();
                }
            });
        }
        let got = &got;
        s.spawn(move || {
            let mut mine = Vec::new();
            for _ in 0..producers * per {
                mine.push(ch.get_blocking().expect("open until drained"));
            }
            got.lock().unwrap().extend(mine);
        });
    });
    let got = got.into_inner().unwrap();
    assert_eq!(got.len() as u64, producers * per);
    for p in 0..producers {
        let mine: Vec<u64> = got.iter().copied().filter(|v| v / per == p).collect();
        let expected: Vec<u64> = (p * per..(p + 1) * per).collect();
        assert_eq!(mine, expected, "producer {p}'s values out of order or lost");
    }
    assert!(ch.try_get().is_err(), "nothing left over");
}

#[test]
fn blocking_put_and_get_on_small_buffers_deliver_each_value_once_in_order() {
    let per = scale(20_000);
    blocking_flow(&Chan::with_buffer(Fixed::<u64, 1>::new()), 1, per);
    blocking_flow(&Chan::with_buffer(Fixed::<u64, 4>::new()), 3, per / 3);
    blocking_flow(&Chan::<u64>::new(), 2, per / 10);
}

/// On a larger buffer the retries of contended blocking calls wait politely while the
/// buffer has slack (`Locking::Retry`): still every value once and in order.
#[test]
fn blocking_put_and_get_on_a_larger_buffer_deliver_each_value_once_in_order() {
    let per = scale(40_000);
    blocking_flow(&Chan::with_buffer(Fixed::<u64, 64>::new()), 4, per / 4);
    blocking_flow(&Chan::fixed(1024), 2, per / 2);
}

#[test]
fn blocking_put_waiting_on_a_full_buffer_ends_when_closed() {
    let ch: Chan<u64, Fixed<u64, 1>> = Chan::with_buffer(Fixed::new());
    ch.put_blocking(1).unwrap();
    std::thread::scope(|s| {
        let waiting = s.spawn(|| ch.put_blocking(2));
        // Whether the put is still retrying or already queued, it must end: a queued
        // put delivers after the close (to the next get), one still retrying gets its
        // value back.
        std::thread::sleep(std::time::Duration::from_millis(20));
        ch.close();
        assert_eq!(ch.get_blocking(), Some(1));
        let second = ch.get_blocking();
        match waiting.join().unwrap() {
            Ok(()) => assert_eq!(second, Some(2)),
            Err(e) => {
                assert_eq!(e.0, 2);
                assert_eq!(second, None);
            }
        }
    });
    assert_eq!(ch.get_blocking(), None);
    assert_eq!(
        ch.put_blocking(3).unwrap_err().0,
        3,
        "a put on a closed channel"
    );
}

/// One thread polls each put again and again, without waiting for a wake-up; another
/// takes each value once the put waits (so the get claims the waiting put).
fn puts_polled_without_pause<B: Buffer<u64> + Send>(ch: &Chan<u64, B>, n: u64) {
    // The value whose put is known to wait, plus one (0: none yet).
    let waiting = AtomicUsize::new(0);
    let waited = AtomicUsize::new(0);
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut cx = Context::from_waker(Waker::noop());
            for v in 0..n {
                let mut put = pin!(ch.put(v));
                let mut polls = 0;
                loop {
                    polls += 1;
                    match put.as_mut().poll(&mut cx) {
                        Poll::Ready(r) => break r.unwrap(),
                        Poll::Pending => {
                            waiting.store(v as usize + 1, Ordering::Release);
                            std::hint::spin_loop();
                        }
                    }
                }
                if polls > 1 {
                    waited.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        s.spawn(|| {
            for v in 0..n {
                // Let the put of `v` wait first, unless the buffer takes it at once.
                let mut spins = 0;
                while waiting.load(Ordering::Acquire) <= v as usize && spins < 1000 {
                    spins += 1;
                    std::thread::yield_now();
                }
                assert_eq!(
                    ch.get_blocking(),
                    Some(v),
                    "value {v} lost, duplicated or reordered"
                );
            }
        });
    });
    // The case under test happened: puts waited and were completed by the getter.
    assert!(waited.into_inner() > 0, "no put ever waited");
}

/// A poll of a waiting put may land while the getter that claimed it is still writing
/// its node, and a put whose getter has let go finishes without the channel's lock
/// (`Selector::is_released`). Each put completes once, and each value arrives once and
/// in order. Under Miri the race detector also checks that the lock-free finish reads
/// nothing the getter wrote without ordering.
#[test]
fn a_put_polled_without_pause_completes_once_while_its_value_is_taken() {
    let n = scale(20_000).max(40);
    puts_polled_without_pause(&Chan::<u64>::new(), n);
    puts_polled_without_pause(&Chan::<u64, Fixed<u64, 1>>::with_buffer(Fixed::new()), n);
}
