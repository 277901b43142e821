#!/usr/bin/env bash
# The pipeline cost model (bench/pipeline/costmodel.py, docs/model-parallel.md "Cost model") against a
# two-stage pipeline whose stages talk over a network link of known rate: two Linux network namespaces (two
# "machines" with their own network stack) joined by a veth pair, each end shaped to RATE per direction with
# tc's token bucket filter (and, where the kernel has netem, DELAY more latency each way), as
# bench/allreduce-netns.sh does. One process per namespace runs
# `ringfold train ... --pipeline-stages 2 --rank R --world-size 2 --rendezvous 10.214.0.1:PORT --transport tcp`:
# stage 0 (the first two dense layers) in one, stage 1 in the other. The network and data are those of
# bench/pipeline/run.sh (MLP 784-512-784-512-784-10 on the first ROWS rows of Fashion-MNIST, batch 512 in 16
# shards): the boundary is 784 wide, so a step moves 512 x 784 x 4 = 1.6 MB of activations forward and as much
# gradient back, in M messages each way.
#
#   bench/pipeline/netns.sh [--rates LIST] [--delays LIST] [--burst-ms MS] [--micro-batches LIST] [--schedule S]
#                           [--runs N] [--epochs E] [--skip K] [--rows R] [--run-dir DIR]
#
# --rates: tc rates, `none` for the unshaped veth (default none,1gbit,100mbit; `none` must be among them: its
# runs calibrate each stage's compute for the model); --delays: added one-way latency in ms (default 0; more
# needs netem in the kernel, `modprobe sch_netem`); --burst-ms (default 1): tbf's bucket, in milliseconds of
# the rate (at least 16 KiB): what a direction may send at once after idling, which the model simulates too
# (a bucket of 10 ms, as bench/allreduce-netns.sh uses, lets most of a step's 1.6 MB through unshaped at
# 1 Gbit/s); --micro-batches (default 1,4,16); --schedule (default
# 1f1b); --runs (default 2) rounds over every link and M; --epochs (default 3), --skip (default 1): the steady
# step is the median epoch after the first K over the steps of an epoch; --rows (default 4096: 8 steps an
# epoch). Each link's latency alpha is measured in the same run (TCP ping-pong of 8 bytes between the
# namespaces, half the median round trip); its bandwidth beta is the rate times 1448/1514 (a full frame's TCP
# payload). The table compares the measured step with the model's, from the unshaped runs' compute.
# Needs root and iproute2 (ip, tc); leaves no namespace behind, even when interrupted.
# Environment: RINGFOLD (default ./ringfold at the repository root).
#
# What it stands for and what it does not: a link of known rate between two network stacks, as between two
# machines, but both processes share this machine's 2 cores and memory (the stages' compute is timed under
# that sharing, in the calibration runs as in the shaped ones); it is not two real hosts' NICs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RINGFOLD="${RINGFOLD:-$ROOT/ringfold}"
die() { echo "netns.sh: $*" >&2; exit 1; }

