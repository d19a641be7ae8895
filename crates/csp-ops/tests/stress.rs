//! Many values across threads: every value is accounted for exactly once, also when
//! consumers leave mid-stream.

use std::sync::Arc;

use csp_core::{Chan, Closed};
use csp_ops::*;

const N: u32 = if cfg!(miri) { 20 } else { 2000 };

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap()
}

#[test]
fn distribute_accounts_for_every_value_when_consumers_leave() {
    let rt = rt();
    rt.block_on(async {
        let input = Arc::new(Chan::new());
        let outs: Vec<Arc<Chan<u32>>> = (0..4).map(|_| Arc::new(Chan::new())).collect();
        let producer = {
            let input = Arc::clone(&input);
            tokio::spawn(async move { from_iter(0..N, &*input, Options::new()).await })
        };
        let consumers: Vec<_> = outs
            .iter()
            .enumerate()
            .map(|(k, out)| {
                let out = Arc::clone(out);
                tokio::spawn(async move {
                    // Consumer k leaves after k * N / 8 values (consumer 0 at once);
                    // the last one stays to the end.
                    let stay = if k == 3 {
                        usize::MAX
                    } else {
                        k * N as usize / 8
                    };
                    let mut got = collect(&*out, Some(stay)).await;
                    out.close();
                    got.extend(collect(&*out, None).await);
                    got
                })
            })
            .collect();
        let driver = {
            let input = Arc::clone(&input);
            let outs = outs.clone();
            tokio::spawn(async move {
                let refs: Vec<&Chan<u32>> = outs.iter().map(|o| &**o).collect();
                distribute(&*input, &refs, Options::new()).await
            })
        };
        assert_eq!(driver.await.unwrap(), Ok(()));
        assert_eq!(producer.await.unwrap(), Ok(()));
        let mut all = Vec::new();
        for c in consumers {
            all.extend(c.await.unwrap());
        }
        all.sort();
        assert_eq!(
            all,
            (0..N).collect::<Vec<_>>(),
            "each value reached exactly one consumer"
        );
    });
}

#[test]
fn dup_remaining_taps_get_everything_when_one_leaves() {
    let rt = rt();
    rt.block_on(async {
        let input = Arc::new(Chan::new());
        let taps: Vec<Arc<Chan<u32>>> = (0..3).map(|_| Arc::new(Chan::new())).collect();
        let dup = input.dup(&Tokio::current());
        for t in &taps {
            dup.tap(Arc::clone(t), true);
        }
        let readers: Vec<_> = taps
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let t = Arc::clone(t);
                tokio::spawn(async move {
                    let stay = if k == 0 { N as usize / 3 } else { usize::MAX };
                    let mut got = collect(&*t, Some(stay)).await;
                    t.close();
                    got.extend(collect(&*t, None).await);
                    got
                })
            })
            .collect();
        from_iter(0..N, &*input, Options::new()).await.unwrap();
        let mut results = Vec::new();
        for r in readers {
            results.push(r.await.unwrap());
        }
        let leaver = &results[0];
        assert!(leaver.len() >= N as usize / 3 && leaver.len() <= N as usize / 3 + 1);
        assert_eq!(leaver[..], (0..leaver.len() as u32).collect::<Vec<_>>()[..]);
        for got in &results[1..] {
            assert_eq!(
                got,
                &(0..N).collect::<Vec<_>>(),
                "a remaining tap lost nothing"
            );
        }
    });
}

#[test]
fn merge_of_many_producers_loses_and_duplicates_nothing() {
    let rt = rt();
    rt.block_on(async {
        let ins: Vec<Arc<Chan<u32>>> = (0..4).map(|_| Arc::new(Chan::new())).collect();
        let out = Arc::new(Chan::new());
        for (k, c) in ins.iter().enumerate() {
            let c = Arc::clone(c);
            let k = k as u32;
            tokio::spawn(async move { from_range(k, Some(N), 4, &*c, Options::new()).await });
        }
        let driver = {
            let (ins, out) = (ins.clone(), Arc::clone(&out));
            tokio::spawn(async move {
                let refs: Vec<&Chan<u32>> = ins.iter().map(|c| &**c).collect();
                merge(&refs, &*out, Options::new()).await
            })
        };
        let mut all = collect(&*out, None).await;
        assert_eq!(driver.await.unwrap(), Ok(()));
        all.sort();
        assert_eq!(all, (0..N).collect::<Vec<_>>());
    });
}

#[test]
fn parallel_pipe_conserves_values_under_early_close() {
    let rt = rt();
    rt.block_on(async {
        let input = Arc::new(Chan::fixed(N as usize));
        for v in 0..N {
            input.try_put(v).unwrap();
        }
        input.close();
        let out: Arc<Chan<u32>> = Arc::new(Chan::new());
        let driver = {
            let (i, o) = (Arc::clone(&input), Arc::clone(&out));
            tokio::spawn(async move {
                parallel_pipe(4, &*i, &*o, &Tokio::current(), |x| x, Options::new()).await
            })
        };
        let mut got = collect(&*out, Some(N as usize / 2)).await;
        out.close();
        got.extend(collect(&*out, None).await);
        let r = driver.await.unwrap();
        // Delivered values are a prefix; the refused one comes back; up to n more were
        // in flight (taken from the input, then dropped with the driver's slots, as
        // documented); the rest is still in the input.
        assert_eq!(got, (0..got.len() as u32).collect::<Vec<_>>());
        let Err(Closed(refused)) = r else {
            panic!("expected the refused value")
        };
        assert_eq!(refused, got.len() as u32);
        let rest = collect(&*input, None).await;
        let in_flight = N as usize - got.len() - 1 - rest.len();
        assert!(
            in_flight <= 4,
            "at most n values were in flight: {in_flight}"
        );
        if let Some(first) = rest.first() {
            assert!(*first > refused);
        }
    });
}
