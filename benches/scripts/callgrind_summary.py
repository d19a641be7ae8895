#!/usr/bin/env python3
"""Summarises two callgrind_annotate outputs per message (used by profile.sh).

usage: callgrind_summary.py MESSAGES TOP CELL INCLUSIVE.txt SELF_AUTO.txt
"""
import re
import sys
from collections import defaultdict

ROW = re.compile(r"^\s*([\d,]+)\s+\([^)]*\)\s+(.*)$")


def functions(path):
    """(count, file, function) rows of callgrind_annotate's function table."""
    dashes = 0
    for line in open(path, errors="replace"):
        if line.startswith("-- Auto-annotated source"):
            return
        if re.fullmatch(r"-+", line.strip()):
            dashes += 1
            continue
        m = ROW.match(line)
        if dashes >= 5 and m:
            name = re.sub(r"\s+\[[^\]]*\]$", "", m.group(2))
            f, _, fn = name.partition(".rs:") if ".rs:" in name else name.partition(":")
            yield int(m.group(1).replace(",", "")), f, fn


def short(fn):
    fn = fn.replace("<csp_benches::peer::Csp<B> as csp_benches::peer::Peer>", "Csp::Peer")
    return re.sub(r"<csp_core::ops::(\w+)<[^>]*> as core::future::future::Future>", r"\1", fn)


def source_lines(path):
    """(count, file, line, text) for annotated csp-core source lines."""
    cur, lineno = None, None
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("-- Auto-annotated source:"):
            cur, lineno = line.split(":", 1)[1].strip(), None
            continue
        m = re.fullmatch(r"-- line (\d+) -+", line)
        if m:
            # A chunk starts and ends with such a marker.
            lineno = int(m.group(1)) if lineno is None else None
            continue
        if line.strip().endswith("events annotated"):
            break  # the summary after the last file
        if cur is None or lineno is None:
            continue
        m = re.match(r"^\s*([\d,]+|\.)\s+(?:\([^)]*\)\s)?(.*)$", line)
        if not m or m.group(2).lstrip().startswith("=>"):
            continue  # calls are listed on extra lines, not source lines
        if m.group(1) != "." and "csp-core" in cur:
            yield int(m.group(1).replace(",", "")), cur[cur.index("csp-core"):], lineno, m.group(2).strip()
        lineno += 1


def main():
    msgs, top, cell, incl_path, self_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    incl = defaultdict(int)
    for n, _, fn in functions(incl_path):
        # A function whose inlined code comes from several files is listed once per
        # file, and the listings call each other: the largest one is the function.
        incl[fn] = max(incl[fn], n)
    print(f"# {cell}: {msgs} messages; instructions per message")
    print("\n## inclusive, by function (csp-core, and the bench's calls into csp)\n")
    ours = [(n, fn) for fn, n in incl.items() if "csp_core" in fn or "Csp<B>" in fn]
    for n, fn in sorted(ours, reverse=True)[:top]:
        print(f"{n / msgs:9.1f}  {short(fn)[:150]}")

    by_file = defaultdict(int)
    for n, f, _ in functions(self_path):
        if "csp-core" in f:
            f = f[f.index("csp-core"):]
        elif "/registry/src/" in f:
            f = f.split("/registry/src/", 1)[1].split("/", 1)[1]  # crate-version/path
        else:
            f = re.sub(r"^.*?/(library|src)/", r"\1/", f)
        by_file[f] += n
    print("\n## self, by source file of the instruction (inlined code counts where it is written)\n")
    for f, n in sorted(by_file.items(), key=lambda x: -x[1])[:top]:
        if n / msgs >= 0.5:
            print(f"{n / msgs:9.1f}  {f}.rs")

    print("\n## hottest csp-core source lines (self)\n")
    for n, f, l, src in sorted(source_lines(self_path), reverse=True)[:top]:
        print(f"{n / msgs:9.1f}  {f}:{l}  {src[:100]}")


main()
