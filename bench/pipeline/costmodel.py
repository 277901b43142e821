#!/usr/bin/env python3
"""The pipeline benchmarks' arithmetic: the alpha-beta cost model of a pipeline step, the records and tables of
bench/pipeline/run.sh and bench/pipeline/netns.sh, and the model's predictions for 8-64 stages and nodes.

    costmodel.py subset FASHION_DIR OUT_DIR ROWS TEST_ROWS   the first rows of Fashion-MNIST as IDX files
    costmodel.py record OUT --mode M --run R ...             one JSON line from a train --json output
    costmodel.py sweep RESULTS.jsonl                          run.sh's table: samples/s, bubble, analytic
    costmodel.py check RESULTS.jsonl                          netns.sh's table: measured step against the model
    costmodel.py predict [--gflops G] [--heap-gib H]          K, M and N for 8-64 workers on a few links

Standard library only; its tests: python3 bench/pipeline/test_costmodel.py.

The model (docs/model-parallel.md, "Cost model"). One step of N replicas of a K-stage pipeline, global batch
b, r = b / N rows per replica in M micro-batches. Stage k computes the forward and backward passes of its
r rows in C_k seconds, which does not depend on M (the passes run shard by shard), so c_k = C_k / M per
micro-batch (a third forward, two thirds backward for dense layers). Between stage k and k + 1 each
micro-batch's activations go forward and their gradients back: t_k = alpha + 4 (r / M) w_k / beta seconds
each (w_k the boundary's width, float32). Without overlap of transfers and compute the phase is at most

    t_pipe <= (M + K - 1) * max_k (c_k + 2 t_k),   = (M + K - 1) c for equal stages and free links,

so every stage idles (K - 1) / (M + K - 1) of it (GPipe's bubble, 1F1B's too). Ringfold's sends return once
the socket buffers hold the bytes, so transfers overlap the sender's next pass: simulate_phase plays the
exact order of PipelineStep's operations on full-duplex links instead. Then each stage's N replicas sum
their gradients by ring allreduce of P_k float32 parameters and step the optimizer (u seconds a parameter):

    t_ar = 2 (N - 1) / N * 4 P_k / beta + 2 (N - 1) alpha
    t_step = t_pipe + max_k (t_ar(P_k) + u P_k),   samples/s = b / t_step
"""

import argparse
import gzip
import json
import math
import os
import statistics
import struct
import sys

FLOAT_BYTES = 4


# ---------------------------------------------------------------------------------------------- the model

def transfer_seconds(rows, width, alpha, beta):
    """One activation (or gradient) message of rows x width float32 over a link of latency alpha (s) and
    bandwidth beta (bytes/s)."""
    if rows < 0 or width < 0:
        raise ValueError(f"rows, width: {rows}, {width} (expected: >= 0)")
    if beta <= 0:
        raise ValueError(f"beta: {beta} (expected: > 0 bytes/s)")
    return alpha + FLOAT_BYTES * rows * width / beta


def ring_allreduce_seconds(parameters, replicas, alpha, beta):
    """Ring allreduce of `parameters` float32 among `replicas`: 2 (N-1)/N of the bytes cross each link, in
    2 (N-1) messages. Zero for one replica."""
    if replicas < 1:
        raise ValueError(f"replicas: {replicas} (expected: >= 1)")
    if replicas == 1:
        return 0.0
    n = replicas
    return 2 * (n - 1) / n * FLOAT_BYTES * parameters / beta + 2 * (n - 1) * alpha


def analytic_bubble(stages, micro_batches):
    """GPipe's idle fraction of every stage for K equal stages and M micro-batches."""
    return (stages - 1) / (micro_batches + stages - 1)


