#!/usr/bin/env bash
# Runs each cargo-fuzz target of fuzz/ for a bounded time (libFuzzer, AddressSanitizer,
# nightly). Fails on the first crash; the crashing input lands in fuzz/artifacts/.
# Budget: under 5 minutes including both builds. FUZZ_SECONDS overrides the time per target.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs="${FUZZ_SECONDS:-45}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# Each target runs twice: with csp-core's default features, then built as on firmware
# (no `alloc`: at most HAND_OVER_SLOTS values in flight, a protocol path of its own)
# for FUZZ_NOALLOC_SECONDS (default 30). Each build has its own target directory.
noalloc_secs="${FUZZ_NOALLOC_SECONDS:-30}"
run_targets() { # SECONDS FEATURE-FLAGS...
  local secs=$1; shift
  cargo +nightly fuzz build -O "$@"
  for t in select_model select_threads; do
    mkdir -p "corpus/$t"
    echo "--- fuzz $t for ${secs}s $*"
    # -timeout: a single input running longer than 10 s is a hang (a lost wake-up that
    # spins, or a livelock), reported as a crash.
    # select_threads spawns two threads per input; std frees a thread's handle and TLS
    # bookkeeping after the join returns, which LeakSanitizer sometimes reports as a
    # leak (std's memory, not csp's): per input (libFuzzer's -detect_leaks) and also at
    # exit, when the last input's threads are still tearing down (seen once at
    # `dc9695c`: 96 bytes, 32 of them from `__cxa_thread_atexit_impl`, reported against
    # the empty unit at the end of the run), which only ASAN_OPTIONS turns off. Leak
    # checking stays on for select_model; the value ledger still catches any leaked or
    # duplicated value.
    extra=()
    asan="${ASAN_OPTIONS:-}"
    if [ "$t" = select_threads ]; then
      extra=(-detect_leaks=0)
      asan="${asan:+$asan:}detect_leaks=0"
    fi
    log="$(mktemp)"
    if ! ASAN_OPTIONS="$asan" cargo +nightly fuzz run -O "$@" "$t" -- -max_total_time="$secs" \
        -timeout=10 -print_final_stats=1 "${extra[@]}" >"$log" 2>&1; then
      tail -n 60 "$log"
      echo "fuzz target $t failed; reproduce with: cd fuzz && cargo +nightly fuzz run $* $t artifacts/$t/<file>"
      exit 1
    fi
    grep -E "^(Done|stat::number_of_executed_units|stat::average_exec_per_sec)" "$log" || true
    rm -f "$log"
  done
}
run_targets "$secs"
CARGO_TARGET_DIR="$CARGO_TARGET_DIR/noalloc" run_targets "$noalloc_secs" --no-default-features
