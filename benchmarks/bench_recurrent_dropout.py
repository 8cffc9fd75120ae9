"""Train-step time of RecurrentDropoutLSTM against keras.layers.LSTM (thesis ch. 3).

Word-LM train step: batch 32, 35 steps, Embedding(10k, 256) -> LSTM(256) -> Dense(10k)
softmax, SGD (sizes set by flags). Every model's step is timed in turn (round robin) so
load on the machine hits all of them alike; medians are printed with ratios against Keras'
LSTM with recurrent dropout 0.25 (Gal; on a GPU its Python-level loop) and Keras' LSTM
without dropout (on a GPU, cuDNN), both measured in the same run.

    python benchmarks/bench_recurrent_dropout.py [--repeats 30] [--jit-compile]
    python benchmarks/bench_recurrent_dropout.py --batch 128 --units 1024 --json out.json
"""

import argparse
import json
import os
import platform
import time

import keras
import numpy as np

import tfrnnx
from tfrnnx.experiments.recurrent_dropout_tasks import check_positive_flags

KERAS_PLAIN = "keras LSTM"


def candidates(units, rate):
    gal = f"keras LSTM rd={rate} (Gal)"
    return {
        KERAS_PLAIN: lambda: keras.layers.LSTM(units, return_sequences=True),
        gal: lambda: keras.layers.LSTM(units, return_sequences=True, recurrent_dropout=rate),
        **{
            f"tfrnnx {mode} rd={rate} per-step": (lambda mode=mode: tfrnnx.layers.RecurrentDropoutLSTM(
                units, return_sequences=True, recurrent_dropout=rate, recurrent_dropout_mode=mode))
            for mode in ("update", "hidden", "cell")
        },
        f"tfrnnx update rd={rate} per-sequence": lambda: tfrnnx.layers.RecurrentDropoutLSTM(
            units, return_sequences=True, recurrent_dropout=rate, mask_sampling="per_sequence"),
        "tfrnnx no dropout": lambda: tfrnnx.layers.RecurrentDropoutLSTM(units, return_sequences=True),
    }, gal


def build(layer_factory, args):
    model = keras.Sequential([
        keras.Input((args.steps,), dtype="int32"),
        keras.layers.Embedding(args.vocab, args.units),
        layer_factory(),
        keras.layers.Dense(args.vocab),
    ])
    model.compile(keras.optimizers.SGD(1.0), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=args.jit_compile)
    return model


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rate", type=float, default=0.25)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=35, help="time steps per sequence")
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--vocab", type=int, default=10000)
    parser.add_argument("--jit-compile", action="store_true")
    parser.add_argument("--json", help="also write the rows here, as JSON")
    args = parser.parse_args(argv)
    check_positive_flags(parser, args, ("repeats", "batch", "steps", "units", "vocab"))
    return args


def main(argv=None):
    args = parse_args(argv)
    rng = np.random.default_rng(0)
    x = rng.integers(0, args.vocab, (args.batch, args.steps)).astype("int32")
    y = rng.integers(0, args.vocab, (args.batch, args.steps)).astype("int32")
    factories, gal_name = candidates(args.units, args.rate)
    models = {name: build(factory, args) for name, factory in factories.items()}
    for model in models.values():
        for _ in range(args.warmup):
            model.train_on_batch(x, y)
    times = {name: [] for name in models}
    for _ in range(args.repeats):
        for name, model in models.items():
            started = time.perf_counter()
            model.train_on_batch(x, y)
            times[name].append(time.perf_counter() - started)
    medians = {name: float(np.median(t)) for name, t in times.items()}
    gal, plain = medians[gal_name], medians[KERAS_PLAIN]
    gpus = [d.name for d in _gpus()]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU cores, GPUs: {gpus or 'none'}; "
          f"jit_compile={args.jit_compile}; batch {args.batch}, {args.steps} steps, {args.units} units, "
          f"vocab {args.vocab}; median of {args.repeats}")
    print(f"{'model':40s} {'ms/step':>9s} {'vs Keras rd':>12s} {'vs Keras LSTM':>14s}")
    rows = []
    for name, median in medians.items():
        print(f"{name:40s} {median * 1e3:9.1f} {median / gal:11.2f}x {median / plain:13.2f}x")
        rows.append({"model": name, "batch": args.batch, "units": args.units, "steps": args.steps,
                     "jit_compile": args.jit_compile, "ms_per_step": round(median * 1e3, 2),
                     "vs_keras_recurrent_dropout": round(median / gal, 3),
                     "vs_keras_lstm": round(median / plain, 3)})
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"rows": rows, "gpus": gpus}, file)
    return rows


def _gpus():
    import tensorflow as tf

    return tf.config.list_physical_devices("GPU")


if __name__ == "__main__":
    main()