def pipeline_seconds(stage_compute, widths, micro_batches, rows, alpha, beta):
    """The forward-backward phase of one step of one replica, with no overlap of compute and transfers: the
    closed-form bound of the module's docstring (simulate_phase is the model's own figure).

    stage_compute: C_k, seconds of forward and backward of stage k over the replica's `rows` rows of a step;
    widths: w_k, the width of the boundary after stage k (K - 1 values); the phase is M + K - 1 slots of
    the slowest stage's cycle (its micro-batch's compute and one message each way on its slower link).
    """
    k = len(stage_compute)
    if len(widths) != k - 1:
        raise ValueError(f"widths: {len(widths)} values (expected: {k - 1}, one per boundary of {k} stages)")
    if micro_batches < 1:
        raise ValueError(f"micro_batches: {micro_batches} (expected: >= 1)")
    mb_rows = rows / micro_batches
    cycle = 0.0
    for s in range(k):
        links = [transfer_seconds(mb_rows, widths[j], alpha, beta) for j in (s - 1, s) if 0 <= j < k - 1]
        cycle = max(cycle, stage_compute[s] / micro_batches + 2 * max(links, default=0.0))
    return (micro_batches + k - 1) * cycle


def schedule_ops(schedule, stage, stages, micro_batches):
    """The operations stage `stage` runs in one step, in PipelineStep's order: ("F", i) and ("B", i) compute,
    ("sendA", i) / ("recvA", i) activations with the previous or next stage, ("sendG", i) / ("recvG", i)
    gradients, and ("sr", send, recv) for a sendReceive. Transfers with a stage that does not exist are left out."""
    k, last, m = stage, stages - 1, micro_batches
    ops = []

    def recv_a(i):
        if k > 0:
            ops.append(("recvA", i))

    def send_a(i):
        if k < last:
            ops.append(("sendA", i))

    def recv_g(i):
        if k < last:
            ops.append(("recvG", i))

    def send_g(i):
        if k > 0:
            ops.append(("sendG", i))

    if schedule == "gpipe":
        for i in range(m):
            recv_a(i), ops.append(("F", i)), send_a(i)
        for i in range(m):
            recv_g(i), ops.append(("B", i)), send_g(i)
        return ops
    if schedule != "1f1b":
        raise ValueError(f"schedule: {schedule} (expected: gpipe or 1f1b)")
    warmup = min(stages - k - 1, m)
    remaining = m - warmup
    for i in range(warmup):
        recv_a(i), ops.append(("F", i)), send_a(i)
    if remaining > 0:
        recv_a(warmup)
    for i in range(remaining):
        ops.append(("F", warmup + i))
        if k < last:
            ops.append(("sr", ("sendA", warmup + i), ("recvG", i)))
        ops.append(("B", i))
        if i == remaining - 1:
            send_g(i)
        elif k > 0:
            ops.append(("sr", ("sendG", i), ("recvA", warmup + i + 1)))
    for i in range(remaining, m):
        recv_g(i), ops.append(("B", i)), send_g(i)
    return ops


