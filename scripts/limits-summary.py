#!/usr/bin/env python3
"""Summarises the limits.json files under OUT/limits/ (written by scripts/limits-results.sh) as
Markdown tables: per group and memory size, every run's limits with intervals and verdicts, then the
median and range across runs."""
import json, os, statistics, sys

out = sys.argv[1]
root = os.path.join(out, "limits")

def limit(value, interval, censored):
    if value is None:
        return "none"
    text = (">= " if censored else "") + str(value)
    lo, hi = interval
    if not (lo == hi == value):
        text += f" [{lo if lo is not None else 'none'}, {hi if hi is not None else 'none'}]"
    return text

for group in sorted(os.listdir(root)):
    path = os.path.join(root, group, "limits.json")
    if not os.path.isfile(path):
        continue
    rows = json.load(open(path))
    command = open(os.path.join(root, group, "command.txt")).read().split("\n")
    print(f"### {group}\n")
    print(f"`{command[0]}` ({command[1]})\n")
    print("| run | memory rows | 99% exact up to | < 1% bits wrong up to | why it breaks |")
    print("|---|---|---|---|---|")
    for r in rows:
        verdict = r["diagnosis"]["verdict"] if r.get("diagnosis") else f"nothing failed up to {r['axis']} {r['cap']}"
        print(f"| {os.path.basename(r['run'])} | {r['memory_rows']} | {limit(r['exact_limit'], r['exact_limit_interval'], r['exact_censored'])} "
              f"| {limit(r['bit_limit'], r['bit_limit_interval'], r['bit_censored'])} | {verdict} |")
    print()
    print("| memory rows | runs | exact: median [range] | bits: median [range] |")
    print("|---|---|---|---|")
    for n in sorted({r["memory_rows"] for r in rows}):
        sel = [r for r in rows if r["memory_rows"] == n]
        e = [r["exact_limit"] or 0 for r in sel]
        b = [r["bit_limit"] or 0 for r in sel]
        print(f"| {n} | {len(sel)} | {statistics.median(e):g} [{min(e)}, {max(e)}] | {statistics.median(b):g} [{min(b)}, {max(b)}] |")
    print()
