#!/usr/bin/env python3
"""Turns one bench/tabular/run.sh run directory into a markdown table of Ringfold against scikit-learn on the
tabular fixtures, with issue 18's bars, and (--results) the "## Tabular" section of bench/RESULTS.md.

The run directory holds sets.tsv (the sets compared), commands.tsv, and per repetition and set
`rep<N>-ringfold-<set>.json` (Ringfold's --json line), or `rep<N>-ringfold-<set>.failed`, and
`rep<N>-sklearn-<set>.out` (bench/peers/sklearn_tabular.py: one JSON line per estimator). Bars: test accuracy
at least scikit-learn's LogisticRegression's minus 1 point; test RMSE at most 2% above LinearRegression's.
Ringfold's objective (its --json "solver" record, when it has one) is set beside scikit-learn's converged
objective in the same form (bench/peers/sklearn_tabular.py), relative difference at most 1e-4; for regression
in the scale of the standardised target (--regression-objective raw for the target's own units).
Exit status 1 when a set misses a bar or Ringfold failed on it. Only the standard library is used.
"""

import argparse
import csv
import importlib.util
import json
import os
import re
import sys


def _load(folder):
    """bench/<folder>/summarise.py under a name of its own: this module is called summarise too."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", folder, "summarise.py")
    spec = importlib.util.spec_from_file_location(folder + "_summarise", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


e2e = _load("e2e")
cnn = _load("cnn")
median = e2e.median

SECTION = "## Tabular"
ACCURACY_POINTS = 1.0     # Ringfold's test accuracy may be at most this many points below scikit-learn's
RMSE_PERCENT = 2.0        # Ringfold's test RMSE may be at most this much above LinearRegression's
OBJECTIVE_RELATIVE = 1e-4  # |Ringfold - scikit-learn| / max(1, |scikit-learn|) for the training objective
ANCHOR = {"binary": "LogisticRegression", "multiclass": "LogisticRegression", "regression": "LinearRegression"}


def read_sets(run_dir):
    with open(os.path.join(run_dir, "sets.tsv"), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def load_peer(run_dir):
    """{set: {estimator: {rep: record}}} from every rep<N>-sklearn-<set>.out (all its JSON lines)."""
    peers = {}
    for entry in sorted(os.listdir(run_dir)):
        match = re.fullmatch(r"rep(\d+)-sklearn-(.+)\.out", entry)
        if not match:
            continue
        with open(os.path.join(run_dir, entry)) as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as e:
                    raise SystemExit(f"{entry}:{n}: not JSON ({e}): {line[:200]!r}")
                peers.setdefault(match.group(2), {}).setdefault(record["estimator"], {})[int(match.group(1))] = record
    return peers


def number(records, key):
    """The median of key over the repetitions' records that have it, or None."""
    values = [(rep, float(r[key])) for rep, r in sorted(records.items()) if isinstance(r.get(key), (int, float))]
    return median(values) if values else None


def ringfold_objective(records):
    values = [(rep, float(r["solver"]["objective"])) for rep, r in sorted(records.items())
              if isinstance(r.get("solver"), dict) and isinstance(r["solver"].get("objective"), (int, float))]
    return median(values) if values else None


def fmt(value, spec):
    return "–" if value is None else format(value, spec)


def row(s, ringfold, failure, peer, regression_objective):
    """(markdown cells, passed?) of one set."""
    task = s["task"]
    regression = task == "regression"
    metric = "test_rmse" if regression else "test_accuracy"
    anchor = peer.get(ANCHOR[task], {})
    first = anchor[min(anchor)] if anchor else {}
    ours, theirs = number(ringfold, metric), number(anchor, metric)
    ridge = number(peer.get("Ridge", {}), "test_rmse") if regression else None
    objective_key = ("objective_converged_standardised_target" if regression and regression_objective == "standardised"
                     else "objective_converged")
    our_objective, their_objective = ringfold_objective(ringfold), number(anchor, objective_key)

    if ours is None or theirs is None:
        difference, verdict, passed = "–", "failed to run" if failure else "no result", False
        if failure:
            verdict += ": " + failure.replace("|", "\\|")
    elif regression:
        change = 100.0 * (ours / theirs - 1.0)
        passed = change <= RMSE_PERCENT
        difference, verdict = f"{change:+.2f}%", "pass" if passed else "FAIL"
    else:
        points = 100.0 * (ours - theirs)
        passed = points >= -ACCURACY_POINTS
        difference, verdict = f"{points:+.2f} pt", "pass" if passed else "FAIL"
    if our_objective is not None and their_objective is not None:
        relative = abs(our_objective - their_objective) / max(1.0, abs(their_objective))
        objective_verdict = f"{relative:.1e} " + ("pass" if relative <= OBJECTIVE_RELATIVE else "FAIL")
        passed = passed and relative <= OBJECTIVE_RELATIVE
    else:
        objective_verdict = "–"
    cells = [
        s["set"], task + (" (" + ", ".join(s["categorical"].split(",")) + " categorical)" if s["categorical"] != "-" else ""),
        f"{first.get('train_rows', '?')}/{first.get('test_rows', '?')}",
        f"{first.get('columns', '?')} → {first.get('features', '?')}",
        f"{first.get('missing_train_cells', '?')}",
        ("RMSE " if regression else "accuracy ") + fmt(ours, ".4f"),
        fmt(theirs, ".4f") + (f" (Ridge {ridge:.4f})" if ridge is not None else ""),
        difference, verdict,
        fmt(our_objective, ".6g"), fmt(their_objective, ".6g"), objective_verdict,
        fmt(number(ringfold, "train_seconds"), ".3f"), fmt(number(anchor, "fit_seconds"), ".3f"),
    ]
    return cells, passed


