"""Thesis Tables 4.1 and 4.2: cluttered MNIST (single digit, pair, sum), attention vs a CNN.

Trains tfrnnx.models.RecurrentAttentionModel with and without the context network
(MLP glimpse and classification networks) and a plain CNN baseline on cluttered MNIST
made from the MNIST IDX files (training canvases from MNIST train digits, test canvases
from MNIST test digits), and reports test error, parameters and training time of each.
`--task single` is Table 4.1; `--task pair` (55 unordered digit pairs) and `--task sum`
(19 sums, empty background) are Table 4.2.
Results: docs/results/cluttered_mnist.md (written atomically) and a PNG of the learned
glimpses next to it; TensorBoard logs (losses and glimpse boxes) under --logdir.

    python scripts/cluttered_mnist.py --train-size 10000 --canvas 60 --epochs 5
    python scripts/cluttered_mnist.py --task sum --train-size 10000 --canvas 60 --epochs 5
    python scripts/cluttered_mnist.py --quick --out /tmp/c.md   # smoke run (seconds)
"""

import argparse
import json
import os
import platform
import sys
import time

import keras
import numpy as np
import tensorflow as tf

import tfrnnx
from tfrnnx.callbacks.glimpse_summary import draw_glimpse_boxes
from tfrnnx.io_utils import script_command
from tfrnnx.io_utils import write_figure_atomically
from tfrnnx.io_utils import write_results
from tfrnnx.io_utils import write_text_atomically

