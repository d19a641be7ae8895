//! The channel combinations (merge, zip, combine_latest, distribute, Dup, Pub, Mix) on
//! every runtime, with aiochan's behaviours.

#[macro_use]
mod common;

use std::sync::Arc;

use common::{feed, join3, yield_now};
use csp_core::Chan;
use csp_ops::*;

on_every_runtime!(merge_takes_everything_keeping_each_inputs_order, |sp| {
    let (a, b, o) = (Chan::new(), Chan::new(), Chan::new());
    let (_, r, got) = join3(
        futures_lite::future::zip(feed(&a, 0..5), feed(&b, 100..105)),
        merge(&[&a, &b], &o, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    let from_a: Vec<_> = got.iter().copied().filter(|v| *v < 100).collect();
    let from_b: Vec<_> = got.iter().copied().filter(|v| *v >= 100).collect();
    assert_eq!(from_a, [0, 1, 2, 3, 4]);
    assert_eq!(from_b, [100, 101, 102, 103, 104]);
});

on_every_runtime!(zip_is_lockstep_until_all_closed, |sp| {
    let (a, b, o) = (Chan::new(), Chan::new(), Chan::new());
    let (_, r, got) = join3(
        futures_lite::future::zip(feed(&a, [1, 2, 3]), feed(&b, [10, 20])),
        zip(&[&a, &b], &o, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(
        got,
        [
            vec![Some(1), Some(10)],
            vec![Some(2), Some(20)],
            vec![Some(3), None]
        ]
    );
});

on_every_runtime!(zip2_pairs_different_types, |sp| {
    let (a, b, o) = (Chan::new(), Chan::new(), Chan::new());
    let (_, r, got) = join3(
        futures_lite::future::zip(feed(&a, [1, 2]), feed(&b, ["x"])),
        zip2(&a, &b, &o, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, [(Some(1), Some("x")), (Some(2), None)]);
});

on_every_runtime!(combine_latest_emits_latest_of_all, |sp| {
    let (a, b, o) = (Chan::new(), Chan::new(), Chan::new());
    let producer = async {
        // Rendezvous: each put completes when the driver took it, so the order is fixed.
        a.put(1).await.unwrap();
        b.put(10).await.unwrap();
        a.put(2).await.unwrap();
        a.close();
        b.put(20).await.unwrap();
        b.close();
    };
    let (_, r, got) = join3(
        producer,
        combine_latest(&[&a, &b], &o, Options::new()),
        collect(&o, None),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert_eq!(
        got,
        [
            vec![Some(1), None],
            vec![Some(1), Some(10)],
            vec![Some(2), Some(10)],
            vec![Some(2), Some(20)],
        ]
    );
});

on_every_runtime!(distribute_loses_nothing_when_an_output_closes, |sp| {
    let (i, a, b) = (Chan::new(), Chan::new(), Chan::new());
    let consumer_a = async {
        let got = collect(&a, Some(3)).await;
        a.close();
        let late = collect(&a, None).await; // a put already waiting still delivers
        [got, late].concat()
    };
    let (_, r, (got_a, got_b)) = join3(
        feed(&i, 0..20),
        distribute(&i, &[&a, &b], Options::new()),
        futures_lite::future::zip(consumer_a, collect(&b, None)),
    )
    .await;
    assert_eq!(r, Ok(()));
    assert!(got_a.len() >= 3, "a got {got_a:?}");
    let mut all = [got_a, got_b].concat();
    all.sort();
    assert_eq!(
        all,
        (0..20).collect::<Vec<_>>(),
        "every value reached exactly one output"
    );
    assert!(b.is_closed());
});

on_every_runtime!(distribute_returns_value_when_all_outputs_closed, |sp| {
    let i = Chan::fixed(4);
    let (a, b) = (Chan::<u8>::new(), Chan::new());
    a.close();
    b.close();
    i.try_put(9).unwrap();
    assert_eq!(
        distribute(&i, &[&a, &b], Options::new()).await,
        Err(csp_core::Closed(9))
    );
});

on_every_runtime!(dup_broadcasts_to_every_tap_and_closes_them, |sp| {
    let i = Chan::new();
    let (a, b) = (Arc::new(Chan::new()), Arc::new(Chan::new()));
    let dup = Dup::new();
    dup.tap(Arc::clone(&a), true);
    dup.tap(Arc::clone(&b), true);
    let (_, (), (ga, gb)) = join3(
        feed(&i, 0..5),
        dup.run(&i),
        futures_lite::future::zip(collect(&*a, None), collect(&*b, None)),
    )
    .await;
    assert_eq!(ga, [0, 1, 2, 3, 4]);
    assert_eq!(gb, [0, 1, 2, 3, 4]);
});

on_every_runtime!(
    dup_tap_closed_mid_stream_is_removed_others_get_everything,
    |sp| {
        let i = Chan::new();
        let (a, b) = (Arc::new(Chan::new()), Arc::new(Chan::new()));
        let dup = Dup::new();
        dup.tap(Arc::clone(&a), true);
        dup.tap(Arc::clone(&b), true);
        let leaver = async {
            let got = collect(&*a, Some(2)).await;
            a.close();
            [got, collect(&*a, None).await].concat()
        };
        let (_, (), (ga, gb)) = join3(
            feed(&i, 0..6),
            dup.run(&i),
            futures_lite::future::zip(leaver, collect(&*b, None)),
        )
        .await;
        assert_eq!(&ga[..2], [0, 1]);
        assert!(ga.len() <= 3);
        assert_eq!(gb, [0, 1, 2, 3, 4, 5], "the remaining tap loses nothing");
        assert!(format!("{dup:?}").contains("taps: 1"), "{dup:?}");
    }
);

on_every_runtime!(dup_with_no_taps_drops_values_and_untap_keeps_open, |sp| {
    let i = Chan::new();
    let dup = Dup::<u32>::new();
    let ((), ()) = futures_lite::future::zip(feed(&i, 0..3), dup.run(&i)).await;
    assert!(i.try_get().is_err(), "values were taken (and dropped)");

    // A tap registered with close = false stays open; an untapped one gets nothing more.
    let i = Chan::new();
    let (a, b) = (Arc::new(Chan::fixed(8)), Arc::new(Chan::fixed(8)));
    dup.tap(Arc::clone(&a), false);
    dup.tap(Arc::clone(&b), true);
    let producer = async {
        i.put(1).await.unwrap();
        i.put(2).await.unwrap();
        // Wait until both taps have 2, then untap b.
        while b.len() < 2 {
            yield_now(1).await;
        }
        dup.untap(&*b);
        i.put(3).await.unwrap();
        i.close();
    };
    futures_lite::future::zip(producer, dup.run(&i)).await;
    assert_eq!(collect(&*a, Some(3)).await, [1, 2, 3]);
    assert!(!a.is_closed(), "close = false");
    assert!(!b.is_closed(), "untapped: not closed by the dup");
    assert_eq!(collect(&*b, Some(2)).await, [1, 2]);
    assert!(b.is_empty());
});

on_every_runtime!(dup_close_stops_the_driver, |sp| {
    let i: Chan<u32> = Chan::new(); // never closed
    let a = Arc::new(Chan::new());
    let dup = Dup::new();
    dup.tap(Arc::clone(&a), true);
    let ((), got) = futures_lite::future::zip(dup.run(&i), async {
        i.put(1).await.unwrap();
        let got = a.get().await;
        dup.close();
        got
    })
    .await;
    assert_eq!(got, Some(1));
    assert!(a.is_closed());
    assert!(!i.is_closed(), "the input is not closed");
});

on_every_runtime!(dup_via_ext_on_a_spawner, |sp| {
    let i = Arc::new(Chan::new());
    let (a, b) = (Arc::new(Chan::new()), Arc::new(Chan::new()));
    let dup = i.dup(&sp);
    dup.tap(Arc::clone(&a), true);
    dup.tap(Arc::clone(&b), true);
    let (_, ga, gb) = join3(feed(&*i, 0..4), collect(&*a, None), collect(&*b, None)).await;
    assert_eq!(ga, [0, 1, 2, 3]);
    assert_eq!(gb, [0, 1, 2, 3]);
});

on_every_runtime!(pub_routes_by_topic_and_drops_unsubscribed, |sp| {
    let i = Chan::new();
    let (small, big) = (Arc::new(Chan::new()), Arc::new(Chan::new()));
    let p = Pub::new();
    p.sub("small", Arc::clone(&small), true);
    p.sub("big", Arc::clone(&big), true);
    let topic = |x: &u32| match *x {
        0..10 => "small",
        10..100 => "big",
        _ => "huge", // nobody listens
    };
    let (_, (), (s, b)) = join3(
        feed(&i, [1, 50, 500, 2, 60, 600]),
        p.run(&i, topic),
        futures_lite::future::zip(collect(&*small, None), collect(&*big, None)),
    )
    .await;
    assert_eq!(s, [1, 2]);
    assert_eq!(b, [50, 60]);
});

on_every_runtime!(pub_unsub_and_closed_subscriber, |sp| {
    let i = Chan::new();
    let (x, y) = (Arc::new(Chan::new()), Arc::new(Chan::new()));
    let p = Pub::new();
    p.sub(0, Arc::clone(&x), true);
    p.sub(0, Arc::clone(&y), true);
    let leaver = async {
        let got = x.get().await;
        x.close();
        let late = collect(&*x, None).await;
        (got, late)
    };
    let (_, (), ((gx, late), gy)) = join3(
        feed(&i, [5u8, 6, 7]),
        p.run(&i, |_| 0),
        futures_lite::future::zip(leaver, collect(&*y, None)),
    )
    .await;
    assert_eq!(gx, Some(5));
    assert!(late.len() <= 1);
    assert_eq!(gy, [5, 6, 7]);
    assert!(!p.unsub(&0, &*x), "the closed subscriber was removed");
    assert!(p.unsub(&0, &*y));
    p.unsub_all(None);
});

on_every_runtime!(mix_mute_takes_and_drops, |sp| {
    let (a, b) = (Arc::new(Chan::fixed(4)), Arc::new(Chan::fixed(4)));
    let out = Chan::new();
    for v in ["a1", "a2"] {
        a.try_put(v).unwrap();
    }
    b.try_put("b1").unwrap();
    let mix = Mix::new();
    mix.admix(Arc::clone(&a));
    mix.admix(Arc::clone(&b));
    mix.toggle(
        &*b,
        Mode {
            mute: true,
            ..Mode::default()
        },
    );
    let check = async {
        let got = collect(&out, Some(2)).await;
        while !b.is_empty() {
            yield_now(1).await; // b1 is taken and dropped
        }
        mix.close();
        (got, out.get().await)
    };
    let (r, (got, end)) = futures_lite::future::zip(mix.run(&out, Options::new()), check).await;
    assert_eq!(r, Ok(()));
    assert_eq!(got, ["a1", "a2"]);
    assert_eq!(end, None, "nothing from the muted input; output closed");
});

on_every_runtime!(mix_pause_then_resume_while_running, |sp| {
    let (a, b) = (Arc::new(Chan::fixed(4)), Arc::new(Chan::fixed(4)));
    let out = Chan::new();
    a.try_put(1).unwrap();
    b.try_put(2).unwrap();
    let mix = Mix::new();
    mix.admix(Arc::clone(&a));
    mix.admix(Arc::clone(&b));
    mix.toggle(
        &*b,
        Mode {
            pause: true,
            ..Mode::default()
        },
    );
    let check = async {
        assert_eq!(out.get().await, Some(1));
        yield_now(20).await;
        assert_eq!(b.len(), 1, "a paused input is not read");
        mix.toggle(&*b, Mode::default());
        let v = out.get().await;
        mix.close();
        v
    };
    let (r, v) = futures_lite::future::zip(mix.run(&out, Options::new()), check).await;
    assert_eq!(r, Ok(()));
    assert_eq!(v, Some(2));
});

on_every_runtime!(mix_solo_hears_only_soloed, |sp| {
    let (a, b, c) = (
        Arc::new(Chan::fixed(4)),
        Arc::new(Chan::fixed(4)),
        Arc::new(Chan::fixed(4)),
    );
    let out = Chan::new();
    for v in [1, 2] {
        a.try_put(v).unwrap();
    }
    for v in [10, 20] {
        b.try_put(v).unwrap();
    }
    c.try_put(100).unwrap();
    let mix = Mix::new();
    for ch in [&a, &b, &c] {
        mix.admix(Arc::clone(ch));
    }
    mix.solo_mode(SoloMode::Pause);
    mix.toggle(
        &*a,
        Mode {
            solo: true,
            mute: true,
            ..Mode::default()
        },
    ); // mute ignored when soloed
    let check = async {
        let first = collect(&out, Some(2)).await;
        yield_now(20).await;
        assert_eq!(
            (b.len(), c.len()),
            (2, 1),
            "others are paused while a is soloed"
        );
        mix.toggle(&*a, Mode::default()); // no solo any more: everyone is heard
        let mut rest = collect(&out, Some(3)).await;
        rest.sort();
        mix.close();
        (first, rest)
    };
    let (r, (first, rest)) = futures_lite::future::zip(mix.run(&out, Options::new()), check).await;
    assert_eq!(r, Ok(()));
    assert_eq!(first, [1, 2]);
    assert_eq!(rest, [10, 20, 100]);
});

on_every_runtime!(mix_removes_closed_inputs, |sp| {
    let a = Arc::new(Chan::<u8>::new());
    a.close();
    let out = Chan::new();
    let mix = Mix::new();
    mix.admix(Arc::clone(&a));
    let check = async {
        while !format!("{mix:?}").contains("inputs: 0") {
            yield_now(1).await;
        }
        mix.close();
    };
    let (r, ()) = futures_lite::future::zip(mix.run(&out, Options::new()), check).await;
    assert_eq!(r, Ok(()));
    assert!(out.is_closed());
});
