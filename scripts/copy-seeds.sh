#!/usr/bin/env bash
# Trains the copy task for several seeds and prints, per seed, whether it converged, the sequences
# and the wall-clock seconds it took (from each run's metrics.jsonl), then the median.
# Usage: scripts/copy-seeds.sh [OUT_DIR] [SEEDS...] [-- extra 'ntm train' options]
# Example: scripts/copy-seeds.sh runs/seeds 1 2 3 4 5 -- --threads 2
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
print("| seed | converged | sequences | seconds | eval bit errors |")
print("|---|---|---|---|---|")
for s in seeds:
    lines = [json.loads(l) for l in open(f"{out}/seed-{s}/metrics.jsonl") if l.strip()]
    last = lines[-1]
    conv = last["eval_bit_errors"] < 0.1
    rows.append((conv, last["sequences"], last["seconds"]))
    print(f"| {s} | {'yes' if conv else 'no'} | {last['sequences']:,} | {last['seconds']:.1f} | {last['eval_bit_errors']:.3f} |")
ok = [r for r in rows if r[0]]
if ok:
    print(f"\n{len(ok)}/{len(rows)} converged; median {statistics.median(r[1] for r in ok):,.0f} sequences, "
          f"{statistics.median(r[2] for r in ok):.1f} s (over converged seeds)")
PY
