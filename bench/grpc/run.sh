#!/usr/bin/env bash
# gRPC ModelInfer throughput with an independent load generator, h2load (Debian: nghttp2-client), against
# a fresh `ringfold serve` on the digits softmax model; the server's CPU per successful request over the
# measured window only (read from /proc/PID/stat and /metrics at the window's edges). See bench/RESULTS.md.
#
#   bench/grpc/run.sh [--calls N] [--duration S] [--warmup S] [--body typed|raw] [--runs N]
#
# N calls in flight = min(N, 8) connections x N/connections streams. Prints one RESULT line per run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
calls=64; duration=10; warmup=10; body=typed; runs=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --calls) calls="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --body) body="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "run.sh: unknown option $1 (expected: --calls, --duration, --warmup, --body, --runs)" >&2; exit 2 ;;
  esac
done
command -v h2load >/dev/null || { echo "run.sh: h2load not found (expected: apt-get install nghttp2-client)" >&2; exit 1; }
[[ "$body" = typed || "$body" = raw ]] || { echo "run.sh: --body $body (expected: typed or raw)" >&2; exit 2; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
jar="$ROOT/ringfold-cli/target/ringfold.jar"
[[ -f "$jar" ]] || (cd "$ROOT" && mvn -B -q -DskipTests package -pl ringfold-cli -am) >&2
python3 "$ROOT/bench/grpc/model_infer_frames.py" "$work"
java --add-modules jdk.incubator.vector -jar "$jar" train --data digits --model softmax \
  --seed 1 --out "$work/repo/digits/1" >/dev/null 2>&1

for run in $(seq 1 "$runs"); do
  java --add-modules jdk.incubator.vector -jar "$jar" serve --repository "$work/repo" --host 127.0.0.1 \
    --port 18080 --grpc-port 18081 --poll-seconds 0 > "$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do curl -sf http://127.0.0.1:18080/v2/health/ready >/dev/null 2>&1 && break; sleep 0.1; done
  sample() {
    echo "$(awk '{print $14+$15}' "/proc/$pid/stat") $(curl -s http://127.0.0.1:18080/metrics \
      | awk '/^ringfold_requests_total.*success/ {s+=$2} END {print s+0}')"
  }
  ( sleep "$warmup"; sample > "$work/s0"; sleep "$duration"; sample > "$work/s1" ) &
  sampler=$!
  c=$(( calls < 8 ? calls : 8 )); m=$(( calls / c ))
  h2load -D "$duration" --warm-up-time="$warmup" -c "$c" -m "$m" -t 1 -H 'content-type: application/grpc' \
    -H 'te: trailers' -d "$work/$body.bin" http://127.0.0.1:18081/inference.GRPCInferenceService/ModelInfer \
    > "$work/h2load.out" 2>&1
  wait "$sampler"
  failures=$(curl -s http://127.0.0.1:18080/metrics | awk '/^ringfold_requests_total.*failure/ {s+=$2} END {print s+0}')
  kill -TERM "$pid"; wait "$pid" || true
  read -r c0 n0 < "$work/s0"; read -r c1 n1 < "$work/s1"
  ticks=$(getconf CLK_TCK)
  cpu=$(python3 -c "n=$n1-$n0; print('%.1f' % (($c1-$c0)*1e6/$ticks/max(n,1)))")
  echo "RESULT run $run: calls=$calls (c=$c m=$m) ${warmup}+${duration}s: $(grep -E '^finished in' "$work/h2load.out" | cut -d, -f2 | xargs)," \
    "$(grep -E '^requests:' "$work/h2load.out" | cut -d, -f4,5 | xargs); server ${cpu} us CPU/request;" \
    "failures $failures; load $(cut -d' ' -f1 /proc/loadavg)"
done