RATES=none,1gbit,100mbit
DELAYS=0
BURST_MS=1
MICRO=1,4,16
SCHEDULE=1f1b
RUNS=2
EPOCHS=3
SKIP=1
ROWS=4096
RUN_DIR=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rates) [[ $# -ge 2 && "$2" =~ ^(none|[0-9]+(\.[0-9]+)?[kmg]?bit)(,(none|[0-9]+(\.[0-9]+)?[kmg]?bit))*$ ]] || die "--rates: ${2:-missing} (expected: tc rates or none, e.g. none,1gbit,100mbit)"; RATES="$2"; shift 2 ;;
    --delays) [[ $# -ge 2 && "$2" =~ ^[0-9]+(\.[0-9]+)?(,[0-9]+(\.[0-9]+)?)*$ ]] || die "--delays: ${2:-missing} (expected: milliseconds, e.g. 0,1)"; DELAYS="$2"; shift 2 ;;
    --burst-ms) [[ $# -ge 2 && "$2" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--burst-ms: ${2:-missing} (expected: milliseconds, e.g. 1)"; BURST_MS="$2"; shift 2 ;;
    --micro-batches) [[ $# -ge 2 && "$2" =~ ^(1|2|4|8|16)(,(1|2|4|8|16))*$ ]] || die "--micro-batches: ${2:-missing} (expected: divisors of the 16 shards, e.g. 1,4,16)"; MICRO="$2"; shift 2 ;;
    --schedule) [[ $# -ge 2 && "$2" =~ ^(1f1b|gpipe)$ ]] || die "--schedule: ${2:-missing} (expected: 1f1b or gpipe)"; SCHEDULE="$2"; shift 2 ;;
    --runs) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--runs: ${2:-missing} (expected: a positive integer)"; RUNS="$2"; shift 2 ;;
    --epochs) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--epochs: ${2:-missing} (expected: a positive integer)"; EPOCHS="$2"; shift 2 ;;
    --skip) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die "--skip: ${2:-missing} (expected: an integer >= 0)"; SKIP="$2"; shift 2 ;;
    --rows) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ && "$2" -le 60000 ]] || die "--rows: ${2:-missing} (expected: 1 to 60000)"; ROWS="$2"; shift 2 ;;
    --run-dir) [[ $# -ge 2 ]] || die "--run-dir: missing value (expected: a directory)"; RUN_DIR="$2"; shift 2 ;;
    -h|--help) sed -n '2,32p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (expected: --rates, --delays, --burst-ms, --micro-batches, --schedule, --runs, --epochs, --skip, --rows, --run-dir)" ;;
  esac
done
(( SKIP < EPOCHS )) || die "--skip $SKIP: must be less than --epochs $EPOCHS"
[[ ",$RATES," == *,none,* ]] || die "--rates: $RATES (expected: none among them; the unshaped runs calibrate the model)"
[[ $EUID -eq 0 ]] || die "needs root (it creates network namespaces)"
command -v ip >/dev/null && command -v tc >/dev/null || die "ip and tc not found (expected: apt-get install iproute2)"
FASHION=/usr/share/datasets/fashion-mnist
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  [[ -f "$FASHION/$f" ]] || die "Fashion-MNIST: $FASHION/$f not found (expected: apt-get install dataset-fashion-mnist)"
done

# shellcheck source=../lib/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/netns.sh"
PORT=29600
netns_pair "rfp$$" 10.214.0

IFS=, read -r -a DELAY_LIST <<< "$DELAYS"
for d in "${DELAY_LIST[@]}"; do
  if [[ "$d" != 0 && "$d" != 0.0 ]]; then
    tc -n "$NS0" qdisc add dev "$TAG-a" root netem delay 1ms 2>/dev/null \
      || die "--delays $DELAYS: this kernel has no netem qdisc (expected: modprobe sch_netem; or --delays 0)"
    tc -n "$NS0" qdisc del dev "$TAG-a" root
    break
  fi
done

# burst RATE: tbf's bucket in bytes, BURST_MS of the rate and at least 16 KiB (0 unshaped).
burst() {
  [[ "$1" == none ]] && { echo 0; return; }
  python3 -c "
import re
m=re.fullmatch(r'([0-9.]+)([kmg]?)bit','$1'); print(max(16384, int(float(m.group(1))*{'':1,'k':1e3,'m':1e6,'g':1e9}[m.group(2)]/8*$BURST_MS/1000)))"
}

# shape RATE DELAY_MS: each end delays (netem) and rate-limits (tbf) what it sends, so the pair is a
# full-duplex link of RATE with DELAY_MS more latency each way.
shape() {
  local rate="$1" delay="$2" ns dev parent
  for ns in "$NS0" "$NS1"; do
    dev="$TAG-a"; [[ "$ns" == "$NS1" ]] && dev="$TAG-b"
    tc -n "$ns" qdisc del dev "$dev" root 2>/dev/null || true
    parent=root
    if [[ "$delay" != 0 && "$delay" != 0.0 ]]; then
      tc -n "$ns" qdisc add dev "$dev" root handle 1: netem delay "${delay}ms"
      parent="parent 1:"
    fi
    if [[ "$rate" != none ]]; then
      # shellcheck disable=SC2086  # parent is "root" or "parent 1:", two words
      tc -n "$ns" qdisc add dev "$dev" $parent handle 2: tbf rate "$rate" burst "$(burst "$rate")" latency 50ms
    fi
  done
}

# One-way latency of the link as it is shaped now: half the median round trip of 8-byte TCP messages.
latency() {
  local port=$((PORT + 1))
  ip netns exec "$NS1" python3 -c "
import socket
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('$ADDR1', $port)); s.listen(1)
c,_=s.accept(); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
while True:
    b=c.recv(8)
    if not b: break
    c.sendall(b)" &
  local server=$!
  ip netns exec "$NS0" python3 -c "
import socket, statistics, time
for i in range(100):
    try:
        c=socket.create_connection(('$ADDR1', $port)); break
    except OSError: time.sleep(0.05)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
rtt=[]
for i in range(300):
    t=time.perf_counter(); c.sendall(b'12345678'); n=0
    while n < 8: n+=len(c.recv(8-n))
    rtt.append(time.perf_counter()-t)
c.close(); print(statistics.median(rtt[50:])/2)"
  wait "$server" || true
}

