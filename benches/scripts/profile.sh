#!/usr/bin/env bash
# Where csp spends its instructions in one benchmark cell (tokio current-thread).
#
#   benches/scripts/profile.sh [--no-build] [-n N] [--top K] [--asm NAME] PEER:WORKLOAD:CAP
#
# Runs the cell once under `valgrind --tool=callgrind` with N messages (default
# 100000; setup is then a small share) and prints the K (default 25) functions with the
# most inclusive instructions, divided by the number of messages. The raw profile is
# kept in benches/out/callgrind.PEER.WORKLOAD.CAP for callgrind_annotate. With --asm,
# also prints the machine code of every function whose name contains NAME, each
# instruction with how often it ran per message (asm_profile.py).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
n=100000
top=25
build=1
asm=
cell=
while [ $# -gt 0 ]; do
    case $1 in
        --no-build) build=0 ;;
        -n) n=$2; shift ;;
        --top) top=$2; shift ;;
        --asm) asm=$2; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) cell=$1 ;;
    esac
    shift
done
[ -n "$cell" ] || { sed -n '2,12p' "$0"; exit 2; }
IFS=: read -r peer workload cap <<<"$cell"

if [ $build = 1 ]; then
    (cd "$root" && CARGO_TARGET_DIR=$target cargo build --release --quiet -p csp-benches --bin cell)
fi
mkdir -p "$root/benches/out"
out=$root/benches/out/callgrind.$peer.$workload.$cap
dump=()
if [ -n "$asm" ]; then dump=(--dump-instr=yes); fi
valgrind --tool=callgrind "${dump[@]}" --callgrind-out-file="$out" \
    "$target/release/cell" "$peer" "$workload" "$cap" "$n" >"$out.stdout" 2>"$out.stderr"
read -r msgs _ <"$out.stdout"
callgrind_annotate --inclusive=yes "$out" >"$out.incl" 2>/dev/null
callgrind_annotate --inclusive=no --auto=yes "$out" >"$out.self" 2>/dev/null
python3 "$root/benches/scripts/callgrind_summary.py" "$msgs" "$top" "$cell" "$out.incl" "$out.self"
if [ -n "$asm" ]; then
    python3 "$root/benches/scripts/asm_profile.py" "$out" "$target/release/cell" "$asm" "$msgs"
fi
