"""Thesis Table 3.1: recurrent dropout schemes on the temporal-order task.

For each sequence length, recurrent-dropout mode (update = ours, hidden = Gal, cell = Moon)
and mask sampling (per step, per sequence), trains a RecurrentDropoutLSTM classifier and
reports train and test accuracy (test accuracy is measured without dropout, as at
inference). Results: docs/results/temporal_order.md (written atomically).

    python scripts/temporal_order.py                 # the run in docs/results
    python scripts/temporal_order.py --quick --out /tmp/t.md   # smoke run
"""

import argparse
import itertools
import json
import os
import platform
import sys
import time

import keras
import numpy as np

import tfrnnx
from tfrnnx.data.temporal_order import CLASSES, SYMBOLS, temporal_order
from tfrnnx.io_utils import script_command
from tfrnnx.io_utils import write_results

MODES = {"update": "ours (update g)", "hidden": "Gal (hidden h)", "cell": "Moon (cell c)"}
# Thesis Table 3.1 (line 1462): (train, test) accuracy in % for short (15) and medium (30)
# sequences; Gal's scheme and ours share one column in the thesis.
THESIS_TABLE_3_1 = {
    ("cell", "per_step"): ("100", "100", "25", "25"),
    ("cell", "per_sequence"): ("100", "25", "100", "<25"),
    ("hidden", "per_step"): ("100",) * 4,
    ("hidden", "per_sequence"): ("100",) * 4,
    ("update", "per_step"): ("100",) * 4,
    ("update", "per_sequence"): ("100",) * 4,
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[15, 30])
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--recurrent-dropout", type=float, default=0.5)
    parser.add_argument("--dropout-scaling", default="inverted", choices=["inverted", "test_time"])
    parser.add_argument("--train-size", type=int, default=2000)
    parser.add_argument("--test-size", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="docs/results/temporal_order.md")
    parser.add_argument("--logdir", default="runs/temporal_order_table")
    parser.add_argument("--quick", action="store_true", help="seconds-long smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.lengths, args.train_size, args.test_size, args.epochs = [15], 64, 32, 1
    return args


def train_one(args, length, mode, sampling, data):
    (x_train, y_train), (x_test, y_test) = data
    keras.utils.set_random_seed(args.seed)
    model = keras.Sequential([
        keras.Input((length, len(SYMBOLS))),
        tfrnnx.layers.RecurrentDropoutLSTM(
            args.units, recurrent_dropout=args.recurrent_dropout, recurrent_dropout_mode=mode,
            mask_sampling=sampling, dropout_scaling=args.dropout_scaling, seed=args.seed,
        ),
        keras.layers.Dense(len(CLASSES), activation="softmax"),
    ])
    model.compile(keras.optimizers.Adam(args.learning_rate), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    logdir = os.path.join(args.logdir, f"len{length}_{mode}_{sampling}")
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, verbose=0,
              callbacks=[keras.callbacks.TensorBoard(logdir)])
    # Train accuracy as the network sees it in training (dropout on); test accuracy at
    # inference (dropout off). The gap between them is the memory-loss effect.
    train_predictions = np.concatenate([
        model(x_train[i:i + 500], training=True).numpy() for i in range(0, len(x_train), 500)
    ])
    train_accuracy = float((train_predictions.argmax(-1) == y_train).mean())
    _, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    return train_accuracy, test_accuracy


def main(argv=None):
    args = parse_args(argv)
    started = time.time()
    rows = []
    for length in args.lengths:
        data = (temporal_order(args.train_size, length, seed=args.seed),
                temporal_order(args.test_size, length, seed=args.seed + 1))
        for mode, sampling in itertools.product(MODES, ("per_step", "per_sequence")):
            run_started = time.time()
            train_accuracy, test_accuracy = train_one(args, length, mode, sampling, data)
            row = dict(length=length, mode=mode, sampling=sampling, train=train_accuracy,
                       test=test_accuracy, seconds=time.time() - run_started)
            rows.append(row)
            print(json.dumps(row), flush=True)
    wall = time.time() - started
    command = script_command(__file__, argv)
    twin = {
        "command": command.strip(),
        "rows": [{"config": f"{r['mode']}_{r['sampling']}_length{r['length']}", **r} for r in rows],
        "thesis": {f"{m}_{s}": list(v) for (m, s), v in THESIS_TABLE_3_1.items()},
    }
    write_results(args.out, report(args, rows, wall, command), twin)
    print(f"wrote {args.out} ({wall:.0f} s)")
    return 0


def report(args, rows, wall, command):
    lines = [
        "# Temporal-order task: recurrent dropout schemes (thesis Table 3.1)",
        "",
        f"Command: `{command.strip()}`  ",
        f"Seed: {args.seed} (data: train seed {args.seed}, test seed {args.seed + 1}); "
        f"data generated by `tfrnnx.data.temporal_order`.  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, no GPU; "
        f"wall time {wall / 60:.1f} min.  ",
        f"Setup: 1-layer RecurrentDropoutLSTM({args.units}), recurrent dropout {args.recurrent_dropout} "
        f"({args.dropout_scaling} scaling), Adam lr {args.learning_rate}, batch {args.batch_size}, "
        f"{args.epochs} epochs, {args.train_size} training and {args.test_size} test sequences; "
        "train accuracy with dropout on (as in training), test accuracy with dropout off.",
        "",
        "| length | scheme | masks | train acc. (dropout on) | test acc. (dropout off) |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(f"| {row['length']} | {MODES[row['mode']]} | {row['sampling'].replace('_', '-')} "
                     f"| {row['train']:.3f} | {row['test']:.3f} |")
    failed = [f"{MODES[r['mode']]} {r['sampling'].replace('_', '-')} at length {r['length']} "
              f"(train {r['train']:.2f}, test {r['test']:.2f})" for r in rows if r["test"] < 0.9]
    lines += [
        "",
        "Thesis, Table 3.1 (accuracy in %; LSTM of 256 units, recurrent dropout 0.5, SGD lr 0.1, "
        "200 mini-batches of 32, 10k test sequences):",
        "",
        "| scheme | masks | short train | short test | medium train | medium test |",
        "|---|---|---|---|---|---|",
        *[f"| {MODES[mode]} | {sampling.replace('_', '-')} | " + " | ".join(values) + " |"
          for (mode, sampling), values in THESIS_TABLE_3_1.items()],
        "",
        "Thesis pattern: ours and Gal's scheme solve every case; Moon's scheme with per-sequence "
        "masks fits the training set but fails on the test set, and with per-step masks does not "
        "fit medium sequences.",
        "",
        "Settings where this run differs from the thesis, and why:",
        "",
        "| setting | thesis | here | why |",
        "|---|---|---|---|",
        f"| LSTM units | 256 | {args.units} | CPU budget; the task needs little capacity |",
        f"| optimizer | SGD lr 0.1, 5k epochs of 200 batches | Adam lr {args.learning_rate}, "
        f"{args.epochs} epochs of {args.train_size // args.batch_size} batches | CPU budget: "
        "Adam converges in far fewer updates |",
        f"| test sequences | 10k | {args.test_size} | time |",
        "",
        "This run: test accuracy below 0.9 for " + ("; ".join(failed) if failed else "no configuration") + ".",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
