#!/usr/bin/env bash
# Data-parallel scaling of issue 3 (Performance): the MLP 784-128-10 on Fashion-MNIST trained with 1 and
# 2 single-threaded workers, as threads (--workers N) and as processes (launch --nproc N), in interleaved
# rounds, so that every ratio compares runs taken minutes apart on the same machine. JSON lines go to
# stdout and RUN_DIR/results.jsonl; a table of medians and 2-vs-1 ratios follows.
#
#   bench/scaling/run.sh [--rounds N] [--epochs E] [--skip K] [--configs LIST] [--run-dir DIR] [-- EXTRA TRAIN FLAGS]
#
# --rounds N (default 3); --epochs E (default 6); --skip K (default 1): the first K epochs of each run
# are left out of its steady-state figure, which is the median of the other epochs' seconds (the first
# epoch carries the JIT compiler's warm-up, which competes with the workers for the cores; the median
# over all epochs is reported beside it). --configs: comma-separated subset of w1,w2,p1,p2,p2tcp,i2
# (default all but i2). Arguments after -- go to every train command (e.g. -- --allreduce float32).
# Environment: RINGFOLD (default ./ringfold at the repository root).
#
# i2 is the host's ceiling, not a Ringfold configuration: two independent --workers 1 trainings started
# together, sharing nothing but the machine. 2 x w1 / i2 is the most any 2-worker run can scale at that
# time; a host period in which the two vCPUs slow each other down (as hyperthreads of one core would)
# lowers it, and no communication code can beat it.
#
# Each JSON line and the table carry steal_seconds: the CPU time the hypervisor gave to other guests
# during the run (/proc/stat); two workers in lockstep lose about twice what is stolen from either core.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RINGFOLD="${RINGFOLD:-$ROOT/ringfold}"
die() { echo "run.sh: $*" >&2; exit 1; }

ROUNDS=3
EPOCHS=6
SKIP=1
CONFIGS="w1,w2,p1,p2,p2tcp"
RUN_DIR=""
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--rounds: ${2:-missing} (expected: a positive integer)"; ROUNDS="$2"; shift 2 ;;
    --epochs) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--epochs: ${2:-missing} (expected: a positive integer)"; EPOCHS="$2"; shift 2 ;;
    --skip) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die "--skip: ${2:-missing} (expected: an integer >= 0)"; SKIP="$2"; shift 2 ;;
    --configs) [[ $# -ge 2 ]] || die "--configs: missing value (expected: e.g. w1,w2)"; CONFIGS="$2"; shift 2 ;;
    --run-dir) [[ $# -ge 2 ]] || die "--run-dir: missing value (expected: a directory)"; RUN_DIR="$2"; shift 2 ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (expected: --rounds, --epochs, --skip, --configs, --run-dir, --)" ;;
  esac
done
(( SKIP < EPOCHS )) || die "--skip $SKIP: must be less than --epochs $EPOCHS"
[[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]] \
  || die "Fashion-MNIST not found (expected: apt-get install dataset-fashion-mnist)"
RUN_DIR="${RUN_DIR:-$ROOT/runs/scaling-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$RUN_DIR"
: > "$RUN_DIR/results.jsonl"

TRAIN=(train --data fashion-mnist --hidden 128 --epochs "$EPOCHS" --seed 1 --json)
"$RINGFOLD" --version >/dev/null 2>&1 || true   # builds the jar once, outside the timed runs

# CPU time the hypervisor gave to others while this VM's CPUs wanted to run (the steal column of /proc/stat,
# all CPUs): a 2-worker run in lockstep loses about twice what is stolen from either core.
steal_ticks() { awk '/^cpu / { print $9 }' /proc/stat; }

run_one() { # config round
  local config="$1" round="$2" out="$RUN_DIR/$1-$2" cmd
  case "$config" in
    w1) cmd=("$RINGFOLD" "${TRAIN[@]}" --out "$out" --workers 1) ;;
    w2) cmd=("$RINGFOLD" "${TRAIN[@]}" --out "$out" --workers 2) ;;
    p1) cmd=("$RINGFOLD" launch --nproc 1 -- "${TRAIN[@]}" --out "$out") ;;
    p2) cmd=("$RINGFOLD" launch --nproc 2 -- "${TRAIN[@]}" --out "$out") ;;
    p2tcp) cmd=("$RINGFOLD" launch --nproc 2 -- "${TRAIN[@]}" --out "$out" --transport tcp) ;;
    i2) cmd=("$RINGFOLD" "${TRAIN[@]}" --workers 1) ;;   # twice at once, --out added per copy below
    *) die "--configs: unknown configuration $config (expected: w1, w2, p1, p2, p2tcp, i2)" ;;
  esac
  cmd+=("${EXTRA[@]}")
  local load steal0 steal1 outs
  load="$(cut -d' ' -f1 /proc/loadavg)"
  steal0="$(steal_ticks)"
  if [[ "$config" == i2 ]]; then
    local a b
    "${cmd[@]}" --out "$out-a" > "$RUN_DIR/$config-$round-a.out" 2> "$RUN_DIR/$config-$round-a.err" & a=$!
    "${cmd[@]}" --out "$out-b" > "$RUN_DIR/$config-$round-b.out" 2> "$RUN_DIR/$config-$round-b.err" & b=$!
    wait "$a" || { kill "$b" 2>/dev/null || true; die "$config round $round (first copy) failed (see $RUN_DIR/$config-$round-a.err)"; }
    wait "$b" || die "$config round $round (second copy) failed (see $RUN_DIR/$config-$round-b.err)"
    outs="$RUN_DIR/$config-$round-a.out:$RUN_DIR/$config-$round-b.out"
  else
    "${cmd[@]}" > "$RUN_DIR/$config-$round.out" 2> "$RUN_DIR/$config-$round.err" \
      || die "$config round $round failed (see $RUN_DIR/$config-$round.err)"
    outs="$RUN_DIR/$config-$round.out"
  fi
  steal1="$(steal_ticks)"
  python3 - "$config" "$round" "$SKIP" "$load" "$outs" "${cmd[*]}" \
      "$(( steal1 - steal0 ))" "$(getconf CLK_TCK)" <<'PY' | tee -a "$RUN_DIR/results.jsonl"
