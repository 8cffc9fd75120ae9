import doctest
import json
import os
import tempfile

import numpy as np
import tensorflow as tf

import tfrnnx
from testing import ModelChecks
from tfrnnx.models.encoders import bigram_dan_encoder

SENTENCES = ["a dog runs in the park .", "a cat sleeps .", "the dog sleeps in the sun ."]


def small_encoder(**kwargs):
    vocab = tfrnnx.tokenizers.WordVocabulary.build(SENTENCES)
    arguments = dict(embedding_dim=6, units=5, num_layers=2, bigram_buckets=11, mlp_units=7,
                     seed=0)  # fmt: skip
    arguments.update(kwargs)
    return tfrnnx.metrics.BigramDANEncoder(vocab, **arguments)


def numpy_encoding(encoder, words):
    """Thesis' UniSent in numpy: mean of the word and hashed-bigram embeddings, then the
    ReLU feed-forward layers."""
    table = encoder.embedding.get_weights()[0]
    bigram_table = encoder.bigram_embedding.get_weights()[0]
    vocab_size, buckets = len(encoder.vocabulary), encoder.bigram_buckets
    vectors = [table[w] for w in words]
    vectors += [bigram_table[1 + (a * vocab_size + b) % (buckets - 1)]
                for a, b in zip(words[:-1], words[1:])]  # fmt: skip
    x = np.mean(vectors, axis=0)
    for layer in encoder.feed_forward:
        kernel, bias = layer.get_weights()
        x = np.maximum(x @ kernel + bias, 0.0)
    return x


class BigramDANEncoderTest(tf.test.TestCase, ModelChecks):
    def test_docstring_example(self):
        self.assertEqual(doctest.testmod(bigram_dan_encoder).failed, 0)

    def test_encoding_is_the_numpy_mean_of_words_and_bigrams(self):
        encoder = small_encoder()
        embeddings = encoder.embed(SENTENCES + ["cat"])
        self.assertEqual(embeddings.shape, (4, 5))
        self.assertEqual(embeddings.dtype, np.float32)
        for sentence, embedding in zip(SENTENCES + ["cat"], embeddings):
            words = encoder.vocabulary.encode([sentence])[0]
            self.assertAllClose(embedding, numpy_encoding(encoder, words), atol=1e-6)
        # Padding adds neither words nor bigrams: one sentence alone and in a padded batch.
        self.assertAllClose(encoder.embed(SENTENCES[1:2])[0], embeddings[1], atol=1e-6)
        # Word order matters through the bigrams only.
        ids, size = np.array([[4, 5, 6, 0], [6, 5, 4, 0]]), len(encoder.vocabulary)
        self.assertAllEqual(encoder.bigram_ids(ids),
                            [[1 + (4 * size + 5) % 10, 1 + (5 * size + 6) % 10, 0],
                             [1 + (6 * size + 5) % 10, 1 + (5 * size + 4) % 10, 0]])  # fmt: skip

    def test_nli_training_fits_a_toy_task(self):
        premises = SENTENCES * 4
        hypotheses = SENTENCES * 2 + SENTENCES[1:] + SENTENCES[:1] + SENTENCES[2:] + SENTENCES[:2]
        labels = np.array([0 if a == b else 2 for a, b in zip(premises, hypotheses)], "int32")
        encoder = small_encoder(embedding_dim=8, units=8, mlp_units=8, seed=1)
        history = tfrnnx.models.encoders.nli_training.train_nli_encoder(
            encoder, premises, hypotheses, labels, epochs=20, batch_size=12, learning_rate=0.02,
            seed=1)  # fmt: skip
        self.assertLess(history["loss"][-1], history["loss"][0])
        accuracy = tfrnnx.models.encoders.nli_training.nli_accuracy(
            encoder, premises, hypotheses, labels)  # fmt: skip
        self.assertGreaterEqual(accuracy, 0.9)

    def test_config_round_trip_and_load(self):
        encoder = small_encoder(mlp_activation="relu", num_layers=1)
        expected = encoder.embed(SENTENCES)
        config = json.loads(json.dumps(encoder.get_config()))
        for name in ("units", "num_layers", "bigram_buckets", "embedding_dim", "mlp_units"):
            self.assertEqual(config[name], getattr(encoder, name))
        self.assertEqual(tfrnnx.metrics.BigramDANEncoder.from_config(config).get_config(), config)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "dan.keras")
            encoder.save(path)
            reloaded = tfrnnx.metrics.BigramDANEncoder.load(path)
        self.assertAllClose(reloaded.embed(SENTENCES), expected, atol=1e-6)

    def test_bad_arguments(self):
        for arguments, message in ((dict(units=0), "units=0"), (dict(num_layers=0), "num_layers=0"),
                                   (dict(bigram_buckets=1), "bigram_buckets=1"),
                                   (dict(dropout=1.0), "dropout=1.0")):  # fmt: skip
            with self.assertRaisesRegex(ValueError, message):
                small_encoder(**arguments)
        with self.assertRaisesRegex(ValueError, "vocabulary of type int"):
            tfrnnx.metrics.BigramDANEncoder(3)
        with self.assertRaisesRegex(ValueError, r"sentences=\[\]"):
            small_encoder().embed([])

    def test_model_checks(self):
        self.run_model_checks(small_encoder(), SENTENCES, call=lambda model, s: model.embed(s))


if __name__ == "__main__":
    tf.test.main()
