#!/usr/bin/env bash
# Reproduces the measurements of docs/results.md: trains every paper task with the default settings
# (RMSProp at the paper's rate for the task, one sequence per update) on one thread per run, two
# runs at a time, then evaluates
# generalisation and writes OUT/summary.md with every figure.
# Usage: scripts/paper-results.sh [OUT_DIR] [SCALE]
#   SCALE multiplies every time budget (default 1; 0.25 gives a quick, shorter look).
# Takes about 35 minutes at SCALE 1 on a 2-core machine; the n-gram runs (scripts/ngrams-results.sh,
# 200,000 sequences times SCALE) about 40 more.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/paper}
scale=${2:-1}
mkdir -p "$out"
dotnet build -c Release src/Ntm.Cli -v q -nologo >/dev/null
# Run from a private copy of the build so that rebuilding the source meanwhile cannot disturb the runs.
rm -rf "$out/bin" && cp -r src/Ntm.Cli/bin/Release/net10.0 "$out/bin"
ntm() { dotnet "$out/bin/Ntm.Cli.dll" "$@"; }
secs() { python3 -c "print(max(1, round($1 * $scale)))"; }

train() {   # train NAME TASK [options...]
  local name=$1; shift
  rm -rf "$out/$name"
  ntm train "$@" --threads 1 --out "$out/$name" | tail -n 1 > "$out/$name.log" 2>&1 || echo "failed: $name" >> "$out/failures.log"
}

lane_a() {
  for s in 1 2 3 4 5; do train "copy-ntm-lstm-s$s" copy --seed "$s"; done
  train copy-ntm-lstm-long copy --seed 1 --no-stop --sequences 100000 --max-seconds "$(secs 240)"
  for s in 1 2 3; do train "repeat-copy-ntm-lstm-s$s" repeat-copy --seed "$s" --max-seconds "$(secs 480)"; done
}

lane_b() {
  for s in 1 2 3; do train "assoc-ntm-lstm-s$s" associative-recall --seed "$s" --max-seconds "$(secs 480)"; done
  train priority-sort-ntm-lstm-s1 priority-sort --seed 1 --no-stop --max-seconds "$(secs 600)"
  train copy-lstm-s1 copy --model lstm --seed 1 --no-stop --max-seconds "$(secs 600)"
}

lane_a & pa=$!
lane_b & pb=$!
wait $pa $pb
NTM_BIN="$out/bin" scripts/ngrams-results.sh "$out" "$(python3 -c "print(max(1000, round(200000 * $scale)))")"

for run in copy-ntm-lstm-long copy-lstm-s1 repeat-copy-ntm-lstm-s1 assoc-ntm-lstm-s1 priority-sort-ntm-lstm-s1; do
  [ -f "$out/$run/model.safetensors" ] && ntm generalize "$out/$run" --json --count 100 > "$out/$run.generalize.json"
done

python3 scripts/paper-summary.py "$out" > "$out/summary.md"
echo "wrote $out/summary.md"
