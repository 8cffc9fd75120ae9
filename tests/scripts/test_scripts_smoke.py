"""Seconds-long --quick runs of the experiment scripts (house style, point 7)."""

import json
import os
import tempfile

import tensorflow as tf

from data_dir import real_data_dir
from script_loading import load_script


class ScriptSmokeTest(tf.test.TestCase):
    def test_temporal_order_quick(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "table.md")
            load_script("temporal_order").main(["--quick", "--out", out, "--logdir", tmp])
            with open(out) as f:
                table = f.read()
            with open(os.path.join(tmp, "table.json")) as f:
                twin = json.load(f)
        self.assertEqual(table.count("| 15 |"), 6)
        self.assertIn("Moon (cell c) | per-sequence", table)
        # The thesis' Table 3.1 beside ours, and one JSON row per configuration.
        self.assertIn("| Moon (cell c) | per-sequence | 100 | 25 | 100 | <25 |", table)
        self.assertLen(twin["rows"], 6)
        self.assertEqual(twin["thesis"]["cell_per_sequence"], ["100", "25", "100", "<25"])

    def test_attention_diagnosis_quick(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "diagnosis.md")
            rows = load_script("attention_diagnosis").main(
                ["--quick", "--variants", "demo,limit", "--out", out]
            )
            with open(out) as f:
                page = f.read()
            with open(os.path.join(tmp, "diagnosis.json")) as f:
                twin = json.load(f)
        self.assertEqual([r["variant"] for r in twin["rows"]], ["demo", "limit"])
        self.assertLen(rows[0]["history"], 2)  # before training and after the one epoch
        # The limited grid covers at most 0.4 x 0.4 (x (8/7)^2 for the half strides).
        self.assertLessEqual(rows[1]["last_box_area_mean"], (0.4 * 8 / 7) ** 2 + 1e-6)
        self.assertEqual(rows[0]["last_box_area_mean"], 1.0)  # a whole-image grid, clipped
        self.assertIn("## Findings", page)

    def test_ptb_lm_quick_and_resume_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("ptb"))
        script = load_script("ptb_lm")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "ptb.md")
            argv = ["--quick", "--data-dir", data_dir, "--workdir", tmp, "--out", out]
            script.main(argv)
            with open(out) as f:
                first = f.read()
            # A second run finds the checkpoints and reports the same numbers without training.
            script.main(argv)
            with open(out) as f:
                second = f.read()
            with open(os.path.join(tmp, "ptb.json")) as f:
                twin = json.load(f)
        self.assertIn("| no dropout | 1 |", first)
        # The thesis' Table 3.2 rows beside ours: no dropout 130.0 / 125.2; forward + ours 91.6 / 87.0.
        self.assertIn("| 130 / 125.2 |", first)
        self.assertIn("| 91.6 / 87 |", first)
        self.assertEqual([(r["config"], r["thesis_test"]) for r in twin["rows"]], [("none", 125.2), ("update", 87.0)])
        rows = lambda text: [line for line in text.splitlines() if line.startswith("| no") or "ours" in line]  # noqa: E731
        self.assertEqual([r.rsplit("|", 2)[0] for r in rows(first)], [r.rsplit("|", 2)[0] for r in rows(second)])
