#!/usr/bin/env bash
# Trains the models of docs/limits.md (where missing) and measures where they stop working with
# `ntm limits`, one process at a time on one thread; then writes OUT/limits-summary.md.
# Usage: scripts/limits-results.sh OUT [COUNT] [COUNT_4096]
#   COUNT: sequences per axis value (default 100); COUNT_4096: the same at 4,096 rows (default 50).
# Resumable: a finished run folder is not trained again and a finished measurement is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/limits-results.sh OUT [COUNT] [COUNT_4096]}
count=${2:-100}; count4096=${3:-50}
bin="$out/.ntm"
if [ ! -f "$bin/Ntm.Cli.dll" ]; then
  dotnet build -c Release src/Ntm.Cli -v q -nologo >/dev/null
  mkdir -p "$bin" && cp -r src/Ntm.Cli/bin/Release/net10.0/. "$bin/"
fi
ntm() { dotnet "$bin/Ntm.Cli.dll" "$@"; }
mkdir -p "$out"

train() {   # train DIR ARGS...: trains into DIR unless it already holds a model
  local dir=$1; shift
  [ -f "$dir/model.safetensors" ] && return 0
  rm -rf "$dir"
  ntm train "$@" --threads 1 --no-stop --out "$dir" > "$dir.log" 2>&1
  tail -n 1 "$dir.log"
}
for s in 1 2 3 4 5; do train "$out/copy-ntm-lstm-$s" copy --seed "$s" --sequences 20000; done
for s in 1 2 3 4 5; do train "$out/copy-ntm-ff-$s" copy --model ntm-ff --seed "$s" --sequences 20000; done
solved() {   # solved DIR ARGS...: trains into DIR until solved (or out of sequences) unless it already holds a model
  local dir=$1; shift
  [ -f "$dir/model.safetensors" ] && return 0
  rm -rf "$dir"; mkdir -p "$(dirname "$dir")"
  ntm train "$@" --threads 1 --out "$dir" > "$dir.log" 2>&1
  tail -n 1 "$dir.log"
}
for s in 1 2 3; do solved "$out/solved/repeat-copy-ntm-lstm-$s" repeat-copy --seed "$s" --sequences 300000; done
for s in 1 2 3; do solved "$out/solved/associative-recall-ntm-lstm-$s" associative-recall --seed "$s" --sequences 300000; done
for s in 1 2 3; do train "$out/copy-ntm-lstm-100k-$s" copy --seed "$s" --sequences 100000; done
for s in 1 2 3; do train "$out/copy-lstm-$s" copy --model lstm --seed "$s" --sequences 20000; done

measure() {   # measure NAME COUNT ROWS... -- DIRS...: ntm limits into OUT/limits/NAME unless done
  local name=$1 n=$2; shift 2
  local rows=()
  while [ "$1" != "--" ]; do rows+=("$1"); shift; done; shift
  local dest="$out/limits/$name"
  [ -f "$dest/limits.json" ] && return 0
  local args=(limits "$@" --count "$n" --out "$dest.tmp")
  [ ${#rows[@]} -gt 0 ] && args+=(--memory-rows "${rows[@]}")
  rm -rf "$dest.tmp"; mkdir -p "$dest.tmp"
  local t0=$SECONDS
  ntm "${args[@]}" > "$dest.tmp/limits.txt" 2> "$dest.tmp/progress.log"
  echo "ntm ${args[*]/%$dest.tmp/$dest}" > "$dest.tmp/command.txt"
  echo "$((SECONDS - t0)) s" >> "$dest.tmp/command.txt"
  rm -rf "$dest"; mv "$dest.tmp" "$dest"
  echo "measured $name in $((SECONDS - t0)) s"
}
runs() { for s in "$@"; do echo "$out/$prefix-$s"; done; }
prefix=copy-ntm-lstm; measure copy-ntm-lstm "$count" 128 256 1024 -- $(runs 1 2 3 4 5)
prefix=copy-ntm-ff; measure copy-ntm-ff "$count" 128 256 1024 -- $(runs 1 2 3 4 5)
prefix=copy-lstm; measure copy-lstm "$count" -- $(runs 1 2 3)
prefix=solved/repeat-copy-ntm-lstm; measure repeat-copy-length "$count" 128 256 1024 -- $(runs 1 2 3) --axis length
prefix=solved/repeat-copy-ntm-lstm; measure repeat-copy-repeats "$count" 128 256 1024 -- $(runs 1 2 3) --axis repeats
prefix=solved/associative-recall-ntm-lstm; measure recall "$count" 128 256 1024 -- $(runs 1 2 3)
prefix=copy-ntm-lstm-100k; measure copy-ntm-lstm-100k "$count" 128 1024 -- $(runs 1 2 3)
prefix=copy-ntm-lstm; measure copy-ntm-lstm-4096 "$count4096" 4096 -- $(runs 1 2 3 4 5)
prefix=copy-ntm-ff; measure copy-ntm-ff-4096 "$count4096" 4096 -- $(runs 1 2 3 4 5)

python3 scripts/limits-summary.py "$out" > "$out/limits-summary.md"
echo "wrote $out/limits-summary.md"
