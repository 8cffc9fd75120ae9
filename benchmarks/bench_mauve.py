"""MAUVE of tfrnnx (numpy) against the reference implementation, mauve-text (faiss k-means).

Both score the same features, with the same defaults (num_buckets "auto" = n / 10, PCA
keeping 90% of the variance, 5 k-means restarts, scaling 5), on three seeds each. Prints
the seconds per call of each, the ratio, and both scores (mean and spread over the seeds).

    .venv/bin/python benchmarks/bench_mauve.py                 # 5k x 5k, dimension 384
    .venv/bin/python benchmarks/bench_mauve.py --rows 500 --dim 32 --seeds 1

Features (generated in code, seed 0): rows of a mixture of 50 Gaussians (centres N(0, I),
spread 1.5), the second set shifted by `--shift` along every dimension, at the size of
MiniLM sentence embeddings. Clustered like sentence embeddings, so that k-means needs
several iterations; the timing depends on the size and the cluster structure, not on where
the features came from.
"""

import argparse
import os
import platform
import time

import numpy as np


def _features(rows, dim, shift, modes=50, spread=1.5):
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(modes, dim))

    def draw(offset):
        rows_of = centres[rng.integers(0, modes, rows)] + spread * rng.normal(size=(rows, dim))
        return (rows_of + offset).astype("float32")

    return draw(0.0), draw(shift)


def _timed(fn, seeds):
    scores, started = [], time.perf_counter()
    for seed in seeds:
        scores.append(fn(seed))
    return (time.perf_counter() - started) / len(seeds), np.array(scores)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--shift", type=float, default=0.05)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    import mauve as reference  # the test / bench extra: mauve-text

    from tfrnnx.metrics.mauve import mauve

    p, q = _features(args.rows, args.dim, args.shift)
    seeds = list(range(1, args.seeds + 1))
    ours_s, ours = _timed(lambda s: mauve(p, q, seed=s)["mauve"], seeds)
    ref_s, theirs = _timed(
        lambda s: reference.compute_mauve(p_features=p, q_features=q, seed=s).mauve, seeds
    )
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU cores; features {args.rows} x "
          f"{args.rows}, dimension {args.dim}, shift {args.shift}; {args.seeds} seeds")  # fmt: skip
    print(f"tfrnnx.metrics.mauve: {ours_s:.2f} s per call, MAUVE {ours.mean():.4f} ± {ours.std():.4f}")
    print(f"mauve-text:           {ref_s:.2f} s per call, MAUVE {theirs.mean():.4f} ± {theirs.std():.4f}")
    print(f"speed vs mauve-text: {ref_s / ours_s:.2f}x (mauve-text seconds / tfrnnx seconds)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
