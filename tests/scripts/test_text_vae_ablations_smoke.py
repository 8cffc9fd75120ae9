import os
import tempfile

import tensorflow as tf

from data_dir import real_data_dir
from script_loading import load_script


class TextVAEAblationsSmokeTest(tf.test.TestCase):
    def run_quick(self, experiment, data_dir, *extra):
        script = load_script("text_vae_ablations")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "table.md")
            argv = ["--experiment", experiment, "--quick", "--data-dir", data_dir,
                    "--workdir", os.path.join(tmp, "work"), "--out", out, *extra]
            script.main(argv)
            with open(out) as f:
                first = f.read()
            stored = sorted(os.listdir(os.path.join(tmp, "work")))
            # Running again reads every run back from the work directory instead of training.
            script.fit_and_evaluate = None
            script.main(argv)
            with open(out) as f:
                second = f.read()
        table = lambda text: [line for line in text.splitlines() if line.startswith("| ")]  # noqa: E731
        self.assertEqual(len(stored), 1)  # one settings hash
        self.assertEqual(table(first), table(second))
        return first

    def test_alpha_sweep_quick_needs_real_data(self):
        text = self.run_quick("alpha", os.path.dirname(real_data_dir("ptb")), "--seeds", "0,1")
        for alpha in ("0.0", "0.5"):
            for annealed in ("yes", "no"):
                self.assertEqual(text.count(f"| {alpha} | {annealed} |"), 2)  # numbers and samples
        self.assertIn(" ± ", text)  # mean ± std over the two seeds

    def test_bytenet_depth_quick_needs_real_data(self):
        text = self.run_quick("bytenet", os.path.dirname(real_data_dir("ptb")))
        # α, layers, receptive field: the thesis' plain stack sees layers + 1 characters.
        for alpha in ("0.0", "0.5"):
            self.assertIn(f"| {alpha} | 1 | 2 |", text)
            self.assertIn(f"| {alpha} | 2 | 3 |", text)
        self.assertIn("no dilation", text)
        self.assertIn("whether its findings hold", text)
        dilated = self.run_quick("bytenet", os.path.dirname(real_data_dir("ptb")),
                                 "--bytenet-style", "dilated_residual")
        self.assertIn("| 0.0 | 2 | 4 |", dilated)

    def test_tweets_quick_needs_real_data(self):
        text = self.run_quick("tweets", os.path.dirname(real_data_dir("semeval_twitter")))
        for model in ("LSTM VAE (input dropout 0.2)", "LSTM VAE (input dropout 0.5)",
                      "LSTM VAE (input dropout 0.8)", "hybrid, LSTM decoder"):
            self.assertEqual(text.count(f"| {model}"), 3)  # numbers, samples, nats per tweet
        self.assertIn("\\| 58.5 |", text)  # the thesis' hybrid rec per tweet beside ours
        # Parameter-matched: every LSTM VAE within 10% of the hybrid's count.
        counts = {line.split(" | ")[0][2:]: int(line.split(" | ")[1]) for line in text.splitlines()
                  if line.startswith(("| LSTM VAE", "| hybrid")) and line.split(" | ")[1].isdigit()}
        hybrid = counts.pop("hybrid, LSTM decoder (α=0.2)")
        for count in counts.values():
            self.assertLess(abs(count - hybrid) / hybrid, 0.1)
        self.assertNotIn("\x00", text)  # padding is dropped from the shown texts

    def test_aggregate_gives_mean_and_sample_std_over_seeds(self):
        import statistics

        script = load_script("text_vae_ablations")
        metrics = lambda rec, kl: dict(  # noqa: E731
            rec=rec, kl=kl, total=rec + kl, kl_share=kl / (rec + kl), active=1.0, mi=0.5, seconds=2.0, steps=10,
            params=7, samples=["s"], reconstruction=["a", "b"])
        rows = [dict(model="m", seed=0, **metrics(2.0, 0.1)), dict(model="m", seed=1, **metrics(2.4, 0.3)),
                dict(model="n", seed=0, **metrics(1.0, 0.0))]
        m, n = script.aggregate(rows)
        self.assertEqual((m["model"], m["seeds"], n["seeds"]), ("m", 2, 1))
        self.assertAllClose([m["rec"], m["rec_std"]], [2.2, statistics.stdev([2.0, 2.4])])
        self.assertAllClose([m["kl"], m["kl_std"]], [0.2, statistics.stdev([0.1, 0.3])])
        self.assertEqual((n["rec"], n["rec_std"]), (1.0, 0.0))

    def test_too_few_tweets_is_a_clear_error_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("semeval_twitter"))
        script = load_script("text_vae_ablations")
        args = script.parse_args(["--experiment", "tweets", "--data-dir", data_dir, "--length", "3",
                                  "--valid-size", "100000"])
        with self.assertRaisesRegex(ValueError, "--valid-size=100000"):
            script.tweet_ids(args)

    def test_convergence_tolerance_is_a_flag_on_the_command_line(self):
        script = load_script("text_vae_ablations")
        loose = script.parse_args(["--experiment", "tweets", "--data-dir", "/x", "--min-improvement", "0.02"])
        self.assertIn("--min-improvement 0.02", script.command(loose))
        default = script.parse_args(["--experiment", "tweets", "--data-dir", "/x"])
        self.assertNotIn("--min-improvement", script.command(default))
        self.assertNotEqual(script.settings_key(loose), script.settings_key(default))
