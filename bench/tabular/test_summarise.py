#!/usr/bin/env python3
"""Tests for summarise.py: the bars (accuracy points, RMSE percent, objective) and failed runs, on hand-made
run directories.

Run: python3 bench/tabular/test_summarise.py   (standard library only)
"""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import summarise  # noqa: E402  (sibling module, found through the path set just above)

SETS = "set\ttask\tlabel\tcategorical\tmodel\nbc\tbinary\ty\t-\tlogistic\nmpg\tregression\tmpg\torigin\tlinear\n"


def peer(estimator, task, **metrics):
    record = {"peer": "sklearn", "estimator": estimator, "task": task, "train_rows": 80, "test_rows": 20,
              "columns": 3, "features": 5, "missing_train_cells": 2, "fit_seconds": 0.01,
              "sklearn_version": "1.2.1", "python": "3.11.2"}
    record.update(metrics)
    return json.dumps(record)


class RunDir:
    """A run directory with sets.tsv, commands.tsv, the peer's lines and the given Ringfold records."""

    def __init__(self, ringfold, failed=()):
        self.tmp = tempfile.TemporaryDirectory()
        d = self.path = self.tmp.name
        files = {
            "sets.tsv": SETS,
            "commands.tsv": "1\tringfold-bc\t./ringfold train ...\n1\tsklearn-bc\tpython3 peer\n",
            "rep1-sklearn-bc.out": peer("LogisticRegression", "binary", test_accuracy=0.95,
                                        objective_converged=0.2) + "\n",
            "rep1-sklearn-mpg.out": "\n".join([
                peer("LinearRegression", "regression", test_rmse=3.0, objective_converged=9.0,
                     objective_converged_standardised_target=0.18),
                peer("Ridge", "regression", test_rmse=2.9, objective_converged=9.1,
                     objective_converged_standardised_target=0.182)]) + "\n",
        }
        for name, record in ringfold.items():
            files[f"rep1-ringfold-{name}.json"] = json.dumps(record)
        for name in failed:
            files[f"rep1-ringfold-{name}.failed"] = "exit status 1\nWARNING: Using incubator modules: x\nbad cell\n"
        for name, text in files.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)

    def render(self, regression_objective="standardised"):
        runs = summarise.e2e.load_runs(self.path)
        return summarise.render(self.path, summarise.read_sets(self.path), runs,
                                summarise.cnn.load_failures(self.path), summarise.load_peer(self.path),
                                summarise.e2e.load_commands(self.path), "run.sh", False, regression_objective)

    def row(self, name, **kw):
        text, passed = self.render(**kw)
        return next(line for line in text.splitlines() if line.startswith(f"| {name} |")), passed

    def close(self):
        self.tmp.cleanup()


class BarsTest(unittest.TestCase):
    def check(self, ringfold, name, expected_verdict, failed=(), **kw):
        d = RunDir(ringfold, failed)
        try:
            line, _ = d.row(name, **kw)
        finally:
            d.close()
        self.assertIn(expected_verdict, line)
        return line

    def test_accuracy_one_point_below_passes_and_more_fails(self):
        self.check({"bc": {"test_accuracy": 0.9401, "train_seconds": 0.1}}, "bc", "| -0.99 pt | pass |")
        self.check({"bc": {"test_accuracy": 0.9399, "train_seconds": 0.1}}, "bc", "| -1.01 pt | FAIL |")

    def test_rmse_within_two_percent_of_linear_regression_passes_and_more_fails(self):
        self.check({"mpg": {"test_rmse": 3.05, "train_seconds": 0.1}}, "mpg", "| +1.67% | pass |")
        line = self.check({"mpg": {"test_rmse": 3.07, "train_seconds": 0.1}}, "mpg", "| +2.33% | FAIL |")
        self.assertIn("(Ridge 2.9000)", line)

    def test_objective_compared_in_the_chosen_scale(self):
        record = {"test_rmse": 3.0, "train_seconds": 0.1, "solver": {"objective": 0.18001}}
        self.check({"mpg": record}, "mpg", "1.0e-05 pass")
        self.check({"mpg": record}, "mpg", "9.8e-01 FAIL", regression_objective="raw")
        self.check({"bc": {"test_accuracy": 0.95, "solver": {"objective": 0.2003}}}, "bc", "3.0e-04 FAIL")

    def test_a_failed_run_is_a_row_with_its_reason_and_fails(self):
        d = RunDir({"mpg": {"test_rmse": 3.0}}, failed=["bc"])
        try:
            line, passed = d.row("bc")
        finally:
            d.close()
        self.assertIn("failed to run: exit status 1: bad cell", line)
        self.assertNotIn("WARNING", line)
        self.assertFalse(passed)

    def test_every_set_passing_passes(self):
        d = RunDir({"bc": {"test_accuracy": 0.96}, "mpg": {"test_rmse": 2.9}})
        try:
            text, passed = d.render()
        finally:
            d.close()
        self.assertTrue(passed, text)


if __name__ == "__main__":
    unittest.main()
