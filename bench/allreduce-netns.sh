#!/usr/bin/env bash
# Allreduce bus bandwidth against raw TCP where the network, not the CPU, is what limits: two Linux network
# namespaces (two "machines" with their own network stack) joined by a veth pair, each end shaped to RATE
# per direction with tc's token bucket filter, so the pair behaves as a full-duplex link of that rate. One
# process per namespace runs `ringfold bench allreduce --rank R --world-size 2 --rendezvous ... --transport tcp`,
# as one process per machine would; rank 0 prints one JSON line per size, with raw TCP measured over the
# same link in the same run. A summary of the median busbw / raw TCP per size follows.
#
#   bench/allreduce-netns.sh [--rate RATE] [--sizes LIST] [--iterations N] [--warmup N] [--runs N]
#
# --rate: a tc rate (default 1gbit; `none` leaves the veth unshaped, where the CPU limits again);
# --sizes (default 4M,16M,64M); --iterations (default 20) and --warmup (default 5) per size; --runs
# (default 3). Needs root and iproute2 (ip, tc); leaves no namespace behind, even when interrupted.
# Environment: RINGFOLD (default ./ringfold at the repository root).
#
# What it stands for and what it does not: a link of known rate between two network stacks, as between two
# machines, but both ends share this machine's cores and memory. It shows how close the ring's busbw gets
# to what one TCP stream gets over the same link; it is not a measurement of two real hosts' NICs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RINGFOLD="${RINGFOLD:-$ROOT/ringfold}"
die() { echo "allreduce-netns.sh: $*" >&2; exit 1; }

RATE=1gbit
SIZES=4M,16M,64M
ITERATIONS=20
WARMUP=5
RUNS=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rate) [[ $# -ge 2 && "$2" =~ ^(none|[0-9]+(\.[0-9]+)?[kmg]?bit)$ ]] || die "--rate: ${2:-missing} (expected: e.g. 1gbit, 500mbit or none)"; RATE="$2"; shift 2 ;;
    --sizes) [[ $# -ge 2 ]] || die "--sizes: missing value (expected: e.g. 4M,16M)"; SIZES="$2"; shift 2 ;;
    --iterations) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--iterations: ${2:-missing} (expected: a positive integer)"; ITERATIONS="$2"; shift 2 ;;
    --warmup) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die "--warmup: ${2:-missing} (expected: an integer >= 0)"; WARMUP="$2"; shift 2 ;;
    --runs) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--runs: ${2:-missing} (expected: a positive integer)"; RUNS="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (expected: --rate, --sizes, --iterations, --warmup, --runs)" ;;
  esac
done
[[ $EUID -eq 0 ]] || die "needs root (it creates network namespaces)"
command -v ip >/dev/null && command -v tc >/dev/null || die "ip and tc not found (expected: apt-get install iproute2)"

# shellcheck source=lib/netns.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/netns.sh"
PORT=29500
netns_pair "rf$$" 10.213.0
if [[ "$RATE" != none ]]; then
  # Each end shapes what it sends: RATE in each direction at once, as a full-duplex link. The bucket holds
  # 10 ms of traffic (at least 256 KiB), enough for the timer's granularity and negligible against a
  # transfer of megabytes.
  bytes_per_s=$(python3 -c "
import re,sys
m=re.fullmatch(r'([0-9.]+)([kmg]?)bit','$RATE'); v=float(m.group(1))*{'':1,'k':1e3,'m':1e6,'g':1e9}[m.group(2)]/8
print(int(v))")
  burst=$(( bytes_per_s / 100 > 262144 ? bytes_per_s / 100 : 262144 ))
  tc -n "$NS0" qdisc add dev "$TAG-a" root tbf rate "$RATE" burst "$burst" latency 50ms
  tc -n "$NS1" qdisc add dev "$TAG-b" root tbf rate "$RATE" burst "$burst" latency 50ms
fi

"$RINGFOLD" --version >/dev/null 2>&1 || true   # builds the jar once, outside the namespaces
OUT="$(mktemp)"
BENCH=(bench allreduce --world-size 2 --rendezvous "$ADDR0:$PORT" --transport tcp --sizes "$SIZES"
       --iterations "$ITERATIONS" --warmup "$WARMUP" --json)
for run in $(seq 1 "$RUNS"); do
  ip netns exec "$NS1" "$RINGFOLD" "${BENCH[@]}" --rank 1 >/dev/null 2>"$OUT.err1" &
  rank1=$!
  if ! ip netns exec "$NS0" "$RINGFOLD" "${BENCH[@]}" --rank 0 2>"$OUT.err0" | sed "s/^{/{\"run\": $run, \"rate\": \"$RATE\", /" | tee -a "$OUT"; then
    cat "$OUT.err0" >&2
    die "run $run: rank 0 failed"
  fi
  wait "$rank1" || { cat "$OUT.err1" >&2; die "run $run: rank 1 failed"; }
done

python3 - "$OUT" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
print()
print('| size | busbw GB/s per run | raw TCP one way GB/s per run | raw duplex GB/s per run | median busbw / raw one way |')
print('|---|---|---|---|---|')
for size in sorted({r['size_bytes'] for r in rows}):
    rs = [r for r in rows if r['size_bytes'] == size]
    ratio = statistics.median(r['busbw_gbps'] / r['raw_tcp_gbps'] for r in rs)
    print('| %d | %s | %s | %s | %.0f%% |' % (size, ' '.join('%.3f' % r['busbw_gbps'] for r in rs),
          ' '.join('%.3f' % r['raw_tcp_gbps'] for r in rs), ' '.join('%.3f' % r['raw_tcp_duplex_gbps'] for r in rs),
          100 * ratio))
PY
rm -f "$OUT" "$OUT.err0" "$OUT.err1"
