#!/usr/bin/env python3
"""The tables of docs/results.md from a collected paper sweep (scripts/paper-results.sh).

Usage: scripts/paper-tables.py SCALE OUT_DIR... > tables.md
Reads each OUT_DIR/sweep.json (written by `ntm sweep collect`) and prints, as Markdown: the summary of every task
block and model (seeds, how many solved under the solved rule, sequences and seconds to the first solved
check, the last evaluation), one table per block with a row per trial, and the generalisation of each block
(median over its trials per model). Trials that are not finished are not in sweep.json; the summary says how
many there are.
"""
import json
import os
import statistics
import sys

MODELS = {"ntm-lstm": "NTM, LSTM controller", "ntm-ff": "NTM, feed-forward controller", "lstm": "LSTM baseline"}


def block_of(row):
    """The task block's name: the trial id before -<model>-seed<seed>."""
    return row["trial"].split(f"-{row['model']}-seed{row['seed']}")[0]


def num(x, digits=0):
    return "-" if x is None else f"{x:,.{digits}f}"


def spread(values, digits=0):
    """median (min-max) of the values that exist."""
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    if len(values) == 1:
        return num(values[0], digits)
    return f"{num(statistics.median(values), digits)} ({num(min(values), digits)}-{num(max(values), digits)})"


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    scale, outs = sys.argv[1], sys.argv[2:]
    rows = []
    for out in outs:
        path = os.path.join(out, "sweep.json")
        if not os.path.exists(path):
            print(f"paper-tables.py: no {path} (no trial of that sweep finished); left out", file=sys.stderr)
            continue
        try:
            rows += json.load(open(path))
        except (OSError, ValueError) as e:
            sys.exit(f"paper-tables.py: cannot read {path}: {e}")
    blocks = {}
    for row in rows:
        blocks.setdefault(block_of(row), {}).setdefault(row["model"], []).append(row)

    print(f"<!-- written by scripts/paper-tables.py {scale} {' '.join(outs)} from {len(rows)} finished trials -->")
    print(f"Budget scale {scale} (1 is the budgets of sweeps/paper.json). \"Solved\" is the solved rule: under the task's"
          " bit-error threshold at its hardest training setting on two fresh sets of 500 sequences. Sequences and seconds"
          " are to the first solved check, over the solved trials only; seconds are wall-clock on one thread.\n")
    print("| task | model | seeds | solved | sequences to solve: median (min-max) | seconds: median (min-max) | last eval cost (bits/seq): median (min-max) | last eval bit errors/seq |")
    print("|---|---|---|---|---|---|---|---|")
    for block, models in blocks.items():
        for model, trials in models.items():
            seeds = sorted(t["seed"] for t in trials)
            solved = [t for t in trials if t.get("first_solved_sequences") is not None]
            gaps = [t["final_eval_cost_bits"] - t["final_eval_optimal_cost_bits"] for t in trials
                    if t.get("final_eval_optimal_cost_bits") is not None and t.get("final_eval_cost_bits") is not None]
            # A prediction task (dynamic n-grams) is measured by its distance to the optimal predictor, not by the solved rule.
            verdict = f"prediction task: last gap to the optimum {spread(gaps, 2)} bits/seq" if gaps else f"{len(solved)} of {len(trials)}"
            print(f"| {block} | {MODELS.get(model, model)} | {', '.join(map(str, seeds))} | {verdict} "
                  f"| {spread([t['first_solved_sequences'] for t in solved])} | {spread([t['first_solved_seconds'] for t in solved], 1)} "
                  f"| {spread([t.get('final_eval_cost_bits') for t in trials], 2)} | {spread([t.get('final_eval_bit_errors') for t in trials], 3)} |")

    for block, models in blocks.items():
        print(f"\n### {block}\n")
        # With an eval step after training (copy: 10,000 sequences of length 20), how many sequences it got exactly right.
        exact = any(t.get("eval_exact_fraction") is not None for trials in models.values() for t in trials)
        print("| model | seed | trained (sequences) | seconds | first solved at (sequences) | seconds then | solved at the end | last eval cost (bits/seq) | last eval bit errors/seq |"
              + (" eval step: sequences exact / bit errors per sequence |" if exact else ""))
        print("|---|---|---|---|---|---|---|---|---|" + ("---|" if exact else ""))
        for model, trials in models.items():
            for t in sorted(trials, key=lambda t: t["seed"]):
                fraction = t.get("eval_exact_fraction")
                extra = (f" {'-' if fraction is None else f'{100 * fraction:.2f}%'} / {num(t.get('eval_bit_errors'), 3)} |" if exact else "")
                print(f"| {model} | {t['seed']} | {num(t['sequences'])} | {num(t['seconds'], 1)} | {num(t.get('first_solved_sequences'))} "
                      f"| {num(t.get('first_solved_seconds'), 1)} | {'yes' if t['solved'] else 'no'} | {num(t.get('final_eval_cost_bits'), 2)} "
                      f"| {num(t.get('final_eval_bit_errors'), 3)} |" + extra)
        # sweep.json has every trial's row with the union of the columns: keep those this block has values for.
        columns = sorted({k[len("generalize_"):-len("_bit_errors")] for trials in models.values() for t in trials
                          for k, v in t.items() if k.startswith("generalize_") and k.endswith("_bit_errors") and v is not None
                          and len(k) > len("generalize__bit_errors")},
                         key=lambda c: [int("".join(ch for ch in part if ch.isdigit()) or 0) for part in c.split("_")])
        if columns:
            print(f"\nGeneralisation (median over the trials of each model; cost in bits / bit errors per sequence):\n")
            print("| point | " + " | ".join(models) + " |")
            print("|---|" + "---|" * len(models))
            for c in columns:
                cells = []
                for trials in models.values():
                    cost = [t.get(f"generalize_{c}_cost_bits") for t in trials if t.get(f"generalize_{c}_cost_bits") is not None]
                    errors = [t.get(f"generalize_{c}_bit_errors") for t in trials if t.get(f"generalize_{c}_bit_errors") is not None]
                    cells.append("-" if not cost else f"{statistics.median(cost):,.2f} / {statistics.median(errors):,.2f}")
                print(f"| {c.replace('_', ', ')} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
