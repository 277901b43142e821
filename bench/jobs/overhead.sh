#!/usr/bin/env bash
# The job service's cost over running `train` by hand (issue 21's goal: under 2 s per job), and its
# submit-to-running latency with an idle service. Starts `ringfold jobs serve` on a scratch data directory, then
# --runs times: the same small `train` by hand (wall time of the command) and as a job (finished_at - created_at
# from the API, which covers the queue, the process start, the log and progress writes and the summary), and the
# job's started_at - created_at. Prints one line per run and the medians.
#
#   bench/jobs/overhead.sh [--runs N] [--epochs N]
#
# Both paths start one JVM for `train`; the job's timing starts when the API has queued it (the client's own JVM
# is not counted). Needs curl and python3. The service and the training share this machine's cores.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
RUNS=5
EPOCHS=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "overhead.sh: unknown argument $1 (expected: --runs N, --epochs N)" >&2; exit 2 ;;
  esac
done

work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
cleanup() { [[ -n "${svc:-}" ]] && kill "$svc" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
./ringfold jobs serve --port "$port" --data-dir "$work/data" > "$work/service.log" 2>&1 &
svc=$!
url="http://127.0.0.1:$port"
for _ in $(seq 1 120); do curl -sf "$url/api/v1/openapi.yaml" > /dev/null && break; sleep 0.5; done

args=(--data digits --hidden 32 --epochs "$EPOCHS" --seed 1)
json_args=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "${args[@]}")
python3 - "$url" "$RUNS" "$work" "$json_args" <<'PY'
import json, subprocess, sys, time, urllib.request, statistics
from datetime import datetime
url, runs, work, args = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
def ts(s): return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
hand, job, latency = [], [], []
for i in range(runs):
    t0 = time.time()
    subprocess.run(["./ringfold", "train", *args, "--out", f"{work}/hand{i}", "--json"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    hand.append(time.time() - t0)
    req = urllib.request.Request(url + "/api/v1/jobs", data=json.dumps({"name": f"bench-{i}", "arguments": args}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    jid = json.load(urllib.request.urlopen(req))["id"]
    while True:
        j = json.load(urllib.request.urlopen(f"{url}/api/v1/jobs/{jid}"))
        if j["state"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(0.05)
    assert j["state"] == "SUCCEEDED", j
    job.append(ts(j["finished_at"]) - ts(j["created_at"]))
    latency.append(ts(j["started_at"]) - ts(j["created_at"]))
    print(f"run {i + 1}: by hand {hand[-1]:.2f} s, as a job {job[-1]:.2f} s (overhead {job[-1] - hand[-1]:+.2f} s), "
          f"submit to running {latency[-1] * 1000:.0f} ms", flush=True)
m = statistics.median
print(f"median: by hand {m(hand):.2f} s, as a job {m(job):.2f} s, overhead {m(job) - m(hand):+.2f} s "
      f"(goal < 2 s), submit to running {m(latency) * 1000:.0f} ms")
PY
