#!/usr/bin/env bash
# Pipeline parallelism (issue 20, Performance): samples per second and the measured bubble of K = 1, 2, 4
# stages and M = 1, 4, 8, 16 micro-batches, against GPipe's analytic bubble (K-1)/(M+K-1). The network is
# an MLP 784-512-784-512-784-10 (ReLU) on the first ROWS rows of Fashion-MNIST: four dense layers of the
# same size (401,408 and 402,192 weights; the output layer adds 7,850), so the cuts after every second
# layer (--stage-boundaries 4 for two stages, 2,4,6 for four) give stages of equal compute, as the analytic
# bubble assumes. Batch 512 in 16 logical shards of 32 rows; a micro-batch is 16/M shards.
#
#   bench/pipeline/run.sh [--runs N] [--epochs E] [--skip K] [--rows R] [--stages LIST] [--micro-batches LIST]
#                         [--schedules LIST] [--no-processes] [--run-dir DIR] [-- EXTRA TRAIN FLAGS]
#
# --runs N (default 3): rounds, each running every configuration once, interleaved, so that the runs of
# one configuration are minutes apart and share the machine's moods with the others; --epochs E (default 3)
# and --skip K (default 1): the steady figures are the median (seconds) and mean (bubble) of the epochs
# after the first K, which carry the JIT compiler's warm-up; --rows R (default 8192) training rows (1,000
# test rows); --stages (default 1,2,4); --micro-batches (default 1,4,8,16; divisors of 16); --schedules
# (default 1f1b,gpipe; K = 1 runs once, its schedule being moot); --no-processes: leave out K = 2 as two
# processes (`launch --nproc 2`, shared memory), which by default run beside the threads, 1f1b.
# Environment: RINGFOLD (default ./ringfold at the repository root).
#
# The bubble is each stage's telemetry `bubble_fraction` (seconds waiting for a neighbour's activations or
# gradients over seconds of the step's forward-backward phase), averaged over the stages. This machine
# has 2 cores: K = 4 threads oversubscribe them, so at most two stages compute at once and every stage
# waits at least half of the phase whatever the schedule (a floor of 1 - cores/K); the K = 4 rows measure
# this host, not the schedule. K = 2 fits the cores and is the comparison to read.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RINGFOLD="${RINGFOLD:-$ROOT/ringfold}"
die() { echo "run.sh: $*" >&2; exit 1; }