THESIS_ERROR = {
    "single": {"context": 1.80, "no_context": 3.29, "cnn": None},
    "pair": {"context": 4.3, "no_context": None, "cnn": None},
    "sum": {"context": 2.55, "no_context": None, "cnn": None},
}
# Other models in the thesis' tables (Table 4.1, line 1912; Table 4.2, line 1933).
THESIS_BASELINES = {
    "single": "Mnih et al. (4 / 8 glimpses: 9.41% / 8.11%) and Gregor et al. (4.18% / 3.36%)",
    "pair": "Ba et al. (5%)",
    "sum": "Ba et al. (2.5%)",
}
NUM_CLASSES = {"single": 10, "pair": 55, "sum": 19}
TITLES = {
    "single": "Cluttered MNIST, single digit (thesis Table 4.1)",
    "pair": "Cluttered MNIST, unordered digit pairs (thesis Table 4.2)",
    "sum": "MNIST digit sums on an empty canvas (thesis Table 4.2)",
}
NAMES = {
    "context": "attention, with context network",
    "no_context": "attention, no context network",
    "cnn": "CNN baseline",
}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None,
                        help="directory holding mnist/ (default $TFRNNX_DATA_DIR)")
    parser.add_argument("--models", nargs="+", default=list(NAMES), choices=list(NAMES))
    parser.add_argument("--train-size", type=int, default=60000)
    parser.add_argument("--test-size", type=int, default=10000)
    parser.add_argument("--canvas", type=int, default=100)
    parser.add_argument("--task", choices=list(NUM_CLASSES), default="single")
    parser.add_argument("--num-clutter", type=int, default=None,
                        help="clutter fragments (default 8; 0 for --task sum)")
    parser.add_argument("--glimpses", type=int, default=4)
    parser.add_argument("--glimpse-size", type=int, default=12)
    parser.add_argument("--units", type=int, default=256, help="GRU, glimpse and classifier width")
    parser.add_argument("--curriculum-epochs", type=int, default=0,
                        help="epochs with the simple glimpse network first (thesis' curriculum)")
    parser.add_argument("--loss-steps", choices=("last", "all"), default="last",
                        help="cross-entropy of the last step's prediction or the mean over steps")
    parser.add_argument("--attention-noise", type=float, default=0.0,
                        help="DrawGlimpse noise on centre and stride in training (thesis §4.4.2)")
    parser.add_argument("--glimpse-dropout", type=float, default=0.0,
                        help="dropout rate on the glimpse features")
    parser.add_argument("--relative-shifts", choices=("on", "off"), default=None,
                        help="regress shifts of the previous centre (default: on for pair "
                             "and sum, as thesis §4.4.1; off for single)")
    parser.add_argument("--shift-regularizer-weight", type=float, default=None,
                        help="a of the RBF regulariser, eq. 4.4.1 (default 0.1 for pair and "
                             "sum, 0 for single)")
    parser.add_argument("--shift-regularizer-scale", type=float, default=0.1,
                        help="b of eq. 4.4.1 (thesis: 0.1)")
    parser.add_argument("--shift-regularizer-step", type=int, default=2,
                        help="0-based step the regulariser covers (thesis: the third step)")
    parser.add_argument("--max-glimpse-extent", type=float, default=None,
                        help="upper limit on the attention region, a fraction of the image "
                             "side (default 0.5 for pair and sum, none for single; the "
                             "thesis names the limit, not its value)")
    parser.add_argument("--max-glimpse-extent-from-step", type=int, default=0,
                        help="first 0-based glimpse the size limit applies to (earlier ones unlimited)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--cnn-budget", choices=("time", "epochs"), default="time",
                        help="time: the CNN trains until its training time reaches the slowest "
                             "attention model's (equal wall time); epochs: --epochs")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=1e-4,
                        help="Adam's step size (thesis, line 1898: 1e-4)")
    parser.add_argument("--clipnorm", type=float, default=None, help="Adam gradient-norm clip")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save-dir", default=None,
                        help="write each trained attention model to DIR/<model>.keras")
    parser.add_argument("--save-model", default=None,
                        help="(older form) write the 'context' attention model to this .keras path")
    parser.add_argument("--init-from", default=None,
                        help="a .keras attention model (e.g. trained on pair) whose weights start "
                             "the attention models: every weight whose shape agrees, so the "
                             "classifier's output layer too when the number of classes does")
    parser.add_argument("--count-init-training", action="store_true",
                        help="continue --init-from's training: its training seconds and epochs, "
                             "read from the JSON that --save-dir wrote beside it, count in this "
                             "run's (and so in the CNN's equal-time budget)")
    parser.add_argument("--validation-size", type=int, default=0,
                        help="N validation canvases (their own, from MNIST training digits) "
                             "scored after every epoch; report the test error of the epoch best "
                             "on them (0: no model selection, the last epoch is reported)")
    parser.add_argument("--context-from-no-context", action="store_true",
                        help="train the model without context first, then start the context "
                        "model from it (its attention GRU's context rows zero); the context "
                        "model's training time includes the other's")  # fmt: skip
    parser.add_argument("--curve-size", type=int, default=2000,
                        help="test canvases scored after every epoch for the error curves "
                        "(0: none); the table's error is on the whole test set")  # fmt: skip
    parser.add_argument("--out", default=None,
                        help="default docs/results/cluttered_mnist[_TASK].md")
    parser.add_argument("--logdir", default="runs/cluttered_mnist")
    parser.add_argument("--quick", action="store_true", help="seconds-long smoke run")
    args = parser.parse_args(argv)
    for flag, value in (("--attention-noise", args.attention_noise), ("--glimpse-dropout", args.glimpse_dropout)):
        if not 0.0 <= value < 1.0:
            parser.error(f"{flag} must be in [0, 1). Received: {value}")
    if not 0 <= args.curve_size:
        parser.error(f"--curve-size must be >= 0. Received: {args.curve_size}")
    if args.validation_size < 0:
        parser.error(f"--validation-size must be >= 0. Received: {args.validation_size}")
    if args.quick:
        args.train_size, args.test_size, args.canvas = 64, 32, 40
        args.curve_size = min(args.curve_size, 32)
        args.num_clutter = 0 if args.task == "sum" else 4
        args.glimpses, args.glimpse_size, args.units, args.epochs = 2, 6, 16, 1
        args.validation_size = min(args.validation_size, 16)
        args.shift_regularizer_step = min(args.shift_regularizer_step, args.glimpses - 1)
        args.batch_size = 32
        if args.task != "single":
            args.canvas = 80  # room to place two 28x28 digits apart at random
    if args.num_clutter is None:
        args.num_clutter = 0 if args.task == "sum" else 8
    _task_defaults(args, parser)
    if args.context_from_no_context and not {"context", "no_context"} <= set(args.models):
        parser.error("--context-from-no-context needs --models context no_context. Received: "
                     f"--models {' '.join(args.models)}")
    if args.count_init_training:
        if not args.init_from:
            parser.error("--count-init-training needs --init-from.")
        if not os.path.exists(_record_path(args.init_from)):
            parser.error(f"--count-init-training reads {_record_path(args.init_from)}, which does not "
                         f"exist (--save-dir writes it beside each model). Received: --init-from "
                         f"{args.init_from}")
    if args.out is None:
        suffix = "" if args.task == "single" else f"_{args.task}"
        args.out = os.path.join("docs", "results", f"cluttered_mnist{suffix}.md")
    return args


