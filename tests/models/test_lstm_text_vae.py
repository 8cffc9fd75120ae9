import os
import tempfile

import keras
import numpy as np
import tensorflow as tf

import tfrnnx
from testing import ModelChecks
from models import text_vae_checks as ref

VOCAB, LENGTH, BATCH = 7, 16, 4


def _vae(**overrides):
    arguments = dict(
        vocab_size=VOCAB, sequence_length=LENGTH, latent_dim=3, encoder_units=8,
        decoder_units=8, embedding_dim=4, seed=5,
    )
    arguments.update(overrides)
    return tfrnnx.models.LSTMTextVAE(**arguments)


def _tokens(seed=0):
    return np.random.default_rng(seed).integers(0, VOCAB, (BATCH, LENGTH)).astype("int32")


class LSTMTextVAETest(tf.test.TestCase, ModelChecks):
    def test_kl_and_loss_match_numpy(self):
        vae = _vae()
        tokens = _tokens()
        vae.beta.assign(0.4)
        terms = vae.loss_terms(tokens, training=False)
        mean, log_var = vae.encode(tokens)
        kl = ref.numpy_kl(mean, log_var)
        rec = ref.numpy_xent(terms["logits"], tokens)
        self.assertIsNone(terms["aux_logits"])
        self.assertAllClose(terms["kl"], kl, atol=1e-5)
        self.assertAllClose(terms["rec"], rec, atol=1e-4)
        self.assertAllClose(terms["loss"], np.mean(rec + 0.4 * kl), atol=1e-4)

    def test_word_dropout(self):
        z = np.random.default_rng(2).normal(size=(BATCH, 3)).astype("float32")
        # p = 1: the decoder ignores its inputs, in training and at inference.
        vae = _vae(word_dropout=1.0)
        for training in (False, True):
            a = vae.decoder_logits(z, _tokens(0), training=training)[0]
            b = vae.decoder_logits(z, _tokens(1), training=training)[0]
            self.assertAllClose(a, b)
        # 0 < p < 1: inputs dropped at about rate p in training only, seeded.
        vae = _vae(word_dropout=0.5)
        many = np.random.default_rng(0).integers(0, VOCAB, (64, LENGTH)).astype("int32")
        dropped = vae.decoder_inputs(many, training=True).numpy()
        rate = np.mean(dropped[:, 1:] == vae.unk_id)
        self.assertBetween(rate, 0.4, 0.6)
        self.assertAllEqual(vae.decoder_inputs(many, training=False)[:, 1:], many[:, :-1])
        self.assertAllEqual(vae.decoder_inputs(many, training=False)[:, 0], np.full(64, VOCAB))
        again = _vae(word_dropout=0.5).decoder_inputs(many, training=True).numpy()
        self.assertAllEqual(dropped, again)

    def test_decoder_is_causal(self):
        vae = _vae()
        tokens = _tokens()
        z = np.zeros((BATCH, 3), "float32")
        base = vae.decoder_logits(z, tokens)[0].numpy()
        changed = tokens.copy()
        changed[:, 9] = (changed[:, 9] + 1) % VOCAB
        logits = vae.decoder_logits(z, changed)[0].numpy()
        self.assertAllClose(logits[:, :10], base[:, :10], atol=1e-6)
        self.assertGreater(np.abs(logits[:, 10] - base[:, 10]).max(), 1e-6)

    def test_fit_reduces_loss_and_logs_monitors(self):
        vae = _vae(kl_annealing=(0, 10))
        vae.compile(optimizer=keras.optimizers.Adam(0.02))
        tokens = ref.repetitive_corpus(VOCAB, LENGTH, 8)
        history = vae.fit(tokens, batch_size=8, epochs=20, verbose=0).history
        self.assertLess(history["rec"][-1], 0.6 * history["rec"][0])
        self.assertAllClose(history["beta"], np.clip(np.arange(20) / 10, 0, 1))
        self.assertAllClose(history["aux"], np.zeros(20))
        for name in ("active_units", "mutual_info", "kl_bits", "bits_per_token"):
            self.assertTrue(np.all(np.isfinite(history[name])))

    def test_generation_matches_teacher_forcing(self):
        # Greedy generation fed back its own tokens equals argmax of teacher-forced logits.
        vae = _vae()
        z = np.random.default_rng(3).normal(size=(BATCH, 3)).astype("float32")
        generated = vae.decode(z)
        logits = vae.decoder_logits(z, generated)[0]
        self.assertAllEqual(np.argmax(logits, -1), generated)
        self.assertAllEqual(vae.sample(2, seed=4), vae.sample(2, seed=4))

    def test_config_keras_and_export_round_trips(self):
        vae = _vae(word_dropout=0.3, kl_annealing=(3, 7), layer_norm=False)
        tokens = _tokens()
        expected = vae(tokens)
        clone = tfrnnx.models.LSTMTextVAE.from_config(vae.get_config())
        self.assertEqual(clone.get_config(), vae.get_config())
        clone(tokens)
        clone.set_weights(vae.get_weights())
        self.assertAllClose(clone(tokens), expected)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "vae.keras")
            vae.save(path)
            reloaded = keras.saving.load_model(path)
            self.assertAllClose(reloaded(tokens), expected, atol=1e-6)
            export_dir = os.path.join(tmp, "export")
            vae.export(export_dir, verbose=False)
            served = tf.saved_model.load(export_dir)
            self.assertAllClose(served.encode(tokens)["log_var"], vae.encode(tokens)[1], atol=1e-5)
            self.assertAllEqual(served.reconstruct(tokens), vae.reconstruct(tokens))
            self.assertAllEqual(served.sample(tf.constant(2), tf.constant(1)), vae.sample(2, seed=1))

    def test_bad_inputs_raise(self):
        vae = _vae()
        with self.assertRaisesRegex(ValueError, r"tokens must hold ids in \[0, vocab_size=7\)"):
            vae.reconstruct(np.full((1, LENGTH), 9))
        with self.assertRaisesRegex(ValueError, "sequence_length=16"):
            vae.encode(np.zeros((1, 3), "int32"))
        with self.assertRaisesRegex(ValueError, "b must"):
            vae.interpolate(_tokens()[0], np.full(LENGTH, -2), steps=3)
        with self.assertRaisesRegex(ValueError, "encoder_units"):
            _vae(encoder_units=0)

    def test_model_checks(self):
        vae = _vae()
        tokens = _tokens()
        vae(tokens)
        self.run_model_checks(vae, tokens, served_call=lambda served, t: served.serve(tf.constant(t)))
