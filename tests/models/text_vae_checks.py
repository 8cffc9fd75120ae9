"""Checks shared by the text-VAE tests: numpy references of the loss terms and monitors."""

import math

import numpy as np
from scipy.special import logsumexp


def numpy_kl(mean, log_var):
    """KL(N(mean, exp(log_var)) || N(0, I)) per row, closed form."""
    mean, log_var = np.asarray(mean, "float64"), np.asarray(log_var, "float64")
    return 0.5 * np.sum(np.exp(log_var) + mean**2 - 1.0 - log_var, axis=-1)


def numpy_xent(logits, tokens):
    """Sum over positions of -log softmax(logits)[token], per row."""
    logits = np.asarray(logits, "float64")
    log_probs = logits - logsumexp(logits, axis=-1, keepdims=True)
    picked = np.take_along_axis(log_probs, np.asarray(tokens)[..., None], axis=-1)[..., 0]
    return -picked.sum(axis=-1)


def numpy_mutual_information(mean, log_var, z):
    mean, log_var, z = (np.asarray(a, "float64") for a in (mean, log_var, z))
    batch = len(mean)
    log_q = np.zeros((batch, batch))
    for i in range(batch):
        for j in range(batch):
            var = np.exp(log_var[j])
            log_q[i, j] = np.sum(
                -0.5 * (z[i] - mean[j]) ** 2 / var - 0.5 * log_var[j] - 0.5 * math.log(2 * math.pi)
            )
    return np.mean(np.diag(log_q) - (logsumexp(log_q, axis=1) - math.log(batch)))


def repetitive_corpus(vocab_size, length, batch, seed=0):
    """Rows that are shifted copies of one periodic pattern (easy to fit)."""
    pattern = np.arange(length + batch) % min(vocab_size, 5)
    rows = np.stack([pattern[i % 2: i % 2 + length] for i in range(batch)])
    return rows.astype("int32")
