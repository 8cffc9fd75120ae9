"""Seconds-long --quick runs of the metric-sensitivity and LM-training-curve scripts (real data)."""

import json
import os
import tempfile

import tensorflow as tf

from data_dir import real_data_dir
from script_loading import load_script


class MetricSensitivitySmokeTest(tf.test.TestCase):
    def test_metric_sensitivity_quick_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("brown"))
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "ms.md")
            tables = load_script("metric_sensitivity").main(
                ["--quick", "--data-dir", data_dir, "--out", out]
            )
            with open(out) as f:
                text = f.read()
            pngs = sorted(name for name in os.listdir(tmp) if name.endswith(".png"))
            with open(os.path.join(tmp, "ms.json")) as f:
                twin = json.load(f)
        self.assertEqual(pngs, ["ms_dropout.png", "ms_genre.png", "ms_swap.png"])
        self.assertEqual([r["k"] for r in tables["genre"]], [15, 1])
        self.assertEqual([r["p"] for r in tables["dropout"]], [0.0, 0.5])
        # The undamaged samples are the same set in all three experiments.
        self.assertEqual(tables["dropout"][0]["fd"], tables["genre"][0]["fd"])
        self.assertEqual(tables["swap"][0]["reverse_lm"], tables["genre"][0]["reverse_lm"])
        # Word swapping never changes the unigram multiset, only order: 4-gram BLEU drops.
        self.assertLess(tables["swap"][1]["bleu4"], tables["swap"][0]["bleu4"])
        for name in ("bleu4", "self_bleu4", "fd", "precision", "recall", "mauve", "lm_score",
                     "reverse_lm", "unique4"):  # fmt: skip
            self.assertIn(name, tables["genre"][1])
        self.assertIn("| 1 (…news) |", text)
        # The twin holds the page's rows: one per deterioration level.
        self.assertEqual([(r["deterioration"], r.get("k", r.get("p"))) for r in twin["rows"]],
                         [("genre", 15), ("genre", 1), ("dropout", 0.0), ("dropout", 0.5),
                          ("swap", 0.0), ("swap", 0.5)])
        self.assertEqual(twin["rows"][1]["fd"], tables["genre"][1]["fd"])
        self.assertIn("![word dropout](ms_dropout.png)", text)

    def test_lm_training_curves_quick_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("texygen"))
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "curves.md")
            rows = load_script("lm_training_curves").main(
                ["--quick", "--data-dir", data_dir, "--out", out]
            )
            with open(out) as f:
                text = f.read()
            self.assertTrue(os.path.isfile(os.path.join(tmp, "curves.png")))
        self.assertEqual([(r["units"], r["epoch"]) for r in rows], [(8, 1), (16, 1)])
        for row in rows:
            self.assertGreater(row["fd"], 0.0)
            self.assertGreater(row["lm_score"], 1.0)
        self.assertIn("| LSTM 16 | 1 |", text)
        self.assertIn("| real (COCO train captions) | – | – |", text)
