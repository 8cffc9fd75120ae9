"""End-to-end images/s of the recurrent attention model vs the CNN baseline (issue 3).

Both models are the ones `scripts/cluttered_mnist.py` trains for Table 4.1 (attention: 4
glimpses of 12x12, GRUs, MLP glimpse network and classifier of 256 units, with the context
network; CNN baseline: three conv layers and a 256-unit dense layer), on batches of 100x100x1
canvases. Training (`train_on_batch`, Adam) and inference (`predict_on_batch`) are timed
after a warm-up call; median of `--repeats` runs of `--steps` batches, interleaved. The
anchor is the CNN baseline measured in the same run.

    python benchmarks/bench_attention_images_per_second.py
"""

import argparse
import importlib.util
import os
import platform
import time

import keras
import numpy as np

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "scripts", "cluttered_mnist.py")


def load_models_module():
    spec = importlib.util.spec_from_file_location("cluttered_mnist_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def images_per_second(function, batch, steps):
    start = time.perf_counter()
    for _ in range(steps):
        function()
    return batch * steps / (time.perf_counter() - start)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--canvas", type=int, default=100)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    script = load_models_module()
    settings = script.parse_args(["--canvas", str(args.canvas)])
    rng = np.random.default_rng(0)
    images = rng.random((args.batch_size, args.canvas, args.canvas, 1)).astype("float32")
    labels = rng.integers(0, 10, args.batch_size)
    models = {
        "CNN baseline": script.cnn_baseline(settings),
        "attention (context)": script.attention_model(settings, context=True),
    }
    for name, model in models.items():
        attention = name.startswith("attention")
        model.compile(keras.optimizers.Adam(1e-3),
                      loss=None if attention else "sparse_categorical_crossentropy")  # fmt: skip
        model.train_on_batch(images, labels)  # warm-up: tracing
        model.predict_on_batch(images)
    rates = {name: {"train": [], "infer": []} for name in models}
    for _ in range(args.repeats):
        for name, model in models.items():
            rates[name]["train"].append(images_per_second(
                lambda: model.train_on_batch(images, labels), args.batch_size, args.steps))
            rates[name]["infer"].append(images_per_second(
                lambda: model.predict_on_batch(images), args.batch_size, args.steps))
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU cores, load average "
          f"{os.getloadavg()[0]:.1f}; batch {args.batch_size} of {args.canvas}x{args.canvas}x1; "
          f"median of {args.repeats} x {args.steps} batches")
    anchor = {kind: np.median(rates["CNN baseline"][kind]) for kind in ("train", "infer")}
    print(f"{'model':<22} {'params':>10} {'train img/s':>12} {'vs CNN':>7} {'infer img/s':>12} "
          f"{'vs CNN':>7}")
    for name, model in models.items():
        train, infer = (np.median(rates[name][kind]) for kind in ("train", "infer"))
        print(f"{name:<22} {model.count_params():>10,} {train:>12.0f} "
              f"{train / anchor['train']:>6.2f}x {infer:>12.0f} {infer / anchor['infer']:>6.2f}x")


if __name__ == "__main__":
    main()
