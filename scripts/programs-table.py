#!/usr/bin/env python3
"""Tables of docs/programs.md from the program.json files ntm explain writes: one row per run folder given."""
import json
import sys


def pct(x):
    return "n/a" if x is None else f"{100 * x:.1f}%"


print("| run | states (labels before merging; labelling) | training: bits / sequences agreeing | beyond training: sequences agreeing | machine under 99% from | program alone exactly right |")
print("|---|---|---|---|---|---|")
for path in sys.argv[1:]:
    d = json.load(open(path))
    name = path.split("/")[-2]
    training = d["agreement"][0]
    beyond = ", ".join(f"{r['at'].split(' ')[1]}: {pct(r['sequence_agreement'])}" for r in d["agreement"][1:])
    reach = d["reach"]
    right = [r for r in reach if r["program_correct"] == 1]
    first_wrong = d["program_first_wrong_at"]
    alone = f"up to {reach[-1]['at']}" if first_wrong is None else f"first wrong at {first_wrong} ({pct(next(r for r in reach if r['at'] == first_wrong)['program_correct'])} right)"
    tail = 0
    while tail < len(reach) and reach[-1 - tail]["program_correct"] == 1:
        tail += 1
    if first_wrong is not None and tail > 0:
        alone += f"; right from {reach[-tail]['at'].split(' ')[1]} to {reach[-1]['at'].split(' ')[1]}"
    print(f"| {name} | {d['states']} ({d['labels_before_merging']}; {d['method']}) | {pct(training['bit_agreement'])} / {pct(training['sequence_agreement'])} | {beyond} | {d['machine_stops_agreeing_at'] or 'never'} | {alone} |")
