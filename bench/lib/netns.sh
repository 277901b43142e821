# shellcheck shell=bash
# Two network namespaces joined by a veth pair, for the benchmarks that shape a link between two ranks
# (bench/allreduce-netns.sh, bench/pipeline/netns.sh). Sourced, not run; the caller has `set -euo pipefail`,
# runs as root and defines die().

# netns_pair TAG SUBNET: creates namespaces NS0=TAG-0 and NS1=TAG-1 with addresses ADDR0=SUBNET.1 and
# ADDR1=SUBNET.2 on veth ends TAG-a and TAG-b, and removes them (killing what runs inside) on exit.
netns_pair() {
  TAG="$1"
  NS0="$TAG-0"; NS1="$TAG-1"
  ADDR0="$2.1"; ADDR1="$2.2"
  trap netns_cleanup EXIT INT TERM
  ip netns add "$NS0"
  ip netns add "$NS1"
  # Both ends are created inside the namespaces, so nothing is added to this machine's own network.
  ip link add "$TAG-a" netns "$NS0" type veth peer name "$TAG-b" netns "$NS1"
  ip -n "$NS0" addr add "$ADDR0/24" dev "$TAG-a"
  ip -n "$NS1" addr add "$ADDR1/24" dev "$TAG-b"
  for ns in "$NS0" "$NS1"; do ip -n "$ns" link set lo up; done
  ip -n "$NS0" link set "$TAG-a" up
  ip -n "$NS1" link set "$TAG-b" up
}

netns_cleanup() {
  ip netns pids "$NS0" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns pids "$NS1" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "$NS0" 2>/dev/null || true
  ip netns del "$NS1" 2>/dev/null || true
}
