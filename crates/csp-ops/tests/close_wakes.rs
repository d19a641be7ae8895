//! A driver blocked on a put notices at once when its output is closed: the close wakes
//! the waiting put, and the driver gives the value back.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use csp_core::buffer::Fixed;
use csp_core::{Chan, Closed};
use csp_ops::{map, Options};

struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_driver_waiting_on_a_closed_output_wakes_and_returns_its_value() {
    let input: Chan<u32, Fixed<u32, 4>> = Chan::with_buffer(Fixed::new());
    let output: Chan<u32> = Chan::new(); // rendezvous: nobody takes
    input.try_put(1).unwrap();
    let count = Arc::new(Count(AtomicUsize::new(0)));
    let waker = Waker::from(count.clone());
    let mut cx = Context::from_waker(&waker);
    let mut driver = pin!(map(&input, &output, |v| v * 10, Options::new()));
    assert!(
        driver.as_mut().poll(&mut cx).is_pending(),
        "waits to hand over 10"
    );
    assert_eq!(count.0.load(Ordering::SeqCst), 0);
    output.close();
    assert!(
        count.0.load(Ordering::SeqCst) >= 1,
        "the close woke the driver"
    );
    assert_eq!(driver.as_mut().poll(&mut cx), Poll::Ready(Err(Closed(10))));
}
