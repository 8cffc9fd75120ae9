"""Smoke test of benchmarks/bench_protocol_eval_share.py --quick on real SNLI."""

import json
import os
import tempfile

import tensorflow as tf

from data_dir import real_data_dir
from script_loading import load_script


def _load():
    return load_script("bench_protocol_eval_share", folder="benchmarks")


class BenchProtocolEvalShareTest(tf.test.TestCase):
    def test_quick_run_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("snli_devtest"))
        bench = _load()
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "share.md")
            argv = ["--quick", "--data-dir", data_dir, "--out", out, "--models", "lm", "seqgan_step"]
            self.assertEqual(bench.main(argv), 0)
            with open(out) as file:
                page = file.read()
            with open(os.path.join(tmp, "share.json")) as file:
                twin = json.load(file)
        self.assertIn("--quick smoke run", page)
        self.assertEqual([r["model"] for r in twin["rows"]], ["lm", "seqgan_step"])
        for row in twin["rows"]:
            # The share is evaluation over the whole trial, which is training plus evaluation.
            self.assertAllClose(row["eval_share"], row["eval_seconds"] / row["trial_seconds"], atol=0.05)
            self.assertLessEqual(row["train_seconds"] + row["eval_seconds"], row["trial_seconds"] + 0.2)

    def test_rejects_non_positive_steps(self):
        bench = _load()
        with self.assertRaisesRegex(SystemExit, "2"):
            bench.main(["--steps", "0", "--data-dir", "/x"])
