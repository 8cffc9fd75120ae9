"""Why the recurrent attention model's glimpses do not zoom: measurements (issue 11, item 1).

Trains the demo's `RecurrentAttentionModel` (cluttered shapes, 3 glimpses of 8x8) under a
few variants and records, after every epoch: test accuracy, the area of the last glimpse's
box (fraction of the image), the mean raw attention parameters (p_dx, p_dy, p_logvar,
p_loggamma) of the last glimpse, and the gradient that reaches each of the six parameters
(the loss gradient on the bias of the Dense layer that emits them, summed over steps).
Also measures, for the initial whole-image grid, how unevenly the filterbank covers the
image (aliasing): the ratio of the largest to the smallest total weight a pixel receives.

Writes docs/results/attention_diagnosis.md and its JSON twin.

    python scripts/attention_diagnosis.py            # ~15 min on 2 CPU cores
    python scripts/attention_diagnosis.py --quick    # seconds
"""

import argparse
import math
import os
import platform
import time

import keras
import numpy as np
import tensorflow as tf

import tfrnnx
from tfrnnx.data.cluttered_shapes import SHAPES, cluttered_shapes
from tfrnnx.io_utils import script_command
from tfrnnx.io_utils import write_results

RESULTS = os.path.join("docs", "results", "attention_diagnosis.md")
PARAM_NAMES = ("p_cx", "p_cy", "p_dx", "p_dy", "p_logvar", "p_loggamma")
VARIANTS = {
    "demo": dict(learning_rate=2e-3),
    "thesis_lr": dict(learning_rate=1e-4),
    "matched_sigma": dict(learning_rate=2e-3, matched_sigma=True),
    "limit": dict(learning_rate=2e-3, max_glimpse_extent=0.4),
    "matched_sigma_limit": dict(learning_rate=2e-3, matched_sigma=True, max_glimpse_extent=0.4),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--train-size", type=int, default=6000)
    parser.add_argument("--test-size", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=RESULTS)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.variants.split(",")) - set(VARIANTS))
    if unknown:
        parser.error(f"--variants must name variants of {sorted(VARIANTS)}. Received: {unknown}")
    if args.quick:
        args.epochs, args.train_size, args.test_size = 1, 128, 32
    return args


def filterbank_coverage(size, points, log_variance):
    """max / min over pixels of the total filter weight a pixel gets from a centred grid
    spanning the image (1 = even coverage; large = pixels between filters are not read)."""
    stride = (size - 1) / (points - 1)
    mu = (size - 1) / 2 + (np.arange(1, points + 1) - (points + 1) / 2) * stride
    a = np.arange(size)
    weights = np.exp(-((a[None, :] - mu[:, None]) ** 2) / (2 * math.exp(log_variance)))
    weights /= weights.sum(axis=1, keepdims=True)
    total = weights.sum(axis=0)
    return float(total.max() / max(total.min(), 1e-300))


def matched_log_variance(size, points):
    """log sigma^2 with sigma = half the whole-image stride: neighbouring filters overlap."""
    return 2.0 * math.log((size - 1) / (points - 1) / 2.0)


def build_model(variant, image_size, seed):
    model = tfrnnx.models.RecurrentAttentionModel(
        len(SHAPES), num_glimpses=3, glimpse_shape=(8, 8), units=64, glimpse_units=64,
        classifier_units=64, context_network=True,
        max_glimpse_extent=variant.get("max_glimpse_extent"), seed=seed,
    )  # fmt: skip
    model(np.zeros((1, image_size, image_size, 1), "float32"))
    if variant.get("matched_sigma"):
        bias = model.attention_params.bias.numpy()
        bias[4] = matched_log_variance(image_size, 8)
        model.attention_params.bias.assign(bias)
    model.compile(keras.optimizers.Adam(variant["learning_rate"], clipnorm=1.0),
                  metrics=["accuracy"])  # fmt: skip
    return model


def box_area(boxes):
    return np.asarray(tfrnnx.layers.DrawGlimpse.box_area(boxes))


def parameter_gradients(model, x, y):
    """|dL/d bias_k| of the Dense that emits the six attention parameters (all steps)."""
    with tf.GradientTape() as tape:
        probabilities = model(x, training=True)
        loss = model.compute_loss(x, y, probabilities)
    gradient = tape.gradient(loss, model.attention_params.bias)
    return np.abs(gradient.numpy())


def measure(model, x_test, y_test, probe_x, probe_y):
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    trace = model.trace(x_test[:256])
    last_area = box_area(trace["boxes"].numpy()[:, -1])
    params = trace["params"].numpy()[:, -1]
    return {
        "accuracy": float(accuracy),
        "last_box_area_mean": float(last_area.mean()),
        "last_box_area_le_0.4": float(np.mean(last_area <= 0.4)),
        **{f"last_{n}": float(params[:, i].mean()) for i, n in enumerate(PARAM_NAMES) if i >= 2},
        **{f"grad_{n}": float(g) for n, g in zip(PARAM_NAMES, parameter_gradients(model, probe_x, probe_y))},
    }


def run_variant(name, args, data):
    x_train, y_train, x_test, y_test = data
    keras.utils.set_random_seed(args.seed)
    model = build_model(VARIANTS[name], x_train.shape[1], args.seed)
    history = [dict(epoch=0, **measure(model, x_test, y_test, x_train[:64], y_train[:64]))]
    started = time.time()
    for epoch in range(1, args.epochs + 1):
        model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0)
        history.append(dict(epoch=epoch, **measure(model, x_test, y_test, x_train[:64], y_train[:64])))
        print(name, history[-1], flush=True)
    return {"variant": name, **VARIANTS[name], "seconds": round(time.time() - started, 1),
            "history": history, **{k: v for k, v in history[-1].items() if k != "epoch"}}  # fmt: skip


