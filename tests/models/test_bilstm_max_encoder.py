import doctest
import json
import os
import tempfile

import keras
import numpy as np
import tensorflow as tf

import tfrnnx
from testing import LayerChecks, ModelChecks
from tfrnnx.models.encoders import bilstm_max_encoder

SENTENCES = ["a dog runs in the park .", "a cat sleeps .", "the dog sleeps in the sun ."]


def small_encoder(**kwargs):
    vocab = tfrnnx.tokenizers.WordVocabulary.build(SENTENCES)
    arguments = dict(embedding_dim=6, units=5, mlp_units=7, seed=0)
    arguments.update(kwargs)
    return tfrnnx.metrics.BiLSTMMaxEncoder(vocab, **arguments)


class BiLSTMMaxEncoderTest(tf.test.TestCase, LayerChecks, ModelChecks):
    def test_docstring_example(self):
        self.assertEqual(doctest.testmod(bilstm_max_encoder).failed, 0)

    def test_embedding_is_max_over_unpadded_bilstm_states(self):
        encoder = small_encoder()
        embeddings = encoder.embed(SENTENCES)
        self.assertEqual(embeddings.shape, (3, 10))
        self.assertEqual(embeddings.dtype, np.float32)
        for sentence, embedding in zip(SENTENCES, embeddings):
            ids = np.array(encoder.vocabulary.encode([sentence]))
            states = np.asarray(encoder.bilstm(encoder.embedding(ids)))[0]  # no padding at all
            self.assertAllClose(embedding, states.max(axis=0), atol=1e-6)
        # Same vectors one at a time (no padding) and in a padded batch.
        self.assertAllClose(encoder.embed(SENTENCES[1:2])[0], embeddings[1], atol=1e-6)

    def test_nli_logits_from_pair_features_in_numpy(self):
        encoder = small_encoder(mlp_activation="tanh", dropout=0.5)
        p, h = encoder.ids(SENTENCES[:2]), encoder.ids(SENTENCES[1:])
        u, v = np.asarray(encoder.encode(p)), np.asarray(encoder.encode(h))
        w1, b1 = encoder.hidden.get_weights()
        w2, b2 = encoder.classifier.get_weights()
        features = np.concatenate([u, v, np.abs(u - v), u * v], axis=-1)
        expected = np.tanh(features @ w1 + b1) @ w2 + b2
        self.assertAllClose(encoder((p, h)), expected, atol=1e-5)
        self.assertNotAllClose(encoder((p, h), training=True), expected)

    def test_training_fits_a_toy_nli_task(self):
        # entailment (0) when the hypothesis repeats the premise, contradiction (2) otherwise.
        premises = SENTENCES * 4
        hypotheses = SENTENCES * 2 + SENTENCES[1:] + SENTENCES[:1] + SENTENCES[2:] + SENTENCES[:2]
        labels = np.array([0 if a == b else 2 for a, b in zip(premises, hypotheses)], "int32")
        encoder, history = tfrnnx.models.encoders.nli_training.train_bilstm_max_encoder(
            premises,
            hypotheses,
            labels,
            embedding_dim=8,
            units=8,
            mlp_units=8,
            epochs=15,
            batch_size=12,
            learning_rate=0.02,
            seed=1,
        )
        self.assertLess(history["loss"][-1], history["loss"][0])
        self.assertGreaterEqual(
            tfrnnx.models.encoders.nli_training.nli_accuracy(encoder, premises, hypotheses, labels), 0.9
        )

    def test_keras_round_trip_and_load_from_path(self):
        encoder = small_encoder(mlp_activation="relu")
        expected = encoder.embed(SENTENCES)
        config = json.loads(json.dumps(encoder.get_config()))
        self.assertEqual(tfrnnx.metrics.BiLSTMMaxEncoder.from_config(config).get_config(), config)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "encoder.keras")
            encoder.save(path)
            reloaded = tfrnnx.metrics.BiLSTMMaxEncoder.load(path)
            other = os.path.join(tmp, "other.keras")
            keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]).save(other)
            with self.assertRaisesRegex(ValueError, "path must hold a saved BiLSTMMaxEncoder"):
                tfrnnx.metrics.BiLSTMMaxEncoder.load(other)
        self.assertEqual(reloaded.vocabulary.words, encoder.vocabulary.words)
        self.assertAllClose(reloaded.embed(SENTENCES), expected, atol=1e-6)

    def test_standard_layer_checks(self):
        encoder = small_encoder()
        ids = encoder.ids(SENTENCES)
        # The shared SavedModel check calls `serve(*inputs)`, but a model with a list input
        # exports a one-argument signature: exported here instead.
        model = self.run_layer_checks(small_encoder, [ids, ids[::-1]], (3, 3), export=False)
        with tempfile.TemporaryDirectory() as tmp:
            model.export(tmp, verbose=False)
            served = tf.saved_model.load(tmp)
            self.assertAllClose(
                served.serve([ids, ids[::-1]]),
                model.predict([ids, ids[::-1]], verbose=0),
                atol=1e-5,
            )

    def test_empty_and_unknown_sentences_get_finite_vectors(self):
        embeddings = small_encoder().embed(["", "zebra xylophone", "a cat"])
        self.assertTrue(np.all(np.isfinite(embeddings)))

    def test_bad_input_errors(self):
        encoder = small_encoder()
        with self.assertRaisesRegex(ValueError, r"sentences=\[\]"):
            encoder.embed([])
        with self.assertRaisesRegex(ValueError, r"sentences\[0\]=b'a'"):
            encoder.embed([b"a"])
        with self.assertRaisesRegex(ValueError, "units=0"):
            small_encoder(units=0)
        with self.assertRaisesRegex(ValueError, "dropout=1"):
            small_encoder(dropout=1)
        with self.assertRaisesRegex(ValueError, "dropout=None"):
            small_encoder(dropout=None)
        with self.assertRaisesRegex(ValueError, "vocabulary of type NoneType"):
            tfrnnx.metrics.BiLSTMMaxEncoder(None)

    def test_model_checks(self):
        encoder = small_encoder()
        self.run_model_checks(encoder, SENTENCES, call=lambda model, s: model.embed(s))


if __name__ == "__main__":
    tf.test.main()
