#!/usr/bin/env bash
# A real Slurm test of ntm sweep: starts a one-node Slurm cluster on this machine (munge, slurmctld and
# slurmd as root, every file in a temporary folder), submits a small sweep (copy and repeat copy x 2 seeds
# of tiny trainings, two trials per array task) with deploy/slurm/sweep.sbatch, waits for the array,
# collects it, runs the same sweep locally with --all --parallel 2, and checks that both gave the same
# metrics (apart from wall-clock seconds) and the same weights. Stops every daemon it started on exit,
# whether the test passed or not.
#
# Prints one line per check, "ok: ..." or "FAILED: ...", and exits non-zero if any failed; without root
# it prints "skipped: ..." instead (on CI, CI=true, that is a failure).
#
# The ntm it runs: $NTM if set (.ci/run sets it to the tool it installed from the packages), else
# "dotnet <copy of src/Ntm.Cli/bin/Release/net10.0>/Ntm.Cli.dll", built here first.
#
# Needs root (it installs slurm-wlm and munge with apt-get if missing, and runs the daemons). About a
# minute; the trainings themselves take seconds.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
passed=0
failed=0
ok() { echo "ok: $1"; passed=$((passed + 1)); }
fail() { echo "FAILED: $1"; failed=$((failed + 1)); }
finish() { echo "slurm test: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; }

if [ "$(id -u)" -ne 0 ]; then
  if [ "${CI:-}" = true ]; then fail "slurm test needs root (to install and start munge and Slurm)"; else echo "skipped: slurm test (needs root)"; fi
  finish; exit
fi

tmp=$(mktemp -d /tmp/ntm-slurm.XXXXXX)
job=
stop_all() {
  # The array first (its steps are not children of the daemons), then slurmd, slurmctld and munged, by their pids.
  if [ -n "$job" ] && [ -f "$tmp/slurm.conf" ]; then
    SLURM_CONF=$tmp/slurm.conf scancel "$job" 2>/dev/null
    for _ in $(seq 1 30); do [ -z "$(SLURM_CONF=$tmp/slurm.conf squeue -h -j "$job" 2>/dev/null)" ] && break; sleep 1; done
  fi
  for pidfile in "$tmp/slurmd.pid" "$tmp/slurmctld.pid" "$tmp/munge/munged.pid"; do
    [ -s "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null
  done
  if [ "$failed" -eq 0 ]; then rm -rf "$tmp"; else echo "kept $tmp (logs: slurmctld.log, slurmd.log, logs/)"; fi
}
trap stop_all EXIT

# ---------------------------------------------------------------- ntm
if [ -n "${NTM:-}" ]; then
  echo "ntm: $NTM (from NTM)"
else
  if ! dotnet build src/Ntm.Cli -c Release -v q -nologo >"$tmp/build.log" 2>&1; then
    fail "dotnet build src/Ntm.Cli"; cat "$tmp/build.log"; finish; exit
  fi
  # A private copy, so that rebuilding the source meanwhile cannot disturb the jobs.
  cp -r src/Ntm.Cli/bin/Release/net10.0 "$tmp/ntm-bin"
  NTM="$(command -v dotnet) $tmp/ntm-bin/Ntm.Cli.dll"
  echo "ntm: $NTM (built from this tree)"
fi
export NTM
read -r -a ntm <<< "$NTM"

# ---------------------------------------------------------------- munge and Slurm
if ! command -v munged >/dev/null || ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge) >"$tmp/apt.log" 2>&1 \
    || { fail "apt-get install slurm-wlm munge"; tail -n 20 "$tmp/apt.log"; finish; exit; }
fi

host=$(hostname -s)
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/logs"
chmod 700 "$tmp/munge"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
socket=$tmp/munge/munge.socket
munged --force --key-file="$tmp/munge/munge.key" --socket="$socket" --pid-file="$tmp/munge/munged.pid" \
  --log-file="$tmp/munge/munged.log" --seed-file="$tmp/munge/munged.seed" >"$tmp/munge/start.log" 2>&1

cat >"$tmp/slurm.conf" <<EOF
ClusterName=ntmtest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=$host CPUs=2 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$tmp/slurm.conf
slurmctld -f "$SLURM_CONF" >"$tmp/slurmctld.start.log" 2>&1
slurmd -f "$SLURM_CONF" >"$tmp/slurmd.start.log" 2>&1

state=
for _ in $(seq 1 60); do
  state=$(sinfo -h -N -n "$host" -o '%T' 2>/dev/null)
  [ "$state" = idle ] && break
  sleep 1
done
if [ "$state" = idle ]; then
  ok "one-node Slurm up: munged, slurmctld and slurmd started, sinfo shows $host idle"
else
  fail "Slurm did not come up (sinfo says '${state:-nothing}')"
  tail -n 20 "$tmp/munge/munged.log" "$tmp/slurmctld.log" "$tmp/slurmd.log" "$tmp"/*.start.log 2>/dev/null
  finish; exit
fi

# ---------------------------------------------------------------- the sweep on Slurm
cat >"$tmp/sweep.json" <<'EOF'
{
  "out": "slurm-out",
  "tasks": ["copy", { "task": "repeat-copy", "set": { "max-repeats": 3 } }],
  "seeds": [1, 2],
  "memory_rows": [12],
  "options": { "sequences": 400, "controller-size": 16, "memory-width": 6, "batch-size": 4,
               "report-every": 40, "checkpoint-every": 200 },
  "set": { "bits": 4, "max-length": 4 },
  "after": { "eval": { "count": 20 }, "generalize": { "count": 5 } }
}
EOF
cd "$tmp"
trials=$("${ntm[@]}" sweep plan sweep.json --count)
per=2
tasks=$(( (trials + per - 1) / per ))
job=$(TRIALS_PER_TASK=$per sbatch --parsable --array=0-$((tasks - 1)) --output="$tmp/logs/slurm-%A_%a.out" \
  "$repo/deploy/slurm/sweep.sbatch" sweep.json 2>"$tmp/sbatch.err")
job=${job%%;*}
if [[ "$job" =~ ^[0-9]+$ ]]; then
  ok "sbatch --array=0-$((tasks - 1)) deploy/slurm/sweep.sbatch: job $job, $trials trials, $per per array task"
else
  fail "sbatch refused the array: $(cat "$tmp/sbatch.err")"; job=; finish; exit
fi

start=$SECONDS
timeout=300
while [ -n "$(squeue -h -j "$job" 2>/dev/null)" ] && [ $((SECONDS - start)) -lt $timeout ]; do sleep 2; done
if [ -z "$(squeue -h -j "$job" 2>/dev/null)" ]; then
  ok "the array left the queue in $((SECONDS - start)) s"
else
  fail "the array was still queued or running after $timeout s"; squeue -j "$job"
fi

finished=$(cat "$tmp"/logs/slurm-"$job"_*.out 2>/dev/null | grep -c ': finished: ')
errors=$(cat "$tmp"/logs/slurm-"$job"_*.out 2>/dev/null | grep -c '^error: ')
if [ "$finished" -eq "$trials" ] && [ "$errors" -eq 0 ]; then
  ok "the array tasks' logs show all $trials trials finished and no error"
else
  fail "the array tasks' logs show $finished of $trials trials finished and $errors errors"
  tail -n 5 "$tmp"/logs/*.out
fi

plan=$("${ntm[@]}" sweep plan sweep.json | tail -n 1)
if [[ "$plan" == "$trials trials in slurm-out: $trials finished, 0 interrupted, 0 not started" ]]; then
  ok "ntm sweep plan: $plan"
else
  fail "ntm sweep plan: $plan"
fi

collect=$("${ntm[@]}" sweep collect sweep.json 2>"$tmp/collect.err")
rows=$(( $(wc -l <slurm-out/sweep.csv 2>/dev/null || echo 0) - 1 ))
if [[ "$collect" == *"none missing"* ]] && [ "$rows" -eq "$trials" ] && [ -s slurm-out/sweep.json ] && [ -s slurm-out/plots/learning-copy.png ]; then
  ok "ntm sweep collect: $rows rows in sweep.csv and sweep.json, plots, none missing"
else
  fail "ntm sweep collect: '$collect', $rows rows"; cat "$tmp/collect.err"
fi

again=$("${ntm[@]}" sweep run sweep.json --all 2>&1 | grep -c 'finished already, skipped')
if [ "$again" -eq "$trials" ]; then
  ok "running every trial again skips all $trials (finished already)"
else
  fail "running every trial again skipped $again of $trials"
fi

# ---------------------------------------------------------------- the same sweep locally
if "${ntm[@]}" sweep run sweep.json --all --parallel 2 --out local-out >"$tmp/local.log" 2>&1; then
  ok "ntm sweep run --all --parallel 2 --out local-out"
else
  fail "ntm sweep run --all --parallel 2 --out local-out"; tail -n 20 "$tmp/local.log"
fi

without_seconds() { sed -E 's/"seconds":[^,}]*,?//' "$1"; }
for dir in slurm-out/*/; do
  id=$(basename "$dir")
  [ -f "$dir/trial.json" ] || continue
  a=$dir/run; b=local-out/$id/run
  if [ -s "$a/metrics.jsonl" ] && [ -s "$b/metrics.jsonl" ] && diff <(without_seconds "$a/metrics.jsonl") <(without_seconds "$b/metrics.jsonl") >/dev/null; then
    ok "$id: metrics.jsonl the same on Slurm and locally (apart from seconds, $(wc -l <"$a/metrics.jsonl") lines)"
  else
    fail "$id: metrics.jsonl differs between Slurm and local"
  fi
  sa=$(sha256sum "$a/model.safetensors" 2>/dev/null | cut -d' ' -f1); sb=$(sha256sum "$b/model.safetensors" 2>/dev/null | cut -d' ' -f1)
  if [ -n "$sa" ] && [ "$sa" = "$sb" ]; then
    ok "$id: model.safetensors SHA-256 the same on Slurm and locally (${sa:0:16}...)"
  else
    fail "$id: model.safetensors differs (${sa:-missing} vs ${sb:-missing})"
  fi
done
cd "$repo"
finish
