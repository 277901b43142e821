#!/usr/bin/env python3
"""Tests for summarise.py: section replacement, medians and ratios on hand-made run directories.

Run: python3 bench/e2e/test_summarise.py   (standard library only)
"""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import summarise  # noqa: E402  (sibling module, found through the path set just above)

SECTION_TEXT = "## End-to-end\n\nnew\n"


class ReplaceSectionTest(unittest.TestCase):
    def test_replaces_only_its_section_and_keeps_neighbours(self):
        doc = "# T\n\n## JMH\n\njmh\n\n## End-to-end\n\nold\n### sub\nold\n\n## Later\n\nkeep\n"
        self.assertEqual(summarise.replace_section(doc, SECTION_TEXT),
                         "# T\n\n## JMH\n\njmh\n\n## End-to-end\n\nnew\n\n## Later\n\nkeep\n")

    def test_replaces_a_last_section(self):
        self.assertEqual(summarise.replace_section("# T\n\n## End-to-end\n\nold\n", SECTION_TEXT),
                         "# T\n\n## End-to-end\n\nnew\n")

    def test_appends_when_absent(self):
        self.assertEqual(summarise.replace_section("# T\n", SECTION_TEXT), "# T\n\n## End-to-end\n\nnew\n")
        self.assertEqual(summarise.replace_section("# T", SECTION_TEXT), "# T\n\n## End-to-end\n\nnew\n")


class RenderTest(unittest.TestCase):
    def make_run(self, records):
        run_dir = tempfile.mkdtemp(prefix="e2e-test-")
        with open(os.path.join(run_dir, "commands.tsv"), "w") as tsv:
            for (rep, name), record in records.items():
                with open(os.path.join(run_dir, f"rep{rep}-{name}.json"), "w") as f:
                    f.write(json.dumps(record) + "\n")
                tsv.write(f"{rep}\t{name}\tcmd-{name}\n")
        return run_dir

    def records(self):
        # Ringfold MLP: 1.0, 2.0, 4.0 s over 5 epochs -> s/epoch 0.2, 0.4, 0.8 -> median 0.4.
        # PyTorch 1 thread medians 0.6 (0.5, 0.6, 0.9); 2 threads 1.2 -> best is 1 thread, ratio 1.5.
        # Softmax 2.0, 1.0, 3.0 -> median 2.0; sklearn 1 thread 40, 50, 45 -> 45; 2 threads
        # 20, 30, 25 -> 25 is best -> ratio 12.5.
        out = {}
        for rep, rf, t1, t2, soft, b1, b2 in ((1, 1.0, 0.5, 1.2, 2.0, 40.0, 20.0), (2, 2.0, 0.6, 1.1, 1.0, 50.0, 30.0),
                                              (3, 4.0, 0.9, 1.3, 3.0, 45.0, 25.0)):
            out[(rep, "ringfold-mlp")] = {"test_accuracy": 0.87, "epochs": 5, "train_seconds": rf,
                                         "samples_per_second": 300000 / rf, "model_path": "m"}
            out[(rep, "pytorch-t1")] = {"seconds_per_epoch": t1, "samples_per_second": 60000 / t1,
                                        "test_accuracy": 0.878}
            out[(rep, "pytorch-t2")] = {"seconds_per_epoch": t2, "samples_per_second": 60000 / t2,
                                        "test_accuracy": 0.878}
            out[(rep, "ringfold-softmax")] = {"test_accuracy": 0.841, "epochs": 3, "train_seconds": soft,
                                             "samples_per_second": 1.0, "model_path": "m"}
            out[(rep, "sklearn-b1")] = {"fit_seconds": b1, "test_accuracy": 0.8443}
            out[(rep, "sklearn-b2")] = {"fit_seconds": b2, "test_accuracy": 0.8443}
        return out

    def render(self, records, target=0.84):
        run_dir = self.make_run(records)
        return summarise.render(run_dir, summarise.load_runs(run_dir), summarise.load_commands(run_dir),
                                target, "run.sh", peers_only=False)

    def test_medians_and_ratios(self):
        text = self.render(self.records())
        self.assertIn("| **MLP s/epoch** (PyTorch best: 1 thread(s)) | 0.400 | 0.600 | **1.50** |", text)
        self.assertIn("| MLP samples/s | 150000 | 100000 | |", text)
        self.assertIn("| **linear: seconds to acc ≥ 0.84** (sklearn best: 2 BLAS thread(s)) | 2.000 | 25.000 "
                      "| **12.50** |", text)
        self.assertNotIn("Warning", text)

    def test_names_the_environment_the_programs_ran_in(self):
        run_dir = self.make_run(self.records())
        with open(os.path.join(run_dir, "environment"), "w") as f:
            f.write("OPENBLAS_CORETYPE=(unset)\n")
        text = summarise.render(run_dir, summarise.load_runs(run_dir), summarise.load_commands(run_dir), 0.84,
                                "run.sh", peers_only=False)
        self.assertIn("- Environment of every program: OPENBLAS_CORETYPE=(unset) (docs/blas.md", text)
        self.assertIn("- Environment of every program: unknown", self.render(self.records()))

    def test_warns_when_ringfold_misses_the_target(self):
        text = self.render(self.records(), target=0.85)
        self.assertIn("**Warning:** Ringfold softmax stayed below test accuracy 0.85 in rep(s) 1, 2, 3", text)

    def test_missing_field_names_program_rep_and_key(self):
        records = self.records()
        del records[(2, "ringfold-mlp")]["train_seconds"]
        with self.assertRaises(SystemExit) as raised:
            self.render(records)
        self.assertIn("ringfold-mlp rep 2: JSON has no 'train_seconds'", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
