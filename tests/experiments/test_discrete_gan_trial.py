import os
import tempfile

import keras
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import tfrnnx
from models.test_seq_gan import LENGTH, _ids, _vocab  # the SeqGAN tests' toy corpus
from tfrnnx.experiments import _discrete_gan_trial


class DiscreteGanTrialTest(tf.test.TestCase):
    def test_trial_adapter_pretrains_trains_logs_saves_and_samples(self):
        vocab = _vocab()
        hparams = dict(embedding_dim=4, units=8, discriminator_units=4, batch_size=4,
                       pretrain_share=0.5)  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            samples = _discrete_gan_trial.train_discrete_gan(
                "leakgan_leak", hparams, 0, tmp, _ids(vocab), vocab, LENGTH, steps=4,
                num_samples=3,
            )  # fmt: skip
            reloaded = keras.saving.load_model(os.path.join(tmp, "discrete_gan.keras"),
                                               compile=False)  # fmt: skip
            events = EventAccumulator(os.path.join(tmp, "tensorboard"))
            events.Reload()
            texts = EventAccumulator(os.path.join(tmp, "tensorboard", "samples"))
            texts.Reload()
        self.assertLen(samples, 3)
        # Samples are sentences of the vocabulary's words, at most LENGTH - 2 of them.
        for sentence in samples:
            self.assertLessEqual(len(sentence.split()), LENGTH - 2)
            self.assertTrue(set(sentence.split()) <= set(vocab.words))
        self.assertIsInstance(reloaded, tfrnnx.models.LeakGAN)
        tags = events.Tags()["tensors"]
        self.assertIn("pretrain/generator_nll", tags)
        self.assertIn("adversarial/mean_reward", tags)
        self.assertLen(events.Tensors("pretrain/generator_nll"), 2)
        self.assertIn("samples", texts.Tags()["tensors"])
        for name, spec in _discrete_gan_trial.DEFAULT_SPACE.items():
            self.assertIn(spec[0], ("log_uniform", "uniform", "int", "choice"))


if __name__ == "__main__":
    tf.test.main()
