#!/usr/bin/env bash
# ONNX serving overhead: the server's own time per request against ONNX Runtime called directly in process,
# in the same run. Not part of the test run.
#
#   bench/serving/onnx.sh [--seconds S] [--out DIR]
#
# Trains the digits MLP (64-128-10), exports it with `./ringfold export --format onnx` and serves the ONNX file
# (`serve`'s defaults: dynamic batching on; then --no-batching). One client at a time sends v2 infer requests of
# 1 and 64 rows over HTTP (wrk, one connection; JSON, then Triton's binary extension as tritonclient's HTTP client
# sends it by default) and over gRPC (`./ringfold bench grpc --connections 1 --rows N`, typed fp32_contents, then
# raw_input_contents as tritonclient's gRPC client sends it; after 15 s of warm-up: the client JVM's own
# compilation otherwise takes the CPU the server is timed on).
# The server's own time per request is the mean of ringfold_request_duration_seconds over the run (from the
# request received, its body unread, to its reply built: reading the JSON or protobuf body, tensor checks, queue,
# ONNX Runtime, reply encoding; over gRPC the reply's protobuf serialization is not in it), scraped from
# /metrics before and after; the runtime's is ringfold_compute_duration_seconds of the same requests (what a
# direct caller does: create the input tensors, run the session, copy the outputs out), and "beyond" is the
# difference. ONNX Runtime's time for the same call varies between sessions and processes (35-84 µs for the
# same 64 rows), so the in-server figure is the one compared; `./ringfold bench onnx MODEL --rows N`, in a
# process of its own with the server's session options, is printed beside it. Prints a Markdown table (also
# DIR/table.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

seconds=5
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "onnx.sh: unknown argument '$1' (expected: --seconds S, --out DIR)" >&2; exit 2 ;;
  esac
done
out="${out:-$(mktemp -d /tmp/ringfold-onnx-bench.XXXXXX)}"
mkdir -p "$out"
if ! command -v wrk >/dev/null 2>&1; then
  echo "onnx.sh: installing wrk" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
fi
port=18090
grpc=18091
base="http://127.0.0.1:$port"

echo "== build: mvn -B -q -o -DskipTests package -pl ringfold-cli -am" >&2
mvn -B -q -o -DskipTests package -pl ringfold-cli -am >&2

repo="$out/repo"
if [ ! -f "$repo/mlp/1/model.onnx" ]; then
  ./ringfold train --data digits --model mlp --hidden 128 --epochs 2 --seed 1 --out "$out/trained" >&2
  mkdir -p "$repo/mlp/1"
  ./ringfold export --format onnx "$out/trained" "$repo/mlp/1/model.onnx" >&2
fi

row='0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0'
# JSON bodies, and bodies of Triton's binary extension as tritonclient's HTTP client sends them by default (the rows
# as little-endian bytes after a JSON header, every output asked for in binary): DIR/v2-N.bin, its header's length
# in DIR/v2-N.hlen.
python3 - "$out" "$row" <<'PY'
import json, struct, sys
out, row = sys.argv[1], [float(v) for v in sys.argv[2].split(",")]
for n in (1, 64):
    data = row * n
    with open(f"{out}/v2-{n}.json", "w") as f:
        json.dump({"inputs": [{"name": "input", "shape": [n, 64], "datatype": "FP32", "data": data}]}, f)
    header = json.dumps({"inputs": [{"name": "input", "shape": [n, 64], "datatype": "FP32",
                                     "parameters": {"binary_data_size": 4 * len(data)}}],
                         "parameters": {"binary_data_output": True}}).encode()
    with open(f"{out}/v2-{n}.bin", "wb") as f:
        f.write(header + struct.pack(f"<{len(data)}f", *data))
    with open(f"{out}/v2-{n}.hlen", "w") as f:
        f.write(str(len(header)))
PY
cat bench/serving/post.lua bench/serving/report.lua > "$out/post.lua"

