#!/usr/bin/env bash
# DP-SGD on Fashion-MNIST (issue 22): test accuracy at ε <= 3 (δ = 1e-5) of the MLP and a LeNet-style CNN,
# and what a private step costs against a non-private one of the same network, batch and workers, measured
# in the same run (interleaved, so that both share the machine's state). Prints the exact commands, a table
# and writes the raw JSON of every run to the run directory.
#
#   bench/privacy/dpsgd.sh [accuracy|cost|all] [--reps N] [--cost-epochs N] [--run-dir DIR]
#
# accuracy: one private run of each network to its planned epochs at --dp-epsilon 3 --dp-delta 1e-5.
# cost: for each network, --reps pairs of runs (non-private, private) of --cost-epochs epochs; each run's
#   median epoch time over epochs 2.. (the first holds the JIT's warm-up), the ratio private / non-private per
#   pair, and the median of the ratios.
# Environment: RINGFOLD (default ./ringfold), WORKERS (default 2).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
RINGFOLD="${RINGFOLD:-./ringfold}"
WORKERS="${WORKERS:-2}"

# ---- What is measured: change here. Every run gets `--out DIR --json` appended. ----
MLP=(--hidden 128)
# LeNet's shape (two 5x5 convolutions with pooling, then a dense layer) narrowed and with tanh, which
# private training favours (Papernot et al. 2021, "Tempered Sigmoid Activations for Deep Learning with DP").
CNN=(--layers 'conv2d(16,5),tanh,maxpool2d(2),conv2d(32,5),tanh,maxpool2d(2),flatten,dense(32),tanh')
COMMON=(train --data fashion-mnist --optimizer adam --lr 0.002 --batch-size 512 --seed 1 --workers "$WORKERS")
PRIVATE=(--dp-clip 1 --dp-epsilon 3 --dp-delta 1e-5)
MLP_EPOCHS=10
CNN_EPOCHS=12
# The cost runs: a fixed noise multiplier (σ does not change the work of a step).
COST_PRIVATE=(--dp-clip 1 --dp-noise-multiplier 1.0)
# ------------------------------------------------------------------------------------

what=all
reps=3
cost_epochs=4
run_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    accuracy|cost|all) what="$1" ;;
    --reps) reps="$2"; shift ;;
    --cost-epochs) cost_epochs="$2"; shift ;;
    --run-dir) run_dir="$2"; shift ;;
    *) echo "dpsgd.sh: unknown argument '$1' (expected: accuracy|cost|all, --reps N, --cost-epochs N, --run-dir DIR)" >&2; exit 2 ;;
  esac
  shift
done
run_dir="${run_dir:-$(mktemp -d /tmp/ringfold-dpsgd.XXXXXX)}"
mkdir -p "$run_dir"
echo "run directory: $run_dir"

# run NAME ARGS...: one training run, its command printed, its JSON line kept as NAME.json.
run() {
  local name="$1"; shift
  echo "+ $RINGFOLD $* --out $run_dir/$name --json"
  # shellcheck disable=SC2086
  if ! $RINGFOLD "$@" --out "$run_dir/$name" --json > "$run_dir/$name.log" 2>&1; then
    echo "dpsgd.sh: run $name failed; last lines of $run_dir/$name.log:" >&2
    tail -5 "$run_dir/$name.log" >&2
    exit 1
  fi
  tail -1 "$run_dir/$name.log" > "$run_dir/$name.json"
}

if [ "$what" != cost ]; then
  run acc-mlp "${COMMON[@]}" "${MLP[@]}" --epochs "$MLP_EPOCHS" "${PRIVATE[@]}"
  run acc-cnn "${COMMON[@]}" "${CNN[@]}" --epochs "$CNN_EPOCHS" "${PRIVATE[@]}"
fi
if [ "$what" != accuracy ]; then
  for r in $(seq 1 "$reps"); do
    for net in mlp cnn; do
      if [ "$net" = mlp ]; then layers=("${MLP[@]}"); else layers=("${CNN[@]}"); fi
      run "cost-$net-plain-$r" "${COMMON[@]}" "${layers[@]}" --epochs "$cost_epochs"
      run "cost-$net-private-$r" "${COMMON[@]}" "${layers[@]}" --epochs "$cost_epochs" "${COST_PRIVATE[@]}"
    done
  done
fi

/usr/bin/env python3 - "$run_dir" "$what" "$reps" <<'PY'
import json, os, statistics, sys
run_dir, what, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
def load(name):
    with open(os.path.join(run_dir, name + ".json")) as f:
        return json.load(f)
if what != "cost":
    print("\n| network | test accuracy | ε (δ) | noise multiplier | epochs | s per epoch (median) |")
    print("|---|---|---|---|---|---|")
    for net in ("mlp", "cnn"):
        j = load("acc-" + net)
        print(f"| {net} | {j['test_accuracy']:.4f} | {j['dp_epsilon']:.3f} ({j['dp_delta']:g}) | "
              f"{j['dp_noise_multiplier']:.4f} | {j['epochs']} | {j['median_epoch_seconds']:.2f} |")
if what != "accuracy":
    print("\n| network | non-private s/epoch | private s/epoch | private / non-private (median of pairs) |")
    print("|---|---|---|---|")
    for net in ("mlp", "cnn"):
        plain, private, ratios = [], [], []
        for r in range(1, reps + 1):
            p = statistics.median(load(f"cost-{net}-plain-{r}")["epoch_seconds"][1:])
            q = statistics.median(load(f"cost-{net}-private-{r}")["epoch_seconds"][1:])
            plain.append(p); private.append(q); ratios.append(q / p)
        print(f"| {net} | {statistics.median(plain):.2f} | {statistics.median(private):.2f} | "
              f"{statistics.median(ratios):.2f} (pairs: {', '.join(f'{x:.2f}' for x in ratios)}) |")
PY
