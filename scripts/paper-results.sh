#!/usr/bin/env bash
# The paper's experiments (docs/results.md) as two sweeps: sweeps/paper.json (the five tasks x the three
# models with the seeds and budgets of results.md) into OUT, then sweeps/priority-sort.json (priority sort
# to 1,000,000 sequences) into OUT/priority-sort. Runs every trial, PARALLEL at a time (default 2, one
# thread each), collects each sweep with ntm sweep collect (sweep.csv, sweep.json, plots/) and writes the
# tables of results.md to OUT/results-tables.md (scripts/paper-tables.py).
#
# Usage: scripts/paper-results.sh [OUT_DIR] [SCALE] [PARALLEL]   (defaults: runs/paper 1 2)
#   SCALE multiplies every training budget of the sweep (sequences, seconds, learning-rate decay), e.g.
#   0.1 for a quick pass; the scaled sweeps are written to OUT/paper.json and OUT/priority-sort/priority-sort.json. A different scale needs its own
#   OUT_DIR (a trial folder refuses other training arguments).
# At scale 1 on a 2-core machine: about 5 hours for the first sweep, 8 or more for the second. Running it again skips the finished trials and resumes the
# interrupted ones; on a cluster, submit OUT/paper.json with deploy/slurm/sweep.sbatch instead.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/paper}
scale=${2:-1}
parallel=${3:-2}
mkdir -p "$out"
scale_sweep() { python3 - "$scale" "$1" "$2" <<'PY'
import json, re, sys
scale = float(sys.argv[1])
if not scale > 0: sys.exit(f"paper-results.sh: SCALE must be a positive number, not {sys.argv[1]}")
# The sweep file allows // comments; they sit on lines of their own.
text = "\n".join(l for l in open(sys.argv[2]) if not l.lstrip().startswith("//"))
sweep = json.loads(text)
def scaled(options):
    for key in ("sequences", "max-seconds", "lr-decay"):
        if key in options:
            v = options[key]
            options[key] = [max(1, round(x * scale)) for x in v] if isinstance(v, list) else max(1, round(v * scale))
scaled(sweep.setdefault("options", {}))
for block in sweep["tasks"]: scaled(block.setdefault("options", {}))
json.dump(sweep, open(sys.argv[3], "w"), indent=2)
PY
}
dotnet build -c Release src/Ntm.Cli -v q -nologo >/dev/null
# Run from a private copy of the build so that rebuilding the source meanwhile cannot disturb the runs.
bin="$out/.bin"
rm -rf "$bin" && cp -r src/Ntm.Cli/bin/Release/net10.0 "$bin"
ntm() { dotnet "$bin/Ntm.Cli.dll" "$@"; }
status=0
# The paper's sweep into OUT, then the long priority-sort runs into OUT/priority-sort.
for pair in "paper:$out" "priority-sort:$out/priority-sort"; do
  name=${pair%%:*} dir=${pair#*:}
  mkdir -p "$dir"
  scale_sweep "sweeps/$name.json" "$dir/$name.json"
  ntm sweep run "$dir/$name.json" --all --parallel "$parallel" --out "$dir" || status=$?
  ntm sweep collect "$dir/$name.json" --out "$dir" || status=$?
done
python3 scripts/paper-tables.py "$scale" "$out" "$out/priority-sort" > "$out/results-tables.md"
echo "paper-results.sh: tables in $out/results-tables.md, pictures in $out/plots/ and $out/priority-sort/plots/"
exit "$status"
