import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized
from sklearn.metrics import f1_score

import tfrnnx
from tfrnnx.experiments import recurrent_dropout_tasks as tasks


class RecurrentDropoutTasksTest(tf.test.TestCase, parameterized.TestCase):
    def test_positive_negative_f1_equals_sklearn(self):
        rng = np.random.default_rng(0)
        names = np.array(["negative", "neutral", "positive"])
        truth, guess = names[rng.integers(0, 3, 500)], names[rng.integers(0, 3, 500)]
        expected = f1_score(truth, guess, labels=["positive", "negative"], average="macro")
        self.assertAllClose(tasks.positive_negative_f1(truth, guess), expected, atol=1e-12)
        with self.assertRaisesRegex(ValueError, "of one length"):
            tasks.positive_negative_f1(truth, guess[:3])

    @parameterized.parameters(
        ("ours", "lstm", "update"), ("ours", "gru", "update"), ("ours", "rnn", "hidden"),
        ("gal", "lstm", "hidden"), ("moon", "gru", "cell"),
    )
    def test_scheme_modes_follow_the_thesis(self, scheme, cell, mode):
        self.assertEqual(tasks.scheme_mode(scheme, cell), mode)
        layer = tasks.recurrent_layer(cell, 4, scheme, 0.25, "per_sequence", seed=1)
        self.assertEqual((layer.recurrent_dropout_mode, layer.mask_sampling, layer.recurrent_dropout),
                         (mode, "per_sequence", 0.25))

    def test_no_scheme_means_no_recurrent_dropout_and_bad_names_are_named(self):
        self.assertEqual(tasks.recurrent_layer("lstm", 4).recurrent_dropout, 0.0)
        self.assertIsInstance(tasks.recurrent_layer("rnn", 4), tfrnnx.layers.RecurrentDropoutSimpleRNN)
        with self.assertRaisesRegex(ValueError, "Received: scheme='bayes'"):
            tasks.scheme_mode("bayes", "lstm")
        with self.assertRaisesRegex(ValueError, "Received: cell='tcn'"):
            tasks.recurrent_layer("tcn", 4)

    def test_decay_after_epoch_ten_by_the_thesis_rule(self):
        schedule = tasks.decay_after(1e-3, 10, 0.95).schedule
        rates = [schedule(epoch, None) for epoch in range(13)]  # Keras epochs count from 0
        self.assertAllClose(rates[:10], [1e-3] * 10)
        self.assertAllClose(rates[10:], [1e-3 * 0.95, 1e-3 * 0.95 ** 2, 1e-3 * 0.95 ** 3])

    def test_static_word_vectors_place_similar_words_together(self):
        # Two disjoint "topics": words of one topic co-occur only with each other.
        rng = np.random.default_rng(0)
        topics = [["cat", "dog", "pet", "fur"], ["car", "road", "wheel", "fuel"]]
        corpus = [list(rng.choice(topics[i % 2], 6)) for i in range(2000)]
        words = ["<pad>", "<unk>"] + topics[0] + topics[1] + ["never_seen"]
        matrix, found = tasks.static_word_vectors(corpus, words, dim=16, seed=0, epochs=3)
        self.assertEqual(matrix.shape, (len(words), 16))
        self.assertEqual(found, 8)
        unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
        same = unit[2] @ unit[3]  # cat . dog
        other = unit[2] @ unit[6]  # cat . car
        self.assertGreater(same, other)
