"""frechet_distance against the scipy.linalg.sqrtm formula (FID's reference code)."""

import doctest
import importlib

import numpy as np
import scipy.linalg
import tensorflow as tf

from tfrnnx import metrics

frechet_module = importlib.import_module("tfrnnx.metrics.frechet")


def _scipy_frechet(x, y):
    mu1, mu2 = x.mean(axis=0), y.mean(axis=0)
    s1, s2 = np.atleast_2d(np.cov(x, rowvar=False)), np.atleast_2d(np.cov(y, rowvar=False))
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * np.real(covmean)))


class FrechetDistanceTest(tf.test.TestCase):
    def test_equals_scipy_sqrtm_formula(self):
        rng = np.random.default_rng(0)
        for num, dim in [(50, 1), (200, 3), (400, 16), (1000, 64)]:
            mixing = rng.normal(size=(dim, dim))
            x = rng.normal(size=(num, dim)) @ mixing
            y = rng.standard_t(5, size=(num + 17, dim)) @ mixing * 1.3 + 0.5
            self.assertAllClose(_scipy_frechet(x, y), metrics.frechet_distance(x, y), atol=1e-6)

    def test_identical_sets_give_zero_and_shifted_mean_gives_squared_shift(self):
        rng = np.random.default_rng(1)
        x = rng.normal(size=(300, 8))
        self.assertAllClose(0.0, metrics.frechet_distance(x, x), atol=1e-9)
        self.assertAllClose(8 * 0.25, metrics.frechet_distance(x, x + 0.5), atol=1e-9)

    def test_rank_deficient_covariance_stays_real_finite_and_non_negative(self):
        # Features living in a 2-D subspace of 10 dimensions: S1 S2 is singular, and
        # sqrtm of it can come back complex; the result here must be a real float >= 0.
        rng = np.random.default_rng(2)
        basis = rng.normal(size=(2, 10))
        x = rng.normal(size=(100, 2)) @ basis
        y = rng.normal(size=(120, 2)) @ basis * 1e-3
        value = metrics.frechet_distance(x, y)
        self.assertIsInstance(value, float)
        self.assertTrue(np.isfinite(value))
        self.assertGreaterEqual(value, 0.0)
        self.assertAllClose(0.0, metrics.frechet_distance(x, x), atol=1e-9)

    def test_accepts_tensors_and_float32(self):
        rng = np.random.default_rng(3)
        x = rng.normal(size=(64, 4)).astype("float32")
        y = x[::-1] + 1.0
        expected = _scipy_frechet(x.astype("float64"), y.astype("float64"))
        self.assertAllClose(expected, metrics.frechet_distance(tf.constant(x), tf.constant(y)))

    def test_bad_inputs_raise_value_errors_naming_them(self):
        x = np.zeros((20, 3))
        cases = [
            (lambda: metrics.frechet_distance(np.zeros((3, 5)), np.zeros((10, 5))),
             r"real_features needs more rows.*shape=\(3, 5\)"),
            (lambda: metrics.frechet_distance(x, np.zeros((5, 5))),
             r"same feature dimension.*\(20, 3\).*\(5, 5\)"),
            (lambda: metrics.frechet_distance(x, np.zeros(20)),
             r"generated_features.shape=\(20,\)"),
            (lambda: metrics.frechet_distance([], x), r"real_features.shape=\(0,\)"),
            (lambda: metrics.frechet_distance(x, np.full((20, 3), np.nan)), "generated_features"),
            (lambda: metrics.frechet_distance(x, [["a", "b", "c"]] * 20), "generated_features"),
        ]
        for call, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                call()

    def test_docstring_examples(self):
        result = doctest.testmod(frechet_module, extraglobs={"tfrnnx": __import__("tfrnnx")})
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)


if __name__ == "__main__":
    tf.test.main()