def _task_defaults(args, parser):
    """The thesis' two-digit fixes (§4.4.1) by default for pair and sum, none for single."""
    two_digits = args.task != "single"
    if args.relative_shifts is None:
        args.relative_shifts = "on" if two_digits else "off"
    if args.shift_regularizer_weight is None:
        args.shift_regularizer_weight = 0.1 if two_digits else 0.0
    if args.max_glimpse_extent is None and two_digits:
        args.max_glimpse_extent = 0.5
    if not 0 <= args.shift_regularizer_step < args.glimpses:
        parser.error(f"--shift-regularizer-step must be in [0, --glimpses={args.glimpses}). "
                     f"Received: {args.shift_regularizer_step}")  # fmt: skip
    if args.max_glimpse_extent is not None and not 0 < args.max_glimpse_extent <= 1:
        parser.error(f"--max-glimpse-extent must be in (0, 1]. Received: {args.max_glimpse_extent}")
    if not 0 <= args.max_glimpse_extent_from_step < args.glimpses:
        parser.error(f"--max-glimpse-extent-from-step must be in [0, --glimpses={args.glimpses}). "
                     f"Received: {args.max_glimpse_extent_from_step}")
    if args.shift_regularizer_weight < 0 or args.shift_regularizer_scale <= 0:
        parser.error("--shift-regularizer-weight must be >= 0 and --shift-regularizer-scale > 0. "
                     f"Received: {args.shift_regularizer_weight}, {args.shift_regularizer_scale}")


def _record_path(model_path):
    """The JSON beside a saved model: its training seconds and epochs."""
    return os.path.splitext(model_path)[0] + ".json"


def make_data(args):
    """`[(x_train, y_train), (x_test, y_test)]` and the test digits' boxes."""
    sets = []
    for split, size, offset in (("train", args.train_size, 0), ("test", args.test_size, 1)):
        digits, labels = tfrnnx.data.load_mnist(split, args.data_dir)
        images, targets, boxes = tfrnnx.data.cluttered_mnist(
            digits, labels, size, task=args.task, canvas_size=args.canvas,
            num_clutter=args.num_clutter, seed=args.seed + offset, return_boxes=True,
        )
        sets.append(((images / 255.0).astype("float32"), targets))
    return sets, boxes


def validation_data(args):
    """`(x_valid, y_valid)`: `--validation-size` canvases of their own (seed + 2) from the MNIST
    training digits, so a model resumed with `--init-from` has not trained on them; `None` for 0."""
    if not args.validation_size:
        return None
    digits, labels = tfrnnx.data.load_mnist("train", args.data_dir)
    images, targets = tfrnnx.data.cluttered_mnist(
        digits, labels, args.validation_size, task=args.task, canvas_size=args.canvas,
        num_clutter=args.num_clutter, seed=args.seed + 2)
    return (images / 255.0).astype("float32"), targets


def localisation(model, args, images, labels, digit_boxes, batch_size=500):
    """Where the glimpses went on the test set (the thesis' mislocalisation, §4.4.1).

    A digit is in view when its centre lies inside a glimpse box: for one digit the last
    glimpse's, for two digits any glimpse's from the first size-limited step on (every
    step without a limit). Returns the share of test images whose digit(s) are all in
    view, the share of the errors made with a digit out of view, and the mean area of the
    last glimpse box (clipped to the image).
    """
    boxes, correct = [], []
    for start in range(0, len(images), batch_size):
        out = model.trace(images[start : start + batch_size])
        boxes.append(out["boxes"].numpy())
        predicted = out["probabilities"].numpy().argmax(-1)
        correct.append(predicted == labels[start : start + batch_size])
    boxes, correct = np.concatenate(boxes), np.concatenate(correct)
    first = args.max_glimpse_extent_from_step if args.max_glimpse_extent else 0
    looked = boxes[:, -1:] if args.task == "single" else boxes[:, first:]
    centres = (digit_boxes[..., :2] + digit_boxes[..., 2:]) / 2  # (n, digits, 2): y, x
    inside = ((looked[:, None, :, :2] <= centres[:, :, None]) &
              (centres[:, :, None] <= looked[:, None, :, 2:])).all(-1)  # (n, digits, steps)
    in_view = inside.any(-1).all(-1)
    errors = ~correct
    return {
        "in_view": round(float(in_view.mean()), 4),
        "errors_out_of_view": round(float((~in_view[errors]).mean()), 4) if errors.any() else 0.0,
        "last_box_area": round(float(np.mean(tfrnnx.layers.DrawGlimpse.box_area(boxes[:, -1]))), 4),
    }


