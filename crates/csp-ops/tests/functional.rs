//! The functional operators, with aiochan's inputs and outputs, on every runtime.
//! Channels are rendezvous unless said otherwise, so producer, driver and consumer
//! really meet at each step.

#[macro_use]
mod common;

use common::{feed, join3};
use csp_core::{Chan, Closed};
use csp_ops::*;

on_every_runtime!(map_doubles, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let (_, r, got) = join3(
        feed(&i, 0..5),
        map(&i, &o, |x| x * 2, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [0, 2, 4, 6, 8]);
});

on_every_runtime!(map_flatten_spreads_sequences, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let (_, r, got) = join3(
        feed(&i, [1, 2, 3]),
        flat_map(&i, &o, |x| vec![x; x], Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [1, 2, 2, 3, 3, 3]);
});

on_every_runtime!(filter_keeps_matching, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let (_, r, got) = join3(
        feed(&i, 0..10),
        filter(&i, &o, |x| x % 3 == 0, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [0, 3, 6, 9]);
});

on_every_runtime!(take_stops_after_n_and_leaves_the_rest, |sp| {
    let i = Chan::fixed(10);
    let o = Chan::new();
    for v in 0..10 {
        i.try_put(v).unwrap();
    }
    let (r, got) =
        futures_lite::future::zip(take(&i, &o, 3, Options::new()), collect(&o, None)).await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [0, 1, 2]);
    assert!(!i.is_closed(), "take does not close its input");
    assert_eq!(i.len(), 7);
});

on_every_runtime!(skip_drops_first_n, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let (_, r, got) = join3(
        feed(&i, 0..10),
        skip(&i, &o, 7, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [7, 8, 9]);
});

on_every_runtime!(take_while_returns_the_stopper, |sp| {
    let i = Chan::fixed(10);
    let o = Chan::new();
    for v in [1, 2, 3, 10, 1, 2] {
        i.try_put(v).unwrap();
    }
    i.close();
    let (r, got) = futures_lite::future::zip(
        take_while(&i, &o, |x| *x < 5, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(Some(10)));
    assert_eq!(got, [1, 2, 3]);
    assert_eq!(i.len(), 2, "values after the stopper stay in the input");
});

on_every_runtime!(skip_while_passes_from_first_failure, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let (_, r, got) = join3(
        feed(&i, [1, 2, 3, 10, 1, 2]),
        skip_while(&i, &o, |x| *x < 5, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [10, 1, 2]);
});

on_every_runtime!(group_makes_batches_last_shorter, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let (_, r, got) = join3(
        feed(&i, 0..10),
        group(&i, &o, 3, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8], vec![9]]);
});

