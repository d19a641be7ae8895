#!/usr/bin/env bash
# Wall clock of benchmark cells sorted by where the host placed the two virtual CPUs.
#
#   benches/scripts/placement.sh [--no-build] [-r ROUNDS] [-n N] [-t MS] [-p PEERS] WORKLOAD:CAP:RUNTIME...
#
# On this project's 2-vCPU machines a cache line's round trip between the CPUs takes
# about 65 ns or about 345 ns, depending on the host's placement, which changes over
# minutes (`core_latency`). Each round runs `core_latency`, then each peer's cell
# (`cell PEER WORKLOAD CAP N RUNTIME`, default peers `csp kanal`, N = 1000000) with
# `core_latency` again after each, and files a timing under "near" or "far" only when
# the probes before and after it agree (both under, or both over, MS nanoseconds;
# default 200). Prints per cell and peer the median ns per message for each placement,
# with the number of timings behind it. Run it on an otherwise idle machine.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
rounds=40
n=1000000
threshold=200
peers="csp kanal"
build=1
cells=()
while [ $# -gt 0 ]; do
    case $1 in
        --no-build) build=0 ;;
        -r) rounds=$2; shift ;;
        -n) n=$2; shift ;;
        -t) threshold=$2; shift ;;
        -p) peers=$2; shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) cells+=("$1") ;;
    esac
    shift
done
[ ${#cells[@]} -gt 0 ] || { sed -n '2,13p' "$0"; exit 2; }

if [ $build = 1 ]; then
    (cd "$root" && CARGO_TARGET_DIR=$target cargo build --release --quiet -p csp-benches \
        --bin cell --bin core_latency)
fi
cell=$target/release/cell
probe=$target/release/core_latency

printf '%-28s %-8s %16s %16s\n' cell peer "near ns (n)" "far ns (n)"
for c in "${cells[@]}"; do
    IFS=: read -r workload cap runtime <<<"$c"
    log=$(mktemp)
    for _ in $(seq 1 "$rounds"); do
        before=$($probe)
        for p in $peers; do
            ns=$($cell "$p" "$workload" "$cap" "$n" "${runtime:-tokio-ct}" | awk '{print $NF}')
            after=$($probe)
            echo "$p $before $after $ns" >>"$log"
            before=$after
        done
    done
    for p in $peers; do
        awk -v p="$p" -v t="$threshold" -v c="$c" '
            function median(a, k,   i, j, x) {
                for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
                return k ? (k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2) : 0
            }
            $1 == p && $2 < t && $3 < t { near[++nn] = $4 }
            $1 == p && $2 >= t && $3 >= t { far[++nf] = $4 }
            function show(a, k) { return k ? sprintf("%10.1f (%3d)", median(a, k), k) : sprintf("%16s", "- (  0)") }
            END { printf "%-28s %-8s %s %s\n", c, p, show(near, nn), show(far, nf) }' "$log"
    done
    rm -f "$log"
done