RUNS=3
EPOCHS=3
SKIP=1
ROWS=8192
STAGES=1,2,4
MICRO=1,4,8,16
SCHEDULES=1f1b,gpipe
PROCESSES=1
RUN_DIR=""
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--runs: ${2:-missing} (expected: a positive integer)"; RUNS="$2"; shift 2 ;;
    --epochs) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--epochs: ${2:-missing} (expected: a positive integer)"; EPOCHS="$2"; shift 2 ;;
    --skip) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die "--skip: ${2:-missing} (expected: an integer >= 0)"; SKIP="$2"; shift 2 ;;
    --rows) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ && "$2" -le 60000 ]] || die "--rows: ${2:-missing} (expected: 1 to 60000)"; ROWS="$2"; shift 2 ;;
    --stages) [[ $# -ge 2 && "$2" =~ ^[124](,[124])*$ ]] || die "--stages: ${2:-missing} (expected: a list of 1, 2 and 4, e.g. 1,2,4)"; STAGES="$2"; shift 2 ;;
    --micro-batches) [[ $# -ge 2 && "$2" =~ ^(1|2|4|8|16)(,(1|2|4|8|16))*$ ]] || die "--micro-batches: ${2:-missing} (expected: divisors of the 16 shards, e.g. 1,4,8,16)"; MICRO="$2"; shift 2 ;;
    --schedules) [[ $# -ge 2 && "$2" =~ ^(1f1b|gpipe)(,(1f1b|gpipe))*$ ]] || die "--schedules: ${2:-missing} (expected: 1f1b, gpipe or both, e.g. 1f1b,gpipe)"; SCHEDULES="$2"; shift 2 ;;
    --no-processes) PROCESSES=0; shift ;;
    --run-dir) [[ $# -ge 2 ]] || die "--run-dir: missing value (expected: a directory)"; RUN_DIR="$2"; shift 2 ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (expected: --runs, --epochs, --skip, --rows, --stages, --micro-batches, --schedules, --no-processes, --run-dir, --)" ;;
  esac
done
(( SKIP < EPOCHS )) || die "--skip $SKIP: must be less than --epochs $EPOCHS"
FASHION=/usr/share/datasets/fashion-mnist
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  [[ -f "$FASHION/$f" ]] || die "Fashion-MNIST: $FASHION/$f not found (expected: apt-get install dataset-fashion-mnist)"
done
RUN_DIR="${RUN_DIR:-$ROOT/runs/pipeline-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$RUN_DIR"
: > "$RUN_DIR/results.jsonl"

# The first ROWS training and 1,000 test rows as IDX files, so that a configuration takes seconds, not minutes.
python3 "$ROOT/bench/pipeline/costmodel.py" subset "$FASHION" "$RUN_DIR/data" "$ROWS" 1000
DATA="idx:$RUN_DIR/data/train-images,$RUN_DIR/data/train-labels?test=$RUN_DIR/data/test-images,$RUN_DIR/data/test-labels"
TRAIN=(train --data "$DATA" --hidden 512,784,512,784 --batch-size 512 --shards 16 --epochs "$EPOCHS" --seed 1 --json)
"$RINGFOLD" --version >/dev/null 2>&1 || true   # builds the jar once, outside the timed runs

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M') UTC; git: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo -dirty)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); $(uname -sr); $(java -version 2>&1 | head -1)"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$RUN_DIR/machine.txt"

boundaries() { case "$1" in 1) ;; 2) echo 4 ;; 4) echo 2,4,6 ;; esac; }
steal_ticks() { awk '/^cpu / { print $9 }' /proc/stat; }

CONFIGS=()
IFS=, read -r -a KS <<< "$STAGES"
IFS=, read -r -a MS <<< "$MICRO"
IFS=, read -r -a SS <<< "$SCHEDULES"
for k in "${KS[@]}"; do
  for m in "${MS[@]}"; do
    if [[ "$k" == 1 ]]; then CONFIGS+=("threads:1:$m:1f1b"); continue; fi
    for s in "${SS[@]}"; do CONFIGS+=("threads:$k:$m:$s"); done
    [[ "$k" == 2 && "$PROCESSES" == 1 ]] && CONFIGS+=("processes:2:$m:1f1b")
  done
done

run_one() { # mode stages micro schedule run
  local mode="$1" k="$2" m="$3" s="$4" run="$5" name="$1-k$2-m$3-$4-$5" cmd args load steal0 steal1
  args=(--out "$RUN_DIR/$name" --pipeline-stages "$k" --micro-batches "$m" --pipeline-schedule "$s")
  [[ "$k" == 1 ]] || args+=(--stage-boundaries "$(boundaries "$k")")
  if [[ "$mode" == threads ]]; then
    cmd=("$RINGFOLD" "${TRAIN[@]}" "${args[@]}" --workers 1 "${EXTRA[@]}")
  else
    cmd=("$RINGFOLD" launch --nproc "$k" -- "${TRAIN[@]}" "${args[@]}" "${EXTRA[@]}")
  fi
  load="$(cut -d' ' -f1 /proc/loadavg)"
  steal0="$(steal_ticks)"
  "${cmd[@]}" > "$RUN_DIR/$name.out" 2> "$RUN_DIR/$name.err" || die "$name failed (see $RUN_DIR/$name.err)"
  steal1="$(steal_ticks)"
  python3 "$ROOT/bench/pipeline/costmodel.py" record "$RUN_DIR/$name.out" --mode "$mode" --run "$run" \
      --skip "$SKIP" --load "$load" --steal "$(( steal1 - steal0 ))" --command "${cmd[*]}" \
      | tee -a "$RUN_DIR/results.jsonl"
}

for ((r = 1; r <= RUNS; r++)); do
  for c in "${CONFIGS[@]}"; do
    IFS=: read -r mode k m s <<< "$c"
    run_one "$mode" "$k" "$m" "$s" "$r"
  done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RUN_DIR/machine.txt"
python3 "$ROOT/bench/pipeline/costmodel.py" sweep "$RUN_DIR/results.jsonl"
