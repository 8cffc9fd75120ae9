import os
import tempfile

import keras
import numpy as np
import pytest
import tensorflow as tf
from absl.testing import parameterized

import tfrnnx
from models import text_vae_checks as ref
from testing import LayerChecks, ModelChecks, two_cpu_mirrored_strategy

VOCAB, LENGTH, BATCH = 7, 16, 4


def _vae(**overrides):
    arguments = dict(
        vocab_size=VOCAB, sequence_length=LENGTH, latent_dim=3, encoder_filters=(4, 8),
        rnn_units=8, bytenet_layers=3, bytenet_filters=8, embedding_dim=4, seed=3,
    )
    arguments.update(overrides)
    return tfrnnx.models.HybridTextVAE(**arguments)


def _tokens(seed=0):
    return np.random.default_rng(seed).integers(0, VOCAB, (BATCH, LENGTH)).astype("int32")


class HybridTextVAETest(
    tf.test.TestCase, parameterized.TestCase, LayerChecks, ModelChecks
):
    # The functional model's output is the main logits: the auxiliary head gets no gradient
    # from its loss, as expected.
    @pytest.mark.filterwarnings("ignore:Gradients do not exist for variables")
    def test_layer_checks_inside_a_functional_model(self):
        self.run_layer_checks(
            lambda: _vae(decoder="lstm"), _tokens(), (BATCH, LENGTH, VOCAB),
            mixed_precision=False, jit_compile=False,
        )

    @parameterized.parameters("lstm", "bytenet")
    def test_kl_and_loss_match_numpy(self, decoder):
        vae = _vae(decoder=decoder, aux_weight=0.3)
        tokens = _tokens()
        vae.beta.assign(0.7)
        terms = vae.loss_terms(tokens, training=False)
        mean, log_var = vae.encode(tokens)
        self.assertAllClose(terms["mean"], mean)
        kl = ref.numpy_kl(mean, log_var)
        self.assertAllClose(terms["kl"], kl, atol=1e-5)
        rec = ref.numpy_xent(terms["logits"], tokens)
        aux = ref.numpy_xent(terms["aux_logits"], tokens)
        self.assertAllClose(terms["rec"], rec, atol=1e-4)
        self.assertAllClose(terms["aux"], aux, atol=1e-4)
        self.assertAllClose(terms["loss"], np.mean(rec + 0.7 * kl + 0.3 * aux), atol=1e-4)

    def test_monitors_match_numpy(self):
        vae = _vae()
        terms = vae.loss_terms(_tokens(), training=False)
        from tfrnnx.models.text_vae import _text_vae

        mi = _text_vae.mutual_information(terms["mean"], terms["log_var"], terms["z"])
        self.assertAllClose(
            mi, ref.numpy_mutual_information(terms["mean"], terms["log_var"], terms["z"]),
            atol=1e-4,
        )
        mean = np.array([[0.0, 1.0, 0.0], [0.0, -1.0, 0.3], [0.0, 1.0, 0.0], [0.0, -1.0, 0.0]])
        # Variances across the batch: 0, 1, 0.016875 -> two active units.
        self.assertEqual(float(_text_vae.active_units(mean)), 2.0)

    def test_mixed_precision_and_mirrored_strategy(self):
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy("mixed_float16")
        try:
            vae = _vae()
            logits = vae(_tokens())
            self.assertEqual(keras.backend.standardize_dtype(logits.dtype), "float16")
            terms = vae.loss_terms(_tokens())
            self.assertTrue(np.isfinite(terms["loss"].numpy()))
            self.assertEqual(tuple(vae.sample(2, seed=0).shape), (2, LENGTH))
        finally:
            keras.config.set_dtype_policy(previous)
        strategy = two_cpu_mirrored_strategy()
        with strategy.scope():
            vae = _vae(kl_annealing=(0, 4))
            vae.compile(optimizer="adam")
        history = vae.fit(np.tile(_tokens(), (2, 1)), batch_size=8, epochs=2, verbose=0).history
        self.assertTrue(np.all(np.isfinite(history["loss"])))
        self.assertAllClose(history["beta"], [0.0, 0.25])
        self.assertEqual(int(vae.annealing_step.numpy()), 2)

    def test_bytenet_is_causal(self):
        vae = _vae(decoder="bytenet")
        tokens = _tokens()
        z = np.random.default_rng(1).normal(size=(BATCH, 3)).astype("float32")
        base = vae.decoder_logits(z, tokens)[0].numpy()
        for t in (0, 5, LENGTH - 2):
            changed = tokens.copy()
            changed[:, t] = (changed[:, t] + 1) % VOCAB
            logits = vae.decoder_logits(z, changed)[0].numpy()
            self.assertAllClose(logits[:, : t + 1], base[:, : t + 1], atol=1e-6)
            self.assertGreater(np.abs(logits[:, t + 1] - base[:, t + 1]).max(), 1e-6)

    @parameterized.parameters(1, 2, 3)
    def test_plain_bytenet_sees_exactly_its_layers_previous_tokens(self, layers):
        # Thesis §5.5.2: kernel 2, no dilation, no skips: receptive field layers + 1 tokens,
        # so the token at s reaches the logits at s + 1 .. s + layers + 1 and nowhere else.
        vae = _vae(decoder="bytenet", bytenet_style="plain", bytenet_layers=layers)
        tokens = _tokens()
        z = np.random.default_rng(1).normal(size=(BATCH, 3)).astype("float32")
        base = vae.decoder_logits(z, tokens)[0].numpy()
        for s in (0, 6):
            changed = tokens.copy()
            changed[:, s] = (changed[:, s] + 1) % VOCAB
            moved = np.abs(vae.decoder_logits(z, changed)[0].numpy() - base).max(axis=(0, 2)) > 1e-6
            self.assertAllEqual(np.flatnonzero(moved), np.arange(s + 1, s + 2 + layers))

    def test_dilated_bytenet_reaches_further_than_plain(self):
        vae = _vae(decoder="bytenet", bytenet_layers=3)  # dilations 1, 2, 4: 8 tokens back
        tokens = _tokens()
        z = np.zeros((BATCH, 3), "float32")
        changed = tokens.copy()
        changed[:, 0] = (changed[:, 0] + 1) % VOCAB
        delta = np.abs(vae.decoder_logits(z, changed)[0].numpy() - vae.decoder_logits(z, tokens)[0].numpy())
        self.assertGreater(delta[:, 8].max(), 1e-6)
        self.assertAllClose(delta[:, 9:], np.zeros_like(delta[:, 9:]))

    def test_bad_bytenet_style_is_named(self):
        with self.assertRaisesRegex(ValueError, "bytenet_style.*'dilated'"):
            _vae(decoder="bytenet", bytenet_style="dilated")

    def test_lstm_top_is_causal(self):
        vae = _vae(decoder="lstm")
        tokens = _tokens()
        z = np.zeros((BATCH, 3), "float32")
        base = vae.decoder_logits(z, tokens)[0].numpy()
        changed = tokens.copy()
        changed[:, 6] = (changed[:, 6] + 1) % VOCAB
        logits = vae.decoder_logits(z, changed)[0].numpy()
        self.assertAllClose(logits[:, :7], base[:, :7], atol=1e-6)

    def test_word_dropout_one_ignores_inputs(self):
        vae = _vae(word_dropout=1.0)
        z = np.ones((BATCH, 3), "float32")
        a = vae.decoder_logits(z, _tokens(0))[0]
        b = vae.decoder_logits(z, _tokens(1))[0]
        self.assertAllClose(a, b)

    def test_historyless_decodes_from_the_auxiliary_softmax(self):
        vae = _vae(historyless=True)
        tokens = _tokens()
        self.assertFalse(hasattr(vae, "rnn"))
        logits, aux = vae.decoder_logits(np.zeros((BATCH, 3), "float32"), tokens)
        self.assertIsNone(aux)
        terms = vae.loss_terms(tokens)
        self.assertAllClose(terms["aux"], np.zeros(BATCH))
        generated = vae.decode(np.zeros((BATCH, 3), "float32"))
        self.assertAllEqual(generated, np.argmax(logits.numpy(), -1))

    def test_fit_reduces_loss_and_anneals_beta(self):
        vae = _vae(decoder="lstm", kl_annealing=(2, 4))
        vae.compile(optimizer=keras.optimizers.Adam(0.02))
        betas = []
        record = keras.callbacks.LambdaCallback(
            on_train_batch_end=lambda batch, logs: betas.append(float(vae.beta.numpy()))
        )
        tokens = ref.repetitive_corpus(VOCAB, LENGTH, 8)
        history = vae.fit(tokens, batch_size=8, epochs=20, callbacks=[record], verbose=0).history
        # One step per epoch: beta of step s is clip((s - 2) / 4, 0, 1).
        self.assertAllClose(betas, np.clip((np.arange(20) - 2) / 4, 0, 1))
        self.assertAllClose(history["beta"], betas)
        self.assertEqual(int(vae.annealing_step.numpy()), 20)
        self.assertLess(history["rec"][-1], 0.6 * history["rec"][0])
        for name in ("loss", "rec", "kl", "aux", "bits_per_token", "kl_bits", "beta",
                     "active_units", "mutual_info"):
            self.assertIn(name, history)
            self.assertTrue(np.all(np.isfinite(history[name])))
        logs = vae.evaluate(tokens, verbose=0, return_dict=True)
        self.assertAllClose(logs["bits_per_token"], logs["rec"] / (LENGTH * np.log(2)), rtol=1e-5)
        self.assertAllClose(logs["kl_bits"], logs["kl"] / np.log(2), rtol=1e-5)

    def test_generation_is_seeded_and_runs_in_tf_function(self):
        vae = _vae()
        vae(_tokens())
        self.assertAllEqual(vae.sample(3, seed=5), vae.sample(3, seed=5))
        self.assertAllEqual(vae.sample(3, greedy=False, seed=5), vae.sample(3, greedy=False, seed=5))
        z = np.random.default_rng(0).normal(size=(2, 3)).astype("float32")
        graph = tf.function(lambda z: vae.generate(z, True, tf.constant(0)))
        self.assertAllEqual(graph(z), vae.decode(z))
        path = vae.interpolate(_tokens()[0], _tokens()[1], steps=4)
        self.assertEqual(tuple(path.shape), (4, LENGTH))
        self.assertAllEqual(path[0], vae.reconstruct(_tokens()[:1])[0])

    @parameterized.parameters(("lstm", "dilated_residual"), ("bytenet", "dilated_residual"),
                              ("bytenet", "plain"))
    def test_config_keras_and_export_round_trips(self, decoder, bytenet_style):
        vae = _vae(decoder=decoder, bytenet_style=bytenet_style, kl_annealing=(1, 3), word_dropout=0.1)
        tokens = _tokens()
        vae.beta.assign(0.25)
        expected = vae(tokens)
        clone = tfrnnx.models.HybridTextVAE.from_config(vae.get_config())
        self.assertEqual(clone.get_config(), vae.get_config())
        clone(tokens)
        clone.set_weights(vae.get_weights())
        self.assertAllClose(clone(tokens), expected)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "vae.keras")
            vae.save(path)
            reloaded = keras.saving.load_model(path)
            self.assertAllClose(reloaded(tokens), expected, atol=1e-6)
            self.assertAllClose(reloaded.beta, vae.beta)
            self.assertAllEqual(reloaded.reconstruct(tokens), vae.reconstruct(tokens))
            export_dir = os.path.join(tmp, "export")
            vae.export(export_dir, verbose=False)
            served = tf.saved_model.load(export_dir)
            self.assertAllClose(served.serve(tokens), expected, atol=1e-5)
            encoded = served.encode(tokens)
            self.assertAllClose(encoded["mean"], vae.encode(tokens)[0], atol=1e-5)
            self.assertAllEqual(served.reconstruct(tokens), vae.reconstruct(tokens))
            self.assertAllEqual(
                served.sample(tf.constant(3), tf.constant(7)), vae.sample(3, seed=7)
            )

    def test_text_in_text_out_export(self):
        vae = _vae()
        vocabulary = list("ab cdéf")
        tokens = _tokens()
        strings = ["".join(vocabulary[i] for i in row) for row in tokens]
        vae(tokens)
        decode = lambda rows: ["".join(vocabulary[i] for i in row) for row in np.asarray(rows)]
        with tempfile.TemporaryDirectory() as tmp:
            vae.export(tmp, verbose=False, vocabulary=vocabulary)
            served = tf.saved_model.load(tmp)
            encoded = served.encode_text(tf.constant(strings))
            self.assertAllClose(encoded["mean"], vae.encode(tokens)[0], atol=1e-5)
            texts = [t.decode() for t in served.reconstruct_text(tf.constant(strings)).numpy()]
            self.assertEqual(texts, decode(vae.reconstruct(tokens)))
            texts = [t.decode() for t in served.sample_text(tf.constant(2), tf.constant(4)).numpy()]
            self.assertEqual(texts, decode(vae.sample(2, seed=4)))
            for bad, message in (("abc", "exactly sequence_length=16"), ("", "exactly"),
                                 ("x" * LENGTH, "absent from the vocabulary")):
                with self.assertRaisesRegex(tf.errors.InvalidArgumentError, message):
                    served.encode_text(tf.constant([bad]))
        with self.assertRaisesRegex(ValueError, "vocabulary must list vocab_size=7"):
            vae.export("/tmp/unused", vocabulary=list("abc"))

    def test_bad_inputs_raise(self):
        vae = _vae()
        tokens = _tokens()
        cases = [
            (np.full((2, LENGTH), VOCAB, "int32"), "containing id 7"),
            (np.full((2, LENGTH), -1, "int32"), "containing id -1"),
            (np.zeros((2, LENGTH + 1), "int32"), "shape"),
            (np.zeros((0, LENGTH), "int32"), "empty"),
            (tokens.astype("float32"), "integer"),
        ]
        for bad, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                vae.encode(bad)
            with self.assertRaisesRegex(ValueError, "tokens"):
                vae.reconstruct(bad)
        with self.assertRaisesRegex(ValueError, "latent_dim=3"):
            vae.decode(np.zeros((2, 5), "float32"))
        with self.assertRaisesRegex(ValueError, "divisible"):
            _vae(sequence_length=10)
        with self.assertRaisesRegex(ValueError, "decoder"):
            _vae(decoder="gru")
        with self.assertRaisesRegex(ValueError, "kl_annealing"):
            _vae(kl_annealing=(5,))
        with self.assertRaisesRegex(ValueError, "word_dropout"):
            _vae(word_dropout=1.5)
        with self.assertRaisesRegex(ValueError, r"seed must be None or an integer. Received: seed=1.5"):
            _vae(seed=1.5)

    def test_fit_names_bad_ids_and_lengths(self):
        vae = _vae()
        vae.compile(optimizer="adam")
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError,
                                    r"x must hold ids in \[0, vocab_size=7\)"):
            vae.fit(np.full((BATCH, LENGTH), VOCAB, "int32"), verbose=0)
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, r"x must hold ids in"):
            vae.fit(np.full((BATCH, LENGTH), -1, "int32"), verbose=0)
        # A traced step sees the length: a ValueError before any step runs.
        fresh = _vae()
        fresh.compile(optimizer="adam")
        with self.assertRaisesRegex(ValueError, r"sequence_length=16\). Received: x.shape=\(None, 8\)"):
            fresh.fit(np.zeros((BATCH, 8), "int32"), verbose=0)
        # After a first fit, Keras retraces with relaxed shapes: the graph check names it.
        vae.fit(_tokens(), verbose=0)
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError, "sequence_length=16"):
            vae.fit(np.zeros((BATCH, 8), "int32"), verbose=0)

    @parameterized.parameters("lstm", "bytenet")
    def test_model_checks(self, decoder):
        vae = _vae(decoder=decoder)
        tokens = _tokens()
        vae(tokens)
        self.run_model_checks(vae, tokens, served_call=lambda served, t: served.serve(tf.constant(t)))
