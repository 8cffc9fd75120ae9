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
            curves_written = os.path.exists(os.path.join(tmp, "ptb.png"))
        self.assertIn("| no dropout | 1 |", first)
        # The thesis' Table 3.2 rows beside ours: no dropout 130.0 / 125.2; ours 0.25 per-step 106.1 / 100.0.
        self.assertIn("| 130 / 125.2 |", first)
        self.assertIn("| 106.1 / 100 |", first)
        self.assertEqual([(r["config"], r["thesis_test"]) for r in twin["rows"]], [("none", 125.2), ("ours_step", 100.0)])
        # Fig. 3.2 beside the table: the pair's curves plotted, one point per epoch in the twin.
        self.assertTrue(curves_written)
        self.assertIn("## Learning curves (thesis Fig. 3.2)", first)
        self.assertEqual([len(r["curve"]) for r in twin["rows"]], [1, 1])
        self.assertEqual([c["pair"] for c in twin["learning_curves"]], ["ours (update g), per-step vs no dropout"])
        rows = lambda text: [line for line in text.splitlines() if line.startswith("| no") or "ours" in line]  # noqa: E731
        self.assertEqual([r.rsplit("|", 2)[0] for r in rows(first)], [r.rsplit("|", 2)[0] for r in rows(second)])


