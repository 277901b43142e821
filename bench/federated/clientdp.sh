#!/usr/bin/env bash
# Client-level differential privacy's accuracy cost for bench/RESULTS.md (issue 22, item 4): DP-FedAvg
# (`federated coordinator --client-dp-clip`) against plain FedAvg on the label-skewed split of Fashion-MNIST
# (Debian package dataset-fashion-mnist): the 60,000 training rows over --clients simulated clients holding
# 2 labels each (threads in one JVM over loopback TCP; io.ringfold.bench.ClientDpAccuracyRun), pixels / 255,
# softmax regression (--hidden 0) or an MLP, 1 local epoch of SGD, the t10k test set after every round. The
# private run samples clients by Poisson at q = K / clients and takes the least noise for --epsilon at
# --delta over --rounds; the plain run samples K clients a round. Seeded: a rerun gives the same figures.
#
#   bench/federated/clientdp.sh [--clients 100] [--per-round 50] [--rounds 30] [--hidden 0] [--lr 0.1]
#                               [--clip 1.0] [--epsilon 6] [--delta 1e-3] [--run-dir DIR]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
die() { echo "clientdp.sh: $*" >&2; exit 1; }
CLIENTS=100 PER_ROUND=50 ROUNDS=30 HIDDEN=0 LR=0.1 CLIP=1.0 EPSILON=6 DELTA=1e-3 RUN_DIR=""
number='^[0-9]+([.][0-9]+)?([eE]-?[0-9]+)?$'
while [[ $# -gt 0 ]]; do
  case "$1" in
    --clients) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--clients: ${2:-missing} (expected: a positive integer)"; CLIENTS="$2"; shift 2 ;;
    --per-round) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--per-round: ${2:-missing} (expected: a positive integer)"; PER_ROUND="$2"; shift 2 ;;
    --rounds) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--rounds: ${2:-missing} (expected: a positive integer)"; ROUNDS="$2"; shift 2 ;;
    --hidden) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die "--hidden: ${2:-missing} (expected: units, 0 for softmax)"; HIDDEN="$2"; shift 2 ;;
    --lr) [[ $# -ge 2 && "$2" =~ $number ]] || die "--lr: ${2:-missing} (expected: a number)"; LR="$2"; shift 2 ;;
    --clip) [[ $# -ge 2 && "$2" =~ $number ]] || die "--clip: ${2:-missing} (expected: a number)"; CLIP="$2"; shift 2 ;;
    --epsilon) [[ $# -ge 2 && "$2" =~ $number ]] || die "--epsilon: ${2:-missing} (expected: a number)"; EPSILON="$2"; shift 2 ;;
    --delta) [[ $# -ge 2 && "$2" =~ $number ]] || die "--delta: ${2:-missing} (expected: a number)"; DELTA="$2"; shift 2 ;;
    --run-dir) [[ $# -ge 2 ]] || die "--run-dir: missing value (expected: a directory)"; RUN_DIR="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (expected: --clients, --per-round, --rounds, --hidden, --lr, --clip, --epsilon, --delta, --run-dir)" ;;
  esac
done
[[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]] \
  || die "Fashion-MNIST not found (expected: apt-get install dataset-fashion-mnist)"
RUN_DIR="${RUN_DIR:-$ROOT/runs/clientdp-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$RUN_DIR"
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) git $(git -C "$ROOT" rev-parse --short HEAD); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$RUN_DIR/run.txt"
(cd "$ROOT" && mvn -B -o -q -pl ringfold-bench -am package -DskipTests)
java -Xmx3g --add-modules jdk.incubator.vector -cp "$ROOT/ringfold-bench/target/benchmarks.jar" \
  io.ringfold.bench.ClientDpAccuracyRun "$CLIENTS" "$PER_ROUND" "$ROUNDS" "$HIDDEN" "$LR" "$CLIP" "$EPSILON" "$DELTA" plain \
  2> "$RUN_DIR/coordinator.log" | tee "$RUN_DIR/accuracy.jsonl"
echo "results in $RUN_DIR"
