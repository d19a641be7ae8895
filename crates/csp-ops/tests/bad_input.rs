//! Bad counts are refused at the call, with a clear message, before anything is
//! spawned or returned (a check inside a spawned driver would panic on a runtime
//! thread and leave the consumer waiting on an output nobody closes); and a huge but
//! legal count neither aborts on an up-front allocation nor hangs, on every runtime.

#[macro_use]
mod common;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use common::{feed, join3, Threads};
use csp_core::Chan;
use csp_ops::*;

/// A batch size or concurrency limit that no allocation could hold up front.
const HUGE: usize = usize::MAX / 2;

/// Runs `fut`, failing the test if it takes more than 10 s: without the eager checks a
/// consumer waits for ever, and a hang should fail the test, not stall the run.
async fn within_10s<F: Future>(fut: F) -> F::Output {
    fn timed_out<T>() -> T {
        panic!("timed out: the consumer still waits after 10 s")
    }
    let alarm: Arc<Chan<()>> = Arc::new(Chan::new());
    let ring = Arc::clone(&alarm);
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(10));
        ring.close();
    });
    futures_lite::future::or(fut, async move {
        alarm.get().await;
        timed_out()
    })
    .await
}

/// A closed input holding `0..n`, in an `Arc` for the `ChanExt` forms.
fn closed_input(n: u64) -> Arc<Chan<u64, csp_core::buffer::DynFixed<u64>>> {
    let ch = Arc::new(Chan::fixed(8));
    for x in 0..n {
        ch.try_put(x).unwrap();
    }
    ch.close();
    ch
}

// ---- Zero: a panic at the call, naming the function and the argument. ----
// (Only the call is made: the returned future is never polled.)

#[test]
#[should_panic(expected = "csp-ops: group needs a batch size `n` of at least 1")]
fn group_with_size_0_panics_at_the_call() {
    let (i, o) = (Chan::<u64>::new(), Chan::new());
    let _never_polled = group(&i, &o, 0, Options::new());
}

#[test]
#[should_panic(expected = "csp-ops: group needs a batch size `n` of at least 1")]
fn chan_ext_group_with_size_0_panics_before_spawning() {
    let _out = closed_input(3).group(&Threads, 0);
}

#[test]
#[should_panic(expected = "csp-ops: async_pipe needs a concurrency limit `n` of at least 1")]
fn async_pipe_with_limit_0_panics_at_the_call() {
    let (i, o) = (Chan::<u64>::new(), Chan::new());
    let _never_polled = async_pipe(0, &i, &o, |x| async move { x }, Options::new());
}

#[test]
#[should_panic(expected = "csp-ops: async_pipe needs a concurrency limit `n` of at least 1")]
fn chan_ext_async_pipe_with_limit_0_panics_before_spawning() {
    let _out = closed_input(3).async_pipe(&Threads, 0, |x| async move { x });
}

#[test]
#[should_panic(
    expected = "csp-ops: async_pipe_unordered needs a concurrency limit `n` of at least 1"
)]
fn async_pipe_unordered_with_limit_0_panics_at_the_call() {
    let (i, o) = (Chan::<u64>::new(), Chan::new());
    let _never_polled = async_pipe_unordered(0, &i, &o, |x| async move { x }, Options::new());
}

#[test]
#[should_panic(
    expected = "csp-ops: async_pipe_unordered needs a concurrency limit `n` of at least 1"
)]
fn chan_ext_async_pipe_unordered_with_limit_0_panics_before_spawning() {
    let _out = closed_input(3).async_pipe_unordered(&Threads, 0, |x| async move { x });
}

#[test]
#[should_panic(expected = "csp-ops: parallel_pipe needs a concurrency limit `n` of at least 1")]
fn parallel_pipe_with_limit_0_panics_at_the_call() {
    let (i, o) = (Chan::<u64>::new(), Chan::new());
    let _never_polled = parallel_pipe(0, &i, &o, &Threads, |x| x, Options::new());
}

#[test]
#[should_panic(expected = "csp-ops: parallel_pipe needs a concurrency limit `n` of at least 1")]
fn chan_ext_parallel_pipe_with_limit_0_panics_before_spawning() {
    let _out = closed_input(3).parallel_pipe(&Threads, 0, |x| x);
}

#[test]
#[should_panic(
    expected = "csp-ops: parallel_pipe_unordered needs a concurrency limit `n` of at least 1"
)]
fn parallel_pipe_unordered_with_limit_0_panics_at_the_call() {
    let (i, o) = (Chan::<u64>::new(), Chan::new());
    let _never_polled = parallel_pipe_unordered(0, &i, &o, &Threads, |x| x, Options::new());
}

#[test]
#[should_panic(
    expected = "csp-ops: parallel_pipe_unordered needs a concurrency limit `n` of at least 1"
)]
fn chan_ext_parallel_pipe_unordered_with_limit_0_panics_before_spawning() {
    let _out = closed_input(3).parallel_pipe_unordered(&Threads, 0, |x| x);
}

