"""Critic and generator steps per second of WGANGPText (Conv-Deconv and Conv-LSTM).

Thesis §5.4. `WGANGPText.critic_update` (one critic update: generator forward, critic on
real, fake and interpolates, gradient penalty, Adam step), `generator_update` and the
whole `train_step` (`--critic-steps` critic updates + 1 generator update) are each wrapped
in one `tf.function` and timed: medians over `--repeats` interleaved runs of `--steps`
calls after a warm-up (tracing) call. Anchor, measured in the same run at the same size: the same
critic update with the naive critic input that multiplies a `tf.one_hot` of the real ids
by the projection kernel (what a plain Keras critic over one-hot inputs does) instead of
gathering kernel rows; speed-up = naive critic update time / WGANGPText's.

Usage:
    python benchmarks/bench_wgan_gp_text.py [--batch-size 64 --length 20 --vocab-size 4000]
"""

import argparse
import os
import platform
import time

import keras
import numpy as np
import tensorflow as tf

import tfrnnx


class NaiveCritic(tfrnnx.models.WGANGPText):
    """WGANGPText whose critic reads real ids as `tf.one_hot` rows (the anchor)."""

    def _critic_features(self, inputs):
        if inputs.dtype.is_integer:
            inputs = tf.one_hot(tf.cast(inputs, tf.int32), self.vocab_size, dtype=tf.float32)
        return self.critic_projection(inputs)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--length", type=int, default=20)
    parser.add_argument("--vocab-size", type=int, default=4000)
    parser.add_argument("--latent-dim", type=int, default=64)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--filters", type=int, default=128)
    parser.add_argument("--critic-steps", type=int, default=5)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.batch_size, args.length, args.vocab_size, args.steps, args.repeats = 4, 8, 50, 1, 1
        args.units = args.filters = args.latent_dim = 8
    return args


def _seconds(function, steps):
    start = time.perf_counter()
    for _ in range(steps):
        result = function()
    np.asarray(result)  # waits for the last step
    return (time.perf_counter() - start) / steps


def step_functions(model_class, args, generator, ids):
    """tf.functions of one critic update, one generator update and one `train_step`."""
    gan = model_class(
        args.vocab_size, args.length, generator=generator, latent_dim=args.latent_dim,
        units=args.units, generator_filters=args.filters, critic_filters=args.filters,
        critic_steps=args.critic_steps, seed=0,
    )  # fmt: skip
    gan.compile()
    real = tf.constant(ids)
    functions = {
        "critic": tf.function(lambda: gan.critic_update(real)["critic_loss"], autograph=False),
        "generator": tf.function(lambda: gan.generator_update(args.batch_size), autograph=False),
        "train": tf.function(lambda: gan.train_step(real)["critic_loss"], autograph=False),
    }
    for function in functions.values():
        function()  # warm-up: tracing
    return functions


def main(argv=None):
    args = parse_args(argv)
    ids = np.random.default_rng(0).integers(0, args.vocab_size, (args.batch_size, args.length))
    ids = ids.astype("int32")
    k = args.critic_steps
    print(f"WGANGPText, batch {args.batch_size}, length {args.length}, vocab {args.vocab_size}, "
          f"latent {args.latent_dim}, units/filters {args.units}/{args.filters}, "
          f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
          f"TF {tf.__version__}; median of {args.repeats} interleaved runs x {args.steps} "
          "steps")  # fmt: skip
    print()
    print(f"| generator | critic steps/s | generator steps/s | train_step (1 gen + {k} critic) s "
          "| naive one-hot critic steps/s | critic speed-up vs naive |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for generator in ("conv", "lstm"):
        ours = step_functions(tfrnnx.models.WGANGPText, args, generator, ids)
        naive = step_functions(NaiveCritic, args, generator, ids)
        times = {"critic": [], "generator": [], "train": [], "naive": []}
        for _ in range(args.repeats):  # interleaved, so that load changes hit both alike
            for name in ("critic", "generator", "train"):
                times[name].append(_seconds(ours[name], args.steps))
            times["naive"].append(_seconds(naive["critic"], args.steps))
        t = {name: float(np.median(values)) for name, values in times.items()}
        print(f"| {generator} | {1 / t['critic']:.2f} | {1 / t['generator']:.2f} | "
              f"{t['train']:.3f} | {1 / t['naive']:.2f} | {t['naive'] / t['critic']:.2f}x |")


if __name__ == "__main__":
    keras.utils.set_random_seed(0)
    main()
