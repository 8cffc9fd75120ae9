"""MAUVE against the reference implementation (mauve-text) and against hand-derived cases."""

import numpy as np
import tensorflow as tf

import tfrnnx
from tfrnnx.metrics import mauve


def _gaussians(shift, rows=600, dim=16, seed=0):
    rng = np.random.default_rng(seed)
    p = rng.normal(size=(rows, dim))
    p[:, 0] += shift
    return p, rng.normal(size=(rows, dim))


class MauveTest(tf.test.TestCase):
    def test_agrees_with_mauve_text_within_its_seed_spread(self):
        import mauve as reference  # the test extra: mauve-text (with faiss-cpu)

        for shift in (0.0, 1.0, 3.0):
            p, q = _gaussians(shift)
            ours = [mauve(p, q, seed=s)["mauve"] for s in (1, 2, 3)]
            theirs = [reference.compute_mauve(p_features=p, q_features=q, seed=s).mauve
                      for s in (1, 2, 3)]  # fmt: skip
            tolerance = max(3 * np.std(theirs), 3 * np.std(ours), 0.02)
            self.assertAllClose(np.mean(ours), np.mean(theirs), atol=tolerance, msg=f"shift {shift}")

    def test_identical_sets_score_one(self):
        p, _ = _gaussians(0.0, rows=200)
        out = mauve(p, p.copy())
        self.assertAllClose(out["p_hist"], out["q_hist"])
        self.assertAllClose([out["mauve"], out["frontier_integral"]], [1.0, 0.0])
        self.assertEqual(out["num_buckets"], 20)  # "auto": 200 / 10

    def test_disjoint_sets_follow_the_closed_form_frontier(self):
        # Every cluster holds rows of one set only, so for r = w p + (1 - w) q:
        # KL(q || r) = -log(1 - w), KL(p || r) = -log(w): the curve is ((1 - w)^c, w^c).
        p, q = _gaussians(0.0, rows=100, dim=4)
        p[:, 0] += 100.0  # after the rows' L2 normalisation: p near +e1, q near -e1
        q[:, 0] -= 100.0
        out = mauve(p, q, num_buckets=4, scaling_factor=5.0, divergence_curve_size=25)
        w = np.linspace(1e-6, 1 - 1e-6, 25)
        x = np.concatenate([[1.0], (1 - w) ** 5, [0.0]])
        y = np.concatenate([[0.0], w**5, [1.0]])
        self.assertAllClose(out["divergence_curve"], np.stack([x, y], axis=1), atol=1e-9)
        order = np.argsort(x)
        area = np.sum(np.diff(x[order]) * (y[order][1:] + y[order][:-1]) / 2)  # = under y(x)
        self.assertAllClose(out["mauve"], area, atol=1e-9)  # symmetric: both areas agree
        self.assertAllClose(out["frontier_integral"], 1.0)  # the reference's maximum
        self.assertGreater(out["mauve_star"], out["mauve"])  # smoothing gives shared mass

    def test_bad_inputs(self):
        p, q = _gaussians(0.0, rows=50, dim=3)
        with self.assertRaisesRegex(ValueError, r"p_features needs at least 10 rows.*shape=\(9, 3\)"):
            mauve(p[:9], q)
        with self.assertRaisesRegex(ValueError, "same feature dimension"):
            mauve(p, q[:, :2])
        with self.assertRaisesRegex(ValueError, "num_buckets must be an integer in \\[2, 100\\]. Received: num_buckets=101"):
            mauve(p, q, num_buckets=101)
        with self.assertRaisesRegex(ValueError, "explained_variance must be a number in \\(0, 1\\). Received: explained_variance=1"):
            mauve(p, q, explained_variance=1)
        self.assertIs(tfrnnx.metrics.mauve, mauve)


if __name__ == "__main__":
    tf.test.main()