scrape() { curl -s "$base/metrics" > "$out/metrics.$1"; }
metric() {
  awk -v k="ringfold_$2{model=\"mlp\"" 'index($0, k) == 1 { print $2; found = 1 } END { if (!found) print 0 }' "$out/metrics.$1"
}
# Mean µs per request of the server's own time and of its compute (the backend's batch function: input tensors
# created, the session run, outputs copied out), over the window between the two scrapes.
server_us() {
  python3 -c "
rs = $(metric after request_duration_seconds_sum) - $(metric before request_duration_seconds_sum)
rc = $(metric after request_duration_seconds_count) - $(metric before request_duration_seconds_count)
cs = $(metric after compute_duration_seconds_sum) - $(metric before compute_duration_seconds_sum)
print('%.1f %.1f' % (rs / rc * 1e6, cs / rc * 1e6) if rc else '- -')"
}

server_pid=""
start_server() {
  ./ringfold serve --repository "$repo" --host 127.0.0.1 --port "$port" --grpc-port "$grpc" --poll-seconds 0 "$@" \
    > "$out/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    if curl -sf "$base/v2/health/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "onnx.sh: server not ready after 30 s; see $out/server.log" >&2
  exit 1
}
stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || true
}

: > "$out/results.txt"
# One client over HTTP: $1 mode, $2 rows, $3 form (json or binary).
measure_http() {
  local body="$out/v2-$2.json" hlen=""
  if [ "$3" = binary ]; then body="$out/v2-$2.bin"; hlen=$(cat "$out/v2-$2.hlen"); fi
  BODY="$body" HEADER_LENGTH="$hlen" wrk -t1 -c1 -d5s -s "$out/post.lua" "$base/v2/models/mlp/infer" > /dev/null
  scrape before
  local line
  line=$(BODY="$body" HEADER_LENGTH="$hlen" wrk -t1 -c1 -d"${seconds}s" --latency -s "$out/post.lua" \
    "$base/v2/models/mlp/infer" | tee -a "$out/wrk.log" | grep '^RESULT')
  scrape after
  # RESULT rps mean p50 p99 errors non2xx
  if [ "$(echo "$line" | awk '{print $6 + $7}')" != 0 ]; then
    echo "onnx.sh: $1 http $3 $2 rows: requests failed ($line)" >&2
    exit 1
  fi
  echo "$1 http-$3 $2 $(server_us) $(echo "$line" | awk '{print $2}')" >> "$out/results.txt"
}
# One client over gRPC: $1 mode, $2 rows, $3 form (typed: fp32_contents; raw: raw_input_contents, as tritonclient).
measure_grpc() {
  local flag=""
  if [ "$3" = raw ]; then flag="--raw"; fi
  scrape before
  local g
  g=$(./ringfold bench grpc --target "127.0.0.1:$grpc" --model mlp --connections 1 --rows "$2" $flag \
    --duration "$seconds" --warmup 15 --json | tail -1)
  scrape after
  echo "$1 grpc-$3 $2 $(server_us) $(echo "$g" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["requests_per_second"])')" \
    >> "$out/results.txt"
}
measure_all() {
  for n in 1 64; do
    measure_http "$1" "$n" json
    measure_http "$1" "$n" binary
    measure_grpc "$1" "$n" typed
    measure_grpc "$1" "$n" raw
  done
}

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "git: $(git rev-parse --short HEAD)$(git diff --quiet || echo -dirty)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/env.txt"

for n in 1 64; do
  ./ringfold bench onnx "$repo/mlp/1/model.onnx" --rows "$n" --seconds "$seconds" --json | tail -1 > "$out/direct-$n.json"
done
start_server
measure_all batching
stop_server
start_server --no-batching
measure_all no-batching
stop_server
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/env.txt"

python3 - "$out" <<'PY' | tee "$out/table.md"
import json, sys
out = sys.argv[1]
direct = {n: json.load(open(f"{out}/direct-{n}.json"))["us_per_run"] for n in (1, 64)}
print("| server | protocol, form | rows | ONNX Runtime direct µs (own process) | runtime in the server µs/request | server µs/request | server beyond the runtime µs | client req/s |")
print("|---|---|---|---|---|---|---|---|")
for line in open(out + "/results.txt"):
    mode, proto, n, server, compute, rps = line.split()[:6]
    d = direct[int(n)]
    beyond = "-" if server == "-" else "%.1f" % (float(server) - float(compute))
    print(f"| {mode} | {proto} | {n} | {d:.1f} | {compute} | {server} | {beyond} | {float(rps):,.0f} |")
PY
cat "$out/env.txt" >&2
