import os
import tempfile
from unittest import mock

import keras
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import tfrnnx
from models.test_seq_gan import LENGTH, _ids, _vocab  # the SeqGAN tests' toy corpus
from tfrnnx.experiments import _discrete_gan_trial
from tfrnnx.experiments import text_gans


class DiscreteGanTrialTest(tf.test.TestCase):
    def test_trial_adapter_pretrains_trains_logs_saves_and_samples(self):
        vocab = _vocab()
        hparams = dict(embedding_dim=4, units=8, discriminator_units=4, batch_size=4)
        pretrained = []
        pretrain = tfrnnx.models.LeakGAN.pretrain

        def recording_pretrain(gan, ids, **kwargs):
            pretrained.append(kwargs)
            return pretrain(gan, ids, **kwargs)

        with tempfile.TemporaryDirectory() as tmp, mock.patch.object(
            tfrnnx.models.LeakGAN, "pretrain", recording_pretrain
        ):
            samples = _discrete_gan_trial.train_discrete_gan(
                "leakgan_leak", hparams, 0, tmp, _ids(vocab), vocab, LENGTH, steps=4,
                num_samples=3, adversarial_steps=2,
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
        # Pretraining is the LM baseline's: all `steps`, in batches of the LM's size (64);
        # the adversarial steps come on top.
        self.assertEqual([(k["steps"], k["batch_size"]) for k in pretrained], [(4, 64)])
        self.assertLen(events.Tensors("pretrain/generator_nll"), 4)
        self.assertLen(events.Tensors("adversarial/mean_reward"), 2)
        self.assertIn("samples", texts.Tags()["tensors"])
        space = _discrete_gan_trial.DEFAULT_SPACE
        for name, spec in space.items():
            self.assertIn(spec[0], ("log_uniform", "uniform", "int", "choice"))
        # The search reaches generator learning rates that barely move the pretrained LM,
        # and pretrains in the LM baseline's learning-rate range.
        self.assertLessEqual(space["generator_learning_rate"][1], 1e-6)
        self.assertEqual(space["pretrain_learning_rate"], ("log_uniform",) + tuple(
            text_gans.LM_SPACE["learning_rate"][1:]))
        self.assertNotIn("pretrain_share", space)
        with self.assertRaisesRegex(ValueError, "adversarial_steps=-1"):
            _discrete_gan_trial.train_discrete_gan(
                "seqgan_step", hparams, 0, "unused", _ids(vocab), vocab, LENGTH, steps=1,
                num_samples=1, adversarial_steps=-1)


if __name__ == "__main__":
    tf.test.main()