def cnn_baseline(args):
    def conv(filters, size, **kwargs):
        return keras.layers.Conv2D(filters, size, padding="same", activation="relu", **kwargs)

    return keras.Sequential([
        keras.Input((args.canvas, args.canvas, 1)),
        conv(32, 5, strides=2), keras.layers.MaxPooling2D(2),
        conv(64, 3), keras.layers.MaxPooling2D(2),
        conv(64, 3), keras.layers.GlobalMaxPooling2D(),
        keras.layers.Dense(args.units, activation="relu"),
        keras.layers.Dense(NUM_CLASSES[args.task], activation="softmax"),
    ], name="cnn_baseline")


def attention_model(args, context):
    return tfrnnx.models.RecurrentAttentionModel(
        NUM_CLASSES[args.task], num_glimpses=args.glimpses, glimpse_shape=(args.glimpse_size, args.glimpse_size),
        units=args.units, glimpse_network="mlp", glimpse_units=args.units,
        classifier_units=args.units, context_network=context,
        curriculum_phase="simple" if args.curriculum_epochs else "full", loss_steps=args.loss_steps,
        attention_noise=args.attention_noise, glimpse_dropout=args.glimpse_dropout,
        relative_shifts=args.relative_shifts == "on",
        shift_regularizer_weight=args.shift_regularizer_weight,
        shift_regularizer_scale=args.shift_regularizer_scale,
        shift_regularizer_steps=[args.shift_regularizer_step],
        max_glimpse_extent=args.max_glimpse_extent,
        max_glimpse_extent_from_step=args.max_glimpse_extent_from_step, seed=args.seed,
    )


class _ErrorCurve(keras.callbacks.Callback):
    """Test error on held-out canvases after every epoch, against training seconds (the
    time spent scoring left out), continuing from `start` = (seconds, epochs) of a model
    this one started from. With `validation` = (images, labels) it also scores those and
    keeps the weights of the epoch best on them (`restore_best`)."""

    def __init__(self, images, labels, start=(0.0, 0), validation=None):
        super().__init__()
        self.images, self.labels = images, labels
        self.start_seconds, self.start_epochs = start
        self.validation = validation
        self.points, self.scoring_seconds = [], 0.0
        self.best = None  # (validation error, epoch, weights)

    def on_train_begin(self, logs=None):
        if not hasattr(self, "started"):  # a curriculum calls fit twice: one clock
            self.started = time.time()

    def training_seconds(self):
        return time.time() - self.started - self.scoring_seconds

    def on_epoch_end(self, epoch, logs=None):
        if len(self.images) == 0 and self.validation is None:
            return
        scoring = time.time()
        point = {"epoch": self.start_epochs + epoch + 1}
        if len(self.images):
            point["error"] = _error(self.model, self.images, self.labels)
        if self.validation is not None:
            point["valid_error"] = _error(self.model, *self.validation)
            if self.best is None or point["valid_error"] < self.best[0]:
                self.best = (point["valid_error"], point["epoch"], self.model.get_weights())
        self.scoring_seconds += time.time() - scoring
        self.points.append({"seconds": round(self.start_seconds + self.training_seconds(), 1), **point})

    def restore_best(self):
        """Sets the model to the epoch best on the validation canvases; returns that
        epoch and its validation error (`None, None` without validation)."""
        if self.best is None:
            return None, None
        error, epoch, weights = self.best
        self.model.set_weights(weights)
        return epoch, error


def _error(model, images, labels):
    _, accuracy = model.evaluate(images, labels, batch_size=256, verbose=0)
    return round(100.0 * (1.0 - accuracy), 2)


def still_improving(points, last=3):
    """Whether the best error of the last `last` epochs is a new best (the run had not
    levelled off when it stopped)."""
    errors = [p["error"] for p in points if "error" in p]
    return len(errors) > last and min(errors[-last:]) < min(errors[:-last])


