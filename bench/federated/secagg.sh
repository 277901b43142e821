#!/usr/bin/env bash
# Secure aggregation's cost per round against plain summation (issue 22, Performance: "secure aggregation's
# cost per round (compute and bytes) against plain FedAvg, for 10 and 100 simulated clients"). Runs
# io.ringfold.bench.SecAggRun (ringfold-bench): every simulated client and the server in one thread, each
# message through the protocol's binary codec, CPU time per call; the peer sends the same int64 vectors
# unmasked and the server adds them. Prints one JSON line per configuration (also to RUN_DIR/results.jsonl)
# and a Markdown table for bench/RESULTS.md.
#
#   bench/federated/secagg.sh [--clients 10,100] [--length 100000] [--rounds 5] [--dropout 0] [--run-dir DIR]
#
# --dropout F: the fraction of clients that leave after sharing keys (the server then reconstructs their mask
# keys and removes their masks from every survivor's input: the protocol's expensive case).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
die() { echo "secagg.sh: $*" >&2; exit 1; }
CLIENTS="10,100"
LENGTH=100000
ROUNDS=5
DROPOUT=0
RUN_DIR=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --clients) [[ $# -ge 2 && "$2" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--clients: ${2:-missing} (expected: e.g. 10,100)"; CLIENTS="$2"; shift 2 ;;
    --length) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--length: ${2:-missing} (expected: a positive integer)"; LENGTH="$2"; shift 2 ;;
    --rounds) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--rounds: ${2:-missing} (expected: a positive integer)"; ROUNDS="$2"; shift 2 ;;
    --dropout) [[ $# -ge 2 && "$2" =~ ^0(\.[0-9]+)?$ ]] || die "--dropout: ${2:-missing} (expected: a fraction below 0.5)"; DROPOUT="$2"; shift 2 ;;
    --run-dir) [[ $# -ge 2 ]] || die "--run-dir: missing value (expected: a directory)"; RUN_DIR="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (expected: --clients, --length, --rounds, --dropout, --run-dir)" ;;
  esac
done
RUN_DIR="${RUN_DIR:-$ROOT/runs/secagg-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$RUN_DIR"

(cd "$ROOT" && mvn -B -o -q -pl ringfold-bench -am package -DskipTests)
JAR="$ROOT/ringfold-bench/target/benchmarks.jar"
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) git $(git -C "$ROOT" rev-parse --short HEAD); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$RUN_DIR/run.txt"
java -Xmx4g -cp "$JAR" io.ringfold.bench.SecAggRun "$CLIENTS" "$LENGTH" "$ROUNDS" "$DROPOUT" | tee "$RUN_DIR/output.txt"
grep '^{' "$RUN_DIR/output.txt" > "$RUN_DIR/results.jsonl"
