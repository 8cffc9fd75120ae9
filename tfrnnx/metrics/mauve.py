"""MAUVE: the area under the divergence frontier of two quantised feature distributions."""

import numpy as np

from tfrnnx._validation import check_integer
from tfrnnx._validation import check_number
from tfrnnx.metrics.frechet import _paired_features

_MIN_ROWS = 10  # per set: "auto" makes min(n_p, n_q) / 10 clusters, at least 2


def mauve(p_features, q_features, num_buckets="auto", explained_variance=0.9, num_redo=5,
          max_iter=500, scaling_factor=5.0, divergence_curve_size=25, seed=25):  # fmt: skip
    """MAUVE between the features of two text sets (Pillutla et al., 2021).

    Follows the reference implementation (`mauve-text`'s `compute_mauve` on features) and its
    defaults: both sets are stacked, rows L2-normalised and projected by PCA onto the
    fewest components that keep `explained_variance` of the variance; k-means with
    `num_buckets` clusters (starts at random rows, `num_redo` restarts, the lowest objective kept,
    at most `max_iter` Lloyd iterations, stopping once no assignment changes) quantises them;
    `p` and `q` are the two cluster histograms. The divergence curve is
    `(exp(-c KL(q || r_w)), exp(-c KL(p || r_w)))` for `r_w = w p + (1 - w) q`, with
    `w` on `divergence_curve_size` points of [1e-6, 1 - 1e-6] and the two extreme points;
    MAUVE is its area (the mean of the trapezoid areas taken along each axis). The
    reference clusters with faiss; this implementation uses numpy, so a score agrees with
    the reference's within the spread that the choice of k-means seed gives either.

    Args:
        p_features: array-like `(n_p, dim)`, e.g. sentence embeddings of generated text.
        q_features: array-like `(n_q, dim)`, e.g. embeddings of human text.
        num_buckets: `"auto"` (`max(2, round(min(n_p, n_q) / 10))`) or an integer >= 2.
        explained_variance: fraction in (0, 1) of the variance the PCA keeps.
        num_redo: k-means restarts.
        max_iter: the most Lloyd iterations of one k-means run.
        scaling_factor: `c` > 0 of the divergence curve (the reference's default, 5).
        divergence_curve_size: mixture weights on the curve.
        seed: integer seed of the k-means starts.

    Returns:
        A dict: `mauve` in (0, 1] (1: the same distribution), `mauve_star` (the same on
        histograms smoothed by adding 0.5 to every count, Pillutla et al., 2023),
        `frontier_integral` and `frontier_integral_star` (lower is closer), `p_hist` and
        `q_hist` (numpy arrays), `divergence_curve` `(divergence_curve_size + 2, 2)` and
        `num_buckets`.

    Raises:
        ValueError: features that are not finite 2-D arrays of one dimension, fewer than
            10 rows in either set, or more clusters than rows.

    Example:

    >>> import numpy as np, tfrnnx
    >>> rng = np.random.default_rng(0)
    >>> same = tfrnnx.metrics.mauve(rng.normal(size=(400, 8)), rng.normal(size=(400, 8)))
    >>> shifted = tfrnnx.metrics.mauve(rng.normal(size=(400, 8)) + 2.0, rng.normal(size=(400, 8)))
    >>> bool(same["mauve"] > 0.9 > shifted["mauve"])
    True

    References:
        Pillutla, Swayamdipta, Zellers, Thickstun, Welleck, Choi, Harchaoui (2021), "MAUVE:
        Measuring the Gap Between Neural Text and Human Text using Divergence Frontiers",
        NeurIPS; Pillutla et al. (2023), JMLR.
    """
    p, q = _paired_features(p_features, q_features)
    for name, x in (("p_features", p), ("q_features", q)):
        if x.shape[0] < _MIN_ROWS:
            raise ValueError(f"{name} needs at least {_MIN_ROWS} rows for a histogram of "
                             f"clusters. Received: {name}.shape={x.shape}")  # fmt: skip
    if num_buckets == "auto":
        num_buckets = max(2, int(round(min(len(p), len(q)) / 10)))
    num_buckets = check_integer("num_buckets", num_buckets, 2, len(p) + len(q))
    check_number("explained_variance", explained_variance, 0, 1, False, False)
    check_integer("num_redo", num_redo)
    check_integer("max_iter", max_iter)
    check_number("scaling_factor", scaling_factor, low=0, include_low=False)
    check_integer("divergence_curve_size", divergence_curve_size, 2)
    data = _pca_projection(np.vstack([q, p]), explained_variance)
    labels = _kmeans_labels(data, num_buckets, num_redo, max_iter, seed)
    q_counts = np.bincount(labels[: len(q)], minlength=num_buckets).astype("float64")
    p_counts = np.bincount(labels[len(q):], minlength=num_buckets).astype("float64")
    weights = np.linspace(1e-6, 1 - 1e-6, divergence_curve_size)
    scores = {}
    for suffix, extra in (("", 0.0), ("_star", 0.5)):
        p_hist, q_hist = _normalised(p_counts + extra), _normalised(q_counts + extra)
        curve = _divergence_curve(p_hist, q_hist, weights, scaling_factor)
        scores["mauve" + suffix] = float(_frontier_area(curve))
        scores["frontier_integral" + suffix] = float(_frontier_integral(p_hist, q_hist))
        if not suffix:
            scores.update(p_hist=p_hist, q_hist=q_hist, divergence_curve=curve)
    scores["num_buckets"] = num_buckets
    return scores


