//! Benchmark support for comparing csp with other channel crates.
