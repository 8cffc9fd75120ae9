"""Fréchet distance between two sets of sentence features (FID's formula on text features)."""

import numpy as np


def frechet_distance(real_features, generated_features):
    """Fréchet distance between Gaussians fitted to real and generated features.

    With means `mu1`, `mu2` and covariances `S1`, `S2` (unbiased, `ddof=1`):

        ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))

    computed in float64. The trace of the matrix square root is taken as
    `Tr((sqrt(S1) S2 sqrt(S1))^(1/2))`, the same number for positive semi-definite
    covariances, but the matrix under the root is symmetric PSD: its eigenvalues come from
    `numpy.linalg.eigh`, tiny negative ones from round-off are set to 0, and the result is
    real and finite where `scipy.linalg.sqrtm(S1 @ S2)` can return complex values or NaN.
    A negative total from round-off is returned as 0.

    Args:
        real_features: array-like `(num_real, dim)`, e.g. sentence embeddings of
            reference text.
        generated_features: array-like `(num_generated, dim)`, same `dim`.

    Returns:
        The distance as a Python float >= 0.

    Raises:
        ValueError: for inputs that are not 2-D, hold non-finite values, differ in `dim`,
            or have no more rows than `dim`: the covariance of `n <= dim` samples is
            singular, and the distance would measure the sample size more than the text.
            Reduce `dim` (e.g. with PCA) or add samples.

    Example:

    >>> import numpy as np, tfrnnx
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(500, 4))
    >>> round(tfrnnx.metrics.frechet_distance(real, real + 1.0), 6)
    4.0

    References:
        Heusel et al. (2017), "GANs Trained by a Two Time-Scale Update Rule Converge to a
        Local Nash Equilibrium", NeurIPS; Semeniuta, Severyn, Gelly (2018), "On Accurate
        Evaluation of GANs for Language Generation"; thesis eq. 5.6.1.
    """
    real, generated = _paired_features(real_features, generated_features)
    for name, x in (("real_features", real), ("generated_features", generated)):
        if x.shape[0] <= x.shape[1]:
            raise ValueError(
                f"{name} needs more rows than feature dimensions for a non-singular "
                f"covariance (at least {x.shape[1] + 1}). Received: {name}.shape={x.shape}"
            )
    mean_diff = real.mean(axis=0) - generated.mean(axis=0)
    cov_real = np.atleast_2d(np.cov(real, rowvar=False))
    cov_generated = np.atleast_2d(np.cov(generated, rowvar=False))
    root_real = _psd_sqrt(cov_real)
    product = root_real @ cov_generated @ root_real
    eigenvalues = np.linalg.eigvalsh((product + product.T) / 2)
    trace_root = np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None)))
    distance = (
        mean_diff @ mean_diff + np.trace(cov_real) + np.trace(cov_generated) - 2.0 * trace_root
    )
    return float(max(distance, 0.0))


def _paired_features(real_features, generated_features):
    """Both feature sets as float64 matrices of one feature dimension (ValueError if not)."""
    real = _as_features(real_features, "real_features")
    generated = _as_features(generated_features, "generated_features")
    if real.shape[1] != generated.shape[1]:
        raise ValueError(
            "real_features and generated_features must have the same feature dimension. "
            f"Received: real_features.shape={real.shape}, "
            f"generated_features.shape={generated.shape}"
        )
    return real, generated


def _as_features(features, name):
    """A finite float64 matrix `(num, dim)`; ValueError naming `name` otherwise."""
    try:
        x = np.asarray(features, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{name} must be a numeric array of shape (num_samples, dim). "
            f"Received: {name} of type {type(features).__name__} ({error})"
        ) from None
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(
            f"{name} must be a non-empty 2-D array (num_samples, dim). "
            f"Received: {name}.shape={x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must hold finite values only. Received: NaN or inf in {name}")
    return x


def _psd_sqrt(matrix):
    """Symmetric square root of a symmetric PSD matrix; round-off negatives set to 0."""
    eigenvalues, eigenvectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ eigenvectors.T