def simulate_phase(forward, backward, activation_bytes, gradient_bytes, micro_batches, schedule, alpha, beta,
                   blocking=False, burst=0.0):
    """The forward-backward phase of one step, event by event, on full-duplex links of latency alpha and
    bandwidth beta (each direction carries its messages one after another). `burst`: bytes a direction may
    send at once after idling, as tc's token bucket filter lets through (its bucket, full at the start).

    forward, backward: seconds of one micro-batch on each stage; activation_bytes, gradient_bytes: one
    message's bytes over each boundary. A send returns at once (the socket buffers take it) unless `blocking`,
    when it returns once its bytes are on the wire. Returns (seconds until each stage finished its phase,
    seconds each stage waited for a message).
    """
    stages = len(forward)
    ops = [schedule_ops(schedule, k, stages, micro_batches) for k in range(stages)]
    clock = [0.0] * stages
    waited = [0.0] * stages
    at = [0] * stages
    arrival = {}                  # (kind, boundary, i) -> when the message is all at the receiver
    link_free = {}                # (kind, boundary) -> when that direction of the link is free
    sent = [None] * stages        # a sendReceive's send half, done: when its send returned
    tokens = {}                   # (kind, boundary) -> (when last updated, bytes in the bucket then)

    def send(k, kind, i):
        boundary = k if kind == "A" else k - 1
        size = (activation_bytes if kind == "A" else gradient_bytes)[boundary]
        start = max(clock[k], link_free.get((kind, boundary), 0.0))
        free, saved = tokens.get((kind, boundary), (0.0, burst))
        saved = min(burst, saved + (start - free) * beta)
        end = start + max(0.0, size - saved) / beta
        tokens[(kind, boundary)] = (end, max(0.0, saved - size))
        link_free[(kind, boundary)] = end
        arrival[(kind, boundary, i)] = end + alpha
        return end if blocking else clock[k]

    def ready(k, op):
        if op[0] in ("recvA", "recvG"):
            kind = op[0][-1]
            return (kind, k - 1 if kind == "A" else k, op[1]) in arrival
        if op[0] == "sr":
            if sent[k] is None:  # the send half starts at once, whether or not the receive can finish yet
                sent[k] = send(k, op[1][0][-1], op[1][1])
            return ready(k, op[2])
        return True

    def arrived(k, op):
        kind = op[0][-1]
        return arrival[(kind, k - 1 if kind == "A" else k, op[1])]

    while any(at[k] < len(ops[k]) for k in range(stages)):
        progressed = False
        for k in range(stages):
            while at[k] < len(ops[k]) and ready(k, ops[k][at[k]]):
                op = ops[k][at[k]]
                if op[0] == "F":
                    clock[k] += forward[k]
                elif op[0] == "B":
                    clock[k] += backward[k]
                elif op[0] in ("sendA", "sendG"):
                    clock[k] = send(k, op[0][-1], op[1])
                elif op[0] in ("recvA", "recvG"):
                    t = arrived(k, op)
                    waited[k] += max(0.0, t - clock[k])
                    clock[k] = max(clock[k], t)
                else:  # sendReceive: both directions progress together
                    t = arrived(k, op[2])
                    done = max(sent[k], t)
                    sent[k] = None
                    waited[k] += max(0.0, done - clock[k])
                    clock[k] = done
                at[k] += 1
                progressed = True
        if not progressed:
            raise RuntimeError(f"schedule {schedule} deadlocks at operations {[ops[k][at[k]] for k in range(stages)]}")
    return clock, waited


# ------------------------------------------------------------------------------------------- data subset

def subset(fashion, out, rows, test_rows):
    """Writes the first `rows` training and `test_rows` test examples of the gzipped IDX files as plain IDX."""
    os.makedirs(out, exist_ok=True)
    for src, dst, n in (("train-images-idx3-ubyte.gz", "train-images", rows),
                        ("train-labels-idx1-ubyte.gz", "train-labels", rows),
                        ("t10k-images-idx3-ubyte.gz", "test-images", test_rows),
                        ("t10k-labels-idx1-ubyte.gz", "test-labels", test_rows)):
        with gzip.open(os.path.join(fashion, src), "rb") as f:
            data = f.read()
        dims = struct.unpack(">I", data[:4])[0] & 0xFF
        shape = list(struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims]))
        if n > shape[0]:
            sys.exit(f"costmodel.py subset: {src}: {n} rows asked (expected: at most its {shape[0]})")
        per = math.prod(shape[1:])
        shape[0] = n
        head = 4 + 4 * dims
        with open(os.path.join(out, dst), "wb") as f:
            f.write(data[:4] + struct.pack(">" + "I" * dims, *shape) + data[head:head + n * per])


# ------------------------------------------------------------------------------------------------ records

def result_line(path):
    """The last JSON object with epoch_seconds in a train --json output."""
    result = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                o = json.loads(line)
                if "epoch_seconds" in o:
                    result = o
    if result is None:
        sys.exit(f"costmodel.py: {path}: no result line with epoch_seconds")
    return result


