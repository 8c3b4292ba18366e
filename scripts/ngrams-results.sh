#!/usr/bin/env bash
# The dynamic n-gram runs of docs/results.md: seeds 1-3 of the NTM with an LSTM controller, RMSProp
# at 1e-4 falling along a half cosine to 5% over SEQUENCES (default 200,000), three runs at once on
# one thread each; then each run's best weights (the report closest to the optimal estimator) and
# last weights on 1,000 fresh sequences beside the Bayes-optimal estimator, and OUT/ngrams-summary.md.
# About 40 minutes for the default on a 2-core machine.
# Usage: scripts/ngrams-results.sh [OUT_DIR] [SEQUENCES]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/paper}
sequences=${2:-200000}
mkdir -p "$out"
# NTM_BIN: a build to run from; otherwise a private copy of this one.
bin=${NTM_BIN:-}
if [ -z "$bin" ]; then
  dotnet build -c Release src/Ntm.Cli -v q -nologo >/dev/null
  bin="$out/bin-ngrams"
  rm -rf "$bin" && cp -r src/Ntm.Cli/bin/Release/net10.0 "$bin"
fi
ntm() { dotnet "$bin/Ntm.Cli.dll" "$@"; }
for s in 1 2 3; do
  run="$out/ngrams-ntm-lstm-s$s"
  rm -rf "$run"
  ( ntm train dynamic-ngrams --seed "$s" --lr 1e-4 --lr-decay "$sequences" --sequences "$sequences" --no-stop --threads 1 --out "$run" \
      | tail -n 1 > "$run.log" 2>&1
    ntm generalize "$run" --best --json --count 1000 > "$run.best.json"
    ntm generalize "$run" --json --count 1000 > "$run.last.json" ) &
done
wait
python3 - "$out" > "$out/ngrams-summary.md" <<'PY'
import json, sys
out = sys.argv[1]
# "within 2 bits at": the first report at which the evaluation gap, averaged over the last ten
# reports (1,000 evaluation sequences), is under 2 bits per sequence.
print("| seed | sequences | seconds | within 2 bits at (sequences) | best weights from | best: cost | gap ± s.e. | last: cost | gap ± s.e. | optimal |")
print("|---|---|---|---|---|---|---|---|---|---|")
for s in (1, 2, 3):
    run = f"{out}/ngrams-ntm-lstm-s{s}"
    lines = [json.loads(l) for l in open(f"{run}/metrics.jsonl")]
    best = min(lines, key=lambda m: m["eval_cost_bits"] - m["eval_optimal_cost_bits"])
    b, l = (json.load(open(f"{run}.{k}.json"))[0] for k in ("best", "last"))
    gaps = [m["eval_cost_bits"] - m["eval_optimal_cost_bits"] for m in lines]
    within = next((f"{lines[i]['sequences']:,}" for i in range(9, len(lines)) if sum(gaps[i - 9:i + 1]) / 10 < 2), "not reached")
    print(f"| {s} | {lines[-1]['sequences']:,} | {lines[-1]['seconds']:.0f} | {within} | {best['sequences']:,} "
          f"| {b['cost_bits']:.2f} | {b['gap_bits']:.2f} ± {b['gap_standard_error_bits']:.2f} "
          f"| {l['cost_bits']:.2f} | {l['gap_bits']:.2f} ± {l['gap_standard_error_bits']:.2f} | {b['optimal_cost_bits']:.2f} |")
PY
cat "$out/ngrams-summary.md"
