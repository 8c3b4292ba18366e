#!/usr/bin/env bash
# The dynamic n-gram runs of docs/results.md: seeds 1-3 of the NTM with an LSTM controller (the
# paper's rate 3e-5), three runs at once on one thread each for SECONDS (default 720), then each
# run's best weights (lowest evaluation cost) against the Bayes-optimal estimator on 100 fresh
# sequences. Usage: scripts/ngrams-results.sh [OUT_DIR] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/paper}
seconds=${2:-720}
mkdir -p "$out"
# NTM_BIN: a build to run from (paper-results.sh passes its own); otherwise a private copy of this one.
bin=${NTM_BIN:-}
if [ -z "$bin" ]; then
  dotnet build -c Release src/Ntm.Cli -v q -nologo >/dev/null
  bin="$out/bin-ngrams"
  rm -rf "$bin" && cp -r src/Ntm.Cli/bin/Release/net10.0 "$bin"
fi
ntm() { dotnet "$bin/Ntm.Cli.dll" "$@"; }
for s in 1 2 3; do
  rm -rf "$out/ngrams-ntm-lstm-s$s"
  ( ntm train dynamic-ngrams --seed "$s" --no-stop --max-seconds "$seconds" --threads 1 --out "$out/ngrams-ntm-lstm-s$s" \
      | tail -n 1 > "$out/ngrams-ntm-lstm-s$s.log" 2>&1
    ntm generalize "$out/ngrams-ntm-lstm-s$s" --best --json --count 100 > "$out/ngrams-ntm-lstm-s$s.generalize.json" ) &
done
wait
