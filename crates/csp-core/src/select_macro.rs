//! The `select!` macro.

/// Waits on several channel operations and completes **exactly one** of them.
///
/// ```text
/// select! {
///     biased;                        // optional: the leftmost ready arm wins
///     v = a.get() => { .. }          // v: Option<T> (None: closed and drained)
///     r = b.put(x) => { .. }         // r: Result<(), Closed<U>>
///     v = c.get(), if enabled => ..  // a false guard disables the arm (Go's nil channel)
///     default => { .. }              // optional: runs when no arm is ready now
/// }
/// ```
///
/// Each arm is `pattern = operation => body`, where the operation is any [`Arm`]
/// (a [`Get`](crate::Get), a [`Put`](crate::Put), or `fut.as_mut()` of a pinned one), on
/// channels of any element and buffer types. When the result does not match a
/// refutable pattern (say `Some(v) = ch.get()` on a closed channel), that arm is
/// disabled and the select goes on with the others.
///
/// - **Atomic.** One operation happens; the others do not happen at all: a losing put
///   delivers nothing, a losing get takes nothing. This holds against other selects, on
///   any number of threads, and when two arms name the same channel.
/// - **Fair.** Without `biased;` a ready arm is chosen at random.
/// - **Cancel-safe.** Dropping the select at any point loses nothing.
/// - **Losing puts.** A put arm written inline drops its value with the select. To get
///   the value back, pin the put first, use `put.as_mut()` as the arm, and call
///   [`Put::take_value`](crate::Put::take_value) afterwards.
/// - A guard is evaluated before its operation expression, which is not evaluated at
///   all when the guard is false.
///
/// It must be used inside an `async` context (it awaits). With every arm disabled and
/// no `default` it panics: such a select could never complete.
///
/// # Examples
/// ```
/// use csp_core::{select, Chan};
/// use csp_core::buffer::Fixed;
///
/// # csp_core::block_on(async {
/// let numbers: Chan<u32, Fixed<u32, 1>> = Chan::with_buffer(Fixed::new());
/// let words: Chan<&str, Fixed<&str, 1>> = Chan::with_buffer(Fixed::new());
/// words.try_put("hi").unwrap();
/// let got = select! {
///     n = numbers.get() => format!("number {n:?}"),
///     w = words.get() => format!("word {w:?}"),
/// };
/// assert_eq!(got, r#"word Some("hi")"#);
///
/// let idle = select! {
///     n = numbers.get() => n,
///     default => None,
/// };
/// assert_eq!(idle, None);
/// # });
/// ```
///
/// [`Arm`]: crate::Arm
#[macro_export]
macro_rules! select {
    // ----- parsing: default -----
    (@parse $b:tt $arms:tt () $ids:tt default => $body:block , $($rest:tt)*) => {
        $crate::select!(@parse $b $arms ($body) $ids $($rest)*)
    };
    (@parse $b:tt $arms:tt () $ids:tt default => $body:block $($rest:tt)*) => {
        $crate::select!(@parse $b $arms ($body) $ids $($rest)*)
    };
    (@parse $b:tt $arms:tt () $ids:tt default => $body:expr $(, $($rest:tt)*)?) => {
        $crate::select!(@parse $b $arms ($body) $ids $($($rest)*)?)
    };
    // ----- parsing: arms with a guard -----
    (@parse $b:tt ($($arms:tt)*) $d:tt ($id:ident $n:literal $($ids:tt)*)
        $p:pat = $e:expr, if $c:expr => $body:block , $($rest:tt)*) => {
        $crate::select!(@parse $b ($($arms)* [$id $n ($p) ($e) ($c) ($body)]) $d ($($ids)*) $($rest)*)
    };
    (@parse $b:tt ($($arms:tt)*) $d:tt ($id:ident $n:literal $($ids:tt)*)
        $p:pat = $e:expr, if $c:expr => $body:block $($rest:tt)*) => {
        $crate::select!(@parse $b ($($arms)* [$id $n ($p) ($e) ($c) ($body)]) $d ($($ids)*) $($rest)*)
    };
    (@parse $b:tt ($($arms:tt)*) $d:tt ($id:ident $n:literal $($ids:tt)*)
        $p:pat = $e:expr, if $c:expr => $body:expr $(, $($rest:tt)*)?) => {
        $crate::select!(@parse $b ($($arms)* [$id $n ($p) ($e) ($c) ($body)]) $d ($($ids)*) $($($rest)*)?)
    };
    // ----- parsing: arms without a guard -----
    (@parse $b:tt ($($arms:tt)*) $d:tt ($id:ident $n:literal $($ids:tt)*)
        $p:pat = $e:expr => $body:block , $($rest:tt)*) => {
        $crate::select!(@parse $b ($($arms)* [$id $n ($p) ($e) (true) ($body)]) $d ($($ids)*) $($rest)*)
    };
    (@parse $b:tt ($($arms:tt)*) $d:tt ($id:ident $n:literal $($ids:tt)*)
        $p:pat = $e:expr => $body:block $($rest:tt)*) => {
        $crate::select!(@parse $b ($($arms)* [$id $n ($p) ($e) (true) ($body)]) $d ($($ids)*) $($rest)*)
    };
    (@parse $b:tt ($($arms:tt)*) $d:tt ($id:ident $n:literal $($ids:tt)*)
        $p:pat = $e:expr => $body:expr $(, $($rest:tt)*)?) => {
        $crate::select!(@parse $b ($($arms)* [$id $n ($p) ($e) (true) ($body)]) $d ($($ids)*) $($($rest)*)?)
    };
    (@parse $b:tt $arms:tt $d:tt () $($rest:tt)+) => {
        ::core::compile_error!("csp::select!: at most 32 arms")
    };
    // ----- generating -----
    (@parse ($b:expr) ($([$id:ident $n:literal ($p:pat) ($e:expr) ($c:expr) ($body:expr)])*) ($($d:tt)*) $ids:tt) => {{
        #[allow(non_camel_case_types, dead_code)]
        enum __CspOut<$($id),*> { $($id($id),)* __Default }
        #[allow(unused_imports)]
        use $crate::internal::{IntoArm as _, IntoOpArm as _};
        $(
            // A `Get`/`Put` written inline runs as its op, on the select's selector.
            #[allow(unused_mut)]
            let mut $id = ::core::pin::pin!(::core::option::Option::None);
            if $c {
                // Built in place: no copy of the arm through a temporary.
                $id.set(::core::option::Option::Some(
                    (&&$crate::internal::ArmExpr::new($e)).select_arm(),
                ));
            }
        )*
        let __csp_out = '__csp_select: loop {
            let __csp_winner = {
                let __csp_arms = ($($id.as_mut().as_pin_mut(),)*);
                $crate::internal::Select::new(__csp_arms, $b, $crate::select!(@has_default $($d)*)).await
            };
            match __csp_winner {
                $(
                    $n => {
                        let __csp_o = $crate::internal::output($id.as_mut().as_pin_mut());
                        #[allow(unused_variables, unused_mut, irrefutable_let_patterns)]
                        if let $p = &__csp_o {
                            break '__csp_select __CspOut::$id(__csp_o);
                        }
                        // The pattern did not match: disable the arm and select again.
                        $id.set(::core::option::Option::None);
                    }
                )*
                _ => break '__csp_select __CspOut::__Default,
            }
        };
        #[allow(unreachable_patterns)]
        match __csp_out {
            $( __CspOut::$id($p) => $body, )*
            __CspOut::__Default => $crate::select!(@default $($d)*),
            // Refutable patterns were checked inside the loop.
            _ => ::core::unreachable!(),
        }
    }};
    (@has_default) => { false };
    (@has_default $($d:tt)+) => { true };
    (@default) => { ::core::unreachable!("csp::select!: no arm completed") };
    (@default $($d:tt)+) => { $($d)+ };
    // ----- entry -----
    (biased; $($rest:tt)*) => {
        $crate::select!(@parse (true) () () (
            _a0 0 _a1 1 _a2 2 _a3 3 _a4 4 _a5 5 _a6 6 _a7 7 _a8 8 _a9 9 _a10 10 _a11 11
            _a12 12 _a13 13 _a14 14 _a15 15 _a16 16 _a17 17 _a18 18 _a19 19 _a20 20
            _a21 21 _a22 22 _a23 23 _a24 24 _a25 25 _a26 26 _a27 27 _a28 28 _a29 29
            _a30 30 _a31 31
        ) $($rest)*)
    };
    ($($rest:tt)*) => {
        $crate::select!(@parse (false) () () (
            _a0 0 _a1 1 _a2 2 _a3 3 _a4 4 _a5 5 _a6 6 _a7 7 _a8 8 _a9 9 _a10 10 _a11 11
            _a12 12 _a13 13 _a14 14 _a15 15 _a16 16 _a17 17 _a18 18 _a19 19 _a20 20
            _a21 21 _a22 22 _a23 23 _a24 24 _a25 25 _a26 26 _a27 27 _a28 28 _a29 29
            _a30 30 _a31 31
        ) $($rest)*)
    };
}

/// [`select!`] for plain threads: blocks the thread until one arm completes
/// (feature `std`). Same syntax; no `async` context needed.
///
/// # Examples
/// ```
/// use csp_core::{select_blocking, Chan};
/// use csp_core::buffer::Fixed;
///
/// let a: Chan<u8, Fixed<u8, 1>> = Chan::with_buffer(Fixed::new());
/// let b: Chan<u8> = Chan::new();
/// std::thread::scope(|s| {
///     s.spawn(|| a.put_blocking(3).unwrap());
///     let got = select_blocking! {
///         v = a.get() => v,
///         v = b.get() => v,
///     };
///     assert_eq!(got, Some(3));
/// });
/// ```
#[cfg(feature = "std")]
#[macro_export]
macro_rules! select_blocking {
    ($($t:tt)*) => {
        $crate::block_on(async { $crate::select!($($t)*) })
    };
}
