import os
import tempfile

import numpy as np
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import tfrnnx
import tfrnnx.callbacks


class TextSamplesTest(tf.test.TestCase):
    def test_writes_samples_and_reconstructions_each_epoch(self):
        vocabulary = ["a", "b", "c", "d"]
        vae = tfrnnx.models.HybridTextVAE(
            4, 8, latent_dim=2, encoder_filters=(4,), rnn_units=4, embedding_dim=4, seed=0
        )
        vae.compile(optimizer="adam", run_eagerly=True)  # two steps: faster than tracing
        tokens = np.tile(np.arange(8) % 4, (4, 1)).astype("int32")
        with tempfile.TemporaryDirectory() as log_dir:
            callback = tfrnnx.callbacks.TextSamples(
                log_dir, vocabulary, num_samples=3, reference_tokens=tokens[:2], seed=1
            )
            vae.fit(tokens, epochs=2, verbose=0, callbacks=[callback])
            self.assertEqual(len(callback.last_samples), 3)
            self.assertTrue(all(len(s) == 8 and set(s) <= set("abcd") for s in callback.last_samples))
            events = EventAccumulator(log_dir)
            events.Reload()
            samples = events.Tensors("samples")
            self.assertEqual([e.step for e in samples], [0, 1])
            last = samples[-1].tensor_proto.string_val[0].decode()
            self.assertEqual(last, "\n\n".join(f"`{s}`" for s in callback.last_samples))
            table = events.Tensors("reconstructions")[-1].tensor_proto.string_val[0].decode()
            self.assertIn("| `abcdabcd` |", table)

    def test_errors(self):
        with self.assertRaisesRegex(ValueError, "num_samples"):
            tfrnnx.callbacks.TextSamples("/tmp/x", ["a"], num_samples=0)
        with self.assertRaisesRegex(ValueError, "vocabulary"):
            tfrnnx.callbacks.TextSamples("/tmp/x", [])
