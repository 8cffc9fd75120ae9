"""One trial of the discrete text GANs (SeqGAN, LeakGAN) for the Table 5.4 protocol (§5.6.4).

`train_discrete_gan` pretrains the generator by maximum likelihood exactly as long as the
LM baseline trains (the same steps, data, batch size, optimizer and learning-rate range,
thesis observation (vi): every useful GAN starts from a pretrained generator), then trains
adversarially on top, writes TensorBoard logs and a `.keras` checkpoint in `run_dir` and
returns sampled sentences. The generator learning rate of the adversarial phase reaches
values so low that the generator barely leaves the pretrained LM (thesis lines 3145-3150:
the search favours them).
"""

import os

import keras
import numpy as np
import tensorflow as tf

from tfrnnx._validation import check_integer
from tfrnnx.callbacks.text_samples import TextSamples
from tfrnnx.experiments._trial_data import checked_train_ids
from tfrnnx.experiments._trial_data import shuffled_batches
from tfrnnx.models import LeakGAN
from tfrnnx.models import SeqGAN

MODELS = (
    "seqgan_reinforce",
    "seqgan_step",
    "seqgan_rollout",
    "leakgan_leak",
    "leakgan_noleak",
    "leakgan_mixed",
)
# The LM baseline's batch size and learning-rate range (experiments.text_gans).
PRETRAIN_BATCH_SIZE = 64
DEFAULT_SPACE = {
    "pretrain_learning_rate": ("log_uniform", 1e-3, 3e-2),
    "generator_learning_rate": ("log_uniform", 1e-6, 1e-3),
    "discriminator_learning_rate": ("log_uniform", 1e-4, 3e-3),
    "discount": ("uniform", 0.8, 1.0),
    "embedding_dim": ("choice", [32, 64]),
    "units": ("choice", [64, 128]),
    "discriminator_units": ("choice", [32, 64]),
    "num_rollouts": ("int", 1, 4),
    "discriminator_steps": ("int", 1, 3),
}
_DEFAULTS = {
    "pretrain_learning_rate": 1e-2,
    "generator_learning_rate": 1e-3,
    "discriminator_learning_rate": 1e-3,
    "discount": 0.95,
    "embedding_dim": 32,
    "units": 64,
    "discriminator_units": 32,
    "num_rollouts": 2,
    "discriminator_steps": 1,
    "batch_size": 32,
}


def build_discrete_gan(model, hparams, seed, vocabulary, sequence_length):
    """The (uncompiled) `SeqGAN` or `LeakGAN` of a model name of `MODELS`."""
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}. Received: model={model!r}")
    h = {**_DEFAULTS, **hparams}
    common = dict(
        vocab_size=len(vocabulary), sequence_length=int(sequence_length),
        discount=float(h["discount"]), embedding_dim=int(h["embedding_dim"]),
        units=int(h["units"]), discriminator_units=int(h["discriminator_units"]),
        discriminator_steps=int(h["discriminator_steps"]), vocabulary=vocabulary, seed=seed,
    )  # fmt: skip
    family, variant = model.split("_")
    if family == "seqgan":
        return SeqGAN(credit_assignment=variant, num_rollouts=int(h["num_rollouts"]), **common)
    return LeakGAN(leak=variant, mlp_units=int(h["units"]), **common)


def train_discrete_gan(model, hparams, seed, run_dir, train_ids, vocabulary, sequence_length,
                       steps, num_samples, adversarial_steps):  # fmt: skip
    """Pretrains one discrete GAN's generator for `steps` batches, then trains it
    adversarially for `adversarial_steps`; returns `num_samples` sentences.

    Args:
        model: one of `MODELS`.
        hparams: values of `DEFAULT_SPACE` (missing ones take defaults; `batch_size` too).
        seed: integer seed of the weights, batches and samples.
        run_dir: directory of the `tensorboard/` logs and `discrete_gan.keras`.
        train_ids: int `(n, sequence_length)` ids framed `<bos> ... <eos>`, 0-padded.
        vocabulary: vocabulary of the ids (`decode`, `detokenize`, `len`).
        sequence_length: columns of `train_ids`.
        steps: maximum-likelihood steps, with batches of `PRETRAIN_BATCH_SIZE` (the LM
            baseline's steps and batch size).
        num_samples: sentences to return.
        adversarial_steps: GAN steps after the pretraining (batches of `batch_size`).
    """
    h = {**_DEFAULTS, **hparams}
    train_ids = checked_train_ids(train_ids, sequence_length)
    os.makedirs(run_dir, exist_ok=True)
    keras.utils.set_random_seed(seed)
    gan = build_discrete_gan(model, h, seed, vocabulary, sequence_length)
    adam = keras.optimizers.Adam
    gan.compile(
        generator_optimizer=adam(float(h["generator_learning_rate"]), clipnorm=5.0),
        discriminator_optimizer=adam(float(h["discriminator_learning_rate"])),
        pretrain_optimizer=adam(float(h["pretrain_learning_rate"]), clipnorm=5.0),
        jit_compile=False,
    )
    batch_size = int(h["batch_size"])
    pretrain_steps = check_integer("steps", steps, 0)
    adversarial_steps = check_integer("adversarial_steps", adversarial_steps, 0)
    writer = tf.summary.create_file_writer(os.path.join(run_dir, "tensorboard"))
    with writer.as_default():
        if pretrain_steps:
            nll = gan.pretrain(train_ids, batch_size=PRETRAIN_BATCH_SIZE, steps=pretrain_steps,
                               shuffle_seed=seed)["generator_nll"]  # fmt: skip
            for step, value in enumerate(nll):
                tf.summary.scalar("pretrain/generator_nll", value, step=step)
        if adversarial_steps:
            dataset = shuffled_batches(train_ids, batch_size, seed)

            def log(batch, logs):
                for name, value in logs.items():
                    tf.summary.scalar(f"adversarial/{name}", value, step=pretrain_steps + batch)

            samples = TextSamples(os.path.join(run_dir, "tensorboard", "samples"),
                                  num_samples=8, seed=seed)  # fmt: skip
            gan.fit(dataset, epochs=1, steps_per_epoch=adversarial_steps, shuffle=False, verbose=0,
                    callbacks=[keras.callbacks.LambdaCallback(on_train_batch_end=log),
                               samples])  # fmt: skip
    writer.flush()
    gan.save(os.path.join(run_dir, "discrete_gan.keras"))
    sentences = []
    for start in range(0, num_samples, 500):
        size = min(500, num_samples - start)
        ids = gan.sample(size, seed=seed * 100_003 + start)
        sentences += [vocabulary.decode(row) for row in np.asarray(ids)]
    return sentences
