"""Seconds-long --quick run of scripts/text_gan_protocol.py on real SNLI (house style, point 7)."""

import glob
import json
import os
import tempfile

import numpy as np
import tensorflow as tf

from data_dir import real_data_dir
from script_loading import load_script

MODELS = ["lm", "conv_deconv", "seqgan_step"]


class TextGanProtocolScriptTest(tf.test.TestCase):
    def test_quick_run_and_resume_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("snli_devtest"))
        script = load_script("text_gan_protocol")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "gans.md")
            argv = ["--quick", "--data-dir", data_dir, "--out", out, "--workdir", tmp,
                    "--models", *MODELS]  # fmt: skip
            rows = script.main(argv)
            with open(out) as f:
                table = f.read()
            with open(os.path.join(tmp, "gans.json")) as f:
                twin = json.load(f)
            per_seed = {}
            for model in MODELS:
                trials = glob.glob(os.path.join(tmp, model, "search", "trials", "*", "scores.json"))
                seeds = glob.glob(os.path.join(tmp, model, "seeds", "*", "*", "scores.json"))
                self.assertLen(trials, 2, model)
                self.assertLen(seeds, 2, model)
                # Search trials are scored without the reverse LM; the seed repeats with it.
                for path in trials:
                    self.assertNotIn("reverse_lm", json.load(open(path))["metrics"])
                for path in seeds:
                    self.assertTrue(os.path.exists(os.path.join(os.path.dirname(path), "samples.txt")))
                per_seed[model] = [json.load(open(p))["metrics"] for p in seeds]
            mtimes = {p: os.path.getmtime(p) for p in glob.glob(os.path.join(tmp, "*", "*", "*", "*", "scores.json"))}
            # A rerun finds every trial and seed finished and trains nothing again.
            rerun = script.main(argv)
            self.assertEqual(
                mtimes,
                {p: os.path.getmtime(p) for p in glob.glob(os.path.join(tmp, "*", "*", "*", "*", "scores.json"))},
            )
            # The same workdir with other run settings is refused, not silently mixed.
            with self.assertRaisesRegex(ValueError, "other settings.*'seed': \\(0, 1\\)"):
                script.main(argv + ["--seed", "1"])
        for title in ("| LM |", "| Conv-Deconv (WGAN-GP) |", "| SeqGAN-step |", "| real training sentences |"):
            self.assertIn(title, table)
        for row, again in zip(rows, rerun):
            metrics = per_seed[row["model"]]
            for name in ("fd", "bleu4", "reverse_lm"):
                values = [m[name] for m in metrics]
                # Reference: numpy mean and sample sd of the per-seed score files.
                self.assertAllClose(row["summary"][name], (np.mean(values), np.std(values, ddof=1)))
                self.assertAllClose(again["summary"][name], row["summary"][name])
        # The twin has one row per model with the page's numbers: mean and sd over the seeds.
        self.assertEqual([r["model"] for r in twin["rows"]], [r["model"] for r in rows])
        for entry, row in zip(twin["rows"], rows):
            self.assertEqual(entry["num_seeds"], 2)
            self.assertEqual(entry["num_trials"], 2)
            self.assertAllClose((entry["fd_mean"], entry["fd_sd"]), row["summary"]["fd"])

