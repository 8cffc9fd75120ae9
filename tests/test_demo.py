import glob
import os
import tempfile

import keras
import numpy as np
import tensorflow as tf

from tfrnnx import cli
from tfrnnx.data.temporal_order import temporal_order
from tfrnnx.data.char_fragments import char_fragments
from tfrnnx.data.cluttered_shapes import cluttered_shapes
from tfrnnx.data.toy_sentences import toy_sentences
from tfrnnx.tokenizers import WordVocabulary


class DemoTest(tf.test.TestCase):
    def test_quick_demo_trains_logs_exports_and_serves(self):
        with tempfile.TemporaryDirectory() as tmp:
            logdir, export_dir = os.path.join(tmp, "runs"), os.path.join(tmp, "saved_models")
            self.assertEqual(cli.main(["demo", "--quick", "--logdir", logdir, "--export-dir", export_dir]), 0)
            self.assertNotEmpty(glob.glob(os.path.join(logdir, "temporal_order", "train", "events.*")))
            export_path = os.path.join(export_dir, "temporal_order", "1")
            self.assertTrue(os.path.isfile(os.path.join(export_path, "saved_model.pb")))
            # The served model and the checkpointed Keras model agree on new data.
            x, _ = temporal_order(5, 20, seed=123)
            served = tf.saved_model.load(export_path)
            outputs = served.signatures["serving_default"](symbols=tf.constant(x))
            probabilities = next(iter(outputs.values())).numpy()
            checkpointed = keras.saving.load_model(os.path.join(logdir, "temporal_order", "model.keras"))
            self.assertAllClose(probabilities, checkpointed.predict(x, verbose=0), atol=1e-5)
            self.assertAllClose(probabilities.sum(-1), np.ones(5), atol=1e-5)
            # The text GAN's SavedModel returns strings that decode its own token ids.
            self.assertNotEmpty(glob.glob(os.path.join(logdir, "text_gan", "train", "events.*")))
            gan_path = os.path.join(export_dir, "text_gan", "1")
            out = tf.saved_model.load(gan_path).signatures["serving_default"](
                num_samples=tf.constant(4)
            )
            vocabulary = WordVocabulary.build(toy_sentences(256, seed=0))
            for row, sentence in zip(out["token_ids"].numpy().tolist(), out["sentences"].numpy()):
                row = row[: row.index(vocabulary.eos_id)] if vocabulary.eos_id in row else row
                self.assertEqual(sentence.decode(), vocabulary.decode(row))
            # The text VAE's text-in/text-out endpoint agrees with its token endpoint.
            self.assertNotEmpty(glob.glob(os.path.join(logdir, "text_vae", "train", "events.*")))
            vae = tf.saved_model.load(os.path.join(export_dir, "text_vae", "1"))
            text = " ".join(toy_sentences(2000, seed=1))
            tokens, chars = char_fragments(text, 32, 3, seed=5)
            strings = ["".join(chars[i] for i in row) for row in tokens]
            rebuilt = [s.decode() for s in vae.reconstruct_text(tf.constant(strings)).numpy()]
            expected = ["".join(chars[i] for i in row) for row in vae.reconstruct(tokens).numpy()]
            self.assertEqual(rebuilt, expected)
            # The attention model serves probabilities and one glimpse box per step.
            attention = tf.saved_model.load(os.path.join(export_dir, "attention", "1"))
            images, _ = cluttered_shapes(4, seed=9)
            out = attention.signatures["serving_default"](images=tf.constant(images))
            self.assertAllClose(out["probabilities"].numpy().sum(-1), np.ones(4), atol=1e-5)
            self.assertEqual(out["boxes"].shape, (4, 3, 4))
            # Every glimpse respects the demo's size limit: its grid spans at most 40% of the
            # side, so its box (grid plus half a stride each end, 8 points) at most 0.4 * 8 / 7.
            sides = out["boxes"].numpy()[..., 2:] - out["boxes"].numpy()[..., :2]
            self.assertTrue(np.all(sides <= 0.4 * 8 / 7 + 1e-5))
            events = glob.glob(os.path.join(logdir, "attention", "**", "events.*"), recursive=True)
            self.assertNotEmpty(events)
