#!/usr/bin/env bash
# Exact instructions per message for benchmark cells on tokio's current-thread runtime.
#
#   benches/scripts/instr.sh [--no-build] [-n N] [CELL...]
#
# CELL is PEER:WORKLOAD:CAP, e.g. csp:spsc:0 (names as in docs/benchmarks.md);
# a bare PEER or `all` expands to the cells of the issue's targets table for that peer
# (or every peer). Default: `all`.
#
# Each cell runs twice under `valgrind --tool=cachegrind --cache-sim=no`, with N and 2N
# messages (default N = 20000; ping-pong does N/5 round trips), and the script prints
# (I(2N) - I(N)) / (messages(2N) - messages(N)): the setup (runtime, channel, task
# spawns) cancels out, and what is left is the steady-state cost of one message (one
# round trip for ping-pong). Allocations per message are computed the same way, from
# the counting global allocator. Output columns:
#   peer workload cap instr/msg allocs/msg lost
# `lost` is the number of values lost or duplicated in the 2N run (non-zero for kanal
# in selects: a cancelled receive can drop a value that was already handed to it).
# INSTR_CARGO_FLAGS adds cargo flags to the build (the CI gate passes
# --no-default-features: csp only, a faster build).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
n=${INSTR_N:-20000}
build=1
cells=()
while [ $# -gt 0 ]; do
    case $1 in
        --no-build) build=0 ;;
        -n) n=$2; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) cells+=("$1") ;;
    esac
    shift
done
[ ${#cells[@]} -gt 0 ] || cells=(all)

# The cells of the targets table in the issue (tokio current-thread).
target_cells=(seq:1024 spsc:1024 mpsc4x1:1024 mpmc4x4:1024 spsc:0 pingpong:0 select2:0 select2:1 select2:1024)
peers=(csp kanal flume async-channel tokio-mpsc futures-mpsc)
expanded=()
for c in "${cells[@]}"; do
    case $c in
        all) for p in "${peers[@]}"; do for t in "${target_cells[@]}"; do expanded+=("$p:$t"); done; done ;;
        *:*:*) expanded+=("$c") ;;
        *) for t in "${target_cells[@]}"; do expanded+=("$c:$t"); done ;;
    esac
done

if ! command -v valgrind >/dev/null; then
    echo "instr.sh: valgrind is not installed (apt-get install valgrind)" >&2
    exit 2
fi
if [ $build = 1 ]; then
    # shellcheck disable=SC2086 # INSTR_CARGO_FLAGS is a list of flags
    (cd "$root" && CARGO_TARGET_DIR=$target cargo build --release --quiet -p csp-benches --bin cell ${INSTR_CARGO_FLAGS:-})
fi
bin=$target/release/cell
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run PEER WORKLOAD CAP N -> "instructions messages allocs lost+dup"
run() {
    local rc=0
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        "$bin" "$1" "$2" "$3" "$4" >"$tmp/out" 2>"$tmp/err" || rc=$?
    if [ $rc -eq 2 ] && grep -q "does not apply" "$tmp/err"; then
        echo "na"
        return 0
    fi
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
        echo "instr.sh: $* failed (exit $rc):" >&2
        cat "$tmp/err" >&2
        return 1
    fi
    local instr
    instr=$(sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' "$tmp/err" | tr -d ,)
    read -r msgs allocs lost dup _ <"$tmp/out"
    echo "$instr $msgs $allocs $((lost + dup))"
}

printf '%-14s %-14s %5s %10s %10s %6s\n' peer workload cap instr/msg allocs/msg lost
for cell in "${expanded[@]}"; do
    IFS=: read -r peer workload cap <<<"$cell"
    first=$(run "$peer" "$workload" "$cap" "$n")
    if [ "$first" = na ]; then
        printf '%-14s %-14s %5s %10s %10s %6s\n' "$peer" "$workload" "$cap" n/a n/a -
        continue
    fi
    read -r i1 m1 a1 _ <<<"$first"
    second=$(run "$peer" "$workload" "$cap" $((2 * n)))
    read -r i2 m2 a2 l2 <<<"$second"
    awk -v p="$peer" -v w="$workload" -v c="$cap" -v i1="$i1" -v i2="$i2" -v m1="$m1" \
        -v m2="$m2" -v a1="$a1" -v a2="$a2" -v l="$l2" \
        'BEGIN { printf "%-14s %-14s %5s %10.1f %10.3f %6d\n", p, w, c, (i2 - i1) / (m2 - m1), (a2 - a1) / (m2 - m1), l }'
done
