"""Thesis 4.4.4: multi-digit reading, sequence error of forward, backward and combined readers.

Trains two tfrnnx.models.RecurrentAttentionModel sequence readers (thesis 4.4.3), one
reading left to right and one right to left, on multi-digit MNIST
(`tfrnnx.data.multi_digit_mnist`: rows of 1..max_digits digits, labels padded with the
terminal class 10), a stand-in for SVHN, which is not available here. Training canvases
are made from MNIST train digits, test canvases from MNIST test digits. The two readers
are combined with `RecurrentAttentionModel.combine_readers` (thesis rule: the shorter
predicted sequence, or the averaged probabilities where both lengths agree).
Results: docs/results/multi_digit_reading.md (written atomically); TensorBoard logs under
--logdir.

    python scripts/multi_digit_reading.py --train-size 20000 --epochs 5 --clipnorm 1.0
    python scripts/multi_digit_reading.py --quick --out /tmp/m.md   # smoke run (seconds)
"""

import argparse
import json
import os
import platform
import sys
import time

import keras
import numpy as np

import tfrnnx
from tfrnnx.io_utils import write_text_atomically

READERS = {"forward": "left_to_right", "backward": "right_to_left"}
NAMES = {
    "forward": "forward (left to right)",
    "backward": "backward (right to left)",
    "combined": "combined (thesis rule)",
}
# The thesis' SVHN sequence errors are not in this workspace's documents.
THESIS_SEQUENCE_ERROR = {"forward": None, "backward": None, "combined": None}


def sequence_errors(predicted, labels, terminal_class=tfrnnx.data.TERMINAL_CLASS):
    """Sequence and per-digit error (%) of predicted classes against padded labels.

    Both are integer arrays `(examples, positions)` in left-to-right order; every label row
    holds a terminal class. Everything after the first terminal of a row is ignored (a
    prediction with no terminal keeps all its classes). A sequence is correct only if the
    prediction up to and including its first terminal equals the label's, i.e. every digit,
    the length and the terminal are right. The per-digit error counts the label's digits
    (the positions before its first terminal) whose predicted class differs, an early
    predicted terminal included; digits predicted beyond the label's length only count in
    the sequence error.

    Returns:
        `(sequence_error, digit_error)` in percent.
    """
    predicted, labels = np.asarray(predicted), np.asarray(labels)
    if predicted.shape != labels.shape or predicted.ndim != 2:
        raise ValueError(
            "predicted and labels must be (examples, positions) arrays of the same shape. "
            f"Received: predicted.shape={predicted.shape}, labels.shape={labels.shape}"
        )

    def after_first_terminal(classes):
        seen = np.cumsum(classes == terminal_class, axis=1)
        # Positions after the first terminal: at least one terminal strictly before them.
        return (seen - (classes == terminal_class)) > 0

    predicted = np.where(after_first_terminal(predicted), terminal_class, predicted)
    labels = np.where(after_first_terminal(labels), terminal_class, labels)
    sequence_error = 100.0 * np.mean(np.any(predicted != labels, axis=1))
    is_digit = np.cumsum(labels == terminal_class, axis=1) == 0
    digit_error = 100.0 * np.sum((predicted != labels) & is_digit) / max(np.sum(is_digit), 1)
    return float(sequence_error), float(digit_error)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None,
                        help="directory holding mnist/ (default $TFRNNX_DATA_DIR)")
    parser.add_argument("--train-size", type=int, default=60000)
    parser.add_argument("--test-size", type=int, default=10000)
    parser.add_argument("--max-digits", type=int, default=5)
    parser.add_argument("--canvas", type=int, default=64)
    parser.add_argument("--glimpses-per-object", type=int, default=2)
    parser.add_argument("--glimpse-size", type=int, default=12)
    parser.add_argument("--units", type=int, default=256, help="GRU, glimpse and classifier width")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--clipnorm", type=float, default=None, help="Adam gradient-norm clip")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("docs", "results", "multi_digit_reading.md"))
    parser.add_argument("--logdir", default="runs/multi_digit_reading")
    parser.add_argument("--quick", action="store_true", help="seconds-long smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        args.train_size, args.test_size, args.max_digits, args.canvas = 64, 32, 2, 32
        args.glimpses_per_object, args.glimpse_size, args.units, args.epochs = 1, 6, 16, 1
        args.batch_size = 32
    return args


def make_data(args):
    sets = []
    for split, size, offset in (("train", args.train_size, 0), ("test", args.test_size, 1)):
        digits, labels = tfrnnx.data.load_mnist(split, args.data_dir)
        images, targets = tfrnnx.data.multi_digit_mnist(
            digits, labels, size, max_digits=args.max_digits, canvas_size=args.canvas,
            seed=args.seed + offset,
        )
        sets.append(((images / 255.0).astype("float32"), targets))
    return sets


def reader_model(args, order):
    objects = args.max_digits + 1  # the digits, then at least one terminal
    return tfrnnx.models.RecurrentAttentionModel(
        tfrnnx.data.TERMINAL_CLASS + 1, num_glimpses=objects * args.glimpses_per_object,
        glimpse_shape=(args.glimpse_size, args.glimpse_size), units=args.units,
        glimpse_network="mlp", glimpse_units=args.units, classifier_units=args.units,
        glimpses_per_object=args.glimpses_per_object, reading_order=order, seed=args.seed,
    )


def train_reader(args, name, data):
    (x_train, y_train), (x_test, _) = data
    keras.utils.set_random_seed(args.seed)
    model = reader_model(args, READERS[name])
    model.compile(keras.optimizers.Adam(args.learning_rate, clipnorm=args.clipnorm))
    started = time.time()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, verbose=0,
              callbacks=[keras.callbacks.TensorBoard(os.path.join(args.logdir, name))])
    seconds = time.time() - started
    # (test, objects, classes) in left-to-right order for both readers.
    probabilities = model.predict(x_test, batch_size=256, verbose=0)
    return probabilities, seconds, model.count_params()