class PtbObservationsTest(tf.test.TestCase):
    """The checks of the thesis' findings must find that they hold on the thesis' own tables."""

    def thesis_scores(self, script, level):
        return {name: script.thesis_values(level, script.CONFIGS[name], 0.25)
                for name in script.DEFAULT_CONFIGS}  # fmt: skip

    def test_every_finding_holds_on_the_thesis_tables(self):
        script = load_script("ptb_lm")
        for level, labels in (("word", ["(i)", "(ii)", "(iii)", "(iv)", "(v)"]), ("char", ["(a)", "(b)", "(c)"])):
            found = script.observations(level, self.thesis_scores(script, level))
            self.assertEqual([o[0] for o in found], labels)
            self.assertEqual([o[2] for o in found], [True] * len(labels), (level, found))

    def test_findings_fail_or_go_unchecked_when_the_numbers_say_so(self):
        script = load_script("ptb_lm")
        scores = self.thesis_scores(script, "word")
        scores["forward_gal_step"] = (85.0, 86.0)  # Gal now beats ours with forward dropout
        scores["ours_seq"] = (120.0, 115.0)  # 15% worse than per-step
        del scores["moon_seq"]
        verdicts = {o[0]: o[2] for o in script.observations("word", scores)}
        # (i): Gal beats ours in the forward per-step group; (iv) needs every recurrent-only row.
        self.assertEqual(verdicts, {"(i)": False, "(ii)": None, "(iii)": False, "(iv)": None, "(v)": False})

    def test_learning_curve_check_compares_at_the_last_epoch_both_rows_ran(self):
        script = load_script("ptb_lm")

        def row(points):  # (train, valid) per epoch
            return {"epochs_run": len(points),
                    "curve": [{"epoch": i + 1, "train": t, "valid": v} for i, (t, v) in enumerate(points)]}

        # The baseline stopped after 2 epochs; at epoch 2 dropout trains worse and validates better.
        results = {"none": row([(200, 180), (150, 170)]), "ours_step": row([(230, 190), (190, 160), (170, 150)]),
                   "forward": row([(300, 200)]), "update": row([(290, 210)])}
        checks = script.curve_checks("word", results)
        self.assertEqual([(c[0], c[1]) for c in checks],
                         [("ours (update g), per-step vs no dropout", True),
                          ("forward + ours (update g), per-step vs forward dropout only", False)])
        self.assertIn("epoch 2: train 190.0 vs 150.0, valid 160.0 vs 170.0", checks[0][2])
        # Differences under 1% decide nothing: train 0.5% higher, valid 0.5% lower.
        close = {"none": row([(200, 100)]), "ours_step": row([(201, 99.5)])}
        self.assertEqual([c[1] for c in script.curve_checks("word", close)], [None])
        # 2% the other way in valid is a failure, even with train in the thesis' direction.
        worse = {"none": row([(200, 100)]), "ours_step": row([(210, 102)])}
        self.assertEqual([c[1] for c in script.curve_checks("word", worse)], [False])
        # Without the dropout row of a pair there is nothing to check.
        self.assertEqual(script.curve_checks("word", {"none": results["none"]}), [])
        # A row that diverged in epoch 3 is compared at epoch 2, its last finite one.
        late = {"none": row([(200, 180), (150, 170), (140, 165)]), "ours_step": row([(230, 190), (190, 160)])}
        late["ours_step"]["curve"].append({"epoch": 3, "train": None, "valid": None})
        late["ours_step"]["epochs_run"] = 3
        self.assertIn("epoch 2: train 190.0", script.curve_checks("word", late)[0][2])
        with tempfile.TemporaryDirectory() as tmp:  # the diverged epoch is a gap in the plot, not an error
            script.plot_curves(script.parse_args(["--data-dir", "/x", "--out", os.path.join(tmp, "p.md")]), late)
            self.assertTrue(os.path.exists(os.path.join(tmp, "p.png")))
        # A pair with a row that never had a finite epoch is left out.
        never = {"none": results["none"], "ours_step": {"epochs_run": 1, "curve": [{"epoch": 1, "train": None, "valid": None}]}}
        self.assertEqual(script.curve_checks("word", never), [])

    def test_a_diverged_row_is_shown_as_such_and_left_out_of_the_checks(self):
        script = load_script("ptb_lm")
        args = script.parse_args(["--data-dir", "/x", "--configs", "none", "moon_seq", "moon_seq_test_time"])
        finite = {"best_epoch": 1, "valid": 200.0, "test": 190.0, "seconds": 60, "diverged_epoch": None,
                  "epochs_run": 1, "curve": [{"epoch": 1, "train": 300.0, "valid": 200.0}]}
        results = {"none": finite, "moon_seq_test_time": finite,
                   "moon_seq": {"best_epoch": None, "valid": None, "test": None, "seconds": 60, "diverged_epoch": 1,
                                "epochs_run": 1, "curve": [{"epoch": 1, "train": None, "valid": None}]}}
        page, twin = script.report(args, results, ["--configs", "none", "moon_seq"], 10000)
        rows = twin["rows"]
        self.assertIn("| Moon (cell c), per-sequence | — | 1 (diverged in 1) | — | — | 121 / 113 |", page)
        self.assertIn("| Moon (cell c), per-sequence, test-time scaling | 1 | 1 | 200.000 | 190.000 | 121 / 113 |", page)
        self.assertIn("Training diverged", page)
        self.assertEqual([(r["config"], r["valid"], r["diverged_epoch"], r["scaling"]) for r in rows],
                         [("none", 200.0, None, "inverted"), ("moon_seq_test_time", 200.0, None, "test_time"),
                          ("moon_seq", None, 1, "inverted")])
        self.assertEqual(json.loads(json.dumps(rows, allow_nan=False))[2]["curve"], [{"epoch": 1, "train": None, "valid": None}])
        # The thesis' observations use the test-time row for the diverged Moon per-sequence, and say so.
        scores, stand_ins = script._observation_scores(args, results)
        self.assertEqual((scores["moon_seq"], stand_ins), ((200.0, 190.0), {"moon_seq": "moon_seq_test_time"}))
        self.assertIn("the test-time-scaling row stands in above for: Moon (cell c), per-sequence (by Moon (cell c), "
                      "per-sequence, test-time scaling).", page)
        # Without the stand-in, (ii) (Moon per-step against per-sequence) cannot be checked.
        alone = {name: results[name] for name in ("none", "moon_seq")}
        verdicts = {o[0]: (o[2], o[3]) for o in script.observations("word", script._observation_scores(args, alone)[0])}
        self.assertEqual(verdicts["(ii)"], (None, "not run, or no finite epoch: moon_step, moon_seq"))

    def test_a_report_where_every_row_diverged(self):
        script = load_script("ptb_lm")
        args = script.parse_args(["--data-dir", "/x", "--configs", "none", "ours_step"])
        dead = {"best_epoch": None, "valid": None, "test": None, "seconds": 5, "diverged_epoch": 1,
                "epochs_run": 1, "curve": [{"epoch": 1, "train": None, "valid": None}]}
        page, twin = script.report(args, {"none": dead, "ours_step": dead}, [], 10000)
        rows = twin["rows"]
        self.assertIn("no row finished an epoch with a finite loss", page)
        self.assertNotIn("## Learning curves", page)  # nothing finite to compare or plot
        self.assertEqual([r["test"] for r in rows], [None, None])

    def test_checkpoint_folders_of_earlier_runs_keep_their_names(self):
        script = load_script("ptb_lm")
        args = script.parse_args(["--data-dir", "/x"])
        key = lambda name: script._run_key(script.run_config(args, name), args)  # noqa: E731
        # The folders of runs made before the dropout_scaling setting existed (inverted scaling).
        self.assertEqual((key("none"), key("moon_seq")), ("a2189a3fd895", "bca413079bb6"))
        self.assertNotEqual(key("moon_seq_test_time"), key("moon_seq"))
        self.assertEqual(script.run_config(args, "moon_seq_test_time").dropout_scaling, "test_time")

    def test_level_defaults_are_the_thesis_setups(self):
        script = load_script("ptb_lm")
        char = script.parse_args(["--level", "char", "--data-dir", "/x"])
        self.assertEqual((char.units, char.embedding_dim, char.optimizer, char.learning_rate,
                          char.epoch_decay, char.init_scale, char.bptt, char.epochs, char.patience),
                         (1024, 256, "adam", 1e-3, 0.97, 0.01, 100, 50, None))  # fmt: skip
        word = script.parse_args(["--data-dir", "/x", "--units", "128", "--patience", "0"])
        self.assertEqual((word.units, word.optimizer, word.learning_rate, word.epoch_decay, word.bptt,
                          word.patience, word.input_dropout, word.output_dropout),
                         (128, "sgd", 1.0, None, 35, None, 0.2, 0.5))  # fmt: skip
        config = script.run_config(word, "gal_seq")  # Gal per-sequence, no forward dropout
        self.assertEqual((config.input_dropout, config.output_dropout, config.recurrent_dropout,
                          config.recurrent_dropout_mode, config.mask_sampling), (0.0, 0.0, 0.25, "hidden", "per_sequence"))
        self.assertEqual(script.run_config(word, "update"), script.run_config(word, "forward_ours_step"))
        # The default learning rate follows the optimizer, whatever the level.
        self.assertEqual(script.parse_args(["--data-dir", "/x", "--optimizer", "adam"]).learning_rate, 1e-3)
        self.assertEqual(script.parse_args(["--data-dir", "/x", "--level", "char", "--optimizer", "sgd"]).learning_rate, 1.0)
        # Runs on other training text never share a checkpoint; more epochs extend a run.
        longer = script.parse_args(["--data-dir", "/x", "--epochs", "90"])
        fraction = script.parse_args(["--data-dir", "/x", "--train-fraction", "0.5"])
        default = script.parse_args(["--data-dir", "/x"])
        key = lambda args: script._run_key(script.run_config(args, "none"), args)  # noqa: E731
        self.assertEqual(key(longer), key(default))
        self.assertNotEqual(key(fraction), key(default))
        # The settings table names the thesis' rows a run left out.
        subset = script.parse_args(["--data-dir", "/x", "--level", "char", "--configs", "none", "ours_step"])
        rows_line = [line for line in script.differences(subset) if line.startswith("| rows |")]
        self.assertEqual(len(rows_line), 1)
        self.assertIn("not run: forward dropout only", rows_line[0])
        self.assertNotIn("not run: no dropout", rows_line[0])
        for bad in (["--epoch-decay", "1.5"], ["--input-dropout", "1"], ["--patience", "-1"]):
            with self.assertRaises(SystemExit):
                script.parse_args(["--data-dir", "/x", *bad])
