//! [`ChanExt`]: aiochan's method form, `ch.map(&spawner, f)`, which creates the output
//! channel and spawns the driver.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::future::Future;

use csp_core::buffer::Buffer;
use csp_core::lock::RawLock;
use csp_core::Chan;

use crate::options::{check_batch_size, check_pipe_limit};
use crate::{Dup, Options, Pub, Spawn};

/// Creates the output, spawns the driver on it, returns the output.
macro_rules! spawned {
    ($sp:expr, $input:expr, |$inp:ident, $out:ident| $driver:expr) => {{
        let out = Arc::new(Chan::new());
        let $inp = Arc::clone($input);
        let $out = Arc::clone(&out);
        $sp.spawn(async move {
            // The result only says whether the output was closed early; the output is
            // closed either way, which is all a consumer needs.
            let _ = $driver.await;
            drop(($inp, $out));
        });
        out
    }};
}

/// The convenient form of the combinators, for a channel in an `Arc`: each method
/// creates a new (rendezvous) output channel, spawns the driver with the given
/// [`Spawn`]er, and returns the output. The output is closed when the input is closed
/// and drained, and the driver stops early if the output is closed.
///
/// For a buffered output, a `static` channel or options other than the defaults, call
/// the driver functions ([`map`](crate::map) and so on) directly.
///
/// # Examples
/// ```
/// use std::sync::Arc;
/// use csp_core::Chan;
/// use csp_ops::{collect, ChanExt, Smol};
///
/// # smol::block_on(async {
/// let numbers = Arc::new(Chan::fixed(8));
/// for i in 0..6 { numbers.try_put(i).unwrap(); }
/// numbers.close();
/// let squares = numbers.filter(&Smol, |x| x % 2 == 0).map(&Smol, |x| x * x);
/// assert_eq!(collect(&*squares, None).await, [0, 4, 16]);
/// # });
/// ```
pub trait ChanExt<T> {
    /// Spawns [`map`](crate::map).
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(4));
    /// ch.try_put(2).unwrap(); ch.close();
    /// assert_eq!(collect(&*ch.map(&Smol, |x| x + 1), None).await, [3]);
    /// # });
    /// ```
    fn map<U, S, F>(&self, sp: &S, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        S: Spawn + ?Sized,
        F: FnMut(T) -> U + Send + 'static;

    /// Spawns [`flat_map`](crate::flat_map).
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(4));
    /// ch.try_put(2).unwrap(); ch.close();
    /// assert_eq!(collect(&*ch.flat_map(&Smol, |x| [x, x]), None).await, [2, 2]);
    /// # });
    /// ```
    fn flat_map<U, I, S, F>(&self, sp: &S, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        I: IntoIterator<Item = U>,
        I::IntoIter: Send,
        S: Spawn + ?Sized,
        F: FnMut(T) -> I + Send + 'static;

    /// Spawns [`filter`](crate::filter).
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(4));
    /// for i in 0..4 { ch.try_put(i).unwrap(); } ch.close();
    /// assert_eq!(collect(&*ch.filter(&Smol, |x| *x > 1), None).await, [2, 3]);
    /// # });
    /// ```
    fn filter<S, P>(&self, sp: &S, pred: P) -> Arc<Chan<T>>
    where
        S: Spawn + ?Sized,
        P: FnMut(&T) -> bool + Send + 'static;

    /// Spawns [`take`](crate::take).
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(4));
    /// for i in 0..4 { ch.try_put(i).unwrap(); }
    /// assert_eq!(collect(&*ch.take(&Smol, 2), None).await, [0, 1]);
    /// # });
    /// ```
    fn take<S: Spawn + ?Sized>(&self, sp: &S, n: usize) -> Arc<Chan<T>>;

    /// Spawns [`skip`](crate::skip).
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(4));
    /// for i in 0..4 { ch.try_put(i).unwrap(); } ch.close();
    /// assert_eq!(collect(&*ch.skip(&Smol, 3), None).await, [3]);
    /// # });
    /// ```
    fn skip<S: Spawn + ?Sized>(&self, sp: &S, n: usize) -> Arc<Chan<T>>;

    /// Spawns [`take_while`](crate::take_while) (the value that stops it is dropped).
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(4));
    /// for i in [1, 2, 9, 1] { ch.try_put(i).unwrap(); } ch.close();
    /// assert_eq!(collect(&*ch.take_while(&Smol, |x| *x < 5), None).await, [1, 2]);
    /// # });
    /// ```
    fn take_while<S, P>(&self, sp: &S, pred: P) -> Arc<Chan<T>>
    where
        S: Spawn + ?Sized,
        P: FnMut(&T) -> bool + Send + 'static;

    /// Spawns [`skip_while`](crate::skip_while).
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(4));
    /// for i in [1, 2, 9, 1] { ch.try_put(i).unwrap(); } ch.close();
    /// assert_eq!(collect(&*ch.skip_while(&Smol, |x| *x < 5), None).await, [9, 1]);
    /// # });
    /// ```
    fn skip_while<S, P>(&self, sp: &S, pred: P) -> Arc<Chan<T>>
    where
        S: Spawn + ?Sized,
        P: FnMut(&T) -> bool + Send + 'static;

    /// Spawns [`distinct`](crate::distinct).
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(8));
    /// for i in [1, 1, 2, 2, 1] { ch.try_put(i).unwrap(); } ch.close();
    /// assert_eq!(collect(&*ch.distinct(&Smol), None).await, [1, 2, 1]);
    /// # });
    /// ```
    fn distinct<S: Spawn + ?Sized>(&self, sp: &S) -> Arc<Chan<T>>
    where
        T: PartialEq + Clone;

    /// Spawns [`reduce`](crate::reduce).
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(8));
    /// for i in 1..=4 { ch.try_put(i).unwrap(); } ch.close();
    /// assert_eq!(ch.reduce(&Smol, 0, |a, x| a + x).get().await, Some(10));
    /// # });
    /// ```
    fn reduce<U, S, F>(&self, sp: &S, init: U, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        S: Spawn + ?Sized,
        F: FnMut(U, T) -> U + Send + 'static;

    /// Spawns [`scan`](crate::scan).
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(8));
    /// for i in 1..=4 { ch.try_put(i).unwrap(); } ch.close();
    /// assert_eq!(collect(&*ch.scan(&Smol, 0, |a, x| a + x), None).await, [1, 3, 6, 10]);
    /// # });
    /// ```
    fn scan<U, S, F>(&self, sp: &S, init: U, f: F) -> Arc<Chan<U>>
    where
        U: Clone + Send + 'static,
        S: Spawn + ?Sized,
        F: FnMut(U, T) -> U + Send + 'static;

    /// Spawns [`group`](crate::group).
    ///
    /// # Panics
    /// At once, before anything is spawned or returned, if `n` is 0 (with the message
    /// "csp-ops: group needs a batch size `n` of at least 1"). A large `n` is fine: the
    /// driver reserves room for 1024 values at most, and grows from there.
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(8));
    /// for i in 0..5 { ch.try_put(i).unwrap(); } ch.close();
    /// assert_eq!(collect(&*ch.group(&Smol, 2), None).await, [vec![0, 1], vec![2, 3], vec![4]]);
    /// # });
    /// ```
    fn group<S: Spawn + ?Sized>(&self, sp: &S, n: usize) -> Arc<Chan<Vec<T>>>;

    /// Spawns [`group_by`](crate::group_by).
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(8));
    /// for i in [1, 3, 2, 5] { ch.try_put(i).unwrap(); } ch.close();
    /// let runs = collect(&*ch.group_by(&Smol, |x| x % 2), None).await;
    /// assert_eq!(runs, [(1, vec![1, 3]), (0, vec![2]), (1, vec![5])]);
    /// # });
    /// ```
    fn group_by<K, S, F>(&self, sp: &S, key: F) -> Arc<Chan<(K, Vec<T>)>>
    where
        K: PartialEq + Send + 'static,
        S: Spawn + ?Sized,
        F: FnMut(&T) -> K + Send + 'static;

    /// Spawns [`pipe`](crate::pipe).
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(8));
    /// ch.try_put(1).unwrap(); ch.close();
    /// assert_eq!(collect(&*ch.pipe(&Smol, |x| async move { x * 3 }), None).await, [3]);
    /// # });
    /// ```
    fn pipe<U, S, F, Fut>(&self, sp: &S, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        S: Spawn + ?Sized,
        F: FnMut(T) -> Fut + Send + 'static,
        Fut: Future<Output = U> + Send;

    /// Spawns [`async_pipe`](crate::async_pipe): `n` at once, input order.
    ///
    /// # Panics
    /// At once, before anything is spawned or returned, if `n` is 0 (with the message
    /// "csp-ops: async_pipe needs a concurrency limit `n` of at least 1"). A large `n` is
    /// fine: the driver reserves room for 1024 values at most, and grows from
    /// there.
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(8));
    /// for i in 0..4 { ch.try_put(i).unwrap(); } ch.close();
    /// let out = ch.async_pipe(&Smol, 2, |x| async move { x * 3 });
    /// assert_eq!(collect(&*out, None).await, [0, 3, 6, 9]);
    /// # });
    /// ```
    fn async_pipe<U, S, F, Fut>(&self, sp: &S, n: usize, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        S: Spawn + ?Sized,
        F: FnMut(T) -> Fut + Send + 'static,
        Fut: Future<Output = U> + Send;

    /// Spawns [`async_pipe_unordered`](crate::async_pipe_unordered): `n` at once,
    /// completion order.
    ///
    /// # Panics
    /// At once, before anything is spawned or returned, if `n` is 0 (with the message
    /// "csp-ops: async_pipe_unordered needs a concurrency limit `n` of at least 1"). A
    /// large `n` is fine: the driver reserves room for 1024 values at most, and
    /// grows from there.
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(8));
    /// for i in 0..4 { ch.try_put(i).unwrap(); } ch.close();
    /// let mut got = collect(&*ch.async_pipe_unordered(&Smol, 2, |x| async move { x }), None).await;
    /// got.sort();
    /// assert_eq!(got, [0, 1, 2, 3]);
    /// # });
    /// ```
    fn async_pipe_unordered<U, S, F, Fut>(&self, sp: &S, n: usize, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        S: Spawn + ?Sized,
        F: FnMut(T) -> Fut + Send + 'static,
        Fut: Future<Output = U> + Send;

    /// Spawns [`parallel_pipe`](crate::parallel_pipe): `n` blocking jobs at once on the
    /// spawner's blocking pool, input order.
    ///
    /// # Panics
    /// At once, before anything is spawned or returned, if `n` is 0 (with the message
    /// "csp-ops: parallel_pipe needs a concurrency limit `n` of at least 1"). A large `n`
    /// is fine: the driver reserves room for 1024 values at most, and grows from
    /// there.
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(8));
    /// for i in 0..4u64 { ch.try_put(i).unwrap(); } ch.close();
    /// assert_eq!(collect(&*ch.parallel_pipe(&Smol, 2, |x| x * x), None).await, [0, 1, 4, 9]);
    /// # });
    /// ```
    fn parallel_pipe<U, S, F>(&self, sp: &S, n: usize, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        S: Spawn + Clone + Send + Sync + 'static,
        F: Fn(T) -> U + Send + Sync + 'static;

    /// Spawns [`parallel_pipe_unordered`](crate::parallel_pipe_unordered).
    ///
    /// # Panics
    /// At once, before anything is spawned or returned, if `n` is 0 (with the message
    /// "csp-ops: parallel_pipe_unordered needs a concurrency limit `n` of at least 1"). A
    /// large `n` is fine: the driver reserves room for 1024 values at most, and
    /// grows from there.
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(8));
    /// for i in 0..4u64 { ch.try_put(i).unwrap(); } ch.close();
    /// let mut got = collect(&*ch.parallel_pipe_unordered(&Smol, 2, |x| x * x), None).await;
    /// got.sort();
    /// assert_eq!(got, [0, 1, 4, 9]);
    /// # });
    /// ```
    fn parallel_pipe_unordered<U, S, F>(&self, sp: &S, n: usize, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        S: Spawn + Clone + Send + Sync + 'static,
        F: Fn(T) -> U + Send + Sync + 'static;

    /// Spawns [`split`](crate::split); returns `(yes, no)`.
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(8));
    /// for i in 0..4 { ch.try_put(i).unwrap(); } ch.close();
    /// let (big, small) = ch.split(&Smol, |x| *x >= 2);
    /// let (b, s) = futures_lite::future::zip(collect(&*big, None), collect(&*small, None)).await;
    /// assert_eq!((b, s), (vec![2, 3], vec![0, 1]));
    /// # });
    /// ```
    fn split<S, P>(&self, sp: &S, pred: P) -> (Arc<Chan<T>>, Arc<Chan<T>>)
    where
        S: Spawn + ?Sized,
        P: FnMut(&T) -> bool + Send + 'static;

    /// Spawns [`distribute`](crate::distribute) to the given outputs.
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(8));
    /// for i in 0..4 { ch.try_put(i).unwrap(); } ch.close();
    /// let outs = vec![Arc::new(Chan::fixed(8)), Arc::new(Chan::fixed(8))];
    /// ch.distribute(&Smol, outs.clone());
    /// let (a, b) = futures_lite::future::zip(collect(&*outs[0], None), collect(&*outs[1], None)).await;
    /// assert_eq!(a.len() + b.len(), 4);
    /// # });
    /// ```
    fn distribute<S, B2, L2>(&self, sp: &S, outputs: Vec<Arc<Chan<T, B2, L2>>>)
    where
        T: Clone,
        S: Spawn + ?Sized,
        B2: Buffer<T> + Send + Sync + 'static,
        L2: RawLock + Send + Sync + 'static;

    /// Spawns a [`Dup`] driver and returns its handle, to which taps are then added.
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(8));
    /// let tap = Arc::new(Chan::fixed(8));
    /// let dup = ch.dup(&Smol);
    /// dup.tap(Arc::clone(&tap), true);
    /// ch.put(1).await.unwrap();
    /// ch.close();
    /// assert_eq!(collect(&*tap, None).await, [1]);
    /// # });
    /// ```
    fn dup<S: Spawn + ?Sized>(&self, sp: &S) -> Dup<T>
    where
        T: Clone;

    /// Spawns a [`Pub`] driver with the given topic function and returns its handle.
    ///
    /// # Examples
    /// ```
    /// # use std::sync::Arc; use csp_core::Chan; use csp_ops::{collect, ChanExt, Smol};
    /// # smol::block_on(async {
    /// let ch = Arc::new(Chan::fixed(8));
    /// let odd = Arc::new(Chan::fixed(8));
    /// let p = ch.publish(&Smol, |x: &u32| x % 2 == 1);
    /// p.sub(true, Arc::clone(&odd), true);
    /// for i in 0..4 { ch.put(i).await.unwrap(); }
    /// ch.close();
    /// assert_eq!(collect(&*odd, None).await, [1, 3]);
    /// # });
    /// ```
    fn publish<K, S, F>(&self, sp: &S, topic: F) -> Pub<K, T>
    where
        T: Clone,
        K: PartialEq + Send + Sync + 'static,
        S: Spawn + ?Sized,
        F: FnMut(&T) -> K + Send + 'static;
}