def _pca_projection(data, explained_variance):
    """L2-normalised rows projected on the fewest principal axes keeping that variance."""
    data = data / np.maximum(np.linalg.norm(data, axis=1, keepdims=True), 1e-12)
    centred = data - data.mean(axis=0)
    # The principal axes from the (dim, dim) scatter matrix: the SVD's, at a fraction of its cost.
    variances, axes = np.linalg.eigh(centred.T @ centred)
    variances, axes = np.clip(variances[::-1], 0.0, None), axes[:, ::-1]
    ratio = np.cumsum(variances) / np.sum(variances)
    keep = int(np.argmax(ratio >= explained_variance)) + 1
    return (centred @ axes[:, :keep]).astype("float32")


def _kmeans_labels(data, k, num_redo, max_iter, seed):
    """Cluster of each row: the best (lowest objective) of `num_redo` k-means runs, each
    started, as faiss starts them, from k distinct rows drawn at random."""
    rng = np.random.default_rng(seed)
    squared = np.sum(data * data, axis=1)
    rows = np.arange(len(data))
    best_objective, best_labels = np.inf, None
    for _ in range(num_redo):
        centres = data[rng.choice(len(data), size=k, replace=False)]
        labels = None
        for _ in range(max_iter):
            # ||x - c||^2 without the ||x||^2 of each row, which does not change the argmin;
            # in place and in float32 (a float64 centre would make every product float64).
            partial = data @ (-2.0 * centres).T
            partial += np.sum(centres * centres, axis=1)
            new_labels = np.argmin(partial, axis=1)
            if labels is not None and np.array_equal(new_labels, labels):
                break
            labels = new_labels
            counts = np.bincount(labels, minlength=k)
            sizes = np.maximum(counts, 1).astype(data.dtype)[:, None]
            means = _cluster_sums(data, labels, counts) / sizes
            centres = np.where((counts > 0)[:, None], means, centres)
            if not counts.all():  # an empty cluster restarts at the rows farthest from theirs
                far = np.argsort(-(partial[rows, labels] + squared))[: int((counts == 0).sum())]
                centres[counts == 0] = data[far]
        objective = float(np.sum(partial[rows, new_labels] + squared))
        if objective < best_objective:
            best_objective, best_labels = objective, new_labels
    return best_labels


def _cluster_sums(data, labels, counts):
    """`(k, dim)` sums of the rows of each cluster, from the rows sorted by cluster (a
    segment sum, O(n dim), where a one-hot product would cost O(n k dim))."""
    order = np.argsort(labels, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    sums = np.zeros((len(counts), data.shape[1]), data.dtype)
    present = counts > 0
    sums[present] = np.add.reduceat(data[order], starts[present], axis=0)
    return sums


def _normalised(counts):
    return counts / counts.sum()


def _kl(p, q):
    """KL(p || q) of histograms; inf where p has mass that q has not."""
    if np.any((p > 0) & (q == 0)):
        return np.inf
    mass = p > 0
    return float(np.sum(p[mass] * np.log(p[mass] / q[mass])))


def _divergence_curve(p, q, weights, scaling_factor):
    points = [[0.0, np.inf]]
    for w in np.sort(weights):
        mixture = w * p + (1 - w) * q
        points.append([_kl(q, mixture), _kl(p, mixture)])
    points.append([np.inf, 0.0])
    return np.exp(-scaling_factor * np.asarray(points))


def _frontier_area(curve):
    """Mean of the trapezoid areas under the curve along x and along y (as the reference)."""
    x, y = curve.T

    def area(a, b):
        order = np.argsort(a, kind="stable")
        a, b = a[order], b[order]
        return float(np.sum((a[1:] - a[:-1]) * (b[1:] + b[:-1]) / 2.0))

    return 0.5 * (area(x, y) + area(y, x))


def _frontier_integral(p, q, scaling_factor=2.0):
    """The reference's frontier integral of two histograms (lower is closer)."""
    total = 0.0
    for a, b in zip(p, q):
        if a == 0 and b == 0:
            continue
        if a == 0 or b == 0:
            total += (a + b) / 4
        elif abs(a - b) > 1e-8:
            total += 0.25 * (a + b) - 0.5 * a * b * (np.log(a) - np.log(b)) / (a - b)
    return total * scaling_factor