on_every_runtime!(group_by_makes_runs_of_equal_keys, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let (_, r, got) = join3(
        feed(&i, [1, 3, 5, 2, 4, 7, 8]),
        group_by(&i, &o, |x| x % 2 == 0, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(
        got,
        [
            (false, vec![1, 3, 5]),
            (true, vec![2, 4]),
            (false, vec![7]),
            (true, vec![8])
        ]
    );
});

on_every_runtime!(distinct_drops_consecutive_duplicates, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let (_, r, got) = join3(
        feed(&i, [1, 1, 2, 2, 1]),
        distinct(&i, &o, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [1, 2, 1]);
});

on_every_runtime!(reduce_puts_one_value_at_the_end, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let (_, r, got) = join3(
        feed(&i, 1..=10),
        reduce(&i, &o, 0, |a, x| a + x, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [55]);
    // An empty input reduces to `init`.
    let (i, o) = (Chan::<i32>::new(), Chan::new());
    let (_, r, got) = join3(
        feed(&i, []),
        reduce(&i, &o, 7, |a, x| a + x, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [7]);
});

on_every_runtime!(scan_puts_every_accumulation, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let (_, r, got) = join3(
        feed(&i, 1..=5),
        scan(&i, &o, 0, |a, x| a + x, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [1, 3, 6, 10, 15]);
});

on_every_runtime!(collect_all_or_n, |sp| {
    let ch = Chan::new();
    let (_, (first, rest)) = futures_lite::future::zip(feed(&ch, 0..6), async {
        let first = collect(&ch, Some(2)).await;
        (first, collect(&ch, None).await)
    })
    .await;
    assert_eq!(first, [0, 1]);
    assert_eq!(rest, [2, 3, 4, 5]);
});

on_every_runtime!(pipe_applies_an_async_fn, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let (_, r, got) = join3(
        feed(&i, 0..4),
        pipe(
            &i,
            &o,
            |x| async move {
                common::yield_now(2).await;
                x * 10
            },
            Options::new(),
        ),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [0, 10, 20, 30]);
});

on_every_runtime!(async_apply_puts_any_number_of_results, |sp| {
    let (i, o) = (Chan::new(), Chan::new());
    let (_, r, got) = join3(
        feed(&i, 0..4),
        async_apply(
            &i,
            &o,
            |x, out| async move {
                for _ in 0..x {
                    out.put(x).await?;
                }
                Ok(())
            },
            Options::new(),
        ),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [1, 2, 2, 3, 3, 3]);
});

on_every_runtime!(from_iter_puts_then_closes, |sp| {
    let o = Chan::new();
    let (r, got) = futures_lite::future::zip(
        from_iter("abc".chars(), &o, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, ['a', 'b', 'c']);
});

on_every_runtime!(from_range_counts_and_infinite_stops_on_close, |sp| {
    let o = Chan::new();
    let (r, got) = futures_lite::future::zip(
        from_range(0, Some(10), 3, &o, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [0, 3, 6, 9]);
    // Infinite: runs until the consumer closes the output; the refused value comes back.
    let o = Chan::new();
    let (r, got) =
        futures_lite::future::zip(from_range(1u64, None, 1, &o, Options::new()), async {
            let got = collect(&o, Some(5)).await;
            o.close();
            got
        })
        .await;
    assert_eq!(got, [1, 2, 3, 4, 5]);
    assert_eq!(r, Err(Closed(6)));
});

on_every_runtime!(split_routes_by_predicate, |sp| {
    let (i, yes, no) = (Chan::new(), Chan::new(), Chan::new());
    let (_, r, (y, n)) = join3(
        feed(&i, 0..7),
        split(&i, &yes, &no, |x| x % 2 == 0, Options::new()),
        futures_lite::future::zip(collect(&yes, None), collect(&no, None)),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(y, [0, 2, 4, 6]);
    assert_eq!(n, [1, 3, 5]);
});

on_every_runtime!(closed_output_stops_the_driver_and_returns_the_value, |sp| {
    let i = Chan::fixed(10);
    let o = Chan::new();
    for v in 0..10 {
        i.try_put(v).unwrap();
    }
    i.close();
    let (r, (got, late)) =
        futures_lite::future::zip(map(&i, &o, |x| x + 100, Options::new()), async {
            let got = collect(&o, Some(2)).await;
            // Leave: close, then drain what was already on its way.
            o.close();
            (got, collect(&o, None).await)
        })
        .await;
    assert_eq!(got, [100, 101]);
    assert!(
        late.len() <= 1 && late.iter().all(|v| *v == 102),
        "late: {late:?}"
    );
    let refused = 102 + late.len() as i32;
    assert_eq!(r, Err(Closed(refused)), "the refused value comes back");
    assert_eq!(i.len(), 10 - 3 - late.len(), "the rest stays in the input");
});

on_every_runtime!(keep_open_leaves_the_output_open, |sp| {
    let (i, o) = (Chan::new(), Chan::fixed(8));
    let (_, r, _) = join3(
        feed(&i, 0..3),
        map(&i, &o, |x| x, Options::new().keep_open()),
        async {},
    )
    .await;
    assert_eq!(r, Ok(()));
    assert!(!o.is_closed());
    assert_eq!(o.len(), 3);
});
