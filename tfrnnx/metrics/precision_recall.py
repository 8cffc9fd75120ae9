"""k-nearest-neighbour precision and recall of generated features (Kynkäänniemi et al.)."""

import numpy as np

from tfrnnx._validation import check_integer
from tfrnnx.metrics.frechet import _paired_features

_CHUNK_ENTRIES = 4_000_000  # distance-matrix entries held at once (32 MB of float64)


def precision_recall(real_features, generated_features, k=3):
    """Improved precision and recall: how much of each feature manifold covers the other.

    The manifold of a set is the union of balls around its points, each ball reaching the
    point's `k`-th nearest neighbour in the same set (Euclidean distance; the point itself
    is not its own neighbour). Precision is the share of generated points inside the real
    manifold (quality); recall is the share of real points inside the generated manifold
    (coverage). A point on a ball's boundary counts as inside.

    Args:
        real_features: array-like `(num_real, dim)`.
        generated_features: array-like `(num_generated, dim)`, same `dim`.
        k: neighbourhood size, at least 1 and smaller than both `num_real` and
            `num_generated`. Default value: 3 (the paper's choice).

    Returns:
        `(precision, recall)`, two Python floats in [0, 1].

    Raises:
        ValueError: for non-2-D or non-finite inputs, different `dim`, or a `k` out of
            range.

    Example:

    >>> import numpy as np, tfrnnx
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(200, 2))
    >>> tfrnnx.metrics.precision_recall(real, real, k=3)
    (1.0, 1.0)

    References:
        Kynkäänniemi, Karras, Laine, Lehtinen, Aila (2019), "Improved Precision and Recall
        Metric for Assessing Generative Models", NeurIPS.
    """
    real, generated = _paired_features(real_features, generated_features)
    check_integer("k", k)
    smallest = min(real.shape[0], generated.shape[0])
    if k >= smallest:
        raise ValueError(
            "k must be smaller than the number of rows of real_features and "
            f"generated_features (k-th neighbour other than the point itself). Received: k={k} "
            f"with {real.shape[0]} real and {generated.shape[0]} generated rows"
        )
    real_radii = _kth_neighbour_sq_distance(real, k)
    generated_radii = _kth_neighbour_sq_distance(generated, k)
    precision = np.mean(_inside(generated, real, real_radii))
    recall = np.mean(_inside(real, generated, generated_radii))
    return float(precision), float(recall)


def _chunks(num_rows, num_columns):
    step = max(1, _CHUNK_ENTRIES // max(1, num_columns))
    for start in range(0, num_rows, step):
        yield slice(start, min(start + step, num_rows))


def _sq_distances(a, b):
    """Squared Euclidean distances `(len(a), len(b))`, clipped at 0."""
    d = (a * a).sum(axis=1)[:, None] + (b * b).sum(axis=1)[None, :] - 2.0 * (a @ b.T)
    return np.maximum(d, 0.0)


def _kth_neighbour_sq_distance(x, k):
    """Squared distance of every row to its k-th nearest other row."""
    radii = np.empty(len(x))
    for rows in _chunks(len(x), len(x)):
        d = _sq_distances(x[rows], x)
        d[np.arange(d.shape[0]), np.arange(rows.start, rows.stop)] = 0.0  # self first
        radii[rows] = np.partition(d, k, axis=1)[:, k]
    return radii


def _inside(points, centres, sq_radii):
    """Whether each point lies in at least one ball (centre, radius) of the manifold."""
    result = np.empty(len(points), bool)
    for rows in _chunks(len(points), len(centres)):
        result[rows] = (_sq_distances(points[rows], centres) <= sq_radii[None, :]).any(axis=1)
    return result
