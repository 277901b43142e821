#!/usr/bin/env bash
# Serving benchmark: wrk against `./ringfold serve` on loopback. Not part of the test run.
#
#   bench/serving/run.sh [--duration SECONDS] [--out DIR]
#
# Trains a softmax model and an MLP on the bundled digits data, then for two servers in turn (dynamic
# batching on with the defaults, then --no-batching) measures with wrk: single-row v2 infer and TF
# Serving :predict with 1 and 64 connections, /v2/health/live (the ceiling of the HTTP path) with 1 and
# 64, and single-row MLP infer with 64. Around each run it scrapes /metrics, so that the mean compute
# time per request and the server's own request duration can be set against wrk's latency. Prints a
# Markdown table (also written to DIR/table.md). The load generator shares the machine with the server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

duration=6
out="bench/serving/runs/$(date -u +%Y%m%d-%H%M%S)"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "run.sh: unknown argument '$1' (expected: --duration SECONDS, --out DIR)" >&2; exit 2 ;;
  esac
done

if ! command -v wrk >/dev/null 2>&1; then
  echo "run.sh: installing wrk" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
fi
mkdir -p "$out"
port=18080
base="http://127.0.0.1:$port"

echo "== build: mvn -B -q -o -DskipTests package -pl ringfold-cli -am" >&2
mvn -B -q -o -DskipTests package -pl ringfold-cli -am >&2

repo="$out/repo"
if [ ! -f "$repo/digits/1/model.rfm" ]; then
  ./ringfold train --data digits --model softmax --seed 1 --out "$repo/digits/1" >&2
  ./ringfold train --data digits --model mlp --hidden 128 --epochs 5 --seed 1 --out "$repo/mlp/1" >&2
fi

# The first image of the digits data set (a zero), 64 pixel values.
row='0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0'
printf '{"inputs": [{"name": "input", "shape": [1, 64], "datatype": "FP32", "data": [%s]}]}' "$row" > "$out/v2.json"
printf '{"instances": [[%s]]}' "$row" > "$out/tf.json"
cat bench/serving/post.lua bench/serving/report.lua > "$out/post.lua"
cp bench/serving/report.lua "$out/get.lua"

# metric MODEL NAME: the value of ringfold_NAME{model="MODEL",...} in the last scrape.
scrape() { curl -s "$base/metrics" > "$out/metrics.$1"; }
metric() {
  awk -v k="ringfold_$3{model=\"$2\"" 'index($0, k) == 1 { print $2; found = 1 } END { if (!found) print 0 }' "$out/metrics.$1"
}

server_pid=""
start_server() {
  ./ringfold serve --repository "$repo" --host 127.0.0.1 --port "$port" --poll-seconds 0 "$@" \
    > "$out/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do
    if curl -sf "$base/v2/health/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "run.sh: server not ready after 20 s; see $out/server.log" >&2
  exit 1
}
stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || true
}

# measure LABEL MODEL CONNECTIONS SCRIPT BODY PATH
measure() {
  local label="$1" model="$2" conns="$3" script="$4" body="$5" path="$6" threads=2
  [ "$conns" -eq 1 ] && threads=1
  # A short warm-up at the same concurrency lets the JIT compile the path before it is timed.
  BODY="$out/$body" wrk -t"$threads" -c"$conns" -d2s -s "$out/$script" "$base$path" > /dev/null
  scrape before
  local cmd="wrk -t$threads -c$conns -d${duration}s --latency -s $script $path"
  local line
  line=$(BODY="$out/$body" wrk -t"$threads" -c"$conns" -d"${duration}s" --latency -s "$out/$script" "$base$path" | tee -a "$out/wrk.log" | grep '^RESULT')
  scrape after
  local compute_us="" request_us="" batch=""
  if [ "$model" != "-" ]; then
    compute_us=$(python3 -c "
b = lambda n: float(n)
cs = $(metric after "$model" compute_duration_seconds_sum) - $(metric before "$model" compute_duration_seconds_sum)
rs = $(metric after "$model" request_duration_seconds_sum) - $(metric before "$model" request_duration_seconds_sum)
rc = $(metric after "$model" request_duration_seconds_count) - $(metric before "$model" request_duration_seconds_count)
bs = $(metric after "$model" batch_size_sum) - $(metric before "$model" batch_size_sum)
bc = $(metric after "$model" batch_size_count) - $(metric before "$model" batch_size_count)
print('%.1f %.1f %.2f' % (cs / rc * 1e6, rs / rc * 1e6, bs / bc) if rc and bc else '- - -')")
  fi
  echo "$label $conns $line $compute_us" >> "$out/results.txt"
  echo "$label c=$conns: $line (compute/request µs, server request µs, rows/batch: ${compute_us:-n/a}) [$cmd]" >&2
}

run_all() {
  local mode="$1"
  measure "$mode/live" - 1 get.lua v2.json /v2/health/live
  measure "$mode/live" - 64 get.lua v2.json /v2/health/live
  measure "$mode/v2-infer" digits 1 post.lua v2.json /v2/models/digits/infer
  measure "$mode/v2-infer" digits 64 post.lua v2.json /v2/models/digits/infer
  measure "$mode/tf-predict" digits 1 post.lua tf.json /v1/models/digits:predict
  measure "$mode/tf-predict" digits 64 post.lua tf.json /v1/models/digits:predict
  measure "$mode/mlp-v2-infer" mlp 64 post.lua v2.json /v2/models/mlp/infer
}

: > "$out/results.txt"
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "git: $(git rev-parse --short HEAD)$(git diff --quiet || echo -dirty)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "wrk: $(wrk -v 2>&1 | head -1)"
} > "$out/env.txt"

start_server
run_all batching
stop_server
start_server --no-batching
run_all no-batching
stop_server
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/env.txt"

python3 - "$out" <<'PY' | tee "$out/table.md"
import sys
out = sys.argv[1]
rows = [l.split() for l in open(out + "/results.txt")]
live = {}
for r in rows:
    mode, what = r[0].split("/")
    if what == "live":
        live[(mode, r[1])] = float(r[3])
print("| server | request | conns | req/s | % of live | mean µs | p50 µs | p99 µs | errors | non-2xx | compute µs/req | server µs/req | rows/batch |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    mode, what = r[0].split("/")
    conns, rps, mean, p50, p99, err, non2xx = r[1], float(r[3]), float(r[4]), r[5], r[6], r[7], r[8]
    extra = r[9:12] if len(r) >= 12 else ["", "", ""]
    pct = "" if what == "live" else "%.0f %%" % (100 * rps / live[(mode, conns)])
    print(f"| {mode} | {what} | {conns} | {rps:.0f} | {pct} | {mean:.0f} | {p50} | {p99} | {err} | {non2xx} | {extra[0]} | {extra[1]} | {extra[2]} |")
PY
cat "$out/env.txt"