def _page(args, rows, coverage, command, wall):
    lines = [
        "# Why the attention model's glimpses do not zoom (issue 11, item 1)",
        "",
        f"Command: `{command}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores, no GPU. Seed {args.seed}. "
        f"Wall time {wall:.0f} s. Data: `tfrnnx.data.cluttered_shapes` (40x40 canvases, 6 "
        f"clutter fragments, 3 shapes), {args.train_size} training / {args.test_size} test "
        f"images, generated in code. Model: the demo's (3 glimpses of 8x8, 64 units, context "
        f"network), Adam with clipnorm 1, batch 64, {args.epochs} epochs.",
        "",
        "## The initial grid aliases the image",
        "",
        "A centred grid with zero parameters spans the whole image with sigma = 1 pixel. "
        "Total filter weight per pixel, largest / smallest (1 = every pixel read evenly):",
        "",
        "| image | grid | sigma = 1 (default init) | sigma = stride / 2 |",
        "|---|---|---|---|",
    ]
    for row in coverage:
        lines.append(f"| {row['size']} px | {row['points']} | {row['default']:.3g} | {row['matched']:.3g} |")
    lines += [
        "",
        "## Training under each variant (after the last epoch)",
        "",
        "| variant | lr | sigma init | size limit | test accuracy | last box area (mean) | "
        "last boxes <= 40% | last p_dx | last p_logvar | grad p_cx | grad p_dx | grad p_logvar "
        "| grad p_loggamma | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['variant']} | {r['learning_rate']:g} | "
            f"{'stride / 2' if r.get('matched_sigma') else '1 px'} | "
            f"{r.get('max_glimpse_extent') or '-'} | {r['accuracy']:.3f} | "
            f"{r['last_box_area_mean']:.3f} | {r['last_box_area_le_0.4']:.2f} | "
            f"{r['last_p_dx']:.2f} | {r['last_p_logvar']:.2f} | {r['grad_p_cx']:.2e} | "
            f"{r['grad_p_dx']:.2e} | {r['grad_p_logvar']:.2e} | {r['grad_p_loggamma']:.2e} | "
            f"{r['seconds']:.0f} |"
        )
    lines += ["", "Per-epoch numbers of every variant are in the JSON twin (`history`).", ""]
    lines += ["## Findings", ""] + _findings(rows) + [""]
    return "\n".join(lines)


def _findings(rows):
    """What the numbers say, computed from them (so the text cannot drift from the table)."""
    free = [r for r in rows if not r.get("max_glimpse_extent")]
    limited = [r for r in rows if r.get("max_glimpse_extent")]
    out = []
    if free:
        areas = [r["last_box_area_mean"] for r in free]
        grads = [r["grad_p_dx"] for r in free]
        out.append(
            f"- Without a size limit ({', '.join(r['variant'] for r in free)}) the last glimpse "
            f"still covers {min(areas):.0%}-{max(areas):.0%} of the image on average, and test "
            f"accuracy stays at {min(r['accuracy'] for r in free):.3f}-"
            f"{max(r['accuracy'] for r in free):.3f}. p_logvar ends at "
            + ", ".join(f"{r['last_p_logvar']:.2f}" for r in free)
            + ": the model widens the filters and reads a blurred whole image instead of zooming."
        )
        out.append(
            f"- This is not a dead gradient: the loss gradient reaching p_dx after training is "
            f"{min(grads):.1e}-{max(grads):.1e} (p_cx: "
            + ", ".join(f"{r['grad_p_cx']:.1e}" for r in free)
            + "). Our reading: zooming in pays only once the centre is on the object, and "
            "from a whole-image view a first step towards a smaller grid loses the object, "
            "so the blurred whole view is a local optimum."
        )
        thesis = [r for r in free if r["learning_rate"] <= 1e-4]
        if thesis:
            out.append(
                f"- The thesis' learning rate (1e-4) does not change this within the budget "
                f"(accuracy {thesis[0]['accuracy']:.3f}, last box {thesis[0]['last_box_area_mean']:.0%}); "
                "neither does starting with filters as wide as half the stride (no aliasing)."
                if any(r.get("matched_sigma") for r in free) else ""
            )
    for r in limited:
        out.append(
            f"- With the thesis' upper limit on the attention region (glimpses span at most "
            f"{r['max_glimpse_extent']} of the side; variant {r['variant']}) the model cannot "
            f"read the whole image at once: test accuracy {r['accuracy']:.3f}, the last box "
            f"covers {r['last_box_area_mean']:.0%} of the image on average and at most 40% on "
            f"{r['last_box_area_le_0.4']:.0%} of test images; p_logvar ends at "
            f"{r['last_p_logvar']:.2f}."
        )
    return [line for line in out if line]


def main(argv=None):
    args = parse_args(argv)
    started = time.time()
    x_train, y_train = cluttered_shapes(args.train_size, seed=args.seed)
    x_test, y_test = cluttered_shapes(args.test_size, seed=args.seed + 1)
    coverage = [
        {"size": size, "points": points, "default": filterbank_coverage(size, points, 0.0),
         "matched": filterbank_coverage(size, points, matched_log_variance(size, points))}
        for size, points in ((40, 8), (60, 12), (100, 12))
    ]  # fmt: skip
    rows = [run_variant(name, args, (x_train, y_train, x_test, y_test))
            for name in args.variants.split(",")]  # fmt: skip
    command = script_command(__file__, argv)
    wall = time.time() - started
    page = _page(args, rows, coverage, command.strip(), wall)
    write_results(args.out, page, {"command": command.strip(), "coverage": coverage, "rows": rows})
    return rows


if __name__ == "__main__":
    main()
