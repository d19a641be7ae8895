//! Behaviour that must be the same on every runtime, written once and run on tokio,
//! smol and async-std through the `suite!` macro. No test asserts a duration: timing
//! only appears as generous "it eventually happened" bounds.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Counts its drops, to see that cancelled work is dropped exactly once.
struct DropCount(Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Scales work down under Miri.
const N: u32 = if cfg!(miri) { 10 } else { 200 };

/// A generous bound for "it eventually happened".
const EVENTUALLY: Duration = Duration::from_secs(20);

macro_rules! suite {
    ($name:ident, $krate:ident) => {
        mod $name {
            use super::*;
            use csp::buffer::Fixed;
            use csp::{select, Chan};
            use $krate as rt;

            #[test]
            fn go_gives_the_result_and_nop_lets_it_run_first() {
                let log = Arc::new(Mutex::new(Vec::new()));
                let l = log.clone();
                let n = rt::run(async move {
                    l.lock().unwrap().push("before");
                    let l2 = l.clone();
                    let t = rt::go(async move {
                        l2.lock().unwrap().push("do work");
                        7
                    });
                    rt::nop().await;
                    l.lock().unwrap().push("after");
                    t.await
                });
                assert_eq!(n, 7);
                assert_eq!(*log.lock().unwrap(), ["before", "do work", "after"]);
            }

            #[test]
            fn spawned_task_waits_for_the_spawner_to_yield() {
                let log = Arc::new(Mutex::new(Vec::new()));
                let l = log.clone();
                rt::run(async move {
                    l.lock().unwrap().push("before");
                    let l2 = l.clone();
                    let t = rt::go(async move { l2.lock().unwrap().push("do work") });
                    l.lock().unwrap().push("after");
                    t.await;
                });
                assert_eq!(*log.lock().unwrap(), ["before", "after", "do work"]);
            }

            #[test]
            fn dropping_a_task_handle_detaches_it() {
                let got = rt::run(async {
                    let ch = Arc::new(Chan::<u32>::new());
                    let tx = ch.clone();
                    drop(rt::go(async move { tx.put(5).await }));
                    ch.get().await
                });
                assert_eq!(got, Some(5));
            }

            #[test]
            fn task_panic_reaches_the_awaiter() {
                let r = std::panic::catch_unwind(|| {
                    rt::run(async { rt::go(async { panic!("boom in a task") }).await })
                });
                assert!(r.is_err());
            }

            #[test]
            fn channel_shared_across_tasks_and_threads() {
                let ch = Arc::new(Chan::<u32, _>::fixed(4));
                // Two plain threads and two tasks put; the main task sums.
                let threads: Vec<_> = (0..2)
                    .map(|_| {
                        let ch = ch.clone();
                        std::thread::spawn(move || {
                            for i in 1..=N {
                                ch.put_blocking(i).unwrap();
                            }
                        })
                    })
                    .collect();
                let c = ch.clone();
                let (sum, count) = rt::run(async move {
                    for _ in 0..2 {
                        let ch = c.clone();
                        rt::go(async move {
                            for i in 1..=N {
                                ch.put(i).await.unwrap();
                            }
                        });
                    }
                    let (mut sum, mut count) = (0u64, 0u32);
                    while count < 4 * N {
                        sum += u64::from(c.get().await.unwrap());
                        count += 1;
                    }
                    (sum, count)
                });
                for t in threads {
                    t.join().unwrap();
                }
                assert_eq!(count, 4 * N);
                assert_eq!(sum, 4 * u64::from(N) * u64::from(N + 1) / 2);
                assert_eq!(ch.try_get(), Err(csp::TryGetError::Empty));
            }

            #[test]
            fn fan_in_keeps_each_producers_order() {
                let seen = rt::run(async {
                    let ch = Arc::new(Chan::<(usize, u32)>::new());
                    let producers: Vec<_> = (0..3)
                        .map(|p| {
                            let ch = ch.clone();
                            rt::go(async move {
                                for i in 0..N {
                                    ch.put((p, i)).await.unwrap();
                                }
                            })
                        })
                        .collect();
                    let closer = ch.clone();
                    rt::go(async move {
                        for p in producers {
                            p.await;
                        }
                        closer.close();
                    });
                    let mut seen = vec![Vec::new(); 3];
                    while let Some((p, i)) = ch.get().await {
                        seen[p].push(i);
                    }
                    seen
                });
                for s in seen {
                    assert_eq!(s, (0..N).collect::<Vec<_>>());
                }
            }

            #[test]
            fn fan_out_delivers_each_value_once() {
                let mut all = rt::run(async {
                    let ch = Arc::new(Chan::<u32>::new());
                    let consumers: Vec<_> = (0..3)
                        .map(|_| {
                            let ch = ch.clone();
                            rt::go(async move {
                                let mut got = Vec::new();
                                while let Some(v) = ch.get().await {
                                    got.push(v);
                                }
                                got
                            })
                        })
                        .collect();
                    for i in 0..N {
                        ch.put(i).await.unwrap();
                    }
                    ch.close();
                    let mut all = Vec::new();
                    for c in consumers {
                        all.extend(c.await);
                    }
                    all
                });
                all.sort_unstable();
                assert_eq!(all, (0..N).collect::<Vec<_>>());
            }

            #[test]
            fn select_on_a_closed_stop_channel_stops_every_worker() {
                let stopped = rt::run(async {
                    let out = Arc::new(Chan::<u32>::new());
                    let stop = Arc::new(Chan::<()>::new());
                    let workers: Vec<_> = (0..3)
                        .map(|w| {
                            let (out, stop) = (out.clone(), stop.clone());
                            rt::go(async move {
                                let mut i = 0;
                                loop {
                                    i += 1;
                                    select! {
                                        biased;
                                        _ = stop.get() => return w,
                                        r = out.put(i) => r.unwrap(),
                                    }
                                }
                            })
                        })
                        .collect();
                    for _ in 0..30 {
                        out.get().await.unwrap();
                    }
                    stop.close();
                    let mut stopped = Vec::new();
                    for w in workers {
                        stopped.push(w.await);
                    }
                    // The workers stopped without delivering more.
                    assert!(out.try_get().is_err());
                    stopped
                });
                assert_eq!(stopped, [0, 1, 2]);
            }

            #[test]
            fn timeout_closes_itself_and_wins_a_select_with_nothing_else_ready() {
                rt::run(async {
                    let never = Chan::<u32>::new();
                    let t = rt::timeout(Duration::from_millis(5));
                    let got = select! {
                        v = never.get() => v.map(|_| "value"),
                        v = t.get() => {
                            assert_eq!(v, None);
                            Some("timed out")
                        }
                    };
                    assert_eq!(got, Some("timed out"));
                    assert!(t.is_closed());
                });
            }

            #[test]
            fn ready_value_wins_over_a_far_timeout() {
                rt::run(async {
                    let ch: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
                    ch.put(9).await.unwrap();
                    let t = rt::timeout(Duration::from_secs(3600));
                    let got = select! {
                        v = ch.get() => v,
                        _ = t.get() => None,
                    };
                    assert_eq!(got, Some(9));
                    assert!(!t.is_closed());
                });
            }

            #[test]
            fn after_yields_one_instant_then_closes() {
                rt::run(async {
                    let start = Instant::now();
                    let a = rt::after(Duration::from_millis(2));
                    let fired = a.get().await.unwrap();
                    assert!(fired >= start);
                    assert_eq!(a.get().await, None);
                });
            }

            #[test]
            fn tick_tock_counts_from_one_and_stops_when_closed() {
                rt::run(async {
                    let ticks = rt::tick_tock(Duration::from_millis(1));
                    let mut last = None;
                    for want in 1..=5u64 {
                        let (n, when) = ticks.get().await.unwrap();
                        assert_eq!(n, want);
                        if let Some(prev) = last {
                            assert!(when > prev);
                        }
                        last = Some(when);
                    }
                    ticks.close();
                    assert_eq!(ticks.get().await, None);
                    // The ticker task lets go of the channel once it sees the close.
                    let deadline = Instant::now() + EVENTUALLY;
                    while Arc::strong_count(&ticks) > 1 {
                        assert!(Instant::now() < deadline, "ticker never stopped");
                        rt::sleep(Duration::from_millis(1)).await;
                    }
                });
            }

            #[test]
            fn run_cancels_leftover_tasks_and_drops_their_values() {
                let drops = Arc::new(AtomicUsize::new(0));
                let d = drops.clone();
                let ch = Arc::new(Chan::<DropCount>::new());
                let c = ch.clone();
                let out = rt::run(async move {
                    // Blocked forever in a put holding a value.
                    let c2 = c.clone();
                    let d2 = d.clone();
                    rt::go(async move {
                        let _ = c2.put(DropCount(d2)).await;
                    });
                    // Sleeping, and holding a guard, in a task spawned by a task.
                    let d3 = d.clone();
                    rt::go(async move {
                        rt::go(async move {
                            let _guard = DropCount(d3);
                            rt::sleep(Duration::from_secs(3600)).await;
                        });
                        std::future::pending::<()>().await;
                    });
                    rt::nop().await;
                    rt::nop().await;
                    "main done"
                });
                assert_eq!(out, "main done");
                assert_eq!(drops.load(Ordering::SeqCst), 2);
                // The cancelled put delivered nothing and left nothing queued.
                assert!(ch.try_get().is_err());
            }

            #[test]
            fn plain_thread_talks_to_async_tasks_with_blocking_calls() {
                let requests = Arc::new(Chan::<u32>::new());
                let replies = Arc::new(Chan::<u32>::new());
                let (rq, rp) = (requests.clone(), replies.clone());
                let server = rt::run_in_thread(async move {
                    let mut served = 0;
                    while let Some(x) = rq.get().await {
                        let rp = rp.clone();
                        // Each reply comes from its own task.
                        rt::go(async move { rp.put(x * 2).await }).await.unwrap();
                        served += 1;
                    }
                    served
                });
                for i in 0..N {
                    requests.put_blocking(i).unwrap();
                    assert_eq!(replies.get_blocking(), Some(i * 2));
                }
                requests.close();
                assert_eq!(server.join(), N);
            }

            #[test]
            fn spawn_blocking_bridges_to_blocking_code() {
                let sum = rt::run(async {
                    let ch = Arc::new(Chan::<u64>::new());
                    let rx = ch.clone();
                    let worker = rt::spawn_blocking(move || {
                        let mut sum = 0;
                        while let Some(v) = rx.get_blocking() {
                            sum += v;
                        }
                        sum
                    });
                    for i in 1..=u64::from(N) {
                        ch.put(i).await.unwrap();
                    }
                    ch.close();
                    worker.await
                });
                assert_eq!(sum, u64::from(N) * u64::from(N + 1) / 2);
            }

            #[test]
            fn run_in_thread_can_be_joined_or_awaited() {
                let a = rt::run_in_thread(async { rt::go(async { 20 }).await + 1 });
                let b = rt::run_in_thread(async { 21 });
                assert_eq!(a.join(), 21);
                assert_eq!(rt::run(b), 21);
            }
        }
    };
}

suite!(tokio, csp_tokio);
suite!(smol, csp_smol);
suite!(async_std, csp_async_std);

/// The facade re-exports the default runtime under its name.
#[cfg(feature = "tokio")]
#[test]
fn facade_exposes_tokio() {
    assert_eq!(
        csp::tokio::run(async { csp::tokio::go(async { 1 }).await }),
        1
    );
}

#[cfg(feature = "smol")]
#[test]
fn facade_exposes_smol() {
    assert_eq!(
        csp::smol::run(async { csp::smol::go(async { 1 }).await }),
        1
    );
}

#[cfg(feature = "async-std")]
#[test]
fn facade_exposes_async_std() {
    assert_eq!(
        csp::async_std::run(async { csp::async_std::go(async { 1 }).await }),
        1
    );
}

/// Outside `run`, smol's and async-std's `go` and time channels use the runtime's
/// global executor, so they work from any thread (tokio's need a runtime).
macro_rules! global_executor_suite {
    ($name:ident, $krate:ident) => {
        mod $name {
            use super::*;
            use csp::Chan;
            use $krate as rt;

            #[test]
            fn go_and_time_channels_work_outside_run() {
                let t = rt::go(async { 40 + 2 });
                let timeout = rt::timeout(Duration::from_millis(1));
                let after = rt::after(Duration::from_millis(1));
                let ticks = rt::tick_tock_at(Instant::now(), Duration::from_millis(1));
                csp::block_on(async {
                    assert_eq!(t.await, 42);
                    assert_eq!(timeout.get().await, None);
                    assert!(timeout.is_closed());
                    assert!(after.get().await.is_some());
                    assert_eq!(ticks.get().await.map(|(n, _)| n), Some(1));
                    assert_eq!(ticks.get().await.map(|(n, _)| n), Some(2));
                    ticks.close();
                });
            }

            #[test]
            fn task_reports_when_it_has_finished() {
                let ch = Arc::new(Chan::<()>::new());
                let c = ch.clone();
                let t = rt::go(async move { c.get().await });
                let b = rt::spawn_blocking(|| 5);
                assert!(!t.is_finished());
                ch.close();
                let deadline = Instant::now() + EVENTUALLY;
                while !(t.is_finished() && b.is_finished()) {
                    assert!(Instant::now() < deadline, "tasks never finished");
                    std::thread::sleep(Duration::from_millis(1));
                }
                assert_eq!(csp::block_on(t), None);
                assert_eq!(csp::block_on(b), 5);
            }
        }
    };
}

global_executor_suite!(smol_global, csp_smol);
global_executor_suite!(async_std_global, csp_async_std);
