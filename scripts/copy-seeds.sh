#!/usr/bin/env bash
# Trains the copy task for several seeds and prints, per seed, whether it was solved (under the
# run's threshold, 0.1 bit errors per sequence, at the longest training length on two fresh sets of
# 500 sequences), the sequences and wall-clock seconds it took and the two sets' bit errors (from
# each run's metrics.jsonl), then the median.
# Usage: scripts/copy-seeds.sh [OUT_DIR] [SEEDS...] [-- extra 'ntm train' options]
# Example: scripts/copy-seeds.sh runs/seeds 1 2 3 4 5 -- --threads 1
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/copy-seeds}; shift || true
seeds=(); extra=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; extra=("$@"); break; fi
  seeds+=("$1"); shift
done
[ ${#seeds[@]} -gt 0 ] || seeds=(1 2 3 4 5)
dotnet build -c Release src/Ntm.Cli -v q -nologo >/dev/null
ntm="dotnet src/Ntm.Cli/bin/Release/net10.0/Ntm.Cli.dll"
mkdir -p "$out"
for s in "${seeds[@]}"; do
  rm -rf "$out/seed-$s"
  $ntm train copy --seed "$s" --out "$out/seed-$s" "${extra[@]}" | tail -n 1
done
python3 - "$out" "${seeds[@]}" <<'PY'
import json, sys, statistics
out, seeds = sys.argv[1], sys.argv[2:]
rows = []
print("| seed | solved | sequences | seconds | bit errors / sequence at the longest length, 2 x 500 fresh | eval bit errors / sequence, 100 of lengths 1-20 |")
print("|---|---|---|---|---|---|")
for s in seeds:
    config = json.load(open(f"{out}/seed-{s}/config.json"))
    threshold = config["converged_bit_errors"]
    lines = [json.loads(l) for l in open(f"{out}/seed-{s}/metrics.jsonl") if l.strip()]
    # Solved: the first report whose strict check passed on both fresh sets (solved_check_bit_errors and
    # solved_confirm_bit_errors, written only where the check ran).
    solved = next((l for l in lines if l.get("solved_check_bit_errors", threshold) < threshold
                   and l.get("solved_confirm_bit_errors", threshold) < threshold), None)
    at = solved or lines[-1]
    checks = " and ".join(f"{at[k]:.3f}" for k in ("solved_check_bit_errors", "solved_confirm_bit_errors") if k in at) or "-"
    rows.append((solved is not None, at["sequences"], at["seconds"]))
    print(f"| {s} | {'yes' if solved else 'no'} | {at['sequences']:,} | {at['seconds']:.1f} | {checks} | {at['eval_bit_errors']:.3f} |")
ok = [r for r in rows if r[0]]
if ok:
    print(f"\n{len(ok)}/{len(rows)} solved; median {statistics.median(r[1] for r in ok):,.0f} sequences, "
          f"{statistics.median(r[2] for r in ok):.1f} s (over solved seeds)")
PY
