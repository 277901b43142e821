#!/usr/bin/env bash
# Sharded embedding tables (issue 20, Performance): step time and per-worker heap for an embeddingbag table of
# ROWS x DIM trained with Adam in exact mode, split over 2 worker processes (--shard-embeddings) against one
# worker holding it whole. Each configuration runs io.ringfold.bench.ShardedEmbeddingRun (ringfold-bench), whose
# rank 0 prints one JSON line: the median step time (steps 3 to STEPS-1), the time to the end of the first step
# (the table's initialisation included) and the heap in use after a full collection at the last step, while the
# run still holds everything it trains with. Lines go to stdout and RUN_DIR/results.jsonl.
#
#   bench/embeddings/run.sh [--rows N] [--dim D] [--steps S] [--configs whole1,sharded2] [--run-dir DIR]
#
# sharded1 (not in the default list) is the sharded path on one worker holding every row: what the sparse
# step alone saves, apart from the split.
# Defaults: 10,000,000 x 32, 30 steps of 256 texts of 20 tokens. Heaps: WHOLE_XMX (default 14g) for the one
# worker holding the table, SHARD_XMX (default 5g) for each of the two; a configuration whose heap is too small
# prints its OutOfMemoryError and the script goes on.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
die() { echo "run.sh: $*" >&2; exit 1; }
ROWS=10000000
DIM=32
STEPS=30
CONFIGS="whole1,sharded2"
RUN_DIR=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rows) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--rows: ${2:-missing} (expected: a positive integer)"; ROWS="$2"; shift 2 ;;
    --dim) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--dim: ${2:-missing} (expected: a positive integer)"; DIM="$2"; shift 2 ;;
    --steps) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ && "$2" -ge 5 ]] || die "--steps: ${2:-missing} (expected: an integer >= 5)"; STEPS="$2"; shift 2 ;;
    --configs) [[ $# -ge 2 ]] || die "--configs: missing value (expected: e.g. whole1,sharded2)"; CONFIGS="$2"; shift 2 ;;
    --run-dir) [[ $# -ge 2 ]] || die "--run-dir: missing value (expected: a directory)"; RUN_DIR="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (expected: --rows, --dim, --steps, --configs, --run-dir)" ;;
  esac
done
RUN_DIR="${RUN_DIR:-$ROOT/runs/embeddings-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$RUN_DIR"
: > "$RUN_DIR/results.jsonl"

(cd "$ROOT" && mvn -B -o -q -pl ringfold-bench -am package -DskipTests)
JAR="$ROOT/ringfold-bench/target/benchmarks.jar"
rank() { # XMX MODE WORLD RANK PORT
  java -Xmx"$1" --add-modules jdk.incubator.vector -cp "$JAR" io.ringfold.bench.ShardedEmbeddingRun \
    "$2" "$ROWS" "$DIM" "$3" "$4" "$5" "$STEPS" 2> >(grep -v '^WARNING' >&2)
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

IFS=, read -ra LIST <<< "$CONFIGS"
for c in "${LIST[@]}"; do
  case "$c" in
    whole1) rank "${WHOLE_XMX:-14g}" whole 1 0 0 | tee -a "$RUN_DIR/results.jsonl" || echo "whole1: failed (see above)" >&2 ;;
    sharded1) rank "${WHOLE_XMX:-14g}" sharded 1 0 0 | tee -a "$RUN_DIR/results.jsonl" || echo "sharded1: failed (see above)" >&2 ;;
    sharded2)
      port=$(free_port)
      rank "${SHARD_XMX:-5g}" sharded 2 1 "$port" > "$RUN_DIR/sharded2-rank1.log" &
      peer=$!
      rank "${SHARD_XMX:-5g}" sharded 2 0 "$port" | tee -a "$RUN_DIR/results.jsonl" || echo "sharded2: failed (see above)" >&2
      wait "$peer" || echo "sharded2: rank 1 failed ($RUN_DIR/sharded2-rank1.log)" >&2 ;;
    *) die "--configs: $c (expected: whole1, sharded1 or sharded2)" ;;
  esac
done
