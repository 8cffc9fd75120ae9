"""precision_recall against a brute-force numpy reading of Kynkäänniemi et al. (2019)."""

import doctest
import importlib
from unittest import mock

import numpy as np
import tensorflow as tf

from tfrnnx import metrics

pr_module = importlib.import_module("tfrnnx.metrics.precision_recall")


def _brute_force(real, generated, k):
    """Loops over points; the radius is the distance to the k-th nearest other point."""

    def radii(x):
        return [np.sort([np.linalg.norm(p - q) for q in x])[k] for p in x]

    def coverage(points, centres, centre_radii):
        return np.mean(
            [
                any(np.linalg.norm(p - c) <= r for c, r in zip(centres, centre_radii))
                for p in points
            ]
        )

    return coverage(generated, real, radii(real)), coverage(real, generated, radii(generated))


class PrecisionRecallTest(tf.test.TestCase):
    def test_equals_brute_force(self):
        rng = np.random.default_rng(0)
        for k, shift, dim in [(1, 0.0, 2), (3, 0.5, 3), (5, 1.5, 4), (3, 0.3, 16)]:
            real = rng.normal(size=(60, dim))
            generated = rng.normal(size=(45, dim)) * 0.7 + shift
            expected = _brute_force(real, generated, k)
            self.assertAllClose(expected, metrics.precision_recall(real, generated, k=k))

    def test_chunked_distances_give_the_same_result(self):
        rng = np.random.default_rng(1)
        real, generated = rng.normal(size=(70, 3)), rng.normal(size=(50, 3)) + 0.4
        expected = metrics.precision_recall(real, generated)
        with mock.patch.object(pr_module, "_CHUNK_ENTRIES", 64):
            self.assertEqual(expected, metrics.precision_recall(real, generated))

    def test_disjoint_sets_score_zero_and_identical_sets_one(self):
        rng = np.random.default_rng(2)
        real = rng.normal(size=(40, 2))
        self.assertEqual((0.0, 0.0), metrics.precision_recall(real, real + 100.0))
        self.assertEqual((1.0, 1.0), metrics.precision_recall(real, real))

    def test_bad_inputs_raise_value_errors_naming_them(self):
        x = np.zeros((10, 3))
        cases = [
            (lambda: metrics.precision_recall(x, x, k=10), r"k=10 with 10 real and 10 generated"),
            (lambda: metrics.precision_recall(x, x[:4], k=4), "k=4"),
            (lambda: metrics.precision_recall(x, x, k=0), "k=0"),
            (lambda: metrics.precision_recall(x, x, k=2.5), "k=2.5"),
            (lambda: metrics.precision_recall(x, np.zeros((10, 4))), "same feature dimension"),
            (lambda: metrics.precision_recall(np.zeros(5), x), r"real_features.shape=\(5,\)"),
        ]
        for call, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                call()

    def test_docstring_examples(self):
        result = doctest.testmod(pr_module, extraglobs={"tfrnnx": __import__("tfrnnx")})
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)


if __name__ == "__main__":
    tf.test.main()
