"""Seconds-long --quick run of scripts/cluttered_mnist.py on real MNIST (house style, point 7)."""

import json
import os
import tempfile

import keras
import tensorflow as tf

from data_dir import real_data_dir
from script_loading import load_script


class ClutteredMnistScriptTest(tf.test.TestCase):
    def test_quick_run_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("mnist"))
        script = load_script("cluttered_mnist")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "cluttered.md")
            argv = ["--quick", "--data-dir", data_dir, "--out", out, "--logdir", tmp]
            self.assertEqual(script.main(argv), 0)
            with open(out) as f:
                table = f.read()
            png = tf.io.decode_png(tf.io.read_file(os.path.join(tmp, "cluttered_glimpses.png")))
            with open(os.path.join(tmp, "cluttered.json")) as f:
                twin = json.load(f)
            rows = {row["config"]: row for row in twin["rows"]}
            curves_written = os.path.exists(os.path.join(tmp, "cluttered_curves.png"))
        # Equal wall time: the CNN trains epoch by epoch until it has had the slowest
        # attention model's training time, so it ends at or past it, and the page says so.
        slowest = max(rows["context"]["train_seconds"], rows["no_context"]["train_seconds"])
        self.assertGreaterEqual(rows["cnn"]["train_seconds"], slowest)
        self.assertIn("equal wall time", table)
        for name in ("with context network", "no context network", "CNN baseline"):
            self.assertIn(name, table)
        self.assertIn("| 1.80 |", table)
        self.assertIn("2 CPU cores" if os.cpu_count() == 2 else "CPU cores", table)
        self.assertEqual(tuple(png.shape), (40, 6 * 40, 3))
        # The twin as the issue asks: the canvas, the error as a fraction, and per-epoch curves
        # on the first --curve-size test canvases (32 with --quick), one point per epoch.
        self.assertEqual(twin["canvas"], 40)
        for name in ("context", "no_context"):
            self.assertTrue(0.0 <= rows[name]["in_view"] <= 1.0)
        self.assertNotIn("in_view", rows["cnn"])
        for row in rows.values():
            self.assertAlmostEqual(row["test_error"], row["error"] / 100.0, places=6)
            self.assertEqual([p["epoch"] for p in row["curve"]], list(range(1, row["epochs"] + 1)))
            for point in row["curve"]:
                # 32 canvases: every error is a multiple of 1/32.
                self.assertAlmostEqual(point["error"] / 100.0 * 32, round(point["error"] / 100.0 * 32), places=1)
        self.assertTrue(curves_written)
        self.assertIn("cluttered_curves.png", table)

    def test_localisation_counts_digits_inside_the_glimpse_boxes(self):
        import argparse

        import numpy as np

        script = load_script("cluttered_mnist")

        class Traced:  # a model whose glimpse boxes and predictions are given
            def __init__(self, boxes, predicted):
                self.boxes, self.predicted, self.seen = boxes, predicted, 0

            def trace(self, images):  # batches arrive in order
                batch = slice(self.seen, self.seen + len(images))
                self.seen += len(images)
                probabilities = np.eye(3)[self.predicted[batch]]
                return {"boxes": tf.constant(self.boxes[batch]), "probabilities": tf.constant(probabilities)}

        # Digits (one per image) centred at (0.5, 0.5), (0.2, 0.2), (0.8, 0.8).
        digits = np.array([[[0.4, 0.4, 0.6, 0.6]], [[0.1, 0.1, 0.3, 0.3]], [[0.7, 0.7, 0.9, 0.9]]], "float32")
        whole, middle, corner = [0.0, 0.0, 1.0, 1.0], [0.3, 0.3, 0.7, 0.7], [0.0, 0.0, 0.5, 0.5]
        # Two steps per image; the last box decides for one digit.
        boxes = np.array([[whole, middle], [whole, middle], [whole, corner]], "float32")
        labels, predicted = np.array([0, 1, 2]), np.array([0, 2, 0])  # images 2 and 3 wrong
        single = argparse.Namespace(task="single", max_glimpse_extent=None, max_glimpse_extent_from_step=0)
        found = script.localisation(Traced(boxes, predicted), single, np.zeros((3, 4, 4, 1)), labels,
                                    digits, batch_size=2)  # fmt: skip
        # In view: image 1 only; both errors have their digit out of view.
        self.assertAllClose(found["in_view"], 1 / 3, atol=1e-4)
        self.assertEqual(found["errors_out_of_view"], 1.0)
        self.assertAllClose(found["last_box_area"], (0.16 + 0.16 + 0.25) / 3, atol=1e-4)
        # Two digits per image: each must be inside some box from the limited step on.
        pair = argparse.Namespace(task="pair", max_glimpse_extent=0.5, max_glimpse_extent_from_step=1)
        two = np.concatenate([digits, digits[[1, 2, 0]]], axis=1)  # second digits elsewhere
        boxes = np.array([[whole, middle, corner], [whole, corner, middle], [whole, middle, middle]], "float32")
        found = script.localisation(Traced(boxes, predicted), pair, np.zeros((3, 4, 4, 1)), labels, two)
        # Image 1: (0.5, 0.5) in middle, (0.2, 0.2) in corner: in view; image 2: (0.2, 0.2) in
        # corner, (0.8, 0.8) in neither; image 3: (0.8, 0.8) in neither (the first, whole box
        # is before the limited steps and does not count).
        self.assertAllClose(found["in_view"], 1 / 3, atol=1e-4)

    def test_still_improving_means_a_new_best_in_the_last_three_epochs(self):
        script = load_script("cluttered_mnist")
        points = lambda errors: [{"error": e} for e in errors]  # noqa: E731
        self.assertTrue(script.still_improving(points([9, 8, 7, 7.5, 7.2, 6.9])))
        self.assertFalse(script.still_improving(points([9, 8, 7, 7.5, 7.2, 7.0])))
        self.assertFalse(script.still_improving(points([9, 8, 7])))  # too short to tell

    def test_sum_starts_from_a_saved_pair_model_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("mnist"))
        script = load_script("cluttered_mnist")
        with tempfile.TemporaryDirectory() as tmp:
            saved = os.path.join(tmp, "context.keras")
            common = ["--quick", "--models", "context", "--data-dir", data_dir, "--logdir", tmp]
            script.main(["--task", "pair", "--out", os.path.join(tmp, "p.md"),
                         "--save-dir", tmp, *common])  # fmt: skip
            pair = keras.saving.load_model(saved, compile=False)
            out = os.path.join(tmp, "s.md")
            script.main(["--task", "sum", "--out", out, "--init-from", saved, *common])
            with open(out) as f:
                page = f.read()
            with open(os.path.join(tmp, "s.json")) as f:
                twin = json.load(f)
        self.assertEqual(pair.num_classes, 55)
        self.assertIn("started from the weights of", page)
        self.assertEqual([row["config"] for row in twin["rows"]], ["context"])
        self.assertEqual(twin["rows"][0]["thesis_error"], 2.55)

    def test_resumed_run_counts_the_saved_training_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("mnist"))
        script = load_script("cluttered_mnist")
        with tempfile.TemporaryDirectory() as tmp:
            common = ["--quick", "--models", "context", "--data-dir", data_dir, "--logdir", tmp,
                      "--validation-size", "8"]  # fmt: skip
            script.main([*common, "--out", os.path.join(tmp, "a.md"), "--save-dir", tmp])
            with open(os.path.join(tmp, "context.json")) as f:
                record = json.load(f)
            with open(os.path.join(tmp, "a.json")) as f:
                first = json.load(f)["rows"][0]
            out = os.path.join(tmp, "b.md")
            script.main([*common, "--out", out, "--init-from", os.path.join(tmp, "context.keras"),
                         "--count-init-training"])  # fmt: skip
            with open(out) as f:
                page = f.read()
            with open(os.path.join(tmp, "b.json")) as f:
                second = json.load(f)["rows"][0]
            with self.assertRaisesRegex(SystemExit, "2"):  # no record beside the model
                script.parse_args(["--init-from", os.path.join(tmp, "none.keras"), "--count-init-training"])
        self.assertEqual(record, {"train_seconds": round(first["train_seconds"], 1), "epochs": 1})
        # The second run continues the first: one more epoch, its seconds on top.
        self.assertEqual(second["epochs"], 2)
        self.assertEqual([p["epoch"] for p in second["curve"]], [2])
        self.assertGreater(second["train_seconds"], record["train_seconds"])
        self.assertIn("count in this run's", page)
        self.assertIn("| selected epoch | validation error (%) |", page)
        # 8 validation canvases: the validation error is a multiple of 1/8.
        self.assertAlmostEqual(second["valid_error"] / 100.0 * 8, round(second["valid_error"] / 100.0 * 8), places=1)
        with self.assertRaisesRegex(SystemExit, "2"):
            script.parse_args(["--count-init-training"])
        with self.assertRaisesRegex(SystemExit, "2"):
            script.parse_args(["--validation-size", "-1"])

    def test_error_curve_restores_the_epoch_best_on_validation(self):
        import numpy as np

        script = load_script("cluttered_mnist")
        rng = np.random.default_rng(0)
        x, y = rng.normal(size=(64, 3)).astype("float32"), rng.integers(0, 2, 64)
        x_valid, y_valid = rng.normal(size=(32, 3)).astype("float32"), rng.integers(0, 2, 32)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
        model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy", metrics=["accuracy"])
        snapshots = []  # every epoch's weights, taken independently of the curve
        keep = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: snapshots.append(model.get_weights()))
        curve = script._ErrorCurve(x[:0], y[:0], validation=(x_valid, y_valid))
        model.fit(x, y, epochs=6, batch_size=8, verbose=0, callbacks=[curve, keep])
        valid = []
        for weights in snapshots:  # validation error of every epoch, recomputed with numpy
            model.set_weights(weights)
            probabilities = x_valid @ weights[0] + weights[1]
            valid.append(round(100.0 * float(np.mean(probabilities.argmax(-1) != y_valid)), 2))
        model.set_weights(snapshots[-1])
        epoch, error = curve.restore_best()
        best = int(np.argmin(valid))  # the first epoch with the lowest error
        self.assertEqual((epoch, error), (best + 1, valid[best]))
        for restored, expected in zip(model.get_weights(), snapshots[best]):
            self.assertAllClose(restored, expected)

    def test_context_model_from_the_model_without_context_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("mnist"))
        script = load_script("cluttered_mnist")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "warm.md")
            argv = ["--quick", "--data-dir", data_dir, "--out", out, "--logdir", tmp,
                    "--models", "context", "no_context", "--context-from-no-context",
                    "--save-dir", tmp]  # fmt: skip
            self.assertEqual(script.main(argv), 0)
            with open(out) as f:
                page = f.read()
            with open(os.path.join(tmp, "warm.json")) as f:
                rows = {row["config"]: row for row in json.load(f)["rows"]}
            # Both attention models are saved, whichever ran.
            saved = sorted(f for f in os.listdir(tmp) if f.endswith(".keras"))
        self.assertEqual(saved, ["context.keras", "no_context.keras"])
        self.assertIn("started from the trained model without context", page)
        # The context model's time and epochs include the model it started from.
        self.assertGreater(rows["context"]["train_seconds"], rows["no_context"]["train_seconds"])
        self.assertEqual(rows["context"]["epochs"], 2 * rows["no_context"]["epochs"])
        with self.assertRaises(SystemExit):
            script.parse_args(["--data-dir", data_dir, "--models", "context",
                               "--context-from-no-context"])  # fmt: skip

    def test_quick_sum_task_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("mnist"))
        script = load_script("cluttered_mnist")
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "sum.md")
            argv = ["--quick", "--task", "sum", "--models", "context", "--data-dir", data_dir,
                    "--out", out, "--logdir", tmp]  # fmt: skip
            self.assertEqual(script.main(argv), 0)
            with open(out) as f:
                table = f.read()
        self.assertIn("digit sums", table)
        self.assertIn('task=\\"sum\\"'.replace("\\", ""), table)
        self.assertIn("| 2.55 |", table)
        self.assertIn("0 8x8 clutter fragments", table)

    def test_thesis_settings_are_flags_with_per_task_defaults(self):
        script = load_script("cluttered_mnist")
        pair = script.parse_args(["--task", "pair", "--data-dir", "/x"])
        self.assertEqual((pair.relative_shifts, pair.shift_regularizer_weight,
                          pair.shift_regularizer_scale, pair.shift_regularizer_step,
                          pair.max_glimpse_extent, pair.learning_rate),
                         ("on", 0.1, 0.1, 2, 0.5, 1e-4))  # fmt: skip
        single = script.parse_args(["--data-dir", "/x"])
        self.assertEqual((single.relative_shifts, single.shift_regularizer_weight,
                          single.max_glimpse_extent), ("off", 0.0, None))  # fmt: skip
        model = script.attention_model(pair, context=True)
        self.assertTrue(model.relative_shifts)
        self.assertEqual(model.shift_regularizer_steps, [2])
        self.assertEqual(model.max_glimpse_extent, 0.5)
        later = script.parse_args(["--data-dir", "/x", "--max-glimpse-extent", "0.4",
                                   "--max-glimpse-extent-from-step", "1"])
        self.assertEqual(script.attention_model(later, context=True).max_glimpse_extent_from_step, 1)
        for bad in (["--shift-regularizer-step", "4"], ["--max-glimpse-extent", "1.5"],
                    ["--shift-regularizer-scale", "0"], ["--max-glimpse-extent-from-step", "4"]):
            with self.assertRaises(SystemExit):
                script.parse_args(["--task", "pair", "--data-dir", "/x", *bad])
