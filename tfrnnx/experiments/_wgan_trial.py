"""One WGAN-GP trial of the text-GAN comparison (thesis §5.4, §5.6.4): Conv-Deconv / Conv-LSTM.

`train_wgan_gp` is what `tfrnnx.experiments.text_gans.make_trial_fn` calls for the models
"conv_deconv" (`generator="conv"`) and "conv_lstm" (`generator="lstm"`).

Hyper-parameters (`hparams` keys; missing keys take the defaults in brackets):
    learning_rate: Adam learning rate of generator and critic [1e-4] (beta_1=0.5,
        beta_2=0.9 as in Gulrajani et al. 2017).
    latent_dim: size of z [64].
    units: LSTM units of the Conv-LSTM generator [128].
    filters: channels of the generator deconvolutions and of the critic [128].
    critic_layers: residual convolution blocks of the critic [2].
    critic_steps: critic updates per generator update [5], each on its own real batch.
    gp_weight: gradient-penalty weight λ [10].
    batch_size: sentences per critic step and per generator step [64].
"""

import os

import keras

from tfrnnx.callbacks.text_samples import TextSamples
from tfrnnx.experiments._trial_data import checked_train_ids
from tfrnnx.experiments._trial_data import shuffled_batches
from tfrnnx.models import WGANGPText

DEFAULT_SPACE = {
    "learning_rate": ("log_uniform", 1e-4, 2e-3),
    "latent_dim": ("choice", [32, 64, 128]),
    "units": ("choice", [64, 128, 256]),
    "filters": ("choice", [64, 128, 256]),
    "critic_layers": ("int", 1, 3),
    "critic_steps": ("int", 1, 5),
    "gp_weight": ("log_uniform", 1.0, 30.0),
}
DEFAULTS = {
    "learning_rate": 1e-4, "latent_dim": 64, "units": 128, "filters": 128,
    "critic_layers": 2, "critic_steps": 5, "gp_weight": 10.0, "batch_size": 64,
}


def build_wgan_gp(hparams, seed, vocabulary, sequence_length, generator):
    """A compiled `WGANGPText` for `hparams` (see the module docstring)."""
    unknown = set(hparams) - set(DEFAULTS)
    if unknown:
        raise ValueError(
            f"hparams has unknown keys {sorted(unknown)}; accepted: {sorted(DEFAULTS)}. "
            f"Received: hparams={hparams!r}"
        )
    h = {**DEFAULTS, **hparams}
    gan = WGANGPText(
        len(vocabulary), sequence_length, generator=generator,
        latent_dim=int(h["latent_dim"]), units=int(h["units"]),
        generator_filters=int(h["filters"]), critic_filters=int(h["filters"]),
        critic_layers=int(h["critic_layers"]), critic_steps=int(h["critic_steps"]),
        gp_weight=float(h["gp_weight"]), fresh_critic_batches=True, vocabulary=vocabulary,
        seed=seed,
    )  # fmt: skip
    rate = float(h["learning_rate"])
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(rate, beta_1=0.5, beta_2=0.9),
        critic_optimizer=keras.optimizers.Adam(rate, beta_1=0.5, beta_2=0.9),
    )
    return gan


def train_wgan_gp(hparams, seed, run_dir, train_ids, vocabulary, sequence_length, steps,
                  num_samples, generator):  # fmt: skip
    """Trains a WGAN-GP `steps` generator steps on `train_ids`; returns sampled sentences.

    Args:
        hparams: dict of the keys of the module docstring.
        seed: integer seed (initializers, noise, data order).
        run_dir: TensorBoard logs go to `run_dir/tensorboard`, the trained model to
            `run_dir/wgan_gp.keras`.
        train_ids: int `(n, sequence_length)` sentences + `<eos>`, padded with `<pad>`.
        vocabulary: a tfrnnx vocabulary (`WordVocabulary`, `SentencePieceVocabulary`).
        sequence_length: width of `train_ids`.
        steps: generator updates (each after `critic_steps` critic updates).
        num_samples: number of sentences returned.
        generator: `"conv"` (Conv-Deconv) or `"lstm"` (Conv-LSTM).

    Returns:
        `num_samples` strings decoded by `vocabulary.decode` (cut at the first `<eos>`).
    """
    train_ids = checked_train_ids(train_ids, sequence_length)
    os.makedirs(run_dir, exist_ok=True)
    keras.utils.set_random_seed(seed)
    gan = build_wgan_gp(hparams, seed, vocabulary, sequence_length, generator)
    batch_size = int({**DEFAULTS, **hparams}["batch_size"])
    # One fit batch holds a fresh real batch for each critic step (Gulrajani et al.'s loop).
    dataset = shuffled_batches(train_ids, batch_size * gan.critic_steps, seed)
    # One epoch holds the whole run, so log every 20 steps (running means) instead.
    tensorboard = keras.callbacks.TensorBoard(
        os.path.join(run_dir, "tensorboard"), update_freq=min(20, steps)
    )
    samples = TextSamples(os.path.join(run_dir, "tensorboard", "samples"), num_samples=8,
                          seed=seed)  # fmt: skip
    gan.fit(dataset, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0,
            callbacks=[tensorboard, samples])  # fmt: skip
    gan.save(os.path.join(run_dir, "wgan_gp.keras"))
    return gan.sample_strings(num_samples, seed=seed)
