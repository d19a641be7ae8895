#!/usr/bin/env bash
# Loom models of the csp-core protocol (crates/csp-core/tests/loom_*.rs). Each model
# sets its own preemption bound (see docs/verification.md); LOOM_MAX_PREEMPTIONS
# overrides them all. Loom needs `--cfg loom` and so its own target directory.
# Budget: under 5 minutes including both builds.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTFLAGS="${RUSTFLAGS:-} --cfg loom"
export CARGO_TARGET_DIR="${LOOM_TARGET_DIR:-target/loom}"
tests=()
for f in crates/csp-core/tests/loom_*.rs; do
  tests+=(--test "$(basename "$f" .rs)")
done
# --nocapture shows each model's execution count and time.
cargo test -p csp-core --release "${tests[@]}" -- --nocapture --test-threads 1 2>&1 \
  | grep -Ev "^(running [0-9]+ tests?|)$"
# The rendezvous models again on csp-core built without `alloc` (as on firmware), where
# at most HAND_OVER_SLOTS values are in flight: puts queue beside waiting getters.
cargo test -p csp-core --release --no-default-features --test loom_rendezvous -- --nocapture \
  --test-threads 1 2>&1 | grep -Ev "^(running [0-9]+ tests?|)$"
