import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest

import keras
import numpy as np
import tensorflow as tf

from layers import backend_parity_cases

OTHER_BACKEND = {"tensorflow": "jax", "jax": "tensorflow"}.get(keras.backend.backend())


@unittest.skipIf(
    OTHER_BACKEND is None or importlib.util.find_spec(OTHER_BACKEND) is None,
    f"needs both the TensorFlow and the JAX backend installed (jax[cpu] is in the test extra); "
    f"backend here: {keras.backend.backend()}",
)
class BackendParityTest(tf.test.TestCase):
    def test_layers_give_the_same_outputs_on_tensorflow_and_jax(self):
        ours = backend_parity_cases.outputs()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "other.npz")
            environment = {**os.environ, "KERAS_BACKEND": OTHER_BACKEND}
            script = os.path.join(os.path.dirname(__file__), "backend_parity_cases.py")
            subprocess.run([sys.executable, script, path], check=True, env=environment,
                           cwd=os.path.dirname(os.path.dirname(__file__)), timeout=300)
            with np.load(path) as other:
                theirs = dict(other)
        self.assertEqual(sorted(theirs), sorted(ours))
        for name in ours:
            self.assertGreater(np.abs(ours[name]).max(), 1e-3, name)  # not trivially zero
            self.assertAllClose(ours[name], theirs[name], atol=1e-5, rtol=1e-5, msg=name)
