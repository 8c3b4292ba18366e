#!/usr/bin/env python3
"""Copies a trained run into models/<name>/ (config.json, metrics.jsonl, model.safetensors) and writes
its README.md and expected.json from the model's own measurements: `ntm eval` on 500 fresh sequences
(seed 12345) of the training distribution and, where the task has a length axis, at its longest
training length; `ntm generalize` (100 per point); and `ntm limits` where the task has an axis and the
model has memory heads. tests/Ntm.Tests/Models checks that every shipped model still scores what
expected.json says.
Usage: scripts/model-card.py RUN_DIR NAME "TRAIN COMMAND" "WHAT IT IS" [--length L] [--limits ROWS...]"""
import json, os, shutil, subprocess, sys

args = sys.argv[1:]
run, name, command, what = args[:4]
length = None
limits_rows = []
rest = args[4:]
while rest:
    if rest[0] == "--length": length = int(rest[1]); rest = rest[2:]
    elif rest[0] == "--limits":
        rest = rest[1:]
        while rest and not rest[0].startswith("--"): limits_rows.append(rest[0]); rest = rest[1:]
    else: sys.exit(f"unknown argument {rest[0]}")
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ntm = ["dotnet", os.path.join(root, "src/Ntm.Cli/bin/Release/net10.0/Ntm.Cli.dll")]
dest = os.path.join(root, "models", name)
os.makedirs(dest, exist_ok=True)
for f in ("config.json", "metrics.jsonl", "model.safetensors"):
    shutil.copyfile(os.path.join(run, f), os.path.join(dest, f))
rel = f"models/{name}"

def cli(*a):
    out = subprocess.run(ntm + list(a), cwd=root, check=True, capture_output=True, text=True).stdout
    return json.loads(out)

evals = [{"args": ["eval", rel, "--count", "500", "--seed", "12345", "--json"]}]
if length: evals.append({"args": ["eval", rel, "--length", str(length), "--count", "500", "--seed", "12345", "--json"]})
for e in evals:
    e["result"] = cli(*e["args"])
gen = cli("generalize", rel, "--count", "100", "--json")
lim = cli("limits", rel, "--memory-rows", *limits_rows, "--count", "100", "--json") if limits_rows else []
metrics = [json.loads(l) for l in open(os.path.join(dest, "metrics.jsonl")) if l.strip()]
last = metrics[-1]
json.dump({"evals": [{"args": e["args"], "cost_bits": e["result"]["cost_bits"], "bit_errors": e["result"]["bit_errors"],
                      **({"gap_bits": e["result"]["gap_bits"]} if "gap_bits" in e["result"] else {})} for e in evals]},
          open(os.path.join(dest, "expected.json"), "w"), indent=2)

lines = [f"# {name}", "", what, "", "## How it was trained", "", "```bash", command, "```", "",
         f"{last['sequences']:,} training sequences in {last['seconds']:.0f} s on one thread; the last report's evaluation: "
         f"{last['eval_cost_bits']:.3f} bits and {last['eval_bit_errors']:.3f} bit errors per sequence "
         "(`metrics.jsonl` has every report; `config.json` every setting).", "",
         "## What it scores", "", "| command | cost (bits/seq) | bit errors/seq | exact sequences |", "|---|---|---|---|"]
for e in evals:
    r = e["result"]
    cost = f"{r['cost_bits']:.3f}" + (f" (optimal predictor {r['optimal_cost_bits']:.3f}, gap {r['gap_bits']:.2f} ± {r['gap_standard_error_bits']:.2f})" if "gap_bits" in r else "")
    lines.append(f"| `ntm {' '.join(e['args'][:-1])}` | {cost} | {r['bit_errors']:.3f} | {r.get('exact_fraction', 0):.1%} |")
lines += ["", "`tests/Ntm.Tests/Models` checks these figures on every test run (`expected.json`).", "",
          f"## Beyond the training range (`ntm generalize {rel}`, 100 sequences per row)", ""]
keys = [k for k in gen[0] if k not in ("task", "sequences", "cost_bits", "bit_errors", "exact_fraction", "optimal_cost_bits", "gap_bits", "gap_standard_error_bits")]
head = keys + ["cost (bits/seq)", "bit errors/seq"] + (["gap to the optimal predictor (bits/seq)"] if "gap_bits" in gen[0] else [])
lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
for g in gen:
    cells = [str(g[k]) for k in keys] + [f"{g['cost_bits']:.2f}", f"{g['bit_errors']:.3f}"]
    if "gap_bits" in g: cells.append(f"{g['gap_bits']:.2f} ± {g['gap_standard_error_bits']:.2f}")
    lines.append("| " + " | ".join(cells) + " |")
if lim:
    lines += ["", f"## Where it stops working (`ntm limits {rel} --memory-rows {' '.join(limits_rows)}`)", "",
              "| memory rows | 99% of sequences exact up to | under 1% of bits wrong up to | why it breaks |", "|---|---|---|---|"]
    for r in lim:
        lines.append(f"| {r['memory_rows']} | {r['exact_limit']} | {r['bit_limit']} | {r['verdict']} |")
    lines += ["", "docs/limits.md explains the definitions."]
lines += ["", "## Use it", "", "```bash", f"ntm eval {rel}", f"ntm show {rel}", f"ntm report {rel}", "```", ""]
open(os.path.join(dest, "README.md"), "w").write("\n".join(lines))
print(f"wrote {dest}")
