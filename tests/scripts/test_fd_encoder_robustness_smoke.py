"""Seconds-long --quick run of scripts/fd_encoder_robustness.py (real data: Brown, SNLI)."""

import json
import os
import tempfile

import numpy as np
import tensorflow as tf

from data_dir import real_data_dir
from script_loading import load_script


class FDEncoderRobustnessSmokeTest(tf.test.TestCase):
    def test_quick_run_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("brown"))
        real_data_dir("snli_devtest")
        script = load_script("fd_encoder_robustness")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "fd.md")
            self.assertEqual(script.main(["--quick", "--data-dir", data_dir, "--out", out]), 0)
            with open(out) as f:
                page = f.read()
            with open(os.path.join(tmp, "fd.json")) as f:
                twin = json.load(f)
        self.assertEqual([r["k"] for r in twin["rows"]], [15, 1])
        for row in twin["rows"]:
            for name in ("minilm", "bilstm_max", "bigram_dan"):
                self.assertGreater(row[f"fd_{name}"], 0.0)
        self.assertEqual(set(twin["spearman"]),
                         {"minilm~bilstm_max", "minilm~bigram_dan", "bilstm_max~bigram_dan"})
        self.assertIn("UniSent", page)
        self.assertIn("--quick", twin["command"])

    def test_spearman_matches_a_hand_computed_case(self):
        script = load_script("fd_encoder_robustness")
        # Ranks (0, 1, 2, 3) and (0, 2, 1, 3): 1 - 6 * (0 + 1 + 1 + 0) / (4 * 15) = 0.8.
        self.assertAllClose(script.spearman([1.0, 2.0, 3.0, 4.0], [5.0, 7.0, 6.0, 9.0]), 0.8)
        self.assertAllClose(script.spearman([1, 2, 3], [3, 2, 1]), -1.0)
        self.assertTrue(np.isfinite(script.spearman([0.1, 0.3], [2.0, 1.0])))


if __name__ == "__main__":
    tf.test.main()
