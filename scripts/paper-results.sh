#!/usr/bin/env bash
# The paper's experiments as one sweep (sweeps/paper.json: the five tasks x the three models with the
# seeds and budgets of docs/results.md): runs every trial two at a time, one thread each, then collects
# them into OUT/sweep.csv, OUT/sweep.json and OUT/plots/ with ntm sweep collect.
# Usage: scripts/paper-results.sh [OUT_DIR]   (default runs/paper)
# About 5 hours on a 2-core machine. Running it again skips the finished trials and resumes the
# interrupted ones; on a cluster, submit sweeps/paper.json with deploy/slurm/sweep.sbatch instead.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/paper}
mkdir -p "$out"
dotnet build -c Release src/Ntm.Cli -v q -nologo >/dev/null
# Run from a private copy of the build so that rebuilding the source meanwhile cannot disturb the runs.
bin="$out/.bin"
rm -rf "$bin" && cp -r src/Ntm.Cli/bin/Release/net10.0 "$bin"
ntm() { dotnet "$bin/Ntm.Cli.dll" "$@"; }
status=0
ntm sweep run sweeps/paper.json --all --parallel 2 --out "$out" || status=$?
ntm sweep collect sweeps/paper.json --out "$out"
exit "$status"
