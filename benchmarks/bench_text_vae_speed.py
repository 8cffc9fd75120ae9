"""Train-step time of HybridTextVAE vs LSTMTextVAE at about the same number of parameters.

Issue 4 / thesis §5.5: the hybrid trains about 2x faster than an LSTM VAE. For each
fragment length the LSTM VAE's units are chosen so that its parameter count is closest to
the hybrid's; both train with Adam on random ids, batch `--batch-size`; after one warm-up
`fit` (tracing) the median over `--repeats` of the time of `--steps` compiled train steps
is reported. Results: docs/results/text_vae_speed.md.

Usage:
    python benchmarks/bench_text_vae_speed.py [--lengths 64,128,256] [--quick]
"""

import argparse
import os
import platform
import time

import keras
import numpy as np
import tensorflow as tf

import tfrnnx
from tfrnnx.io_utils import write_text_atomically

RESULTS = os.path.join(os.path.dirname(__file__), "..", "docs", "results", "text_vae_speed.md")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default="64,128,256")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--vocab-size", type=int, default=50)
    parser.add_argument("--out", default=RESULTS)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.lengths, args.batch_size, args.steps, args.repeats = "16", 4, 1, 1
    args.lengths = [int(x) for x in args.lengths.split(",")]
    return args


def hybrid(args, length):
    return tfrnnx.models.HybridTextVAE(
        args.vocab_size, length, latent_dim=16, encoder_filters=(64, 128, 128),
        rnn_units=128, embedding_dim=16, kl_annealing=(0, 100), seed=0,
    )


def lstm_vae(args, length, units):
    return tfrnnx.models.LSTMTextVAE(
        args.vocab_size, length, latent_dim=16, encoder_units=units, decoder_units=units,
        embedding_dim=16, word_dropout=0.2, kl_annealing=(0, 100), seed=0,
    )


def params(model, tokens):
    model(tokens[:1])
    return model.count_params()


def step_seconds(model, tokens, args):
    model(tokens[:1])
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    batch = args.batch_size
    model.fit(tokens[:batch], batch_size=batch, epochs=1, verbose=0)  # tracing
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        model.fit(tokens, batch_size=batch, epochs=1, verbose=0)
        times.append((time.perf_counter() - start) / args.steps)
    return float(np.median(times))


def main(argv=None):
    args = parse_args(argv)
    rng = np.random.default_rng(0)
    rows = []
    for length in args.lengths:
        tokens = rng.integers(0, args.vocab_size, (args.batch_size * args.steps, length)).astype(
            "int32"
        )
        model = hybrid(args, length)
        target = params(model, tokens)
        candidates = [32, 64, 96, 128, 160, 192, 224, 256, 320]
        units = min(candidates, key=lambda u: abs(params(lstm_vae(args, length, u), tokens) - target))
        baseline = lstm_vae(args, length, units)
        baseline_params = params(baseline, tokens)
        hybrid_s = step_seconds(model, tokens, args)
        lstm_s = step_seconds(baseline, tokens, args)
        rows.append((length, target, baseline_params, units, hybrid_s, lstm_s))
        print(rows[-1], flush=True)
    lines = [
        "# Train-step time: HybridTextVAE vs LSTMTextVAE (issue 4, thesis §5.5)",
        "",
        f"Command: `python benchmarks/bench_text_vae_speed.py {'--quick ' if args.quick else ''}"
        f"--lengths {','.join(map(str, args.lengths))} --batch-size {args.batch_size} "
        f"--steps {args.steps} --repeats {args.repeats}`",
        "",
        f"Machine: {platform.machine()} CPU, {os.cpu_count()} cores visible (shared with other "
        f"jobs: absolute times are noisy), TF {tf.__version__}, Keras {keras.__version__}, "
        "no XLA. Hybrid: encoder filters (64, 128, 128), LSTM top 128 units, latent 16; LSTM "
        "VAE units chosen for the closest parameter count. Median over repeats of the mean "
        "compiled `fit` step time (random ids, Adam).",
        "",
        "| length | hybrid params | LSTM VAE params (units) | hybrid ms/step | LSTM VAE ms/step "
        "| speed-up |",
        "|---|---|---|---|---|---|",
    ]
    for length, hp, lp, units, hs, ls in rows:
        lines.append(
            f"| {length} | {hp} | {lp} ({units}) | {1000 * hs:.0f} | {1000 * ls:.0f} | "
            f"{ls / hs:.2f}x |"
        )
    write_text_atomically(args.out, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
