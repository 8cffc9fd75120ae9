"""Seconds-long --quick run of scripts/text_gan_protocol.py on real SNLI (house style, point 7),
and its check of the thesis' observations on the thesis' own Table 5.4."""

import copy
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
            pngs = sorted(f for f in os.listdir(tmp) if f.endswith(".png"))
            with open(os.path.join(tmp, "gans.json")) as f:
                twin = json.load(f)
            per_seed, seed_tokens, trial_fd = {}, {}, {}
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
                seed_tokens[model] = [
                    [line.split() for line in open(os.path.join(os.path.dirname(p), "samples.txt"))]
                    for p in seeds
                ]
                trial_fd[model] = [json.load(open(p))["metrics"]["fd"] for p in trials]
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
            # Unique 4-grams are counted (as the thesis): distinct 4-gram tuples of each seed's
            # samples, by a set, then numpy's mean and sample sd.
            counts = [len({tuple(t[i : i + 4]) for t in samples for i in range(len(t) - 3)})
                      for samples in seed_tokens[row["model"]]]  # fmt: skip
            self.assertAllClose((entry["unique4_count_mean"], entry["unique4_count_sd"]),
                                (np.mean(counts), np.std(counts, ddof=1)))  # fmt: skip
            self.assertAllClose(sorted(entry["trial_fd"]), sorted(trial_fd[row["model"]]))
        # The page shows the last model's (SeqGAN-step's) counts in thousands, as the thesis.
        self.assertIn(f"| SeqGAN-step | {np.mean(counts) / 1000:.1f}k ± {np.std(counts, ddof=1) / 1000:.1f}k |",
                      table)  # fmt: skip
        self.assertEqual(len(twin["observations"]), 9)
        self.assertIn("## The thesis' observations, checked on this run", table)
        # Figs. 5.11-5.13 beside the page, named on it.
        self.assertEqual(pngs, ["gans_bleu_lm.png", "gans_fd_unique.png", "gans_trials.png"])
        for png in pngs:
            self.assertIn(f"`{png}`", table)


def _thesis_rows(script):
    """Rows as `run_model` returns them, holding the thesis' Table 5.4 (mean, sd) values."""
    rows = []
    for model, values in script.THESIS_TABLE_5_4.items():
        rows.append({
            "model": model,
            "summary": copy.deepcopy(values),
            # Made-up search results: the LM's trials close together, every GAN's spread out.
            "trial_fd": [1.0, 1.01, 1.02, 1.03, 1.04] if model == "lm" else [1.0, 1.5, 2.0, 2.5, 3.0],
            "best_trial_fd": values["fd"][0] - 0.001,
            "best": {"generator_learning_rate": 2e-6},
        })
    return rows


class ThesisObservationsTest(tf.test.TestCase):
    """The checks of observations (i)-(vi) must find that they hold on the thesis' own table."""

    def verdicts(self, rows):
        script = load_script("text_gan_protocol")
        return {label: holds for label, _, holds, _ in script.thesis_observations(rows)}

    def test_every_observation_holds_on_the_thesis_table(self):
        script = load_script("text_gan_protocol")
        verdicts = self.verdicts(_thesis_rows(script))
        self.assertEqual(
            verdicts,
            {"(i)": True, "(ii)": True, "(iii)": True, "(iv)": True, "(v)": True, "(vi)": True,
             "Fig. 5.11": True, "line 2982": True, "lines 3145-3150": True},
        )  # fmt: skip

    def test_observations_fail_when_the_numbers_say_otherwise(self):
        script = load_script("text_gan_protocol")
        rows = _thesis_rows(script)
        by = {row["model"]: row for row in rows}
        by["seqgan_reinforce"]["summary"]["lm_score"] = (30.0, 0.4)  # above the LM's 28.7
        by["leakgan_leak"]["summary"]["fd"] = (0.25, 0.005)  # below noleak's 0.385 and the LM's 0.273
        by["conv_lstm"]["summary"]["fd"] = (0.35, 0.01)  # a WGAN-GP model within 2x the LM's FD
        by["seqgan_step"]["trial_fd"] = [1.0, 1.0, 1.0, 1.0, 1.0]  # as stable as the LM
        for model in ("seqgan_rollout", "leakgan_leak", "leakgan_noleak", "leakgan_mixed"):
            by[model]["best"]["generator_learning_rate"] = 5e-4  # 4 of 6 above the middle
        verdicts = self.verdicts(rows)
        for label in ("(i)", "(ii)", "(v)", "(vi)", "Fig. 5.11", "lines 3145-3150"):
            self.assertFalse(verdicts[label], label)
        # (iv): LeakGAN-leak now beats the LM's FD 0.273 ± 0.001 by more than both sds.
        self.assertFalse(verdicts["(iv)"])
        # (iv), second half: the LM clearly better than SeqGAN-reinforce on the LM score.
        rows = _thesis_rows(script)
        {row["model"]: row for row in rows}["seqgan_reinforce"]["summary"]["lm_score"] = (35.0, 0.4)
        self.assertFalse(self.verdicts(rows)["(iv)"])

    def test_low_generator_rates_need_most_searches_not_all(self):
        script = load_script("text_gan_protocol")
        rows = _thesis_rows(script)
        by = {row["model"]: row for row in rows}
        by["leakgan_mixed"]["best"]["generator_learning_rate"] = 5e-4  # 5 of 6 still low
        self.assertTrue(self.verdicts(rows)["lines 3145-3150"])
        by["leakgan_noleak"]["best"]["generator_learning_rate"] = 5e-4
        by["leakgan_leak"]["best"]["generator_learning_rate"] = 5e-4  # 3 of 6: not most
        self.assertFalse(self.verdicts(rows)["lines 3145-3150"])

    def test_one_seed_leaves_the_sd_comparisons_unchecked(self):
        script = load_script("text_gan_protocol")
        rows = _thesis_rows(script)
        for row in rows:
            row["summary"] = {k: (mean, float("nan")) for k, (mean, _) in row["summary"].items()}
        verdicts = self.verdicts(rows)
        self.assertIsNone(verdicts["(iv)"])
        self.assertIsNone(verdicts["(v)"])
        self.assertTrue(verdicts["(i)"])  # compares means only
        self.assertEqual(script.compare_with_lm(rows), ["(one seed: no sd to compare against)"])

    def test_missing_models_are_not_checked(self):
        script = load_script("text_gan_protocol")
        rows = [r for r in _thesis_rows(script) if r["model"] in ("lm", "seqgan_reinforce")]
        verdicts = self.verdicts(rows)
        self.assertTrue(verdicts["(ii)"])
        self.assertIsNone(verdicts["(i)"])
        self.assertIsNone(verdicts["(v)"])

    def test_trial_spread_is_the_interquartile_range_over_the_median(self):
        script = load_script("text_gan_protocol")
        # numpy's linear percentiles of 1..5: q1 = 2, median = 3, q3 = 4.
        self.assertAllClose(script._spread([5, 1, 4, 2, 3]), 2 / 3)

