import json
import os
import tempfile

import numpy as np
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

from protocol_helpers import SPACE, CountingTrialFn, analytic_metrics, read_calls
from tfrnnx.protocol import SeedRepeats, run_protocol

HPARAMS = {"x": 0.25, "learning_rate": 0.001, "units": 4, "cell": "gru", "epochs": 3}


class SeedRepeatsTest(tf.test.TestCase):
    def test_summary_is_mean_and_sample_std_of_the_runs(self):
        with tempfile.TemporaryDirectory() as directory:
            repeats = SeedRepeats(CountingTrialFn(os.path.join(directory, "c")), HPARAMS, directory, seeds=5)
            runs = repeats.run()
            self.assertEqual([r["seed"] for r in runs], [0, 1, 2, 3, 4])
            self.assertEqual(runs, repeats.runs())
            summary = repeats.summary()
            self.assertEqual(set(summary), {"fd", "bleu4", "units_seen"})
            for name, (mean, std) in summary.items():
                values = np.array([analytic_metrics(HPARAMS, seed)[name] for seed in range(5)])
                self.assertAllClose(mean, values.mean())
                self.assertAllClose(std, values.std(ddof=1))
            self.assertEqual(summary["units_seen"], (4.0, 0.0))
            for seed in range(5):
                self.assertEqual(repeats.run_dir(seed), os.path.join(directory, f"seed_{seed}"))
                with open(os.path.join(directory, f"seed_{seed}", "scores.json")) as file:
                    self.assertEqual(json.load(file), runs[seed])
                run = event_accumulator.EventAccumulator(os.path.join(directory, "tensorboard", f"seed_{seed}"))
                self.assertIn("_hparams_/session_start_info", run.Reload().PluginTagToContent("hparams"))

    def test_finished_seeds_are_not_rerun(self):
        with tempfile.TemporaryDirectory() as directory:
            calls = os.path.join(directory, "calls.jsonl")
            SeedRepeats(CountingTrialFn(calls), HPARAMS, directory, seeds=[10, 11]).run()
            runs = SeedRepeats(CountingTrialFn(calls), HPARAMS, directory, seeds=[10, 11, 12]).run()
            self.assertEqual([c["seed"] for c in read_calls(calls)], [10, 11, 12])
            self.assertLen(runs, 3)
            self.assertTrue(np.isnan(SeedRepeats(CountingTrialFn(calls), HPARAMS, directory, seeds=[10]).summary()["fd"][1]))
            with self.assertRaisesRegex(ValueError, "holds a finished run of other settings"):
                SeedRepeats(CountingTrialFn(calls), {**HPARAMS, "x": 0.5}, directory, seeds=[10]).run()

    def test_bad_seeds(self):
        for seeds in (0, [], [1, 1], [1.5], "7"):
            with self.subTest(seeds=seeds):
                with self.assertRaisesRegex(ValueError, "seeds must be"):
                    SeedRepeats(lambda h, s, d: {"fd": 0.0}, HPARAMS, "/tmp/x", seeds=seeds)


class RunProtocolTest(tf.test.TestCase):
    def test_search_then_seeds_then_summary_files(self):
        with tempfile.TemporaryDirectory() as directory:
            calls = os.path.join(directory, "calls.jsonl")
            summary = run_protocol(CountingTrialFn(calls), SPACE, directory, num_trials=12, num_seeds=3, seed=2)
            made = read_calls(calls)
            self.assertLen(made, 15)
            best = min(made[:12], key=lambda c: analytic_metrics(c["hparams"], 2)["fd"])["hparams"]
            self.assertEqual(summary["best_hparams"], best)
            self.assertEqual([c["seed"] for c in made[12:]], [3, 4, 5])
            self.assertTrue(all(c["hparams"] == best for c in made[12:]))
            fd = [analytic_metrics(best, seed)["fd"] for seed in (3, 4, 5)]
            self.assertAllClose(summary["metrics"]["fd"]["mean"], np.mean(fd))
            self.assertAllClose(summary["metrics"]["fd"]["std"], np.std(fd, ddof=1))
            with open(os.path.join(directory, "summary.json")) as file:
                self.assertEqual(json.load(file), summary)
            with open(os.path.join(directory, "summary.md")) as file:
                table = file.read()
            self.assertIn("| fd |", table)
            self.assertIn(f"{np.mean(fd):.4g} ± {np.std(fd, ddof=1):.2g}", table)
            # Resumed: nothing is rerun and the same summary comes back.
            self.assertEqual(run_protocol(CountingTrialFn(calls), SPACE, directory, num_trials=12,
                                          num_seeds=3, seed=2), summary)
            self.assertLen(read_calls(calls), 15)

    def test_seeds_can_run_a_final_trial_fn_with_more_metrics(self):
        with tempfile.TemporaryDirectory() as directory:
            search_calls = os.path.join(directory, "search_calls.jsonl")
            final_calls = os.path.join(directory, "final_calls.jsonl")
            counting = CountingTrialFn(final_calls)

            def final_trial_fn(hparams, seed, run_dir):
                return {**counting(hparams, seed, run_dir), "expensive": float(seed)}

            summary = run_protocol(CountingTrialFn(search_calls), SPACE, directory, num_trials=4,
                                   num_seeds=2, final_trial_fn=final_trial_fn)  # fmt: skip
            self.assertLen(read_calls(search_calls), 4)  # the search only
            self.assertEqual([c["seed"] for c in read_calls(final_calls)], [1, 2])
            self.assertEqual(summary["metrics"]["expensive"]["values"], [1.0, 2.0])
