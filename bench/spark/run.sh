#!/usr/bin/env bash
# Spark comparison of issue 5 (Performance): io.ringfold.spark.bench.SparkComparison in one Spark session
# (local[2] by default) on Fashion-MNIST: seconds of fit to test accuracy 0.84 (softmax) and 0.86
# (MLP 784-128-10), and batch-scoring rows/s, for every contender. JSON lines go to stdout and to
# RUN_DIR/results.jsonl, Spark's log to RUN_DIR/spark.log. See bench/README.md and bench/RESULTS.md.
# --main SolverPeers runs issue 18's MLlib solver peers instead (io.ringfold.spark.bench.SolverPeers: softmax
# L-BFGS to an objective on Fashion-MNIST, least squares by the normal equations on generated data).
#
#   bench/spark/run.sh [--run-dir DIR] [--main SparkComparison|SolverPeers] [options of that program...]
#
# SparkComparison options: --master M, --contenders ringfold,mllib, --tasks softmax,mlp, --softmax-effort N, --mlp-effort N
# (skip the search), --refine, --granularity N, --repeats N, --scoring-copies N, --scoring-passes N,
# --data-dir DIR. Environment: BENCH_JAVA_OPTS (extra JVM options, e.g. -Dbench.ringfold.shards=8), MVN (default "mvn -B -q"; add -o offline), JAVA (default java),
# BENCH_HEAP (default 6g: local mode holds driver, executors and cached data in one JVM).
# SolverPeers options: --master M, --tasks softmax,least-squares, --softmax-max-iter N, --softmax-tol T,
# --softmax-target-objective T, --rows N, --features N, --seed N, --data-dir DIR.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
MVN="${MVN:-mvn -B -q}"
JAVA="${JAVA:-java}"
BENCH_HEAP="${BENCH_HEAP:-6g}"
DATA_DIR=/usr/share/datasets/fashion-mnist

die() { echo "run.sh: $*" >&2; exit 1; }

RUN_DIR=""
MAIN=SparkComparison
ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --run-dir) [[ $# -ge 2 ]] || die "--run-dir: missing value (expected: a directory)"; RUN_DIR="$2"; shift 2 ;;
    --main) [[ $# -ge 2 && ( "$2" == SparkComparison || "$2" == SolverPeers ) ]] \
        || die "--main: ${2:-missing value} (expected: SparkComparison or SolverPeers)"; MAIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --data-dir) [[ $# -ge 2 ]] || die "--data-dir: missing value"; DATA_DIR="$2"; ARGS+=("$1" "$2"); shift 2 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
# SolverPeers checks its own inputs: its least-squares task needs no Fashion-MNIST.
[[ $MAIN != SparkComparison || -f "$DATA_DIR/train-images-idx3-ubyte.gz" ]] \
  || die "Fashion-MNIST not found in $DATA_DIR (expected: apt-get install dataset-fashion-mnist)"
RUN_DIR="${RUN_DIR:-runs/spark-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$RUN_DIR"

# Test classes and the module's test classpath (Spark is 'provided', so only the test scope has it).
# -am builds the sibling modules, which then resolve to their target/classes: no `mvn install` needed.
$MVN -pl ringfold-spark -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test >&2
CP="ringfold-spark/target/test-classes:ringfold-spark/target/classes:$(cat ringfold-spark/target/classpath.txt)"

# The add-opens Spark needs on Java 17, from the one place they are written down: ringfold-spark/pom.xml.
OPENS="$(sed -n 's:.*<spark.jvm.opens>\(.*\)</spark.jvm.opens>.*:\1:p' ringfold-spark/pom.xml)"
[[ -n "$OPENS" ]] || die "no <spark.jvm.opens> in ringfold-spark/pom.xml (expected: Spark's Java 17 add-opens)"
read -r -a OPENS_ARR <<< "$OPENS"

{
  echo "# $(date -u '+%Y-%m-%d %H:%M') UTC, git $(git rev-parse --short=10 HEAD)$(git diff --quiet || echo -dirty)"
  echo "# bench/spark/run.sh --main $MAIN ${ARGS[*]:-}"
  echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$RUN_DIR/results.jsonl" >&2

set +e
"$JAVA" -Xmx"$BENCH_HEAP" -Xss4m ${BENCH_JAVA_OPTS:-} --add-modules jdk.incubator.vector "${OPENS_ARR[@]}" \
  -Dlog4j2.configurationFile=${BENCH_LOG4J:-ringfold-spark/src/test/resources/log4j2.properties} \
  -cp "$CP" "io.ringfold.spark.bench.$MAIN" "${ARGS[@]}" \
  2> "$RUN_DIR/spark.log" | tee -a "$RUN_DIR/results.jsonl"
status=${PIPESTATUS[0]}
set -e
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg); exit status $status" | tee -a "$RUN_DIR/results.jsonl" >&2
[[ $status -eq 0 ]] || die "$MAIN failed (exit $status); see $RUN_DIR/spark.log"
