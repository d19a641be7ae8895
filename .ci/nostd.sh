#!/usr/bin/env bash
# csp-core builds for a Cortex-M3 with no std and no alloc, with each lock.
set -euo pipefail
cargo build -p csp-core --no-default-features --target thumbv7m-none-eabi
cargo build -p csp-core --no-default-features --features critical-section --target thumbv7m-none-eabi
