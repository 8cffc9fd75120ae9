import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

import tfrnnx
from testing import two_cpu_mirrored_strategy
from tfrnnx.models import _training

SENTENCES = ["a cat sat", "a dog sat", "the cat ran", "the dog ran"]
LENGTH = 6


def _discrete_gan(kind, vocab):
    sizes = dict(units=8, embedding_dim=4, discriminator_units=8, vocabulary=vocab, seed=1)
    if kind == "seqgan":
        return tfrnnx.models.SeqGAN(len(vocab), LENGTH, num_rollouts=2, **sizes)
    return tfrnnx.models.LeakGAN(len(vocab), LENGTH, leak=kind, mlp_units=8, **sizes)


class TrainingHelpersTest(tf.test.TestCase, parameterized.TestCase):
    def test_scaled_loss_divides_by_the_replicas(self):
        optimizer = keras.optimizers.SGD(0.1)
        self.assertAllClose(_training.scaled_loss(optimizer, tf.constant(3.0)), 3.0)
        strategy = two_cpu_mirrored_strategy()
        per_replica = strategy.run(lambda: _training.scaled_loss(optimizer, tf.constant(3.0)))
        self.assertAllClose([float(v) for v in strategy.experimental_local_results(per_replica)],
                            [1.5, 1.5])  # fmt: skip

    def test_resolve_optimizer_loss_scales_under_mixed_precision(self):
        policy = keras.dtype_policies.DTypePolicy("mixed_float16")
        optimizer = _training.resolve_optimizer("adam", policy)
        self.assertIsInstance(optimizer, keras.optimizers.LossScaleOptimizer)
        # LossScaleOptimizer starts at a scale of 2**15 (Keras' default).
        self.assertAllClose(optimizer.scale_loss(tf.constant(2.0)), 2.0 * 2**15)
        self.assertIs(_training.resolve_optimizer(optimizer, policy), optimizer)
        plain = _training.resolve_optimizer(None, keras.dtype_policies.DTypePolicy("float32"),
                                            default=lambda: keras.optimizers.SGD(0.5))  # fmt: skip
        self.assertIsInstance(plain, keras.optimizers.SGD)

    # SeqGAN, and LeakGAN with and without its own generator LSTM ("noleak" adds no path).
    @parameterized.parameters("seqgan", "leak", "mixed")
    def test_discrete_gan_trains_under_mixed_precision_and_two_replicas(self, kind):
        vocab = tfrnnx.tokenizers.WordVocabulary.build(SENTENCES)
        ids = vocab.pad(vocab.encode(SENTENCES * 2, add_bos_eos=True), LENGTH)
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy("mixed_float16")
        try:
            gan = _discrete_gan(kind, vocab)
            gan.compile("adam", "adam", pretrain_optimizer="adam", jit_compile=False)
            for optimizer in (gan.optimizer, gan.discriminator_optimizer, gan.pretrain_optimizer):
                self.assertIsInstance(optimizer, keras.optimizers.LossScaleOptimizer)
            history = gan.fit(ids, batch_size=4, epochs=1, verbose=0).history
            self.assertTrue(all(np.isfinite(v[0]) for v in history.values()))
            self.assertTrue(np.all(np.isfinite(gan.pretrain(ids, steps=2)["generator_nll"])))
        finally:
            keras.config.set_dtype_policy(previous)
        with two_cpu_mirrored_strategy().scope():
            gan = _discrete_gan(kind, vocab)
            gan.compile("adam", "adam", jit_compile=False)
        history = gan.fit(ids, batch_size=8, epochs=2, verbose=0).history
        self.assertTrue(all(np.all(np.isfinite(v)) for v in history.values()))
        self.assertEqual(int(gan.optimizer.iterations.numpy()), 2)
        self.assertEqual(int(gan.discriminator_optimizer.iterations.numpy()), 2)


class CausalLSTMDiscriminatorTest(tf.test.TestCase):
    def test_config_round_trip_gives_the_same_logits(self):
        from tfrnnx.models.text_gan._discrete_gan import CausalLSTMDiscriminator

        layer = CausalLSTMDiscriminator(9, 4, 5, seed=3, name="d")
        ids = np.array([[2, 5, 6, 3, 0]], "int32")
        expected = layer(ids)
        config = layer.get_config()
        self.assertEqual({k: config[k] for k in ("vocab_size", "embedding_dim", "units", "seed")},
                         {"vocab_size": 9, "embedding_dim": 4, "units": 5, "seed": 3})  # fmt: skip
        import json
        clone = keras.saving.deserialize_keras_object(
            json.loads(json.dumps(keras.saving.serialize_keras_object(layer)))
        )
        clone(ids)
        clone.set_weights(layer.get_weights())
        self.assertAllClose(clone(ids), expected)
        with self.assertRaisesRegex(ValueError, "units=0"):
            CausalLSTMDiscriminator(9, 4, 0)


if __name__ == "__main__":
    tf.test.main()
