//! Detached puts (`put_detached`, `add`): queued at once, delivered in order, each value
//! once, the callback after the take, a closed channel giving the values back — with no
//! task or executor driving them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use csp_core::buffer::Fixed;
use csp_core::{select, Chan, Closed, TryGetError};
use csp_ops::{add, put_detached};

fn counter() -> (Arc<AtomicUsize>, impl Fn() -> Box<dyn FnOnce() + Send>) {
    let n = Arc::new(AtomicUsize::new(0));
    let m = n.clone();
    (n, move || {
        let m = m.clone();
        Box::new(move || {
            m.fetch_add(1, Ordering::SeqCst);
        })
    })
}

#[test]
fn a_detached_put_waits_for_a_getter_then_calls_back() {
    let ch: Arc<Chan<u32>> = Arc::new(Chan::new());
    let (n, cb) = counter();
    put_detached(&ch, 7, cb()).unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 0, "nobody has taken it");
    assert_eq!(ch.stats().waiting_puts, 1, "queued like a waiting put");
    assert_eq!(ch.try_get(), Ok(7));
    assert_eq!(n.load(Ordering::SeqCst), 1, "called back once taken");
    assert_eq!(ch.stats().waiting_puts, 0);
}

#[test]
fn a_detached_put_with_room_completes_at_once() {
    let ch: Arc<Chan<u32, Fixed<u32, 1>>> = Arc::new(Chan::with_buffer(Fixed::new()));
    let (n, cb) = counter();
    put_detached(&ch, 1, cb()).unwrap();
    assert_eq!(
        n.load(Ordering::SeqCst),
        1,
        "buffered: delivered before returning"
    );
    put_detached(&ch, 2, cb()).unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 1, "the buffer is full: queued");
    assert_eq!(ch.try_get(), Ok(1)); // refills the buffer from the queued put
    assert_eq!(n.load(Ordering::SeqCst), 2);
    assert_eq!(ch.try_get(), Ok(2));
}

#[test]
fn a_closed_channel_gives_the_value_back_and_never_calls_back() {
    let ch: Arc<Chan<String>> = Arc::new(Chan::new());
    ch.close();
    let (n, cb) = counter();
    assert_eq!(
        put_detached(&ch, "kept".to_string(), cb()),
        Err(Closed("kept".to_string()))
    );
    assert_eq!(n.load(Ordering::SeqCst), 0);
}

#[test]
fn puts_queued_before_the_close_still_deliver_in_order() {
    let ch: Arc<Chan<u32>> = Arc::new(Chan::new());
    assert!(add(&ch, [1, 2, 3]).unwrap().close());
    assert_eq!(ch.try_get(), Ok(1));
    assert_eq!(ch.try_get(), Ok(2));
    assert_eq!(ch.try_get(), Ok(3));
    assert_eq!(ch.try_get(), Err(TryGetError::Closed));
}

#[test]
fn add_on_a_closed_channel_returns_every_value() {
    let ch: Arc<Chan<u32, Fixed<u32, 1>>> = Arc::new(Chan::with_buffer(Fixed::new()));
    ch.close();
    assert_eq!(add(&ch, 1..4).unwrap_err(), Closed(vec![1, 2, 3]));
    assert_eq!(ch.try_get(), Err(TryGetError::Closed));
}

#[test]
fn a_select_takes_detached_values() {
    let a: Arc<Chan<u32>> = Arc::new(Chan::new());
    let b: Arc<Chan<&str>> = Arc::new(Chan::new());
    add(&a, [10]).unwrap();
    add(&b, ["x"]).unwrap();
    let mut got = Vec::new();
    for _ in 0..2 {
        csp_core::block_on(async {
            select! {
                v = a.get() => got.push(format!("a{}", v.unwrap())),
                v = b.get() => got.push(format!("b{}", v.unwrap())),
            }
        });
    }
    got.sort();
    assert_eq!(got, ["a10", "bx"]);
}

#[test]
fn detached_puts_from_many_threads_deliver_each_value_once() {
    const THREADS: u64 = 4;
    const EACH: u64 = 2_000;
    let ch: Arc<Chan<u64, Fixed<u64, 2>>> = Arc::new(Chan::with_buffer(Fixed::new()));
    let (n, _) = counter();
    // The consumer reports through a channel, so that a lost wake-up fails the test
    // after a generous timeout instead of hanging it.
    let (report, result) = std::sync::mpsc::channel();
    {
        let ch = ch.clone();
        std::thread::spawn(move || {
            let mut sum = 0u64;
            let mut count = 0u64;
            while let Some(v) = ch.get_blocking() {
                sum += v;
                count += 1;
            }
            drop(ch); // before reporting, so that the count below is the test's alone
            report.send((count, sum)).unwrap();
        });
    }
    let producers: Vec<_> = (0..THREADS)
        .map(|t| {
            let ch = ch.clone();
            let n = n.clone();
            std::thread::spawn(move || {
                for i in 0..EACH {
                    let n = n.clone();
                    put_detached(&ch, t * EACH + i, move || {
                        n.fetch_add(1, Ordering::SeqCst);
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    // Every put is queued or delivered: the close lets the queued ones deliver.
    ch.close();
    let total = THREADS * EACH;
    let got = result.recv_timeout(std::time::Duration::from_secs(30));
    assert_eq!(got, Ok((total, total * (total - 1) / 2)));
    assert_eq!(
        n.load(Ordering::SeqCst) as u64,
        total,
        "each callback ran once"
    );
    assert_eq!(
        Arc::strong_count(&ch),
        1,
        "no detached put still holds the channel"
    );
}
