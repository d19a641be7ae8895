//! Pipes with several values in flight, blocking pools, the spawner form, panics, and
//! the way back to plain threads — on every runtime.

#[macro_use]
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{feed, join3, yield_now};
use csp_core::Chan;
use csp_ops::*;

/// Work that finishes after `10 - x` polls: later inputs finish first.
async fn slower_first(x: usize) -> usize {
    yield_now(10 - x).await;
    x
}

on_every_runtime!(async_pipe_keeps_input_order_with_n_in_flight, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let running = AtomicUsize::new(0);
    let most = AtomicUsize::new(0);
    let work = |x: usize| {
        let (running, most) = (&running, &most);
        async move {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            let r = slower_first(x).await;
            running.fetch_sub(1, Ordering::SeqCst);
            r
        }
    };
    let (_, r, got) = join3(
        feed(&i, 0..8),
        async_pipe(3, &i, &o, work, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [0, 1, 2, 3, 4, 5, 6, 7], "input order");
    assert_eq!(
        most.load(Ordering::SeqCst),
        3,
        "n workers ran at once, no more"
    );
});

on_every_runtime!(async_pipe_unordered_emits_in_completion_order, |sp| {
    // Worker x finishes when gate x is closed; the gates open in the order 2, 0, 1.
    let gates: Vec<Chan<()>> = (0..3).map(|_| Chan::new()).collect();
    let i = Chan::fixed(4);
    let o = Chan::new();
    for x in 0..3 {
        i.try_put(x).unwrap();
    }
    i.close();
    let work = |x: usize| {
        let gate = &gates[x];
        async move {
            gate.get().await;
            x
        }
    };
    let opener = async {
        let mut got = Vec::new();
        for k in [2, 0, 1] {
            gates[k].close();
            got.push(o.get().await.unwrap());
        }
        assert_eq!(o.get().await, None);
        got
    };
    let (r, got) = futures_lite::future::zip(
        async_pipe_unordered(3, &i, &o, work, Options::new()),
        opener,
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [2, 0, 1]);
});

on_every_runtime!(parallel_pipe_keeps_input_order, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let work = |x: u64| {
        std::thread::sleep(Duration::from_millis(8 - x));
        x * x
    };
    let (_, r, got) = join3(
        feed(&i, 0..8),
        parallel_pipe(4, &i, &o, &sp, work, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [0, 1, 4, 9, 16, 25, 36, 49]);
});

on_every_runtime!(parallel_pipe_unordered_gives_everything, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let (_, r, mut got) = join3(
        feed(&i, 0..8u64),
        parallel_pipe_unordered(4, &i, &o, &sp, |x| x + 1, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    got.sort();
    assert_eq!(got, [1, 2, 3, 4, 5, 6, 7, 8]);
});

on_every_runtime!(parallel_pipe_flatten, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let (_, r, got) = join3(
        feed(&i, [3usize, 0, 2]),
        parallel_pipe_flat(2, &i, &o, &sp, |n| vec![n; n], Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [3, 3, 3, 2, 2]);
    let (i, o) = (Chan::new(), Chan::new());
    let (_, r, mut got) = join3(
        feed(&i, [3usize, 0, 2]),
        parallel_pipe_unordered_flat(2, &i, &o, &sp, |n| vec![n; n], Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    got.sort();
    assert_eq!(got, [2, 2, 3, 3, 3]);
});

/// Runs `jobs` sleeping jobs through `parallel_pipe` with `n` workers; returns the time.
async fn time_sleepers<S: Spawn>(sp: &S, n: usize, jobs: u64) -> Duration {
    let (i, o) = (Chan::new(), Chan::new());
    let start = Instant::now();
    let (_, r, got) = join3(
        feed(&i, 0..jobs),
        parallel_pipe(
            n,
            &i,
            &o,
            sp,
            |x| {
                std::thread::sleep(Duration::from_millis(60));
                x
            },
            Options::new(),
        ),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, (0..jobs).collect::<Vec<_>>());
    start.elapsed()
}

on_every_runtime!(parallel_pipe_really_runs_in_parallel, |sp| {
    // 4 jobs of 60 ms: about 240 ms one at a time, about 60 ms four at a time. Sleeping
    // jobs keep the ratio clear even on a loaded 2-core machine.
    let serial = time_sleepers(&sp, 1, 4).await;
    let parallel = time_sleepers(&sp, 4, 4).await;
    assert!(
        parallel.as_secs_f64() < 0.75 * serial.as_secs_f64(),
        "parallel {parallel:?} vs serial {serial:?}"
    );
});

on_every_runtime!(chan_ext_pipeline_on_the_spawner, |sp| {
    let numbers = Arc::new(Chan::new());
    let src = Arc::clone(&numbers);
    sp.spawn(async move {
        let _ = from_iter(0..10u64, &*src, Options::new()).await;
    });
    let out = numbers
        .filter(&sp, |x| x % 2 == 0)
        .map(&sp, |x| x * 10)
        .parallel_pipe(&sp, 2, |x| x + 1)
        .async_pipe(&sp, 2, |x| async move { x * 2 })
        .scan(&sp, 0, |a, x| a + x);
    assert_eq!(collect(&*out, None).await, [2, 44, 126, 248, 410]);
});

on_every_runtime!(panic_in_user_fn_closes_the_output, |sp| {
    // The driver runs as a spawned task; the consumer waits on its output.
    let i = Arc::new(Chan::fixed(8));
    for x in 0..8 {
        i.try_put(x).unwrap();
    }
    let out = i.map(&sp, |x| {
        assert!(x != 3, "boom (expected by the test)");
        x
    });
    assert_eq!(
        collect(&*out, None).await,
        [0, 1, 2],
        "the consumer sees the end"
    );
    assert!(out.is_closed());
});

on_every_runtime!(panic_in_a_blocking_job_closes_the_output, |sp| {
    let i = Arc::new(Chan::fixed(8));
    for x in 0..6u32 {
        i.try_put(x).unwrap();
    }
    i.close();
    let out = i.parallel_pipe(&sp, 1, |x| {
        assert!(x != 2, "boom in a blocking job (expected by the test)");
        x
    });
    // The consumer sees the end. Results still in flight when the job panicked (1 may
    // be computed but not yet put) are dropped with the driver.
    let got = collect(&*out, None).await;
    assert!(got == [0] || got == [0, 1], "got {got:?}");
    assert!(out.is_closed());
});

on_every_runtime!(panic_closes_even_with_keep_open, |sp| {
    let out: Arc<Chan<u32, _>> = Arc::new(Chan::fixed(4));
    let o = Arc::clone(&out);
    std::thread::spawn(move || {
        let i = Chan::fixed(4);
        i.try_put(1).unwrap();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            csp_core::block_on(map(
                &i,
                &*o,
                |_: u32| -> u32 { panic!("boom (expected by the test)") },
                Options::new().keep_open(),
            ))
        }));
        assert!(r.is_err());
    })
    .join()
    .unwrap();
    assert!(out.is_closed());
});

#[test]
fn to_iterable_reads_from_a_plain_thread() {
    let ch = Arc::new(Chan::new());
    let src = Arc::clone(&ch);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.spawn(async move {
        let _ = from_range(0, Some(5), 1, &*src, Options::new()).await;
    });
    let reader = std::thread::spawn(move || to_iterable(ch).map(|x| x * 2).collect::<Vec<_>>());
    assert_eq!(reader.join().unwrap(), [0, 2, 4, 6, 8]);
}