def record(result, mode, run, skip, load=None, steal_seconds=None, command=None, extra=None):
    """One run's figures: steady seconds per epoch (median after `skip` epochs), samples/s, steps, and per stage
    (replica 0) the steady epochs' mean compute, transfer, collective seconds and bubble."""
    epochs = result["epoch_seconds"]
    steady = epochs[skip:] if len(epochs) > skip else epochs
    seconds = statistics.median(steady)
    p = result.get("pipeline") or {}
    stages = p.get("stages", 1)
    telemetry = [t for t in p.get("stage_telemetry", []) if t["epoch"] > skip and t["replica"] == 0]
    per_stage = []
    for k in range(stages):
        ts = [t for t in telemetry if t["stage"] == k]
        if not ts:
            continue
        per_stage.append({
            "stage": k, "from_layer": ts[0]["from_layer"], "to_layer": ts[0]["to_layer"],
            "parameters": ts[0]["parameters"],
            "compute_seconds": statistics.mean(t["compute_seconds"] for t in ts),
            "transfer_seconds": statistics.mean(t["transfer_seconds"] for t in ts),
            "collective_seconds": statistics.mean(t["collective_seconds"] for t in ts),
            "bubble_fraction": statistics.mean(t["bubble_fraction"] for t in ts),
            "bytes_sent": statistics.mean(t["bytes_sent"] for t in ts)})
    rows = result["train_rows"]
    out = {"mode": mode, "run": run, "stages": stages, "micro_batches": p.get("micro_batches", 1),
           "schedule": p.get("schedule", "none"), "boundaries": p.get("boundaries", []),
           "workers": result.get("workers"), "rows": rows, "epoch_seconds": epochs,
           "steady_epoch_seconds": seconds, "samples_per_second": rows / seconds,
           "bubble": statistics.mean(s["bubble_fraction"] for s in per_stage) if per_stage else 0.0,
           "analytic_bubble": p.get("analytic_bubble", 0.0), "per_stage": per_stage,
           "parameter_digest": result.get("parameter_digest", "")[:16]}
    if extra:
        out.update(extra)
    if load is not None:
        out["load_before"] = load
    if steal_seconds is not None:
        out["steal_seconds"] = round(steal_seconds, 2)
    if command is not None:
        out["command"] = command
    return out


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


# ------------------------------------------------------------------------------------------------- tables

