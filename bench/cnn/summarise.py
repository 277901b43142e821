#!/usr/bin/env python3
"""Turns one bench/cnn/run.sh run directory into the "## CNN" section of bench/RESULTS.md.

The run directory holds, per repetition and program, `rep<N>-<name>.json` (the program's last stdout
line), `rep<N>-<name>.failed` for a run that failed (exit status, last stderr lines) and
`commands.tsv`. Names: ringfold-cnn, pytorch-t<threads>, dl4j-t<threads>. The run-directory helpers
are bench/e2e/summarise.py's. Only the standard library is used, so any python3 can run this.
"""

import argparse
import importlib.util
import os
import re
import sys


def _load_e2e():
    """bench/e2e/summarise.py under a name of its own: this module is called summarise too."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e", "summarise.py")
    spec = importlib.util.spec_from_file_location("e2e_summarise", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


e2e = _load_e2e()
fmt, median = e2e.fmt, e2e.median

SECTION = "## CNN"
RINGFOLD = "ringfold-cnn"
PYTORCH = "pytorch-t"
DL4J = "dl4j-t"
# Issue 17's goals: Ringfold's seconds per epoch against each peer's best (peer ÷ Ringfold).
GOALS = {PYTORCH: 3.0, DL4J: 10.0}
PEER_NAMES = {PYTORCH: "PyTorch", DL4J: "DL4J"}


# The JVM's notice that the launcher always prints (see ./ringfold): never the reason for a failure.
JVM_NOTICE = "WARNING: Using incubator modules"
REASON_CHARS = 400


def load_failures(run_dir):
    """{name: {rep: reason}} for every run that failed: its .failed file (the exit status, then the last
    lines of stderr) on one line, the lines joined by " / "."""
    failures = {}
    for entry in sorted(os.listdir(run_dir)):
        match = re.fullmatch(r"rep(\d+)-(.+)\.failed", entry)
        if match:
            with open(os.path.join(run_dir, entry)) as f:
                lines = [line.strip() for line in f if line.strip() and not line.startswith(JVM_NOTICE)]
            reason = lines[0] if lines else "failed"
            if len(lines) > 1:
                reason += ": " + " / ".join(lines[1:])
            if len(reason) > REASON_CHARS:
                reason = reason[:REASON_CHARS] + "…"
            failures.setdefault(match.group(2), {})[int(match.group(1))] = reason
    return failures


def peer_seconds_per_epoch(record, rep, name):
    """A whole epoch's seconds: measured, or projected from the rate of a run shortened by --limit-batches."""
    key = "projected_seconds_per_epoch" if "projected_seconds_per_epoch" in record else "seconds_per_epoch"
    return e2e.field(record, key, name, rep)


def shortened(runs):
    """Names of the programs whose runs trained only part of each epoch."""
    return sorted(name for name, by_rep in runs.items()
                  if any(r.get("batches_per_epoch", 0) < r.get("full_epoch_batches", 0) for r in by_rep.values()))


def software_line(runs):
    parts = []
    torch = e2e.first_record(runs, PYTORCH)
    if torch:
        parts.append(f"PyTorch {torch.get('torch_version')} (Python {torch.get('python')}, oneDNN "
                     f"{'on' if torch.get('mkldnn') else 'off'}, OMP_WAIT_POLICY {torch.get('omp_wait_policy')})")
    dl4j = e2e.first_record(runs, DL4J)
    if dl4j:
        parts.append(f"Deeplearning4j {dl4j.get('dl4j_version')} (ND4J native build {dl4j.get('nd4j_classifier')}, "
                     f"BLAS {dl4j.get('blas_vendor')}, {dl4j.get('java')})")
    return "- Peers: " + "; ".join(parts) + "." if parts else None