#[test]
#[should_panic(
    expected = "csp-ops: parallel_pipe_flat needs a concurrency limit `n` of at least 1"
)]
fn parallel_pipe_flat_with_limit_0_panics_at_the_call() {
    let (i, o) = (Chan::<u64>::new(), Chan::new());
    let _never_polled = parallel_pipe_flat(0, &i, &o, &Threads, |x| [x], Options::new());
}

#[test]
#[should_panic(
    expected = "csp-ops: parallel_pipe_unordered_flat needs a concurrency limit `n` of at least 1"
)]
fn parallel_pipe_unordered_flat_with_limit_0_panics_at_the_call() {
    let (i, o) = (Chan::<u64>::new(), Chan::new());
    let _never_polled = parallel_pipe_unordered_flat(0, &i, &o, &Threads, |x| [x], Options::new());
}

#[test]
#[should_panic(expected = "csp-ops: from_range needs a non-zero `step`")]
fn from_range_with_step_0_panics_at_the_call() {
    let o = Chan::<i32>::new();
    let _never_polled = from_range(0, Some(10), 0, &o, Options::new());
}

// ---- Huge: legal, works, nothing allocated up front, the output ends. ----

on_every_runtime!(
    group_with_a_huge_size_puts_the_partial_batch_at_the_end,
    |sp| {
        let (i, o) = (Chan::new(), Chan::new());
        let (_, r, got) = within_10s(join3(
            feed(&i, 0..5u64),
            group(&i, &o, HUGE, Options::new()),
            collect(&o, None),
        ))
        .await;
        assert_eq!(r, Ok(()));
        assert_eq!(got, [vec![0, 1, 2, 3, 4]]);
    }
);

on_every_runtime!(
    chan_ext_group_with_a_huge_size_puts_the_partial_batch,
    |sp| {
        let input = Arc::new(Chan::new());
        let out = input.group(&sp, HUGE);
        let (_, got) = within_10s(futures_lite::future::zip(
            feed(&*input, 0..5u64),
            collect(&*out, None),
        ))
        .await;
        assert_eq!(got, [vec![0, 1, 2, 3, 4]]);
        assert!(out.is_closed());
    }
);

/// A pipe driver with a huge limit doubles 0..6 (`sorted`: compared in order once sorted,
/// for the unordered pipes), returns `Ok` and closes its output.
macro_rules! driver_with_a_huge_limit {
    ($name:ident, $sorted:expr, |$i:ident, $o:ident, $sp:ident| $driver:expr) => {
        on_every_runtime!($name, |$sp| {
            let ($i, $o) = (Chan::new(), Chan::new());
            let (_, r, mut got) =
                within_10s(join3(feed(&$i, 0..6u64), $driver, collect(&$o, None))).await;
            assert_eq!(r, Ok(()));
            if $sorted {
                got.sort();
            }
            assert_eq!(got, [0, 2, 4, 6, 8, 10]);
        });
    };
}

/// The same through the `ChanExt` form, on a closed input of 0..6.
macro_rules! chan_ext_with_a_huge_limit {
    ($name:ident, $sorted:expr, |$input:ident, $sp:ident| $spawned:expr) => {
        on_every_runtime!($name, |$sp| {
            let $input = closed_input(6);
            let out = $spawned;
            let mut got = within_10s(collect(&*out, None)).await;
            if $sorted {
                got.sort();
            }
            assert_eq!(got, [0, 2, 4, 6, 8, 10]);
        });
    };
}

driver_with_a_huge_limit!(
    async_pipe_with_a_huge_limit_passes_everything,
    false,
    |i, o, sp| async_pipe(HUGE, &i, &o, |x| async move { x * 2 }, Options::new())
);
chan_ext_with_a_huge_limit!(
    chan_ext_async_pipe_with_a_huge_limit_passes_everything,
    false,
    |input, sp| input.async_pipe(&sp, HUGE, |x| async move { x * 2 })
);
driver_with_a_huge_limit!(
    async_pipe_unordered_with_a_huge_limit_passes_everything,
    true,
    |i, o, sp| async_pipe_unordered(HUGE, &i, &o, |x| async move { x * 2 }, Options::new())
);
chan_ext_with_a_huge_limit!(
    chan_ext_async_pipe_unordered_with_a_huge_limit_passes_everything,
    true,
    |input, sp| input.async_pipe_unordered(&sp, HUGE, |x| async move { x * 2 })
);
driver_with_a_huge_limit!(
    parallel_pipe_with_a_huge_limit_passes_everything,
    false,
    |i, o, sp| parallel_pipe(HUGE, &i, &o, &sp, |x| x * 2, Options::new())
);
chan_ext_with_a_huge_limit!(
    chan_ext_parallel_pipe_with_a_huge_limit_passes_everything,
    false,
    |input, sp| input.parallel_pipe(&sp, HUGE, |x| x * 2)
);
driver_with_a_huge_limit!(
    parallel_pipe_unordered_with_a_huge_limit_passes_everything,
    true,
    |i, o, sp| parallel_pipe_unordered(HUGE, &i, &o, &sp, |x| x * 2, Options::new())
);
chan_ext_with_a_huge_limit!(
    chan_ext_parallel_pipe_unordered_with_a_huge_limit_passes_everything,
    true,
    |input, sp| input.parallel_pipe_unordered(&sp, HUGE, |x| x * 2)
);
