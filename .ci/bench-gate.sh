#!/usr/bin/env bash
# CI step: csp's exact instruction count per message must not regress.
#
#   .ci/bench-gate.sh            # check against benches/baseline.txt
#   .ci/bench-gate.sh --update   # re-measure and rewrite benches/baseline.txt
#
# Counts instructions per message with valgrind (benches/scripts/instr.sh) for a few
# csp cells on tokio's current-thread runtime, and fails if any cell needs more than
# BENCH_GATE_TOLERANCE percent (default 5) more instructions than the committed
# baseline, or if any cell loses or duplicates a value. Instruction counts repeat
# exactly from run to run, unlike wall-clock time on shared machines, so a small
# tolerance is safe. After a deliberate change in cost (an optimisation, or a fix that
# must cost more), run with --update and commit benches/baseline.txt with the change.
# Budget: under 3 minutes on 2 cores, including the release build of the `cell` binary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

baseline=benches/baseline.txt
tolerance=${BENCH_GATE_TOLERANCE:-5}
cells=(csp:seq:1024 csp:spsc:1024 csp:mpmc4x4:1024 csp:spsc:0 csp:pingpong:0 csp:pingpong:1024 csp:spsc:1 csp:mpmc4x4:0 csp:mpmc64x64:0 csp:select2:1 csp:select2:1024)

if ! command -v valgrind >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "bench-gate: installing valgrind"
        apt-get install -y -qq valgrind >/dev/null 2>&1 ||
            { apt-get update -qq >/dev/null && apt-get install -y -qq valgrind >/dev/null; }
    else
        echo "bench-gate: valgrind is missing and cannot be installed here" >&2
        exit 1
    fi
fi

start=$(date +%s)
# csp only: the other crates are not needed here and would double the build time.
result=$(INSTR_CARGO_FLAGS=--no-default-features benches/scripts/instr.sh "${cells[@]}")
echo "$result"
echo "bench-gate: measured in $(($(date +%s) - start)) s"

if [ "${1:-}" = "--update" ]; then
    {
        echo "# Instructions per message of csp cells (tokio current-thread), the baseline"
        echo "# of .ci/bench-gate.sh. Regenerate with: .ci/bench-gate.sh --update"
        echo "$result"
    } >"$baseline"
    echo "bench-gate: wrote $baseline"
    exit 0
fi

[ -f "$baseline" ] || { echo "bench-gate: $baseline is missing; run .ci/bench-gate.sh --update" >&2; exit 1; }

awk -v tol="$tolerance" '
    FNR == NR { if ($1 !~ /^#/ && $1 != "peer") base[$1 " " $2 " " $3] = $4; next }
    $1 == "peer" { next }
    {
        key = $1 " " $2 " " $3
        if ($6 != 0) { printf "FAIL %s: %d values lost or duplicated\n", key, $6; bad = 1 }
        if (!(key in base)) { printf "FAIL %s: not in the baseline (run --update)\n", key; bad = 1; next }
        change = ($4 - base[key]) / base[key] * 100
        verdict = change > tol ? "FAIL" : "ok  "
        if (change > tol) bad = 1
        printf "%s %-24s %8.1f instr/msg, baseline %8.1f (%+.1f %%)\n", verdict, key, $4, base[key], change
    }
    END {
        if (bad) { print "bench-gate: regression beyond " tol " % (or lost values); see above"; exit 1 }
        print "bench-gate: ok"
    }
' "$baseline" - <<<"$result"