class _StopAfterSeconds(keras.callbacks.Callback):
    """Stops training at the end of the first epoch whose training time (the curve's
    scoring left out) reaches `seconds`."""

    def __init__(self, seconds, curve):
        super().__init__()
        self.seconds, self.curve = seconds, curve

    def on_epoch_end(self, epoch, logs=None):
        if self.curve.training_seconds() >= self.seconds:
            self.model.stop_training = True


def train_one(args, name, data, seconds_budget=None, start_from=None, digit_boxes=None,
              validation=None):
    """Trains one model; the CNN trains for `seconds_budget` seconds when it is given.

    `start_from`: `(model, seconds, epochs)` of a trained attention model this one starts
    from; else `--init-from`'s model, if given. `validation`: `(images, labels)` that pick
    the reported epoch."""
    (x_train, y_train), (x_test, y_test) = data
    keras.utils.set_random_seed(args.seed)
    attention = name != "cnn"
    model = attention_model(args, name == "context") if attention else cnn_baseline(args)
    earlier_seconds, earlier_epochs = 0.0, 0
    if attention and (start_from or args.init_from):
        if start_from:
            source, earlier_seconds, earlier_epochs = start_from
            origin = f"the trained {source.name}"
        else:
            source, origin = keras.saving.load_model(args.init_from, compile=False), args.init_from
            if args.count_init_training:
                with open(_record_path(args.init_from)) as f:
                    record = json.load(f)
                earlier_seconds, earlier_epochs = record["train_seconds"], record["epochs"]
        source(x_train[:1])
        model(x_train[:1])
        kept = model.transfer_weights_from(source)
        print(f"{name}: started from {origin}; {len(kept)} weights kept as initialised",
              flush=True)  # fmt: skip
    model.compile(keras.optimizers.Adam(args.learning_rate, clipnorm=args.clipnorm),
                  metrics=["accuracy"],
                  loss=None if attention else "sparse_categorical_crossentropy")
    logdir = os.path.join(args.logdir, name)
    curve = _ErrorCurve(x_test[: args.curve_size], y_test[: args.curve_size],
                        (earlier_seconds, earlier_epochs), validation)  # fmt: skip
    # The curve goes first: it starts the clock that the other callbacks' time counts in.
    callbacks = [curve, keras.callbacks.TensorBoard(logdir)]
    epochs = args.epochs
    if not attention and seconds_budget is not None:
        callbacks.append(_StopAfterSeconds(seconds_budget, curve))
        epochs = 10_000
    if attention:
        callbacks.append(tfrnnx.callbacks.GlimpseSummary(logdir, x_test[:3]))
    fit = lambda epochs, initial: model.fit(  # noqa: E731
        x_train, y_train, batch_size=args.batch_size, epochs=epochs, initial_epoch=initial,
        verbose=0, callbacks=callbacks)
    # A model started from a trained one skips the curriculum: its glimpse network is trained.
    curriculum = args.curriculum_epochs if attention and not earlier_epochs and not args.init_from else 0
    if attention and model.curriculum_phase == "simple" and not curriculum:
        model.set_curriculum_phase("full")
    if curriculum:
        fit(curriculum, 0)
        model.set_curriculum_phase("full")
    history = fit(epochs, curriculum)
    # A warm-started model's training time includes the model it started from.
    seconds = curve.training_seconds() + earlier_seconds
    epochs_run = curriculum + len(history.epoch) + earlier_epochs
    if attention and args.save_dir:  # the last epoch's weights: training continues from them
        os.makedirs(args.save_dir, exist_ok=True)
        saved = os.path.join(args.save_dir, f"{name}.keras")
        model.save(saved)
        record = {"train_seconds": round(seconds, 1), "epochs": epochs_run}
        write_text_atomically(_record_path(saved), json.dumps(record) + "\n")
    selected_epoch, valid_error = curve.restore_best()
    _, accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    if name == "context" and args.save_model:
        model.save(args.save_model)
    located = {}
    if attention and digit_boxes is not None:
        located = localisation(model, args, x_test, y_test, digit_boxes)
    selection = {} if selected_epoch is None else {"selected_epoch": selected_epoch, "valid_error": valid_error}
    return model, dict(model=name, error=100.0 * (1.0 - accuracy), params=model.count_params(),
                       train_seconds=seconds, epochs=epochs_run, curve=curve.points,
                       still_improving=still_improving(curve.points), **selection, **located)  # fmt: skip


