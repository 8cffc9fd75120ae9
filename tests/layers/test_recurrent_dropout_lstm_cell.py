import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

import tfrnnx
from layers import rnn_numpy_reference as ref
from testing import LayerChecks, requires_tensorflow_backend, two_cpu_mirrored_strategy

RNG = np.random.RandomState(0)
MODES = ("update", "hidden", "cell")


def inject_masks(layer, masks):
    """Makes the layer's cell use ``masks`` (batch, time, units) as its recurrent masks."""

    def recurrent_masks(batch_size, steps, dtype, training=False):
        return keras.ops.convert_to_tensor(masks, dtype) if training else None

    layer.cell.recurrent_masks = recurrent_masks


def saturated_cell_layer(mode, sampling, rate=0.5, scaling="inverted", seed=3):
    """LSTM whose outputs reveal its masks: i≈1, f≈0, g=0.5, o≈1 so h_t = tanh(0.5 m_t)."""
    layer = tfrnnx.layers.RecurrentDropoutLSTM(
        6, return_sequences=True, recurrent_dropout=rate, recurrent_dropout_mode=mode,
        mask_sampling=sampling, dropout_scaling=scaling, seed=seed,
    )
    layer.build((None, None, 2))
    bias = np.concatenate([np.full(6, 30.0), np.full(6, -30.0), np.full(6, np.arctanh(0.5)),
                           np.full(6, 30.0)])
    layer.cell.set_weights([np.zeros((2, 24)), np.zeros((6, 24)), bias])
    return layer


def recovered_masks(layer, batch=8, steps=10):
    h = np.asarray(layer(np.zeros((batch, steps, 2), "float32"), training=True))
    return np.arctanh(np.clip(h, -0.999999, 0.999999)) / 0.5


