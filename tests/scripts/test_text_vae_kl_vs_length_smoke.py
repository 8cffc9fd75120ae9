import json
import os
import tempfile

import tensorflow as tf

from data_dir import real_data_dir
from script_loading import load_script


class TextVAEKLVsLengthSmokeTest(tf.test.TestCase):
    def test_quick_run_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("ptb"))
        script = load_script("text_vae_kl_vs_length")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "table.md")
            script.main(["--quick", "--data-dir", data_dir, "--out", out])
            with open(out) as f:
                table = f.read()
            with open(os.path.join(tmp, "table.json")) as f:
                twin = json.load(f)
        self.assertEqual(table.count("| 16 |"), 3)
        self.assertIn("hybrid", table)
        self.assertIn("input dropout 0.5", table)
        self.assertEqual([r["model"] for r in twin["rows"]], ["hybrid_alpha0.2", "lstm_p0.2", "lstm_p0.5"])
        for row in twin["rows"]:
            self.assertAlmostEqual(row["total_bpc"], row["rec_bpc"] + row["kl_bpc"], delta=2e-4)
            self.assertGreater(row["parameters"], 0)

    def test_fixed_schedule_quick_run_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("ptb"))
        script = load_script("text_vae_kl_vs_length")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "table.md")
            script.main(["--quick", "--data-dir", data_dir, "--out", out, "--models", "hybrid_alpha0.2",
                         "--annealing", "fixed", "--anneal-start", "2", "--anneal-steps", "3",
                         "--initial-beta", "0.1", "--learning-rate", "1e-3"])
            with open(out) as f:
                table = f.read()
            with open(os.path.join(tmp, "table.json")) as f:
                (row,) = json.load(f)["rows"]
        self.assertIn("Adam 0.001, β = 0.1 until step 2, then a linear ramp to 1 over 3 steps", table)
        # --quick validates every 2 of its 6 steps; β is logged after each epoch's last step
        # (optimizer step k - 1 for the k-th step): 0.1 + 0.9 * clip((k - 1 - 2) / 3, 0, 1).
        steps = [point[0] for point in row["curve"]]
        self.assertEqual(steps, [2, 4, 6])
        expected = [0.1 + 0.9 * min(max((k - 1 - 2) / 3, 0), 1) for k in steps]
        self.assertAllClose([point[1] for point in row["curve"]], expected, atol=1e-5)
        self.assertEqual((row["anneal_start"], row["anneal_steps"], row["converged_at"]), (2, 3, None))
        self.assertTrue(row["schedule_completed"])

    def test_observations_name_a_kl_still_moving(self):
        script = load_script("text_vae_kl_vs_length")

        def row(length, kls):  # validations every 500 steps
            return {"model": "hybrid_alpha0.2", "length": length, "kl_share": 0.2, "schedule_completed": True,
                    "curve": [[500 * (i + 1), 1.0, 1.5, kl] for i, kl in enumerate(kls)]}

        # 0.30 -> 0.27 over the last 1000 steps is a 10% move; 0.200 -> 0.196 is 2%.
        lines = script.observations([row(12, [0.5, 0.3, 0.28, 0.27]), row(24, [0.3, 0.2, 0.2, 0.196])])
        (moving,) = [line for line in lines if "still changing" in line]
        self.assertIn("at 12: 0.3000 → 0.2700", moving)
        self.assertNotIn("at 24", moving)
        self.assertFalse([line for line in script.observations([row(24, [0.2, 0.2, 0.2])])
                          if "still changing" in line])
        self.assertEqual(script._kl_change(row(12, [0.3])), (None, None))  # no point 1000 steps back

    def test_fixed_schedule_flags(self):
        script = load_script("text_vae_kl_vs_length")
        default = script.parse_args([])
        self.assertNotIn("_a", script._key(default, "hybrid_alpha0.2", 16).split("seed0")[1])
        self.assertNotIn("_lr", script._key(default, "hybrid_alpha0.2", 16))
        args = script.parse_args(["--annealing", "fixed", "--learning-rate", "1e-3"])
        self.assertEqual((args.anneal_start, args.anneal_steps), (1000, 7000))  # the authors' numbers
        self.assertTrue(script._key(args, "hybrid_alpha0.2", 16).endswith("_a1000+7000_lr0.001"))
        self.assertIsNone(script.build_model(args, "hybrid_alpha0.2", 30, 16).kl_annealing)
        for flags in (["--anneal-start", "-1"], ["--anneal-steps", "0"], ["--learning-rate", "0"]):
            with self.assertRaisesRegex(SystemExit, "2"):
                script.parse_args(flags)

    def test_models_flag_picks_the_rows(self):
        script = load_script("text_vae_kl_vs_length")
        args = script.parse_args(["--models", "lstm_p0.5", "hybrid_alpha0.2"])
        self.assertEqual(args.models, ["lstm_p0.5", "hybrid_alpha0.2"])
        self.assertEqual(script.parse_args([]).models, ["hybrid_alpha0.2", "lstm_p0.2", "lstm_p0.5"])
        with self.assertRaises(SystemExit):
            script.parse_args(["--models", "lstm_p0.3"])

    def test_hybrid_alpha_and_encoder_flags(self):
        script = load_script("text_vae_kl_vs_length")
        args = script.parse_args(["--models", "hybrid_alpha0.5", "hybrid_alpha1", "--encoder-filters", "32,64"])
        self.assertEqual(args.encoder_filters, (32, 64))
        models = [script.build_model(args, key, 30, 16) for key in args.models]
        self.assertEqual([m.aux_weight for m in models], [0.5, 1.0])
        self.assertEqual([tuple(m.encoder_filters) for m in models], [(32, 64), (32, 64)])
        # Rows cached with the default encoder keep their key; another encoder gets its own.
        default = script.parse_args([])
        self.assertNotIn("_enc", script._key(default, "hybrid_alpha0.2", 16))
        self.assertTrue(script._key(args, "hybrid_alpha0.5", 16).endswith("_enc32-64"))
        for bad in ("64,x", "64,0", ""):
            with self.assertRaisesRegex(SystemExit, "2"):
                script.parse_args(["--encoder-filters", bad])

    def test_initial_beta_flag(self):
        script = load_script("text_vae_kl_vs_length")
        self.assertNotIn("_ib", script._key(script.parse_args([]), "lstm_p0.2", 16))
        args = script.parse_args(["--initial-beta", "1e-3"])
        self.assertTrue(script._key(args, "lstm_p0.2", 16).endswith("_ib0.001"))
        for bad in ("-0.1", "1"):
            with self.assertRaisesRegex(SystemExit, "2"):
                script.parse_args(["--initial-beta", bad])

    def test_lengths_flag(self):
        script = load_script("text_vae_kl_vs_length")
        self.assertEqual(script.parse_args(["--lengths", "32,64"]).lengths, [32, 64])
        with self.assertRaisesRegex(SystemExit, "2"):
            script.parse_args(["--lengths", "32,x"])

    def test_historyless_quick_run_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("ptb"))
        script = load_script("text_vae_historyless")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "table.md")
            script.main(["--quick", "--data-dir", data_dir, "--out", out])
            with open(out) as f:
                table = f.read()
            with open(os.path.join(tmp, "table.json")) as f:
                twin = json.load(f)
        self.assertEqual(table.count("| 16 |"), 2)
        self.assertIn("deconv (historyless)", table)
        lstm, deconv = twin["rows"]
        self.assertEqual((lstm["model"], deconv["model"]), ("lstm", "deconv"))
        self.assertGreater(lstm["units"], 0)
        self.assertEqual([p["step"] for p in lstm["curve"]], [2, 4])
        self.assertEqual(lstm["rec_bpc"], lstm["curve"][-1]["valid_bpc"])

    def test_historyless_rejects_bad_lengths(self):
        script = load_script("text_vae_historyless")
        with self.assertRaisesRegex(SystemExit, "2"):
            script.parse_args(["--lengths", "16,x"])
