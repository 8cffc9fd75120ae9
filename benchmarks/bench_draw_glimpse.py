"""Forward + backward time of DrawGlimpse against the two batched matmuls it is made of.

DrawGlimpse computes, per example, `gamma * Fy . image . Fx^T` with the (Ny, H) and
(Nx, W) Gaussian filterbanks built from six parameters. The script times, in one run
and on the same shapes (default: batch 64 of 100x100x1 images, 12x12 glimpses):

- `draw_glimpse`: `tfrnnx.layers.DrawGlimpse`, gradients to the images and params;
- `bare_matmuls`: `tf.linalg.matmul(tf.linalg.matmul(Fy, image), Fx, transpose_b=True)`
  on given filterbanks, gradients to the image and both filterbanks (the lower bound:
  DrawGlimpse adds building the filterbanks, their gradients and gamma);
- `crop_and_resize`: `tf.image.crop_and_resize` of the same boxes
  (`DrawGlimpse.boxes`) to 12x12, gradients to the images and boxes (without
  `jit_compile` only: CropAndResize has no XLA CPU kernel);

each in a `tf.function`, without and with `jit_compile=True`, after warm-up: the median
of `--repeats` timed calls, the cases timed in turn (one call each per round) so that
other load on the machine falls on all alike. Prints each time and its ratio to the bare
matmuls.

    .venv/bin/python benchmarks/bench_draw_glimpse.py
    .venv/bin/python benchmarks/bench_draw_glimpse.py --batch 8 --repeats 5   # quick
"""

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import tfrnnx  # noqa: E402

# tf.image.crop_and_resize has no XLA kernel on CPU: it is timed without jit_compile only.
_NO_XLA_KERNEL = ("crop_and_resize",)


def _median_seconds(cases, warmup, repeats):
    """Median seconds per call of each ``name: (fn, args)``, timed round-robin.

    One call of every case per round, so that load from other processes on the machine
    falls on all cases alike.
    """
    for fn, args in cases.values():
        for _ in range(warmup):
            _sync(fn(*args))
    times = {name: [] for name in cases}
    for _ in range(repeats):
        for name, (fn, args) in cases.items():
            start = time.perf_counter()
            _sync(fn(*args))
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def _sync(outputs):
    for t in tf.nest.flatten(outputs):
        t.numpy()


def _draw_glimpse_step(layer):
    def step(images, params, upstream):
        with tf.GradientTape() as tape:
            tape.watch([images, params])
            loss = tf.reduce_sum(layer([images, params]) * upstream)
        return tape.gradient(loss, [images, params])

    return step


def _bare_matmuls_step(images, filterbank_y, filterbank_x, upstream):
    with tf.GradientTape() as tape:
        tape.watch([images, filterbank_y, filterbank_x])
        rows = tf.linalg.matmul(filterbank_y, images)
        glimpse = tf.linalg.matmul(rows, filterbank_x, transpose_b=True)
        loss = tf.reduce_sum(glimpse * upstream)
    return tape.gradient(loss, [images, filterbank_y, filterbank_x])


def _crop_and_resize_step(crop_size):
    def step(images, boxes, upstream):
        with tf.GradientTape() as tape:
            tape.watch([images, boxes])
            box_indices = tf.range(tf.shape(images)[0])
            crops = tf.image.crop_and_resize(images, boxes, box_indices, crop_size)
            loss = tf.reduce_sum(crops * upstream)
        return tape.gradient(loss, [images, boxes])

    return step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--image-size", type=int, default=100)
    parser.add_argument("--glimpse-size", type=int, default=12)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    b, s, n = args.batch, args.image_size, args.glimpse_size
    images = tf.constant(rng.random((b, s, s, 1)), tf.float32)
    params = tf.constant(rng.standard_normal((b, 6)) * 0.5, tf.float32)
    layer = tfrnnx.layers.DrawGlimpse(glimpse_shape=(n, n))
    boxes = layer.boxes(params, images.shape)
    filterbank_y = tf.constant(rng.random((b, n, s)), tf.float32)
    filterbank_x = tf.constant(rng.random((b, n, s)), tf.float32)
    upstream = tf.constant(rng.standard_normal((b, n, n, 1)), tf.float32)

    cases = {
        "draw_glimpse": (_draw_glimpse_step(layer), (images, params, upstream)),
        "bare_matmuls": (
            _bare_matmuls_step,
            (images[..., 0], filterbank_y, filterbank_x, upstream[..., 0]),
        ),
        "crop_and_resize": (_crop_and_resize_step((n, n)), (images, boxes, upstream)),
    }
    print(
        f"batch {b}, images {s}x{s}x1, glimpses {n}x{n}, forward+backward, median of "
        f"{args.repeats} round-robin calls after {args.warmup} warm-up calls; "
        f"TensorFlow {tf.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs visible"
    )
    print(f"{'case':<16} {'jit_compile':<12} {'ms':>9} {'/ bare_matmuls':>15}")
    for jit in (False, True):
        compiled = {
            name: (tf.function(fn, jit_compile=jit), case_args)
            for name, (fn, case_args) in cases.items()
            if not (jit and name in _NO_XLA_KERNEL)
        }
        times = _median_seconds(compiled, args.warmup, args.repeats)
        for name in cases:
            if name not in times:
                print(f"{name:<16} {str(jit):<12} {'n/a':>9} {'(no XLA CPU kernel)':>15}")
                continue
            ratio = times[name] / times["bare_matmuls"]
            print(f"{name:<16} {str(jit):<12} {times[name] * 1e3:9.3f} {ratio:14.2f}x")


if __name__ == "__main__":
    main()