HEADER = ["set", "task", "rows train/test", "columns → features", "missing cells (train)", "Ringfold",
          "scikit-learn", "difference", "bar", "Ringfold objective", "scikit-learn objective",
          f"objective (relative, ≤ {OBJECTIVE_RELATIVE:g})", "Ringfold s", "scikit-learn s"]


def render(run_dir, sets, ringfold_runs, failures, peers, commands, invocation, peers_only, regression_objective):
    """(the section's markdown, heading included; True when every set passed)."""
    lines = [SECTION, ""]
    if peers_only:
        lines += ["**Peers only: no Ringfold runs (`--peers-only`); not a result.**", ""]
    lines += [f"Ringfold's linear models with their default flags against scikit-learn's StandardScaler + "
              f"LogisticRegression() (classification) and LinearRegression() / Ridge() (regression) on the "
              f"fixtures of data/tabular.py, same split. Bars (issue 18): test accuracy at most "
              f"{ACCURACY_POINTS:g} point below scikit-learn's, test RMSE at most {RMSE_PERCENT:g}% above "
              f"LinearRegression's; training objective (mean loss + l2/2 ||w||², standardised features"
              + (", standardised target" if regression_objective == "standardised" else "")
              + f") within {OBJECTIVE_RELATIVE:g} of scikit-learn's converged one. Times: Ringfold's train_seconds "
              "(the fit, without JVM start and file reading), scikit-learn's fit of preprocessing and model "
              "(median of its repeats).", ""]
    lines += ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    all_passed = True
    for s in sets:
        name = s["set"]
        rf_failures = failures.get("ringfold-" + name, {})
        failure = rf_failures[min(rf_failures)] if rf_failures else None
        cells, passed = row(s, ringfold_runs.get("ringfold-" + name, {}), failure, peers.get(name, {}),
                            regression_objective)
        all_passed = all_passed and passed
        lines.append("| " + " | ".join(cells) + " |")
    reps = sorted({rep for by_rep in list(ringfold_runs.values()) + [r for p in peers.values() for r in p.values()]
                   for rep in by_rep})
    first = next((r[min(r)] for p in peers.values() for r in p.values()), {})
    lines += ["", f"- Peer: scikit-learn {first.get('sklearn_version', '?')} (Python {first.get('python', '?')})."]
    lines += e2e.run_lines(run_dir, len(reps), invocation)
    lines += [""] + e2e.command_lines(commands)
    return "\n".join(lines), all_passed


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run-dir", required=True)
    p.add_argument("--results", help="markdown file whose Tabular section is rewritten; omit to print only")
    p.add_argument("--invocation", default="bench/tabular/run.sh")
    p.add_argument("--peers-only", action="store_true", help="label the output as a smoke run")
    p.add_argument("--regression-objective", choices=("standardised", "raw"), default="standardised",
                   help="the scale of Ringfold's regression objective: the standardised target's (default) or the raw one's")
    args = p.parse_args(argv)
    if args.peers_only and args.results:
        raise SystemExit("--peers-only with --results: a run without Ringfold is not a result (expected: one of them)")
    entries = os.listdir(args.run_dir)
    ringfold_runs = e2e.load_runs(args.run_dir) if any(re.fullmatch(r"rep\d+-.+\.json", e) for e in entries) else {}
    section, passed = render(args.run_dir, read_sets(args.run_dir), ringfold_runs, cnn.load_failures(args.run_dir),
                             load_peer(args.run_dir), e2e.load_commands(args.run_dir), args.invocation,
                             args.peers_only, args.regression_objective)
    sys.stdout.write(section)
    if args.results:
        e2e.write_section(args.results, section, SECTION)
    return 0 if passed or args.peers_only else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
