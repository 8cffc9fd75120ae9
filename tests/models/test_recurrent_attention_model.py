"""RecurrentAttentionModel: shapes, eqs. 4.3.x / 4.4.1 against numpy, training, saving, export."""

import json
import os
import tempfile

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfrnnx
from testing import ModelChecks

SIZE = 16


def small_model(**kwargs):
    args = dict(
        num_classes=3,
        num_glimpses=2,
        glimpse_shape=(4, 4),
        units=8,
        glimpse_units=8,
        classifier_units=8,
        seed=0,
    )
    args.update(kwargs)
    return tfrnnx.models.RecurrentAttentionModel(**args)


def images(batch=4, size=SIZE, seed=0):
    return np.random.default_rng(seed).random((batch, size, size, 1), "float32")


def linear_params(model, h2):
    """Eq. 4.3.x in numpy: p = h2 W + b of the model's attention-parameter map."""
    return h2 @ model.attention_params.kernel.numpy() + model.attention_params.bias.numpy()


class RecurrentAttentionModelTest(tf.test.TestCase, ModelChecks):
    def test_shapes(self):
        x = images()
        for context in (True, False):
            model = small_model(num_glimpses=3, context_network=context)
            self.assertEqual(tuple(model(x).shape), (4, 3))
            out = model.trace(x)
            self.assertEqual(tuple(out["step_probabilities"].shape), (4, 3, 3))
            self.assertEqual(tuple(out["params"].shape), (4, 3, 6))
            self.assertEqual(tuple(out["shifts"].shape), (4, 3, 2))
            self.assertEqual(tuple(out["boxes"].shape), (4, 3, 4))
            self.assertEqual(tuple(out["h2"].shape), (4, 3, 8))
            self.assertAllClose(np.sum(out["probabilities"], -1), np.ones(4), atol=1e-5)
            self.assertAllClose(out["probabilities"], out["step_probabilities"][:, -1])
        # Boxes are DrawGlimpse.boxes of each step's parameters.
        params = out["params"].numpy()
        for step in range(3):
            self.assertAllClose(
                out["boxes"][:, step], model.glimpse.boxes(params[:, step], (SIZE, SIZE)), atol=1e-6
            )

    def test_first_glimpse_params_are_a_linear_map_of_h2(self):
        for relative in (False, True):
            model = small_model(relative_shifts=relative)
            out = model.trace(images())
            h2 = out["h2"].numpy()
            self.assertAllClose(out["params"][:, 0], linear_params(model, h2[:, 0]), atol=1e-5)
            # Attention states differ per image only through the context network.
            self.assertGreater(np.abs(h2[0, 0] - h2[1, 0]).max(), 1e-6)

    def test_relative_shift_centres_accumulate(self):
        model = small_model(num_glimpses=4, relative_shifts=True)
        out = model.trace(images())
        linear = linear_params(model, out["h2"].numpy())  # (b, steps, 6)
        self.assertAllClose(out["shifts"], linear[..., :2], atol=1e-5)
        self.assertAllClose(out["params"][..., :2], np.cumsum(linear[..., :2], axis=1), atol=1e-5)
        self.assertAllClose(out["params"][..., 2:], linear[..., 2:], atol=1e-5)
        # Absolute mode: params are the linear map itself, shifts the centre differences.
        absolute = small_model(num_glimpses=4)
        out = absolute.trace(images())
        linear = linear_params(absolute, out["h2"].numpy())
        self.assertAllClose(out["params"], linear, atol=1e-5)
        centres = np.concatenate([np.zeros((4, 1, 2)), linear[..., :2]], axis=1)
        self.assertAllClose(out["shifts"], np.diff(centres, axis=1), atol=1e-5)

    def test_rbf_shift_regulariser_matches_eq_4_4_1(self):
        a, b, steps = 0.3, 0.05, [1, 2]
        model = small_model(
            num_glimpses=3,
            relative_shifts=True,
            shift_regularizer_weight=a,
            shift_regularizer_scale=b,
            shift_regularizer_steps=steps,
        )
        x = images()
        model(x)
        self.assertLen(model.losses, 1)
        shifts = model.trace(x)["shifts"].numpy().astype("float64")[:, steps]
        rbf = np.exp(-(shifts[..., 0] ** 2 + shifts[..., 1] ** 2) / b)  # (batch, steps)
        expected = a * np.sum(np.mean(rbf, axis=0))
        self.assertAllClose(model.losses[0], expected, atol=1e-6)
        # The training loss is the cross-entropy plus R.
        y = np.array([0, 1, 2, 0])
        probabilities = model(x)
        loss = model.compute_loss(x, y, probabilities)
        nll = -np.mean(np.log(probabilities.numpy()[np.arange(4), y]))
        self.assertAllClose(loss, nll + expected, atol=1e-5)

    def test_loss_on_all_steps_is_the_mean_over_steps(self):
        model = small_model(num_glimpses=3, loss_steps="all")
        x, y = images(), np.array([0, 1, 2, 0])
        probabilities = model(x)
        steps = model.trace(x)["step_probabilities"].numpy()
        expected = -np.mean([np.log(steps[i, :, y[i]]) for i in range(4)])
        self.assertAllClose(model.compute_loss(x, y, probabilities), expected, atol=1e-5)

    # In the "simple" curriculum phase the full glimpse network is not used: Keras warns that
    # it gets no gradients, as expected.
    @pytest.mark.filterwarnings("ignore:Gradients do not exist for variables")
    def test_training_reduces_loss_on_a_learnable_task(self):
        # Class = whether the image is dark or bright: learnable from any glimpse.
        rng = np.random.default_rng(1)
        y = np.arange(16) % 2
        x = (rng.random((16, SIZE, SIZE, 1)) * 0.2 + 0.8 * y[:, None, None, None]).astype("float32")
        model = small_model(
            num_classes=2, recurrent_dropout=0.1, glimpse_dropout=0.1, curriculum_phase="simple"
        )
        model.compile(keras.optimizers.Adam(0.02))
        loss = lambda: float(model.compute_loss(x, y, model(x)))  # noqa: E731
        before = loss()
        model.fit(x, y, batch_size=16, epochs=5, verbose=0)
        # Second curriculum phase: the full glimpse network; the simple one is frozen.
        model.set_curriculum_phase("full")
        self.assertNotIn(
            id(model.simple_glimpse_network.weights[0]), [id(w) for w in model.trainable_weights]
        )
        model.fit(x, y, batch_size=16, epochs=10, verbose=0)
        self.assertLess(loss(), 0.5 * before)

    def test_save_and_export_round_trip(self):
        model = small_model(glimpse_network="cnn", attention_noise=0.1, recurrent_dropout=0.2)
        x = images()
        expected = model(x).numpy()
        boxes = model.trace(x)["boxes"].numpy()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.keras")
            model.save(path)
            reloaded = keras.saving.load_model(path)
            self.assertAllClose(reloaded(x), expected, atol=1e-6)
            self.assertAllClose(reloaded.trace(x)["boxes"], boxes, atol=1e-6)
            export_dir = model.export_serving(os.path.join(tmp, "export"))
            served = tf.saved_model.load(export_dir)
            for endpoint in (served.serve, served.signatures["serving_default"]):
                out = endpoint(tf.constant(x))
                self.assertAllClose(out["probabilities"], expected, atol=1e-6)
                self.assertAllClose(out["boxes"], boxes, atol=1e-6)

    def test_jit_compile_predicts_the_same(self):
        # One glimpse and no context network keep the XLA compilation short.
        model = small_model(num_glimpses=1, context_network=False, relative_shifts=True)
        x = images()
        expected = model.predict(x, verbose=0)
        model.compile(keras.optimizers.SGD(0.1), jit_compile=True)
        self.assertAllClose(model.predict(x, verbose=0), expected, atol=1e-5)
        before = model.attention_params.bias.numpy()
        model.fit(x, np.array([0, 1, 2, 0]), epochs=1, verbose=0)
        # The loss reaches the attention parameters through the glimpse (without context
        # the first h2 is 0, so only the bias of the linear map can move).
        self.assertGreater(np.abs(model.attention_params.bias.numpy() - before).max(), 0)

    def test_test_time_averaging_of_noisy_runs(self):
        x = images()
        deterministic = small_model(attention_noise=0.3)
        self.assertAllClose(deterministic(x), deterministic(x))
        averaged = small_model(attention_noise=0.3, test_time_samples=4)
        first, second = averaged(x).numpy(), averaged(x).numpy()
        self.assertGreater(np.abs(first - second).max(), 1e-7)  # noise at inference
        self.assertAllClose(first.sum(-1), np.ones(4), atol=1e-5)

    def test_curriculum_switches_glimpse_network(self):
        x = images()
        model = small_model(curriculum_phase="simple")
        simple = model(x).numpy()
        full_weights = model.full_glimpse_network.get_weights()
        model.full_glimpse_network.set_weights([w + 1.0 for w in full_weights])
        self.assertAllClose(model(x), simple)  # the full network is unused
        model.set_curriculum_phase("full")
        self.assertEqual(model.get_config()["curriculum_phase"], "full")
        self.assertGreater(np.abs(model(x).numpy() - simple).max(), 1e-6)

    def test_config_round_trip(self):
        glimpse_network = keras.Sequential(
            [keras.layers.Flatten(), keras.layers.Dense(8, activation="tanh")]
        )
        model = small_model(
            glimpse_network=glimpse_network,
            relative_shifts=True,
            shift_regularizer_weight=0.5,
            shift_regularizer_steps=[1],
            attention_noise=0.2,
            test_time_samples=2,
            loss_steps="all",
            context_network=False,
            glimpses_per_object=1,
            reading_order="right_to_left",
        )
        config = json.loads(json.dumps(model.get_config()))
        clone = tfrnnx.models.RecurrentAttentionModel.from_config(config)
        self.assertEqual(json.loads(json.dumps(clone.get_config())), config)
        self.assertEqual(clone(images()).shape, (4, 2, 3))
        self.assertIsInstance(clone.full_glimpse_network, keras.Sequential)

    def test_errors_name_the_argument_and_value(self):
        cases = [
            (dict(num_classes=1), "num_classes=1"),
            (dict(num_glimpses=0), "num_glimpses=0"),
            (dict(glimpse_network="rnn"), "glimpse_network='rnn'"),
            (dict(attention_noise=1.5), "attention_noise=1.5"),
            (dict(test_time_samples=3), "test_time_samples=3"),
            (dict(shift_regularizer_scale=0), "shift_regularizer_scale=0"),
            (dict(shift_regularizer_weight=-1), "shift_regularizer_weight=-1"),
            (dict(shift_regularizer_steps=[5]), r"shift_regularizer_steps=\[5\]"),
            (dict(loss_steps="first"), "loss_steps='first'"),
            (dict(curriculum_phase="middle"), "curriculum_phase='middle'"),
            (dict(relative_shifts="yes"), "relative_shifts='yes'"),
            (dict(seed=1.5), "seed=1.5"),
        ]
        for kwargs, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                small_model(**kwargs)
        with self.assertRaisesRegex(ValueError, "images.shape"):
            small_model()(np.zeros((2, SIZE, SIZE), "float32"))
        with self.assertRaisesRegex(ValueError, "context_downsample=4"):
            small_model()(np.zeros((2, 6, 6, 1), "float32"))
        with self.assertRaisesRegex(ValueError, "glimpse_units=8"):
            small_model(glimpse_network=keras.layers.Flatten())(images())
        with self.assertRaisesRegex(ValueError, "phase='mid'"):
            small_model().set_curriculum_phase("mid")

    def test_glimpse_size_limit(self):
        model = small_model(max_glimpse_extent=0.3)
        x = images()
        model(x)
        model.attention_params.bias.assign([0.0, 0.0, 5.0, 5.0, 0.0, 0.0])  # huge grids
        boxes = model.trace(x)["boxes"].numpy()
        n = model.glimpse_shape[0]
        spans = (boxes[..., 2:] - boxes[..., :2]) * (n - 1) / n  # grid span without half strides
        self.assertTrue(np.all(spans <= 0.3 + 1e-6))
        self.assertGreater(spans.max(), 0.25)
        self.assertEqual(model.glimpse.max_extent, 0.3)
        with self.assertRaisesRegex(ValueError, "max_glimpse_extent.*Received: max_glimpse_extent=2"):
            small_model(max_glimpse_extent=2)

    def test_glimpse_size_limit_from_a_later_step(self):
        # The first glimpse is unlimited (the DRAW extent exp(p) of the image), the second
        # is held under the limit.
        model = small_model(max_glimpse_extent=0.3, max_glimpse_extent_from_step=1)
        x = images()
        model(x)
        model.attention_params.bias.assign([0.0, 0.0, 1.0, 1.0, 0.0, 0.0])
        model.attention_params.kernel.assign(np.zeros_like(model.attention_params.kernel.numpy()))
        boxes = model.trace(x)["boxes"].numpy()
        n = model.glimpse_shape[0]
        spans = (boxes[..., 2:] - boxes[..., :2]) * (n - 1) / n
        self.assertAllClose(spans[:, 0], np.full_like(spans[:, 0], np.e), rtol=1e-5)
        self.assertTrue(np.all(spans[:, 1] <= 0.3 + 1e-6))
        config = model.get_config()
        self.assertEqual(config["max_glimpse_extent_from_step"], 1)
        clone = tfrnnx.models.RecurrentAttentionModel.from_config(config)
        clone(x)
        clone.set_weights(model.get_weights())
        self.assertAllClose(clone.trace(x)["boxes"], boxes)
        with self.assertRaisesRegex(ValueError, "max_glimpse_extent_from_step=2"):
            small_model(max_glimpse_extent=0.3, max_glimpse_extent_from_step=2)

    def test_model_checks(self):
        model = small_model(context_network=True, relative_shifts=True, max_glimpse_extent=0.5)
        x = images()
        model(x)
        self.run_model_checks(
            model, x, served_call=lambda served, x: served.serve(tf.constant(x))["probabilities"]
        )


