#!/usr/bin/env bash
# Does a run that goes on after it is solved stay solved? Trains TASK with --no-stop for each seed and each
# variant (a name and the ntm train options it adds, NAME:--option=value,--option=value), in chunks of STEP
# sequences (a resumed run is the same run), and once the run has been solved scores its weights after every
# chunk on the same 500 sequences of the task's hardest training setting (the first row of ntm generalize).
# Writes OUT/after-solved.csv and prints a summary per variant (docs/results.md, "Training on after solved").
# Usage: scripts/after-solved.sh OUT TASK BUDGET STEP "SEEDS" "VARIANTS"
#   e.g. scripts/after-solved.sh runs/after-solved repeat-copy 100000 5000 "21 22" \
#          "rate1:--lr-after-solved=1 rate0.1:--lr-after-solved=0.1 mix25:--lr-after-solved=1,--hardest-after-solved=0.25"
# Resumable: a chunk already trained is not trained again.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1 task=$2 budget=$3 step=$4 seeds=$5 variants=$6
mkdir -p "$out"
dotnet build -c Release src/Ntm.Cli -v q -nologo >/dev/null
bin="$out/.bin"
[ -d "$bin" ] || cp -r src/Ntm.Cli/bin/Release/net10.0 "$bin"
ntm() { dotnet "$bin/Ntm.Cli.dll" "$@"; }
csv="$out/after-solved.csv"
[ -f "$csv" ] || echo "task,seed,variant,sequences,first_solved,hardest_bit_errors" > "$csv"
for seed in $seeds; do
  for v in $variants; do
    f=${v%%:*}
    IFS=, read -r -a options <<< "${v#*:}"
    dir="$out/$task-$f-$seed"
    for ((n = step; n <= budget; n += step)); do
      grep -q "^$task,$seed,$f,$n," "$csv" && continue
      if [ -f "$dir/checkpoint.safetensors" ]; then
        ntm train --resume "$dir" --sequences "$n" --threads 1 > "$dir.log" 2>&1
      else
        rm -rf "$dir"
        ntm train "$task" --seed "$seed" --no-stop "${options[@]}" --sequences "$n" --threads 1 --out "$dir" > "$dir.log" 2>&1
      fi
      first=$(grep -o "first solved at [0-9,]*" "$dir.log" | tr -dc '0-9' || true)
      hardest=""
      if [ -n "$first" ]; then
        hardest=$(ntm generalize "$dir" --count 500 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["bit_errors"])')
      fi
      echo "$task,$seed,$f,$n,$first,$hardest" >> "$csv"
    done
  done
done
python3 - "$csv" <<'PY'
import csv, sys, statistics
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["hardest_bit_errors"]]
for task in sorted({r["task"] for r in rows}):
    for f in sorted({r["variant"] for r in rows if r["task"] == task}):
        sel = [r for r in rows if r["task"] == task and r["variant"] == f
               and int(r["sequences"]) > int(r["first_solved"])]
        if not sel: continue
        errs = [float(r["hardest_bit_errors"]) for r in sel]
        bad = sum(e >= 0.1 for e in errs)
        seeds = sorted({r["seed"] for r in sel}, key=int)
        print(f"{task} {f}: seeds {' '.join(seeds)}, {len(errs)} checks after first solved, {bad} at 0.1 or more "
              f"({bad / len(errs):.0%}); hardest-setting bit errors median {statistics.median(errs):.3f}, max {max(errs):.3f}")
PY
