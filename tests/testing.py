"""Shared checks every tfrnnx layer and model passes (house style, point 8).

``LayerChecks.run_layer_checks`` builds the layer, calls it eagerly and symbolically, fits
one step, round-trips it through ``.keras`` and SavedModel export with identical outputs,
runs it under ``mixed_float16`` and under ``jit_compile=True``.

``ModelChecks.run_model_checks`` takes a built model: its serialized config survives a JSON
round trip and rebuilds an equal model, ``.keras`` saving reloads it with identical
outputs, and ``export_serving`` writes a SavedModel that reloads with identical outputs.
"""

import json
import os
import tempfile
import unittest

import keras
import numpy as np
import tensorflow as tf


BACKEND = keras.backend.backend()

# Tests of TensorFlow-only machinery (tf.function/XLA, GradientTape, SavedModel loading,
# tf.distribute) run on the TensorFlow backend; CI also runs tests/layers on JAX.
requires_tensorflow_backend = unittest.skipUnless(
    BACKEND == "tensorflow", f"needs the TensorFlow backend (KERAS_BACKEND={BACKEND})"
)


class BetaModel(keras.Model):
    """A minimal non-tfrnnx model exposing a `beta` variable (starting at 1), to show the
    KL-annealing callbacks work on any model that has one."""

    def __init__(self):
        super().__init__(name="beta_model")
        self.dense = keras.layers.Dense(1)
        self.beta = self.add_weight(shape=(), initializer="ones", trainable=False, name="beta")

    def call(self, x):
        return self.dense(x) * self.beta


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _model_around(layer, input_data):
    """A functional model with one Input per array of ``input_data`` around ``layer``."""
    arrays = _as_list(input_data)
    inputs = [keras.Input(shape=a.shape[1:], dtype=str(a.dtype)) for a in arrays]
    if not isinstance(input_data, (list, tuple)):
        inputs = inputs[0]
    return keras.Model(inputs, layer(inputs))


def two_cpu_mirrored_strategy():
    """A ``MirroredStrategy`` over the two logical CPUs that ``conftest.py`` creates.

    Reduction goes through one device, not collective ops: on CPU, a second
    ``MirroredStrategy`` in the same process reuses the first one's collective instance
    keys, and its all-reduces then fail with "Shape mismatch in the collective instance".
    """
    return tf.distribute.MirroredStrategy(
        ["/cpu:0", "/cpu:1"], cross_device_ops=tf.distribute.ReductionToOneDevice()
    )


def _weights_changed(before, after):
    return any(not np.array_equal(b, a) for b, a in zip(before, after))


class LayerChecks:
    """Mixin for ``tf.test.TestCase`` classes that test layers."""

    def run_layer_checks(
        self,
        layer_factory,
        input_data,
        expected_output_shape,
        export=True,
        mixed_precision=True,
        jit_compile=True,
        atol=1e-5,
    ):
        """Runs the standard layer checks.

        Args:
            layer_factory: zero-argument callable returning a new, unbuilt layer.
            input_data: numpy array, or list of arrays for multi-input layers.
            expected_output_shape: full output shape for ``input_data``.
        """
        # Eager call and output shape.
        layer = layer_factory()
        output = layer(input_data)
        self.assertEqual(tuple(output.shape), tuple(expected_output_shape))

        # Symbolic call inside a model; the model reproduces the eager call.
        model = _model_around(layer, input_data)
        self.assertAllClose(model(input_data), output, atol=atol)

        # One fit step moves the trainable weights.
        before = [w.numpy() for w in model.trainable_weights]
        target = np.zeros(expected_output_shape, "float32")
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        model.fit(input_data, target, batch_size=len(target), epochs=1, verbose=0)
        after = [w.numpy() for w in model.trainable_weights]
        self.assertTrue(_weights_changed(before, after), "fit did not change any weight")
        expected = model.predict(input_data, verbose=0)
        self.assertTrue(np.all(np.isfinite(expected)))

        # Config round trip gives an equivalent layer (not only the same keys).
        config = layer.get_config()
        self.assertIsInstance(config, dict)
        clone = type(layer).from_config(config)
        self.assertEqual(clone.get_config(), config)

        with tempfile.TemporaryDirectory() as tmp:
            # .keras round trip with identical outputs.
            path = os.path.join(tmp, "model.keras")
            model.save(path)
            reloaded = keras.saving.load_model(path)
            self.assertAllClose(reloaded.predict(input_data, verbose=0), expected, atol=atol)

            # SavedModel export and reload with identical outputs.
            if export:
                export_dir = os.path.join(tmp, "export")
                model.export(export_dir, verbose=False)
                served = tf.saved_model.load(export_dir)
                # A multi-input model's signature takes the list as one argument.
                served_output = served.serve(input_data)
                self.assertAllClose(served_output, expected, atol=atol)

        if jit_compile:
            jit_model = _model_around(layer_factory(), input_data)
            jit_model.set_weights(model.get_weights())
            jit_model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", jit_compile=True)
            self.assertAllClose(jit_model.predict(input_data, verbose=0), expected, atol=1e-4)
            jit_model.fit(input_data, target, batch_size=len(target), epochs=1, verbose=0)

        if mixed_precision:
            previous = keras.config.dtype_policy()
            keras.config.set_dtype_policy("mixed_float16")
            try:
                half_layer = layer_factory()
                half_output = half_layer(input_data)
                self.assertEqual(keras.backend.standardize_dtype(half_output.dtype), "float16")
                self.assertTrue(np.all(np.isfinite(np.asarray(half_output, "float32"))))
                self.assertTrue(
                    all(
                        keras.backend.standardize_dtype(w.dtype) == "float32"
                        for w in half_layer.weights
                        if w.trainable
                    )
                )
            finally:
                keras.config.set_dtype_policy(previous)
        return model


def _assert_all_close(test, actual, expected, atol):
    tf.nest.map_structure(
        lambda a, e: test.assertAllClose(np.asarray(a), np.asarray(e), atol=atol), actual, expected
    )


class ModelChecks:
    """Mixin for ``tf.test.TestCase`` classes that test tfrnnx models."""

    def run_model_checks(self, model, inputs, call=None, served_call=None, atol=1e-5):
        """Runs the standard model checks.

        Args:
            model: a tfrnnx model, already called once (built).
            inputs: data for ``call``.
            call: ``call(model, inputs)`` -> deterministic outputs (default: inference call).
            served_call: ``served_call(served, inputs)`` -> the same outputs from the
                reloaded ``export_serving`` SavedModel; None skips the export check.
        """
        call = call or (lambda m, x: m(x, training=False))
        expected = call(model, inputs)

        # The serialized config survives JSON and rebuilds a model with the same config.
        serialized = keras.saving.serialize_keras_object(model)
        clone = keras.saving.deserialize_keras_object(json.loads(json.dumps(serialized)))
        self.assertIs(type(clone), type(model))
        self.assertEqual(
            json.loads(json.dumps(keras.saving.serialize_keras_object(clone))),
            json.loads(json.dumps(serialized)),
        )

        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.keras")
            model.save(path)
            _assert_all_close(self, call(keras.saving.load_model(path), inputs), expected, atol)
            if served_call is not None:
                export_dir = os.path.join(tmp, "export")
                model.export_serving(export_dir)
                served = tf.saved_model.load(export_dir)
                self.assertIn("serving_default", served.signatures)
                _assert_all_close(self, served_call(served, inputs), expected, atol)
        return expected
