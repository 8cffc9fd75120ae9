import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

import tfrnnx
from layers import rnn_numpy_reference as ref
from layers.test_recurrent_dropout_lstm_cell import inject_masks
from testing import LayerChecks

RNG = np.random.RandomState(2)


class RecurrentDropoutSimpleRNNCellTest(tf.test.TestCase, parameterized.TestCase, LayerChecks):
    def setUp(self):
        super().setUp()
        self.x = RNG.randn(2, 5, 3).astype("float32")

    def test_equals_keras_simple_rnn_without_dropout(self):
        keras_layer = keras.layers.SimpleRNN(4, return_sequences=True)
        ours = tfrnnx.layers.RecurrentDropoutSimpleRNN(4, return_sequences=True, recurrent_dropout=0.5)
        keras_layer(self.x)
        ours(self.x)
        ours.cell.set_weights(keras_layer.cell.get_weights())
        self.assertAllClose(ours(self.x), keras_layer(self.x), atol=1e-5)

    @parameterized.product(mode=("hidden", "cell"), scaling=("inverted", "test_time"),
                           training=(True, False))
    def test_each_mode_against_numpy(self, mode, scaling, training):
        rate = 0.5
        layer = tfrnnx.layers.RecurrentDropoutSimpleRNN(
            4, return_sequences=True, recurrent_dropout=rate, recurrent_dropout_mode=mode,
            dropout_scaling=scaling)
        layer(self.x)
        keep = (RNG.rand(2, 5, 4) >= rate).astype("float32")
        masks = keep / (1 - rate) if scaling == "inverted" else keep
        inject_masks(layer, masks)
        weights = [np.asarray(w).astype("float64") for w in layer.cell.weights]
        expected = ref.simple_rnn(self.x, *weights, mode, masks=masks if training else None,
                                  keep=1 - rate if scaling == "test_time" else 1.0)
        self.assertAllClose(layer(self.x, training=training), expected, atol=1e-5)

    def test_standard_layer_checks(self):
        self.run_layer_checks(
            lambda: tfrnnx.layers.RecurrentDropoutSimpleRNN(3, recurrent_dropout=0.2, seed=0),
            self.x, (2, 3))

    def test_update_mode_is_not_offered(self):
        with self.assertRaisesRegex(ValueError, "'hidden', 'cell'.*Received: recurrent_dropout_mode='update'"):
            tfrnnx.layers.RecurrentDropoutSimpleRNNCell(3, recurrent_dropout_mode="update")
