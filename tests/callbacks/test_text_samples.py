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

    def test_text_gan_decodes_its_own_samples(self):
        vocabulary = tfrnnx.tokenizers.WordVocabulary(["a", "b", "c"])
        gan = tfrnnx.models.WGANGPText(len(vocabulary), 5, latent_dim=2, units=4,
                                       generator_filters=4, critic_filters=4, critic_layers=1,
                                       critic_steps=1, vocabulary=vocabulary, seed=0)  # fmt: skip
        gan.compile()
        ids = np.array([[4, 5, 3, 0, 0], [6, 3, 0, 0, 0]] * 2, "int32")
        with tempfile.TemporaryDirectory() as log_dir:
            callback = tfrnnx.callbacks.TextSamples(log_dir, num_samples=2, seed=4)
            gan.fit(ids, batch_size=4, epochs=1, verbose=0, callbacks=[callback])
            # Reference: the model's own decoding of the same seeded samples.
            self.assertEqual(callback.last_samples, gan.sample_strings(2, seed=4))
            events = EventAccumulator(log_dir)
            events.Reload()
            last = events.Tensors("samples")[-1].tensor_proto.string_val[0].decode()
            self.assertEqual(last, "\n\n".join(f"`{s}`" for s in callback.last_samples))
        with self.assertRaisesRegex(ValueError, "reference_tokens need a vocabulary"):
            tfrnnx.callbacks.TextSamples("/tmp/x", reference_tokens=ids)

    def test_errors(self):
        with self.assertRaisesRegex(ValueError, "num_samples"):
            tfrnnx.callbacks.TextSamples("/tmp/x", ["a"], num_samples=0)
        with self.assertRaisesRegex(ValueError, "vocabulary"):
            tfrnnx.callbacks.TextSamples("/tmp/x", [])
