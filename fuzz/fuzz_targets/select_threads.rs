//! Two threads share the channels, each running half of the program; conservation and
//! select atomicity are checked, and every value is accounted for at the end.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    csp_fuzz::run_threads(data);
});
