import os
import tempfile

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

import tfrnnx
from testing import ModelChecks

SENTENCES = ["a cat sat", "a dog sat", "the cat ran", "the dog ran"]
LENGTH = 6
UNITS, D_UNITS, MLP = 8, 6, 5


def _vocab():
    return tfrnnx.tokenizers.WordVocabulary.build(SENTENCES)


def _ids(vocab, repeat=2):
    return vocab.pad(vocab.encode(SENTENCES * repeat, add_bos_eos=True), LENGTH)


def _gan(vocab, **overrides):
    arguments = dict(units=UNITS, embedding_dim=4, discriminator_units=D_UNITS, mlp_units=MLP,
                     vocabulary=vocab, seed=1)  # fmt: skip
    arguments.update(overrides)
    gan = tfrnnx.models.LeakGAN(len(vocab), LENGTH, **arguments)
    gan.compile(keras.optimizers.Adam(0.02), keras.optimizers.Adam(0.02), jit_compile=False)
    return gan


class LeakGANTest(tf.test.TestCase, parameterized.TestCase, ModelChecks):
    @parameterized.parameters(("leak", UNITS + D_UNITS, True), ("noleak", UNITS, True),
                              ("mixed", D_UNITS, False))  # fmt: skip
    def test_variants_fuse_the_documented_inputs(self, leak, fusion_inputs, has_lstm):
        vocab = _vocab()
        gan = _gan(vocab, leak=leak)
        self.assertEqual(tuple(gan.fusion.kernel.shape), (fusion_inputs, MLP))
        self.assertEqual(hasattr(gan, "rnn"), has_lstm)
        ids = _ids(vocab)
        # Changing only the discriminator changes the generator iff its feature is leaked.
        before = gan(ids).numpy()
        kernel = gan.discriminator.cell.kernel
        kernel.assign(kernel.numpy() + 0.5)
        changed = np.abs(gan(ids).numpy() - before).max() > 1e-4
        self.assertEqual(changed, leak != "noleak")

    @parameterized.parameters("leak", "noleak", "mixed")
    def test_stepwise_generation_matches_teacher_forcing(self, leak):
        vocab = _vocab()
        gan = _gan(vocab, leak=leak)
        ids = gan.sample(8, seed=4).numpy()
        self.assertAllEqual(ids, gan.sample(8, seed=4))
        self.assertAllEqual(ids[:, 0], np.full(8, 2))
        state = gan._initial_state(8)
        for t in range(LENGTH - 1):
            logits, state = gan._step(tf.constant(ids[:, t]), state)
            self.assertAllClose(logits, gan(ids)[:, t], atol=1e-5)

    @parameterized.parameters("leak", "mixed")
    def test_discriminator_is_frozen_in_the_generator_phase(self, leak):
        vocab = _vocab()
        ids = _ids(vocab)
        gan = _gan(vocab, leak=leak, discriminator_steps=0)
        discriminator = [w.numpy() for w in gan.discriminator.weights]
        generator = [v.numpy() for v in gan.generator_variables]
        gan.pretrain(ids, epochs=1, batch_size=4)
        gan.fit(ids, batch_size=4, epochs=1, verbose=0)
        for a, b in zip(discriminator, gan.discriminator.weights):
            self.assertAllEqual(a, b)
        self.assertTrue(any(np.abs(a - b.numpy()).max() > 0
                            for a, b in zip(generator, gan.generator_variables)))  # fmt: skip
        # With discriminator steps, the discriminator does train.
        gan = _gan(vocab, leak=leak, discriminator_steps=1)
        before = gan.discriminator.cell.kernel.numpy()
        history = gan.fit(ids, batch_size=4, epochs=1, verbose=0).history
        self.assertGreater(np.abs(gan.discriminator.cell.kernel.numpy() - before).max(), 0)
        self.assertTrue(np.isfinite(history["discriminator_loss"][0]))

    def test_pretraining_lowers_nll(self):
        vocab = _vocab()
        gan = _gan(vocab, leak="leak")
        ids = _ids(vocab, 4)
        before = float(gan.nll(ids))
        gan.pretrain(ids, epochs=40, batch_size=8)
        self.assertLess(float(gan.nll(ids)), 0.6 * before)

    def test_keras_round_trip_and_export(self):
        vocab = _vocab()
        gan = _gan(vocab, leak="mixed", discount=0.7)
        ids = _ids(vocab)
        gan.fit(ids, batch_size=4, epochs=1, verbose=0)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "gan.keras")
            gan.save(path)
            loaded = keras.saving.load_model(path)
            self.assertEqual(loaded.get_config(), gan.get_config())
            self.assertEqual(loaded.leak, "mixed")
            self.assertAllClose(loaded(ids), gan(ids), atol=1e-6)
            self.assertAllEqual(loaded.sample(4, seed=2), gan.sample(4, seed=2))
            export = os.path.join(tmp, "serving")
            gan.export_serving(export)
            reloaded = tf.saved_model.load(export)
            out = reloaded.signatures["serving_default"](num_samples=tf.constant(3))
            self.assertEqual(out["sentences"].dtype, tf.string)
            self.assertEqual(tuple(out["sentences"].shape), (3,))

    def test_bad_arguments(self):
        vocab = _vocab()
        for overrides, message in [
            (dict(leak="both"), "leak must be one of"),
            (dict(mlp_units=0), "mlp_units=0"),
            (dict(discount=-0.1), "discount=-0.1"),
            (dict(discriminator_steps=-1), "discriminator_steps=-1"),
            (dict(seed="x"), "seed"),
        ]:
            with self.assertRaisesRegex(ValueError, message):
                _gan(vocab, **overrides)
        with self.assertRaisesRegex(ValueError, "vocab_size=3"):
            tfrnnx.models.LeakGAN(3, LENGTH)

    @parameterized.parameters("leak", "noleak", "mixed")
    def test_model_checks(self, leak):
        # The serving endpoint samples (checked in test_keras_round_trip_and_export).
        vocab = _vocab()
        gan = _gan(vocab, leak=leak)
        ids = _ids(vocab)
        gan(ids)
        self.run_model_checks(gan, ids)
