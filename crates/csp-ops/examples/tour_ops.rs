//! The later sections of the aiochan tutorial (functional operators, channel
//! combinations, parallelism, back to plain code) with csp-ops, on smol.
//!
//! Run with `cargo run -p csp-ops --example tour_ops --features smol`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use csp_core::Chan;
use csp_ops::{collect, from_range, group, merge, to_iterable, zip, ChanExt, Dup, Options, Smol};

fn main() {
    smol::block_on(async {
        functional_operators().await;
        channel_combinations().await;
        parallelism().await;
    });
    back_to_plain_code();
}

/// map, filter, take, group, distinct, reduce, scan.
async fn functional_operators() {
    println!("== functional operators");
    let numbers = Arc::new(Chan::new());
    let src = Arc::clone(&numbers);
    Smol.spawn_task(async move {
        let _ = from_range(0u64, None, 1, &*src, Options::new()).await; // 0, 1, 2, ... for ever
    });
    let odd_squares = numbers
        .filter(&Smol, |x| x % 2 == 1)
        .map(&Smol, |x| x * x)
        .take(&Smol, 5);
    println!("odd squares: {:?}", collect(&*odd_squares, None).await); // [1, 9, 25, 49, 81]
                                                                       // The source runs for ever: close it. A put of its that is already waiting is
                                                                       // withdrawn when it is next polled (the drivers in between simply stay parked here).
    numbers.close();

    let input = Chan::fixed(16);
    let batches = Chan::fixed(4);
    for i in 0..10 {
        input.try_put(i).unwrap();
    }
    input.close();
    group(&input, &batches, 3, Options::new()).await.unwrap();
    println!("group(3): {:?}", collect(&batches, None).await); // [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]

    let words = Arc::new(Chan::fixed(8));
    for w in [1, 1, 2, 2, 1] {
        words.try_put(w).unwrap();
    }
    words.close();
    println!(
        "distinct: {:?}",
        collect(&*words.distinct(&Smol), None).await
    ); // [1, 2, 1]

    let sums = Arc::new(Chan::fixed(8));
    for i in 1..=4 {
        sums.try_put(i).unwrap();
    }
    sums.close();
    println!(
        "scan(+): {:?}",
        collect(&*sums.scan(&Smol, 0, |a, x| a + x), None).await
    ); // [1, 3, 6, 10]
}

/// merge, zip, dup.
async fn channel_combinations() {
    println!("== channel combinations");
    let (a, b) = (Chan::fixed(4), Chan::fixed(4));
    for i in 0..3 {
        a.try_put(i).unwrap();
        b.try_put(10 + i).unwrap();
    }
    a.close();
    b.close();
    let merged = Chan::fixed(8);
    merge(&[&a, &b], &merged, Options::new()).await.unwrap();
    let mut all = collect(&merged, None).await;
    all.sort();
    println!("merge: {all:?}"); // [0, 1, 2, 10, 11, 12]

    let (x, y) = (Chan::fixed(4), Chan::fixed(4));
    for i in 0..3 {
        x.try_put(i).unwrap();
    }
    y.try_put('a').unwrap();
    x.close();
    y.close();
    let rows = Chan::fixed(4);
    // zip needs one element type: tag both sides.
    let (xs, ys) = (Chan::fixed(4), Chan::fixed(4));
    csp_ops::map(&x, &xs, |v| v.to_string(), Options::new())
        .await
        .unwrap();
    csp_ops::map(&y, &ys, |c| c.to_string(), Options::new())
        .await
        .unwrap();
    zip(&[&xs, &ys], &rows, Options::new()).await.unwrap();
    println!("zip: {:?}", collect(&rows, None).await); // [[Some("0"), Some("a")], [Some("1"), None], [Some("2"), None]]

    let news = Arc::new(Chan::new());
    let (r1, r2) = (Arc::new(Chan::fixed(8)), Arc::new(Chan::fixed(8)));
    let dup: Dup<&str> = news.dup(&Smol);
    dup.tap(Arc::clone(&r1), true);
    dup.tap(Arc::clone(&r2), true);
    for n in ["rain", "sun"] {
        news.put(n).await.unwrap();
    }
    news.close();
    println!(
        "dup: {:?} {:?}",
        collect(&*r1, None).await,
        collect(&*r2, None).await
    ); // both ["rain", "sun"]
}

/// async_pipe (concurrent async work) and parallel_pipe (blocking work on a pool).
async fn parallelism() {
    println!("== parallelism");
    let jobs = Arc::new(Chan::fixed(8));
    for i in 0..8u64 {
        jobs.try_put(i).unwrap();
    }
    jobs.close();
    let start = Instant::now();
    let done = jobs.parallel_pipe(&Smol, 4, |x| {
        std::thread::sleep(Duration::from_millis(50)); // a blocking call
        x * 10
    });
    let results = collect(&*done, None).await;
    println!(
        "parallel_pipe(4): {results:?} in {:?} (serial: ~400ms)",
        start.elapsed()
    );
}

/// to_iterable: read a channel from an ordinary thread.
fn back_to_plain_code() {
    println!("== back to plain code");
    let ch = Arc::new(Chan::new());
    let src = Arc::clone(&ch);
    Smol.spawn_task(async move {
        let _ = from_range(0, Some(5), 1, &*src, Options::new()).await;
    });
    let total: i32 = std::thread::spawn(move || to_iterable(ch).sum())
        .join()
        .unwrap();
    println!("sum from a plain thread: {total}"); // 10
}

/// `Spawn::spawn` under a name that does not clash with the `ChanExt` methods.
trait SpawnTask {
    fn spawn_task<F: std::future::Future<Output = ()> + Send + 'static>(&self, f: F);
}

impl<S: csp_ops::Spawn> SpawnTask for S {
    fn spawn_task<F: std::future::Future<Output = ()> + Send + 'static>(&self, f: F) {
        self.spawn(f)
    }
}