class RecurrentDropoutLSTMCellTest(tf.test.TestCase, parameterized.TestCase, LayerChecks):
    def setUp(self):
        super().setUp()
        self.x = RNG.randn(3, 6, 5).astype("float32")

    def _pair_with_keras(self, **kwargs):
        keras_layer = keras.layers.LSTM(7, return_sequences=True)
        keras_layer(self.x)
        ours = tfrnnx.layers.RecurrentDropoutLSTM(7, return_sequences=True, **kwargs)
        ours(self.x)
        ours.cell.set_weights(keras_layer.cell.get_weights())
        return keras_layer, ours

    @parameterized.parameters(*MODES)
    def test_equals_keras_lstm_at_inference_and_without_dropout(self, mode):
        keras_layer, ours = self._pair_with_keras(recurrent_dropout=0.4, recurrent_dropout_mode=mode)
        self.assertAllClose(ours(self.x, training=False), keras_layer(self.x), atol=1e-5)
        _, no_dropout = self._pair_with_keras()
        no_dropout.cell.set_weights(keras_layer.cell.get_weights())
        self.assertAllClose(no_dropout(self.x, training=True), keras_layer(self.x), atol=1e-5)

    def test_standalone_cell_in_keras_rnn_equals_keras_lstm(self):
        keras_layer = keras.layers.LSTM(4)
        keras_layer(self.x)
        layer = keras.layers.RNN(tfrnnx.layers.RecurrentDropoutLSTMCell(4))
        layer(self.x)
        layer.cell.set_weights(keras_layer.cell.get_weights())
        self.assertAllClose(layer(self.x), keras_layer(self.x), atol=1e-5)

    def test_masking_go_backwards_and_state_match_keras(self):
        padded = self.x.copy()
        padded[0, 4:] = 0.0
        for go_backwards in (False, True):
            keras_layer = keras.layers.LSTM(5, go_backwards=go_backwards, return_state=True)
            ours = tfrnnx.layers.RecurrentDropoutLSTM(5, go_backwards=go_backwards, return_state=True)
            masked = keras.layers.Masking(0.0)
            keras_layer(padded)
            ours(padded)
            ours.cell.set_weights(keras_layer.cell.get_weights())
            mask = masked.compute_mask(padded)
            for a, b in zip(ours(padded, mask=mask), keras_layer(padded, mask=mask)):
                self.assertAllClose(a, b, atol=1e-5)

    @parameterized.product(mode=MODES, scaling=("inverted", "test_time"), training=(True, False))
    def test_each_mode_drops_what_it_claims_against_numpy(self, mode, scaling, training):
        rate = 0.4
        layer = tfrnnx.layers.RecurrentDropoutLSTM(
            4, return_sequences=True, recurrent_dropout=rate, recurrent_dropout_mode=mode,
            dropout_scaling=scaling,
        )
        layer(self.x)
        keep = (RNG.rand(3, 6, 4) >= rate).astype("float32")
        masks = keep / (1 - rate) if scaling == "inverted" else keep
        inject_masks(layer, masks)
        kernel, recurrent_kernel, bias = [np.asarray(w).astype("float64") for w in layer.cell.weights]
        if training:
            expected, _ = ref.lstm(self.x, kernel, recurrent_kernel, bias, mode, masks=masks)
        else:
            expected, _ = ref.lstm(self.x, kernel, recurrent_kernel, bias, mode,
                                   keep=1 - rate if scaling == "test_time" else 1.0)
        self.assertAllClose(layer(self.x, training=training), expected, atol=1e-5)
        # The other modes' equations give something else: the mode really matters.
        other = [m for m in MODES if m != mode][0]
        if training or scaling == "test_time":
            wrong, _ = ref.lstm(self.x, kernel, recurrent_kernel, bias, other, masks=masks if training else None,
                                keep=1 - rate)
            self.assertGreater(np.abs(np.asarray(layer(self.x, training=training)) - wrong).max(), 1e-3)

    def test_layer_norm_against_numpy(self):
        layer = tfrnnx.layers.RecurrentDropoutLSTM(
            4, return_sequences=True, layer_norm=True, recurrent_dropout=0.3)
        layer(self.x)
        cell = layer.cell
        cell.gate_norm_gamma.assign(RNG.rand(4, 4) + 0.5)
        cell.cell_norm_gamma.assign(RNG.rand(4) + 0.5)
        cell.cell_norm_beta.assign(RNG.randn(4))
        masks = (RNG.rand(3, 6, 4) >= 0.3) / 0.7
        inject_masks(layer, masks.astype("float32"))
        w = lambda v: np.asarray(v).astype("float64")  # noqa: E731
        expected, _ = ref.lstm(
            self.x, w(cell.kernel), w(cell.recurrent_kernel), w(cell.bias), "update", masks=masks,
            layer_norm=(w(cell.gate_norm_gamma), w(cell.cell_norm_gamma), w(cell.cell_norm_beta)),
        )
        self.assertAllClose(layer(self.x, training=True), expected, atol=1e-5)

    def test_per_step_masks_change_every_step_and_batch(self):
        layer = saturated_cell_layer("update", "per_step")
        first, second = recovered_masks(layer), recovered_masks(layer)
        # Every recovered value is a mask value: 0 or 1/(1-p) = 2.
        self.assertAllClose(np.minimum(np.abs(first), np.abs(first - 2.0)), np.zeros_like(first), atol=1e-3)
        self.assertTrue(np.any(np.abs(first[:, 0] - first[:, 1]) > 1.0))
        self.assertTrue(np.any(np.abs(first - second) > 1.0))
        self.assertBetween(float((first > 1.0).mean()), 0.35, 0.65)

    @requires_tensorflow_backend
    def test_per_step_masks_under_xla_keep_their_distribution(self):
        # Under XLA the masks come from Philox asked for by name (ThreeFry was 60x slower).
        layer = saturated_cell_layer("update", "per_step")
        step = tf.function(lambda x: layer(x, training=True), jit_compile=True)
        x = np.zeros((64, 10, 2), "float32")
        first = np.arctanh(np.clip(np.asarray(step(x)), -0.999999, 0.999999)) / 0.5
        second = np.arctanh(np.clip(np.asarray(step(x)), -0.999999, 0.999999)) / 0.5
        self.assertAllClose(np.minimum(np.abs(first), np.abs(first - 2.0)), np.zeros_like(first), atol=1e-3)
        # 3,840 Bernoulli(0.5) draws: the kept share is within 5 standard deviations of 0.5.
        self.assertBetween(float((first > 1.0).mean()), 0.46, 0.54)
        self.assertTrue(np.any(np.abs(first[:, 0] - first[:, 1]) > 1.0))
        self.assertTrue(np.any(np.abs(first - second) > 1.0))

    def test_masks_outside_xla_are_keras_uniform_draws(self):
        # Philox by name is what "auto_select" gives outside XLA: the masks did not change.
        layer = saturated_cell_layer("update", "per_step", rate=0.3, seed=5)
        expected = np.asarray(keras.random.uniform((8, 10, 6), seed=keras.random.SeedGenerator(5))) >= 0.3
        self.assertAllEqual(recovered_masks(layer) > 1.0, expected)

    def test_per_sequence_masks_are_constant_in_time_but_change_every_batch(self):
        layer = saturated_cell_layer("update", "per_sequence")
        first, second = recovered_masks(layer), recovered_masks(layer)
        self.assertAllClose(first, np.repeat(first[:, :1], first.shape[1], axis=1), atol=1e-3)
        self.assertTrue(np.any(np.abs(first[:, 0] - second[:, 0]) > 1.0))
        self.assertTrue(np.any(np.abs(first[0, 0] - first[1, 0]) > 1.0))

    def test_input_dropout_mask_is_shared_by_all_steps_as_in_keras(self):
        # With i≈1, f≈0, o≈1 and g = tanh(mean of the kept inputs), h_t shows x_t's mask.
        layer = tfrnnx.layers.RecurrentDropoutLSTM(1, return_sequences=True, dropout=0.5, seed=4)
        layer.build((None, None, 8))
        kernel = np.zeros((8, 4))
        kernel[:, 2] = 1.0 / 8
        layer.cell.set_weights([kernel, np.zeros((1, 4)), np.array([30.0, -30.0, 0.0, 30.0])])
        h = np.asarray(layer(np.ones((16, 6, 8), "float32"), training=True))[..., 0]
        self.assertAllClose(h, np.repeat(h[:, :1], 6, axis=1), atol=1e-6)
        self.assertGreater(len(np.unique(np.round(h[:, 0], 5))), 2)
        self.assertAllClose(layer(np.ones((2, 6, 8), "float32"), training=False),
                            np.full((2, 6, 1), np.tanh(np.tanh(1.0))), atol=1e-6)

    def test_constraints_are_applied_like_keras(self):
        layer = tfrnnx.layers.RecurrentDropoutLSTM(
            3, kernel_constraint=keras.constraints.NonNeg(), recurrent_constraint="non_neg")
        model = keras.Sequential([keras.Input((6, 5)), layer])
        model.compile(keras.optimizers.SGD(1.0), "mse")
        model.fit(self.x, np.full((3, 3), 5.0), verbose=0)
        self.assertGreaterEqual(float(np.min(np.asarray(layer.cell.kernel))), 0.0)
        self.assertGreaterEqual(float(np.min(np.asarray(layer.cell.recurrent_kernel))), 0.0)
        config = layer.get_config()
        self.assertEqual(config["kernel_constraint"]["class_name"], "NonNeg")
        self.assertEqual(tfrnnx.layers.RecurrentDropoutLSTM.from_config(config).get_config(), config)

    def test_same_seed_same_masks(self):
        a = recovered_masks(saturated_cell_layer("update", "per_step", seed=11))
        b = recovered_masks(saturated_cell_layer("update", "per_step", seed=11))
        self.assertAllClose(a, b)

    def test_memory_loss_of_cell_dropout_with_test_time_scaling(self):
        """Thesis eqs. 3.3.14 and 3.3.16: with gates open, c decays as (1-p)^t only for Moon."""
        rate, steps = 0.3, 12
        x = np.zeros((1, steps, 1), "float32")
        x[0, 0, 0] = 1.0
        states = {}
        for mode in ("cell", "update"):
            layer = tfrnnx.layers.RecurrentDropoutLSTM(
                1, return_sequences=True, recurrent_dropout=rate, recurrent_dropout_mode=mode,
                dropout_scaling="test_time",
            )
            layer(x)
            kernel = np.array([[0.0, 0.0, 1.0, 0.0]])
            bias = np.array([30.0, 30.0, 0.0, 30.0])
            layer.cell.set_weights([kernel, np.zeros((1, 4)), bias])
            states[mode] = np.arctanh(np.asarray(layer(x, training=False))[0, :, 0])
        g0 = np.tanh(1.0)
        t = np.arange(steps)
        self.assertAllClose(states["cell"], g0 * (1 - rate) ** (t + 1), rtol=1e-4)
        self.assertAllClose(states["update"], np.full(steps, g0 * (1 - rate)), rtol=1e-4)

    @parameterized.parameters(
        dict(recurrent_dropout=0.25, mask_sampling="per_sequence"),
        dict(recurrent_dropout=0.25, recurrent_dropout_mode="cell", dropout=0.2),
        dict(recurrent_dropout=0.25, layer_norm=True, dropout_scaling="test_time"),
    )
    def test_standard_layer_checks(self, **kwargs):
        self.run_layer_checks(
            lambda: tfrnnx.layers.RecurrentDropoutLSTM(4, seed=1, **kwargs),
            self.x, (3, 4),
        )

    def test_cell_config_round_trip(self):
        cell = tfrnnx.layers.RecurrentDropoutLSTMCell(
            3, recurrent_dropout=0.2, recurrent_dropout_mode="hidden", mask_sampling="per_sequence",
            dropout_scaling="test_time", layer_norm=True, seed=5, kernel_regularizer="l2")
        config = cell.get_config()
        clone = tfrnnx.layers.RecurrentDropoutLSTMCell.from_config(config)
        self.assertEqual(clone.get_config(), config)
        self.assertEqual(config["recurrent_dropout_mode"], "hidden")
        self.assertEqual(config["seed"], 5)

    def test_bidirectional(self):
        layer = keras.layers.Bidirectional(
            tfrnnx.layers.RecurrentDropoutLSTM(4, recurrent_dropout=0.2, return_sequences=True))
        self.assertEqual(tuple(layer(self.x, training=True).shape), (3, 6, 8))
        self.assertTrue(layer.backward_layer.go_backwards)
        self.assertIsInstance(layer.backward_layer, tfrnnx.layers.RecurrentDropoutLSTM)

    @requires_tensorflow_backend
    def test_mirrored_strategy_fit(self):
        self.assertLen(tf.config.list_logical_devices("CPU"), 2)
        strategy = two_cpu_mirrored_strategy()
        with strategy.scope():
            model = keras.Sequential([
                keras.Input((6, 5)),
                tfrnnx.layers.RecurrentDropoutLSTM(4, recurrent_dropout=0.25, mask_sampling="per_sequence"),
                keras.layers.Dense(1),
            ])
            model.compile("sgd", "mse")
        history = model.fit(self.x, np.zeros((3, 1)), batch_size=2, epochs=1, verbose=0)
        self.assertTrue(np.isfinite(history.history["loss"][0]))

    @parameterized.parameters(
        ("recurrent_dropout", 1.0), ("recurrent_dropout", -0.1), ("dropout", 1.5),
        ("recurrent_dropout", "0.2"), ("recurrent_dropout_mode", "gal"),
        ("mask_sampling", "per_batch"), ("dropout_scaling", "none"), ("units", 0), ("seed", 1.5),
    )
    def test_bad_arguments_name_argument_and_value(self, name, value):
        args = {"units": 4, name: value}
        with self.assertRaisesRegex(ValueError, f"{name}.*Received: {name}={value!r}"):
            tfrnnx.layers.RecurrentDropoutLSTMCell(**args)
        with self.assertRaisesRegex(ValueError, f"Received: {name}="):
            tfrnnx.layers.RecurrentDropoutLSTM(**args)

    def test_per_sequence_masks_need_the_sequence_layer(self):
        layer = keras.layers.RNN(tfrnnx.layers.RecurrentDropoutLSTMCell(
            4, recurrent_dropout=0.2, mask_sampling="per_sequence"))
        with self.assertRaisesRegex(ValueError, "mask_sampling='per_sequence'.*RecurrentDropoutRNN"):
            layer(self.x, training=True)

    def test_wrong_rank_and_mismatched_weights(self):
        layer = tfrnnx.layers.RecurrentDropoutLSTM(4)
        with self.assertRaisesRegex(ValueError, "expected ndim=3, found ndim=2"):
            layer(self.x[:, 0])
        layer(self.x)
        with self.assertRaisesRegex(ValueError, r"\(5, 16\).*\(3, 16\)"):
            layer.cell.set_weights([np.zeros((3, 16)), np.zeros((4, 16)), np.zeros(16)])

    def test_rnn_wrapper_rejects_foreign_cells(self):
        with self.assertRaisesRegex(ValueError, "Received: cell="):
            tfrnnx.layers.RecurrentDropoutRNN(keras.layers.LSTMCell(3))
