#!/usr/bin/env bash
# CNN comparison (issue 17): Ringfold's LeNet-style CNN against PyTorch and Deeplearning4j on
# Fashion-MNIST, in one run, interleaved per repetition so that they share the machine's state.
# Writes the raw JSON to a run directory and rewrites the "## CNN" section of bench/RESULTS.md
# when every program ran whole (see bench/README.md).
#
#   bench/cnn/run.sh [--reps N] [--peers-only] [--no-dl4j] [--limit-batches N] [--run-dir DIR] [--results FILE]
#
# A Ringfold run that fails is reported (its exit status and last lines) and the peers go on; the
# table is printed, RESULTS.md is left alone, and the script exits 1 at the end.
# --limit-batches N trains the peers on N minibatches per epoch only: a check that they work and an
# estimate of their seconds per epoch (projected from the rate), never a result.
#
# Environment: RINGFOLD (default ./ringfold; may be a command with arguments), PEER_PYTHON (default
# /usr/bin/python3, Debian's interpreter that sees python3-torch), DL4J_JAVA (default java).
set -euo pipefail

# ---- What is compared: change here. Ringfold gets `--out DIR --json` appended. ----
LAYERS='conv2d(20,5),relu,maxpool2d(2),conv2d(50,5),relu,maxpool2d(2),flatten,dense(500),relu'
RINGFOLD_ARGS=(train --data fashion-mnist --layers "$LAYERS" --optimizer adam --lr 0.001
  --batch-size 64 --epochs 2 --seed 1 --workers 2)
# Both peers train the same network with the same optimiser, batch, epochs and input standardisation.
PEER_ARGS=(--lr 0.001 --batch-size 64 --epochs 2 --seed 1)
PYTORCH_THREADS=(1 2)     # each is run; the best median is compared
DL4J_THREADS=(1 2)        # likewise (ND4J's, OpenBLAS's and OpenMP's thread counts)
# OpenMP threads spin while waiting by default; on a 2-core machine shared with other work that made
# PyTorch's 2-thread epochs 10-30x slower (bench/e2e). PASSIVE is the peers' best setting here.
PEER_ENV=(OMP_WAIT_POLICY=PASSIVE)
DL4J_POM=bench/peers/dl4j/pom.xml
DL4J_JAR=bench/peers/dl4j/target/ringfold-peer-dl4j.jar
TARGET_ACCURACY=0.88
# ------------------------------------------------------------------------------------

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
DL4J_JAVA="${DL4J_JAVA:-java}"

# shellcheck source=bench/lib/comparison.sh
source "$ROOT/bench/lib/comparison.sh"

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

DL4J=1
LIMIT_BATCHES=0
INVOCATION="bench/cnn/run.sh $*"
while [[ $# -gt 0 ]]; do
  common_option "$@"
  if [[ $COMMON_SHIFT -gt 0 ]]; then shift "$COMMON_SHIFT"; continue; fi
  case "$1" in
    --no-dl4j) DL4J=0; shift ;;
    --limit-batches)
      [[ $# -ge 2 ]] || die "--limit-batches: missing value (expected: an integer >= 0)"
      [[ "$2" =~ ^[0-9]+$ ]] || die "--limit-batches: $2 (expected: an integer >= 0; 0 trains whole epochs)"
      LIMIT_BATCHES="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1 (expected: --reps N, --peers-only, --no-dl4j, --limit-batches N, --run-dir DIR, --results FILE)" ;;
  esac
done
if [[ $LIMIT_BATCHES -gt 0 ]]; then
  PEER_ARGS+=(--limit-batches "$LIMIT_BATCHES")
fi

# ---- Preconditions, each with the fix in its message. ----
read -r -a RINGFOLD_CMD <<< "$RINGFOLD"
if [[ $PEERS_ONLY -eq 0 ]]; then
  require_ringfold "${RINGFOLD_CMD[@]}"
fi
require_python "$PEER_PYTHON" numpy torch
require_fashion_mnist "$DATA_DIR"

[[ -n "$RUN_DIR" ]] || RUN_DIR="runs/cnn-$(date -u +%Y%m%d-%H%M%S)"
new_run_dir "$RUN_DIR"
if [[ $DL4J -eq 1 ]]; then
  # Maven downloads DL4J (about 250 MB) from Maven Central the first time; later builds are up to date.
  echo "building the DL4J peer: mvn -B -q -f $DL4J_POM package" >&2
  mvn -B -q -f "$DL4J_POM" package > "$RUN_DIR/dl4j-build.log" 2>&1 \
    || { tail -n 20 "$RUN_DIR/dl4j-build.log" >&2; die "DL4J peer: mvn -f $DL4J_POM package failed (log: $RUN_DIR/dl4j-build.log)"; }
fi
record_start "$RUN_DIR"

RINGFOLD_FAILED=0
for ((rep = 1; rep <= REPS; rep++)); do
  if [[ $PEERS_ONLY -eq 0 ]]; then
    # Ringfold's CNN may not run yet (or fail): the peers are measured all the same.
    run_program "$RUN_DIR" "$rep" ringfold-cnn "${RINGFOLD_CMD[@]}" "${RINGFOLD_ARGS[@]}" --out "$RUN_DIR/rep$rep-cnn-model" --json \
      || RINGFOLD_FAILED=1
  fi
  for t in "${PYTORCH_THREADS[@]}"; do
    run_program "$RUN_DIR" "$rep" "pytorch-t$t" env "${PEER_ENV[@]}" "$PEER_PYTHON" bench/peers/pytorch_cnn.py \
      --threads "$t" "${PEER_ARGS[@]}" || die "pytorch-t$t (rep $rep) failed (expected: the peers to run)"
  done
  if [[ $DL4J -eq 1 ]]; then
    for t in "${DL4J_THREADS[@]}"; do
      run_program "$RUN_DIR" "$rep" "dl4j-t$t" env "${PEER_ENV[@]}" "OMP_NUM_THREADS=$t" "$DL4J_JAVA" -jar "$DL4J_JAR" \
        --threads "$t" "${PEER_ARGS[@]}" || die "dl4j-t$t (rep $rep) failed (expected: the peers to run)"
    done
  fi
done
record_end "$RUN_DIR"

summary=("$PEER_PYTHON" bench/cnn/summarise.py --run-dir "$RUN_DIR" --target-accuracy "$TARGET_ACCURACY"
  --invocation "$INVOCATION")
if [[ $PEERS_ONLY -eq 1 || $LIMIT_BATCHES -gt 0 || $RINGFOLD_FAILED -eq 1 ]]; then
  # A run without Ringfold, or with shortened peers, has no ratio to record: print it only.
  "${summary[@]}" --not-a-result
else
  "${summary[@]}" --results "$RESULTS"
fi
if [[ $RINGFOLD_FAILED -eq 1 ]]; then
  die "ringfold-cnn failed (see rep*-ringfold-cnn.failed in $RUN_DIR); the peers' table is above, $RESULTS was left alone"
fi
