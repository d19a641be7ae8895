//! One thread: a program of puts, gets, selects, try ops, polls, cancellations and
//! closes, checked step by step against the reference model in `csp_fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    csp_fuzz::run_single(data);
});
