"""Train-step time of RecurrentDropoutLSTM against keras.layers.LSTM (issue on thesis ch. 3).

Word-LM train step: batch 32, 35 steps, Embedding(10k, 256) -> LSTM(256) -> Dense(10k)
softmax, SGD. Every model's step is timed in turn (round robin) so load on the machine hits
all of them alike; medians are printed with ratios against Keras' LSTM with recurrent
dropout 0.25 (Gal) and Keras' LSTM without dropout, both measured in the same run.

    python benchmarks/bench_recurrent_dropout.py [--repeats 30] [--jit-compile]
"""

import argparse
import os
import platform
import time

import keras
import numpy as np

import tfrnnx

VOCAB, UNITS, BATCH, STEPS = 10000, 256, 32, 35


def candidates(rate):
    return {
        "keras LSTM": lambda: keras.layers.LSTM(UNITS, return_sequences=True),
        f"keras LSTM rd={rate} (Gal)": lambda: keras.layers.LSTM(
            UNITS, return_sequences=True, recurrent_dropout=rate),
        **{
            f"tfrnnx {mode} rd={rate} per-step": (lambda mode=mode: tfrnnx.layers.RecurrentDropoutLSTM(
                UNITS, return_sequences=True, recurrent_dropout=rate, recurrent_dropout_mode=mode))
            for mode in ("update", "hidden", "cell")
        },
        f"tfrnnx update rd={rate} per-sequence": lambda: tfrnnx.layers.RecurrentDropoutLSTM(
            UNITS, return_sequences=True, recurrent_dropout=rate, mask_sampling="per_sequence"),
        "tfrnnx no dropout": lambda: tfrnnx.layers.RecurrentDropoutLSTM(UNITS, return_sequences=True),
    }


def build(layer_factory, jit_compile):
    model = keras.Sequential([
        keras.Input((STEPS,), dtype="int32"),
        keras.layers.Embedding(VOCAB, UNITS),
        layer_factory(),
        keras.layers.Dense(VOCAB),
    ])
    model.compile(keras.optimizers.SGD(1.0), keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=jit_compile)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rate", type=float, default=0.25)
    parser.add_argument("--jit-compile", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.integers(0, VOCAB, (BATCH, STEPS)).astype("int32")
    y = rng.integers(0, VOCAB, (BATCH, STEPS)).astype("int32")
    models = {name: build(factory, args.jit_compile) for name, factory in candidates(args.rate).items()}
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
    gal = medians[f"keras LSTM rd={args.rate} (Gal)"]
    plain = medians["keras LSTM"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU cores; jit_compile={args.jit_compile}; "
          f"batch {BATCH}, {STEPS} steps, {UNITS} units, vocab {VOCAB}; median of {args.repeats}")
    print(f"{'model':40s} {'ms/step':>9s} {'vs Keras rd':>12s} {'vs Keras LSTM':>14s}")
    for name, median in medians.items():
        print(f"{name:40s} {median * 1e3:9.1f} {median / gal:11.2f}x {median / plain:13.2f}x")


if __name__ == "__main__":
    main()
