#!/usr/bin/env python3
"""Tests for costmodel.py: the schedule's simulation against timelines worked out by hand, the closed forms,
the memory rule, and the records made from a hand-written train --json result.

Run: python3 bench/pipeline/test_costmodel.py   (standard library only)
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import costmodel  # noqa: E402  (sibling module, found through the path set just above)


class ClosedFormTest(unittest.TestCase):
    def test_analytic_bubble(self):
        self.assertEqual(costmodel.analytic_bubble(1, 8), 0)
        self.assertAlmostEqual(costmodel.analytic_bubble(4, 4), 3 / 7)
        self.assertAlmostEqual(costmodel.analytic_bubble(2, 16), 1 / 17)

    def test_ring_allreduce(self):
        self.assertEqual(costmodel.ring_allreduce_seconds(10 ** 6, 1, 1e-3, 1e9), 0)
        # 2 (N-1)/N x 4 MB over 1 GB/s with N = 2: 4 ms of bytes, plus 2 (N-1) = 2 latencies.
        self.assertAlmostEqual(costmodel.ring_allreduce_seconds(10 ** 6, 2, 1e-4, 1e9), 4e-3 + 2e-4)
        # N = 4: 1.5 x 4 MB and 6 latencies.
        self.assertAlmostEqual(costmodel.ring_allreduce_seconds(10 ** 6, 4, 1e-4, 1e9), 6e-3 + 6e-4)

    def test_transfer(self):
        self.assertAlmostEqual(costmodel.transfer_seconds(128, 784, 1e-4, 1e8), 1e-4 + 128 * 784 * 4 / 1e8)
        with self.assertRaises(ValueError):
            costmodel.transfer_seconds(1, 1, 0, 0)

    def test_rate(self):
        self.assertAlmostEqual(costmodel.rate_bytes_per_second("100mbit"), 12.5e6 * 1448 / 1514)
        self.assertAlmostEqual(costmodel.rate_bytes_per_second("1gbit"), 125e6 * 1448 / 1514)
        with self.assertRaises(ValueError):
            costmodel.rate_bytes_per_second("1gbps")


class SimulationTest(unittest.TestCase):
    def test_equal_stages_without_communication_give_gpipe_timeline(self):
        # K equal stages, no transfer cost: M + K - 1 slots of f + b, and stage 0 idles K - 1 of them.
        for schedule in ("gpipe", "1f1b"):
            for k, m in ((2, 1), (2, 4), (4, 1), (4, 8), (8, 16)):
                f, b = 1.0 / m, 2.0 / m
                clock, waited = costmodel.simulate_phase([f] * k, [b] * k, [0] * (k - 1), [0] * (k - 1), m,
                                                         schedule, 0.0, 1.0)
                with self.subTest(schedule=schedule, k=k, m=m):
                    self.assertAlmostEqual(max(clock), (m + k - 1) * (f + b))
                    self.assertAlmostEqual(waited[0] / clock[0], costmodel.analytic_bubble(k, m))
                    # The closed form is the same when nothing is sent.
                    self.assertAlmostEqual(costmodel.pipeline_seconds([3.0] * k, [1] * (k - 1), m, 0, 0.0, 1.0),
                                           max(clock))

    def test_one_stage_never_waits(self):
        clock, waited = costmodel.simulate_phase([1.0], [2.0], [], [], 4, "1f1b", 1.0, 1.0)
        self.assertEqual((clock, waited), ([12.0], [0.0]))

    def test_two_stages_one_micro_batch_by_hand(self):
        # Stage 0: F (1), activations take 0.5 + 3/2; stage 1: F + B (1 + 2); gradients 0.5 + 3/2; stage 0: B (2).
        clock, waited = costmodel.simulate_phase([1.0, 1.0], [2.0, 2.0], [3.0], [3.0], 1, "1f1b", 0.5, 2.0)
        self.assertAlmostEqual(clock[0], 1 + 2 + 3 + 2 + 2)
        self.assertAlmostEqual(waited[0], 2 + 3 + 2)
        self.assertAlmostEqual(clock[1], 1 + 2 + 3)
        self.assertAlmostEqual(waited[1], 3)

    def test_a_direction_carries_one_message_at_a_time(self):
        # No compute, messages of 1 s each: A0 on the wire 0-1, A1 queued behind it 1-2; stage 1 sends G0 at 2
        # (it runs its forwards first under GPipe), G1 behind it: stage 0 has the last gradient at 4.
        clock, _ = costmodel.simulate_phase([0.0, 0.0], [0.0, 0.0], [1.0], [1.0], 2, "gpipe", 0.0, 1.0)
        self.assertAlmostEqual(clock[0], 4.0)

    def test_a_bucket_lets_a_burst_through_at_once(self):
        # tbf's bucket of 1.5 units: the first message (1 unit) passes at once, the second finds 0.5 left and
        # waits 0.5; then the direction idles while stage 1 computes, and the bucket refills.
        clock, _ = costmodel.simulate_phase([0.0, 0.0], [0.0, 0.0], [1.0], [1.0], 2, "gpipe", 0.0, 1.0, burst=1.5)
        # A0 at 0, A1 at 0.5; G0 sent at 0.5 through a full bucket, G1 behind it at 0.5 + 0.5.
        self.assertAlmostEqual(clock[0], 1.0)
        # Without a bucket the same is four units of wire time, two each way, the gradients after the last activation.
        self.assertAlmostEqual(max(costmodel.simulate_phase([0.0, 0.0], [0.0, 0.0], [1.0], [1.0], 2, "gpipe", 0.0,
                                                            1.0)[0]), 4.0)

    def test_blocking_sends_are_never_faster(self):
        for schedule in ("gpipe", "1f1b"):
            for t in (0.1, 1.0, 3.0):
                buffered, _ = costmodel.simulate_phase([1.0] * 4, [2.0] * 4, [t] * 3, [t] * 3, 8, schedule, 0.01, 1.0)
                blocking, _ = costmodel.simulate_phase([1.0] * 4, [2.0] * 4, [t] * 3, [t] * 3, 8, schedule, 0.01, 1.0,
                                                       blocking=True)
                with self.subTest(schedule=schedule, t=t):
                    self.assertGreaterEqual(max(blocking) + 1e-12, max(buffered))
                    # Without overlap of compute and transfers the closed form bounds both from above.
                    closed = costmodel.pipeline_seconds([3.0 * 8] * 4, [1] * 3, 8, 8 * t / 4, 0.01, 1.0)
                    self.assertLessEqual(max(blocking), closed + 1e-9)

    def test_every_stage_runs_each_micro_batch_forward_then_backward(self):
        for schedule in ("gpipe", "1f1b"):
            for k, m in ((1, 3), (3, 2), (4, 8)):
                for stage in range(k):
                    ops = costmodel.schedule_ops(schedule, stage, k, m)
                    flat = [o for op in ops for o in ((op[1], op[2]) if op[0] == "sr" else (op,))]
                    forwards = [o[1] for o in flat if o[0] == "F"]
                    backwards = [o[1] for o in flat if o[0] == "B"]
                    with self.subTest(schedule=schedule, k=k, m=m, stage=stage):
                        self.assertEqual(forwards, list(range(m)))
                        self.assertEqual(backwards, list(range(m)))
                        for i in range(m):
                            self.assertLess(flat.index(("F", i)), flat.index(("B", i)))
                        # In-flight activations of 1F1B: at most K - stage forwards ahead of the backwards.
                        if schedule == "1f1b":
                            ahead = max(sum(1 for o in flat[:j] if o[0] == "F")
                                        - sum(1 for o in flat[:j] if o[0] == "B") for j in range(len(flat) + 1))
                            self.assertLessEqual(ahead, k - stage)

    def test_unknown_schedule(self):
        with self.assertRaises(ValueError):
            costmodel.schedule_ops("zigzag", 0, 2, 2)


class MemoryAndPlanTest(unittest.TestCase):
    def test_worker_bytes(self):
        # 1,000 parameters x (16 + 4 x 8 micro-batches) + 2 in flight x 4 rows x 3 layers x 10 wide x 4 B x 2.
        self.assertEqual(costmodel.worker_bytes(1000, 8, 4, 3, 10, 2, 0), 48_000 + 2 * 4 * 3 * 10 * 4 * 2)
        self.assertEqual(costmodel.worker_bytes(1000, 8, 4, 3, 10, 2, 1), 48_000 + 1 * 4 * 3 * 10 * 4 * 2)

    def test_plans_fit_the_heap_and_come_fastest_first(self):
        network = (8, 256, 64)
        link = ("test", 1e-5, 1e9)
        options = costmodel.plan_options(network, 4, link, 1e10, 2 ** 30, 1e-9)
        self.assertTrue(options)
        self.assertEqual(options, sorted(options, key=lambda o: (-o[0], o[1], o[3])))
        for _, k, n, m, _, _ in options:
            self.assertEqual(k * n, 4)
        # Too small a heap for a stage's weights and Adam state: no plan.
        self.assertEqual(costmodel.plan_options(network, 4, link, 1e10, 1000, 1e-9), [])


class RecordTest(unittest.TestCase):
    RESULT = {
        "train_rows": 1024, "epoch_seconds": [9.0, 2.0, 4.0, 3.0], "workers": 2, "parameter_digest": "ab" * 32,
        "pipeline": {"stages": 2, "micro_batches": 4, "schedule": "1f1b", "boundaries": [4], "analytic_bubble": 0.2,
                     "stage_telemetry": [
                         {"epoch": e, "rank": s, "stage": s, "replica": 0, "from_layer": 4 * s, "to_layer": 4 + 5 * s,
                          "parameters": 10, "compute_seconds": 1.0 + s, "transfer_seconds": 0.2 * e,
                          "collective_seconds": 0.1, "bubble_fraction": 0.1 * e + 0.01 * s, "bytes_sent": 100}
                         for e in (1, 2, 3, 4) for s in (0, 1)]}}

    def test_steady_figures_leave_out_the_first_epochs(self):
        r = costmodel.record(self.RESULT, "threads", 1, 1)
        self.assertEqual(r["steady_epoch_seconds"], 3.0)
        self.assertAlmostEqual(r["samples_per_second"], 1024 / 3.0)
        self.assertAlmostEqual(r["per_stage"][0]["bubble_fraction"], 0.3)
        self.assertAlmostEqual(r["per_stage"][1]["bubble_fraction"], 0.31)
        self.assertAlmostEqual(r["bubble"], 0.305)
        self.assertAlmostEqual(r["per_stage"][1]["transfer_seconds"], 0.6)

    def test_calibration_splits_the_phase(self):
        r = costmodel.record(self.RESULT, "netns", 1, 1, extra={"batch": 512})
        busy, outside = costmodel.calibration(r)
        # 2 steps an epoch; stage 0: phase = 0.6 / 0.3 = 2 s an epoch, of which 1.4 busy; stage 1: 0.6 / 0.31,
        # shorter; the longer phase leaves 1 s of the 3-second epoch outside it.
        self.assertAlmostEqual(busy[0], (2.0 - 0.6) / 2)
        self.assertAlmostEqual(busy[1], (0.6 / 0.31 - 0.6) / 2)
        self.assertAlmostEqual(outside, (3.0 - 2.0) / 2)


class SweepTableTest(unittest.TestCase):
    @staticmethod
    def row(k, m, run, sps, bubbles):
        return {"mode": "threads", "stages": k, "micro_batches": m, "schedule": "1f1b", "run": run,
                "samples_per_second": sps, "bubble": sum(bubbles) / len(bubbles),
                "per_stage": [{"bubble_fraction": b} for b in bubbles]}

    def test_medians_against_one_stage_and_the_analytic_bubble(self):
        rows = [self.row(1, 1, 1, 100.0, [0.0]), self.row(1, 4, 1, 300.0, [0.0]), self.row(1, 4, 2, 200.0, [0.0]),
                self.row(2, 4, 1, 150.0, [0.4, 0.2]), self.row(2, 4, 2, 250.0, [0.2, 0.0]),
                self.row(2, 4, 3, 500.0, [0.3, 0.1])]
        lines = costmodel.sweep_table(rows).splitlines()
        two = [line for line in lines if line.startswith("| 2 | 4 |")]
        self.assertEqual(len(two), 1)
        cells = [c.strip() for c in two[0].strip("|").split("|")]
        # Runs in order, median 250 against the median of every one-stage run (200): 1.25x.
        self.assertEqual(cells[4:7], ["150 250 500", "250", "1.25x"])
        # Bubble: the median over runs of the stage mean (0.3, 0.1, 0.2), per stage 0.3 and 0.1; analytic 1/5.
        self.assertEqual(cells[7:11], ["0.200", "0.30 0.10", "0.200", "1.00"])
        self.assertEqual(cells[11], "0.20 0.08")


if __name__ == "__main__":
    unittest.main()