import json, statistics, sys
config, rnd, skip, load, paths, cmd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
steal = int(sys.argv[7]) / int(sys.argv[8])
results = []
for path in paths.split(":"):
    result = None
    for line in open(path):
        line = line.strip()
        if not line.startswith("{"):
            continue
        o = json.loads(line)
        if "epoch_seconds" in o:
            result = o
    if result is None:
        sys.exit(f"run.sh: {path}: no result line with epoch_seconds")
    results.append(result)
# One run: its own figures. The independent pair (i2): each copy's epoch seconds, and the mean of the two
# copies' medians, so that 2 x w1 / i2 is the pair's combined samples/s against one run's.
epochs = [r["epoch_seconds"] for r in results]
print(json.dumps({"config": config, "round": rnd, "epoch_seconds": epochs[0] if len(epochs) == 1 else epochs,
                  "median_epoch_seconds": statistics.mean(statistics.median(e) for e in epochs),
                  "steady_epoch_seconds": statistics.mean(statistics.median(e[skip:]) for e in epochs),
                  "workers": results[0].get("workers"),
                  "parameter_digest": ",".join(sorted({r.get("parameter_digest", "")[:16] for r in results})),
                  "wait_seconds": [round(t["wait_seconds"], 3) for t in results[0].get("telemetry", [])],
                  "load_before": load, "steal_seconds": round(steal, 2), "command": cmd}))
PY
}

IFS=, read -r -a LIST <<< "$CONFIGS"
for ((r = 1; r <= ROUNDS; r++)); do
  for c in "${LIST[@]}"; do
    run_one "$c" "$r"
  done
done

python3 - "$RUN_DIR/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in rows:
    by.setdefault(r["config"], []).append(r)
print()
print("| configuration | steady s/epoch per round | median | all-epoch median per round | stolen s per round | digest |")
print("|---|---|---|---|---|---|")
for c, rs in by.items():
    steady = [r["steady_epoch_seconds"] for r in rs]
    print(f"| {c} | {', '.join(f'{s:.3f}' for s in steady)} | {statistics.median(steady):.3f} | "
          f"{', '.join('%.3f' % r['median_epoch_seconds'] for r in rs)} | "
          f"{', '.join('%.2f' % r.get('steal_seconds', 0) for r in rs)} | {', '.join(sorted({r['parameter_digest'][:8] for r in rs}))} |")
print()
for two, one in (("i2", "w1"), ("w2", "w1"), ("p2", "p1"), ("p2tcp", "p1")):
    if two in by and one in by:
        pairs = list(zip(by[one], by[two]))
        # The independent pair runs two copies: its samples/s are twice one copy's.
        k = 2 if two == "i2" else 1
        steady = [k * a["steady_epoch_seconds"] / b["steady_epoch_seconds"] for a, b in pairs]
        full = [k * a["median_epoch_seconds"] / b["median_epoch_seconds"] for a, b in pairs]
        print(f"{two} vs {one}: steady {', '.join(f'{x:.2f}x' for x in steady)} (median {statistics.median(steady):.2f}x); "
              f"all epochs {', '.join(f'{x:.2f}x' for x in full)} (median {statistics.median(full):.2f}x)")
# Against the ceiling of the same round: the share of what the host allowed that the 2-worker run reached.
if "i2" in by and "w1" in by:
    ceiling = [2 * a["steady_epoch_seconds"] / b["steady_epoch_seconds"] for a, b in zip(by["w1"], by["i2"])]
    for two, one in (("w2", "w1"), ("p2", "p1"), ("p2tcp", "p1")):
        if two in by and one in by:
            share = [(a["steady_epoch_seconds"] / b["steady_epoch_seconds"]) / c
                     for a, b, c in zip(by[one], by[two], ceiling)]
            print(f"{two} vs {one} against the i2 ceiling (steady): {', '.join(f'{x:.0%}' for x in share)} "
                  f"(median {statistics.median(share):.0%})")
PY
