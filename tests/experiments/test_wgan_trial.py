import os
import tempfile

import keras
import numpy as np
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import tfrnnx
from tfrnnx.experiments import _wgan_trial

SENTENCES = ["a cat sat", "a dog ran", "the cat ran", "the dog sat"]
LENGTH = 4


def _vocabulary():
    return tfrnnx.tokenizers.WordVocabulary.build(SENTENCES)


def _real_ids():
    """Sentences + <eos> padded with <pad> to LENGTH, as given to fit."""
    vocab = _vocabulary()
    return vocab.pad([ids + [vocab.eos_id] for ids in vocab.encode(SENTENCES)], LENGTH)


class WGANTrialTest(tf.test.TestCase):
    def test_trial_adapter_logs_saves_and_samples(self):
        ids = np.tile(_real_ids(), (2, 1))
        with tempfile.TemporaryDirectory() as tmp:
            samples = _wgan_trial.train_wgan_gp(
                dict(latent_dim=3, units=4, filters=4, critic_layers=1, critic_steps=2,
                     batch_size=4), 0, tmp, ids, _vocabulary(), LENGTH, steps=2,
                num_samples=3, generator="lstm",
            )  # fmt: skip
            self.assertEqual(len(samples), 3)
            self.assertTrue(all(isinstance(s, str) for s in samples))
            reloaded = keras.saving.load_model(os.path.join(tmp, "wgan_gp.keras"))
            self.assertEqual(reloaded.generator, "lstm")
            self.assertAllClose(reloaded.critic_optimizer.learning_rate, 1e-4)
            self.assertEqual(int(reloaded.optimizer.iterations.numpy()), 2)
            # Each critic step on its own real batch: fit batches of critic_steps x batch_size.
            self.assertTrue(reloaded.fresh_critic_batches)
            self.assertEqual(int(reloaded.critic_optimizer.iterations.numpy()), 4)
            events = EventAccumulator(os.path.join(tmp, "tensorboard", "train"))
            events.Reload()
            tags = events.Tags()["tensors"]
            for name in ("critic_loss", "generator_loss", "gradient_penalty", "wasserstein"):
                self.assertIn(f"batch_{name}", tags)
            samples = EventAccumulator(os.path.join(tmp, "tensorboard", "samples"))
            samples.Reload()
            self.assertIn("samples", samples.Tags()["tensors"])
        for name, spec in _wgan_trial.DEFAULT_SPACE.items():
            self.assertIn(name, _wgan_trial.DEFAULTS)
            self.assertIn(spec[0], ("log_uniform", "uniform", "int", "choice"))
        with self.assertRaisesRegex(ValueError, "unknown keys"):
            _wgan_trial.build_wgan_gp({"lr": 1.0}, 0, _vocabulary(), LENGTH, "conv")


if __name__ == "__main__":
    tf.test.main()
