"""MAUVE of tfrnnx (numpy) against the reference implementation, mauve-text (faiss k-means).

Both score the same features, with the same defaults (num_buckets "auto" = n / 10, PCA
keeping 90% of the variance, 5 k-means restarts, scaling 5), on three seeds each. Prints
the seconds per call of each, the ratio, and both scores (mean and spread over the seeds).

    .venv/bin/python benchmarks/bench_mauve.py                 # 5k x 5k, dimension 384
    .venv/bin/python benchmarks/bench_mauve.py --rows 500 --dim 32 --seeds 1
    .venv/bin/python benchmarks/bench_mauve.py --quick --out /tmp/mauve.md   # smoke run

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
    parser.add_argument("--out", default=None,
                        help="also write this results page and its JSON twin")
    parser.add_argument("--quick", action="store_true", help="seconds-long smoke run")
    args = parser.parse_args(argv)
    if args.quick:  # k-means needs a few rows per cluster: n / 10 clusters of 300 rows
        args.rows, args.dim, args.seeds = 300, 16, 1
    from tfrnnx.experiments.recurrent_dropout_tasks import check_positive_flags

    check_positive_flags(parser, args, ("rows", "dim", "seeds"))
    load = os.getloadavg()[0]
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
    if args.out:
        from tfrnnx.io_utils import script_command
        from tfrnnx.io_utils import write_results

        command = script_command(__file__, argv)
        rows = [{"implementation": name, "seconds_per_call": round(seconds, 3),
                 "mauve_mean": round(float(scores.mean()), 4),
                 "mauve_sd": round(float(scores.std()), 4)}
                for name, seconds, scores in (("tfrnnx", ours_s, ours),
                                              ("mauve-text", ref_s, theirs))]  # fmt: skip
        page = "\n".join([
            "# MAUVE: tfrnnx.metrics.mauve vs the reference implementation (mauve-text)", "",
            f"Command: `{command.strip()}`" + (" (**--quick smoke run**)" if args.quick else "") + "  ",
            f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, no GPU; 1-min load "
            f"average {load:.1f} at the start.  ",
            f"Features: {args.rows} x {args.rows} rows of dimension {args.dim}, a mixture of 50 "
            f"Gaussians, the second set shifted by {args.shift} (generated in code, seed 0); "
            f"k-means seeds 1..{args.seeds}; both with the reference's defaults (clusters = "
            "rows / 10, PCA keeping 90% of the variance, 5 restarts, scaling 5).", "",
            "| implementation | seconds per call | MAUVE (mean ± sd over the seeds) |",
            "|---|---|---|",
            *(f"| {r['implementation']} | {r['seconds_per_call']:.2f} | {r['mauve_mean']:.4f} "
              f"± {r['mauve_sd']:.4f} |" for r in rows),
            "", f"Speed: {ref_s / ours_s:.2f}x mauve-text (its seconds / ours), same run.", ""])
        write_results(args.out, page, {"command": command.strip(), "rows": rows,
                                       "speedup": round(ref_s / ours_s, 3)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