def main(argv=None):
    args = parse_args(argv)
    args.load_average = os.getloadavg()[0]  # the CPUs may be shared with other jobs
    started = time.time()
    data = make_data(args)
    y_test = data[1][1]
    probabilities, rows = {}, []
    for name in READERS:
        probabilities[name], seconds, params = train_reader(args, name, data)
        rows.append(dict(reader=name, train_seconds=seconds, params=params))
    probabilities["combined"] = keras.ops.convert_to_numpy(
        tfrnnx.models.RecurrentAttentionModel.combine_readers(
            probabilities["forward"], probabilities["backward"], tfrnnx.data.TERMINAL_CLASS))
    rows.append(dict(reader="combined", train_seconds=sum(r["train_seconds"] for r in rows),
                     params=sum(r["params"] for r in rows)))
    for row in rows:
        predicted = np.argmax(probabilities[row["reader"]], axis=-1)
        row["sequence_error"], row["digit_error"] = sequence_errors(predicted, y_test)
        print(json.dumps(row), flush=True)
    wall = time.time() - started
    write_text_atomically(args.out, report(args, rows, wall, argv))
    print(f"wrote {args.out} ({wall:.0f} s)")
    return 0


def report(args, rows, wall, argv):
    argv = argv if argv is not None else sys.argv[1:]
    command = "python scripts/multi_digit_reading.py " + " ".join(argv)
    objects = args.max_digits + 1
    lines = [
        "# Multi-digit reading: forward, backward and combined readers (thesis 4.4.4)",
        "",
        f"Command: `{command.strip()}`  ",
        f"Seed: {args.seed} (training canvases seed {args.seed}, test canvases seed "
        f"{args.seed + 1}; both readers initialised with seed {args.seed}).  ",
        f"Data: multi-digit MNIST stands in for SVHN, which is not available here. "
        f"`tfrnnx.data.multi_digit_mnist` from the MNIST IDX files in `$TFRNNX_DATA_DIR/mnist`: "
        f"{args.train_size} training canvases from MNIST train digits, {args.test_size} test "
        f"canvases from MNIST test digits, {args.canvas}x{args.canvas} canvas, 1 to "
        f"{args.max_digits} digits (length uniform) side by side in a row at a random position, "
        f"each resized to min(28, {args.canvas} // length) pixels; labels: the digits from "
        f"left to right padded to {objects} positions with the terminal class 10.  ",
        f"Machine: {platform.machine()} ({platform.system()} {platform.release()}), "
        f"{os.cpu_count()} CPU cores, no GPU; wall time {wall / 60:.1f} min (data generation "
        f"included); 1-min load average {args.load_average:.1f} at the start (CPUs shared with "
        f"other jobs).  ",
        f"Setup: `RecurrentAttentionModel` sequence readers with context network, "
        f"{objects} outputs x {args.glimpses_per_object} glimpses per object = "
        f"{objects * args.glimpses_per_object} glimpses of {args.glimpse_size}x"
        f"{args.glimpse_size}, GRUs, MLP glimpse network and classifier of {args.units} units, "
        f"11 classes (10 digits + terminal); Adam lr {args.learning_rate} (gradient-norm clip "
        f"{args.clipnorm}), batch {args.batch_size}, {args.epochs} epochs; loss: mean "
        f"cross-entropy of each object's last glimpse; no attention noise, dropout or shift "
        f"regulariser. The backward reader is trained on the labels with their digits "
        f"reversed and its outputs are turned back into left-to-right order. Combined: "
        f"`RecurrentAttentionModel.combine_readers` (the reader predicting the shorter "
        f"sequence, or the mean of both readers' probabilities where the lengths agree). "
        f"Test errors after the last epoch (no model selection).",
        "",
        "Sequence error: a test sequence counts as correct only if the predicted classes up to "
        "and including the first terminal equal the label's (every digit, the length and the "
        "terminal right). Per-digit error: the label's digits predicted wrongly (an early "
        "terminal included), over all digits of the test labels.",
        "",
        "| reader | sequence error, ours (%) | per-digit error, ours (%) "
        "| thesis, SVHN sequence error (%) | parameters | training time (s) |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        thesis = THESIS_SEQUENCE_ERROR[row["reader"]]
        thesis = "—" if thesis is None else f"{thesis:.2f}"
        lines.append(
            f"| {NAMES[row['reader']]} | {row['sequence_error']:.2f} | {row['digit_error']:.2f} "
            f"| {thesis} | {row['params']:,} | {row['train_seconds']:.0f} |"
        )
    lines += [
        "",
        "The combined row's parameters and training time are the sum of both readers'. "
        "Thesis: SVHN house numbers; its numbers are not in this workspace, and this run "
        "reads MNIST digit rows instead, so the errors are not comparable one to one.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
