#!/usr/bin/env python3
"""Turns instr.sh outputs into the markdown table of docs/benchmarks.md.

usage: instr_table.py [--n N] INSTR_OUTPUT...   (later files override earlier ones)

N is the -n given to instr.sh (default 20000); lost values are shown as a share of
the 2N messages of the second run.
"""
import sys

PEERS = ["csp", "kanal", "flume", "async-channel", "tokio-mpsc", "futures-mpsc"]
# The targets of issue 6 (tokio current-thread), in instructions per message.
TARGETS = {
    ("seq", "1024"): "≤ 150",
    ("spsc", "1024"): "≤ 200",
    ("mpsc4x1", "1024"): "≤ 200",
    ("mpmc4x4", "1024"): "≤ 200",
    ("spsc", "0"): "≤ 600",
    ("pingpong", "0"): "≤ 1233",
    ("select2", "0"): "< 900",
    ("select2", "1"): "< 900",
    ("select2", "1024"): "< 300",
}

args = sys.argv[1:]
n = 20000
if args[:1] == ["--n"]:
    n, args = int(args[1]), args[2:]

cells = {}
order = []
for path in args:
    for line in open(path):
        f = line.split()
        if len(f) != 6 or f[0] == "peer" or f[0] not in PEERS:
            continue
        key = (f[1], f[2])
        if key not in order:
            order.append(key)
        cells[(f[0], key)] = f[3:]

def fmt(v, key):
    instr, allocs, lost = v
    s = f"{float(instr):.0f}"
    if float(allocs) >= 0.005:
        s += f" ({float(allocs):.2f} alloc)"
    if lost not in ("0", "-"):
        msgs = 2 * n // 5 if key[0] == "pingpong" else 2 * n
        pct = 100 * int(lost) / msgs
        s += f" ⚠ {pct:.2f} % lost" if pct < 1 else f" ⚠ {pct:.1f} % lost"
    return s


print("| workload | cap | target | " + " | ".join(PEERS) + " |")
print("|---|---:|---:|" + "---:|" * len(PEERS))
for key in [k for k in order if k in TARGETS]:
    row = [key[0], key[1], TARGETS.get(key, "")]
    for p in PEERS:
        v = cells.get((p, key))
        if v is None or v[0] == "n/a":
            row.append("–")
            continue
        row.append(fmt(v, key))
    print("| " + " | ".join(row) + " |")

others = [k for k in order if k not in TARGETS]
if others:
    print("\nOther cells (tokio current-thread):\n")
    print("| workload | cap | " + " | ".join(PEERS) + " |")
    print("|---|---:|" + "---:|" * len(PEERS))
    for key in others:
        row = list(key) + [fmt(cells[(p, key)], key) if (p, key) in cells and cells[(p, key)][0] != "n/a" else "–" for p in PEERS]
        print("| " + " | ".join(row) + " |")
