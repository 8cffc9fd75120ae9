"""Layers with fixed weights and inputs, built the same way on any Keras backend.

``tests/layers/test_backend_parity.py`` runs ``outputs()`` in this process and in a child
process on the other backend, and compares. Weights come from numpy, so both sides hold
the same numbers without passing files around.
"""

import sys

import keras
import numpy as np

import tfrnnx

SEQUENCES = np.random.default_rng(0).standard_normal((3, 7, 5)).astype("float32")


def _with_numpy_weights(layer, inputs, seed):
    layer(inputs)  # build
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype("float32") for w in layer.get_weights()])
    return layer


def _recurrent_cases():
    layers = tfrnnx.layers
    for mode in ("update", "hidden", "cell"):
        for scaling in ("inverted", "test_time"):
            yield f"lstm_{mode}_{scaling}", layers.RecurrentDropoutLSTM(
                6, return_sequences=True, recurrent_dropout=0.3, recurrent_dropout_mode=mode,
                dropout_scaling=scaling)
        yield f"gru_{mode}", layers.RecurrentDropoutGRU(
            6, return_sequences=True, recurrent_dropout=0.3, recurrent_dropout_mode=mode,
            dropout_scaling="test_time")
    yield "lstm_layer_norm", layers.RecurrentDropoutLSTM(6, return_sequences=True, layer_norm=True)
    yield "lstm_backwards_state", layers.RecurrentDropoutLSTM(6, go_backwards=True)
    for mode in ("hidden", "cell"):
        yield f"simple_rnn_{mode}", layers.RecurrentDropoutSimpleRNN(
            6, return_sequences=True, recurrent_dropout=0.3, recurrent_dropout_mode=mode,
            dropout_scaling="test_time")


def outputs():
    """Name -> numpy output of every case at inference (dropout off, test-time scaling on)."""
    results = {}
    for number, (name, layer) in enumerate(_recurrent_cases()):
        layer = _with_numpy_weights(layer, SEQUENCES, number)
        results[name] = keras.ops.convert_to_numpy(layer(SEQUENCES, training=False))
    rng = np.random.default_rng(1)
    images = rng.random((2, 20, 24, 3)).astype("float32")
    params = rng.uniform(-1.0, 1.0, (2, 6)).astype("float32")
    glimpse = tfrnnx.layers.DrawGlimpse((5, 4))
    results["draw_glimpse"] = keras.ops.convert_to_numpy(glimpse([images, params]))
    results["draw_glimpse_boxes"] = keras.ops.convert_to_numpy(glimpse.boxes(params, images.shape))
    return results


if __name__ == "__main__":
    np.savez(sys.argv[1], **outputs())