def render(run_dir, runs, failures, commands, target, invocation, not_a_result):
    """The section's markdown, heading included."""
    reps = sorted({rep for by_rep in list(runs.values()) + list(failures.values()) for rep in by_rep})
    lines = [SECTION, ""]
    cut_short = shortened(runs)
    if not_a_result:
        why = []
        if RINGFOLD not in runs and RINGFOLD not in failures:
            why.append("Ringfold did not run")
        if RINGFOLD in failures:
            why.append("Ringfold failed")
        if cut_short:
            why.append(f"{', '.join(cut_short)} trained part of each epoch (--limit-batches; "
                       "their seconds per epoch are projected from the rate)")
        lines += [f"**Not a result: {'; '.join(why) or 'printed only'}.**", ""]
    lines += e2e.run_lines(run_dir, len(reps), invocation)
    software = software_line(runs)
    if software:
        lines.append(software)
    lines += ["- Data: Fashion-MNIST (60,000 train / 10,000 test) as [1, 28, 28] images; every program "
              "standardises each pixel with the training mean and standard deviation.", ""]
    lines += e2e.command_lines(commands)

    def by_rep(pairs, rep):
        return dict(pairs).get(rep)

    rf = e2e.series(runs, RINGFOLD, e2e.ringfold_seconds_per_epoch(RINGFOLD))
    rf_acc = e2e.series(runs, RINGFOLD, lambda r, rep: e2e.field(r, "test_accuracy", RINGFOLD, rep))
    rf_failed = failures.get(RINGFOLD, {})
    peers = {}
    for prefix in (PYTORCH, DL4J):
        configs = {}
        for name in runs:
            match = re.fullmatch(re.escape(prefix) + r"(\d+)", name)
            if match:
                configs[int(match.group(1))] = e2e.series(
                    runs, name, lambda r, rep, n=name: peer_seconds_per_epoch(r, rep, n))
        peers[prefix] = dict(sorted(configs.items()))

    columns = [(prefix, t) for prefix in (PYTORCH, DL4J) for t in peers[prefix]]
    lines += ["### LeNet-style CNN (Adam 1e-3, batch 64, 2 epochs): seconds per epoch", "",
              "| rep | Ringfold s/epoch | Ringfold test acc | "
              + "".join(f"{PEER_NAMES[p]} {t} thr s/epoch | " for p, t in columns).rstrip(),
              "|---|---|---|" + "---|" * len(columns)]
    for rep in reps:
        if rep in rf_failed:
            ours = f"failed ({rf_failed[rep].split(':')[0]}) | –"
        else:
            ours = f"{fmt(by_rep(rf, rep))} | {fmt(by_rep(rf_acc, rep), 4)}"
        lines.append(f"| {rep} | {ours} | "
                     + "".join(f"{fmt(by_rep(peers[p][t], rep))} | " for p, t in columns).rstrip())
    lines.append("")

    rf_med = median(rf) if rf else None
    lines += ["### Medians and ratios", "",
              "Ratio = peer ÷ Ringfold, so above 1 means Ringfold is faster. Each peer runs with every "
              "thread count listed; the fastest median is compared.", "",
              "| measure | Ringfold | peer | ratio | goal |", "|---|---|---|---|---|"]
    for prefix in (PYTORCH, DL4J):
        if not peers[prefix]:
            continue
        name = PEER_NAMES[prefix]
        lines += [f"| {name} s/epoch, {t} thread(s) | | {fmt(median(v))} | | |" for t, v in peers[prefix].items()]
        threads, best = e2e.best_config(peers[prefix])
        ratio = best / rf_med if rf_med else None
        lines.append(f"| **s/epoch against {name}** (best: {threads} thread(s)) | {fmt(rf_med)} | {fmt(best)} | "
                     f"**{fmt(ratio, 2)}** | ≥ {GOALS[prefix]:g} |")
    for prefix in (PYTORCH, DL4J):
        if peers[prefix]:
            threads, _ = e2e.best_config(peers[prefix])
            acc = e2e.accuracy_of(runs, prefix, threads)
            lines.append(f"| test accuracy, {PEER_NAMES[prefix]} ({threads} thread(s)) | "
                         f"{fmt(median(rf_acc) if rf_acc else None, 4)} | {fmt(acc, 4)} | | ≥ {target} |")
    lines.append("")

    for name, by_rep_failed in sorted(failures.items()):
        for rep, reason in sorted(by_rep_failed.items()):
            lines.append(f"- **{name} failed** in rep {rep}: {reason}")
    if failures:
        lines.append("")
    short = [rep for rep, acc in rf_acc if acc < target]
    if short:
        lines += [f"**Warning:** Ringfold stayed below test accuracy {target} in rep(s) "
                  f"{', '.join(map(str, short))}.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run-dir", required=True)
    p.add_argument("--results", help="markdown file whose CNN section is rewritten; omit to print only")
    p.add_argument("--target-accuracy", type=float, default=0.88)
    p.add_argument("--invocation", default="bench/cnn/run.sh")
    p.add_argument("--not-a-result", action="store_true",
                   help="label the output as a check (Ringfold missing or failed, or peers shortened)")
    args = p.parse_args(argv)
    if args.not_a_result and args.results:
        raise SystemExit("--not-a-result with --results: such a run is never recorded (expected: one of them)")

    runs = e2e.load_runs(args.run_dir)
    section = render(args.run_dir, runs, load_failures(args.run_dir), e2e.load_commands(args.run_dir),
                     args.target_accuracy, args.invocation, args.not_a_result)
    sys.stdout.write(section)
    if args.results:
        e2e.write_section(args.results, section, SECTION)


if __name__ == "__main__":
    main(sys.argv[1:])
