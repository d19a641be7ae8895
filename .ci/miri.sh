#!/usr/bin/env bash
# csp-core's unit, integration and doc tests under Miri (undefined behaviour, aliasing
# with Stacked Borrows, leaks, data races between threads). Strict provenance is on: the
# intrusive lists and waker cells keep pointer provenance throughout.
# Budget: under 6 minutes (tests scale their iteration counts down under cfg(miri)).
set -euo pipefail
cd "$(dirname "$0")/.."
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-strict-provenance}"
export CARGO_TARGET_DIR="${MIRI_TARGET_DIR:-target/miri}"
cargo +nightly miri setup >/dev/null
cargo +nightly miri test -p csp-core --lib --tests
# Doctests: the crate's examples, which also exercise the unsafe paths.
cargo +nightly miri test -p csp-core --doc
