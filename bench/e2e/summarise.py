#!/usr/bin/env python3
"""Turns one bench/e2e/run.sh run directory into the "## End-to-end" section of bench/RESULTS.md.

The run directory holds, per repetition and program, `rep<N>-<name>.json` (the program's last
stdout line) and `commands.tsv` (rep, name, exact command). Names: ringfold-mlp, ringfold-softmax,
pytorch-t<threads>, sklearn. Only the standard library is used, so any python3 can run this.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys

SECTION = "## End-to-end"
DEFAULT_TITLE = "# Ringfold benchmark results"
# Peers run once per thread count; the program name carries it: pytorch-t<threads>, sklearn-b<threads>.
PYTORCH = "pytorch-t"
SKLEARN = "sklearn-b"


def load_runs(run_dir):
    """{name: {rep: record}} from every rep<N>-<name>.json in run_dir."""
    runs = {}
    for entry in sorted(os.listdir(run_dir)):
        match = re.fullmatch(r"rep(\d+)-(.+)\.json", entry)
        if not match:
            continue
        path = os.path.join(run_dir, entry)
        with open(path) as f:
            text = f.read().strip()
        try:
            record = json.loads(text)
        except json.JSONDecodeError as e:
            raise SystemExit(f"{path}: last stdout line is not JSON ({e}): {text[:200]!r}")
        if not isinstance(record, dict):
            raise SystemExit(f"{path}: JSON {type(record).__name__} (expected: object)")
        runs.setdefault(match.group(2), {})[int(match.group(1))] = record
    if not runs:
        raise SystemExit(f"run directory: {run_dir} has no rep<N>-<name>.json files (expected: output of run.sh)")
    return runs


def load_commands(run_dir):
    """{name: command of the first repetition}, in run order; later reps differ only in --out."""
    commands = {}
    with open(os.path.join(run_dir, "commands.tsv")) as f:
        for line in f:
            rep, name, command = line.rstrip("\n").split("\t", 2)
            commands.setdefault(name, command)
    return commands


def field(record, key, name, rep):
    if key not in record:
        raise SystemExit(f"{name} rep {rep}: JSON has no {key!r} (has: {', '.join(sorted(record))})")
    value = record[key]
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise SystemExit(f"{name} rep {rep}: {key}: {value!r} (expected: a number)")
    return float(value)


def series(runs, name, fn):
    """[(rep, fn(record, rep))] in rep order for one program."""
    return [(rep, fn(record, rep)) for rep, record in sorted(runs.get(name, {}).items())]


def median(pairs):
    return statistics.median(v for _, v in pairs)


def ringfold_seconds_per_epoch(name):
    return lambda r, rep: field(r, "train_seconds", name, rep) / field(r, "epochs", name, rep)


def peer_configs(runs, prefix, key):
    """{threads: [(rep, record[key])]} for every program named <prefix><threads> that ran."""
    configs = {}
    for name in runs:
        match = re.fullmatch(re.escape(prefix) + r"(\d+)", name)
        if match:
            configs[int(match.group(1))] = series(runs, name, lambda r, rep, n=name: field(r, key, n, rep))
    return dict(sorted(configs.items()))


def best_config(configs):
    """(threads, median) of the configuration with the lowest median, or (None, None) if none ran."""
    if not configs:
        return None, None
    threads = min(configs, key=lambda t: median(configs[t]))
    return threads, median(configs[threads])


def machine():
    info = {"os": f"{platform.system()} {platform.release()}", "arch": platform.machine()}
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout if shutil.which("lscpu") else ""
    model = re.search(r"^Model name:\s*(.+)$", lscpu, re.M)
    info["cpu"] = model.group(1).strip() if model else "unknown (no lscpu)"
    info["cpus"] = os.cpu_count()
    with open("/proc/meminfo") as f:
        kib = int(re.search(r"^MemTotal:\s*(\d+) kB", f.read(), re.M).group(1))
    info["memory"] = f"{kib / 1024 / 1024:.1f} GiB"
    if shutil.which("java"):
        # `java -version` writes to stderr by specification.
        out = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
        info["java"] = out[0] if out else "unknown"
    else:
        info["java"] = "not on PATH"
    return info


def read_optional(run_dir, name):
    path = os.path.join(run_dir, name)
    if not os.path.isfile(path):
        return "unknown"
    with open(path) as f:
        return f.read().strip()


def fmt(value, digits=3):
    return "–" if value is None else f"{value:.{digits}f}"


def first_record(runs, prefix):
    return next((recs[min(recs)] for name, recs in runs.items() if name.startswith(prefix)), None)


def software_line(runs):
    parts = []
    torch = first_record(runs, PYTORCH)
    if torch:
        parts.append(f"PyTorch {torch.get('torch_version')} (Python {torch.get('python')}, "
                     f"OMP_WAIT_POLICY {torch.get('omp_wait_policy')})")
    sk = first_record(runs, SKLEARN)
    if sk:
        blas = ", ".join(os.path.basename(b) for b in sk.get("blas", [])) or "unknown"
        parts.append(f"scikit-learn {sk.get('sklearn_version')} (BLAS: {blas})")
    return "- Peers: " + "; ".join(parts) + "." if parts else None


def accuracy_of(runs, prefix, threads):
    """Median test accuracy of one peer configuration (the same every run: the peers are seeded)."""
    return median(series(runs, f"{prefix}{threads}", lambda r, rep, n=f"{prefix}{threads}":
                         field(r, "test_accuracy", n, rep))) if threads is not None else None


def run_lines(run_dir, reps, invocation):
    """The list items that say when, how, on what machine and under what load a run directory was made."""
    m = machine()
    return [
        f"- Date: {read_optional(run_dir, 'started')} (UTC), {reps} repetition(s), run directory `{run_dir}`.",
        f"- Invocation: `{invocation}`; Ringfold at git {read_optional(run_dir, 'git-revision')}.",
        f"- Machine: {m['cpu']}, {m['cpus']} CPUs, {m['memory']} memory, {m['os']} {m['arch']}; {m['java']}.",
        f"- Environment of every program: {read_optional(run_dir, 'environment')} (docs/blas.md, \"OPENBLAS_CORETYPE\").",
        f"- Load average (1/5/15 min) at start: {read_optional(run_dir, 'loadavg-start')}; "
        f"at end: {read_optional(run_dir, 'loadavg-end')}. The machine's {m['cpus']} cores are shared with "
        "other workers, so absolute timings are noisy; the ratios come from runs interleaved in one session.",
    ]


def command_lines(commands):
    """The commands of the first repetition, in the order they ran, as a code block."""
    return (["Commands (first repetition; later ones differ only in `--out`):", "", "```"]
            + list(commands.values()) + ["```", ""])


def render(run_dir, runs, commands, target, invocation, peers_only):
    """The section's markdown, heading included."""
    reps = sorted({rep for by_rep in runs.values() for rep in by_rep})
    lines = [SECTION, ""]
    if peers_only:
        lines += ["**Peer smoke run, no Ringfold: not a result.**", ""]
    lines += run_lines(run_dir, len(reps), invocation)
    software = software_line(runs)
    if software:
        lines.append(software)
    lines += ["- Data: Fashion-MNIST (60,000 train / 10,000 test), every program standardises each pixel "
              "with the training mean and standard deviation.", ""]
    lines += command_lines(commands)

    def by_rep(pairs, rep):
        return dict(pairs).get(rep)

    # MLP: Ringfold vs PyTorch, seconds per epoch (training only).
    rf_mlp = series(runs, "ringfold-mlp", ringfold_seconds_per_epoch("ringfold-mlp"))
    rf_mlp_acc = series(runs, "ringfold-mlp", lambda r, rep: field(r, "test_accuracy", "ringfold-mlp", rep))
    rf_mlp_sps = series(runs, "ringfold-mlp", lambda r, rep: field(r, "samples_per_second", "ringfold-mlp", rep))
    torch = peer_configs(runs, PYTORCH, "seconds_per_epoch")
    torch_threads, torch_best = best_config(torch)
    lines += ["### MLP 784-128-10 (ReLU, Adam 1e-3, batch 128, 5 epochs): seconds per epoch", "",
              "| rep | Ringfold s/epoch | Ringfold test acc | "
              + "".join(f"PyTorch {t} thr s/epoch | " for t in torch).rstrip(),
              "|---|---|---|" + "---|" * len(torch)]
    for rep in reps:
        lines.append(f"| {rep} | {fmt(by_rep(rf_mlp, rep))} | {fmt(by_rep(rf_mlp_acc, rep), 4)} | "
                     + "".join(f"{fmt(by_rep(torch[t], rep))} | " for t in torch).rstrip())
    lines.append("")

    # Linear: Ringfold softmax vs scikit-learn L-BFGS, seconds to the target accuracy.
    rf_soft = series(runs, "ringfold-softmax", lambda r, rep: field(r, "train_seconds", "ringfold-softmax", rep))
    rf_soft_acc = series(runs, "ringfold-softmax", lambda r, rep: field(r, "test_accuracy", "ringfold-softmax", rep))
    sk = peer_configs(runs, SKLEARN, "fit_seconds")
    sk_threads, sk_best = best_config(sk)
    lines += [f"### Multinomial logistic regression: seconds of training to test accuracy ≥ {target}", "",
              "| rep | Ringfold softmax s | Ringfold test acc | "
              + "".join(f"sklearn {t} BLAS thr fit s | " for t in sk).rstrip(),
              "|---|---|---|" + "---|" * len(sk)]
    for rep in reps:
        lines.append(f"| {rep} | {fmt(by_rep(rf_soft, rep))} | {fmt(by_rep(rf_soft_acc, rep), 4)} | "
                     + "".join(f"{fmt(by_rep(sk[t], rep))} | " for t in sk).rstrip())
    lines.append("")

    def ratio(peer, ours):
        return peer / ours if peer and ours else None

    rf_mlp_med = median(rf_mlp) if rf_mlp else None
    rf_soft_med = median(rf_soft) if rf_soft else None
    torch_acc = accuracy_of(runs, PYTORCH, torch_threads)
    torch_sps = median(peer_configs(runs, PYTORCH, "samples_per_second")[torch_threads]) if torch else None
    sk_acc = accuracy_of(runs, SKLEARN, sk_threads)
    lines += ["### Medians and ratios", "",
              "Ratio = peer ÷ Ringfold, so above 1 means Ringfold is faster. Each peer runs with every "
              "thread count listed; the fastest median is compared.", "",
              "| measure | Ringfold | peer | ratio |", "|---|---|---|---|"]
    lines += [f"| PyTorch s/epoch, {t} thread(s) | | {fmt(median(v))} | |" for t, v in torch.items()]
    lines.append(f"| **MLP s/epoch** (PyTorch best: {torch_threads} thread(s)) | {fmt(rf_mlp_med)} | "
                 f"{fmt(torch_best)} | **{fmt(ratio(torch_best, rf_mlp_med), 2)}** |")
    lines.append(f"| MLP samples/s | {fmt(median(rf_mlp_sps) if rf_mlp_sps else None, 0)} | "
                 f"{fmt(torch_sps, 0)} | |")
    lines.append(f"| MLP test accuracy | {fmt(median(rf_mlp_acc) if rf_mlp_acc else None, 4)} | "
                 f"{fmt(torch_acc, 4)} | |")
    lines += [f"| sklearn fit s, {t} BLAS thread(s) | | {fmt(median(v))} | |" for t, v in sk.items()]
    lines.append(f"| **linear: seconds to acc ≥ {target}** (sklearn best: {sk_threads} BLAS thread(s)) | "
                 f"{fmt(rf_soft_med)} | {fmt(sk_best)} | **{fmt(ratio(sk_best, rf_soft_med), 2)}** |")
    lines.append(f"| linear: test accuracy | {fmt(median(rf_soft_acc) if rf_soft_acc else None, 4)} | "
                 f"{fmt(sk_acc, 4)} | |")
    lines.append("")
    short = [rep for rep, acc in rf_soft_acc if acc < target]
    if short:
        lines += [f"**Warning:** Ringfold softmax stayed below test accuracy {target} in rep(s) "
                  f"{', '.join(map(str, short))}, so its seconds are not seconds-to-{target}; "
                  "the linear ratio is not like for like.", ""]
    if sk_acc is not None and sk_acc < target:
        lines += [f"**Warning:** scikit-learn reached only {sk_acc:.4f} (< {target}); "
                  "the linear ratio is not like for like.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def replace_section(document, section, heading=SECTION):
    """document with its section under heading (to the next level-2 heading or the end) replaced or appended."""
    lines = document.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == heading), None)
    if start is None:
        body = document if document.endswith("\n") or not document else document + "\n"
        return body + ("\n" if body and not body.endswith("\n\n") else "") + section
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + section + ("\n" + tail if tail else "")


def write_section(results, section, heading=SECTION):
    """Replaces (or appends) the section under heading in the markdown file results, creating it if absent."""
    existing = DEFAULT_TITLE + "\n"
    if os.path.isfile(results):
        with open(results) as f:
            existing = f.read()
    with open(results, "w") as f:
        f.write(replace_section(existing, section, heading))
    print(f"wrote the {heading!r} section of {results}", file=sys.stderr)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run-dir", required=True)
    p.add_argument("--results", help="markdown file whose End-to-end section is rewritten; omit to print only")
    p.add_argument("--target-accuracy", type=float, default=0.84)
    p.add_argument("--invocation", default="bench/e2e/run.sh")
    p.add_argument("--peers-only", action="store_true", help="label the output as a smoke run")
    args = p.parse_args(argv)
    if args.peers_only and args.results:
        raise SystemExit("--peers-only with --results: a run without Ringfold is not a result (expected: one of them)")

    runs = load_runs(args.run_dir)
    section = render(args.run_dir, runs, load_commands(args.run_dir), args.target_accuracy,
                     args.invocation, args.peers_only)
    sys.stdout.write(section)
    if args.results:
        write_section(args.results, section)


if __name__ == "__main__":
    main(sys.argv[1:])