class TransferWeightsTest(tf.test.TestCase):
    def trained_looking(self, model, seed):
        """Replaces every weight by random values, so no copy can pass by coincidence."""
        rng = np.random.default_rng(seed)
        for weight in model.weights:
            weight.assign(rng.normal(0.0, 0.3, tuple(weight.shape)).astype("float32"))

    def test_context_model_starts_computing_what_the_model_without_context_does(self):
        x = images(size=32)
        source = small_model(context_network=False, max_glimpse_extent=0.5,
                             max_glimpse_extent_from_step=1)  # fmt: skip
        target = small_model(context_network=True, max_glimpse_extent=0.5,
                             max_glimpse_extent_from_step=1, seed=1)  # fmt: skip
        source(x), target(x)
        self.trained_looking(source, 0)
        context_before = [w.numpy() for w in target.context_cnn.weights]
        kept = target.transfer_weights_from(source)
        self.assertEqual(sorted(kept), sorted(w.path for w in target.context_cnn.weights))
        expected, got = source.trace(x), target.trace(x)
        for key in ("step_probabilities", "params", "boxes", "h1", "h2"):
            self.assertAllClose(expected[key], got[key], atol=1e-6, msg=key)
        # The attention GRU's context rows are zero, its h1 rows the source's.
        kernel = target.attention_cell.kernel.numpy()
        self.assertAllEqual(kernel[: target.units], source.attention_cell.kernel.numpy())
        self.assertAllEqual(kernel[target.units :], np.zeros_like(kernel[target.units :]))
        for before, weight in zip(context_before, target.context_cnn.weights):
            self.assertAllEqual(before, weight.numpy())

    def test_sum_model_starts_from_a_pair_model_but_for_the_output_layer(self):
        x = images()
        pair, digit_sum = small_model(num_classes=5), small_model(num_classes=3, seed=1)
        pair(x), digit_sum(x)
        self.trained_looking(pair, 1)
        output_layer = digit_sum.classifier.layers[-1]
        before = [w.numpy() for w in output_layer.weights]
        kept = digit_sum.transfer_weights_from(pair)
        self.assertEqual(kept, [w.path for w in output_layer.weights])
        for before_value, weight in zip(before, output_layer.weights):
            self.assertAllEqual(before_value, weight.numpy())
        # Every other weight is the pair model's: the same attention and features.
        pair_trace, sum_trace = pair.trace(x), digit_sum.trace(x)
        for key in ("params", "h1", "h2"):
            self.assertAllClose(pair_trace[key], sum_trace[key], atol=1e-6, msg=key)

    def test_transfer_errors_name_the_problem(self):
        x = images()
        context, plain = small_model(context_network=True), small_model(context_network=False)
        wide, unbuilt = small_model(context_network=False, units=12), small_model(context_network=False)
        for model in (context, plain, wide):
            model(x)
        with self.assertRaisesRegex(ValueError, "source has a context network"):
            plain.transfer_weights_from(context)
        with self.assertRaisesRegex(ValueError, "not the same architecture"):
            plain.transfer_weights_from(wide)
        with self.assertRaisesRegex(ValueError, "Call source on a batch of images"):
            plain.transfer_weights_from(unbuilt)
        with self.assertRaisesRegex(ValueError, "source must be a RecurrentAttentionModel"):
            plain.transfer_weights_from(keras.Sequential())


