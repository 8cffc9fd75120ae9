"""unique_ngrams, unique_ngram_count and memorization against direct Python loops over n-gram sets."""

import doctest
import gzip
import importlib
import os
import random
from collections import Counter
from unittest import mock

import numpy as np
import tensorflow as tf

from data_dir import real_data_dir
from tfrnnx import metrics

ngrams_module = importlib.import_module("tfrnnx.metrics.ngrams")


def _ngrams(tokens, n):
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def _loop_unique_ngrams(samples, n):
    counts = Counter(g for s in samples for g in _ngrams(s, n))
    return len(counts) / sum(counts.values()) if counts else 0.0


def _loop_memorization(samples, train, n):
    copied = np.mean([s in train for s in samples])
    overlaps = []
    for s in samples:
        mine = set(_ngrams(s, n))
        if mine:
            overlaps.append(max(len(mine & set(_ngrams(t, n))) / len(mine) for t in train))
    return copied, (np.mean(overlaps) if overlaps else 0.0)


def _corpus(rng, size, vocab, max_len):
    return [[rng.choice(vocab) for _ in range(rng.randint(0, max_len))] for _ in range(size)]


class NgramsTest(tf.test.TestCase):
    def test_unique_ngrams_equals_counter_loop(self):
        rng = random.Random(0)
        for n in (1, 2, 3, 4):
            for _ in range(5):
                samples = _corpus(rng, rng.randint(1, 8), "abcd", 7)
                self.assertAllClose(
                    _loop_unique_ngrams(samples, n), metrics.unique_ngrams(samples, n=n)
                )
        self.assertEqual(0.0, metrics.unique_ngrams(["a b", ""], n=3))
        self.assertEqual(1.0, metrics.unique_ngrams(["a b c d e"], n=4))

    def test_unique_ngram_count_equals_set_size(self):
        rng = random.Random(3)
        for n in (1, 2, 3, 4):
            for _ in range(5):
                samples = _corpus(rng, rng.randint(1, 8), "abcd", 7)
                expected = len({g for s in samples for g in _ngrams(s, n)})
                count = metrics.unique_ngram_count(samples, n=n)
                self.assertIsInstance(count, int)
                self.assertEqual(expected, count)
        self.assertEqual(0, metrics.unique_ngram_count(["a b", ""], n=3))
        # Repeating the samples adds occurrences, not distinct n-grams.
        self.assertEqual(3, metrics.unique_ngram_count(["x y z w v", "x y z w v"] * 3, n=3))

    def test_memorization_equals_nearest_neighbour_loop(self):
        rng = random.Random(1)
        for n in (1, 2, 3, 4):
            for _ in range(4):
                train = _corpus(rng, rng.randint(1, 9), "abcd", 7)
                samples = _corpus(rng, rng.randint(1, 6), "abcd", 7) + train[:2]
                expected = _loop_memorization(samples, train, n)
                self.assertAllClose(expected, metrics.memorization(samples, train, n=n))

    def test_memorization_chunks_give_the_same_result(self):
        rng = random.Random(2)
        train = _corpus(rng, 30, "abc", 8)
        samples = _corpus(rng, 20, "abc", 8)
        expected = _loop_memorization(samples, train, 2)
        with mock.patch.object(ngrams_module, "_JOIN_CHUNK", 7):
            self.assertAllClose(expected, metrics.memorization(samples, train, n=2))

    def test_bad_arguments_raise_value_errors_naming_them(self):
        cases = [
            (lambda: metrics.unique_ngrams([]), "samples"),
            (lambda: metrics.unique_ngrams(["a"], n=0), "n=0"),
            (lambda: metrics.unique_ngram_count([]), "samples"),
            (lambda: metrics.unique_ngram_count(["a"], n=-1), "n=-1"),
            (lambda: metrics.memorization(["a"], []), "train"),
            (lambda: metrics.memorization([None], ["a"]), r"samples\[0\]=None"),
        ]
        for call, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                call()

    def test_docstring_examples(self):
        result = doctest.testmod(ngrams_module, extraglobs={"tfrnnx": __import__("tfrnnx")})
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)

    def test_memorization_on_coco_captions_needs_real_data(self):
        data = real_data_dir("texygen")
        with gzip.open(os.path.join(data, "image_coco.txt.gz"), "rt", encoding="utf-8") as f:
            train = [line.split() for line in f.read().split("\n")]
        with gzip.open(os.path.join(data, "test_coco.txt.gz"), "rt", encoding="utf-8") as f:
            samples = [line.split() for line in f.read().split("\n")][:40]
        expected = _loop_memorization(samples, train, 4)
        self.assertAllClose(expected, metrics.memorization(samples, train, n=4))
        copied, _ = metrics.memorization(train[:50], train)
        self.assertEqual(1.0, copied)


if __name__ == "__main__":
    tf.test.main()
