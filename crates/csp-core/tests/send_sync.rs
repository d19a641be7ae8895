//! Auto traits: channels are `Sync`; every future is `Send` when `T` is, so all of
//! them run inside multi-threaded executors.

#![cfg(not(loom))]

use std::pin::Pin;

use csp_core::buffer::{Fixed, Promise, Sliding};
use csp_core::{select, Chan, Get, GetStream, Put};

fn is_send<T: Send>(_: &T) {}
fn is_sync<T: Sync>() {}

#[test]
fn channels_are_sync_and_futures_are_send() {
    is_sync::<Chan<String>>();
    is_sync::<Chan<String, Fixed<String, 4>>>();
    is_sync::<Chan<u8, Sliding<u8, 1>>>();
    is_sync::<Chan<u8, Promise<u8>>>();
    static A: Chan<String> = Chan::new();
    static B: Chan<u32, Fixed<u32, 2>> = Chan::with_buffer(Fixed::new());
    let get: Get<'static, String> = A.get();
    is_send(&get);
    let put: Put<'static, String> = A.put(String::new());
    is_send(&put);
    let stream: GetStream<'static, u32, Fixed<u32, 2>> = B.stream();
    is_send(&stream);
    let sel = async {
        select! {
            v = A.get() => v.map(|s| s.len()),
            r = B.put(1) => r.ok().map(|_| 0),
        }
    };
    is_send(&sel);
    fn boxed_send(_: Pin<Box<dyn std::future::Future<Output = Option<usize>> + Send>>) {}
    boxed_send(Box::pin(sel));
}