def glimpse_png(model, images, path):
    """One row of test images with every step's box (step t in colour t mod 6)."""
    drawn = draw_glimpse_boxes(images, model.trace(images)["boxes"])
    row = tf.concat(tf.unstack(drawn), axis=1)
    tf.io.write_file(path, tf.io.encode_png(tf.cast(tf.round(row * 255.0), tf.uint8)))


def main(argv=None):
    args = parse_args(argv)
    args.load_average = os.getloadavg()[0]  # the CPUs may be shared with other jobs
    started = time.time()
    data, digit_boxes = make_data(args)
    validation = validation_data(args)
    rows = []
    png = os.path.splitext(args.out)[0] + "_glimpses.png"
    # The CNN goes last, so that it can be given the attention models' training time; with
    # --context-from-no-context the model without context goes first.
    order = {"no_context": 0 if args.context_from_no_context else 1, "context": 1, "cnn": 2}
    trained = {}
    for name in sorted(args.models, key=order.get):
        attention_seconds = [row["train_seconds"] for row in rows]
        budget = max(attention_seconds) if args.cnn_budget == "time" and attention_seconds else None
        start_from = None
        if name == "context" and args.context_from_no_context:
            start_from = trained["no_context"]
        model, row = train_one(args, name, data, budget, start_from, digit_boxes, validation)
        trained[name] = (model, row["train_seconds"], row["epochs"])
        rows.append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "curve"}), flush=True)
        if name == "context" or (name == "no_context" and "context" not in args.models):
            glimpse_png(model, data[1][0][:6], png)
    wall = time.time() - started
    command = script_command(__file__, argv)
    twin = {
        "command": command.strip(),
        "canvas": args.canvas,
        "rows": [{"config": row["model"], **row, "test_error": round(row["error"] / 100.0, 6),
                  "thesis_error": THESIS_ERROR[args.task][row["model"]]} for row in rows],
        "thesis": {"error": THESIS_ERROR[args.task], "baselines": THESIS_BASELINES[args.task]},
    }  # fmt: skip
    curves = os.path.splitext(args.out)[0] + "_curves.png"
    if any(row["curve"] for row in rows):
        curves_png(rows, curves)
    write_results(args.out, report(args, rows, wall, command, png, curves), twin)
    print(f"wrote {args.out} ({wall:.0f} s)")
    return 0