impl<T, B, L> ChanExt<T> for Arc<Chan<T, B, L>>
where
    T: Send + 'static,
    B: Buffer<T> + Send + 'static,
    L: RawLock + Send + Sync + 'static,
{
    fn map<U, S, F>(&self, sp: &S, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        S: Spawn + ?Sized,
        F: FnMut(T) -> U + Send + 'static,
    {
        spawned!(sp, self, |i, o| crate::map(&*i, &*o, f, Options::new()))
    }
    fn flat_map<U, I, S, F>(&self, sp: &S, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        I: IntoIterator<Item = U>,
        I::IntoIter: Send,
        S: Spawn + ?Sized,
        F: FnMut(T) -> I + Send + 'static,
    {
        spawned!(sp, self, |i, o| crate::flat_map(
            &*i,
            &*o,
            f,
            Options::new()
        ))
    }
    fn filter<S, P>(&self, sp: &S, pred: P) -> Arc<Chan<T>>
    where
        S: Spawn + ?Sized,
        P: FnMut(&T) -> bool + Send + 'static,
    {
        spawned!(sp, self, |i, o| crate::filter(
            &*i,
            &*o,
            pred,
            Options::new()
        ))
    }
    fn take<S: Spawn + ?Sized>(&self, sp: &S, n: usize) -> Arc<Chan<T>> {
        spawned!(sp, self, |i, o| crate::take(&*i, &*o, n, Options::new()))
    }
    fn skip<S: Spawn + ?Sized>(&self, sp: &S, n: usize) -> Arc<Chan<T>> {
        spawned!(sp, self, |i, o| crate::skip(&*i, &*o, n, Options::new()))
    }
    fn take_while<S, P>(&self, sp: &S, pred: P) -> Arc<Chan<T>>
    where
        S: Spawn + ?Sized,
        P: FnMut(&T) -> bool + Send + 'static,
    {
        spawned!(sp, self, |i, o| crate::take_while(
            &*i,
            &*o,
            pred,
            Options::new()
        ))
    }
    fn skip_while<S, P>(&self, sp: &S, pred: P) -> Arc<Chan<T>>
    where
        S: Spawn + ?Sized,
        P: FnMut(&T) -> bool + Send + 'static,
    {
        spawned!(sp, self, |i, o| crate::skip_while(
            &*i,
            &*o,
            pred,
            Options::new()
        ))
    }
    fn distinct<S: Spawn + ?Sized>(&self, sp: &S) -> Arc<Chan<T>>
    where
        T: PartialEq + Clone,
    {
        spawned!(sp, self, |i, o| crate::distinct(&*i, &*o, Options::new()))
    }
    fn reduce<U, S, F>(&self, sp: &S, init: U, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        S: Spawn + ?Sized,
        F: FnMut(U, T) -> U + Send + 'static,
    {
        spawned!(sp, self, |i, o| crate::reduce(
            &*i,
            &*o,
            init,
            f,
            Options::new()
        ))
    }
    fn scan<U, S, F>(&self, sp: &S, init: U, f: F) -> Arc<Chan<U>>
    where
        U: Clone + Send + 'static,
        S: Spawn + ?Sized,
        F: FnMut(U, T) -> U + Send + 'static,
    {
        spawned!(sp, self, |i, o| crate::scan(
            &*i,
            &*o,
            init,
            f,
            Options::new()
        ))
    }
    #[track_caller]
    fn group<S: Spawn + ?Sized>(&self, sp: &S, n: usize) -> Arc<Chan<Vec<T>>> {
        // Here, not in the spawned driver: a panic there would leave the output open.
        check_batch_size(n, "group");
        spawned!(sp, self, |i, o| crate::group(&*i, &*o, n, Options::new()))
    }
    fn group_by<K, S, F>(&self, sp: &S, key: F) -> Arc<Chan<(K, Vec<T>)>>
    where
        K: PartialEq + Send + 'static,
        S: Spawn + ?Sized,
        F: FnMut(&T) -> K + Send + 'static,
    {
        spawned!(sp, self, |i, o| crate::group_by(
            &*i,
            &*o,
            key,
            Options::new()
        ))
    }
    fn pipe<U, S, F, Fut>(&self, sp: &S, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        S: Spawn + ?Sized,
        F: FnMut(T) -> Fut + Send + 'static,
        Fut: Future<Output = U> + Send,
    {
        spawned!(sp, self, |i, o| crate::pipe(&*i, &*o, f, Options::new()))
    }
    #[track_caller]
    fn async_pipe<U, S, F, Fut>(&self, sp: &S, n: usize, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        S: Spawn + ?Sized,
        F: FnMut(T) -> Fut + Send + 'static,
        Fut: Future<Output = U> + Send,
    {
        check_pipe_limit(n, "async_pipe");
        spawned!(sp, self, |i, o| crate::async_pipe(
            n,
            &*i,
            &*o,
            f,
            Options::new()
        ))
    }
    #[track_caller]
    fn async_pipe_unordered<U, S, F, Fut>(&self, sp: &S, n: usize, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        S: Spawn + ?Sized,
        F: FnMut(T) -> Fut + Send + 'static,
        Fut: Future<Output = U> + Send,
    {
        check_pipe_limit(n, "async_pipe_unordered");
        spawned!(sp, self, |i, o| crate::async_pipe_unordered(
            n,
            &*i,
            &*o,
            f,
            Options::new()
        ))
    }
    #[track_caller]
    fn parallel_pipe<U, S, F>(&self, sp: &S, n: usize, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        S: Spawn + Clone + Send + Sync + 'static,
        F: Fn(T) -> U + Send + Sync + 'static,
    {
        check_pipe_limit(n, "parallel_pipe");
        let pool = sp.clone();
        spawned!(sp, self, |i, o| crate::parallel_pipe(
            n,
            &*i,
            &*o,
            &pool,
            f,
            Options::new()
        ))
    }
    #[track_caller]
    fn parallel_pipe_unordered<U, S, F>(&self, sp: &S, n: usize, f: F) -> Arc<Chan<U>>
    where
        U: Send + 'static,
        S: Spawn + Clone + Send + Sync + 'static,
        F: Fn(T) -> U + Send + Sync + 'static,
    {
        check_pipe_limit(n, "parallel_pipe_unordered");
        let pool = sp.clone();
        spawned!(sp, self, |i, o| {
            crate::parallel_pipe_unordered(n, &*i, &*o, &pool, f, Options::new())
        })
    }
    fn split<S, P>(&self, sp: &S, pred: P) -> (Arc<Chan<T>>, Arc<Chan<T>>)
    where
        S: Spawn + ?Sized,
        P: FnMut(&T) -> bool + Send + 'static,
    {
        let (yes, no) = (Arc::new(Chan::new()), Arc::new(Chan::new()));
        let (i, y, n) = (Arc::clone(self), Arc::clone(&yes), Arc::clone(&no));
        sp.spawn(async move {
            let _ = crate::split(&*i, &*y, &*n, pred, Options::new()).await;
        });
        (yes, no)
    }
    fn distribute<S, B2, L2>(&self, sp: &S, outputs: Vec<Arc<Chan<T, B2, L2>>>)
    where
        T: Clone,
        S: Spawn + ?Sized,
        B2: Buffer<T> + Send + Sync + 'static,
        L2: RawLock + Send + Sync + 'static,
    {
        let i = Arc::clone(self);
        sp.spawn(async move {
            let outs: Vec<&Chan<T, B2, L2>> = outputs.iter().map(|o| &**o).collect();
            let _ = crate::distribute(&*i, &outs, Options::new()).await;
        });
    }
    fn dup<S: Spawn + ?Sized>(&self, sp: &S) -> Dup<T>
    where
        T: Clone,
    {
        let dup = Dup::new();
        let (d, i) = (dup.clone(), Arc::clone(self));
        sp.spawn(async move { d.run(&*i).await });
        dup
    }
    fn publish<K, S, F>(&self, sp: &S, topic: F) -> Pub<K, T>
    where
        T: Clone,
        K: PartialEq + Send + Sync + 'static,
        S: Spawn + ?Sized,
        F: FnMut(&T) -> K + Send + 'static,
    {
        let p = Pub::new();
        let (q, i) = (p.clone(), Arc::clone(self));
        sp.spawn(async move { q.run(&*i, topic).await });
        p
    }
}