def sweep_table(rows):
    """Markdown: per configuration the steady samples/s per run and median, the speed against K = 1 (the
    median of all its runs: M changes nothing for one stage, whose passes run shard by shard anyway), the
    measured bubble (median over runs of the stage mean, and per stage), the analytic one and what the
    telemetry's definition gives per stage for equal stages and free links."""
    by = {}
    for r in rows:
        by.setdefault((r["mode"], r["stages"], r["micro_batches"], r["schedule"]), []).append(r)
    ones = [r["samples_per_second"] for r in rows if r["stages"] == 1]
    base = statistics.median(ones) if ones else None
    lines = ["| K | M | schedule | workers | samples/s per run | median samples/s | vs K=1 | measured bubble "
             "(mean of stages) | per stage | analytic (K-1)/(M+K-1) | measured / analytic | ideal per stage |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for key in sorted(by, key=lambda t: (t[1], t[0] != "threads", t[3] != "1f1b", t[2])):
        mode, k, m, s = key
        rs = sorted(by[key], key=lambda x: x["run"])
        sps = statistics.median(x["samples_per_second"] for x in rs)
        bubble = statistics.median(x["bubble"] for x in rs)
        stage_b = [statistics.median(x["per_stage"][i]["bubble_fraction"] for x in rs)
                   for i in range(len(rs[0]["per_stage"]))]
        analytic = analytic_bubble(k, m)
        vs = f"{sps / base:.2f}x" if base else ""
        ratio = f"{bubble / analytic:.2f}" if analytic > 0 else ""
        # What the telemetry's definition gives for equal stages and free links: stage 0 idles the analytic
        # share of its phase; a later stage's phase ends sooner (it need not wait for the drain), so its share is less.
        clock, waited = simulate_phase([1.0] * k, [2.0] * k, [0] * (k - 1), [0] * (k - 1), m, s, 0.0, 1.0)
        ideal = " ".join(f"{w / c:.2f}" for w, c in zip(waited, clock))
        lines.append(f"| {k} | {m} | {s if k > 1 else '-'} | {k} {mode} | "
                     f"{' '.join('%.0f' % x['samples_per_second'] for x in rs)} | {sps:.0f} | {vs} | {bubble:.3f} | "
                     f"{' '.join(f'{b:.2f}' for b in stage_b)} | {analytic:.3f} | {ratio} | {ideal} |")
    return "\n".join(lines)


TCP_PAYLOAD = 1448 / 1514   # a full Ethernet frame's share that is TCP payload (timestamps on): what tbf's rate carries


def rate_bytes_per_second(rate):
    """A tc rate (e.g. 100mbit) as TCP payload bytes per second."""
    units = {"": 1, "k": 1e3, "m": 1e6, "g": 1e9}
    number, unit = rate[:-3].rstrip("kmg"), rate[:-3][len(rate[:-3].rstrip("kmg")):]
    if not rate.endswith("bit") or unit not in units:
        raise ValueError(f"rate: {rate} (expected: a tc rate such as 1gbit or 100mbit)")
    return float(number) * units[unit] / 8 * TCP_PAYLOAD


def steps_per_epoch(r):
    return -(-r["rows"] // r["batch"])


def calibration(r):
    """From a run over the unshaped link, per step: each stage's compute inside the forward-backward phase
    (phase - transfers, phase = transfers / bubble) and the time outside the phase (the step's wall time
    minus the longest phase: statistics allreduce, optimizer step)."""
    steps = steps_per_epoch(r)
    phases = [s["transfer_seconds"] / s["bubble_fraction"] / steps for s in r["per_stage"]]
    busy = [p - s["transfer_seconds"] / steps for p, s in zip(phases, r["per_stage"])]
    return busy, r["steady_epoch_seconds"] / steps - max(phases)


def predict_step(busy, outside, micro_batches, batch, widths, schedule, alpha, beta, calibration_alpha,
                 blocking, burst=0.0):
    """The model's step for a run over a link (alpha, beta), from the calibration's per-stage compute: a
    micro-batch's backward taken as twice its forward (two matrix products to one, per dense layer)."""
    forward = [b / micro_batches / 3 for b in busy]
    backward = [2 * b / micro_batches / 3 for b in busy]
    message = [FLOAT_BYTES * batch / micro_batches * w for w in widths]
    clock, waited = simulate_phase(forward, backward, message, message, micro_batches, schedule, alpha, beta,
                                   blocking, burst)
    # The statistics allreduce of two ranks is one message each way: its latency beyond the calibration's.
    return max(clock) + outside + 2 * (alpha - calibration_alpha), [w / c for w, c in zip(waited, clock)]


def check_table(rows):
    """Markdown: each link and M, the measured steady step against the model's prediction, from each run's
    own compute (its telemetry: what the link and the schedule add to it, with buffered and with blocking
    sends) and from the unshaped runs' compute (median over those runs: a prediction of the whole step)."""
    by = {}
    for r in rows:
        by.setdefault((r["rate"], r["delay_ms"], r["micro_batches"]), []).append(r)
    lines = ["| link | alpha µs (measured) | M | measured step ms per run | median | model from the run's compute, "
             "ms per run | measured / model, median | same, blocking sends | model from the unshaped runs' "
             "compute, ms | measured / model | bubble per stage, measured | model |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for (rate, delay, m) in sorted(by, key=lambda t: (t[0] != "none", -rate_sort(t[0]), t[1], t[2])):
        rs = sorted(by[(rate, delay, m)], key=lambda x: x["run"])
        cal = by.get(("none", 0, m)) or by.get(("none", 0.0, m))
        if not cal:
            sys.exit(f"costmodel.py check: no unshaped run with {m} micro-batches (expected: --rates with none)")
        beta = rate_bytes_per_second(rate) if rate != "none" else float("inf")
        cal_alpha = statistics.median(c["alpha_seconds"] for c in cal)
        measured, own, own_blocking, bubbles = [], [], [], []
        for x in rs:
            alpha = x["alpha_seconds"] + x["delay_ms"] / 1000
            busy, outside = calibration(x)
            args = (busy, outside, m, x["batch"], x["boundary_widths"], x["schedule"], alpha, beta, x["alpha_seconds"])
            burst = x.get("burst_bytes", 0)
            t, bubble = predict_step(*args, blocking=False, burst=burst)
            measured.append(x["steady_epoch_seconds"] / steps_per_epoch(x))
            own.append(t)
            own_blocking.append(predict_step(*args, blocking=True, burst=burst)[0])
            bubbles.append(bubble)
        cals = [calibration(c) for c in cal]
        busy = [statistics.median(c[0][k] for c in cals) for k in range(len(cals[0][0]))]
        outside = statistics.median(c[1] for c in cals)
        alpha = statistics.median(x["alpha_seconds"] for x in rs) + delay / 1000
        r0 = rs[0]
        whole, _ = predict_step(busy, outside, m, r0["batch"], r0["boundary_widths"], r0["schedule"], alpha, beta,
                                cal_alpha, blocking=False, burst=r0.get("burst_bytes", 0))
        med = statistics.median(measured)
        stages = range(len(r0["per_stage"]))
        measured_bubble = [statistics.median(x["per_stage"][k]["bubble_fraction"] for x in rs) for k in stages]
        model_bubble = [statistics.median(b[k] for b in bubbles) for k in stages]
        link = ("unshaped veth" if rate == "none" else rate_label(rate)) + (f" + {delay} ms" if delay else "")
        lines.append(
            f"| {link} | {1e6 * alpha:.0f} | {m} | {' '.join('%.1f' % (1000 * x) for x in measured)} | "
            f"{1000 * med:.1f} | "
            f"{' '.join('%.1f' % (1000 * x) for x in own)} | "
            f"{statistics.median(a / b for a, b in zip(measured, own)):.2f} | "
            f"{statistics.median(a / b for a, b in zip(measured, own_blocking)):.2f} | "
            + (f"(calibration) | | " if rate == "none" else f"{1000 * whole:.1f} | {med / whole:.2f} | ")
            + f"{' '.join('%.2f' % b for b in measured_bubble)} | {' '.join('%.2f' % b for b in model_bubble)} |")
    return "\n".join(lines)


def rate_label(rate):
    """100mbit -> 100 Mbit/s."""
    number = rate[:-3].rstrip("kmg")
    return f"{number} {rate[len(number):-3].upper()}bit/s"


def rate_sort(rate):
    return float("inf") if rate == "none" else rate_bytes_per_second(rate)


# Networks for the predictions: (layers, width of every dense layer, global batch rows). Each dense layer has
# width^2 + width parameters; a step costs 6 x parameters x rows floating-point operations (forward 2, backward 4).
NETWORKS = {
    "mlp-64x4096": (64, 4096, 1024),   # 1.07 billion parameters: 17 GB of weights and Adam state
    "mlp-32x1024": (32, 1024, 1024),   # 33.6 million parameters: fits one worker
}
# Links: (name, alpha seconds, beta bytes/s of TCP payload).
LINKS = [("1 Gbit/s", 50e-6, 1e9 / 8 * TCP_PAYLOAD), ("10 Gbit/s", 30e-6, 10e9 / 8 * TCP_PAYLOAD),
         ("100 Gbit/s", 10e-6, 100e9 / 8 * TCP_PAYLOAD)]


def worker_bytes(stage_parameters, micro_batches, rows_per_micro_batch, stage_layers, width, stages, stage):
    """Heap one worker of a pipeline needs: weights, gradient and Adam's two moments (16 bytes a parameter),
    one gradient buffer per logical shard it owns (4 bytes a parameter each; at least one shard per
    micro-batch, PipelineStep's shardGrads), and the activations and their gradients of the micro-batches in
    flight (1F1B: at most K - k on stage k, two float32 matrices per layer)."""
    in_flight = min(micro_batches, stages - stage)
    activations = in_flight * rows_per_micro_batch * stage_layers * width * FLOAT_BYTES * 2
    return stage_parameters * (16 + FLOAT_BYTES * micro_batches) + activations


def plan_options(network, workers, link, flops_per_second, heap_bytes, update_seconds_per_parameter,
                 schedule="1f1b", max_micro_batches=64):
    """Every K x N = workers and power-of-two M: (samples/s, K, N, M, step seconds, bubble share), where
    the workers' heap holds stage 0 (the most activations in flight)."""
    layers, width, batch = network
    _, alpha, beta = link
    layer_parameters = width * width + width
    out = []
    k = 1
    while k <= min(workers, layers):
        if layers % k == 0 and workers % k == 0:
            n = workers // k
            rows = batch // n
            stage_parameters = layer_parameters * layers // k
            compute = 6 * stage_parameters * rows / flops_per_second
            m = 1
            # One stage has nothing to overlap: its micro-batches would only cost gradient buffers.
            while m <= (min(max_micro_batches, rows) if k > 1 else 1):
                if worker_bytes(stage_parameters, m, rows / m, layers // k, width, k, 0) <= heap_bytes:
                    forward = [compute / m / 3] * k
                    backward = [2 * compute / m / 3] * k
                    message = [FLOAT_BYTES * rows / m * width] * (k - 1)
                    clock, _ = simulate_phase(forward, backward, message, message, m, schedule, alpha, beta)
                    phase = max(clock)
                    step = phase + ring_allreduce_seconds(stage_parameters, n, alpha, beta) \
                        + update_seconds_per_parameter * stage_parameters
                    out.append((batch / step, k, n, m, step, (phase - compute) / step))
                m *= 2
        k *= 2
    # Fastest first; among equals, fewer stages and micro-batches (less memory, fewer messages).
    return sorted(out, key=lambda o: (-o[0], o[1], o[3]))


def predict_table(flops_per_second, heap_bytes, update_seconds_per_parameter, workers_list=(8, 16, 32, 64)):
    """Markdown: for each network, link and worker count, the best K x N and M the model finds (and the best
    with the fewest stages that fit, the data-parallel end), as samples/s and against P ideal workers."""
    lines = ["| network | link | workers | best K x N, M | samples/s | of ideal | fewest stages that fit: K x N, M | "
             "samples/s |", "|---|---|---|---|---|---|---|---|"]
    for name, network in NETWORKS.items():
        layers, width, batch = network
        one = flops_per_second / (6 * (width * width + width) * layers)   # samples/s of one ideal worker
        for link in LINKS:
            for p in workers_list:
                options = plan_options(network, p, link, flops_per_second, heap_bytes, update_seconds_per_parameter)
                if not options:
                    lines.append(f"| {name} | {link[0]} | {p} | does not fit | | | | |")
                    continue
                best = options[0]
                fewest = max((o for o in options if o[1] == min(x[1] for x in options)), key=lambda o: o[0])
                lines.append(f"| {name} | {link[0]} | {p} | {best[1]} x {best[2]}, M {best[3]} | {best[0]:,.0f} | "
                             f"{best[0] / (p * one):.0%} | {fewest[1]} x {fewest[2]}, M {fewest[3]} | "
                             f"{fewest[0]:,.0f} |")
    return "\n".join(lines)


def main(argv):
    parser = argparse.ArgumentParser(prog="costmodel.py")
    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("subset")
    p.add_argument("fashion")
    p.add_argument("out")
    p.add_argument("rows", type=int)
    p.add_argument("test_rows", type=int)
    p = sub.add_parser("record")
    p.add_argument("output")
    p.add_argument("--mode", required=True)
    p.add_argument("--run", type=int, required=True)
    p.add_argument("--skip", type=int, default=1)
    p.add_argument("--load", type=float)
    p.add_argument("--steal", type=int, help="stolen CPU ticks during the run (/proc/stat)")
    p.add_argument("--command")
    p.add_argument("--extra", help="a JSON object merged into the record (the link's rate and delay)")
    p = sub.add_parser("sweep")
    p.add_argument("results")
    p = sub.add_parser("check")
    p.add_argument("results")
    p = sub.add_parser("predict")
    p.add_argument("--gflops", type=float, default=50.0,
                   help="one worker's GFLOP/s in dense layers' training (default 50: one core of this machine, the "
                        "median K = 1 run of bench/pipeline/run.sh, 5,224 samples/s x 6 x 1.62 M parameters)")
    p.add_argument("--heap-gib", type=float, default=8.0, help="one worker's heap, GiB (default 8)")
    p.add_argument("--update-ns", type=float, default=1.0,
                   help="nanoseconds of the optimizer step per parameter (default 1)")
    args = parser.parse_args(argv)
    if args.action == "subset":
        subset(args.fashion, args.out, args.rows, args.test_rows)
    elif args.action == "record":
        steal = None if args.steal is None else args.steal / os.sysconf("SC_CLK_TCK")
        print(json.dumps(record(result_line(args.output), args.mode, args.run, args.skip, args.load, steal,
                                args.command, json.loads(args.extra) if args.extra else None)))
    elif args.action == "sweep":
        print()
        print(sweep_table(read_jsonl(args.results)))
    elif args.action == "check":
        print()
        print(check_table(read_jsonl(args.results)))
    elif args.action == "predict":
        print(predict_table(args.gflops * 1e9, args.heap_gib * 2 ** 30, args.update_ns * 1e-9))


if __name__ == "__main__":
    main(sys.argv[1:])
