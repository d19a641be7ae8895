#!/usr/bin/env bash
# csp-core builds for a Cortex-M3 with no std and no alloc, with each lock.
set -euo pipefail
cargo build -p csp-core --no-default-features --target thumbv7m-none-eabi
cargo build -p csp-core --no-default-features --features critical-section --target thumbv7m-none-eabi
# The combinators that need no allocator build bare too; the rest with `alloc`.
cargo build -p csp-ops --no-default-features --target thumbv7m-none-eabi
cargo build -p csp-ops --no-default-features --features alloc --target thumbv7m-none-eabi
# The facade with default features off is no_std and allocation-free.
cargo build -p csp --no-default-features --target thumbv7m-none-eabi
# Built without `alloc`, a channel hands over at most HAND_OVER_SLOTS values at a time:
# the scenario tests of that limit run only in this build (on the host).
cargo test -p csp-core --no-default-features --test scenarios --test cancel
