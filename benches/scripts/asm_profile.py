#!/usr/bin/env python3
"""Machine code with execution counts, from a callgrind profile.

    asm_profile.py PROFILE BINARY NAME [MESSAGES]

PROFILE is a callgrind output file recorded with `--dump-instr=yes` (profile.sh --asm
makes one); BINARY the program it profiled; NAME a substring of the demangled names of
the functions to show. For each such function that ran, prints its total and then every
instruction that ran, with how often it ran divided by MESSAGES (default 1), beside
`objdump`'s disassembly. This is how one finds the loads a compiler repeats after an
atomic, a register spilled around a call, a jump table, or a store that does nothing:
the instructions, not the source lines, are what `instr.sh` counts.
"""
import collections
import re
import subprocess
import sys


def costs(path):
    """Self cost per instruction address (calls' inclusive costs are skipped)."""
    cost = collections.Counter()
    npos, pos, after_calls = 1, 0, False
    with open(path) as f:
        for line in f:
            if line.startswith("positions:"):
                npos = len(line.split()) - 1
                continue
            if line.startswith("calls="):
                after_calls = True  # the next cost line is the call's inclusive cost
                continue
            if not line or line[0] not in "0123456789+-*":
                continue
            parts = line.split()
            p = parts[0]
            if p.startswith("0x"):
                pos = int(p, 16)
            elif p[0] in "+-":
                delta = int(p[1:], 16) if p[1:].startswith("0x") else int(p[1:])
                pos += delta if p[0] == "+" else -delta
            elif p != "*":
                pos = int(p)
            if after_calls:
                after_calls = False
                continue
            if len(parts) > npos:
                cost[pos] += int(parts[npos])
    return cost


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    profile, binary, name = sys.argv[1:4]
    div = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    cost = costs(profile)
    nm = subprocess.run(["nm", "-S", "-C", binary], capture_output=True, text=True).stdout
    shown = set()
    for line in nm.splitlines():
        m = re.match(r"([0-9a-f]+) ([0-9a-f]+) \w (.*)", line)
        if not m or name not in m.group(3):
            continue
        start, size = int(m.group(1), 16), int(m.group(2), 16)
        if start in shown:
            continue
        total = sum(c for a, c in cost.items() if start <= a < start + size)
        if total == 0:
            continue
        shown.add(start)
        print(f"\n### {m.group(3)}: {total / div:.1f} per message")
        dis = subprocess.run(
            ["objdump", "-d", "--no-show-raw-insn", "-C",
             f"--start-address={start}", f"--stop-address={start + size}", binary],
            capture_output=True, text=True).stdout
        for d in dis.splitlines():
            m2 = re.match(r"\s*([0-9a-f]+):\s*(.*)", d)
            if m2 and cost.get(int(m2.group(1), 16)):
                print(f"{cost[int(m2.group(1), 16)] / div:8.2f}  {m2.group(1)}: {m2.group(2)}")
    if not shown:
        print(f"no function named like {name!r} ran (was the profile made with --dump-instr=yes?)")


if __name__ == "__main__":
    main()