class SequenceReadingTest(tf.test.TestCase):
    TERMINAL = 3  # 4 classes: digits 0..2 and the terminal class

    def reader(self, order):
        return small_model(
            num_classes=4, num_glimpses=6, glimpses_per_object=2, reading_order=order
        )

    def test_outputs_one_prediction_per_object(self):
        model = self.reader("left_to_right")
        x = images()
        self.assertEqual(tuple(model(x).shape), (4, 3, 4))
        out = model.trace(x)
        self.assertAllClose(out["probabilities"], out["step_probabilities"][:, 1::2])

    def test_right_to_left_reader_returns_left_to_right_order(self):
        model = self.reader("right_to_left")
        x = images()
        probabilities = model(x).numpy()
        reading = model.trace(x)["step_probabilities"].numpy()[:, 1::2]
        for b in range(4):
            classes = reading[b].argmax(-1)
            n = int(np.argmax(classes == self.TERMINAL)) if (classes == self.TERMINAL).any() else 3
            expected = np.concatenate([reading[b, :n][::-1], reading[b, n:]])
            self.assertAllClose(probabilities[b], expected)

    def test_loss_uses_reversed_labels_in_reading_order(self):
        model = self.reader("right_to_left")
        x = images()
        y = np.array([[0, 1, 3], [2, 3, 3], [0, 1, 2], [3, 3, 3]])
        reversed_y = np.array([[1, 0, 3], [2, 3, 3], [2, 1, 0], [3, 3, 3]])
        loss = model.compute_loss(x, y, model(x))
        reading = model.trace(x)["step_probabilities"].numpy()[:, 1::2]
        nll = -np.log(np.take_along_axis(reading, reversed_y[..., None], axis=-1))[..., 0]
        self.assertAllClose(loss, nll.mean(), atol=1e-5)

    def test_combine_readers_takes_shorter_sequence_or_averages(self):
        def one_hot(classes, p=0.7):
            out = np.full((len(classes), 4), (1 - p) / 3, "float32")
            out[np.arange(len(classes)), classes] = p
            return out

        forward = np.stack([one_hot([0, 1, 3]), one_hot([0, 3, 3]), one_hot([2, 2, 2])])
        backward = np.stack([one_hot([1, 1, 3], 0.9), one_hot([0, 1, 3]), one_hot([1, 3, 3])])
        combined = tfrnnx.models.RecurrentAttentionModel.combine_readers(forward, backward)
        self.assertAllClose(combined[0], (forward[0] + backward[0]) / 2)  # same length 2
        self.assertAllClose(combined[1], forward[1])  # forward shorter (1 < 2)
        self.assertAllClose(combined[2], backward[2])  # backward shorter (1 < 3)

    def test_sequence_errors(self):
        with self.assertRaisesRegex(ValueError, "glimpses_per_object=4"):
            small_model(num_glimpses=6, glimpses_per_object=4)
        with self.assertRaisesRegex(ValueError, "reading_order='up'"):
            small_model(reading_order="up")
