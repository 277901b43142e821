#!/usr/bin/env python3
"""Tests for bench/cnn/summarise.py: medians, ratios, failures and shortened runs on hand-made run directories.

Run: python3 bench/cnn/test_summarise.py   (standard library only)
"""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import summarise  # noqa: E402  (sibling module, found through the path set just above)


class RenderTest(unittest.TestCase):
    def make_run(self, records, failures=()):
        run_dir = tempfile.mkdtemp(prefix="cnn-test-")
        with open(os.path.join(run_dir, "commands.tsv"), "w") as tsv:
            for (rep, name), record in records.items():
                with open(os.path.join(run_dir, f"rep{rep}-{name}.json"), "w") as f:
                    f.write(json.dumps(record) + "\n")
                tsv.write(f"{rep}\t{name}\tcmd-{name}\n")
            for rep, name, text in failures:
                with open(os.path.join(run_dir, f"rep{rep}-{name}.failed"), "w") as f:
                    f.write(text)
                tsv.write(f"{rep}\t{name}\tcmd-{name}\n")
        return run_dir

    @staticmethod
    def peer(seconds, acc, batches=938):
        return {"seconds_per_epoch": seconds, "test_accuracy": acc, "batches_per_epoch": batches,
                "full_epoch_batches": 938}

    def records(self, ringfold=True):
        # Ringfold 4, 6, 10 s over 2 epochs -> s/epoch 2, 3, 5 -> median 3.
        # PyTorch 1 thread 40, 42, 39 -> 40; 2 threads 45, 41, 44 -> 44: best 1 thread, ratio 40/3.
        # DL4J 1 thread 200, 190, 210 -> 200; 2 threads 150, 160, 140 -> 150: best 2 threads, ratio 50.
        out = {}
        for rep, rf, p1, p2, d1, d2 in ((1, 4.0, 40.0, 45.0, 200.0, 150.0), (2, 6.0, 42.0, 41.0, 190.0, 160.0),
                                        (3, 10.0, 39.0, 44.0, 210.0, 140.0)):
            if ringfold:
                out[(rep, "ringfold-cnn")] = {"train_seconds": rf, "epochs": 2, "test_accuracy": 0.889}
            out[(rep, "pytorch-t1")] = self.peer(p1, 0.883)
            out[(rep, "pytorch-t2")] = self.peer(p2, 0.884)
            out[(rep, "dl4j-t1")] = self.peer(d1, 0.878)
            out[(rep, "dl4j-t2")] = self.peer(d2, 0.877)
        return out

    def render(self, records, failures=(), not_a_result=False):
        run_dir = self.make_run(records, failures)
        return summarise.render(run_dir, summarise.e2e.load_runs(run_dir), summarise.load_failures(run_dir),
                                summarise.e2e.load_commands(run_dir), 0.88, "run.sh", not_a_result)

    def test_medians_and_ratios_against_each_peers_best_configuration(self):
        text = self.render(self.records())
        self.assertIn("| **s/epoch against PyTorch** (best: 1 thread(s)) | 3.000 | 40.000 | **13.33** | ≥ 3 |", text)
        self.assertIn("| **s/epoch against DL4J** (best: 2 thread(s)) | 3.000 | 150.000 | **50.00** | ≥ 10 |", text)
        self.assertIn("| test accuracy, DL4J (2 thread(s)) | 0.8890 | 0.8770 | | ≥ 0.88 |", text)
        self.assertIn("| 2 | 3.000 | 0.8890 | 42.000 | 41.000 | 190.000 | 160.000 |", text)
        self.assertNotIn("Not a result", text)
        self.assertNotIn("failed", text)

    def test_ringfold_failure_is_reported_and_the_peers_still_tabled(self):
        failures = [(rep, "ringfold-cnn", "exit status 2\nWARNING: Using incubator modules: jdk.incubator.vector\n"
                     "ringfold: Unknown option: '--layers'\nTry 'ringfold train --help' for the options.\n")
                    for rep in (1, 2, 3)]
        text = self.render(self.records(ringfold=False), failures, not_a_result=True)
        self.assertIn("**Not a result: Ringfold failed.**", text)
        self.assertIn("| 1 | failed (exit status 2) | – | 40.000 | 45.000 | 200.000 | 150.000 |", text)
        self.assertIn("**ringfold-cnn failed** in rep 3: exit status 2: ringfold: Unknown option: '--layers' / "
                      "Try 'ringfold train --help' for the options.", text)
        self.assertIn("| **s/epoch against DL4J** (best: 2 thread(s)) | – | 150.000 | **–** | ≥ 10 |", text)

    def test_shortened_peers_are_compared_by_their_projected_epoch(self):
        records = self.records()
        for rep in (1, 2, 3):
            records[(rep, "dl4j-t1")].update(batches_per_epoch=40, seconds_per_epoch=9.0,
                                             projected_seconds_per_epoch=211.0)
        text = self.render(records, not_a_result=True)
        self.assertIn("dl4j-t1 trained part of each epoch", text)
        self.assertIn("| DL4J s/epoch, 1 thread(s) | | 211.000 | | |", text)

    def test_missing_field_names_program_rep_and_key(self):
        records = self.records()
        del records[(2, "pytorch-t2")]["seconds_per_epoch"]
        with self.assertRaises(SystemExit) as raised:
            self.render(records)
        self.assertIn("pytorch-t2 rep 2: JSON has no 'seconds_per_epoch'", str(raised.exception))


class WriteSectionTest(unittest.TestCase):
    def test_rewrites_only_the_cnn_section(self):
        path = os.path.join(tempfile.mkdtemp(prefix="cnn-results-"), "RESULTS.md")
        with open(path, "w") as f:
            f.write("# T\n\n## End-to-end\n\ne2e\n\n## CNN\n\nold\n\n## Later\n\nkeep\n")
        summarise.e2e.write_section(path, "## CNN\n\nnew\n", summarise.SECTION)
        with open(path) as f:
            self.assertEqual(f.read(), "# T\n\n## End-to-end\n\ne2e\n\n## CNN\n\nnew\n\n## Later\n\nkeep\n")


if __name__ == "__main__":
    unittest.main()
