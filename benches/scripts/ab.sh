#!/usr/bin/env bash
# Wall-clock A/B of two commits, built so that code placement does not decide it.
#
#   benches/scripts/ab.sh [--reps R] [--n N] [--rt RUNTIME] [--peer PEER] [--control]
#                         OLD_REV NEW_REV WORKLOAD:CAP...
#
# Builds the `cell` binary of each commit (in a temporary git worktree) with every
# function and branch target 64-byte aligned, then runs each cell R times (default 21)
# per binary, N messages each (default 200000), on RUNTIME (default tokio-ct), the two
# binaries interleaved and their order alternating from one repetition to the next
# (on this machine the second of two back-to-back runs is often a few percent slower).
# Prints the median ns per message of each and NEW / OLD. With --control it also runs
# OLD against a copy of itself: the ratio that means nothing on this machine today.
# Run nothing else meanwhile.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
reps=21 n=200000 rt=tokio-ct peer=csp control=0
args=()
while [ $# -gt 0 ]; do
    case $1 in
        --reps) reps=$2; shift ;;
        --n) n=$2; shift ;;
        --rt) rt=$2; shift ;;
        --peer) peer=$2; shift ;;
        --control) control=1 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) args+=("$1") ;;
    esac
    shift
done
[ ${#args[@]} -ge 3 ] || { sed -n '2,14p' "$0"; exit 2; }
old_rev=${args[0]} new_rev=${args[1]}
cells=("${args[@]:2}")

work=$(mktemp -d)
trap 'for w in "$work"/wt-*; do [ -d "$w" ] && git -C "$root" worktree remove --force "$w"; done; rm -rf "$work"' EXIT

build() { # REV NAME
    local wt=$work/wt-$2
    git -C "$root" worktree add -q --detach "$wt" "$1"
    (cd "$wt" && CARGO_TARGET_DIR=$target/ab \
        RUSTFLAGS="-C llvm-args=-align-all-functions=6 -C llvm-args=-align-all-nofallthru-blocks=6" \
        cargo build --release --quiet -p csp-benches --bin cell)
    cp "$target/ab/release/cell" "$work/cell-$2"
}
build "$old_rev" old
build "$new_rev" new
cp "$work/cell-old" "$work/cell-copy"

median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
run() { "$1" "$peer" "$2" "$3" "$n" "$rt" | awk '{print $5}'; }

compare() { # A B LABEL
    local a=$1 b=$2 label=$3 c wl cap r
    for c in "${cells[@]}"; do
        wl=${c%%:*} cap=${c##*:}
        local xs=() ys=()
        for r in $(seq "$reps"); do
            if [ $((r % 2)) = 0 ]; then
                xs+=("$(run "$a" "$wl" "$cap")"); ys+=("$(run "$b" "$wl" "$cap")")
            else
                ys+=("$(run "$b" "$wl" "$cap")"); xs+=("$(run "$a" "$wl" "$cap")")
            fi
        done
        local mx my
        mx=$(printf '%s\n' "${xs[@]}" | median)
        my=$(printf '%s\n' "${ys[@]}" | median)
        printf '%-10s %-16s %9s %9s  %.3f\n' "$label" "$c" "$mx" "$my" "$(echo "$my / $mx" | bc -l)"
    done
}

printf '%-10s %-16s %9s %9s  %s\n' "" "cell ($rt)" "old ns" "new ns" "new/old"
compare "$work/cell-old" "$work/cell-new" "A/B"
if [ "$control" = 1 ]; then
    compare "$work/cell-old" "$work/cell-copy" "control"
fi