RUN_DIR="${RUN_DIR:-$ROOT/runs/pipeline-netns-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$RUN_DIR"
: > "$RUN_DIR/results.jsonl"
python3 "$ROOT/bench/pipeline/costmodel.py" subset "$FASHION" "$RUN_DIR/data" "$ROWS" 1000
DATA="idx:$RUN_DIR/data/train-images,$RUN_DIR/data/train-labels?test=$RUN_DIR/data/test-images,$RUN_DIR/data/test-labels"
TRAIN=(train --data "$DATA" --hidden 512,784,512,784 --batch-size 512 --shards 16 --epochs "$EPOCHS" --seed 1 --json
       --pipeline-stages 2 --stage-boundaries 4 --pipeline-schedule "$SCHEDULE" --world-size 2
       --rendezvous "$ADDR0:$PORT" --transport tcp)
"$RINGFOLD" --version >/dev/null 2>&1 || true   # builds the jar once, outside the namespaces
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M') UTC; git: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo -dirty)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $(uname -sr); $(java -version 2>&1 | head -1)"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$RUN_DIR/machine.txt"

IFS=, read -r -a RATE_LIST <<< "$RATES"
IFS=, read -r -a MS <<< "$MICRO"
for ((run = 1; run <= RUNS; run++)); do
  for rate in "${RATE_LIST[@]}"; do
    for delay in "${DELAY_LIST[@]}"; do
      shape "$rate" "$delay"
      alpha="$(latency)"
      for m in "${MS[@]}"; do
        name="$rate-d$delay-m$m-$run"
        ip netns exec "$NS1" "$RINGFOLD" "${TRAIN[@]}" --micro-batches "$m" --rank 1 --out "$RUN_DIR/$name-r1" \
          > "$RUN_DIR/$name-r1.out" 2> "$RUN_DIR/$name-r1.err" &
        rank1=$!
        load="$(cut -d' ' -f1 /proc/loadavg)"
        ip netns exec "$NS0" "$RINGFOLD" "${TRAIN[@]}" --micro-batches "$m" --rank 0 --out "$RUN_DIR/$name" \
          > "$RUN_DIR/$name.out" 2> "$RUN_DIR/$name.err" || { cat "$RUN_DIR/$name.err" >&2; die "$name: rank 0 failed"; }
        wait "$rank1" || { cat "$RUN_DIR/$name-r1.err" >&2; die "$name: rank 1 failed"; }
        python3 "$ROOT/bench/pipeline/costmodel.py" record "$RUN_DIR/$name.out" --mode netns --run "$run" \
            --skip "$SKIP" --load "$load" --command "ip netns exec NS_R ${RINGFOLD} ${TRAIN[*]} --micro-batches $m --rank R" \
            --extra "{\"rate\": \"$rate\", \"delay_ms\": $delay, \"alpha_seconds\": $alpha, \"burst_bytes\": $(burst "$rate"), \"batch\": 512, \"boundary_widths\": [784]}" \
          | tee -a "$RUN_DIR/results.jsonl"
      done
    done
  done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RUN_DIR/machine.txt"
python3 "$ROOT/bench/pipeline/costmodel.py" check "$RUN_DIR/results.jsonl"