def curves_png(rows, path):
    """Held-out error against training seconds, one line per model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 3.6))
    for row in rows:
        points = [p for p in row["curve"] if "error" in p]
        if points:
            axis.plot([p["seconds"] for p in points], [p["error"] for p in points],
                      marker="o", markersize=2, label=NAMES[row["model"]])  # fmt: skip
    axis.set_yscale("log")
    axis.set_xlabel("training time (s)")
    axis.set_ylabel("test error (%, log)")
    axis.legend(fontsize=7)
    figure.tight_layout()
    write_figure_atomically(figure, path)
    plt.close(figure)


def report(args, rows, wall, command, png, curves):
    lines = [
        f"# {TITLES[args.task]}",
        "",
        f"Command: `{command.strip()}`  ",
        f"Seed: {args.seed} (training canvases seed {args.seed}, test canvases seed "
        f"{args.seed + 1}).  ",
        f"Data: `tfrnnx.data.cluttered_mnist(task=\"{args.task}\")` from the MNIST IDX files in "
        f"`$TFRNNX_DATA_DIR/mnist`: {args.train_size} training canvases from MNIST train digits"
        + (f", {args.validation_size} validation canvases (seed {args.seed + 2}) from MNIST train "
           "digits for model selection (a digit may also be on a training canvas, elsewhere and in "
           "other clutter)" if args.validation_size else "")
        + ", "
        f"{args.test_size} test canvases from MNIST test digits, {args.canvas}x{args.canvas} "
        f"canvas, {args.num_clutter} 8x8 clutter fragments.  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, no GPU; "
        f"wall time {wall / 60:.1f} min (data generation included); 1-min load average "
        f"{args.load_average:.1f} at the start (CPUs shared with other jobs).  ",
        f"Setup: {args.glimpses} glimpses of {args.glimpse_size}x{args.glimpse_size}, GRUs, MLP "
        f"glimpse network and classifier of {args.units} units; Adam lr {args.learning_rate} "
        f"(gradient-norm clip {args.clipnorm}), batch {args.batch_size}, {args.epochs} epochs"
        + (f" ({args.curriculum_epochs} with the simple glimpse network first)"
           if args.curriculum_epochs else "")
        + f"; loss on {'the last step' if args.loss_steps == 'last' else 'every step (mean)'}"
        f"; attention noise {args.attention_noise}, glimpse dropout {args.glimpse_dropout}; "
        f"{'relative shifts' if args.relative_shifts == 'on' else 'absolute centres'}; "
        + (f"RBF shift regulariser a = {args.shift_regularizer_weight}, b = "
           f"{args.shift_regularizer_scale} on step {args.shift_regularizer_step + 1}; "
           if args.shift_regularizer_weight else "no shift regulariser; ")
        + (f"glimpses span at most {args.max_glimpse_extent} of the image side"
           + (f" from glimpse {args.max_glimpse_extent_from_step + 1} on. "
              if args.max_glimpse_extent_from_step else ". ")
           if args.max_glimpse_extent else "no limit on the glimpse size. ")
        + (f"The attention models started from the weights of `{args.init_from}` (every weight "
           "whose shape agrees: the classifier's output layer only where the number of classes "
           "does)" + ("; its training time and epochs, from the record saved with it, count in "
                      "this run's" if args.count_init_training else "") + ". "
           if args.init_from else "")
        + ("The context model started from the trained model without context (its attention "
           "GRU's context rows zero, so it starts computing what that model does); its "
           "training time and epochs include that model's. " if args.context_from_no_context else "")
        + ("Test error after the last epoch (no model selection)." if not args.validation_size else
           f"Model selection: the {args.validation_size} validation canvases are scored after every "
           "epoch; the table gives the test error of the epoch with the lowest error on them "
           "(column \"selected epoch\"; in-view and box numbers are of that epoch too).")
        + (" The CNN trains epoch by epoch until its training time reaches the slowest "
           "attention model's (equal wall time)." if args.cnn_budget == "time" else ""),
        "",
        "| model | test error, ours (%) | thesis (%) | parameters | epochs | training time (s) "
        "| still improving | digit in view (%) | errors with a digit out of view (%) "
        "| last box area (%) |" + (" selected epoch | validation error (%) |" if args.validation_size else ""),
        "|---|---|---|---|---|---|---|---|---|---|" + ("---|---|" if args.validation_size else ""),
    ]
    for row in rows:
        thesis = THESIS_ERROR[args.task][row["model"]]
        thesis = "—" if thesis is None else f"{thesis:.2f}"
        improving = "—" if len(row["curve"]) < 4 else ("yes" if row["still_improving"] else "no")
        view = [f"{100 * row[k]:.1f}" if k in row else "—"
                for k in ("in_view", "errors_out_of_view", "last_box_area")]  # fmt: skip
        lines.append(
            f"| {NAMES[row['model']]} | {row['error']:.2f} | {thesis} "
            f"| {row['params']:,} | {row['epochs']} | {row['train_seconds']:.0f} | {improving} "
            f"| {' | '.join(view)} |"
            + (f" {row['selected_epoch']} | {row['valid_error']:.2f} |" if args.validation_size else "")
        )
    lines += [
        "",
        "Thesis: 100x100 canvases, the full MNIST training set and training to convergence. "
        "The thesis reports no CNN baseline; it compares with "
        + THESIS_BASELINES[args.task] + ". "
        + ("This run is scaled down (see Data and Setup), so its errors are not comparable "
           "one to one with the thesis'." if args.train_size < 60000 or args.canvas != 100 else ""),
        "",
        f"Learned glimpses on test images (step t in red, green, blue, yellow): "
        f"`{os.path.basename(png)}`.",
        "",
        "Digit in view: the digit's centre inside the last glimpse box (one digit), or each "
        "digit's centre inside some glimpse box from the first size-limited step on (two "
        "digits); the thesis (single digit) puts under 1% of the errors down to "
        "mislocalisation with the context network and about 10% without (lines 1964-1968).",
    ]
    if any(row["curve"] for row in rows):
        lines += [
            "",
            f"Error on the first {args.curve_size} test canvases after every epoch, against "
            f"training time (the scoring's time left out): `{os.path.basename(curves)}`. "
            "\"Still improving\": the best of the last three epochs' errors is a new best.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
