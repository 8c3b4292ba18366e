#!/usr/bin/env python3
"""Summarises the runs of scripts/paper-results.sh as markdown tables.

Usage: scripts/paper-summary.py OUT_DIR
Reads every OUT_DIR/<run>/metrics.jsonl and config.json, and OUT_DIR/<run>.generalize.json where
present. A run counts as converged at the first report whose evaluation has fewer than 0.1 bit
errors per sequence.
"""
import json
import os
import statistics
import sys

out = sys.argv[1]


def metrics(run):
    path = os.path.join(out, run, "metrics.jsonl")
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def fmt(x, digits=2):
    return f"{x:,.{digits}f}"


runs = sorted(d for d in os.listdir(out) if os.path.isfile(os.path.join(out, d, "metrics.jsonl")))
rows = []
for run in runs:
    lines = metrics(run)
    if not lines:
        continue
    with open(os.path.join(out, run, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    first = next((l for l in lines if l["eval_bit_errors"] < 0.1), None)
    last = lines[-1]
    best = min(lines, key=lambda l: l["eval_cost_bits"])
    rows.append(dict(run=run, task=config.get("task"), first=first, last=last, best=best))

print("## Every run\n")
print("| run | converged at (sequences) | seconds to converge | sequences trained | seconds | final eval cost (bits/seq) | final eval bit errors/seq | lowest eval cost (at sequences) |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    f, l = r["first"], r["last"]
    print(f"| {r['run']} | {f['sequences']:,} | {fmt(f['seconds'], 1)} |" if f else f"| {r['run']} | not converged | - |", end="")
    b = r["best"]
    print(f" {l['sequences']:,} | {fmt(l['seconds'], 1)} | {fmt(l['eval_cost_bits'])} | {fmt(l['eval_bit_errors'], 3)} | {fmt(b['eval_cost_bits'])} ({b['sequences']:,}) |")

print("\n## Sequences to converge per task (seeds)\n")
print("| task | runs | converged | median sequences | min | max | median seconds |")
print("|---|---|---|---|---|---|---|")
groups = {}
for r in rows:
    name = r["run"].rsplit("-s", 1)[0] if r["run"].rsplit("-s", 1)[-1].isdigit() else None
    if name:
        groups.setdefault(name, []).append(r)
for name, rs in groups.items():
    conv = [r["first"] for r in rs if r["first"]]
    if conv:
        seqs = [c["sequences"] for c in conv]
        print(f"| {name} | {len(rs)} | {len(conv)} | {statistics.median(seqs):,.0f} | {min(seqs):,} | {max(seqs):,} | "
              f"{statistics.median(c['seconds'] for c in conv):.1f} |")
    else:
        print(f"| {name} | {len(rs)} | 0 | - | - | - | - |")

for run in runs:
    path = os.path.join(out, run + ".generalize.json")
    if not os.path.isfile(path):
        continue
    with open(path, encoding="utf-8") as f:
        gen = json.load(f)
    if not gen:
        continue
    axes = [k for k in gen[0] if k not in ("task", "sequences", "cost_bits", "bit_errors", "optimal_cost_bits")]
    optimal = any("optimal_cost_bits" in g for g in gen)
    print(f"\n### Generalisation of {run}\n")
    print("| " + " | ".join(axes + ["sequences", "cost (bits/seq)", "bit errors/seq"] + (["optimal (bits/seq)", "gap (bits/seq)"] if optimal else [])) + " |")
    print("|" + "---|" * (len(axes) + 3 + (2 if optimal else 0)))
    for g in gen:
        cells = [str(g[a]) for a in axes] + [str(g["sequences"]), fmt(g["cost_bits"]), fmt(g["bit_errors"], 3)]
        if optimal:
            cells += [fmt(g["optimal_cost_bits"]), fmt(g["cost_bits"] - g["optimal_cost_bits"])]
        print("| " + " | ".join(cells) + " |")
