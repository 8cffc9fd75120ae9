import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

import tfrnnx
from layers import rnn_numpy_reference as ref
from layers.test_recurrent_dropout_lstm_cell import inject_masks
from testing import LayerChecks

RNG = np.random.RandomState(1)


class RecurrentDropoutGRUCellTest(tf.test.TestCase, parameterized.TestCase, LayerChecks):
    def setUp(self):
        super().setUp()
        self.x = RNG.randn(3, 5, 4).astype("float32")

    @parameterized.parameters("update", "hidden", "cell")
    def test_equals_keras_gru_at_inference(self, mode):
        keras_layer = keras.layers.GRU(6, return_sequences=True)
        ours = tfrnnx.layers.RecurrentDropoutGRU(
            6, return_sequences=True, recurrent_dropout=0.3, recurrent_dropout_mode=mode)
        keras_layer(self.x)
        ours(self.x)
        keras_bias = keras_layer.cell.get_weights()[2]
        keras_layer.cell.set_weights(keras_layer.cell.get_weights()[:2] + [RNG.randn(*keras_bias.shape)])
        ours.cell.set_weights(keras_layer.cell.get_weights())
        self.assertAllClose(ours(self.x), keras_layer(self.x), atol=1e-5)

    @parameterized.product(mode=("update", "hidden", "cell"), scaling=("inverted", "test_time"),
                           training=(True, False))
    def test_each_mode_against_numpy(self, mode, scaling, training):
        rate = 0.35
        layer = tfrnnx.layers.RecurrentDropoutGRU(
            4, return_sequences=True, recurrent_dropout=rate, recurrent_dropout_mode=mode,
            dropout_scaling=scaling)
        layer(self.x)
        layer.cell.bias.assign(RNG.randn(2, 12))
        keep = (RNG.rand(3, 5, 4) >= rate).astype("float32")
        masks = keep / (1 - rate) if scaling == "inverted" else keep
        inject_masks(layer, masks)
        weights = [np.asarray(w).astype("float64") for w in layer.cell.weights]
        if training:
            expected = ref.gru(self.x, *weights, mode, masks=masks)
        else:
            expected = ref.gru(self.x, *weights, mode, keep=1 - rate if scaling == "test_time" else 1.0)
        self.assertAllClose(layer(self.x, training=training), expected, atol=1e-5)

    def test_standard_layer_checks(self):
        self.run_layer_checks(
            lambda: tfrnnx.layers.RecurrentDropoutGRU(
                4, recurrent_dropout=0.25, mask_sampling="per_sequence", dropout=0.1, seed=3),
            self.x, (3, 4))

    def test_cell_config_round_trip_and_errors(self):
        cell = tfrnnx.layers.RecurrentDropoutGRUCell(3, recurrent_dropout=0.1, recurrent_dropout_mode="cell", seed=2)
        self.assertEqual(tfrnnx.layers.RecurrentDropoutGRUCell.from_config(cell.get_config()).get_config(),
                         cell.get_config())
        with self.assertRaisesRegex(ValueError, "Received: recurrent_dropout_mode='input'"):
            tfrnnx.layers.RecurrentDropoutGRU(3, recurrent_dropout_mode="input")
